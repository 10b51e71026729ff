"""test_sock_payload.py - TCP sockets carry the application's bytes
(sim/sock/tcp.c, sim/sock/sock.h): `tcp connect ... send-text "TEXT"` puts
exactly those bytes on the wire, in order, cut at the MSS as the kernel
cuts a stream written at once, with C-style escapes read after the shell's
quoting; `send N` keeps its zero bytes. The server side's receive callback
is checked by tests/unit/test_tcp.c."""
import pytest

from conftest import IP, TCP, pcap, run, run_ok, write_scn

LAN = """host c
host s
link c:eth0 s:eth0
c: ip addr add 10.0.0.1/24 dev eth0
s: ip addr add 10.0.0.2/24 dev eth0
s: listen tcp 21
"""


def stream(outdir, node, iface, sport, dport):
    """The TCP payload bytes from sport to dport in a pcap, by sequence
    number (each byte once), and the segments' payload lengths."""
    data, lens = {}, []
    for p in pcap(outdir, node, iface):
        if IP in p and TCP in p and p[TCP].sport == sport and p[TCP].dport == dport:
            pay = bytes(p[TCP].payload)
            if pay:
                lens.append(len(pay))
                data[p[TCP].seq] = pay
    return b"".join(data[k] for k in sorted(data)), lens


def test_send_text_puts_the_bytes_on_the_wire(tmp_path):
    text = LAN + 'at 1s c: tcp connect 10.0.0.2:21 sport 40000 send-text "PORT 10,0,0,2,4,1\\r\\n"\nend 3s\n'
    res = run_ok(write_scn(tmp_path, "ftp", text), out=tmp_path / "o")
    for node in ("c", "s"):
        got, _ = stream(res.outdir, node, "eth0", 40000, 21)
        assert got == b"PORT 10,0,0,2,4,1\r\n", (node, got)


def test_send_text_escapes_and_quotes(tmp_path):
    # bash's double quotes: \\ and \" lose their backslash first, then the
    # C-style escapes: \t, \n, and the \\ that was written as \\\\
    text = LAN + 'at 1s c: tcp connect 10.0.0.2:21 sport 40000 send-text "a\\tb\\\\\\\\c \\"q\\"\\n"\nend 3s\n'
    res = run_ok(write_scn(tmp_path, "esc", text), out=tmp_path / "o")
    got, _ = stream(res.outdir, "s", "eth0", 40000, 21)
    assert got == b'a\tb\\c "q"\n', got


def test_send_text_long_is_cut_at_the_mss_in_order(tmp_path):
    body = "".join(f"{i:05d}" for i in range(700))  # 3500 bytes, 3 segments
    text = LAN + f'at 1s c: tcp connect 10.0.0.2:21 sport 40000 send-text "{body}"\nend 3s\n'
    res = run_ok(write_scn(tmp_path, "long", text), out=tmp_path / "o")
    got, lens = stream(res.outdir, "s", "eth0", 40000, 21)
    assert got == body.encode()
    assert lens[:2] == [1448, 1448] and sum(lens) == 3500, lens


def test_send_keeps_its_zero_bytes(tmp_path):
    text = LAN + "at 1s c: tcp connect 10.0.0.2:21 sport 40000 send 100\nend 3s\n"
    res = run_ok(write_scn(tmp_path, "zero", text), out=tmp_path / "o")
    got, _ = stream(res.outdir, "s", "eth0", 40000, 21)
    assert got == bytes(100)


@pytest.mark.parametrize("arg", ['"bad \\q"', '"trailing \\\\"'])
def test_send_text_bad_escape_is_refused(tmp_path, arg):
    text = LAN + f"at 1s c: tcp connect 10.0.0.2:21 send-text {arg}\nend 3s\n"
    res = run(write_scn(tmp_path, "bad", text), out=tmp_path / "o")
    assert res.rc == 2 and "tcp: bad escape in" in res.stderr, res.stderr
