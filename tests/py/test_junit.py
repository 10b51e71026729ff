"""--junit FILE and summary.json for CI (issue 5, acceptance 2).

A scenario with one failing and two passing expectations: the JUnit file is
valid XML (Python's own parser), has one testcase per expectation, exactly
one <failure> whose message and text carry the expected and seen values and
the scenario line; summary.json tells the same story.
"""

import json
import xml.etree.ElementTree as ET

from conftest import run, write_scn

SCN = """
host a
router r
host b
link a:eth0 r:eth0
link r:eth1 b:eth0
a: ip addr add 10.0.1.2/24 dev eth0
a: ip route add default via 10.0.1.1
r: ip addr add 10.0.1.1/24 dev eth0
r: ip addr add 10.0.2.1/24 dev eth1
r: sysctl -w net.ipv4.ip_forward=1
r: modprobe nf_conntrack enable_hooks=1
b: ip addr add 10.0.2.2/24 dev eth0
b: ip route add default via 10.0.2.1
at 1s a: ping -c 2 -i 0.2 10.0.2.2
expect r conntrack count == 1
expect b:eth0 saw icmp src 10.0.1.2 count == 2
expect r conntrack match "dst=10\\.0\\.2\\.2 .*<&>\\"'"
end 3s
"""


def test_junit_one_failure_with_expected_and_seen(tmp_path):
    scn = write_scn(tmp_path, "junit-one-fail", SCN)
    junit = tmp_path / "report.xml"
    res = run(scn, "--junit", junit, out=tmp_path / "out")
    assert res.rc == 1, res.stderr
    root = ET.parse(junit).getroot()       # valid XML, or this raises
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    assert suite.get("name") == "junit-one-fail"
    assert suite.get("tests") == "3" and suite.get("failures") == "1"
    cases = suite.findall("testcase")
    assert len(cases) == 3
    assert all(c.get("classname") == "junit-one-fail" for c in cases)
    failed = [c for c in cases if c.find("failure") is not None]
    assert len(failed) == 1
    case = failed[0]
    assert case.get("name").startswith("line 17: expect r conntrack match")
    assert "<&>" in case.get("name") and "'" in case.get("name"), \
        "special characters survive the escaping"
    fail = case.find("failure")
    msg = fail.get("message")
    assert msg.startswith("expected an entry matching") and ", saw " in msg
    assert "no entry matched" in msg or "saw 1" in msg or "saw" in msg
    assert f"{scn}:17: expectation failed" in fail.text
    assert "expected" in fail.text and "saw" in fail.text
    # the passing ones carry no failure and name their lines
    names = sorted(c.get("name") for c in cases if c.find("failure") is None)
    assert names[0].startswith("line 15: expect r conntrack count == 1")
    assert names[1].startswith("line 16: expect b:eth0 saw icmp")
    # summary.json: the same results, with expected and seen
    s = json.loads((res.outdir / "summary.json").read_text())
    assert s["passed"] == 2 and s["failed"] == 1
    e = [x for x in s["expectations"] if x["result"] == "fail"]
    assert len(e) == 1 and e[0]["line"] == 17
    assert e[0]["expected"] in msg and e[0]["seen"] in msg
    # stderr names the line, expected and seen too
    assert f"{scn.name}:17: expectation failed" in res.stderr or ":17: expectation failed" in res.stderr


def test_junit_all_pass(tmp_path):
    text = SCN.replace('expect r conntrack match "dst=10\\.0\\.2\\.2 .*<&>\\"\'"\n', "")
    scn = write_scn(tmp_path, "junit-pass", text)
    junit = tmp_path / "ok.xml"
    res = run(scn, "--junit", junit, out=tmp_path / "out")
    assert res.rc == 0, res.stderr
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite.get("tests") == "2" and suite.get("failures") == "0"
    assert suite.find("testcase/failure") is None
