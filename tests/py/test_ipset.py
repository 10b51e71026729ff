"""ipset (the command), -m set and -j SET.

The texts: tests/py/data/ipset-7.17.txt and xt-set-1.8.9.txt are
transcripts of the real ipset 7.17 and iptables 1.8.9 on Linux 6.18, each
command with its exit status and what it printed (stdout and stderr in
order). natsim runs every command of a transcript on one router and must
print the same and exit the same; test_transcript_is_the_real_tools replays
them on the machine's own ipset and iptables (root, in a namespace of its
own) so the files stay true. Linux's random hash initval is written 0x*,
and a hash set's members are compared as a set (Linux lists them in bucket
order, by that random value; natsim in the order added).

The semantics: topologies/ipset-match.scn's counters and the server's
capture (the kernel comparison of the same scenario is clean:
tests/py/test_kernel_compare.py), and timeouts on the simulated clock.
"""
import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import TOPOLOGIES, explain, ip_pkts, natsim_path, parse_stdout, pcap, run, write_scn

DATA = Path(__file__).resolve().parent / "data"
TRANSCRIPTS = ["ipset-7.17.txt", "xt-set-1.8.9.txt"]
_INITVAL = re.compile(r"initval 0x[0-9a-f]{8}")
_GIVEN = ("initval 0x12345678", "initval 0x00000005")  # given on the command line


def read_transcript(name):
    """[(command, status, [lines])] of a transcript file."""
    cases = []
    for line in (DATA / name).read_text().splitlines():
        if line.startswith("# ") and not cases:
            continue
        if line.startswith("$ "):
            cmd, _, rc = line[2:].partition("  => ")
            cases.append((cmd, int(rc or 0), []))
        else:
            cases[-1][2].append(line)
    return cases


def normalize(lines, sizes=True, order=False):
    """initval as 0x* (but one given on the command line); each run of
    members (after `Members:`, or `add` lines) sorted unless the order
    counts (-sorted); without sizes, `Size in memory` left out."""
    out, run_ = [], []
    in_members = False
    for line in lines:
        line = _INITVAL.sub(lambda m: m[0] if m[0] in _GIVEN else "initval 0x*", line)
        if not sizes and line.startswith("Size in memory:"):
            continue
        member = (in_members and line and not line.startswith("Name:")) or line.startswith("add ")
        if member and not order:
            run_.append(line)
            continue
        out += sorted(run_)
        run_ = []
        in_members = line == "Members:"
        out.append(line)
    return out + sorted(run_)


def sorted_listing(cmd):
    return any(w in ("-s", "-sorted") for w in cmd.split())


def run_transcript_in_natsim(tmp_path, cases):
    """{index: (status, [lines])} of each command run on a natsim router."""
    lines = ["router r"]
    for cmd, rc, _ in cases:
        lines.append(f"r: {'! ' if rc else ''}{cmd}")
    scn = write_scn(tmp_path, "transcript", "\n".join(lines) + "\n")
    out = tmp_path / "out"
    p = subprocess.run([str(natsim_path()), "run", str(scn), "--out", str(out)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    blocks, _ = parse_stdout(p.stdout)
    assert len(blocks) == len(cases), p.stdout[-3000:]
    status = {}
    for c in json.loads((out / "summary.json").read_text()).get("commands", []):
        status[int(c["line"])] = c.get("exit_status", 0)
    res = {}
    for i, b in enumerate(blocks):
        text = [ln for ln in b.lines if not ln.startswith("natsim: ")]
        res[i] = (status.get(i + 2, 0), text)
    return res


@pytest.mark.parametrize("name", TRANSCRIPTS)
def test_texts_and_statuses_as_the_real_tools(name, tmp_path):
    cases = read_transcript(name)
    got = run_transcript_in_natsim(tmp_path, cases)
    bad = []
    for i, (cmd, rc, want) in enumerate(cases):
        grc, glines = got[i]
        o = sorted_listing(cmd)
        if grc != rc or normalize(glines, order=o) != normalize(want, order=o):
            bad.append(f"$ {cmd}\n  Linux ({rc}):\n    " + "\n    ".join(want) +
                       f"\n  natsim ({grc}):\n    " + "\n    ".join(glines))
    assert not bad, "\n".join(bad)


def _real_tools_missing():
    if os.geteuid() != 0:
        return "needs root (a network namespace)"
    for tool in ("ipset", "iptables", "ip"):
        if not shutil.which(tool):
            return f"{tool} is not installed"
    return None


@pytest.mark.skipif(_real_tools_missing() is not None, reason=str(_real_tools_missing()))
@pytest.mark.parametrize("name", TRANSCRIPTS)
def test_transcript_is_the_real_tools(name):
    """The transcript replayed on this machine's ipset and iptables. The
    size in memory is left out: Linux's depends on which elements share a
    bucket under the random initval."""
    ns = f"h-natsim-ipset-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    bad = []
    try:
        for cmd, rc, want in read_transcript(name):
            p = subprocess.run(["ip", "netns", "exec", ns] + shlex.split(cmd),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            got = p.stdout.splitlines()
            o = sorted_listing(cmd)
            if (p.returncode != rc or
                    normalize(got, sizes=False, order=o) != normalize(want, sizes=False, order=o)):
                bad.append(f"$ {cmd}: {p.returncode} {got} != {rc} {want}")
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=False)
    assert not bad, "\n".join(bad)


def test_match_and_target_scenario(tmp_path):
    """-m set over bitmap:port, hash:net with a nomatch exception and
    hash:ip,port; -j SET filling a hash:ip whose counters the next rule
    reads: the counters of ipset-match.scn, and what reached the server."""
    res = run(TOPOLOGIES / "ipset-match.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert "9 of 9 expectations held" in res.stderr, res.stderr
    got = pcap(res.outdir, "server", "eth0")
    seen = sorted((p[1].src, p[2].dport) for p in ip_pkts(got, proto=17))
    assert seen == [("10.0.1.2", 53), ("10.0.3.2", 53), ("10.0.3.2", 1501)], seen
    blocks, _ = parse_stdout(res.stdout)
    first = [b for b in blocks if b.command == "ipset list seen"][0].lines
    # both sources, two packets each: -j SET's add counts the packet, the match again
    assert first[-2:] == ["10.0.1.2 timeout 3 packets 2 bytes 184",
                          "10.0.3.2 timeout 4 packets 2 bytes 184"], first
    later = [b for b in blocks if b.command == "ipset save seen"][0].lines
    assert [ln for ln in later if ln.startswith("add ")] == [], later


def test_iface_list_nomatch_and_del_scenario(tmp_path):
    """hash:net,iface by the input interface, list:set, --return-nomatch,
    ! --update-counters, -j SET --del-set: ipset-sets.scn's counters, and
    the element counters Linux keeps (a nomatch element counts too)."""
    res = run(TOPOLOGIES / "ipset-sets.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert "7 of 7 expectations held" in res.stderr, res.stderr
    blocks, _ = parse_stdout(res.stdout)
    by = {b.command: b.lines for b in blocks}
    assert by["ipset save nm"][1:] == ["add nm 10.0.0.0/8 packets 4 bytes 368",
                                       "add nm 10.0.3.0/24 nomatch packets 4 bytes 368"], by
    assert by["ipset save b"][1:] == ["add b 10.0.3.2 packets 2 bytes 184"], by
    assert by["ipset list a"][-2:] == ["Number of entries: 0", "Members:"], by


TIMEOUTS = """\
router r
r: ipset create t hash:ip timeout 5
r: ipset add t 10.0.0.1
r: ipset add t 10.0.0.2 timeout 0
r: ipset add t 10.0.0.3 timeout 20
at 3.5s r: ipset list t
at 3.5s r: ipset test t 10.0.0.1
at 6s r: ! ipset test t 10.0.0.1
at 6s r: ipset test t 10.0.0.2
at 6s r: ipset -exist add t 10.0.0.3 timeout 2
at 9s r: ! ipset test t 10.0.0.3
at 9s r: ipset list t
end 10s
"""


def test_timeouts_expire_on_the_simulated_clock(tmp_path):
    """An element goes when its timeout has passed (the set's default, its
    own, 0 for never); -exist re-adding sets a new one; list shows the
    whole seconds left."""
    scn = write_scn(tmp_path, "timeouts", TIMEOUTS)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    blocks, _ = parse_stdout(res.stdout)
    lists = [b.lines for b in blocks if b.command == "ipset list t"]
    assert lists[0][-3:] == ["10.0.0.1 timeout 1", "10.0.0.2 timeout 0", "10.0.0.3 timeout 16"], lists
    assert lists[1][-2:] == ["Members:", "10.0.0.2 timeout 0"], lists
    assert "Number of entries: 1" in lists[1]


RESTORE = """\
router r
r: ipset restore < sets.ipset
r: ipset list -t -o save
r: ! ipset restore < bad.ipset
r: ipset list -n
r: ipset save > /etc/ipset.conf
r: ipset destroy
r: ipset restore -file /etc/ipset.conf
r: ipset save
r: ! ipset restore < bogus.ipset
r: ipset -exist restore < sets.ipset
end 1s
"""


def test_restore_from_a_file_and_what_save_wrote(tmp_path):
    """restore reads comments, blank lines and COMMIT; the first refused
    line stops it with its line number (what came before stays), as ipset
    7.17 prints it; what save wrote restores to the same sets."""
    (tmp_path / "sets.ipset").write_text(
        "# made by hand\ncreate a hash:ip family inet hashsize 1024 maxelem 65536 bucketsize 12 "
        "initval 0x00000005\n\nadd a 10.0.0.1\ncreate p bitmap:port range 10-20\nadd p 12\nCOMMIT\n")
    (tmp_path / "bad.ipset").write_text("create r1 hash:ip\nadd r1 1.1.1.1\nadd r1 1.1.1.1\n")
    (tmp_path / "bogus.ipset").write_text("bogus r2\n")
    scn = write_scn(tmp_path, "restore", RESTORE)
    p = subprocess.run([str(natsim_path()), "run", str(scn), "--out", str(tmp_path / "out")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    blocks, _ = parse_stdout(p.stdout)
    by = {b.command: b.lines for b in blocks}
    assert by["ipset list -t -o save"] == [
        "create a hash:ip family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x00000005",
        "add a 10.0.0.1", "create p bitmap:port range 10-20", "add p 12"], p.stdout
    assert by["! ipset restore < bad.ipset"] == [
        "ipset v7.17: Error in line 3: Element cannot be added to the set: it's already added"]
    assert by["ipset list -n"] == ["a", "p", "r1"]
    assert by["ipset save"][:2] == by["ipset list -t -o save"][:2]
    assert [ln for ln in by["ipset save"] if ln.startswith("add r1")] == ["add r1 1.1.1.1"]
    assert by["! ipset restore < bogus.ipset"] == [
        "ipset v7.17: No command specified: unknown argument bogus",
        "Try `ipset help' for more information."]
    assert [ln for ln in by["ipset -exist restore < sets.ipset"] if not ln.startswith("natsim: ")] == []
    status = {c["line"]: c.get("exit_status") for c in
              json.loads((tmp_path / "out" / "summary.json").read_text()).get("commands", [])}
    assert status.get(4) == 1 and status.get(10) == 2, status


@pytest.mark.parametrize("line,says", [
    ("ipset create x hash:ip netmask 24", "natsim: ipset create option netmask is not implemented"),
    ("ipset create x hash:ip family inet6\nr: ipset add x ::1",
     "natsim: ipset elements of a family inet6 set are not implemented"),
    ("ipset -o xml list", "natsim: ipset -output xml is not implemented"),
])
def test_what_natsim_lacks_says_so(tmp_path, line, says):
    scn = write_scn(tmp_path, "lacks", f"router r\nr: {line}\n")
    res = run(scn, out=tmp_path / "out")
    assert res.rc != 0
    assert says in res.stderr, res.stderr
