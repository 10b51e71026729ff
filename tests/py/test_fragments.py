"""test_fragments.py - IPv4 fragments at a router, as Linux handles them.

Facts (net/ipv4/ip_fragment.c, inet_fragment.c, nf_defrag_ipv4.c,
ip_output.c): with conntrack loaded a router reassembles before conntrack
(nf_defrag_ipv4 at priority -400), so conntrack and NAT see the whole
datagram and translate its ports once; it re-fragments on output to the
largest fragment that arrived (IPCB frag_max_size) or the outgoing MTU if
smaller; an overlapping fragment drops the whole queue (ReasmOverlaps, since
4.19), a duplicate is ignored; an incomplete set is dropped after
net.ipv4.ipfrag_time (ReasmTimeout), silently for a forwarded datagram
(frag_expire_skip_icmp); DF set and too big: ICMP fragmentation needed.
Without conntrack, fragments are forwarded one by one, untouched.

Every frame is made with scapy and sent with `replay`.
"""
from scapy.all import ICMP, IP, UDP, Ether, Raw, fragment, wrpcap

from conftest import pcap, run, explain, summary_stat

Z = "00:00:00:00:00:00"
A, B, R1 = "192.168.1.10", "203.0.113.20", "203.0.113.1"


def topo(extra="", nat=True, mtu=None, replay="frags.pcap", end="5s"):
    rules = "r: iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE\n" if nat else ""
    m = f"r: ip link set eth1 mtu {mtu}\n" if mtu else ""
    return (
        "host a\nrouter r\nhost b\n"
        "link a:eth0 r:eth0\nlink r:eth1 b:eth0\n"
        "a: ip addr add 192.168.1.10/24 dev eth0\n"
        "a: ip route add default via 192.168.1.1\n"
        "r: ip addr add 192.168.1.1/24 dev eth0\n"
        "r: ip addr add 203.0.113.1/24 dev eth1\n"
        "r: sysctl -w net.ipv4.ip_forward=1\n" + rules + m +
        "b: ip addr add 203.0.113.20/24 dev eth0\n"
        "b: ip route add default via 203.0.113.1\n"
        "b: listen udp 9\n" + extra +
        f"at 100ms a: replay {replay}\n"
        f"end {end}\n")


def datagram(size=3000, ident=0x1234, sport=4444):
    return IP(src=A, dst=B, id=ident, flags=0) / UDP(sport=sport, dport=9) / Raw(bytes(range(256)) * (size // 256) + b"x" * (size % 256))


def write(path, frames, gap=0.001):
    pkts = []
    for i, f in enumerate(frames):
        e = Ether(dst=Z, src=Z) / f
        e = Ether(bytes(e))
        e.time = 1000 + i * gap
        pkts.append(e)
    wrpcap(str(path), pkts, nano=True)


def go(tmp_path, frames, gap=0.001, **kw):
    write(tmp_path / "frags.pcap", frames, gap)
    scn = tmp_path / "frag.scn"
    scn.write_text(topo(**kw))
    res = run(scn)
    assert res.rc == 0, explain(res)
    return res


def reassemble(frags):
    """Payload bytes of a fragment set, by offset."""
    buf = {}
    for f in frags:
        ip = f[IP]
        buf[ip.frag * 8] = bytes(ip.payload)
    out = b""
    for off in sorted(buf):
        assert off == len(out), f"hole at {len(out)}"
        out += buf[off]
    return out


def udp_frames(outdir, node="b", iface="eth0"):
    return [p for p in pcap(outdir, node, iface) if IP in p and p[IP].proto == 17]


def test_reassembled_before_nat_and_refragmented_to_original_size(tmp_path):
    d = datagram()
    frags = fragment(d, fragsize=1000)
    assert len(frags) == 4
    res = go(tmp_path, frags)
    seen = udp_frames(res.outdir)
    assert len(seen) == 4, [p.summary() for p in seen]
    # the router's fragments: same sizes as the ones that arrived (frag_max_size)
    assert [p[IP].len for p in seen] == [f[IP].len if f[IP].len else len(f) for f in frags]
    assert all(p[IP].src == R1 and p[IP].id == 0x1234 for p in seen)
    assert [bool(p[IP].flags.MF) for p in seen] == [True, True, True, False]
    # NAT translated the ports once, and the UDP checksum covers the whole datagram
    udp = UDP(reassemble(seen))
    assert udp.dport == 9 and udp.len == 8 + 3000
    orig = bytes(d[UDP].payload)
    assert bytes(udp.payload) == orig
    recomputed = IP(bytes(IP(src=R1, dst=B) / UDP(sport=udp.sport, dport=9) / Raw(orig)))[UDP].chksum
    assert udp.chksum == recomputed, (hex(udp.chksum), hex(recomputed))
    assert summary_stat(res.outdir, "r", "ReasmOKs") == 1
    assert summary_stat(res.outdir, "r", "ReasmReqds") == 4
    assert summary_stat(res.outdir, "r", "FragCreates") == 4
    # the host reassembles for its socket
    assert summary_stat(res.outdir, "b", "ReasmOKs") == 1
    assert summary_stat(res.outdir, "b", "udp_rx") == 1


def test_out_of_order_and_duplicate_fragments(tmp_path):
    frags = fragment(datagram(), fragsize=1000)
    order = [frags[3], frags[1], frags[1], frags[0], frags[2]]
    res = go(tmp_path, order)
    seen = udp_frames(res.outdir)
    assert len(seen) == 4
    assert len(reassemble(seen)) == 3008
    assert summary_stat(res.outdir, "r", "ReasmOKs") == 1
    assert summary_stat(res.outdir, "r", "ReasmOverlaps") == 0
    assert summary_stat(res.outdir, "b", "udp_rx") == 1


def test_overlapping_fragment_drops_the_queue(tmp_path):
    frags = fragment(datagram(), fragsize=1000)
    # a fragment at offset 504 overlapping the first and the second
    bad = IP(src=A, dst=B, id=0x1234, flags="MF", frag=63, proto=17) / Raw(b"E" * 1000)
    res = go(tmp_path, [frags[0], bad] + frags[1:])
    assert udp_frames(res.outdir) == []
    assert summary_stat(res.outdir, "r", "ReasmOverlaps") == 1
    assert summary_stat(res.outdir, "r", "ReasmFails") >= 1
    assert summary_stat(res.outdir, "r", "ReasmOKs") == 0


def test_incomplete_set_dropped_silently_after_ipfrag_time(tmp_path):
    frags = fragment(datagram(), fragsize=1000)
    res = go(tmp_path, frags[:3], end="40s")
    assert udp_frames(res.outdir) == []
    assert summary_stat(res.outdir, "r", "ReasmTimeout") == 1
    assert summary_stat(res.outdir, "r", "ReasmFails") == 1
    # forwarded datagram: conntrack's defrag sends no time exceeded
    assert [p for p in pcap(res.outdir, "a", "eth0") if ICMP in p] == []


def test_last_fragment_after_ipfrag_time_is_too_late(tmp_path):
    frags = fragment(datagram(), fragsize=1000)
    # the first three now, the last 31 s later: the queue has expired
    pk = []
    for i, f in enumerate(frags):
        e = Ether(bytes(Ether(dst=Z, src=Z) / f))
        e.time = 1000 + (31 if i == 3 else i * 0.001)
        pk.append(e)
    wrpcap(str(tmp_path / "frags.pcap"), pk, nano=True)
    (tmp_path / "frag.scn").write_text(topo(end="70s"))
    res = run(tmp_path / "frag.scn")
    assert res.rc == 0, explain(res)
    assert udp_frames(res.outdir) == []
    assert summary_stat(res.outdir, "r", "ReasmTimeout") == 2
    assert summary_stat(res.outdir, "r", "ReasmOKs") == 0


def test_ipfrag_time_sysctl(tmp_path):
    frags = fragment(datagram(), fragsize=1000)
    res = go(tmp_path, frags[:2], extra="r: sysctl -w net.ipv4.ipfrag_time=5\n", end="6s")
    assert summary_stat(res.outdir, "r", "ReasmTimeout") == 1


def test_refragmented_to_smaller_outgoing_mtu(tmp_path):
    frags = fragment(datagram(), fragsize=1000)
    res = go(tmp_path, frags, mtu=576)
    seen = udp_frames(res.outdir)
    assert all(p[IP].len <= 576 for p in seen)
    assert len(seen) == 6  # 3008 bytes in 552-byte pieces
    assert len(reassemble(seen)) == 3008
    assert summary_stat(res.outdir, "b", "udp_rx") == 1


def test_df_too_big_gets_frag_needed(tmp_path):
    big = IP(src=A, dst=B, flags="DF") / UDP(sport=5555, dport=9) / Raw(b"D" * 1400)
    res = go(tmp_path, [big], mtu=1000)
    assert udp_frames(res.outdir) == []
    icmp = [p for p in pcap(res.outdir, "a", "eth0") if ICMP in p]
    assert len(icmp) == 1
    assert icmp[0][ICMP].type == 3 and icmp[0][ICMP].code == 4
    assert icmp[0][ICMP].nexthopmtu == 1000
    assert summary_stat(res.outdir, "r", "FragFails") == 1


def test_without_conntrack_fragments_pass_one_by_one(tmp_path):
    frags = fragment(datagram(), fragsize=1000)
    res = go(tmp_path, list(reversed(frags)), nat=False)
    seen = udp_frames(res.outdir)
    assert len(seen) == 4
    assert [p[IP].frag for p in seen] == [f[IP].frag for f in reversed(frags)]
    assert all(p[IP].src == A for p in seen)
    assert summary_stat(res.outdir, "r", "ReasmReqds") == 0
    assert summary_stat(res.outdir, "b", "ReasmOKs") == 1


def test_non_multiple_of_8_fragment_is_trimmed(tmp_path):
    # a middle fragment of 1001 bytes: the kernel keeps 1000 (end &= ~7)
    d = bytes(datagram())
    hdr = IP(d)
    payload = bytes(hdr.payload)
    f0 = IP(src=A, dst=B, id=0x1234, flags="MF", frag=0, proto=17) / Raw(payload[:1000])
    f1 = IP(src=A, dst=B, id=0x1234, flags="MF", frag=125, proto=17) / Raw(payload[1000:2001])
    f2 = IP(src=A, dst=B, id=0x1234, flags=0, frag=250, proto=17) / Raw(payload[2000:])
    res = go(tmp_path, [f0, f1, f2])
    assert summary_stat(res.outdir, "r", "ReasmOKs") == 1
    assert len(reassemble(udp_frames(res.outdir))) == 3008
