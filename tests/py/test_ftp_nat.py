"""test_ftp_nat.py - FTP through NAT: nf_conntrack_ftp + nf_nat_ftp
(nat/nf_nat/nat_ftp.c, nat_helper.c) and seqadj (nat/conntrack/ct_seqadj.c),
read from the pcaps of the scenarios in topologies/.

Active FTP through MASQUERADE (topologies/ftp-nat-active.scn): the client's
PORT leaves the router carrying the public address, three bytes longer, and
every later byte of the control connection is the same on both sides with
the client's sequence numbers 3 higher outside and the server's acks 3 lower
inside; all checksums hold; the data connection from port 20 reaches the
client. Without the helper (port 2121) the private address goes out and
the server refuses it as vsftpd does (not the control connection's peer):
"500 Illegal PORT command.", no data connection tried.

Passive FTP to a server behind DNAT (topologies/ftp-nat-passive.scn): the
server's 227 leaves with the public address, one byte shorter, and the
server's later sequence numbers are 1 lower outside.

Expectations through MASQUERADE (topologies/ftp-nat-expect.scn): a second
PORT on one control connection evicts the first expectation (max_expected
1) and is rewritten too, the correction moving to 6; `conntrack -D expect`;
an expectation that times out; the texts as conntrack-tools 1.4.7 prints
them (checked on Linux 6.18 in namespaces)."""
import pytest

from conftest import (IP, TCP, TOPOLOGIES, assert_all_checksums, async_lines, ct_events,
                      outputs, pcap, run_ok)


def ctrl(pkts, src, sport=None, dport=None):
    """(seq, ack, flags, payload, ip_len) of the TCP segments from src."""
    res = []
    for p in pkts:
        if IP not in p or TCP not in p or p[IP].src != src:
            continue
        if sport is not None and p[TCP].sport != sport:
            continue
        if dport is not None and p[TCP].dport != dport:
            continue
        res.append((p[TCP].seq, p[TCP].ack, str(p[TCP].flags), bytes(p[TCP].payload),
                    p[IP].len))
    return res


@pytest.fixture(scope="module")
def active():
    return run_ok(TOPOLOGIES / "ftp-nat-active.scn")


def test_active_port_carries_the_public_address(active):
    inside = ctrl(pcap(active.outdir, "c", "eth0"), "10.0.0.2", sport=32768, dport=21)
    outside = ctrl(pcap(active.outdir, "s", "eth0"), "203.0.113.1", sport=32768, dport=21)
    ports_in = [x for x in inside if x[3].startswith(b"PORT")]
    ports_out = [x for x in outside if x[3].startswith(b"PORT")]
    assert [x[3] for x in ports_in] == [b"PORT 10,0,0,2,128,1\r\n"]
    assert [x[3] for x in ports_out] == [b"PORT 203,0,113,1,128,1\r\n"]
    assert ports_out[0][4] == ports_in[0][4] + 3   # IP total length
    assert ports_out[0][0] == ports_in[0][0]       # the rewritten segment keeps its seq


def test_active_later_sequence_numbers_shift_by_three(active):
    inside = ctrl(pcap(active.outdir, "c", "eth0"), "10.0.0.2", sport=32768, dport=21)
    outside = ctrl(pcap(active.outdir, "s", "eth0"), "203.0.113.1", sport=32768, dport=21)
    assert len(inside) == len(outside) and len(inside) > 10
    port_seq = next(x[0] for x in inside if x[3].startswith(b"PORT"))
    shifted = 0
    for i, o in zip(inside, outside):
        # byte for byte the same stream, but for the PORT line
        if not i[3].startswith(b"PORT"):
            assert o[3] == i[3] and o[2] == i[2]
        delta = 3 if (i[0] - port_seq) % 2**32 < 2**31 and i[0] != port_seq else 0
        assert o[0] == (i[0] + delta) % 2**32, (i, o)
        assert o[1] == i[1]   # the server's stream is not rewritten
        shifted += delta == 3
    assert shifted >= 4


def test_active_server_acks_come_back_three_lower(active):
    inside = ctrl(pcap(active.outdir, "c", "eth0"), "203.0.113.10", sport=21, dport=32768)
    outside = ctrl(pcap(active.outdir, "s", "eth0"), "203.0.113.10", sport=21, dport=32768)
    assert len(inside) == len(outside)
    port_out = next(x for x in ctrl(pcap(active.outdir, "s", "eth0"), "203.0.113.1", sport=32768, dport=21)
                    if x[3].startswith(b"PORT"))
    after = port_out[0] + len(port_out[3])
    lowered = 0
    for i, o in zip(inside, outside):
        assert i[3] == o[3] and i[0] == o[0]
        if (o[1] - after) % 2**32 < 2**31:
            assert i[1] == (o[1] - 3) % 2**32, (i, o)
            lowered += 1
        else:
            assert i[1] == o[1]
    assert lowered >= 4


def test_active_checksums_and_data(active):
    for node in ("c", "s"):
        assert_all_checksums(pcap(active.outdir, node, "eth0"), node)
    data = [p for p in pcap(active.outdir, "c", "eth0")
            if TCP in p and p[TCP].sport == 20 and p[IP].src == "203.0.113.10"
            and p.t_ns < 3 * 10**9]
    assert sum(len(p[TCP].payload) for p in data) == 5000
    assert "ftp: with-helper.bin: 5000 bytes received" in active.stdout


def test_active_without_helper_private_port_refused(active):
    s = pcap(active.outdir, "s", "eth0")
    port = [p for p in s if TCP in p and p[TCP].dport == 2121 and
            bytes(p[TCP].payload).startswith(b"PORT")]
    assert [bytes(p[TCP].payload)[:14] for p in port] == [b"PORT 10,0,0,2,"]
    # vsftpd 3.0.3 (port_promiscuous=NO): the address is not the peer's
    replies = [bytes(p[TCP].payload) for p in s if TCP in p and p[TCP].sport == 2121 and
               bytes(p[TCP].payload)[:1] in (b"2", b"5")]
    assert b"500 Illegal PORT command.\r\n" in replies
    assert not [r for r in replies if r.startswith(b"200 PORT")]
    assert not [p for p in s if TCP in p and p[TCP].sport == 20 and p[IP].dst == "10.0.0.2"]
    c = pcap(active.outdir, "c", "eth0")
    assert not [p for p in c if TCP in p and p[TCP].sport == 20 and p[TCP].flags == "S"
                and 2 * 10**9 < p.t_ns < 5 * 10**9]
    assert "without-helper.bin: 5000 bytes" not in active.stdout


@pytest.fixture(scope="module")
def passive():
    return run_ok(TOPOLOGIES / "ftp-nat-passive.scn")


def test_passive_227_carries_the_public_address(passive):
    inside = ctrl(pcap(passive.outdir, "s", "eth0"), "192.168.1.10", sport=21)
    outside = ctrl(pcap(passive.outdir, "c", "eth0"), "203.0.113.1", sport=21)
    r_in = [x for x in inside if x[3].startswith(b"227")]
    r_out = [x for x in outside if x[3].startswith(b"227")]
    assert [x[3] for x in r_in] == [b"227 Entering Passive Mode (192,168,1,10,128,0).\r\n"]
    assert [x[3] for x in r_out] == [b"227 Entering Passive Mode (203,0,113,1,128,0).\r\n"]
    assert r_out[0][4] == r_in[0][4] - 1 and r_out[0][0] == r_in[0][0]
    # EPSV's 229 names only the port: unchanged here
    assert [x[3] for x in inside if x[3].startswith(b"229")] == \
        [x[3] for x in outside if x[3].startswith(b"229")]


def test_passive_server_seq_one_lower_outside(passive):
    inside = ctrl(pcap(passive.outdir, "s", "eth0"), "192.168.1.10", sport=21)
    outside = ctrl(pcap(passive.outdir, "c", "eth0"), "203.0.113.1", sport=21)
    assert len(inside) == len(outside)
    pasv = next(x[0] for x in inside if x[3].startswith(b"227"))
    first_session = [(i, o) for i, o in zip(inside, outside) if abs(i[0] - pasv) < 10000]
    shifted = 0
    for i, o in first_session:
        if not i[3].startswith(b"227"):
            assert i[3] == o[3]
        after = (i[0] - pasv) % 2**32 < 2**31 and i[0] != pasv
        assert o[0] == (i[0] - (1 if after else 0)) % 2**32, (i, o)
        shifted += after
    assert shifted >= 3
    # the client's acks of the shorter stream come back one higher inside
    c_out = ctrl(pcap(passive.outdir, "c", "eth0"), "203.0.113.50", dport=21)
    c_in = ctrl(pcap(passive.outdir, "s", "eth0"), "203.0.113.50", dport=21)
    assert len(c_out) == len(c_in)
    end_227 = pasv + len(next(x[3] for x in inside if x[3].startswith(b"227")))
    raised = 0
    for o, i in zip(c_out, c_in):
        if abs(i[1] - pasv) < 10000 and (i[1] - end_227) % 2**32 < 2**31:
            assert i[1] == o[1] + 1, (o, i)
            raised += 1
    assert raised >= 3


def test_passive_data_and_checksums(passive):
    for node in ("c", "s"):
        assert_all_checksums(pcap(passive.outdir, node, "eth0"), node)
    assert "ftp: pasv.bin: 3000 bytes received" in passive.stdout
    assert "ftp: epsv.bin: 3000 bytes received" in passive.stdout
    stats = outputs(passive.stdout, "r", "conntrack -S expect")[0].lines
    assert stats == ["cpu=0   \texpect_new=2 expect_create=2 expect_delete=2 "]


EXP_TAIL = ("mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535 "
            "master-src=10.0.0.2 master-dst=203.0.113.10 sport={sp} dport=21 class=0 helper=ftp")


def exp_text(dport, sport):
    return (f"proto=6 src=203.0.113.10 dst=203.0.113.1 sport=0 dport={dport} "
            + EXP_TAIL.format(sp=sport))


@pytest.fixture(scope="module")
def expect_run():
    return run_ok(TOPOLOGIES / "ftp-nat-expect.scn")


def test_expect_max_expected_delete_and_timeout(expect_run):
    out = expect_run.stdout
    shown = [a.text for a in async_lines(out, "r")]
    assert shown == [
        "    [NEW] 300 " + exp_text(51210, 40000),
        "[DESTROY] 300 " + exp_text(51210, 40000),   # max_expected 1: the oldest goes
        "    [NEW] 300 " + exp_text(51211, 40000),
        "[DESTROY] 298 " + exp_text(51211, 40000),   # conntrack -D expect
        "    [NEW] 300 " + exp_text(51220, 40001),
        "[DESTROY] 0 " + exp_text(51220, 40001),     # timed out
    ], shown
    lists = [b for b in outputs(out, "r", "conntrack -L expect")]
    assert [b.lines for b in lists] == [["299 " + exp_text(51211, 40000)],
                                        ["299 " + exp_text(51220, 40001)], []]
    assert outputs(out, "r", "conntrack -S expect")[-1].lines == [
        "cpu=0   \texpect_new=0 expect_create=3 expect_delete=3 "]
    # 300 s after 4.005 s, at the gc tick that follows
    ev = [t for t, line in ct_events(expect_run.outdir) if "DESTROY] 0 " in line]
    assert ev == [305 * 10**9], ev


def test_expect_two_rewrites_move_the_correction(expect_run):
    inside = ctrl(pcap(expect_run.outdir, "c", "eth0"), "10.0.0.2", sport=40000)
    outside = ctrl(pcap(expect_run.outdir, "s", "eth0"), "203.0.113.1", sport=40000)
    assert len(inside) == len(outside)
    ports = [(i, o) for i, o in zip(inside, outside) if i[3].startswith(b"PORT")]
    assert [(i[3][:22], o[3][:25]) for i, o in ports] == [
        (b"PORT 10,0,0,2,200,10\r\n", b"PORT 203,0,113,1,200,10\r\n"),
        (b"PORT 10,0,0,2,200,11\r\n", b"PORT 203,0,113,1,200,11\r\n")]
    assert ports[0][1][0] == ports[0][0][0]        # first rewrite keeps its seq
    assert ports[1][1][0] == ports[1][0][0] + 3    # the second moves by the first's 3
    assert ports[0][1][4] == ports[0][0][4] + 3 and ports[1][1][4] == ports[1][0][4] + 3
    # the server's acks of all of it come back 6 lower
    end_out = ports[1][1][0] + len(ports[1][1][3])
    s_acks = [x[1] for x in ctrl(pcap(expect_run.outdir, "s", "eth0"), "203.0.113.10",
                                 dport=40000)]
    c_acks = [x[1] for x in ctrl(pcap(expect_run.outdir, "c", "eth0"), "203.0.113.10",
                                 dport=40000)]
    assert end_out in s_acks and end_out - 6 in c_acks
    for node in ("c", "s"):
        assert_all_checksums(pcap(expect_run.outdir, node, "eth0"), node)


def test_report_ladder_shows_rewrite_and_offset(tmp_path):
    res = run_ok(TOPOLOGIES / "ftp-nat-active.scn", "--report",
                 out=tmp_path / "o")
    html = (res.outdir / "report.html").read_text()
    assert "r: SNAT 10.0.0.2:32768 → 203.0.113.1:32768, payload +3 bytes" in html
    # the offset on the way back (curl's PWD before PORT puts the client's
    # next segment, "seq +3", past the REPORT_FLOW_PACKETS the ladder shows)
    assert "r: de-SNAT 203.0.113.1:32768 → 10.0.0.2:32768, ack -3" in html


def test_trace_shows_parse_expectation_rewrite_and_offset(tmp_path):
    res = run_ok(TOPOLOGIES / "ftp-nat-active.scn", "--trace",
                 out=tmp_path / "o")
    t = res.stdout
    for line in [
        "  POSTROUTING helper     ftp: PORT 10,0,0,2,128,1 -> 10.0.0.2:32769",
        "  POSTROUTING helper     expectation created: 203.0.113.10:any -> 203.0.113.1:32769 tcp, 300 s,",
        '  POSTROUTING helper     nf_nat_ftp: payload "10,0,0,2,128,1" -> "203,0,113,1,128,1" (+3 bytes)',
        "  PREROUTING  helper     expectation matched: RELATED to 10.0.0.2:32768 -> 203.0.113.10:21",
        "  PREROUTING  nat        DNAT to 10.0.0.2:32769 (single port, taken unchecked)",
    ]:
        assert line in t.splitlines(), line
    assert any(l.startswith("  POSTROUTING helper     seqadj: ORIGINAL after seq ") and
               l.endswith(": offset +3 (was +0)") for l in t.splitlines())
    assert any(l.startswith("  POSTROUTING conntrack  seqadj: seq ") and l.endswith("(+3)")
               for l in t.splitlines())
    assert any(l.startswith("  POSTROUTING conntrack  seqadj: ack ") and l.endswith("(-3)")
               for l in t.splitlines())


def test_active_eprt_carries_the_public_address(active):
    def eprt(node):
        return [(p[TCP].seq, bytes(p[TCP].payload)) for p in pcap(active.outdir, node, "eth0")
                if TCP in p and bytes(p[TCP].payload).startswith(b"EPRT")]
    (seq_in, line_in), = eprt("c")
    (seq_out, line_out), = eprt("s")
    port = line_in.split(b"|")[3]
    assert line_in == b"EPRT |1|10.0.0.2|" + port + b"|\r\n"
    assert line_out == b"EPRT |1|203.0.113.1|" + port + b"|\r\n"
    assert seq_out == seq_in   # the session's first rewrite keeps its seq
    assert "ftp: eprt.bin: 5000 bytes received" in active.stdout
