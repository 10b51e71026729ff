"""-m hashlimit on packets (topologies/hashlimit.scn): a token bucket per
source, credits as the kernel's xt_hashlimit counts them (HZ=250, 2^39
credits a jiffy), /proc/net/ipt_hashlimit/NAME in the kernel's format (the
figures of one Linux 6.x run: after four datagrams at once to a 5/min burst
3 table, cap 4947802308000000 and cost 1649267436000000), and natsim's
voice for what it lacks. The texts are tests/unit/test_xt_real.c's
(block 24)."""
from conftest import IP, TOPOLOGIES, explain, ip_pkts, pcap, run, write_scn


def test_hashlimit_bucket_per_source(tmp_path):
    res = run(TOPOLOGIES / "hashlimit.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert "2 of 2 expectations held" in res.stderr, res.stderr
    got = [(p[IP].src, round(float(p.time) - 1, 2)) for p in ip_pkts(pcap(res.outdir, "server", "eth0"), proto=17)]
    assert [t for s, t in got if s == "10.0.1.2"] == [0.0, 0.3, 1.2, 2.1], got
    assert [t for s, t in got if s == "10.0.1.3"] == [0.05, 0.15], got


PROC = """host a
router r
link a:eth0 r:eth0
a: ip addr add 10.0.0.1/24 dev eth0
r: ip addr add 10.0.0.2/24 dev eth0
r: iptables -A INPUT -p udp -m hashlimit --hashlimit-upto 5/min --hashlimit-burst 3 --hashlimit-mode srcip,dstport --hashlimit-name pr --hashlimit-htable-expire 20000
at 0.5s r: cat /proc/net/ipt_hashlimit/pr
at 1s a: udp send 10.0.0.2:9 sport 5000 count 4 interval 0.001
at 1.1s r: cat /proc/net/ipt_hashlimit/pr
at 30s r: cat /proc/net/ipt_hashlimit/pr
at 30s r: ! cat /proc/net/ipt_hashlimit/nosuch
end 31s
"""


def test_proc_lists_the_buckets(tmp_path):
    res = run(write_scn(tmp_path, "proc", PROC), out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    out = res.stdout
    # the rule's table exists before its first packet, empty
    assert "[0.500000] r# cat /proc/net/ipt_hashlimit/pr\n[1.000000]" in out, out
    k = out.index("[1.100000] r# cat /proc/net/ipt_hashlimit/pr\n")
    line = out[k:].splitlines()[1].split()
    # 19 s left of 20; the fourth datagram found no credit: what 25 jiffies
    # (0.1 s) brought back since the third
    assert line[0] == "19" and line[1] == "10.0.0.1:0->0.0.0.0:9", line
    assert line[3:] == ["4947802308000000", "1649267436000000"], line
    assert int(line[2]) == (1100 // 4 - 1003 // 4) * 2 ** 39, line
    # expired 20 s after the last datagram: the collector's next run removes it
    k = out.index("[30.000000] r# cat /proc/net/ipt_hashlimit/pr\n")
    assert out[k:].splitlines()[1].startswith("[30.000000] r# ! cat /proc/net/ipt_hashlimit/nosuch")
    assert "No such file or directory" in res.stdout + res.stderr


def test_byte_rates_and_rate_match_say_so(tmp_path):
    for opt, what in (("--hashlimit-upto 1kb/s", "byte rates"),
                      ("--hashlimit-upto 1/s --hashlimit-rate-match", "--hashlimit-rate-match")):
        text = f"router r\nr: iptables -A INPUT -m hashlimit {opt} --hashlimit-name x\nend 1s\n"
        res = run(write_scn(tmp_path, "u", text), out=tmp_path / "o")
        assert res.rc != 0 and "natsim:" in res.stderr and what in res.stderr, res.stderr
        assert "iptables v1.8.9" not in res.stderr
