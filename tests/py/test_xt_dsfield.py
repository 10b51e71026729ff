"""-m pkttype, -m mac, -m tos, -m dscp and -j TOS, -j DSCP, -j TTL on packets.

The texts (parse, -S, -L, save, refusals) are tests/unit/test_xt_real.c's,
recorded from the real iptables 1.8.9; here the scenarios' counters state
the kernel's match semantics and the server's capture shows what the
targets wrote, with a valid header checksum.
"""
import pytest

from conftest import TOPOLOGIES, assert_all_checksums, explain, ip_pkts, pcap, run

CLIENT_MAC = "02:64:e6:df:0e:5d"  # client:eth0's, named in pkttype-mac.scn's rules


@pytest.mark.parametrize("name", ["pkttype-mac", "dsfield-ttl"])
def test_scenario_expectations(name, tmp_path):
    res = run(TOPOLOGIES / f"{name}.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert "expectations held" in res.stderr and "failed" not in res.stderr, res.stderr


def test_mac_source_filters_forwarding(tmp_path):
    """FORWARD drops what does not come from the client's MAC: the server
    sees the client's datagram, not the other host's (same LAN, same
    router, another source MAC)."""
    res = run(TOPOLOGIES / "pkttype-mac.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    sent = ip_pkts(pcap(res.outdir, "client", "eth0"), proto=17, src="10.0.1.2")
    assert sent and all(p.src == CLIENT_MAC for p in sent), [p.src for p in sent]
    assert [p.src for p in ip_pkts(pcap(res.outdir, "other", "eth0"), proto=17)] != [CLIENT_MAC]
    got = pcap(res.outdir, "server", "eth0")
    assert len(ip_pkts(got, proto=17, src="10.0.1.2", dport=9)) == 1
    assert ip_pkts(got, proto=17, src="10.0.1.3") == []
    assert len(ip_pkts(got, proto=17, src="10.0.2.1", sport=6000)) == 1


# server port: (TOS byte, TTL) as the datagram arrives
REWRITES = {
    9: (0x10, 63),    # --set-tos Minimize-Delay
    10: (0xbb, 63),   # --set-tos 0x03, then DSCP EF: 0x2e << 2, the ECN bits kept
    11: (0x00, 4),    # PREROUTING --ttl-set 5, then ip_forward's decrement
    12: (0x00, 73),   # FORWARD --ttl-inc 10 after the decrement
    13: (0x00, 0),    # POSTROUTING --ttl-dec 100: clamped at 0, and sent
    14: (0x20, 63),   # --or-tos 0x28, then --xor-tos 0x08
}


def test_tos_dscp_ttl_targets_rewrite_the_header(tmp_path):
    res = run(TOPOLOGIES / "dsfield-ttl.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    got = pcap(res.outdir, "server", "eth0")
    seen = {}
    for p in ip_pkts(got, proto=17, src="10.0.1.2"):
        seen[p.dport] = (p.tos, p.ttl)
    assert seen == REWRITES, seen
    assert_all_checksums(got, "server:eth0")
    # the client sent them all with TOS 0 and TTL 64
    sent = ip_pkts(pcap(res.outdir, "client", "eth0"), proto=17)
    assert sorted((p.dport, p.tos, p.ttl) for p in sent) == [(d, 0, 64) for d in range(9, 15)]
