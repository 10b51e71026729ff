"""diff.py - compare natsim's run of a scenario with the kernel's, and explain.

What must match, interface by interface:
- the conversations seen (protocol, addresses, ports, ICMP ids; an ICMP error
  belongs to the conversation it quotes), and in each, packet by packet in
  order: UDP and ICMP packets (direction, type/code, quoted header, payload
  length); for TCP the control packets (SYN, FIN, RST with ACK presence, in
  order, per direction) and the number of distinct payload bytes per
  direction. Pure ACKs and the cut of data into segments belong to the two
  TCP stacks' timers, not to netfilter, and are not compared.
- each matched packet's time, within --time-tol.
Per router command output: `conntrack -L` entry by entry (state, flags,
reply tuple, timeout within a second, mark, use), `conntrack -S` counters
(summed over CPUs), `conntrack -C`, and any other command's text exactly.

Where Linux draws a random value (an SNAT port or ICMP id searched from a
random offset: the kernel's entry has a reply port different from the
original one), the value is replaced in both runs by a token named after the
inside endpoint before comparing, and the rule is checked instead: natsim
also changed it, both values lie inside the rule's range (or the kernel's
port class without one), and no two live entries of a run share a reply
tuple. Packets that do not carry their entry's value (a wrong port) keep
their number and show up in the diff.
"""

import difflib
import re

import ct
import pkt

NS = 1_000_000_000


class Report:
    def __init__(self):
        self.sections = []          # (title, [lines])

    def add(self, title, lines):
        if lines:
            self.sections.append((title, list(lines)))

    @property
    def differences(self):
        return sum(len(l) for _, l in self.sections)

    def text(self):
        out = []
        for title, lines in self.sections:
            out.append(f"--- {title}")
            out += ["  " + l for l in lines]
        return "\n".join(out)


# ----- NAT map: where Linux drew a random port, compare on the rule

class Wildcard:
    def __init__(self, router, proto, orig, token):
        self.router, self.proto, self.orig, self.token = router, proto, orig, token
        self.reply = {}             # run name -> reply tuple dict
        self.born = {}              # run name -> time of its NEW event (ns) or None


def _nat_key_field(proto):
    return "id" if proto == "icmp" else "dport"


def _orig_field(proto):
    return "id" if proto == "icmp" else "sport"


def build_wildcards(kernel_events, natsim_events):
    """kernel_events/natsim_events: {router: [entry dicts with event and t]}.

    One Wildcard per kernel NEW entry whose SNAT port (ICMP id) differs from
    the original one; the k-th such entry of an original tuple is paired with
    natsim's k-th NEW entry of the same tuple."""
    res = []
    for router, evs in kernel_events.items():
        nth = {}
        for e in evs:
            if e["event"] != "NEW" or e["proto"] not in ("tcp", "udp", "icmp") or not e["reply"]:
                continue
            proto = e["proto"]
            key = ct.tuple_key(e["orig"], proto)
            k = nth.get(key, 0)
            nth[key] = k + 1
            f_reply, f_orig = _nat_key_field(proto), _orig_field(proto)
            if e["reply"].get(f_reply) == e["orig"].get(f_orig):
                continue            # the port was kept: compared exactly
            o = e["orig"]
            token = f"~{o['src']}:{o.get(f_orig)}" + ("" if proto != "icmp" else "(id)")
            w = Wildcard(router, proto, o, token)
            w.reply["kernel"] = e["reply"]
            w.born = {"kernel": e.get("t")}
            same = [n for n in natsim_events.get(router, [])
                    if n["event"] == "NEW" and n["proto"] == proto and
                    ct.tuple_key(n["orig"], proto) == key]
            if k < len(same):
                w.reply["natsim"] = same[k]["reply"]
                w.born["natsim"] = same[k].get("t")
            res.append(w)
    return res


BORN_SLACK = 50_000_000     # an event may be printed a little after its packet


def _matches(p, w, r):
    if w.proto == "icmp":
        if p.get("id") == r.get("id") and {p["src"], p["dst"]} == {r["src"], r["dst"]}:
            return "id"
        return None
    if (p["src"], p.get("sport"), p["dst"], p.get("dport")) == \
            (r["dst"], r["dport"], r["src"], r["sport"]):
        return "sport"
    if (p["src"], p.get("sport"), p["dst"], p.get("dport")) == \
            (r["src"], r["sport"], r["dst"], r["dport"]):
        return "dport"
    return None


def _rewrite(p, wildcards, run, t=None):
    """Replace the NAT-chosen port/id of p (and of a quoted header) by tokens.
    Of the entries whose reply tuple p matches, the newest one born before p
    applies (a port freed by an expired entry may serve a later one)."""
    if not p:
        return
    t = p.get("t") if t is None else t
    best, field, best_born = None, None, None
    for w in wildcards:
        r = w.reply.get(run)
        if not r or p.get("proto") != w.proto:
            continue
        f = _matches(p, w, r)
        if not f:
            continue
        born = w.born.get(run)
        if born is not None and t is not None and born > t + BORN_SLACK:
            continue
        if best is None or (born is not None and (best_born is None or born > best_born)):
            best, field, best_born = w, f, born
    if best:
        p[field] = best.token
    if p.get("inner"):
        _rewrite(p["inner"], wildcards, run, t)


def _rewrite_entry(e, wildcards, run, router, t=None):
    """Tokens into a conntrack -L entry's reply tuple."""
    for w in wildcards:
        born = w.born.get(run)
        if born is not None and t is not None and born > t + BORN_SLACK:
            continue
        r = w.reply.get(run)
        if w.router != router or not r or e["proto"] != w.proto:
            continue
        if ct.tuple_key(e["orig"], e["proto"]) == ct.tuple_key(w.orig, w.proto):
            f = _nat_key_field(w.proto)
            if e["reply"].get(f) == r.get(f):
                e["reply"] = dict(e["reply"], **{f: w.token})


def snat_ranges(scenario, router):
    """Port ranges of the router's SNAT/MASQUERADE rules (list of (lo, hi))."""
    res = []
    for c in scenario.commands:
        if c.node != router or c.argv[0] != "iptables":
            continue
        a = c.argv
        for k, w in enumerate(a[:-1]):
            v = a[k + 1]
            if w in ("--to-source", "--to", "--to-s", "--to-so") or \
                    (w.startswith("--to-sou") and "--to-source".startswith(w)):
                m = re.search(r":(\d+)(?:-(\d+))?$", v)
                if m:
                    res.append((int(m[1]), int(m[2] or m[1])))
            if w in ("--to-ports", "--to-port"):
                m = re.match(r"^(\d+)(?:-(\d+))?$", v)
                if m:
                    res.append((int(m[1]), int(m[2] or m[1])))
    return res


def _port_class(port):
    if port < 512:
        return (1, 511)
    if port < 1024:
        return (600, 1023)
    return (1024, 65535)


def check_wildcards(scenario, wildcards, natsim_events, kernel_events):
    lines = []
    for w in wildcards:
        f_reply, f_orig = _nat_key_field(w.proto), _orig_field(w.proto)
        orig_port = w.orig.get(f_orig)
        who = f"{w.router}: {w.proto} {ct.tuple_text(w.orig, w.proto)}"
        n = w.reply.get("natsim")
        if n is None:
            lines.append(f"{who}: Linux created this entry (reply "
                         f"{ct.tuple_text(w.reply['kernel'], w.proto)}); natsim has no entry "
                         f"for it in conntrack-events.log")
            continue
        if n.get(f_reply) == orig_port:
            lines.append(f"{who}: Linux replaced {'id' if w.proto == 'icmp' else 'port'} "
                         f"{orig_port} (by {w.reply['kernel'].get(f_reply)}: a random draw), "
                         f"natsim kept it")
            continue
        if w.proto != "icmp":
            ranges = snat_ranges(scenario, w.router) or [_port_class(orig_port)]
            for run, r in (("natsim", n), ("kernel", w.reply["kernel"])):
                v = r.get(f_reply)
                if not any(lo <= v <= hi for lo, hi in ranges):
                    lines.append(f"{who}: {run} chose port {v}, outside "
                                 + ", ".join(f"{lo}-{hi}" for lo, hi in ranges))
        for run, r in (("natsim", n), ("kernel", w.reply["kernel"])):
            if r.get("dst") != w.reply["kernel"].get("dst"):
                lines.append(f"{who}: {run} translated to address {r.get('dst')}, Linux to "
                             f"{w.reply['kernel'].get('dst')}")
                break
    for run, evmap in (("natsim", natsim_events), ("kernel", kernel_events)):
        for router, evs in evmap.items():
            live = {}
            for e in evs:
                if not e["reply"] or e["event"] not in ("NEW", "DESTROY"):
                    continue
                ko = ct.tuple_key(e["orig"], e["proto"])
                kr = ct.tuple_key(e["reply"], e["proto"])
                if e["event"] == "DESTROY":
                    if live.get(kr) == ko:
                        del live[kr]
                    continue
                if kr in live and live[kr] != ko:
                    lines.append(f"{run} {router}: reply tuple {e['proto']} "
                                 f"{ct.tuple_text(e['reply'], e['proto'])} used by two live "
                                 f"entries")
                live[kr] = ko
    return lines


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


def _where(p, run):
    if p is None:
        return ""
    return f"{run} frame {p['frame']} t={p['t'] / NS:.6f}s"


def compare_iface(name, npk, kpk, tol_ns):
    lines = []
    conv_n, conv_k = {}, {}
    for run_pk, conv in ((npk, conv_n), (kpk, conv_k)):
        for p in run_pk:
            conv.setdefault(conversation(p), []).append(p)
    order = sorted(set(conv_n) | set(conv_k),
                   key=lambda k: min([p["t"] for p in conv_n.get(k, []) + conv_k.get(k, [])]))
    for key in order:
        a, b = conv_n.get(key), conv_k.get(key)
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
        ia, ib = _items(a), _items(b)
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


# ----- command output

def compare_ct_list(node, cmd, t, nlines, klines, wildcards):
    out = []
    ne, ke = ct.parse_list(nlines), ct.parse_list(klines)
    for e in ne:
        _rewrite_entry(e, wildcards, "natsim", node, t)
    for e in ke:
        _rewrite_entry(e, wildcards, "kernel", node, t)
    nm = {ct.tuple_key(e["orig"], e["proto"]): e for e in ne}
    km = {ct.tuple_key(e["orig"], e["proto"]): e for e in ke}
    where = f"{node}# {cmd} at {t / NS:.6f}s"
    for key in sorted(set(nm) | set(km), key=str):
        a, b = nm.get(key), km.get(key)
        if not b:
            out.append(f"{where}: natsim only: {a['line']}")
            continue
        if not a:
            out.append(f"{where}: Linux only:  {b['line']}")
            continue
        why = []
        if a["state"] != b["state"]:
            why.append(f"state {a['state']} vs {b['state']}")
        if a["flags"] != b["flags"]:
            why.append(f"flags {sorted(a['flags'])} vs {sorted(b['flags'])}")
        if a["reply"] != b["reply"]:
            why.append(f"reply {ct.tuple_text(a['reply'], a['proto'])} vs "
                       f"{ct.tuple_text(b['reply'], b['proto'])}")
        if a["timeout"] is not None and b["timeout"] is not None and \
                abs(a["timeout"] - b["timeout"]) > 1:
            why.append(f"timeout {a['timeout']} vs {b['timeout']}")
        if a.get("counters") != b.get("counters"):
            why.append(f"counters (packets, bytes) {a.get('counters')} vs {b.get('counters')}")
        if (a["mark"], a["use"]) != (b["mark"], b["use"]):
            why.append(f"mark/use {a['mark']}/{a['use']} vs {b['mark']}/{b['use']}")
        if why:
            out.append(f"{where}: {', '.join(why)} (natsim vs Linux)")
            out.append(f"    natsim: {a['line']}")
            out.append(f"    Linux:  {b['line']}")
    return out


def compare_block(node, cmd, t, nlines, klines, wildcards, krc, kerr):
    argv = cmd.split()
    where = f"{node}# {cmd} at {t / NS:.6f}s"
    if krc:
        return [f"{where}: the command failed on Linux (exit {krc}): {kerr.strip()}"]
    if argv[0] == "conntrack" and ("-L" in argv or "--dump" in argv):
        return compare_ct_list(node, cmd, t, nlines, klines, wildcards)
    if argv[0] == "conntrack" and "-S" in argv:
        a, b = ct.parse_stats(nlines), ct.parse_stats(klines)
        # `found` counts the taken tuples nf_conntrack_tuple_taken() meets,
        # also during the NAT port search from a random offset: with random
        # draws on this router it is random too and is not compared
        random_here = any(w.router == node for w in wildcards)
        diffs = [f"{k}={a.get(k)} vs {b.get(k)}" for k in sorted(set(a) | set(b))
                 if a.get(k) != b.get(k) and not (k == "found" and random_here)]
        return [f"{where}: counters differ (natsim vs Linux): " + ", ".join(diffs)] if diffs else []
    na = [l.rstrip() for l in nlines if l.strip()]
    ka = [l.rstrip() for l in klines if l.strip()]
    if na == ka:
        return []
    res = [f"{where}: output differs"]
    for l in difflib.unified_diff(na, ka, "natsim", "linux", lineterm="", n=1):
        if not l.startswith(("---", "+++")):
            res.append("    " + l)
    return res


_CMD_RE = re.compile(r"^\[\s*(\d+)\.(\d{6})\] ([A-Za-z0-9_.-]+)# (.*)$")
_ASYNC_RE = re.compile(r"^\[\s*(\d+)\.(\d{6})\] ([A-Za-z0-9_.-]+): (.*)$")


def natsim_blocks(stdout):
    """[(t_ns, node, command, [lines])] of natsim's stdout."""
    res, cur = [], None
    for line in stdout.splitlines():
        m = _CMD_RE.match(line)
        if m:
            cur = (int(m[1]) * NS + int(m[2]) * 1000, m[3], m[4], [])
            res.append(cur)
            continue
        if _ASYNC_RE.match(line):
            cur = None
            continue
        if cur is not None:
            cur[3].append(line)
    return res


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
