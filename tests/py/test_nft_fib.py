"""Issue 18: nft's reverse-path check, `fib saddr [. mark] [. iif] oif
missing|exists` (nat/nftables/nft_fib.c), on packets: topologies/nft-fib.scn
(kernel-compared by test_kernel_compare.py) sends from a source routed back
out of the input interface, one routed out of another, and one with no
route; the counters of the strict (`. iif`) and loose checks, and the drop,
show which is which. The listings are compared with the real nft's in
test_nft.py (tests/nft/rulesets/fib-oif.nft) and test_nft_real.py
(firewalld's ruleset).
"""
from conftest import TOPOLOGIES, explain, ip_pkts, outputs, pcap, run


def test_fib_oif_strict_and_loose(tmp_path):
    res = run(TOPOLOGIES / "nft-fib.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    lst = outputs(res.stdout, "router", "nft list ruleset")[-1].lines
    # strict exists: client; loose exists: client and other; strict
    # missing: other and stray, dropped
    assert "\t\tiifname \"eth0\" fib saddr . iif oif exists counter packets 1 bytes 92" in lst, lst
    assert "\t\tiifname \"eth0\" fib saddr oif exists counter packets 2 bytes 184" in lst, lst
    assert ("\t\tiifname \"eth0\" fib saddr . mark . iif oif missing counter packets 2 bytes 184"
            " drop") in lst, lst
    s = pcap(res.outdir, "server", "eth0")
    assert [p.sport for p in ip_pkts(s, proto=17)] == [5000]
