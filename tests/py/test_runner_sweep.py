"""test_runner_sweep.py - variables and sweeps (issue 17, acceptance 3).

A scenario's `define NAME VALUE` is used as ${NAME}; `natsim run -D
NAME=VALUE` overrides it; misuse is bad input (exit 2, FILE:LINE: error).
`natsim test --sweep nf_conntrack_max=16,32,64,128 --seeds 1-3` on
topologies/table-full.scn gives 12 rows in sweep.csv and sweep.json whose
counters are those of the 12 single `natsim run -D ... --seed S`; --report
writes sweep.html with one SVG plot per figure against nf_conntrack_max, a
line per seed, which headless Chromium draws (like the run report's tests);
`natsim merge` of the sweep writes the same page.
"""
import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import TRIANGLE, write_scn
from runner_util import TOPOLOGIES, natsim, sweep_rows

VALUES = ("16", "32", "64", "128")
SEEDS = ("1", "2", "3")
FIGURES = ("drop", "insert_failed", "early_drop", "forwarded", "conntrack_count",
           "conntrack_peak", "passed", "failed")
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    d = tmp_path_factory.mktemp("sweep")
    p = natsim("test", TOPOLOGIES / "table-full.scn", "--sweep",
               "nf_conntrack_max=" + ",".join(VALUES), "--seeds", "1-3", "--no-pcap",
               "--report", "--out", d / "out", "-j", "2")
    assert p.returncode == 1, p.stdout + p.stderr  # table-full's drop bounds are 16's
    return d


def test_twelve_rows_match_single_runs(sweep, tmp_path):
    with open(sweep / "out" / "sweep.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 12
    assert [(r["nf_conntrack_max"], r["seed"]) for r in rows] == \
        [(v, s) for v in VALUES for s in SEEDS], "key order: numbers by value"
    assert len(sweep_rows(sweep / "out")) == 12
    drops = set()
    for r in rows:
        out = tmp_path / r["run"]
        p = natsim("run", TOPOLOGIES / "table-full.scn", "-D",
                   f"nf_conntrack_max={r['nf_conntrack_max']}", "--seed", r["seed"],
                   "--no-pcap", "--quiet", "--out", out)
        assert p.returncode == int(r["exit_status"]), p.stderr
        s = json.loads((out / "summary.json").read_text())
        router = next(n for n in s["nodes"] if n["name"] == "router")
        assert int(r["drop"]) == router["conntrack_stats"]["drop"], r["run"]
        assert int(r["insert_failed"]) == router["conntrack_stats"]["insert_failed"]
        assert int(r["forwarded"]) == router["ip_stats"]["ForwDatagrams"]
        assert int(r["conntrack_count"]) == router["conntrack_count"]
        assert int(r["conntrack_peak"]) == router["conntrack_peak"]
        # the table never holds more than nf_conntrack_max; the 120 flows fill
        # every table smaller than that, so its peak is the maximum
        peak, cmax = int(r["conntrack_peak"]), int(r["nf_conntrack_max"])
        assert int(r["conntrack_count"]) <= peak <= cmax, r["run"]
        assert peak == min(cmax, 120), r["run"]
        assert int(r["passed"]) == s["passed"] and int(r["failed"]) == s["failed"]
        drops.add(int(r["drop"]))
    assert len(drops) >= 3, "the table size changes the drops"


def test_report_has_a_plot_per_figure(sweep):
    html = (sweep / "out" / "sweep.html").read_text()
    plots = re.findall(r'<svg class="plot" data-figure="([a-z_]+)" data-series="(\d+)"', html)
    assert [f for f, _ in plots] == list(FIGURES)
    assert all(n == "3" for _, n in plots), "one line per seed"
    for fig in re.findall(r"<svg class=\"plot\".*?</svg>", html, re.S):
        lines = re.findall(r'<polyline class="series" stroke="[^"]+" points="([^"]*)"', fig)
        assert len(lines) == 3 and all(len(pts.split()) == 4 for pts in lines)
    assert "nf_conntrack_max" in html


def test_merge_of_the_sweep_writes_the_same_files(sweep):
    p = natsim("merge", sweep / "out", "--report", "--out", sweep / "merged")
    assert p.returncode == 1, p.stderr
    for n in ("sweep.csv", "sweep.json", "sweep.html"):
        assert (sweep / "merged" / n).read_bytes() == (sweep / "out" / n).read_bytes(), n


@pytest.mark.skipif(not CHROMIUM.exists(),
                    reason="Debian's chromium is not installed (/usr/bin/chromium): "
                           "apt-get install chromium")
def test_chromium_draws_every_plot(sweep, tmp_path):
    from test_report import chromium, console_errors, html_attrs
    page = sweep / "out" / "sweep.html"
    p = chromium(["--dump-dom", page.resolve().as_uri()], tmp_path)
    assert p.returncode == 0, p.stderr[-2000:]
    attrs = html_attrs(p.stdout)
    assert attrs.get("data-plots") == str(len(FIGURES)), attrs
    assert attrs.get("data-plots-drawn") == str(len(FIGURES)), attrs
    assert attrs.get("data-lines-drawn") == str(3 * len(FIGURES)), attrs
    assert not console_errors(p.stderr)
    # the check can fail: a line with no points is reported
    broken = tmp_path / "broken.html"
    broken.write_text(page.read_text().replace('points="', 'points="" x="', 1))
    q = chromium(["--dump-dom", broken.resolve().as_uri()], tmp_path)
    attrs = html_attrs(q.stdout)
    assert attrs.get("data-plots-drawn") == str(len(FIGURES) - 1), attrs


# ----- define / ${NAME} / -D --------------------------------------------------

DEFINED = TRIANGLE.replace("router: sysctl -w net.ipv4.ip_forward=1\n",
                           "define fwd 1\ndefine want 0\n"
                           "router: sysctl -w net.ipv4.ip_forward=${fwd}\n") + \
    "at 1s client: ping -c 1 10.0.2.2\nexpect server:eth0 saw icmp src 10.0.1.2 count == ${want}\nend 2s\n"


def test_define_and_override(tmp_path):
    scn = write_scn(tmp_path, "defined", DEFINED)
    p = natsim("run", scn, "--out", tmp_path / "a", "--no-pcap")
    assert p.returncode == 1, p.stderr                 # forwarding on: want 0 is wrong
    assert "sysctl -w net.ipv4.ip_forward=1" in p.stdout
    assert "expected count == 0, saw 1" in p.stderr
    p = natsim("run", scn, "-D", "want=1", "--out", tmp_path / "b", "--no-pcap")
    assert p.returncode == 0, p.stderr
    p = natsim("run", scn, "-D", "fwd=0", "--out", tmp_path / "c", "--no-pcap")
    assert p.returncode == 0, p.stderr                 # not forwarded: 0 seen
    assert "net.ipv4.ip_forward = 0" in p.stdout


@pytest.mark.parametrize("text,args,msg", [
    ("define x 1\ndefine x 2\n", [], r":2: error: x is defined twice"),
    ("router: sysctl -w net.ipv4.ip_forward=${nope}\n", [], r":\d+: error: \$\{nope\} is not defined above"),
    ("define\n", [], r":1: error: usage: define NAME VALUE"),
    ("define 9x 1\n", [], r":1: error: usage: define NAME VALUE"),
    ("define x 1\n", ["-D", "y=2"], r"error: -D y: the scenario has no `define y`"),
    ("define x 1\n", ["-D", "x"], r"error: bad -D \"x\""),
])
def test_define_errors_are_bad_input(tmp_path, text, args, msg):
    scn = write_scn(tmp_path, "bad", text + TRIANGLE + "end 1s\n")
    p = natsim("run", scn, *args, "--out", tmp_path / "o", "--junit", tmp_path / "j.xml")
    assert p.returncode == 2, p.stderr
    assert re.search(msg, p.stderr), p.stderr
    assert "bad input" in (tmp_path / "j.xml").read_text()


def test_define_is_checked_by_natsim_check(tmp_path):
    scn = write_scn(tmp_path, "c", "define x 1\n" + TRIANGLE + "end ${x}s\n")
    assert natsim("check", scn).returncode == 0
    bad = write_scn(tmp_path, "d", TRIANGLE + "end ${x}s\n")
    assert natsim("check", bad).returncode == 2
