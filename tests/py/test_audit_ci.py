"""Audit of issue 2, acceptance 1: what `.ci/run` does on a fresh Debian 12
machine. The machine is simulated by a PATH of stubs that log their calls:
dpkg-query knows no package, apt-get and make only record their arguments.
(The real fresh-machine run is the CI's job; this pins the sequence.)"""
import os
import shutil
import subprocess
from pathlib import Path

from conftest import ROOT

STUB = """#!/bin/sh
echo "{name} $* [DEBIAN_FRONTEND=$DEBIAN_FRONTEND]" >> "$CI_LOG"
{body}
"""
CORE = ("gcc", "make", "pkg-config", "libglib2.0-dev", "libpcap-dev", "python3",
        "python3-pytest", "python3-scapy")


def _fake_machine(tmp_path, uid="0", make_rc=0, optional_rc=0, script=".ci/run"):
    """Run SCRIPT on a stub machine where no package is installed. apt-get
    fails (exit optional_rc) for the optional packages only."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True)
    for tool in ("sh", "grep", "cat"):
        os.symlink(shutil.which(tool), bin_dir / tool)
    apt = f'case "$*" in *chromium*|*tcpdump*) exit {optional_rc};; esac; exit 0'
    stubs = {"dpkg-query": "exit 1", "apt-get": apt, "id": f"echo {uid}",
             "make": f"exit {make_rc}", "gcc": "exit 0"}
    for name, body in stubs.items():
        p = bin_dir / name
        p.write_text(STUB.format(name=name, body=body))
        p.chmod(0o755)
    log = tmp_path / "calls.log"
    env = {"PATH": str(bin_dir), "CI_LOG": str(log), "HOME": str(tmp_path)}
    argv = ["/bin/bash", str(ROOT / script)] if script.startswith(".ci") else ["sh", str(ROOT / script)]
    p = subprocess.run(argv, cwd=str(ROOT), env=env, capture_output=True, text=True, timeout=60)
    calls = log.read_text().splitlines() if log.exists() else []
    return p, [c for c in calls if not c.startswith(("dpkg-query", "id "))]


def test_ci_run_fresh_machine_installs_then_runs_make_test(tmp_path):
    p, calls = _fake_machine(tmp_path)
    assert p.returncode == 0, (calls, p.stdout, p.stderr)
    installs = [i for i, c in enumerate(calls) if c.startswith("apt-get install")]
    updates = [i for i, c in enumerate(calls) if c.startswith("apt-get update")]
    assert installs and updates and updates[0] < installs[0], "apt-get update comes first"
    assert all("[DEBIAN_FRONTEND=noninteractive]" in c for c in calls if c.startswith("apt-get")), calls
    assert all(" -y " in c for c in calls if c.startswith("apt-get install")), calls
    installed = {w for c in calls if c.startswith("apt-get install") for w in c.split()}
    assert set(CORE) <= installed, sorted(set(CORE) - installed)
    # `make test` (the README's command) after every install, then the
    # same suite under the sanitizers
    assert calls[-2].startswith("make test "), calls
    assert calls[-1].startswith("make asan "), calls
    assert max(installs) < len(calls) - 2


def test_ci_run_propagates_make_test_status(tmp_path):
    p, calls = _fake_machine(tmp_path, make_rc=2)
    assert calls[-1].startswith("make test ") and p.returncode != 0, "a failing `make test` fails .ci/run"


def test_ci_run_optional_tools_may_fail(tmp_path):
    p, calls = _fake_machine(tmp_path, optional_rc=100)
    assert p.returncode == 0 and calls[-2].startswith("make test "), (calls, p.stderr)


def test_deps_as_non_root_prints_one_apt_line_and_fails(tmp_path):
    p, calls = _fake_machine(tmp_path, uid="1000", script="tests/deps.sh")
    assert p.returncode != 0, p.stdout
    lines = [l for l in p.stdout.splitlines() if "apt-get install" in l]
    assert len(lines) == 1 and set(CORE) <= set(lines[0].split()), p.stdout
    assert not [c for c in calls if c.startswith("apt-get")], "no install attempt without root"


def test_readme_quick_start_is_make_demo_and_make_test():
    text = Path(ROOT / "README.md").read_text()
    qs = text.split("## Quick start", 1)[1].split("##", 1)[0]
    block = qs.split("```", 2)[1]
    cmds = [l.split("#", 1)[0].strip() for l in block.splitlines() if l.strip()]
    assert cmds == ["make demo", "make test"], cmds
