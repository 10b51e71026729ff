"""test_tcp_timers.py - the hosts' TCP retransmission timers follow Linux 6.x
(net/ipv4/tcp_timer.c) and the net.ipv4.tcp_* knobs a scenario sets with
`sysctl -w` on a host; port-exhaustion-tcp.scn, where the conntrack -S
counters of a full SNAT range count every SYN retry.

Every schedule below was measured with tcpdump on Linux 6.18 in network
namespaces: a client connecting to a port whose packets a firewall drops
(SYN times from the first SYN, and when connect() failed with ETIMEDOUT),
and a server whose handshake ACKs are dropped (SYN-ACK times).
"""
import pytest

from conftest import IP, TCP, TOPOLOGIES, TRIANGLE, check, ct_stats, explain, pcap, run, write_scn

S = 1_000_000_000

BLACKHOLE = TRIANGLE + "router: iptables -A FORWARD -p tcp --dport 9998 -j DROP\n"


def syn_times(outdir, node="client", sport=41000, src=None):
    """Seconds (from the first) of the SYNs from sport (and src) on node's eth0."""
    pk = [p for p in pcap(outdir, node, "eth0")
          if TCP in p and p[TCP].sport == sport and p[TCP].flags == "S"
          and (src is None or p[IP].src == src)]
    return [round((p.t_ns - pk[0].t_ns) / S, 6) for p in pk]


def failed_at(stdout):
    """When the client's connect failed (its output line), in seconds."""
    for line in stdout.splitlines():
        if "failed: Connection timed out" in line:
            return float(line[1:line.index("]")])
    return None


# (knobs set on the client, SYN times, connect failed at) -- Linux 6.18
SCHEDULES = [
    ({}, [0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67], 131),
    ({"tcp_syn_retries": 2}, [0, 1, 2, 3, 4, 5], 7),
    ({"tcp_syn_retries": 1}, [0, 1, 2], 3),
    # the exponential schedule of kernels before 6.5 (Debian 12's 6.1)
    ({"tcp_syn_retries": 3, "tcp_syn_linear_timeouts": 0}, [0, 1, 3, 7], 15),
    ({"tcp_rto_max_ms": 4000}, [0, 1, 2, 3, 4, 5, 7, 11, 15, 19], 23),
]


@pytest.mark.parametrize("knobs,times,fail", SCHEDULES,
                         ids=["defaults", "syn_retries2", "syn_retries1", "linear0", "rto_max4s"])
def test_syn_retransmission_schedule(tmp_path, knobs, times, fail):
    sets = "".join(f"client: sysctl -w net.ipv4.{k}={v}\n" for k, v in knobs.items())
    scn = write_scn(tmp_path, "syn", BLACKHOLE + sets +
                    "at 1s client: tcp connect 10.0.2.2:9998 sport 41000\nend 140s\n")
    r = run(scn, out=tmp_path / "out")
    assert r.rc == 0, explain(r)
    assert syn_times(r.outdir) == times
    assert failed_at(r.stdout) == 1 + fail, r.stdout[-500:]


def test_flows_follow_the_syn_schedule(tmp_path):
    # the load generator's minimal clients retransmit like a connect()
    scn = write_scn(tmp_path, "flows", BLACKHOLE + """\
at 1s client: flows tcp 1 10.0.2.2:9998 sport 41000-41000
at 2s client: sysctl -w net.ipv4.tcp_syn_retries=1
at 60s client: flows tcp 1 10.0.2.2:9998 sport 41001-41001
end 140s
""")
    r = run(scn, out=tmp_path / "out")
    assert r.rc == 0, explain(r)
    # tcp_syn_retries 6 when the first flow started, 1 from its third SYN on:
    # the flow stops after its third SYN, as the knob is read at each timer
    assert syn_times(r.outdir, sport=41000) == [0, 1, 2]
    assert syn_times(r.outdir, sport=41001) == [0, 1, 2]


def test_synack_retransmission_schedule(tmp_path):
    # the client's ACKs never reach the server: its SYN-ACK goes again after
    # 1, 2, 4 s, tcp_synack_retries times, then the request is dropped
    for retries, times in ((2, [0, 1, 3]), (5, [0, 1, 3, 7, 15, 31])):
        scn = write_scn(tmp_path, f"synack{retries}", TRIANGLE + f"""\
router: iptables -A FORWARD -p tcp --dport 80 --tcp-flags SYN,ACK ACK -j DROP
server: sysctl -w net.ipv4.tcp_synack_retries={retries}
server: listen tcp 80
at 1s client: tcp connect 10.0.2.2:80 sport 41010 hold
end 100s
""")
        r = run(scn, out=tmp_path / f"out{retries}")
        assert r.rc == 0, explain(r)
        sa = [p for p in pcap(r.outdir, "server", "eth0")
              if TCP in p and p[IP].src == "10.0.2.2" and p[TCP].flags == "SA"]
        assert [round((p.t_ns - sa[0].t_ns) / S, 6) for p in sa] == times


def test_retransmitted_syn_restarts_the_synack_timer(tmp_path):
    # the SYN-ACKs never reach the client: each of its SYN retries is
    # answered at once (tcp_check_req), which also restarts the SYN-ACK
    # timer; the timer still fires where no retry came first (Linux 6.18:
    # SYN-ACKs at 0, 1.011, 1.011, 2.035, 3.059, 4.083, 5.107, 7.123, 7.123)
    scn = write_scn(tmp_path, "synretry", TRIANGLE + """\
router: iptables -A FORWARD -p tcp --sport 80 --tcp-flags SYN,ACK SYN,ACK -j DROP
server: listen tcp 80
at 1s client: tcp connect 10.0.2.2:80 sport 41040 hold
end 9.5s
""")
    r = run(scn, out=tmp_path / "out")
    assert r.rc == 0, explain(r)
    sa = [p for p in pcap(r.outdir, "server", "eth0")
          if TCP in p and p[IP].src == "10.0.2.2" and p[TCP].flags == "SA"]
    assert [round((p.t_ns - sa[0].t_ns) / S, 6) for p in sa] == [0, 1, 1, 2, 3, 4, 5, 7, 7]


@pytest.mark.parametrize("rto_min_us,first", [(200000, 0.2), (2000000, 2.0)])
def test_rto_min_sets_the_first_data_retransmission(tmp_path, rto_min_us, first):
    # the data segment (PSH) never arrives; with an RTT of nearly 0 the
    # first retransmission waits tcp_rto_min (Linux 6.18: 0.205 s and
    # 2.032 s). Linux's later ones come earlier than natsim's doubling RTO:
    # natsim has no tail loss probe.
    scn = write_scn(tmp_path, "rto", TRIANGLE + f"""\
client: sysctl -w net.ipv4.tcp_rto_min_us={rto_min_us}
router: iptables -A FORWARD -p tcp --dport 80 --tcp-flags PSH PSH -j DROP
server: listen tcp 80
at 1s client: tcp connect 10.0.2.2:80 sport 41030 send 1000 hold
end 4s
""")
    r = run(scn, out=tmp_path / "out")
    assert r.rc == 0, explain(r)
    data = [p for p in pcap(r.outdir, "client", "eth0")
            if TCP in p and p[TCP].sport == 41030 and p[TCP].flags.P]
    assert len(data) >= 2
    assert abs((data[1].t_ns - data[0].t_ns) / S - first) < 0.001, \
        [(p.t_ns - data[0].t_ns) / S for p in data]


def test_retries2_gives_up_after_its_time(tmp_path):
    # data never arrives; tcp_retries2=3 allows tcp_model_timeout(3, 200 ms)
    # = 3 s from the first retransmission: retransmissions at +0.2, 0.6,
    # 1.4, 3.0 s, ETIMEDOUT at the next timer, 6.2 s. (Linux 6.18 answers
    # ETIMEDOUT after 6.65 s: its tail loss probe at 0.207 s comes first and
    # moves the RTOs to 0.415, 0.832, 1.663, 3.327 s.)
    scn = write_scn(tmp_path, "r2", TRIANGLE + """\
client: sysctl -w net.ipv4.tcp_retries2=3
router: iptables -A FORWARD -p tcp --dport 80 --tcp-flags PSH PSH -j DROP
server: listen tcp 80
at 1s client: tcp connect 10.0.2.2:80 sport 41061 send 1000 hold
end 12s
""")
    r = run(scn, out=tmp_path / "out")
    assert r.rc == 0, explain(r)
    data = [p for p in pcap(r.outdir, "client", "eth0")
            if TCP in p and p[TCP].sport == 41061 and p[TCP].flags.P]
    assert [round((p.t_ns - data[0].t_ns) / S, 6) for p in data] == [0, 0.2, 0.6, 1.4, 3.0]
    assert "[7.200000] client: tcp: connection to 10.0.2.2 port 80: Connection timed out" \
        in r.stdout, r.stdout[-400:]


@pytest.mark.parametrize("line,needle", [
    ("client: sysctl -w net.ipv4.tcp_syn_retries=0", "Invalid argument"),
    ("client: sysctl -w net.ipv4.tcp_syn_retries=128", "Invalid argument"),
    ("client: sysctl -w net.ipv4.tcp_synack_retries=256", "Invalid argument"),
    ("client: sysctl -w net.ipv4.tcp_syn_linear_timeouts=128", "Invalid argument"),
    ("client: sysctl -w net.ipv4.tcp_rto_min_us=0", "Invalid argument"),
    ("client: sysctl -w net.ipv4.tcp_rto_max_ms=999", "Invalid argument"),
    ("client: sysctl -w net.ipv4.tcp_rto_max_ms=120001", "Invalid argument"),
    ("client: sysctl -w net.ipv4.tcp_retries2=256", "Invalid argument"),
    ("client: sysctl -w net.ipv4.tcp_syn_retries=3x", "Invalid argument"),
])
def test_tcp_knob_ranges(tmp_path, line, needle):
    # the ranges Linux 6.18's proc handlers accept (checked with sysctl -w)
    scn = write_scn(tmp_path, "bad", TRIANGLE + line + "\nend 1s\n")
    res = check(scn)
    assert res.rc == 2, res.stderr
    assert needle in res.stderr and f'setting key "{line.split()[3].split("=")[0]}"' in res.stderr


def test_tcp_knobs_read_back_and_reboot(tmp_path):
    scn = write_scn(tmp_path, "knobs", TRIANGLE + """\
client: sysctl net.ipv4.tcp_syn_retries net.ipv4.tcp_synack_retries net.ipv4.tcp_syn_linear_timeouts
client: sysctl net.ipv4.tcp_retries2 net.ipv4.tcp_rto_min_us net.ipv4.tcp_rto_max_ms
client: sysctl -w net.ipv4.tcp_syn_retries=127 net.ipv4.tcp_syn_linear_timeouts=0
client: echo 1 > /proc/sys/net/ipv4/tcp_rto_min_us
client: sysctl net.ipv4.tcp_rto_min_us
client: reboot
client: sysctl net.ipv4.tcp_syn_retries net.ipv4.tcp_syn_linear_timeouts
end 1s
""")
    r = run(scn, out=tmp_path / "out")
    assert r.rc == 0, explain(r)
    out = [l for l in r.stdout.splitlines() if l.startswith("net.ipv4.tcp")]
    assert out == [
        "net.ipv4.tcp_syn_retries = 6", "net.ipv4.tcp_synack_retries = 5",
        "net.ipv4.tcp_syn_linear_timeouts = 4", "net.ipv4.tcp_retries2 = 15",
        "net.ipv4.tcp_rto_min_us = 200000", "net.ipv4.tcp_rto_max_ms = 120000",
        "net.ipv4.tcp_syn_retries = 127", "net.ipv4.tcp_syn_linear_timeouts = 0",
        "net.ipv4.tcp_rto_min_us = 1",
        "net.ipv4.tcp_syn_retries = 6", "net.ipv4.tcp_syn_linear_timeouts = 4",
    ], out


# --------------------------------------------------------------------------
# port-exhaustion-tcp.scn (the same counters on Linux 6.18: tests/kernel/compare)


def test_port_exhaustion_tcp_counts_every_syn_retry(tmp_path):
    r = run(TOPOLOGIES / "port-exhaustion-tcp.scn", out=tmp_path / "out")
    assert r.rc == 0, explain(r)
    (t1, st1), (t2, st2) = ct_stats(r.stdout)
    assert (st1["insert_failed"], st1["drop"]) == (5, 5), st1
    assert (st2["insert_failed"], st2["drop"]) == (9, 9), st2
    assert syn_times(r.outdir, "c3", 40000, "192.168.1.12") == [0, 1, 2, 3, 4, 5]
    assert syn_times(r.outdir, "c4", 40000, "192.168.1.13") == [0, 1, 3]
    assert syn_times(r.outdir, "c2", 40000, "192.168.1.11") == [0]
    # no SYN of c3 or c4 left the router
    srv = [p for p in pcap(r.outdir, "server", "eth0") if TCP in p and p[TCP].flags == "S"]
    assert len(srv) == 2 and {p[TCP].sport for p in srv} == {2000, 2001}
