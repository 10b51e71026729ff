#!/usr/bin/python3
"""snapshot.py - record everything natsim writes for every scenario, and
compare two recordings: the "no behaviour change" check of a refactoring.

    tests/snapshot/snapshot.py record DIR [--natsim PATH] [--seeds 1,7]
                                          [--trace] [--only NAME,...]
    tests/snapshot/snapshot.py compare OLD NEW

`record` runs every topologies/*.scn (and topologies/*/*.scn) and
tests/bench/*.scn with each seed (default 1 and 7), once plainly and, with
--trace, the topologies once more with `--trace --report`, and keeps for each run: the exit
status, stdout, stderr, and every output file. Files up to 4 MiB are copied
so a difference can be shown; larger ones (the bench scenarios' pcaps and
event logs) are kept as a SHA-256 in the manifest. `compare` lists every run
and file that differs (a unified diff of the first lines for text files) and
exits 1 if any does, 0 if the two recordings are byte-identical.

Design: whole output directories, not chosen files, so that nothing a run
writes can change unnoticed; the bench scenarios are included because they
are the only ones at scale (table-full storms, 100k flows). Wall-clock
figures are never recorded: summary.json holds none.
"""
import argparse
import difflib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COPY_LIMIT = 4 << 20


def scenarios(only):
    found = sorted(ROOT.glob("topologies/*.scn")) + sorted(ROOT.glob("topologies/*/*.scn")) \
        + sorted(ROOT.glob("tests/bench/*.scn"))
    if only:
        names = set(only.split(","))
        found = [p for p in found if p.stem in names]
    return found


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def record(args):
    dest = Path(args.dir).resolve()
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    natsim = Path(args.natsim or os.environ.get("NATSIM") or ROOT / "build" / "natsim").resolve()
    manifest = {"natsim": str(natsim), "runs": {}}
    modes = [("plain", [])]
    if args.trace:
        modes.append(("trace", ["--trace", "--report"]))
    for scn in scenarios(args.only):
        rel = scn.relative_to(ROOT)
        for seed in args.seeds.split(","):
            for mode, extra in modes:
                if mode == "trace" and rel.parts[0] != "topologies":
                    continue	# a bench scenario's walk would be gigabytes
                key = f"{rel}@{seed}:{mode}"
                keep = dest / key.replace("/", "_").replace("@", "_").replace(":", "_")
                keep.mkdir()
                with tempfile.TemporaryDirectory(prefix="natsim-snap-") as tmp:
                    out = Path(tmp) / "out"
                    p = subprocess.run([str(natsim), "run", str(scn), "--out", str(out),
                                        "--seed", seed] + extra,
                                       capture_output=True, cwd=str(scn.parent))
                    files = {"<exit>": str(p.returncode)}
                    (keep / "_stdout").write_bytes(p.stdout)
                    (keep / "_stderr").write_bytes(p.stderr)
                    files["<stdout>"] = hashlib.sha256(p.stdout).hexdigest()
                    files["<stderr>"] = hashlib.sha256(p.stderr).hexdigest()
                    for f in sorted(out.rglob("*")) if out.exists() else []:
                        if not f.is_file():
                            continue
                        name = str(f.relative_to(out))
                        files[name] = sha256(f)
                        if f.stat().st_size <= COPY_LIMIT:
                            target = keep / name
                            target.parent.mkdir(parents=True, exist_ok=True)
                            shutil.copyfile(f, target)
                manifest["runs"][key] = {"dir": keep.name, "files": files}
                print(f"{key}: exit {p.returncode}, {len(files) - 3} files", flush=True)
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return 0


def show_diff(a, b, label):
    try:
        ta = a.read_text().splitlines()
        tb = b.read_text().splitlines()
    except (UnicodeDecodeError, FileNotFoundError):
        print(f"    (binary or not kept: {label})")
        return
    for n, line in enumerate(difflib.unified_diff(ta, tb, "old/" + label, "new/" + label,
                                                  lineterm="", n=1)):
        if n >= 24:
            print("    ...")
            break
        print("    " + line)


def checkout_of(manifest):
    """The checkout a recording's natsim was built in (DIR/build/natsim):
    scenario paths in summary.json, the report and warnings name it."""
    return str(Path(manifest["natsim"]).resolve().parents[1])


def same_but_checkout(a, b, root_a, root_b):
    """Two kept text files equal once each checkout's path is replaced by one
    placeholder, so recordings made in two worktrees can be compared."""
    try:
        ta, tb = a.read_text(), b.read_text()
    except (UnicodeDecodeError, FileNotFoundError):
        return False
    return ta.replace(root_a, "<checkout>") == tb.replace(root_b, "<checkout>")


def compare(args):
    old, new = Path(args.old), Path(args.new)
    man_o = json.loads((old / "manifest.json").read_text())
    man_n = json.loads((new / "manifest.json").read_text())
    mo, mn = man_o["runs"], man_n["runs"]
    root_o, root_n = checkout_of(man_o), checkout_of(man_n)
    bad = path_only = 0
    for key in sorted(set(mo) | set(mn)):
        if key not in mo or key not in mn:
            print(f"{key}: only in {'old' if key in mo else 'new'}")
            bad += 1
            continue
        fo, fn = mo[key]["files"], mn[key]["files"]
        for name in sorted(set(fo) | set(fn)):
            if fo.get(name) == fn.get(name):
                continue
            bad += 1
            if name not in fo or name not in fn:
                print(f"{key}: {name} only in {'old' if name in fo else 'new'}")
                continue
            if name == "<exit>":
                print(f"{key}: exit status {fo[name]} -> {fn[name]}")
                continue
            fname = {"<stdout>": "_stdout", "<stderr>": "_stderr"}.get(name, name)
            if root_o != root_n and same_but_checkout(old / mo[key]["dir"] / fname,
                                                      new / mn[key]["dir"] / fname,
                                                      root_o, root_n):
                bad -= 1
                path_only += 1
                continue
            print(f"{key}: {name} differs")
            show_diff(old / mo[key]["dir"] / fname, new / mn[key]["dir"] / fname, fname)
    if path_only:
        print(f"{path_only} files differ only in the checkout's path "
              f"({root_o} -> {root_n})")
    print(f"{len(mo)} runs compared, {bad} differences" if bad else
          f"{len(mo)} runs compared: byte-identical")
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("record")
    r.add_argument("dir")
    r.add_argument("--natsim")
    r.add_argument("--seeds", default="1,7")
    r.add_argument("--trace", action="store_true")
    r.add_argument("--only")
    c = sub.add_parser("compare")
    c.add_argument("old")
    c.add_argument("new")
    args = ap.parse_args()
    return record(args) if args.cmd == "record" else compare(args)


if __name__ == "__main__":
    sys.exit(main())
