"""test_fuzz_regress.py - every fuzz seed and every input a fuzzer ever
crashed on, replayed through the harnesses (tests/fuzz/fuzz_*.c built with
tests/fuzz/driver.c into BUILD/fuzz/ by `make unit`). Under `make asan` the
harnesses carry AddressSanitizer, UBSan and LeakSanitizer, so a regression
of any crash, overflow or leak fails here.
"""
import os
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, natsim_path

FUZZ = ROOT / "tests" / "fuzz"
NAMES = ["scenario", "ipt", "packet", "pcap", "define", "nft", "ftp", "ipset"]


@pytest.mark.parametrize("name", NAMES)
def test_fuzz_inputs_replay_clean(name):
    exe = Path(natsim_path()).parent / "fuzz" / f"fuzz_{name}"
    if not exe.exists():
        pytest.skip(f"{exe} not built (make unit builds it)")
    dirs = [FUZZ / "corpus" / name]
    if (FUZZ / "regress" / name).is_dir():
        dirs.append(FUZZ / "regress" / name)
    env = dict(os.environ, FUZZ_VERBOSE="")
    env.pop("FUZZ_VERBOSE")
    p = subprocess.run([str(exe)] + [str(d) for d in dirs], capture_output=True, text=True,
                       timeout=600, env=env, errors="replace")
    assert p.returncode == 0, p.stderr[-4000:]
    n = sum(1 for d in dirs for f in d.iterdir() if f.is_file())
    assert f"{n} inputs run" in p.stderr, p.stderr[-2000:]
