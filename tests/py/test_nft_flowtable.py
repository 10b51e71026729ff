"""Issue 18, flowtables: `flowtable NAME { hook ingress priority P; devices =
{ ... }; counter }`, `add|create|delete|list flowtable`, `list flowtables`,
and the `flow add @NAME` statement (`flow offload @NAME` is the older input).

The golden listings in tests/nft/flowtable/ are written from nft 1.0.6's
source, NOT recorded from a real nft: this machine's kernel has no
nf_flow_table (tests/nft/flowtable/README.md says which error texts the real
nft printed here with `nft -c`). The software fast path (nft_flow_offload.c,
topologies/nft-flowtable.scn) follows the kernel's source and is not
kernel-compared either.
"""
from pathlib import Path

import pytest

from conftest import ROOT, explain
from test_nft import blocks, scn_run

FT = ROOT / "tests" / "nft" / "flowtable"
ERRORS = sorted((FT / "errors").glob("*.nft"))


def test_flowtables_list_as_nft_prints_them(tmp_path):
    src = FT / "router.nft"
    res = scn_run(tmp_path, f"""
        router r
        r: nft -f {src.name}
        at 1s r: nft list ruleset
        at 1s r: nft -a list ruleset
        at 1s r: nft -n list ruleset
        at 1s r: nft list flowtables
        """, src)
    assert res.rc == 0, explain(res)
    b = blocks(res.stdout)
    assert b["nft list ruleset"] == (FT / "router.list").read_text().splitlines()
    assert b["nft -a list ruleset"] == (FT / "router.list-a").read_text().splitlines()
    assert b["nft -n list ruleset"] == (FT / "router.list-n").read_text().splitlines()
    assert b["nft list flowtables"] == (FT / "router.flowtables").read_text().splitlines()
    # the statement is evaluated: natsim has nothing to say about it
    assert "not evaluated" not in res.stderr


@pytest.mark.parametrize("src", ERRORS, ids=lambda p: p.stem)
def test_flowtable_errors(tmp_path, src):
    res = scn_run(tmp_path, f"""
        router r
        r: ! nft -f {src.name}
        r: nft list ruleset
        """, src)
    assert res.rc == 0, explain(res)
    err = [l for l in res.stderr.splitlines() if not l.startswith("natsim:")]
    assert err == src.with_suffix(".err").read_text().splitlines()
    assert blocks(res.stdout)["nft list ruleset"] == []


def test_flowtable_commands(tmp_path):
    # a flowtable added by command, grown by a second add (the kernel's
    # nft_flowtable_update adds devices, takes the flags sent and refuses
    # another priority), listed alone, deleted once no rule uses it;
    # flowtables take the table's handle counter
    res = scn_run(tmp_path, """
        router r
        r: nft add table inet t
        r: nft add chain inet t fw { type filter hook forward priority 0 \\; }
        r: nft add flowtable inet t f { hook ingress priority 10 \\; devices = { veth1 } \\; }
        r: nft add flowtable inet t f { hook ingress priority 10 \\; devices = { veth0, "veth1" } \\; }
        r: ! nft add flowtable inet t f { hook ingress priority 0 \\; }
        r: nft add flowtable inet t f { hook ingress priority 10 \\; counter \\; }
        r: nft add rule inet t fw ct state established flow offload @f
        r: nft -a list flowtable inet t f
        r: nft list chain inet t fw
        r: ! nft delete flowtable inet t f
        r: ! nft delete flowtable inet t f { devices = { veth0 } \\; }
        r: nft flush chain inet t fw
        r: nft delete flowtable inet t f
        r: nft list flowtables
        r: ! nft list flowtable inet t f
        """)
    assert res.rc == 0, explain(res)
    b = blocks(res.stdout)
    assert b["nft -a list flowtable inet t f"] == [
        "table inet t {",
        "\tflowtable f { # handle 2",
        "\t\thook ingress priority filter + 10",
        "\t\tdevices = { veth0, veth1 }",
        "\t\tcounter",
        "\t}",
        "}",
    ]
    assert b["nft list chain inet t fw"] == [
        "table inet t {",
        "\tchain fw {",
        "\t\ttype filter hook forward priority filter; policy accept;",
        "\t\tct state established flow add @f",
        "\t}",
        "}",
    ]
    assert b["nft list flowtables"] == ["table inet t {", "}"]
    assert "Error: Could not process rule: Device or resource busy" in res.stderr
    assert "Error: No such file or directory" in res.stderr
    assert "natsim: nft delete flowtable devices is not implemented" in res.stderr
    # the kernel's refusal marks the whole command and one more column
    line = "add flowtable inet t f { hook ingress priority 0 ; }"
    assert ("Error: Could not process rule: Operation not supported\n" + line + "\n" +
            "^" * (len(line) + 1) + "\n") in res.stderr


def test_flow_add_takes_conntrack(tmp_path):
    # nft_flow_offload_init takes conntrack (nf_ct_netns_get): with only a
    # `flow add` rule loaded, forwarded datagrams get conntrack entries.
    # nft_flow_offload_eval: the first datagram's entry is not confirmed
    # yet (NFT_BREAK: the counter after it does not count), the second
    # offloads UDP (no reply needed) and is counted, the third takes the
    # fast path and no chain sees it.
    from conftest import ROUTER_PAIR, ip_pkts, outputs, pcap, run, write_scn
    scn = write_scn(tmp_path, "ft", ROUTER_PAIR + """
        r: nft add table inet t
        r: nft 'add flowtable inet t f { hook ingress priority 0; devices = { eth0, eth1 }; }'
        r: nft 'add chain inet t fw { type filter hook forward priority 0; }'
        r: nft add rule inet t fw meta l4proto udp flow add @f counter
        at 1s c: udp send 10.0.2.2:7 sport 4000 count 3 interval 0.1s size 4
        at 1.5s r: conntrack -L
        at 1.5s r: nft list chain inet t fw
        end 2s
    """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    ct = outputs(res.stdout, "r", "conntrack -L")[-1].lines
    assert any(l.startswith("udp      17 ") and "sport=4000 dport=7 " in l and
               l.endswith(" [OFFLOAD] mark=0 use=2") for l in ct), ct
    chain = outputs(res.stdout, "r", "nft list chain inet t fw")[-1].lines
    assert "\t\tmeta l4proto udp flow add @f counter packets 1 bytes 32" in chain, chain
    s = pcap(tmp_path / "out", "s", "eth0")
    assert len(ip_pkts(s, proto=17, dport=7)) == 3


def test_flowtable_verbs_nft_has_not(tmp_path):
    # recorded from the real nft 1.0.6 here (its parser answers before the
    # kernel is asked): parser_bison.y has no flush, insert, rename or
    # replace of a flowtable
    res = scn_run(tmp_path, """
        router r
        r: nft add table t
        r: ! nft flush flowtable ip t f
        r: ! nft insert flowtable ip t f
        r: ! nft rename flowtable ip t f g
        r: ! nft replace flowtable ip t f
        """)
    assert res.rc == 0, explain(res)
    err = [l for l in res.stderr.splitlines() if not l.startswith("natsim:")]
    assert err == [
        "Error: syntax error, unexpected flowtable",
        "flush flowtable ip t f",
        "      ^^^^^^^^^",
        "Error: syntax error, unexpected flowtable, expecting rule",
        "insert flowtable ip t f",
        "       ^^^^^^^^^",
        "Error: syntax error, unexpected flowtable, expecting chain",
        "rename flowtable ip t f g",
        "       ^^^^^^^^^",
        "Error: syntax error, unexpected flowtable, expecting rule",
        "replace flowtable ip t f",
        "        ^^^^^^^^^",
    ]


def test_devices_from_variables(tmp_path):
    # flowtable_expr is a list or a variable (one name, or a list)
    src = FT / "variables.nft"
    res = scn_run(tmp_path, f"""
        router r
        r: nft -f {src.name}
        r: nft list ruleset
        """, src)
    assert res.rc == 0, explain(res)
    assert blocks(res.stdout)["nft list ruleset"] == [
        "table inet t {",
        "\tflowtable f {",
        "\t\thook ingress priority filter",
        "\t\tdevices = { eth0 }",
        "\t}",
        "",
        "\tflowtable g {",
        "\t\thook ingress priority filter",
        "\t\tdevices = { eth1, eth2 }",
        "\t}",
        "}",
    ]
