"""Conntrack insertion on several CPUs (issue 14, "the race everyone hits").

A node with `cpus N` processes the packets handed to its stack in one
instant on several CPUs in seeded rounds (sim/net/cpu.c,
nat/conntrack/ct_race.c): the second packet of a new flow to confirm meets
the first's entry. The outcomes are Linux 6.x's: a UDP clash resolved
(clash_resolve: the same NAT result, or the loser inserted by its REPLY
tuple, nf_ct_resolve_clash_harder), or, when the REPLY tuples clash,
insert_failed and a dropped datagram. Read from the counters and the pcaps.
"""
import filecmp
from pathlib import Path

from conftest import IP, UDP, TOPOLOGIES, ct_lists, ct_stats, explain, ip_pkts, outputs, pcap, \
    run, write_scn

RACE = TOPOLOGIES / "real" / "kube-dns-race.scn"
SERIAL = TOPOLOGIES / "real" / "kube-dns-serial.scn"
SNAT = TOPOLOGIES / "snat-race.scn"


def _stats(res, node):
    blocks = ct_stats(res.stdout, node)
    assert blocks, explain(res)
    return blocks[-1][1]


def _queries(outdir, dns, addr):
    return ip_pkts(pcap(outdir, dns, "eth0"), proto=17, dst=addr, dport=53)


def _same_dirs(a, b):
    """Every file of two output directories, byte for byte."""
    names = sorted(p.name for p in Path(a).iterdir())
    assert names == sorted(p.name for p in Path(b).iterdir())
    match, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert not mismatch and not errors, (mismatch, errors)


def test_kube_dns_race_same_endpoint(tmp_path):
    """Seed 1: both queries get the same endpoint; the second uses the
    first's entry (__nf_ct_resolve_clash): one entry, both answered."""
    res = run(RACE, out=tmp_path / "o", seed=1)
    assert res.rc == 0, explain(res)
    st = _stats(res, "node")
    assert (st["clash_resolve"], st["insert_failed"], st["drop"]) == (1, 0, 0)
    q1 = _queries(res.outdir, "dns1", "10.244.1.21")
    q2 = _queries(res.outdir, "dns2", "10.244.1.22")
    assert sorted((len(q1), len(q2))) == [0, 2]
    count = outputs(res.stdout, "node", "conntrack -C")[0].lines
    assert [l.strip() for l in count if l.strip()] == ["1"]
    answers = ip_pkts(pcap(res.outdir, "pod", "eth0"), proto=17, src="10.96.0.10", sport=53,
                      dst="10.244.2.20", dport=40000)
    assert len(answers) == 2


def test_kube_dns_race_different_endpoints(tmp_path):
    """Seed 2: the queries get different endpoints. Linux 6.x inserts the
    loser by its REPLY tuple only (conntrack -L shows one entry, -C two, 1 s
    later one): both queries pass, both answers come back de-NATed. --check
    counts the REPLY-only entry among the table's nodes."""
    res = run(RACE, "--check", out=tmp_path / "o", seed=2)
    assert res.rc == 0, explain(res)
    st = _stats(res, "node")
    assert (st["clash_resolve"], st["insert_failed"], st["drop"]) == (1, 0, 0)
    assert len(_queries(res.outdir, "dns1", "10.244.1.21")) == 1
    assert len(_queries(res.outdir, "dns2", "10.244.1.22")) == 1
    (_, entries), = ct_lists(res.stdout, "node")
    assert len(entries) == 1
    counts = [[l.strip() for l in b.lines if l.strip()]
              for b in outputs(res.stdout, "node", "conntrack -C")]
    assert counts == [["2"], ["1"]]    # at 1.5 s; at 3 s the 1 s entry is gone
    answers = ip_pkts(pcap(res.outdir, "pod", "eth0"), proto=17, src="10.96.0.10", sport=53,
                      dst="10.244.2.20", dport=40000)
    assert len(answers) == 2


def test_kube_dns_race_reruns_byte_identical(tmp_path):
    for seed in (1, 2):
        a = run(RACE, "--trace", out=tmp_path / f"a{seed}", seed=seed)
        b = run(RACE, "--trace", out=tmp_path / f"b{seed}", seed=seed)
        assert a.rc == 0 and b.rc == 0, explain(a) + explain(b)
        assert a.stdout == b.stdout
        _same_dirs(a.outdir, b.outdir)


def test_kube_dns_serial_never_clashes(tmp_path):
    """single-request-reopen: no race whatever the seed."""
    for seed in (1, 2, 3):
        res = run(SERIAL, out=tmp_path / f"s{seed}", seed=seed)
        assert res.rc == 0, explain(res)
        st = _stats(res, "node")
        assert (st["clash_resolve"], st["insert_failed"]) == (0, 0)


def test_snat_race_insert_failed_drops_one(tmp_path):
    """Seed 1: RSS puts the two clients on two CPUs; both keep port 5000,
    the second to confirm is dropped (insert_failed, drop): r received two
    datagrams, the server one."""
    res = run(SNAT, "--trace", out=tmp_path / "o", seed=1)
    assert res.rc == 0, explain(res)
    st = _stats(res, "r")
    assert (st["insert_failed"], st["drop"], st["clash_resolve"]) == (1, 1, 0)
    lan = ip_pkts(pcap(res.outdir, "r", "eth0"), proto=17, dst="203.0.113.10", dport=53)
    assert sorted(p[IP].src for p in lan) == ["10.0.0.11", "10.0.0.12"]
    out = ip_pkts(pcap(res.outdir, "srv", "eth0"), proto=17, dst="203.0.113.10", dport=53)
    assert [(p[IP].src, p[UDP].sport) for p in out] == [("203.0.113.1", 5000)]
    (_, entries), = ct_lists(res.stdout, "r")
    assert len(entries) == 1
    assert "tuple clash at confirm (insert_failed) at POSTROUTING" in res.stdout
    # the walk says which CPU ran each: the two queries on two CPUs
    heads = [l for l in res.stdout.splitlines() if " r packet #" in l and " in eth0 " in l]
    assert sorted(l.split(" on CPU ")[1][0] for l in heads) == ["0", "1"], heads


def test_snat_race_other_seed_no_drop(tmp_path):
    """Seed 4: both on one CPU, processed in turn: the second gets another
    port, both reach the server."""
    res = run(SNAT, out=tmp_path / "o", seed=4)
    assert res.rc == 1, explain(res)    # the scenario's expectations are seed 1's
    st = _stats(res, "r")
    assert (st["insert_failed"], st["drop"]) == (0, 0)
    out = ip_pkts(pcap(res.outdir, "srv", "eth0"), proto=17, dst="203.0.113.10", dport=53)
    ports = sorted(p[UDP].sport for p in out)
    assert len(ports) == 2 and 5000 in ports and ports[0] != ports[1]


def test_cpus_1_changes_nothing(tmp_path):
    """`cpus 1` is the default: the same output, byte for byte, as no
    `cpus` at all, and no race (parallel sends on one CPU run in turn)."""
    text = SNAT.read_text()
    (tmp_path / "one").mkdir()
    (tmp_path / "none").mkdir()
    one = write_scn(tmp_path / "one", "s", text.replace("router r cpus 2", "router r cpus 1"))
    none = write_scn(tmp_path / "none", "s", text.replace("router r cpus 2", "router r"))
    for seed in (1, 4):
        a = run(one, "--trace", out=tmp_path / f"one{seed}", seed=seed)
        b = run(none, "--trace", out=tmp_path / f"none{seed}", seed=seed)
        assert a.stdout.replace("/one/", "/X/") == b.stdout.replace("/none/", "/X/")
        for o in (a, b):    # summary.json names the file
            f = o.outdir / "summary.json"
            f.write_text(f.read_text().replace("/one/", "/X/").replace("/none/", "/X/"))
        _same_dirs(a.outdir, b.outdir)
        assert (_stats(a, "r")["insert_failed"], _stats(a, "r")["drop"]) == (0, 0)
    race1 = RACE.read_text().replace(" cpus 2", "")
    p = write_scn(tmp_path, "race1", race1)
    (tmp_path / "kube-dns.rules").write_text((RACE.parent / "kube-dns.rules").read_text())
    for seed in (1, 2):
        res = run(p, out=tmp_path / f"r{seed}", seed=seed)
        st = _stats(res, "node")
        assert (st["clash_resolve"], st["insert_failed"]) == (0, 0), explain(res)


def test_cpus_and_veth_syntax(tmp_path):
    for bad, msg in (("host h cpus 0", 'bad cpus "0" (1 to 256)'),
                     ("host h cpus 257", 'bad cpus "257"'),
                     ("switch s cpus 2", "expected `switch NAME`"),
                     ("host h cpus", "expected `host NAME [cpus N]`")):
        p = write_scn(tmp_path, "bad", bad + "\nend 1s\n")
        res = run(p, out=tmp_path / "o")
        assert res.rc == 2 and msg in res.stderr, (bad, explain(res))
    p = write_scn(tmp_path, "link", "host a\nhost b\nlink a:eth0 b:eth0 bogus\nend 1s\n")
    res = run(p, out=tmp_path / "o")
    assert res.rc == 2 and "(rate, delay, loss, queue or veth)" in res.stderr, explain(res)


def test_flush_takes_the_reply_only_entry(tmp_path):
    """`conntrack -F` deletes the entry that is in the table by its REPLY
    tuple only (the kernel's flush walks REPLY nodes), though `-L` never
    showed it: its DESTROY event too."""
    text = RACE.read_text() + "at 1.6s node: conntrack -F\nat 1.6s node: conntrack -C\n"
    p = write_scn(tmp_path, "flush", text)
    (tmp_path / "kube-dns.rules").write_text((RACE.parent / "kube-dns.rules").read_text())
    res = run(p, "--check", out=tmp_path / "o", seed=2)
    assert res.rc == 0, explain(res)
    counts = [[l.strip() for l in b.lines if l.strip()]
              for b in outputs(res.stdout, "node", "conntrack -C")]
    assert counts[:2] == [["2"], ["0"]], counts
    events = (res.outdir / "conntrack-events.log").read_text().splitlines()
    assert sum("[DESTROY]" in e and "[1.600000]" in e for e in events) == 2, events
