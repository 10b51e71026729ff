"""test_route_localnet.py - net.ipv4.conf.*.route_localnet (issue 14), the
knob kube-proxy sets for localhost NodePorts, read from the pcaps of
topologies/route-localnet.scn (compared with Linux by
test_kernel_compare.py) and from small scenarios of their own.

Linux's rules (net/ipv4/route.c): a packet arriving off lo with a loopback
destination is a martian destination, with a loopback source a martian
source, unless route_localnet (all OR the device); a local packet whose
source is 127/8 may leave by a device other than lo only with the knob
(__mkroute_output), and OUTPUT's re-route after DNAT keeps that source.
"""

from conftest import (
    TCP, TOPOLOGIES, ip_pkts, kernel_log, outputs, pcap, run_ok, write_scn,
)

import pytest

SCN = TOPOLOGIES / "route-localnet.scn"


@pytest.fixture(scope="module")
def run_out(tmp_path_factory):
    d = tmp_path_factory.mktemp("localnet")
    return d, run_ok(SCN, out=d)


def syns(pkts):
    return [p for p in pkts if TCP in p and p[TCP].flags & 0x02 and not p[TCP].flags & 0x10]


def test_localhost_dnat_leaves_masqueraded_with_the_knob(run_out):
    out, _ = run_out
    """127.0.0.1:3003 DNATed to the pod: with route_localnet the SYN leaves
    cni0, masqueraded to the node's pod-side address (never with source
    127.0.0.1), and the connection completes (the pod's data arrive)."""
    pod = pcap(out, "pod", "eth0")
    assert not ip_pkts(pod, src="127.0.0.1") and not ip_pkts(pod, dst="127.0.0.1")
    first = ip_pkts(pod, src="10.180.0.254", dst="10.180.0.3", sport=40000, dport=80)
    assert len(syns(first)) == 1
    assert any(len(bytes(p[TCP].payload)) == 100 for p in first)
    back = ip_pkts(pod, src="10.180.0.3", dst="10.180.0.254", sport=80, dport=40000)
    assert back and back[0][TCP].flags & 0x12 == 0x12


def test_localhost_dnat_fails_without_the_knob(run_out):
    out, _ = run_out
    """With the knob off the re-routed SYN is dropped before it leaves
    (-EINVAL): nothing of sport 40001 on the pod's wire, ever."""
    pod = pcap(out, "pod", "eth0")
    assert not ip_pkts(pod, sport=40001) and not ip_pkts(pod, dport=40001)


def test_dnat_to_localhost_from_outside(run_out):
    out, _ = run_out
    """client -> 203.0.113.1:8080 DNATed to 127.0.0.1:80: answered with the
    knob (the SYN-ACK un-DNATed to 203.0.113.1:8080), a martian destination
    without: the client's SYN and its two retransmissions, no answer."""
    cl = pcap(out, "client", "eth0")
    assert not ip_pkts(cl, src="127.0.0.1")
    ok = ip_pkts(cl, src="203.0.113.1", dst="203.0.113.10", sport=8080, dport=41000)
    assert ok and ok[0][TCP].flags & 0x12 == 0x12
    assert len(syns(ip_pkts(cl, dst="203.0.113.1", sport=41001, dport=8080))) == 3
    assert not ip_pkts(cl, dport=41001)
    lines = [x for _, _, x in kernel_log(out, "node") if "martian" in x]
    assert lines and set(lines) == {"IPv4: martian destination 127.0.0.1 from 203.0.113.10, "
                                    "dev eth0"}, lines


def test_the_knob_reads_back(run_out):
    _, res = run_out
    assert outputs(res.stdout, "node", "sysctl net.ipv4.conf.all.route_localnet")[0].lines \
        == ["net.ipv4.conf.all.route_localnet = 0", "net.ipv4.conf.cni0.route_localnet = 0"]


PAIR = """
router r
host h
link h:eth0 r:eth0
h: ip addr add 10.0.0.2/24 dev eth0
r: ip addr add 10.0.0.1/24 dev eth0
r: sysctl -w net.ipv4.conf.eth0.log_martians=1
r: iptables -t nat -A PREROUTING -p tcp --dport 5000 -j DNAT --to-destination 127.0.0.1:80
r: iptables -t raw -A PREROUTING -p tcp --syn
r: listen tcp 80
at 1s h: tcp connect 10.0.0.1:5000 sport 6000 send 10 close
at 1.5s r: iptables -t raw -L PREROUTING -v -n
"""


@pytest.mark.parametrize("knob", ["", "r: sysctl -w net.ipv4.conf.eth0.route_localnet=1\n"],
                         ids=["off", "eth0"])
def test_loopback_martians_after_prerouting(tmp_path, knob):
    """The check runs on the addresses PREROUTING left (raw counts the SYN
    either way): without the knob a DNAT to 127.0.0.1 is a martian
    destination and the SYN is not answered; the knob on the arriving device
    alone is enough for the SYN-ACK (from 127.0.0.1:80, un-DNATed)."""
    scn = write_scn(tmp_path, "pair", PAIR.replace("r: listen", knob + "r: listen"))
    res = run_ok(scn, out=tmp_path / "o")
    h = pcap(tmp_path / "o", "h", "eth0")
    synack = ip_pkts(h, src="10.0.0.1", dst="10.0.0.2", sport=5000, dport=6000)
    raw = outputs(res.stdout, "r", "iptables -t raw -L PREROUTING")[0].lines
    assert any(l.split()[0] == "1" for l in raw[2:]), raw
    log = [x for _, _, x in kernel_log(tmp_path / "o", "r")]
    if knob:
        assert synack and synack[0][TCP].flags & 0x12 == 0x12
        assert not any("martian destination" in x for x in log), log
    else:
        assert not synack and not ip_pkts(h, src="127.0.0.1")
        assert "IPv4: martian destination 127.0.0.1 from 10.0.0.2, dev eth0" in log, log


SOURCE = """
router r
router h
link r:eth0 h:eth0
r: ip addr add 10.0.0.1/24 dev eth0
r: sysctl -w net.ipv4.conf.all.route_localnet=1
r: iptables -t nat -A OUTPUT -d 127.0.0.1 -p tcp --dport 3003 -j DNAT --to-destination 10.0.0.2:80
h: ip addr add 10.0.0.2/24 dev eth0
h: sysctl -w net.ipv4.conf.eth0.log_martians=1
h: listen tcp 80
at 1s r: tcp connect 127.0.0.1:3003 sport 40000 send 10 close
end 1.5s
"""


@pytest.mark.parametrize("knob,why", [
    ("", "martian source: a loopback address off lo (route_localnet 0)"),
    ("h: sysctl -w net.ipv4.conf.all.route_localnet=1\n",
     "martian source: one of the node's own addresses (accept_local 0)"),
], ids=["off", "all"])
def test_loopback_source_off_lo(tmp_path, knob, why):
    """Not masqueraded, r's SYN leaves with source 127.0.0.1 (r has the
    knob). At h (a router: --trace shows its drops), without it, a loopback source off lo is a martian source
    (ip_route_input_slow); with it the source passes that check but is lo's
    own address, which fib_validate_source refuses without accept_local (as
    inet_lookup_ifaddr_rcu finds 127.0.0.1 on lo): logged alike, never
    answered, the drop's reason differs."""
    scn = write_scn(tmp_path, "src", SOURCE.replace("h: listen", knob + "h: listen"))
    res = run_ok(scn, "--trace", out=tmp_path / "o")
    h = pcap(tmp_path / "o", "h", "eth0")
    assert syns(ip_pkts(h, src="127.0.0.1", dst="10.0.0.2", sport=40000, dport=80))
    assert not ip_pkts(h, src="10.0.0.2")
    log = [x for _, _, x in kernel_log(tmp_path / "o", "h")]
    assert log and log[0] == "IPv4: martian source 10.0.0.2 from 127.0.0.1, on dev eth0", log
    drops = {l.split("DROP", 1)[1].strip() for l in res.stdout.splitlines()
             if l.lstrip().startswith("DROP")}
    assert drops == {why}, drops
