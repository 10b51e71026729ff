"""Issue 14: `-m tcpmss [!] --mss MIN[:MAX]` on packets
(topologies/tcpmss-match.scn; tests/py/test_kernel_compare.py compares it
with Linux). The MSS each SYN carries decides: a SYN advertising 1160 to
port 81 is reset by the router and never reaches the server, a hand-made
SYN without the option passes the same rule and is reset by the server;
counting rules count what the kernel counts. The -S/-L/save texts and
errors are tests/unit/test_xt_real.c's."""
from conftest import TCP, TOPOLOGIES, explain, ip_pkts, pcap, run


def _mss(p):
    return [v for k, v in p[TCP].options if k == "MSS"]


def test_tcpmss_match_reads_the_mss_option(tmp_path):
    res = run(TOPOLOGIES / "tcpmss-match.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert "8 of 8 expectations held" in res.stderr, res.stderr
    client = pcap(res.outdir, "client", "eth0")
    server = pcap(res.outdir, "server", "eth0")
    # the 1 s connection: MSS 1460 out, 1360 back, both forwarded
    syn = ip_pkts(server, proto=6, src="10.0.1.2", sport=40000)[0]
    assert syn[TCP].flags == "S" and _mss(syn) == [1460]
    synack = ip_pkts(client, proto=6, src="10.0.2.2", dport=40000)[0]
    assert synack[TCP].flags == "SA" and _mss(synack) == [1360]
    # MTU 1200: the SYN says 1160, in 1100:1200 -> REJECT: only the router's reset
    syn81 = ip_pkts(client, proto=6, src="10.0.1.2", sport=40002)
    assert [(str(p[TCP].flags), _mss(p)) for p in syn81] == [("S", [1160])]
    assert ip_pkts(server, proto=6, sport=40002) == [] and ip_pkts(server, proto=6, dport=40002) == []
    rst = ip_pkts(client, proto=6, src="10.0.2.2", dport=40002)
    assert [str(p[TCP].flags) for p in rst] == ["RA"]
    # no MSS option: outside every range, the REJECT rule passes it
    bare = ip_pkts(server, proto=6, src="10.0.1.2", sport=40003)
    assert [(str(p[TCP].flags), p[TCP].options) for p in bare] == [("S", [])]
    assert [str(p[TCP].flags) for p in ip_pkts(client, proto=6, src="10.0.2.2", dport=40003)] == ["RA"]
