"""test_udp_payload.py - UDP sockets carry the application's bytes
(sim/sock/udp.c udp_sendto/udp_send_data, sim/apps/traffic_cmd.c): `udp
send ... text "TEXT"` puts exactly those bytes in each datagram, with the
C-style escapes of TCP's send-text plus \\0 and \\xHH (TFTP's opcodes and
NULs), checksum over them, through a SNAT router (NAT rewrites addresses and
ports, never the payload); `size N` keeps its zero bytes; the last of size
and text wins."""
import pytest

from conftest import IP, UDP, assert_all_checksums, pcap, run, run_ok, write_scn

LAN = """host c
host s
link c:eth0 s:eth0
c: ip addr add 10.0.0.1/24 dev eth0
s: ip addr add 10.0.0.2/24 dev eth0
s: listen udp 69
"""

ROUTED = """host c
host s
router r
link c:eth0 r:eth0
link r:eth1 s:eth0
c: ip addr add 10.0.0.1/24 dev eth0
c: ip route add default via 10.0.0.254
r: ip addr add 10.0.0.254/24 dev eth0
r: ip addr add 192.0.2.254/24 dev eth1
r: sysctl -w net.ipv4.ip_forward=1
r: iptables -t nat -A POSTROUTING -o eth1 -j SNAT --to-source 192.0.2.254
s: ip addr add 192.0.2.1/24 dev eth0
s: ip route add default via 192.0.2.254
s: listen udp 69
"""


def payloads(outdir, node, iface, dport=69):
    pkts = [p for p in pcap(outdir, node, iface) if IP in p and UDP in p and p[UDP].dport == dport]
    assert_all_checksums(pkts, f"{node}-{iface}")
    return [bytes(p[UDP].payload) for p in pkts]


def test_text_puts_tftp_bytes_on_the_wire(tmp_path):
    text = LAN + 'at 1s c: udp send 10.0.0.2:69 sport 40000 count 2 interval 0.5 ' \
                 'text "\\x00\\x01file.bin\\0octet\\0"\nend 3s\n'
    res = run_ok(write_scn(tmp_path, "tftp", text), out=tmp_path / "o")
    want = b"\x00\x01file.bin\x00octet\x00"
    for node in ("c", "s"):
        assert payloads(res.outdir, node, "eth0") == [want, want], node


def test_text_crosses_snat_unchanged(tmp_path):
    text = ROUTED + 'at 1s c: udp send 192.0.2.1:69 sport 40000 text "GET a\\r\\n\\tb \\"q\\""\nend 3s\n'
    res = run_ok(write_scn(tmp_path, "snat", text), out=tmp_path / "o")
    want = b'GET a\r\n\tb "q"'
    assert payloads(res.outdir, "c", "eth0") == [want]
    pkts = [p for p in pcap(res.outdir, "s", "eth0") if IP in p and UDP in p and p[UDP].dport == 69]
    assert [(p[IP].src, bytes(p[UDP].payload)) for p in pkts] == [("192.0.2.254", want)]
    assert_all_checksums(pkts, "s-eth0")


def test_size_keeps_zero_bytes_and_the_last_option_wins(tmp_path):
    text = LAN + ('at 1s c: udp send 10.0.0.2:69 sport 40000 size 5\n'
                  'at 2s c: udp send 10.0.0.2:69 sport 40001 size 5 text "hi"\n'
                  'at 3s c: udp send 10.0.0.2:69 sport 40002 text "hi" size 3\n'
                  'at 4s c: udp send 10.0.0.2:69 sport 40003 text ""\nend 5s\n')
    res = run_ok(write_scn(tmp_path, "size", text), out=tmp_path / "o")
    assert payloads(res.outdir, "s", "eth0") == [bytes(5), b"hi", bytes(3), b""]


@pytest.mark.parametrize("arg", ['"bad \\q"', '"trailing \\\\"', '"\\xZZ"'])
def test_text_bad_escape_is_refused(tmp_path, arg):
    text = LAN + f"at 1s c: udp send 10.0.0.2:69 text {arg}\nend 3s\n"
    res = run(write_scn(tmp_path, "bad", text), out=tmp_path / "o")
    assert res.rc == 2 and "udp: bad escape in" in res.stderr, res.stderr
