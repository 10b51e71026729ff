"""The iptables extensions of issue 14, on packets.

Each scenario's counting rules (no target) and expectations state what
Linux does; tests/py/test_kernel_compare.py compares each with the kernel
(counters included). The texts are tests/unit/test_xt_real.c's.
"""
import pytest

from conftest import TOPOLOGIES, explain, run

SCENARIOS = ["addrtype", "ct-match"]


@pytest.mark.parametrize("name", SCENARIOS)
def test_extension_scenario(name, tmp_path):
    res = run(TOPOLOGIES / f"{name}.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert "expectations held" in res.stderr and "failed" not in res.stderr, res.stderr
