"""test_tftp_ports.py - `modprobe nf_conntrack_tftp ports=69,1069`: one helper
per port, named as the kernel's nf_ct_helper_init names them. For a port
other than the default, nf_conntrack_tftp passes the port's index in the
list as the name's ID (nf_conntrack_ftp passes the port itself: "ftp-2121"),
so ports=69,1069 registers "tftp" and "tftp-1" (Linux 6.x's
net/netfilter/nf_conntrack_tftp.c; the host's module is loaded with its
default ports, so the name is taken from the source, not from a live
modprobe). A TFTP read through masquerade to port 1069 with `-j CT --helper
tftp-1` (and one with nft's `ct helper` object of type "tftp-1") gets the
helper: the server's data from its new port reaches the client, and
`conntrack -L` ends `helper=tftp-1`."""
import pytest

from conftest import IP, UDP, outputs, pcap, run_ok, write_scn

HEAD = """
host c
router r
host s
link c:eth0 r:eth0 delay 1ms
link r:eth1 s:eth0 delay 1ms
c: ip addr add 10.0.0.2/24 dev eth0
c: ip route add default via 10.0.0.1
s: ip addr add 203.0.113.10/24 dev eth0
s: ip route add default via 203.0.113.1
r: ip addr add 10.0.0.1/24 dev eth0
r: ip addr add 203.0.113.1/24 dev eth1
r: sysctl -w net.ipv4.ip_forward=1
r: modprobe nf_conntrack_tftp ports=69,1069
r: modprobe nf_nat_tftp
r: iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE
r: iptables -P FORWARD DROP
r: iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
r: iptables -A FORWARD -i eth0 -o eth1 -j ACCEPT
s: listen udp 1069 tftp size 1300
"""

TAIL = """
at 1s c: tftp get 203.0.113.10 f.img port 1069
at 1.05s r: conntrack -L
end 3s
"""

ATTACH = {
    "ct-target": "r: iptables -t raw -A PREROUTING -p udp --dport 1069 -j CT --helper tftp-1\n",
    "nft-object": "r: nft add table ip h\n"
                  "r: nft 'add ct helper ip h t1 { type \"tftp-1\" protocol udp; }'\n"
                  "r: nft 'add chain ip h pre { type filter hook prerouting priority 0; }'\n"
                  "r: nft add rule ip h pre udp dport 1069 ct helper set t1\n",
}


@pytest.mark.parametrize("how", sorted(ATTACH))
def test_second_port_has_helper_tftp_1(tmp_path, how):
    res = run_ok(write_scn(tmp_path, "t", HEAD + ATTACH[how] + TAIL), out=tmp_path / "out")
    lines = outputs(res.stdout, "r", "conntrack -L")[0].lines
    req = [l for l in lines if "dport=1069 " in l]
    assert len(req) == 1 and req[0].endswith(" helper=tftp-1 use=2"), lines
    data = [p for p in pcap(res.outdir, "c", "eth0")
            if IP in p and UDP in p and p[IP].src == "203.0.113.10" and p[UDP].sport != 1069]
    assert sum(len(p[UDP].payload) - 4 for p in data) == 1300


def test_helper_names_of_the_ports(tmp_path):
    """"tftp" is the default port's helper, "tftp-1" the second port's; no
    helper carries the port number (the CT target's check takes "tftp-1",
    the nft object of a name no module registered is refused)."""
    scn = write_scn(tmp_path, "n", HEAD + """
r: nft add table ip h
r: nft 'add ct helper ip h a { type "tftp" protocol udp; }'
r: nft 'add ct helper ip h b { type "tftp-1" protocol udp; }'
r: ! nft 'add ct helper ip h c { type "tftp-1069" protocol udp; }'
r: nft list ct helpers table ip h
""")
    res = run_ok(scn, out=tmp_path / "out")
    out = outputs(res.stdout, "r", "nft list ct helpers")[0].lines
    assert [l.strip() for l in out if "type" in l] == [
        'type "tftp" protocol udp', 'type "tftp-1" protocol udp']
