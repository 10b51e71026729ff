"""test_udp_broadcast.py - `udp send` to a broadcast address needs
`broadcast` (SO_BROADCAST), as on Linux: udp_sendmsg refuses a route of type
broadcast (a local subnet's broadcast address; 255.255.255.255 once a route
covers it) on a socket without SO_BROADCAST with EACCES, so nothing leaves
(recorded with Python's sendto in two namespaces of Linux 6.x:
10.0.1.255 -> [Errno 13] Permission denied, 10.0.1.0 -> sent (no error),
255.255.255.255 -> Network is unreachable without a default route,
Permission denied with one). The option stays set on the socket, as
setsockopt does (sim/sock/udp.c udp_broadcast_denied)."""
from conftest import IP, UDP, Ether, pcap, run_ok, write_scn

LAN = """host c
host s
link c:eth0 s:eth0
c: ip addr add 10.0.0.1/24 dev eth0
s: ip addr add 10.0.0.2/24 dev eth0
s: listen udp 9
"""


def sent(outdir):
    return [(p[IP].dst, p[UDP].sport, p[Ether].dst) for p in pcap(outdir, "c", "eth0")
            if IP in p and UDP in p]


def test_broadcast_without_the_option_is_permission_denied(tmp_path):
    text = LAN + ("at 1s c: udp send 10.0.0.255:9 sport 40000 count 2 interval 0.5\n"
                  "at 2s c: udp send 10.0.0.255:9 sport 40001 broadcast\n"
                  "at 3s c: udp send 10.0.0.0:9 sport 40002\n"
                  "at 4s c: udp send 10.0.0.255:9 sport 40001\n"
                  "end 5s\n")
    res = run_ok(write_scn(tmp_path, "bc", text), out=tmp_path / "o")
    assert res.stdout.count("udp: sendto: Permission denied") == 1, res.stdout
    lines = res.stdout.splitlines()
    k = lines.index("[1.000000] c# udp send 10.0.0.255:9 sport 40000 count 2 interval 0.5")
    assert lines[k + 1] == "udp: sendto: Permission denied"
    bc = "ff:ff:ff:ff:ff:ff"
    got = sent(res.outdir)
    # 10.0.0.0 is no broadcast (sent; nobody answers its ARP, so no frame)
    assert got == [("10.0.0.255", 40001, bc), ("10.0.0.255", 40001, bc)]

def test_limited_broadcast_needs_a_route_then_the_option(tmp_path):
    text = LAN + ("c: ip route add default via 10.0.0.2\n"
                  "at 1s c: udp send 255.255.255.255:9 sport 40000\n"
                  "at 2s c: udp send 255.255.255.255:9 sport 40001 broadcast\n"
                  "end 3s\n")
    res = run_ok(write_scn(tmp_path, "lbc", text), out=tmp_path / "o")
    assert res.stdout.count("udp: sendto: Permission denied") == 1, res.stdout
    assert [(d, s) for d, s, _ in sent(res.outdir)] == [("255.255.255.255", 40001)]
