#!/usr/bin/python3
"""icmp_unknown.py - an ICMP port unreachable quoting a UDP flow nobody opened.

A router's conntrack must find no entry for the quoted tuple: the error is
INVALID (not RELATED), `conntrack -S` counts it under `error`.

Usage: icmp_unknown.py OUT.pcap SRC DST   (SRC sends the error to DST; the
quoted datagram went DST:5555 -> SRC:6666)
"""
import sys

from scapy.all import ICMP, IP, UDP, Ether, Raw, wrpcap


def frame(src, dst, qsport=5555, qdport=6666):
    quoted = IP(src=dst, dst=src, ttl=63, id=0x777) / UDP(sport=qsport, dport=qdport) / Raw(b"q" * 12)
    p = Ether(dst="00:00:00:00:00:00", src="00:00:00:00:00:00") / \
        IP(src=src, dst=dst, id=0x778) / ICMP(type=3, code=3) / bytes(quoted)
    p = Ether(bytes(p))
    p.time = 1700000000
    return p


def write(path, src, dst, **kw):
    p = frame(src, dst, **kw)
    wrpcap(str(path), [p], nano=True)
    return p


if __name__ == "__main__":
    write(sys.argv[1], sys.argv[2], sys.argv[3])
