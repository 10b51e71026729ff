"""tablefull.py - a full conntrack table where Linux's outcome depends on its hash seed: the rule.

When a new entry finds the table full, the kernel's early drop scans up to
8 buckets from the new tuple's bucket for an entry that is not ASSURED
(nf_conntrack_core.c early_drop). The bucket comes from a hash keyed with a
random seed drawn at boot (and natsim's from its own seeded generator), so
WHICH flows get in, which entry is evicted, and so how many evictions there
are, differ between the runs and between two kernel runs. What does not
depend on the seed is compared exactly; the rest is judged by the rule.

A router is judged by the rule ("hash-dependent") once a `conntrack -S` of
either run shows early_drop > 0 there. With the default 262144 buckets that
is rare (the 8 buckets scanned hold an entry about once in 1000 tries; over
table-full.scn's 104 tries, about one run in ten), with 512 buckets it is
the rule (table-full-512.scn). A router where neither run early-dropped is
compared exactly: every flow that found the table full was dropped, in
both, and the log lines and their rate limit follow from that.

On a hash-dependent router:
- `conntrack -S`: every counter but drop, early_drop (and found, see
  natmap) exactly; and drop + NEW equal in both runs, NEW being the entries
  the run confirmed up to then (its NEW events): every new flow offered is
  either dropped or confirmed, whatever the seed decides about which;
- `conntrack -L`: entries in both runs compared as usual; an entry in one
  run only must not be ASSURED (early drop never evicts one), and each list
  must hold at most nf_conntrack_max entries;
- `conntrack -C`: at most nf_conntrack_max in both runs;
- packets: a conversation seen in one run only is the seed's choice when
  its flow was confirmed on the router in that run only (a NEW event for
  its ORIGINAL tuple in one run's events, none in the other's);
- the kernel log: the number in `net_ratelimit: N callbacks suppressed`
  (klog.compare), which counts the drops, and the number of table-full
  lines within what the difference in drops allows: natsim may print
  between 0 and (natsim's drops - Linux's) more lines, never the other way
  (drop_delta).
Each excused difference is printed as a note, never silently.
"""

import re

import ct
import natmap
import outputs

NS = 1_000_000_000
DEFAULT_MAX = 262144        # natsim's default; the UML kernel is sized to match (uml.MEM)


def hash_dependent(nstats, kstats):
    """Routers where a `conntrack -S` of either run shows early_drop > 0.
    nstats, kstats: [(node, stats dict)]."""
    return {node for node, st in list(nstats) + list(kstats) if st.get("early_drop", 0) > 0}


def drop_delta(nodes, nstats, kstats):
    """natsim's drop counter minus Linux's, summed over the routers in nodes,
    each side's last (largest: the counter only grows) `conntrack -S`. Each
    early drop is one drop fewer (the new entry takes the evicted one's place),
    so this bounds how many more table-full log lines natsim may print
    (klog.compare). nstats, kstats: [(node, stats dict)]."""
    def last(stats, node):
        return max([st.get("drop", 0) for n, st in stats if n == node] or [0])
    nstats, kstats = list(nstats), list(kstats)
    return sum(last(nstats, n) - last(kstats, n) for n in nodes)


def conntrack_max(scenario, t):
    """nf_conntrack_max at scenario time t: the last value the scenario
    wrote (it is machine-wide on UML; natsim's routers each keep their own)."""
    val = DEFAULT_MAX
    for c in scenario.timed():
        if c.t > t:
            break
        a = c.argv
        words = a[1:] if a[0] == "sysctl" else []
        if a[0] == "echo" and c.redir and c.redir[1].replace("/", ".").endswith(
                "net.netfilter.nf_conntrack_max"):
            words = [f"net.netfilter.nf_conntrack_max={' '.join(a[1:])}"]
        for w in words:
            m = re.fullmatch(r"net[./]netfilter[./]nf_conntrack_max=(\d+)", w)
            if m:
                val = int(m[1])
    return val


def _news(events, router, t):
    return sum(1 for e in events.get(router, []) if e.get("event") == "NEW" and
               e.get("t") is not None and e["t"] <= t)


def compare_stats(where, a, b, random_here, nevents, kevents, router, tn, tk):
    """(differences, notes) of one `conntrack -S` on a hash-dependent router."""
    skip = {"drop", "early_drop"} | ({"found"} if random_here else set())
    d = [f"{k}={a.get(k)} vs {b.get(k)}" for k in sorted(set(a) | set(b))
         if k not in skip and a.get(k) != b.get(k)]
    out = [f"{where}: counters differ (natsim vs Linux): " + ", ".join(d)] if d else []
    na, nk = _news(nevents, router, tn), _news(kevents, router, tk)
    offered_n, offered_k = a.get("drop", 0) + na, b.get("drop", 0) + nk
    if offered_n != offered_k:
        out.append(f"{where}: new flows offered to the full table differ: natsim drop={a.get('drop')} "
                   f"+ {na} confirmed = {offered_n}, Linux drop={b.get('drop')} + {nk} confirmed "
                   f"= {offered_k}")
    notes = [f"{where}: table full, early drop depends on the hash seed (README): "
             f"drop={a.get('drop')} early_drop={a.get('early_drop')} (natsim) vs "
             f"drop={b.get('drop')} early_drop={b.get('early_drop')} (Linux); judged by "
             f"drop + confirmed = {offered_k} in both"] if offered_n == offered_k else []
    return out, notes


def compare_list(where, nlines, klines, wildcards, t, cmax):
    """(differences, notes) of one `conntrack -L` on a hash-dependent router."""
    diffs = outputs.compare_ct_list(where, nlines, klines, wildcards, t)
    ne, ke = ct.parse_list(nlines), ct.parse_list(klines)
    out, notes, one = [], [], {"natsim only": [], "Linux only": []}
    for d in diffs:
        m = re.match(r"^(.*): (natsim only|Linux only): +(.*)$", d)
        e = ct.parse_entry(m[3]) if m else None
        if e and "ASSURED" not in e["flags"]:
            one[m[2]].append(m[3])
        else:
            out.append(d)
    if one["natsim only"] or one["Linux only"]:
        notes.append(f"{where}: {len(one['natsim only'])} entries in natsim only, "
                     f"{len(one['Linux only'])} on Linux only, none ASSURED: kept or evicted "
                     f"as the early drop's hash seed decides (README: table full)")
        notes += [f"    {k}: {l}" for k, lst in one.items() for l in lst[:2]]
    for run, lst in (("natsim", ne), ("Linux", ke)):
        if len(lst) > cmax:
            out.append(f"{where}: {run} lists {len(lst)} entries, above nf_conntrack_max {cmax}")
    return out, notes


def compare_count(where, nlines, klines, cmax):
    """(differences, notes) of one `conntrack -C` on a hash-dependent router."""
    try:
        a, b = int(nlines[0].strip()), int(klines[0].strip())
    except (IndexError, ValueError):
        return [f"{where}: output differs: {nlines} vs {klines}"], []
    if a == b:
        return [], []
    if a <= cmax and b <= cmax:
        return [], [f"{where}: {a} (natsim) vs {b} (Linux) entries: early drop evicts as the "
                    f"hash decides (README: table full); both within nf_conntrack_max {cmax}"]
    return [f"{where}: {a} (natsim) vs {b} (Linux) entries, nf_conntrack_max {cmax}"], []


def excused_conversations(routers, nevents, kevents, wildcards):
    """{conversation key: router} of flows confirmed on a hash-dependent router
    in one run only (diff.conversation keys, before and after NAT, with the
    NAT tokens of natmap in place)."""
    res = {}
    for r in routers:
        sides = {}
        for run, evs in (("natsim", nevents), ("kernel", kevents)):
            for e in evs.get(r, []):
                if e.get("event") == "NEW":
                    sides.setdefault(ct.tuple_key(e["orig"], e["proto"]), {})[run] = e
        for key, runs in sides.items():
            if len(runs) != 1:
                continue
            run, e = next(iter(runs.items()))
            for tup, rev in ((e["orig"], False), (e["reply"], True)):
                for t in (tup, natmap.rewritten_tuple(tup, e["proto"], wildcards, run, e["t"] or 0)):
                    k = _conv_key(t, e["proto"], rev)
                    if k:
                        res[k] = r
    return res


def _conv_key(t, proto, reply):
    """diff.conversation's key of the packets carrying tuple t."""
    if proto not in ("tcp", "udp") or "sport" not in t:
        return None
    return (proto,) + tuple(sorted([(t["src"], str(t["sport"])), (t["dst"], str(t["dport"]))]))
