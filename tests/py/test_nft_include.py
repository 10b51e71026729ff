"""nft's `include` (nat/nftables/nft_include.c) against nft 1.0.6.

tests/nft/include/cases.txt holds nft command lines; tests/nft/include/
record.sh ran each with the real nft 1.0.6 from that directory in a fresh
network namespace and wrote its exit status, stdout, stderr and the
`nft list ruleset` after it into cases.out. natsim runs the same lines from
a scenario beside a copy of that directory (natsim's relative paths are the
scenario's directory, standing for nft's working directory): globs in
sorted order, a directory skipped, an empty glob no error, a plain name
missing "File not found", the search path (/etc, then -I DIRs, the last
directory's matches read first), `./` from the working directory, nesting
to 16 inputs, "In file included from" chains, an include inside a chain or
closing a chain it did not open, and the errors after a failed include.
The absolute paths of a router's own files (its file store, where
`/etc/nftables.d/*.nft` lives) are tested below with texts measured on the
same nft.
"""
import re
import shutil

import pytest

from conftest import ROOT, explain, run, write_scn

INC = ROOT / "tests" / "nft" / "include"


def recorded_cases():
    cases, cur = [], None
    for line in (INC / "cases.out").read_text().splitlines():
        m = re.match(r"^## (\d+) (.*)$", line)
        if m:
            cur = {"rc": int(m.group(1)), "line": m.group(2), "o": [], "e": [], "l": []}
            cases.append(cur)
        else:
            cur[line[0]].append(line[2:])
    return cases


CASES = recorded_cases()
# natsim's parser stops after the first syntax error inside a table block
# (here a table in a table, from the included file): it prints nft's first
# error (its 4 lines) and not the one bison's recovery finds after it
FIRST_ERROR_ONLY = {"-f wrong-place.nft": 4}


def blocks(stdout):
    out, cur = {}, None
    for line in stdout.splitlines():
        m = re.match(r"^\[\s*\d+\.\d{6}\] r# (.*)$", line)
        if m:
            cur = m.group(1)
            out[cur] = []
        elif cur is not None:
            out[cur].append(line)
    return out


def test_cases_were_recorded():
    lines = (INC / "cases.txt").read_text().splitlines()
    assert [c["line"] for c in CASES] == lines
    assert {c["rc"] for c in CASES} == {0, 1}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["line"])
def test_include_as_nft_does_it(tmp_path, case):
    shutil.copytree(INC, tmp_path / "w")
    bang = "! " if case["rc"] else ""
    scn = write_scn(tmp_path / "w", "inc", f"""
        router r
        r: {bang}nft {case['line']}
        at 1s r: nft list ruleset
        """)
    res = run(scn, "--no-pcap", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    b = blocks(res.stdout)
    assert b["nft list ruleset"] == case["l"]
    err = [l for l in res.stderr.splitlines() if not l.startswith("natsim:")]
    assert err == case["e"][:FIRST_ERROR_ONLY.get(case["line"], len(case["e"]))]
    assert b[f"{bang}nft {case['line']}"] == case["o"]


def test_router_files_from_the_store(tmp_path):
    # firewall4's `include "/etc/nftables.d/*.nft"`: absolute names are the
    # router's own files (written by earlier commands), in sorted order; a
    # file the glob no longer matches is not read
    (tmp_path / "main.nft").write_text(
        'table inet fw4 {\n\tinclude "/etc/nftables.d/*.nft"\n}\n')
    (tmp_path / "b.nft").write_text('chain b {\n\tcounter\n}\n')
    (tmp_path / "a.nft").write_text('chain a {\n\tcounter\n}\n')
    (tmp_path / "bad.nft").write_text('chain y {\n\tfoo bar\n}\n')
    (tmp_path / "outer.nft").write_text('table ip u {\n\tinclude "bad.nft"\n}\n')
    scn = write_scn(tmp_path, "store", """
        router r
        r: nft -f main.nft
        r: nft list ruleset
        r: nft flush ruleset
        r: cat b.nft > /etc/nftables.d/20-b.nft
        r: cat a.nft > /etc/nftables.d/10-a.nft
        r: cat a.nft > /etc/nftables.d/10-a.conf
        r: nft -f main.nft
        at 1s r: nft list ruleset
        at 2s r: cat bad.nft > /etc/bad.nft
        at 2s r: ! nft -f - < outer.nft
        at 2s r: ! nft -f /etc/nope.nft
        """)
    res = run(scn, "--no-pcap", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    b = blocks(res.stdout)
    assert b["nft list ruleset"] == [
        "table inet fw4 {",
        "\tchain a {", "\t\tcounter packets 0 bytes 0", "\t}", "",
        "\tchain b {", "\t\tcounter packets 0 bytes 0", "\t}",
        "}"]
    # a relative name is looked up in /etc (the router's), the error is
    # located in the included file (nft 1.0.6's text for the same files)
    err = res.stderr.splitlines()
    i = err.index("In file included from /dev/stdin:2:2-19:")
    assert err[i:i + 4] == [
        "In file included from /dev/stdin:2:2-19:",
        "/etc/bad.nft:2:2-4: Error: No symbol type information",
        "\tfoo bar",
        "\t^^^"]
