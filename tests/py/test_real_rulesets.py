"""Real rulesets run verbatim (issue 14), and the matches they need.

topologies/real/*.scn load a ruleset as its tool wrote it (the source is
cited at the top of each .rules file) with `iptables-restore < FILE`, and
send the traffic a user of that machine sends. Each must load without a
failed command and hold every expectation; tests/py/test_kernel_compare.py
compares them with Linux.
"""
from pathlib import Path

import pytest

from conftest import IP, TCP, TOPOLOGIES, check, explain, ip_pkts, pcap, run

REAL = sorted((TOPOLOGIES / "real").glob("*.scn"))


@pytest.mark.parametrize("path", REAL, ids=[p.stem for p in REAL])
def test_real_ruleset_loads_and_holds(path, tmp_path):
    c = check(path)
    assert c.rc == 0, explain(c)
    res = run(path, "--check", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert "failed" not in res.stderr, res.stderr


def test_docker_published_port_paths(tmp_path):
    """The four paths of a Docker host, read from the wire."""
    res = run(TOPOLOGIES / "real" / "docker.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    web = pcap(res.outdir, "web", "eth0")
    # outside client -> 203.0.113.1:8080 arrives DNATed to the container
    assert ip_pkts(web, proto=6, src="203.0.113.10", dst="172.17.0.2", sport=40000, dport=80)
    # the host's own connection to its published port, DNATed in nat OUTPUT
    # and keeping its source 203.0.113.1
    syn = ip_pkts(web, proto=6, src="203.0.113.1", dst="172.17.0.2", sport=42000, dport=80)
    assert syn and syn[0][TCP].flags == "S"
    # the container's own connection leaves masqueraded
    server = pcap(res.outdir, "server", "eth0")
    out = ip_pkts(server, proto=6, dst="203.0.113.20", dport=80)
    assert out and all(p[IP].src == "203.0.113.1" for p in out)
    # the container's unpublished port 81: dropped by FORWARD's policy
    assert not ip_pkts(web, proto=6, dport=81)
    client = pcap(res.outdir, "client", "eth0")
    assert len(ip_pkts(client, proto=6, src="203.0.113.10", dport=81)) >= 2  # retried SYNs
    assert not ip_pkts(client, proto=6, sport=81)


def test_kube_proxy_clusterip(tmp_path):
    """kube-proxy's ClusterIP with three endpoints: every connection lands
    on an endpoint's port 8080; the outside client's arrive masqueraded
    (--random-fully) from the node, the pod's keep their source; the split
    follows the seed."""
    def split(seed):
        res = run(TOPOLOGIES / "real" / "kube-proxy.scn", out=tmp_path / f"s{seed}", seed=seed)
        assert res.rc == 0, explain(res)
        syns = []
        for i, web in enumerate(("web1", "web2", "web3"), 1):
            pk = [p for p in ip_pkts(pcap(res.outdir, web, "eth0"), proto=6,
                                     dst=f"10.244.1.1{i}", dport=8080)
                  if p[TCP].flags == "S"]
            syns.append(pk)
        srcs = sorted(p[IP].src for pk in syns for p in pk)
        assert srcs == ["10.244.1.1"] * 6 + ["10.244.2.20"] * 2, srcs
        return [len(pk) for pk in syns]

    a = split(1)
    assert sum(a) == 8
    assert any(split(s) != a for s in (2, 3, 4))


def test_openwrt_fw3_paths(tmp_path):
    """fw3's zones on the wire: lan -> wan masqueraded with the SYN's MSS
    clamped to the 1400-byte WAN (1360) both ways, the router's closed
    ports answered by fw3's reject chain (tcp-reset for TCP, port
    unreachable for UDP), a wan client's SYN towards the lan reset by the
    router, never reaching the lan."""
    from conftest import ICMP, UDPerror
    res = run(TOPOLOGIES / "real" / "openwrt.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    lan = pcap(res.outdir, "lanhost", "eth0")
    server = pcap(res.outdir, "server", "eth0")
    syn = [p for p in ip_pkts(server, proto=6, dport=80) if p[TCP].flags == "S"]
    assert len(syn) == 1 and syn[0][IP].src == "198.51.100.2"
    assert [v for k, v in syn[0][TCP].options if k == "MSS"] == [1360]
    mine = [p for p in ip_pkts(lan, proto=6, sport=40000) if p[TCP].flags == "S"]
    assert [v for k, v in mine[0][TCP].options if k == "MSS"] == [1460]
    synack = [p for p in ip_pkts(lan, proto=6, dport=40000) if p[TCP].flags == "SA"]
    assert synack and [v for k, v in synack[0][TCP].options if k == "MSS"] == [1360]
    assert not ip_pkts(server, src="192.168.1.100")
    out = pcap(res.outdir, "outside", "eth0")
    rst = ip_pkts(out, proto=6, src="198.51.100.2", sport=22)
    assert len(rst) == 1 and rst[0][TCP].flags == "RA"
    rst = ip_pkts(out, proto=6, src="192.168.1.100", sport=80)
    assert len(rst) == 1 and rst[0][TCP].flags == "RA"
    assert not ip_pkts(lan, src="198.51.100.7")
    unreach = [p for p in ip_pkts(out, proto=1, src="198.51.100.2")
               if p[ICMP].type == 3 and p[ICMP].code == 3]
    assert len(unreach) == 1 and unreach[0][UDPerror].dport == 53


def test_ufw_default_policy(tmp_path):
    """ufw's default deny on the wire and in the kernel log: port 22 (the
    user rule) and ping answered, port 80 and NetBIOS never, an INVALID
    SYN+FIN dropped silently; each dropped SYN to port 80 logged as
    "[UFW BLOCK] " with the kernel's fields; the host's own connection out
    accepted by ufw-track-output."""
    from conftest import ICMP
    res = run(TOPOLOGIES / "real" / "ufw.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    cl = pcap(res.outdir, "client", "eth0")
    assert [p[TCP].flags for p in ip_pkts(cl, proto=6, src="192.0.2.1", sport=22)
            if p[TCP].dport == 40000][0] == "SA"
    assert [p[ICMP].type for p in ip_pkts(cl, proto=1, src="192.0.2.1")] == [0]
    syns = [p for p in ip_pkts(cl, proto=6, dport=80) if p[TCP].flags == "S"]
    assert len(syns) >= 3 and not ip_pkts(cl, proto=6, sport=80)
    assert not ip_pkts(cl, src="192.0.2.1", dport=137)
    assert not ip_pkts(cl, proto=6, dport=40002)
    out = [p for p in ip_pkts(cl, proto=6, src="192.0.2.1", sport=45000) if p[TCP].flags == "S"]
    assert len(out) == 1
    lines = [x for x in (res.outdir / "kernel.log").read_text().splitlines()
             if "[UFW BLOCK] " in x]
    assert len(lines) == len(syns), lines
    assert all("SRC=192.0.2.10 DST=192.0.2.1 " in x and " DPT=80 " in x and
               x.endswith(" SYN URGP=0 ") for x in lines), lines


def test_firewalld_public_zone(tmp_path):
    """firewalld's iptables backend, through its -g gotos into the public
    zone: ssh and ping answered, port 80 and UDP 53 rejected with ICMP host
    prohibited (type 3 code 10), an INVALID SYN+FIN dropped silently, the
    host's own connection out answered."""
    from conftest import ICMP, IPerror
    res = run(TOPOLOGIES / "real" / "firewalld.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    cl = pcap(res.outdir, "client", "eth0")
    assert [p[TCP].flags for p in ip_pkts(cl, proto=6, src="192.0.2.1", sport=22)
            if p[TCP].dport == 40000][0] == "SA"
    icmp = ip_pkts(cl, proto=1, src="192.0.2.1")
    assert [(p[ICMP].type, p[ICMP].code) for p in icmp] == [(0, 0), (3, 10), (3, 10)]
    assert [p[IPerror].proto for p in icmp[1:]] == [6, 17]
    assert not ip_pkts(cl, proto=6, sport=80)
    assert not ip_pkts(cl, proto=6, dport=40002)
    out = [p for p in ip_pkts(cl, proto=6, src="192.0.2.1", sport=45000) if p[TCP].flags == "S"]
    assert len(out) == 1
