"""-m connlimit on packets (topologies/connlimit.scn): a closed connection
(TIME_WAIT) no longer counts, the count is per source address (or per
destination network with --connlimit-daddr --connlimit-mask 24), and the
connection over the limit gets the rule's reset (xt_connlimit.c over
nf_conncount's lists). The texts are tests/unit/test_xt_real.c's (block 22)."""
from conftest import TCP, TOPOLOGIES, explain, ip_pkts, pcap, run


def test_connlimit_counts_open_connections_per_source(tmp_path):
    res = run(TOPOLOGIES / "connlimit.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert "2 of 2 expectations held" in res.stderr, res.stderr
    assert "connect to 10.0.2.2 port 80 failed: Connection refused" in res.stdout
    srv = pcap(res.outdir, "server", "eth0")
    syns = sorted(p[TCP].sport for p in ip_pkts(srv, proto=6) if p[TCP].flags == "S")
    assert syns == [41000, 41001, 41002, 41005], syns
    cli = pcap(res.outdir, "client", "eth0")
    rsts = [p[TCP].dport for p in ip_pkts(cli, proto=6, src="10.0.2.2") if p[TCP].flags.R]
    assert rsts == [41003], rsts
