"""Issue 18 phase 1: the nft front end (nat/nftables/).

`nft list ruleset` after `nft -f` prints exactly what Debian 12's nft 1.0.6
printed for the same file (tests/nft/rulesets/NAME.list, NAME.list-a with -a,
NAME.list-n with -n:
recorded by tests/nft/record.sh in a fresh network namespace), and a bad
file fails with exit status 1 and nft's own message, line and marks
(tests/nft/errors/NAME.err). A batch is a transaction: a file with an
error changes nothing. What a loaded ruleset uses that natsim does not
evaluate on packets (MSS clamping to the route's MTU) is said once per run (phase 2:
tests/py/test_nft_packets.py applies rulesets to packets).
"""
import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, explain, run, write_scn

NFT = ROOT / "tests" / "nft"
RULESETS = sorted((NFT / "rulesets").glob("*.nft"))
# tests/nft/flowtable/errors: flowtables' errors (some from nft's source,
# not recorded: this kernel has no nf_flow_table; tests/nft/flowtable/README.md)
ERRORS = sorted((NFT / "errors").glob("*.nft")) + sorted((NFT / "flowtable" / "errors").glob("*.nft"))


def blocks(stdout):
    """{command: [output lines]} of the `[T] r# COMMAND` blocks (last wins)."""
    out, cur = {}, None
    for line in stdout.splitlines():
        m = re.match(r"^\[\s*\d+\.\d{6}\] r# (.*)$", line)
        if m:
            cur = m.group(1)
            out[cur] = []
        elif cur is not None:
            out[cur].append(line)
    return out


def scn_run(tmp_path, text, *files):
    for f in files:
        shutil.copy(f, tmp_path)
    scn = write_scn(tmp_path, "n", text)
    return run(scn, "--no-pcap", out=tmp_path / "out")


@pytest.mark.parametrize("src", RULESETS, ids=lambda p: p.stem)
def test_list_ruleset_prints_what_nft_prints(tmp_path, src):
    res = scn_run(tmp_path, f"""
        router r
        r: nft -f {src.name}
        at 1s r: nft list ruleset
        at 1s r: nft -a list ruleset
        at 1s r: nft -n list ruleset
        """, src)
    assert res.rc == 0, explain(res)
    b = blocks(res.stdout)
    assert b["nft list ruleset"] == src.with_suffix(".list").read_text().splitlines()
    assert b["nft -a list ruleset"] == src.with_suffix(".list-a").read_text().splitlines()
    assert b["nft -n list ruleset"] == src.with_suffix(".list-n").read_text().splitlines()


@pytest.mark.parametrize("src", ERRORS, ids=lambda p: p.stem)
def test_errors_as_nft_prints_them(tmp_path, src):
    res = scn_run(tmp_path, f"""
        router r
        r: ! nft -f {src.name}
        r: nft list ruleset
        """, src)
    assert res.rc == 0, explain(res)
    err = [l for l in res.stderr.splitlines() if not l.startswith("natsim:")]
    assert err == src.with_suffix(".err").read_text().splitlines()
    # the failed batch left nothing behind
    assert blocks(res.stdout)["nft list ruleset"] == []


def test_command_line_rules_and_their_errors(tmp_path):
    # the texts are the real nft's for these command lines
    res = scn_run(tmp_path, """
        router r
        r: nft add table ip t
        r: nft add chain ip t c '{ type filter hook input priority 0; policy drop; }'
        r: nft add rule ip t c ip protocol tcp tcp dport ssh accept
        r: nft insert rule ip t c ct state established,related accept
        r: ! nft add rule ip t c tcp dport 99999 accept
        r: ! nft add rule ip t d accept
        r: nft -c add rule ip t c udp dport 53 accept
        at 1s r: nft -a list table ip t
        """)
    assert res.rc == 0, explain(res)
    b = blocks(res.stdout)
    assert b["nft -a list table ip t"] == [
        "table ip t { # handle 1",
        "\tchain c { # handle 1",
        "\t\ttype filter hook input priority filter; policy drop;",
        "\t\tct state established,related accept # handle 3",
        "\t\ttcp dport 22 accept # handle 2",
        "\t}",
        "}"]
    err = res.stderr.splitlines()
    assert err[err.index("Error: Service out of range"):][:3] == [
        "Error: Service out of range",
        "add rule ip t c tcp dport 99999 accept",
        "                          ^^^^^"]
    assert err[err.index("add rule ip t d accept") + 1] == "              ^"


def test_check_only_and_stdin(tmp_path):
    src = NFT / "rulesets" / "debian-nat-router.nft"
    res = scn_run(tmp_path, f"""
        router r
        r: nft -c -f {src.name}
        at 1s r: nft list ruleset
        at 2s r: nft -f - < {src.name}
        at 3s r: nft list ruleset
        at 4s r: nft -f {src.name}
        """, src)
    assert res.rc == 0, explain(res)
    b = blocks(res.stdout)
    assert b["nft list ruleset"] == src.with_suffix(".list").read_text().splitlines()
    # -c changed nothing: the listing at 1 s is empty
    assert res.stdout.split("r# nft list ruleset")[1].splitlines()[1].startswith("[")


def test_what_natsim_lacks_is_refused_in_its_voice(tmp_path):
    res = scn_run(tmp_path, """
        router r
        r: nft add table ip6 t
        """)
    assert res.rc == 2, explain(res)
    assert "natsim: nft family ip6 is not implemented" in res.stderr


def test_dynset_timeouts_need_a_timeout_set(tmp_path):
    """A timeout from a rule into a set without timeouts is the kernel's
    EOPNOTSUPP (nft_dynset_init), as nft 1.0.6 prints it (caret under the
    statement). (Meters, once refused here, are built: test_nft_setelem.py.)"""
    res = scn_run(tmp_path, """
        router r
        r: nft add table ip t
        r: nft add chain ip t c
        r: nft 'add set ip t s { type ipv4_addr; }'
        r: ! nft add rule ip t c update @s { ip saddr timeout 10s }
        """)
    assert res.rc == 0, explain(res)
    assert ("Error: Could not process rule: Operation not supported\n"
            "add rule ip t c update @s { ip saddr timeout 10s }\n"
            "                ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n") in res.stderr


def test_mark_set_from_a_selector_of_another_type_is_refused(tmp_path):
    """A mark set from a selector of another type than the mark's: nft's
    datatype mismatch (an address; an integer of 8 bits), as nft 1.0.6
    marks it; a 32-bit integer (meta length) is copied."""
    res = scn_run(tmp_path, """
        router r
        r: nft add table ip n
        r: nft 'add chain ip n pre { type nat hook prerouting priority dstnat; }'
        r: ! nft add rule ip n pre meta mark set ip daddr
        r: ! nft add rule ip n pre meta mark set ip ttl
        r: nft add rule ip n pre meta mark set meta length
        r: nft list ruleset
        """)
    assert res.rc == 0, explain(res)
    assert ("Error: datatype mismatch: expected packet mark, expression has type IPv4 address\n"
            "add rule ip n pre meta mark set ip daddr\n"
            "                  ~~~~~~~~~~~~~~^^^^^^^^\n") in res.stderr, res.stderr
    assert ("Error: datatype mismatch: expected packet mark, expression has type integer with "
            "length 8\nadd rule ip n pre meta mark set ip ttl\n"
            "                  ~~~~~~~~~~~~~~^^^^^^\n") in res.stderr, res.stderr
    assert "\t\tmeta mark set meta length\n" in res.stdout, res.stdout


COMMANDS = sorted((NFT / "commands").glob("*.txt"))


@pytest.mark.parametrize("src", COMMANDS, ids=lambda p: p.stem)
def test_command_sequences_as_nft_runs_them(tmp_path, src):
    """Each command's exit status, stdout and stderr as the real nft's
    (tests/nft/commands/NAME.out, recorded by record.sh)."""
    steps = []     # (status, line, stdout lines)
    errs = []
    for l in src.with_suffix(".out").read_text().splitlines():
        if l.startswith("## "):
            rc, line = l[3:].split(" ", 1)
            steps.append((int(rc), line, []))
        elif l.startswith("o "):
            steps[-1][2].append(l[2:])
        elif l.startswith("e "):
            errs.append(l[2:])
    text = "\n".join(["router r"] + [f"r: {'! ' if rc else ''}nft {line}"
                                      for rc, line, _ in steps]) + "\n"
    res = scn_run(tmp_path, text, *RULESETS)
    assert res.rc == 0, explain(res)
    got, cur = [], None
    for line in res.stdout.splitlines():
        if re.match(r"^\[\s*\d+\.\d{6}\] r# ", line):
            cur = []
            got.append(cur)
        elif cur is not None:
            cur.append(line)
    assert got == [out for _, _, out in steps]
    assert [l for l in res.stderr.splitlines() if not l.startswith("natsim:")] == errs
