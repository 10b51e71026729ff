"""test_signals.py - never lose output (issue 8): pcaps, logs and
summary.json are complete and valid when a run ends by SIGINT (exit 130),
SIGTERM (143), --until, a failed expectation, or a full disk (exit 2 with
a clear error naming the file; tested on a 64 KiB tmpfs when root).
"""
import json
import os
import signal
import subprocess
import time

import pytest
from scapy.utils import RawPcapReader

from conftest import natsim_path, pcap_raw, run

LONG = """\
host a
router r
host b
link a:eth0 r:eth0 rate 1Gbit
link r:eth1 b:eth0 rate 1Gbit delay 1ms
a: ip addr add 192.168.1.10/24 dev eth0
a: ip route add default via 192.168.1.1
r: ip addr add 192.168.1.1/24 dev eth0
r: ip addr add 203.0.113.1/24 dev eth1
r: sysctl -w net.ipv4.ip_forward=1
r: iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE
b: ip addr add 203.0.113.20/24 dev eth0
b: ip route add default via 203.0.113.1
b: listen udp 9 echo
a: flows udp 60000 203.0.113.20:9 sport 1024-65000 rate 10kpps packets 1000
expect r conntrack count >= 1
end 10000s
"""


def check_outputs(out, nodes_ifaces=("a-eth0", "r-eth0", "r-eth1", "b-eth0")):
    for name in nodes_ifaces:
        path = out / f"{name}.pcap"
        raw = pcap_raw(path)  # asserts that no record is cut short
        n = sum(1 for _ in RawPcapReader(str(path)))
        assert n == len(raw.frames)
    s = json.loads((out / "summary.json").read_text())
    assert s["events"] > 0
    for log in ("kernel.log", "conntrack-events.log", "trace.log"):
        text = (out / log).read_text()
        assert text == "" or text.endswith("\n"), f"{log} ends mid-line"
    return s


@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_flushes_everything(tmp_path, sig, code):
    scn = tmp_path / "long.scn"
    scn.write_text(LONG)
    out = tmp_path / "out"
    p = subprocess.Popen([str(natsim_path()), "run", str(scn), "--out", str(out), "--quiet",
                          "--trace"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True)
    # the signal lands once the run is simulating (its trace has lines), not
    # after a fixed sleep: on a loaded machine an ASan build may still be
    # loading the scenario after 0.7 s
    trace = out / "trace.log"
    deadline = time.monotonic() + 120
    while not (trace.exists() and trace.stat().st_size > 0) and p.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    assert p.poll() is None, "the run ended before the signal"
    assert trace.exists() and trace.stat().st_size > 0, "no trace line after 120 s"
    p.send_signal(sig)
    _, err = p.communicate(timeout=60)
    assert p.returncode == code, err
    assert ("interrupted" if sig == signal.SIGINT else "terminated") in err
    s = check_outputs(out)
    assert s["exit_status"] == code
    assert 0 < s["end_time_ns"] < 10000 * 10**9


def test_until_and_failed_expectation_keep_outputs(tmp_path):
    scn = tmp_path / "long.scn"
    scn.write_text(LONG.replace("count >= 1", "count == 0"))
    res = run(scn, "--until", "50ms", "--quiet", "--trace")
    assert res.rc == 1
    s = check_outputs(res.outdir)
    assert s["end_time_ns"] == 50 * 10**6


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_full_disk_is_an_error_not_a_truncation(tmp_path):
    scn = tmp_path / "long.scn"
    scn.write_text(LONG)
    mnt = tmp_path / "small"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        res = run(scn, "--quiet", out=mnt / "o", timeout=120)
        assert res.rc == 2, res.stderr
        assert "No space left on device" in res.stderr
        assert "natsim: error: cannot write" in res.stderr
    finally:
        subprocess.run(["umount", str(mnt)])
