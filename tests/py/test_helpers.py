"""Self-tests of conftest.py's helpers and tests/lib (no natsim needed).

The jhash2 pool-address choice is checked against values observed on a real
Linux 6.18 kernel (network namespaces, iptables 1.8.9 nf_tables, SNAT --to
1.2.3.4-1.2.3.6, one UDP datagram per client/server pair). Note the key is the
whole 16-byte union nf_inet_addr (4 words, 3 of them zero for IPv4): hashing one
word gives different, wrong answers.
"""
import pytest

import pcapfile
from conftest import (ICMP, IP, UDP, Ether, Raw, checksum_errors, checksums_ok,
                      jhash2, nat_pool_pick, parse_ct_line, pcap_raw)

# (client, server) -> pool address Linux chose
KERNEL_PICKS = {
    ("192.168.1.10", "203.0.113.10"): "1.2.3.5",
    ("192.168.1.10", "203.0.113.20"): "1.2.3.6",
    ("192.168.1.10", "203.0.113.30"): "1.2.3.6",
    ("192.168.1.11", "203.0.113.10"): "1.2.3.5",
    ("192.168.1.11", "203.0.113.20"): "1.2.3.5",
    ("192.168.1.11", "203.0.113.30"): "1.2.3.6",
    ("192.168.1.12", "203.0.113.10"): "1.2.3.6",
    ("192.168.1.12", "203.0.113.20"): "1.2.3.6",
    ("192.168.1.12", "203.0.113.30"): "1.2.3.6",
    ("192.168.1.13", "203.0.113.10"): "1.2.3.4",
    ("192.168.1.13", "203.0.113.20"): "1.2.3.5",
    ("192.168.1.13", "203.0.113.30"): "1.2.3.4",
}


@pytest.mark.parametrize("pair", sorted(KERNEL_PICKS))
def test_jhash_pool_pick_matches_kernel(pair):
    assert nat_pool_pick(pair[0], pair[1], "1.2.3.4", "1.2.3.6") == KERNEL_PICKS[pair]


def test_jhash2_known_vector():
    # lookup3 hashword() of an empty key is the initial value mix: 0xdeadbeef + init
    assert jhash2([], 0) == 0xDEADBEEF
    assert jhash2([], 1) == 0xDEADBEF0
    assert jhash2([1, 2, 3, 4], 0) != jhash2([1, 2, 3, 5], 0)


def test_parse_ct_line():
    d = parse_ct_line("tcp      6 431999 ESTABLISHED src=192.168.1.2 dst=203.0.113.20 "
                      "sport=40000 dport=80 src=203.0.113.20 dst=203.0.113.1 sport=80 "
                      "dport=232 [ASSURED] mark=0 use=1")
    assert d["proto"] == "tcp" and d["protonum"] == 6 and d["timeout"] == 431999
    assert d["state"] == "ESTABLISHED" and d["assured"] and not d["unreplied"]
    assert d["orig"] == {"src": "192.168.1.2", "dst": "203.0.113.20", "sport": 40000, "dport": 80}
    assert d["reply"]["dport"] == 232 and d["mark"] == 0 and d["use"] == 1
    d = parse_ct_line("udp      17 29 src=192.168.1.2 dst=192.168.1.5 sport=137 dport=1025 "
                      "[UNREPLIED] src=192.168.1.5 dst=192.168.1.2 sport=1025 dport=137 mark=0 use=1")
    assert d["state"] is None and d["unreplied"] and d["reply"]["sport"] == 1025
    # accounting (nf_conntrack_acct=1) is per direction, not part of a tuple
    d = parse_ct_line("udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport=5 dport=6 packets=2 "
                      "bytes=60 src=10.0.0.2 dst=10.0.0.1 sport=6 dport=5 packets=1 bytes=30 "
                      "mark=0 use=1")
    assert d["counters"] == [[2, 60], [1, 30]] and d["orig"]["dport"] == 6
    assert d["flags"] == set() and not d["unreplied"] and not d["assured"]
    assert parse_ct_line("conntrack v1.4.7 (conntrack-tools): 1 flow entries have been "
                         "shown.") is None


def test_pcapfile_strict_and_partial(tmp_path):
    f = tmp_path / "x.pcap"
    frames = [(1_000_000_007, b"\x01" * 60), (2_500_000_000, b"\x02" * 42)]
    pcapfile.write(f, frames)
    raw = pcap_raw(f)
    assert (raw.linktype, raw.nano, raw.frames) == (1, True, frames)
    pcapfile.write(f, frames, nano=False)   # microseconds: the nanoseconds are cut
    assert pcap_raw(f).frames == [(1_000_000_000, frames[0][1]), frames[1]]
    f.write_bytes(f.read_bytes()[:-5])      # the last record cut short
    with pytest.raises(ValueError, match="truncated record"):
        pcap_raw(f)
    assert pcapfile.read(f, partial=True).frames == [(1_000_000_000, frames[0][1])]
    f.write_bytes(b"\xd4\xc3")
    assert pcapfile.read(f, partial=True).frames == []
    with pytest.raises(ValueError):
        pcap_raw(f)


def test_checksum_helper_detects_damage():
    inner = IP(src="10.0.0.1", dst="10.0.0.2") / UDP(sport=1, dport=2) / Raw(b"abc")
    good = Ether(bytes(Ether() / IP(src="10.0.0.2", dst="10.0.0.1") / ICMP(type=3, code=3) / bytes(inner)))
    assert checksums_ok(good) and not checksum_errors(good)
    b = bytearray(bytes(good))
    b[14 + 20 + 8 + 10] ^= 0xFF          # the quoted IP header checksum
    errs = checksum_errors(Ether(bytes(b)))
    assert any("ICMP-quoted" in e for e in errs) and not checksums_ok(Ether(bytes(b)))
    u = bytearray(bytes(Ether() / IP() / UDP() / Raw(b"xyz")))
    u[-1] ^= 1
    assert not checksums_ok(Ether(bytes(u)))
