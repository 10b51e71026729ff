"""Issue 18: iptables-nft's tables are nf_tables tables.

On Debian 12 `iptables` is iptables-nft 1.8.9, and `nft list ruleset`
shows its tables (`table ip filter`, `ip nat`, ...) beside nft's own, in
creation order, each rule as nft decodes what iptables-nft sent: native
expressions (`udp dport 53`, `meta mark`, `limit`), xt ones through the
extension's xlate (`ct state`, `masquerade`) or as `xt match NAME`, and
nft's warning on stderr for a table holding xt expressions. `nft delete
table ip filter` and `nft flush ruleset` remove iptables' rules too.

tests/nft/iptnft/NAME.txt holds shell lines (iptables, iptables-restore <
FILE, ipset, nft) run in order; NAME.out is what Linux printed for each
(recorded by tests/nft/iptnft/record.sh in a fresh namespace: "## STATUS
LINE", "o STDOUT", "e STDERR"). natsim runs the same lines on a router and
must print the same stdout for every command and the same stderr lines
(nft's warnings; natsim's own notices aside). traffic.txt sends two pings
through lo (scapy on Linux, natsim's ping) and compares the counters.
"""
import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, ROUTER_PAIR, UDP, explain, outputs, pcap, run, write_scn

DIR = ROOT / "tests" / "nft" / "iptnft"
CASES = sorted(DIR.glob("*.txt"))


def recorded(src):
    steps, errs = [], []
    for l in src.with_suffix(".out").read_text().splitlines():
        if l.startswith("## "):
            rc, line = l[3:].split(" ", 1)
            steps.append((int(rc), line, []))
        elif l.startswith("o "):
            steps[-1][2].append(l[2:])
        elif l.startswith("e "):
            errs.append(l[2:])
    return steps, errs


def scenario(steps):
    """The scenario's lines, and the steps that print a command block.
    `LINUX #natsim: NATSIM` runs NATSIM; `sleep N` moves the clock (the
    scenario's shell quotes as sh does)."""
    lines, shown, t = ["router r"], [], 0.0
    for rc, line, out in steps:
        if line.startswith("sleep "):
            t += float(line.split()[1])
            continue
        if "#natsim: " in line:
            line = line.split("#natsim: ", 1)[1]
        lines.append(f"at {t}s r: {'! ' if rc else ''}{line}")
        shown.append((rc, line, out))
    return "\n".join(lines) + "\n", shown


@pytest.mark.parametrize("src", CASES, ids=lambda p: p.stem)
def test_nft_lists_iptables_nft_tables_as_linux(tmp_path, src):
    steps, errs = recorded(src)
    for f in DIR.glob("*.rules"):
        shutil.copy(f, tmp_path)
    text, steps = scenario(steps)
    scn = write_scn(tmp_path, "n", text)
    res = run(scn, "--no-pcap", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    got, cur = [], None
    for line in res.stdout.splitlines():
        if re.match(r"^\[\s*\d+\.\d{6}\] r# ", line):
            cur = []
            got.append(cur)
        elif re.match(r"^\[\s*\d+\.\d{6}\] r: ", line):
            continue    # a program's output as it runs (ping)
        elif cur is not None:
            cur.append(line)
    assert len(got) == len(steps)
    for (rc, line, out), g in zip(steps, got):
        assert g == out, line
    assert [l for l in res.stderr.splitlines() if not l.startswith("natsim:")] == errs


def test_nft_changes_to_iptables_tables_are_refused_in_natsims_voice(tmp_path):
    """nft may list, add (a no-op), flush and delete iptables-nft's tables,
    list and flush their chains and add regular chains to them (one.txt);
    other changes to them (a rule, a base chain) are natsim's refusal, exit
    1, nothing changed."""
    scn = write_scn(tmp_path, "n", """
        router r
        r: iptables -A INPUT -j ACCEPT
        r: ! nft add rule ip filter INPUT counter
        r: ! nft 'add chain filter X { type filter hook input priority 0; }'
        r: ! nft delete chain ip filter INPUT
        r: nft add table ip filter
        r: nft -a list ruleset
        """)
    res = run(scn, "--no-pcap", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    for what in ("add rule", "delete chain"):
        assert (f"natsim: nft {what} of iptables-nft's table ip filter is not implemented"
                in res.stderr), what
    assert ("natsim: nft add chain X in iptables-nft's table ip filter is not implemented"
            in res.stderr), res.stderr
    assert res.stdout.split("r# nft -a list ruleset\n")[1].splitlines()[:5] == [
        "table ip filter { # handle 1",
        "\tchain INPUT { # handle 1",
        "\t\ttype filter hook input priority filter; policy accept;",
        "\t\tcounter packets 0 bytes 0 accept # handle 2",
        "\t}"]


def test_iptables_nft_in_a_table_holding_nft_chains_is_refused(tmp_path):
    """nft's `table ip filter` with a base chain of its own cannot become
    iptables-nft's (natsim keeps one representation per table,
    nft_xt_share.c): a change by iptables-nft is natsim's refusal (Linux
    would add its chains beside nft's), a listing says on stderr that it
    does not show nft's table; nft's chain keeps running (port 7 dropped).
    Without chains the table is handed over (one-table.txt)."""
    scn = write_scn(tmp_path, "n", ROUTER_PAIR + """
        s: listen udp 7
        s: listen udp 9
        r: nft add table ip filter
        r: nft 'add chain ip filter myfwd { type filter hook forward priority 0; }'
        r: nft add rule ip filter myfwd udp dport 7 drop
        r: iptables -L -n
        r: ! iptables -A FORWARD -p udp --dport 9 -j DROP
        r: iptables-save
        at 1s c: udp send 10.0.2.2:7 sport 5007
        at 1s c: udp send 10.0.2.2:9 sport 5009
        at 2s r: nft list ruleset
        """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert ("natsim: iptables-nft in nft's table ip filter, which holds nft chains or sets, "
            "is not implemented" in res.stderr), res.stderr
    assert res.stderr.count("natsim: iptables-nft does not show nft's table ip filter") == 2
    got = sorted(p[UDP].dport for p in pcap(res.outdir, "s", "eth0") if UDP in p)
    assert got == [9], got
    (lst,) = outputs(res.stdout, "r", "nft list ruleset")
    assert lst.lines == ["table ip filter {", "\tchain myfwd {",
                         "\t\ttype filter hook forward priority filter; policy accept;",
                         "\t\tudp dport 7 drop", "\t}", "}"], lst.lines
