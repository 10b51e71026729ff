"""test_bad_scenarios.py - bad input is reported as FILE:LINE: error: ...
with exit 2 before anything is simulated (issue 8): names that would put
an output file outside --out, sizes that would exhaust memory (refused with
the limit named), and the wrong forms of each statement.
"""
import pytest

from conftest import check, run

BASE = "host a\nrouter r\nlink a:eth0 r:eth0\n"

BAD = [
    ("host ../x", "bad node name"),
    ("host a/b", "bad node name"),
    ("host .hidden", "bad node name"),
    ("host " + "n" * 40, "bad node name"),
    ("link a:../e r:eth1", "bad interface name"),
    ("link a:e/x r:eth1", "bad interface name"),
    ("link a:eth1 r:eth1 queue 100000000000", "bad queue"),
    ("link a:eth1 r:eth1 rate 0bit", "bad rate"),
    ("link a:eth1 r:eth1 loss 200%", "loss"),
    ("link a:eth1", "link"),
    ("link a:eth0 r:eth9", "eth0"),
    ("router", "router"),
    ("a: flows udp 100000000 1.2.3.4:9", "(1 to 67108864)"),
    ("a: flows udp 10000000 1.2.3.4:9", "exceed the source ports"),
    ("r: sysctl -w net.netfilter.nf_conntrack_max=4000000000", "Invalid argument"),
    ("r: sysctl -w net.netfilter.nf_conntrack_buckets=2000000000", "Cannot allocate memory"),
    ("a: ping -s 70000 1.2.3.4", "65507"),
    ("a: udp send 1.2.3.4:9 size 100000", "0-65507"),
    ("a: tcp connect 1.2.3.4:80 send 99999999999999", "bad byte count"),
    ("at -1s a: ping 1.2.3.4", "bad time"),
    ("end 1e30s", "bad time"),
    ("end", "end"),
    ("r: ip link set eth0 mtu 99999999", "mtu"),
    ("nobody: ip link set eth0 up", "nobody"),
    ("a: frobnicate", "frobnicate"),
    ("r: iptables -A FORWARD -j NOPE", "NOPE"),
    ("expect r conntrack count === 3", "expect"),
    ("expect nobody conntrack count 1", "nobody"),
    ("expect a:eth0 saw tcp count >= x", "expect"),
    ("a: replay missing.pcap", "missing.pcap"),
    ("r: iptables-restore < missing.rules", "missing.rules"),
    ("a: ping 1.2.3.4 | cat", "a"),
]


@pytest.mark.parametrize("line,needle", BAD)
def test_bad_statement_is_file_line_error(tmp_path, line, needle):
    scn = tmp_path / "bad.scn"
    scn.write_text(BASE + line + "\n")
    # a jump to a chain no command creates is known bad before the run too
    for res in (check(scn), run(scn)):
        assert res.rc == 2, (line, res.stderr)
        assert f"bad.scn:4: error: " in res.stderr, res.stderr
        assert needle in res.stderr, res.stderr


def test_no_output_outside_out(tmp_path):
    scn = tmp_path / "s.scn"
    scn.write_text("host ..\nhost a\nlink a:eth0 ..:eth0\n")
    res = run(scn)
    assert res.rc == 2
    assert not (tmp_path / "a-eth0.pcap").exists()
    assert not (tmp_path.parent / "..-eth0.pcap").exists()


def test_large_but_legal_sizes_run_in_the_memory_they_imply(tmp_path):
    # a maximum of 2^31-1 entries costs nothing until entries exist
    scn = tmp_path / "big.scn"
    scn.write_text(BASE + "r: sysctl -w net.netfilter.nf_conntrack_max=2147483647\n"
                   "r: ip addr add 10.0.0.1/24 dev eth0\na: ip addr add 10.0.0.2/24 dev eth0\n"
                   "r: modprobe nf_conntrack enable_hooks=1\n"
                   "a: flows udp 2000 10.0.0.1:9 rate 100kpps\n"
                   "expect r conntrack count == 2000\nend 1s\n")
    res = run(scn, "--no-pcap", "--quiet")
    assert res.rc == 0, res.stderr
