"""kube-proxy's iptables mode, read from the wire (issue 14).

topologies/real/kube-proxy-services.scn loads kube-proxy's whole ruleset
(TestOverallIPTablesRules: ClusterIP, NodePort, externalIP, LoadBalancer
with loadBalancerSourceRanges, sessionAffinity, a Service without
endpoints) and sends each kind of traffic; kube-proxy-affinity.scn has
sessionAffinity ClientIP with several endpoints. The ClusterIP Service with
three endpoints is kube-proxy.scn (test_real_rulesets.py). Their kernel
comparisons are in test_kernel_compare.py.
"""
from pathlib import Path

from conftest import (ICMP, IP, TCP, TCPerror, TOPOLOGIES, explain, ip_pkts, outputs, pcap,
                      run, write_scn)

REAL = TOPOLOGIES / "real"
DATA = Path(__file__).resolve().parent / "data"


def syns(pkts, **kw):
    return [p for p in ip_pkts(pkts, proto=6, **kw) if p[TCP].flags == "S"]


def test_kube_proxy_services_paths(tmp_path):
    """Each Service kind of TestOverallIPTablesRules, from the pcaps."""
    res = run(REAL / "kube-proxy-services.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    o = res.outdir
    allowed, refused = pcap(o, "allowed", "eth0"), pcap(o, "refused", "eth0")
    pod1, pod3 = pcap(o, "pod1", "eth0"), pcap(o, "pod3", "eth0")

    # ClusterIP, NodePort and the LoadBalancer from an allowed source: the
    # endpoint sees the node's pod-side address (KUBE-MARK-MASQ, then
    # MASQUERADE --random-fully: a drawn port), the client the address it
    # dialled
    s = syns(pod1, src="10.180.0.254", dst="10.180.0.1", dport=80)
    assert len(s) == 2 and s[0][TCP].sport != 40000, s
    # (and the node's own localhost NodePort connection at 2.3 s, below)
    s = syns(pod3, dst="10.180.0.3", dport=80)
    assert len(s) == 5 and {p[IP].src for p in s} == {"10.180.0.254"}, s
    assert not {p[TCP].sport for p in s} & {40001, 40002, 40003, 40004, 42000}
    for sport, src, port in ((40000, "172.30.0.41", 80), (40001, "203.0.113.1", 3003),
                             (40002, "5.6.7.8", 80), (40003, "5.6.7.8", 80),
                             (40004, "172.30.0.45", 80)):
        sa = [p for p in ip_pkts(allowed, proto=6, src=src, sport=port, dport=sport)
              if p[TCP].flags == "SA"]
        assert len(sa) == 1, (sport, src)

    # a localhost NodePort from the node (127.0.0.1:3003, route_localnet):
    # DNATed to pod3 with the source 127.0.0.1 kept, then masqueraded; the
    # connection completes, and KUBE-NODEPORTS' -d 127.0.0.0/8 rule counted
    # its first packet in localhost_nps_accepted_pkts
    assert not ip_pkts(pod3, src="127.0.0.1") and not ip_pkts(pod3, dst="127.0.0.1")
    local = [p for p in s if 2.25 <= p.time < 2.35]
    assert len(local) == 1, s
    back = ip_pkts(pod3, proto=6, src="10.180.0.3", sport=80, dport=local[0][TCP].sport)
    assert [p[TCP].flags for p in back][:1] == ["SA"] and any(p[TCP].flags.F for p in back)
    assert outputs(res.stdout, "node", "nfacct list")[0].lines == [
        "{ pkts = 00000000000000000001, bytes = 00000000000000000060 } = "
        "localhost_nps_accepted_pkts;"]

    # a source outside loadBalancerSourceRanges: no DNAT, dropped by
    # KUBE-PROXY-FIREWALL, its SYN sent again and never answered
    assert len(syns(refused, src="203.0.113.200", dst="5.6.7.8", dport=80)) >= 2
    assert not ip_pkts(refused, src="5.6.7.8")
    assert not ip_pkts(pcap(o, "upstream", "eth0"), dst="5.6.7.8")

    # no endpoints: REJECT's port unreachable, quoting the SYN as sent
    for pk, client, router, sport in ((allowed, "203.0.113.10", "203.0.113.1", 40005),
                                      (pod3, "10.180.0.3", "10.180.0.254", 41001)):
        err = [p for p in ip_pkts(pk, proto=1, src=router, dst=client) if p[ICMP].type == 3]
        assert len(err) == 1, err
        assert err[0][ICMP].code == 3
        assert err[0][TCPerror].sport == sport and err[0][TCPerror].dport == 80
        assert err[0]["IPerror"].dst == "172.30.0.46"

    # svc2 (externalTrafficPolicy Local, no local endpoint): its externalIP
    # and its NodePort dropped by KUBE-EXTERNAL-SERVICES
    for dst, port in (("192.168.99.22", 80), ("203.0.113.1", 3001)):
        assert len(syns(allowed, dst=dst, dport=port)) >= 2
        assert not ip_pkts(allowed, src=dst, sport=port)
    assert not ip_pkts(pcap(o, "upstream", "eth0"), dst="192.168.99.22")

    # hairpin: pod1 reaches itself through its Service, masqueraded to the
    # node's pod-side address; it sees its own SYN come back from the node
    # and the answer from the Service address
    s = syns(pod1, src="10.180.0.254", dst="10.180.0.1", dport=80)
    hair = [p for p in s if p.time >= 2.8]
    assert len(hair) == 1 and hair[0][TCP].sport != 41000
    sa = [p for p in ip_pkts(pod1, proto=6, src="172.30.0.41", dst="10.180.0.1",
                             sport=80, dport=41000) if p[TCP].flags == "SA"]
    assert len(sa) == 1

    # svc4's externalIP: one of its two endpoints, masqueraded
    got = [len(syns(pcap(o, n, "eth0"), src="10.180.0.254", dst=a, dport=80))
           for n, a in (("pod4", "10.180.0.4"), ("pod5", "10.180.0.5"))]
    assert sorted(got) == [0, 1], got


def test_kube_proxy_services_affinity_counters(tmp_path):
    """svc5's affinity with its one endpoint: the first LoadBalancer
    connection falls through to the endpoint (recent --set), the second and
    the cluster IP connection of the same client are caught by --rcheck."""
    res = run(REAL / "kube-proxy-services.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    from conftest import ipt_counters
    b = outputs(res.stdout, "node", "iptables -t nat -L KUBE-SVC-NUKIZ6OKUXPJNT4C")
    _, rules = ipt_counters(b[0].lines)
    assert [r[0] for r in rules] == [1, 2, 1], rules
    assert "recent: CHECK seconds: 10800 reap name: KUBE-SEP-I77PXRDZVX7PMWMN" in rules[1][3]


def _endpoints_by_client(outdir):
    """{client address: {endpoint addresses its SYNs reached}} from the
    endpoints' pcaps (dst = the endpoint's own address: a switch floods
    frames to the others)."""
    seen = {}
    for node, addr in (("ep1", "10.0.1.1"), ("ep2", "10.0.1.2"), ("ep5", "10.0.1.5")):
        for p in syns(pcap(outdir, node, "eth0"), dst=addr, dport=80):
            seen.setdefault(p[IP].src, set()).add(addr)
    return seen


def affinity_holds(seen):
    """Every client on one endpoint; the load balancer keeps the client's
    address and draws among the two local endpoints only; alice's cluster IP
    connection (masqueraded) lands on her endpoint."""
    for client in ("203.0.113.2", "203.0.113.3", "203.0.113.4", "10.0.0.2"):
        assert len(seen.get(client, ())) == 1, (client, seen)
    for client in ("203.0.113.2", "203.0.113.3", "203.0.113.4"):
        assert seen[client] <= {"10.0.1.1", "10.0.1.2"}, seen
    assert seen.get("10.0.1.254") == seen["203.0.113.2"], seen


def test_kube_proxy_affinity_sticks(tmp_path):
    """sessionAffinity ClientIP with several endpoints: each client sticks
    to the endpoint its first connection drew; with other seeds, other
    draws, and some client lands on another endpoint than alice."""
    differ = False
    for seed in (1, 2, 3, 4):
        res = run(REAL / "kube-proxy-affinity.scn", out=tmp_path / f"s{seed}", seed=seed)
        assert res.rc == 0, explain(res)
        seen = _endpoints_by_client(res.outdir)
        affinity_holds(seen)
        counts = {}
        for node, addr in (("ep1", "10.0.1.1"), ("ep2", "10.0.1.2"), ("ep5", "10.0.1.5")):
            counts[addr] = len(syns(pcap(res.outdir, node, "eth0"), dst=addr, dport=80))
        assert sum(counts.values()) == 13, counts
        alice = seen["203.0.113.2"]
        differ |= any(seen[c] != alice for c in ("203.0.113.3", "203.0.113.4"))
        lists = "".join("".join(b.lines) for b in
                        outputs(res.stdout, "node", "cat /proc/net/xt_recent/"))
        for client in ("203.0.113.2", "203.0.113.3", "203.0.113.4", "10.0.0.2"):
            assert lists.count(f"src={client} ") == 1, lists
    assert differ


def test_kube_proxy_restore_input_saves_as_iptables(tmp_path):
    """kube-proxy's own iptables-restore input (`-m tcp -p tcp`, `-d` after
    the matches, --or-mark/--xor-mark, recent without --rsource, nfacct)
    restored:
    iptables-save prints what the real iptables-save 1.8.9 printed after
    restoring the same input (kube-proxy-services.rules, dates aside)."""
    (tmp_path / "in.rules").write_text((DATA / "kube-proxy-services.restore").read_text())
    scn = write_scn(tmp_path, "save.scn", """\
        router node
        host h
        link node:eth0 h:eth0
        node: nfacct add localhost_nps_accepted_pkts
        node: iptables-restore < in.rules
        node: iptables-save
        end 1s
        """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    got = [l for l in outputs(res.stdout, "node", "iptables-save")[0].lines
           if not l.startswith("# ")]
    want = [l for l in (REAL / "kube-proxy-services.rules").read_text().splitlines()
            if not l.startswith("#")]
    assert got == want
