"""test_runner_shard.py - scaling `natsim test` out (issue 17, acceptance 2
and 4).

--shard K/N runs the runs whose index in the key-sorted list is K-1 modulo
N: the three shards of 1/3, 2/3, 3/3 run each run exactly once, and
`natsim merge` of their three output directories writes the very bytes
(JUnit, sweep.csv, sweep.json) of the unsharded `natsim test`. --list prints
one `natsim run` command per run; GNU parallel running them, then
`natsim merge`, gives the same files again.
"""
import os
import shlex
import shutil
import subprocess

import pytest

from conftest import TRIANGLE, write_scn
from runner_util import TOPOLOGIES, collected, natsim, natsim_path, suites

ARGS = ("--no-pcap", "--seeds", "1-2")


def run_keys(out):
    runs = out / "runs"
    return sorted(p.parent.relative_to(runs).as_posix() for p in runs.rglob("summary.json"))


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    d = tmp_path_factory.mktemp("shards")
    shutil.copytree(TOPOLOGIES, d / "topologies")
    write_scn(d / "topologies", "failing", TRIANGLE + "expect router conntrack count == 3\n"
              "end 1s\n")
    return d


@pytest.fixture(scope="module")
def full(work):
    p = natsim("test", "topologies", *ARGS, "--out", "full", "--junit", "full.xml", "-j", "2",
               cwd=work)
    assert p.returncode == 1, p.stdout + p.stderr        # `failing` fails
    return collected(work / "full", work / "full.xml")


def test_shards_cover_every_run_once_and_merge_equals_unsharded(work, full):
    n_scn = len(list((work / "topologies").rglob("*.scn")))
    every = run_keys(work / "full")
    assert len(every) == 2 * n_scn
    seen = []
    for k in (1, 2, 3):
        p = natsim("test", "topologies", *ARGS, "--shard", f"{k}/3", "--out", f"s{k}",
                   "--junit", f"s{k}.xml", "-j", "2", cwd=work)
        assert p.returncode in (0, 1), p.stderr
        keys = run_keys(work / f"s{k}")
        assert sorted(suites(work / f"s{k}.xml")) == keys
        assert abs(len(keys) - len(every) / 3) < 1, "shards are balanced"
        seen += keys
    assert sorted(seen) == every, "each run exactly once"
    p = natsim("merge", "s1", "s2", "s3", "--out", "merged", "--junit", "merged.xml", cwd=work)
    assert p.returncode == 1, p.stdout + p.stderr        # as the unsharded test
    got = collected(work / "merged", work / "merged.xml")
    assert set(got) == set(full)
    for name in full:
        assert got[name] == full[name], name


def test_merge_refuses_a_run_twice_and_a_non_test_dir(work, full):
    p = natsim("merge", "full", "full", "--out", "twice", cwd=work)
    assert p.returncode == 2 and "found twice" in p.stderr
    p = natsim("merge", "topologies", "--out", "x", cwd=work)
    assert p.returncode == 2 and "no runs/ directory" in p.stderr


def test_list_prints_one_run_command_per_run(work):
    p = natsim("test", "topologies", *ARGS, "--list", "--out", "L", cwd=work)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert len(lines) == 2 * len(list((work / "topologies").rglob("*.scn")))
    first = shlex.split(lines[0])
    assert first == [str(natsim_path()), "run", "topologies/addrtype.scn", "--out",
                     "L/runs/addrtype,seed=1", "--junit",
                     "L/runs/addrtype,seed=1/junit.xml", "--quiet", "--no-pcap",
                     "--seed", "1"]
    assert not (work / "L").exists(), "--list runs nothing"
    shard = natsim("test", "topologies", *ARGS, "--list", "--shard", "2/3", "--out", "L",
                   cwd=work)
    assert set(shard.stdout.splitlines()) < set(lines)


@pytest.mark.skipif(not shutil.which("parallel"),
                    reason="GNU parallel is not installed: apt-get install parallel")
def test_gnu_parallel_of_list_then_merge_equals_test(work, full):
    p = natsim("test", "topologies", *ARGS, "--list", "--out", "par", cwd=work)
    assert p.returncode == 0, p.stderr
    (work / "cmds.txt").write_text(p.stdout)
    r = subprocess.run(["parallel", "--will-cite", "-j", "2", "--arg-file", "cmds.txt"],
                       cwd=work, capture_output=True, text=True, timeout=600,
                       env=dict(os.environ, HOME=str(work)))
    # GNU parallel exits with the number of failed jobs: `failing`, two seeds
    assert r.returncode == 2, r.stderr[-2000:]
    m = natsim("merge", "par", "--out", "par", "--junit", "par.xml", cwd=work)
    assert m.returncode == 1, m.stdout + m.stderr
    got = collected(work / "par", work / "par.xml")
    for name in full:
        assert got[name] == full[name], name


def test_ci_examples_shard_and_merge():
    """docs/ci/: the GitHub matrix and GitLab `parallel:` give natsim test its
    K/N, the merge job merges every shard; the Slurm script is valid bash."""
    yaml = pytest.importorskip("yaml", reason="python3-yaml is not installed")
    from conftest import ROOT
    gh = yaml.safe_load((ROOT / "docs" / "ci" / "github-actions.yml").read_text())
    shards = gh["jobs"]["shard"]["strategy"]["matrix"]["shard"]
    runs = [s.get("run", "") for s in gh["jobs"]["shard"]["steps"]]
    assert any(f"--shard ${{{{ matrix.shard }}}}/{len(shards)}" in r for r in runs), runs
    assert any("natsim merge shards/*" in s.get("run", "") for s in gh["jobs"]["merge"]["steps"])
    gl = yaml.safe_load((ROOT / "docs" / "ci" / "gitlab-ci.yml").read_text())
    assert gl["natsim-shard"]["parallel"] == 4
    assert any('--shard "$CI_NODE_INDEX/$CI_NODE_TOTAL"' in line
               for line in gl["natsim-shard"]["script"])
    assert gl["natsim-merge"]["artifacts"]["reports"]["junit"] == "all.xml"
    p = subprocess.run(["bash", "-n", str(ROOT / "docs" / "ci" / "slurm-array.sh")],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
