"""Issue 18 phase 2: nft rulesets applied to packets (nat/nftables/nft_hooks.c,
nft_eval.c), asserted on the pcaps, the kernel log, `conntrack -L` and the
counters `nft list ruleset` shows after the traffic.

topologies/nft-nat.scn is a NAT router written in nft (masquerade, a dnat
port forward, a forward filter with `ct state established,related accept`
and policy drop); the other scenarios here are small, one behaviour each:
an nft chain and an iptables table on the same hook in priority order,
reject, log, marks, notrack, snat ranges, and what natsim says it does not
evaluate.
"""
import re

from conftest import (ICMP, IP, ROUTER_PAIR, TCP, TOPOLOGIES, UDP, explain, ip_pkts,
                      kernel_log, outputs, pcap, run, write_scn)

# two hosts on either side of a router: c 10.0.1.2 (eth0), s 10.0.2.2 (eth1)
PAIR = ROUTER_PAIR


def pair_run(tmp_path, name, body, files=()):
    for fname, text in files:
        (tmp_path / fname).write_text(text)
    scn = write_scn(tmp_path, name, PAIR + body)
    return run(scn, "--trace", out=tmp_path / "out")


def listing(res, node="r"):
    """The last `nft list ruleset` output of node."""
    return outputs(res.stdout, node, "nft list ruleset")[-1].lines


# --------------------------------------------------------------------------
# topologies/nft-nat.scn


def test_nft_nat_router(tmp_path):
    res = run(TOPOLOGIES / "nft-nat.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    out = tmp_path / "out"
    outside = pcap(out, "outside", "eth0")
    # masquerade: c's connection leaves with the router's address, port kept
    masq = ip_pkts(outside, proto=6, dst="203.0.113.50", dport=80)
    assert len(masq) >= 5
    assert {(p[IP].src, p[TCP].sport) for p in masq} == {("203.0.113.1", 40000)}
    assert not [p for p in outside if IP in p and p[IP].src.startswith("192.168.")]
    # the replies reach c translated back
    c = pcap(out, "c", "eth0")
    assert len(ip_pkts(c, proto=6, src="203.0.113.50", dst="192.168.1.20", dport=40000)) >= 3
    # dnat port forward: web sees the connection to its port 80 ...
    web = pcap(out, "web", "eth0")
    forward = ip_pkts(web, proto=6, src="203.0.113.50", dst="192.168.1.10", sport=33000, dport=80)
    assert len(forward) >= 5
    # ... and outside sees the answers from the router's port 8080
    back = ip_pkts(outside, proto=6, dst="203.0.113.50", dport=33000)
    assert back and {(p[IP].src, p[TCP].sport) for p in back} == {("203.0.113.1", 8080)}
    # policy drop: the connection to port 22 never reaches web
    assert not ip_pkts(web, proto=6, dport=22)
    # counters after the traffic, as nft lists them at 1.5 s (one SYN each
    # through the nat chains, the dropped SYN counted and logged once)
    lst = listing(res, "router")
    assert '\t\tiifname "eth1" tcp dport 8080 counter packets 1 bytes 60 dnat to 192.168.1.10:80' \
        in lst, lst
    assert '\t\toifname "eth1" counter packets 1 bytes 60 masquerade' in lst, lst
    assert '\t\tiifname "eth0" oifname "eth1" counter packets 1 bytes 60 accept' in lst, lst
    assert '\t\tct status dnat counter packets 1 bytes 60 accept' in lst, lst
    assert '\t\tcounter packets 1 bytes 60 log prefix "nft-drop: "' in lst, lst
    est = [l for l in lst if l.startswith("\t\tct state established,related counter")]
    assert est and int(re.search(r"packets (\d+)", est[0])[1]) >= 10, lst
    # the log statement's line is the kernel's nf_log line
    logs = [t for _, n, t in kernel_log(out, "router")]
    assert logs and all(re.match(
        r"^nft-drop: IN=eth1 OUT=eth0 MAC=(?:[0-9a-f]{2}:){13}[0-9a-f]{2} SRC=203\.0\.113\.50 "
        r"DST=192\.168\.1\.10 LEN=60 TOS=0x00 PREC=0x00 TTL=63 ID=\d+ DF PROTO=TCP SPT=33001 "
        r"DPT=22 WINDOW=\d+ RES=0x00 SYN URGP=0 $", t) for t in logs), logs


# --------------------------------------------------------------------------
# priority order with iptables


def test_nft_chain_and_iptables_table_in_priority_order(tmp_path):
    """nft at -5 runs before iptables' filter (0), nft at 10 after it: a
    packet dropped by the first never reaches the others' counters."""
    res = pair_run(tmp_path, "order", """
        r: iptables -A FORWARD -p udp --dport 9 -j DROP
        r: iptables -A FORWARD -p udp --dport 8 -j ACCEPT
        r: nft add table ip t
        r: nft 'add chain ip t early { type filter hook forward priority -5; }'
        r: nft 'add chain ip t late { type filter hook forward priority 10; }'
        r: nft add rule ip t early udp dport 7 counter drop
        r: nft add rule ip t early meta l4proto udp counter
        r: nft add rule ip t late meta l4proto udp counter
        at 1s c: udp send 10.0.2.2:7 sport 4000 count 2 interval 0.1s size 10
        at 1s c: udp send 10.0.2.2:8 sport 4001 count 3 interval 0.1s size 10
        at 1s c: udp send 10.0.2.2:9 sport 4002 count 4 interval 0.1s size 10
        at 2s r: nft list ruleset
        at 2s r: iptables -L FORWARD -v -n
        end 3s
    """)
    assert res.rc == 0, explain(res)
    lst = listing(res)
    # early: 2 dropped by its rule; 7 (ports 8 and 9) counted after it
    assert "\t\tudp dport 7 counter packets 2 bytes 76 drop" in lst, lst
    early, late = [l for l in lst if l == "\t\tmeta l4proto udp counter packets 7 bytes 266"], \
        [l for l in lst if l == "\t\tmeta l4proto udp counter packets 3 bytes 114"]
    # late: iptables dropped port 9's 4 and accepted port 8's 3... an
    # ACCEPT ends only its own table: nft at 10 still sees those 3
    assert early and late, lst
    ipt = outputs(res.stdout, "r", "iptables -L FORWARD")[-1].lines
    assert re.search(r"^\s+4\s+152 DROP", "\n".join(ipt), re.M), ipt
    s = pcap(tmp_path / "out", "s", "eth0")
    assert len(ip_pkts(s, proto=17, dport=7)) == 0
    assert len(ip_pkts(s, proto=17, dport=8)) == 3
    assert len(ip_pkts(s, proto=17, dport=9)) == 0
    # the walk reads in priority order
    walk = (tmp_path / "out" / "trace.log").read_text()
    block = walk[walk.index("UDP 10.0.1.2:4001 > 10.0.2.2:8"):]
    block = block[:block.index("leaves")]
    assert block.index("ip t early") < block.index("filter") < block.index("ip t late"), block


# --------------------------------------------------------------------------
# statements


def test_reject_answers_on_the_wire(tmp_path):
    res = pair_run(tmp_path, "reject", """
        s: listen tcp 23
        r: nft add table inet f
        r: nft 'add chain inet f forward { type filter hook forward priority 0; }'
        r: nft add rule inet f forward tcp dport 23 reject with tcp reset
        r: nft add rule inet f forward udp dport 7 reject
        r: nft add rule inet f forward udp dport 8 reject with icmp type admin-prohibited
        r: nft add rule inet f forward udp dport 9 reject with icmpx type no-route
        at 1s c: tcp connect 10.0.2.2:23 sport 5000
        at 1s c: udp send 10.0.2.2:7 sport 5001
        at 1s c: udp send 10.0.2.2:8 sport 5002
        at 1s c: udp send 10.0.2.2:9 sport 5003
        end 2s
    """)
    assert res.rc == 0, explain(res)
    c = pcap(tmp_path / "out", "c", "eth0")
    rst = ip_pkts(c, proto=6, src="10.0.2.2", sport=23, dport=5000)
    assert rst and rst[0][TCP].flags & 0x04, [p.summary() for p in c]
    icmp = [(p[ICMP].type, p[ICMP].code, p[ICMP].payload.dport)
            for p in ip_pkts(c, proto=1, src="10.0.1.1")]
    assert (3, 3, 7) in icmp and (3, 13, 8) in icmp and (3, 0, 9) in icmp, icmp
    s = pcap(tmp_path / "out", "s", "eth0")
    assert not ip_pkts(s, proto=17) and not ip_pkts(s, proto=6)


def test_nft_log_line_equals_iptables_log_line(tmp_path):
    """The kernel sends both through nf_log_packet: one line format."""
    res = pair_run(tmp_path, "log", """
        r: iptables -A FORWARD -p udp -j LOG --log-prefix "X "
        r: nft add table ip t
        r: nft 'add chain ip t forward { type filter hook forward priority 10; }'
        r: nft add rule ip t forward udp dport 7 log prefix '"X "'
        at 1s c: udp send 10.0.2.2:7 sport 4000
        end 2s
    """)
    assert res.rc == 0, explain(res)
    logs = [t for _, _, t in kernel_log(tmp_path / "out", "r")]
    assert len(logs) == 2 and logs[0] == logs[1], logs
    assert logs[0].startswith("X IN=eth0 OUT=eth1 MAC="), logs


def test_marks_and_ct_mark(tmp_path):
    res = pair_run(tmp_path, "marks", """
        s: listen tcp 80
        r: nft add table ip t
        r: nft 'add chain ip t pre { type filter hook prerouting priority mangle; }'
        r: nft add rule ip t pre tcp dport 80 ct state new ct mark set 0x2a
        r: nft add rule ip t pre ct mark 0x2a meta mark set 7
        r: nft 'add chain ip t forward { type filter hook forward priority 0; policy drop; }'
        r: nft add rule ip t forward meta mark 7 counter accept
        at 1s c: tcp connect 10.0.2.2:80 sport 6000 send 100 hold
        at 1.5s r: conntrack -L
        at 1.5s r: nft list ruleset
        end 2s
    """)
    assert res.rc == 0, explain(res)
    ct = outputs(res.stdout, "r", "conntrack -L")[-1].lines
    assert any("sport=6000" in l and "mark=42" in l for l in ct), ct
    # both directions carry ct mark 42, so meta mark 7, so the policy drop
    # lets them through: the connection works
    s = pcap(tmp_path / "out", "s", "eth0")
    assert ip_pkts(s, proto=6, sport=6000, dport=80)
    c = pcap(tmp_path / "out", "c", "eth0")
    assert ip_pkts(c, proto=6, sport=80, dport=6000)


def test_notrack_before_conntrack(tmp_path):
    res = pair_run(tmp_path, "notrack", """
        r: nft add table ip raw
        r: nft 'add chain ip raw pre { type filter hook prerouting priority raw; }'
        r: nft add rule ip raw pre udp dport 7 notrack
        r: nft add table ip f
        r: nft 'add chain ip f forward { type filter hook forward priority 0; policy drop; }'
        r: nft add rule ip f forward ct state untracked counter accept
        at 1s c: udp send 10.0.2.2:7 sport 4000 count 2 interval 0.1s size 4
        at 1s c: udp send 10.0.2.2:8 sport 4001 count 2 interval 0.1s size 4
        at 1.5s r: conntrack -L
        at 1.5s r: nft list ruleset
        end 2s
    """)
    assert res.rc == 0, explain(res)
    ct = outputs(res.stdout, "r", "conntrack -L")[-1].lines
    # port 7's datagrams were never tracked (port 8's entry died unconfirmed
    # with its packet at the policy drop)
    assert not any("dport=7 " in l for l in ct), ct
    assert "\t\tct state untracked counter packets 2 bytes 64 accept" in listing(res), listing(res)
    s = pcap(tmp_path / "out", "s", "eth0")
    assert len(ip_pkts(s, proto=17, dport=7)) == 2 and not ip_pkts(s, proto=17, dport=8)


def test_snat_range_and_redirect(tmp_path):
    res = pair_run(tmp_path, "snat", """
        r: nft add table ip nat
        r: nft 'add chain ip nat post { type nat hook postrouting priority srcnat; }'
        r: nft 'add chain ip nat pre { type nat hook prerouting priority dstnat; }'
        r: nft add rule ip nat post ip protocol udp snat to 10.0.2.100-10.0.2.101:2000-2009
        r: nft add rule ip nat pre udp dport 99 redirect to :7
        at 1s c: udp send 10.0.2.2:53 sport 4000 count 2 interval 0.1s
        at 1s c: udp send 10.0.2.2:53 sport 4001 count 2 interval 0.1s
        at 1s c: udp send 10.0.1.1:99 sport 4002
        at 1.5s r: conntrack -L
        end 2s
    """)
    assert res.rc == 0, explain(res)
    s = pcap(tmp_path / "out", "s", "eth0")
    got = {(p[IP].src, p[UDP].sport) for p in ip_pkts(s, proto=17, dport=53)}
    assert len(got) == 2, got
    assert all(a in ("10.0.2.100", "10.0.2.101") and 2000 <= pt <= 2009 for a, pt in got), got
    ct = outputs(res.stdout, "r", "conntrack -L")[-1].lines
    assert any(re.search(r"sport=4002 dport=99 (\[UNREPLIED\] )?src=10\.0\.1\.1 dst=10\.0\.1\.2 "
                         r"sport=7 dport=4002 ", l) for l in ct), ct


def test_trace_shows_chains_and_rules(tmp_path):
    res = pair_run(tmp_path, "trace", """
        r: nft add table ip t
        r: nft 'add chain ip t sub'
        r: nft 'add chain ip t forward { type filter hook forward priority 0; policy drop; }'
        r: nft add rule ip t forward udp dport 7 jump sub
        r: nft add rule ip t sub udp sport 4000 return
        r: nft add rule ip t forward counter
        at 1s c: udp send 10.0.2.2:7 sport 4000
        end 2s
    """)
    assert res.rc == 0, explain(res)
    walk = (tmp_path / "out" / "trace.log").read_text()
    lines = [re.sub(r"\s+", " ", l.strip()) for l in walk.splitlines() if " nft " in l]
    assert lines == [
        "FORWARD nft ip t forward rule 1: udp dport 7 jump sub => jump sub",
        "FORWARD nft ip t sub rule 1: udp sport 4000 return => return",
        "FORWARD nft ip t forward rule 2: counter => continue",
        "FORWARD nft ip t forward policy drop (no rule decided)",
    ], walk


def test_equal_priority_later_registered_runs_first():
    """topologies/hook-order.scn (compared clean with Linux): iptables' filter
    table made after an nft chain of the same priority runs before it (its
    DROP hides port 9 from the nft counter); the nft table deleted and made
    again is the later one and runs first (it counts the next datagram)."""
    res = run(TOPOLOGIES / "hook-order.scn")
    assert res.rc == 0, res.stderr
    lists = outputs(res.stdout, "r", "nft list table ip t")
    assert len(lists) == 2
    port9 = [[l.strip() for l in b.lines if "dport 9" in l] for b in lists]
    assert port9 == [["udp dport 9 counter packets 0 bytes 0"],
                     ["udp dport 9 counter packets 1 bytes 92"]], port9


# --------------------------------------------------------------------------
# limit, quota, named counter/quota/limit objects (nft_stateful.c)


def test_limit_and_quota_on_packets(tmp_path):
    """topologies/nft-limit-quota.scn (kernel-compared): `limit rate 1/second
    burst 2 packets` lets 4 of 8 pings 350 ms apart through (the 1st, 2nd,
    4th and 7th), a named limit the same of a UDP stream, `quota 300 bytes`
    3 datagrams of 92 bytes, `quota over 250 bytes` drops from the 3rd; the
    named counter counts all 24 datagrams; `used` is listed capped at the
    quota, and `reset quota` empties it."""
    res = run(TOPOLOGIES / "nft-limit-quota.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    s = pcap(tmp_path / "out", "server", "eth0")
    reqs = [p for p in ip_pkts(s, proto=1, src="10.0.1.2") if p[ICMP].type == 8]
    assert [p[ICMP].seq for p in reqs] == [1, 2, 4, 7]
    assert len(ip_pkts(s, proto=17, dport=9)) == 3
    assert len(ip_pkts(s, proto=17, dport=10)) == 4
    assert len(ip_pkts(s, proto=17, dport=11)) == 2
    lines = listing(res, "router")
    assert "\t\tpackets 24 bytes 2208" in lines
    assert "\t\t300 bytes used 300 bytes" in lines
    assert ("\t\ticmp type echo-request limit rate 1/second burst 2 packets counter packets 4 "
            "bytes 336 accept") in lines
    assert "\t\tudp dport 10 limit name \"slow\" counter packets 4 bytes 368 accept" in lines
    assert ("\t\tudp dport 11 quota over 250 bytes used 250 bytes counter packets 6 bytes 552 "
            "drop") in lines
    assert outputs(res.stdout, "router", "nft list quotas")[-1].lines == [
        "table ip t {", "\tquota udp9 {", "\t\t300 bytes", "\t}", "}"]


def test_byte_limit_over(tmp_path):
    """`limit rate over 92 bytes/second burst 92 bytes`: a 92-byte datagram
    costs 1 s, the bucket holds 2 s (nft_limit_init's unit * (rate + burst) /
    rate): of 8 datagrams 350 ms apart the 1st, 2nd, 4th and 7th are under
    the rate (no match, accepted by the policy), the others over (dropped)."""
    res = pair_run(tmp_path, "bytelimit", """
        r: nft add table ip t
        r: nft 'add chain ip t forward { type filter hook forward priority 0; }'
        r: nft add rule ip t forward udp dport 9 limit rate over 92 bytes/second burst 92 bytes counter drop
        at 1s c: udp send 10.0.2.2:9 sport 4000 count 8 interval 350ms
        at 4s r: nft list ruleset
        end 5s
    """)
    assert res.rc == 0, explain(res)
    s = pcap(tmp_path / "out", "s", "eth0")
    assert len(ip_pkts(s, proto=17, dport=9)) == 4
    assert ("\t\tudp dport 9 limit rate over 92 bytes/second burst 92 bytes counter packets 4 "
            "bytes 368 drop") in listing(res)


def test_objects_from_a_map(tmp_path):
    """`counter name udp dport map { 9 : "c9", 10 : "c10" }` counts each
    datagram in the counter its port names (nft_objref_map); a port without
    an element does not match (port 11 goes on to the drop rule); `quota
    name` from a map uses the quota of the element."""
    res = pair_run(tmp_path, "objmap", """
        r: nft add table ip t
        r: nft add counter ip t c9
        r: nft add counter ip t c10
        r: nft add quota ip t q10 { 200 bytes }
        r: nft 'add chain ip t forward { type filter hook forward priority 0; }'
        r: nft add rule ip t forward counter name udp dport map { 9 : c9, 10 : c10 } quota name udp dport map { 9 : q10, 10 : q10 } accept
        r: nft add rule ip t forward udp dport { 9, 10, 11 } counter drop
        at 1s c: udp send 10.0.2.2:9 sport 4000 count 2 interval 10ms
        at 1s c: udp send 10.0.2.2:10 sport 4001 count 3 interval 10ms
        at 1s c: udp send 10.0.2.2:11 sport 4002
        at 2s r: nft list counters
        at 2s r: nft list ruleset
        end 3s
    """)
    assert res.rc == 0, explain(res)
    assert outputs(res.stdout, "r", "nft list counters")[-1].lines == [
        "table ip t {", "\tcounter c9 {", "\t\tpackets 2 bytes 184", "\t}",
        "\tcounter c10 {", "\t\tpackets 3 bytes 276", "\t}", "}"]
    # the quota q10 (200 bytes) lets the first two of five 92-byte datagrams through
    s = pcap(tmp_path / "out", "s", "eth0")
    assert len(ip_pkts(s, proto=17)) == 2
    assert "\t\tudp dport { 9, 10, 11 } counter packets 4 bytes 368 drop" in listing(res)


def test_sets_fed_from_rules(tmp_path):
    """topologies/nft-dynset.scn (kernel-compared): `add @seen { ip saddr }`
    puts each source in the set (the lookup before it misses the first
    datagram only), `update @pairs { ip saddr . udp dport }` fills a set of
    size 2 and then breaks its rule (nft_dynset_new: the set is full), so
    the stream to port 11 is dropped by the next rule."""
    res = run(TOPOLOGIES / "nft-dynset.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    s = pcap(tmp_path / "out", "server", "eth0")
    assert sorted(p[UDP].dport for p in ip_pkts(s, proto=17)) == [9, 9, 10, 10]
    lines = listing(res, "router")
    assert "\t\telements = { 10.0.1.2, 10.0.2.2 }" in lines
    assert lines[lines.index("\tset pairs {") + 4:][:2] == [
        "\t\telements = { 10.0.1.2 . 9,", "\t\t\t     10.0.1.2 . 10 }"]
    assert ("\t\tudp dport { 9, 10, 11 } counter packets 2 bytes 184 drop") in lines


def test_jhash_picks_the_chain_linux_picks(tmp_path):
    """topologies/nft-jhash.scn (kernel-compared): `jhash ip saddr . udp
    sport mod 2 seed 0xdead` is the kernel's jhash over the 8 register
    bytes, so the flows from sports 5002-5004 and 5007 hash to 1 and are
    dropped by `odd`, as on Linux 6.18; the hash of udp sport alone (2
    bytes, offset 10) is 11 or 12 for 5006 only; the addresses' hash is 1
    for the 4 datagrams and the 4 ICMP errors coming back."""
    res = run(TOPOLOGIES / "nft-jhash.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    s = pcap(tmp_path / "out", "server", "eth0")
    assert sorted(p[UDP].sport for p in ip_pkts(s, proto=17)) == [5000, 5001, 5005, 5006]
    lines = listing(res, "router")
    assert "\t\tcounter packets 4 bytes 368 drop" in lines
    assert ("\t\tjhash udp sport mod 4 seed 0x1 offset 10 { 11, 12 } counter packets 1 bytes 92"
            in lines)
    assert "\t\tjhash ip saddr . ip daddr mod 3 seed 0xcafe 1 counter packets 8 bytes 848" in lines


def test_marks_from_data_maps_and_hashes(tmp_path):
    """topologies/nft-mark-map.scn (kernel-compared): `meta mark set ip
    saddr . udp dport map @pm` gives port 9 mark 1 and port 10 mark 2
    (dropped); port 11 finds no element and keeps mark 0; `ct mark set
    jhash ip saddr . udp sport mod 4 seed 0x5 offset 1` gives each flow the
    kernel's value (its ICMP error counted with it); the anonymous map on
    ip daddr marks the 5 ICMP errors 7."""
    res = run(TOPOLOGIES / "nft-mark-map.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    s = pcap(tmp_path / "out", "server", "eth0")
    assert sorted(p[UDP].dport for p in ip_pkts(s, proto=17)) == [9, 9, 9, 9, 11]
    lines = listing(res, "router")
    for want in ("meta mark 0x00000002 counter packets 1 bytes 92 drop",
                 "meta mark 0x00000001 counter packets 4 bytes 368",
                 "ct mark 0x00000001 counter packets 2 bytes 212",
                 "ct mark 0x00000002 counter packets 2 bytes 212",
                 "ct mark 0x00000003 counter packets 4 bytes 424",
                 "ct mark 0x00000004 counter packets 2 bytes 212",
                 "meta mark set ip daddr map { 10.0.1.0/24 : 0x00000007 }",
                 "meta mark 0x00000007 counter packets 5 bytes 600"):
        assert "\t\t" + want in lines, want


def test_nat_to_a_named_map_and_a_hash_map(tmp_path):
    """topologies/nft-nat-map.scn (kernel-compared): `dnat to ip daddr .
    udp dport map @pf` forwards 10.0.1.1:9 to the echo server's 10.0.2.2:7
    (the echo comes back from 10.0.1.1:9), `dnat udp dport map { 30 : ADDR }
    : udp dport map { 30 : 7 }` port 30 there too; port 20 has no element, and
    `dnat to jhash ip saddr . udp sport mod 2 seed 0x7 map { ... }` sends
    sport 5000 to 10.0.2.3 and 5001-5003 to 10.0.2.2, as Linux does."""
    res = run(TOPOLOGIES / "nft-nat-map.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    s = pcap(tmp_path / "out", "server", "eth0")
    to = sorted((p[UDP].sport, p[IP].dst, p[UDP].dport) for p in ip_pkts(s, proto=17)
                if p[IP].src == "10.0.1.2")
    assert to == [(4000, "10.0.2.2", 7), (4001, "10.0.2.2", 7), (5000, "10.0.2.3", 20),
                  (5001, "10.0.2.2", 20), (5002, "10.0.2.2", 20), (5003, "10.0.2.2", 20)]
    c = pcap(tmp_path / "out", "client", "eth0")
    assert [(p[IP].src, p[UDP].sport) for p in ip_pkts(c, proto=17)
            if p[IP].dst == "10.0.1.2"] == [("10.0.1.1", 9), ("10.0.1.1", 30)]
    lines = listing(res, "router")
    assert "\t\tdnat ip to ip daddr . udp dport map @pf" in lines
    assert "\t\tdnat to udp dport map { 30 : 10.0.2.2 }:udp dport map { 30 : 7 }" in lines


def test_symhash_is_symmetric_and_repeatable(tmp_path):
    """symhash (skb_get_hash_symmetric) hashes a flow's two directions
    alike: every datagram and its echo take the same chain; with a
    boot-random key on Linux its values are natsim's own (README), the
    same for the same run seed."""
    body = """
        r: nft add table ip t
        r: nft add chain ip t a
        r: nft add chain ip t b
        r: nft add rule ip t a counter
        r: nft add rule ip t b counter
        r: nft 'add chain ip t f { type filter hook forward priority 0; }'
        r: nft add rule ip t f symhash mod 2 vmap { 0 : jump a, 1 : jump b }
        s: listen udp 7 echo
        at 1s c: udp send 10.0.2.2:7 sport 6000 count 1
        at 1.1s c: udp send 10.0.2.2:7 sport 6001 count 1
        at 1.2s c: udp send 10.0.2.2:7 sport 6002 count 1
        at 1.3s c: udp send 10.0.2.2:7 sport 6003 count 1
        at 2s r: nft list ruleset
        end 3s
        """
    res = pair_run(tmp_path, "symhash", body)
    assert res.rc == 0, explain(res)
    lines = listing(res)
    counts = [lines[lines.index("\tchain %s {" % c) + 1] for c in "ab"]
    pk = [int(re.search(r"packets (\d+)", l).group(1)) for l in counts]
    # each flow's two datagrams (there and back) in one chain
    assert sum(pk) == 8 and pk[0] % 2 == 0, counts
    (tmp_path / "again").mkdir()
    again = pair_run(tmp_path / "again", "symhash", body)
    assert listing(again) == lines
    # and says its values are not Linux's, once
    assert res.stderr.count("natsim: nft symhash values are natsim's own") == 1, res.stderr


def test_fast_matches_agree_with_the_general_evaluator(tmp_path):
    """nft_eval.c's compiled fast matches (nft_rule_prepare, nft_skip_rules)
    decide the leading matches of a rule; each kind, with `!=`, `th`, a
    range, a set, ct state and interface names, counts what the general
    path counts (main's binary gives the same list): 3 UDP datagrams to
    port 9 and 2 ICMP echoes, forwarded eth0 -> eth1, and what comes back."""
    res = pair_run(tmp_path, "fast", """
        r: nft add table ip t
        r: nft 'add chain ip t f { type filter hook forward priority 0; }'
        r: nft add rule ip t f udp dport != 9 counter
        r: nft add rule ip t f th dport 9 counter
        r: nft add rule ip t f tcp dport 9 counter
        r: nft add rule ip t f th dport 1-100 counter
        r: nft add rule ip t f udp dport { 8, 9 } counter
        r: nft add rule ip t f ip protocol != udp counter
        r: nft add rule ip t f meta l4proto icmp counter
        r: nft add rule ip t f ip saddr 10.0.1.2 ct state new counter
        r: nft add rule ip t f ip saddr 10.0.1.0/24 ct state established counter
        r: nft add rule ip t f ip daddr != 10.0.2.2 counter
        r: nft add rule ip t f iifname "eth0" oifname "eth1" counter
        r: nft add rule ip t f iifname != "eth0" counter
        r: nft add rule ip t f iifname "eth*" udp dport 9 counter
        at 1s c: udp send 10.0.2.2:9 sport 4000 count 3 interval 0.1s size 10
        at 1.5s c: ping -c 2 -i 0.1 10.0.2.2
        at 2s r: nft list ruleset
        end 3s
    """)
    assert res.rc == 0, explain(res)
    counts = [int(m.group(1)) for l in listing(res)
              for m in [re.search(r"counter packets (\d+) ", l)] if m]
    # UDP: 3; the echoes: 2 (their replies come back eth1 -> eth0)
    # th dport reads any transport header; the three port unreachables
    # come back (related) with the echo replies; a UDP flow without a reply
    # stays new; the second echo is established (after the first reply)
    assert counts == [0, 3, 0, 3, 3, 7, 7, 4, 1, 5, 5, 5, 3], counts
