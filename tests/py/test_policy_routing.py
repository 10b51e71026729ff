"""test_policy_routing.py - `ip rule`, routing tables beside main, and the
re-route of a locally generated packet whose mark changed at OUTPUT
(issue 18, task E).

Linux's rules (net/core/fib_rules.c, net/ipv4/fib_rules.c): the rules are
walked by priority; the first whose selector (from, to, fwmark/mask, iif,
oif) matches and whose table has a route decides; a table without one lets
the walk go on. A locally generated packet is routed again
(ip_route_me_harder) when an nft chain of type route at output or
iptables' mangle OUTPUT changed its mark, addresses or TOS; a mark set in a
filter chain does not re-route. The texts below were measured with
iproute2 6.1 on Linux 6.18 in a scratch namespace; topologies/
policy-routing-mark.scn is compared with Linux by test_kernel_compare.py.
"""

import json

from conftest import IP, TOPOLOGIES, UDP, ip_pkts, outputs, pcap, run, run_ok, write_scn

SCN = TOPOLOGIES / "policy-routing-mark.scn"


def dports(pkts):
    return sorted(p[UDP].dport for p in pkts if UDP in p)


def statuses(res):
    """{scenario line: exit status} of the commands summary.json records."""
    cmds = json.loads((res.outdir / "summary.json").read_text()).get("commands", [])
    return {int(c["line"]): c.get("exit_status", 0) for c in cmds}


def test_marked_packets_take_the_second_uplink(tmp_path):
    """Ports 10 (nft route chain) and 11 (mangle OUTPUT) are re-routed by
    fwmark 1 to table 100 (uplink 2), keeping uplink 1's source; 12 (mark
    set in a filter chain) is not re-routed; forwarded 13 (marked in mangle
    PREROUTING) leaves by uplink 2, 14 by uplink 1."""
    res = run_ok(SCN, out=tmp_path)
    up1 = ip_pkts(pcap(tmp_path, "router", "eth1"), dst="198.51.100.7")
    up2 = ip_pkts(pcap(tmp_path, "router", "eth2"), dst="198.51.100.7")
    assert dports(up1) == [9, 12, 14]
    assert dports(up2) == [10, 11, 13]
    assert {p[IP].src for p in up2 if p[UDP].dport in (10, 11)} == {"10.1.0.2"}
    assert {p[IP].src for p in up2 if p[UDP].dport == 13} == {"10.0.1.2"}
    rules = outputs(res.stdout, "router", "ip rule show")[0].lines
    assert rules == ["0:\tfrom all lookup local", "32765:\tfrom all fwmark 0x1 lookup 100",
                     "32766:\tfrom all lookup main", "32767:\tfrom all lookup default"]
    got = outputs(res.stdout, "router", "ip route get 198.51.100.7 mark 1")[0].lines
    assert got == ["198.51.100.7 via 10.2.0.1 dev eth2 table 100 src 10.2.0.2 mark 1 uid 0 ",
                   "    cache "]


RULES = """
router r
host h
link r:eth0 h:eth0
r: ip addr add 10.1.0.2/24 dev eth0
r: ip rule add fwmark 1 table 100
r: ip rule add from 10.1.0.0/24 to 8.8.8.0/24 lookup 200 priority 100
r: ip rule add fwmark 0x10/0xff iif lo oif eth0 table main pref 50
r: ip rule add to 1.2.3.4 table local
r: ip rule add from all lookup 7
r: ip rule add iif eth0 table default
r: ip rule add iif nope table 5
r: ip rule add fwmark 3/0 table 4 pref 11
r: ip rule add fwmark 0xffffffff/0xffffffff table 4 pref 9
r: ip rule add from 10.1.0.5/24 table 4 pref 7
r: ip rule add from 1.2.3.4/32 table 4 pref 7
r: ip rule list
r: ! ip rule add from 1.2.3.4/32 table 4 pref 7
r: ! ip rule del fwmark 7 table 100
r: ip rule del table 4
r: ip rule del pref 100
r: ip rule show
r: ip rule flush
r: ip rule
end 1s
"""


def test_rule_texts_priorities_and_deletion(tmp_path):
    """iproute2's lines; a rule without a priority gets one below the
    second rule's; equal priorities keep their order; del removes the first
    rule matching the fields given; flush keeps priority 0."""
    scn = write_scn(tmp_path, "rules", RULES)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, res.stderr
    lists = [b.lines for b in outputs(res.stdout, "r", "ip rule")
             if b.command in ("ip rule list", "ip rule show", "ip rule")]
    assert lists[0] == [
        "0:\tfrom all lookup local",
        "7:\tfrom 10.1.0.5/24 lookup 4",
        "7:\tfrom 1.2.3.4 lookup 4",
        "9:\tfrom all fwmark 0xffffffff lookup 4",
        "11:\tfrom all fwmark 0x3/0 lookup 4",
        "46:\tfrom all iif nope [detached] lookup 5",
        "47:\tfrom all iif eth0 lookup default",
        "48:\tfrom all lookup 7",
        "49:\tfrom all to 1.2.3.4 lookup local",
        "50:\tfrom all fwmark 0x10/0xff iif lo oif eth0 lookup main",
        "100:\tfrom 10.1.0.0/24 to 8.8.8.0/24 lookup 200",
        "32765:\tfrom all fwmark 0x1 lookup 100",
        "32766:\tfrom all lookup main",
        "32767:\tfrom all lookup default",
    ]
    # `del table 4` took the first of the three rules of table 4
    assert lists[1][1:3] == ["7:\tfrom 1.2.3.4 lookup 4", "9:\tfrom all fwmark 0xffffffff lookup 4"]
    assert "100:\tfrom 10.1.0.0/24 to 8.8.8.0/24 lookup 200" not in lists[1]
    assert lists[2] == ["0:\tfrom all lookup local"]
    st = statuses(res)
    assert st[17] == 2 and st[18] == 2      # File exists; No such file or directory


ERRORS = [
    ("ip rule add table foo", 255, 'Error: argument "foo" is wrong: invalid table ID'),
    ("ip rule add fwmark zz table 3", 255, 'Error: argument "zz" is wrong: fwmark value is invalid'),
    ("ip rule add pref x table 3", 255, 'Error: argument "x" is wrong: preference value is invalid'),
    ("ip rule add from zz table 3", 1, 'Error: any valid prefix is expected rather than "zz".'),
    ("ip rule add table 3 blah", 255, 'Error: argument "blah" is wrong: Failed to parse rule type'),
    ("ip rule del", 1, '"ip rule del" requires arguments.'),
    ("ip rule blah", 255, 'Command "blah" is unknown, try "ip rule help".'),
    ("ip route show table 7", 2, "Error: ipv4: FIB table does not exist.\nDump terminated"),
    ("ip route add 1.0.0.0/8 dev eth0 table foo", 255,
     'Error: argument "foo" is wrong: "table" value is invalid'),
    ("ip route del 7.0.0.0/8 table 5", 2, "Error: FIB table does not exist."),
    ("ip route get 9.9.9.9 mark zz", 255, 'Error: argument "zz" is wrong: invalid mark value'),
]


def test_errors_and_exit_statuses(tmp_path):
    lines = ["router r", "host h", "link r:eth0 h:eth0", "r: ip addr add 10.1.0.2/24 dev eth0"]
    lines += [f"r: ! {cmd}" for cmd, _, _ in ERRORS]
    scn = write_scn(tmp_path, "errors", "\n".join(lines) + "\nend 1s\n")
    res = run(scn, out=tmp_path / "out")
    cmds = json.loads((res.outdir / "summary.json").read_text())["commands"]
    by_line = {int(c["line"]): c for c in cmds}
    for i, (cmd, rc, msg) in enumerate(ERRORS):
        c = by_line[5 + i]
        assert c["exit_status"] == rc, cmd
        assert msg in c.get("message", ""), (cmd, c)


TABLES = """
router r
host a
host b
link r:eth0 a:eth0
link r:eth1 b:eth0
r: ip addr add 10.1.0.2/24 dev eth0
r: ip addr add 10.2.0.2/24 dev eth1
a: ip addr add 10.1.0.1/24 dev eth0
b: ip addr add 10.2.0.1/24 dev eth0
r: ip route add default via 10.1.0.1
r: ip route add default via 10.2.0.1 table 100
r: ip route add 5.0.0.0/8 dev eth0 table 100 metric 5
r: ip route get 9.9.9.9 mark 0x10
r: ip route get 10.2.0.2 mark 0x10
r: ip rule add fwmark 0x10 table 100
r: ip route show table 100
r: ip route show table main
r: ip route get 9.9.9.9 mark 0x10
r: ip route get 9.9.9.9 mark 17
r: ip route get 9.9.9.9 mark 9
r: ip route get 10.1.0.9 mark 0x10
r: ip route get 9.9.9.9 from 10.1.0.2 mark 16
r: ip route get 10.2.0.2
r: ip route get 10.2.0.2 from 10.1.0.2 mark 3
r: ip route del 5.0.0.0/8 table 100
r: ! ip route del 5.0.0.0/8 table 100
r: ip link set eth1 down
r: ip route show table 100
end 1s
"""


def test_tables_and_route_get(tmp_path):
    """Routes in table 100 are listed without a table word; `ip route get`
    names the table unless main, shows the mark in decimal below 16, and
    the local table once the rules are custom; a device going down takes
    its routes from every table."""
    res = run(write_scn(tmp_path, "tables", TABLES), out=tmp_path / "out")
    assert res.rc == 0, res.stderr

    def one(cmd):
        return [b.lines for b in outputs(res.stdout, "r", cmd) if b.command == cmd]

    assert one("ip route show table 100")[0] == ["default via 10.2.0.1 dev eth1 ",
                                                 "5.0.0.0/8 dev eth0 scope link metric 5 "]
    assert one("ip route show table 100")[1] == []
    assert one("ip route get 9.9.9.9 mark 0x10") == [
        ["9.9.9.9 via 10.1.0.1 dev eth0 src 10.1.0.2 mark 0x10 uid 0 ", "    cache "],
        ["9.9.9.9 via 10.2.0.1 dev eth1 table 100 src 10.2.0.2 mark 0x10 uid 0 ", "    cache "]]
    assert one("ip route get 10.2.0.2 mark 0x10")[0] == [
        "local 10.2.0.2 dev lo src 10.2.0.2 mark 0x10 uid 0 ", "    cache <local> "]
    assert one("ip route get 9.9.9.9 mark 17")[0][0] == \
        "9.9.9.9 via 10.1.0.1 dev eth0 src 10.1.0.2 mark 0x11 uid 0 "
    assert one("ip route get 9.9.9.9 mark 9")[0][0] == \
        "9.9.9.9 via 10.1.0.1 dev eth0 src 10.1.0.2 mark 9 uid 0 "
    # the rule comes before main: even a connected destination goes by table 100
    assert one("ip route get 10.1.0.9 mark 0x10")[0][0] == \
        "10.1.0.9 via 10.2.0.1 dev eth1 table 100 src 10.2.0.2 mark 0x10 uid 0 "
    assert one("ip route get 9.9.9.9 from 10.1.0.2 mark 16")[0][0] == \
        "9.9.9.9 from 10.1.0.2 via 10.2.0.1 dev eth1 table 100 mark 0x10 uid 0 "
    assert one("ip route get 10.2.0.2")[0] == [
        "local 10.2.0.2 dev lo table local src 10.2.0.2 uid 0 ", "    cache <local> "]
    assert one("ip route get 10.2.0.2 from 10.1.0.2 mark 3")[0][0] == \
        "local 10.2.0.2 from 10.1.0.2 dev lo table local mark 3 uid 0 "


WALK = """
router r
host c
host a
host b
link c:eth0 r:eth0
link r:eth1 a:eth0
link r:eth2 b:eth0
c: ip addr add 10.0.1.2/24 dev eth0
c: ip addr add 10.0.1.3/24 dev eth0
c: ip route add default via 10.0.1.1
r: ip addr add 10.0.1.1/24 dev eth0
r: ip addr add 10.1.0.2/24 dev eth1
r: ip addr add 10.2.0.2/24 dev eth2
r: sysctl -w net.ipv4.ip_forward=1
a: ip addr add 10.1.0.1/24 dev eth0
b: ip addr add 10.2.0.1/24 dev eth0
r: ip route add default via 10.1.0.1
r: ip route add default via 10.2.0.1 table 100
r: ip route add 198.51.100.99 via 10.2.0.1 table 101
r: ip rule add to 198.51.100.0/24 table 55 pref 10
r: ip rule add to 198.51.100.0/24 table 101 pref 20
r: ip rule add from 10.0.1.3 iif eth0 table 100 pref 30
r: ip rule add to 198.51.100.8 iif eth1 table 100 pref 40
r: ip rule add to 198.51.100.7 oif eth2 table 100 pref 41
at 1s c: udp send 198.51.100.7:1 count 1
at 1.1s r: udp send 198.51.100.7:2 count 1
at 1.2s c: udp send 198.51.100.8:3 count 1
at 1.3s c: udp send 198.51.100.99:4 count 1
at 1.4s c: udp send 198.51.100.9:5 count 1
end 2s
"""


def test_rule_walk_selectors(tmp_path):
    """A rule whose table does not exist (55) or has no route for the
    destination (101 for .7) lets the walk go on; `from .. iif eth0`
    matches forwarded packets of that source only (the client's second
    address, which `udp send` does not use: nothing moves); `iif eth1` does
    not match what came in by eth0, `oif` nothing unbound; table 101's host
    route (by uplink 2) takes .99; a `from 10.0.1.2 iif eth0` rule added
    later moves the client's next datagram, not the router's own."""
    scn = write_scn(tmp_path, "walk", WALK.replace(
        "at 1.4s c: udp send 198.51.100.9:5 count 1",
        "at 1.4s c: udp send 198.51.100.9:5 count 1\nat 1.45s r: ip rule add from 10.0.1.2 iif eth0 "
        "table 100 pref 31\nat 1.5s c: udp send 198.51.100.9:6 count 1\n"
        "at 1.6s r: udp send 198.51.100.9:7 count 1"))
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, res.stderr
    up1 = dports(ip_pkts(pcap(tmp_path / "out", "r", "eth1")))
    up2 = dports(ip_pkts(pcap(tmp_path / "out", "r", "eth2")))
    assert up1 == [1, 2, 3, 5, 7]
    assert up2 == [4, 6]


LEGACY = """
router r
host a
host b
link r:eth1 a:eth0
link r:eth2 b:eth0
r: ip addr add 10.1.0.2/24 dev eth1
r: ip addr add 10.2.0.2/24 dev eth2
a: ip addr add 10.1.0.1/24 dev eth0
b: ip addr add 10.2.0.1/24 dev eth0
r: ip route add default via 10.1.0.1
r: ip route add default via 10.2.0.1 table 100
r: ip rule add fwmark 0x4/0x4 table 100
r: iptables-legacy -t mangle -A OUTPUT -p udp --dport 20 -j MARK --set-mark 0x6
r: iptables-legacy -t mangle -A OUTPUT -p udp --dport 21 -j MARK --set-mark 0x2
r: iptables-legacy -t mangle -A OUTPUT -p udp --dport 22 -j TOS --set-tos 0x10
at 1s r: udp send 198.51.100.7:20 count 1
at 1.1s r: udp send 198.51.100.7:21 count 1
at 1.2s r: udp send 198.51.100.7:22 count 1
end 2s
"""


def test_legacy_mangle_output_reroutes_by_masked_mark(tmp_path):
    """iptables-legacy's mangle OUTPUT re-routes too; the rule's mask
    selects mark 0x6 (bit 2 set) but not 0x2; a TOS change re-routes with
    the same key otherwise (still main)."""
    res = run(write_scn(tmp_path, "legacy", LEGACY), out=tmp_path / "out")
    assert res.rc == 0, res.stderr
    assert dports(ip_pkts(pcap(tmp_path / "out", "r", "eth2"))) == [20]
    assert dports(ip_pkts(pcap(tmp_path / "out", "r", "eth1"))) == [21, 22]


NO_RULES = """
router r
host a
host b
link r:eth1 a:eth0
link r:eth2 b:eth0
r: ip addr add 10.1.0.2/24 dev eth1
r: ip addr add 10.2.0.2/24 dev eth2
a: ip addr add 10.1.0.1/24 dev eth0
b: ip addr add 10.2.0.1/24 dev eth0
r: ip route add default via 10.1.0.1
r: ip route add default via 10.2.0.1 table 100
r: iptables -t mangle -A OUTPUT -p udp -j MARK --set-mark 1
r: ip rule
at 1s r: udp send 198.51.100.7:30 count 1
at 1.1s r: ip rule add fwmark 1 table 100
at 1.2s r: udp send 198.51.100.7:31 count 1
at 1.3s r: ip rule del fwmark 1
at 1.4s r: udp send 198.51.100.7:32 count 1
end 2s
"""


def test_a_table_without_a_rule_is_not_used(tmp_path):
    """Table 100 alone changes nothing (the default rules: main, then
    default); the fwmark rule sends the marked datagram by it; deleting the
    rule brings main back."""
    res = run(write_scn(tmp_path, "norules", NO_RULES), out=tmp_path / "out")
    assert res.rc == 0, res.stderr
    assert outputs(res.stdout, "r", "ip rule")[0].lines == [
        "0:\tfrom all lookup local", "32766:\tfrom all lookup main",
        "32767:\tfrom all lookup default"]
    assert dports(ip_pkts(pcap(tmp_path / "out", "r", "eth1"))) == [30, 32]
    assert dports(ip_pkts(pcap(tmp_path / "out", "r", "eth2"))) == [31]


RPF = """
router r
host a
host b
link r:eth1 a:eth0
link r:eth2 b:eth0
r: ip addr add 10.1.0.2/24 dev eth1
r: ip addr add 10.2.0.2/24 dev eth2
r: sysctl -w net.ipv4.conf.all.rp_filter=1
a: ip addr add 10.1.0.1/24 dev eth0
b: ip addr add 198.51.100.7/24 dev eth0
b: ip route add 10.2.0.0/24 dev eth0
r: ip route add default via 10.1.0.1
r: ip route add default via 10.2.0.1 table 100
r: listen udp 7
at 1s b: udp send 10.2.0.2:7 count 1
at 1.5s r: ip rule add to 198.51.100.0/24 table 100
at 2s b: udp send 10.2.0.2:7 count 1
at 3s r: nstat -az TcpExtIPReversePathFilter
end 4s
"""


def test_rp_filter_walks_the_rules(tmp_path):
    """Strict rp_filter: a datagram from 198.51.100.7 by eth2 fails while
    main's default points at eth1; once a rule sends 198.51.100.0/24 to
    table 100 (through eth2) the reverse lookup agrees and the next one is
    accepted: the counter stays at 1."""
    res = run(write_scn(tmp_path, "rpf", RPF), out=tmp_path / "out")
    assert res.rc == 0, res.stderr
    line = [ln for ln in outputs(res.stdout, "r", "nstat")[0].lines
            if ln.startswith("TcpExtIPReversePathFilter")]
    assert line and line[0].split()[1] == "1", res.stdout[-2000:]
