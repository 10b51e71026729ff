"""Issue 18: statements of set elements (nat/nftables/nft_setelem_expr.c).

A set declared `counter;` (or `limit ...;`, `quota ...;`) gives each
element its own; elements carry `counter packets N bytes M`, a limit and
a `comment`; `add|update @set { KEY STMT }` gives the elements it adds
their statements (a per-key limit); `meter NAME { KEY STMT }` is nft
1.0.6's spelling of that into a set of its own, listed by `list meters`.
Facts measured on the host's 6.18 kernel with nft 1.0.6: a lookup
(`ip saddr @set`, a verdict map) updates the element's counter and an
element's limit or quota breaks the lookup's rule; a dynset into a set
with statements lists without its own. The listings and errors without
traffic are recorded in tests/nft (rulesets/setelem*.nft,
commands/setelem) and compared by test_nft.py; the two scenarios here are
kernel-compared (test_kernel_compare.py).
"""
from conftest import (ROUTER_PAIR, TOPOLOGIES, UDP, explain, ip_pkts, outputs, pcap, run,
                      write_scn)


def blocks(res, node, cmd):
    return [o.lines for o in outputs(res.stdout, node, cmd)]


def sports(tmp_path, dport, server="server"):
    s = pcap(tmp_path / "out", server, "eth0")
    return [p[UDP].sport for p in ip_pkts(s, proto=17) if p[UDP].dport == dport]


def test_meter_and_dynset_limits_are_per_key(tmp_path):
    """topologies/nft-meter.scn: two streams to port 9 through `meter persrc
    { ip saddr . udp sport limit rate 1/second burst 2 packets }` pass 4 of
    8 each (one shared bucket would pass 4 in all); `update @over { ...
    limit rate over ... } drop` drops 4 of each stream to port 10; @q's
    element quota passes 2 datagrams to port 11."""
    res = run(TOPOLOGIES / "nft-meter.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    p9 = sports(tmp_path, 9)
    assert sorted(p9) == [5001] * 4 + [5002] * 4, p9
    p10 = sports(tmp_path, 10)
    assert sorted(p10) == [5003] * 4 + [5004] * 4, p10
    assert sports(tmp_path, 11) == [5005, 5005]
    [rs] = blocks(res, "router", "nft list ruleset")
    # the lookup counts every datagram from the client in its element
    assert ('\t\telements = { 10.0.1.2 counter packets 36 bytes 3312 comment "the client", '
            '10.0.1.99 counter packets 0 bytes 0 }') in rs, rs
    assert ("\t\telements = { 10.0.1.2 . 5001 counter packets 8 bytes 736,\n"
            "\t\t\t     10.0.1.2 . 5002 counter packets 8 bytes 736,") in "\n".join(rs), rs
    assert "\t\telements = { 11 quota 200 bytes used 200 bytes }" in rs, rs
    assert ("\t\tudp dport 9 meter persrc size 65535 { ip saddr . udp sport limit rate "
            "1/second burst 2 packets } counter packets 8 bytes 736 accept") in rs, rs
    assert "\t\tadd @flows { ip saddr . udp sport counter }" in rs, rs
    [meters] = blocks(res, "router", "nft list meters")
    assert meters == [
        "table ip t {", "\tmeter persrc {", "\t\ttype ipv4_addr . inet_service",
        "\t\tsize 65535", "\t\tflags dynamic",
        "\t\telements = { 10.0.1.2 . 5001 limit rate 1/second burst 2 packets, "
        "10.0.1.2 . 5002 limit rate 1/second burst 2 packets }", "\t}", "}"], meters
    [flows] = blocks(res, "router", "nft -s list set ip t flows")
    assert "\t\telements = { 10.0.1.2 . 5001 counter," in flows, flows


def test_meter_element_expires_and_comes_back_with_a_full_bucket(tmp_path):
    """topologies/nft-meter-timeout.scn: the meter's element (timeout 1s,
    1 packet a minute) passes the datagram at 1 s, drops the one at 1.4 s,
    expires at 2 s, so the one at 2.6 s passes again; a verdict map's
    element counters count what each verdict took; `!= @s` counts nothing
    in @s's element."""
    res = run(TOPOLOGIES / "nft-meter-timeout.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    s = pcap(tmp_path / "out", "server", "eth0")
    times = [round(float(p.time), 1) for p in ip_pkts(s, proto=17) if p[UDP].dport == 11]
    assert times == [1.0, 2.6], times
    [vm] = blocks(res, "router", "nft list map ip t vm")
    assert ("\t\telements = { 9 counter packets 3 bytes 276 : accept, "
            "10 counter packets 2 bytes 184 : drop }") in vm, vm
    [st] = blocks(res, "router", "nft list set ip t s")
    assert "\t\telements = { 10.0.1.2 counter packets 0 bytes 0 }" in st, st


def test_element_limit_breaks_the_lookup_and_dynset_takes_the_sets_statements(tmp_path):
    """A set declared `limit rate 1/second burst 2 packets`: its elements
    (given without statements) get that limit, and the lookup's rule
    matches only the first 2 of 5 datagrams 10 ms apart (6.18: lookups
    run the element's expressions). A rule's `add @two { ip saddr }` into a
    set declared `counter quota 1000 bytes` gives each new element both;
    `add @q { ip saddr quota 100 bytes }` into a set declared with the same
    quota lists without its own (nft_dynset_dump)."""
    (tmp_path / "r.nft").write_text("""\
table ip t {
	set lim { type ipv4_addr; limit rate 1/second burst 2 packets; elements = { 10.0.1.2 } }
	set two { type ipv4_addr; flags dynamic; counter quota 1000 bytes; }
	set q { type ipv4_addr; quota 100 bytes; }
	chain f {
		type filter hook forward priority 0;
		udp dport 9 ip saddr @lim counter accept
		udp dport 9 counter drop
		udp dport 10 add @two { ip saddr } counter
		udp dport 10 add @q { ip saddr quota 100 bytes } counter accept
		udp dport 10 counter drop
	}
}
""")
    scn = write_scn(tmp_path, "t", ROUTER_PAIR + """
        r: nft -f r.nft
        at 1s c: udp send 10.0.2.2:9 sport 5009 count 5 interval 10ms
        at 1s c: udp send 10.0.2.2:10 sport 5010 count 5 interval 10ms
        at 2s r: nft list ruleset
        end 3s
        """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert sports(tmp_path, 9, "s") == [5009, 5009]
    # quota 100 bytes, 92 per datagram: the 2nd reaches 184 and breaks
    assert sports(tmp_path, 10, "s") == [5010]
    [rs] = blocks(res, "r", "nft list ruleset")
    assert ("\t\telements = { 10.0.1.2 counter packets 5 bytes 460 quota 1000 bytes "
            "used 460 bytes }") in rs, rs
    assert "\t\telements = { 10.0.1.2 quota 100 bytes used 100 bytes }" in rs, rs
    assert "\t\tudp dport 10 add @q { ip saddr } counter packets 1 bytes 92 accept" in rs, rs
    assert ("\t\tudp dport 9 ip saddr @lim counter packets 2 bytes 184 accept") in rs, rs


def test_what_natsim_lacks_is_said_in_its_voice(tmp_path):
    """More than NFT_SET_EXPR_MAX (2) statements are not built: natsim says
    so (`ct count` in elements is built: test_nft_ct_keys.py)."""
    scn = write_scn(tmp_path, "t", """
        router r
        r: nft add table ip t
        r: nft add chain ip t c
        r: nft 'add set ip t s { type ipv4_addr; flags dynamic; ct count 3; }'
        r: ! nft 'add rule ip t c add @s { ip saddr counter limit rate 1/second quota 9 bytes }'
        """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert ("Error: natsim: nft more than 2 statements of a set element is not implemented"
            in res.stderr)


def test_masked_meter_key_shares_one_bucket_per_prefix(tmp_path):
    """iptables-translate's hashlimit masks: `meter m { ip daddr and
    255.255.255.0 limit ... }` keys on the /24 (nft_bitwise before the
    dynset), so datagrams to 10.0.2.2 and 10.0.2.3 share one bucket of 2:
    2 of 4 pass, and the meter holds the one element 10.0.2.0 (unmasked,
    each address would have its own bucket and all 4 would pass). The rule
    lists the mask as nft does (`&`; recorded in commands/setelem-xlate)."""
    (tmp_path / "r.nft").write_text("""\
table ip t {
	chain f {
		type filter hook forward priority 0;
		udp dport 9 meter m { ip daddr and 255.255.255.0 limit rate 1/minute burst 2 packets } counter accept
		udp dport 9 counter drop
	}
}
""")
    scn = write_scn(tmp_path, "t", ROUTER_PAIR + """
        r: nft -f r.nft
        at 1s c: udp send 10.0.2.2:9 sport 5009 count 2 interval 10ms
        at 1.1s c: udp send 10.0.2.3:9 sport 5009 count 2 interval 10ms
        at 2s r: nft list meters
        at 2s r: nft list ruleset
        end 3s
        """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    [m] = blocks(res, "r", "nft list meters")
    assert "\t\telements = { 10.0.2.0 limit rate 1/minute burst 2 packets }" in m, m
    [rs] = blocks(res, "r", "nft list ruleset")
    assert ("\t\tudp dport 9 meter m size 65535 { ip daddr & 255.255.255.0 limit rate "
            "1/minute burst 2 packets } counter packets 2 bytes 184 accept") in rs, rs
    assert "\t\tudp dport 9 counter packets 2 bytes 184 drop" in rs, rs
