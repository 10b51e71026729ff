"""machine.py - a node as a machine on the kernel side: its file store, the iptables service, reboot.

natsim's nodes are whole machines (README: "Each node keeps a small file
store ... `reboot` clears the runtime state"); a network namespace is not.
This module gives each node of the kernel run what natsim's machine model
has, with the real tools doing the real work:

- the file store: a directory of the node's own (KDIR/files/NODE, as
  `ip netns exec` gives a namespace /etc/netns/NAME), holding the files the
  scenario writes (`CMD > FILE`, `CMD >> FILE`, `echo ... >> FILE`) and reads
  (`cat FILE`, `sysctl -p [FILE]`, `iptables-restore < FILE`); never the
  host's /etc;
- the iptables service of a RHEL system (iptables-services), as natsim
  models it: `systemctl enable|disable|start|stop|restart|status|is-active|
  is-enabled iptables`, `service iptables save|start|stop|...`; start is the
  real `iptables-restore` of /etc/sysconfig/iptables, stop the real flush;
- `reboot` (`shutdown -r`, `systemctl reboot`): kernel_run.KernelRun.reboot
  makes the namespace new, then the boot applies /etc/sysctl.d/*.conf and
  /etc/sysctl.conf and, if enabled, starts the iptables service.

Design choice: what the real kernel and tools decide (rules restored, sysctl
values, their errors) comes from them; only the service bookkeeping (enabled,
active) is the harness's, kept like natsim's. The service's own messages
(systemctl's and the init script's) are not Linux's business: the blocks of
systemctl/service/reboot are marked `emulated`, and the comparison reads only
whether they failed.
"""

import os

SAVE_FILE = "/etc/sysconfig/iptables"
SYSCTL_CONF = "/etc/sysctl.conf"


def is_reboot(argv):
    return argv[0] in ("reboot", "shutdown") or (argv[0] == "systemctl" and "reboot" in argv[1:])


class Machine:
    """The machine model of one node (file store and service state)."""

    def __init__(self, kr, node):
        self.kr = kr
        self.node = node
        self.root = os.path.join(kr.dir, "files", node)
        self.enabled = False        # systemctl enable iptables
        self.active = False         # the oneshot unit ran (reset by a reboot)
        os.makedirs(self.root, exist_ok=True)

    # ----- the file store

    def path(self, name):
        """The store's copy of the node's absolute path NAME."""
        return os.path.join(self.root, os.path.normpath("/" + name).lstrip("/"))

    def read(self, name):
        try:
            with open(self.path(name)) as f:
                return f.read()
        except OSError:
            return None

    def write(self, name, text, append=False):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "a" if append else "w") as f:
            f.write(text)

    def resolve_input(self, name):
        """`< FILE`: the store's file when the node has it, else a path
        relative to the scenario file (as natsim reads it)."""
        if os.path.isabs(name) and os.path.exists(self.path(name)):
            return self.path(name)
        if os.path.isabs(name):
            return name if not name.startswith(("/etc/", "/run/", "/root/")) else self.path(name)
        return os.path.join(os.path.dirname(os.path.abspath(self.kr.s.path)), name)

    # ----- commands

    def run(self, c):
        """(stdout lines, exit status, stderr, emulated) of a machine command."""
        a = c.argv
        if c.redir and c.redir[0] in (">", ">>"):
            return self._redirect(c)
        if a[0] == "cat":
            return self._cat(a[1:])
        if a[0] == "sysctl":
            return self._sysctl_load(a)
        if is_reboot(a):
            self.kr.reboot(self.node)
            return [], 0, "", True
        if a[0] == "systemctl":
            return self._systemctl(a)
        if a[0] == "service":
            return self._service(a)
        return [], 1, f"{a[0]}: not part of the harness's machine model", True

    def _redirect(self, c):
        op, name = c.redir
        if c.argv[0] == "echo":
            args, newline = list(c.argv[1:]), True
            while args and args[0] in ("-n", "-e", "-E", "-ne", "-en"):
                newline = newline and "n" not in args.pop(0)
            text = " ".join(args) + ("\n" if newline else "")
            self.write(name, text, append=op == ">>")
            return [], 0, "", False
        p = self.kr.exec_in(c.node, c.argv)
        if p.returncode == 0 or p.stdout:
            self.write(name, p.stdout, append=op == ">>")
        return [], p.returncode, p.stderr, False

    def _cat(self, names):
        out, err, rc = [], [], 0
        for n in names:
            text = self.read(n)
            if text is None:
                err.append(f"cat: {n}: No such file or directory")
                rc = 1
                continue
            out += text.splitlines()
        return out, rc, "\n".join(err), False

    def _sysctl_load(self, argv):
        """`sysctl -p [FILE]` / `--load[=FILE]` / `--system` with the store's files."""
        a = argv[1:]
        if "--system" in a:
            names = sorted(n for n in self._listdir("/etc/sysctl.d") if n.endswith(".conf"))
            files = [f"/etc/sysctl.d/{n}" for n in names] + [SYSCTL_CONF]
            out, errs, rc = [], [], 0
            for f in files:
                if self.read(f) is None:
                    continue
                out.append(f"* Applying {f} ...")
                p = self.kr.exec_in(self.node, ["sysctl", "-p", self.path(f)])
                out += p.stdout.splitlines()
                errs.append(p.stderr.replace(self.path(f), f).strip())
                rc = rc or p.returncode
            return out, rc, "\n".join(e for e in errs if e), False
        opts, files = [], []
        for w in a:
            if w.startswith("--load="):
                files.append(w[len("--load="):])
                opts.append("-p")
            elif w.startswith("-"):
                opts.append(w if w != "--load" else "-p")
            else:
                files.append(w)
        f = files[0] if files else SYSCTL_CONF
        p = self.kr.exec_in(self.node, ["sysctl"] + opts + [self.path(f)])
        return (p.stdout.replace(self.path(f), f).splitlines(), p.returncode,
                p.stderr.replace(self.path(f), f), False)

    def _listdir(self, name):
        try:
            return os.listdir(self.path(name))
        except OSError:
            return []

    # ----- the iptables service (natsim's sim/cmd.c model of iptables-services)

    def _systemctl(self, argv):
        words = [w for w in argv[1:] if not w.startswith("-")]
        now = "--now" in argv
        if len(words) < 2:
            return [], 1, "Too few arguments.", True
        action, units = words[0], words[1:]
        rc, out, err = 0, [], []
        for u in units:
            if u not in ("iptables", "iptables.service"):
                return [], 5, f"Unit {u} not found.", True
            r, o, e = self.service_action(action, now)
            rc = rc or r
            out += o
            err += e
        return out, rc, "\n".join(err), True

    def _service(self, argv):
        if len(argv) < 3:
            return [], 1, "Usage: service < option > | --status-all | ...", True
        if argv[1] not in ("iptables", "iptables.service"):
            return [], 5, f"Unit {argv[1]}.service not found.", True
        r, o, e = self.service_action(argv[2], False)
        return o, r, "\n".join(e), True

    def service_action(self, action, now=False):
        """(exit status, stdout lines, stderr lines) of one unit action."""
        if action == "start":
            return (0, [], []) if self.active else self.start()
        if action == "stop":
            return self.stop() if self.active else (0, [], [])
        if action in ("restart", "reload"):
            if self.active:
                r, o, e = self.stop()
                if r:
                    return r, o, e
            return self.start()
        if action == "save":
            p = self.kr.exec_in(self.node, ["iptables-save"])
            if p.returncode:
                return 1, [], [p.stderr.strip()]
            self.write(SAVE_FILE, p.stdout)
            return 0, ["iptables: Saving firewall rules to /etc/sysconfig/iptables: [  OK  ]"], []
        if action == "enable":
            self.enabled = True
            return (self.start() if now and not self.active else (0, [], []))
        if action == "disable":
            self.enabled = False
            return (self.stop() if now and self.active else (0, [], []))
        if action in ("status", "is-active"):
            return (0 if self.active else 3), [], []
        if action == "is-enabled":
            return (0 if self.enabled else 1), ["enabled" if self.enabled else "disabled"], []
        return 1, [], [f"Unknown command verb '{action}'."]

    def start(self):
        """iptables.init start: iptables-restore of /etc/sysconfig/iptables
        (exit 6, a failed job, without the file)."""
        if self.read(SAVE_FILE) is None:
            return 1, [], ["iptables: No config file.[WARNING]"]
        with open(self.path(SAVE_FILE)) as f:
            p = self.kr.exec_in(self.node, ["iptables-restore"], stdin=f)
        if p.returncode:
            return 1, [], [p.stderr.strip()]
        self.active = True
        return 0, [], []

    def stop(self):
        """iptables.init stop: every loaded table flushed, its user chains
        deleted, its built-in policies ACCEPT (an iptables-restore of each
        table iptables-save shows, with only its built-in chains)."""
        p = self.kr.exec_in(self.node, ["iptables-save"])
        flush = []
        for line in p.stdout.splitlines():
            if line.startswith("*") or line == "COMMIT":
                flush.append(line)
            elif line.startswith(":"):
                name, policy = line[1:].split()[:2]
                if policy != "-":
                    flush.append(f":{name} ACCEPT [0:0]")
        r = self.kr.exec_in(self.node, ["iptables-restore"], input="\n".join(flush) + "\n")
        self.active = False
        return (1 if r.returncode else 0), [], ([r.stderr.strip()] if r.returncode else [])

    def boot(self):
        """What a reboot applies, in natsim's order: systemd-sysctl
        (/etc/sysctl.d/*.conf by name, then /etc/sysctl.conf), then the
        iptables service when it is enabled. Returns error text or ''."""
        self.active = False
        errs = []
        names = sorted(n for n in self._listdir("/etc/sysctl.d") if n.endswith(".conf"))
        for f in [f"/etc/sysctl.d/{n}" for n in names] + [SYSCTL_CONF]:
            if self.read(f) is not None:
                p = self.kr.exec_in(self.node, ["sysctl", "-q", "-p", self.path(f)])
                if p.returncode:
                    errs.append(p.stderr.replace(self.path(f), f).strip())
        if self.enabled:
            r, _, e = self.start()
            if r:
                errs += e
        return "\n".join(errs)
