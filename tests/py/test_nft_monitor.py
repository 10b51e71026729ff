"""Issue 18: `nft monitor [new|destroy] [OBJECT]` and `nft -e` (echo)
(nat/nftables/nft_event.c, sim/shell/nft_monitor.c).

The expected lines are nft 1.0.6's on Linux 6.18, recorded in a network
namespace by tests/nft/monitor/record.sh (monitor-*.out: each monitor's
stdout and stderr while the changes of its EVENTS scenario ran; echo.out:
`sh -x echo.sh`). The process ids of the generation lines are natsim's own
(the node's next pid, from 700 at boot) and compared as a token; the
generation numbers are Linux's exactly (both recordings start in a fresh
namespace).
"""
import re
import shutil
from pathlib import Path

import pytest

from conftest import async_lines, explain, outputs, run, write_scn

DATA = Path(__file__).resolve().parent.parent / "nft" / "monitor"

# record.sh's changes, one second apart
CHANGES = [
    "nft -f events.nft",
    "nft add rule ip t d counter",
    "nft delete rule ip t c handle 5",
    "nft add element ip t s '{ 3.3.3.3 }'",
    "nft delete element ip t s '{ 1.1.1.1 }'",
    "nft flush chain ip t c",
    "nft rename chain ip t d e",
    "nft delete chain ip t e",
    "iptables -A FORWARD -s 10.0.0.1 -j DROP",
    "iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE",
    "iptables -N FOO",
    "iptables -I FOO -s 1.1.1.1 -j DROP",
    "iptables -D FORWARD 1",
    "nft delete element ip t s '{ 2.2.2.2, 3.3.3.3 }'",
    "nft delete table ip t",
    "nft create table ip t2",
    "nft flush ruleset",
]

PID = re.compile(r"(# new generation \d+ by process )\d+ ")


def norm(line):
    return PID.sub(r"\1PID ", line)


def recorded(name):
    """(stdout lines, W: lines) of a recorded monitor."""
    lines = (DATA / name).read_text().splitlines()
    return [l for l in lines if not l.startswith("W: ")], [l for l in lines if l.startswith("W: ")]


def events_scenario(tmp_path, monitor):
    shutil.copy(DATA / "events.nft", tmp_path / "events.nft")
    text = "router r\nhost h\nlink r:eth0 h:eth0\n" + f"r: {monitor}\n"
    text += "".join(f"at {i + 1}s r: {c}\n" for i, c in enumerate(CHANGES))
    text += f"end {len(CHANGES) + 1}s\n"
    return write_scn(tmp_path, "events", text)


MONITORS = [
    ("nft monitor", "monitor-all.out"),
    ("nft -a monitor", "monitor-a.out"),
    ("nft monitor rules", "monitor-rules.out"),
    ("nft monitor new tables", "monitor-new_tables.out"),
    ("nft monitor destroy", "monitor-destroy.out"),
    ("nft monitor new", "monitor-new.out"),
    ("nft monitor ruleset", "monitor-ruleset.out"),
    ("nft monitor sets", "monitor-sets.out"),
    ("nft monitor elements", "monitor-elements.out"),
]


@pytest.mark.parametrize("monitor,name", MONITORS, ids=[m[1][8:-4] for m in MONITORS])
def test_nft_monitor_events(tmp_path, monitor, name):
    """Every change of nft and iptables-nft, as each monitor prints it:
    adds in nft's batch order, deletes in the kernel's flush order, the
    handles with -a, the generation line of a plain monitor only, the
    anonymous set going with its rule, and nft 1.0.6's set cache (a rule
    deleted makes the monitor forget the set it named: the element events
    are warnings on stderr)."""
    res = run(events_scenario(tmp_path, monitor), out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    got = [norm(a.text) for a in async_lines(res.stdout, "r")]
    want, warns = recorded(name)
    assert got == [norm(l) for l in want]
    assert [l for l in res.stderr.splitlines() if l.startswith("W: ")] == warns


def test_nft_monitor_generation_pids(tmp_path):
    """The generation lines' process: the node's pids from 700, the
    program's name (iptables' too)."""
    res = run(events_scenario(tmp_path, "nft monitor"), out=tmp_path / "out")
    gens = [a.text for a in async_lines(res.stdout, "r") if a.text.startswith("# new gen")]
    assert gens[0] == "# new generation 2 by process 700 (nft)"
    assert gens[8] == "# new generation 10 by process 708 (iptables)"
    assert len(gens) == 17


def test_nft_monitor_ends_at_reboot_and_before_start(tmp_path):
    """Nothing before the monitor starts; nothing after a reboot."""
    scn = write_scn(tmp_path, "reboot", """
        router r
        r: nft add table ip before
        at 1s r: nft monitor tables
        at 2s r: nft add table ip during
        at 3s r: reboot
        at 4s r: nft add table ip after
        end 5s
    """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert [a.text for a in async_lines(res.stdout, "r")] == ["add table ip during"]


def test_nft_monitor_bad_words(tmp_path):
    """nft 1.0.6's errors for a word it does not know (recorded on Linux)."""
    scn = write_scn(tmp_path, "bad", """
        router r
        at 1s r: ! nft monitor foo
        at 1s r: ! nft monitor new new
        end 2s
    """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert ("Error: invalid event foo\nmonitor foo\n        ^^^\n" in res.stderr), explain(res)
    assert ("Error: syntax error, unexpected string, expecting end of file or newline or "
            "semicolon\nmonitor new new\n            ^^^\n" in res.stderr), explain(res)


def test_nft_monitor_refused_forms(tmp_path):
    """What natsim does not implement says so (and refuses the scenario)."""
    scn = write_scn(tmp_path, "mon", """
        router r
        at 1s r: nft monitor new tables xml
        end 2s
    """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc != 0
    assert "natsim: nft monitor xml is not implemented" in res.stderr


def echo_recorded():
    """echo.out (sh -x): [(command, output lines)]."""
    blocks = []
    for line in (DATA / "echo.out").read_text().splitlines():
        if line.startswith("+ "):
            blocks.append((line[2:], []))
        else:
            blocks[-1][1].append(line)
    return blocks


def test_nft_echo(tmp_path):
    """nft -e prints what the command added (tables, chains, rules, sets
    with their elements, elements one a line, counters, quotas, maps; insert
    and create as such; -a's handles; -f files; a replaced rule's delete and
    add), then the generation line; nothing for a delete, a flush or an add
    of what exists."""
    shutil.copy(DATA / "events2.nft", tmp_path / "events2.nft")
    cmds = [l for l in (DATA / "echo.sh").read_text().splitlines() if l.strip()]
    scn = write_scn(tmp_path, "echo", "router r\n" + "".join(f"r: {c}\n" for c in cmds) + "end 1s\n")
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    got = [b.lines for b in outputs(res.stdout, "r", "nft")]
    want = [lines for _, lines in echo_recorded()]
    assert [[norm(l) for l in b] for b in got] == [[norm(l) for l in b] for b in want]
    assert got[0][-1] == "# new generation 2 by process 700 (nft)"


def test_nft_monitor_iptables_batches(tmp_path):
    """iptables-nft's batches send more than their changes: -Z sends the
    table's base chains again (-Z CHAIN that one, a user chain's -Z
    nothing), -P of a chain not yet in nf_tables sends it with policy accept
    first; the generations follow Linux's (tests/nft/monitor/
    monitor-iptables.out)."""
    scn = write_scn(tmp_path, "ipt", """
        router r
        r: iptables -A INPUT -j ACCEPT
        r: iptables -A FORWARD -j ACCEPT
        r: iptables -N U
        r: iptables -A U -j ACCEPT
        r: iptables -t nat -A POSTROUTING -j MASQUERADE
        at 1s r: nft monitor
        at 2s r: iptables -Z
        at 3s r: iptables -Z FORWARD
        at 4s r: iptables -Z U
        at 5s r: iptables -P OUTPUT DROP
        at 6s r: iptables -P FORWARD DROP
        end 7s
    """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    got = [norm(a.text) for a in async_lines(res.stdout, "r")]
    want, warns = recorded("monitor-iptables.out")
    assert got == [norm(l) for l in want] and warns == []


def test_nft_monitor_anonymous_set_names(tmp_path):
    """A deleted rule's anonymous set is reported by the kernel's name: the
    lowest `__set%d` free in its table when it was made, so a set made after
    one was freed takes its number (tests/nft/monitor/monitor-anon.out)."""
    scn = write_scn(tmp_path, "anon", """
        router r
        r: nft add table ip t
        r: nft add chain ip t c
        r: nft add rule ip t c tcp dport '{ 22, 80 }' drop
        r: nft add rule ip t c udp dport '{ 53, 54 }' drop
        r: nft add rule ip t c udp dport '{ 55, 56 }' drop
        at 1s r: nft -a monitor
        at 2s r: nft delete rule ip t c handle 5
        at 3s r: nft add rule ip t c udp dport '{ 57, 58 }' drop
        at 4s r: nft delete table ip t
        end 5s
    """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    got = [norm(a.text) for a in async_lines(res.stdout, "r")]
    want, _ = recorded("monitor-anon.out")
    assert got == [norm(l) for l in want]
