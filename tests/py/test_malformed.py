"""test_malformed.py - malformed frames at a router, each handled as Linux
handles it and counted (issue 8).

Every case of malformed_cases.py is sent by `replay` from host a (or b)
to a router with MASQUERADE (conntrack loaded), and the test checks what
left the router (pcaps of a and b), the router's IP counters (summary.json
"ip_stats", named as in /proc/net/snmp and nstat) and its `conntrack -S`
counters. EXPECTED was read from a 6.x kernel with the same frames
(tests/kernel/malformed_check.py): `b` is what b received (source address
as it left the router, or None for nothing), `a` what came back to a,
`ip` the nstat deltas, `ct` the conntrack -S deltas.
"""
import struct

import pytest
from scapy.all import ICMP, IP, UDP

import malformed_cases as mc
from conftest import explain, pcap, run, summary

R1 = mc.R1
# name: (b saw, a saw, ip counters, conntrack counters)
EXPECTED = {
    "eth_truncated": (None, None, {}, {}),
    "ip_truncated": (None, None, {"InReceives": 1, "InHdrErrors": 1}, {}),
    "ihl_below_5": (None, None, {"InReceives": 1, "InHdrErrors": 1}, {}),
    "ihl_past_packet": (None, None, {"InReceives": 1, "InHdrErrors": 1}, {}),
    "totlen_above_frame": (None, None, {"InReceives": 1, "InTruncatedPkts": 1}, {}),
    "totlen_below_ihl": (None, None, {"InReceives": 1, "InHdrErrors": 1}, {}),
    "totlen_below_frame": (R1, None, {"InReceives": 1, "ForwDatagrams": 1}, {}),
    # INVALID for conntrack: forwarded, but without NAT (the private source leaks)
    "tcp_truncated": (mc.A, None, {"InReceives": 1, "ForwDatagrams": 1}, {"invalid": 1}),
    "udp_truncated": (mc.A, None, {"InReceives": 1, "ForwDatagrams": 1}, {"invalid": 1}),
    "icmp_truncated": (mc.A, None, {"InReceives": 1, "ForwDatagrams": 1}, {"error": 1}),
    "tcp_doff_below_5": (mc.A, None, {"InReceives": 1, "ForwDatagrams": 1}, {"invalid": 1}),
    "tcp_doff_past_segment": (mc.A, None, {"InReceives": 1, "ForwDatagrams": 1}, {"invalid": 1}),
    "ip_bad_checksum": (None, None, {"InReceives": 1, "InHdrErrors": 1, "InCsumErrors": 1}, {}),
    "udp_bad_checksum": (mc.A, None, {"InReceives": 1, "ForwDatagrams": 1}, {"invalid": 1}),
    "tcp_bad_checksum": (mc.A, None, {"InReceives": 1, "ForwDatagrams": 1}, {"invalid": 1}),
    "ttl_1": (None, "time-exceeded", {"InReceives": 1, "InHdrErrors": 1}, {}),
    "ttl_0": (None, "time-exceeded", {"InReceives": 1, "InHdrErrors": 1}, {}),
    "ip_options_nop": (R1, None, {"InReceives": 1, "ForwDatagrams": 1}, {}),
    "ip_options_rr": (R1, None, {"InReceives": 1, "ForwDatagrams": 1}, {}),
    "vlan_tagged": (None, None, {}, {}),
    "vlan_priority_tag": (R1, None, {"InReceives": 1, "ForwDatagrams": 1}, {}),
    "arp_request": (None, None, {}, {}),
    "ipv6": (None, None, {}, {}),
    "jumbo_frame": (None, None, {}, {}),
}


TOPO = """\
host a
router r
host b
link a:eth0 r:eth0
link r:eth1 b:eth0
a: ip addr add 192.168.1.10/24 dev eth0
a: ip route add default via 192.168.1.1
r: ip addr add 192.168.1.1/24 dev eth0
r: ip addr add 203.0.113.1/24 dev eth1
r: sysctl -w net.ipv4.ip_forward=1
r: iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE
{extra}b: ip addr add 203.0.113.20/24 dev eth0
b: ip route add default via 203.0.113.1
b: listen udp 9
{replays}end 2s
"""


def mac_for(node, iface):
    """natsim's MAC of node:iface (sim/net/packet.c mac_for: FNV-1a)."""
    h = 0xcbf29ce484222325
    for c in f"{node}:{iface}".encode():
        h = ((h ^ c) * 0x100000001b3) & 0xffffffffffffffff
    return "02:" + ":".join(f"{(h >> (8 * (5 - i))) & 0xff:02x}" for i in range(1, 6))


def write_raw_pcap(path, frames):
    """A nanosecond pcap of raw frames, any length (scapy cannot write a
    frame shorter than an Ethernet header)."""
    out = struct.pack("<IHHiIII", 0xa1b23c4d, 2, 4, 0, 0, 262144, 1)
    for i, b in enumerate(frames):
        out += struct.pack("<IIII", 1000, i * 10_000_000, len(b), len(b)) + b
    path.write_bytes(out)


def run_case(tmp_path, frames, extra=""):
    sides = {"a": [], "b": []}
    for f in frames:
        side, b = f if isinstance(f, tuple) else ("a", f)
        sides[side].append(b)
    replays = ""
    for side, pk in sides.items():
        if pk:
            write_raw_pcap(tmp_path / f"{side}.pcap", pk)
            replays += f"at {0.1 if side == 'a' else 0.105}s {side}: replay {side}.pcap\n"
    scn = tmp_path / "m.scn"
    scn.write_text(TOPO.format(extra=extra, replays=replays))
    res = run(scn)
    assert res.rc == 0, explain(res)
    return res


def router_stats(outdir):
    r = [n for n in summary(outdir)["nodes"] if n["name"] == "r"][0]
    ip = {k: v for k, v in r["ip_stats"].items() if v}
    ct = {k: v for k, v in r["conntrack_stats"].items() if v and k not in ("found", "insert")}
    return ip, ct


def received(outdir, node):
    """IPv4 frames node's eth0 received (not the ones it sent)."""
    me = mac_for(node, "eth0")
    return [p for p in pcap(outdir, node, "eth0") if len(p) >= 14 and p.src != me and IP in p]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_frame(tmp_path, name):
    frames = mc.cases()[name]
    extra = ""
    res = run_case(tmp_path, frames, extra)
    b_saw, a_saw, ip_exp, ct_exp = EXPECTED[name]
    at_b = [p for p in received(res.outdir, "b") if p[IP].dst == mc.B]
    if b_saw is None:
        assert at_b == [], [p.summary() for p in at_b]
    else:
        assert len(at_b) == 1, [p.summary() for p in at_b]
        assert at_b[0][IP].src == b_saw
    at_a = received(res.outdir, "a")
    if a_saw is None:
        assert at_a == [], [p.summary() for p in at_a]
    else:
        assert len(at_a) == 1 and at_a[0][ICMP].type == 11, [p.summary() for p in at_a]
    ip, ct = router_stats(res.outdir)
    assert ip == ip_exp
    # TTL 1/0: the ICMP error carries the dropped packet's entry (nf_ct_attach),
    # so conntrack moves no counter for it, as on the kernel
    assert ct == ct_exp


def test_totlen_below_frame_is_trimmed(tmp_path):
    res = run_case(tmp_path, mc.cases()["totlen_below_frame"])
    p = [p for p in received(res.outdir, "b") if UDP in p][0]
    assert len(p) == 14 + p[IP].len  # the trailer did not go on


def test_udp_bad_checksum_with_nf_conntrack_checksum_0(tmp_path):
    # not verified: tracked and NATed like any datagram, still with its bad checksum
    res = run_case(tmp_path, mc.cases()["udp_bad_checksum"],
                   extra="r: sysctl -w net.netfilter.nf_conntrack_checksum=0\n")
    at_b = [p for p in received(res.outdir, "b") if UDP in p]
    assert len(at_b) == 1 and at_b[0][IP].src == R1
    ip, ct = router_stats(res.outdir)
    assert ct == {}
    assert ip == {"InReceives": 1, "ForwDatagrams": 1}


def test_icmp_error_quoting_four_bytes_of_udp_is_related(tmp_path):
    # 4 bytes (the ports) are enough for the kernel: RELATED, de-NATed, forwarded
    res = run_case(tmp_path, mc.cases()["icmp_error_quoting_truncated"])
    errs = [p for p in received(res.outdir, "a") if ICMP in p and p[ICMP].type == 3]
    assert len(errs) == 1 and errs[0][IP].dst == mc.A
    ip, ct = router_stats(res.outdir)
    assert ip == {"InReceives": 2, "ForwDatagrams": 2}
    assert ct == {}


def test_icmp_error_quoting_icmp_error(tmp_path):
    res = run_case(tmp_path, mc.cases()["icmp_error_quoting_icmp_error"])
    ip, ct = router_stats(res.outdir)
    assert ip == {"InReceives": 1, "InDelivers": 1}
    assert ct == {"error": 1}
    assert [p for p in received(res.outdir, "a") if ICMP in p] == []
