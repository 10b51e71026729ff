"""--trace: the packet walk in trace.log (issue 5, acceptance 1).

The walk of seed-snat.scn is read from DIR/trace.log: one block per packet
per router, opened by "[T] NODE packet #ID FROM: SUMMARY", then one aligned
step line per hook/table/stage ("  HOOK        STAGE      text"). The tests
check what a learner must see for the first SYN (NEW, entry created, null
DNAT binding, the FORWARD rule that accepted it, the SNAT rule and the chosen
port, confirm with both buckets) and for the SYN-ACK (ESTABLISHED reply,
de-NAT from the entry, no nat rule traversed), and that the chosen port and
buckets agree with the pcap and with each other.
"""

import re

from conftest import TOPOLOGIES, ip_pkts, pcap, run_ok, write_scn

SEED_SNAT = TOPOLOGIES / "seed-snat.scn"
HEAD_RE = re.compile(r"^\[(\d+\.\d{6})\] (\S+) packet #(\d+) (.*?): (.*)$")
STEP_RE = re.compile(r"^  (\S+)\s+(\S*)\s+(.*)$")
TUPLE_RE = re.compile(r"^ {25}(ORIGINAL|REPLY)\s+(.*?)\s+bucket (\d+)$")


def blocks(text):
    """[(head dict, [lines])] of a trace."""
    out = []
    for line in text.splitlines():
        m = HEAD_RE.match(line)
        if m:
            out.append(({"t": m[1], "node": m[2], "id": int(m[3]), "from": m[4],
                         "pkt": m[5]}, []))
        elif out:
            body = out[-1][1]
            # a step wrapped at 100 columns continues at the text column
            if line.startswith(" " * 25) and not TUPLE_RE.match(line) and body:
                body[-1] += " " + line.strip()
            else:
                body.append(line)
    return out


def step(lines, hook, stage, text_re):
    """Index and match of the first step line of hook/stage whose text matches."""
    for i, line in enumerate(lines):
        if line.startswith("  " + hook.ljust(11) + " " + stage.ljust(10) + " "):
            m = re.match(text_re, line[25:])
            if m:
                return i, m
    raise AssertionError(f"no step {hook}/{stage} ~ {text_re!r} in:\n" + "\n".join(lines))


def tuples_after(lines, i):
    """The ORIGINAL/REPLY continuation lines right after line i."""
    got = {}
    for line in lines[i + 1:]:
        m = TUPLE_RE.match(line)
        if not m:
            break
        got[m[1]] = (m[2], int(m[3]))
    return got


def snat_trace(tmp_path, *extra):
    res = run_ok(SEED_SNAT, "--trace", *extra, out=tmp_path / "out")
    log = (res.outdir / "trace.log").read_text()
    return res, log


def test_first_syn_walk(tmp_path):
    res, log = snat_trace(tmp_path)
    bl = blocks(log)
    syn = next(b for b in bl if b[0]["node"] == "router" and b[0]["from"] == "in eth0"
               and "192.168.1.10:40000 > 203.0.113.10:80 [S]" in b[0]["pkt"])
    lines = syn[1]
    # conntrack: NEW, entry created, both tuples with their buckets
    i_ct, _ = step(lines, "PREROUTING", "conntrack", r"NEW: entry created \(unconfirmed\)")
    tup = tuples_after(lines, i_ct)
    assert tup["ORIGINAL"][0] == "tcp 192.168.1.10:40000 -> 203.0.113.10:80"
    assert tup["REPLY"][0] == "tcp 203.0.113.10:80 -> 192.168.1.10:40000"
    orig_bucket = tup["ORIGINAL"][1]
    # nat PREROUTING: the (empty) chain's policy, then the null DNAT binding
    i_pn, _ = step(lines, "PREROUTING", "nat", r"policy ACCEPT")
    i_null, _ = step(lines, "PREROUTING", "nat", r"null DNAT binding")
    i_rt, _ = step(lines, "routing", "", r"forward: route 203\.0\.113\.0/24 dev eth1")
    # the FORWARD rule that accepted it, by number and in -S form
    i_fw, _ = step(lines, "FORWARD", "filter",
                   r"rule 2: -A FORWARD -i eth0 -o eth1 -j ACCEPT => ACCEPT$")
    # the SNAT rule and the chosen port
    i_sr, _ = step(lines, "POSTROUTING", "nat",
                   r"rule 1: -A POSTROUTING -o eth1 -p tcp -j SNAT --to-source "
                   r"1\.2\.3\.4:1-1023 => SNAT$")
    i_sn, m = step(lines, "POSTROUTING", "nat",
                   r"SNAT to 1\.2\.3\.4:(\d+) \(port searched from offset (\d+)\)$")
    port = int(m[1])
    assert 1 <= port <= 1023
    # confirm with both bucket numbers; the REPLY tuple now holds the NAT port
    i_cf, m = step(lines, "POSTROUTING", "conntrack",
                   r"confirmed: in the table, ORIGINAL bucket (\d+), REPLY bucket (\d+)$")
    assert int(m[1]) == orig_bucket
    reply = tuples_after(lines, i_cf)["REPLY"]
    assert reply == (f"tcp 203.0.113.10:80 -> 1.2.3.4:{port}", int(m[2]))
    i_out, _ = step(lines, "leaves", "eth1", rf"TCP 1\.2\.3\.4:{port} > 203\.0\.113\.10:80 \[S\]$")
    # kernel order
    assert i_ct < i_pn < i_null < i_rt < i_fw < i_sr < i_sn < i_cf < i_out
    # the port the walk names is the one on the wire
    syns = [p for p in ip_pkts(pcap(res.outdir, "server", "eth0"), proto=6, dst="203.0.113.10")
            if p["TCP"].flags == "S"]
    assert port in {p["TCP"].sport for p in syns}


def test_syn_ack_walk(tmp_path):
    res, log = snat_trace(tmp_path)
    bl = blocks(log)
    syn = next(b for b in bl if b[0]["from"] == "in eth0"
               and "192.168.1.10:40000 > 203.0.113.10:80 [S]" in b[0]["pkt"])
    port = int(re.search(r"SNAT to 1\.2\.3\.4:(\d+)", "\n".join(syn[1]))[1])
    reply_bucket = int(re.search(r"REPLY bucket (\d+)", "\n".join(syn[1]))[1])
    synack = next(b for b in bl if b[0]["node"] == "router" and b[0]["from"] == "in eth1"
                  and f"203.0.113.10:80 > 1.2.3.4:{port} [S.]" in b[0]["pkt"])
    lines = synack[1]
    i_ct, _ = step(lines, "PREROUTING", "conntrack", r"ESTABLISHED reply: entry found$")
    tup = tuples_after(lines, i_ct)
    assert tup["ORIGINAL"][0] == "tcp 192.168.1.10:40000 -> 203.0.113.10:80"
    assert tup["REPLY"] == (f"tcp 203.0.113.10:80 -> 1.2.3.4:{port}", reply_bucket)
    i_nat, _ = step(lines, "PREROUTING", "nat",
                    rf"ESTABLISHED reply: de-NAT from entry, dst 1\.2\.3\.4:{port} -> "
                    r"192\.168\.1\.10:40000, no nat rule traversed$")
    # no nat rule or nat policy anywhere in the block
    assert not [ln for ln in lines if ln[2:].startswith(("PREROUTING  nat", "POSTROUTING nat"))
                and ("rule" in ln[25:31] or "policy" in ln[25:32])]
    i_fw, _ = step(lines, "FORWARD", "filter",
                   r"rule 1: -A FORWARD -m state --state RELATED,ESTABLISHED -j ACCEPT "
                   r"=> ACCEPT$")
    i_out, _ = step(lines, "leaves", "eth0",
                    r"TCP 203\.0\.113\.10:80 > 192\.168\.1\.10:40000 \[S\.\]$")
    assert i_ct < i_nat < i_fw < i_out


def test_trace_layout_and_files(tmp_path):
    res, log = snat_trace(tmp_path)
    lines = log.splitlines()
    assert lines, "trace.log is empty"
    assert max(len(ln) for ln in lines) <= 100, "the walk fits a 100-column terminal"
    # every line of trace.log is on stdout as well, in order
    out_lines = [ln for ln in res.stdout.splitlines() if ln in set(lines)]
    assert len(out_lines) >= len(lines)
    # every block starts with a head line and has a final fate
    for head, body in blocks(log):
        assert body, head
        last = body[-1]
        assert re.match(r"  (leaves|DROP|delivered) ", last) or \
            "neighbour" in last, f"block {head} ends with {last!r}"
    # one block per packet per router: the router saw every frame it forwarded
    ids = [(h["node"], h["id"]) for h, _ in blocks(log)]
    assert len(ids) == len(set(ids))


def test_trace_deterministic_and_off(tmp_path):
    _, a = snat_trace(tmp_path / "a")
    _, b = snat_trace(tmp_path / "b")
    assert a == b
    res = run_ok(SEED_SNAT, out=tmp_path / "c")
    assert not (res.outdir / "trace.log").exists()
    assert "packet #" not in res.stdout


FILTER_DROP = """
host inside
router router
host outside
link inside:eth0 router:eth0
link router:eth1 outside:eth0
inside: ip addr add 10.0.1.2/24 dev eth0
inside: ip route add default via 10.0.1.1
router: ip addr add 10.0.1.1/24 dev eth0
router: ip addr add 10.0.2.1/24 dev eth1
router: sysctl -w net.ipv4.ip_forward=1
router: iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
router: iptables -A FORWARD -i eth0 -j ACCEPT
router: iptables -P FORWARD DROP
outside: ip addr add 10.0.2.2/24 dev eth0
outside: ip route add default via 10.0.2.1
at 1s outside: udp send 10.0.1.2:53 sport 5000
at 2s router: ping -c 1 10.0.2.2
end 3s
"""


def test_policy_drop_and_local_traffic(tmp_path):
    scn = write_scn(tmp_path, "filter-drop", FILTER_DROP)
    res = run_ok(scn, "--trace", out=tmp_path / "out")
    bl = blocks((res.outdir / "trace.log").read_text())
    udp = next(b for b in bl if "UDP 10.0.2.2:5000 > 10.0.1.2:53" in b[0]["pkt"])
    lines = udp[1]
    step(lines, "PREROUTING", "conntrack", r"NEW: entry created")
    i_pol, _ = step(lines, "FORWARD", "filter", r"policy DROP \(chain FORWARD, no rule decided\)")
    i_drop, _ = step(lines, "DROP", "", r"by netfilter at FORWARD$")
    assert i_pol < i_drop == len(lines) - 1
    assert not any(ln[25:].startswith("confirmed") for ln in lines), \
        "a dropped packet confirms nothing"
    # a packet of the router itself: OUTPUT, routing, POSTROUTING
    ping = next(b for b in bl if b[0]["from"] == "locally generated")
    lines = ping[1]
    i_ct, _ = step(lines, "OUTPUT", "conntrack", r"NEW: entry created")
    i_rt, _ = step(lines, "routing", "", r"output: dev eth1")
    i_cf, _ = step(lines, "POSTROUTING", "conntrack", r"confirmed")
    assert i_ct < i_rt < i_cf
    reply = next(b for b in bl if b[0]["from"] == "in eth1" and "echo reply" in b[0]["pkt"])
    lines = reply[1]
    step(lines, "PREROUTING", "conntrack", r"ESTABLISHED reply: entry found")
    step(lines, "routing", "", r"local: the destination is the router's address")
    step(lines, "INPUT", "filter", r"policy ACCEPT")
    step(lines, "delivered", "local", r"to the router's own stack")


def test_table_full_early_drop_and_drop(tmp_path):
    res = run_ok(TOPOLOGIES / "table-full.scn", "--trace", out=tmp_path / "out")
    bl = blocks((res.outdir / "trace.log").read_text())
    full = [b for b in bl if any(re.match(
        r"  PREROUTING  conntrack  table full \(max 16\): no unassured entry in "
        r"buckets \d+-\d+ to early-drop$", ln) for ln in b[1])]
    assert full, "the walk shows the failed early drop"
    for head, lines in full:
        i_f, _ = step(lines, "PREROUTING", "conntrack", r"table full")
        i_d, _ = step(lines, "PREROUTING", "conntrack",
                      r"DROP: table full \(nf_conntrack_max reached\)$")
        i_x, _ = step(lines, "DROP", "", r"conntrack: table full \(nf_conntrack_max\) at "
                      r"PREROUTING$")
        assert i_f < i_d < i_x == len(lines) - 1
        assert not any("entry created" in ln for ln in lines)


def test_early_drop_shown(tmp_path):
    res = run_ok(TOPOLOGIES / "table-full-512.scn", "--trace", out=tmp_path / "out")
    bl = blocks((res.outdir / "trace.log").read_text())
    early = [b for b in bl if any(re.match(
        r"  PREROUTING  conntrack  table full \(max \d+\): early-dropped \d+ unassured "
        r"entr(y|ies), searched from bucket \d+$", ln) for ln in b[1])]
    assert early, "the walk shows an early drop"
    lines = early[0][1]
    i_e, _ = step(lines, "PREROUTING", "conntrack", r"table full")
    i_n, _ = step(lines, "PREROUTING", "conntrack", r"NEW: entry created")
    assert i_e < i_n
