"""Issue 18: `iptables-translate` and `iptables-restore-translate` print what
iptables 1.8.9 prints: every case of ipt_translate_cases.py (recorded from the
real tools on Debian 12) run as node commands, comparing stdout, stderr and the
exit status; a rule with an extension that has no translation is the real
tool's `nft # ...` comment; -P/-D/-R/-E/-Z/-S/-C are "Translation not
implemented" (exit 1); the restore form's tables, chains, rules, errors and
usage text."""
import re

import pytest

from conftest import explain, parse_stdout, run, summary, write_scn
from ipt_translate_cases import CASES, RESTORE_CASES


def _run_commands(tmp_path, name, commands, files=None):
    """Run one router with `commands` (real exit status != 0: prefixed with
    `! `); returns (result, [(command block, summary entry)])."""
    for fname, text in (files or {}).items():
        (tmp_path / fname).write_text(text)
    lines = ["router r"]
    for cmd, rc in commands:
        lines.append(f"r: {'! ' if rc else ''}{cmd}")
    scn = write_scn(tmp_path, name, "\n".join(lines) + "\n")
    res = run(scn)
    assert res.outdir is not None and (res.outdir / "summary.json").exists(), explain(res)
    blocks, _ = parse_stdout(res.stdout)
    # summary.json lists the commands that failed or carry `!`; the others
    # exited 0 and said nothing on stderr
    by_line = {e["line"]: e for e in summary(res.outdir)["commands"]}
    entries = [by_line.get(i + 2, {"exit_status": 0, "message": ""})
               for i in range(len(commands))]
    assert len(blocks) == len(commands), explain(res)
    return res, list(zip(blocks, entries))


def test_translate_matches_iptables_1_8_9(tmp_path):
    res, got = _run_commands(tmp_path, "xlate",
                             [("iptables-translate " + args, rc) for args, _, _, rc in CASES])
    bad = []
    for (args, out, err, rc), (block, entry) in zip(CASES, got):
        text = "".join(line + "\n" for line in block.lines)
        if text.rstrip("\n") != out.rstrip("\n"):
            bad.append(f"{args}\n  real: {out!r}\n  sim:  {text!r}")
        if entry["exit_status"] != rc:
            bad.append(f"{args}\n  exit real {rc}, sim {entry['exit_status']}")
        if rc and entry["message"].strip() != err.strip():
            bad.append(f"{args}\n  stderr real: {err!r}\n  sim: {entry['message']!r}")
    assert not bad, "\n".join(bad)


def test_translate_untranslatable_rule_is_a_comment(tmp_path):
    """-m recent and -j TTL have no xlate in 1.8.9: the rule comes back as
    `nft # ARGS ` with exit status 0, as the real tool prints it."""
    args = "-A INPUT -m recent --set --name foo -j ACCEPT"
    _, got = _run_commands(tmp_path, "comment", [("iptables-translate " + args, 0)])
    (block, entry), = got
    assert block.lines == [f"nft # {args} "]
    assert entry["exit_status"] == 0


def test_translate_on_a_host_too(tmp_path):
    """The real tool only prints: it needs no netfilter, so a host runs it."""
    scn = write_scn(tmp_path, "host", """\
        host h
        h: iptables-translate -A INPUT -p udp --dport 53 -j ACCEPT
        """)
    res = run(scn)
    blocks, _ = parse_stdout(res.stdout)
    assert [b.lines for b in blocks] == [["nft 'add rule ip filter INPUT udp dport 53 counter accept'"]], \
        explain(res)


def _date(t_seconds):
    return "Thu Jan  1 00:00:%02d 1970" % t_seconds


def test_restore_translate_matches_iptables_1_8_9(tmp_path):
    files = {name: text for name, text, _, _, _ in RESTORE_CASES}
    res, got = _run_commands(tmp_path, "rxlate",
                             [(f"iptables-restore-translate -f {name}", rc)
                              for name, _, _, _, rc in RESTORE_CASES], files)
    bad = []
    for (name, _, out, err, rc), (block, entry) in zip(RESTORE_CASES, got):
        text = "".join(line + "\n" for line in block.lines)
        want = out.replace(" on DATE", " on " + _date(0))
        if text.rstrip("\n") != want.rstrip("\n"):
            bad.append(f"{name}\n--- real ---\n{want}--- sim ---\n{text}")
        if entry["exit_status"] != rc:
            bad.append(f"{name}: exit real {rc}, sim {entry['exit_status']}")
        if rc and entry["message"].strip() != err.strip():
            bad.append(f"{name}: stderr real {err!r}, sim {entry['message']!r}")
    assert not bad, "\n".join(bad)


def test_restore_translate_date_is_the_simulated_time(tmp_path):
    (tmp_path / "t.rules").write_text("*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o eth1 -j MASQUERADE\nCOMMIT\n")
    scn = write_scn(tmp_path, "date", """\
        router r
        at 7s r: iptables-restore-translate -f t.rules
        """)
    res = run(scn)
    blocks, _ = parse_stdout(res.stdout)
    assert blocks[0].lines == [
        f"# Translated by iptables-restore-translate v1.8.9 on {_date(7)}",
        "add table ip nat",
        "add chain ip nat POSTROUTING { type nat hook postrouting priority 100; policy accept; }",
        'add rule ip nat POSTROUTING oifname "eth1" counter masquerade',
        f"# Completed on {_date(7)}",
    ], explain(res)


# iptables-restore-translate 1.8.9 reads only -f: stdin gets the usage text
# (exit 1); a missing file is "Cannot open file NAME" (exit 1); -V its version.
USAGE = """\
ERROR: missing file name
iptables-restore-translate 1.8.9 (c) 2014 by Pablo Neira Ayuso <pablo@netfilter.org>
Usage: iptables-restore-translate [-h] [-f <FILE>] [-V]
\t[ --help ]
\t[ --file=<FILE> ]
\t[ --version ]"""


def test_restore_translate_usage_and_missing_file(tmp_path):
    (tmp_path / "t.rules").write_text("*filter\nCOMMIT\n")
    res, got = _run_commands(tmp_path, "usage", [
        ("iptables-restore-translate < t.rules", 1),
        ("iptables-restore-translate -f nonexist", 1),
        ("iptables-restore-translate -V", 0),
    ])
    (b1, e1), (b2, e2), (b3, e3) = got
    assert e1["exit_status"] == 1 and e1["message"].strip() == USAGE, explain(res)
    assert e2["exit_status"] == 1 and e2["message"].strip() == "Cannot open file nonexist", explain(res)
    assert e3["exit_status"] == 0 and b3.lines == ["iptables-restore-translate v1.8.9"], explain(res)


def test_restore_translate_of_iptables_save(tmp_path):
    """The router's own rules through `iptables-save > FILE` and
    `iptables-restore-translate -f FILE`: the same lines (dates aside) as the
    real tools print for these commands in a network namespace."""
    scn = write_scn(tmp_path, "saved", """\
        router r
        r: iptables -A INPUT -p tcp --dport 22 -j ACCEPT
        r: iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE
        r: iptables -N foo
        r: iptables -A foo -m comment --comment "a b" -j RETURN
        r: iptables-save > /etc/iptables.rules
        r: iptables-restore-translate -f /etc/iptables.rules
        """)
    res = run(scn)
    blocks, _ = parse_stdout(res.stdout)
    assert blocks[-1].lines == [
        f"# Translated by iptables-restore-translate v1.8.9 on {_date(0)}",
        "add table ip filter",
        "add chain ip filter INPUT { type filter hook input priority 0; policy accept; }",
        "add chain ip filter FORWARD { type filter hook forward priority 0; policy accept; }",
        "add chain ip filter OUTPUT { type filter hook output priority 0; policy accept; }",
        "add chain ip filter foo",
        "add rule ip filter INPUT tcp dport 22 counter accept",
        'add rule ip filter foo counter return comment "a b"',
        "add table ip nat",
        "add chain ip nat PREROUTING { type nat hook prerouting priority -100; policy accept; }",
        "add chain ip nat INPUT { type nat hook input priority 100; policy accept; }",
        "add chain ip nat OUTPUT { type nat hook output priority -100; policy accept; }",
        "add chain ip nat POSTROUTING { type nat hook postrouting priority 100; policy accept; }",
        'add rule ip nat POSTROUTING oifname "eth0" counter masquerade',
        f"# Completed on {_date(0)}",
    ], explain(res)


def test_iptables_target_name_too_long(tmp_path):
    """xt_parse_target's limit, which iptables and iptables-translate share:
    a -j/-g name of 29 characters or more (Linux: exit 2, this text)."""
    name = "x" * 29
    res, got = _run_commands(tmp_path, "longname", [
        (f"iptables -A INPUT -j {name}", 2), (f"iptables -A INPUT -g {name}", 2),
        (f"iptables -A INPUT -j {name[:28]}", 2)])
    want = (f"iptables v1.8.9 (nf_tables): Invalid target name `{name}' (28 chars max)\n"
            "Try `iptables -h' or 'iptables --help' for more information.")
    assert [e["message"].strip() for _, e in got[:2]] == [want, want], explain(res)
    # 28 characters are a name: no such chain (Linux's text too)
    assert got[2][1]["message"].startswith(f"iptables v1.8.9 (nf_tables): Chain '{name[:28]}' does not exist"), \
        explain(res)


def test_iptables_parse_texts_found_by_translate(tmp_path):
    """Two refusals iptables and iptables-translate share (the same parser),
    found while comparing translations: `-m icmp` needs --icmp-type
    (XTOPT_MAND) and an empty --log-prefix is too short (Linux 6.18,
    iptables 1.8.9: exit 2, these texts)."""
    res, got = _run_commands(tmp_path, "parsefix", [
        ("iptables -A FORWARD -p icmp -m icmp -j ACCEPT", 2),
        ('iptables -A INPUT -j LOG --log-prefix ""', 2)])
    try_ = "\n\nTry `iptables -h' or 'iptables --help' for more information."
    assert [e["message"].strip() for _, e in got] == [
        'iptables v1.8.9 (nf_tables): icmp: option "--icmp-type" must be specified' + try_,
        "iptables v1.8.9 (nf_tables): Argument must have a minimum length of 1 characters" + try_,
    ], explain(res)
