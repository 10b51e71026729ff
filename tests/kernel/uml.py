"""uml.py - the kernel side in a throwaway kernel: Debian's User-Mode Linux, booted per run.

`compare --kernel uml` (and, without --kernel, every scenario that needs the
initial namespace: nf_conntrack_max/buckets, `reboot`) runs the kernel side
inside `linux.uml` (Debian 12's user-mode-linux package: a Linux 6.1 kernel
as an ordinary process). Its initial namespace belongs to this run alone, so
the machine-wide knobs may be set, and its kernel log holds nothing but the
run's lines.

Design choice: the guest is a whole kernel booted on the host's root file
system (hostfs) with uml_guest.py as its init; it runs the same kernel_run.py
as a host run, writes the kernel run's files into the host's output
directory and powers off. The host side only boots, waits and cleans up:
- one boot per kernel run (a few seconds); a run too late to be a timing
  reference boots again, so nothing of the earlier attempt (the kernel's
  global rate limit, its log, its knobs) carries over;
- the UML process tree is a session of its own, killed as a whole (SIGKILL
  to its process group, then any straggler of that group by pid) on a
  timeout, an error, Ctrl-C or SIGTERM; its umid directory is a temporary
  directory removed afterwards, and its memory file is unlinked by UML
  itself as soon as it is made. Nothing is mounted on the host: the guest's
  mounts live and die in the UML kernel.
"""

import ctypes
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import tools

HERE = os.path.dirname(os.path.abspath(__file__))
LINUX = "linux.uml"
MODULES = "/usr/lib/uml/modules"
# > 4 GiB of RAM: the kernel then sizes the conntrack table as a 64-bit host
# with that much memory does (262144 buckets and max, natsim's defaults;
# nf_conntrack_init_start). The memory file is sparse: only touched pages count.
MEM = "4400M"
BOOT_BUDGET = 120           # s: boot, module loading, teardown, power off
KILL_WAIT = 10
NICE = -15
# SCHED_FIFO priority of the UML kernel and its processes: the host kernel
# run's (kernel_run.RT_PRIORITY). Other harnesses' real-time runs on the same
# machine would otherwise always pre-empt it (measured: sends 300-1200 ms late
# at nice -15 with load 10 on 2 cores, every attempt unfit)
RT_PRIORITY = 10
# compare's default --time-tol against UML; half of it is how late a send
# may be before the run is unfit (kernel_run.LATE_BUDGET_UML; on the host
# 200 ms and 100 ms). Each packet crosses a kernel whose every program is ptraced by
# it, and every capture wakes per frame: a 1000 pps burst of 100 sends
# drifts 150-300 ms on a busy machine (seed-table-full: 244-291 ms late with
# load 10 on 2 cores). Nothing the UML runs compare depends on times finer
# than a second (timeouts are whole seconds).
TIME_TOL = "1s"
_libc = ctypes.CDLL(None, use_errno=True)


def problem():
    """None, or (message, apt-get line or None) when UML cannot run here."""
    if os.geteuid() != 0:
        return ("not root: the UML kernel run needs root (hostfs writes, namespaces)", None)
    missing = tools.missing(tools.UML_RUN)
    if missing:
        return (f"missing tools ({', '.join(missing)})", tools.apt_line(missing))
    if not glob.glob(os.path.join(MODULES, "*", "modules.dep")):
        return (f"no UML modules in {MODULES}", tools.apt_line([LINUX]))
    return None


def budget(s, until=None):
    """Seconds a boot with scenario s may take: its simulated time (runs in
    real time), the boot, and a few seconds per node (UML starts a program
    in about 0.1 s: namespaces, captures, agents)."""
    timed = [c.t for c in s.commands]
    end = s.end if s.end is not None else max(timed, default=0) + 2_000_000_000
    if until is not None:
        end = min(end, until)
    return end / 1e9 + BOOT_BUDGET + 5 * len(s.nodes) + 0.5 * len(s.commands)


def _child_setup():
    """preexec of linux.uml: SIGKILL when the harness dies; and the CPU
    first on a busy machine: the run is a timing reference, and UML's one
    CPU runs every agent, tcpdump and the kernel's own packet path.
    Real-time (SCHED_FIFO, inherited by its processes), as the host kernel
    run: UML is one virtual CPU (one host thread runs at a time) whose idle
    loop sleeps, the host throttles real-time tasks (sched_rt_runtime_us)
    and uml.budget bounds the run, so at worst it takes most of one core
    for that long. nice -15 where real-time is not allowed."""
    _libc.prctl(1, signal.SIGKILL, 0, 0, 0)     # PR_SET_PDEATHSIG
    try:
        os.setpriority(os.PRIO_PROCESS, 0, NICE)
    except OSError:
        pass
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(RT_PRIORITY))
    except OSError:
        pass


def _pgroup_members(pgid):
    """Pids whose process group is pgid (the UML kernel and its helpers)."""
    res = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rfind(")") + 2:].split()
        if len(fields) > 2 and int(fields[2]) == pgid:
            res.append(int(d))
    return res


class Uml:
    """One boot of the UML kernel with a job for uml_guest.py."""

    def __init__(self, kdir, log=print):
        self.kdir = kdir
        self.log = log
        self.proc = None
        self.rundir = None

    def boot(self, job, timeout):
        """Run the job (a dict: scenario, skip_unsupported, until) to its end.
        Returns the guest's status dict; raises RuntimeError when the kernel
        did not finish within timeout seconds or wrote no status."""
        os.makedirs(self.kdir, exist_ok=True)
        self.rundir = tempfile.mkdtemp(prefix=f"nsk-uml-{os.getpid()}-")
        job = dict(job, kdir=os.path.abspath(self.kdir),
                   status=os.path.join(self.rundir, "status.json"))
        job_path = os.path.join(self.rundir, "job.json")
        with open(job_path, "w") as f:
            json.dump(job, f)
        if any(c.isspace() for c in job_path + HERE):
            raise RuntimeError(f"UML: a path with white space cannot go on the kernel "
                               f"command line: {job_path}")
        argv = [LINUX, f"mem={MEM}", "rootfstype=hostfs", "rootflags=/", "rw",
                f"init={os.path.join(HERE, 'uml_guest.py')}", "con=null", "con0=null,fd:1",
                f"umid=nsk-{os.getpid()}", f"uml_dir={self.rundir}", f"nskjob={job_path}"]
        shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else self.rundir
        env = dict(os.environ, TMPDIR=shm)
        console = open(os.path.join(self.kdir, "console.log"), "w")
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=console,
                                         stderr=subprocess.STDOUT, env=env,
                                         start_new_session=True, preexec_fn=_child_setup)
        finally:
            console.close()
        self._follow(os.path.join(self.kdir, "console.log"), timeout)
        try:
            with open(job["status"]) as f:
                return json.load(f)
        except (OSError, ValueError):
            raise RuntimeError(f"UML: the guest wrote no status (exit {self.proc.returncode}; "
                               f"console: {os.path.join(self.kdir, 'console.log')}): "
                               + _tail(os.path.join(self.kdir, "console.log")))

    def _follow(self, console, timeout):
        """Wait for the kernel to end, passing the guest's own lines (the
        kernel run's `kernel: ...` log) on as they come."""
        deadline = time.monotonic() + timeout
        pos, buf = 0, ""
        while True:
            done = self.proc.poll() is not None
            try:
                with open(console, errors="replace") as f:
                    f.seek(pos)
                    chunk = f.read()
                    pos = f.tell()
            except OSError:
                chunk = ""
            buf += chunk
            *lines, buf = buf.split("\n")
            for line in lines:
                if line.startswith(("kernel: ", "uml_guest: ")):
                    self.log(line)
            if done:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"UML: the kernel run did not end within {timeout:.0f} s "
                                   f"(console: {console})")
            time.sleep(0.2)

    def close(self):
        """Kill whatever of the UML process tree is left, remove its directory."""
        errors = []
        if self.proc is not None:
            pgid = self.proc.pid
            if self.proc.poll() is None:
                try:
                    os.killpg(pgid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                self.proc.wait(timeout=KILL_WAIT)
            except subprocess.TimeoutExpired:
                errors.append(f"UML kernel {pgid} did not die")
            deadline = time.monotonic() + KILL_WAIT
            left = _pgroup_members(pgid)
            while left and time.monotonic() < deadline:
                for pid in left:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                time.sleep(0.05)
                left = _pgroup_members(pgid)
            if left:
                errors.append(f"UML processes left: {left}")
            self.proc = None
        if self.rundir:
            shutil.rmtree(self.rundir, ignore_errors=True)
            self.rundir = None
        return errors


def _tail(path, n=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def cleanup_stale():
    """UML kernels (and their directories) of harnesses that are gone: a
    harness killed with -9 leaves its kernel to the PR_SET_PDEATHSIG above;
    this is for what escaped it. Returns what was removed."""
    gone = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                args = f.read().split(b"\0")
        except OSError:
            continue
        umid = next((a[len(b"umid=nsk-"):] for a in args if a.startswith(b"umid=nsk-")), None)
        if umid and umid.isdigit() and not os.path.exists(f"/proc/{int(umid)}"):
            try:
                os.kill(int(d), signal.SIGKILL)
                gone.append(f"UML process {d} of harness {int(umid)}")
            except ProcessLookupError:
                pass
    tmp = tempfile.gettempdir()
    for name in os.listdir(tmp):
        m = re.match(r"^nsk-uml-(\d+)-", name)
        if m and not os.path.exists(f"/proc/{m[1]}"):
            shutil.rmtree(os.path.join(tmp, name), ignore_errors=True)
            gone.append(os.path.join(tmp, name))
    return gone

