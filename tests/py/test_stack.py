"""test_stack.py - the IPv4 stack where Linux's own selftests found natsim
differing (issue 12, section 8): ICMP redirects, martian sources and
rp_filter, the conntrack entry of a packet waiting for its next hop, and the
entry of REJECT's RST.

Each topology's expectations were taken from a 6.18 kernel in network
namespaces (tests/kernel/compare runs the same files against it:
test_kernel_compare.py); iputils' ping wording from iputils 20221126 with
ICMP datagram sockets, as on a Debian 12 machine.
"""

import json
import re

import pytest

from conftest import (
    ICMP, IP, TOPOLOGIES, UDP, Ether, IPerror, TCP, UDPerror, async_lines, ct_events,
    ct_lists, ct_stats, kernel_log, outputs, pcap, run, run_ok, write_scn,
)

S = 1_000_000_000


def mac(node, iface):
    """natsim's MAC of node:iface (FNV-1a, sim/net/packet.c mac_for)."""
    h = 0xcbf29ce484222325
    for ch in f"{node}:{iface}".encode():
        h ^= ch
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    b = [0x02] + [(h >> (8 * (5 - i))) & 0xFF for i in range(1, 6)]
    return ":".join(f"{x:02x}" for x in b)


def redirects(pkts, dst):
    return [p for p in pkts if IP in p and ICMP in p and p[ICMP].type == 5 and p[IP].dst == dst]


def node_summary(outdir, node):
    s = json.loads((outdir / "summary.json").read_text())
    return next(n for n in s["nodes"] if n["name"] == node)


def ip_stats(outdir, node):
    return node_summary(outdir, node)["ip_stats"]


# ----- ICMP redirects


@pytest.fixture(scope="module")
def redirect_run(tmp_path_factory):
    return run_ok(TOPOLOGIES / "icmp-redirect.scn", "--trace",
                  out=tmp_path_factory.mktemp("redirect"))


def test_icmp_redirect_to_h_is_linux_s(redirect_run):
    pk = pcap(redirect_run.outdir, "h", "eth0")
    red = redirects(pk, "10.0.0.10")
    assert len(red) == 1
    r = red[0]
    # type 5 code 1 (host), r2 as the gateway, from r1's address; the error's
    # own header as icmp_send builds it (TOS 0xc0, TTL 64)
    assert (r[ICMP].code, r[ICMP].gw, r[IP].src) == (1, "10.0.0.2", "10.0.0.1")
    assert (r[IP].tos, r[IP].ttl) == (0xC0, 64)
    assert r[Ether].src == mac("r1", "eth0")
    # it quotes the whole datagram as r1 forwarded it: TTL already 63
    q = r[IPerror]
    assert (q.src, q.dst, q.ttl, q[UDPerror].sport, q[UDPerror].dport) == \
        ("10.0.0.10", "10.1.0.5", 63, 5000, 7)
    assert r.t_ns == 1 * S


def test_icmp_redirect_is_taken_by_h(redirect_run):
    """h's first datagram goes to r1; after the redirect (a route exception)
    the other three go straight to r2's MAC; r1 forwards only the first."""
    sent = [p for p in pcap(redirect_run.outdir, "h", "eth0")
            if UDP in p and p[IP].src == "10.0.0.10" and p[Ether].src == mac("h", "eth0")]
    assert [p[Ether].dst for p in sent] == [mac("r1", "eth0")] + [mac("r2", "eth0")] * 3
    fwd = [p for p in pcap(redirect_run.outdir, "r1", "eth0")
           if UDP in p and p[IP].src == "10.0.0.10" and p[Ether].src == mac("r1", "eth0")]
    assert len(fwd) == 1
    got = [p for p in pcap(redirect_run.outdir, "s", "eth0")
           if UDP in p and p[IP].src == "10.0.0.10"]
    assert len(got) == 4


def test_icmp_redirect_rate_limit_per_sender(redirect_run):
    """ip_rt_send_redirect's backoff (20 ms << n) and its limit of 9."""
    times = [p.t_ns / S for p in redirects(pcap(redirect_run.outdir, "h2", "eth0"), "10.0.0.20")]
    assert times == [1.0, 1.3, 1.6, 2.0, 2.6, 3.5, 5.2, 8.3, 13.9]
    # h2 ignores them: all 15 datagrams go through r1
    fwd = [p for p in pcap(redirect_run.outdir, "r1", "eth0")
           if UDP in p and p[IP].src == "10.0.0.20" and p[Ether].src == mac("r1", "eth0")]
    assert len(fwd) == 15


def test_icmp_redirect_ignored_logged(redirect_run):
    log = [(t, x) for t, n, x in kernel_log(redirect_run.outdir) if n == "r1"]
    assert log == [(int(13.9 * S),
                    "IPv4: host 10.0.0.20/if2 ignores redirects for 10.1.0.5 to 10.0.0.2")]


def test_icmp_redirect_trace(redirect_run):
    trace = (redirect_run.outdir / "trace.log").read_text()
    assert "redirect               back out eth0, the way it came: ICMP redirect to " \
        "10.0.0.10, gateway\n                         10.0.0.2 (send_redirects)" in trace
    assert "leaves      eth0       ICMP 10.0.0.1 > 10.0.0.10 redirect host, gateway 10.0.0.2" \
        in trace
    assert re.search(r"r1 packet #\d+ continues: UDP 10\.0\.0\.10:5000 > 10\.1\.0\.5:7", trace)


def test_icmp_redirect_in_report(tmp_path):
    res = run_ok(TOPOLOGIES / "icmp-redirect-nat.scn", "--report", out=tmp_path / "o")
    html = (res.outdir / "report.html").read_text()
    assert "redirect host, gateway 10.0.0.2" in html


REDIRECT_LAN = """\
host h
router r1
router r2
host s
switch sw
link h:eth0 sw:p1
link r1:eth0 sw:p2
link r2:eth0 sw:p3
link r2:eth1 s:eth0
h: ip addr add 10.0.0.10/24 dev eth0
h: ip route add default via 10.0.0.1
r1: ip addr add 10.0.0.1/24 dev eth0
r1: ip route add 10.1.0.0/24 via 10.0.0.2
r1: sysctl -w net.ipv4.ip_forward=1
r2: ip addr add 10.0.0.2/24 dev eth0
r2: ip addr add 10.1.0.1/24 dev eth1
r2: sysctl -w net.ipv4.ip_forward=1
s: ip addr add 10.1.0.5/24 dev eth0
s: ip route add default via 10.1.0.1
s: listen udp 7
"""


@pytest.mark.parametrize("knobs,sent", [
    ([], 1),
    (["net.ipv4.conf.all.send_redirects=0"], 1),           # all OR eth0
    (["net.ipv4.conf.eth0.send_redirects=0"], 1),
    (["net.ipv4.conf.all.send_redirects=0", "net.ipv4.conf.eth0.send_redirects=0"], 0),
    (["net.ipv4.conf.default.send_redirects=0"], 1),       # eth0 has an address: its own
])
def test_send_redirects_is_all_or_interface(tmp_path, knobs, sent):
    text = REDIRECT_LAN + "".join(f"r1: sysctl -w {k}\n" for k in knobs) + \
        "at 1s h: udp send 10.1.0.5:7 sport 5000 count 1\nend 2s\n"
    res = run_ok(write_scn(tmp_path, "sr", text), out=tmp_path / "o")
    assert len(redirects(pcap(res.outdir, "h", "eth0"), "10.0.0.10")) == sent


def test_ping_prints_the_redirect(tmp_path):
    """iputils (ICMP datagram socket): the redirect is an error line and
    counts in +N errors, which end a `ping -c` early - as measured with
    iputils 20221126 in a namespace with ping_group_range set."""
    text = REDIRECT_LAN + "at 1s h: ping -c 4 -i 0.2 10.1.0.5\nend 3s\n"
    res = run_ok(write_scn(tmp_path, "pr", text), out=tmp_path / "o")
    lines = [a.text for a in async_lines(res.stdout, "h")]
    assert lines[0] == "From 10.0.0.1 icmp_seq=1 Redirect Host(New nexthop: 10.0.0.2)"
    assert any(l.startswith("3 packets transmitted, 3 received, +1 errors, 0% packet loss")
               for l in lines), lines


def test_forwarding_router_ignores_redirects(tmp_path):
    """ip_forward=1 turns all.accept_redirects off (inet_forward_change); a
    forwarding device takes redirects only with all AND dev."""
    text = REDIRECT_LAN.replace("h: ip route add default via 10.0.0.1\n",
                                "h: ip route add default via 10.0.0.1\n"
                                "h: sysctl -w net.ipv4.ip_forward=1\n"
                                "h: sysctl -w net.ipv4.conf.eth0.log_martians=1\n"
                                "h: sysctl net.ipv4.conf.all.accept_redirects\n") + \
        "at 1s h: udp send 10.1.0.5:7 sport 5000 count 2 interval 500ms\nend 3s\n"
    res = run_ok(write_scn(tmp_path, "fr", text), out=tmp_path / "o")
    assert outputs(res.stdout, "h", "sysctl net.ipv4.conf.all")[0].lines == \
        ["net.ipv4.conf.all.accept_redirects = 0"]
    sent = [p for p in pcap(res.outdir, "h", "eth0")
            if UDP in p and p[Ether].src == mac("h", "eth0")]
    assert [p[Ether].dst for p in sent] == [mac("r1", "eth0")] * 2
    log = [x for _, n, x in kernel_log(res.outdir) if n == "h"]
    assert log[:2] == ["IPv4: Redirect from 10.0.0.1 on eth0 about 10.0.0.2 ignored",
                       "  Advised path = 10.0.0.10 -> 10.1.0.5"]


def test_icmp_redirect_nat(tmp_path):
    res = run_ok(TOPOLOGIES / "icmp-redirect-nat.scn", "--trace", out=tmp_path / "o")
    # the first packet's redirect is dropped by NAT, but counts
    h2 = [p.t_ns / S for p in redirects(pcap(res.outdir, "h2", "eth0"), "10.0.0.20")]
    assert h2 == [1.1, 1.2]
    h = [p.t_ns / S for p in redirects(pcap(res.outdir, "h", "eth0"), "10.0.0.10")]
    assert h == [1.2]
    assert redirects(pcap(res.outdir, "h3", "eth0"), "10.0.0.30") == []
    trace = (res.outdir / "trace.log").read_text()
    assert "OUTPUT      nat        ICMP redirect about a flow whose NAT is not complete (its " \
        "first packet):\n                         DROP" in trace
    assert "ICMP redirect about a flow that is NATed: DROP" in trace
    assert "RELATED reply: carries the entry of the packet it answers (nf_ct_attach)" in trace


# ----- martian sources, accept_local, rp_filter


@pytest.fixture(scope="module")
def loop_run(tmp_path_factory):
    return run_ok(TOPOLOGIES / "martian-loop.scn", out=tmp_path_factory.mktemp("loop"))


def test_martian_loop_ends_at_first_return(loop_run):
    pk = [p for p in pcap(loop_run.outdir, "r1", "eth0")
          if ICMP in p and p[ICMP].type == 8 and p.t_ns < 2 * S]
    # out once (TTL 64), back once from r2 (TTL 63): then dropped
    assert [(p[Ether].src, p[IP].ttl) for p in pk] == \
        [(mac("r1", "eth0"), 64), (mac("r2", "eth0"), 63)]


def test_martian_loop_log_lines(loop_run):
    log = [(t, x) for t, n, x in kernel_log(loop_run.outdir) if n == "r1" and t < 2 * S]
    assert log == [
        (S, "IPv4: Redirect from 10.0.0.2 on eth0 about 10.0.0.1 ignored"),
        (S, "  Advised path = 10.0.0.1 -> 10.9.9.9"),
        (S, "IPv4: martian source 10.9.9.9 from 10.0.0.1, on dev eth0"),
        (S, "ll header: 00000000: 02 a3 2c 55 45 73 02 44 d8 91 f3 fc 08 00"),
    ]


def test_martian_loop_accept_local_runs_out_of_ttl(loop_run):
    pk = [p for p in pcap(loop_run.outdir, "r1", "eth0") if ICMP in p and p.t_ns > 2 * S]
    echo = [p for p in pk if p[ICMP].type == 8]
    assert [p[IP].ttl for p in echo] == list(range(64, 0, -1))[:len(echo)]
    assert len(echo) == 64
    # the last copy reaches r1 with TTL 1: time exceeded, to r1 itself (lo)
    assert ip_stats(loop_run.outdir, "r1")["InHdrErrors"] == 1
    blocks = outputs(loop_run.stdout, "r1", "nstat")
    assert blocks[1].lines == [
        "#kernel",
        "IpInHdrErrors                   1                  0.0",
        "IpInAddrErrors                  0                  0.0",
        "IpForwDatagrams                 31                 0.0",
    ]


@pytest.fixture(scope="module")
def rpf_run(tmp_path_factory):
    return run_ok(TOPOLOGIES / "rp-filter.scn", out=tmp_path_factory.mktemp("rpf"))


def test_rp_filter_decisions(rpf_run):
    got = sorted(p[UDP].sport for p in pcap(rpf_run.outdir, "lan", "eth0") if UDP in p)
    #       x1 (spoofed LAN)  x2 (no route back)  x3 (honest)
    assert got == [1001, 1002, 1003, 2001, 3001, 3002, 3003, 3004]


def test_rp_filter_counter_and_log(rpf_run):
    assert ip_stats(rpf_run.outdir, "r")["IPReversePathFilter"] == 4
    assert outputs(rpf_run.stdout, "r", "nstat")[0].lines == [
        "#kernel",
        "IpInAddrErrors                  0                  0.0",
        "IpForwDatagrams                 8                  0.0",
        "IpInDiscards                    0                  0.0",
        "TcpExtIPReversePathFilter       4                  0.0",
    ]
    log = [(t / S, x) for t, n, x in kernel_log(rpf_run.outdir) if n == "r"]
    mart = [(t, x) for t, x in log if x.startswith("IPv4: martian")]
    assert mart == [
        (2.0, "IPv4: martian source 192.168.1.10 from 198.51.100.7, on dev eth1"),
        (3.0, "IPv4: martian source 192.168.1.10 from 198.51.100.7, on dev eth1"),
        (4.0, "IPv4: martian source 192.168.1.10 from 192.168.1.50, on dev eth1"),
        (4.0, "IPv4: martian source 192.168.1.10 from 198.51.100.7, on dev eth1"),
    ]
    assert (2.0, "ll header: 00000000: " + mac("r", "eth1").replace(":", " ") + " " +
            mac("x2", "eth0").replace(":", " ") + " 08 00") in log


def test_own_address_as_source_to_a_host(tmp_path):
    """fib_validate_source's fast path on a host: a packet for it from one of
    its own addresses is a martian (accept_local 0)."""
    text = """\
    host a
    host b
    link a:eth0 b:eth0
    a: ip addr add 10.0.0.1/24 dev eth0
    b: ip addr add 10.0.0.2/24 dev eth0
    b: ip addr add 10.0.0.1/32 dev eth0
    b: listen udp 9
    at 1s a: udp send 10.0.0.2:9 sport 1000 count 1
    at 2s b: sysctl -w net.ipv4.conf.eth0.accept_local=1
    at 3s a: udp send 10.0.0.2:9 sport 1001 count 1
    end 4s
    """
    res = run_ok(write_scn(tmp_path, "own", text), out=tmp_path / "o")
    assert node_summary(res.outdir, "b")["udp_rx"] == 1


def test_conf_knobs_as_linux_combines_them(tmp_path):
    """sysctl net.ipv4.conf.*: default reaches interfaces not written and
    without an address (ipv4_devconf_setall on an address and on lo),
    proc_dointvec's numbers; values read on a 6.18 kernel."""
    text = """\
    router r
    host h
    link r:eth0 h:eth0
    link r:eth1 h:eth1
    r: ip addr add 10.0.0.1/24 dev eth0
    r: sysctl -w net.ipv4.conf.default.log_martians=1
    r: sysctl net.ipv4.conf.eth0.log_martians net.ipv4.conf.eth1.log_martians net.ipv4.conf.lo.log_martians
    r: sysctl -w net.ipv4.conf.eth1.rp_filter=0x4
    r: sysctl -w net.ipv4.conf.eth1.rp_filter=010
    r: sysctl net.ipv4.conf.eth1.rp_filter
    r: sysctl -w net.ipv4.conf.eth1.rp_filter=-3
    r: sysctl -w net.ipv4.ip_forward=1
    r: sysctl net.ipv4.conf.all.accept_redirects net.ipv4.conf.eth1.accept_redirects
    """
    res = run_ok(write_scn(tmp_path, "k", text), out=tmp_path / "o")
    out = {b.command: b.lines for b in outputs(res.stdout, "r", "")}
    assert out["sysctl net.ipv4.conf.eth0.log_martians net.ipv4.conf.eth1.log_martians "
               "net.ipv4.conf.lo.log_martians"] == [
        "net.ipv4.conf.eth0.log_martians = 0", "net.ipv4.conf.eth1.log_martians = 1",
        "net.ipv4.conf.lo.log_martians = 0"]
    assert out["sysctl -w net.ipv4.conf.eth1.rp_filter=0x4"] == \
        ["net.ipv4.conf.eth1.rp_filter = 0x4"]
    assert out["sysctl net.ipv4.conf.eth1.rp_filter"] == ["net.ipv4.conf.eth1.rp_filter = 8"]
    assert out["sysctl -w net.ipv4.conf.eth1.rp_filter=-3"] == \
        ["net.ipv4.conf.eth1.rp_filter = -3"]
    assert out["sysctl net.ipv4.conf.all.accept_redirects net.ipv4.conf.eth1.accept_redirects"] \
        == ["net.ipv4.conf.all.accept_redirects = 0", "net.ipv4.conf.eth1.accept_redirects = 1"]


@pytest.mark.parametrize("cmd,msg", [
    ("sysctl -w net.ipv4.conf.eth0.rp_filter=+4",
     'sysctl: setting key "net.ipv4.conf.eth0.rp_filter": Invalid argument'),
    ("sysctl -w net.ipv4.conf.eth0.rp_filter=4x",
     'sysctl: setting key "net.ipv4.conf.eth0.rp_filter": Invalid argument'),
    ("sysctl -w net.ipv4.conf.eth0.rp_filter=99999999999",
     'sysctl: setting key "net.ipv4.conf.eth0.rp_filter": Invalid argument'),
    ("sysctl net.ipv4.conf.eth9.rp_filter",
     "sysctl: cannot stat /proc/sys/net/ipv4/conf/eth9/rp_filter: No such file or directory"),
])
def test_conf_knob_errors(tmp_path, cmd, msg):
    text = f"router r\nhost h\nlink r:eth0 h:eth0\nr: {cmd}\n"
    res = run(write_scn(tmp_path, "e", text), out=tmp_path / "o")
    assert res.rc == 2 and msg in res.stderr, res.stderr


# ----- a packet waiting for its next hop holds its entry


@pytest.fixture(scope="module")
def neigh_run(tmp_path_factory):
    return run_ok(TOPOLOGIES / "neigh-fail-nat.scn", out=tmp_path_factory.mktemp("neigh"))


def test_neigh_queue_holds_the_entry(neigh_run):
    (t, ents), = [x for x in ct_lists(neigh_run.stdout, "r") if x[0] == 2 * S]
    assert [(e["orig"]["sport"], e["use"]) for e in ents] == [(5353, 2)]
    (_, ents), = [x for x in ct_lists(neigh_run.stdout, "r") if x[0] == 5 * S]
    assert [(e["orig"]["sport"], e["use"]) for e in ents] == [(5353, 1)]


def test_neigh_failure_error_is_denatted(neigh_run):
    errs = [p for p in pcap(neigh_run.outdir, "c", "eth0") if ICMP in p and p[ICMP].type == 3]
    assert [(p.t_ns / S, p[ICMP].code, p[IP].src, p[IP].dst) for p in errs] == \
        [(4.0, 1, "203.0.113.1", "192.168.1.10"), (9.0, 1, "203.0.113.1", "192.168.1.10")]
    # the quoted datagram as c sent it (TTL after r's decrement)
    assert [(p[IPerror].src, p[UDPerror].sport, p[IPerror].ttl) for p in errs] == \
        [("192.168.1.10", 5353, 63), ("192.168.1.10", 5354, 63)]
    assert all(s["error"] == 0 and s["invalid"] == 0 for _, s in ct_stats(neigh_run.stdout, "r"))


def test_neigh_wait_outlives_the_entry(neigh_run):
    """The second entry expires (udp_timeout 1 s) while its packet waits:
    gone from the table, still counted until the packet lets go."""
    (_, ents), = [x for x in ct_lists(neigh_run.stdout, "r") if x[0] == int(7.5 * S)]
    assert [e["orig"]["sport"] for e in ents] == [5353]
    assert outputs(neigh_run.stdout, "r", "conntrack -C")[0].lines == ["2"]
    gone = [t for t, l in ct_events(neigh_run.outdir) if "[DESTROY]" in l and "sport=5354" in l]
    assert len(gone) == 1 and 7 * S <= gone[0] <= int(7.5 * S)


@pytest.mark.parametrize("cmd", ["conntrack -F", "conntrack -D -p udp", "reboot"])
def test_entry_deleted_while_its_packet_waits(tmp_path, cmd):
    """Flush, delete or reboot while the packet waits: no use after free
    (make asan), and after -F/-D the error is still translated back."""
    text = (TOPOLOGIES / "neigh-fail-nat.scn").read_text().split("at 1s ")[0] + f"""
at 1s c: udp send 203.0.113.99:53 sport 5353 count 1
at 2s r: {cmd}
at 3s r: conntrack -C
end 5s
"""
    res = run_ok(write_scn(tmp_path, "del", text), out=tmp_path / "o")
    errs = [p for p in pcap(res.outdir, "c", "eth0") if ICMP in p and p[ICMP].type == 3]
    if cmd == "reboot":
        assert errs == [] and outputs(res.stdout, "r", "conntrack -C")[0].lines == ["0"]
    else:
        assert [(p[IP].dst, p[UDPerror].sport) for p in errs] == [("192.168.1.10", 5353)]
        assert outputs(res.stdout, "r", "conntrack -C")[0].lines == ["1"]


# ----- REJECT --reject-with tcp-reset


def test_reject_tcp_reset_carries_the_entry(tmp_path):
    res = run_ok(TOPOLOGIES / "reject-tcp-reset.scn", out=tmp_path / "o")
    assert [s["invalid"] for _, s in ct_stats(res.stdout, "r")] == [0, 0]
    rst = [p for p in pcap(res.outdir, "c", "eth0") if TCP in p and "R" in str(p[TCP].flags)]
    assert [(p[IP].src, p[TCP].sport, p[TCP].dport, str(p[TCP].flags)) for p in rst] == \
        [("203.0.113.10", 81, 40001, "RA"), ("203.0.113.10", 82, 40002, "R")]
    (_, ents), = ct_lists(res.stdout, "r")
    assert [(e["orig"]["dport"], e["state"], e["timeout"]) for e in ents] == [(82, "CLOSE", 9)]
    upd = [l for _, l in ct_events(res.outdir) if "[UPDATE]" in l and " CLOSE " in l]
    assert len(upd) == 1 and " [UPDATE] tcp      6 10 CLOSE src=192.168.1.10 " in upd[0]


def test_nstat_history_and_formats(tmp_path):
    """nstat as iproute2 6.1 prints it: without -a the increase since the
    last run that updated the history (/tmp/.nstat.u0), -s keeps it, -z
    shows zeros, -j JSON; a counter natsim does not keep is said so."""
    from conftest import TRIANGLE
    text = TRIANGLE + """\
    server: listen udp 9
    at 1s router: nstat -z IpForwDatagrams
    at 2s client: udp send 10.0.2.2:9 count 3 interval 100ms
    at 3s router: nstat IpForwDatagrams IpInDelivers
    at 4s client: udp send 10.0.2.2:9 count 2 interval 100ms
    at 5s router: nstat -s IpForwDatagrams
    at 5s router: nstat -asj IpForwDatagrams TcpExtIPReversePathFilter
    at 5s router: nstat -z IpOutRequests
    at 6s router: cat /tmp/.nstat.u0
    """
    res = run_ok(write_scn(tmp_path, "ns", text), out=tmp_path / "o")
    got = [b.lines for b in outputs(res.stdout, "router", "nstat")]
    assert got == [
        ["#kernel", "IpForwDatagrams                 0                  0.0"],
        ["#kernel", "IpForwDatagrams                 3                  0.0"],
        ["#kernel", "IpForwDatagrams                 2                  0.0"],
        ['{"kernel":{"IpForwDatagrams":5}}'],
        ["#kernel"],
    ]
    assert "natsim: nstat: IpOutRequests is not a counter natsim keeps" in res.stderr
    hist = outputs(res.stdout, "router", "cat")[0].lines
    assert hist[0] == "#kernel" and "IpForwDatagrams                 5                  0.0" in hist


def test_shared_media_and_redirects_off_subnet(tmp_path):
    """h and h2 (10.0.5.0/24) share the LAN with r2 (10.0.0.2), r1 has both
    subnets on eth0. With shared_media 1 (default) r1 redirects them to r2
    although r2 is on another subnet; h takes it, h2 (shared_media 0: the
    new gateway must be on the old one's subnet) does not; once r1's
    shared_media is 0 (all and eth0) it sends none, the source and gateway
    being on different subnets. As a 6.18 kernel does (tests/kernel/compare
    of this scenario: no differences)."""
    text = """\
host h
host h2
router r1
router r2
host s
switch sw
link h:eth0 sw:p1
link h2:eth0 sw:p2
link r1:eth0 sw:p3
link r2:eth0 sw:p4
link r2:eth1 s:eth0
h: ip addr add 10.0.5.10/24 dev eth0
h: ip route add default via 10.0.5.1
h2: ip addr add 10.0.5.20/24 dev eth0
h2: ip route add default via 10.0.5.1
h2: sysctl -w net.ipv4.conf.all.shared_media=0
h2: sysctl -w net.ipv4.conf.eth0.shared_media=0
r1: ip addr add 10.0.0.1/24 dev eth0
r1: ip addr add 10.0.5.1/24 dev eth0
r1: ip route add 10.1.0.0/24 via 10.0.0.2
r1: sysctl -w net.ipv4.ip_forward=1
r2: ip addr add 10.0.0.2/24 dev eth0
r2: ip addr add 10.1.0.1/24 dev eth1
r2: sysctl -w net.ipv4.ip_forward=1
r2: ip route add 10.0.5.0/24 dev eth0
s: ip addr add 10.1.0.5/24 dev eth0
s: ip route add default via 10.1.0.1
s: listen udp 7
at 1s h: udp send 10.1.0.5:7 sport 5000 count 3 interval 300ms
at 1s h2: udp send 10.1.0.5:7 sport 6000 count 3 interval 300ms
at 2.5s r1: sysctl -w net.ipv4.conf.all.shared_media=0
at 2.5s r1: sysctl -w net.ipv4.conf.eth0.shared_media=0
at 3s h2: udp send 10.1.0.5:7 sport 6001 count 2 interval 300ms
end 5s
"""
    res = run_ok(write_scn(tmp_path, "sm", text), out=tmp_path / "o")
    h = redirects(pcap(res.outdir, "h", "eth0"), "10.0.5.10")
    assert [(p.t_ns / S, p[IP].src, p[ICMP].gw) for p in h] == [(1.0, "10.0.5.1", "10.0.0.2")]
    sent = [p[Ether].dst for p in pcap(res.outdir, "h", "eth0")
            if UDP in p and p[Ether].src == mac("h", "eth0")]
    assert sent == [mac("r1", "eth0")] + [mac("r2", "eth0")] * 2
    h2 = redirects(pcap(res.outdir, "h2", "eth0"), "10.0.5.20")
    assert [p.t_ns / S for p in h2] == [1.0, 1.3, 1.6]
