"""test_runner_compare.py - tests/kernel/compare of several scenarios or a
directory (issue 17): each compared by its own compare (--out DIR/NAME), then
one summary line per scenario and the worst exit status as compare's.
The kernel part needs what test_kernel_compare.py needs (and skips alike).
"""
import os
import subprocess
import sys

import pytest

from conftest import ROOT, natsim_path

KERNEL = ROOT / "tests" / "kernel"
COMPARE = KERNEL / "compare"
sys.path.insert(0, str(KERNEL))
import tools  # noqa: E402


def compare(*args, timeout=600):
    env = dict(os.environ, NATSIM=str(natsim_path()))
    return subprocess.run([sys.executable, str(COMPARE)] + [str(a) for a in args],
                          capture_output=True, text=True, timeout=timeout, env=env)


def test_directory_of_bad_scenarios_has_one_summary(tmp_path):
    d = tmp_path / "scns"
    (d / "sub").mkdir(parents=True)
    (d / "a.scn").write_text("host a\nbogus line\n")
    (d / "sub" / "b.scn").write_text("router r\nr: nosuchcommand\n")
    p = compare(d, "--out", tmp_path / "o")
    assert p.returncode == 2, p.stdout + p.stderr
    lines = p.stdout.split("--- compare: 2 scenarios", 1)[1].splitlines()[1:]
    assert lines == [f"{d / 'a.scn'}: 2 harness or natsim error",
                     f"{d / 'sub' / 'b.scn'}: 3 cannot be expressed on the kernel"], p.stdout
    p = compare(d / "sub", "--out", tmp_path / "o3")
    assert p.returncode == 3, p.stdout + p.stderr     # the worst of one: its own
    p = compare(d, "--natsim-out", tmp_path)
    assert p.returncode == 2 and "take one SCENARIO" in p.stderr


@pytest.mark.skipif(os.geteuid() != 0 or bool(tools.missing(tools.KERNEL_RUN)),
                    reason="kernel comparison needs root and the programs of "
                           "tests/kernel/tools.py KERNEL_RUN")
def test_two_scenarios_compare_clean(tmp_path):
    a, b = KERNEL / "examples" / "snat-direct.scn", KERNEL / "examples" / "udp-echo-snat.scn"
    p = compare(a, b, "--out", tmp_path / "o")
    if p.returncode == 4:
        pytest.skip("compare skipped: " + p.stderr[-300:])
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    assert p.stdout.rstrip().endswith(f"{a}: 0 no differences\n{b}: 0 no differences")
    for name in ("snat-direct", "udp-echo-snat"):
        assert (tmp_path / "o" / name / "kernel" / "run.json").is_file()
        assert (tmp_path / "o" / name / "natsim" / "summary.json").is_file()
