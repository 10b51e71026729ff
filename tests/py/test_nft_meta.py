"""Issue 18, wave 2: values set from expressions and the meta keys
(nat/nftables/nft_mark_expr.c, nft_meta_keys.c).

`meta|ct mark set KEY OP VALUE...` and `meta priority set KEY` take the
register a selector loaded through nft_bitwise (and/or/xor folded into one
mask/xor pair, shifts), listed as nft 1.0.6 lists them; numgen and jhash
compared with a value, a range, `!=`, `<`, `>=`; the meta keys skuid,
skgid, cpu, iiftype, oiftype, random, priority, ipsec. On packets:
topologies/nft-mark-expr.scn (kernel-compared by test_kernel_compare.py), a
two-uplink router saving and restoring its connmark, and small scenarios
here. The listings were recorded from the real nft 1.0.6.
"""
from conftest import (ROUTER_PAIR, TOPOLOGIES, explain, ip_pkts, outputs, pcap, run,
                      write_scn)


def listing(res, node="r"):
    return outputs(res.stdout, node, "nft list ruleset")[-1].lines


def load_and_list(tmp_path, rules, name="l"):
    """Load RULES (one per line) into a forward chain; the rule lines of the
    listing, and the run."""
    nft = ("table inet t {\n chain c {\n  type filter hook forward priority 0; policy accept;\n"
           + "".join(f"  {r}\n" for r in rules) + " }\n}\n")
    (tmp_path / f"{name}.nft").write_text(nft)
    scn = write_scn(tmp_path, name, f"""
        router r
        r: nft -f {name}.nft
        r: nft list ruleset
    """)
    res = run(scn, "--no-pcap", out=tmp_path / "out")
    if res.rc != 0:
        return None, res
    return [l.strip() for l in listing(res)[3:-2]], res


# rule -> what nft 1.0.6 lists (measured with the real nft)
LISTED = [
    ("ct mark set meta mark", "ct mark set meta mark"),
    ("meta mark set ct mark", "meta mark set ct mark"),
    ("mark set ct mark", "meta mark set ct mark"),
    ("ct mark set mark", "ct mark set meta mark"),
    ("ct mark set meta mark and 0xffff", "ct mark set meta mark & 0x0000ffff"),
    ("meta mark set ct mark and 0xff00 or 0x1", "meta mark set ct mark & 0x0000ff01 | 0x00000001"),
    ("ct mark set ct mark and 0xff00 or 0x1", "ct mark set ct mark & 0x0000ff01 | 0x00000001"),
    ("ct mark set meta mark and 0xff00 xor 0x1", "ct mark set meta mark & 0x0000ff01 | 0x00000001"),
    ("meta mark set ct mark and 0xffff or 0x10000",
     "meta mark set ct mark & 0x0001ffff | 0x00010000"),
    ("ct mark set ct mark or 0x1", "ct mark set ct mark | 0x00000001"),
    ("meta mark set ct mark xor 0x3", "meta mark set ct mark ^ 0x00000003"),
    ("ct mark set meta mark & 0xff", "ct mark set meta mark & 0x000000ff"),
    ("ct mark set meta mark | 0x10", "ct mark set meta mark | 0x00000010"),
    ("meta mark set mark and 0xff", "meta mark set meta mark & 0x000000ff"),
    # nft's precedence: & before ^ before |, constants folded
    ("ct mark set meta mark or 0x1 and 0xff", "ct mark set meta mark | 0x00000001"),
    ("meta mark set ct mark xor 0xf and 0xff", "meta mark set ct mark ^ 0x0000000f"),
    ("ct mark set meta mark and 0xff or 0x0", "ct mark set meta mark & 0x000000ff"),
    ("meta mark set ct mark or 0x0", "meta mark set ct mark"),
    ("meta mark set ct mark and 0xffffffff", "meta mark set ct mark"),
    ("ct mark set ct mark and 0xffff0000", "ct mark set ct mark & 0xffff0000"),
    ("meta mark set ct mark << 8", "meta mark set ct mark << 8"),
    ("meta mark set ct mark >> 8", "meta mark set ct mark >> 8"),
    ("meta mark set jhash ip saddr mod 4", "meta mark set jhash ip saddr mod 4"),
    ("meta mark set numgen inc mod 2", "meta mark set numgen inc mod 2"),
    ("ct mark set numgen inc mod 2 offset 1", "ct mark set numgen inc mod 2 offset 1"),
    ("meta mark set meta cpu", "meta mark set meta cpu"),
    ("meta priority set 1:2", "meta priority set 1:2"),
    ("meta priority set none", "meta priority set none"),
    ("meta priority set root", "meta priority set root"),
    ("meta priority set ffff:ffff", "meta priority set root"),
    ("meta priority set abcd:1234", "meta priority set abcd:1234"),
    ("meta priority 1:2 accept", "meta priority 1:2 accept"),
    ("numgen inc mod 2 0 accept", "numgen inc mod 2 0 accept"),
    ("numgen inc mod 2 == 1 accept", "numgen inc mod 2 1 accept"),
    ("numgen inc mod 2 != 1 accept", "numgen inc mod 2 != 1 accept"),
    ("numgen random mod 10 < 5 accept", "numgen random mod 10 < 5 accept"),
    ("numgen random mod 10 > 5 accept", "numgen random mod 10 > 5 accept"),
    ("numgen random mod 10 <= 5 accept", "numgen random mod 10 <= 5 accept"),
    ("numgen random mod 10 >= 5 accept", "numgen random mod 10 >= 5 accept"),
    ("numgen random mod 10 2-5 accept", "numgen random mod 10 2-5 accept"),
    ("numgen random mod 10 != 2-5 accept", "numgen random mod 10 != 2-5 accept"),
    ("numgen inc mod 10 offset 100 100 accept", "numgen inc mod 10 offset 100 100 accept"),
    ("numgen inc mod 4 { 0, 2 } accept", "numgen inc mod 4 { 0, 2 } accept"),
    ("jhash ip saddr mod 4 == 2 accept", "jhash ip saddr mod 4 2 accept"),
    ("jhash ip saddr . tcp dport mod 4 2 accept", "jhash ip saddr . tcp dport mod 4 2 accept"),
    ("symhash mod 4 1-2 accept", "symhash mod 4 1-2 accept"),
    ("meta skuid root accept", "meta skuid 0 accept"),
    ("meta skuid != 1000 accept", "meta skuid != 1000 accept"),
    ("meta skuid 1000-2000 accept", "meta skuid 1000-2000 accept"),
    ("skuid 0 accept", "meta skuid 0 accept"),
    ("meta skgid root accept", "meta skgid 0 accept"),
    ("meta skuid { 0, 1000 } accept", "meta skuid { 0, 1000 } accept"),
    ("cpu 0 accept", "meta cpu 0 accept"),
    ("meta cpu 0-3 accept", "meta cpu 0-3 accept"),
    ("meta cpu { 0, 1 } accept", "meta cpu { 0, 1 } accept"),
    ("meta iiftype 1 accept", "meta iiftype ether accept"),
    ("meta iiftype loopback accept", "meta iiftype loopback accept"),
    ("meta oiftype != ether accept", "meta oiftype != ether accept"),
    ("meta iiftype ppp accept", "meta iiftype ppp accept"),
    ("meta random < 10 accept", "meta random < 10 accept"),
    ("meta random > 100 accept", "meta random > 100 accept"),
    ("meta secpath exists accept", "meta ipsec exists accept"),
    ("meta secpath missing accept", "meta ipsec missing accept"),
    ("meta iifkind \"vrf\" accept", "meta iifkind \"vrf\" accept"),
    ("meta oifkind \"veth\" accept", "meta oifkind \"veth\" accept"),
    ("meta sdif lo accept", "meta sdif \"lo\" accept"),
    ("meta iifgroup 1 accept", "iifgroup 1 accept"),
    ("meta iifgroup default accept", "iifgroup \"default\" accept"),
    ("meta oifgroup 0 accept", "oifgroup \"default\" accept"),
    ("iifgroup 2-3 accept", "iifgroup 2-3 accept"),
    ("meta oifgroup { default, 5 } accept", "oifgroup { \"default\", 5 } accept"),
    ("meta protocol ip accept", "meta protocol ip accept"),
    ("meta protocol vlan accept", "meta protocol 8021q accept"),
    ("meta protocol != ip6 accept", "meta protocol != ip6 accept"),
    ("meta mark set meta random", "meta mark set meta random"),
    ("meta time \"2020-01-01 00:00\" accept", "meta time \"2020-01-01 00:00:00\" accept"),
    ("meta time \"2020-01-01\" accept", "meta time \"2020-01-01 00:00:00\" accept"),
    ("meta time 1577836800 accept", "meta time \"2020-01-01 00:00:00\" accept"),
    ("meta time < \"2020-01-01 00:00\" accept", "meta time < \"2020-01-01 00:00:00\" accept"),
    ("meta day 1 accept", "meta day \"Monday\" accept"),
    ("meta day { \"Saturday\", \"Sunday\" } accept", "meta day { \"Sunday\", \"Saturday\" } accept"),
    ("meta hour \"10:00:30\" accept", "meta hour \"10:00:30\" accept"),
    ("meta hour \"10\" accept", "meta hour \"00:00:10\" accept"),
    ("meta hour \"22:00\"-\"02:00\" accept", "meta hour != \"02:00\"-\"22:00\" accept"),
    ("meta priority set meta priority", "meta priority set meta priority"),
    ("meta sdifname \"vrf0\" accept", "meta sdifname \"vrf0\" accept"),
]


def test_listings_as_nft_lists_them(tmp_path):
    got, res = load_and_list(tmp_path, [r for r, _ in LISTED])
    assert got is not None, explain(res)
    assert got == [l for _, l in LISTED]


ERRORS = [
    ("ct mark set meta mark or ct mark",
     "Error: Right hand side of binary operation (|) must be constant",
     "  ct mark set meta mark or ct mark\n              ~~~~~~~~~~~~~^^^^^^^\n"),
    ("meta mark set ct mark and 0xff00 or meta mark",
     "Error: Right hand side of binary operation (|) must be constant",
     "                ~~~~~~~~~~~~~~~~~~~~~~^^^^^^^^^\n"),
    ("meta priority set ct mark",
     "Error: datatype mismatch: expected TC classid, expression has type packet mark",
     "  meta priority set ct mark\n  ~~~~~~~~~~~~~~~~~~^^^^^^^\n"),
    ("meta l4proto tcp mark set tcp dport",
     "Error: datatype mismatch: expected packet mark, expression has type internet network "
     "service", "  meta l4proto tcp mark set tcp dport\n                   ~~~~~~~~~^^^^^^^^^\n"),
    ("meta mark set meta skuid",
     "Error: datatype mismatch: expected packet mark, expression has type user ID",
     "  ~~~~~~~~~~~~~~^^^^^^^^^^\n"),
    # values nft cannot parse
    ("meta time foo accept", "Error: Cannot parse date", "            ^^^\n"),
    ("meta hour 25:00 accept", "Error: wrong time format", "            ^^^^^\n"),
    ("meta day Mon accept", "Error: Could not parse Day of week of packet reception", "           ^^^\n"),
    ("meta iiftype foo accept", "Error: Could not parse network interface type", "               ^^^\n"),
    ("meta skuid nosuchuser accept", "Error: User does not exist", "             ^^^^^^^^^^\n"),
    ("meta skgid nosuchgroup accept", "Error: Group does not exist", "             ^^^^^^^^^^^\n"),
    ("meta mark set foo", "Error: Could not parse packet mark", "                ^^^\n"),
]


def test_errors_as_nft_gives_them(tmp_path):
    for i, (rule, msg, marks) in enumerate(ERRORS):
        got, res = load_and_list(tmp_path, [rule], name=f"e{i}")
        assert got is None, rule
        assert msg in res.stderr, (rule, res.stderr)
        assert marks in res.stderr, (rule, res.stderr)


def test_connmark_save_restore_over_two_uplinks(tmp_path):
    res = run(TOPOLOGIES / "nft-mark-expr.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    lst = [l.strip() for l in listing(res, "router")]
    # 4 flows of 2 datagrams: marks 1, 2, 1, 2 from numgen; the saved
    # ct marks are 0x101 and 0x102, restored on every later packet
    for sport, isp in ((5000, "isp1"), (5001, "isp2"), (5002, "isp1"), (5003, "isp2")):
        other = "isp2" if isp == "isp1" else "isp1"
        assert len(ip_pkts(pcap(res.outdir, isp, "eth0"), proto=17, sport=sport)) == 2
        assert not ip_pkts(pcap(res.outdir, other, "eth0"), proto=17, sport=sport)
    # the ICMP errors and echo replies came back by the uplink of their
    # connection's mark and reached the client
    c = pcap(res.outdir, "client", "eth0")
    # (2 echo requests, 2 replies, 8 port-unreachable errors)
    assert len(ip_pkts(c, proto=1)) == 12
    assert "ct mark 0x00000101 counter packets 12 bytes 1184" in lst, lst
    assert "ct mark 0x00000102 counter packets 8 bytes 848" in lst, lst
    assert ("iifname \"eth0\" ct mark 0x00000000 ct mark set meta mark & 0x000001ff"
            " | 0x00000100") in lst, lst
    # numgen and jhash compared
    assert "numgen inc mod 2 0 counter packets 11 bytes 1024" in lst, lst
    assert "numgen inc mod 4 != 3 counter packets 16 bytes 1588" in lst, lst
    assert "jhash ip saddr . udp sport mod 4 seed 0x5 < 2 counter packets 4 bytes 368" in lst, lst
    # shifts: 1 << 4, 2 << 4; back >> 4 ^ 3: 2, 1
    assert "meta mark 0x00000010 counter packets 12 bytes 1184" in lst, lst
    assert "meta mark 0x00000002 counter packets 12 bytes 1184" in lst, lst
    # priority: set in prerouting, reset by ip_forward (tos 0: none)
    assert "meta priority 1:2 counter packets 21 bytes 2152" in lst, lst
    assert lst.count("meta priority none counter packets 0 bytes 0") == 1, lst
    assert "meta priority none counter packets 20 bytes 2032" in lst, lst
    # the router's own datagram: a socket of root; forwarded: no socket
    assert "meta skuid 0 meta skgid 0 counter packets 1 bytes 92" in lst, lst
    assert "meta skuid != 0 counter packets 0 bytes 0" in lst, lst
    assert "meta iiftype ether counter packets 21 bytes 2152" in lst, lst
    assert "meta iiftype loopback counter packets 0 bytes 0" in lst, lst
    # groups: eth1 7 (6 forwarded, the router's own), eth2 default, eth0 5
    assert "oifgroup 7 counter packets 7 bytes 628" in lst, lst
    assert "oifgroup \"default\" counter packets 4 bytes 368" in lst, lst
    assert "iifgroup 5 counter packets 10 bytes 904" in lst, lst
    # the ip table's `meta protocol ip` is nft's redundant dependency: not listed
    assert "counter packets 21 bytes 2124" in lst, lst


def test_stack_replies_have_no_uid(tmp_path):
    """An ICMP error or echo reply of the router comes from a kernel socket
    without a file: skuid and skgid end the rule, == and != alike."""
    (tmp_path / "o.nft").write_text(
        "table ip t {\n chain out {\n  type filter hook output priority 0; policy accept;\n"
        "  meta skuid 0 counter\n  meta skuid != 0 counter\n  meta skgid 0 counter\n"
        "  counter\n }\n}\n")
    scn = write_scn(tmp_path, "o", ROUTER_PAIR + """
        r: nft -f o.nft
        at 1s c: udp send 10.0.1.1:9 count 2
        at 1.5s c: ping -c 3 -i 0.2 10.0.1.1
        at 2.5s r: ping -c 1 10.0.2.2
        at 3s r: nft list ruleset
        end 4s
    """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    lst = [l.strip() for l in listing(res)]
    assert "meta skuid 0 counter packets 1 bytes 84" in lst, lst
    assert "meta skuid != 0 counter packets 0 bytes 0" in lst, lst
    assert "meta skgid 0 counter packets 1 bytes 84" in lst, lst
    assert any(l.startswith("counter packets 6 ") for l in lst), lst


def test_numgen_random_and_meta_random_split(tmp_path):
    """numgen random and meta random draw from the run's seeded generator:
    the same seed, the same split; both halves taken (each `meta random`
    is a draw of its own, as get_random_u32 at each evaluation)."""
    (tmp_path / "r.nft").write_text(
        "table ip t {\n chain f {\n  type filter hook forward priority 0; policy accept;\n"
        "  meta l4proto != udp accept\n"
        "  meta mark set numgen random mod 10\n  meta mark < 5 counter\n  meta mark >= 5 counter\n"
        "  meta random < 0x80000000 counter\n  meta random >= 0x80000000 counter\n }\n}\n")
    scn = write_scn(tmp_path, "r", ROUTER_PAIR + """
        r: nft -f r.nft
        at 1s c: udp send 10.0.2.2:9 count 40 interval 10ms
        at 2s r: nft list ruleset
        end 3s
    """)
    counts = []
    for seed in (1, 1, 2):
        res = run(scn, "--no-pcap", out=tmp_path / f"out{len(counts)}", seed=seed)
        assert res.rc == 0, explain(res)
        n = [int(l.split("packets ")[1].split()[0]) for l in listing(res) if "counter" in l]
        # one draw for numgen, read twice; each meta random draws anew
        assert n[0] + n[1] == 40, n
        assert 0 < min(n) and max(n) < 40, n
        counts.append(n)
    assert counts[0] == counts[1]


def test_meta_cpu_is_the_processing_cpu(tmp_path):
    """`meta cpu` is the CPU processing the packet: a router of one CPU is
    CPU 0; one of 2 CPUs spreads its flows (RSS) over both."""
    (tmp_path / "c.nft").write_text(
        "table ip t {\n chain f {\n  type filter hook forward priority 0; policy accept;\n"
        "  counter\n  meta cpu 0 counter\n  meta cpu 1 counter\n  meta mark set meta cpu\n"
        "  meta mark 1 counter\n }\n}\n")
    for cpus in (1, 2):
        body = ROUTER_PAIR.replace("router r\n", f"router r cpus {cpus}\n") + "".join(
            f"\n        at {1 + i * 0.1:.1f}s c: udp send 10.0.2.2:9 sport {5000 + i} count 1"
            for i in range(16)) + """
        r: nft -f c.nft
        at 3s r: nft list ruleset
        end 4s
    """
        scn = write_scn(tmp_path, f"c{cpus}", body)
        res = run(scn, "--no-pcap", out=tmp_path / f"out{cpus}")
        assert res.rc == 0, explain(res)
        n = [int(l.split("packets ")[1].split()[0]) for l in listing(res) if "counter" in l]
        assert n[0] >= 16 and n[1] + n[2] == n[0], n
        assert n[3] == n[2], n
        if cpus == 1:
            assert n[2] == 0, n
        else:
            assert n[1] > 0 and n[2] > 0, n


def test_time_day_hour_of_natsims_date(tmp_path):
    """natsim's date is the simulated time from 1970-01-01 00:00:00 UTC (a
    Thursday), as its journal dates: meta time, day and hour read it."""
    (tmp_path / "t.nft").write_text(
        "table ip t {\n chain f {\n  type filter hook forward priority 0; policy accept;\n"
        "  meta l4proto != udp accept\n"
        "  meta time < \"1970-01-01 00:00:02\" counter\n"
        "  meta time \"1970-01-01 00:00:02\"-\"1970-01-02 00:00:00\" counter\n"
        "  meta day \"Thursday\" counter\n  meta day != \"Thursday\" counter\n"
        "  meta hour \"00:00\"-\"00:00:02\" counter\n  meta hour > \"00:00:02\" counter\n"
        "  meta hour \"23:00\"-\"00:00:01\" counter\n }\n}\n")
    scn = write_scn(tmp_path, "t", ROUTER_PAIR + """
        r: nft -f t.nft
        at 1s c: udp send 10.0.2.2:9 count 1
        at 3s c: udp send 10.0.2.2:9 count 1
        at 4s r: nft list ruleset
        end 5s
    """)
    res = run(scn, "--no-pcap", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    n = [int(l.split("packets ")[1].split()[0]) for l in listing(res) if "counter" in l]
    # 1 s: before 00:00:02; 3 s: after; both on Thursday; the wrapped
    # hour range (!= 00:00:01-23:00) holds at 00:00:00.x only: neither
    assert n == [1, 1, 2, 0, 1, 1, 0], n


def test_ifkind_of_a_veth_and_a_nic(tmp_path):
    """`meta iifkind|oifkind` is the device's rtnl_link_ops kind: the ends of a
    `veth` link are "veth"; a physical NIC has none, so the rule ends."""
    (tmp_path / "k.nft").write_text(
        "table ip t {\n chain f {\n  type filter hook forward priority 0; policy accept;\n"
        "  meta l4proto != udp accept\n"
        "  meta iifkind \"veth\" counter\n  meta iifkind != \"veth\" counter\n"
        "  meta oifkind \"veth\" counter\n  meta oifkind != \"veth\" counter\n }\n}\n")
    pair = ROUTER_PAIR.replace("link c:eth0 r:eth0\n", "link c:eth0 r:eth0 veth\n")
    scn = write_scn(tmp_path, "k", pair + """
        r: nft -f k.nft
        at 1s c: udp send 10.0.2.2:9 count 2 interval 100ms
        at 2s r: nft list ruleset
        end 3s
    """)
    res = run(scn, "--no-pcap", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    n = [int(l.split("packets ")[1].split()[0]) for l in listing(res) if "counter" in l]
    # in by the veth, out by the NIC (eth1): no kind, neither == nor !=
    assert n == [2, 0, 0, 0], n
