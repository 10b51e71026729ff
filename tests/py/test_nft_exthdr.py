"""Issue 18: `tcp option maxseg size set rt mtu` on packets
(nat/nftables/nft_exthdr.c: nft_rt's TCPMSS value into nft_exthdr's set).

The MSS option of a SYN is lowered to the smaller route MTU of the two
directions less 40, never raised, and the TCP checksum stays valid; the
same clamping firewall4 writes (topologies/real/openwrt-fw4.scn, compared
with Linux in test_kernel_compare.py).
"""
from conftest import ROUTER_PAIR, TCP, explain, ip_pkts, pcap, run, write_scn


def mss_of(pkts, **kw):
    return [(str(p[TCP].flags), dict(p[TCP].options).get("MSS"))
            for p in ip_pkts(pkts, proto=6, **kw) if p[TCP].flags & 0x02]


def test_rt_mtu_clamps_both_directions_and_never_raises(tmp_path):
    scn = write_scn(tmp_path, "mss", "\n" + ROUTER_PAIR + """
        s: listen tcp 80
        s: ip link set eth0 mtu 1400
        r: ip link set eth1 mtu 1400
        r: nft add table inet f
        r: nft 'add chain inet f clamp { type filter hook forward priority mangle; }'
        r: nft add rule inet f clamp tcp flags syn / syn,rst tcp option maxseg size set rt mtu
        c: ip link set eth0 mtu 1300
        r: ip link set eth0 mtu 1300
        at 1s c: tcp connect 10.0.2.2:80 sport 4000 send 100 close
        end 2s
    """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert "maxseg" not in res.stderr, res.stderr
    out = tmp_path / "out"
    # c's SYN carries 1260 (its own 1300 - 40): below the route's 1360, kept
    assert mss_of(pcap(out, "c", "eth0"), sport=4000) == [("S", 1260)]
    assert mss_of(pcap(out, "s", "eth0"), sport=4000) == [("S", 1260)]
    # s's SYN/ACK (1360) is lowered to min(1400, 1300) - 40 on its way to c
    assert mss_of(pcap(out, "s", "eth0"), dport=4000) == [("SA", 1360)]
    got = [p for p in ip_pkts(pcap(out, "c", "eth0"), proto=6, dport=4000) if p[TCP].flags & 0x02]
    assert [dict(p[TCP].options)["MSS"] for p in got] == [1260]
    # the checksum was updated: scapy recomputes it from the bytes
    p = got[0].copy()
    wire = p[TCP].chksum
    del p[TCP].chksum
    assert p.__class__(bytes(p))[TCP].chksum == wire
