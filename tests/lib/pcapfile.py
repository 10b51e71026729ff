"""pcapfile.py - reading and writing pcap files without scapy.

Shared by the pytest suite (tests/py/conftest.py: exact nanosecond timestamps
next to scapy's view of the same file) and the kernel comparison
(tests/kernel/pkt.py: natsim's and tcpdump's captures, and the end mark the
harness waits for in a file tcpdump is still writing).

Design choice: a plain struct reader, so timestamps are exact integers of
nanoseconds (scapy turns them into floats). `partial=True` reads a file that
is still being written: a short file is empty and a record cut short ends
the list; otherwise anything truncated is an error.
"""

import struct
from collections import namedtuple

NS = 1_000_000_000
LE_MAGICS = (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")   # micro, nano
BE_MAGICS = (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d")
NANO_MAGICS = (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")

Pcap = namedtuple("Pcap", "linktype nano frames")  # frames: [(t_ns, bytes)]


def read(path, partial=False):
    """The pcap at path as Pcap(linktype, nano, [(t_ns, frame bytes)]).

    ValueError if it is not a pcap, or (unless partial) is cut short."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        if partial:
            return Pcap(None, False, [])
        raise ValueError(f"{path}: truncated pcap header")
    magic = data[:4]
    if magic in LE_MAGICS:
        end = "<"
    elif magic in BE_MAGICS:
        end = ">"
    else:
        raise ValueError(f"{path}: not a pcap file (magic {magic.hex()})")
    nano = magic in NANO_MAGICS
    linktype = struct.unpack(end + "I", data[20:24])[0]
    frames, off = [], 24
    while off < len(data):
        if off + 16 > len(data):
            if partial:
                break
            raise ValueError(f"{path}: truncated record header")
        sec, frac, caplen, _origlen = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        if off + caplen > len(data):
            if partial:
                break               # a record still being written
            raise ValueError(f"{path}: truncated record")
        frames.append((sec * NS + (frac if nano else frac * 1000), data[off:off + caplen]))
        off += caplen
    return Pcap(linktype, nano, frames)


def write(path, frames, nano=True):
    """Write [(t_ns, bytes)] as an Ethernet pcap (for doctored copies in tests)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D if nano else 0xA1B2C3D4, 2, 4, 0, 0,
                            262144, 1))
        for t, b in frames:
            frac = t % NS if nano else (t % NS) // 1000
            f.write(struct.pack("<IIII", t // NS, frac, len(b), len(b)))
            f.write(b)
