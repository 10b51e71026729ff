"""Issue 14: `-j TRACE` as Debian 12's iptables-nft 1.8.9 has it
(nat/iptables/xt/xt_TRACE.c, nat/iptables/ipt_trace.c,
sim/shell/xtables_monitor.c).

TRACE is accepted in every table and sets the packet's nftrace bit; the
lines are `xtables-monitor --trace`'s. RECORDED_* are its exact lines,
captured on Linux 6.x with iptables 1.8.9 in network namespaces (a veth
pair "va"/"vb", `xtables-monitor --trace` in the background, bash's
/dev/udp and /dev/tcp sending "hi\\n" and a SYN): a PACKET line before the
first event of every base chain walk (MARK= as it is at that event), one
TRACE line per rule that matched (CONTINUE, JUMP:CHAIN, ACCEPT, DROP,
RETURN printed as 0xfffffffb) with the rule as `iptables -S` prints it,
the policy with its trailing space, nothing for a user chain that ends,
nothing before the bit is set, nat only for a flow's first packet. Rule
handles are nf_tables' (per table: chains and rules numbered in the order
iptables-nft made them; a replaced rule keeps its handle). Trace ids, IP
ids, interface names and MAC addresses are normalised: natsim's ids are
its own (nf_trace_id: the packet's serial and the run's seed).
"""
import re

from conftest import TOPOLOGIES, async_lines, explain, outputs, run, write_scn

# xtables-monitor --trace in h-i14l-a, rules of topologies/iptables-trace.scn
RECORDED_OUTPUT = """\
PACKET: 2 0256ab74 OUT=va SRC=10.9.0.1 DST=10.9.0.2 LEN=31 TOS=0x0 TTL=64 ID=30241 DF SPORT=52431 DPORT=9 
 TRACE: 2 0256ab74 raw:OUTPUT:rule:0x2:CONTINUE  -4 -t raw -A OUTPUT -p udp -j TRACE
 TRACE: 2 0256ab74 raw:OUTPUT:policy:ACCEPT 
PACKET: 2 0256ab74 OUT=va SRC=10.9.0.1 DST=10.9.0.2 LEN=31 TOS=0x0 TTL=64 ID=30241 DF SPORT=52431 DPORT=9 
 TRACE: 2 0256ab74 filter:OUTPUT:rule:0x5:JUMP:CHK  -4 -t filter -A OUTPUT -p udp -j CHK
 TRACE: 2 0256ab74 filter:CHK:rule:0x3:0xfffffffb  -4 -t filter -A CHK -p udp -m udp --dport 9 -j RETURN
 TRACE: 2 0256ab74 filter:OUTPUT:policy:ACCEPT 
PACKET: 2 0256ab74 OUT=va SRC=10.9.0.1 DST=10.9.0.2 LEN=31 TOS=0x0 TTL=64 ID=30241 DF SPORT=52431 DPORT=9 MARK=0x5 
 TRACE: 2 0256ab74 mangle:POSTROUTING:rule:0x2:CONTINUE  -4 -t mangle -A POSTROUTING -j MARK --set-xmark 0x5/0xffffffff
 TRACE: 2 0256ab74 mangle:POSTROUTING:policy:ACCEPT 
PACKET: 2 0256ab74 OUT=va SRC=10.9.0.1 DST=10.9.0.2 LEN=31 TOS=0x0 TTL=64 ID=30241 DF SPORT=52431 DPORT=9 MARK=0x5 
 TRACE: 2 0256ab74 nat:POSTROUTING:rule:0x2:ACCEPT  -4 -t nat -A POSTROUTING -o va -j MASQUERADE
PACKET: 2 192646eb OUT=va SRC=10.9.0.1 DST=10.9.0.2 LEN=31 TOS=0x0 TTL=64 ID=9943 DF SPORT=43303 DPORT=7 
 TRACE: 2 192646eb raw:OUTPUT:rule:0x2:CONTINUE  -4 -t raw -A OUTPUT -p udp -j TRACE
 TRACE: 2 192646eb raw:OUTPUT:policy:ACCEPT 
PACKET: 2 192646eb OUT=va SRC=10.9.0.1 DST=10.9.0.2 LEN=31 TOS=0x0 TTL=64 ID=9943 DF SPORT=43303 DPORT=7 
 TRACE: 2 192646eb filter:OUTPUT:rule:0x5:JUMP:CHK  -4 -t filter -A OUTPUT -p udp -j CHK
 TRACE: 2 192646eb filter:OUTPUT:rule:0x6:ACCEPT  -4 -t filter -A OUTPUT -p udp -m udp --dport 7 -j ACCEPT
PACKET: 2 192646eb OUT=va SRC=10.9.0.1 DST=10.9.0.2 LEN=31 TOS=0x0 TTL=64 ID=9943 DF SPORT=43303 DPORT=7 MARK=0x5 
 TRACE: 2 192646eb mangle:POSTROUTING:rule:0x2:CONTINUE  -4 -t mangle -A POSTROUTING -j MARK --set-xmark 0x5/0xffffffff
 TRACE: 2 192646eb mangle:POSTROUTING:policy:ACCEPT 
PACKET: 2 192646eb OUT=va SRC=10.9.0.1 DST=10.9.0.2 LEN=31 TOS=0x0 TTL=64 ID=9943 DF SPORT=43303 DPORT=7 MARK=0x5 
 TRACE: 2 192646eb nat:POSTROUTING:rule:0x2:ACCEPT  -4 -t nat -A POSTROUTING -o va -j MASQUERADE
"""

# the receive side: a restored table, -I, -R (handle kept), -A; UDP to 7
# (marked inside CHK, dropped there), then a TCP SYN to 80
RECORDED_INPUT = """\
PACKET: 2 5a88ffdd IN=va MACSRC=2:0:0:b:0:2 MACDST=2:0:0:a:0:1 MACPROTO=0800 SRC=10.9.0.2 DST=10.9.0.1 LEN=31 TOS=0x0 TTL=64 ID=41041 DF SPORT=57619 DPORT=7 
 TRACE: 2 5a88ffdd filter:CHK:rule:0x6:CONTINUE  -4 -t filter -A CHK -p udp -m udp --dport 7 -j TRACE
 TRACE: 2 5a88ffdd filter:CHK:rule:0x9:DROP  -4 -t filter -A CHK -p udp -j DROP
PACKET: 2 fb10c9d5 IN=va MACSRC=2:0:0:b:0:2 MACDST=2:0:0:a:0:1 MACPROTO=0800 SRC=10.9.0.2 DST=10.9.0.1 LEN=60 TOS=0x0 TTL=64 ID=41244 DF SPORT=46922 DPORT=80 SYN 
 TRACE: 2 fb10c9d5 filter:INPUT:rule:0x8:CONTINUE  -4 -t filter -A INPUT -p tcp -j TRACE
 TRACE: 2 fb10c9d5 filter:INPUT:rule:0x5:JUMP:CHK  -4 -t filter -A INPUT -j CHK
 TRACE: 2 fb10c9d5 filter:INPUT:policy:ACCEPT 
"""

ID = re.compile(r"^(PACKET| TRACE): 2 ([0-9a-f]{8}) ")
MAC = re.compile(r"[0-9a-f]{1,2}(?::[0-9a-f]{1,2}){5}")


def monitor_lines(res, node="r"):
    return [a.text for a in async_lines(res.stdout, node)
            if a.text.startswith(("PACKET: ", " TRACE: "))]


def normalised(lines, ifname):
    """(ids, lines with the id as ID, the IP id as N, MACs as MAC, ifname as IF)."""
    ids, out = [], []
    for line in lines:
        m = ID.match(line)
        assert m, repr(line)
        ids.append(m[2])
        line = f"{m[1]}: 2 ID " + line[m.end():]
        line = re.sub(r" ID=\d+ ", " ID=N ", line)
        line = MAC.sub("MAC", line)
        out.append(line.replace(f"={ifname} ", "=IF ").replace(f"-o {ifname} ", "-o IF "))
    return ids, out


def test_iptables_trace_output_path(tmp_path):
    res = run(TOPOLOGIES / "iptables-trace.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    ids, got = normalised(monitor_lines(res), "eth0")
    want_ids, want = normalised(RECORDED_OUTPUT.splitlines(), "va")
    assert got == want, "\n".join(got)
    # one id per packet, shared by its walks; two packets, two ids
    assert ids == [ids[0]] * 12 + [ids[12]] * 11 and ids[0] != ids[12]
    # the rule as iptables 1.8.9 prints it
    text = lambda cmd: "\n".join(outputs(res.stdout, "r", cmd)[-1].lines)
    assert text("iptables -t raw -S") == (
        "-P PREROUTING ACCEPT\n-P OUTPUT ACCEPT\n-A OUTPUT -p udp -j TRACE")
    assert ("    2    62 TRACE      17   --  *      *       0.0.0.0/0            "
            "0.0.0.0/0           ") in text("iptables -t raw -L -v -n").splitlines()
    assert "-A OUTPUT -p udp -j TRACE" in text("iptables-save -t raw").splitlines()
    # the same seed, the same ids; another seed, other ids
    again = run(TOPOLOGIES / "iptables-trace.scn", out=tmp_path / "out2")
    assert monitor_lines(again) == monitor_lines(res)
    other = run(TOPOLOGIES / "iptables-trace.scn", out=tmp_path / "out3", seed=777)
    assert normalised(monitor_lines(other), "eth0")[1] == got
    assert normalised(monitor_lines(other), "eth0")[0] != ids


RESTORE_SCN = """
    router r
    host s
    link r:eth0 s:eth0
    r: ip addr add 10.9.0.1/24 dev eth0
    s: ip addr add 10.9.0.2/24 dev eth0
    r: iptables-restore < t.rules
    r: iptables -I INPUT -p tcp -j TRACE
    r: iptables -R CHK 1 -p udp --dport 7 -j TRACE
    r: iptables -A CHK -p udp -j DROP
    {monitor}
    at 1s s: udp send 10.9.0.1:7 sport 57619 text "hi\\n"
    at 1.3s s: tcp connect 10.9.0.1:80 sport 46922
    end 2s
"""


RULES = """*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:CHK - [0:0]
-A INPUT -j CHK
-A CHK -p udp -j TRACE
-A OUTPUT -j ACCEPT
COMMIT
"""


def test_iptables_trace_input_handles(tmp_path):
    """Handles after iptables-restore, -I, -R and -A; the receive side's
    PACKET line (IN=, the MACs as ether_ntoa prints them); events only
    once the bit is set; a DROP ends the walk without a policy line."""
    (tmp_path / "t.rules").write_text(RULES)
    scn = write_scn(tmp_path, "in", RESTORE_SCN.replace(
        "{monitor}", "at 0.5s r: xtables-monitor --trace"))
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    ids, got = normalised(monitor_lines(res), "eth0")
    _, want = normalised(RECORDED_INPUT.splitlines(), "va")
    assert got == want, "\n".join(got)
    mac = re.compile(r"MACSRC=(\S+) MACDST=(\S+) ")
    for line in monitor_lines(res):
        m = mac.search(line)
        if m:   # ether_ntoa: no leading zeros
            assert all(not (len(b) == 2 and b[0] == "0") for b in ":".join(m.groups()).split(":"))


def test_iptables_trace_needs_monitor(tmp_path):
    """No monitor: no lines, nothing on stderr; `nft monitor trace` shows
    iptables' rules in nft's words (test_nft_trace.py), not xtables-monitor's
    lines, and nothing on stderr."""
    (tmp_path / "t.rules").write_text(RULES)
    scn = write_scn(tmp_path, "none", RESTORE_SCN.replace("{monitor}", ""))
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert monitor_lines(res) == []
    scn = write_scn(tmp_path, "nft", RESTORE_SCN.replace(
        "{monitor}", "at 0.5s r: nft monitor trace"))
    res = run(scn, out=tmp_path / "out2")
    assert res.rc == 0, explain(res)
    assert monitor_lines(res) == []
    assert "not implemented" not in res.stderr, explain(res)
    assert any(a.text.startswith("trace id ") for a in async_lines(res.stdout, "r"))


def test_xtables_monitor_options(tmp_path):
    scn = write_scn(tmp_path, "opts", """
        router r
        r: xtables-monitor -V
        r: ! xtables-monitor -x
        end 1s
    """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert outputs(res.stdout, "r", "xtables-monitor -V")[0].lines == ["xtables-monitor 1.8.9"]
    assert ("xtables-monitor 1.8.9: Bad argument.\n"
            "Try `xtables-monitor -h' for more information.") in res.stdout + res.stderr
    # what natsim lacks is refused before the run, in natsim's voice
    scn = write_scn(tmp_path, "ev", """
        router r
        r: xtables-monitor --event
        end 1s
    """)
    res = run(scn, out=tmp_path / "out2")
    assert res.rc != 0
    assert "natsim: xtables-monitor --event is not implemented" in res.stderr, explain(res)
