"""The iptables extensions of issue 14, on packets.

Each scenario's counting rules (no target) and expectations state what
Linux does; tests/py/test_kernel_compare.py compares each with the kernel
(counters included). The texts are tests/unit/test_xt_real.c's.
"""
import pytest

from conftest import (TCP, TOPOLOGIES, TRIANGLE, assert_all_checksums, explain, ip_pkts, outputs,
                      pcap, run, write_scn)

SCENARIOS = ["addrtype", "ct-match", "statistic-mark", "recent", "connmark", "limit", "len-ttl-range",
             "tcpmss", "log-flags"]


@pytest.mark.parametrize("name", SCENARIOS)
def test_extension_scenario(name, tmp_path):
    res = run(TOPOLOGIES / f"{name}.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert "expectations held" in res.stderr and "failed" not in res.stderr, res.stderr


# kube-proxy's split of a ClusterIP Service over three endpoints (its
# KUBE-SVC chain: 1/3, then 1/2 of the rest, then the last).
KUBE_SPLIT = """\
host client
router router
host e1
host e2
host e3
switch svc
link client:eth0 router:eth0
link router:eth1 svc:eth0
link e1:eth0 svc:eth1
link e2:eth0 svc:eth2
link e3:eth0 svc:eth3
client: ip addr add 10.0.1.2/24 dev eth0
client: ip route add default via 10.0.1.1
router: ip addr add 10.0.1.1/24 dev eth0
router: ip addr add 10.244.0.1/24 dev eth1
router: sysctl -w net.ipv4.ip_forward=1
router: iptables -t nat -N SVC
router: iptables -t nat -A PREROUTING -d 10.96.0.10/32 -p udp --dport 53 -j SVC
router: iptables -t nat -A SVC -m statistic --mode random --probability 0.33333333349 -p udp -j DNAT --to-destination 10.244.0.11:53
router: iptables -t nat -A SVC -m statistic --mode random --probability 0.50000000000 -p udp -j DNAT --to-destination 10.244.0.12:53
router: iptables -t nat -A SVC -p udp -j DNAT --to-destination 10.244.0.13:53
e1: ip addr add 10.244.0.11/24 dev eth0
e2: ip addr add 10.244.0.12/24 dev eth0
e3: ip addr add 10.244.0.13/24 dev eth0
at 1s client: flows udp 300 10.96.0.10:53 sport 20000-20299 rate 1000 packets 1
end 2s
"""


def _split(tmp_path, seed):
    scn = write_scn(tmp_path, "split", KUBE_SPLIT)
    res = run(scn, out=tmp_path / f"out{seed}", seed=seed)
    assert res.rc == 0, explain(res)
    return [len(ip_pkts(pcap(res.outdir, e, "eth0"), proto=17, dst=f"10.244.0.1{i}", dport=53))
            for i, e in enumerate(("e1", "e2", "e3"), 1)]


def test_statistic_random_splits_by_the_seed(tmp_path):
    """--mode random draws from the run's generator: every endpoint gets
    flows, the same seed splits the same way, another seed otherwise."""
    a = _split(tmp_path, 1)
    assert sum(a) == 300 and all(n > 50 for n in a), a
    assert _split(tmp_path, 1) == a
    assert _split(tmp_path, 2) != a


def test_recent_proc_file(tmp_path):
    """/proc/net/xt_recent/NAME reads as on Linux (recent_seq_show: the
    address, TTL, last stamp, the next slot, every stamp, in jiffies of a
    HZ=250 kernel booted at time 0), exists while a rule names the list, and
    is gone once none does."""
    scn = write_scn(tmp_path, "recent", TRIANGLE_RECENT)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    ssh = outputs(res.stdout, "router", "cat /proc/net/xt_recent/ssh")
    other = outputs(res.stdout, "router", "cat /proc/net/xt_recent/other")
    # 4294892296 + 250 * t: the datagrams at 1 s and 2 s, the forwarded
    # packet's TTL as it arrived (64)
    assert ssh[0].lines == ["src=10.0.1.2 ttl: 64 last_seen: 4294892796 oldest_pkt: 2 "
                            "4294892546, 4294892796"], ssh
    assert other[0].lines == [], other
    assert "cat: /proc/net/xt_recent/nosuch: No such file or directory" in res.stdout + res.stderr


TRIANGLE_RECENT = TRIANGLE + """\
router: iptables -A FORWARD -p udp -m recent --name ssh --set
router: iptables -A FORWARD -p udp -m recent --name other --rcheck
at 1s client: udp send 10.0.2.2:22 sport 5000 count 2 interval 1s
at 3s router: cat /proc/net/xt_recent/ssh
at 3s router: cat /proc/net/xt_recent/other
at 3s router: ! cat /proc/net/xt_recent/nosuch
end 4s
"""


def _mss(p):
    return [v for k, v in p[TCP].options if k == "MSS"]


def test_tcpmss_clamps_syn_leaving_a_small_mtu_wan(tmp_path):
    """TCPMSS on the wire: the client's SYN (MSS 1460) leaves the WAN of
    MTU 1400 with MSS 1360; the SYN/ACK reaches the client with --set-mss's
    1300; a SYN without options gets one added (536) with the total length
    grown by 4; every checksum still right."""
    res = run(TOPOLOGIES / "tcpmss.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    client = pcap(res.outdir, "client", "eth0")
    wan = pcap(res.outdir, "router", "eth1")
    syn = ip_pkts(client, proto=6, src="10.0.1.2", sport=40000)[0]
    assert syn[TCP].flags == "S" and _mss(syn) == [1460]
    syn = ip_pkts(wan, proto=6, src="10.0.1.2", sport=40000)[0]
    assert syn[TCP].flags == "S" and _mss(syn) == [1360]
    # the rest of the options untouched, in their order
    assert [k for k, _ in syn[TCP].options][1:] == ["SAckOK", "Timestamp", "NOP", "WScale"]
    synack = ip_pkts(client, proto=6, src="10.0.2.2", dport=40000)[0]
    assert synack[TCP].flags == "SA" and _mss(synack) == [1300]
    bare = ip_pkts(client, proto=6, src="10.0.1.2", sport=40001)[0]
    assert bare[TCP].options == [] and bare.len == 40
    added = ip_pkts(wan, proto=6, src="10.0.1.2", sport=40001)[0]
    assert _mss(added) == [536] and added.len == 44 and added[TCP].dataofs == 6
    assert_all_checksums(client + wan + pcap(res.outdir, "server", "eth0"), "tcpmss")


def test_log_ip_options_in_hex(tmp_path):
    """--log-ip-options: the IPv4 options as dump_ipv4_packet prints them,
    "OPT (" and each byte in upper-case hex, after the DF/MF/FRAG fields; a
    header without options prints none, and without the flag neither does
    one with options. --log-tcp-sequence on a packet that is not TCP adds
    nothing."""
    import sys
    sys.path.insert(0, str(TOPOLOGIES.parent / "traces"))
    from scapy.all import ICMP, IP, IPOption_NOP, IPOption_Router_Alert
    from tracelib import write_one, zero_mac_frame
    pc = tmp_path / "opt.pcap"
    write_one(pc, zero_mac_frame(IP(src="10.0.1.2", dst="10.0.2.2", id=7, flags="DF",
                                    options=[IPOption_NOP(), IPOption_Router_Alert()]) /
                                 ICMP(id=77, seq=1)))
    scn = tmp_path / "opt.scn"
    scn.write_text(f"""host client
router router
host server
link client:eth0 router:eth0
link router:eth1 server:eth0
client: ip addr add 10.0.1.2/24 dev eth0
client: ip route add default via 10.0.1.1
router: ip addr add 10.0.1.1/24 dev eth0
router: ip addr add 10.0.2.1/24 dev eth1
router: sysctl -w net.ipv4.ip_forward=1
router: iptables -A FORWARD -p icmp -j LOG --log-prefix "opt: " --log-ip-options --log-tcp-sequence
router: iptables -A FORWARD -p icmp -j LOG --log-prefix "plain: "
server: ip addr add 10.0.2.2/24 dev eth0
server: ip route add default via 10.0.2.1
at 1s client: replay {pc} dev eth0
end 2s
""")
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    log = (res.outdir / "kernel.log").read_text().splitlines()
    opt = [x for x in log if "opt: IN=eth0" in x]
    assert len(opt) == 1 and (" LEN=36 TOS=0x00 PREC=0x00 TTL=63 ID=7 DF OPT (0194040000000000) "
                              "PROTO=ICMP TYPE=8 CODE=0 ID=77 SEQ=1 ") in opt[0], log
    plain = [x for x in log if "plain: IN=eth0" in x]
    assert len(plain) == 1 and " ID=7 DF PROTO=ICMP " in plain[0], log
