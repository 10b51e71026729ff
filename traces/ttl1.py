#!/usr/bin/python3
"""ttl1.py - one UDP datagram with TTL 1, to make a router answer ICMP time exceeded.

Zero MACs (natsim fills them). Source and destination are parameters so a test
can place it in its topology.

Usage: ttl1.py OUT.pcap SRC DST
"""
import sys

from scapy.all import IP, UDP, Raw

from tracelib import write_one, zero_mac_frame


def frame(src, dst, sport=1111, dport=2222):
    return zero_mac_frame(IP(src=src, dst=dst, ttl=1, id=0x4242) /
                          UDP(sport=sport, dport=dport) / Raw(b"time-to-live-one"))


def write(path, src, dst, **kw):
    return write_one(path, frame(src, dst, **kw))


if __name__ == "__main__":
    write(sys.argv[1], sys.argv[2], sys.argv[3])
