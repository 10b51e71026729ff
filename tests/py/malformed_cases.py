"""malformed_cases.py - the malformed frames of test_malformed.py, shared with
tests/kernel/malformed_check.py, which sends the same bytes to a real Linux
router in network namespaces and prints what the kernel did.

Topology of both: a (192.168.1.10) -- eth0 router eth1 -- b (203.0.113.20);
the router forwards with MASQUERADE on eth1 (conntrack loaded). Each case is
a list of frames sent from a (or from b with `from_b`) towards b.
"""
from scapy.all import ARP, ICMP, IP, IPv6, TCP, UDP, Dot1Q, Ether, Raw

A, B, R0, R1 = "192.168.1.10", "203.0.113.20", "192.168.1.1", "203.0.113.1"


def eth(p, dst="00:00:00:00:00:00"):
    return bytes(Ether(dst=dst, src="00:00:00:00:00:00") / p)


def fix(b):
    """Recompute the IPv4 header checksum of a raw frame (after an edit)."""
    b = bytearray(b)
    ihl = (b[14] & 15) * 4
    b[24:26] = b"\0\0"
    s = 0
    for i in range(14, 14 + min(ihl, len(b) - 14), 2):
        s += (b[i] << 8) + (b[i + 1] if i + 1 < len(b) else 0)
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    b[24:26] = (~s & 0xffff).to_bytes(2, "big")
    return bytes(b)


def udp(sport=1000, payload=b"payload!", **ip):
    return IP(src=A, dst=B, **ip) / UDP(sport=sport, dport=9) / Raw(payload)


def edit(frame, off, val):
    b = bytearray(frame)
    b[off:off + len(val)] = val
    return bytes(b)


def cases():
    c = {}
    c["eth_truncated"] = [eth(udp())[:10]]
    c["ip_truncated"] = [eth(udp())[:14 + 12]]
    u = eth(udp(1001))
    c["ihl_below_5"] = [fix(edit(u, 14, b"\x44"))]
    c["ihl_past_packet"] = [fix(edit(u, 14, b"\x4f"))]
    c["totlen_above_frame"] = [fix(edit(u, 16, (200).to_bytes(2, "big")))]
    c["totlen_below_ihl"] = [fix(edit(u, 16, (12).to_bytes(2, "big")))]
    # total length smaller than the frame: trailing bytes are trimmed
    c["totlen_below_frame"] = [eth(udp(1002)) + b"TRAILERTRAILERTRAILER"]
    t = IP(bytes(IP(src=A, dst=B) / TCP(sport=2000, dport=80, flags="S")))
    tb = eth(t)
    c["tcp_truncated"] = [fix(edit(tb, 16, (20 + 10).to_bytes(2, "big"))[:14 + 30])]
    c["udp_truncated"] = [fix(edit(eth(udp(1003)), 16, (24).to_bytes(2, "big"))[:14 + 24])]
    ic = eth(IP(src=A, dst=B) / ICMP(id=77, seq=1) / Raw(b"ping"))
    c["icmp_truncated"] = [fix(edit(ic, 16, (23).to_bytes(2, "big"))[:14 + 23])]
    c["tcp_doff_below_5"] = [edit(tb, 14 + 20 + 12, b"\x40")]
    c["tcp_doff_past_segment"] = [edit(tb, 14 + 20 + 12, b"\xf0")]
    c["ip_bad_checksum"] = [edit(eth(udp(1004)), 24, b"\xde\xad")]
    c["udp_bad_checksum"] = [edit(eth(udp(1005)), 14 + 20 + 6, b"\xde\xad")]
    c["tcp_bad_checksum"] = [edit(tb, 14 + 20 + 16, b"\xde\xad")]
    c["ttl_1"] = [eth(udp(1006, ttl=1))]
    c["ttl_0"] = [eth(udp(1007, ttl=0))]
    c["ip_options_nop"] = [eth(udp(1008, options=b"\x01\x01\x01\x00"))]
    # record route with room for two addresses
    c["ip_options_rr"] = [eth(udp(1009, options=b"\x07\x0b\x04" + b"\0" * 8 + b"\0"))]
    # ICMP errors from b about a datagram the router NATed: one quoting only
    # 4 bytes of the UDP header, one quoting an ICMP error
    quoted = bytes(IP(src=R1, dst=B) / UDP(sport=1010, dport=9))[:24]
    c["icmp_error_quoting_truncated"] = [
        eth(udp(1010)),
        ("b", eth(IP(src=B, dst=R1) / ICMP(type=3, code=3) / Raw(quoted))),
    ]
    inner_err = bytes(IP(src=R1, dst=B) / ICMP(type=3, code=1) / IP(src=B, dst=R1) / UDP(sport=9, dport=1011))
    c["icmp_error_quoting_icmp_error"] = [
        ("b", eth(IP(src=B, dst=R1) / ICMP(type=3, code=3) / Raw(inner_err[:28 + 20 + 8]))),
    ]
    c["vlan_tagged"] = [eth(Dot1Q(vlan=5) / udp(1012))]
    c["vlan_priority_tag"] = [eth(Dot1Q(vlan=0, prio=3) / udp(1013))]
    c["arp_request"] = [eth(ARP(op=1, hwsrc="02:00:00:00:00:0a", psrc=A, pdst=R0),
                            dst="ff:ff:ff:ff:ff:ff")]
    c["ipv6"] = [eth(IPv6(src="fd00::a", dst="fd00::b") / UDP(sport=1, dport=9) / Raw(b"six"))]
    c["jumbo_frame"] = [eth(udp(1014, payload=b"J" * 8000))]
    return c
