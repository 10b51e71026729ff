"""Issue 2, the foundation: forwarding, link physics, host answers, replay,
determinism and bad input. Tests are named after their scenario
(topologies/forwarding.scn, or an inline scenario written by the test)."""
import re
from pathlib import Path

import pytest

from conftest import (TRIANGLE, ICMP, IP, TCP, TOPOLOGIES, UDP, Ether, IPerror, Raw, UDPerror,
                      assert_all_checksums, async_lines, check, explain, ip_pkts,
                      expect_passed, outputs, parse_stdout, pcap, pcap_raw, run, run_ok, summary,
                      summary_expects,
                      tcp_payload_len, write_scn)

FORWARDING = TOPOLOGIES / "forwarding.scn"


def _in_net(addr, prefix):
    return addr.startswith(prefix)


def _coverage(segments):
    """Bytes covered by [start, end) ranges."""
    total, cur_s, cur_e = 0, None, None
    for s, e in sorted(segments):
        if cur_e is None or s > cur_e:
            if cur_e is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None:
        total += cur_e - cur_s
    return total


def tcp_stream_bytes(pkts, src, sport):
    """Payload bytes of one direction of a TCP connection, counted once each
    (relative to the SYN's sequence number)."""
    flow = [p for p in ip_pkts(pkts, proto=6, src=src, sport=sport)]
    syns = [p for p in flow if p[TCP].flags.S]
    assert syns, f"no SYN from {src}:{sport}"
    isn = syns[0][TCP].seq
    segs = []
    for p in flow:
        n = tcp_payload_len(p)
        if n > 0:
            off = (p[TCP].seq - isn - 1) % (1 << 32)
            segs.append((off, off + n))
    return _coverage(segs), sum(e - s for s, e in segs)


# --------------------------------------------------------------------------
# forwarding.scn


@pytest.fixture(scope="module")
def fwd_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("forwarding")
    return run(FORWARDING, out=out)


def test_forwarding_expectations_pass(fwd_run):
    assert fwd_run.rc == 0, explain(fwd_run)
    s = summary(fwd_run.outdir)
    assert "forwarding" in str(s.get("scenario", ""))
    assert s.get("seed") == 1
    exps = summary_expects(s)
    n = sum(1 for l in FORWARDING.read_text().splitlines() if l.startswith("expect"))
    assert len(exps) == n
    assert all(expect_passed(e) for e in exps), exps


def test_forwarding_pcaps_read_with_scapy(fwd_run):
    names = sorted(p.name for p in Path(fwd_run.outdir).glob("*.pcap"))
    assert names == sorted(["client-eth0.pcap", "h2-eth0.pcap", "h3-eth0.pcap",
                            "router-eth0.pcap", "router-eth1.pcap", "server-eth0.pcap"]), names
    for name in names:
        node, iface = name[:-5].split("-")
        raw = pcap_raw(Path(fwd_run.outdir) / name)
        assert raw.linktype == 1, f"{name}: linktype {raw.linktype}"
        assert raw.nano, f"{name}: not a nanosecond pcap"
        pkts = pcap(fwd_run.outdir, node, iface)
        assert pkts, f"{name} is empty"
        times = [p.t_ns for p in pkts]
        assert times == sorted(times), f"{name}: timestamps go backwards"
        assert all(Ether in p for p in pkts)


def test_forwarding_checksums_verify(fwd_run):
    for f in Path(fwd_run.outdir).glob("*.pcap"):
        node, iface = f.name[:-5].split("-")
        assert_all_checksums(pcap(fwd_run.outdir, node, iface), f.name)


def _key(p):
    ip = p[IP]
    return (ip.src, ip.dst, ip.proto, ip.id, bytes(ip.payload)[:ip.len - ip.ihl * 4])


def test_forwarding_ttl_drops_by_one(fwd_run):
    eth0 = pcap(fwd_run.outdir, "router", "eth0")
    eth1 = pcap(fwd_run.outdir, "router", "eth1")
    on0, on1 = {}, {}
    for p in ip_pkts(eth0):
        on0.setdefault(_key(p), []).append(p[IP].ttl)
    for p in ip_pkts(eth1):
        on1.setdefault(_key(p), []).append(p[IP].ttl)
    outbound = inbound = 0
    for k, ttls1 in on1.items():
        if not _in_net(k[0], "10.0.1."):
            continue
        assert k in on0, f"packet {k[:4]} left by eth1 but never arrived on eth0"
        assert {t - 1 for t in on0[k]} == set(ttls1), f"TTL {on0[k]} -> {ttls1} for {k[:4]}"
        outbound += 1
    for k, ttls0 in on0.items():
        if k[0] != "10.0.2.2":
            continue
        assert k in on1, f"reply {k[:4]} left by eth0 but never arrived on eth1"
        assert {t - 1 for t in on1[k]} == set(ttls0)
        inbound += 1
    # 3 pings + 5 UDP + the TCP segments (>= 70) each way
    assert outbound >= 78 and inbound >= 8 + 3, (outbound, inbound)
    # ping, UDP and TCP all crossed
    protos = {k[2] for k in on1 if _in_net(k[0], "10.0.1.")}
    assert protos == {1, 6, 17}


def test_forwarding_tcp_transfer_100000_bytes(fwd_run):
    srv = pcap(fwd_run.outdir, "server", "eth0")
    covered, raw_sum = tcp_stream_bytes(srv, "10.0.1.12", 45000)
    assert covered == 100000, f"server saw {covered} distinct payload bytes (sum {raw_sum})"
    h3 = pcap(fwd_run.outdir, "h3", "eth0")
    # the server acknowledged everything: the highest ACK it sent is ISN+1+100000 (+1 for FIN)
    syn = [p for p in ip_pkts(h3, proto=6, src="10.0.1.12") if p[TCP].flags.S][0]
    acks = [(p[TCP].ack - syn[TCP].seq) % (1 << 32)
            for p in ip_pkts(h3, proto=6, src="10.0.2.2", sport=5001) if p[TCP].flags.A]
    assert max(acks) in (100001, 100002), max(acks)
    # and closed with FIN both ways
    assert any(p[TCP].flags.F for p in ip_pkts(srv, proto=6, src="10.0.1.12"))
    assert any(p[TCP].flags.F for p in ip_pkts(srv, proto=6, src="10.0.2.2"))


def test_forwarding_udp_echo_and_ping(fwd_run):
    h2 = pcap(fwd_run.outdir, "h2", "eth0")
    sent = ip_pkts(h2, proto=17, src="10.0.1.11", sport=4000)
    back = ip_pkts(h2, proto=17, src="10.0.2.2", sport=7, dport=4000)
    assert len(sent) == 5 and len(back) == 5
    assert all(len(p[UDP].payload) == 200 for p in sent)
    assert [bytes(p[UDP].payload) for p in back] == [bytes(p[UDP].payload) for p in sent]
    cl = pcap(fwd_run.outdir, "client", "eth0")
    req = [p for p in ip_pkts(cl, proto=1, src="10.0.1.10") if p[ICMP].type == 8]
    rep = [p for p in ip_pkts(cl, proto=1, src="10.0.2.2") if p[ICMP].type == 0]
    assert len(req) == 3 and len(rep) == 3
    assert [(p[ICMP].id, p[ICMP].seq) for p in rep] == [(p[ICMP].id, p[ICMP].seq) for p in req]
    assert all(p[IP].ttl == 63 for p in rep), "one router between: TTL 64 - 1"
    # iputils-style output lines, as async output of the running command
    lines = [a.text for a in async_lines(fwd_run.stdout, "client")]
    assert any(re.match(r"64 bytes from 10\.0\.2\.2: icmp_seq=1 ttl=63 time=", l) for l in lines), lines[:10]
    # h2 -> h3 stays on the switch
    assert not [p for p in ip_pkts(pcap(fwd_run.outdir, "router", "eth1")) if p[IP].src == "10.0.1.11" and p[IP].proto == 1]


def test_forwarding_command_echo_on_stdout(fwd_run):
    blocks, _ = parse_stdout(fwd_run.stdout)
    b = [x for x in blocks if x.node == "router" and x.command == "sysctl -w net.ipv4.ip_forward=1"]
    assert b, "missing `[0.000000] router# sysctl -w net.ipv4.ip_forward=1`"
    assert b[0].t == 0 and b[0].lines[:1] == ["net.ipv4.ip_forward = 1"]
    assert any(x.node == "client" and x.command.startswith("ip addr add") and x.t == 0 for x in blocks)
    assert any(x.node == "h3" and x.command.startswith("tcp connect") and x.t == 2_000_000_000
               for x in blocks)


# --------------------------------------------------------------------------
# variants of forwarding.scn


def _forwarding_without_expects(text):
    return "\n".join(l for l in text.splitlines() if not l.startswith("expect")) + "\n"


def test_forwarding_ip_forward_off(tmp_path):
    text = _forwarding_without_expects(FORWARDING.read_text())
    text = text.replace("net.ipv4.ip_forward=1", "net.ipv4.ip_forward=0")
    scn = write_scn(tmp_path, "forwarding-off", text)
    res = run_ok(scn, out=tmp_path / "out")
    srv = pcap(res.outdir, "server", "eth0")
    leaked = [p.summary() for p in ip_pkts(srv) if p[IP].src.startswith("10.0.1.")]
    assert not leaked, f"forwarding is off but the server saw {leaked[:3]}"
    r0 = pcap(res.outdir, "router", "eth0")
    assert ip_pkts(r0, src="10.0.1.10", proto=1), "the router should still receive the pings"
    assert not ip_pkts(pcap(res.outdir, "router", "eth1")), "nothing may leave by eth1"
    # Linux drops silently (ip_error with forwarding off sends nothing)
    cl = pcap(res.outdir, "client", "eth0")
    assert not [p for p in ip_pkts(cl, proto=1, src="10.0.1.1") if p[ICMP].type == 3]


def _icmp_errors(pkts, typ, code, src=None):
    return [p for p in ip_pkts(pkts, proto=1, src=src) if p[ICMP].type == typ and p[ICMP].code == code]


def _quoted(p):
    """The bytes an ICMP error quotes."""
    icmp = bytes(p[ICMP])
    return icmp[8:p[IP].len - p[IP].ihl * 4]


def test_forwarding_no_route_net_unreachable(tmp_path):
    scn = write_scn(tmp_path, "noroute", TRIANGLE + """\
at 1s client: ping -c 1 198.51.100.7
at 2s client: udp send 198.51.100.7:53 sport 5353 size 20
end 3s
""")
    res = run_ok(scn, out=tmp_path / "out")
    cl = pcap(res.outdir, "client", "eth0")
    errs = _icmp_errors(cl, 3, 0, src="10.0.1.1")
    assert len(errs) == 2, f"expected 2 ICMP net unreachable from the router, got {[p.summary() for p in errs]}"
    sent = [p for p in ip_pkts(cl, src="10.0.1.2", dst="198.51.100.7")]
    assert len(sent) == 2
    for err, orig in zip(errs, sent):
        q = _quoted(err)
        ob = bytes(orig[IP])[:orig[IP].len]
        assert len(q) >= 28 and q == ob[:len(q)], "the error must quote the packet as received"
        assert err[IP].dst == "10.0.1.2"
    assert_all_checksums(cl, "client-eth0")
    assert not ip_pkts(pcap(res.outdir, "router", "eth1"))


def test_forwarding_ttl1_time_exceeded(tmp_path):
    import ttl1
    pc = tmp_path / "ttl1.pcap"
    frame = ttl1.write(pc, "10.0.1.2", "10.0.2.2")
    scn = write_scn(tmp_path, "ttl1", TRIANGLE + f"""\
at 1s client: replay {pc} dev eth0
end 2s
""")
    res = run_ok(scn, out=tmp_path / "out")
    cl = pcap(res.outdir, "client", "eth0")
    sent = [p for p in ip_pkts(cl, src="10.0.1.2", proto=17) if p[IP].id == 0x4242]
    assert len(sent) == 1 and sent[0][IP].ttl == 1
    assert bytes(sent[0])[12:] == bytes(frame)[12:], "replay must send the bytes of the pcap"
    errs = _icmp_errors(cl, 11, 0, src="10.0.1.1")
    assert len(errs) == 1, [p.summary() for p in ip_pkts(cl, proto=1)]
    q = _quoted(errs[0])
    orig = bytes(frame[IP])
    assert len(q) >= 28 and q == orig[:len(q)], (q.hex(), orig.hex())
    assert q == orig, "a short datagram is quoted whole (up to 576 bytes of error)"
    assert_all_checksums(cl, "client-eth0")
    srv = pcap(res.outdir, "server", "eth0")
    assert not [p for p in ip_pkts(srv) if p[IP].id == 0x4242], "TTL 1 must not be forwarded"


# --------------------------------------------------------------------------
# link physics


LINK = """\
host a
host b
link a:eth0 b:eth0 {opts}
a: ip addr add 10.5.0.1/24 dev eth0
b: ip addr add 10.5.0.2/24 dev eth0
b: listen udp 9
"""

ALLOWED_GAPS_NS = {12_000_000, 12_112_000, 12_144_000, 12_304_000}   # 1500/1514/1518/1538 bytes


def test_link_rate_serialisation(tmp_path):
    scn = write_scn(tmp_path, "rate", LINK.format(opts="rate 1Mbit delay 5ms") + """\
at 1s a: udp send 10.5.0.2:9 sport 7000 count 10 interval 0ns size 1472
end 2s
""")
    res = run_ok(scn, out=tmp_path / "out")
    rx = [p for p in ip_pkts(pcap(res.outdir, "b", "eth0"), proto=17, src="10.5.0.1")]
    assert len(rx) == 10
    assert all(len(p) == 1514 and p[IP].len == 1500 for p in rx)
    times = [p.t_ns for p in rx]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert len(set(gaps)) == 1, f"back-to-back frames must arrive evenly spaced: {gaps}"
    assert gaps[0] in ALLOWED_GAPS_NS, f"1500-byte packets at 1 Mbit/s: gap {gaps[0]} ns"
    # the first frame arrives one serialisation time plus the 5 ms delay after 1 s
    assert times[0] - 1_000_000_000 == gaps[0] + 5_000_000, times[0]


def test_link_queue_drops(tmp_path):
    scn = write_scn(tmp_path, "queue", LINK.format(opts="rate 1Mbit queue 5") + """\
at 1s a: udp send 10.5.0.2:9 sport 7000 count 20 interval 0ns size 1472
end 2s
""")
    res = run_ok(scn, out=tmp_path / "out")
    rx = [p for p in ip_pkts(pcap(res.outdir, "b", "eth0"), proto=17, src="10.5.0.1")]
    assert len(rx) in (5, 6), f"20 sent into a 5-packet queue, {len(rx)} arrived"
    ids = [p[IP].id for p in rx]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    # the drops are counted: the sender's interface reports them
    a = [n for n in summary(res.outdir)["nodes"] if n["name"] == "a"][0]
    eth0 = [i for i in a["interfaces"] if i["name"] == "eth0"][0]
    assert (eth0["tx_packets"], eth0["tx_dropped"]) == (len(rx), 20 - len(rx)), eth0


# --------------------------------------------------------------------------
# hosts answer like Linux


def test_closed_ports(tmp_path):
    scn = write_scn(tmp_path, "closed", LINK.format(opts="delay 1ms") + """\
at 1s a: tcp connect 10.5.0.2:5555 sport 40000
at 2s a: udp send 10.5.0.2:5556 sport 40001 size 100
end 3s
""")
    res = run_ok(scn, out=tmp_path / "out")
    pa = pcap(res.outdir, "a", "eth0")
    syn = [p for p in ip_pkts(pa, proto=6, src="10.5.0.1", dport=5555) if p[TCP].flags == "S"]
    rst = [p for p in ip_pkts(pa, proto=6, src="10.5.0.2", sport=5555)]
    assert syn and rst, [p.summary() for p in pa]
    assert rst[0][TCP].flags == "RA", rst[0][TCP].flags
    assert rst[0][TCP].ack == (syn[0][TCP].seq + 1) % (1 << 32) and rst[0][TCP].seq == 0
    assert rst[0][TCP].dport == 40000
    err = _icmp_errors(pa, 3, 3, src="10.5.0.2")
    assert len(err) == 1
    orig = [p for p in ip_pkts(pcap(res.outdir, "b", "eth0"), proto=17, src="10.5.0.1", dport=5556)]
    assert len(orig) == 1
    ob = bytes(orig[0][IP])[:orig[0][IP].len]
    q = _quoted(err[0])
    assert q[:28] == ob[:28], "quoted IP+UDP header must equal the original"
    assert q == ob, "a 128-byte datagram is quoted whole"
    assert err[0][IPerror].src == "10.5.0.1" and err[0][UDPerror].dport == 5556
    assert_all_checksums(pa, "a-eth0")


# --------------------------------------------------------------------------
# replay


def test_replay_keeps_bytes_and_times(tmp_path):
    import replay_frames
    pc = tmp_path / "frames.pcap"
    frames = replay_frames.write(pc)
    scn = write_scn(tmp_path, "replay", """\
host a
host b
link a:eth0 b:eth0
a: ip addr add 10.9.0.1/24 dev eth0
b: ip addr add 10.9.0.2/24 dev eth0
b: listen udp 9999
at 0.5s a: ping -c 1 10.9.0.2
""" + f"at 2s a: replay {pc} dev eth0\nend 4s\n")
    res = run_ok(scn, out=tmp_path / "out")
    pa = pcap(res.outdir, "a", "eth0")
    ping = [p for p in ip_pkts(pa, proto=1, src="10.9.0.2")]
    assert ping, "need the ping reply to learn b's MAC"
    mac_a, mac_b = ping[0][Ether].dst, ping[0][Ether].src
    sent = [p for p in ip_pkts(pa, proto=17, dport=9999)]
    assert len(sent) == len(frames)
    for i, (s, f) in enumerate(zip(sent, frames)):
        if i < 4:
            assert s[Ether].dst == mac_b and s[Ether].src == mac_a, (i, s[Ether].dst, s[Ether].src)
            assert bytes(s)[12:] == bytes(f)[12:], f"frame {i} changed beyond its MACs"
        else:
            assert bytes(s) == bytes(f), "frame 4 has explicit MACs: byte for byte"
    offs = [s.t_ns - sent[0].t_ns for s in sent]
    assert offs == replay_frames.OFFSETS_NS, offs
    assert sent[0].t_ns == 2_000_000_000
    pb = pcap(res.outdir, "b", "eth0")
    got = [p for p in ip_pkts(pb, proto=17, dport=9999)]
    assert [bytes(p) for p in got[:4]] == [bytes(p) for p in sent[:4]]


# --------------------------------------------------------------------------
# determinism


def _files(d):
    return {p.name: p.read_bytes() for p in Path(d).iterdir() if p.is_file()}


def test_determinism_same_seed_identical(tmp_path):
    r1 = run_ok(FORWARDING, out=tmp_path / "o1", seed=7)
    r2 = run_ok(FORWARDING, out=tmp_path / "o2", seed=7)
    f1, f2 = _files(r1.outdir), _files(r2.outdir)
    assert sorted(f1) == sorted(f2)
    for k in {"kernel.log", "conntrack-events.log", "summary.json"}:
        assert k in f1, f"missing output file {k}"
    diff = [k for k in f1 if f1[k] != f2[k]]
    assert not diff, f"files differ between two runs with seed 7: {diff}"
    assert r1.stdout == r2.stdout


def test_determinism_lossy_link_seeds_differ(tmp_path):
    scn = write_scn(tmp_path, "lossy", LINK.format(opts="loss 30%") + """\
a: udp send 10.5.0.2:9 sport 7000 count 200 interval 1ms size 20
end 1s
""")
    res = {}
    for seed in (1, 2):
        res[seed] = run_ok(scn, out=tmp_path / f"s{seed}", seed=seed)
    again = run_ok(scn, out=tmp_path / "s1b", seed=1)
    b1 = (Path(res[1].outdir) / "b-eth0.pcap").read_bytes()
    b2 = (Path(res[2].outdir) / "b-eth0.pcap").read_bytes()
    assert b1 != b2, "seeds 1 and 2 must draw different losses"
    assert b1 == (Path(again.outdir) / "b-eth0.pcap").read_bytes()
    for seed in (1, 2):
        n = len(ip_pkts(pcap(res[seed].outdir, "b", "eth0"), proto=17))
        assert 100 <= n <= 180, f"seed {seed}: {n} of 200 arrived through 30% loss"


# --------------------------------------------------------------------------
# bad input


BAD_BASE = """\
# bad input: the line below the links is the broken one
host x1
host x2
router r
link x1:eth0 r:eth0
link x2:eth0 r:eth1
x1: ip addr add 10.0.0.1/24 dev eth0
x2: ip addr add 10.0.1.1/24 dev eth0
{bad}
end 1s
"""
BAD_LINE_NO = 9

BAD_LINES = {
    "unknown-node": "ghost: ip addr add 10.0.0.9/24 dev eth0",
    "bad-address": "x1: ip addr add 10.0.0.256/24 dev eth0",
    "bad-time-unit": "at 5parsecs x1: ip link set eth0 down",
    "link-missing-node": "link x1:eth1 ghost:eth0",
    "unknown-statement": "frobnicate x1 x2",
    "duplicate-node": "host x1",
    "bad-loss": "link x1:eth2 x2:eth2 loss 150%",
    "bad-rate": "link x1:eth2 x2:eth2 rate 10furlongs",
    "unterminated-quote": 'expect r log "table full',
    "iface-with-slash": "link x1:eth/2 x2:eth2",
}


@pytest.mark.parametrize("case", sorted(BAD_LINES))
@pytest.mark.parametrize("sub", ["check", "run"])
def test_bad_input(tmp_path, case, sub):
    scn = write_scn(tmp_path, f"bad-{case}", BAD_BASE.format(bad=BAD_LINES[case]))
    res = run(scn, sub=sub, out=tmp_path / "out" if sub == "run" else None)
    assert res.rc == 2, explain(res)
    errs = [l for l in res.stderr.splitlines() if re.match(r"^.+:\d+: error: ", l)]
    assert len(errs) == 1, f"expected exactly one FILE:LINE: error: line, got {res.stderr!r}"
    m = re.match(r"^(.+):(\d+): error: (.+)$", errs[0])
    assert m[1].endswith(f"bad-{case}.scn"), m[1]
    assert int(m[2]) == BAD_LINE_NO, f"error names line {m[2]}, the bad line is {BAD_LINE_NO}"
    assert m[3].strip()
    blocks, _ = parse_stdout(res.stdout)
    assert not blocks, "nothing may run before bad input is reported"


# --------------------------------------------------------------------------
# expectation results: exit 1 with a report, JUnit XML


def test_expect_failure_reported(tmp_path):
    scn = write_scn(tmp_path, "expfail", LINK.format(opts="") + """\
at 1s a: udp send 10.5.0.2:9 sport 7000 count 3 interval 10ms
expect b:eth0 saw udp src 10.5.0.1:7000 count 3
expect b:eth0 saw udp src 10.5.0.1:7000 count 4
end 2s
""")
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 1, explain(res)
    bad = [l for l in res.stderr.splitlines() if "expfail.scn:9:" in l]
    assert bad and re.search(r"expected count == 4, saw 3", bad[0]), res.stderr
    assert not [l for l in res.stderr.splitlines() if "expfail.scn:8:" in l]
    exps = summary_expects(summary(res.outdir))
    assert [expect_passed(e) for e in exps] == [True, False]


def test_junit_one_testcase_per_expect(tmp_path):
    import xml.etree.ElementTree as ET
    junit = tmp_path / "junit.xml"
    res = run(FORWARDING, "--junit", junit, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    root = ET.parse(junit).getroot()
    cases = list(root.iter("testcase"))
    n = sum(1 for l in FORWARDING.read_text().splitlines() if l.startswith("expect"))
    assert len(cases) == n
    assert not [c for c in cases if c.find("failure") is not None or c.find("error") is not None]
