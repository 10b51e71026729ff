"""-j NETMAP on packets (topologies/netmap.scn): a network mapped 1:1 keeps
each address's host bits (xt_NETMAP.c netmap_tg4). PREROUTING and OUTPUT
rewrite the destination, POSTROUTING and INPUT the source; replies are
translated back. The texts are tests/unit/test_xt_real.c's (block 18)."""
from conftest import TOPOLOGIES, assert_all_checksums, explain, ip_pkts, pcap, run


def test_netmap_maps_networks_both_ways(tmp_path):
    res = run(TOPOLOGIES / "netmap.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert "4 of 4 expectations held" in res.stderr, res.stderr
    srv = pcap(res.outdir, "server", "eth0")
    assert_all_checksums(srv, "server:eth0")
    # the client's 10.0.1.2 -> 192.0.2.2 arrives as 172.16.5.2 -> 10.0.2.2
    assert len(ip_pkts(srv, proto=17, src="172.16.5.2", dst="10.0.2.2", sport=5000)) == 1
    # the router's own 192.0.2.2 (OUTPUT) arrives at 10.0.2.2, source kept
    assert len(ip_pkts(srv, proto=17, src="10.0.2.1", dst="10.0.2.2", sport=6000)) == 1
    # the echo goes back to the client from the address it used
    cli = pcap(res.outdir, "client", "eth0")
    back = ip_pkts(cli, proto=17, src="192.0.2.2", dst="10.0.1.2", dport=5000)
    assert len(back) == 1
    # nat INPUT: the datagram to the router itself gets source 10.77.1.2
    assert "[UNREPLIED] src=10.0.1.1 dst=10.77.1.2 sport=7 dport=5001" in res.stdout
