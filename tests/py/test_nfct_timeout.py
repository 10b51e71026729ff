"""`nfct timeout` and `-j CT --timeout NAME` (issue 14). The texts, exit
statuses and kernel log lines below are those of the real nfct
(conntrack-tools 1.4.7), iptables 1.8.9 (nf_tables) and Linux 6.x, recorded
in a network namespace; topologies/ct-timeout.scn compares the policy's
timeouts with the kernel (test_kernel_compare.py)."""
from conftest import ct_events, ct_list_at, explain, kernel_log, outputs, run, write_scn

V = "nfct v1.4.7: "
USAGE = "Usage: nfct command subsystem [parameters]..."
BUSY = V + "netlink error: Device or resource busy"
APPEND = "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (%s): rule in chain PREROUTING"


def _run(tmp_path, body, end="3s"):
    scn = write_scn(tmp_path, "t.scn", "host client\nrouter r\nlink client:eth0 r:eth0\n"
                    "client: ip addr add 10.0.1.2/24 dev eth0\n"
                    "r: ip addr add 10.0.1.1/24 dev eth0\n" + body + f"end {end}\n")
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    return res


def _out(res, cmd, i=0):
    return [b for b in outputs(res.stdout, "r", cmd) if b.command == cmd][i].lines


def _errors(res):
    return [l for l in res.stderr.splitlines() if not l.startswith("natsim: ")]


def _policy(name, l3, l4, states):
    return ([f".{name} = {{", f"\t.l3proto = {l3},", f"\t.l4proto = {l4},", "\t.policy = {"]
            + [f"\t\t.{s} = {v}," for s, v in states] + ["\t},", "};"])


TCP_DEFAULTS = [("SYN_SENT", 120), ("SYN_RECV", 60), ("ESTABLISHED", 432000),
                ("FIN_WAIT", 120), ("CLOSE_WAIT", 60), ("LAST_ACK", 30), ("TIME_WAIT", 120),
                ("CLOSE", 10), ("SYN_SENT2", 120), ("RETRANS", 300), ("UNACKNOWLEDGED", 300)]


def test_nfct_timeout_texts(tmp_path):
    """Unset states come from the sysctls of the moment (a changed one
    included); values wrap as seconds * HZ in 32 bits; a name is cut to 31
    bytes; an existing name is EBUSY; the errors in nfct's words."""
    res = _run(tmp_path, """\
r: sysctl -w net.netfilter.nf_conntrack_tcp_timeout_close=11
r: nfct timeout add t1 inet tcp established 100 CLOSE 10 close 12
r: ! nfct timeout add t1 inet udp replied 3
r: nfct timeout add t2 inet6 UDP replied 20
r: nfct timeout add t3 inet tcp established 4294967295
r: nfct timeout add 0123456789012345678901234567890123 inet generic timeout 9
r: nfct timeout list
r: nfct timeout get t2
r: ! nfct timeout add t6 inet tcp
r: ! nfct timeout add t6 inet
r: ! nfct timeout add t6 ip tcp close 3
r: ! nfct timeout add t6 inet foo close 3
r: ! nfct timeout add t6 inet tcp bogus 3
r: ! nfct timeout add t6 inet generic timeout 3 bogus
r: ! nfct timeout get nope
r: ! nfct timeout delete
r: ! nfct timeout delete a b
r: ! nfct timeout list x
r: ! nfct timeout bogus
r: ! nfct timeout
r: ! nfct -V
r: nfct timeout delete t1
r: nfct timeout flush
r: nfct timeout list
""")
    tcp = dict(TCP_DEFAULTS)
    tcp.update(ESTABLISHED=100, CLOSE=12)
    t3 = dict(TCP_DEFAULTS)
    t3.update(CLOSE=11, ESTABLISHED=17179868)
    assert _out(res, "nfct timeout list") == (
        _policy("t1", 2, 6, tcp.items()) + _policy("t2", 10, 17, [("UNREPLIED", 30), ("REPLIED", 20)])
        + _policy("t3", 2, 6, t3.items())
        + _policy("0123456789012345678901234567890", 2, 255, [("TIMEOUT", 9)]))
    assert _out(res, "nfct timeout get t2") == _policy("t2", 10, 17, [("UNREPLIED", 30),
                                                                     ("REPLIED", 20)])
    assert _out(res, "nfct timeout list", 1) == []
    assert _errors(res) == [
        BUSY, V + "netlink error: Invalid argument",
        V + "missing parameters",
        "syntax: nfct add timeout name family protocol state1 timeout1 ...",
        V + "unknown layer 3 protocol", V + "unknown layer 4 protocol",
        V + "Wrong state name: `bogus' for protocol `tcp'",
        V + "missing value for this timeout",
        V + "netlink error: No such file or directory",
        V + "missing timeout policy name", V + "too many arguments", V + "too many arguments",
        V + "Unknown command: timeout", USAGE, USAGE, USAGE]


def test_ct_timeout_rule_checks_and_texts(tmp_path):
    res = _run(tmp_path, """\
r: nfct timeout add u inet udp unreplied 7
r: nfct timeout add v6 inet6 tcp established 50
r: nfct timeout add gen inet generic timeout 50
r: nfct timeout add t inet tcp established 50
r: ! iptables -t raw -A PREROUTING -p udp -j CT --timeout u --timeout u
r: ! iptables -t raw -A PREROUTING -p tcp -j CT --timeout v6
r: ! iptables -t raw -A PREROUTING -p sctp -j CT --timeout gen
r: ! iptables -t raw -A PREROUTING ! -p tcp -j CT --timeout t
r: ! iptables -t raw -A PREROUTING -p tcp -j CT --timeout aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
r: ! iptables -t raw -A PREROUTING -p tcp -j CT --timeout u
r: iptables -t raw -A PREROUTING -p 99 -j CT --timeout gen
r: iptables -t raw -A PREROUTING -p tcp -j CT --zone 3 --helper ftp --timeout t
r: iptables -t raw -A PREROUTING -p tcp -j CT --notrack --timeout v6
r: nfct timeout add abcdefgh inet udp replied 3
r: iptables -t raw -A PREROUTING -p udp -j CT --timeout abcdefgh
r: ! nfct timeout delete abcdefgh
r: iptables -t raw -S PREROUTING
r: iptables -t raw -L PREROUTING -n
r: ! nfct timeout delete t
r: nfct timeout delete v6
r: nfct timeout flush
r: nfct timeout list
r: iptables -t raw -F
r: nfct timeout delete t
""")
    assert _out(res, "iptables -t raw -S PREROUTING") == [
        "-P PREROUTING ACCEPT",
        "-A PREROUTING -p 99 -j CT --timeout gen",
        "-A PREROUTING -p tcp -j CT --helper ftp --timeout t --zone 3",
        "-A PREROUTING -p tcp -j CT --notrack --timeout v6",
        "-A PREROUTING -p udp -j CT --timeout abcd"]   # 4 bytes, as the kernel gives back
    lst = _out(res, "iptables -t raw -L PREROUTING -n")
    assert [l.split(None, 4)[-1].split("0.0.0.0/0")[-1].strip() for l in lst[2:]] == [
        "CT timeout gen", "CT helper ftp timeout t zone 3", "CT notrack timeout v6",
        "CT timeout abcd"]
    # flush keeps what a rule holds (gen, t); --notrack held nothing
    assert [l for l in _out(res, "nfct timeout list") if l.startswith(".")] == [
        ".gen = {", ".t = {", ".abcdefgh = {"]
    assert _errors(res) == [
        'iptables v1.8.9 (nf_tables): CT: option "--timeout" can only be used once.', "",
        "Try `iptables -h' or 'iptables --help' for more information.",
        APPEND % "Invalid argument", APPEND % "Invalid argument", APPEND % "Invalid argument",
        APPEND % "No such file or directory", APPEND % "Invalid argument", BUSY, BUSY]
    assert [x[2] for x in kernel_log(res.outdir)] == [
        "Timeout policy `v6' can only be used by L3 protocol number 10",
        "Timeout policy `gen' can only be used by L4 protocol number 255",
        "xt_CT: You must specify a L4 protocol and not use inversions on it",
        'No such timeout policy "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"',
        "Timeout policy `u' can only be used by L4 protocol number 17"]


def test_ct_timeout_policy_sets_the_countdown(tmp_path):
    """The entry the template creates counts down from the policy's
    UNREPLIED (7 s, not the sysctl's 30), refreshed by each packet, and
    expires (a DESTROY event); an entry of a flow the rule does not see
    keeps the sysctl's; once the policy is deleted (the rule gone) the
    entries it timed fall back to the sysctls (nf_ct_untimeout)."""
    res = _run(tmp_path, """\
r: nfct timeout add short inet udp unreplied 7 replied 20
r: iptables -t raw -A PREROUTING -p udp --dport 9 -j CT --timeout short
at 1s client: udp send 10.0.1.1:9 sport 5000 size 10
at 1s client: udp send 10.0.1.1:10 sport 5000 size 10
at 1.5s r: conntrack -L
at 4s client: udp send 10.0.1.1:9 sport 5000 size 10
at 4.5s r: conntrack -L
at 12s r: conntrack -L
at 13s client: udp send 10.0.1.1:9 sport 6000 size 10
at 13.5s r: conntrack -L
at 14s r: iptables -t raw -F
at 14s r: nfct timeout delete short
at 15s client: udp send 10.0.1.1:9 sport 6000 size 10
at 15.5s r: conntrack -L
""", end="16s")

    def left(t):
        return {(e["orig"]["sport"], e["orig"]["dport"]): e["timeout"]
                for e in ct_list_at(res.stdout, t, "r")}
    assert left(1.5) == {(5000, 9): 6, (5000, 10): 29}
    assert left(4.5) == {(5000, 9): 6, (5000, 10): 26}
    assert left(12) == {(5000, 10): 19}
    assert left(13.5) == {(6000, 9): 6, (5000, 10): 17}
    assert left(15.5) == {(6000, 9): 29, (5000, 10): 15}
    destroyed = [t for t, l in ct_events(res.outdir)
                 if "[DESTROY]" in l and "sport=5000 dport=9 " in l]
    assert len(destroyed) == 1 and 11e9 <= destroyed[0] <= 12e9
