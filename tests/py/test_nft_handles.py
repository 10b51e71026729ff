"""Issue 18: rules placed and replaced by handle act on packets in their new
places (nat/nftables/nft_position.c): the chain's rule order after `insert
rule ... position H`, `replace rule ... handle H` and `delete rule ... handle
H` is the order the forward hook evaluates, asserted on the pcap and on the
counters `nft -a list ruleset` shows (a replaced rule keeps its handle and
starts from zero, as the kernel's new rule does). The texts of these
commands and their errors are compared with the real nft in test_nft.py
(tests/nft/commands/handles.txt).
"""
from conftest import ROUTER_PAIR, explain, ip_pkts, outputs, pcap, run, write_scn


def test_rules_by_handle_on_packets(tmp_path):
    scn = write_scn(tmp_path, "handles", ROUTER_PAIR + """
        r: nft add table ip t
        r: nft 'add chain ip t fw { type filter hook forward priority 0; }'
        r: nft add rule ip t fw udp dport 7 counter accept
        r: nft add rule ip t fw udp dport 7 counter drop
        at 1s c: udp send 10.0.2.2:7 sport 4000 count 2 interval 0.1s size 10
        at 2s r: nft insert rule ip t fw position 2 udp dport 7 counter drop
        at 3s c: udp send 10.0.2.2:7 sport 4001 count 3 interval 0.1s size 10
        at 4s r: nft replace rule ip t fw handle 4 udp dport 7 counter accept
        at 5s c: udp send 10.0.2.2:7 sport 4002 count 4 interval 0.1s size 10
        at 5900ms r: nft -a list chain ip t fw
        at 6s r: nft delete rule ip t fw handle 4
        at 6s r: nft delete rule ip t fw handle 2
        at 7s c: udp send 10.0.2.2:7 sport 4003 count 5 interval 0.1s size 10
        at 8s r: nft -a list ruleset
        end 9s
    """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    s = pcap(tmp_path / "out", "s", "eth0")
    got = sorted({p.sport for p in ip_pkts(s, proto=17, dport=7)})
    # 4000 passed the accept; 4001 met the inserted drop; 4002 its
    # replacement's accept; 4003 the old drop once the others were deleted
    assert got == [4000, 4002], got
    assert len(ip_pkts(s, proto=17, dport=7)) == 6
    mid = outputs(res.stdout, "r", "nft -a list chain")[-1].lines
    assert mid[2:6] == [
        "\t\ttype filter hook forward priority filter; policy accept;",
        "\t\tudp dport 7 counter packets 4 bytes 152 accept # handle 4",
        "\t\tudp dport 7 counter packets 2 bytes 76 accept # handle 2",
        "\t\tudp dport 7 counter packets 0 bytes 0 drop # handle 3",
    ], mid
    lst = outputs(res.stdout, "r", "nft -a list ruleset")[-1].lines
    assert lst == [
        "table ip t { # handle 1",
        "\tchain fw { # handle 1",
        "\t\ttype filter hook forward priority filter; policy accept;",
        "\t\tudp dport 7 counter packets 5 bytes 190 drop # handle 3",
        "\t}",
        "}",
    ], lst
