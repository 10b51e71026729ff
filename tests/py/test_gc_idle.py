"""Idle simulated time costs nothing (issue 12, point 4).

Entries wait out their timeouts on a router (TCP connections the 5-day
established timeout, a UDP flow a day-long one) while nothing else happens.
The garbage collector still reaps each entry at a tick of its slice after
it expires (DESTROY events; the whole table each second with 1024 buckets,
an eighth of it each second with the default 262144), but the run's events
(summary.json) follow the entries and packets, not the 432100 simulated
seconds: one event per router per simulated second used to run the gc.
Nothing here is timed."""
import json
import re

import pytest

from conftest import TRIANGLE, outputs, parse_ct_line, run_ok, write_scn

SCN = TRIANGLE + """\
router: sysctl -w net.netfilter.nf_conntrack_buckets={buckets}
router: sysctl -w net.netfilter.nf_conntrack_udp_timeout=86400
router: iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE
server: listen tcp 80
server: listen udp 53
at 1s client: tcp connect 10.0.2.2:80 sport 40000 send 100 hold
at 1s client: tcp connect 10.0.2.2:80 sport 40001 send 100 hold
at 2500ms client: udp send 10.0.2.2:53 sport 5353
at 10s router: conntrack -L
at 86000s router: conntrack -L
end 432100s
"""

_EV_RE = re.compile(r"^\[\s*(\d+)\.(\d{6})\] router: \[DESTROY\] (.*)$")


@pytest.mark.parametrize("buckets,window", [(1024, 1), (262144, 8)])
def test_idle_days_cost_events_not_seconds(tmp_path, buckets, window):
    res = run_ok(write_scn(tmp_path, "idle", SCN.format(buckets=buckets)))
    listed = outputs(res.stdout, "router", "conntrack -L")
    at10 = {parse_ct_line(ln)["orig"]["sport"]: parse_ct_line(ln)["timeout"]
            for ln in listed[0].lines}
    assert sorted(at10) == [5353, 40000, 40001]
    assert at10[40000] > 431980 and at10[5353] > 86380
    # before the UDP timeout the three are listed, as the gc left them
    assert len(listed[1].lines) == 3

    destroyed = {}
    for line in (res.outdir / "conntrack-events.log").read_text().splitlines():
        m = _EV_RE.match(line)
        if m:
            assert m[2] == "000000", line   # the gc reaps on its ticks
            sport = parse_ct_line(m[3])["orig"]["sport"]
            assert sport not in destroyed, line
            destroyed[sport] = int(m[1])
    assert sorted(destroyed) == [5353, 40000, 40001]
    for sport, left in at10.items():
        # listed at 10 s with `left` whole seconds to go: it expired in
        # [10 + left, 11 + left); the gc takes it at the first tick of its
        # slice from then on
        assert 10 + left <= destroyed[sport] <= 10 + left + window, (sport, destroyed)

    summary = json.loads((res.outdir / "summary.json").read_text())
    assert summary["end_time"] == "432100.000000"
    # the handshakes, data, commands and a few gc runs; it was 432100 gc
    # ticks more when every simulated second was an event
    assert summary["events"] < 200, summary["events"]
