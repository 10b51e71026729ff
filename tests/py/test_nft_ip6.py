"""Issue 18: IPv6 selectors in inet tables (nat/nftables/nft_ip6.c).

natsim's packets are IPv4: an ip6 or icmpv6 selector carries the implicit
`meta nfproto ipv6` the kernel evaluates first, so an IPv4 packet never
matches one, negated or not, nor reaches a `reject with icmpv6` (nft
inserts the same dependency before it). The listings are tested against
the real nft's in test_nft.py (tests/nft/rulesets/ip6-selectors.nft).
"""
from conftest import ROUTER_PAIR, UDP, explain, ip_pkts, outputs, pcap, run, write_scn

RULESET = """\
table inet f {
	set s7 { type ipv6_addr; elements = { ::1, 2001:db8::1 } }
	chain forward {
		type filter hook forward priority filter; policy accept;
		ip6 saddr != ::1 counter drop
		ip6 daddr != @s7 counter drop
		ip6 saddr ::/0 counter drop
		ip6 nexthdr != 0 counter drop
		ip6 hoplimit != 7 counter drop
		icmpv6 type != 1 counter drop
		icmpv6 type . icmpv6 code { 1 . 0, 4 . 1 } counter drop
		meta nfproto ipv6 counter drop
		udp dport 7 counter reject with icmpv6 admin-prohibited
		udp dport 7 reject with icmpv6 port-unreachable
		meta nfproto ipv6 reject
		ip saddr 10.0.1.2 udp dport 7 counter
	}
}
"""


def test_ipv4_packets_never_match_ip6_selectors(tmp_path):
    (tmp_path / "f.nft").write_text(RULESET)
    scn = write_scn(tmp_path, "ip6", "\n" + ROUTER_PAIR + """
        r: nft -f f.nft
        at 1s c: udp send 10.0.2.2:7 sport 4000
        at 1s c: udp send 10.0.2.2:7 sport 4001
        at 1.5s r: nft list ruleset
        end 2s
    """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    # both datagrams crossed the router, the router rejected none
    s = pcap(tmp_path / "out", "s", "eth0")
    assert len(ip_pkts(s, proto=17, dport=7)) == 2, [p.summary() for p in s]
    c = pcap(tmp_path / "out", "c", "eth0")
    assert not ip_pkts(c, proto=1, src="10.0.1.1"), [p.summary() for p in c]
    lines = [l.strip() for l in outputs(res.stdout, "r", "nft list ruleset")[-1].lines]
    counted = [l for l in lines if "counter packets" in l]
    assert len(counted) == 10, lines
    # every ip6/icmpv6/nfproto ipv6 rule counted nothing (the reject's
    # dependency is evaluated first in its rule); the IPv4 rule both
    assert all("counter packets 0 bytes 0 drop" in l for l in counted[:8]), counted
    assert counted[8] == "udp dport 7 counter packets 0 bytes 0 reject with icmpv6 admin-prohibited"
    assert counted[9].startswith("ip saddr 10.0.1.2 udp dport 7 counter packets 2 "), counted
    # the reject's dependency is the kernel's, not listed
    assert "udp dport 7 reject with icmpv6 port-unreachable" in lines, lines
    assert "reject with icmpv6 port-unreachable" in lines, lines


def test_tcp_reset_in_inet_table_only_for_tcp(tmp_path):
    """nft puts `meta l4proto tcp` at the head of an inet rule whose `reject
    with tcp reset` nothing restricts to TCP: a UDP datagram does not match
    the rule (it is neither counted nor rejected) and goes on."""
    scn = write_scn(tmp_path, "rst", "\n" + ROUTER_PAIR + """
        s: listen tcp 80
        r: nft add table inet f
        r: nft 'add chain inet f forward { type filter hook forward priority 0; }'
        r: nft add rule inet f forward ip daddr 10.0.2.2 counter reject with tcp reset
        at 1s c: udp send 10.0.2.2:7 sport 4000
        at 1s c: tcp connect 10.0.2.2:80 sport 4001
        at 1.5s r: nft list ruleset
        end 2s
    """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    s = pcap(tmp_path / "out", "s", "eth0")
    assert len(ip_pkts(s, proto=17, dport=7)) == 1, [p.summary() for p in s]
    assert not ip_pkts(s, proto=6)
    c = pcap(tmp_path / "out", "c", "eth0")
    rst = ip_pkts(c, proto=6, src="10.0.2.2", sport=80, dport=4001)
    assert rst and rst[0]["TCP"].flags & 0x04, [p.summary() for p in c]
    lines = [l.strip() for l in outputs(res.stdout, "r", "nft list ruleset")[-1].lines]
    assert "meta l4proto tcp ip daddr 10.0.2.2 counter packets 1 bytes 60 reject with tcp reset" \
        in lines, lines
