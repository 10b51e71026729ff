"""test_valgrind.py - every topology under valgrind --leak-check=full: no
memory error and no leak of any kind (definite, indirect, possible). Skipped
without valgrind and for a sanitizer build (make asan checks that one).
"""
import shutil
import subprocess
import tempfile

import pytest

from conftest import TOPOLOGIES, natsim_path

SCNS = sorted(TOPOLOGIES.glob("*.scn"))


@pytest.mark.skipif(not shutil.which("valgrind"), reason="valgrind not installed")
@pytest.mark.parametrize("scn", SCNS, ids=[s.stem for s in SCNS])
def test_topology_valgrind_clean(scn):
    exe = str(natsim_path())
    if "asan" in exe:
        pytest.skip("sanitizer build: valgrind cannot run it")
    with tempfile.TemporaryDirectory() as out:
        p = subprocess.run(["valgrind", "--leak-check=full",
                            "--errors-for-leak-kinds=definite,indirect,possible",
                            "--error-exitcode=99", "-q", exe, "run", str(scn), "--out", out,
                            "--quiet"], capture_output=True, text=True, timeout=600,
                           cwd=str(scn.parent))
    assert p.returncode != 99, p.stderr[-5000:]
    assert "ERROR SUMMARY" not in p.stderr and "lost in loss record" not in p.stderr, \
        p.stderr[-5000:]
