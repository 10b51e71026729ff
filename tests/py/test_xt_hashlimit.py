"""-m hashlimit on packets (topologies/hashlimit.scn): a token bucket per
source, credits as the kernel's xt_hashlimit counts them (HZ=250, 2^39
credits a jiffy), /proc/net/ipt_hashlimit/NAME in the kernel's format (the
figures of one Linux 6.x run: after four datagrams at once to a 5/min burst
3 table, cap 4947802308000000 and cost 1649267436000000), and natsim's
voice for what it lacks. The packet-rate texts are tests/unit/test_xt_real.c's
(block 24); the byte-rate texts (topologies/hashlimit-bytes.scn for their
buckets) are recorded below."""
from conftest import IP, TOPOLOGIES, explain, ip_pkts, pcap, run, write_scn


def test_hashlimit_bucket_per_source(tmp_path):
    res = run(TOPOLOGIES / "hashlimit.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert "2 of 2 expectations held" in res.stderr, res.stderr
    got = [(p[IP].src, round(float(p.time) - 1, 2)) for p in ip_pkts(pcap(res.outdir, "server", "eth0"), proto=17)]
    assert [t for s, t in got if s == "10.0.1.2"] == [0.0, 0.3, 1.2, 2.1], got
    assert [t for s, t in got if s == "10.0.1.3"] == [0.05, 0.15], got


def test_byte_rate_charges_by_length(tmp_path):
    """topologies/hashlimit-bytes.scn: 800-byte datagrams 0.4 s apart against
    1kb/s buckets, one with a 2kb burst (two one-time refills)."""
    res = run(TOPOLOGIES / "hashlimit-bytes.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert "3 of 3 expectations held" in res.stderr, res.stderr
    got = [(p[IP].src, round(float(p.time) - 1, 2)) for p in ip_pkts(pcap(res.outdir, "server", "eth0"), proto=17)]
    assert [t for s, t in got if s == "10.0.1.2"] == [0.0, 0.4, 0.8, 1.6, 2.4, 3.2], got
    assert [t for s, t in got if s == "10.0.1.3"] == [0.2, 1.0, 1.8, 2.6, 3.4], got


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


def test_rate_match_says_so(tmp_path):
    text = ("router r\nr: iptables -A INPUT -m hashlimit --hashlimit-upto 1/s "
            "--hashlimit-rate-match --hashlimit-name x\nend 1s\n")
    res = run(write_scn(tmp_path, "u", text), out=tmp_path / "o")
    assert res.rc != 0 and "natsim:" in res.stderr, res.stderr
    assert "--hashlimit-rate-match" in res.stderr and "iptables v1.8.9" not in res.stderr


# Byte rates: (arguments, `iptables -S` text, `iptables -L -n` text) as the
# real iptables 1.8.9 printed them (Linux 6.x, namespace h-i14m-r1): the
# rate is a cost per 16-byte chunk (`1000b/s` shows as 992b/s, `1Kb/s`,
# `5gb/s` and `15b/s` as 0b/s, 5000mb/s wraps in 32 bits), the burst a
# whole number of rates (`1000` over 96b/s is 11, 1kb; 3000k over 1500kb/s
# is 2, 2mb), the default expiry 15 s, 60 s with a burst.
BYTE_CASES = [
    ("--hashlimit-upto 1kb/s", "--hashlimit-upto 1kb/s --hashlimit-name t", "limit: up to 1kb/s"),
    ("--hashlimit-above 512b/s", "--hashlimit-above 512b/s --hashlimit-name t", "limit: above 512b/s"),
    ("--hashlimit-upto 1kb/s --hashlimit-burst 10kb",
     "--hashlimit-upto 1kb/s --hashlimit-burst 10kb --hashlimit-name t", "limit: up to 1kb/s burst 10kb"),
    ("--hashlimit-upto 1mb/s --hashlimit-burst 3mb",
     "--hashlimit-upto 1mb/s --hashlimit-burst 3mb --hashlimit-name t", "limit: up to 1mb/s burst 3mb"),
    ("--hashlimit-upto 1000b/s", "--hashlimit-upto 992b/s --hashlimit-name t", "limit: up to 992b/s"),
    ("--hashlimit-upto 100b/s --hashlimit-burst 1000",
     "--hashlimit-upto 96b/s --hashlimit-burst 1kb --hashlimit-name t", "limit: up to 96b/s burst 1kb"),
    ("--hashlimit-upto 1kb/s --hashlimit-htable-expire 5000",
     "--hashlimit-upto 1kb/s --hashlimit-name t --hashlimit-htable-expire 5000",
     "limit: up to 1kb/s htable-expire 5000"),
    ("--hashlimit-upto 1kb/s --hashlimit-burst 10kb --hashlimit-htable-expire 60000",
     "--hashlimit-upto 1kb/s --hashlimit-burst 10kb --hashlimit-name t", "limit: up to 1kb/s burst 10kb"),
    ("--hashlimit-upto 1kb/s --hashlimit-htable-expire 15000",
     "--hashlimit-upto 1kb/s --hashlimit-name t", "limit: up to 1kb/s"),
    ("--hashlimit-upto 5gb/s", "--hashlimit-upto 0b/s --hashlimit-name t", "limit: up to 0b/s"),
    ("--hashlimit-upto 5000mb/s", "--hashlimit-upto 5286113568b/s --hashlimit-name t",
     "limit: up to 5286113568b/s"),
    ("--hashlimit-upto 20000000000000mb/s", "--hashlimit-upto 22906492224b/s --hashlimit-name t",
     "limit: up to 22906492224b/s"),
    ("--hashlimit-upto 1Kb/s", "--hashlimit-upto 0b/s --hashlimit-name t", "limit: up to 0b/s"),
    ("! --hashlimit-upto 2kb/s --hashlimit-mode srcip",
     "--hashlimit-above 2kb/s --hashlimit-mode srcip --hashlimit-name t", "limit: above 2kb/s mode srcip"),
    ("--hashlimit-upto 10/s --hashlimit-burst 10k",
     "--hashlimit-upto 10/sec --hashlimit-burst 10240 --hashlimit-name t", "limit: up to 10/sec burst 10240"),
    ("--hashlimit-upto 1kb/s --hashlimit-burst 0x10kb",
     "--hashlimit-upto 1kb/s --hashlimit-burst 16kb --hashlimit-name t", "limit: up to 1kb/s burst 16kb"),
    ("--hashlimit-upto 1kb/s --hashlimit-burst 1kb",
     "--hashlimit-upto 1kb/s --hashlimit-burst 1kb --hashlimit-name t", "limit: up to 1kb/s burst 1kb"),
    ("--hashlimit-upto 15b/s", "--hashlimit-upto 0b/s --hashlimit-name t", "limit: up to 0b/s"),
    ("--hashlimit-upto 1500kb/s --hashlimit-burst 3000k",
     "--hashlimit-upto 1500kb/s --hashlimit-burst 2mb --hashlimit-name t", "limit: up to 1500kb/s burst 2mb"),
    ("--hashlimit-upto 1kb/s/x", "--hashlimit-upto 1kb/s --hashlimit-name t", "limit: up to 1kb/s"),
    ("--hashlimit-upto 2kbb/s", "--hashlimit-upto 0b/s --hashlimit-name t", "limit: up to 0b/s"),
    ("--hashlimit-upto 1kb/s --hashlimit-burst 20000000000000m",
     "--hashlimit-upto 1kb/s --hashlimit-name t --hashlimit-htable-expire 60000",
     "limit: up to 1kb/s htable-expire 60000"),
    ("--hashlimit-upto 3kb/s --hashlimit-burst 10000",
     "--hashlimit-upto 3kb/s --hashlimit-burst 12kb --hashlimit-name t", "limit: up to 3kb/s burst 12kb"),
]

RANGE = 'bad value for option "--hashlimit-burst", or out of range (1-1000000).'
BYTE_REFUSALS = [
    ("--hashlimit-upto 1kb/s --hashlimit-burst 100", "burst cannot be smaller than 1024b"),
    ("--hashlimit-upto 100000mb/s", " RULE_APPEND failed (Invalid argument): rule in chain INPUT"),
    ("--hashlimit-upto 0kb/s", 'hashlimit: Bad value for "--hashlimit-upto" option: "0kb/s"'),
    ("--hashlimit-upto kb/s", 'hashlimit: Bad value for "--hashlimit-upto" option: "kb/s"'),
    ("--hashlimit-upto b/s", 'hashlimit: Bad value for "--hashlimit-upto" option: "b/s"'),
    ("--hashlimit-upto 10/s --hashlimit-burst 2000000", RANGE),
    ("--hashlimit-upto 10/s --hashlimit-burst 2000k", RANGE),
    ("--hashlimit-upto 1kb/s --hashlimit-burst 2000000", RANGE),
    ("--hashlimit-upto 1kb/s --hashlimit-burst 18446744073709551615", RANGE),
]


PROC_BYTES = """host a
router r
link a:eth0 r:eth0
a: ip addr add 10.0.0.1/24 dev eth0
r: ip addr add 10.0.0.2/24 dev eth0
r: iptables -A INPUT -p udp -m hashlimit --hashlimit-upto 1kb/s --hashlimit-burst 2kb --hashlimit-mode srcip --hashlimit-name pb
at 1s a: udp send 10.0.0.2:9 count 3 interval 0.001 size 772
at 1.1s r: cat /proc/net/ipt_hashlimit/pb
at 1.1s r: iptables -L INPUT -v -n
end 2s
"""


def test_byte_rate_proc_and_bursts(tmp_path):
    # Linux 6.x, the same rule and three such datagrams at once (namespace
    # h-i14m-r1): all three match, the burst's two refills spent, and
    # `59 10.9.0.1:0->0.0.0.0:0 1977130472 0 64527752` 64 jiffies later:
    # credit 4194304000 - 51 * 64527752 + 64 * 2^24, cap 0 refills left,
    # cost 64527752 a 16-byte chunk
    res = run(write_scn(tmp_path, "pb", PROC_BYTES), out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    out = res.stdout
    k = out.index("[1.100000] r# cat /proc/net/ipt_hashlimit/pb\n")
    line = out[k:].splitlines()[1]
    credit = 4194304000 - 51 * 64527752 + (1100 // 4 - 1000 // 4) * 2 ** 24
    assert line == f"59 10.0.0.1:0->0.0.0.0:0 {credit} 0 64527752", line
    assert "    3  2400            17   --  *      *       0.0.0.0/0            0.0.0.0/0            " \
        "limit: up to 1kb/s burst 2kb mode srcip" in out, out


def test_byte_rate_texts_as_iptables_prints_them(tmp_path):
    lines = ["router r"]
    lines += [f"r: iptables -A INPUT -m hashlimit --hashlimit-name t {a}" for a, _, _ in BYTE_CASES]
    lines += ["r: iptables -S INPUT", "r: iptables -L INPUT -n", "end 1s", ""]
    res = run(write_scn(tmp_path, "b", "\n".join(lines)), out=tmp_path / "o")
    assert res.rc == 0, explain(res)
    out = res.stdout
    got_s = [l.split("# ", 1)[-1] for l in out.splitlines() if "-A INPUT -m hashlimit" in l and "r# " not in l]
    assert got_s == [f"-A INPUT -m hashlimit {s}" for _, s, _ in BYTE_CASES], got_s
    got_l = [l.split("0.0.0.0/0            0.0.0.0/0            ")[1] for l in out.splitlines()
             if "0.0.0.0/0            0.0.0.0/0" in l]
    assert got_l == [l for _, _, l in BYTE_CASES], got_l


def test_byte_rate_refusals(tmp_path):
    for args, err in BYTE_REFUSALS:
        text = f"router r\nr: ! iptables -A INPUT -m hashlimit --hashlimit-name t {args}\nend 1s\n"
        res = run(write_scn(tmp_path, "r", text), out=tmp_path / "o")
        assert res.rc == 0, explain(res)
        assert f"iptables v1.8.9 (nf_tables): {err}" in res.stdout + res.stderr, (args, explain(res))
    # iptables 1.8.9 dies of SIGFPE on a rate of 2^32-1 chunks: natsim says so
    text = "router r\nr: iptables -A INPUT -m hashlimit --hashlimit-name t --hashlimit-upto 68719476720b/s\nend 1s\n"
    res = run(write_scn(tmp_path, "z", text), out=tmp_path / "o")
    assert res.rc != 0 and "natsim: -m hashlimit's byte rate 68719476720b/s" in res.stderr, res.stderr
    assert res.stderr.count("not implemented") == 1, res.stderr
    # and on a burst over a rate that shows as 0b/s (under 16 bytes a second)
    text = "router r\nr: iptables -A INPUT -m hashlimit --hashlimit-name t --hashlimit-upto 15b/s --hashlimit-burst 10\nend 1s\n"
    res = run(write_scn(tmp_path, "z", text), out=tmp_path / "o")
    assert res.rc == 2 and "natsim: --hashlimit-burst over a byte rate of 0b/s" in res.stderr, explain(res)
