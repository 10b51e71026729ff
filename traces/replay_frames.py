#!/usr/bin/python3
"""replay_frames.py - a few hand-made frames with chosen timestamps, for `replay`.

Five UDP datagrams from 10.9.0.1 to 10.9.0.2 at irregular offsets (0, 1 ms,
1.5 ms, 100 ms, 1 s after an arbitrary epoch). Frames 0-3 carry all-zero MACs so
natsim fills them (destination: the link peer, source: the interface); frame 4
carries explicit MACs that natsim must send byte for byte. Written as a
nanosecond pcap so the offsets are exact.

Usage: replay_frames.py OUT.pcap   (tests call write() directly)
"""
import sys
from decimal import Decimal

from scapy.all import IP, UDP, Ether, Raw, wrpcap
from scapy.utils import EDecimal

EPOCH = Decimal("1700000000.250000000")
OFFSETS_NS = [0, 1_000_000, 1_500_000, 100_000_000, 1_000_000_000]
SRC, DST = "10.9.0.1", "10.9.0.2"
EXPLICIT_DST_MAC = "02:aa:bb:cc:dd:01"
EXPLICIT_SRC_MAC = "02:aa:bb:cc:dd:02"


def frames():
    res = []
    for i, off in enumerate(OFFSETS_NS):
        if i < 4:
            eth = Ether(dst="00:00:00:00:00:00", src="00:00:00:00:00:00")
        else:
            eth = Ether(dst=EXPLICIT_DST_MAC, src=EXPLICIT_SRC_MAC)
        p = eth / IP(src=SRC, dst=DST, id=0x100 + i, ttl=64) / \
            UDP(sport=4000 + i, dport=9999) / Raw(bytes([i]) * (20 + 10 * i))
        p = Ether(bytes(p))          # freeze checksums and lengths
        p.time = EDecimal(EPOCH + Decimal(off) / Decimal(1_000_000_000))
        res.append(p)
    return res


def write(path):
    pkts = frames()
    wrpcap(str(path), pkts, nano=True)
    return pkts


if __name__ == "__main__":
    write(sys.argv[1] if len(sys.argv) > 1 else "replay_frames.pcap")
