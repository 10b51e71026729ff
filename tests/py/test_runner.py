"""test_runner.py - what a run reports when things go wrong (issue 12,
sections 3, 5 and the runner points of 9).

A failing command behaves as in a shell: it prints exactly what Linux prints
(texts and exit statuses taken from iproute2 6.1, iptables 1.8.9, procps 4.0.2,
conntrack-tools 1.4.7, coreutils and bash in network namespaces), the run goes
on, and summary.json and JUnit record it; `! CMD` marks a command that must
fail; --strict stops at the first unexpected failure. Errors knowable before
the run (a chain no earlier command creates, -j TCPMSS without an option) are
bad input for `natsim check`. Every run given --junit writes a valid JUnit
file, bad input included; expectations a run could not evaluate are skipped,
not passed. The run ends with one closing line; a long run on a terminal shows
one progress line (tested on a pty), and none when stderr is not a terminal.
"""
import json
import os
import pty
import re
import select
import signal
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest

from conftest import (ROOT, TRIANGLE, explain, natsim_path, outputs, run, write_scn)


def junit(path):
    """The one <testsuite> of a JUnit file (the parse raises on bad XML), its
    testcases by name, and the counts, checked against the cases."""
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites" and root.get("time") is not None
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    cases = suite.findall("testcase")
    assert suite.get("time") is not None and all(c.get("time") is not None for c in cases)
    assert int(suite.get("tests")) == len(cases)
    for kind, attr in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
        assert int(suite.get(attr)) == sum(1 for c in cases if c.find(kind) is not None), attr
    return suite, {c.get("name"): c for c in cases}


def summary(res):
    return json.loads((res.outdir / "summary.json").read_text())


# --------------------------------------------------------------------------
# section 3: JUnit and summary.json when things go wrong


BAD = TRIANGLE + """\
router: iptables -A FORWRD -j DROP
expect router conntrack count == 0
"""


@pytest.mark.parametrize("sub", ["run", "check"])
def test_bad_input_still_writes_junit_and_summary(tmp_path, sub):
    scn = write_scn(tmp_path, "bad", BAD)
    xml = tmp_path / "bad.xml"
    res = run(scn, "--junit", xml, sub=sub, out=tmp_path / "out" if sub == "run" else None)
    assert res.rc == 2, explain(res)
    msg = "iptables: No chain/target/match by that name."
    assert f"bad.scn:13: error: {msg}" in res.stderr
    suite, cases = junit(xml)
    assert suite.get("errors") == "1" and suite.get("tests") == "1"
    (name, case), = cases.items()
    assert name == "line 13: router: iptables -A FORWRD -j DROP"
    err = case.find("error")
    assert err.get("message") == msg and f"bad.scn:13: error: {msg}" in err.text
    if sub == "run":
        s = summary(res)
        assert s["exit_status"] == 2
        assert s["error"] == {"line": 13, "message": msg}
        assert s["expectations"] == [] and s["passed"] == 0


def test_bad_option_still_writes_junit(tmp_path):
    scn = write_scn(tmp_path, "opt", TRIANGLE)
    xml = tmp_path / "opt.xml"
    res = run(scn, "--until", "soon", "--junit", xml)
    assert res.rc == 2
    suite, cases = junit(xml)
    assert suite.get("errors") == "1" and 'bad --until "soon"' in \
        list(cases.values())[0].find("error").get("message")


STRICT = TRIANGLE + """\
router: modprobe nf_conntrack enable_hooks=1
at 1s client: ping -c 1 10.0.2.2
at 2s expect router conntrack count == 1
at 3s router: iptables -D FORWARD 5
at 4s router: iptables -A FORWARD -j ACCEPT
expect router conntrack count == 1
end 5s
"""


def test_strict_stops_and_leaves_the_rest_not_evaluated(tmp_path):
    scn = write_scn(tmp_path, "strict", STRICT)
    xml = tmp_path / "strict.xml"
    res = run(scn, "--strict", "--junit", xml, out=tmp_path / "out")
    assert res.rc == 1, explain(res)
    assert not outputs(res.stdout, "router", "iptables -A FORWARD"), "--strict stops the run"
    suite, cases = junit(xml)
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"),
            suite.get("skipped")) == ("3", "0", "1", "1")
    assert cases["line 15: at 2s expect router conntrack count == 1"].find("*") is None
    err = cases["line 16: router: iptables -D FORWARD 5"].find("error")
    assert err.get("message") == "iptables: Index of deletion too big."
    assert "strict.scn:16:" in err.text and "exit status 1" in err.text
    skipped = cases["line 18: expect router conntrack count == 1"].find("skipped")
    assert skipped is not None and "line 16" in skipped.get("message")
    s = summary(res)
    assert s["stopped"] == {"reason": "strict", "line": 16}
    assert [e["result"] for e in s["expectations"]] == ["pass", "not evaluated"]
    assert s["passed"] == 1 and s["not_evaluated"] == 1 and s["command_failures"] == 1
    (c,) = s["commands"]
    assert (c["line"], c["time"], c["node"], c["command"], c["exit_status"], c["result"],
            c["message"]) == (16, "3.000000", "router", "iptables -D FORWARD 5", 1, "fail",
                              "iptables: Index of deletion too big.")


# --------------------------------------------------------------------------
# section 5: a failing command behaves as in a shell

# (command, exit status, what it prints on stderr), each from Linux
RUNTIME_FAILURES = [
    ("router: iptables -D FORWARD 5", 1, "iptables: Index of deletion too big."),
    ("router: sysctl -p", 1, 'sysctl: cannot open "/etc/sysctl.conf": No such file or directory'),
    ("router: cat /etc/sysctl.conf", 1, "cat: /etc/sysctl.conf: No such file or directory"),
    ("router: conntrack -D -s 192.0.2.99", 1,
     "conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted."),
    ("router: ip addr del 10.9.9.9/24 dev eth0", 2, "Error: ipv4: Address not found."),
    ("router: ip route del 10.9.0.0/16", 2, "RTNETLINK answers: No such process"),
    ("router: ip route add 10.8.0.0/16 via 10.0.2.2", 0, ""),
    ("router: ip route add 10.8.0.0/16 via 10.0.2.2", 2, "RTNETLINK answers: File exists"),
    ("router: systemctl start iptables", 1,
     "Job for iptables.service failed because the control process exited with error code.\n"
     'See "systemctl status iptables.service" and "journalctl -xeu iptables.service" for details.'),
]


def test_failing_commands_print_linux_text_and_the_run_goes_on(tmp_path):
    lines = [c for c, _, _ in RUNTIME_FAILURES]
    scn = write_scn(tmp_path, "fails", TRIANGLE + "router: modprobe nf_conntrack enable_hooks=1\n" +
                    "".join(f"at 1s {c}\n" for c in lines) +
                    "at 2s client: ping -c 1 10.0.2.2\nexpect router conntrack count == 1\n"
                    "end 3s\n")
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 1, explain(res)
    # exactly the tools' texts, in order, and nothing natsim adds but the closing line
    want = [m for _, rc, m in RUNTIME_FAILURES if m]
    assert res.stderr == "\n".join(want) + "\n" + \
        "natsim: 1 of 1 expectation held; 8 commands failed unexpectedly " \
        "(lines 14, 15, 16, 17, 18 and 3 more)\n", res.stderr
    assert outputs(res.stdout, "client", "ping"), "the run went on"
    s = summary(res)
    assert s["passed"] == 1 and s["command_failures"] == 8
    got = [(c["line"], c["exit_status"], c["message"], c["result"]) for c in s["commands"]]
    assert got == [(14 + i, rc, m, "fail") for i, (_, rc, m) in enumerate(RUNTIME_FAILURES)
                   if rc], got


def test_bang_marks_a_command_that_must_fail(tmp_path):
    scn = write_scn(tmp_path, "bang", TRIANGLE + """\
router: ! iptables -A FORWRD -j DROP
router: ! frobnicate --now
at 1s router: ! sysctl -w net.ipv4.nope=1
at 1s router: iptables -S FORWARD
end 2s
""")
    assert run(scn, sub="check").rc == 0
    xml = tmp_path / "bang.xml"
    res = run(scn, "--junit", xml, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert res.stderr == ("iptables: No chain/target/match by that name.\n"
                          "bash: frobnicate: command not found\n"
                          "sysctl: cannot stat /proc/sys/net/ipv4/nope: No such file or directory\n"
                          "natsim: no expectations\n"), res.stderr
    assert outputs(res.stdout, "router", "! iptables -A FORWRD -j DROP")
    s = summary(res)
    assert [(c["line"], c["exit_status"], c["expected_to_fail"], c["result"])
            for c in s["commands"]] == [(13, 1, True, "pass"), (14, 127, True, "pass"),
                                        (15, 1, True, "pass")]
    suite, cases = junit(xml)
    assert suite.get("errors") == "0" and "line 13: router: ! iptables -A FORWRD -j DROP" in cases
    # a `!` command that succeeds fails the run, as `! true` exits 1 in bash
    scn = write_scn(tmp_path, "bang-ok", TRIANGLE + "router: ! iptables -A FORWARD -j ACCEPT\n")
    res = run(scn, "--junit", xml, out=tmp_path / "out2")
    assert res.rc == 1, explain(res)
    c, = summary(res)["commands"]
    assert (c["exit_status"], c["expected_to_fail"], c["result"]) == (0, True, "fail")
    assert junit(xml)[0].get("errors") == "1"
    assert res.stderr.endswith("(line 13)\n")


def test_a_natsim_refusal_is_bad_input_even_under_bang(tmp_path):
    scn = write_scn(tmp_path, "refused", TRIANGLE +
                    "router: ! iptables -A FORWARD -m quota --quota 100\n")
    res = run(scn, sub="check")
    assert res.rc == 2 and "refused.scn:13: error: natsim: -m quota is not implemented" \
        in res.stderr, explain(res)


# Known before the run, with iptables 1.8.9's own text and exit status 2.
STATIC = [
    ("router: iptables -A FORWRD -j DROP", "iptables: No chain/target/match by that name."),
    ("router: iptables -t nat -A FORWARD -j ACCEPT",
     "iptables: No chain/target/match by that name."),
    ("router: iptables -D FWD -j ACCEPT",
     "iptables: Bad rule (does a matching rule exist in that chain?)."),
    ("router: iptables -L FWD",
     "iptables v1.8.9 (nf_tables): chain `FWD' in table `filter' is incompatible, use 'nft' tool."),
    ("router: iptables -P FWD DROP", "iptables: Bad built-in chain name."),
    ("router: iptables -N INPUT", "iptables: Chain already exists."),
    ("router: iptables -A INPUT -j NOPE", "iptables v1.8.9 (nf_tables): Chain 'NOPE' does not exist\n"
     "Try `iptables -h' or 'iptables --help' for more information."),
    ("router: iptables -A FORWARD -p tcp -j TCPMSS",
     "iptables v1.8.9 (nf_tables): TCPMSS target: At least one parameter is required\n"
     "Try `iptables -h' or 'iptables --help' for more information."),
    ("at 2s router: iptables -A LATE -j DROP\nat 3s router: iptables -N LATE",
     "iptables: No chain/target/match by that name."),
]


@pytest.mark.parametrize("line,message", STATIC, ids=[s[0].split(": ", 1)[1] for s in STATIC])
def test_check_reports_what_iptables_refuses_before_the_run(tmp_path, line, message):
    scn = write_scn(tmp_path, "static", TRIANGLE + line + "\n")
    res = run(scn, sub="check")
    assert res.rc == 2, explain(res)
    assert res.stderr == f"{scn}:13: error: {message}\n", res.stderr


def test_chains_created_earlier_in_the_run_are_valid(tmp_path):
    # -N at time 0 (later in the file) before a use at 1 s; a chain renamed
    # with -E; anything after iptables-restore may exist
    scn = write_scn(tmp_path, "chains", TRIANGLE + """\
at 1s router: iptables -A FORWRD -j DROP
router: iptables -N FORWRD
router: iptables -N OLD
router: iptables -E OLD NEW
router: iptables -A NEW -j ACCEPT
router: iptables -t nat -N FORWARD
router: iptables -t nat -A FORWARD -j ACCEPT
at 2s router: iptables-restore < rules.v4
at 3s router: iptables -A FROMFILE -j ACCEPT
end 4s
""")
    (tmp_path / "rules.v4").write_text("*filter\n:FROMFILE - [0:0]\nCOMMIT\n")
    assert run(scn, sub="check").rc == 0
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert summary(res)["commands"] == [] and res.stderr == "natsim: no expectations\n"


# iptables-restore files beside the scenario are known before the run too: a
# table is flushed, so its chains are the built-ins and those the file makes
# before using them. nft reports a missing jump target at COMMIT. Texts and
# statuses from iptables-restore 1.8.9.
RESTORE = [
    ("*filter\n-A FOO -j ACCEPT\n:FOO - [0:0]\nCOMMIT\n", 1,
     "iptables-restore: line 2 failed: No chain/target/match by that name."),
    ("*filter\n-A INPUT -j LATER\n-A INPUT -j ACCEPT\n:LATER - [0:0]\n\n# c\nCOMMIT\n", 2,
     "iptables-restore v1.8.9 (nf_tables): Chain 'LATER' does not exist\n"
     "Error occurred at line: 7\n"
     "Try `iptables-restore -h' or 'iptables-restore --help' for more information."),
    ("*filter\n:FOO - [0:0]\n-A FOO -j ACCEPT\n-A INPUT -j FOO\n-N BAR\n-A BAR -j ACCEPT\n"
     "COMMIT\n", 0, ""),
]


@pytest.mark.parametrize("rules,status,message", RESTORE)
def test_check_reads_iptables_restore_files(tmp_path, rules, status, message):
    (tmp_path / "rules.v4").write_text(rules)
    scn = write_scn(tmp_path, "restore", TRIANGLE + "router: iptables-restore < rules.v4\n")
    res = run(scn, sub="check")
    assert res.rc == (2 if status else 0), explain(res)
    assert res.stderr == (f"{scn}:13: error: {message}\n" if status else ""), res.stderr
    # the same file from the node's file store is only read at run time
    lines = "".join(f"router: echo '{l}' >> /etc/rules\n" for l in rules.splitlines())
    scn = write_scn(tmp_path, "restore-run", TRIANGLE + lines + "router: iptables-restore < /etc/rules\n"
                    "router: iptables -S INPUT\n")
    res = run(scn, out=tmp_path / "out")
    assert res.rc == (1 if status else 0), explain(res)
    n = 13 + len(rules.splitlines())
    assert [(c["line"], c["exit_status"], c["message"]) for c in summary(res)["commands"]] == \
        ([(n, status, message)] if status else [])
    rules_in = outputs(res.stdout, "router", "iptables -S INPUT")[0].lines
    assert rules_in == (["-P INPUT ACCEPT"] if status else ["-P INPUT ACCEPT", "-A INPUT -j FOO"])


# --------------------------------------------------------------------------
# section 9: the runner points


def test_quiet_prints_no_command_stderr(tmp_path):
    scn = write_scn(tmp_path, "quiet", TRIANGLE + """\
router: modprobe nf_conntrack enable_hooks=1
router: conntrack -E
at 1s client: ping -c 1 10.0.2.2
at 2s router: conntrack -L
at 2s router: iptables -D FORWARD 1
expect router conntrack count == 1
end 3s
""")
    res = run(scn, "--quiet", out=tmp_path / "out")
    assert res.rc == 1 and res.stdout == ""
    assert "flow entries have been shown" not in res.stderr
    assert "flow events have been shown" not in res.stderr
    # only the unexpected failure, with its line, and the closing line
    assert res.stderr == (f"{scn}:17: router# iptables -D FORWARD 1: exit status 1\n"
                          "iptables: Index of deletion too big.\n"
                          "natsim: 1 of 1 expectation held; 1 command failed unexpectedly "
                          "(line 17)\n"), res.stderr


def test_closing_line(tmp_path):
    scn = write_scn(tmp_path, "closing", TRIANGLE + """\
router: modprobe nf_conntrack enable_hooks=1
at 1s client: ping -c 1 10.0.2.2
expect router conntrack count == 1
expect router conntrack count == 2
end 2s
""")
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 1
    assert res.stderr.splitlines()[-1] == "natsim: 1 of 2 expectations held, 1 failed"


def test_readme_usage_lists_every_option():
    usage = (ROOT / "README.md").read_text().split("## Running a scenario", 1)[1]
    usage = usage.split("```", 2)[1]
    helptext = subprocess.run([str(natsim_path()), "--help"], capture_output=True,
                              text=True).stdout
    options = set(re.findall(r"^\s+(--[a-z-]+)", helptext, re.M)) - {"--help", "--version"}
    assert {"--report", "--strict"} <= options
    missing = [o for o in sorted(options) if o not in usage]
    assert not missing, f"README's usage block misses {missing}"


# A run long enough to pass the first wall-clock second on any machine: it is
# stopped with SIGINT once seen (or after 3 s when nothing can be seen).
LONG = TRIANGLE + """\
server: listen udp 9 echo
client: flows udp 60000 10.0.2.2:9 sport 1024-65000 rate 10kpps packets 1000
end 10000s
"""


def test_progress_line_on_a_terminal_only(tmp_path):
    scn = write_scn(tmp_path, "long", LONG)
    argv = [str(natsim_path()), "run", str(scn), "--quiet", "--no-pcap", "--out"]
    # stderr on a pty: the progress line appears, then the run is interrupted
    master, slave = pty.openpty()
    p = subprocess.Popen(argv + [str(tmp_path / "o1")], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 120
    try:
        while b" wall" not in seen and time.monotonic() < deadline and p.poll() is None:
            if select.select([master], [], [], 0.2)[0]:
                seen += os.read(master, 65536)
    finally:
        p.send_signal(signal.SIGINT)
        p.wait(timeout=60)
        os.close(master)
    text = seen.decode(errors="replace")
    m = re.search(r"\r\x1b\[Knatsim: ([0-9.]+) s of 10000\.000000 s simulated, (\d+) packets, "
                  r"([0-9.]+) s wall", text)
    assert m, repr(text[-500:])
    assert "\n" not in text[:m.start()], "one line, redrawn in place"
    # stderr on a pipe: the same run shows nothing of it
    p = subprocess.Popen(argv + [str(tmp_path / "o2")], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(3)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    err = err.decode(errors="replace")
    assert p.returncode == 130
    assert "\r" not in err and " wall" not in err and "packets" not in err, err
    for f in ("summary.json", "kernel.log", "conntrack-events.log"):
        assert " wall" not in (tmp_path / "o2" / f).read_text()
