"""The benchmark's scenarios stay valid, and determinism and --check hold at
scale (issue 7, acceptance 4): the table-full storm at reduced size
(tests/bench/storm-small.scn: 20 000 new flows into nf_conntrack_max = 512)
runs twice with --check; both output directories are byte-identical, and the
events log, the counters and the table size agree with one another.
Timing belongs to `make bench`; nothing here is timed."""
import filecmp
import json
import os

import pytest

from conftest import ROOT, check, run

BENCH = ROOT / "tests" / "bench"


@pytest.mark.parametrize("name", sorted(p.name for p in BENCH.glob("*.scn")))
def test_bench_scenario_is_valid(name):
    res = check(BENCH / name)
    assert res.rc == 0, res.stderr


@pytest.fixture(scope="module")
def storm_twice(tmp_path_factory):
    outs = []
    for k in range(2):
        out = tmp_path_factory.mktemp("storm-%d" % k)
        res = run(BENCH / "storm-small.scn", "--check", "--quiet", out=out, timeout=300)
        assert res.rc == 0, res.stderr
        outs.append(out)
    return outs


def test_storm_small_is_byte_identical_twice(storm_twice):
    a, b = storm_twice
    names = sorted(os.listdir(a))
    assert names == sorted(os.listdir(b))
    assert "conntrack-events.log" in names and "router-eth1.pcap" in names
    _, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert not mismatch and not errors, (mismatch, errors)


def test_storm_small_table_full_accounting(storm_twice):
    out = storm_twice[0]
    summary = json.loads((out / "summary.json").read_text())
    router = next(n for n in summary["nodes"] if n["name"] == "router")
    st = router["conntrack_stats"]
    events = (out / "conntrack-events.log").read_text().splitlines()
    new = sum("[NEW]" in e for e in events)
    destroy = sum("[DESTROY]" in e for e in events)
    sent = sum(n.get("flows_tx", 0) for n in summary["nodes"])
    assert sent == 20000
    # every flow got an entry unless the table was full with nothing to evict
    assert st["drop"] > 0 and new == sent - st["drop"]
    # each eviction is one DESTROY (nothing times out in 100 ms)
    assert st["early_drop"] > 0 and destroy == st["early_drop"]
    assert router["conntrack_count"] == new - destroy <= 512
    ip = router["ip_stats"]
    assert ip["ForwDatagrams"] == new
    assert "table full, dropping packet" in (out / "kernel.log").read_text()
