"""README's "Running a scenario" and "The scenario language": the command line
(options, default output directory, exit status) and the scenario language
(comments, continuations, units, link state, MTU, unresolvable next hops)."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import (TRIANGLE as TRIANGLE_BASE, ICMP, IP, TOPOLOGIES, UDP, IPerror, assert_all_checksums, explain,
                      ip_pkts, natsim_path, outputs, parse_stdout, pcap, run, run_ok, write_scn)

S = 1_000_000_000

TRIANGLE = TRIANGLE_BASE + "server: listen udp 9\n"


def _exe(*args, cwd=None):
    return subprocess.run([str(natsim_path()), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=60)


def test_cli_version_and_help():
    v = _exe("--version")
    assert v.returncode == 0 and re.search(r"natsim \d", v.stdout + v.stderr)
    h = _exe("--help")
    assert h.returncode == 0 and "run" in h.stdout and "check" in h.stdout


@pytest.mark.parametrize("args", [["run"], ["run", "SCN", "--bogus"], ["run", "SCN", "--seed", "x"],
                                  ["run", "/nonexistent/x.scn"], ["frobnicate", "SCN"]])
def test_cli_bad_usage_exit_2(args):
    scn = TOPOLOGIES / "seed-udp.scn"
    p = _exe(*[str(scn) if a == "SCN" else a for a in args])
    assert p.returncode == 2, (args, p.stdout[-500:], p.stderr)


def test_cli_default_out_dir(tmp_path):
    shutil.copy(TOPOLOGIES / "seed-udp.scn", tmp_path / "seed-udp.scn")
    p = _exe("run", "seed-udp.scn", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    out = tmp_path / "out" / "seed-udp"
    assert (out / "summary.json").exists() and (out / "router-eth0.pcap").exists()


def test_cli_no_pcap_quiet_until(tmp_path):
    scn = TOPOLOGIES / "seed-udp.scn"
    res = run(scn, "--no-pcap", out=tmp_path / "a")
    assert res.rc == 0, explain(res)
    assert not list(Path(res.outdir).glob("*.pcap"))
    assert (Path(res.outdir) / "summary.json").exists()
    q = run(scn, "--quiet", out=tmp_path / "b")
    assert q.rc == 0 and not parse_stdout(q.stdout)[0], "--quiet prints no command output"
    u = run(scn, "--until", "1s", out=tmp_path / "c")
    blocks, _ = parse_stdout(u.stdout)
    assert blocks and max(b.t for b in blocks) <= 1 * S, "nothing runs after --until"
    assert not [b for b in blocks if b.t == 3_500_000_000]


def test_cli_trace(tmp_path):
    res = run(TOPOLOGIES / "seed-snat.scn", "--trace", out=tmp_path / "t")
    assert res.rc == 0, explain(res)
    log = (Path(res.outdir) / "trace.log").read_text()
    assert log.strip(), "trace.log is empty"
    for word in ("PREROUTING", "FORWARD", "POSTROUTING", "routing"):
        assert word in log, f"the packet walk should name {word}"
    # the matched rule (number and text) and the NAT binding of the first SYN
    assert "-A FORWARD -i eth0 -o eth1 -j ACCEPT" in log
    assert "-j SNAT --to-source 1.2.3.4:1-1023" in log
    first = log.split("packet 2 ")[0]
    assert "192.168.1.10:40000" in first and "1.2.3.4:" in first
    assert log.splitlines()[0] in res.stdout, "--trace also prints the walk on stdout"


# --------------------------------------------------------------------------
# scenario language


def test_scn_comments_continuation_units(tmp_path):
    scn = write_scn(tmp_path, "lang", """\
# a comment line
host a   # a trailing comment
host b
link a:eth0 b:eth0 \\
     rate 1000kbit \\
     delay 1.5ms
a: ip addr add 10.5.0.1/24 dev eth0
b: ip addr add 10.5.0.2/24 dev eth0
b: listen udp 9
at 1000ms a: udp send 10.5.0.2:9 sport 7000 count 2 interval 0ns size 1472
end 2s
""")
    res = run_ok(scn, out=tmp_path / "out")
    rx = ip_pkts(pcap(res.outdir, "b", "eth0"), proto=17)
    assert len(rx) == 2
    gap = rx[1].t_ns - rx[0].t_ns
    assert gap in {12_000_000, 12_112_000, 12_144_000, 12_304_000}, gap
    assert rx[0].t_ns == 1 * S + gap + 1_500_000, "1000kbit and 1.5ms from the continued line"


def test_scn_link_down_stops_forwarding(tmp_path):
    scn = write_scn(tmp_path, "down", TRIANGLE + """\
at 1s client: udp send 10.0.2.2:9 sport 7000 count 4 interval 1s
at 2.5s router: ip link set eth1 down
end 6s
""")
    res = run_ok(scn, out=tmp_path / "out")
    e1 = ip_pkts(pcap(res.outdir, "router", "eth1"), proto=17)
    assert [p.t_ns // S for p in e1] == [1, 2], "nothing leaves a down interface"
    srv = ip_pkts(pcap(res.outdir, "server", "eth0"), proto=17)
    assert len(srv) == 2
    back = [p for p in ip_pkts(pcap(res.outdir, "client", "eth0"), proto=1, src="10.0.1.1")
            if p[ICMP].type == 3]
    assert len(back) == 2, "the routes of a down interface are gone: unreachable"


def test_scn_mtu_fragment_or_frag_needed(tmp_path):
    scn = write_scn(tmp_path, "mtu", TRIANGLE + """\
router: ip link set eth1 mtu 1000
at 1s client: udp send 10.0.2.2:9 sport 7000 count 1 size 1400
end 2s
""")
    res = run_ok(scn, out=tmp_path / "out")
    cl = pcap(res.outdir, "client", "eth0")
    sent = ip_pkts(cl, proto=17, src="10.0.1.2")
    assert len(sent) == 1 and sent[0][IP].len == 1428
    e1 = ip_pkts(pcap(res.outdir, "router", "eth1"))
    if sent[0][IP].flags.DF:
        errs = [p for p in ip_pkts(cl, proto=1, src="10.0.1.1") if p[ICMP].type == 3 and p[ICMP].code == 4]
        assert len(errs) == 1 and errs[0][ICMP].nexthopmtu == 1000
        assert not e1
        assert_all_checksums(errs, "frag needed")
    else:
        assert len(e1) >= 2 and all(p[IP].len <= 1000 for p in e1)
        assert sum(p[IP].len - 20 for p in e1) == 1408
        assert_all_checksums(pcap(res.outdir, "server", "eth0"), "server-eth0")


def test_scn_unresolvable_next_hop_host_unreachable(tmp_path):
    scn = write_scn(tmp_path, "noneigh", TRIANGLE + """\
at 1s client: udp send 10.0.2.99:9 sport 7000 count 1
end 6s
""")
    res = run_ok(scn, out=tmp_path / "out")
    cl = pcap(res.outdir, "client", "eth0")
    errs = [p for p in ip_pkts(cl, proto=1, src="10.0.1.1") if p[ICMP].type == 3 and p[ICMP].code == 1]
    assert len(errs) == 1, [p.summary() for p in cl]
    assert 4 * S <= errs[0].t_ns < 4.1 * S, "dropped after 3 s of failed resolution"
    assert errs[0][IPerror].dst == "10.0.2.99"
    assert not ip_pkts(pcap(res.outdir, "router", "eth1")), "no ARP frames, no packet sent"
