"""Issue 18: nft's `ct timeout` and `ct expectation` objects
(nat/nftables/nft_cttimeout.c on nat/conntrack/ct_timeout.c's policies).

Listings and errors of files are test_nft.py's (tests/nft/rulesets/ct-timeout,
tests/nft/errors/ct-obj-*, recorded from nft 1.0.6). Here: the command
lines, with the real nft's texts (recorded in a namespace with the same
argv), and what the objects do to entries: the timeouts `conntrack -L`
shows are those Linux 6.18 showed for topologies/nft-ct-timeout.scn
(kernel-compared in test_kernel_compare.py, no differences).
"""
import re

from conftest import ROOT, explain, run
from test_nft import blocks, scn_run

SCN = ROOT / "topologies" / "nft-ct-timeout.scn"


def node_blocks(stdout, node):
    """{(time, command): [output lines]} of `[T] node# COMMAND` blocks."""
    out, cur = {}, None
    for line in stdout.splitlines():
        m = re.match(r"^\[\s*(\d+\.\d{6})\] (\S+)# (.*)$", line)
        if m:
            cur = (m.group(1), m.group(3)) if m.group(2) == node else None
            if cur:
                out[cur] = []
        elif cur is not None:
            out[cur].append(line)
    return out


def entry(lines, dport):
    """The conntrack -L line of the datagram to the router's dport."""
    hits = [l for l in lines if f"dst=10.0.1.1 sport=5000 dport={dport} " in l]
    assert len(hits) == 1, lines
    return hits[0]


def test_entries_take_the_policy_as_linux_does(tmp_path):
    res = run(SCN, "--no-pcap", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    b = node_blocks(res.stdout, "router")
    first = b[("1.500000", "conntrack -L")]
    # u7's UNREPLIED (7 s) instead of the sysctl's 30, half a second later
    assert entry(first, 9).startswith("udp      17 6 ")
    # no rule (10), a tcp policy on a udp packet (11), a chain before
    # conntrack (12), an expectation object (13): the sysctl's 30 s
    for port in (10, 11, 12, 13):
        assert entry(first, port).startswith("udp      17 29 "), port
    tcp = [l for l in first if l.startswith("tcp")]
    assert tcp == ["tcp      6 49 ESTABLISHED src=10.0.1.2 dst=10.0.1.1 sport=40000 dport=80 "
                   "src=10.0.1.1 dst=10.0.1.2 sport=80 dport=40000 [ASSURED] mark=0 use=1"]
    # the expectations: reply direction's source to the master's client,
    # any source port, the object's dport, its ms taken as seconds; port
    # 14's master: two (sip3, sip4), sip2's size 1 broke its rule
    exp = "proto={} src=10.0.1.1 dst=10.0.1.2 sport=0 dport={} mask-src=255.255.255.255 " \
          "mask-dst=255.255.255.255 sport=0 dport=65535 master-src=10.0.1.2 " \
          "master-dst=10.0.1.1 sport=5000 dport={} class=0"
    assert sorted(b[("1.500000", "conntrack -L expect")]) == sorted([
        "39 " + exp.format(17, 5060, 13), "59999 " + exp.format(6, 5062, 14),
        "1999 " + exp.format(17, 5063, 14)])
    chain = b[("1.500000", "nft list chain ip t pre")]
    assert '\t\tudp dport 14 ct expectation set "sip2" counter packets 0 bytes 0' in chain
    assert '\t\tudp dport 14 ct expectation set "sip4" counter packets 1 bytes 38' in chain
    # port 15's master wanted port 13's expectation again: EBUSY, dropped
    assert not [l for l in first if "dport=15 " in l]
    # 5060's used up by the router's datagram, whose entry is the master's child
    assert not [l for l in b[("2.500000", "conntrack -L expect")] if "dport=5060 " in l]
    later = b[("4.500000", "conntrack -L")]
    assert any("src=10.0.1.1 dst=10.0.1.2 sport=7000 dport=5060 [UNREPLIED]" in l for l in later)
    assert entry(later, 13).endswith("mark=0 use=2")
    # refreshed at 4 s from the policy's 7 s
    assert entry(later, 9).startswith("udp      17 6 ")
    # the object deleted at 5 s: the 6 s datagram gets the sysctl's 30 s
    assert entry(b[("6.500000", "conntrack -L")], 9).startswith("udp      17 29 ")
    # the deletes worked once the rules were gone
    listing = b[("5.000000", "nft list ruleset")]
    assert "\tct timeout web {" in listing and "\tct expectation sip2 {" in listing
    assert "\tct timeout u7 {" not in listing and "\tct expectation sip {" not in listing
    assert listing[-4:] == ["\tchain raw {",
                            "\t\ttype filter hook prerouting priority raw; policy accept;",
                            "\t}", "}"]


def test_command_lines_as_nft_runs_them(tmp_path):
    # every text below is the real nft 1.0.6's for the same argv
    res = scn_run(tmp_path, """
        router r
        r: nft add table ip t
        r: nft add ct timeout ip t a { protocol tcp \\; policy = { established: 100 } \\; }
        r: nft add ct timeout ip t a { protocol tcp \\; policy = { established: 200 } \\; }
        r: ! nft create ct timeout ip t a { protocol udp \\; }
        r: ! nft add ct timeout t zz { l3proto ip \\; }
        r: nft add ct expectation ip t e { protocol udp \\; dport 53 \\; timeout 2s \\; size 1 \\; }
        r: ! nft add ct expectation ip t e2 { protocol udp \\; dport 53 \\; size 1 \\; }
        r: nft add chain ip t pre { type filter hook prerouting priority -150 \\; }
        r: nft add rule ip t pre ct timeout set a
        r: nft add rule ip t pre ct expectation set e
        r: ! nft add rule ip t pre ct expectation set a
        r: nft list ct timeout ip t a
        r: nft list ct expectation t e
        r: ! nft list ct timeouts
        r: ! nft list ct expectations table ip t
        r: ! nft delete ct timeout ip t a
        r: ! nft delete ct expectation ip t e
        r: ! nft delete ct timeout ip t handle 2
        r: ! nft delete ct timeout ip t e
        r: nft flush chain ip t pre
        r: nft delete ct timeout ip t a
        r: nft delete ct expectation ip t e
        r: nft list table ip t
        """)
    assert res.rc == 0, explain(res)
    b = blocks(res.stdout)
    # the second add changed nothing (no update for these objects)
    assert b["nft list ct timeout ip t a"] == [
        "table ip t {", "\tct timeout a {", "\t\tprotocol tcp", "\t\tl3proto ip",
        "\t\tpolicy = { established : 100 }", "\t}", "}"]
    assert b["nft list ct expectation t e"] == [
        "table ip t {", "\tct expectation e {", "\t\tprotocol udp", "\t\tdport 53",
        "\t\ttimeout 2s", "\t\tsize 1", "\t\tl3proto ip", "\t}", "}"]
    assert b["nft list table ip t"] == [
        "table ip t {", "\tchain pre {",
        "\t\ttype filter hook prerouting priority mangle; policy accept;", "\t}", "}"]
    err = [l for l in res.stderr.splitlines() if not l.startswith("natsim:")]
    assert err == [
        "Error: Could not process rule: File exists",
        "create ct timeout ip t a { protocol udp ; }",
        "                       ^",
        "Error: Could not process rule: Operation not supported",
        "add ct timeout t zz { l3proto ip ; }",
        "^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        "Error: missing options",
        "add ct expectation ip t e2 { protocol udp ; dport 53 ; size 1 ; }",
        "                         ^",
        "Error: Could not process rule: No such file or directory",
        "add rule ip t pre ct expectation set a",
        "                                     ^",
        "Error: syntax error, unexpected string, expecting timeout or expectation or helper or helpers",
        "list ct timeouts",
        "        ^^^^^^^^",
        "Error: syntax error, unexpected string, expecting timeout or expectation or helper or helpers",
        "list ct expectations table ip t",
        "        ^^^^^^^^^^^^",
        "Error: Could not process rule: Device or resource busy",
        "delete ct timeout ip t a",
        "                       ^",
        "Error: Could not process rule: Device or resource busy",
        "delete ct expectation ip t e",
        "                           ^",
        "Error: syntax error, unexpected handle, expecting string",
        "delete ct timeout ip t handle 2",
        "                       ^^^^^^",
        "Error: Could not process rule: No such file or directory",
        "delete ct timeout ip t e",
        "                       ^"]


def test_an_object_alone_turns_conntrack_on(tmp_path):
    # nft_ct_expect_obj_init, nft_ct_timeout_obj_init and
    # nft_ct_helper_obj_init take conntrack (nf_ct_netns_get): Linux tracks
    # the datagram with no rule at all (measured in namespaces; Linux stops
    # once the table is gone, natsim does not: a loaded nf_conntrack keeps
    # tracking, ct_hooks.c's nf_ct_load)
    objs = {
        "expectation": "ct expectation ip t a { protocol udp \\; dport 5 \\; timeout 1s \\; size 1 \\; }",
        "timeout": "ct timeout ip t a { protocol udp \\; }",
        "helper": "ct helper ip t a { type \\\"ftp\\\" protocol tcp \\; }",
    }
    for kind, obj in objs.items():
        res = scn_run(tmp_path, f"""
            host c
            router r
            link c:eth0 r:eth0
            c: ip addr add 10.0.1.2/24 dev eth0
            r: ip addr add 10.0.1.1/24 dev eth0
            r: nft add table ip t
            r: nft add {obj}
            at 1s c: udp send 10.0.1.1:9 sport 4000 size 10
            at 1.5s r: conntrack -L
            """)
        assert res.rc == 0, explain(res)
        b = node_blocks(res.stdout, "r")
        assert [l.split()[5] for l in b[("1.500000", "conntrack -L")]] == ["sport=4000"], kind


def test_wrapping_values_list_as_the_kernel_keeps_them(tmp_path):
    # seconds * HZ (250) in 32 bits: 20000000 comes back as 2820130
    res = scn_run(tmp_path, """
        router r
        r: nft add table ip t
        r: nft add ct timeout ip t w { protocol tcp \\; policy = { established: 20000000, close: 10 } \\; }
        r: nft list ct timeout ip t w
        """)
    assert res.rc == 0, explain(res)
    assert blocks(res.stdout)["nft list ct timeout ip t w"][4] == \
        "\t\tpolicy = { established : 2820130 }"


def test_first_syntax_error_as_nft_reports_it(tmp_path):
    # nft 1.0.6's first error for each file (bison's recovery reports more
    # after it, which natsim does not reproduce)
    cases = {
        "oneline.nft": ("table ip t { ct timeout c { protocol tcp; } }\n", [
            "oneline.nft:1:45-45: Error: syntax error, unexpected '}', expecting newline or semicolon",
            "table ip t { ct timeout c { protocol tcp; } }",
            "                                            ^"]),
        "multiline.nft": ("table ip t {\n\tct timeout a {\n\t\tprotocol tcp\n\t\tpolicy = {\n"
                          "\t\t\testablished: 5,\n\t\t\tclose: 3\n\t\t}\n\t}\n}\n", [
            "multiline.nft:4:13-13: Error: syntax error, unexpected newline, expecting string",
            "\t\tpolicy = {",
            "\t\t          ^"]),
        "quoted.nft": ("table ip t {\n\tct timeout \"d\" {\n\t\tprotocol tcp\n\t}\n}\n", [
            "quoted.nft:2:13-15: Error: syntax error, unexpected quoted string, expecting string",
            "\tct timeout \"d\" {",
            "\t           ^^^"]),
    }
    for name, (text, want) in cases.items():
        (tmp_path / name).write_text(text)
        res = scn_run(tmp_path, f"""
            router r
            r: ! nft -f {name}
            r: nft list ruleset
            """)
        assert res.rc == 0, explain(res)
        err = [l for l in res.stderr.splitlines() if not l.startswith("natsim:")]
        assert err[:3] == want, name
        assert blocks(res.stdout)["nft list ruleset"] == []
