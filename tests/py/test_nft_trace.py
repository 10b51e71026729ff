"""Issue 18: `meta nftrace set 1` and `nft monitor trace` (nat/nftables/
nft_trace.c, sim/shell/nft_monitor.c).

The expected lines are nft 1.0.6's, recorded on Linux 6.x in network
namespaces (veth pairs, a forwarding namespace): the packet line (devices,
the Ethernet addresses on the receive side, the IPv4 fields, the transport
fields, 20 bytes of transport header at most) and the packet and policy
lines' trailing space, one line per rule that reaches its end or a verdict,
nothing for a regular chain that ends without one, the policy with the
mark. Trace ids are natsim's own (a hash of the packet's serial, the hook
and the run's seed): the tests treat them as a token, and check that one
walk shares one id and that two packets have two.
"""
import re

from conftest import ROUTER_PAIR, TOPOLOGIES, async_lines, explain, outputs, run, write_scn

PAIR = ROUTER_PAIR

ID = re.compile(r"^trace id ([0-9a-f]{8}) ")
MAC = "[0-9a-f]{2}(?::[0-9a-f]{2}){5}"


def trace_lines(res, node="r"):
    return [a.text for a in async_lines(res.stdout, node) if a.text.startswith("trace id ")]


def tokenized(lines):
    """(ids, lines with the id replaced by ID and the MACs by MAC)."""
    ids, out = [], []
    for line in lines:
        m = ID.match(line)
        assert m, line
        ids.append(m[1])
        line = "trace id ID " + line[m.end():]
        out.append(re.sub(MAC, "MAC", line))
    return ids, out


def test_nft_trace_scenario(tmp_path):
    res = run(TOPOLOGIES / "nft-trace.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    ids, lines = tokenized(trace_lines(res))
    pre = 'trace id ID ip filter'
    fwd_pkt = (f'{pre} forward packet: iif "eth0" oif "eth1" ether saddr MAC ether daddr MAC '
               'ip saddr 10.0.1.2 ip daddr 10.0.2.2 ip dscp cs0 ip ecn not-ect ip ttl 63 ')
    assert lines == [
        # udp to port 7: jump to sub, return, the policy with the mark
        fwd_pkt + 'ip id 44909 ip length 33 udp sport 4000 udp dport 7 udp length 13 '
        '@th,64,40 0x68656c6c6f ',
        f'{pre} forward rule udp dport {{ 7, 9 }} meta nftrace set 1 (verdict continue)',
        f'{pre} forward rule meta mark set 0x0000002a (verdict continue)',
        f'{pre} forward rule ip daddr 10.0.2.2 jump sub (verdict jump sub)',
        f'{pre} sub rule udp dport 7 return (verdict return)',
        f'{pre} forward policy accept meta mark 0x0000002a ',
        # udp to port 9: the drop rule, its counter as the kernel dumps it
        fwd_pkt + 'ip id 44910 ip length 29 udp sport 4001 udp dport 9 udp length 9 '
        '@th,64,8 0x78 ',
        f'{pre} forward rule udp dport {{ 7, 9 }} meta nftrace set 1 (verdict continue)',
        f'{pre} forward rule meta mark set 0x0000002a (verdict continue)',
        f'{pre} forward rule udp dport 9 counter packets 0 bytes 0 drop (verdict drop)',
        # tcp SYN: no payload dump (20 bytes of header), the accept in sub
        fwd_pkt + 'ip id 44911 ip length 60 tcp sport 40000 tcp dport 80 '
        'tcp flags == syn tcp window 64240 ',
        f'{pre} forward rule tcp dport 80 meta nftrace set 1 (verdict continue)',
        f'{pre} forward rule meta mark set 0x0000002a (verdict continue)',
        f'{pre} forward rule ip daddr 10.0.2.2 jump sub (verdict jump sub)',
        f'{pre} sub rule tcp dport 80 accept (verdict accept)',
    ], "\n".join(lines)
    # one id per walk, three packets, three ids
    assert ids[0:6] == [ids[0]] * 6 and ids[6:10] == [ids[6]] * 4
    assert ids[10:] == [ids[10]] * 5
    assert len({ids[0], ids[6], ids[10]}) == 3
    # the same seed gives the same ids; another seed others
    again = run(TOPOLOGIES / "nft-trace.scn", out=tmp_path / "out2")
    assert trace_lines(again) == trace_lines(res)
    other = run(TOPOLOGIES / "nft-trace.scn", out=tmp_path / "out3", seed=12345)
    def no_ipid(ls):
        return [re.sub(r"ip id \d+ ", "", l) for l in ls]
    assert no_ipid(tokenized(trace_lines(other))[1]) == no_ipid(lines)
    assert tokenized(trace_lines(other))[0] != ids


def test_nft_trace_input_two_chains(tmp_path):
    """The input hook: two base chains share the walk's id, each prints the
    packet line; a chain where no rule decides prints only the policy; the
    mark set at prerouting shows on the policy lines only."""
    scn = write_scn(tmp_path, "in", PAIR + """
        r: nft add table ip filter
        r: nft 'add chain ip filter pre { type filter hook prerouting priority 0; policy accept; }'
        r: nft 'add chain ip filter input { type filter hook input priority 0; policy accept; }'
        r: nft 'add chain ip filter input2 { type filter hook input priority 10; policy accept; }'
        r: nft add chain ip filter sub
        r: nft add rule ip filter pre meta mark set 0x7
        r: nft add rule ip filter input nftrace set 1
        r: nft add rule ip filter input udp dport 7 jump sub
        r: nft add rule ip filter sub counter
        r: nft add rule ip filter input2 udp dport 9 accept
        r: listen udp 7
        at 0.5s r: nft monitor trace
        at 1s c: udp send 10.0.1.1:7 sport 5000 text "hi"
        at 1.5s r: nft list ruleset
        end 2s
    """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    ids, lines = tokenized(trace_lines(res))
    pkt = ('packet: iif "eth0" ether saddr MAC ether daddr MAC ip saddr 10.0.1.2 '
           'ip daddr 10.0.1.1 ip dscp cs0 ip ecn not-ect ip ttl 64 ')
    assert [re.sub(r"ip id \d+ ", "", l) for l in lines] == [
        'trace id ID ip filter input ' + pkt +
        'ip length 30 udp sport 5000 udp dport 7 udp length 10 @th,64,16 0x6869 ',
        'trace id ID ip filter input rule meta nftrace set 1 (verdict continue)',
        'trace id ID ip filter input rule udp dport 7 jump sub (verdict jump sub)',
        'trace id ID ip filter sub rule counter packets 0 bytes 0 (verdict continue)',
        'trace id ID ip filter input policy accept meta mark 0x00000007 ',
        'trace id ID ip filter input2 ' + pkt +
        'ip length 30 udp sport 5000 udp dport 7 udp length 10 @th,64,16 0x6869 ',
        'trace id ID ip filter input2 policy accept meta mark 0x00000007 ',
    ], "\n".join(lines)
    assert len(set(ids)) == 1
    listing = "\n".join(outputs(res.stdout, "r", "nft list ruleset")[-1].lines)
    assert "\t\tmeta nftrace set 1\n" in listing


def test_nft_trace_needs_monitor_and_mark(tmp_path):
    """No monitor running: no lines; a monitor but no marked packet: none."""
    body = """
        r: nft add table ip filter
        r: nft 'add chain ip filter forward { type filter hook forward priority 0; policy accept; }'
        r: nft add rule ip filter forward udp dport 7 meta nftrace set 1
        r: nft add rule ip filter forward udp dport 8 meta nftrace set 0
        {monitor}
        at 1s c: udp send 10.0.2.2:{port} sport 5000 text "hi"
        end 2s
    """
    for monitor, port, want in (("", 7, 0), ("at 0.5s r: nft monitor trace", 8, 0),
                                ("at 0.5s r: nft monitor trace", 7, 3)):
        scn = write_scn(tmp_path, f"m{port}{bool(monitor)}",
                        PAIR + body.replace("{monitor}", monitor).replace("{port}", str(port)))
        res = run(scn, out=tmp_path / f"out{port}{bool(monitor)}")
        assert res.rc == 0, explain(res)
        assert len(trace_lines(res)) == want, res.stdout


def test_nft_nftrace_value(tmp_path):
    scn = write_scn(tmp_path, "bad", PAIR + """
        r: nft add table ip t
        r: nft add chain ip t c
        at 1s r: nft add rule ip t c meta nftrace set 2
        at 1s r: nft list ruleset
        end 2s
    """)
    res = run(scn, out=tmp_path / "out")
    assert "Error: Value 2 exceeds valid range 0-1\n" in res.stderr, explain(res)
    assert "add rule ip t c meta nftrace set 2\n" + " " * 33 + "^\n" in res.stderr
    assert outputs(res.stdout, "r", "nft list ruleset")[-1].lines[:3] == [
        "table ip t {", "\tchain c {", "\t}"]


def test_nft_monitor_formats_refused(tmp_path):
    """natsim says what it does not implement (and refuses the scenario):
    nft monitor's xml and json formats (the event monitors themselves are
    test_nft_monitor.py's)."""
    scn = write_scn(tmp_path, "mon", PAIR + """
        at 1s r: nft monitor trace json
        end 2s
    """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc != 0
    assert "natsim: nft monitor json is not implemented" in res.stderr


def test_nft_trace_output_and_icmp(tmp_path):
    """The output hook (oif only, no link layer, the brief's recorded line)
    and ICMP: type, code (0 reads net-unreachable), bytes 4-7 as id and
    sequence whatever the type, then up to 12 bytes as @th (recorded on
    Linux: an echo with payload, a port unreachable quoting the UDP
    datagram's IPv4 header, dscp cs6)."""
    scn = write_scn(tmp_path, "icmp", PAIR + """
        r: nft add table ip filter
        r: nft 'add chain ip filter output { type filter hook output priority 0; policy accept; }'
        r: nft 'add chain ip filter fw { type filter hook forward priority 0; policy drop; }'
        r: nft add rule ip filter output udp dport 7 meta nftrace set 1
        r: nft add rule ip filter fw meta nftrace set 1
        r: nft add rule ip filter fw icmp type '{ echo-request, echo-reply, destination-unreachable }' accept
        r: nft add rule ip filter fw udp dport 6000 accept
        at 0.5s r: nft monitor trace
        at 1s r: udp send 10.0.2.2:7 sport 4000 text "hello"
        at 1.1s c: ping -c 1 10.0.2.2
        at 1.3s c: udp send 10.0.2.2:6000 sport 4002 text "hi"
        end 2s
    """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    _, lines = tokenized(trace_lines(res))
    packets = [re.sub(r"ip id \d+ ", "", l) for l in lines if " packet: " in l]
    fw = 'trace id ID ip filter fw packet: iif "eth{}" oif "eth{}" ether saddr MAC ether daddr MAC '
    assert packets[0] == (
        'trace id ID ip filter output packet: oif "eth1" ip saddr 10.0.2.1 ip daddr 10.0.2.2 '
        'ip dscp cs0 ip ecn not-ect ip ttl 64 ip length 33 udp sport 4000 udp dport 7 '
        'udp length 13 @th,64,40 0x68656c6c6f ')
    assert re.fullmatch(re.escape(fw.format(0, 1)) +
                        r"ip saddr 10\.0\.1\.2 ip daddr 10\.0\.2\.2 ip dscp cs0 ip ecn not-ect "
                        r"ip ttl 63 ip length 84 icmp type echo-request icmp code net-unreachable "
                        r"icmp id \d+ icmp sequence 1 @th,64,96 0x[0-9a-f]+ ", packets[1]), packets[1]
    assert re.fullmatch(re.escape(fw.format(1, 0)) +
                        r"ip saddr 10\.0\.2\.2 ip daddr 10\.0\.1\.2 ip dscp cs0 ip ecn not-ect "
                        r"ip ttl 63 ip length 84 icmp type echo-reply icmp code net-unreachable "
                        r"icmp id \d+ icmp sequence 1 @th,64,96 0x[0-9a-f]+ ", packets[2]), packets[2]
    assert re.fullmatch(re.escape(fw.format(1, 0)) +
                        r"ip saddr 10\.0\.2\.2 ip daddr 10\.0\.1\.2 ip dscp cs6 ip ecn not-ect "
                        r"ip ttl 63 ip length 58 icmp type destination-unreachable "
                        r"icmp code port-unreachable icmp id 0 icmp sequence 0 "
                        r"@th,64,96 0x4500001e[0-9a-f]{4}40003f11[0-9a-f]{4} ", packets[4]), packets[4]
    assert len(packets) == 5
    assert 'trace id ID ip filter output policy accept ' in lines
    # the anonymous set as `nft list` prints it (by value)
    assert ('trace id ID ip filter fw rule icmp type { echo-reply, destination-unreachable, '
            'echo-request } accept (verdict accept)') in lines


def test_nft_trace_inet_nat_reject(tmp_path):
    """One id across prerouting and input (the kernel's id is the skb's);
    an inet table's line adds `ip protocol`; a nat chain's dnat rule is
    `(verdict accept)` and walked for the connection's first packet only,
    the input chain sees the translated port; reject is `(verdict drop)`.
    The lines are the ones recorded on Linux (veth, the same ruleset)."""
    scn = write_scn(tmp_path, "inet", PAIR + """
        r: nft add table inet f
        r: nft 'add chain inet f pre { type filter hook prerouting priority -300; policy accept; }'
        r: nft 'add chain inet f input { type filter hook input priority 0; policy accept; }'
        r: nft add rule inet f pre udp dport '{ 7, 8 }' meta nftrace set 1
        r: nft add rule inet f input udp dport 8 reject
        r: nft add table ip nat
        r: nft 'add chain ip nat prerouting { type nat hook prerouting priority dstnat; policy accept; }'
        r: nft add rule ip nat prerouting udp dport 7 dnat to 10.0.1.1:9
        r: listen udp 9
        at 0.5s r: nft monitor trace
        at 1s c: udp send 10.0.1.1:7 sport 5000 text "hi"
        at 1.5s c: udp send 10.0.1.1:8 sport 5001 text "hi"
        end 2s
    """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    ids, lines = tokenized(trace_lines(res))
    lines = [re.sub(r"ip id \d+ ", "", l) for l in lines]
    head = ('packet: iif "eth0" ether saddr MAC ether daddr MAC ip saddr 10.0.1.2 '
            'ip daddr 10.0.1.1 ip dscp cs0 ip ecn not-ect ip ttl 64 ')

    def pkt(chain, sport, dport, inet=True):
        return (f'trace id ID {chain} ' + head + ('ip protocol udp ' if inet else '') +
                f'ip length 30 udp sport {sport} udp dport {dport} udp length 10 '
                '@th,64,16 0x6869 ')
    assert lines == [
        pkt('inet f pre', 5000, 7),
        'trace id ID inet f pre rule udp dport { 7, 8 } meta nftrace set 1 (verdict continue)',
        'trace id ID inet f pre policy accept ',
        pkt('ip nat prerouting', 5000, 7, inet=False),
        'trace id ID ip nat prerouting rule udp dport 7 dnat to 10.0.1.1:9 (verdict accept)',
        pkt('inet f input', 5000, 9),
        'trace id ID inet f input policy accept ',
        pkt('inet f pre', 5001, 8),
        'trace id ID inet f pre rule udp dport { 7, 8 } meta nftrace set 1 (verdict continue)',
        'trace id ID inet f pre policy accept ',
        pkt('ip nat prerouting', 5001, 8, inet=False),
        'trace id ID ip nat prerouting policy accept ',
        pkt('inet f input', 5001, 8),
        'trace id ID inet f input rule udp dport 8 reject (verdict drop)',
    ], "\n".join(lines)
    assert len(set(ids[:7])) == 1 and len(set(ids[7:])) == 1 and ids[0] != ids[7]


def test_nft_trace_goto_and_tcp_flags(tmp_path):
    """goto is `(verdict goto C)`; several tcp flags print as a number
    (`tcp flags == 0x12` for a SYN-ACK, as recorded on Linux), one by name."""
    scn = write_scn(tmp_path, "goto", PAIR + """
        r: nft add table ip filter
        r: nft add chain ip filter okc
        r: nft 'add chain ip filter fw { type filter hook forward priority 0; policy drop; }'
        r: nft add rule ip filter okc accept
        r: nft add rule ip filter fw tcp sport 80 meta nftrace set 1
        r: nft add rule ip filter fw tcp sport 80 goto okc
        r: nft add rule ip filter fw tcp dport 80 accept
        s: listen tcp 80
        at 0.5s r: nft monitor trace
        at 1s c: tcp connect 10.0.2.2:80 sport 40000
        end 2s
    """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    ids, lines = tokenized(trace_lines(res))
    assert len(lines) >= 4, "\n".join(lines)
    assert re.fullmatch(r'trace id ID ip filter fw packet: iif "eth1" oif "eth0" .* '
                        r'tcp sport 80 tcp dport 40000 tcp flags == 0x12 tcp window \d+ ',
                        lines[0]), lines[0]
    assert lines[1:4] == [
        'trace id ID ip filter fw rule tcp sport 80 meta nftrace set 1 (verdict continue)',
        'trace id ID ip filter fw rule tcp sport 80 goto okc (verdict goto okc)',
        'trace id ID ip filter okc rule accept (verdict accept)',
    ]


IPT_TRACE_SCN = """
    router r
    host a
    link a:eth0 r:eth0
    a: ip addr add 10.9.0.2/24 dev eth0
    r: ip addr add 10.9.0.1/24 dev eth0
    r: iptables -t raw -A PREROUTING -p udp -j TRACE
    r: iptables -A INPUT -p udp --dport 7 -j ACCEPT
    r: iptables -A INPUT -p udp -m multiport --dports 8,9 -j DROP
    r: iptables -N SUB
    r: iptables -A INPUT -s 10.9.0.2 -j SUB
    r: iptables -A SUB -p udp --dport 10 -j RETURN
    r: iptables -A SUB -m comment --comment hi
    r: {monitor}
    at 1s a: udp send 10.9.0.1:7 sport 4000 text "hi"
    at 1.1s a: udp send 10.9.0.1:9 sport 4000 text "hi"
    at 1.2s a: udp send 10.9.0.1:10 sport 4000 text "hi"
    end 2s
"""


def test_nft_trace_of_iptables_rules(tmp_path):
    """iptables-nft's rules in `nft monitor trace` (nat/nftables/
    nft_trace_xt.c): -j TRACE in raw marks the packet, and each base chain
    iptables-nft made gives nft's packet line, its rules in nft's decoding
    of iptables' expressions (the protocol dependency, a multiport set, the
    counters at 0), the verdicts (continue, accept, drop, jump, return) and
    the policy, as nft 1.0.6 printed them on Linux 6.18
    (tests/nft/monitor/trace-iptables.out, record.sh: a veth named vr)."""
    from pathlib import Path
    scn = write_scn(tmp_path, "ipt", IPT_TRACE_SCN.replace("{monitor}", "nft monitor trace"))
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert "not implemented" not in res.stderr, explain(res)
    ids, got = tokenized(trace_lines(res))
    rec = Path(__file__).resolve().parent.parent / "nft" / "monitor" / "trace-iptables.out"
    want_ids, want = tokenized(rec.read_text().splitlines())
    def norm(lines):
        return [re.sub(r"ip id \d+ ", "ip id N ", l).replace('"vr"', '"eth0"') for l in lines]
    assert norm(got) == norm(want)
    # one id per packet, shared by its chains, as Linux's
    assert [ids.index(i) for i in ids] == [want_ids.index(i) for i in want_ids]


def test_nft_trace_of_iptables_rules_needs_monitor(tmp_path):
    """xtables-monitor --trace gets its own lines, not nft's; no monitor, no line."""
    scn = write_scn(tmp_path, "ipt", IPT_TRACE_SCN.replace("{monitor}", "xtables-monitor --trace"))
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert trace_lines(res) == []
    assert any(" TRACE: " in a.text for a in async_lines(res.stdout, "r"))
    scn = write_scn(tmp_path, "none", IPT_TRACE_SCN.replace("r: {monitor}\n", ""))
    res = run(scn, out=tmp_path / "out2")
    assert res.rc == 0, explain(res)
    assert async_lines(res.stdout, "r") == []


def test_nft_trace_counters_are_the_monitors_cache(tmp_path):
    """nft prints a traced rule from the cache it loaded when it started
    (nft_trace_cache.c): a counter shows what it had counted then, for every
    packet traced after, nft's rules and iptables-nft's alike (measured on
    Linux 6.18 with nft 1.0.6: a rule that had counted one 30-byte datagram
    before `nft monitor trace` started printed `udp dport 8 counter packets
    1 bytes 30 (verdict continue)` for the two datagrams traced after)."""
    scn = write_scn(tmp_path, "cnt", """
        router r
        host a
        link a:eth0 r:eth0
        a: ip addr add 10.9.0.2/24 dev eth0
        r: ip addr add 10.9.0.1/24 dev eth0
        r: nft add table ip t
        r: nft 'add chain ip t pre { type filter hook prerouting priority -300; }'
        r: nft add rule ip t pre udp dport 8 counter
        r: iptables -A INPUT -p udp --dport 8 -j ACCEPT
        at 0.5s a: udp send 10.9.0.1:8 sport 4000 text "hi"
        at 0.7s r: nft insert rule ip t pre udp dport 8 meta nftrace set 1
        at 0.8s r: nft monitor trace
        at 1s a: udp send 10.9.0.1:8 sport 4000 text "hi" count 2 interval 100ms
        end 2s
    """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    _, lines = tokenized(trace_lines(res))
    rules = [l for l in lines if " rule " in l]
    pre = "trace id ID ip t pre rule "
    inp = "trace id ID ip filter INPUT rule "
    once = [pre + "udp dport 8 meta nftrace set 1 (verdict continue)",
            pre + "udp dport 8 counter packets {} bytes {} (verdict continue)",
            inp + "udp dport 8 counter packets {} bytes {} accept (verdict accept)"]
    def walk(p, b):
        return [l.format(p, b, p, b) if "{}" in l else l for l in once]
    # both traced datagrams: the counts at the monitor's start (0.8 s)
    assert rules == walk(1, 30) + walk(1, 30), rules
