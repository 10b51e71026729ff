"""test_runner_test.py - `natsim test PATH...` (issue 17, acceptance 1).

`natsim test topologies/ --junit all.xml -j 2` runs every scenario, each as
its own `natsim run` in OUT/runs/NAME; the one JUnit file has a testsuite
per run and a testcase per expectation (and per recorded command), valid
against the Jenkins JUnit schema (tests/junit/junit.xsd, with xmllint); a
scenario with a parse error is a suite with an <error>; -j 1 writes the same
bytes; the exit status is 0 all held, 1 one failed, 2 one could not run.
"""
import json
import re
import shutil

import pytest

from conftest import TRIANGLE, write_scn
from runner_util import (TOPOLOGIES, collected, have_xmllint, natsim, suites,
                         xmllint_validate)

BAD = TRIANGLE + "router: iptables -A FORWARD -j NOSUCHTARGET\nend 1s\n"
FAILS = TRIANGLE + "expect router conntrack count == 1\nend 1s\n"
HOLDS = TRIANGLE + "expect router conntrack count == 0\nend 1s\n"


@pytest.fixture(scope="module")
def suite_dir(tmp_path_factory):
    """Every topology, plus one scenario that does not parse, in a subfolder."""
    d = tmp_path_factory.mktemp("scenarios")
    shutil.copytree(TOPOLOGIES, d / "topologies")
    (d / "topologies" / "broken").mkdir()
    write_scn(d / "topologies" / "broken", "bad-target", BAD)
    return d


@pytest.fixture(scope="module")
def two_jobs(suite_dir):
    p = natsim("test", "topologies", "--junit", "all.xml", "-j", "2", "--out", "o2",
               cwd=suite_dir)
    return p


def test_every_scenario_runs_with_a_suite(suite_dir, two_jobs):
    p = two_jobs
    assert p.returncode == 2, p.stderr          # the broken scenario could not run
    names = sorted(f.relative_to(suite_dir / "topologies").with_suffix("").as_posix()
                   for f in (suite_dir / "topologies").rglob("*.scn"))
    got = suites(suite_dir / "all.xml")
    assert sorted(got) == names
    for n in names:
        assert (suite_dir / "o2" / "runs" / n / "summary.json").is_file(), n
        assert re.search(rf"^{re.escape(n)} +(ok|FAILED|ERROR) ", p.stdout, re.M), n
    assert "broken/bad-target" in got and "table-full" in got


def test_junit_counts_every_expectation(suite_dir, two_jobs):
    got = suites(suite_dir / "all.xml")
    for name, s in got.items():
        summary = json.loads((suite_dir / "o2" / "runs" / name / "summary.json").read_text())
        # an expectation's testcase is `line N: expect ...`; a command may
        # hold the word too (`conntrack -D expect` in ftp-nat-expect.scn)
        expects = [c for c in s.findall("testcase")
                   if re.match(r"(line \d+: )?(at \S+ )?expect ", c.get("name"))]
        assert len(expects) == len(summary["expectations"]), name
        assert all(c.get("classname") == name for c in s.findall("testcase"))
        if name != "broken/bad-target":
            assert len(expects) == summary["passed"] + summary["failed"] + \
                summary["not_evaluated"], name


def test_parse_error_is_an_error(suite_dir, two_jobs):
    s = suites(suite_dir / "all.xml")["broken/bad-target"]
    cases = s.findall("testcase")
    assert len(cases) == 1 and s.get("errors") == "1"
    err = cases[0].find("error")
    assert err is not None and err.get("type") == "bad input"
    assert "NOSUCHTARGET" in cases[0].get("name") or "NOSUCHTARGET" in err.text
    assert re.search(r"^broken/bad-target +ERROR ", two_jobs.stdout, re.M)


@pytest.mark.skipif(not have_xmllint(),
                    reason="xmllint is not installed: apt-get install libxml2-utils")
def test_junit_validates_against_the_jenkins_schema(suite_dir, two_jobs, tmp_path):
    ok, msg = xmllint_validate(suite_dir / "all.xml")
    assert ok, msg
    # and the validation can fail: an attribute the schema does not allow
    bad = tmp_path / "bad.xml"
    bad.write_text((suite_dir / "all.xml").read_text().replace(
        "<testsuites ", "<testsuites skipped=\"0\" ", 1))
    assert not xmllint_validate(bad)[0]


def test_one_job_writes_the_same_files(suite_dir, two_jobs):
    p = natsim("test", "topologies", "--junit", "one.xml", "-j", "1", "--out", "o1",
               cwd=suite_dir)
    assert p.returncode == 2, p.stderr
    a = collected(suite_dir / "o2", suite_dir / "all.xml")
    b = collected(suite_dir / "o1", suite_dir / "one.xml")
    assert set(a) == {"all.xml", "sweep.csv", "sweep.json"}
    for name in a:
        assert a[name] == b[name], name
    # the stdout table has wall times; the files do not
    assert re.search(r" [0-9]+\.[0-9]{2}s$", two_jobs.stdout, re.M)


@pytest.mark.parametrize("scns,rc", [
    ({"a": HOLDS, "b": HOLDS}, 0),
    ({"a": HOLDS, "b": FAILS}, 1),
    ({"a": FAILS, "b": BAD}, 2),
])
def test_exit_status(tmp_path, scns, rc):
    for name, text in scns.items():
        write_scn(tmp_path, name, text)
    p = natsim("test", ".", "--out", "o", "--junit", "j.xml", "-j", "2", cwd=tmp_path)
    assert p.returncode == rc, p.stdout + p.stderr
    assert sorted(suites(tmp_path / "j.xml")) == sorted(scns)


def test_bad_options(tmp_path):
    write_scn(tmp_path, "a", HOLDS)
    for args in (["--shard", "4/3"], ["--shard", "0/3"], ["--seeds", "3-1"], ["-j", "0"],
                 ["--sweep", "x"], ["--sweep", "x=1,1"], ["--sweep", "seed=1,2"],
                 ["--sweep", "x=a/b"], ["--sweep", "x=1", "-D", "x=2"], []):
        p = natsim("test", *(["a.scn"] if args else []), *args, "--out", "o", cwd=tmp_path)
        assert p.returncode == 2 and p.stderr.startswith("natsim test: "), (args, p.stderr)
    p = natsim("test", "nothing-here", cwd=tmp_path)
    assert p.returncode == 2 and "no such file" in p.stderr
