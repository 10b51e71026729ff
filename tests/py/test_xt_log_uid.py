"""-j LOG --log-uid: UID=0 GID=0 (nf_log_dump_sk_uid_gid) on what natsim's
applications send, as they run as root; none on the stack's own packets
(an ICMP error: a socket without a file), on a listener's SYN-ACK (a
request sock, not a full socket) or on forwarded packets (no socket).
The texts are tests/unit/test_xt_real.c's (block 23)."""
from conftest import explain, kernel_log, run, write_scn

SCN = """host client
router router
host server
link client:eth0 router:eth0
link router:eth1 server:eth0
client: ip addr add 10.0.1.2/24 dev eth0
client: ip route add default via 10.0.1.1
router: ip addr add 10.0.1.1/24 dev eth0
router: ip addr add 10.0.2.1/24 dev eth1
router: sysctl -w net.ipv4.ip_forward=1
router: iptables -A OUTPUT -j LOG --log-prefix "out: " --log-uid
router: iptables -A FORWARD -j LOG --log-prefix "fwd: " --log-uid
router: listen tcp 80
server: ip addr add 10.0.2.2/24 dev eth0
server: ip route add default via 10.0.2.1
server: listen udp 9
at 1s router: udp send 10.0.2.2:9 sport 6000
at 2s client: udp send 10.0.1.1:99 sport 5001
at 3s client: udp send 10.0.2.2:9 sport 5002
at 4s client: tcp connect 10.0.1.1:80 sport 5003 send 10 close
end 6s
"""


def test_log_uid_names_root_on_application_packets(tmp_path):
    res = run(write_scn(tmp_path, "loguid", SCN), out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    lines = [t.rstrip() + " " for _, _, t in kernel_log(res.outdir, "router")
             if t.startswith(("out: ", "fwd: "))]
    udp = [ln for ln in lines if "SPT=6000" in ln]
    assert len(udp) == 1 and udp[0].endswith("UID=0 GID=0 "), udp
    icmp = [ln for ln in lines if "PROTO=ICMP" in ln]
    assert len(icmp) == 1 and "UID=" not in icmp[0], icmp
    fwd = [ln for ln in lines if "fwd: " in ln]
    assert fwd and all("UID=" not in ln for ln in fwd), fwd
    synack = [ln for ln in lines if "SPT=80" in ln and " SYN " in ln]
    assert len(synack) == 1 and "UID=" not in synack[0], synack
    later = [ln for ln in lines if "SPT=80" in ln and " SYN " not in ln]
    assert later and all(ln.endswith("UID=0 GID=0 ") for ln in later), later
