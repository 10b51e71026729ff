#!/usr/bin/python3
"""run.py - the driver of `make bench`: run every figure, print the table,
write tests/bench/results.json.

Design: each figure is a list of samples (one per repetition of a measured
loop, or one per process run); the table shows the median with min and max
against its target. Engine figures come from build-bench/bench_engine (one
line `FIGURE VALUE UNIT` per repetition); end-to-end figures from `natsim run`
on tests/bench/*.scn, timed here, with the events from summary.json and the
peak RSS of the child from wait4(). Before timing anything, the table-full
storm runs at reduced size with --check, twice, and the two output
directories must be byte-identical (determinism at scale). Timing belongs to
the benchmark; no test asserts times.
"""
import argparse
import filecmp
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

results = []

# --smoke (tests/py/test_bench_scenarios.py): every figure, with the real
# names and targets, from tiny sizes and one run each, to check the table
# itself; its numbers measure nothing. Maps a nominal size to the size run.
SMOKE = None


def size(n):
    return SMOKE.get(n, n) if SMOKE is not None else n


def add(figure, samples, unit, target, command, higher=True, note=""):
    """One row: median/min/max of samples; target is (op, value) or None."""
    med = statistics.median(samples)
    met = None
    if target is not None:
        met = med >= target if higher else med <= target
    results.append({
        "figure": figure, "value": med, "unit": unit,
        "min": min(samples), "max": max(samples), "runs": len(samples),
        "target": None if target is None else (">= " if higher else "<= ") + fmt(target),
        "met": met, "command": command, "note": note,
    })
    print_row(results[-1])


def fmt(v):
    if isinstance(v, str):
        return v
    a = abs(v)
    if a >= 1e6:
        return "%.2fM" % (v / 1e6)
    if a >= 1e4:
        return "%.1fk" % (v / 1e3)
    if a >= 100:
        return "%.0f" % v
    return "%.3g" % v


def print_row(r):
    met = "-" if r["met"] is None else ("met" if r["met"] else "NOT MET")
    print("%-34s %10s %10s %10s  %-14s %-8s %s" % (
        r["figure"], fmt(r["value"]), fmt(r["min"]), fmt(r["max"]),
        r["unit"], r["target"] or "-", met), flush=True)


def engine(build, args):
    """Run bench_engine; returns {figure: ([samples], unit)}."""
    cmd = [os.path.join(build, "bench_engine")] + [str(a) for a in args]
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    got = {}
    for line in out.splitlines():
        fig, val, unit = line.split()
        got.setdefault(fig, ([], unit))[0].append(float(val))
    return got, " ".join(cmd[1:]).replace(build + "/", "")


def run_natsim(build, scn, pcap, outdir):
    """One `natsim run`: (wall s, summary dict, peak RSS KiB)."""
    shutil.rmtree(outdir, ignore_errors=True)
    cmd = [os.path.join(build, "natsim"), "run", scn, "--out", outdir, "--quiet"]
    if not pcap:
        cmd.append("--no-pcap")
    else:
        os.sync()  # no earlier run's writeback competes with this one's writes
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    err = p.stderr.read().decode()
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit("bench: %s exited %d:\n%s" % (" ".join(cmd), code, err))
    with open(os.path.join(ROOT, outdir, "summary.json")) as f:
        summary = json.load(f)
    return wall, summary, ru.ru_maxrss


def forwarded(summary):
    """Packets the routers sent (forwarded hops through the router)."""
    n = 0
    for node in summary["nodes"]:
        if node["kind"] == "router":
            n += sum(i["tx_packets"] for i in node["interfaces"])
    return n


def e2e(build, name, pcap, runs, target, outroot):
    scn = "tests/bench/%s.scn" % ("storm-small" if SMOKE is not None else name)
    outdir = os.path.join(outroot, name)
    walls, pps, eps, rss = [], [], [], []
    for _ in range(runs):
        wall, summary, maxrss = run_natsim(build, scn, pcap, outdir)
        walls.append(wall)
        pps.append(forwarded(summary) / wall)
        eps.append(summary["events"] / wall)
        rss.append(maxrss / 1024.0)
    shutil.rmtree(outdir, ignore_errors=True)
    tag = "%s_%s" % (name, "pcap" if pcap else "nopcap")
    cmd = "%s/natsim run %s --quiet%s" % (build, scn, "" if pcap else " --no-pcap")
    add(tag + "_wall", walls, "s", None, cmd, higher=False)
    add(tag + "_pkts_per_s", pps, "packets/s", target, cmd)
    add(tag + "_events_per_s", eps, "events/s", None, cmd)
    add(tag + "_peak_rss", rss, "MiB", None, cmd, higher=False)


def idle(build, runs, outroot):
    """tests/bench/idle-5d.scn: 1000 established connections wait out the
    5-day timeout (default buckets). The whole run's wall time: handshakes,
    432000 idle simulated seconds, 1000 reaps; its cost should follow the
    events, not the seconds. The target is on the run without pcap (what
    the pcaps of 4000 packets cost is the next row's difference). The same
    scenario in smoke mode."""
    scn = "tests/bench/idle-5d.scn"
    outdir = os.path.join(outroot, "idle-5d")
    note = "1000 entries wait out the 5-day established timeout, 262144 buckets"
    for pcap in (False, True):
        walls, events = [], []
        for _ in range(runs):
            wall, summary, _ = run_natsim(build, scn, pcap, outdir)
            walls.append(wall)
            events.append(summary["events"])
        tag = "idle-5d_%s" % ("pcap" if pcap else "nopcap")
        cmd = "%s/natsim run %s --quiet%s" % (build, scn, "" if pcap else " --no-pcap")
        add(tag + "_wall", walls, "s", None if pcap else 0.05, cmd, higher=False, note=note)
    shutil.rmtree(outdir, ignore_errors=True)
    add("idle-5d_events", events, "events", None, cmd, higher=False)


def determinism_check(build, outroot):
    """The storm at reduced size with --check, twice: same bytes."""
    dirs = []
    for k in range(2):
        d = os.path.join(outroot, "storm-small-%d" % k)
        shutil.rmtree(d, ignore_errors=True)
        cmd = [os.path.join(build, "natsim"), "run", "tests/bench/storm-small.scn",
               "--out", d, "--check", "--quiet"]
        r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("bench: %s failed (%d):\n%s" % (" ".join(cmd), r.returncode, r.stderr))
        dirs.append(d)
    cmp = filecmp.dircmp(dirs[0], dirs[1])
    files = sorted(os.listdir(dirs[0]))
    same = not cmp.left_only and not cmp.right_only and \
        all(filecmp.cmp(os.path.join(dirs[0], f), os.path.join(dirs[1], f), shallow=False)
            for f in files)
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)
    if not same:
        sys.exit("bench: storm-small.scn is not deterministic")
    print("determinism + --check at reduced size (storm-small.scn, twice): ok", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build-bench")
    ap.add_argument("--quick", action="store_true", help="fewer and shorter runs")
    ap.add_argument("--only", default="", help="engine, rules, evq, e2e or idle")
    ap.add_argument("--json", default=os.path.join(HERE, "results.json"))
    ap.add_argument("--smoke", action="store_true",
                    help="tiny sizes, one run: checks the table, measures nothing")
    a = ap.parse_args()
    global SMOKE
    if a.smoke:
        SMOKE = {1000: 500, 262144: 1000, 1000000: 1500, 10000000: 2000, 2000000: 2000,
                 200000: 300, 3000000: 2000}
    build = a.build
    outroot = os.path.join(build, "bench-out")
    reps = 1 if a.smoke else 5
    runs = 1 if a.smoke else 3 if a.quick else 5
    start = time.monotonic()

    if a.smoke:
        print("smoke run: toy sizes, one run each; the figures measure nothing")
    print("%-34s %10s %10s %10s  %-14s %-8s %s" % (
        "figure", "median", "min", "max", "unit", "target", "met"))
    if a.only in ("", "e2e"):
        determinism_check(build, outroot)

    if a.only in ("", "engine"):
        est = {}
        targets = {262144: 10e6, 10000000: 5e6}
        note1 = "one packet at a time (as natsim run sends them)"
        note2 = "bursts of packets with ct_table_prefetch_bucket/_chain"
        for n, pk in ((1000, 2000000), (262144, 2000000), (1000000, 2000000),
                      (10000000, 2000000)):
            # prefetch distance: 4 packets, 8 for the 1.7 GB table whose
            # misses (DRAM pages, TLB) take longer to come back
            d = 8 if n == 10000000 else 4
            got, cmd = engine(build, ["memory" if n == 10000000 else "est", size(n), reps,
                                      size(pk), d])
            add("ct_established_%d" % n, got["ct_established_%d" % size(n)][0], "packets/s",
                None, cmd, note=note1)
            samples = got["ct_established_burst_%d" % size(n)][0]
            est[n] = statistics.median(samples)
            add("ct_established_burst_%d" % n, samples, "packets/s", targets.get(n), cmd,
                note=note2 + ", D=%d" % d)
            if n == 10000000:
                add("ct_bytes_per_entry_10M", got["ct_bytes_per_entry_10M"][0], "bytes", 192,
                    cmd, higher=False,
                    note="RSS growth / entries: entries, buckets, NAT bysource hash")
                add("ct_rss_10M", got["ct_rss_10M"][0], "MiB", 4096, cmd, higher=False)
        add("ct_cost_growth_1k_to_10M", [est[1000] / est[10000000]], "x", 3,
            "ratio of the burst medians", higher=False)
        got, cmd = engine(build, ["new", size(1000000), reps, size(200000)])
        add("ct_new_1M", got["ct_new_1M"][0], "connections/s", None, cmd, note=note1)
        add("ct_new_burst_1M", got["ct_new_burst_1M"][0], "connections/s", 2e6, cmd,
            note="bursts with nat_prefetch_flow")
        got, cmd = engine(build, ["expiry", size(1000000), reps])
        add("ct_expiry_1M", got["ct_expiry_1M"][0], "entries/s", None, cmd)

    if a.only in ("", "engine", "rules"):
        # issue 18, acceptance 5: a packet through nft rules costs no more
        # than through the same iptables rules (FORWARD, n rules that do
        # not match, then an accept; no conntrack)
        for n in (10, 50):
            got, cmd = engine(build, ["rules", n, reps, size(2000000)])
            ipt = got["filter_iptables_%d_rules" % n][0]
            nft = got["filter_nft_%d_rules" % n][0]
            add("filter_iptables_%d_rules" % n, ipt, "packets/s", None, cmd)
            add("filter_nft_%d_rules" % n, nft, "packets/s", None, cmd)
            add("filter_nft_per_iptables_%d_rules" % n,
                [statistics.median(nft) / statistics.median(ipt)], "x", 1,
                "ratio of the two medians above", note="nft's packets/s over iptables'")

    if a.only in ("", "evq"):
        got, cmd = engine(build, ["evq", size(1000), reps, size(10000000)])
        add("evq_1000", got["evq_%d" % size(1000)][0], "events/s", 25e6, cmd)
        got, cmd = engine(build, ["evq", size(1000000), reps, size(3000000)])
        add("evq_1000000", got["evq_%d" % size(1000000)][0], "events/s", 8e6, cmd)

    if a.only in ("", "e2e"):
        for name in ("udp-1m", "flows-100k", "hosts16", "storm-1m", "ruleset-50", "ruleset-50-nft"):
            for pcap in (False, True):
                target = None  # ruleset-50: a figure compared across commits
                if name not in ("storm-1m", "ruleset-50", "ruleset-50-nft"):
                    target = 2e6 if pcap else 2.5e6
                e2e(build, name, pcap, runs, target, outroot)
    if a.only in ("", "e2e", "idle"):
        idle(build, runs, outroot)
        shutil.rmtree(outroot, ignore_errors=True)

    total = time.monotonic() - start
    print("total %.0f s" % total)
    missed = [r["figure"] for r in results if r["met"] is False]
    print("targets met: %d of %d%s" % (
        sum(1 for r in results if r["met"]), sum(1 for r in results if r["met"] is not None),
        ("; not met: " + ", ".join(missed)) if missed else ""))
    with open(a.json, "w") as f:
        json.dump({"machine": os.uname().machine, "cpus": os.cpu_count(), "smoke": a.smoke,
                   "total_seconds": round(total, 1), "results": results}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
