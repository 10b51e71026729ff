"""test_ftp_app.py - the FTP server and client of sim/apps/ftp.c (`listen
tcp 21 ftp [size N]`, `ftp get DEST FILE [active|passive] [eprt|epsv]`):
the control connection carries curl 7.88.1's commands and Debian's vsftpd
3.0.3's replies, in their order (both recorded from the programs),
the data connection comes from the server's port 20
(active) or goes to the port the 227/229 reply named (passive), and it
carries the file's size in bytes."""
import re

import pytest

from conftest import IP, TCP, async_lines, pcap, run_ok, write_scn

LAN = """host c
host s
link c:eth0 s:eth0 delay 1ms
c: ip addr add 10.0.0.1/24 dev eth0
s: ip addr add 10.0.0.2/24 dev eth0
s: listen tcp 21 ftp size 5000
"""


def streams(outdir):
    """Each TCP direction's payload in c's pcap, by sequence number:
    {(sport, dport): bytes}."""
    segs = {}
    for p in pcap(outdir, "c", "eth0"):
        if IP in p and TCP in p:
            pay = bytes(p[TCP].payload)
            if pay:
                segs.setdefault((p[TCP].sport, p[TCP].dport), {})[p[TCP].seq] = pay
    return {k: b"".join(v[s] for s in sorted(v)) for k, v in segs.items()}


def control(st):
    cport = next(sp for (sp, dp) in st if dp == 21)
    return st[(cport, 21)], st[(21, cport)]


@pytest.mark.parametrize("mode,cmd_re,reply_re", [
    ("active", rb"PORT 10,0,0,1,(\d+),(\d+)\r\n",
     rb"200 PORT command successful\. Consider using PASV\.\r\n"),
    ("active eprt", rb"EPRT \|1\|10\.0\.0\.1\|(\d+)\|\r\n",
     rb"200 EPRT command successful\. Consider using EPSV\.\r\n"),
    ("passive", rb"PASV\r\n",
     rb"227 Entering Passive Mode \(10,0,0,2,(\d+),(\d+)\)\.\r\n"),
    ("passive epsv", rb"EPSV\r\n",
     rb"229 Entering Extended Passive Mode \(\|\|\|(\d+)\|\)\r\n"),
])
def test_ftp_get_bytes_on_the_wire(tmp_path, mode, cmd_re, reply_re):
    text = LAN + f"at 1s c: ftp get 10.0.0.2 f.bin {mode}\nend 5s\n"
    res = run_ok(write_scn(tmp_path, "ftp", text), out=tmp_path / "o")
    st = streams(res.outdir)
    cmds, replies = control(st)
    # curl 7.88.1's commands and vsftpd 3.0.3's replies, in their order
    # (both programs recorded in namespaces: tests/kernel/README.md)
    m = re.fullmatch(rb"USER anonymous\r\nPASS ftp@example\.com\r\nPWD\r\n" + cmd_re +
                     rb"TYPE I\r\nSIZE f\.bin\r\nRETR f\.bin\r\nQUIT\r\n", cmds)
    assert m, cmds
    r = re.fullmatch(rb"220 \(vsFTPd 3\.0\.3\)\r\n331 Please specify the password\.\r\n"
                     rb"230 Login successful\.\r\n257 \"/\" is the current directory\r\n" +
                     reply_re + rb"200 Switching to Binary mode\.\r\n213 5000\r\n"
                     rb"150 Opening BINARY mode data connection for f\.bin \(5000 bytes\)\.\r\n"
                     rb"226 Transfer complete\.\r\n221 Goodbye\.\r\n", replies)
    assert r, replies
    if mode.startswith("active"):
        g = m.groups()
        port = int(g[0]) * 256 + int(g[1]) if len(g) == 2 else int(g[0])
        assert st[(20, port)] == bytes(5000)  # from the server's port 20
    else:
        g = r.groups()
        port = int(g[0]) * 256 + int(g[1]) if len(g) == 2 else int(g[0])
        data = [v for (sp, dp), v in st.items()
                if (sp == port and dp != 21) or (dp == port and sp != 21)]
        assert data == [bytes(5000)], st.keys()
    assert any(a.text == "ftp: f.bin: 5000 bytes received"
               for a in async_lines(res.stdout, "c")), res.stdout


def test_ftp_server_refuses_retr_without_port(tmp_path):
    text = LAN + ('at 1s c: tcp connect 10.0.0.2:21 sport 40000 send-text '
                  '"USER a\\r\\nPASS b\\r\\nRETR x\\r\\nNOOP\\r\\n" hold\nend 3s\n')
    res = run_ok(write_scn(tmp_path, "noport", text), out=tmp_path / "o")
    st = streams(res.outdir)
    assert st[(21, 40000)] == (b"220 (vsFTPd 3.0.3)\r\n331 Please specify the password.\r\n"
                               b"230 Login successful.\r\n425 Use PORT or PASV first.\r\n"
                               b"500 Unknown command.\r\n")


def test_ftp_server_says_150_only_with_a_data_connection(tmp_path):
    """vsftpd 3.0.3 connects an active data connection before it answers
    RETR: a PORT nobody listens on gets 425 alone, no 150 before it."""
    text = LAN + ('at 1s c: tcp connect 10.0.0.2:21 sport 40000 send-text '
                  '"USER a\\r\\nPASS b\\r\\nPORT 10,0,0,1,156,64\\r\\nRETR x\\r\\n" hold\n'
                  'end 3s\n')
    res = run_ok(write_scn(tmp_path, "refused", text), out=tmp_path / "o")
    st = streams(res.outdir)
    assert st[(21, 40000)] == (b"220 (vsFTPd 3.0.3)\r\n331 Please specify the password.\r\n"
                               b"230 Login successful.\r\n"
                               b"200 PORT command successful. Consider using PASV.\r\n"
                               b"425 Failed to establish connection.\r\n")


def test_ftp_server_150_names_the_whole_file(tmp_path):
    """vsftpd 3.0.3's 150 carries the RETR name whole (66 characters checked)."""
    name = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.bin"
    res = run_ok(write_scn(tmp_path, "long", LAN + f"at 1s c: ftp get 10.0.0.2 {name} passive\n"
                           "end 3s\n"), out=tmp_path / "o")
    _, replies = control(streams(res.outdir))
    assert (f"150 Opening BINARY mode data connection for {name} (5000 bytes).\r\n".encode()
            in replies)


def test_ftp_usage(tmp_path):
    from conftest import run
    res = run(write_scn(tmp_path, "u", LAN + "at 1s c: ftp put 10.0.0.2 x\nend 2s\n"),
              out=tmp_path / "o")
    assert res.rc == 2 and "ftp: usage: ftp get DEST FILE" in res.stderr
