"""klog.py - the kernel log of a UML run, and its comparison with natsim's kernel.log.

The kernel's log is machine-wide: on the host it holds every other user's
lines too (other test runs' namespaces log martians and table-full lines), so
it is read only in a kernel of the run's own (UML). There the guest writes a
mark into /dev/kmsg at t0 and reads every record after it at the end; a
record's time is its printk timestamp minus the mark's.

Design choice: only the kinds of line natsim writes are compared (KINDS:
conntrack's table full and invalid-packet logs, the rate limiter's summary,
the IPv4 stack's martian and redirect lines, the LOG target, x_tables'
refusals); the rest of the kernel's log (devices entering promiscuous mode,
bridge port states, module loads) is the harness's own doing. A UML kernel
has one log for all nodes and prints no node name, so lines are compared by
text and time, whatever node natsim printed them on.
"""

import os
import re

NS = 1_000_000_000
KINDS = (re.compile(r"^nf_conntrack: "), re.compile(r"^net_ratelimit: \d+ callbacks suppressed$"),
         re.compile(r"^nf_ct_proto_\d+: "), re.compile(r"^IPv4: "), re.compile(r"^  Advised path"),
         re.compile(r"^ll header: "), re.compile(r"^x_tables: "),
         re.compile(r"(^|\s)IN=\S* OUT=\S* "))
# the IPv4 stack's martian and redirect lines exist only in a kernel built
# with CONFIG_IP_ROUTE_VERBOSE (route.c), which Debian's UML is not: where
# the kernel image lacks the format string, they are not compared
VERBOSE = (re.compile(r"^IPv4: (martian|Redirect from|host \S+ ignores redirects)"),
           re.compile(r"^  Advised path"), re.compile(r"^ll header: "))
VERBOSE_MARK = b"martian source"


def route_verbose(image):
    """Does this kernel image print the IPv4 martian/redirect lines?"""
    try:
        with open(image, "rb") as f:
            return VERBOSE_MARK in f.read()
    except OSError:
        return True
SUPPRESSED = re.compile(r"^net_ratelimit: (\d+) callbacks suppressed$")
TABLE_FULL = re.compile(r"^nf_conntrack: .*table full")


# A LOG line's fields each TCP/IP stack draws for itself, not netfilter's
# doing, as the packet comparison leaves them out too (README): the IPv4
# header's ID (after TTL=), a TCP segment's SEQ=/ACK= (random initial
# sequence numbers) and, in its OPT (...) hex, the timestamp option's two
# values (a random offset per connection).
LOG_LINE = re.compile(r"(^|\s)IN=\S* OUT=\S* ")
LOG_IP_ID = re.compile(r"( TTL=\d+ )ID=\d+ ")
LOG_TCP_SEQ = re.compile(r" SEQ=\d+ ACK=\d+ (?=WINDOW=)")
LOG_TCP_OPT = re.compile(r"( URGP=\d+ OPT \()([0-9A-F]*)(\) )")


def _tcp_opt_masked(hexs):
    b = bytes.fromhex(hexs) if len(hexs) % 2 == 0 else b""
    out, i = [], 0
    while i < len(b):
        kind = b[i]
        ln = 1 if kind <= 1 else (b[i + 1] if i + 1 < len(b) else 1)
        ln = max(ln, 1)
        chunk = b[i:i + ln].hex().upper()
        out.append(chunk[:4] + "*" * (len(chunk) - 4) if kind == 8 else chunk)
        i += ln
    return "".join(out) if b else hexs


def log_masked(text):
    """A LOG line without the fields each stack draws itself (LOG_*)."""
    if not LOG_LINE.search(text):
        return text
    text = LOG_IP_ID.sub(r"\1ID=* ", text)
    text = LOG_TCP_SEQ.sub(" SEQ=* ACK=* ", text)
    return LOG_TCP_OPT.sub(lambda m: m[1] + _tcp_opt_masked(m[2]) + m[3], text)


def modelled(text):
    return any(rx.search(text) for rx in KINDS)


# ----- in the guest

def mark():
    """Write a mark into the kernel log; returns its text (read_since finds it)."""
    text = f"nsk-t0 {os.getpid()}-{os.times().elapsed}"
    with open("/dev/kmsg", "w") as f:
        f.write(text + "\n")
    return text


def _records():
    """(timestamp in ns, text) of every record in /dev/kmsg, oldest first."""
    res = []
    fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK)
    try:
        while True:
            try:
                rec = os.read(fd, 8192)
            except BlockingIOError:
                break
            except OSError:         # EPIPE: a record was overwritten; go on
                continue
            head, _, body = rec.decode(errors="replace").partition(";")
            fields = head.split(",")
            if len(fields) < 3:
                continue
            text = body.split("\n", 1)[0]
            res.append((int(fields[2]) * 1000, text))
    finally:
        os.close(fd)
    return res


def read_since(mark_text):
    """[(t, text)] of the kernel log after the mark, t relative to it."""
    recs = _records()
    t0 = next((t for t, text in recs if text == mark_text), None)
    if t0 is None:
        return []
    after = False
    res = []
    for t, text in recs:
        if after:
            res.append([t - t0, text])
        elif text == mark_text:
            after = True
    return res


# ----- on the host

def natsim_lines(path):
    """[(t, node, text)] of natsim's kernel.log."""
    res = []
    try:
        f = open(path)
    except OSError:
        return res
    with f:
        for line in f:
            m = re.match(r"^\[\s*(\d+)\.(\d+)\] ([A-Za-z0-9_.-]+): (.*)$", line.rstrip("\n"))
            if m:
                res.append((int(m[1]) * NS + int((m[2] + "000000000")[:9]), m[3], m[4]))
    return res


def compare(nlines, klines, tol_ns, hash_dependent=(), verbose=True, drop_delta=0):
    """Differences between natsim's lines [(t, node, text)] and the kernel's
    [(t, text)], for the kinds natsim models. Lines of one text are matched
    in time order, each within tol_ns. hash_dependent: nodes whose table
    early-dropped in either run (tablefull.py): there the number in
    `net_ratelimit: N callbacks suppressed` and the number of table-full
    lines depend on the hash seed (each early drop is one drop, one log
    call, fewer): they are notes while natsim's extra table-full lines lie
    between 0 and drop_delta (natsim's drops minus Linux's,
    tablefull.drop_delta), differences beyond that. verbose: the kernel prints the IPv4
    martian/redirect lines (route_verbose). Returns (differences, notes)."""
    n = [(t, node, text) for t, node, text in nlines if modelled(text)]
    k = [(t, text) for t, text in klines if modelled(text)]
    notes = []
    if not verbose:
        left = [x for x in n if any(rx.search(x[2]) for rx in VERBOSE)]
        if left:
            notes.append(f"kernel log: {len(left)} martian/redirect line(s) of natsim not "
                         f"compared: this kernel is built without CONFIG_IP_ROUTE_VERBOSE and "
                         f"prints none (README)")
        n = [x for x in n if x not in left]
    loose = bool(hash_dependent) and all(node in hash_dependent for _, node, text in n
                                         if SUPPRESSED.match(text))

    def key(text):
        return "net_ratelimit: N callbacks suppressed" if loose and SUPPRESSED.match(text) \
            else log_masked(text)
    out = []
    by_n, by_k = {}, {}
    for t, node, text in n:
        by_n.setdefault(key(text), []).append((t, node, text))
    for t, text in k:
        by_k.setdefault(key(text), []).append((t, text))
    for kk in sorted(set(by_n) | set(by_k), key=lambda x: min(
            [t for t, *_ in by_n.get(x, []) + by_k.get(x, [])])):
        a, b = by_n.get(kk, []), by_k.get(kk, [])
        excused = loose and TABLE_FULL.match(kk) and \
            min(0, drop_delta) <= len(a) - len(b) <= max(0, drop_delta)
        for i in range(max(len(a), len(b))):
            if (i >= len(a) or i >= len(b)) and excused:
                t, text = (a[i][0], a[i][2]) if i < len(a) else b[i]
                notes.append(f"kernel log: {'natsim' if i < len(a) else 'Linux'} only "
                             f"({t / NS:.6f}s): {text}: the number of drops depends on the "
                             f"early drops, natsim's exceed Linux's by {drop_delta} "
                             f"(README: table full)")
                continue
            if i >= len(b):
                t, node, text = a[i]
                out.append(f"kernel log: natsim only ({node}, {t / NS:.6f}s): {text}")
            elif i >= len(a):
                t, text = b[i]
                out.append(f"kernel log: Linux only ({t / NS:.6f}s): {text}")
            else:
                (ta, node, texta), (tb, textb) = a[i], b[i]
                if abs(ta - tb) > tol_ns:
                    out.append(f"kernel log: `{texta}`: natsim at {ta / NS:.6f}s, Linux at "
                               f"{tb / NS:.6f}s")
                if texta != textb and not LOG_LINE.search(texta):
                    notes.append(f"kernel log at {ta / NS:.6f}s: `{texta}` (natsim) vs "
                                 f"`{textb}` (Linux): the count of suppressed messages "
                                 f"depends on the early drops, which depend on the kernel's "
                                 f"random hash seed (README: table full)")
    return out, notes
