"""Conntrack zones (-j CT --zone/--zone-orig/--zone-reply, conntrack -w):
topologies/ct-zone.scn's two LANs with the same addresses NATed through one
router, and iptables 1.8.9's texts for the options. Expected texts were
taken from iptables 1.8.9 and conntrack-tools 1.4.7 on Linux 6.x (the
scenario is also compared with the kernel by tests/kernel/compare)."""
from conftest import (TOPOLOGIES, assert_all_checksums, ct_list_at, explain, ip_pkts,
                      outputs, pcap, run, write_scn)


def _zone(e):
    return (e["orig"].get("zone-orig"), e["reply"].get("zone-reply"), e["zone"])


def test_same_tuple_in_two_zones_is_two_entries(tmp_path):
    res = run(TOPOLOGIES / "ct-zone.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert "4 of 4 expectations held" in res.stderr, res.stderr
    srv = pcap(res.outdir, "server", "eth0")
    assert_all_checksums(srv, "server:eth0")
    # --zone-orig: the REPLY tuples share zone 0, so the second LAN's flow
    # gets another source port; each flow keeps its own throughout
    nine = ip_pkts(srv, proto=17, src="203.0.113.1", dst="203.0.113.10", dport=9)
    ports = [p["UDP"].sport for p in nine]
    assert len(ports) == 4 and ports[0] == ports[1] == 5000, ports
    assert ports[2] == ports[3] != 5000, ports
    # --zone: the REPLY tuples are in zones 1 and 2: both keep port 6000
    assert len(ip_pkts(srv, proto=17, src="203.0.113.1", sport=6000, dport=10)) == 4
    # no zone: the second LAN's datagram is the first one's flow
    assert len(ip_pkts(srv, proto=17, src="203.0.113.1", sport=7000, dport=11)) == 2

    table = ct_list_at(res.stdout, 4.0)
    assert len(table) == 5, table
    by = sorted((e["orig"]["dport"], _zone(e), e["reply"]["dport"]) for e in table)
    assert by == [(9, (1, None, None), 5000), (9, (2, None, None), ports[2]),
                  (10, (None, None, 1), 6000), (10, (None, None, 2), 6000),
                  (11, (None, None, None), 7000)], by
    line = [e["line"] for e in table if e["zone"] == 2][0]
    assert line.endswith(" sport=10 dport=6000 mark=0 zone=2 use=1"), line
    line = [e["line"] for e in table if e["orig"].get("zone-orig") == 1][0]
    assert " sport=5000 dport=9 zone-orig=1 [UNREPLIED] src=203.0.113.10 " in line, line

    def listed(cmd):
        (b,) = outputs(res.stdout, "router", cmd)
        return [l for l in b.lines if l.strip()]
    (w1,) = listed("conntrack -L -w 1")
    assert "dport=10 " in w1 and w1.endswith("zone=1 use=1"), w1
    (o2,) = listed("conntrack -L --orig-zone 2")
    assert "zone-orig=2 " in o2, o2
    # a zone attribute the entry does not have reads as 0
    assert len(listed("conntrack -L --reply-zone 0")) == 5
    (d,) = listed("conntrack -D --orig-zone 2")
    assert d == o2.replace(" 27 ", " 27 ")
    assert "conntrack v1.4.7 (conntrack-tools): 1 flow entries have been deleted." in res.stderr
    (left,) = ct_list_at(res.stdout, 4.5)
    assert _zone(left) == (1, None, None)


# (options, `iptables -S` target text, `-L` target text) from iptables 1.8.9
CASES = [
    ("--zone 5", "-j CT --zone 5", "CT zone 5"),
    ("--zone 0", "-j CT", "CT"),
    ("--zone-orig 7", "-j CT --zone-orig 7", "CT zone-orig 7"),
    ("--zone-reply 9", "-j CT --zone-reply 9", "CT zone-reply 9"),
    ("--zone mark", "-j CT --zone mark", "CT zone mark"),
    ("--zone-orig mark", "-j CT --zone-orig mark", "CT zone-orig mark"),
    ("--zone-reply mark", "-j CT --zone-reply mark", "CT zone-reply mark"),
    ("--zone-orig 1 --zone-reply 2", "-j CT --zone 2", "CT zone 2"),
    ("--zone 3 --zone-orig 4", "-j CT --zone-orig 4", "CT zone-orig 4"),
    ("--zone-orig mark --zone-reply 3", "-j CT --zone mark", "CT zone mark"),
    ("--zone-orig 5 --zone 0", "-j CT", "CT"),
    ("--zone 65535", "-j CT --zone 65535", "CT zone 65535"),
    ("--zone 0x10", "-j CT --zone 16", "CT zone 16"),
    ("--zone 010", "-j CT --zone 8", "CT zone 8"),
    ("--notrack --zone 5", "-j CT --notrack --zone 5", "CT notrack zone 5"),
    ("--zone 5 --helper ftp", "-j CT --helper ftp --zone 5", "CT helper ftp zone 5"),
]

ERRORS = [
    ("--zone 65536", "iptables v1.8.9 (nf_tables): Cannot parse 65536 as a zone ID"),
    ("--zone -1", "iptables v1.8.9 (nf_tables): Cannot parse -1 as a zone ID"),
    ("--zone abc", "iptables v1.8.9 (nf_tables): Cannot parse abc as a zone ID"),
    ("--zone 5x", "iptables v1.8.9 (nf_tables): Cannot parse 5x as a zone ID"),
    ("--zone 5 --zone 6",
     'iptables v1.8.9 (nf_tables): CT: option "--zone" can only be used once.'),
    ("--zone mark --zone 3",
     'iptables v1.8.9 (nf_tables): CT: option "--zone" can only be used once.'),
    ("--zone-orig 1 --zone-orig 2",
     'iptables v1.8.9 (nf_tables): CT: option "--zone-orig" can only be used once.'),
]


def test_zone_option_texts(tmp_path):
    lines = ["router r"]
    lines += [f"r: iptables -t raw -A PREROUTING -p tcp -j CT {o}" for o, _, _ in CASES]
    lines += [f"r: ! iptables -t raw -A PREROUTING -p tcp -j CT {o}" for o, _ in ERRORS]
    lines += ["r: ! iptables -t mangle -A PREROUTING -j CT --zone 5",
              "r: iptables -t raw -S PREROUTING", "r: iptables -t raw -L PREROUTING -n",
              "end 1s"]
    res = run(write_scn(tmp_path, "zones", "\n".join(lines) + "\n"), out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    (save,) = outputs(res.stdout, "r", "iptables -t raw -S")
    assert save.lines[1:] == [f"-A PREROUTING -p tcp {s}" for _, s, _ in CASES], save.lines
    (lst,) = outputs(res.stdout, "r", "iptables -t raw -L")
    got = [l.split("0.0.0.0/0")[-1].strip() for l in lst.lines[2:] if l.strip()]
    assert got == [t for _, _, t in CASES], got
    for _, msg in ERRORS:
        assert msg in res.stderr, (msg, res.stderr)
    assert "RULE_APPEND failed (Invalid argument): rule in chain PREROUTING" in res.stderr


def test_zone_from_mark_and_first_template_wins(tmp_path):
    """`--zone mark`: the packet's mark is the zone id (nf_ct_zone_tmpl);
    a packet keeps the first CT template it meets (xt_ct_target)."""
    scn = write_scn(tmp_path, "zmark", """
        host c
        router r
        host s
        link c:eth0 r:eth0
        link r:eth1 s:eth0
        c: ip addr add 10.0.1.2/24 dev eth0
        c: ip route add default via 10.0.1.1
        r: ip addr add 10.0.1.1/24 dev eth0
        r: ip addr add 10.0.2.1/24 dev eth1
        r: sysctl -w net.ipv4.ip_forward=1
        s: ip addr add 10.0.2.2/24 dev eth0
        s: ip route add default via 10.0.2.1
        s: listen udp 9
        r: iptables -t raw -A PREROUTING -p udp --dport 9 -j MARK --set-mark 0x10042
        r: iptables -t raw -A PREROUTING -p udp --dport 9 -j CT --zone mark
        r: iptables -t raw -A PREROUTING -p udp -j CT --zone 7
        at 1s c: udp send 10.0.2.2:9 sport 5000
        at 1s c: udp send 10.0.2.2:10 sport 5000
        at 2s r: conntrack -L
        end 3s
        """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    table = ct_list_at(res.stdout, 2.0, node="r")
    zones = sorted((e["orig"]["dport"], e["zone"], e["mark"]) for e in table)
    # 0x10042 & 0xffff = 66; the entry's mark is 0 (MARK set the packet's)
    assert zones == [(9, 66, 0), (10, 7, 0)], zones


def test_icmp_error_is_looked_up_in_the_template_zone(tmp_path):
    """An ICMP error that a CT --zone rule puts in zone 3 finds the zone-3
    entry it is about (nf_conntrack_inet_error) and is de-NATed to the
    client: on Linux the same (compared with the kernel)."""
    scn = write_scn(tmp_path, "zicmp", """
        host c
        router r
        host s
        link c:eth0 r:eth0
        link r:eth1 s:eth0
        c: ip addr add 10.0.1.2/24 dev eth0
        c: ip route add default via 10.0.1.1
        r: ip addr add 10.0.1.1/24 dev eth0
        r: ip addr add 10.0.2.1/24 dev eth1
        r: sysctl -w net.ipv4.ip_forward=1
        r: iptables -t raw -A PREROUTING -j CT --zone 3
        r: iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE
        s: ip addr add 10.0.2.2/24 dev eth0
        at 1s c: udp send 10.0.2.2:10 sport 5000
        end 3s
        """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    cli = pcap(res.outdir, "c", "eth0")
    icmp = ip_pkts(cli, proto=1, src="10.0.2.2", dst="10.0.1.2")
    assert len(icmp) == 1 and icmp[0]["ICMP"].type == 3 and icmp[0]["ICMP"].code == 3


def test_expectation_is_matched_in_its_masters_zone(tmp_path):
    """ct-zone-ftp.scn: the active data connection in the control
    connection's zone is RELATED; without its CT --zone rule it is a NEW
    connection in zone 0 (nf_ct_exp_zone_equal_any fails) and FORWARD's
    DROP policy takes it."""
    res = run(TOPOLOGIES / "ct-zone-ftp.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert len(ip_pkts(pcap(res.outdir, "c", "eth0"), proto=6, src="10.0.1.2",
                       sport=20)) == 8
    (data,) = [e for e in ct_list_at(res.stdout, 2.5, node="r") if e["orig"]["sport"] == 20]
    assert data["orig"].get("zone-orig") == 5 and data["assured"]

    text = (TOPOLOGIES / "ct-zone-ftp.scn").read_text()
    rule = "r: iptables -t raw -A PREROUTING -i eth1 -p tcp --sport 20 -j CT --zone-orig 5\n"
    assert rule in text
    text = text.replace(rule, "").replace("expect c:eth0 saw tcp src 10.0.1.2:20 count == 8\n",
                                          "").replace("expect r iptables filter", "#")
    res = run(write_scn(tmp_path, "nozone", text), out=tmp_path / "out2")
    assert res.rc == 0, explain(res)
    assert ip_pkts(pcap(res.outdir, "c", "eth0"), proto=6, src="10.0.1.2", sport=20) == []
    assert len(ip_pkts(pcap(res.outdir, "r", "eth1"), proto=6, src="10.0.1.2", sport=20)) > 0
