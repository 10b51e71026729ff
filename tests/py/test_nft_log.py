"""nft's log statement (nat/nftables/nft_log.c): `log flags ...`, `log level
...` (audit too), `log group N [snaplen N] [queue-threshold N]`.

Listings and errors are test_nft.py's recorded files (tests/nft/rulesets/
log-flags, tests/nft/errors/log-*, from nft 1.0.6). Here: the kernel log
lines of topologies/nft-log-flags.scn against those Linux 6.18 wrote for the
same scenario (tests/kernel/compare with net.netfilter.nf_log_all_netns=1,
lines taken from dmesg: tests/nft/log/nft-log-flags.klog). The fields each
stack draws for itself (IP ID, TCP sequence numbers, the TCP timestamp and
window scale options) are masked; everything else must be equal, line for
line: `log group 5` (nfnetlink_log, no listener) and `log level audit`
(audit off) write nothing on Linux, so natsim must not either.
"""
import re

from conftest import ROOT, TOPOLOGIES, explain, kernel_log, outputs, run, write_scn

KLOG = ROOT / "tests" / "nft" / "log" / "nft-log-flags.klog"


def mask(line):
    line = re.sub(r" ID=\d+ ", " ID=_ ", line, count=1)
    if "PROTO=TCP" in line:
        line = re.sub(r"SEQ=\d+ ACK=(\d+)", lambda m: "SEQ=_ ACK=" + ("0" if m[1] == "0" else "_"),
                      line)
        # MSS 1460, then SACK-permitted/timestamps/window scale as each stack sets them
        line = re.sub(r"OPT \(020405B4[0-9A-F]*\)", "OPT (020405B4_)", line)
    return line


def test_log_flags_lines_match_linux(tmp_path):
    res = run(TOPOLOGIES / "nft-log-flags.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    ours = [mask(text) for _, _, text in kernel_log(tmp_path / "out", "router")]
    linux = [mask(l) for l in KLOG.read_text().splitlines()]
    assert len(linux) == 7
    assert ours == linux


def test_log_flags_fields(tmp_path):
    """The fields each flag adds, and only with it."""
    res = run(TOPOLOGIES / "nft-log-flags.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    lines = {t.split(":")[0]: t for _, _, t in kernel_log(tmp_path / "out", "router")}
    assert set(lines) == {"syn", "synack", "udp", "all", "icmp", "out", "outall"}
    assert re.search(r" SEQ=\d+ ACK=0 WINDOW=", lines["syn"])
    assert re.search(r" OPT \([0-9A-F]+\) $", lines["syn"])
    assert "MACSRC=" in lines["udp"] and " MAC=" not in lines["udp"]
    assert "MACPROTO=0800 " in lines["all"]
    assert " MAC=" in lines["icmp"] and "OPT" not in lines["icmp"]
    assert lines["out"].endswith("UID=0 GID=0 ") and "MAC" not in lines["out"]
    assert "UID=" not in lines["udp"] and "SEQ=" not in lines["udp"]


def test_group_and_audit_log_nothing_but_count(tmp_path):
    res = run(TOPOLOGIES / "nft-log-flags.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    listing = "\n".join(outputs(res.stdout, "router", "nft list ruleset")[-1].lines)
    assert re.search(r"udp dport 55 counter packets 1 bytes 48 log group 5 snaplen 64 "
                     r"queue-threshold 2\n", listing)
    assert re.search(r"udp dport 56 counter packets 1 bytes 48 log level audit\n", listing)
    texts = [t for _, _, t in kernel_log(tmp_path / "out", "router")]
    assert not [t for t in texts if "DPT=55" in t or "DPT=56" in t]


def test_nft_log_and_iptables_log_write_the_same_line(tmp_path):
    """One formatter (nf_log.h) for -j LOG and nft's log: the same flags give
    the same line for the same packet."""
    body = """
        host c
        router r
        host s
        link c:eth0 r:eth0
        link r:eth1 s:eth0
        c: ip addr add 10.0.1.2/24 dev eth0
        c: ip route add default via 10.0.1.1
        r: ip addr add 10.0.1.1/24 dev eth0
        r: ip addr add 10.0.2.1/24 dev eth1
        r: sysctl -w net.ipv4.ip_forward=1
        s: ip addr add 10.0.2.2/24 dev eth0
        s: ip route add default via 10.0.2.1
        s: listen tcp 80
        r: iptables -A FORWARD -p tcp -j LOG --log-prefix "x: " --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid --log-macdecode
        r: nft add table ip t
        r: nft 'add chain ip t c { type filter hook forward priority 10; }'
        r: nft add rule ip t c meta l4proto tcp log prefix '"x: "' flags all
        at 1s c: tcp connect 10.0.2.2:80 sport 40000 send 10 close
        end 2s
        """
    res = run(write_scn(tmp_path, "same", body), out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    texts = [t for _, _, t in kernel_log(tmp_path / "out", "r")]
    assert len(texts) >= 6 and len(texts) % 2 == 0
    for a, b in zip(texts[::2], texts[1::2]):
        assert a == b and "MACSRC=" in a


def test_prefix_limit_and_level_listing(tmp_path):
    """A 127-byte prefix is the longest the kernel takes (NF_LOG_PREFIXLEN);
    `level warn` is the default, listed as plain `log`."""
    nft = ("table inet t {\n\tchain c {\n\t\tlog prefix \"%s\" level warn\n\t}\n}\n" % ("p" * 127))
    (tmp_path / "ok.nft").write_text(nft)
    (tmp_path / "long.nft").write_text(nft.replace("p" * 127, "p" * 128))
    res = run(write_scn(tmp_path, "pfx", """
        router r
        r: ! nft -f long.nft
        r: nft -f ok.nft
        r: nft list ruleset
        """), out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert "long.nft:3:3-5: Error: Could not process rule: Numerical result out of range" \
        in res.stderr
    lines = outputs(res.stdout, "r", "nft list ruleset")[-1].lines
    assert '\t\tlog prefix "%s"' % ("p" * 127) in lines
