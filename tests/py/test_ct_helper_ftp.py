"""test_ct_helper_ftp.py - the FTP conntrack helper and expectations
(nat/conntrack/ct_helper*.c, ct_expect.c), assigned as Linux 6.x assigns
it: `iptables -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp`.

A router whose FORWARD policy is DROP and lets only ESTABLISHED,RELATED and
new control connections through: active FTP's data connection (from the
server's port 20 to the port the client's PORT named) passes only when the
helper read the PORT and made an expectation, which the data connection's
SYN consumed (RELATED, its master the control entry). The texts of
`conntrack -L` (helper=ftp, the master's use=2), `conntrack -L expect`,
the expectation events and `conntrack -S expect` are conntrack-tools
1.4.7's, as seen on Linux 6.18 (nf_conntrack_ftp, network namespaces,
python sockets as client and server)."""
import re

import pytest

from conftest import IP, TCP, ct_events, outputs, pcap, run, run_ok, write_scn

NET = """host c
router r
host s
link c:eth0 r:eth0 delay 1ms
link r:eth1 s:eth0 delay 1ms
c: ip addr add 10.0.0.1/24 dev eth0
c: ip route add default via 10.0.0.254
s: ip addr add 10.0.1.2/24 dev eth0
s: ip route add default via 10.0.1.254
r: ip addr add 10.0.0.254/24 dev eth0
r: ip addr add 10.0.1.254/24 dev eth1
r: sysctl -w net.ipv4.ip_forward=1
r: iptables -P FORWARD DROP
r: iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
r: iptables -A FORWARD -i eth0 -p tcp --dport 21 -m conntrack --ctstate NEW -j ACCEPT
"""
HELPER = "r: iptables -t raw -A PREROUTING -p tcp --dport 21 -j CT --helper ftp\n"

# a first segment of exactly one MSS (1448 bytes) ending a line, so that the
# second segment, the PORT command, starts right after a line end
FILLER = "X" * 1446 + "\\r\\n"


def data_syns(outdir):
    return [p for p in pcap(outdir, "c", "eth0")
            if IP in p and TCP in p and p[TCP].sport == 20 and p[TCP].flags == "S"]


def block(stdout, node, cmd, t_ns=None):
    bl = [b for b in outputs(stdout, node, cmd) if b.command == cmd]
    if t_ns is not None:
        bl = [b for b in bl if b.t == t_ns]
    assert bl, (cmd, stdout[-3000:])
    return bl[0].lines


@pytest.mark.parametrize("helper", [False, True])
def test_active_ftp_data_connection_needs_the_helper(tmp_path, helper):
    text = NET + (HELPER if helper else "") + """s: listen tcp 21 ftp size 5000
at 1s c: ftp get 10.0.1.2 f.bin active
at 1.5s r: conntrack -L
end 20s
"""
    res = run_ok(write_scn(tmp_path, "act", text), out=tmp_path / "o")
    got = [a.text for a in __import__("conftest").async_lines(res.stdout, "c")]
    if helper:
        assert len(data_syns(res.outdir)) == 1
        assert "ftp: f.bin: 5000 bytes received" in got, got
        lines = block(res.stdout, "r", "conntrack -L")
        assert re.fullmatch(
            r"tcp +6 \d+ TIME_WAIT src=10\.0\.0\.1 dst=10\.0\.1\.2 sport=(\d+) dport=21 "
            r"src=10\.0\.1\.2 dst=10\.0\.0\.1 sport=21 dport=\1 \[ASSURED\] mark=0 "
            r"helper=ftp use=2", lines[0]), lines
        assert re.fullmatch(
            r"tcp +6 \d+ TIME_WAIT src=10\.0\.1\.2 dst=10\.0\.0\.1 sport=20 dport=(\d+) "
            r"src=10\.0\.0\.1 dst=10\.0\.1\.2 sport=\1 dport=20 \[ASSURED\] mark=0 use=1",
            lines[1]), lines
    else:
        # the router drops the server's SYN from port 20 (FORWARD policy)
        assert data_syns(res.outdir) == []
        assert not any(t.endswith("5000 bytes received") for t in got), got


def test_expectation_texts_events_and_timeout(tmp_path):
    text = NET + HELPER + f"""s: listen tcp 21
at 1s c: tcp connect 10.0.1.2:21 sport 40000 send-text "{FILLER}PORT 10,0,0,1,200,10\\r\\n" hold
at 2s r: conntrack -L expect
at 2s r: conntrack -C expect
at 2s r: conntrack -L
at 2s r: conntrack -S expect
at 400s r: conntrack -L expect
at 400s r: conntrack -S expect
end 401s
"""
    res = run_ok(write_scn(tmp_path, "exp", text), out=tmp_path / "o")
    exp_line = ("proto=6 src=10.0.1.2 dst=10.0.0.1 sport=0 dport=51210 "
                "mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535 "
                "master-src=10.0.0.1 master-dst=10.0.1.2 sport=40000 dport=21 class=0 helper=ftp")
    assert block(res.stdout, "r", "conntrack -L expect", 2 * 10**9) == ["299 " + exp_line]
    assert "1 expectations have been shown." in res.stdout + res.stderr
    assert block(res.stdout, "r", "conntrack -C expect")[0] == "1"
    assert block(res.stdout, "r", "conntrack -L")[0].endswith(
        "sport=21 dport=40000 [ASSURED] mark=0 helper=ftp use=1")
    assert block(res.stdout, "r", "conntrack -S expect", 2 * 10**9)[0] == \
        "cpu=0   \texpect_new=0 expect_create=1 expect_delete=0 "
    # gone after its 300 s (at the gc tick after 301.01 s)
    assert block(res.stdout, "r", "conntrack -L expect", 400 * 10**9) == []
    assert block(res.stdout, "r", "conntrack -S expect", 400 * 10**9)[0] == \
        "cpu=0   \texpect_new=0 expect_create=1 expect_delete=1 "
    ev = [(t, line) for t, line in ct_events(res.outdir) if "proto=6" in line]
    assert [line.split("r: ", 1)[1] for _, line in ev] == [
        "    [NEW] 300 " + exp_line, "[DESTROY] 0 " + exp_line], ev
    assert ev[1][0] == 302 * 10**9, ev


def test_second_port_replaces_the_first_and_delete_flush(tmp_path):
    text = NET + HELPER + f"""s: listen tcp 21
at 1s c: tcp connect 10.0.1.2:21 sport 40000 send-text "{FILLER}PORT 10,0,0,1,200,10\\r\\n{'Y' * 1424}\\r\\nPORT 10,0,0,1,200,11\\r\\n" hold
at 2s r: conntrack -L expect
at 3s r: conntrack -D expect -s 10.0.1.2 -d 10.0.0.1 -p tcp --sport 0 --dport 51211
at 3s r: conntrack -D expect -s 10.0.1.2 -d 10.0.0.1 -p tcp --sport 0 --dport 51211 --reply-port-src 0 --reply-port-dst 0
at 3s r: conntrack -L expect
at 4s r: conntrack -F expect
end 5s
"""
    res = run(write_scn(tmp_path, "two", text), out=tmp_path / "o")
    lines = block(res.stdout, "r", "conntrack -L expect", 2 * 10**9)
    assert len(lines) == 1 and " dport=51211 mask-src" in lines[0], lines
    assert "You need to supply the `--reply-port-src' option" in res.stdout + res.stderr
    assert block(res.stdout, "r", "conntrack -L expect", 3 * 10**9) == []
    ev = [line.split("r: ", 1)[1][:12] for _, line in ct_events(res.outdir) if "proto=6" in line]
    assert ev == ["    [NEW] 30", "[DESTROY] 30", "    [NEW] 30", "[DESTROY] 29"], ev


def test_partial_port_is_dropped_and_sent_again(tmp_path):
    # a PORT command longer than a segment (its first number written with
    # 1443 leading zeros) is cut by the MSS: the helper drops the first
    # part (partial match, as the kernel does to keep tracking exact); the
    # client sends the same segment again, which is dropped again
    cmd = "PORT " + "0" * 1443 + "10,0,0,1,200,10\\r\\n"
    text = NET + HELPER + f"""s: listen tcp 21
at 1s c: tcp connect 10.0.1.2:21 sport 40000 send-text "{FILLER}{cmd}" hold
at 3s r: conntrack -L expect
end 4s
"""
    res = run_ok(write_scn(tmp_path, "part", text), out=tmp_path / "o")

    def partial(node, iface):
        return [p for p in pcap(res.outdir, node, iface)
                if IP in p and TCP in p and bytes(p[TCP].payload).startswith(b"PORT 000")]
    assert len(partial("c", "eth0")) >= 2     # sent, then sent again
    assert partial("s", "eth0") == []         # never forwarded
    assert block(res.stdout, "r", "conntrack -L expect") == []


def test_conntrack_E_expect_shows_only_expectation_events(tmp_path):
    text = NET + HELPER + f"""s: listen tcp 21
at 0.5s r: conntrack -E expect
at 1s c: tcp connect 10.0.1.2:21 sport 40000 send-text "{FILLER}PORT 10,0,0,1,200,10\\r\\n" hold
at 3s r: conntrack -F expect
end 4s
"""
    res = run_ok(write_scn(tmp_path, "ev", text), out=tmp_path / "o")
    shown = [a.text for a in __import__("conftest").async_lines(res.stdout, "r")]
    assert [t.split(" proto=")[0] for t in shown] == ["    [NEW] 300", "[DESTROY] 298"], shown
    assert ("conntrack v1.4.7 (conntrack-tools): 2 expectation events have been shown."
            in res.stdout + res.stderr)


def test_conntrack_E_shows_no_expectation_events(tmp_path):
    text = NET + HELPER + f"""s: listen tcp 21
at 0.5s r: conntrack -E
at 1s c: tcp connect 10.0.1.2:21 sport 40000 send-text "{FILLER}PORT 10,0,0,1,200,10\\r\\n" hold
end 4s
"""
    res = run_ok(write_scn(tmp_path, "ev2", text), out=tmp_path / "o")
    shown = [a.text for a in __import__("conftest").async_lines(res.stdout, "r")]
    assert shown and all(" proto=" not in t for t in shown), shown
    assert any("proto=6" in line for _, line in ct_events(res.outdir))


def test_reboot_drops_expectations_silently(tmp_path):
    # entries vanish without events on reboot, and so do expectations
    text = NET + HELPER + f"""s: listen tcp 21
at 1s c: tcp connect 10.0.1.2:21 sport 40000 send-text "{FILLER}PORT 10,0,0,1,200,10\\r\\n" hold
at 2s r: reboot
at 3s r: conntrack -L expect
end 4s
"""
    res = run_ok(write_scn(tmp_path, "rb", text), out=tmp_path / "o")
    ev = [line for _, line in ct_events(res.outdir) if "proto=6" in line]
    assert len(ev) == 1 and "[NEW]" in ev[0], ev
    assert block(res.stdout, "r", "conntrack -L expect") == []


def test_master_deleted_takes_its_expectation(tmp_path):
    # nf_ct_remove_expectations: the control entry goes (conntrack -D), its
    # expectation goes with it, a DESTROY event at that moment
    text = NET + HELPER + f"""s: listen tcp 21
at 1s c: tcp connect 10.0.1.2:21 sport 40000 send-text "{FILLER}PORT 10,0,0,1,200,10\\r\\n" hold
at 10s r: conntrack -D -p tcp --dport 21
at 11s r: conntrack -L expect
end 12s
"""
    res = run_ok(write_scn(tmp_path, "del", text), out=tmp_path / "o")
    ev = [(t, line) for t, line in ct_events(res.outdir) if "proto=6" in line]
    assert len(ev) == 2 and ev[1][0] == 10 * 10**9, ev
    assert ev[1][1].split("r: ", 1)[1].startswith("[DESTROY] 291 proto=6"), ev
    assert block(res.stdout, "r", "conntrack -L expect") == []
