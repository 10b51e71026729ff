"""runner_util.py - helpers of the `natsim test` / `natsim merge` tests
(test_runner_*.py): run them, and read what they write.
"""
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import ROOT, natsim_path

TOPOLOGIES = ROOT / "topologies"
SCHEMA = ROOT / "tests" / "junit" / "junit.xsd"
COLLECTED = ("all.xml", "sweep.csv", "sweep.json")


def natsim(*args, cwd=None, timeout=600):
    """natsim SUBCOMMAND ARGS... -> CompletedProcess (text)."""
    exe = natsim_path()
    assert exe.is_file(), f"natsim binary not found at {exe} (run `make` or set NATSIM)"
    return subprocess.run([str(exe)] + [str(a) for a in args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, errors="replace")


def collected(out, junit):
    """{name: bytes} of the files a test/merge writes (the JUnit file as all.xml)."""
    out = Path(out)
    files = {"all.xml": Path(junit).read_bytes()}
    for n in ("sweep.csv", "sweep.json", "sweep.html"):
        if (out / n).exists():
            files[n] = (out / n).read_bytes()
    return files


def suites(junit):
    """{suite name: <testsuite> element} of a JUnit file, counts checked."""
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites"
    res = {}
    total = {"tests": 0, "failures": 0, "errors": 0}
    for s in root.findall("testsuite"):
        cases = s.findall("testcase")
        assert int(s.get("tests")) == len(cases), s.get("name")
        for kind, attr in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
            assert int(s.get(attr)) == sum(1 for c in cases if c.find(kind) is not None), attr
        for k in total:
            total[k] += int(s.get(k))
        assert s.get("name") not in res, "one suite per run"
        res[s.get("name")] = s
    for k, v in total.items():
        assert int(root.get(k)) == v, k
    return res


def xmllint_validate(path):
    """(ok, message) of `xmllint --schema tests/junit/junit.xsd path`."""
    p = subprocess.run(["xmllint", "--noout", "--schema", str(SCHEMA), str(path)],
                       capture_output=True, text=True)
    return p.returncode == 0, p.stderr


def have_xmllint():
    return shutil.which("xmllint") is not None


def sweep_rows(out):
    return json.loads((Path(out) / "sweep.json").read_text())["runs"]
