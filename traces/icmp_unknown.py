#!/usr/bin/python3
"""icmp_unknown.py - an ICMP port unreachable quoting a UDP flow nobody opened.

A router's conntrack must find no entry for the quoted tuple: the error is
INVALID (not RELATED), `conntrack -S` counts it under `error`.

Usage: icmp_unknown.py OUT.pcap SRC DST   (SRC sends the error to DST; the
quoted datagram went DST:5555 -> SRC:6666)
"""
import sys

from scapy.all import ICMP, IP, UDP, Raw

from tracelib import write_one, zero_mac_frame


def frame(src, dst, qsport=5555, qdport=6666):
    quoted = IP(src=dst, dst=src, ttl=63, id=0x777) / UDP(sport=qsport, dport=qdport) / Raw(b"q" * 12)
    return zero_mac_frame(IP(src=src, dst=dst, id=0x778) / ICMP(type=3, code=3) / bytes(quoted))


def write(path, src, dst, **kw):
    return write_one(path, frame(src, dst, **kw))


if __name__ == "__main__":
    write(sys.argv[1], sys.argv[2], sys.argv[3])
