"""test_fresh_machine.py - `make demo` and `make test` as the first command on a
fresh Debian 12 machine (issue 12): each installs what the build needs (as
root), or prints the one apt-get line and stops, before it compiles anything.

The machine is simulated by a PATH of stubs that log their calls: dpkg-query
knows no package, apt-get records its arguments, the compiler records its
call and fails (there are no headers to build with). make itself is real and
reads the real Makefile.
"""
import os
import shutil
import subprocess

import pytest

from conftest import ROOT

STUB = """#!/bin/sh
echo "{name} $*" >> "$CALLS"
{body}
"""
BUILD_PKGS = ("gcc", "make", "pkg-config", "libglib2.0-dev", "libpcap-dev")
MAKE = shutil.which("make")


def fresh_machine(tmp_path, target, uid):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("sh", "grep", "cat", "rm", "mkdir", "find", "ar"):
        if shutil.which(tool):
            os.symlink(shutil.which(tool), bin_dir / tool)
    stubs = {"dpkg-query": "exit 1", "apt-get": "exit 0", "id": f"echo {uid}",
             "gcc": "exit 1", "cc": "exit 1", "pkg-config": "exit 1"}
    for name, body in stubs.items():
        (bin_dir / name).write_text(STUB.format(name=name, body=body))
        (bin_dir / name).chmod(0o755)
    calls = tmp_path / "calls.log"
    env = {"PATH": str(bin_dir), "CALLS": str(calls), "HOME": str(tmp_path)}
    p = subprocess.run([MAKE, target, f"BUILD={tmp_path / 'build'}", "CC=gcc"], cwd=str(ROOT),
                       env=env, capture_output=True, text=True, timeout=120)
    log = calls.read_text().splitlines() if calls.exists() else []
    return p, [c for c in log if not c.startswith(("dpkg-query", "id", "pkg-config"))]


@pytest.mark.skipif(MAKE is None, reason="make not installed")
@pytest.mark.parametrize("target", ["demo", "test"])
def test_first_command_as_root_installs_before_building(tmp_path, target):
    p, calls = fresh_machine(tmp_path, target, uid=0)
    installs = [i for i, c in enumerate(calls) if c.startswith("apt-get install")]
    compiles = [i for i, c in enumerate(calls) if c.startswith("gcc")]
    assert installs, f"make {target} installed nothing: {calls}\n{p.stdout}{p.stderr}"
    pkgs = set(calls[installs[0]].split())
    assert set(BUILD_PKGS) <= pkgs, sorted(set(BUILD_PKGS) - pkgs)
    assert compiles, f"make {target} never built after installing: {calls}"
    assert max(installs) < min(compiles), calls


@pytest.mark.skipif(MAKE is None, reason="make not installed")
@pytest.mark.parametrize("target", ["demo", "test"])
def test_first_command_as_user_prints_the_apt_line(tmp_path, target):
    p, calls = fresh_machine(tmp_path, target, uid=1000)
    assert p.returncode != 0
    line = [l for l in p.stdout.splitlines() if "apt-get install" in l]
    assert len(line) == 1, p.stdout + p.stderr
    assert set(BUILD_PKGS) <= set(line[0].split()), line
    assert not calls, f"make {target} went on without the packages: {calls}"
