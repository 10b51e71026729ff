#!/usr/bin/python3
"""check_symbols.py - the nat/ layers, checked on the object files: no object
of a layer needs (`nm -u`) a symbol that only a higher layer defines.

    tests/layers/check_symbols.py [BUILD]      (default: build)

nat/core < nat/conntrack < nat/nf_nat < nat/ipset < nat/iptables < nat/ top level. The
include check (check_layers.py) sees what a file includes; this one sees
what it calls, which is what "conntrack links without NAT and iptables"
means (test_ct_alone links them for real). Exit 0 when clean, 1 with one line
per offending (object, symbol).
"""
import os
import subprocess
import sys
from pathlib import Path

LAYERS = ["core", "conntrack", "nf_nat", "ipset", "iptables", "."]


ROOT = Path(__file__).resolve().parents[2]


def objects(build, layer):
    """The layer's objects whose source still exists (a stale object of a
    moved file is not part of the build)."""
    base = Path(build) / "nat"
    found = sorted(base.glob("*.o")) if layer == "." else sorted((base / layer).rglob("*.o"))
    return [o for o in found
            if (ROOT / o.relative_to(build).with_suffix(".c")).is_file()]


def nm(args, obj):
    out = subprocess.run(["nm"] + args + [str(obj)], capture_output=True, text=True,
                         check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    defined = {}
    for layer in LAYERS:
        objs = objects(build, layer)
        if not objs:
            print(f"check-symbols: no objects under {build}/nat/{layer} (build first)")
            return 1
        for o in objs:
            for sym in nm(["--defined-only", "--extern-only"], o):
                defined.setdefault(sym, (layer, o))
    problems = []
    for i, layer in enumerate(LAYERS):
        higher = set(LAYERS[i + 1:])
        for o in objects(build, layer):
            for sym in sorted(nm(["-u"], o)):
                where = defined.get(sym)
                if where and where[0] in higher:
                    problems.append(f"{o}: needs {sym}, defined in {where[1]} "
                                    f"(nat/{where[0]}, a higher layer than nat/{layer})")
    for p in problems:
        print(p)
    print(f"check-symbols: {'ok' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
