#!/usr/bin/python3
"""ttl1.py - one UDP datagram with TTL 1, to make a router answer ICMP time exceeded.

Zero MACs (natsim fills them). Source and destination are parameters so a test
can place it in its topology.

Usage: ttl1.py OUT.pcap SRC DST
"""
import sys

from scapy.all import IP, UDP, Ether, Raw, wrpcap


def frame(src, dst, sport=1111, dport=2222):
    p = Ether(dst="00:00:00:00:00:00", src="00:00:00:00:00:00") / \
        IP(src=src, dst=dst, ttl=1, id=0x4242) / UDP(sport=sport, dport=dport) / \
        Raw(b"time-to-live-one")
    p = Ether(bytes(p))
    p.time = 1700000000
    return p


def write(path, src, dst, **kw):
    p = frame(src, dst, **kw)
    wrpcap(str(path), [p], nano=True)
    return p


if __name__ == "__main__":
    write(sys.argv[1], sys.argv[2], sys.argv[3])
