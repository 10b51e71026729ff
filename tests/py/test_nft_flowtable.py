"""Issue 18, flowtables: `flowtable NAME { hook ingress priority P; devices =
{ ... }; counter }`, `add|create|delete|list flowtable`, `list flowtables`,
and the `flow add @NAME` statement (`flow offload @NAME` is the older input).

The golden listings in tests/nft/flowtable/ are written from nft 1.0.6's
source, NOT recorded from a real nft: this machine's kernel has no
nf_flow_table (tests/nft/flowtable/README.md says which error texts the real
nft printed here with `nft -c`). The software fast path (nft_flow_offload.c,
topologies/nft-flowtable.scn) follows the kernel's source and is not
kernel-compared either. Their error files (tests/nft/flowtable/errors) run
with the others in test_nft.py's test_errors_as_nft_prints_them.
"""
from pathlib import Path

import pytest

from conftest import ROOT, explain
from test_nft import blocks, scn_run

FT = ROOT / "tests" / "nft" / "flowtable"


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


# ----- the software fast path (nft_flow_offload.c) -----
# topologies/nft-flowtable.scn: c 192.168.1.20 -> router (masquerade out of
# eth1 as 203.0.113.1, flowtable f on eth0 and eth1) -> outside 203.0.113.50.
# A held TCP connection (port 80), a closed one (81), 10 UDP echoes (7).

def _flowtable_run(tmp_path, *args):
    from conftest import TOPOLOGIES, run
    res = run(TOPOLOGIES / "nft-flowtable.scn", *args, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    return res


def test_offloaded_packets_skip_the_chains(tmp_path):
    # first packets walk the forward chain; once offloaded, none does: the
    # chain's last counter counts 11 of the 85 forwarded packets (the
    # handshakes, the UDP datagram before its reply, the FIN exchange)
    from conftest import ip_pkts, outputs, pcap
    res = _flowtable_run(tmp_path)
    chain = outputs(res.stdout, "router", "nft list chain inet filter forward")[-1].lines
    assert "\t\tct state established counter packets 8 bytes 508" in chain, chain
    assert "\t\tcounter packets 11 bytes 756" in chain, chain
    out = pcap(tmp_path / "out", "router", "eth1")
    lan = pcap(tmp_path / "out", "router", "eth0")
    fwd = len(ip_pkts(out, src="203.0.113.1")) + len(ip_pkts(lan, dst="192.168.1.20"))
    assert fwd == 85, fwd


def test_offloaded_packets_are_natted_with_ttl_minus_one(tmp_path):
    # nf_flow_nat_ip/port from the other direction's tuple, ip_decrease_ttl,
    # checksums updated: the wire looks as on the slow path
    from conftest import checksum_errors, ip_pkts, pcap
    _flowtable_run(tmp_path)
    out = pcap(tmp_path / "out", "outside", "eth0")
    sent = ip_pkts(out, src="203.0.113.1")
    assert len(sent) == 44 and not ip_pkts(out, src="192.168.1.20")
    assert {p["IP"].ttl for p in sent} == {63}
    assert len(ip_pkts(sent, proto=17, sport=5000, dport=7)) == 10
    back = ip_pkts(pcap(tmp_path / "out", "c", "eth0"), src="203.0.113.50", dst="192.168.1.20")
    assert len(back) == 41 and {p["IP"].ttl for p in back} == {63}
    assert len(ip_pkts(back, proto=17, sport=7, dport=5000)) == 10
    assert [e for p in sent + back for e in checksum_errors(p)] == []


def test_conntrack_shows_offload_and_gets_entries_back(tmp_path):
    from conftest import outputs
    res = _flowtable_run(tmp_path)
    at3, at40 = [b.lines for b in outputs(res.stdout, "router", "conntrack -L")]
    # [OFFLOAD] instead of [ASSURED]; the flow's reference shows in use=;
    # UDP's timeout is a day (nf_ct_offload_timeout)
    assert ("tcp      6 431998 ESTABLISHED src=192.168.1.20 dst=203.0.113.50 sport=40000 "
            "dport=80 src=203.0.113.50 dst=203.0.113.1 sport=80 dport=40000 [OFFLOAD] "
            "mark=0 use=2") in at3, at3
    assert ("udp      17 86398 src=192.168.1.20 dst=203.0.113.50 sport=5000 dport=7 "
            "src=203.0.113.50 dst=203.0.113.1 sport=7 dport=5000 [OFFLOAD] mark=0 use=2") in at3
    # the FIN tore its flow down: conntrack followed the close
    assert any("sport=40001 dport=81" in l and " TIME_WAIT " in l and "[ASSURED]" in l
               for l in at3), at3
    # 30 s idle: the gc gave both entries back, timeouts fixed up
    # (flow_offload_fixup_ct: the state's timeout less 30 s)
    assert ("tcp      6 431961 ESTABLISHED src=192.168.1.20 dst=203.0.113.50 sport=40000 "
            "dport=80 src=203.0.113.50 dst=203.0.113.1 sport=80 dport=40000 [ASSURED] "
            "mark=0 use=1") in at40, at40
    assert ("udp      17 82 src=192.168.1.20 dst=203.0.113.50 sport=5000 dport=7 "
            "src=203.0.113.50 dst=203.0.113.1 sport=7 dport=5000 mark=0 use=1") in at40, at40


def test_trace_shows_the_fast_path(tmp_path):
    res = _flowtable_run(tmp_path, "--trace")
    lines = res.stdout.splitlines()
    i = lines.index("  ingress                flowtable: offloaded flow, out eth1 "
                    "(the hooks are skipped)")
    # the packet as it came, then as it leaves (masqueraded)
    assert "router packet #" in lines[i - 1] and "in eth0: TCP 192.168.1.20:40000 > " \
        "203.0.113.50:80" in lines[i - 1], lines[i - 1]
    assert lines[i + 1].startswith("  leaves      eth1       TCP 203.0.113.1:40000 > "
                                   "203.0.113.50:80"), lines[i + 1]
    assert any("flowtable f: TCP FIN, flow torn down, slow path" in l for l in lines)


@pytest.mark.parametrize("counter,packets", [(False, 2), (True, 5)])
def test_flowtable_counter_counts_into_conntrack(tmp_path, counter, packets):
    # NF_FLOWTABLE_COUNTER: the fast path counts in the entry's accounting
    # (nf_ct_acct_update); without it only the two datagrams conntrack saw.
    # The rule's counter: the first datagram's entry is unconfirmed
    # (NFT_BREAK), the second is offloaded, the rest take the fast path.
    from conftest import ROUTER_PAIR, outputs, run, write_scn
    ft = "{ hook ingress priority 0; devices = { eth0, eth1 }; %s}" % ("counter; " if counter else "")
    scn = write_scn(tmp_path, "ftc", ROUTER_PAIR + f"""
        r: sysctl -w net.netfilter.nf_conntrack_acct=1
        r: nft add table inet t
        r: nft 'add flowtable inet t f {ft}'
        r: nft 'add chain inet t fw {{ type filter hook forward priority 0; }}'
        r: nft add rule inet t fw meta l4proto udp flow add @f counter
        at 1s c: udp send 10.0.2.2:7 sport 4000 count 5 interval 0.1s size 4
        at 2s r: conntrack -L
        at 2s r: nft list chain inet t fw
        end 3s
    """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    ct = outputs(res.stdout, "r", "conntrack -L")[-1].lines
    line = [l for l in ct if "sport=4000 dport=7 " in l]
    assert len(line) == 1 and f" packets={packets} bytes={packets * 32} " in line[0], ct
    chain = outputs(res.stdout, "r", "nft list chain inet t fw")[-1].lines
    assert "\t\tmeta l4proto udp flow add @f counter packets 1 bytes 32" in chain, chain


def test_entries_come_back_when_the_flowtable_goes(tmp_path):
    # nf_flow_table_free: deleting the table (and its flowtable) tears its
    # flows down; conntrack -F kills an offloaded entry, whose flow lets go
    # at its next packet, and the connection is tracked (and offloaded)
    # again by the slow path
    from conftest import ROUTER_PAIR, outputs, run, write_scn
    scn = write_scn(tmp_path, "ftgone", ROUTER_PAIR + """
        s: listen udp 7 echo
        r: nft add table inet t
        r: nft 'add flowtable inet t f { hook ingress priority 0; devices = { eth0, eth1 }; }'
        r: nft 'add chain inet t fw { type filter hook forward priority 0; }'
        r: nft add rule inet t fw meta l4proto udp flow add @f
        at 1s c: udp send 10.0.2.2:7 sport 4000 count 30 interval 0.1s size 4
        at 1.52s r: conntrack -F
        at 1.55s r: conntrack -L
        at 2s r: conntrack -L
        at 2.5s r: nft delete table inet t
        at 3.5s r: conntrack -L
        end 5s
    """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    f, again, gone = [b.lines for b in outputs(res.stdout, "r", "conntrack -L")]
    assert not [l for l in f if "sport=4000" in l], f
    assert [l for l in again if "sport=4000" in l and l.endswith(" [OFFLOAD] mark=0 use=2")], again
    line = [l for l in gone if "sport=4000" in l]
    assert len(line) == 1 and "OFFLOAD" not in line[0] and line[0].endswith(" use=1"), gone


# The flowtable details of nf_flow_table_core.c and nf_flow_table_ip.c, from
# the kernel's source (this machine's kernel has no nf_flow_table).

FT_PAIR = """
    host c
    router router
    host outside
    link c:eth0 router:eth0
    link router:eth1 outside:eth0 delay 1ms
    c: ip addr add 192.168.1.20/24 dev eth0
    c: ip route add default via 192.168.1.1
    router: ip addr add 192.168.1.1/24 dev eth0
    router: ip addr add 203.0.113.1/24 dev eth1
    router: sysctl -w net.ipv4.ip_forward=1
    router: nft -f nft-flowtable.nft
    outside: ip addr add 203.0.113.50/24 dev eth0
    outside: ip route add 192.168.1.0/24 via 203.0.113.1
    outside: listen tcp 80
    outside: listen udp 7 echo
"""


def _ft_scn(tmp_path, text, *args):
    from conftest import TOPOLOGIES, run, write_scn
    import shutil
    shutil.copy(TOPOLOGIES / "nft-flowtable.nft", tmp_path)
    scn = write_scn(tmp_path, "ft", FT_PAIR + text)
    res = run(scn, *args, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    return res


def test_flowtable_timeout_sysctls(tmp_path):
    # net.netfilter.nf_flowtable_{tcp,udp}_timeout (nf_tcp_net's and
    # nf_udp_net's offload_timeout, 30 s by default): a flow's idle
    # timeout (flow_offload_get_timeout, read at offload and at each
    # refresh), and what flow_offload_fixup_ct takes off the entry's
    # timeout when the flow goes back to conntrack
    from conftest import outputs
    res = _ft_scn(tmp_path, """
        router: sysctl net.netfilter.nf_flowtable_tcp_timeout
        router: sysctl net.netfilter.nf_flowtable_udp_timeout
        router: sysctl -w net.netfilter.nf_flowtable_udp_timeout=10
        router: sysctl -w net.netfilter.nf_flowtable_tcp_timeout=60
        router: ! sysctl -w net.netfilter.nf_flowtable_tcp_timeout=abc
        router: cat /proc/sys/net/netfilter/nf_flowtable_udp_timeout
        at 1s c: tcp connect 203.0.113.50:80 sport 40000 send 20000 hold
        at 1s c: udp send 203.0.113.50:7 sport 5000 count 10 interval 0.1 size 100
        at 3s router: conntrack -L
        at 15s router: conntrack -L
        at 40s router: conntrack -L
        at 70s router: conntrack -L
        end 71s
        """)
    out = res.stdout
    assert outputs(out, "router", "sysctl net.netfilter.nf_flowtable_tcp_timeout")[0].lines == \
        ["net.netfilter.nf_flowtable_tcp_timeout = 30"]
    assert outputs(out, "router", "sysctl net.netfilter.nf_flowtable_udp_timeout")[0].lines == \
        ["net.netfilter.nf_flowtable_udp_timeout = 30"]
    assert outputs(out, "router", "cat /proc/sys/net/netfilter/nf_flowtable_udp_timeout")[0] \
        .lines == ["10"]
    assert 'sysctl: setting key "net.netfilter.nf_flowtable_tcp_timeout": Invalid argument' \
        in res.stderr
    at3, at15, at40, at70 = [b.lines for b in outputs(out, "router", "conntrack -L")]
    tcp = lambda ls: [l for l in ls if "sport=40000" in l][0]
    udp = lambda ls: [l for l in ls if "sport=5000" in l][0]
    assert "[OFFLOAD]" in tcp(at3) and "[OFFLOAD]" in udp(at3)
    # UDP idle 10 s: back by 15 s, its stream timeout less 10 s (110) counting down
    assert "[OFFLOAD]" not in udp(at15) and "use=1" in udp(at15), at15
    assert 100 <= int(udp(at15).split()[2]) <= 110, at15
    # TCP idle 39 s is still offloaded with 60 s; by 70 s it is back with
    # 432000 - 60 s less what passed since
    assert "[OFFLOAD]" in tcp(at40), at40
    assert "[OFFLOAD]" not in tcp(at70) and "[ASSURED]" in tcp(at70), at70
    assert 431920 <= int(tcp(at70).split()[2]) <= 431940, at70


def _write_udp(path, frames):
    from scapy.all import IP, UDP, Raw
    from tracelib import zero_mac_frame
    from scapy.all import wrpcap
    pk = []
    for ttl, size, df, ident in frames:
        p = zero_mac_frame(IP(src="192.168.1.20", dst="203.0.113.50", ttl=ttl, id=ident,
                              flags="DF" if df else 0) /
                           UDP(sport=5000, dport=7) / Raw(b"x" * size))
        pk.append(p)
    wrpcap(str(path), pk, nano=True)


def test_fast_path_ttl_and_mtu_take_the_slow_path(tmp_path):
    # nf_flow_offload_ip_hook: a packet of an offloaded flow with TTL <= 1
    # (ip_has_options / nf_flow_exceeds_mtu aside) goes to the slow path, so
    # the router answers Time Exceeded; one longer than the route's MTU
    # too (nf_flow_exceeds_mtu), so it is fragmented, or refused with
    # fragmentation needed under DF; the flow stays offloaded for the rest
    import sys
    from conftest import ICMP, IP, ip_pkts, outputs, pcap
    sys.path.insert(0, str(ROOT / "traces"))
    _write_udp(tmp_path / "ttl1.pcap", [(1, 20, False, 0x1111)])
    _write_udp(tmp_path / "big-df.pcap", [(64, 1000, True, 0x2222)])
    _write_udp(tmp_path / "big.pcap", [(64, 1000, False, 0x3333)])
    _write_udp(tmp_path / "small.pcap", [(64, 20, False, 0x4444)])
    res = _ft_scn(tmp_path, """
        at 1s c: udp send 203.0.113.50:7 sport 5000 count 5 interval 0.1 size 100
        at 2s router: ip link set eth1 mtu 576
        at 3s c: replay ttl1.pcap dev eth0
        at 3.1s c: replay big-df.pcap dev eth0
        at 3.2s c: replay big.pcap dev eth0
        at 3.3s c: replay small.pcap dev eth0
        at 4s router: conntrack -L
        end 5s
        """, "--trace")
    ct = outputs(res.stdout, "router", "conntrack -L")[0].lines
    assert any("sport=5000" in l and "[OFFLOAD]" in l for l in ct), ct
    seen = ip_pkts(pcap(tmp_path / "out", "outside", "eth0"), proto=17, src="203.0.113.1")
    ids = [p[IP].id for p in seen]
    # TTL 1: not forwarded (the fast path would send it on with TTL 0);
    # Time Exceeded from the router, quoting it
    assert 0x1111 not in ids
    back = ip_pkts(pcap(tmp_path / "out", "c", "eth0"), proto=1, src="192.168.1.1")
    te = [p for p in back if p[ICMP].type == 11]
    assert len(te) == 1 and te[0][ICMP].code == 0
    # DF and too big for eth1's 576: fragmentation needed, MTU 576
    assert 0x2222 not in ids
    fn = [p for p in back if p[ICMP].type == 3 and p[ICMP].code == 4]
    assert len(fn) == 1 and fn[0][ICMP].nexthopmtu == 576
    # too big without DF: fragmented on the slow path, masqueraded
    frags = [p for p in seen if p[IP].id == 0x3333]
    assert len(frags) == 2 and all(len(p[IP]) <= 576 for p in frags), frags
    # a small one: the fast path, TTL - 1
    small = [p for p in seen if p[IP].id == 0x4444]
    assert len(small) == 1 and small[0][IP].ttl == 63
    # out of eth1 on the fast path: datagrams 2 to 5 and the small one
    fast = [l for l in res.stdout.splitlines() if "flowtable: offloaded flow, out eth1" in l]
    assert len(fast) == 5, fast
