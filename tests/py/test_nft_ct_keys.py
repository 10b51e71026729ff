"""Issue 18: nft_ct's other keys, `ct zone set` and `ct count`
(nat/nftables/nft_ct.c, nat/conntrack/nf_conncount.c).

`ct [original|reply] zone|bytes|packets|avgpkt`, `ct l3proto`, `ct
protocol`, `ct expiration` load from natsim's conntrack entry as
nft_ct_get_eval does; `ct count [over] N` is nft_connlimit over the list
walk xt_connlimit uses, in a rule or in set elements (`add @s { ip saddr
ct count over N }`); `ct zone set N` attaches the zone template before
conntrack. Relational `<`, `>`, `<=`, `>=` compare any numeric key.
The listings were measured with nft 1.0.6 on Linux 6.18; the scenario
topologies/nft-ct-keys.scn is kernel-compared (test_kernel_compare.py),
so its counters below are Linux's too.
"""
from conftest import (ROUTER_PAIR, TCP, TOPOLOGIES, explain, ip_pkts, outputs, pcap, run,
                      write_scn)


def blocks(res, node, cmd):
    return [o.lines for o in outputs(res.stdout, node, cmd)]


def test_ct_keys_scenario_counts_as_linux(tmp_path):
    """topologies/nft-ct-keys.scn: each key's rule counts the packets Linux
    counted; ct count over 2 drops the 3rd and 4th connection (and a
    repeat whose walk stops before a stale tuple), the set element's
    ct count over 1 the second source port; zone set shows in conntrack -L;
    a rule reading bytes turned nf_conntrack_acct on."""
    res = run(TOPOLOGIES / "nft-ct-keys.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    [rs] = blocks(res, "router", "nft list ruleset")
    for line in [
            "ct zone 5 counter packets 2 bytes 184",
            "ct original zone 6 ct reply zone 0 counter packets 4 bytes 424",
            "ct protocol udp counter packets 33 bytes 3448",
            "ct protocol != udp counter packets 0 bytes 0",
            "udp dport 9 ct count over 2 counter packets 3 bytes 276 drop",
            "udp dport 10 ct original packets > 2 counter packets 2 bytes 184 drop",
            "udp dport 11 ct expiration < 1s counter packets 1 bytes 92",
            "udp dport 11 ct expiration > 25s counter packets 2 bytes 184",
            "udp dport 12 ct original bytes > 200 counter packets 2 bytes 256",
            "udp sport 12 ct reply packets 2 counter packets 1 bytes 128",
            "udp sport 12 ct packets >= 5 counter packets 1 bytes 128",
            "udp dport 12 ct avgpkt 128 counter packets 3 bytes 384",
            "udp sport 12 ct original avgpkt 128 ct reply avgpkt 128 counter packets 3 bytes 384",
            "udp dport 12 ct bytes 128-300 counter packets 1 bytes 128",
            "udp dport 13 add @persrc { ip saddr ct count over 1 } counter packets 2 bytes 184 drop",
            "elements = { 10.0.1.2 ct count over 1 }"]:
        assert "\t\t" + line in rs, (line, rs)
    [acct] = blocks(res, "router", "sysctl net.netfilter.nf_conntrack_acct")
    assert acct == ["net.netfilter.nf_conntrack_acct = 1"]
    [z7] = blocks(res, "router", "conntrack -L -p udp --dport 7")
    assert " zone=5 " in z7[0], z7
    [z8] = blocks(res, "router", "conntrack -L -p udp --dport 8")
    assert " dport=8 zone-orig=6 " in z8[0] and " zone=" not in z8[0], z8


LISTED = [
    # typed -> listed by nft 1.0.6 (inet table)
    ("ct expiration 1500ms", "ct expiration 1s500ms"),
    ("ct expiration 10-20", "ct expiration 10s-20s"),
    ("ct expiration { 5s, 10s }", "ct expiration { 5s, 10s }"),
    ("ct expiration != 30s", "ct expiration != 30s"),
    ("ct expiration <= 2m", "ct expiration <= 2m"),
    ("ct expiration 0", "ct expiration "),
    ("ct count over 5 counter", "ct count over 5 counter packets 0 bytes 0"),
    ("ct count 5", "ct count 5"),
    ("ct zone { 1, 2 }", "ct zone { 1, 2 }"),
    ("ct zone lt 3", "ct zone < 3"),
    ("ct original zone 2", "ct original zone 2"),
    ("ct reply zone set 4", "ct reply zone set 4"),
    ("ct zone set 65535", "ct zone set 65535"),
    ("ct l3proto 2", "ct l3proto ipv4"),
    ("ct original l3proto ipv6", "ct l3proto ipv6"),
    ("ct reply protocol 6", "ct protocol tcp"),
    ("ct protocol { tcp, udp }", "ct protocol { tcp, udp }"),
    ("ct bytes le 1000", "ct bytes <= 1000"),
    ("ct reply bytes >= 1000", "ct reply bytes >= 1000"),
    ("ct packets gt 3", "ct packets > 3"),
    ("ct original avgpkt < 0", "ct original avgpkt < 0"),
    ("ct bytes & 0xff == 1", "ct bytes & 255 == 1"),
    ("ct l3proto ipv4 ct protocol udp", "ct protocol udp"),
    ("ct l3proto ipv4 ct zone 1", "ct l3proto ipv4 ct zone 1"),
    ("ct l3proto ipv4 ct protocol udp udp dport 1", "udp dport 1"),
    ("ct protocol udp udp dport 1", "ct protocol udp udp dport 1"),
    ("ct l3proto ipv4 ip saddr 1.2.3.4", "ip saddr 1.2.3.4"),
    ("ct protocol udp ct l3proto ipv4", "ct protocol udp ct l3proto ipv4"),
    ("meta nfproto ipv4 ct protocol udp", "ct protocol udp"),
    ("ct l3proto != ipv4 ct protocol udp", "ct l3proto != ipv4 ct protocol udp"),
    ("ct event set destroy,new", "ct event set new,destroy"),
    ("ct event set new,label", "ct event set new,label"),
    ("ct event set 5", "ct event set new,destroy"),
    ("ct event set 0", "ct event set 0x0"),
    ("ct event set 0x800", "ct event set 0x800"),
    ("ct label 0", "ct label 0"),
    ("ct label == 5", "ct label == 5"),
    ("ct label != 127", "ct label != 127"),
    ("ct label set 0x10", "ct label set 16"),
]


def listing(tmp_path, family, rules):
    body = "".join(f"\t\t{r}\n" for r in rules)
    (tmp_path / "r.nft").write_text(
        f"table {family} t {{\n\tchain c {{\n\t\ttype filter hook forward priority 0;\n"
        f"{body}\t}}\n}}\n")
    scn = write_scn(tmp_path, "l", ROUTER_PAIR + """
        r: nft -f r.nft
        r: nft list ruleset
        """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    [rs] = blocks(res, "r", "nft list ruleset")
    return rs[3:3 + len(rules)]


def test_listings_as_nft(tmp_path):
    got = listing(tmp_path, "inet", [t for t, _ in LISTED])
    assert got == ["\t\t" + want for _, want in LISTED]


def test_ip_table_kills_ct_protocol_before_its_field(tmp_path):
    """In an ip table `ct protocol udp` before `udp dport` is a dependency
    nft does not list (as `ip protocol`); inet keeps it."""
    got = listing(tmp_path, "ip", ["ct protocol udp udp dport 1", "ct protocol tcp udp dport 1",
                                   "ct l3proto ipv4 ct state new"])
    assert got == ["\t\tudp dport 1", "\t\tct protocol tcp udp dport 1",
                   "\t\tct l3proto ipv4 ct state new"]


def server_sports(tmp_path):
    """The source ports of the connections whose SYN reached the server."""
    pk = ip_pkts(pcap(tmp_path / "out", "s", "eth0"), proto=6)
    return sorted({p[TCP].sport for p in pk if p[TCP].flags & 0x02 and p[TCP].dport == 80})


def tcp_scn(tmp_path, rules, extra=""):
    (tmp_path / "r.nft").write_text("table ip t {\n" + rules + "}\n")
    return write_scn(tmp_path, "t", ROUTER_PAIR + """
        s: listen tcp 80
        r: nft -f r.nft
        at 1s c: tcp connect 10.0.2.2:80 sport 40001 send 100 hold
        at 1.2s c: tcp connect 10.0.2.2:80 sport 40002 send 100 hold
        at 1.4s c: tcp connect 10.0.2.2:80 sport 40003 send 100 hold
        """ + extra)


def test_ct_count_limits_tcp_connections(tmp_path):
    """The classic per-destination limit: the 3rd connection's SYN is over 2
    and dropped; the two held ones go on (their packets still count 2)."""
    scn = tcp_scn(tmp_path, """
	chain f {
		type filter hook forward priority 0;
		tcp dport 80 ct count over 2 counter drop
	}
""", """
        at 3s r: nft list ruleset
        expect s:eth0 saw tcp src 10.0.1.2:40003 dst 10.0.2.2:80 count 0
        end 4s
        """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert sorted(server_sports(tmp_path)) == [40001, 40002], server_sports(tmp_path)
    [rs] = blocks(res, "r", "nft list ruleset")
    line = [l for l in rs if "ct count" in l][0]
    # the SYN and its retransmissions of 40003, nothing of the others
    assert line.startswith("\t\ttcp dport 80 ct count over 2 counter packets ") and \
        " packets 0 " not in line, line


def test_ct_count_per_source_set_element(tmp_path):
    """`add @s { ip saddr ct count over 1 } drop`: the element holds its own
    list; a connection at most the 1st leaves the rule at the element's
    connlimit (NFT_BREAK), the 2nd and 3rd are over and dropped (the 3rd's
    walk drops the 2nd's stale tuple first)."""
    scn = tcp_scn(tmp_path, """
	set s { type ipv4_addr; flags dynamic; }
	chain f {
		type filter hook forward priority 0;
		ct state new add @s { ip saddr ct count over 1 } counter drop
	}
""", """
        at 3s r: nft list set ip t s
        expect s:eth0 saw tcp src 10.0.1.2:40002 dst 10.0.2.2:80 count 0
        expect s:eth0 saw tcp src 10.0.1.2:40003 dst 10.0.2.2:80 count 0
        end 4s
        """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert server_sports(tmp_path) == [40001], server_sports(tmp_path)
    [s] = blocks(res, "r", "nft list set ip t s")
    assert "\t\telements = { 10.0.1.2 ct count over 1 }" in s, s


def udp_scn(tmp_path, nft, extra):
    (tmp_path / "r.nft").write_text(nft)
    return write_scn(tmp_path, "u", ROUTER_PAIR + """
        s: listen udp 9
        r: nft -f r.nft
        """ + extra)


def test_zone_set_after_conntrack_does_nothing(tmp_path):
    """`ct zone set` at priority filter: conntrack has attached the entry
    already (nft_ct_set_zone_eval leaves a packet with an nfct alone)."""
    scn = udp_scn(tmp_path, """table ip t {
	chain pre {
		type filter hook prerouting priority 0;
		ct zone set 7
	}
	chain f {
		type filter hook forward priority 0;
		ct zone 0 counter
		ct zone 7 counter
	}
}
""", """
        at 1s c: udp send 10.0.2.2:9 sport 5000 count 2 interval 100ms
        at 2s r: nft list ruleset
        at 2s r: conntrack -L
        end 3s
        """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    [rs] = blocks(res, "r", "nft list ruleset")
    assert "\t\tct zone 0 counter packets 2 bytes 184" in rs, rs
    assert "\t\tct zone 7 counter packets 0 bytes 0" in rs, rs
    [ct] = blocks(res, "r", "conntrack -L")
    assert "zone" not in ct[0], ct


def test_counters_without_acct_read_zero(tmp_path):
    """An entry made while nf_conntrack_acct is 0 has no counters:
    nft_ct_get_eval loads 0 for bytes, packets and avgpkt. A ruleset
    without those keys leaves the sysctl alone."""
    scn = udp_scn(tmp_path, """table ip t {
	chain f {
		type filter hook forward priority 0;
		ct zone 0 counter
	}
}
""", """
        r: sysctl net.netfilter.nf_conntrack_acct
        r: nft 'add rule ip t f ct packets 0 ct bytes 0 ct avgpkt 0 counter'
        r: sysctl -w net.netfilter.nf_conntrack_acct=0
        at 1s c: udp send 10.0.2.2:9 sport 5000 count 3 interval 100ms
        at 2s r: nft list chain ip t f
        end 3s
        """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    [before] = blocks(res, "r", "sysctl net.netfilter.nf_conntrack_acct")
    assert before == ["net.netfilter.nf_conntrack_acct = 0"]
    [rs] = blocks(res, "r", "nft list chain ip t f")
    assert "\t\tct packets 0 ct bytes 0 ct avgpkt 0 counter packets 3 bytes 276" in rs, rs


def test_expiration_is_the_refreshed_timeout(tmp_path):
    """UDP's 30 s, refreshed by each datagram before the forward hook:
    `ct expiration 30s` holds for every datagram but the first (whose entry
    is unconfirmed: 0). The server listens: no ICMP errors to count."""
    scn = udp_scn(tmp_path, """table ip t {
	chain f {
		type filter hook forward priority 0;
		ct expiration 30s counter
		ct expiration 0 counter
	}
}
""", """
        at 1s c: udp send 10.0.2.2:9 sport 5000 count 4 interval 1s
        at 6s r: nft list ruleset
        end 7s
        """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    [rs] = blocks(res, "r", "nft list ruleset")
    assert "\t\tct expiration 30s counter packets 3 bytes 276" in rs, rs
    assert "\t\tct expiration  counter packets 1 bytes 92" in rs, rs


def test_unbuilt_ct_forms_say_natsim(tmp_path):
    for rule, what in [("ct label { 1, 2 }", "ct label with other than one label number"),
                       ("ct event set meta mark", "ct event set from"),
                       ("ct zone set mark", "ct zone set from an expression"),
                       ("ct bytes > 5000000000", "values above 32 bits")]:
        (tmp_path / "r.nft").write_text(
            f"table ip t {{\n\tchain c {{\n\t\ttype filter hook forward priority 0;\n"
            f"\t\t{rule}\n\t}}\n}}\n")
        scn = write_scn(tmp_path, "e", ROUTER_PAIR + """
            r: nft -f r.nft
            """)
        res = run(scn, out=tmp_path / "out")
        assert res.rc != 0 and "natsim: nft" in res.stderr and what in res.stderr, \
            (rule, res.stderr)


def test_ct_event_set_masks_conntrack_events(tmp_path):
    """topologies/nft-ct-event.scn (kernel-compared): `ct event set new`
    leaves the entry its NEW only, `destroy` its DESTROY only, `0`
    nothing; an entry no rule touched reports NEW, UPDATE, DESTROY."""
    res = run(TOPOLOGIES / "nft-ct-event.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    ev = (tmp_path / "out" / "conntrack-events.log").read_text().splitlines()
    kinds = {}
    for line in ev:
        port = line.split(" dport=")[1].split()[0]
        kinds.setdefault(port, []).append(line.split("[")[2].split("]")[0])
    assert kinds == {"9": ["NEW"], "10": ["DESTROY"], "12": ["NEW", "UPDATE", "DESTROY"]}, ev


def test_ct_label_bits(tmp_path):
    """topologies/nft-ct-label.scn (kernel-compared): `ct label N` tests
    the bit, `== N` / `!= N` compare the whole label set with that one bit
    (an entry labelled 3 and 100 is `!= 3`); no label event of its own."""
    res = run(TOPOLOGIES / "nft-ct-label.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    [rs] = blocks(res, "r", "nft list ruleset")
    for line in ["ct label 3 counter packets 8 bytes 736", "ct label 100 counter packets 4 bytes 368",
                 "ct label 4 counter packets 0 bytes 0", "ct label != 3 counter packets 12 bytes 1104",
                 "ct label == 3 counter packets 4 bytes 368",
                 "ct label == 100 counter packets 0 bytes 0",
                 "ct label != 4 counter packets 16 bytes 1472"]:
        assert "\t\t" + line in rs, (line, rs)
    ev = (tmp_path / "out" / "conntrack-events.log").read_text().splitlines()
    assert len(ev) == 8, ev   # NEW and UPDATE (the reply) of each of 4 entries


def test_ct_zone_is_16_bits(tmp_path):
    (tmp_path / "r.nft").write_text(
        "table ip t {\n\tchain c {\n\t\ttype filter hook forward priority 0;\n"
        "\t\tct zone { 1, 65536 }\n\t}\n}\n")
    scn = write_scn(tmp_path, "e", ROUTER_PAIR + """
        r: nft -f r.nft
        """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc != 0 and "r.nft:4:16-20: Error: Value 65536 exceeds valid range 0-65535" \
        in res.stderr, res.stderr


def test_ct_label_out_of_range(tmp_path):
    (tmp_path / "r.nft").write_text(
        "table ip t {\n\tchain c {\n\t\ttype filter hook forward priority 0;\n"
        "\t\tct label set 128\n\t}\n}\n")
    scn = write_scn(tmp_path, "e", ROUTER_PAIR + """
        r: nft -f r.nft
        """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc != 0 and "Error: 128: bit 128 out of range (128 max)" in res.stderr, res.stderr
