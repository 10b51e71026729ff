"""Issue 12 section 7: text pasted from the web, and the logs that explain.

Typographic quotes and pasted shell prompts are read as the author meant,
with a warning naming the line (as typographic dashes are); `sudo` works;
a failed `systemctl start iptables` is explained by `systemctl status` and
`journalctl -u iptables` in systemd 252's words (RHEL 9's iptables-services);
`dmesg` prints the node's kernel log as util-linux's dmesg does.
"""
import re

from conftest import run, write_scn


def scn_run(tmp_path, text):
    scn = write_scn(tmp_path, "p", text)
    return run(scn, "--no-pcap", out=tmp_path / "out")


def block(stdout, command):
    out, on = [], False
    for l in stdout.splitlines():
        m = re.match(r"^\[\s*\d+\.\d{6}\] r# (.*)$", l)
        if m:
            on = m.group(1) == command
            continue
        if on:
            out.append(l)
    return out


def test_curly_quotes_read_as_ascii_with_a_warning(tmp_path):
    res = scn_run(tmp_path, """
        router r
        r: echo “1” > /proc/sys/net/ipv4/ip_forward
        r: iptables -A INPUT -m comment --comment ‘Bob’s rule’ -j ACCEPT
        r: iptables -A INPUT -m comment --comment "it’s “quoted” inside" -j ACCEPT
        at 1s r: sysctl net.ipv4.ip_forward
        at 1s r: iptables -S INPUT
        """)
    assert res.rc == 0, res.stderr
    assert block(res.stdout, "sysctl net.ipv4.ip_forward") == ["net.ipv4.ip_forward = 1"]
    assert block(res.stdout, "iptables -S INPUT")[1:] == [
        '-A INPUT -m comment --comment "Bob’s rule" -j ACCEPT',
        '-A INPUT -m comment --comment "it’s “quoted” inside" -j ACCEPT']
    warn = [l.replace(str(tmp_path) + "/", "") for l in res.stderr.splitlines() if "warning" in l]
    assert warn == ['p.scn:2: warning: typographic quotes in “1” read as "1"',
                    "p.scn:3: warning: typographic quotes in ‘Bob’s rule’ read as 'Bob’s rule'"]


def test_pasted_prompts_stripped_with_a_warning(tmp_path):
    res = scn_run(tmp_path, """
        router r
        r: # sysctl -w net.ipv4.ip_forward=1
        r: $ sudo sysctl net.ipv4.ip_forward
        r: root@gw:~# iptables -P FORWARD DROP
        r: [root@gw ~]# sudo -E iptables -N LOGDROP
        at 1s r: admin@gw:/etc$ sudo -u root iptables -S
        r: sudo su -
        """)
    assert res.rc == 0, res.stderr
    warn = [l.replace(str(tmp_path) + "/", "") for l in res.stderr.splitlines() if "warning" in l]
    assert warn == ['p.scn:2: warning: shell prompt "#" before the command removed',
                    'p.scn:3: warning: shell prompt "$" before the command removed',
                    'p.scn:4: warning: shell prompt "root@gw:~#" before the command removed',
                    'p.scn:5: warning: shell prompt "[root@gw ~]#" before the command removed',
                    'p.scn:6: warning: shell prompt "admin@gw:/etc$" before the command removed']
    # the command runs and is shown without the prompt
    assert block(res.stdout, "sudo sysctl net.ipv4.ip_forward") == ["net.ipv4.ip_forward = 1"]
    assert block(res.stdout, "sudo -u root iptables -S") == [
        "-P INPUT ACCEPT", "-P FORWARD DROP", "-P OUTPUT ACCEPT", "-N LOGDROP"]


def test_a_comment_after_the_node_is_still_a_comment(tmp_path):
    res = scn_run(tmp_path, """
        router r
        r: sysctl net.ipv4.ip_forward # where forwarding stands
        # r: reboot
        """)
    assert res.rc == 0, res.stderr
    assert "warning" not in res.stderr


NOCONFIG_JOURNAL = [
    "Jan 01 00:00:01 r systemd[1]: Starting IPv4 firewall with iptables...",
    "Jan 01 00:00:01 r iptables.init[700]: iptables: No config file.[WARNING]",
    "Jan 01 00:00:01 r systemd[1]: iptables.service: Main process exited, code=exited, "
    "status=6/NOTCONFIGURED",
    "Jan 01 00:00:01 r systemd[1]: iptables.service: Failed with result 'exit-code'.",
    "Jan 01 00:00:01 r systemd[1]: Failed to start IPv4 firewall with iptables.",
]


def test_failed_iptables_service_is_explained(tmp_path):
    res = scn_run(tmp_path, """
        router r
        at 1s r: systemctl start iptables
        at 3s r: systemctl status iptables
        at 3s r: journalctl -u iptables
        at 3s r: systemctl is-active iptables
        at 4s r: iptables-save > /etc/sysconfig/iptables
        at 4s r: systemctl start iptables
        at 70s r: systemctl status iptables
        """)
    assert 'See "systemctl status iptables.service" and "journalctl -xeu iptables.service"' \
        in res.stderr
    assert block(res.stdout, "systemctl status iptables")[:6] == [
        "\u00d7 iptables.service - IPv4 firewall with iptables",
        "     Loaded: loaded (/usr/lib/systemd/system/iptables.service; disabled; preset: disabled)",
        "     Active: failed (Result: exit-code) since Thu 1970-01-01 00:00:01 UTC; 2s ago",
        "    Process: 700 ExecStart=/usr/libexec/iptables/iptables.init start "
        "(code=exited, status=6/NOTCONFIGURED)",
        "   Main PID: 700 (code=exited, status=6/NOTCONFIGURED)",
        ""]
    assert block(res.stdout, "systemctl status iptables")[6:11] == NOCONFIG_JOURNAL
    assert block(res.stdout, "journalctl -u iptables")[:5] == NOCONFIG_JOURNAL
    assert block(res.stdout, "systemctl is-active iptables")[0] == "failed"
    later = block(res.stdout, "systemctl status iptables")[11:]
    assert later[0] == "\u25cf iptables.service - IPv4 firewall with iptables", later
    assert later[2] == ("     Active: active (exited) since Thu 1970-01-01 00:00:04 UTC; "
                        "1min 6s ago")
    assert "Jan 01 00:00:04 r iptables.init[701]: iptables: Applying firewall rules: [  OK  ]" \
        in later
    assert later[-1] == "Jan 01 00:00:04 r systemd[1]: Finished IPv4 firewall with iptables."


def test_journalctl_without_entries(tmp_path):
    res = scn_run(tmp_path, "router r\nr: journalctl -u iptables\n")
    assert block(res.stdout, "journalctl -u iptables") == ["-- No entries --"]


def test_dmesg_prints_the_kernel_log_since_boot(tmp_path):
    res = scn_run(tmp_path, """
        router r
        host h
        link h:eth0 r:eth0
        h: ip addr add 10.0.0.2/24 dev eth0
        r: ip addr add 10.0.0.1/24 dev eth0
        r: sysctl -w net.netfilter.nf_conntrack_max=1
        r: iptables -t nat -A POSTROUTING -j MASQUERADE
        at 1.5s h: udp send 10.0.0.1:53 sport 1000
        at 2.25s h: udp send 10.0.0.1:53 sport 1001
        at 3s r: dmesg
        at 4s r: reboot
        at 5s r: dmesg
        """)
    assert res.rc == 0, res.stderr
    assert block(res.stdout, "dmesg")[:1] == [
        "[    2.250000] nf_conntrack: nf_conntrack: table full, dropping packet"]
    # after the reboot the ring buffer starts over
    second = res.stdout.split("r# reboot", 1)[1]
    assert "table full" not in second
