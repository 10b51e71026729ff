"""kernel_run.py - run a scenario on the real kernel, in namespaces, in real time.

Order of a run: namespaces, veths, bridges and netem (topo.py); one
`conntrack -E` per router (the NAT map the comparison needs); one tcpdump per
node interface (waited for until it listens); one traffic agent per host and
router (agent.py); the time-0 configuration commands in file order with the
real tools and the `listen` commands; then t0: every command at its offset
from t0 in real time (configuration synchronously, traffic handed to the
node's agent, all of one instant before any answer is read); at `end` the
end marks, then the captures and event recorders stop once they hold them.
Everything is removed in `close()`, which the caller runs from a finally
block, atexit and the signal handlers.

Design choice: scenario time = wall time since t0, no scaling; a scenario
that must wait for a timeout lowers the timeout sysctl itself, so natsim and
the kernel see the same configuration. Real time is made trustworthy rather
than assumed: the run takes SCHED_FIFO, measures how late each command
starts (LateRun past LATE_BUDGET), and never stops a capture before it has
written everything up to the end (the end marks).
"""

import ctypes
import json
import os
import re
import signal
import subprocess
import sys
import time

import pkt
import scn as scnmod
import topo

HERE = os.path.dirname(os.path.abspath(__file__))
NS = 1_000_000_000
# configuration commands run as the scenario writes them (`modprobe` and
# `echo > /proc/sys/...` are handled here instead): each is a program the
# harness execs, listed in tools.KERNEL_RUN
AS_WRITTEN = tuple(c for c in scnmod.CONFIG if c not in ("modprobe", "echo"))
# IPv4 (natsim models no ARP or IGMP) and the harness's end mark
CAPTURE_FILTER = f"(ip and not igmp) or ether proto {pkt.END_MARK_TYPE:#06x}"
MARK_WAIT = 30              # s: a capture that has not caught up by then is broken
# how late a timed command may start (ns); a later one makes the run unfit as
# a reference (LateRun: compare runs the kernel side again). A send: half the
# default --time-tol, its packets' times are compared within it. A
# configuration command (those of one instant run one after the other): half
# the second within which conntrack timeouts are compared.
LATE_BUDGET = {"traffic": 100_000_000, "config": 500_000_000}
RT_PRIORITY = 10            # SCHED_FIFO priority of the kernel run (below the kernel's threads)
_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent():
    """preexec: SIGKILL this child when the harness dies (PR_SET_PDEATHSIG)."""
    _libc.prctl(1, signal.SIGKILL, 0, 0, 0)


def _has_event_mark(path, want, mark):
    try:
        with open(path) as f:
            return any(want in l and f"mark={mark}" in l for l in f)
    except OSError:
        return False


class LateRun(RuntimeError):
    """The kernel run started a command later than LATE_BUDGET."""


class Block:
    def __init__(self, t, node, command, lines, rc=0, err="", line=0):
        self.t, self.node, self.command, self.lines, self.rc, self.err, self.line = \
            t, node, command, lines, rc, err, line


class KernelRun:
    def __init__(self, scenario, workdir, skip_unsupported=False, until=None, log=print,
                 modprobe_tracks=False):
        self.s = scenario
        self.dir = workdir
        self.topo = topo.Topology(scenario)
        self.procs = []             # (name, Popen) we started
        self.agents = {}            # node -> Popen
        self.blocks = []            # Block
        self.events = {}            # router -> path of its conntrack -E output
        self.pcaps = {}             # (node, if) -> path
        self.notes = []             # harness remarks (agent errors, skipped commands)
        self.capture_problems = []  # captures that are not complete (the run fails)
        self.t0_wall = None
        self.t0_mono = None
        self.skip_unsupported = skip_unsupported
        self.modprobe_tracks = modprobe_tracks
        self.until = until
        self.log = log
        self._req = 0
        self._pending = []          # traffic commands whose answer is not read yet
        self.worst_late = (0, None)  # (ns over budget, command, ns late, budget): the worst
        os.makedirs(workdir, exist_ok=True)

    # ----- process helpers

    def _spawn(self, name, argv, ns, **kw):
        p = subprocess.Popen(["ip", "netns", "exec", ns] + argv, preexec_fn=_die_with_parent,
                             start_new_session=True, **kw)
        self.procs.append((name, p))
        return p

    def close(self):
        """Stop every process we started (by pid) and delete the namespaces."""
        for node, p in list(self.agents.items()):
            try:
                p.stdin.close()
            except Exception:
                pass
        for name, p in self.procs:
            if p.poll() is None:
                try:
                    p.send_signal(signal.SIGINT if name.startswith("tcpdump") else signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 3
        for name, p in self.procs:
            try:
                p.wait(timeout=max(0.05, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                try:
                    p.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    pass
        self.procs = []
        self.agents = {}
        return self.topo.teardown()

    # ----- phases

    def run(self):
        self._realtime(True)
        try:
            self._run()
        finally:
            self._realtime(False)

    def _realtime(self, on):
        """Real-time scheduling (SCHED_FIFO) for the harness and everything it
        starts during the run (agents, tcpdump, relays inherit it): a busy CPU
        must not make the kernel run's sends late. The agents sleep between
        sends and the kernel throttles real-time tasks (sched_rt_runtime_us),
        so nothing is starved. Where the policy cannot be set (no
        CAP_SYS_NICE), the run goes on at normal priority, with a note."""
        try:
            if on:
                os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(RT_PRIORITY))
            else:
                os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
        except (OSError, AttributeError) as e:
            if on:
                self.notes.append(f"real-time scheduling unavailable ({e}): the kernel run's "
                                  f"timing depends on the machine's load")

    def _run(self):
        s = self.s
        self.log(f"kernel: building {len(s.nodes)} namespaces ({self.topo.prefix}*), "
                 f"{len(s.links)} links")
        try:
            self.topo.build()
        finally:
            self.notes += self.topo.notes
        for rn, args in self.topo.relays:
            p = self._spawn(f"relay {rn}", [sys.executable, os.path.join(HERE, "relay.py")] + args,
                            rn, stdout=subprocess.PIPE, text=True)
            if p.stdout.readline().strip() != "ready":
                raise RuntimeError(f"relay in {rn} did not start")
        routers = [n for n in s.node_order if s.nodes[n] == "router"]
        for r in routers:
            path = os.path.join(self.dir, f"{r}.events")
            f = open(path, "w")
            self._spawn(f"conntrack-E {r}", ["conntrack", "-E", "-o", "timestamp"], self.topo.ns(r),
                        stdout=f, stderr=subprocess.DEVNULL)
            f.close()
            self.events[r] = path
        self._start_captures()
        self._start_agents()
        timed = s.timed()
        zero = [c for c in timed if c.t == 0]
        later = [c for c in timed if c.t > 0]
        deferred = []
        for c in zero:
            kind = c.kind
            if kind == "config":
                self._config(c, 0)
            elif kind == "traffic" and c.argv[0] == "listen":
                self._traffic(c, 0, wait=True)
            elif kind == "traffic":
                deferred.append(c)
            else:
                self._unsupported(c)
        time.sleep(0.3)             # conntrack -E subscribed, queues settled
        self.t0_mono = time.monotonic()
        self.t0_wall = time.time_ns()
        for c in deferred:
            self._traffic(c, 0)
        self._collect()
        end = s.end if s.end is not None else (max([c.t for c in timed], default=0) + 2 * NS)
        if self.until is not None:
            end = min(end, self.until)
        self.end = end
        for k, c in enumerate(later):
            if c.t > end:
                break
            if k and c.t != later[k - 1].t:
                self._collect()     # the answers of the previous instant's sends
            self._sleep_until(c.t)
            kind = c.kind
            late = self.now() - c.t
            budget = LATE_BUDGET[kind] if kind in LATE_BUDGET else LATE_BUDGET["config"]
            if late > budget and late - budget > self.worst_late[0]:
                self.worst_late = (late - budget, c, late, budget)
            if kind == "config":
                self._config(c, c.t)
            elif kind == "traffic":
                self._traffic(c, c.t)
            else:
                self._unsupported(c)
        self._collect()
        self._sleep_until(end)
        self.log(f"kernel: end at {end / NS:.3f}s; stopping captures")
        self._stop_captures()
        self._stop_event_recorders()
        if self.worst_late[1] is not None:
            _, c, late, budget = self.worst_late
            raise LateRun(f"{self.s.path}:{c.line}: `{c.text}` started {late / 1e6:.0f} ms late "
                          f"(budget {budget // 1_000_000} ms): the machine was too busy for "
                          f"this run to be a timing reference")

    def _sleep_until(self, t):
        target = self.t0_mono + t / NS
        while True:
            d = target - time.monotonic()
            if d <= 0:
                return
            time.sleep(min(d, 0.5))

    def now(self):
        return int((time.monotonic() - self.t0_mono) * NS) if self.t0_mono else 0

    def _start_captures(self):
        for node in self.s.node_order:
            if self.s.nodes[node] == "switch":
                continue
            for ifname in self.s.ifaces(node):
                path = os.path.join(self.dir, f"{node}-{ifname}.pcap")
                # --immediate-mode: each frame reaches tcpdump (and, with -U,
                # the file) at once; without it libpcap's TPACKET_V3 ring hands
                # over a block only when full or after its 1 s timeout, and the
                # frames of the block in progress at SIGINT never reach the file
                p = self._spawn(f"tcpdump {node}:{ifname}",
                                ["tcpdump", "-i", ifname, "-w", path, "-U", "-n", "-s", "0",
                                 "--immediate-mode", "-B", "8192",
                                 "--time-stamp-precision=nano", CAPTURE_FILTER],
                                self.topo.ns(node), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
                self.pcaps[(node, ifname)] = path
                line = p.stderr.readline()      # "listening on IF, link-type ..."
                if "listening" not in line:
                    raise RuntimeError(f"tcpdump on {node}:{ifname} did not start: {line.strip()}")

    def _stop_captures(self):
        """Stop the captures only once each has written everything before the
        end: every agent sends the end mark out of each of its interfaces
        (pkt.END_MARK_TYPE), and each tcpdump is stopped once its file holds
        its own interface's mark. A capture that misses its mark, or whose
        kernel ring dropped frames, is not a reference: the run fails (exit 2)
        rather than report the frames it lost as natsim's."""
        nonce = f"{os.getpid()}-{time.monotonic_ns()}"
        for node, p in self.agents.items():
            p.stdin.write(json.dumps({"id": 0, "argv": ["_end_mark", nonce]}) + "\n")
            p.stdin.flush()
            resp = json.loads(p.stdout.readline() or '{"ok": false, "msg": "agent died"}')
            if not resp.get("ok"):
                self.capture_problems.append(f"agent of {node}: end mark: {resp.get('msg')}")
        pending = {k: bytes.fromhex(self.topo.mac(*k).replace(":", "")) for k in self.pcaps}
        deadline = time.monotonic() + MARK_WAIT
        while pending and time.monotonic() < deadline:
            for k in [k for k, mac in pending.items()
                      if pkt.has_end_mark(self.pcaps[k], mac, nonce)]:
                del pending[k]
            if pending:
                time.sleep(0.01)
        for node, ifname in sorted(pending):
            self.capture_problems.append(f"tcpdump on {node}:{ifname} did not write the end "
                                         f"mark within {MARK_WAIT} s")
        for name, p in self.procs:
            if name.startswith("tcpdump") and p.poll() is None:
                p.send_signal(signal.SIGINT)
        for name, p in self.procs:
            if not name.startswith("tcpdump"):
                continue
            try:
                _, err = p.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                _, err = p.communicate()
            m = re.search(r"(\d+) packets? dropped by kernel", err or "")
            if m and int(m[1]):
                self.capture_problems.append(f"{name}: {m[1]} frames dropped by the kernel "
                                             f"(capture ring full)")
        if self.capture_problems:
            raise RuntimeError("the kernel captures are incomplete: "
                               + "; ".join(self.capture_problems))

    def _stop_event_recorders(self):
        """Stop each router's `conntrack -E` only once it has printed every
        event of the run: an entry inserted now (EVENT_MARK, with a mark of
        this run) must show in its file first; the mark's lines are then
        removed, so the file holds the scenario's events only."""
        mark = os.getpid() & 0x7FFFFFFF
        tup = ["-p", "udp", "-s", "127.0.0.1", "-d", "127.0.0.2", "--sport", "1", "--dport", "2"]
        want = "src=127.0.0.1 dst=127.0.0.2 sport=1 dport=2"
        pending = {}
        for r, path in self.events.items():
            p = topo.sh(["conntrack", "-I"] + tup + ["-t", "30", "--mark", str(mark)],
                        ns=self.topo.ns(r), check=False)
            if p.returncode:
                self.capture_problems.append(f"conntrack -I of the end mark on {r} failed: "
                                             f"{p.stderr.strip()}")
                continue
            pending[r] = path
        deadline = time.monotonic() + MARK_WAIT
        while pending and time.monotonic() < deadline:
            for r in [r for r, path in pending.items() if _has_event_mark(path, want, mark)]:
                del pending[r]
            if pending:
                time.sleep(0.01)
        for r in sorted(pending):
            self.capture_problems.append(f"conntrack -E of {r} did not print the end mark "
                                         f"within {MARK_WAIT} s")
        for name, p in self.procs:
            if name.startswith("conntrack-E") and p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for name, p in self.procs:
            if name.startswith("conntrack-E"):
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
        for path in self.events.values():
            with open(path) as f:
                lines = [l for l in f if not (want in l and f"mark={mark}" in l)]
            with open(path, "w") as f:
                f.writelines(lines)
        if self.capture_problems:
            raise RuntimeError("the kernel's event records are incomplete: "
                               + "; ".join(self.capture_problems))

    def _start_agents(self):
        for node in self.s.node_order:
            if self.s.nodes[node] == "switch":
                continue
            macs = {}
            for ifname in self.s.ifaces(node):
                peer = self.s.peer(node, ifname)
                macs[ifname] = [self.topo.mac(node, ifname), self.topo.mac(*peer)]
            p = self._spawn(f"agent {node}",
                            [sys.executable, os.path.join(HERE, "agent.py"), node,
                             os.path.dirname(os.path.abspath(self.s.path)), json.dumps(macs)],
                            self.topo.ns(node), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, bufsize=1)
            self.agents[node] = p
        for node, p in self.agents.items():
            resp = p.stdout.readline()
            if '"ready"' not in resp:
                raise RuntimeError(f"agent of {node} did not start: {resp.strip()}")

    # ----- commands

    def _unsupported(self, c):
        why = c.kind
        if not self.skip_unsupported:
            raise RuntimeError(f"{self.s.path}:{c.line}: cannot express `{c.text}` ({why})")
        self.notes.append(f"{self.s.path}:{c.line}: skipped `{c.text}` ({why[13:]})")

    def _traffic(self, c, t, wait=False):
        """Hand a traffic command to its node's agent. Its answer is read later
        (_collect): the commands of one instant all go out before any answer
        is awaited, so the last of a dozen is not late by a dozen round trips."""
        p = self.agents[c.node]
        self._req += 1
        p.stdin.write(json.dumps({"id": self._req, "argv": c.argv}) + "\n")
        p.stdin.flush()
        self._pending.append(c)
        if wait:
            self._collect()

    def _collect(self):
        """Read the agents' answers to the commands handed over (one line each,
        in order per agent; the traffic itself runs in the agents' threads)."""
        for c in self._pending:
            p = self.agents[c.node]
            resp = json.loads(p.stdout.readline() or '{"ok": false, "msg": "agent died"}')
            if not resp.get("ok"):
                self.notes.append(f"{self.s.path}:{c.line}: agent of {c.node}: {resp.get('msg')}")
        self._pending = []

    def _addr_change(self, c):
        """After `ip addr add|del A/P dev IF`: the segment's static neighbours."""
        a = [w for w in c.argv if w not in ("-4",)]
        if len(a) < 6 or a[0] != "ip" or not "address".startswith(a[1]) or \
                a[2] not in ("add", "del", "delete") or "dev" not in a:
            return
        addr = a[3].split("/")[0]
        ifname = a[a.index("dev") + 1]
        self.topo.neigh(c.node, ifname, addr, a[2] == "add")

    def _modprobe_tracks(self, c):
        """--modprobe-tracks: make `modprobe nf_conntrack` start tracking in the
        namespace, as natsim reads it, with an nft table of its own holding a
        `ct state` rule (invisible to iptables -S / iptables-save)."""
        ns = self.topo.ns(c.node)
        rules = ("add table ip nsk_modprobe\n"
                 "add chain ip nsk_modprobe pre { type filter hook prerouting priority -300; }\n"
                 "add chain ip nsk_modprobe out { type filter hook output priority -300; }\n"
                 "add rule ip nsk_modprobe pre ct state new\n"
                 "add rule ip nsk_modprobe out ct state new\n")
        topo.sh(["nft", "-f", "-"], ns=ns, input=rules)

    def _config(self, c, t):
        ns = self.topo.ns(c.node)
        at = self.now() if self.t0_mono else 0
        argv = list(c.argv)
        stdin = None
        if argv[0] == "modprobe":
            # modules are global; nf_conntrack is built in or loaded on this
            # host. Loading it registers no hooks in a namespace (they come
            # with the first rule that needs tracking), so: nothing to do.
            ok = os.path.exists("/proc/sys/net/netfilter") or \
                topo.sh(["test", "-d", "/proc/sys/net/netfilter"], ns=ns, check=False).returncode == 0
            self.blocks.append(Block(at, c.node, c.text, [], 0 if ok else 1, "", c.line))
            if self.modprobe_tracks:
                self._modprobe_tracks(c)
            return
        if argv[0] == "echo":
            value = " ".join(argv[1:])
            op = ">>" if c.redir[0] == ">>" else ">"
            argv = ["sh", "-c", f'printf "%s\\n" "$1" {op} "$2"', "echo", value, c.redir[1]]
        elif c.redir and c.redir[0] == "<":
            path = c.redir[1]
            if not os.path.isabs(path):
                path = os.path.join(os.path.dirname(os.path.abspath(self.s.path)), path)
            stdin = open(path)
        # nstat keeps its history in a file per user (/tmp/.nstat.u0), not per
        # namespace: give each node its own, as each natsim node has one
        env = dict(os.environ, NSTAT_HISTORY=os.path.join(self.dir, f"{c.node}.nstat"))
        try:
            p = subprocess.run(["ip", "netns", "exec", ns] + argv, stdin=stdin,
                               capture_output=True, text=True, timeout=30, env=env)
        finally:
            if stdin:
                stdin.close()
        self.blocks.append(Block(at, c.node, c.text, p.stdout.splitlines(), p.returncode,
                                 p.stderr, c.line))
        if p.returncode == 0:
            self._addr_change(c)
        if p.returncode != 0:
            self.notes.append(f"{self.s.path}:{c.line}: kernel: `{c.text}` exited {p.returncode}: "
                              f"{p.stderr.strip()}")


def run(scenario, workdir, **kw):
    """Run and return the finished KernelRun (namespaces already removed)."""
    kr = KernelRun(scenario, workdir, **kw)
    try:
        kr.run()
    finally:
        errs = kr.close()
        if errs:
            kr.notes.append("teardown: " + "; ".join(errs))
    return kr


if __name__ == "__main__":
    sc = scnmod.parse(sys.argv[1])
    kr = run(sc, sys.argv[2], skip_unsupported=True)
    for b in kr.blocks:
        print(f"[{b.t / NS:.6f}] {b.node}# {b.command}")
        for l in b.lines:
            print(l)
    for n in kr.notes:
        print("note:", n)
