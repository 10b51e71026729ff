"""test_tftp_nat.py - TFTP through MASQUERADE (topologies/tftp-nat.scn):
the TFTP app (sim/apps/tftp.c), nf_conntrack_tftp (nat/conntrack/
ct_helper_tftp.c) and nf_nat_tftp (nat/nf_nat/nat_tftp.c), read from the
pcaps. With the helper the server's DATA from its new port is RELATED and
NATed back to the client; without it the router answers ICMP port
unreachable. The `conntrack -L` lines and counters are those Linux 6.18
shows for the same exchange (python TFTP peers in namespaces)."""
import pytest

from conftest import (ICMP, IP, TOPOLOGIES, UDP, assert_all_checksums, outputs, pcap,
                      run_ok)


@pytest.fixture(scope="module")
def res():
    return run_ok(TOPOLOGIES / "tftp-nat.scn")


def udp(pkts, **kw):
    out = []
    for p in pkts:
        if IP not in p or UDP not in p:
            continue
        if all(getattr(p[IP] if k in ("src", "dst") else p[UDP], k) == v
               for k, v in kw.items()):
            out.append(p)
    return out


def test_request_and_data_bytes(res):
    c = pcap(res.outdir, "c", "eth0")
    rrq = udp(c, src="10.0.0.2", dport=69)
    assert [bytes(p[UDP].payload) for p in rrq] == [b"\x00\x01with-helper.img\x00octet\x00"]
    data = udp(c, src="203.0.113.10", dst="10.0.0.2")
    assert [len(p[UDP].payload) for p in data] == [516, 516, 280]
    assert [bytes(p[UDP].payload)[:4] for p in data] == [
        b"\x00\x03\x00\x01", b"\x00\x03\x00\x02", b"\x00\x03\x00\x03"]
    # the data come from the server's new port, NATed to the client's port
    assert {(p[UDP].sport, p[UDP].dport) for p in data} == {(32768, 32768)}
    acks = udp(c, src="10.0.0.2", dport=32768)
    assert [bytes(p[UDP].payload) for p in acks] == [
        b"\x00\x04\x00\x01", b"\x00\x04\x00\x02", b"\x00\x04\x00\x03"]
    assert "tftp: with-helper.img: 1300 bytes received" in res.stdout
    s = pcap(res.outdir, "s", "eth0")
    assert len(udp(s, src="203.0.113.10", dst="203.0.113.1", sport=32768)) == 3
    for node in ("c", "s"):
        assert_all_checksums(pcap(res.outdir, node, "eth0"), node)


def test_conntrack_texts(res):
    lines = outputs(res.stdout, "r", "conntrack -L")[0].lines
    assert lines == [
        "udp      17 29 src=203.0.113.10 dst=203.0.113.1 sport=32768 dport=32768 "
        "src=10.0.0.2 dst=203.0.113.10 sport=32768 dport=32768 mark=0 use=1",
        "udp      17 29 src=10.0.0.2 dst=203.0.113.10 sport=32768 dport=69 [UNREPLIED] "
        "src=203.0.113.10 dst=203.0.113.1 sport=69 dport=32768 mark=0 helper=tftp use=2",
    ]
    assert outputs(res.stdout, "r", "conntrack -S expect")[0].lines == [
        "cpu=0   \texpect_new=1 expect_create=1 expect_delete=1 "]


def test_without_helper_port_unreachable(res):
    s = pcap(res.outdir, "s", "eth0")
    assert len(udp(s, sport=32769, dst="203.0.113.1")) == 1
    icmp = [p for p in s if ICMP in p and p[IP].src == "203.0.113.1"]
    assert len(icmp) == 1 and icmp[0][ICMP].type == 3 and icmp[0][ICMP].code == 3
    assert "without-helper.img" not in "".join(
        line for line in res.stdout.splitlines() if "bytes received" in line)


@pytest.mark.parametrize("helper", [False, True])
def test_tftp_through_a_firewall_needs_the_helper(tmp_path, helper):
    # no NAT: the request's expectation is the client's own address and port;
    # the server's first DATA is RELATED (with the helper) or NEW (without),
    # which the FORWARD policy drops
    from conftest import write_scn
    text = """host c
router r
host s
link c:eth0 r:eth0 delay 1ms
link r:eth1 s:eth0 delay 1ms
c: ip addr add 10.0.0.2/24 dev eth0
c: ip route add default via 10.0.0.1
s: ip addr add 10.0.1.2/24 dev eth0
s: ip route add default via 10.0.1.1
r: ip addr add 10.0.0.1/24 dev eth0
r: ip addr add 10.0.1.1/24 dev eth1
r: sysctl -w net.ipv4.ip_forward=1
r: iptables -P FORWARD DROP
r: iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
r: iptables -A FORWARD -i eth0 -o eth1 -j ACCEPT
""" + ("r: iptables -t raw -A PREROUTING -p udp --dport 69 -j CT --helper tftp\n" if helper
       else "") + """s: listen udp 69 tftp size 700
at 1s c: tftp get 10.0.1.2 f.bin
at 1.5s r: conntrack -L
end 3s
"""
    res = run_ok(write_scn(tmp_path, "fw", text), out=tmp_path / "o")
    c = pcap(res.outdir, "c", "eth0")
    data = udp(c, src="10.0.1.2", dst="10.0.0.2")
    if helper:
        assert [len(p[UDP].payload) for p in data] == [516, 192]
        assert "tftp: f.bin: 700 bytes received" in res.stdout
        lines = outputs(res.stdout, "r", "conntrack -L")[0].lines
        assert any(line.endswith("mark=0 helper=tftp use=2") for line in lines), lines
    else:
        assert data == []
        assert "bytes received" not in res.stdout
