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

import klog
import kmods
import machine
import netns
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
# on UML: a send may be half of uml.TIME_TOL late (uml.py says why); a
# configuration command 900 ms (each program start costs 0.1-0.3 s there:
# seed-masquerade's `conntrack -L` at 5.1 s, after two `ip addr` at 5 s,
# started 574-777 ms late on a busy machine), still under the second within
# which timeouts are compared
LATE_BUDGET_UML = {"traffic": 500_000_000, "config": 900_000_000}
# a send is handed to its node's agent this early (ns), the agent waiting
# for its time: the sends of UML's slow agents are on time
EARLY = 500_000_000
EARLY_KINDS = ("udp", "ping", "flows", "replay", "tcp", "tftp", "ftp")
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
    """One command's output in the kernel run. emulated: the harness's
    machine model printed it (systemctl, reboot), so only whether it failed
    is compared."""

    def __init__(self, t, node, command, lines, rc=0, err="", line=0, emulated=False):
        self.t, self.node, self.command, self.lines, self.rc, self.err, self.line = \
            t, node, command, lines, rc, err, line
        self.emulated = emulated


class KernelRun:
    def __init__(self, scenario, workdir, skip_unsupported=False, until=None, log=print,
                 kernel="host"):
        self.s = scenario
        self.late_budget = LATE_BUDGET_UML if kernel == "uml" else LATE_BUDGET
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
        self.kernel = kernel        # "host" or "uml" (inside the throwaway kernel)
        self.until = until
        self.log = log
        self._req = 0
        self._pending = []          # traffic commands whose answer is not read yet
        self.worst_late = (0, None)  # (ns over budget, command, ns late, budget): the worst
        self.end = None
        self.segments = {}          # (node, if) -> earlier pcaps of it (before a reboot)
        self.event_segments = {}    # router -> earlier conntrack -E files (before a reboot)
        self.spare = {}             # node -> [(namespace, agent, events path)] for its reboots
        self.rebooting = None       # (node, scenario time it started, time it ended)
        self.rebooting_nodes = {c.node for c in scenario.commands
                                if machine.is_reboot(c.argv) and c.kind == "machine"}
        self.klog = None            # [(t, text)] of the kernel log (UML only: a kernel of its own)
        self._klog_mark = None
        self.global_boot = {}       # UML: machine-wide knobs at boot (a reboot restores them)
        os.makedirs(workdir, exist_ok=True)
        self.machines = {n: machine.Machine(self, n) for n in scenario.node_order
                         if scenario.nodes[n] != "switch"}

    # ----- process helpers

    def _spawn(self, name, argv, ns, **kw):
        # on UML no preexec: it makes Python fork() the harness instead of
        # vfork(), which takes up to a second there; the processes die with
        # the UML kernel anyway
        pre = None if self.kernel == "uml" else _die_with_parent
        if argv[0] == "tcpdump":        # with the namespace's /sys (netns.py)
            p = subprocess.Popen(["ip", "netns", "exec", ns] + argv, preexec_fn=pre,
                                 start_new_session=True, **kw)
        else:
            p = netns.popen(ns, argv, preexec_fn=pre, start_new_session=True, **kw)
        self.procs.append((name, p))
        return p

    def exec_in(self, node, argv, stdin=None, input=None, timeout=30, cwd=None):
        """Run argv in NODE's namespace (netns.py), with the node's own nstat
        history (and in directory cwd); returns the CompletedProcess."""
        # nstat keeps its history in a file per user (/tmp/.nstat.u0), not per
        # namespace: give each node its own, as each natsim node has one
        env = dict(os.environ, NSTAT_HISTORY=os.path.join(self.dir, f"{node}.nstat"))
        return netns.run(self.topo.ns(node), list(argv), stdin=stdin, input=input,
                         capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd)

    def _stop(self, names):
        """Stop the processes of ours with these names (tcpdump by SIGINT, so
        it writes its file out; the rest by SIGTERM) and forget them."""
        for name, p in self.procs:
            if name in names and p.poll() is None:
                try:
                    p.send_signal(signal.SIGINT if name.startswith("tcpdump") else signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for name, p in self.procs:
            if name in names:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(timeout=5)
        self.procs = [(n, p) for n, p in self.procs if n not in names]

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
        # not on UML: its one CPU would starve the kernel's own threads
        # (ksoftirqd forwards the packets a busy agent sends) behind the
        # real-time agents; and there the run is alone in its kernel
        rt = self.kernel != "uml"
        if rt:
            self._realtime(True)
        try:
            self._run()
        finally:
            if rt:
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
        if self.kernel == "uml":
            self.global_boot = {k: _read_knob(k) for k in scnmod._GLOBAL_KNOBS[:3]}
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
            self.events[r] = os.path.join(self.dir, f"{r}.events")
            self._start_events(r, self.events[r], self.topo.ns(r), f"conntrack-E {r}")
        nodes = [n for n in s.node_order if s.nodes[n] != "switch"]
        self._start_captures(nodes)
        self._start_agents(nodes)
        self._standbys()
        timed = s.timed()
        zero = [c for c in timed if c.t == 0]
        later = [c for c in timed if c.t > 0]
        deferred = []
        for c in zero:
            kind = c.kind
            if kind == "traffic" and c.argv[0] == "listen":
                self._traffic(c, 0, wait=True)
            elif kind == "traffic":
                deferred.append(c)
            else:
                self._command(c, 0)
        time.sleep(0.3)             # conntrack -E subscribed, queues settled
        self.t0_mono = time.monotonic()
        self.t0_wall = time.time_ns()
        if self.kernel == "uml":
            self._klog_mark = klog.mark()
        for c in deferred:
            self._traffic(c, 0)
        self._collect()
        end = s.end if s.end is not None else (max([c.t for c in timed], default=0) + 2 * NS)
        if self.until is not None:
            end = min(end, self.until)
        self.end = end
        # a send is handed to its agent EARLY before its time (the agent
        # schedules it: flows makes its sockets first), unless its instant
        # also has a command the harness runs itself (file order holds)
        busy = {c.t for c in later if c.kind != "traffic"}
        hand = {id(c): max(0, c.t - EARLY) if c.kind == "traffic" and c.t not in busy and
                c.argv[0] in EARLY_KINDS and c.argv[1:2] != ["segment"] else c.t
                for c in later}
        later = sorted(later, key=lambda c: (hand[id(c)], c.t, c.order))
        for k, c in enumerate(later):
            if c.t > end:
                continue
            if k and hand[id(c)] != hand[id(later[k - 1])]:
                self._collect()     # the answers of the previous instant's sends
            self._sleep_until(hand[id(c)])
            kind = c.kind
            late = self.now() - hand[id(c)]
            budget = self.late_budget.get(kind, self.late_budget["config"])
            if late > budget and self.rebooting and c.t < self.rebooting[2]:
                self.notes.append(f"{self.s.path}:{c.line}: `{c.text}` started "
                                  f"{late / 1e6:.0f} ms late: the reboot of {self.rebooting[0]} "
                                  f"was still going on")
            elif late > budget and late - budget > self.worst_late[0]:
                self.worst_late = (late - budget, c, late, budget)
            if kind == "traffic":
                self._traffic(c, c.t)
            else:
                self._command(c, c.t)
        self._collect()
        self._sleep_until(end)
        self.log(f"kernel: end at {end / NS:.3f}s; stopping captures")
        for node in list(self.agents):
            self._agent_lateness(node)
        self._stop_captures(list(self.pcaps))
        # the run is over: a table the scenario made small must take the
        # event recorders' end mark (UML; on the host it cannot be made small)
        for knob, value in self.global_boot.items():
            _write_knob(knob, value)
        self._stop_event_recorders(list(self.events))
        self._merge_segments()
        if self._klog_mark is not None:
            self.klog = klog.read_since(self._klog_mark)
        if self.worst_late[1] is not None:
            _, c, late, budget = self.worst_late
            raise LateRun(f"{self.s.path}:{c.line}: `{c.text}` started {late / 1e6:.0f} ms late "
                          f"(budget {budget // 1_000_000} ms): the machine was too busy for "
                          f"this run to be a timing reference")

    def _command(self, c, t):
        kind = c.kind
        if kind == "config":
            self._config(c, t)
        elif kind == "machine":
            self._machine(c)
        else:
            self._unsupported(c)

    def _sleep_until(self, t):
        target = self.t0_mono + t / NS
        while True:
            d = target - time.monotonic()
            if d <= 0:
                return
            time.sleep(min(d, 0.5))

    def now(self):
        return int((time.monotonic() - self.t0_mono) * NS) if self.t0_mono else 0

    def _capture_end(self, node, ifname):
        """Where NODE:IF is captured: on the interface itself, or, for a node
        that reboots (its interfaces move to a new namespace), at the far
        end of its veth, whose capture goes on through the reboot (a link
        between two rebooting nodes is captured on its own ends, started
        again after each reboot)."""
        peer = self.s.peer(node, ifname)
        if self.rebooting_nodes & {node} and not self.rebooting_nodes & {peer[0]}:
            return self.topo.other_end(node, ifname)
        return self.topo.ns(node), ifname

    def _start_captures(self, nodes, keys=None):
        """One tcpdump per interface of the nodes (or per (node, if) of keys),
        all started before any is waited for (each prints `listening on`
        once its capture is open)."""
        started = []
        for node, ifname in keys or [(n, i) for n in nodes for i in self.s.ifaces(n)]:
            if True:
                path = os.path.join(self.dir, f"{node}-{ifname}.pcap")
                ns, dev = self._capture_end(node, ifname)
                # --immediate-mode: each frame reaches tcpdump (and, with -U,
                # the file) at once; without it libpcap's TPACKET_V3 ring hands
                # over a block only when full or after its 1 s timeout, and the
                # frames of the block in progress at SIGINT never reach the file
                p = self._spawn(f"tcpdump {node}:{ifname}",
                                ["tcpdump", "-i", dev, "-w", path, "-U", "-n", "-s", "0",
                                 "--immediate-mode", "-B", "8192",
                                 "--time-stamp-precision=nano", CAPTURE_FILTER],
                                ns, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
                self.pcaps[(node, ifname)] = path
                started.append((node, ifname, p))
        for node, ifname, p in started:
            line = p.stderr.readline()      # "listening on IF, link-type ..."
            if "listening" not in line:
                raise RuntimeError(f"tcpdump on {node}:{ifname} did not start: {line.strip()}")

    def _stop_captures(self, keys):
        """Stop the captures of these (node, if) only once each has written
        everything before now: the agent of each node sends the end mark
        out of each of its interfaces (pkt.END_MARK_TYPE), and each tcpdump
        is stopped once its file holds its own interface's mark. A capture
        that misses its mark, or whose kernel ring dropped frames, is not a
        reference: the run fails (exit 2) rather than report the frames it
        lost as natsim's."""
        nonce = f"{os.getpid()}-{time.monotonic_ns()}"
        problems = []
        for node in sorted({n for n, _ in keys}):
            p = self.agents[node]
            p.stdin.write(json.dumps({"id": 0, "argv": ["_end_mark", nonce]}) + "\n")
            p.stdin.flush()
            resp = json.loads(p.stdout.readline() or '{"ok": false, "msg": "agent died"}')
            if not resp.get("ok"):
                problems.append(f"agent of {node}: end mark: {resp.get('msg')}")
        pending = {k: bytes.fromhex(self.topo.mac(*k).replace(":", "")) for k in keys}
        deadline = time.monotonic() + MARK_WAIT
        while pending and time.monotonic() < deadline:
            for k in [k for k, mac in pending.items()
                      if pkt.has_end_mark(self.pcaps[k], mac, nonce)]:
                del pending[k]
            if pending:
                time.sleep(0.01)
        for node, ifname in sorted(pending):
            problems.append(f"tcpdump on {node}:{ifname} did not write the end "
                            f"mark within {MARK_WAIT} s")
        names = {f"tcpdump {n}:{i}" for n, i in keys}
        procs = [(name, p) for name, p in self.procs if name in names]
        for name, p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for name, p in procs:
            try:
                _, err = p.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                _, err = p.communicate()
            m = re.search(r"(\d+) packets? dropped by kernel", err or "")
            if m and int(m[1]):
                problems.append(f"{name}: {m[1]} frames dropped by the kernel "
                                f"(capture ring full)")
        self.procs = [(n, p) for n, p in self.procs if n not in names]
        self.capture_problems += problems
        if problems:
            raise RuntimeError("the kernel captures are incomplete: " + "; ".join(problems))

    def _merge_segments(self):
        """An interface captured in several pieces (its node rebooted): one
        pcap, the pieces in time order."""
        for k, paths in self.segments.items():
            frames = []
            for path in paths + [self.pcaps[k]]:
                frames += pkt.read_pcap(path)
            pkt.write_pcap(self.pcaps[k], frames)
            for path in paths:
                os.remove(path)
        self.segments = {}
        for r, paths in self.event_segments.items():
            text = ""
            for path in paths + [self.events[r]]:
                with open(path) as f:
                    text += f.read()
                os.remove(path)
            self.events[r] = paths[0]
            with open(paths[0], "w") as f:
                f.write(text)
        self.event_segments = {}

    def _start_events(self, r, path, ns, name):
        """`conntrack -E` of router r's namespace ns into path."""
        with open(path, "w") as f:
            self._spawn(name, ["conntrack", "-E", "-o", "timestamp"], ns,
                        stdout=f, stderr=subprocess.DEVNULL)

    def _stop_event_recorders(self, routers):
        """Stop these routers' `conntrack -E` only once each has printed every
        event so far: an entry inserted now (EVENT_MARK, with a mark of this
        run) must show in its file first; the mark's lines are then removed,
        so the file holds the scenario's events only."""
        mark = os.getpid() & 0x7FFFFFFF
        tup = ["-p", "udp", "-s", "127.0.0.1", "-d", "127.0.0.2", "--sport", "1", "--dport", "2"]
        want = "src=127.0.0.1 dst=127.0.0.2 sport=1 dport=2"
        pending, problems = {}, []
        for r in routers:
            path = self.events[r]
            p = topo.sh(["conntrack", "-I"] + tup + ["-t", "30", "--mark", str(mark)],
                        ns=self.topo.ns(r), check=False)
            if p.returncode:
                problems.append(f"conntrack -I of the end mark on {r} failed: "
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
            problems.append(f"conntrack -E of {r} did not print the end mark "
                            f"within {MARK_WAIT} s")
        self._stop({f"conntrack-E {r}" for r in routers})
        for r in routers:
            path = self.events[r]
            with open(path) as f:
                lines = [l for l in f if not (want in l and f"mark={mark}" in l)]
            with open(path, "w") as f:
                f.writelines(lines)
        self.capture_problems += problems
        if problems:
            raise RuntimeError("the kernel's event records are incomplete: "
                               + "; ".join(problems))

    def _start_agents(self, nodes, ns=None, name=None):
        """One traffic agent per node (in ns, named name: a standby's)."""
        started = {}
        for node in nodes:
            macs = {}
            for ifname in self.s.ifaces(node):
                peer = self.s.peer(node, ifname)
                macs[ifname] = [self.topo.mac(node, ifname), self.topo.mac(*peer)]
            p = self._spawn(name or f"agent {node}",
                            [sys.executable, os.path.join(HERE, "agent.py"), node,
                             os.path.dirname(os.path.abspath(self.s.path)), json.dumps(macs)],
                            ns or self.topo.ns(node), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, bufsize=1)
            key = name[len("agent "):] if name else node
            self.agents[key] = started[key] = p
        for node, p in started.items():
            resp = p.stdout.readline()
            if '"ready"' not in resp:
                raise RuntimeError(f"agent of {node} did not start: {resp.strip()}")

    def _agent_lateness(self, node):
        """The agent's latest send (agent.py sleep_until): a send later than
        the traffic budget makes the run unfit as a timing reference, as a
        late hand-over does."""
        p = self.agents[node]
        p.stdin.write(json.dumps({"id": 0, "argv": ["_lateness"]}) + "\n")
        p.stdin.flush()
        resp = json.loads(p.stdout.readline() or '{"ok": false}')
        if not resp.get("ok"):
            return
        late = json.loads(resp["msg"])
        budget = self.late_budget["traffic"]
        if late["ns"] > budget and late["ns"] - budget > self.worst_late[0]:
            c = next((c for c in self.s.commands if c.node == node and
                      " ".join(c.argv) == late["what"]), None)
            if c is not None:
                self.worst_late = (late["ns"] - budget, c, late["ns"], budget)

    def _stop_agent(self, node):
        self._agent_lateness(node)
        p = self.agents.pop(node)
        try:
            p.stdin.close()
        except OSError:
            pass
        self._stop({f"agent {node}"})

    def _standbys(self):
        """For each reboot in the scenario, a fresh namespace of the node's
        with its agent and (router) its `conntrack -E` already running:
        the reboot itself then only moves the interfaces over (topo.reboot)."""
        for node in self.machines:
            n = sum(1 for c in self.s.commands if c.node == node and c.kind == "machine" and
                    machine.is_reboot(c.argv))
            for k in range(1, n + 1):
                ns = self.topo.standby(node, k)
                ev = None
                if node in self.events:
                    ev = os.path.join(self.dir, f"{node}.events~{k}")
                    self._start_events(node, ev, ns, f"conntrack-E {node}~{k}")
                self._start_agents([node], ns=ns, name=f"agent {node}~{k}")
                self.spare.setdefault(node, []).append((ns, self.agents.pop(f"{node}~{k}"), ev, k))

    def _rename(self, old, new):
        self.procs = [(new if n == old else n, p) for n, p in self.procs]

    def reboot(self, node):
        """`reboot` of NODE, as natsim's: its runtime state goes (rules,
        conntrack, sysctls, sockets: the node moves to a fresh namespace,
        topo.reboot), its interfaces with their addresses, MTUs and routes
        stay, then the boot applies the node's sysctl files and the iptables
        service. The node's captures, event recorder and agent are stopped
        (end marks first); the standby's agent and recorder take over and
        the captures start again. On UML the machine-wide knobs the node
        changed go back to their boot values."""
        start = self.now()
        self._collect()
        keys = [k for k in self.pcaps if k[0] == node and
                self._capture_end(*k)[0] == self.topo.ns(node)]
        if keys:
            self._stop_captures(keys)
        if node in self.events:
            self._stop_event_recorders([node])
        self._stop_agent(node)
        for k in keys:
            seg = f"{self.pcaps[k]}~{len(self.segments.get(k, []))}"
            os.rename(self.pcaps[k], seg)
            self.segments.setdefault(k, []).append(seg)
        ns, agent, ev, k = self.spare[node].pop(0)
        self.topo.reboot(node, ns)
        self.agents[node] = agent
        self._rename(f"agent {node}~{k}", f"agent {node}")
        if ev:
            self.event_segments.setdefault(node, []).append(self.events[node])
            self.events[node] = ev
            self._rename(f"conntrack-E {node}~{k}", f"conntrack-E {node}")
        for knob, value in self.global_boot.items():
            if any(c.node == node and scnmod._writes_global_sysctl(c) for c in self.s.commands):
                _write_knob(knob, value)
        if keys:
            self._start_captures([], keys)
        err = self.machines[node].boot()
        if err:
            self.notes.append(f"reboot of {node}: the boot reported: {err}")
        self.rebooting = (node, start, self.now())
        self.notes.append(f"reboot of {node} at {start / NS:.3f}s took "
                          f"{(self.now() - start) / 1e6:.0f} ms of real time (natsim's is "
                          f"instantaneous)")

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
        req = {"id": self._req, "argv": c.argv}
        if c.argv[:2] == ["listen", "tcp"] and "ftp" in c.argv[3:4]:
            # vsftpd serves files that exist: every name the scenario asks for
            req["ftp_files"] = sorted({x.argv[3] for x in self.s.timed() if x.kind == "traffic"
                                       and x.argv[:2] == ["ftp", "get"] and len(x.argv) > 3})
        if self.t0_mono is not None:
            req["due"] = self.t0_mono + t / NS
        p.stdin.write(json.dumps(req) + "\n")
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

    def _config(self, c, t):
        at = self.now() if self.t0_mono else 0
        argv = list(c.argv)
        stdin = None
        if argv[0] == "modprobe":
            # modules are global; nf_conntrack is built in or loaded on this
            # kernel (uml_guest.py loads it). Loading it registers no hooks in
            # a namespace (they come with the first rule that needs
            # tracking), so: nothing to do. A conntrack/NAT helper
            # (nf_nat_ftp, ...) is loaded if it is a module not loaded yet
            # (kmods.py; compare skipped the run where the kernel has none)
            ok = os.path.exists("/proc/sys/net/netfilter")
            rc, err = 0 if ok else 1, ""
            for name in argv[1:]:
                if ok and name in kmods.HELPER_MODULES:
                    rc, err = kmods.ensure(name)
            self.blocks.append(Block(at, c.node, c.text, [], rc, err, c.line))
            return
        if argv[0] == "echo":
            value = " ".join(argv[1:])
            op = ">>" if c.redir[0] == ">>" else ">"
            argv = ["sh", "-c", f'printf "%s\\n" "$1" {op} "$2"', "echo", value, c.redir[1]]
        elif c.redir and c.redir[0] == "<":
            stdin = open(self.machines[c.node].resolve_input(c.redir[1]))
        if argv[0] == "nft" and "-f" in argv[:-1] and argv[argv.index("-f") + 1] != "-":
            # `nft -f FILE`: the file as natsim finds it (the store's, or
            # beside the scenario)
            i = argv.index("-f") + 1
            argv[i] = self.machines[c.node].resolve_input(argv[i])
        try:
            if self.kernel == "uml" and scnmod._writes_global_sysctl(c):
                p = self._global_write(c.node, argv)
            elif argv[0] == "nft":
                # nft's `include "./x"` and `-I .` are relative to its
                # working directory: the scenario's, as natsim reads them
                p = self.exec_in(c.node, argv, stdin=stdin,
                                 cwd=os.path.dirname(os.path.abspath(self.s.path)))
            else:
                p = self.exec_in(c.node, argv, stdin=stdin)
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

    def _global_write(self, node, argv):
        """A write of the machine-wide conntrack knobs (nf_conntrack_max,
        _buckets, _expect_max: read-only outside the initial namespace) on
        UML: run in the kernel's initial namespace, which is the whole
        machine's, as on a router. A `sysctl -w` that also names
        per-namespace knobs is run one name at a time, each where it lives."""
        if argv[0] != "sysctl":
            return subprocess.run(argv, capture_output=True, text=True, timeout=30)
        opts = [w for w in argv[1:] if w.startswith("-")]
        names = [w for w in argv[1:] if not w.startswith("-")]
        out, err, rc = "", "", 0
        for w in names:
            one = ["sysctl"] + opts + [w]
            if w.split("=", 1)[0].replace("/", ".") in scnmod._GLOBAL_KNOBS:
                p = subprocess.run(one, capture_output=True, text=True, timeout=30)
            else:
                p = self.exec_in(node, one)
            out, err, rc = out + p.stdout, err + p.stderr, max(rc, p.returncode)
        return subprocess.CompletedProcess(argv, rc, out, err)

    def _machine(self, c):
        """A command of the node's machine model (machine.py)."""
        at = self.now() if self.t0_mono else 0
        lines, rc, err, emulated = self.machines[c.node].run(c)
        self.blocks.append(Block(at, c.node, c.text, lines, rc, err, c.line, emulated))
        if rc:
            self.notes.append(f"{self.s.path}:{c.line}: kernel: `{c.text}` exited {rc}: "
                              f"{err.strip()}")


def _knob_path(name):
    return "/proc/sys/" + name.replace(".", "/")


def _read_knob(name):
    try:
        with open(_knob_path(name)) as f:
            return f.read().strip()
    except OSError:
        return None


def _write_knob(name, value):
    if value is None:
        return
    try:
        with open(_knob_path(name), "w") as f:
            f.write(value)
    except OSError:
        pass


def save_kernel(kr, path):
    """The finished run as JSON (compare reads it back with load_kernel)."""
    data = {"t0_wall": kr.t0_wall, "end": kr.end, "notes": kr.notes,
            "events": kr.events, "kernel": kr.kernel, "release": os.uname().release,
            "pcaps": [[n, i, p] for (n, i), p in kr.pcaps.items()],
            "klog": kr.klog,
            "blocks": [[b.t, b.node, b.command, b.lines, b.rc, b.err, b.line, b.emulated]
                       for b in kr.blocks]}
    with open(path, "w") as f:
        json.dump(data, f, indent=1)


def load_kernel(path):
    with open(path) as f:
        d = json.load(f)
    d["pcaps"] = {(n, i): p for n, i, p in d["pcaps"]}
    d["blocks"] = [Block(*b) for b in d["blocks"]]
    d.setdefault("kernel", "host")
    d.setdefault("klog", None)
    d.setdefault("release", None)
    return d


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
