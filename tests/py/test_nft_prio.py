"""Issue 18: a base chain's priority expression (nat/nftables/nft_prio.c)
decides where the chain runs among the hook's users: `filter - 5` runs
before iptables' filter table (0), `filter + 10` after it, as with the
numbers -5 and 10 (test_nft_packets.py). The listings and nft's errors for
priority expressions are compared with the real nft's in test_nft.py
(tests/nft/rulesets/prio-expr.nft, tests/nft/errors/prio-*.nft).
"""
from conftest import ROUTER_PAIR, explain, ip_pkts, outputs, pcap, run, write_scn


def test_priority_expressions_run_in_priority_order(tmp_path):
    scn = write_scn(tmp_path, "prio", ROUTER_PAIR + """
        r: iptables -A FORWARD -p udp --dport 9 -j DROP
        r: nft add table ip t
        r: nft 'add chain ip t early { type filter hook forward priority filter - 5; }'
        r: nft 'add chain ip t late { type filter hook forward priority filter+10; }'
        r: nft 'add chain ip t first { type filter hook forward priority mangle - 1; }'
        r: nft add rule ip t first meta l4proto udp counter
        r: nft add rule ip t early udp dport 7 counter drop
        r: nft add rule ip t early meta l4proto udp counter
        r: nft add rule ip t late meta l4proto udp counter
        at 1s c: udp send 10.0.2.2:7 sport 4000 count 2 interval 0.1s size 10
        at 1s c: udp send 10.0.2.2:8 sport 4001 count 3 interval 0.1s size 10
        at 1s c: udp send 10.0.2.2:9 sport 4002 count 4 interval 0.1s size 10
        at 2s r: nft list ruleset
        end 3s
    """)
    res = run(scn, "--trace", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    lst = outputs(res.stdout, "r", "nft list ruleset")[-1].lines
    assert "\t\ttype filter hook forward priority filter - 5; policy accept;" in lst, lst
    assert "\t\ttype filter hook forward priority filter + 10; policy accept;" in lst, lst
    assert "\t\ttype filter hook forward priority mangle - 1; policy accept;" in lst, lst
    # first (-151) sees all 9; early (-5) drops port 7's 2 and counts 7;
    # iptables (0) drops port 9's 4; late (10) sees port 8's 3
    assert "\t\tmeta l4proto udp counter packets 9 bytes 342" in lst, lst
    assert "\t\tudp dport 7 counter packets 2 bytes 76 drop" in lst, lst
    assert "\t\tmeta l4proto udp counter packets 7 bytes 266" in lst, lst
    assert "\t\tmeta l4proto udp counter packets 3 bytes 114" in lst, lst
    s = pcap(tmp_path / "out", "s", "eth0")
    assert len(ip_pkts(s, proto=17, dport=8)) == 3
    assert len(ip_pkts(s, proto=17, dport=7)) + len(ip_pkts(s, proto=17, dport=9)) == 0
    walk = (tmp_path / "out" / "trace.log").read_text()
    block = walk[walk.index("UDP 10.0.1.2:4001 > 10.0.2.2:8"):]
    block = block[:block.index("leaves")]
    assert (block.index("ip t first") < block.index("ip t early") < block.index("filter")
            < block.index("ip t late")), block
