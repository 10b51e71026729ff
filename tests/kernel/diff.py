"""diff.py - compare natsim's packets with the kernel's, and report the differences.

What must match, interface by interface:
- the conversations seen (protocol, addresses, ports, ICMP ids; an ICMP error
  belongs to the conversation it quotes), and in each, packet by packet in
  order: UDP and ICMP packets (direction, type/code, quoted header, payload
  length); for TCP the control packets (SYN, FIN, RST with ACK presence, in
  order, per direction) and the number of distinct payload bytes per
  direction. Pure ACKs and the cut of data into segments belong to the two
  TCP stacks' timers, not to netfilter, and are not compared. A TCP
  conversation carrying text (FTP control, send-text) has its bytes compared
  per direction at their relative sequence numbers, and its acks
  (tcpstream.py): a helper's rewrite and seqadj's shift are checked.
- each matched packet's time, within --time-tol.
- packets natsim shows in the same instant are compared as a set (the
  kernel's agents send them microseconds apart, in either order); packets
  at different instants in order (align_simultaneous).
Command output is compared by outputs.py.

Where Linux draws a random value (an SNAT port or ICMP id searched from a
random offset), natmap.py replaces it in both runs by a token before
comparing and checks the rule instead. Packets that do not carry their
entry's value (a wrong port) keep their number and show up in the diff.
"""

import difflib
import re

import ct  # tests/lib/ct.py (shared with tests/py)
import natmap
import pkt
import tcpstream

NS = 1_000_000_000


class Report:
    """The differences, by section. A line that starts with a space continues
    the difference above it (its packets, its two conntrack lines, its
    unified diff): `differences` counts the differences, not the lines, so the
    count printed is the number of differences shown."""

    def __init__(self):
        self.sections = []          # (title, [lines])

    def add(self, title, lines):
        lines = list(lines)
        if lines and lines[0].startswith(" "):
            raise ValueError(f"{title}: a continuation line without its difference")
        if lines:
            self.sections.append((title, lines))

    @property
    def differences(self):
        return sum(1 for _, lines in self.sections for l in lines if not l.startswith(" "))

    def text(self):
        out = []
        for title, lines in self.sections:
            out.append(f"--- {title}")
            out += ["  " + l for l in lines]
        return "\n".join(out)


# ----- packets

def conversation(p):
    proto = p["proto"]
    if proto in ("tcp", "udp"):
        return (proto,) + tuple(sorted([(p["src"], str(p["sport"])), (p["dst"], str(p["dport"]))]))
    if proto == "icmp":
        if "inner" in p:
            inner = conversation(p["inner"]) if p["inner"] and "proto" in p["inner"] else None
            return ("icmp-error", inner)
        return ("icmp", tuple(sorted([p["src"], p["dst"]])), str(p.get("id")))
    return (proto, tuple(sorted([p["src"], p["dst"]])))


def conv_text(key):
    if key[0] in ("tcp", "udp"):
        return f"{key[0]} {key[1][0]}:{key[1][1]} <-> {key[2][0]}:{key[2][1]}"
    if key[0] == "icmp":
        return f"icmp {key[1][0]} <-> {key[1][1]} id {key[2]}"
    if key[0] == "icmp-error":
        return "icmp errors quoting " + (conv_text(key[1]) if key[1] else "?")
    return f"{key[0]} {key[1][0]} <-> {key[1][1]}"


def _items(pkts):
    """The comparable items of one conversation: (key, packet)."""
    items = []
    if pkts and pkts[0]["proto"] == "tcp":
        data = {}
        for p in pkts:
            fl = p.get("flags", "")
            ctl = "".join(ch for ch in "SFRA" if ch in fl)
            d = f"{pkt.endpoint(p, 'src')} > {pkt.endpoint(p, 'dst')}"
            if set(ctl) & set("SFR"):
                items.append((f"tcp {d} [{ctl}]", p))
            if p.get("plen"):
                data.setdefault(d, set()).add((p.get("seq"), p["plen"]))
        for d, segs in sorted(data.items()):
            total = sum(n for _, n in segs)
            items.append((f"tcp {d} data {total} bytes", None))
        return items
    for p in pkts:
        items.append((pkt.describe(p), p))
    return items


def _simultaneous(ia):
    """natsim's items grouped by instant: [(t, [indices])] of the instants
    holding two or more packets of different descriptions."""
    groups = {}
    for i, (k, p) in enumerate(ia):
        if p is not None:
            groups.setdefault(p["t"], []).append(i)
    return [(t, idx) for t, idx in groups.items()
            if len(idx) > 1 and len({ia[i][0] for i in idx}) > 1]


def align_simultaneous(ia, ib, tol_ns):
    """The kernel's items with each natsim instant's packets in natsim's order.

    natsim puts packets sent in the same instant (two nodes' sends at the same
    `at`, a request and its answer over zero-delay links) in one order; the
    kernel's agents send them a few microseconds apart in either order. Such
    packets are compared as a set: where the kernel shows the same packets one
    after another (a window of as many items, the same descriptions, starting
    within tol_ns of the instant, the one at natsim's position preferred), they
    are put in natsim's order. Packets at
    different natsim instants keep their order, so a real reordering is still
    a difference."""
    ib = list(ib)
    used = set()
    for t, idx in _simultaneous(ia):
        want = sorted(ia[i][0] for i in idx)
        m = len(idx)
        # the window at natsim's own position first, then the nearest: a
        # request and its answer repeat (TFTP's ACK n and DATA n+1), and an
        # earlier pair of the same descriptions is not this instant's
        for j in sorted(range(len(ib) - m + 1), key=lambda j: (abs(j - idx[0]), j)):
            win = ib[j:j + m]
            if any(p is None for _, p in win) or used & set(range(j, j + m)):
                continue
            if abs(win[0][1]["t"] - t) > tol_ns or sorted(k for k, _ in win) != want:
                continue
            rest = list(win)
            for n, i in enumerate(idx):
                pos = next(x for x, (k, _) in enumerate(rest) if k == ia[i][0])
                ib[j + n] = rest.pop(pos)
            used |= set(range(j, j + m))
            break
    return ib


def _where(p, run):
    if p is None:
        return ""
    return f"{run} frame {p['frame']} t={p['t'] / NS:.6f}s"


def compare_iface(name, npk, kpk, tol_ns, excused=None, notes=None):
    """Differences of one interface's packets. excused: {conversation key:
    router} of conversations that may be seen in one run only (a full
    table's early drop, tablefull.py): those that are make one note."""
    lines = []
    excused = excused or {}
    one_sided = []
    conv_n, conv_k = {}, {}
    for run_pk, conv in ((npk, conv_n), (kpk, conv_k)):
        for p in run_pk:
            conv.setdefault(conversation(p), []).append(p)
    order = sorted(set(conv_n) | set(conv_k),
                   key=lambda k: min([p["t"] for p in conv_n.get(k, []) + conv_k.get(k, [])]))
    for key in order:
        a, b = conv_n.get(key), conv_k.get(key)
        if (not a or not b) and key in excused and notes is not None:
            one_sided.append((conv_text(key), "natsim" if a else "Linux", excused[key]))
            continue
        if not b:
            lines.append(f"{conv_text(key)}: only in natsim ({len(a)} packets), first: "
                         f"{pkt.describe(a[0])} ({_where(a[0], 'natsim')})")
            for p in a[1:4]:
                lines.append(f"    also natsim: {pkt.describe(p)} ({_where(p, 'natsim')})")
            continue
        if not a:
            lines.append(f"{conv_text(key)}: only on Linux ({len(b)} packets), first: "
                         f"{pkt.describe(b[0])} ({_where(b[0], 'kernel')})")
            for p in b[1:4]:
                lines.append(f"    also Linux: {pkt.describe(p)} ({_where(p, 'kernel')})")
            continue
        if key[0] == "tcp" and (tcpstream.has_text(a) or tcpstream.has_text(b)):
            lines += tcpstream.compare(conv_text(key), a, b)
        for ia, ib in _by_direction(key, _items(a), _items(b)):
            lines += _compare_items(key, ia, ib, tol_ns)
    if one_sided:
        nat = [c for c, run, _ in one_sided if run == "natsim"]
        lin = [c for c, run, _ in one_sided if run == "Linux"]
        routers = ", ".join(sorted({r for _, _, r in one_sided}))
        notes.append(f"{name}: {len(nat)} conversation(s) in natsim only, {len(lin)} on Linux "
                     f"only, each confirmed on {routers} in that run only: the early drop's "
                     f"hash seed decides which (README: table full)")
        notes += [f"    natsim only: {c}" for c in nat[:3]] + [f"    Linux only: {c}" for c in lin[:3]]
    return lines


def _by_direction(key, ia, ib):
    """TCP's items per direction ("in order, per direction"): the order of
    the two directions' FINs is the two stacks' race (a server closing as it
    sends its last reply, a client closing as it reads it), not netfilter's.
    Other protocols: one sequence."""
    if key[0] != "tcp":
        return [(ia, ib)]

    def d(k):
        return k[4:].split(" [")[0].split(" data ")[0]
    dirs = []
    for k, _ in ia + ib:
        if d(k) not in dirs:
            dirs.append(d(k))
    return [([x for x in ia if d(x[0]) == e], [x for x in ib if d(x[0]) == e]) for e in dirs]


def _compare_items(key, ia, ib, tol_ns):
    lines = []
    ib = align_simultaneous(ia, ib, tol_ns)
    sm = difflib.SequenceMatcher(None, [k for k, _ in ia], [k for k, _ in ib], autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            for (k, pa), (_, pb) in zip(ia[i1:i2], ib[j1:j2]):
                if pa and pb and abs(pa["t"] - pb["t"]) > tol_ns:
                    lines.append(f"{conv_text(key)}: {k}: natsim at {pa['t'] / NS:.6f}s "
                                 f"(frame {pa['frame']}), Linux at {pb['t'] / NS:.6f}s "
                                 f"(frame {pb['frame']})")
            continue
        for k, p in ia[i1:i2]:
            lines.append(f"{conv_text(key)}: natsim only: {k}" +
                         (f" ({_where(p, 'natsim')})" if p else ""))
        for k, p in ib[j1:j2]:
            lines.append(f"{conv_text(key)}: Linux only:  {k}" +
                         (f" ({_where(p, 'kernel')})" if p else ""))
    return lines


# ----- conntrack events

def natsim_events(path):
    """{router: [entries]} from natsim's conntrack-events.log."""
    res = {}
    try:
        text = open(path).read()
    except OSError:
        return res
    for line in text.splitlines():
        m = re.match(r"^\[\s*(\d+)\.(\d+)\]\s+([A-Za-z0-9_.-]+):\s?(.*)$", line)
        if not m:
            continue
        e = ct.parse_entry(m[4])
        if e:
            e["t"] = int(m[1]) * NS + int((m[2] + "000000000")[:9])
            res.setdefault(m[3], []).append(e)
    return res


def kernel_events(paths, t0_wall=None):
    """{router: [entries]} of the kernel's `conntrack -E -o timestamp` files;
    each entry's t is relative to the run's t0 (None without timestamps)."""
    res = {}
    for router, path in paths.items():
        lst = []
        for line in open(path):
            t = None
            m = re.match(r"^\[(\d+)\.(\d+)\]\s*(.*)$", line)
            if m:
                line = m[3]
                if t0_wall is not None:
                    t = int(m[1]) * NS + int((m[2] + "000000000")[:9]) - t0_wall
            e = ct.parse_entry(line)
            if e:
                e["t"] = t
                lst.append(e)
        res[router] = lst
    return res
