"""ct.py - reading conntrack-tools text: `conntrack -L`, `-S` and `-E` lines.

Shared by the pytest suite (tests/py/conftest.py: parse_ct_line, ct_stats)
and the kernel comparison (tests/kernel: the NAT map, the list and event
comparison).

Design choice: one parser for the three formats (an event line is a list line
after its `[NEW]`-style tag, without mark/use), yielding plain dicts whose
tuples are comparable tuples, so the NAT map and the list comparison share it.
"""

import re

_KV = re.compile(r"^(\w[\w-]*)=(\S+)$")
EVENT_TAGS = ("[NEW]", "[UPDATE]", "[DESTROY]")


def parse_entry(line):
    """A `conntrack -L` (or -E) line -> dict, or None when it is not one.

    Keys: proto, protonum, timeout (int or None), state (TCP) or None,
    orig and reply (dicts: src dst sport dport | type code id, numbers as
    ints), flags (set of [..] words without brackets), unreplied and assured
    (booleans: those flags), mark, use, counters (nf_conntrack_acct's
    [(packets, bytes) of orig, of reply], or None), zone (`zone=N`, or None;
    `zone-orig=N`/`zone-reply=N` are fields of their tuple), event (for -E
    lines), line."""
    text = line.strip()
    event = None
    for tag in EVENT_TAGS:
        if text.startswith(tag):
            event = tag[1:-1]
            text = text[len(tag):].strip()
            break
    words = text.split()
    if len(words) < 3 or not words[1].isdigit():
        return None
    d = {"line": line.rstrip("\n"), "event": event, "proto": words[0],
         "protonum": int(words[1]), "timeout": None, "state": None, "flags": set(),
         "mark": None, "use": None, "counters": None, "zone": None}
    i = 2
    if i < len(words) and words[i].isdigit():
        d["timeout"] = int(words[i])
        i += 1
    if i < len(words) and "=" not in words[i] and not words[i].startswith("["):
        d["state"] = words[i]
        i += 1
    tuples, cur = [], None
    for w in words[i:]:
        if w.startswith("[") and w.endswith("]"):
            d["flags"].add(w[1:-1])
            continue
        m = _KV.match(w)
        if not m:
            continue
        k, v = m[1], m[2]
        if k in ("packets", "bytes") and v.isdigit() and tuples:
            # accounting: after each tuple, per direction
            if d["counters"] is None:
                d["counters"] = [[None, None], [None, None]]
            d["counters"][len(tuples) - 1][k == "bytes"] = int(v)
            continue
        if k in ("mark", "use", "zone", "secctx", "delta-time"):
            if k in ("mark", "use", "zone"):
                d[k] = int(v) if v.isdigit() else v
            continue
        if k == "src":
            cur = {}
            tuples.append(cur)
        if cur is not None:
            cur[k] = int(v) if v.isdigit() else v
    if not tuples:
        return None
    d["orig"] = tuples[0]
    d["reply"] = tuples[1] if len(tuples) > 1 else {}
    d["unreplied"] = "UNREPLIED" in d["flags"]
    d["assured"] = "ASSURED" in d["flags"]
    return d


def tuple_key(t, proto):
    """A hashable key of one tuple."""
    if proto == "icmp":
        return (proto, t.get("src"), t.get("dst"), t.get("type"), t.get("code"), t.get("id"))
    return (proto, t.get("src"), t.get("dst"), t.get("sport"), t.get("dport"))


def tuple_text(t, proto):
    if proto == "icmp":
        return f"src={t.get('src')} dst={t.get('dst')} type={t.get('type')} " \
               f"code={t.get('code')} id={t.get('id')}"
    return f"src={t.get('src')} dst={t.get('dst')} sport={t.get('sport')} dport={t.get('dport')}"


def parse_list(lines):
    return [e for e in (parse_entry(l) for l in lines) if e]


def parse_stats(lines):
    """`conntrack -S` -> {counter: value} summed over the per-CPU lines."""
    vals = {}
    for l in lines:
        for k, v in re.findall(r"(\w+)=(\d+)", l):
            if k != "cpu":
                vals[k] = vals.get(k, 0) + int(v)
    return vals
