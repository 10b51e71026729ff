"""pkt.py - reading pcaps into the packet fields the comparison looks at.

Design choice: a plain struct parser, not scapy (the file reader is
tests/lib/pcapfile.py), so reading natsim's and tcpdump's captures is exact
(integer nanoseconds) and fast; only IPv4 frames are kept (ARP and
everything else natsim does not model are dropped here).
A packet becomes a small dict; the comparison never looks at MAC addresses
(random on veths), IP ids, TTLs or checksums; TCP sequence numbers and
payload bytes only relative to the ISN, in tcpstream.py.
"""

import socket
import struct

import pcapfile  # tests/lib (on sys.path: compare, agent.py, tests/py/conftest.py)

NS = pcapfile.NS
ICMP_ERRORS = (3, 4, 5, 11, 12)
TCP_FLAG_LETTERS = "FSRPAU"       # bit 0 .. bit 5


def read_pcap(path):
    """[(t_ns, frame bytes)] of a micro- or nanosecond pcap; a record still
    being written (tcpdump is running) ends the list."""
    return pcapfile.read(path, partial=True).frames


write_pcap = pcapfile.write


# The end mark: a frame each agent sends out of each of its interfaces after
# the scenario's end (EtherType 0x88B5, IEEE "local experimental"; no stack
# takes it). The harness stops a tcpdump only once its file holds its own
# interface's mark: every frame captured before the end is then written.
END_MARK_TYPE = 0x88B5
END_MARK_TAG = b"natsim-harness end mark "


def end_mark_frame(src_mac, nonce):
    """The end mark sent from src_mac (bytes): broadcast, tag and nonce."""
    return b"\xff" * 6 + src_mac + struct.pack("!H", END_MARK_TYPE) + END_MARK_TAG + \
        nonce.encode() + b"\0" * 16


def has_end_mark(path, src_mac, nonce):
    """Does the pcap at path hold the end mark src_mac sent with nonce?"""
    try:
        frames = read_pcap(path)
    except (OSError, ValueError, struct.error):
        return False
    want = END_MARK_TAG + nonce.encode()
    return any(b[6:12] == src_mac and b[12:14] == struct.pack("!H", END_MARK_TYPE) and
               b[14:14 + len(want)] == want for _, b in frames)


def _ip(b):
    return socket.inet_ntoa(b)


def flags_text(bits):
    return "".join(ch for i, ch in enumerate(TCP_FLAG_LETTERS) if bits & (1 << i))


def parse_ipv4(b, quoted=False):
    """Fields of an IPv4 packet (bytes from the IP header on), or None."""
    if len(b) < 20 or b[0] >> 4 != 4:
        return None
    ihl = (b[0] & 0x0F) * 4
    tot = struct.unpack("!H", b[2:4])[0]
    frag = struct.unpack("!H", b[6:8])[0]
    p = {"src": _ip(b[12:16]), "dst": _ip(b[16:20]), "protonum": b[9], "ttl": b[8],
         "ipid": struct.unpack("!H", b[4:6])[0], "len": tot}
    l4 = b[ihl:tot] if not quoted else b[ihl:]
    proto = b[9]
    if frag & 0x1FFF:
        p["proto"] = "ip-frag"
        return p
    if proto == 6 and len(l4) >= 4:
        p["proto"] = "tcp"
        p["sport"], p["dport"] = struct.unpack("!HH", l4[:4])
        if len(l4) >= 14:
            p["flags"] = flags_text(l4[13])
            p["seq"] = struct.unpack("!I", l4[4:8])[0]
            off = (l4[12] >> 4) * 4
            p["plen"] = max(0, len(l4) - off) if not quoted else 0
            if not quoted:
                p["ack"] = struct.unpack("!I", l4[8:12])[0]
                p["payload"] = bytes(l4[off:])
    elif proto == 17 and len(l4) >= 4:
        p["proto"] = "udp"
        p["sport"], p["dport"] = struct.unpack("!HH", l4[:4])
        p["plen"] = max(0, len(l4) - 8) if not quoted else 0
    elif proto == 1 and len(l4) >= 4:
        p["proto"] = "icmp"
        p["type"], p["code"] = l4[0], l4[1]
        if p["type"] in ICMP_ERRORS and not quoted:
            inner = parse_ipv4(l4[8:], quoted=True)
            p["inner"] = inner
        elif len(l4) >= 8:
            p["id"], p["seq"] = struct.unpack("!HH", l4[4:8])
        p["plen"] = max(0, len(l4) - 8)
    else:
        p["proto"] = f"ip-{proto}"
    return p


def parse_frame(frame):
    """Fields of an Ethernet frame's IPv4 packet, or None for anything else."""
    if len(frame) < 14:
        return None
    etype = struct.unpack("!H", frame[12:14])[0]
    off = 14
    if etype == 0x8100 and len(frame) >= 18:
        etype = struct.unpack("!H", frame[16:18])[0]
        off = 18
    if etype != 0x0800:
        return None
    return parse_ipv4(frame[off:])


def load(path):
    """IPv4 packets of a pcap: dicts with t (ns), frame (1-based number) and fields."""
    res = []
    for no, (t, b) in enumerate(read_pcap(path), 1):
        p = parse_frame(b)
        if p is None:
            continue
        p["t"] = t
        p["frame"] = no
        p["mac_dst"], p["mac_src"] = b[0:6], b[6:12]
        res.append(p)
    return res


def split_flooded(pkts, own_mac):
    """(frames for this interface, unicast frames a switch flooded to it).

    own_mac: the interface's MAC (bytes); both runs use natsim's MACs. A
    unicast frame neither from nor to it reached this port only because a
    switch flooded it (its destination not learned yet)."""
    kept, flooded = [], []
    for p in pkts:
        if own_mac not in (p["mac_src"], p["mac_dst"]) and not p["mac_dst"][0] & 1:
            flooded.append(p)
        else:
            kept.append(p)
    return kept, flooded


def endpoint(p, side):
    """'ADDR:PORT' (or ADDR) of the packet's src or dst side."""
    port = p.get("sport" if side == "src" else "dport")
    return f"{p[side]}:{port}" if port is not None else p[side]


def describe(p):
    """One line, tcpdump-like, for the diff."""
    proto = p.get("proto", "?")
    s = f"{proto} {endpoint(p, 'src')} > {endpoint(p, 'dst')}"
    if proto == "tcp":
        s += f" [{p.get('flags', '')}]"
        if p.get("plen"):
            s += f" len {p['plen']}"
    elif proto == "udp":
        s += f" len {p.get('plen', 0)}"
    elif proto == "icmp":
        s += f" type {p['type']} code {p['code']}"
        if "id" in p:
            s += f" id {p['id']} seq {p['seq']}"
        if p.get("inner"):
            s += " quoting (" + describe(p["inner"]) + ")"
    return s
