"""tracelib.py - what the scapy trace scripts share.

A replayed frame carries all-zero MACs (natsim fills in the link peer's and
the interface's own) and a fixed timestamp, so the pcap a script writes is the
same on every run.
"""
from scapy.all import Ether, wrpcap

EPOCH = 1700000000


def zero_mac_frame(l3):
    """An Ethernet frame around `l3` with zero MACs, rebuilt (checksums set)."""
    p = Ether(bytes(Ether(dst="00:00:00:00:00:00", src="00:00:00:00:00:00") / l3))
    p.time = EPOCH
    return p


def write_one(path, frame):
    """Write one frame to a nanosecond pcap; returns the frame."""
    wrpcap(str(path), [frame], nano=True)
    return frame
