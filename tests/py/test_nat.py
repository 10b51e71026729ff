"""Issue 4, NAT and iptables on a router between a LAN (192.168.1.0/24, eth0)
and an "internet" (203.0.113.0/24, eth1). Tests are named after their scenario
in topologies/."""
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import (ICMP, IP, ROOT, TCP, TOPOLOGIES, UDP, IPerror, UDPerror,
                      assert_all_checksums, ct_events, ct_list_at, ct_lists, ct_stats,
                      explain, ip_pkts, ipt_counters, kernel_log, nat_pool_pick, natsim_path,
                      outputs, pcap, run, run_ok, tcp_payload_len, write_scn)

S = 1_000_000_000


def all_pcaps_checksums(outdir):
    for f in sorted(Path(outdir).glob("*.pcap")):
        node, iface = f.name[:-5].split("-")
        assert_all_checksums(pcap(outdir, node, iface), f.name)


def payload_bytes(pkts, src, sport, dst=None):
    """TCP payload bytes from src:sport (to dst: a switch floods frames to
    unknown MACs, so a host's capture may hold frames addressed elsewhere)."""
    return sum(tcp_payload_len(p) for p in ip_pkts(pkts, proto=6, src=src, sport=sport, dst=dst))


def scenario(name):
    return TOPOLOGIES / f"{name}.scn"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = run(scenario(name), out=tmp_path_factory.mktemp(name))
        return cache[name]
    return get


# --------------------------------------------------------------------------
# seed-snat.scn


def test_seed_snat_passes(runs):
    r = runs("seed-snat")
    assert r.rc == 0, explain(r)


def test_seed_snat_dash_warnings(runs):
    r = runs("seed-snat")
    text = scenario("seed-snat").read_text(encoding="utf-8").splitlines()
    dash_lines = [i + 1 for i, l in enumerate(text) if "\u2013" in l and not l.startswith("#")]
    assert len(dash_lines) == 2
    warned = sorted(int(m[1]) for m in re.finditer(r"^\S*seed-snat\.scn:(\d+): warning: .*$",
                                                   r.stderr, re.M))
    assert warned == dash_lines, r.stderr
    nat = outputs(r.stdout, "router", "iptables -t nat -S")[0].lines
    assert "-A POSTROUTING -o eth1 -p tcp -j SNAT --to-source 1.2.3.4:1-1023" in nat, nat


def test_seed_snat_source_rewritten(runs):
    r = runs("seed-snat")
    e1 = pcap(r.outdir, "router", "eth1")
    out = ip_pkts(e1, proto=6, dst="203.0.113.10")
    assert len(out) >= 6
    bad = [p.summary() for p in out if p[IP].src != "1.2.3.4" or not 1 <= p[TCP].sport <= 1023]
    assert not bad, f"packets leaving eth1 must come from 1.2.3.4:1-1023: {bad[:3]}"
    assert not [p for p in ip_pkts(e1) if p[IP].src.startswith("192.168.")]


def test_seed_snat_replies_translated_back(runs):
    r = runs("seed-snat")
    for node, addr, port in (("c1", "192.168.1.10", 40000), ("c2", "192.168.1.11", 40001)):
        pk = pcap(r.outdir, node, "eth0")
        back = ip_pkts(pk, proto=6, dst=addr)
        assert back, f"{node} got nothing back"
        assert all(p[IP].src == "203.0.113.10" and p[TCP].sport == 80 and p[TCP].dport == port
                   for p in back), [p.summary() for p in back]
        synack = [p for p in back if p[TCP].flags == "SA"]
        syn = [p for p in ip_pkts(pk, proto=6, src=addr) if p[TCP].flags == "S"]
        assert synack and syn and synack[0][TCP].ack == syn[0][TCP].seq + 1
        # the server acknowledged the 3000 bytes
        assert max((p[TCP].ack - syn[0][TCP].seq) % (1 << 32) for p in back) == 3001


def test_seed_snat_checksums(runs):
    all_pcaps_checksums(runs("seed-snat").outdir)


def test_seed_snat_conntrack_tuples(runs):
    r = runs("seed-snat")
    entries = ct_list_at(r.stdout, 2)
    assert len(entries) == 2, [e["line"] for e in entries]
    e1 = pcap(r.outdir, "router", "eth1")
    e0 = pcap(r.outdir, "router", "eth0")
    ports = set()
    for e in entries:
        o, rp = e["orig"], e["reply"]
        assert o["dst"] == "203.0.113.10" and o["dport"] == 80
        assert rp["src"] == "203.0.113.10" and rp["sport"] == 80 and rp["dst"] == "1.2.3.4"
        assert 1 <= rp["dport"] <= 1023
        assert e["state"] == "ESTABLISHED" and e["assured"]
        ports.add(rp["dport"])
        # the packets with that port on eth1 are this client's packets (same sequence numbers)
        inside = {p[TCP].seq for p in ip_pkts(e0, proto=6, src=o["src"], sport=o["sport"])}
        outside = {p[TCP].seq for p in ip_pkts(e1, proto=6, src="1.2.3.4", sport=rp["dport"])}
        assert inside and inside == outside, (o, rp["dport"])
    assert len(ports) == 2, "two flows to one server ip:port need two ports"


def test_seed_snat_em_dash_inline(tmp_path):
    scn = write_scn(tmp_path, "emdash", """\
router r
host h
link h:eth0 r:eth0
r: iptables -A FORWARD -m state \u2014state NEW -j ACCEPT
r: iptables -t nat -A POSTROUTING -o eth0 -j SNAT \u2013to-source 1.2.3.4
r: iptables -S FORWARD
r: iptables -t nat -S POSTROUTING
end 1s
""")
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    warned = sorted(int(m[1]) for m in re.finditer(r"emdash\.scn:(\d+): warning:", res.stderr))
    assert warned == [4, 5], res.stderr
    assert "-A FORWARD -m state --state NEW -j ACCEPT" in \
        outputs(res.stdout, "r", "iptables -S FORWARD")[0].lines
    assert "-A POSTROUTING -o eth0 -j SNAT --to-source 1.2.3.4" in \
        outputs(res.stdout, "r", "iptables -t nat -S")[0].lines


# --------------------------------------------------------------------------
# seed-snat-range.scn


def test_seed_snat_range_pool_choice(runs):
    r = runs("seed-snat-range")
    assert r.rc == 0, explain(r)
    entries = ct_list_at(r.stdout, 2)
    assert len(entries) == 12
    wrong = []
    for e in entries:
        o, rp = e["orig"], e["reply"]
        want = nat_pool_pick(o["src"], o["dst"], "1.2.3.4", "1.2.3.6")
        if rp["dst"] != want:
            wrong.append(f"{o['src']} -> {o['dst']}: natsim {rp['dst']}, Linux {want}")
        assert rp["dport"] == o["sport"], "a free port is kept"
    assert not wrong, "pool address differs from Linux's jhash2 choice:\n" + "\n".join(wrong)
    # and on the wire
    e1 = pcap(r.outdir, "router", "eth1")
    for e in entries:
        o, rp = e["orig"], e["reply"]
        pk = ip_pkts(e1, proto=17, dst=o["dst"], sport=o["sport"])
        assert pk and all(p[IP].src == rp["dst"] for p in pk)
    all_pcaps_checksums(r.outdir)


# --------------------------------------------------------------------------
# seed-masquerade.scn


def test_seed_masquerade(runs):
    r = runs("seed-masquerade")
    assert r.rc == 0, explain(r)
    before = ct_list_at(r.stdout, 4)
    assert len(before) == 2 and all(e["reply"]["dst"] == "203.0.113.1" for e in before)
    assert ct_list_at(r.stdout, 5.1) == [], "entries of the removed address must be flushed"
    after = ct_list_at(r.stdout, 7)
    assert sorted(e["orig"]["sport"] for e in after) == [5001, 40001]
    assert all(e["reply"]["dst"] == "203.0.113.2" for e in after)
    destroy = [(t, l) for t, l in ct_events(r.outdir) if "[DESTROY]" in l]
    flushed = [(t, l) for t, l in destroy if "sport=5000 " in l or "sport=40000 " in l]
    assert len(flushed) == 2, destroy
    assert all(t is not None and 5 * S <= t <= 5.1 * S for t, l in flushed), flushed
    srv = pcap(r.outdir, "server", "eth0")
    fromr = [p for p in ip_pkts(srv, dst="203.0.113.10") if p[IP].src.startswith("203.0.113.")]
    assert {p[IP].src for p in fromr if p.t_ns < 5 * S} == {"203.0.113.1"}
    assert {p[IP].src for p in fromr if p.t_ns >= 6 * S} == {"203.0.113.2"}
    assert not ip_pkts(srv, src="192.168.1.10") and not ip_pkts(srv, src="192.168.1.11")
    all_pcaps_checksums(r.outdir)


# --------------------------------------------------------------------------
# seed-dnat.scn


def test_seed_dnat(runs):
    r = runs("seed-dnat")
    assert r.rc == 0, explain(r)
    out = pcap(r.outdir, "outside", "eth0")
    back = ip_pkts(out, proto=6, dst="203.0.113.50")
    assert back and all(p[IP].src == "203.0.113.1" and p[TCP].sport == 8080 for p in back)
    syn = [p for p in ip_pkts(out, proto=6, src="203.0.113.50") if p[TCP].flags == "S"][0]
    synack = [p for p in back if p[TCP].flags == "SA"]
    assert synack and synack[0][TCP].ack == syn[TCP].seq + 1
    web = pcap(r.outdir, "web", "eth0")
    inb = ip_pkts(web, proto=6, dst="192.168.1.10")
    assert inb and all(p[IP].src == "203.0.113.50" and p[TCP].sport == 33000 and p[TCP].dport == 80
                       for p in inb)
    assert payload_bytes(web, "203.0.113.50", 33000, dst="192.168.1.10") == 5000
    assert all(p[TCP].dport == 33000 and p[IP].dst == "203.0.113.50"
               for p in ip_pkts(web, proto=6, src="192.168.1.10"))
    e = [x for x in ct_list_at(r.stdout, 1.5) if x["orig"].get("dport") == 8080]
    assert len(e) == 1
    assert e[0]["reply"] == {"src": "192.168.1.10", "dst": "203.0.113.50", "sport": 80, "dport": 33000}
    all_pcaps_checksums(r.outdir)


# --------------------------------------------------------------------------
# seed-forward.scn and seed-forward-nosave.scn

FORWARD_RULES = [
    "-A FORWARD -i eth0 -o eth1 -j ACCEPT",
    "-A FORWARD -i eth1 -o eth0 -m state --state RELATED,ESTABLISHED -j ACCEPT",
]


def test_seed_forward_counters(runs):
    r = runs("seed-forward")
    assert r.rc == 0, explain(r)
    sp = outputs(r.stdout, "router", "sysctl -p")
    assert sp and sp[0].lines[:1] == ["net.ipv4.ip_forward = 1"]
    blk = [b for b in outputs(r.stdout, "router", "iptables -L FORWARD -v -n") if b.t == 3 * S][0]
    policy, rules = ipt_counters(blk.lines)
    assert policy == ("DROP", 2, 168), policy
    assert [(p, b, t) for p, b, t, _ in rules] == [(3, 252, "ACCEPT"), (3, 252, "ACCEPT")], rules
    c1 = pcap(r.outdir, "c1", "eth0")
    assert not [p for p in ip_pkts(c1, proto=1, src="203.0.113.10") if p[ICMP].type == 8], \
        "the unsolicited ping must be dropped"
    assert len([p for p in ip_pkts(c1, proto=1, src="203.0.113.10") if p[ICMP].type == 0]) == 3


def test_seed_forward_reboot_restores(runs):
    r = runs("seed-forward")
    saved = outputs(r.stdout, "router", "cat /etc/sysconfig/iptables")[0].lines
    assert "*filter" in saved and ":FORWARD DROP [0:0]" in [re.sub(r"\[\d+:\d+\]", "[0:0]", l) for l in saved]
    assert all(rule in saved for rule in FORWARD_RULES) and "COMMIT" in saved
    assert outputs(r.stdout, "router", "reboot"), "reboot must be echoed"
    fw = [b for b in outputs(r.stdout, "router", "sysctl net.ipv4.ip_forward") if b.t == 6 * S]
    assert fw and fw[0].lines[:1] == ["net.ipv4.ip_forward = 1"], "ip_forward from /etc/sysctl.conf"
    rules = [b for b in outputs(r.stdout, "router", "iptables -S") if b.t == 6 * S][0].lines
    assert [l for l in rules if l] == ["-P INPUT ACCEPT", "-P FORWARD DROP", "-P OUTPUT ACCEPT"] + FORWARD_RULES
    blk = [b for b in outputs(r.stdout, "router", "iptables -L FORWARD -v -n") if b.t == 6 * S][0]
    policy, counters = ipt_counters(blk.lines)
    assert policy == ("DROP", 0, 0) and [c[:2] for c in counters] == [(0, 0), (0, 0)]


def test_seed_forward_nosave_loses_rules(runs):
    r = runs("seed-forward-nosave")
    assert r.rc == 0, explain(r)
    s = outputs(r.stdout, "router", "iptables -S")
    assert len(s) == 2
    assert [l for l in s[0].lines if l] == ["-P INPUT ACCEPT", "-P FORWARD DROP", "-P OUTPUT ACCEPT"] + FORWARD_RULES
    assert [l for l in s[1].lines if l] == ["-P INPUT ACCEPT", "-P FORWARD ACCEPT", "-P OUTPUT ACCEPT"]
    fw = outputs(r.stdout, "router", "sysctl net.ipv4.ip_forward")
    assert fw[0].lines[:1] == ["net.ipv4.ip_forward = 1"]


# --------------------------------------------------------------------------
# seed-table-full.scn


def test_seed_table_full_then_fixed(runs):
    r = runs("seed-table-full")
    assert r.rc == 0, explain(r)
    (t5, st5), (t13, st13) = ct_stats(r.stdout)
    assert 80 <= st5["drop"] <= 84 and st5["drop"] + st5["early_drop"] >= 84, st5
    assert st13["drop"] == st5["drop"], "after the fix nothing more is dropped"
    full = [t for t, n, x in kernel_log(r.outdir, "router")
            if x == "nf_conntrack: nf_conntrack: table full, dropping packet"]
    assert len(full) == 10 and all(t < 2 * S for t in full)
    b = outputs(r.stdout, "router", "sysctl net.netfilter.nf_conntrack_buckets")
    assert b[0].lines[:1] == ["net.netfilter.nf_conntrack_buckets = 65536"]
    srv = pcap(r.outdir, "server", "eth0")
    second = {p[UDP].sport for p in ip_pkts(srv, proto=17, dport=53) if 20000 <= p[UDP].sport <= 20099}
    assert len(second) == 100
    first = {p[UDP].sport for p in ip_pkts(srv, proto=17, dport=53) if 10000 <= p[UDP].sport <= 10099}
    assert len(first) == 100 - st5["drop"]


# --------------------------------------------------------------------------
# port-exhaustion.scn


def test_port_exhaustion(runs):
    r = runs("port-exhaustion")
    assert r.rc == 0, explain(r)
    (t2, st2), (t41, st41) = ct_stats(r.stdout)
    assert st2["insert_failed"] == 2 and st2["drop"] == 2, st2
    assert st41["insert_failed"] == 2 and st41["drop"] == 2, st41
    s1 = pcap(r.outdir, "s1", "eth0")
    part1 = [p for p in ip_pkts(s1, proto=17, dport=7, src="1.2.3.4", dst="203.0.113.10")
             if p.t_ns < 10 * S]
    assert sorted(p[UDP].sport for p in part1) == [2000, 2001]
    for node, addr, ok in (("c1", "192.168.1.10", True), ("c2", "192.168.1.11", True),
                           ("c3", "192.168.1.12", False), ("c4", "192.168.1.13", False)):
        pk = pcap(r.outdir, node, "eth0")
        got = [p for p in ip_pkts(pk, dst=addr) if p.t_ns < 10 * S]
        if ok:
            assert [(p[IP].src, p[UDP].sport, p[UDP].dport) for p in got] == [("203.0.113.10", 7, 5000)]
        else:
            assert not got, f"{node}'s flow had no free tuple: dropped, no reply, no ICMP"
    # part 2: four servers, all pass, ports reused
    ports = []
    for i, node in enumerate(("s1", "s2", "s3", "s4")):
        pk = [p for p in ip_pkts(pcap(r.outdir, node, "eth0"), proto=17, dport=7, src="1.2.3.4",
                                 dst=f"203.0.113.1{i}") if p.t_ns > 30 * S]
        assert len(pk) == 1, node
        ports.append(pk[0][UDP].sport)
    assert set(ports) <= {2000, 2001}
    for node, addr in (("c1", "192.168.1.10"), ("c2", "192.168.1.11"),
                       ("c3", "192.168.1.12"), ("c4", "192.168.1.13")):
        got = [p for p in ip_pkts(pcap(r.outdir, node, "eth0"), proto=17, dst=addr) if p.t_ns > 30 * S]
        assert len(got) == 1 and got[0][UDP].dport == 6000
    ents = ct_list_at(r.stdout, 41)
    assert len(ents) == 4 and {e["reply"]["dport"] for e in ents} <= {2000, 2001}


# --------------------------------------------------------------------------
# icmp-nat.scn


def test_icmp_nat_echo_ids(runs):
    r = runs("icmp-nat")
    assert r.rc == 0, explain(r)
    e1 = pcap(r.outdir, "router", "eth1")
    req = [p for p in ip_pkts(e1, proto=1, src="203.0.113.1") if p[ICMP].type == 8]
    assert len(req) == 6
    ids = {p[ICMP].id for p in req}
    assert len(ids) == 2 and 1234 in ids, ids
    for node, addr in (("c1", "192.168.1.10"), ("c2", "192.168.1.11")):
        rep = [p for p in ip_pkts(pcap(r.outdir, node, "eth0"), proto=1, dst=addr) if p[ICMP].type == 0]
        assert len(rep) == 3 and all(p[ICMP].id == 1234 and p[IP].src == "203.0.113.10" for p in rep)
    ents = [e for e in ct_list_at(r.stdout, 1.3) if e["proto"] == "icmp"]
    assert len(ents) == 2
    assert {e["orig"]["id"] for e in ents} == {1234}
    assert {e["reply"]["id"] for e in ents} == ids
    all_pcaps_checksums(r.outdir)


def test_icmp_nat_port_unreachable_translated(runs):
    r = runs("icmp-nat")
    e1 = pcap(r.outdir, "router", "eth1")
    out = ip_pkts(e1, proto=17, src="203.0.113.1", dport=9)
    assert len(out) == 2 and len({p[UDP].sport for p in out}) == 2 and 7777 in {p[UDP].sport for p in out}
    for node, addr in (("c1", "192.168.1.10"), ("c2", "192.168.1.11")):
        pk = pcap(r.outdir, node, "eth0")
        sent = ip_pkts(pk, proto=17, src=addr, dport=9)
        errs = [p for p in ip_pkts(pk, proto=1, dst=addr) if p[ICMP].type == 3 and p[ICMP].code == 3]
        assert len(sent) == 1 and len(errs) == 1, node
        q = errs[0][IPerror]
        assert errs[0][IP].src == "203.0.113.10"
        assert (q.src, q.dst, q[UDPerror].sport, q[UDPerror].dport) == (addr, "203.0.113.10", 7777, 9)
        o = sent[0][IP]
        assert q.id == o.id and q.ttl == o.ttl - 1
        assert bytes(q[UDPerror].payload) == bytes(o[UDP].payload)
        assert_all_checksums(errs, f"{node} ICMP error")


# --------------------------------------------------------------------------
# hairpin.scn and hairpin-masq.scn


def test_hairpin_without_snat_fails(runs):
    r = runs("hairpin")
    assert r.rc == 0, explain(r)
    cl = pcap(r.outdir, "client", "eth0")
    wrong = [p for p in ip_pkts(cl, proto=6, src="192.168.1.10", sport=80, dport=44000) if p[TCP].flags == "SA"]
    assert wrong, "the server answers the client directly"
    assert [p for p in ip_pkts(cl, proto=6, src="192.168.1.20", dst="192.168.1.10", sport=44000)
            if p[TCP].flags.R], "the client resets the unexpected SYN-ACK"
    assert not ip_pkts(cl, proto=6, src="203.0.113.1")
    web = pcap(r.outdir, "web", "eth0")
    assert payload_bytes(web, "192.168.1.20", 44000, dst="192.168.1.10") == 0, \
        "the connection never establishes"


def test_hairpin_masq_works(runs):
    r = runs("hairpin-masq")
    assert r.rc == 0, explain(r)
    cl = pcap(r.outdir, "client", "eth0")
    assert not ip_pkts(cl, proto=6, src="192.168.1.10")
    back = ip_pkts(cl, proto=6, src="203.0.113.1", sport=80, dport=44000)
    assert [p for p in back if p[TCP].flags == "SA"]
    web = pcap(r.outdir, "web", "eth0")
    assert payload_bytes(web, "192.168.1.1", 44000, dst="192.168.1.10") == 1000
    assert not ip_pkts(web, proto=6, src="192.168.1.20", dst="192.168.1.10")
    all_pcaps_checksums(r.outdir)


# --------------------------------------------------------------------------
# make demo


def test_make_demo():
    env = dict(os.environ)
    p = subprocess.run(["make", "-s", "demo"], cwd=str(ROOT), capture_output=True, text=True,
                       timeout=300, env=env)
    assert p.returncode == 0, p.stderr[-2000:]
    lines = [l for l in p.stdout.splitlines() if l.startswith("tcp ")]
    assert any("src=192.168.1.10" in l and "dst=1.2.3.4" in l for l in lines), p.stdout[-2000:]
    assert any("src=192.168.1.11" in l and "dst=1.2.3.4" in l for l in lines), p.stdout[-2000:]
    # the article's format, field for field (conntrack-tools 1.4)
    fmt = re.compile(r"^tcp      6 \d+ [A-Z_2]+ src=192\.168\.1\.1[01] dst=203\.0\.113\.10 sport=\d+ "
                     r"dport=80 src=203\.0\.113\.10 dst=1\.2\.3\.4 sport=80 dport=(\d+) "
                     r"(\[ASSURED\] )?mark=0 use=1$")
    ct = [l for b in outputs(p.stdout, "router", "conntrack -L") for l in b.lines if l.strip()]
    assert ct and all(fmt.match(l) and 1 <= int(fmt.match(l)[1]) <= 1023 for l in ct), ct
    assert "flow entries have been shown." in p.stderr
