"""tcpstream.py - a TCP conversation's bytes per direction, placed by relative sequence number.

Where a conntrack helper reads a connection and NAT rewrites its payload
(nf_nat_ftp: PORT/EPRT/227/229), counting the payload bytes is not enough:
the rewritten text and the sequence adjustment that follows it (seqadj:
every later sequence number of that direction shifted by the length change,
every ack of the other direction shifted back) are netfilter's work and are
compared here, per direction, on every interface.

Design choice: each direction's stream is rebuilt from its segments at
`seq - ISN - 1` (the ISN from its SYN; the two runs' ISNs are random, the
relative numbers are not), so segmentation, retransmissions and pure ACKs
(the TCP stacks' business) do not matter, while a rewritten byte that
differs, a shift missing (a gap, or bytes placed twice with different
content) or an ack not shifted back (an ack beyond what the peer sent, or
another final ack) does. Only conversations carrying application text (a
non-zero byte in either run) are compared this way; the zero-filled bulk of
`tcp connect ... send N` and data connections keep the byte count
(diff.py).
"""

MOD = 1 << 32


def _direction(p):
    return f"{p['src']}:{p['sport']} > {p['dst']}:{p['dport']}"


def _isns(pkts):
    """{direction: ISN}: the SYN's seq, else one less than the lowest seq."""
    isn = {}
    for p in pkts:
        d = _direction(p)
        if "S" in p.get("flags", "") and d not in isn:
            isn[d] = p["seq"]
    for p in pkts:
        d = _direction(p)
        if d not in isn and "seq" in p:
            isn[d] = (min(q["seq"] for q in pkts if _direction(q) == d) - 1) % MOD
    return isn


def rebuild(pkts):
    """{direction: {"bytes": {offset: (byte, frame)}, "clash": [...], "acks": [...]}}.

    clash: (offset, frame) where a segment puts a byte other than the one
    already there; acks: (relative ack, frame) of the direction's packets."""
    isn = _isns(pkts)
    out = {}
    for p in pkts:
        if "seq" not in p:
            continue
        d = _direction(p)
        st = out.setdefault(d, {"bytes": {}, "clash": [], "acks": []})
        rev = f"{p['dst']}:{p['dport']} > {p['src']}:{p['sport']}"
        if "A" in p.get("flags", "") and rev in isn and p.get("ack") is not None:
            st["acks"].append(((p["ack"] - isn[rev] - 1) % MOD, p["frame"]))
        data = p.get("payload") or b""
        base = (p["seq"] - isn[d] - 1) % MOD
        for k, b in enumerate(data):
            old = st["bytes"].get(base + k)
            if old is None:
                st["bytes"][base + k] = (b, p["frame"])
            elif old[0] != b:
                st["clash"].append((base + k, p["frame"]))
    return out


def has_text(pkts):
    """Does any segment carry a non-zero byte (application text)?"""
    return any(any(p.get("payload") or b"") for p in pkts)


def _text(st, lo, n=40):
    """The stream from offset lo, n bytes, gaps shown as '?'."""
    s = ""
    for off in range(lo, lo + n):
        v = st["bytes"].get(off)
        if v is None:
            if off > max(st["bytes"], default=-1):
                break
            s += "?"
        else:
            s += chr(v[0]) if 32 <= v[0] < 127 else f"\\x{v[0]:02x}"
    return f"'{s}'"


def _end(st):
    return max(st["bytes"], default=-1) + 1


def compare(conv, npk, kpk):
    """Differences of one conversation's streams (natsim npk vs Linux kpk)."""
    lines = []
    a, b = rebuild(npk), rebuild(kpk)
    for d in sorted(set(a) | set(b)):
        sa = a.get(d, {"bytes": {}, "clash": [], "acks": []})
        sb = b.get(d, {"bytes": {}, "clash": [], "acks": []})
        for run, st in (("natsim", sa), ("Linux", sb)):
            for off, frame in st["clash"][:1]:
                lines.append(f"{conv}: {d}: {run} frame {frame} puts other bytes at relative "
                             f"seq {off + 1} than an earlier segment (a rewrite without its "
                             f"sequence shift?): {_text(st, max(0, off - 10))}")
        if {o: v[0] for o, v in sa["bytes"].items()} != {o: v[0] for o, v in sb["bytes"].items()}:
            offs = sorted(set(sa["bytes"]) | set(sb["bytes"]))
            first = next(o for o in offs if (sa["bytes"].get(o) or (None,))[0] !=
                         (sb["bytes"].get(o) or (None,))[0])
            fa = (sa["bytes"].get(first) or (None, "-"))[1]
            fb = (sb["bytes"].get(first) or (None, "-"))[1]
            lo = max(0, first - 10)
            lines.append(f"{conv}: {d}: payload differs from relative seq {first + 1} "
                         f"(natsim frame {fa}, Linux frame {fb}); natsim {_end(sa)} bytes, "
                         f"Linux {_end(sb)}")
            lines.append(f"    natsim: {_text(sa, lo)}")
            lines.append(f"    Linux:  {_text(sb, lo)}")
        rev = " > ".join(reversed(d.split(" > ")))
        for run, st, peer in (("natsim", sa, a.get(rev)), ("Linux", sb, b.get(rev))):
            if peer is None:
                continue
            limit = _end(peer) + 1          # the peer's data, then its FIN
            bad = [(v, f) for v, f in st["acks"] if v > limit and v < MOD // 2]
            if bad:
                lines.append(f"{conv}: {d}: {run} frame {bad[0][1]} acks relative seq "
                             f"{bad[0][0] + 1}, beyond the {_end(peer)} bytes the peer sent "
                             f"(an ack not shifted back?)")
        fa = max((v for v, _ in sa["acks"] if v < MOD // 2), default=None)
        fb = max((v for v, _ in sb["acks"] if v < MOD // 2), default=None)
        if fa is not None and fb is not None and fa != fb:
            lines.append(f"{conv}: {d}: highest relative ack {fa + 1} in natsim, {fb + 1} "
                         f"on Linux")
    return lines
