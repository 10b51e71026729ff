#!/usr/bin/python3
"""offload.py - turn off checksum and segmentation offloads on interfaces (no ethtool needed).

usage: offload.py IF...   (run inside the interfaces' namespace), or
       offload.in_netns(PATH, IFS) from the harness itself

Design choice: a veth hands packets on with CHECKSUM_PARTIAL and as GSO
super-frames; tcpdump would then capture 64 kB "segments" and relay.py would
pass on frames with unfinished checksums. With tx checksumming, scatter-gather,
TSO, GSO and GRO off (the legacy SIOCETHTOOL set commands, still served by
every kernel), each captured frame is what a wire would carry, as in natsim.
"""
import ctypes
import fcntl
import socket
import struct
import sys

SIOCETHTOOL = 0x8946
# ETHTOOL_STXCSUM, ETHTOOL_SSG, ETHTOOL_STSO, ETHTOOL_SGSO, ETHTOOL_SGRO
COMMANDS = (0x17, 0x19, 0x1F, 0x24, 0x2C)


def off(sock, ifname):
    for cmd in reversed(COMMANDS):          # GRO, GSO, TSO before csum/sg
        val = ctypes.create_string_buffer(struct.pack("II", cmd, 0))
        ifr = struct.pack("16sP", ifname.encode(), ctypes.addressof(val))
        try:
            fcntl.ioctl(sock, SIOCETHTOOL, ifr)
        except OSError:
            pass                            # feature fixed on this device: fine


def in_netns(name, ifnames):
    """off() on the interfaces of namespace NAME, from this process (netns.py)."""
    import netns
    with netns.entered(name):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for ifname in ifnames:
                off(s, ifname)


def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for ifname in sys.argv[1:]:
        off(s, ifname)


if __name__ == "__main__":
    main()
