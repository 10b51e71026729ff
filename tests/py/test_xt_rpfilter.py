"""-m rpfilter on packets (topologies/rpfilter.scn): the source looked up
in the router's FIB, strict (the route back leaves by the input device) or
--loose (any route), --invert, lo always accepted (ipt_rpfilter.c
rpfilter_mt). The texts are tests/unit/test_xt_real.c's (block 21)."""
from conftest import IP, TOPOLOGIES, explain, ip_pkts, pcap, run


def test_rpfilter_strict_loose_invert(tmp_path):
    res = run(TOPOLOGIES / "rpfilter.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert "5 of 5 expectations held" in res.stderr, res.stderr
    got = pcap(res.outdir, "server", "eth0")
    # the client and `other` (loose) reach the server; `stray` (no route) is dropped
    assert sorted(p[IP].src for p in ip_pkts(got, proto=17, dport=9)) == ["10.0.1.2", "10.0.3.5"]
