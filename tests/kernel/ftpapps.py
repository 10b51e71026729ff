"""ftpapps.py - send-text's escapes, and natsim's FTP server on real sockets
for `listen tcp P ftp` in the UML guest only, for agent.py.

Design choice: on the host `listen tcp P ftp` is the real vsftpd
(vsftpdapp.py). In the UML guest vsftpd's session start (the listener's
fork, then the session's setup before its 220) takes 0.18 to 0.34 s, so a
session that natsim ends within 0.5 s is still open at a scenario's
`conntrack -L` half a second later (ftp-active-helper.scn); there this
server answers instead: the same bytes as natsim's server (sim/apps/ftp.c),
which were recorded from vsftpd 3.0.3 and compare clean against it on the
host: its reply texts in its order (150 only once the data connection is
up), a PORT/EPRT address other than the peer's refused. The passive data
listener's port comes from the agent's counter, in natsim's order. Every
socket is closed when its peer closes; every wait is bounded.
"""

import socket
import threading

WAIT = 30.0             # no wait is longer (the harness kills the agent at the end)


def unescape(text):
    """send-text's escapes as natsim reads them (traffic_cmd.c tr_unescape):
    \\r \\n \\t \\\\ \\" \\0 \\xHH."""
    out, k = bytearray(), 0
    while k < len(text):
        ch = text[k]
        k += 1
        if ch != "\\":
            out += ch.encode("latin-1")
            continue
        e = text[k] if k < len(text) else ""
        k += 1
        if e in "rnt\\\"0" and e:
            out.append({"r": 13, "n": 10, "t": 9, "\\": 92, '"': 34, "0": 0}[e])
        elif e == "x":
            h = ""
            while len(h) < 2 and k < len(text) and text[k] in "0123456789abcdefABCDEF":
                h += text[k]
                k += 1
            if not h:
                raise ValueError("tcp: bad escape in send-text")
            out.append(int(h, 16))
        else:
            raise ValueError("tcp: bad escape in send-text")
    return bytes(out)


def _tcp_socket(port=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if port is not None:
        s.bind(("0.0.0.0", port))
    return s


def _lines(sock):
    """The lines read from sock, without "\\r\\n" (natsim's ftp_lines: split
    at "\\n", a trailing "\\r" dropped, at most 1024 bytes kept of a line);
    ends at EOF or an error."""
    buf = b""
    while True:
        try:
            data = sock.recv(65536)
        except OSError:
            return
        if not data:
            return
        for ch in data:
            if ch != 0x0A:
                if len(buf) < 1024:
                    buf += bytes([ch])
                continue
            line = buf[:-1] if buf.endswith(b"\r") else buf
            buf = b""
            yield line.decode("latin-1")


def _port_text(addr, port):
    return ",".join(addr.split(".")) + f",{port >> 8},{port & 255}"


def _parse_port(arg):
    """PORT's "h1,h2,h3,h4,p1,p2" -> (addr, port) or None."""
    v = arg.split(",")
    if len(v) != 6 or not all(x.isdigit() and int(x) <= 255 for x in v):
        return None
    return ".".join(v[:4]), int(v[4]) << 8 | int(v[5])


def _parse_eprt(arg):
    """EPRT's "|1|a.b.c.d|p|" -> (addr, port) or None."""
    if len(arg) < 3 or arg[1] != "1" or arg[2] != arg[0]:
        return None
    parts = arg[3:].split(arg[0])
    if len(parts) != 3 or parts[2] or not parts[1].isdigit() or not 1 <= int(parts[1]) <= 65535:
        return None
    try:
        socket.inet_aton(parts[0])
    except OSError:
        return None
    return parts[0], int(parts[1])


class FtpServerSession:
    """One control connection of `listen tcp P ftp` (ftp.c: ftp_srv_*)."""

    def __init__(self, agent, ctrl, size):
        self.agent, self.ctrl, self.size = agent, ctrl, size
        self.lock = threading.Lock()
        self.port = None            # PORT/EPRT's (addr, port)
        self.listener = None        # a passive data listener
        self.data = None
        self.retr = None

    def send(self, text):
        try:
            self.ctrl.sendall(text.encode())
        except OSError:
            pass

    def serve(self):
        self.send("220 (vsFTPd 3.0.3)\r\n")
        for line in _lines(self.ctrl):
            self.command(line)
        self.ctrl.close()

    def transfer(self):
        """The data connection is up: the file, close, then 226 (ftp_srv_transfer)."""
        self.send(f"150 Opening BINARY mode data connection for {self.retr} "
                  f"({self.size} bytes).\r\n")   # vsftpd: once the connection is up
        data, self.data, self.retr, self.port = self.data, None, None, None
        try:
            data.sendall(bytes(self.size))
        except OSError:
            pass
        data.close()
        self.send("226 Transfer complete.\r\n")

    def unlisten(self):
        if self.listener:
            self.listener.close()
            self.listener = None

    def command(self, line):
        verb, _, arg = line.partition(" ")
        verb = verb.upper()
        with self.lock:
            if verb == "USER":
                self.send("331 Please specify the password.\r\n")
            elif verb == "PASS":
                self.send("230 Login successful.\r\n")
            elif verb == "PWD":
                self.send('257 "/" is the current directory\r\n')
            elif verb == "SIZE":
                self.send(f"213 {self.size}\r\n")
            elif verb == "TYPE":
                self.send("200 Switching to ASCII mode.\r\n" if arg[:1] == "A"
                          else "200 Switching to Binary mode.\r\n")
            elif verb in ("PORT", "EPRT"):
                self.unlisten()
                self.port = None
                target = _parse_eprt(arg) if verb == "EPRT" else _parse_port(arg)
                if not target:
                    self.send("500 Bad EPRT command.\r\n" if verb == "EPRT"
                              else "500 Illegal PORT command.\r\n")
                    return
                if target[0] != self.ctrl.getpeername()[0]:
                    self.send(f"500 Illegal {verb} command.\r\n")
                    return
                self.port = target
                self.send("200 EPRT command successful. Consider using EPSV.\r\n"
                          if verb == "EPRT" else
                          "200 PORT command successful. Consider using PASV.\r\n")
            elif verb in ("PASV", "EPSV"):
                self.unlisten()
                port = self.agent.ephemeral(self.agent.tcp_ports)
                self.agent.tcp_ports.add(port)
                ls = _tcp_socket(port)
                ls.listen(1)
                self.listener, self.port = ls, None
                threading.Thread(target=self.accept_data, args=(ls,), daemon=True).start()
                if verb == "PASV":
                    addr = self.ctrl.getsockname()[0]
                    self.send(f"227 Entering Passive Mode ({_port_text(addr, port)}).\r\n")
                else:
                    self.send(f"229 Entering Extended Passive Mode (|||{port}|)\r\n")
            elif verb == "RETR":
                if not self.port and not self.listener and not self.data:
                    self.send("425 Use PORT or PASV first.\r\n")
                    return
                self.retr = arg
                if self.port:
                    threading.Thread(target=self.connect_data, args=(self.port,),
                                     daemon=True).start()
                elif self.data:
                    self.transfer()
            elif verb == "QUIT":
                self.send("221 Goodbye.\r\n")
                try:
                    self.ctrl.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
            else:
                self.send("500 Unknown command.\r\n")

    def accept_data(self, ls):
        ls.settimeout(WAIT)
        try:
            c, _ = ls.accept()
        except OSError:
            return
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.lock:
            if self.listener is ls:
                self.unlisten()
            self.data = c
            if self.retr is not None:
                self.transfer()

    def connect_data(self, target):
        """Active: connect from port 20 (Debian's connect_from_port_20=YES)."""
        s = _tcp_socket(20)
        self.agent.keep.append(s)
        try:
            s.connect(target)
        except OSError:
            with self.lock:
                self.retr = None
                self.send("425 Failed to establish connection.\r\n")
            return
        with self.lock:
            self.data = s
            self.transfer()


def ftp_listen(agent, port, size):
    """`listen tcp PORT ftp [size N]`."""
    ls = _tcp_socket(port)
    ls.listen(128)
    agent.tcp_listen[port] = ls
    agent.tcp_ports.add(port)

    def accept():
        while True:
            try:
                c, _ = ls.accept()
            except OSError:
                return
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=FtpServerSession(agent, c, size).serve,
                             daemon=True).start()
    threading.Thread(target=accept, daemon=True).start()
