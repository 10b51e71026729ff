"""vsftpdapp.py - the real vsftpd 3.0.3 behind `listen tcp P ftp [size N]`
on the kernel side of a comparison, for agent.py.

Design choice: one standalone vsftpd per `listen` (listen=YES,
background=NO, listen_port=P) with a minimal configuration of its own in a
temporary directory: anonymous login with a password asked (331, as natsim's
server), no chroot sandboxes that namespaces or UML get in the way of
(seccomp_sandbox, isolate), one process per session (one_process_model:
no privileged helper forked at login, which costs 0.3 s in UML; the 220
still waits for the listener's fork, 0.18 s there), connect_from_port_20 (Debian's default: the
active data connection comes from port 20, natsim's FTP_DATA_PORT). Every
file the scenario's `ftp get`s ask for (the harness hands their names with
the `listen`) is created in its anon_root with natsim's content: `size` zero
bytes.

What the agent still chooses is what natsim chooses: the passive port.
natsim's server takes the node counter's next port at each PASV/EPSV;
vsftpd's comes from pasv_min_port..pasv_max_port, read when it starts or
on SIGHUP, and a session keeps the configuration it forked with (a session
dies with its listener, so the listener is never replaced: it is told).
So the configuration always pins the range to the one port the counter
gives next; once a socket of the node holds that port (a session's PASV
listener), the agent takes it from the counter and the configuration is
rewritten with the next one and vsftpd re-reads it (SIGHUP). Two sessions
whose PASVs race between that and the reload would get one port: no
scenario has concurrent passive sessions on one node.
"""

import os
import signal
import tempfile
import threading
import time

import realapps

SERVERS = []            # VsftpdServer of each `listen tcp P ftp`
LOCK = realapps.LOCK
# x86-64 system calls a waiting standalone vsftpd sits in (accept, accept4)
ACCEPT_SYSCALLS = ("43", "288")

CONF = """listen=YES
listen_ipv6=NO
background=NO
listen_port={port}
anonymous_enable=YES
no_anon_password=NO
anon_root={root}
local_enable=NO
write_enable=NO
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
secure_chroot_dir={empty}
connect_from_port_20=YES
pasv_enable=YES
pasv_min_port={pasv}
pasv_max_port={pasv}
xferlog_enable=NO
one_process_model=YES
"""


def _tcp_ports():
    """Local ports of every TCP socket of this namespace (/proc/net/tcp)."""
    return {p for p, _ in realapps.proc_net("tcp")}


def _listening(port):
    return (port, "0A") in realapps.proc_net("tcp")


def _reloaded(pid):
    """The SIGHUP handled: none pending, the process back in accept."""
    try:
        with open(f"/proc/{pid}/status") as f:
            st = f.read()
        if any(line.split()[1].strip("0") for line in st.splitlines()
               if line.startswith(("SigPnd:", "ShdPnd:"))):
            return False
        with open(f"/proc/{pid}/syscall") as f:
            return f.read().split()[0] in ACCEPT_SYSCALLS
    except (OSError, IndexError):
        return True         # the kernel does not say: the handler is quick


def _safe_name(name):
    """A RETR argument as a path inside anon_root, or None."""
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return os.path.join(*parts)


class VsftpdServer:
    """One `listen tcp PORT ftp [size N]`: a standalone vsftpd."""

    def __init__(self, agent, port, size, files):
        self.agent, self.port = agent, port
        base = "/run" if os.path.isdir("/run/nsk-bin") else None    # the UML guest's tmpfs
        self.dir = tempfile.mkdtemp(prefix="nsk-ftp-", dir=base)
        realapps.DIRS.append(self.dir)
        self.root = os.path.join(self.dir, "root")
        self.empty = os.path.join(self.dir, "empty")
        for d in (self.dir, self.root, self.empty):
            os.makedirs(d, exist_ok=True)
            os.chmod(d, 0o755)      # vsftpd serves anonymous as user ftp
        for name in files:
            rel = _safe_name(name)
            if rel is None:
                continue
            path = os.path.join(self.root, rel)
            os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
            with open(path, "wb") as f:
                f.write(bytes(size))
            os.chmod(path, 0o644)
        self.conf = os.path.join(self.dir, "vsftpd.conf")
        self.pinned, self.proc = None, None

    def write_conf(self, pasv):
        tmp = self.conf + ".new"
        with open(tmp, "w") as f:
            f.write(CONF.format(port=self.port, root=self.root, empty=self.empty, pasv=pasv))
        os.replace(tmp, self.conf)
        self.pinned = pasv

    def start(self, pasv):
        self.write_conf(pasv)
        self.proc = realapps._start(["vsftpd", self.conf])
        end = time.monotonic() + 10
        while not _listening(self.port):
            if self.proc.poll() is not None or time.monotonic() > end:
                raise RuntimeError(f"vsftpd did not listen on port {self.port}")
            time.sleep(0.002)

    def repin(self, pasv):
        """The next session's passive port: the configuration re-read."""
        if pasv == self.pinned or self.proc.poll() is not None:
            return
        self.write_conf(pasv)
        self.proc.send_signal(signal.SIGHUP)
        end = time.monotonic() + 2
        while not _reloaded(self.proc.pid) and time.monotonic() < end:
            time.sleep(0.001)


def _descendants(pid):
    """Every process under pid (/proc/PID/task/*/children)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tasks:
            try:
                with open(f"/proc/{p}/task/{t}/children") as f:
                    kids = [int(x) for x in f.read().split()]
            except (OSError, ValueError):
                continue
            out += kids
            todo += kids
    return out


def cleanup():
    """Kill every vsftpd and its sessions: a session can outlive its
    listener (one in its active connect did) and leaves the agent's
    process group (vsftpd's sessions call setsid)."""
    for srv in SERVERS:
        if srv.proc is None:
            continue
        pids = _descendants(srv.proc.pid)
        if srv.proc.poll() is None:
            srv.proc.kill()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def _next(agent):
    return agent.ephemeral(agent.tcp_ports, take=False)


def rearm(agent):
    """The node's counter moved: every vsftpd pinned to another port than
    the next one is told the next one (agent.ephemeral calls this)."""
    with LOCK:
        want = None
        for srv in SERVERS:
            if srv.agent is agent:
                want = _next(agent) if want is None else want
                srv.repin(want)


def _watch(agent):
    """A session's PASV took the pinned port: the counter gives it."""
    while True:
        time.sleep(0.002)
        with LOCK:
            want = _next(agent)
            if want in _tcp_ports():
                agent.tcp_ports.add(agent.ephemeral(agent.tcp_ports))   # = want
                rearm(agent)


def ftp_listen(agent, port, size, files):
    """`listen tcp PORT ftp [size N]`; files: the scenario's `ftp get` names."""
    with LOCK:
        agent.tcp_ports.add(port)
        srv = VsftpdServer(agent, port, size, files)
        srv.start(_next(agent))
        first = not any(s.agent is agent for s in SERVERS)
        SERVERS.append(srv)
    if first:
        threading.Thread(target=_watch, args=(agent,), daemon=True).start()
