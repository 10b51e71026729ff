#!/usr/bin/python3
"""check_layers.py - `make check-layers`: no file of sim/ or nat/ includes a
header of a layer above its own, or of the other tree's internals.

    tests/layers/check_layers.py [--root DIR] [--allowlist FILE]

Reads every `#include "..."` of sim/ and nat/ (includes are written from the
repository root: "sim/core/evq.h", "nat/conntrack/ct.h", so the layer a file
depends on is in the line itself) and prints one line per violation:

    FILE:LINE: FILE's layer includes HEADER (HEADER's layer): why

The tree has no violation. Work in progress may list known ones in
tests/layers/allowlist.txt (absent today), one `FILE -> HEADER` per line; a
listed line is not reported, and a listed line that is no longer needed is
itself an error, so the list can only shrink. Exit status 0 when nothing is
reported, else 1.

Design: the rules are data - LAYERS and CROSS below are the README's
"Layers" table, lowest layer first - and check() is a pure function of a
tree and an allowlist, so tests/py/test_layers.py can run it on a tree it
builds.
"""
import argparse
import os
import re
import sys

# Each tree's layers, lowest first. A file's layer is the first entry that
# matches it: a folder ("sim/core/", also its subfolders), one file
# ("sim/main.c"), or "nat/*" (the files directly in nat/). A file in no
# layer is itself reported: a new folder needs its line here.
LAYERS = {
    "sim": ["sim/core/", "sim/net/", "sim/inet/", "sim/sock/", "sim/shell/", "sim/apps/",
            "sim/out/", "sim/scenario/", "sim/runner/", "sim/main.c"],
    "nat": ["nat/core/", "nat/conntrack/", "nat/nf_nat/", "nat/ipset/", "nat/iptables/", "nat/nftables/",
            "nat/*"],
}

# What a tree may include of the other one: (the lowest layer that may, the
# headers it may include); None: nothing at all.
CROSS = {
    ("sim", "nat"): ("sim/net/", {"nat/nf.h"}),
    ("nat", "sim"): None,
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SOURCES = (".c", ".h", ".inc")


def layer_of(path):
    """(tree, rank, layer name) of a repository path, or None."""
    tree = path.split("/", 1)[0]
    for rank, layer in enumerate(LAYERS.get(tree, ())):
        if layer.endswith("/*"):
            if os.path.dirname(path) == layer[:-2]:
                return tree, rank, layer[:-1] + " top level"
        elif layer.endswith("/"):
            if path.startswith(layer):
                return tree, rank, layer
        elif path == layer:
            return tree, rank, layer
    return None


def why_not(src, hdr):
    """Why src may not include hdr (both repository paths), or None if it may."""
    ls, lh = layer_of(src), layer_of(hdr)
    if lh is None:
        return "the header is in no layer of tests/layers/check_layers.py"
    if ls[0] == lh[0]:
        if lh[1] > ls[1]:
            return "a lower layer never includes a higher one"
        return None
    rule = CROSS.get((ls[0], lh[0]))
    if rule is None:
        return f"{ls[0]}/ never includes {lh[0]}/"
    lowest, headers = rule
    if hdr not in headers:
        return f"{ls[0]}/ may include only {', '.join(sorted(headers))} of {lh[0]}/"
    if ls[1] < LAYERS[ls[0]].index(lowest):
        return f"only {lowest} and above may include {hdr}"
    return None


def read_allowlist(path):
    """{(file, header): line number} of an allowlist file (# comments)."""
    allowed, problems = {}, []
    if not path or not os.path.exists(path):
        return allowed, problems
    with open(path) as f:
        for n, line in enumerate(f, 1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            parts = [p.strip() for p in text.split("->")]
            if len(parts) != 2 or not all(parts):
                problems.append(f"{path}:{n}: not `FILE -> HEADER`: {text}")
            elif tuple(parts) in allowed:
                problems.append(f"{path}:{n}: listed twice: {text}")
            else:
                allowed[tuple(parts)] = n
    return allowed, problems


def sources(root):
    for tree in sorted(LAYERS):
        for d, dirs, files in os.walk(os.path.join(root, tree)):
            dirs.sort()
            for f in sorted(files):
                if f.endswith(SOURCES):
                    yield os.path.relpath(os.path.join(d, f), root).replace(os.sep, "/")


def check(root, allowlist=None):
    """Every problem of the tree at root, one line each (empty: all good)."""
    allowed, problems = read_allowlist(allowlist)
    used = set()
    for src in sources(root):
        ls = layer_of(src)
        if ls is None:
            problems.append(f"{src}: in no layer of tests/layers/check_layers.py")
            continue
        with open(os.path.join(root, src), errors="replace") as f:
            for n, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                hdr = m.group(1)
                if not os.path.isfile(os.path.join(root, hdr)):
                    problems.append(f"{src}:{n}: includes \"{hdr}\", no such file "
                                    "(includes are written from the repository root)")
                    continue
                why = why_not(src, hdr)
                if why is None:
                    continue
                if (src, hdr) in allowed:
                    used.add((src, hdr))
                    continue
                lh = layer_of(hdr)
                problems.append(f"{src}:{n}: {ls[2]} includes {hdr}"
                                f" ({lh[2] if lh else 'no layer'}): {why}")
    for (src, hdr), n in sorted(allowed.items(), key=lambda kv: kv[1]):
        if (src, hdr) not in used:
            problems.append(f"{allowlist}:{n}: `{src} -> {hdr}` is no longer needed: "
                            "remove the line")
    return problems


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(here)))
    ap.add_argument("--allowlist", default=os.path.join(here, "allowlist.txt"))
    a = ap.parse_args()
    allowlist = a.allowlist if os.path.exists(a.allowlist) else None
    problems = check(a.root, allowlist)
    for p in problems:
        print(p)
    if problems:
        print(f"check-layers: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("check-layers: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
