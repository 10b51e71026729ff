"""realapps.py - the real programs behind natsim's `tftp get`, `listen udp
P tftp` and `ftp get`, for agent.py: tftp-hpa, tftpd-hpa and curl.

Design choice: the kernel side of a comparison runs Debian's own programs,
tftp-hpa's client `tftp` and tftpd-hpa's `in.tftpd` (5.2), in the node's
namespace, so the helpers see what a real client and server send; natsim's
apps (sim/apps/tftp.c) send the same datagrams byte for byte. What the agent
still chooses is what natsim chooses and the programs would draw at random:
each program's port, pinned with `-R P:P` to the port natsim's node counter
gives (the client's when the command runs, the server's transfer port when a
read request arrives, as natsim's server binds it then).

Both programs are started ahead of their traffic, because starting one takes
up to 0.7 s in the UML guest (a `conntrack -L` half a second after a request
saw no transfer yet): the client interactively, handed its `get` at the
command's time; the server as inetd's "wait" mode service on the agent's
`listen` socket (`in.tftpd -t 600` with the socket as its stdin: it reads a
request, forks the transfer's process, waits for the next), started with the
port the node's counter would give next. When the counter moves (a request
served, any other socket of the node), the waiting in.tftpd is replaced by one
with the new port; after a request it is replaced only once it has read the
request and forked (the socket's queue empty, the process back in its
select, /proc/PID/syscall or wchan, or its child's socket bound), so no
request is lost. natsim's server
serves any file name with `size N` zero bytes: in.tftpd maps every name to
one such file (`-m`, a remap rule). curl, the FTP client, is started
ahead too and handed its options on stdin at the command's time (ftp_get).
Every process started here is killed at
the agent's end (agent.py kills its process group: the forked transfers).
"""

import fcntl
import os
import select
import shutil
import socket
import struct
import subprocess
import tempfile
import termios
import threading
import time

# In the UML guest the sleeps are not read (checked on 6.1: the watch below
# then left the next server on a stale port); the guest has no other load.
IN_GUEST = os.path.isdir("/run/nsk-bin")
WAIT = 600              # in.tftpd's wait for a request (-t); it is restarted after
PROCS = []              # the Popen of every program started here
DIRS = []               # the servers' directories, removed at the end
SERVERS = []            # TftpServer of each `listen udp P tftp`
LOCK = threading.RLock()
# x86-64 system calls a waiting in.tftpd sits in (pselect6, select, poll, ppoll)
WAIT_SYSCALLS = ("270", "23", "7", "271")


def _start(argv, **kw):
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    PROCS.append(p)
    return p


def cleanup():
    """Kill what is still running, remove the servers' directories."""
    for p in PROCS:
        if p.poll() is None:
            p.kill()
    for d in DIRS:
        shutil.rmtree(d, ignore_errors=True)


def _in_use(agent):
    return set(agent.udp) | agent.udp_extra


def _waiting(pid):
    """True when process pid waits in select/poll (in.tftpd back in its loop
    after a fork), False when not, None when the kernel does not say."""
    try:
        with open(f"/proc/{pid}/syscall") as f:
            words = f.read().split()
        if words and words[0] != "running":
            return words[0] in WAIT_SYSCALLS
        if words:
            return False
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/wchan") as f:
            w = f.read().strip()
        if w and w != "0":
            return "select" in w or "poll" in w
    except OSError:
        pass
    return None


def _sleeps(pid):
    """How many times pid has gone to sleep (voluntary_ctxt_switches), None
    when it is gone. A waiting in.tftpd sleeps in its select and wakes only
    for a request (its SIGCHLD does not wake it): one more sleep, back in
    the select, is one request read and forked, even when the request was
    read before the agent's own select saw the socket readable."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("voluntary_ctxt_switches:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def _children(pid):
    """in.tftpd's live (or not yet reaped) children: a request's transfer."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return f.read().split()
    except OSError:
        return []


def proc_net(proto):
    """(local port, state) of every IPv4 socket of this namespace, from
    /proc/net/tcp or /proc/net/udp (state in hex: "0A" is TCP_LISTEN)."""
    try:
        with open(f"/proc/net/{proto}") as f:
            next(f)
            return [(int(w[1].split(":")[1], 16), w[3]) for w in (line.split() for line in f)]
    except (OSError, StopIteration, IndexError, ValueError):
        return []


def _bound(port):
    """Whether a UDP socket of this namespace is bound to port (the forked
    transfer's: in.tftpd's child binds the -R port before it sends)."""
    return any(p == port for p, _ in proc_net("udp"))


def _queued(sock):
    """Bytes of the datagram at the head of sock's queue (SIOCINQ)."""
    return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.FIONREAD, b"\0" * 4))[0]


class TftpServer:
    """One `listen udp PORT tftp [size N]`: in.tftpd waiting on its socket."""

    def __init__(self, agent, port, size):
        self.agent = agent
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("0.0.0.0", port))
        agent.keep.append(self.sock)
        agent.udp_extra.add(port)
        base = "/run" if os.path.isdir("/run/nsk-bin") else None    # the UML guest's tmpfs
        self.dir = tempfile.mkdtemp(prefix="nsk-tftp-", dir=base)
        DIRS.append(self.dir)
        self.root = os.path.join(self.dir, "root")
        os.mkdir(self.root)
        os.chmod(self.dir, 0o755)
        os.chmod(self.root, 0o755)      # in.tftpd drops to user nobody in its chroot
        data = os.path.join(self.root, "file")
        with open(data, "wb") as f:
            f.write(bytes(size))
        os.chmod(data, 0o644)
        self.remap = os.path.join(self.dir, "remap")
        with open(self.remap, "w") as f:
            f.write("r ^.*$ file\n")    # every name: the scenario's file
        self.proc, self.pinned, self.busy = None, None, False
        self.sleeps = None      # the waiting in.tftpd's sleeps once in its select

    def spawn(self, port):
        """A waiting in.tftpd whose next transfer uses port (the old one goes)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()
        self.pinned = port
        self.sleeps = None
        self.proc = _start(["in.tftpd", "-s", self.root, "-m", self.remap,
                            "-R", f"{port}:{port}", "-t", str(WAIT)], stdin=self.sock.fileno())

    def served(self):
        """A request is queued: once in.tftpd has read it and forked, the
        port is the transfer's; a new in.tftpd for the next one."""
        end = time.monotonic() + 5
        unknown_since = None
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                break
            if _queued(self.sock) == 0 and not select.select([self.sock], [], [], 0)[0]:
                w = _waiting(self.proc.pid)
                if w or _bound(self.pinned):
                    break
                if w is None:       # the kernel does not say: a fork is quick
                    unknown_since = unknown_since or time.monotonic()
                    if time.monotonic() - unknown_since > 0.3:
                        break
            time.sleep(0.002)
        with LOCK:
            self.agent.ephemeral(_in_use(self.agent))       # = self.pinned
            self.agent.udp_extra.add(self.pinned)
            self.busy = False
            self.spawn(self.agent.ephemeral(_in_use(self.agent), take=False))

    def watch(self):
        """A request is seen either queued on the socket or, when in.tftpd
        read it first (both wait on the socket: a select woken with the
        datagram already taken sleeps on, which under load lost a request
        and left the next server on a stale port), by in.tftpd's sleeps."""
        while True:
            r, _, _ = select.select([self.sock], [], [], 0.5 if IN_GUEST else 0.01)
            with LOCK:
                if not r:
                    if self.proc.poll() is not None:
                        if not self.busy:
                            self.spawn(self.pinned)        # its -t ran out
                        continue
                    if IN_GUEST:
                        continue
                    waiting = _waiting(self.proc.pid)
                    n = _sleeps(self.proc.pid)
                    if self.sleeps is None:
                        if waiting and n is not None:
                            self.sleeps = n                # its first wait
                        continue
                    if n is None or n <= self.sleeps or waiting is not True:
                        continue
                    if not (_children(self.proc.pid) or _bound(self.pinned)):
                        self.sleeps = n     # woken for nothing it forked
                        continue
                self.busy = True
            self.served()


def rearm(agent):
    """The node's counter moved: every waiting in.tftpd with another port
    than the next one is replaced (agent.ephemeral calls this)."""
    with LOCK:
        for srv in SERVERS:
            if srv.busy or srv.agent is not agent:
                continue
            want = agent.ephemeral(_in_use(agent), take=False)
            if want != srv.pinned:
                srv.spawn(want)


def tftp_listen(agent, port, size):
    """`listen udp PORT tftp [size N]`."""
    with LOCK:
        srv = TftpServer(agent, port, size)
        srv.spawn(agent.ephemeral(_in_use(agent), take=False))
        SERVERS.append(srv)
    threading.Thread(target=srv.watch, daemon=True).start()


def tftp_get(agent, argv, due, sleep_until):
    """`tftp get DEST FILE [port P]`: tftp-hpa's `tftp -m binary` from
    natsim's port (an RRQ "\\0\\1FILE\\0octet\\0", an ACK for each block),
    started now, its `get` at the command's time."""
    dst, fname = argv[2], argv[3]
    dport = int(argv[5]) if len(argv) == 6 and argv[4] == "port" else 69
    with LOCK:
        port = agent.ephemeral(_in_use(agent))
        agent.udp_extra.add(port)
    p = _start(["tftp", "-m", "binary", "-R", f"{port}:{port}", dst, str(dport)],
               stdin=subprocess.PIPE)
    what = " ".join(argv)

    def job():
        sleep_until(due, what)
        try:
            p.stdin.write(f"get {fname} {os.devnull}\nquit\n".encode())
            p.stdin.close()
        except OSError:
            pass
    threading.Thread(target=job, daemon=True).start()
    return f"tftp get from port {port}"


def _source_addr(dst, port):
    """The address the node's kernel sends from to dst (curl's PORT/EPRT
    address: the control connection's own, as natsim's client takes)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect((dst, port))          # no packet: only the route is looked up
        return s.getsockname()[0]
    finally:
        s.close()


def ftp_get(agent, argv, due, sleep_until):
    """`ftp get DEST FILE [active|passive] [eprt|epsv] [port P]`: curl 7.88.1,
    its flags per mode (README): active `--ftp-port ADDR:D --disable-eprt`,
    active eprt `--ftp-port ADDR:D`, passive `--ftp-pasv --disable-epsv`,
    passive epsv `--ftp-pasv`; `--local-port` pins the control connection
    to natsim's port C (passive: C-D, the data connection taking D). curl
    is started now and reads its options from stdin (`-K -`) until they are
    all written at the command's time, so its start costs no time then."""
    dst, fname = argv[2], argv[3]
    passive, ext, dport = False, False, 21
    k = 4
    while k < len(argv):
        a = argv[k]
        if a in ("active", "passive"):
            passive = a == "passive"
        elif a in ("eprt", "epsv"):
            ext = True
        elif a == "port":
            k += 1
            dport = int(argv[k])
        else:
            raise ValueError(f"ftp: unknown option '{a}'")
        k += 1
    with LOCK:
        cport = agent.ephemeral(agent.tcp_ports)
        agent.tcp_ports.add(cport)
        data = agent.ephemeral(agent.tcp_ports)     # natsim: the data port next
        agent.tcp_ports.add(data)
    opts = ["silent", 'output = "/dev/null"']
    if passive:
        opts += ["ftp-pasv", f'local-port = "{cport}-{data}"']
        if not ext:
            opts.append("disable-epsv")
    else:
        opts += [f'ftp-port = "{_source_addr(dst, dport)}:{data}"', f'local-port = "{cport}"']
        if not ext:
            opts.append("disable-eprt")
    opts.append(f'url = "ftp://{dst}:{dport}/{fname}"')
    p = _start(["curl", "-K", "-"], stdin=subprocess.PIPE)
    what = " ".join(argv)

    def job():
        sleep_until(due, what)
        try:
            p.stdin.write(("\n".join(opts) + "\n").encode())
            p.stdin.close()
        except OSError:
            pass
    threading.Thread(target=job, daemon=True).start()
    return f"ftp get from port {cport}"
