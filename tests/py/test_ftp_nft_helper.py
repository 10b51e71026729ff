"""test_ftp_nft_helper.py - the FTP helper attached by nft's ct helper object
(nat/nftables/nft_obj.c, `ct helper set` in nft_eval.c), read from the pcaps
of topologies/ftp-nft-helper.scn: active FTP through masquerade where the
only thing that gives port 21's control connection its helper is

    ct helper ftp-std { type "ftp" protocol tcp; l3proto ip; }
    tcp dport 21 ct helper set "ftp-std"

in a filter chain at prerouting after conntrack. With it the client's PORT
leaves the router carrying the public address (nf_nat_ftp), the client's
later sequence numbers are 3 higher outside, and the server's data
connection from port 20 reaches the client through a forward chain of
policy drop (RELATED). Port 2121's control connection, which the rule does
not name, has no helper: its PORT leaves with the private address, which
the server refuses as vsftpd does (not the control connection's peer). The
same scenario compares clean with Linux (test_kernel_compare.py)."""
import pytest

from conftest import IP, TCP, TOPOLOGIES, outputs, pcap, run_ok


def ctrl(pkts, src, dport):
    """(seq, payload) of the TCP segments from src to dport."""
    return [(p[TCP].seq, bytes(p[TCP].payload)) for p in pkts
            if IP in p and TCP in p and p[IP].src == src and p[TCP].dport == dport]


@pytest.fixture(scope="module")
def res():
    return run_ok(TOPOLOGIES / "ftp-nft-helper.scn")


def test_port_is_rewritten_outside_for_the_helped_connection(res):
    inside = ctrl(pcap(res.outdir, "c", "eth0"), "10.0.0.2", 21)
    outside = ctrl(pcap(res.outdir, "s", "eth0"), "203.0.113.1", 21)
    assert [x[1] for x in inside if x[1].startswith(b"PORT")] == [b"PORT 10,0,0,2,128,1\r\n"]
    assert [x[1] for x in outside if x[1].startswith(b"PORT")] == [b"PORT 203,0,113,1,128,1\r\n"]
    # the segments after the PORT: the client's sequence numbers 3 higher outside
    port_seq = next(s for s, d in inside if d.startswith(b"PORT"))
    later = [(i[0], o[0]) for i, o in zip(inside, outside)
             if (i[0] - port_seq) % 2**32 < 2**31 and i[0] != port_seq]
    assert later and all(o == (i + 3) % 2**32 for i, o in later), later


def test_data_connection_reaches_the_client(res):
    data = [p for p in pcap(res.outdir, "c", "eth0")
            if IP in p and TCP in p and p[IP].src == "203.0.113.10" and p[TCP].sport == 20]
    assert sum(len(p[TCP].payload) for p in data) == 5000


def test_connection_the_rule_does_not_name_has_no_helper(res):
    outside = ctrl(pcap(res.outdir, "s", "eth0"), "203.0.113.1", 2121)
    assert [x[1] for x in outside if x[1].startswith(b"PORT")] == [b"PORT 10,0,0,2,128,3\r\n"]
    replies = [bytes(p[TCP].payload) for p in pcap(res.outdir, "s", "eth0")
               if IP in p and TCP in p and p[IP].src == "203.0.113.10" and p[TCP].sport == 2121]
    assert b"500 Illegal PORT command.\r\n" in replies


def test_conntrack_names_the_kernel_helper(res):
    lines = outputs(res.stdout, "r", "conntrack -L")[0].lines
    ctl = [l for l in lines if "dport=21 " in l]
    assert len(ctl) == 1 and ctl[0].endswith(" helper=ftp use=2"), lines
