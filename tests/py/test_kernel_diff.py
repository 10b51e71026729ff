"""test_kernel_diff.py - the kernel harness's comparison rules on constructed
inputs (issue 12): no root, no namespaces, no real time, so they run on every
machine and never depend on timing luck. Each test is a fault the harness had:

- REDIRECT's --to-ports read as a source NAT port range;
- a double NAT: the first router's random port compared exactly behind the
  second router;
- `conntrack -D` output compared as raw text (hash order, random ports);
- a command that fails the same way on both sides counted as a difference;
- packets natsim sends in the same instant compared in a fixed order;
- iptables-save's header date, and the policy counters README calls
  deliberate, counted as differences;
- the count of differences not the number shown;
- an interface named `up` (`ip link add up` sets a flag);
- an option of `compare --help` without a description;
- the kernel captures' end marks (what makes the end of a run deterministic).
"""

import os
import struct
import subprocess
import sys

from conftest import ROOT

KERNEL = ROOT / "tests" / "kernel"
sys.path.insert(0, str(KERNEL))

import ct  # noqa: E402
import diff  # noqa: E402
import natmap  # noqa: E402
import outputs  # noqa: E402
import pkt  # noqa: E402
import scn  # noqa: E402
import topo  # noqa: E402

S = 1_000_000_000


def scenario(tmp_path, text, files=None):
    for name, body in (files or {}).items():
        (tmp_path / name).write_text(body)
    p = tmp_path / "t.scn"
    p.write_text(text)
    return scn.parse(p)


def ev(line, t, event="NEW"):
    e = ct.parse_entry(f"[{event}] {line}")
    e["t"] = t
    return e


def udp(src, sport, dst, dport, t, frame=1, plen=40):
    return {"proto": "udp", "src": src, "sport": sport, "dst": dst, "dport": dport,
            "plen": plen, "t": t, "frame": frame}


# ----- REDIRECT --to-ports is destination NAT

ROUTER = """router r
host a
host b
link a:eth0 r:eth0
link r:eth1 b:eth0
"""


def test_redirect_to_ports_is_no_source_port_range(tmp_path):
    s = scenario(tmp_path, ROUTER +
                 "r: iptables -t nat -A PREROUTING -p tcp --dport 80 -j REDIRECT --to-ports 8080\n"
                 "r: iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE\n")
    assert natmap.source_port_ranges(s, "r", 500) == [(1, 511)]
    assert natmap.source_port_ranges(s, "r", 40000) == [(1024, 65535)]
    # a correct random draw of MASQUERADE (port 500 taken: 309 in 1-511)
    k = {"r": [ev("udp 17 30 src=10.0.0.2 dst=9.9.9.9 sport=500 dport=9 [UNREPLIED] "
                  "src=9.9.9.9 dst=9.9.9.1 sport=9 dport=309", 1 * S)]}
    n = {"r": [ev("udp 17 30 src=10.0.0.2 dst=9.9.9.9 sport=500 dport=9 [UNREPLIED] "
                  "src=9.9.9.9 dst=9.9.9.1 sport=9 dport=506", 1 * S)]}
    w = natmap.build_wildcards(k, n)
    assert natmap.check_wildcards(s, w, n, k) == []


def test_source_port_ranges_per_rule_and_from_restore_files(tmp_path):
    s = scenario(tmp_path, ROUTER +
                 "r: iptables -t nat -A POSTROUTING -o eth1 -p tcp -j SNAT --to 1.2.3.4:1-1023\n"
                 "r: iptables -t nat -A POSTROUTING -o eth1 -p udp -j MASQUERADE --to-ports 2000-2100\n"
                 "r: iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.9:8080\n"
                 "r: iptables-restore < rules.v4\n",
                 {"rules.v4": "*nat\n-A POSTROUTING -o eth1 -p icmp -j SNAT --to-source 1.2.3.5\n"
                              "COMMIT\n"})
    assert natmap.source_port_ranges(s, "r", 40000) == [(1, 1023), (2000, 2100), (1024, 65535)]
    # a draw outside all of them is still caught
    k = {"r": [ev("tcp 6 120 SYN_SENT src=10.0.0.2 dst=9.9.9.9 sport=40000 dport=80 "
                  "[UNREPLIED] src=9.9.9.9 dst=1.2.3.4 sport=80 dport=1500", 1 * S)]}
    s2 = scenario(tmp_path, ROUTER +
                  "r: iptables -t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4:1-1023\n")
    w = natmap.build_wildcards(k, k)
    assert any("chose port 1500, outside 1-1023" in l for l in natmap.check_wildcards(s2, w, k, k))


# ----- double NAT: the first router's draw travels

def double_nat_events(natsim_kept_at_r2=True):
    """c 192.168.1.10:40000 -> r1 (SNAT 1-1023) -> r2 (MASQUERADE) -> 9.9.9.9:9"""
    k = {"r1": [ev("udp 17 30 src=192.168.1.10 dst=9.9.9.9 sport=40000 dport=9 [UNREPLIED] "
                   "src=9.9.9.9 dst=10.0.0.2 sport=9 dport=763", 1 * S)],
         "r2": [ev("udp 17 30 src=10.0.0.2 dst=9.9.9.9 sport=763 dport=9 [UNREPLIED] "
                   "src=9.9.9.9 dst=9.9.9.1 sport=9 dport=763", 1 * S)]}
    r2port = 184 if natsim_kept_at_r2 else 9999
    n = {"r1": [ev("udp 17 30 src=192.168.1.10 dst=9.9.9.9 sport=40000 dport=9 [UNREPLIED] "
                   "src=9.9.9.9 dst=10.0.0.2 sport=9 dport=184", 1 * S)],
         "r2": [ev("udp 17 30 src=10.0.0.2 dst=9.9.9.9 sport=184 dport=9 [UNREPLIED] "
                   f"src=9.9.9.9 dst=9.9.9.1 sport=9 dport={r2port}", 1 * S)]}
    return k, n


def test_double_nat_carries_the_first_draw(tmp_path):
    s = scenario(tmp_path, "router r1\nrouter r2\nhost c\nlink c:eth0 r1:eth0\n"
                 "link r1:eth1 r2:eth0\n"
                 "r1: iptables -t nat -A POSTROUTING -j SNAT --to-source 10.0.0.2:1-1023\n"
                 "r2: iptables -t nat -A POSTROUTING -j MASQUERADE\n")
    # either order of the routers' event files
    for k, n in (double_nat_events(), tuple({r: d[r] for r in ("r2", "r1")}
                                            for d in double_nat_events())):
        w = natmap.build_wildcards(k, n)
        assert natmap.check_wildcards(s, w, n, k) == []
        # behind r2 (server's link): Linux shows 9.9.9.1:763, natsim 9.9.9.1:184
        kp = [udp("9.9.9.1", 763, "9.9.9.9", 9, int(1.0001 * S), 1)]
        np_ = [udp("9.9.9.1", 184, "9.9.9.9", 9, 1 * S, 1)]
        for p in kp:
            natmap.rewrite(p, w, "kernel")
        for p in np_:
            natmap.rewrite(p, w, "natsim")
        assert diff.compare_iface("server:eth0", np_, kp, S // 5) == []
        # r2's conntrack -L: the ORIGINAL tuple carries the draw too
        kl = ["udp      17 29 src=10.0.0.2 dst=9.9.9.9 sport=763 dport=9 src=9.9.9.9 "
              "dst=9.9.9.1 sport=9 dport=763 mark=0 use=1"]
        nl = ["udp      17 29 src=10.0.0.2 dst=9.9.9.9 sport=184 dport=9 src=9.9.9.9 "
              "dst=9.9.9.1 sport=9 dport=184 mark=0 use=1"]
        d, _ = outputs.compare_block("r2", "conntrack -L", 2 * S, nl, kl, w, 0, "")
        assert d == []


def test_double_nat_natsim_replacing_a_kept_port_is_caught(tmp_path):
    s = scenario(tmp_path, "router r1\nrouter r2\n")
    k, n = double_nat_events(natsim_kept_at_r2=False)
    w = natmap.build_wildcards(k, n)
    lines = natmap.check_wildcards(s, w, n, k)
    assert any("Linux kept the port drawn upstream" in l and "natsim replaced 184 by 9999" in l
               for l in lines), lines


# ----- command output

def test_conntrack_delete_is_compared_entry_by_entry():
    k, n = double_nat_events()
    w = natmap.build_wildcards(k, n)
    kl = ["udp      17 28 src=10.0.0.2 dst=9.9.9.9 sport=763 dport=9 src=9.9.9.9 dst=9.9.9.1 "
          "sport=9 dport=763 mark=0 use=1",
          "udp      17 28 src=10.0.0.3 dst=9.9.9.9 sport=500 dport=9 src=9.9.9.9 dst=9.9.9.1 "
          "sport=9 dport=500 mark=0 use=1"]
    nl = [kl[1], kl[0].replace("763", "184")]          # hash order, natsim's draw
    assert outputs.ct_output_kind(["conntrack", "-D", "-p", "udp"]) == "entries"
    d, _ = outputs.compare_block("r2", "conntrack -D -p udp", 2 * S, nl, kl, w, 0, "")
    assert d == []
    # a real difference is still one
    nl[0] = nl[0].replace("use=1", "use=2")
    d, _ = outputs.compare_block("r2", "conntrack -D -p udp", 2 * S, nl, kl, w, 0, "")
    assert len(d) == 3 and "mark/use 0/2 vs 0/1" in d[0], d


def test_same_failure_on_both_sides_is_no_difference():
    msg = "iptables: Bad rule (does a matching rule exist in that chain?).\n"
    nerr = f"/x/t.scn:7: error: {msg}"
    fails = outputs.natsim_failures(nerr, "/x/t.scn")
    assert fails == {7: [msg.strip()]}
    cmd = "iptables -D FORWARD -j DROP"
    assert outputs.compare_block("r", cmd, S, [], [], [], 1, msg, fails[7]) == ([], [])
    d, _ = outputs.compare_block("r", cmd, S, [], [], [], 1, msg, None)
    assert len(d) == 1 and "failed on Linux" in d[0]
    d, _ = outputs.compare_block("r", cmd, S, [], [], [], 0, "", fails[7])
    assert len(d) == 1 and "failed in natsim" in d[0]
    d, _ = outputs.compare_block("r", cmd, S, [], [], [], 1, "iptables: No chain/target/match "
                                 "by that name.\n", fails[7])
    assert len(d) == 1 and "failed differently" in d[0]


def test_iptables_save_date_is_a_note_and_policy_counters_are_compared():
    k = ["# Generated by iptables-save v1.8.9 (nf_tables) on Sun Dec  6 17:23:18 2026",
         "*nat", ":PREROUTING ACCEPT [0:0]", "-A POSTROUTING -o eth1 -j MASQUERADE", "COMMIT",
         "# Completed on Sun Dec  6 17:23:18 2026"]
    n = ["# Generated by iptables-save v1.8.9 (nf_tables) on Thu Jan  1 00:00:02 1970",
         "*nat", ":PREROUTING ACCEPT [0:0]", "-A POSTROUTING -o eth1 -j MASQUERADE", "COMMIT",
         "# Completed on Thu Jan  1 00:00:02 1970"]
    d, notes = outputs.compare_block("r", "iptables-save -t nat", S, n, k, [], 0, "")
    assert d == [] and len(notes) == 1, (d, notes)
    assert all("deliberate (README)" in x for x in notes)
    # a rule that differs is still a difference, the date still a note
    n2 = n[:3] + ["-A POSTROUTING -o eth0 -j MASQUERADE"] + n[4:]
    d, notes = outputs.compare_block("r", "iptables-save -t nat", S, n2, k, [], 0, "")
    assert d and d[0].endswith("output differs") and notes
    # on the host both backends are real: a policy counter natsim counts and
    # iptables-nft does not (or the reverse) is a difference
    lk = ["Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)"]
    ln = ["Chain FORWARD (policy ACCEPT 5 packets, 420 bytes)"]
    d, notes = outputs.compare_block("r", "iptables -L -v -n", S, ln, lk, [], 0, "")
    assert d and not notes
    d, _ = outputs.compare_block("r", "iptables -L -v -n", S,
                                 ["Chain FORWARD (policy DROP 5 packets, 420 bytes)"],
                                 ["Chain FORWARD (policy DROP 2 packets, 120 bytes)"], [], 0, "")
    assert d
    # UML runs iptables-legacy for `iptables`: its policies always count where
    # natsim's iptables-nft chain without counters shows 0 (a note)
    d, notes = outputs.compare_block("r", "iptables -L -v -n", S, lk, ln, [], 0, "",
                                     legacy=True)
    assert d == [] and len(notes) == 1 and "iptables-legacy" in notes[0], (d, notes)
    # ...but a natsim count that differs from legacy's is still a difference
    d, _ = outputs.compare_block("r", "iptables -L -v -n", S,
                                 ["Chain FORWARD (policy ACCEPT 2 packets, 120 bytes)"], ln,
                                 [], 0, "", legacy=True)
    assert d


def test_expected_failure_prefix_is_not_part_of_the_command(tmp_path):
    s = scenario(tmp_path, ROUTER + "r: ! iptables -D FORWARD -j DROP\n")
    c = s.commands[0]
    assert c.negated and c.argv[0] == "iptables" and c.kind == "config"
    msg = "iptables: Bad rule (does a matching rule exist in that chain?).\n"
    d, _ = outputs.compare_block("r", c.text, S, [], [], [], 1, msg, [msg.strip()])
    assert d == []


# ----- packets in the same instant

def test_simultaneous_packets_compare_as_a_set():
    # both ends send at 1 s (natsim: one instant, its order); Linux's agents
    # sent them 30 us apart the other way round
    n = [udp("10.0.0.1", 7, "10.0.0.2", 9, 1 * S, 1), udp("10.0.0.2", 9, "10.0.0.1", 7, 1 * S, 2)]
    k = [udp("10.0.0.2", 9, "10.0.0.1", 7, S + 10_000, 1),
         udp("10.0.0.1", 7, "10.0.0.2", 9, S + 40_000, 2)]
    assert diff.compare_iface("a:eth0", n, k, S // 5) == []


def test_a_real_reordering_is_still_caught():
    # natsim: 1.00 s then 1.05 s; Linux the other way round
    n = [udp("10.0.0.1", 7, "10.0.0.2", 9, 1 * S, 1),
         udp("10.0.0.2", 9, "10.0.0.1", 7, S + 50_000_000, 2)]
    k = [udp("10.0.0.2", 9, "10.0.0.1", 7, S + 10_000, 1),
         udp("10.0.0.1", 7, "10.0.0.2", 9, S + 40_000, 2)]
    lines = diff.compare_iface("a:eth0", n, k, S // 5)
    assert any("natsim only" in l for l in lines) and any("Linux only" in l for l in lines)


# ----- the count of differences is the number shown

def test_report_counts_differences_not_lines():
    k, n = double_nat_events()
    w = natmap.build_wildcards(k, n)
    kl = ["udp      17 28 src=10.0.0.3 dst=9.9.9.9 sport=500 dport=9 src=9.9.9.9 dst=9.9.9.1 "
          "sport=9 dport=500 mark=0 use=1"]
    nl = [kl[0].replace("use=1", "use=2")]
    d, _ = outputs.compare_block("r2", "conntrack -L", S, nl, kl, w, 0, "")
    t, _ = outputs.compare_block("r2", "iptables -S", S, ["-P INPUT DROP", "-A INPUT -j ACCEPT"],
                                 ["-P INPUT ACCEPT", "-A INPUT -j ACCEPT"], w, 0, "")
    rep = diff.Report()
    rep.add("command output (natsim vs Linux)", d + t)
    shown = [l for l in rep.text().splitlines() if l.startswith("  ") and l[2] != " "]
    assert rep.differences == len(shown) == 2, rep.text()


# ----- an interface named after an `ip` keyword

def test_interface_named_like_an_ip_keyword(tmp_path, monkeypatch):
    s = scenario(tmp_path, "router r\nhost a\nhost b\nswitch sw\nhost c\n"
                 "link r:up a:down\nlink r:type b:eth0 delay 1ms\nlink c:help sw:name\n")
    calls = []

    def fake_sh(argv, check=True, timeout=20, ns=None, input=None):
        calls.append(list(argv))
        # no sch_netem: the delayed link goes through relay.py's namespace
        rc = 1 if argv[:4] == ["tc", "qdisc", "add", "dev"] and argv[4] == "lo" else 0
        return subprocess.CompletedProcess(argv, rc, "", "")
    monkeypatch.setattr(topo, "sh", fake_sh)
    # offloads are set from this process inside each namespace, not by a command
    monkeypatch.setattr(topo.offload, "in_netns", lambda ns, ifs: None)
    t = topo.Topology(s, prefix="nsk-test-")
    t.build()
    adds = [a for a in calls if a[:3] == ["ip", "link", "add"]]
    sets = [a for a in calls if a[:3] == ["ip", "link", "set"]]
    assert adds and sets
    for a in adds:          # ip link add name IF ... [peer name IF]
        assert a[3] == "name", f"`{' '.join(a)}`"
        if "peer" in a:
            assert a[a.index("peer") + 1] == "name", f"`{' '.join(a)}`"
    for a in sets:          # ip link set dev IF ...
        assert a[3] == "dev", f"`{' '.join(a)}`"
    made = {a[4] for a in adds} | {a[a.index("peer") + 2] for a in adds if "peer" in a}
    assert {"up", "down", "type", "help", "name"} <= made, made


# ----- compare --help

def test_every_compare_option_has_a_description():
    import importlib.util
    from importlib.machinery import SourceFileLoader
    loader = SourceFileLoader("compare_cli", str(KERNEL / "compare"))
    mod = importlib.util.module_from_spec(importlib.util.spec_from_loader("compare_cli", loader))
    loader.exec_module(mod)
    ap = mod.build_parser()
    bare = [a.option_strings or [a.dest] for a in ap._actions
            if not (a.help or "").strip() or a.help == "==SUPPRESS=="]
    assert not bare, f"options without a description in --help: {bare}"
    p = subprocess.run([sys.executable, str(KERNEL / "compare"), "--help"], capture_output=True,
                       text=True, timeout=30)
    assert p.returncode == 0
    for a in ap._actions:
        for o in a.option_strings:
            assert o in p.stdout, o


# ----- the end marks of the kernel captures

def test_end_mark_round_trip(tmp_path):
    mac = bytes.fromhex("02aabbccddee")
    f = tmp_path / "x.pcap"
    frames = [(1, b"\x00" * 60), (2, pkt.end_mark_frame(mac, "123-456"))]
    pkt.write_pcap(f, frames)
    assert pkt.has_end_mark(f, mac, "123-456")
    assert not pkt.has_end_mark(f, mac, "123-457")
    assert not pkt.has_end_mark(f, bytes.fromhex("02aabbccddef"), "123-456")
    # not an IPv4 frame: the comparison never sees it
    assert pkt.parse_frame(frames[1][1]) is None
    # a record still being written is not read
    data = f.read_bytes()
    f.write_bytes(data[:-10])
    assert not pkt.has_end_mark(f, mac, "123-456")
    assert len(pkt.read_pcap(f)) == 1


def test_kernel_captures_are_immediate_and_keep_the_end_mark():
    """The kernel captures' tcpdump runs with --immediate-mode and its filter
    passes the end mark (what lets kernel_run stop it only once complete)."""
    import kernel_run
    src = (KERNEL / "kernel_run.py").read_text()
    assert '"--immediate-mode"' in src
    assert f"ether proto {pkt.END_MARK_TYPE:#06x}" in kernel_run.CAPTURE_FILTER
    assert struct.pack("!H", pkt.END_MARK_TYPE) == pkt.end_mark_frame(b"\0" * 6, "x")[12:14]
    assert os.path.exists(KERNEL / "agent.py")


def test_uml_event_printed_late_still_tokens_its_packets():
    """On UML conntrack -E prints (and timestamps) a NEW up to hundreds of
    ms after its packet was captured (seed-snat.scn on UML: 80 ms): the
    packet still carries the entry's token there, not on the host."""
    k = {"r": [ev("tcp 6 120 SYN_SENT src=192.168.1.10 dst=9.9.9.9 sport=40000 dport=80 "
                  "[UNREPLIED] src=9.9.9.9 dst=1.2.3.4 sport=80 dport=271", 1 * S + 80_000_000)]}
    n = {"r": [ev("tcp 6 120 SYN_SENT src=192.168.1.10 dst=9.9.9.9 sport=40000 dport=80 "
                  "[UNREPLIED] src=9.9.9.9 dst=1.2.3.4 sport=80 dport=40000", 1 * S)]}
    syn = {"proto": "tcp", "src": "1.2.3.4", "dst": "9.9.9.9", "sport": 271, "dport": 80,
           "t": 1 * S}
    for lag, token in ((0, False), (natmap.UML_EVENT_LAG, True)):
        p = dict(syn)
        natmap.rewrite(p, natmap.build_wildcards(k, n, lag), "kernel")
        assert natmap.is_token(p["sport"]) == token, (lag, p)


# ----- TCP: control packets in order per direction

def tcp(src, sport, dst, dport, flags, t, frame):
    return {"proto": "tcp", "src": src, "sport": sport, "dst": dst, "dport": dport,
            "flags": flags, "plen": 0, "seq": 0, "t": t, "frame": frame}


def test_the_two_directions_fins_race_is_not_a_difference():
    # natsim: the client's FIN, then the server's; Linux (a slow guest): the
    # server closed first (ftp-active-helper on UML, QUIT / 221)
    c, s = ("10.0.0.1", 32768), ("10.0.1.2", 21)
    n = [tcp(*c, *s, "S", 1 * S, 1), tcp(*s, *c, "SA", S + 1000, 2),
         tcp(*c, *s, "FA", 2 * S, 3), tcp(*s, *c, "FA", 2 * S + 1000, 4)]
    k = [tcp(*c, *s, "S", 1 * S, 1), tcp(*s, *c, "SA", S + 1000, 2),
         tcp(*s, *c, "FA", 2 * S + 1000, 3), tcp(*c, *s, "FA", 2 * S + 170_000_000, 4)]
    assert diff.compare_iface("r:eth0", n, k, S // 5) == []
    # a FIN missing in one direction is still a difference
    lines = diff.compare_iface("r:eth0", n, k[:3], S // 5)
    assert any("natsim only" in l and "10.0.0.1:32768 > 10.0.1.2:21 [FA]" in l for l in lines), lines


def test_conntrack_entries_are_keyed_by_tuple_and_zone():
    """Two entries with one ORIGINAL tuple in two conntrack zones (ct-zone.scn)
    pair up by zone, whatever order the dumps list them in."""
    a = ("udp      17 27 src=192.168.1.10 dst=203.0.113.10 sport=5000 dport=9 zone-orig=1 "
         "[UNREPLIED] src=203.0.113.10 dst=203.0.113.1 sport=9 dport=5000 mark=0 use=1")
    b = ("udp      17 27 src=192.168.1.10 dst=203.0.113.10 sport=5000 dport=9 zone-orig=2 "
         "[UNREPLIED] src=203.0.113.10 dst=203.0.113.1 sport=9 dport=40000 mark=0 use=1")
    c = ("udp      17 28 src=192.168.1.10 dst=203.0.113.10 sport=6000 dport=10 [UNREPLIED] "
         "src=203.0.113.10 dst=203.0.113.1 sport=10 dport=6000 mark=0 zone=2 use=1")
    d_ = c.replace("zone=2", "zone=1")
    d, _ = outputs.compare_block("r", "conntrack -L", 2 * S, [a, b, c, d_], [d_, c, b, a],
                                 {}, 0, "")
    assert d == [], d
    d, _ = outputs.compare_block("r", "conntrack -L", 2 * S, [a, c], [a, d_], {}, 0, "")
    assert any("natsim only" in l and "zone=2" in l for l in d), d


def test_nft_echo_generation_pid_is_a_note_and_the_generation_is_compared():
    k = ["add table ip t", "# new generation 2 by process 4711 (nft)"]
    n = ["add table ip t", "# new generation 2 by process 700 (nft)"]
    d, notes = outputs.compare_block("r", "nft -e add table ip t", S, n, k, [], 0, "")
    assert d == [] and len(notes) == 1 and "process ids" in notes[0], (d, notes)
    n2 = ["add table ip t", "# new generation 3 by process 700 (nft)"]
    d, _ = outputs.compare_block("r", "nft -e add table ip t", S, n2, k, [], 0, "")
    assert d and "output differs" in d[0], d
