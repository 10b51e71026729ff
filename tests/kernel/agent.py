#!/usr/bin/python3
"""agent.py - one node's traffic commands on the real kernel, run inside its namespace.

The harness starts one agent per host/router namespace
(`ip netns exec NS agent.py NODE SCENARIO_DIR MACS_JSON`) and writes one JSON
command a line on its stdin at the command's scenario time; the agent answers
one JSON line per command on stdout ({"id": k, "ok": bool, "msg": text}).

Design choice: natsim's traffic commands are small applications on a Linux
stack (README: The scenario language, Traffic); the agent is the same
application on the real stack, with real sockets, so the kernel builds every
header. It copies natsim's application-level choices that are not the
network's business: the default echo id (FNV-1a fold of the node name, + pings
started before), the ephemeral port counter from 32768 shared by udp and tcp,
a `udp send` socket that stays open (and shared with `listen udp` on the same
port), a TCP client that closes (FIN) or resets only once everything it wrote
is acknowledged, and the 64-byte packets of `flows`. Every thread is a daemon
and every wait is bounded: the harness kills the agent at the end of the run.
"""

import fcntl
import json
import os
import selectors
import signal
import socket
import struct
import sys
import threading
import time

# run as a script: its own directory is on sys.path; tests/lib (pkt's pcap
# reader) is put there too
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from pkt import end_mark_frame, read_pcap  # noqa: E402  (the harness's own pcap code)
import ftpapps  # noqa: E402  (send-text's escapes; the FTP server in UML)
import realapps  # noqa: E402  (the real TFTP programs)
import vsftpdapp  # noqa: E402  (the real vsftpd)

NS = 1_000_000_000
SIOCOUTQ = 0x5411
LOCK = threading.Lock()


def parse_seconds(text):
    """'0.2' (seconds, as iputils' -i) or '200ms', '1s', '5us'."""
    for unit, mul in (("ms", 1e-3), ("us", 1e-6), ("ns", 1e-9), ("s", 1.0)):
        if text.endswith(unit):
            return float(text[:-len(unit)]) * mul
    return float(text)


def parse_rate(text):
    for unit, mul in (("kpps", 1e3), ("Mpps", 1e6), ("pps", 1.0), ("/s", 1.0)):
        if text.endswith(unit):
            return float(text[:-len(unit)]) * mul
    return float(text)


def hostport(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


def inet_checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


# the latest a scheduled send went out (ns after its due time) and its
# command: the harness asks for it at the end (`_lateness`) and does not use
# a kernel run whose sends were late (a busy machine, a slow UML kernel)
LATE = {"ns": 0, "what": None}


def sleep_until(t, what=None):
    while True:
        d = t - time.monotonic()
        if d <= 0:
            break
        time.sleep(min(d, 0.5))
    late = int(-d * NS)
    if what and late > LATE["ns"]:
        with LOCK:
            if late > LATE["ns"]:
                LATE["ns"], LATE["what"] = late, what


class Agent:
    def __init__(self, node, scn_dir, macs):
        self.node = node
        self.scn_dir = scn_dir
        self.macs = macs                # {ifname: [own mac, peer mac]}
        self.udp = {}                   # port -> {"sock", "echo"}
        self.tcp_listen = {}
        self.keep = []                  # sockets held open until the end
        self.pings_started = 0
        self.next_ephemeral = 32768
        self.tcp_ports = set()
        self.udp_extra = set()          # ports of TFTP transfer sockets (realapps.py)
        self.rx = None                  # the selector of udp_rx
        self.ftp_files = []             # the scenario's `ftp get` file names (vsftpdapp.py)

    # ----- helpers

    def ephemeral(self, in_use, take=True):
        """natsim's tr_ephemeral: one counter per node from 32768 to 60999.
        take=False: the port it would give, the counter left alone (the
        real TFTP server is started with the port of its next transfer)."""
        nxt = self.next_ephemeral
        for _ in range(60999 - 32768 + 1):
            if nxt < 32768 or nxt > 60999:
                nxt = 32768
            port = nxt
            nxt += 1
            if port not in in_use:
                if take:
                    self.next_ephemeral = nxt
                    realapps.rearm(self)
                    vsftpdapp.rearm(self)
                return port
        raise RuntimeError("no free ephemeral port")

    def udp_sock(self, port):
        with LOCK:
            ent = self.udp.get(port)
            if ent:
                return ent
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", port))
            s.setblocking(False)
            ent = {"sock": s, "echo": False}
            self.udp[port] = ent
            if self.rx is None:
                # one receiver for every UDP socket: a thread each costs
                # milliseconds to start on UML, and `flows` opens hundreds
                self.rx = selectors.DefaultSelector()
                threading.Thread(target=self.udp_rx, daemon=True).start()
            self.rx.register(s, selectors.EVENT_READ, ent)
        return ent

    def udp_rx(self):
        """Receive on every UDP socket (replies are counted by nobody: the
        pcaps show them); `listen udp PORT echo` sends each datagram back."""
        while True:
            for key, _ in self.rx.select(timeout=0.5):
                ent = key.data
                s = ent["sock"]
                while True:
                    try:
                        data, addr = s.recvfrom(65535)
                    except BlockingIOError:
                        break
                    except OSError:
                        continue        # ICMP errors reported on the socket
                    if ent.get("handler"):
                        ent["handler"](data, addr, s)
                    elif ent["echo"]:
                        try:
                            s.sendto(data, addr)
                        except OSError:
                            pass

    # ----- commands

    def run(self, argv, due=None):
        """One command; due: the monotonic time it is for (the harness's
        t0 + its scenario time; sends are scheduled from it)."""
        self.due = due if due is not None else time.monotonic()
        if due is not None and argv[0] in ("listen", "tcp") and argv[1:2] != ["connect"]:
            sleep_until(due, " ".join(argv))    # at its time (records a late hand-over)
        cmd = argv[0]
        if cmd == "listen":
            return self.listen(argv)
        if cmd == "udp":
            return self.udp_send(argv)
        if cmd == "ping":
            return self.ping(argv)
        if cmd == "tcp" and argv[1] == "connect":
            return self.tcp_connect(argv)
        if cmd == "tcp" and argv[1] == "segment":
            return self.tcp_segment(argv)
        if cmd == "ftp":
            return realapps.ftp_get(self, argv, self.due, sleep_until)
        if cmd == "tftp":
            return realapps.tftp_get(self, argv, self.due, sleep_until)
        if cmd == "flows":
            return self.flows(argv)
        if cmd == "replay":
            return self.replay(argv)
        if cmd == "_end_mark":
            return self.end_mark(argv[1])
        if cmd == "_lateness":
            return json.dumps(LATE)
        raise ValueError(f"unknown traffic command {cmd}")

    def listen(self, argv):
        port = int(argv[2])
        app = argv[3] if len(argv) > 3 else None
        size = int(argv[argv.index("size") + 1]) if "size" in argv[4:] else 1024
        if argv[1] == "udp":
            if app == "tftp":
                realapps.tftp_listen(self, port, size)
                return "listening"
            ent = self.udp_sock(port)
            ent["echo"] = app == "echo"
            return "listening"
        if app == "ftp":
            if os.path.isdir("/run/nsk-bin"):   # the UML guest: ftpapps.py says why
                ftpapps.ftp_listen(self, port, size)
            else:
                vsftpdapp.ftp_listen(self, port, size, self.ftp_files)
            return "listening"
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", port))
        s.listen(1024)
        self.tcp_listen[port] = s
        self.tcp_ports.add(port)
        threading.Thread(target=self.tcp_accept, args=(s,), daemon=True).start()
        return "listening"

    def tcp_accept(self, ls):
        while True:
            try:
                c, _ = ls.accept()
            except OSError:
                return
            threading.Thread(target=self.tcp_serve, args=(c,), daemon=True).start()

    @staticmethod
    def tcp_serve(c):
        """natsim's listener: read everything, close when the client closes."""
        try:
            while c.recv(65536):
                pass
        except OSError:
            pass
        c.close()

    def udp_send(self, argv):
        dst, dport = hostport(argv[2])
        # `parallel` (a flag): the datagrams at once, one thread each, on
        # the one socket (natsim's sim/net/cpu.c; here the kernel's timing);
        # `broadcast` (a flag): SO_BROADCAST
        parallel = "parallel" in argv[3:]
        flags = [a for a in argv[3:] if a == "broadcast"]     # the options without a value
        rest = [a for a in argv[3:] if a not in ("broadcast", "parallel")]
        opts = dict(zip(rest[0::2], rest[1::2]))
        sport = int(opts["sport"]) if "sport" in opts else self.ephemeral(set(self.udp))
        count = int(opts.get("count", 1))
        interval = parse_seconds(opts.get("interval", "1s"))
        size = int(opts.get("size", 64))
        ent = self.udp_sock(sport)
        if flags:       # SO_BROADCAST: without it sendto() to a broadcast route is EACCES
            ent["sock"].setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)

        t0, what = self.due, " ".join(argv)

        def send_one():
            try:
                ent["sock"].sendto(bytes(size), (dst, dport))
            except OSError:
                pass

        def job():
            if parallel:
                sleep_until(t0, what)
                threads = [threading.Thread(target=send_one) for _ in range(count)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                return
            for k in range(count):
                sleep_until(t0 + k * interval, what)
                try:
                    ent["sock"].sendto(bytes(size), (dst, dport))
                except OSError:
                    pass
        threading.Thread(target=job, daemon=True).start()
        return f"udp send from port {sport}"

    def ping(self, argv):
        count, interval, size, ident = 0, 1.0, 56, None
        k, dst = 1, None
        while k < len(argv):
            a = argv[k]
            if a in ("-c", "-i", "-s", "-e"):
                v = argv[k + 1]
                k += 2
                if a == "-c":
                    count = int(v)
                elif a == "-i":
                    interval = parse_seconds(v)
                elif a == "-s":
                    size = int(v)
                else:
                    ident = int(v, 0)
                continue
            dst = a
            k += 1
        if ident is None:
            h = 2166136261
            for ch in self.node.encode():
                h = ((h ^ ch) * 16777619) & 0xFFFFFFFF
            ident = ((h ^ (h >> 16)) + self.pings_started) & 0xFFFF
        self.pings_started += 1
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        self.keep.append(s)
        payload = bytes(i & 0xFF for i in range(size))

        t0, what = self.due, " ".join(argv)

        def job():
            seq = 1
            while count == 0 or seq <= count:
                sleep_until(t0 + (seq - 1) * interval, what)
                hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq & 0xFFFF)
                ck = inet_checksum(hdr + payload)
                pkt = struct.pack("!BBHHH", 8, 0, ck, ident, seq & 0xFFFF) + payload
                try:
                    s.sendto(pkt, (dst, 0))
                except OSError:
                    pass
                seq += 1
        threading.Thread(target=job, daemon=True).start()
        return f"ping id {ident}"

    def tcp_connect(self, argv):
        dst, dport = hostport(argv[2])
        sport, nbytes, mode, text = None, 0, "close", None
        k = 3
        while k < len(argv):
            a = argv[k]
            if a in ("close", "reset", "hold"):
                mode = a
                k += 1
            elif a == "sport":
                sport = int(argv[k + 1])
                k += 2
            elif a == "send":
                nbytes = int(argv[k + 1])
                text = None
                k += 2
            elif a == "send-text":
                text = ftpapps.unescape(argv[k + 1])
                k += 2
            else:
                raise ValueError(f"tcp: unknown option {a}")
        if sport is None:
            sport = self.ephemeral(self.tcp_ports)
        self.tcp_ports.add(sport)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", sport))
        self.keep.append(s)
        t0, what = self.due, " ".join(argv)

        def job():
            sleep_until(t0, what)           # records a late thread start
            try:
                s.connect((dst, dport))
                if text is not None or nbytes:
                    s.sendall(text if text is not None else bytes(nbytes))
                if mode == "hold":
                    return
                # natsim's client application: close (or reset) once
                # everything written is acknowledged
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    outq = struct.unpack("i", fcntl.ioctl(s.fileno(), SIOCOUTQ, b"\0" * 4))[0]
                    if outq == 0:
                        break
                    time.sleep(0.001)
                if mode == "reset":
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                s.close()
            except OSError:
                pass
        threading.Thread(target=job, daemon=True).start()
        return f"tcp connect from port {sport}"

    def tcp_segment(self, argv):
        dst, dport = hostport(argv[2])
        opts = dict(zip(argv[3::2], argv[4::2]))
        sport = int(opts["sport"])
        flags = 0
        for ch in opts["flags"]:
            flags |= 1 << "FSRPAU".index(ch)
        seq = int(opts.get("seq", 0))
        ack = int(opts.get("ack", 0))
        size = int(opts.get("size", 0))
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.connect((dst, dport))
        src = probe.getsockname()[0]
        probe.close()
        hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0)
        data = bytes(size)
        pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + \
            struct.pack("!BBH", 0, 6, len(hdr) + len(data))
        ck = inet_checksum(pseudo + hdr + data)
        hdr = hdr[:16] + struct.pack("!H", ck) + hdr[18:]
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
        s.sendto(hdr + data, (dst, 0))
        self.keep.append(s)
        return f"segment {src}:{sport} > {dst}:{dport}"

    def flows(self, argv):
        proto = argv[1]
        n = int(argv[2])
        dst, dport = hostport(argv[3])
        opts = dict(zip(argv[4::2], argv[5::2]))
        lo, hi = 1024, 65535
        if "sport" in opts:
            a, _, b = opts["sport"].partition("-")
            lo, hi = int(a), int(b or 65535)
        rate = parse_rate(opts.get("rate", "1000"))
        packets = int(opts.get("packets", 1))
        if n > hi - lo + 1:
            raise ValueError("flows: more flows than source ports (several source "
                             "addresses are not emulated)")

        t0, what = self.due, " ".join(argv)

        def job():
            # the sockets first (before t0 when the command came early): on
            # UML making one takes about a millisecond, the gap of 1000pps
            socks = [self.udp_sock(lo + i) for i in range(n)] if proto == "udp" else []
            for i in range(n):
                sleep_until(t0 + i / rate, what)
                sport = lo + i
                if proto == "udp":
                    ent = socks[i]

                    def burst(ent=ent, start=t0 + i / rate):
                        for j in range(packets):
                            sleep_until(start + j * 0.001, what)
                            try:
                                ent["sock"].sendto(bytes(64), (dst, dport))
                            except OSError:
                                pass
                    if packets == 1:
                        burst()
                    else:
                        threading.Thread(target=burst, daemon=True).start()
                else:
                    threading.Thread(target=self.tcp_flow, args=(sport, dst, dport, packets),
                                     daemon=True).start()
        threading.Thread(target=job, daemon=True).start()
        return f"{n} {proto} flows"

    def tcp_flow(self, sport, dst, dport, packets):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.keep.append(s)
        try:
            s.bind(("0.0.0.0", sport))
            s.connect((dst, dport))
            for j in range(packets - 1):
                time.sleep(0.001)
                s.send(bytes(64))
        except OSError:
            pass

    def replay(self, argv):
        path = argv[1]
        opts = dict(zip(argv[2::2], argv[3::2]))
        dev = opts.get("dev") or sorted(self.macs)[0]
        speed = float(opts.get("speed", "1").rstrip("x"))
        if not os.path.isabs(path):
            path = os.path.join(self.scn_dir, path)
        frames = read_pcap(path)
        own, peer = (bytes.fromhex(m.replace(":", "")) for m in self.macs[dev])
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((dev, 0))
        self.keep.append(s)

        t0, what = self.due, " ".join(argv)

        def job():
            base = frames[0][0] if frames else 0
            for t, data in frames:
                sleep_until(t0 + (t - base) / NS / speed, what)
                d = bytearray(data)
                if d[0:6] == bytes(6):
                    d[0:6] = peer
                if d[6:12] == bytes(6):
                    d[6:12] = own
                try:
                    s.send(bytes(d))
                except OSError:
                    pass
        threading.Thread(target=job, daemon=True).start()
        return f"replay {len(frames)} frames on {dev}"


    def end_mark(self, nonce):
        """The harness's end mark (pkt.end_mark_frame) out of every interface."""
        for dev, (own, _) in sorted(self.macs.items()):
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            try:
                s.bind((dev, 0))
                s.send(end_mark_frame(bytes.fromhex(own.replace(":", "")), nonce))
            finally:
                s.close()
        return "end mark sent"


def finish(*_):
    """The end of the run (stdin closed, or the harness's SIGTERM): the
    programs realapps.py started go too, and with them their forks (the
    agent leads its process group: the harness starts it in a session of
    its own)."""
    vsftpdapp.cleanup()
    realapps.cleanup()
    if os.getpgid(0) == os.getpid():
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        os.killpg(0, signal.SIGKILL)
    os._exit(0)


def main():
    signal.signal(signal.SIGTERM, finish)
    node, scn_dir, macs = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    agent = Agent(node, scn_dir, macs)
    out = sys.stdout
    out.write(json.dumps({"id": 0, "ok": True, "msg": "ready"}) + "\n")
    out.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        agent.ftp_files = req.get("ftp_files", agent.ftp_files)
        try:
            msg = agent.run(req["argv"], req.get("due"))
            resp = {"id": req["id"], "ok": True, "msg": msg}
        except Exception as e:          # reported to the harness, never fatal
            resp = {"id": req["id"], "ok": False, "msg": f"{type(e).__name__}: {e}"}
        out.write(json.dumps(resp) + "\n")
        out.flush()
    # stdin closed: the run is over
    finish()


if __name__ == "__main__":
    main()
