"""The README's worked example is what natsim really prints.

The README shows the stdout and stderr of `natsim run topologies/seed-snat.scn`;
this test reruns the scenario and compares, so the newcomer's first page never
drifts from the program.
"""

import re
import subprocess

from conftest import ROOT, TOPOLOGIES, natsim_path


def readme_blocks():
    text = (ROOT / "README.md").read_text()
    section = text.split("## A worked example", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```\n(.*?)```", section, re.S)


def test_readme_example_matches_demo(tmp_path):
    # run from the repository root with the relative path, as `make demo` does
    p = subprocess.run([str(natsim_path()), "run", "topologies/seed-snat.scn",
                        "--out", str(tmp_path / "o")], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    out, err = p.stdout, p.stderr
    blocks = readme_blocks()
    # blocks: the scenario excerpt, stderr, stdout
    assert blocks[1].rstrip("\n") == err.rstrip("\n")
    assert blocks[2].rstrip("\n") == out.rstrip("\n")


def test_readme_excerpt_is_in_the_scenario():
    scn = (TOPOLOGIES / "seed-snat.scn").read_text().splitlines()
    for line in readme_blocks()[0].splitlines():
        assert line in scn, line
