"""`-m nfacct` and the `nfacct` tool (issue 14: kube-proxy's localhost
NodePort rules). The texts and exit statuses below are those of the real
iptables 1.8.9 (nf_tables) and nfacct 1.0.2 on Linux 6.18, recorded in a
network namespace; topologies/nfacct.scn compares the same with the kernel
(test_kernel_compare.py)."""
from conftest import explain, kernel_log, outputs, run, write_scn

ZERO = "{ pkts = 00000000000000000000, bytes = 00000000000000000000 } = %s;"


def _run(tmp_path, body):
    scn = write_scn(tmp_path, "n.scn", "host client\nrouter r\nlink client:eth0 r:eth0\n"
                    "client: ip addr add 10.0.1.2/24 dev eth0\n"
                    "r: ip addr add 10.0.1.1/24 dev eth0\n" + body + "end 3s\n")
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    return res


def _out(res, cmd, i=0):
    """The output lines of the i-th run of exactly this command."""
    return [b for b in outputs(res.stdout, "r", cmd) if b.command == cmd][i].lines


def _errors(res):
    """stderr: what the failing (`!`) commands printed, in order."""
    return [l for l in res.stderr.splitlines() if not l.startswith("natsim: ")]


def test_nfacct_rule_needs_its_object(tmp_path):
    res = _run(tmp_path, """\
r: ! iptables -A INPUT -m nfacct --nfacct-name nope -j ACCEPT
r: nfacct add nope
r: ! nfacct add nope
r: iptables -A INPUT -m nfacct --nfacct-name nope -j ACCEPT
r: ! nfacct delete nope
r: iptables -D INPUT 1
r: nfacct delete nope
r: ! nfacct get nope
""")
    busy = "nfacct v1.0.2: error: Device or resource busy"
    assert _errors(res) == [
        "iptables v1.8.9 (nf_tables):  RULE_APPEND failed (No such file or directory): "
        "rule in chain INPUT", busy, busy, "nfacct v1.0.2: error: No such file or directory"]
    assert [x[2] for x in kernel_log(res.outdir)] == [
        "xt_nfacct: accounting object `nope' does not exist"]


def test_nfacct_texts(tmp_path):
    res = _run(tmp_path, """\
r: nfacct add localhost_nps_accepted_pkts
r: iptables -t nat -A OUTPUT -d 127.0.0.0/8 -p tcp -m tcp --dport 30606 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j ACCEPT
r: iptables -t nat -S OUTPUT
r: iptables -t nat -L OUTPUT -v -n
r: ! iptables -A INPUT -m nfacct
r: ! iptables -A INPUT -m nfacct ! --nfacct-name foo
r: ! iptables -A INPUT -m nfacct --nfacct-name foo --nfacct-name foo
r: ! iptables -A INPUT -m nfacct --nfacct-name
r: ! nfacct
r: ! nfacct bogus
r: ! nfacct add
r: ! nfacct add a b
r: ! nfacct add a b c
r: ! nfacct delete a b
r: ! nfacct flush x
r: ! nfacct list bogus
r: ! nfacct list reset reset
r: ! nfacct get
""")
    assert _out(res, "iptables -t nat -S OUTPUT") == [
        "-P OUTPUT ACCEPT",
        "-A OUTPUT -d 127.0.0.0/8 -p tcp -m tcp --dport 30606 -m nfacct --nfacct-name  "
        "localhost_nps_accepted_pkts -j ACCEPT"]
    line = _out(res, "iptables -t nat -L OUTPUT -v -n")[2]
    assert line.split() == [
        "0", "0", "ACCEPT", "6", "--", "*", "*", "0.0.0.0/0", "127.0.0.0/8", "tcp",
        "dpt:30606", "nfacct-name", "localhost_nps_accepted_pkts"]
    assert line.endswith(" tcp dpt:30606 nfacct-name  localhost_nps_accepted_pkts")
    ipt = "iptables v1.8.9 (nf_tables): "
    try_ = "Try `iptables -h' or 'iptables --help' for more information."
    v = "nfacct v1.0.2: "
    usage = "Usage: nfacct command [parameters]..."
    assert _errors(res) == [
        ipt + 'nfacct: option "--nfacct-name" must be specified', "", try_,
        ipt + 'nfacct: option "--nfacct-name" cannot be inverted.', "", try_,
        ipt + 'nfacct: option "--nfacct-name" can only be used once.', "", try_,
        ipt + 'option "--nfacct-name" requires an argument', try_,
        usage,
        v + "Unknown command: bogus", usage,
        v + "missing object name",
        v + "missing quota value",
        v + 'argument must "byte" or "packet"',
        v + "too many arguments",
        v + "too many arguments",
        v + "unknown argument",
        'Error: duplicate "reset" or collision with another option ',
        v + "missing object name",
    ]


def test_nfacct_counts(tmp_path):
    """Each match instance counts the packet and its IPv4 total length; a
    name is cut to 31 characters; list reset zeroes after printing; flush
    keeps the objects a rule uses, in the order they were added."""
    res = _run(tmp_path, """\
r: nfacct add foo
r: nfacct add unused
r: nfacct add 0123456789012345678901234567890
r: iptables -A INPUT -p udp -m nfacct --nfacct-name foo -m nfacct --nfacct-name foo
r: iptables -A INPUT -m nfacct --nfacct-name 0123456789012345678901234567890123
r: iptables -S INPUT
at 1s client: udp send 10.0.1.1:9 sport 5000 size 100
at 1.1s client: udp send 10.0.1.1:9 sport 5000 size 10
at 2s r: nfacct list reset
at 2s r: nfacct get foo
at 2s r: nfacct flush
at 2s r: nfacct list
""")
    assert _out(res, "iptables -S INPUT")[2] == \
        "-A INPUT -m nfacct --nfacct-name  0123456789012345678901234567890"
    assert _out(res, "nfacct list reset") == [
        "{ pkts = 00000000000000000004, bytes = 00000000000000000332 } = foo;",
        ZERO % "unused",
        "{ pkts = 00000000000000000002, bytes = 00000000000000000166 } = "
        "0123456789012345678901234567890;"]
    assert _out(res, "nfacct get foo") == [ZERO % "foo"]
    assert _out(res, "nfacct list") == [ZERO % "foo", ZERO % "0123456789012345678901234567890"]


def test_nfacct_quota_restore_monitor_refused_in_natsims_voice(tmp_path):
    for cmd in ("nfacct add q byte 10", "nfacct restore", "nfacct monitor", "nfacct list json"):
        scn = write_scn(tmp_path, "q.scn", f"router r\nr: {cmd}\nend 1s\n")
        res = run(scn, out=tmp_path / "q")
        assert res.rc != 0
        assert "natsim" in res.stderr and "not implemented" in res.stderr, res.stderr
