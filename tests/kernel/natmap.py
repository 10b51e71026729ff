"""natmap.py - where Linux draws a NAT port at random: tokens, and the rule checked instead.

The SNAT port search starts at a random offset (nf_nat_l4proto_unique_tuple:
get_random_u16() for every SNAT), and so does the ICMP id search. For every
kernel conntrack entry whose REPLY port (id) differs from its ORIGINAL port
(id), a Wildcard is made: in both runs that entry's chosen value becomes a
token named after the inside endpoint (`~192.168.1.10:40000`), in every
packet (and quoted header) carrying the entry's translated tuple while the
entry lives and in conntrack tuples; then the rule is checked instead of the
value (check_wildcards).

Design choice: a drawn value travels. Behind a second NAT router (double NAT)
the first router's draw is the second router's ORIGINAL source port: there
the ORIGINAL tuple is read with the first router's tokens (so both runs' entries
pair up), and an entry that keeps the port carries the same token on the
links behind it (a "carried" wildcard: natsim must keep it too); a second
draw gets a token of its own. Wildcards are built to a fixpoint, so the
order of the routers (and of their event files) does not matter.
"""

import os
import re
import shlex

import ct  # tests/lib/ct.py (shared with tests/py)

BORN_SLACK = 50_000_000     # an event may be printed a little after its packet
# on UML, later still: conntrack -E is one more program on the kernel's one
# CPU, and it timestamps an event when it prints it (seed-snat.scn: a NEW
# printed 80 ms after its SYN was captured, the flow's port left untokened)
UML_EVENT_LAG = 450_000_000


class Wildcard:
    def __init__(self, router, proto, orig, token, carried=False):
        self.router, self.proto, self.orig, self.token = router, proto, orig, token
        self.carried = carried      # the value was drawn upstream and kept here
        self.reply = {}             # run name -> REPLY tuple dict
        self.origs = {}             # run name -> ORIGINAL tuple dict
        self.born = {}              # run name -> time of its NEW event (ns) or None

    def key(self):
        return (self.router, self.proto, self.token, self.carried,
                ct.tuple_key(self.reply.get("kernel", {}), self.proto),
                ct.tuple_key(self.reply.get("natsim", {}), self.proto))


def nat_key_field(proto):
    """The REPLY field NAT chose (the translated source port or id)."""
    return "id" if proto == "icmp" else "dport"


def orig_field(proto):
    return "id" if proto == "icmp" else "sport"


def is_token(v):
    return isinstance(v, str) and v.startswith("~")


def _as_packet(t, proto, when):
    return dict(t, proto=proto, t=when)


def rewritten_tuple(t, proto, wildcards, run, when):
    """A conntrack tuple with the tokens of the given wildcards in place."""
    p = _as_packet(t, proto, when)
    rewrite(p, wildcards, run)
    return {k: v for k, v in p.items() if k not in ("proto", "t")}


def build_wildcards(kernel_events, natsim_events, kernel_lag=0):
    """kernel_events/natsim_events: {router: [entry dicts with event and t]};
    kernel_lag: how much later than BORN_SLACK the kernel run may print an
    event after its packet (UML_EVENT_LAG on UML), taken off its birth time.

    One Wildcard per kernel NEW entry whose SNAT port (ICMP id) differs from
    the ORIGINAL one, or keeps a value an upstream router drew; the k-th such
    entry of an ORIGINAL tuple (read with the tokens) is paired with natsim's
    k-th NEW entry of the same tuple."""
    res = []
    for _ in range(len(kernel_events) + 2):
        new = _build_once(kernel_events, natsim_events, res, kernel_lag)
        if [w.key() for w in new] == [w.key() for w in res]:
            break
        res = new
    return res


def _new_entries(evs, proto=None):
    return [e for e in evs if e["event"] == "NEW" and e["reply"] and
            e["proto"] in ("tcp", "udp", "icmp") and (proto is None or e["proto"] == proto)]


def _build_once(kernel_events, natsim_events, prev, kernel_lag=0):
    res = []
    for router in sorted(kernel_events):
        upstream = [w for w in prev if w.router != router]
        nkeys = {}
        for n in _new_entries(natsim_events.get(router, [])):
            o = rewritten_tuple(n["orig"], n["proto"], upstream, "natsim", n.get("t"))
            nkeys.setdefault(ct.tuple_key(o, n["proto"]), []).append(n)
        nth = {}
        for e in _new_entries(kernel_events[router]):
            proto = e["proto"]
            o = rewritten_tuple(e["orig"], proto, upstream, "kernel", e.get("t"))
            key = ct.tuple_key(o, proto)
            k = nth.get(key, 0)
            nth[key] = k + 1
            f_reply, f_orig = nat_key_field(proto), orig_field(proto)
            came = o.get(f_orig)                    # the value as it came (maybe a token)
            if e["reply"].get(f_reply) != e["orig"].get(f_orig):
                token = (came + f"@{router}") if is_token(came) else \
                    f"~{o['src']}:{came}" + ("(id)" if proto == "icmp" else "")
                w = Wildcard(router, proto, e["orig"], token)
            elif is_token(came):
                w = Wildcard(router, proto, e["orig"], came, carried=True)
            else:
                continue            # the port was kept: compared exactly
            w.reply["kernel"], w.origs["kernel"], w.born["kernel"] = \
                e["reply"], e["orig"], None if e.get("t") is None else e["t"] - kernel_lag
            same = nkeys.get(key, [])
            if k < len(same):
                w.reply["natsim"], w.origs["natsim"], w.born["natsim"] = \
                    same[k]["reply"], same[k]["orig"], same[k].get("t")
            res.append(w)
    return res


def _matches(p, r, proto):
    if proto == "icmp":
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


def rewrite(p, wildcards, run, t=None):
    """Replace the NAT-chosen port/id of p (a packet, or a tuple as one; and a
    quoted header) by tokens. Of the entries whose REPLY tuple p matches, the
    newest one born before p applies (a port freed by an expired entry may
    serve a later one)."""
    if not p:
        return
    t = p.get("t") if t is None else t
    best, field, best_born = None, None, None
    for w in wildcards:
        r = w.reply.get(run)
        if not r or p.get("proto") != w.proto:
            continue
        f = _matches(p, r, w.proto)
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
        rewrite(p["inner"], wildcards, run, t)


def rewrite_entry(e, wildcards, run, t=None):
    """Tokens into a `conntrack -L`/`-D` entry's ORIGINAL and REPLY tuples."""
    if e["proto"] not in ("tcp", "udp", "icmp"):
        return
    e["orig"] = rewritten_tuple(e["orig"], e["proto"], wildcards, run, t)
    e["reply"] = rewritten_tuple(e["reply"], e["proto"], wildcards, run, t)


# ----- the rule checked instead of the value

def _iptables_rules(scenario, router):
    """argv lists of the router's iptables rules: `iptables` commands and the
    -A/-I lines of files given to `iptables-restore <`."""
    res = []
    base = os.path.dirname(os.path.abspath(scenario.path))
    for c in scenario.commands:
        if c.node != router:
            continue
        if c.argv[0] == "iptables":
            res.append(c.argv[1:])
        elif c.argv[0] == "iptables-restore" and c.redir and c.redir[0] == "<":
            path = c.redir[1] if os.path.isabs(c.redir[1]) else os.path.join(base, c.redir[1])
            try:
                with open(path) as f:
                    for line in f:
                        if line.startswith(("-A ", "-I ")):
                            try:
                                res.append(shlex.split(line))
                            except ValueError:
                                pass
            except OSError:
                pass
    return res


def _opt(argv, *names):
    """The value of the first option among names (iptables accepts unique
    prefixes of long options: --to-s for --to-source)."""
    for k, w in enumerate(argv[:-1]):
        if w in names or (w.startswith("--") and len(w) >= 3 and
                          any(n.startswith("--") and n.startswith(w) for n in names)):
            return argv[k + 1]
    return None


def _port_class(port):
    """The kernel's range when a rule gives none (nf_nat_l4proto_unique_tuple)."""
    if port < 512:
        return (1, 511)
    if port < 1024:
        return (600, 1023)
    return (1024, 65535)


def source_port_ranges(scenario, router, orig_port):
    """The port ranges a source NAT on this router may draw from: one per
    SNAT (`--to-source A[:LO[-HI]]`) or MASQUERADE (`--to-ports LO[-HI]`) rule,
    the kernel's class of orig_port for a rule without one. Other targets'
    ports (REDIRECT/DNAT --to-ports, --to-destination) are destination NAT
    and say nothing about a source port."""
    res = []
    for argv in _iptables_rules(scenario, router):
        target = _opt(argv, "-j", "--jump")
        m = None
        if target == "SNAT":
            v = _opt(argv, "--to-source")
            m = re.search(r":(\d+)(?:-(\d+))?$", v or "")
        elif target == "MASQUERADE":
            m = re.match(r"^(\d+)(?:-(\d+))?$", _opt(argv, "--to-ports") or "")
        else:
            continue
        r = (int(m[1]), int(m[2] or m[1])) if m else _port_class(orig_port)
        if r not in res:
            res.append(r)
    return res or [_port_class(orig_port)]


def check_wildcards(scenario, wildcards, natsim_events, kernel_events):
    lines = []
    for w in wildcards:
        f_reply, f_orig = nat_key_field(w.proto), orig_field(w.proto)
        who = f"{w.router}: {w.proto} {ct.tuple_text(w.orig, w.proto)}"
        n = w.reply.get("natsim")
        what = "id" if w.proto == "icmp" else "port"
        if n is None:
            lines.append(f"{who}: Linux created this entry (reply "
                         f"{ct.tuple_text(w.reply['kernel'], w.proto)}); natsim has no entry "
                         f"for it in conntrack-events.log")
            continue
        n_orig = w.origs["natsim"].get(f_orig)
        if w.carried:
            if n.get(f_reply) != n_orig:
                lines.append(f"{who}: Linux kept the {what} drawn upstream ({w.token}), natsim "
                             f"replaced {n_orig} by {n.get(f_reply)}")
            continue
        if n.get(f_reply) == n_orig:
            lines.append(f"{who}: Linux replaced {what} {w.orig.get(f_orig)} (by "
                         f"{w.reply['kernel'].get(f_reply)}: a random draw), natsim kept it")
            continue
        if w.proto != "icmp":
            for run, r, o in (("natsim", n, n_orig), ("kernel", w.reply["kernel"],
                                                      w.orig.get(f_orig))):
                ranges = source_port_ranges(scenario, w.router, o)
                v = r.get(f_reply)
                if not any(lo <= v <= hi for lo, hi in ranges):
                    lines.append(f"{who}: {run} chose port {v}, outside "
                                 + ", ".join(f"{lo}-{hi}" for lo, hi in ranges))
        if n.get("dst") != w.reply["kernel"].get("dst"):
            lines.append(f"{who}: natsim translated to address {n.get('dst')}, Linux to "
                         f"{w.reply['kernel'].get('dst')}")
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
