#!/usr/bin/python3
"""Regenerate tests/surface/linux-surface.json: what the real Linux tools accept.

natsim must answer every name and option a Debian 12 administrator can type
either by implementing it or with `natsim: X is not implemented yet`; never
with a Linux error the real tool would not print, never silently.
tests/py/test_not_implemented.py walks this file. It is generated from the
real tools, so a name or option cannot be forgotten:

  iptables   the main options of `iptables -h`; every extension in the
             xtables directory, classified as a match (`-m NAME -h` works) or
             a target (`-j NAME -h` works); each one's options, the `--word`s
             of its help section that real iptables accepts; for each option
             a sample argument real iptables accepts, with the `iptables -S`
             line it gives (natsim, where it implements the option, must give
             the same line). Tried in a network namespace of our own.
  conntrack  the options of `conntrack -h`; the `-o` formats and per-protocol
             options conntrack-tools 1.4.7 has (candidates from its sources,
             kept where the real tool accepts them).
  modprobe   the options of `modprobe --help`; every module of Debian's
             kernel package (linux-image-6.1.0-*-amd64, listed with dpkg -c)
             and the aliases of its netfilter modules (modinfo).
  ip         the objects of `ip help`.
  sysctl     the options of `sysctl --help`.
  commands   the commands of the packages a Debian router has (dpkg -L).

Needs root, iproute2, iptables (1.8.9, nf_tables), conntrack, kmod, and the
kernel .deb (`--deb FILE`, or it is fetched with `apt-get download`).
Usage: sudo tests/surface/gen_surface.py [--deb FILE] [--out FILE]
It also writes sim/shell/linux_modules.inc, linux_sysctls.inc and sim/shell/linux_commands.inc (the module
and command names natsim knows a Debian router has).
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
NS = "h-voice-gen-%d" % os.getpid()
XT_DIR = "/usr/lib/x86_64-linux-gnu/xtables"


def run(argv, ns=True):
    if ns:
        argv = ["ip", "netns", "exec", NS] + argv
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


def long_opts(text):
    return sorted(set(re.findall(r"(?<![\w-])--([A-Za-z0-9][A-Za-z0-9-]*)", text)))


# ----- iptables -----

# Arguments tried, in order, for an option whose argument is unknown.
ARG_CANDIDATES = [
    None, "1", "3/s", "10.0.0.1", "10.0.0.1-10.0.0.2", "10.0.0.0/8", "eth0", "1:2",
    "1-2", "NEW", "ASSURED", "ORIGINAL", "0x1", "0x1/0x1", "tcp", "x", "1,2",
    "echo-request", "icmp-port-unreachable", "info", "LOCAL", "in", "ipsec", "bm",
    "random", "1000", "2", "0", "00:11:22:33:44:55", "host", "srcip", "10.0.0.1:1-2",
    "avgpkt", "original", "both", "pkts", "0:1", "08:00", "Mon", "1.2", "lo",
    "10.0.0.1/32", "ftp", "UNREPLIED", "0x10", "Minimize-Delay", "ECT0", "ip",
    "icmp", "SYN", "00:00", "2020-01-01",
]

# Options an extension needs to make a rule at all, and the rule's context.
BASE = {
    "hashlimit": ["--hashlimit-name", "h", "--hashlimit-upto", "1/s"],
    "string": ["--algo", "bm", "--string", "x"],
    "statistic": ["--mode", "random", "--probability", "0.5"],
    "u32": ["--u32", "0>>22&0x3C@0>>16=0x1"],
    "connlimit": ["--connlimit-above", "1"],
    "connbytes": ["--connbytes", "1", "--connbytes-dir", "both", "--connbytes-mode", "bytes"],
    "rateest": ["--rateest1", "x", "--rateest-bps1", "1", "--rateest-gt"],
    "RATEEST": ["--rateest-name", "x", "--rateest-interval", "1", "--rateest-ewmalog", "2"],
    "HMARK": ["--hmark-tuple", "src", "--hmark-mod", "1", "--hmark-rnd", "1"],
    "IDLETIMER": ["--timeout", "1", "--label", "x"],
    "LED": ["--led-trigger-id", "x"],
    "TCPMSS": ["--clamp-mss-to-pmtu"],
    "TEE": ["--gateway", "10.0.0.1"],
    "TPROXY": ["--on-port", "1"],
    "SYNPROXY": [],
    "AUDIT": ["--type", "accept"],
    "CLASSIFY": ["--set-class", "1:1"],
    "CHECKSUM": ["--checksum-fill"],
    "CONNSECMARK": ["--save"],
    "ECN": ["--ecn-tcp-remove"],
    "TTL": ["--ttl-set", "1"],
    "TOS": ["--set-tos", "0x10"],
    "DSCP": ["--set-dscp", "1"],
    "SNAT": ["--to-source", "10.0.0.1"],
    "DNAT": ["--to-destination", "10.0.0.1"],
    "NETMAP": ["--to", "10.0.0.0/8"],
    "MARK": ["--set-mark", "1"],
    "CONNMARK": ["--set-mark", "1"],
    "time": ["--timestart", "00:00"],
    "owner": ["--uid-owner", "0"],
    "quota": ["--quota", "1"],
    "nfacct": [],
    "cluster": ["--cluster-total-nodes", "2", "--cluster-local-node", "1",
                "--cluster-hash-seed", "1"],
    "ipvs": ["--ipvs"],
    "recent": ["--set"],
    "limit": ["--limit", "3/s"],
}

# (table, chain, prefix) contexts tried for a rule, in order.
CONTEXTS = [
    ("filter", "FORWARD", []), ("filter", "FORWARD", ["-p", "tcp"]),
    ("filter", "FORWARD", ["-p", "udp"]), ("filter", "FORWARD", ["-p", "icmp"]),
    ("filter", "INPUT", ["-p", "tcp"]), ("filter", "OUTPUT", ["-p", "tcp"]),
    ("nat", "POSTROUTING", []), ("nat", "POSTROUTING", ["-p", "tcp"]),
    ("nat", "PREROUTING", []), ("nat", "PREROUTING", ["-p", "tcp"]),
    ("mangle", "FORWARD", []), ("mangle", "FORWARD", ["-p", "tcp", "--tcp-flags", "SYN,RST", "SYN"]),
    ("mangle", "PREROUTING", ["-p", "tcp"]), ("mangle", "POSTROUTING", ["-p", "tcp"]),
    ("raw", "PREROUTING", []), ("raw", "PREROUTING", ["-p", "tcp", "--syn"]),
    ("filter", "INPUT", ["-p", "tcp", "-m", "state", "--state", "INVALID,UNTRACKED"]),
]


def ipt_flush(table="filter"):
    run(["iptables", "-t", table, "-F"])


def ipt_try(kind, name, words, contexts=CONTEXTS):
    """A rule with extension `name` and `words`: (context, -S line) or None."""
    flag = "-m" if kind == "match" else "-j"
    for table, chain, prefix in contexts:
        argv = ["iptables", "-t", table, "-A", chain] + prefix + [flag, name] + words
        rc, _, _ = run(argv)
        if rc != 0:
            continue
        _, out, _ = run(["iptables", "-t", table, "-S", chain])
        rules = [l for l in out.splitlines() if l.startswith("-A ")]
        ipt_flush(table)
        return {"table": table, "chain": chain, "prefix": prefix, "words": words,
                "save": rules[-1] if rules else ""}
    return None


def ipt_option(kind, name, opt, base, ctx):
    """Whether real iptables knows --opt of `name`, and a sample that works."""
    flag = "-m" if kind == "match" else "-j"
    rc, _, err = run(["iptables", "-A", "FORWARD", flag, name] + base + ["--" + opt, "1"])
    ipt_flush()
    if 'unknown option "--' + opt in err:
        rc, _, err = run(["iptables", "-A", "FORWARD", flag, name] + base + ["--" + opt])
        ipt_flush()
        if 'unknown option "--' + opt in err:
            return False, None
    for i, arg in enumerate(ARG_CANDIDATES):
        if ("--" + opt) in base:
            words = base
        else:
            words = base + ["--" + opt] + ([] if arg is None else arg.split(" "))
        if i >= 3 and not ctx:
            break  # no context makes the bare extension work: names only
        contexts = [ctx] if ctx and i >= 3 else CONTEXTS
        res = ipt_try(kind, name, words, contexts)
        if res:
            return True, {"arg": arg, "words": words, **res}
        if ("--" + opt) in base:
            break
    return True, None


def ipt_surface():
    _, main_help, _ = run(["iptables", "-h"])
    main_longs = long_opts(main_help)
    main_shorts = sorted(set(re.findall(r"(?<![\w-])-([A-Za-z0-9])\b", main_help)))
    names = set()
    for path in glob.glob(os.path.join(XT_DIR, "lib*.so")):
        m = re.match(r"lib(xt|ipt)_(.+)\.so$", os.path.basename(path))
        if m:
            names.add(m.group(2))
    matches, targets = {}, {}
    for name in sorted(names | {"QUEUE"}):
        print("iptables extension", name, file=sys.stderr, flush=True)
        for kind, flag, into in (("match", "-m", matches), ("target", "-j", targets)):
            if kind == "target":
                # -j NAME -h prints help for any name: a target is what
                # iptables does not take for a chain name
                _, _, err = run(["iptables", "-A", "FORWARD", "-j", name])
                ipt_flush()
                if "Chain '%s' does not exist" % name in err or name == "standard":
                    continue
            rc, out, _ = run(["iptables", flag, name, "-h"])
            if rc != 0:
                continue
            section = out[len(main_help):] if out.startswith(main_help[:200]) else out
            cands = [o for o in long_opts(section) if o not in main_longs]
            base = BASE.get(name, [])
            ext = {"options": {}}
            ext["bare"] = ipt_try(kind, name, base)
            ctx = ext["bare"]
            ctx = (ctx["table"], ctx["chain"], ctx["prefix"]) if ctx else None
            for opt in cands:
                known, sample = ipt_option(kind, name, opt, base, ctx)
                if known:
                    ext["options"][opt] = sample
            into[name] = ext
    return {"main_long": main_longs, "main_short": main_shorts,
            "matches": matches, "targets": targets,
            "tables": [t for t in ("filter", "nat", "mangle", "raw", "security")
                       if run(["iptables", "-t", t, "-S"])[0] == 0]}


# ----- conntrack -----

CT_OUTPUT = ["xml", "extended", "timestamp", "id", "ktimestamp", "labels", "userspace",
             "save"]
CT_PROTO_OPTS = {
    "tcp": ["sport", "dport", "orig-port-src", "orig-port-dst", "reply-port-src",
            "reply-port-dst", "mask-port-src", "mask-port-dst", "tuple-port-src",
            "tuple-port-dst", "state"],
    "udp": ["sport", "dport", "orig-port-src", "orig-port-dst", "reply-port-src",
            "reply-port-dst", "mask-port-src", "mask-port-dst", "tuple-port-src",
            "tuple-port-dst"],
    "icmp": ["icmp-type", "icmp-code", "icmp-id"],
    "sctp": ["sport", "dport", "orig-vtag", "reply-vtag", "state"],
    "gre": ["srckey", "dstkey"],
}


def ct_surface():
    _, text, _ = run(["conntrack", "-h"], ns=False)
    longs = long_opts(text)
    shorts = sorted(set(re.findall(r"^\s+-([A-Za-z])\b", text, re.M)))
    outputs = [o for o in CT_OUTPUT if run(["conntrack", "-L", "-o", o])[0] == 0]
    proto = {}
    for p, opts in CT_PROTO_OPTS.items():
        proto[p] = []
        for o in opts:
            _, _, err = run(["conntrack", "-L", "-p", p, "--" + o, "1"])
            if "unknown option" not in err:
                proto[p].append(o)
    return {"long": longs, "short": shorts, "outputs": outputs, "proto_options": proto}


# ----- ip -----

def ip_surface():
    """The objects `ip help` lists, and those of them ip itself rejects
    (iproute2 6.1 lists `amt`, a link type, as an object)."""
    _, out, err = run(["ip", "help"], ns=False)
    objs = re.search(r"OBJECT := \{(.*?)\}", out + err, re.S).group(1)
    objs = sorted(o.strip() for o in objs.replace("\n", " ").split("|"))
    unknown = [o for o in objs if "is unknown" in "".join(run(["ip", o, "help"], ns=False)[1:])]
    return objs, unknown


# ----- commands -----

# The packages of a Debian 12 router natsim stands for: their commands exist
# there, so natsim must not answer them with bash's "command not found".
COMMAND_PACKAGES = ["iptables", "iproute2", "conntrack", "kmod", "nftables", "procps",
                    "systemd", "util-linux", "coreutils", "tcpdump", "bash"]


def commands():
    names, owned = set(), set()
    for pkg in COMMAND_PACKAGES:
        out = subprocess.run(["dpkg", "-L", pkg], stdout=subprocess.PIPE, text=True).stdout
        for line in out.splitlines():
            owned.add(os.path.realpath(line))
            m = re.fullmatch(r"/(?:usr/)?s?bin/([^/]+)", line)
            if m:
                names.add(m.group(1))
    # names made by update-alternatives (iptables, ip6tables, ebtables...)
    for d in ("/usr/sbin", "/usr/bin"):
        for n in os.listdir(d):
            if os.path.realpath(os.path.join(d, n)) in owned:
                names.add(n)
    return sorted(names)


def write_commands_inc(names, path):
    lines = ["/* linux_commands.inc - GENERATED by tests/surface/gen_surface.py: do not edit.",
             " * The commands of Debian 12's %s," % ", ".join(COMMAND_PACKAGES),
             " * sorted (strcmp) for bsearch. */",
             "static const char *const linux_command_names[] = {"]
    lines += ['\t"%s",' % n for n in names]
    lines.append("};")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


# ----- modprobe -----

def modules(deb):
    tmp = tempfile.mkdtemp(prefix="voice-gen-")
    try:
        if not deb:
            subprocess.run(["apt-get", "download", "linux-image-amd64"], cwd=tmp, check=True)
            dep = glob.glob(os.path.join(tmp, "*.deb"))[0]
            info = subprocess.run(["dpkg-deb", "-f", dep, "Depends"], stdout=subprocess.PIPE,
                                  text=True, check=True).stdout
            pkg = re.match(r"\s*(linux-image-[^ ,]+)", info).group(1)
            subprocess.run(["apt-get", "download", pkg], cwd=tmp, check=True)
            deb = [d for d in glob.glob(os.path.join(tmp, "linux-image-6*.deb"))][0]
        listing = subprocess.run(["dpkg", "-c", deb], stdout=subprocess.PIPE, text=True,
                                 check=True).stdout
        release = re.search(r"\./lib/modules/([^/\s]+)/", listing).group(1)
        names = set()
        for line in listing.splitlines():
            m = re.search(r"/([^/]+)\.ko(\.xz)?$", line)
            if m:
                names.add(m.group(1).replace("-", "_"))
        # aliases of the netfilter modules (ipt_MASQUERADE, ip_conntrack_ftp, ...)
        x = os.path.join(tmp, "x")
        subprocess.run(["dpkg-deb", "-x", deb, x], check=True)
        aliases = {}
        for ko in glob.glob(os.path.join(x, "lib/modules/*/kernel/net/**/netfilter/**/*.ko*"),
                            recursive=True):
            out = subprocess.run(["modinfo", "-F", "alias", ko], stdout=subprocess.PIPE,
                                 text=True).stdout
            mod = re.sub(r"\.ko(\.xz)?$", "", os.path.basename(ko)).replace("-", "_")
            for a in out.split():
                if re.fullmatch(r"[A-Za-z0-9_-]+", a) and a.replace("-", "_") not in names:
                    aliases[a.replace("-", "_")] = mod
        netfilter = sorted(n for n in names if re.search(
            r"^(nf_|nft_|xt_|ipt_|ip6t_|iptable_|ip6table_|ebt_|ebtable|arpt_|arptable|"
            r"ip_set|ip_vs|nfnetlink|x_tables|ip_tables|ip6_tables|nf_tables|"
            r"br_netfilter|arp_tables|ebtables)", n))
        return {"release": release, "all": sorted(names), "netfilter": netfilter,
                "aliases": dict(sorted(aliases.items()))}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def modprobe_opts():
    _, text, err = run(["modprobe", "--help"], ns=False)
    text += err
    # the help text names --force-modversions, which kmod itself refuses
    longs = [o for o in long_opts(text) if "unrecognized option" not in
             run(["modprobe", "--" + o, "-n", "nf_conntrack"], ns=False)[2]]
    return {"long": longs,
            "short": sorted(set(re.findall(r"^\s+-([A-Za-z]),", text, re.M)))}


def write_modules_inc(mods, path):
    """sim/shell/linux_modules.inc: a sorted C string table (bsearch)."""
    lines = ["/* linux_modules.inc - GENERATED by tests/surface/gen_surface.py: do not edit.",
             " * Every module of Debian 12's kernel package (%s), '-' as '_', and" % mods["release"],
             " * the aliases of its netfilter modules, sorted (strcmp) for bsearch. */"]
    entries = sorted(set(mods["all"]) | set(mods["aliases"]))
    lines.append("static const char *const linux_module_names[] = {")
    for e in entries:
        lines.append('\t"%s",' % e)
    lines.append("};")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def sysctl_names():
    """Every knob `sysctl -N -a` names on this machine (the initial namespace,
    read only), an interface's own (net.ipv4.conf.IF.*, net.ipv6.conf.IF.*,
    net.ipv4.neigh.IF.*, net.ipv6.neigh.IF.*) with IF written `*`: a router's
    interfaces have the scenario's names."""
    _, text, _ = run(["sysctl", "-N", "-a"], ns=False)
    names = set()
    for name in text.split():
        m = re.match(r"^(net\.ipv[46]\.(?:conf|neigh))\.([^.]+)\.(.+)$", name)
        if m and m.group(2) not in ("all", "default"):
            name = "%s.*.%s" % (m.group(1), m.group(3))
        names.add(name)
    return sorted(names)


def write_sysctls_inc(names, path):
    lines = ["/* linux_sysctls.inc - GENERATED by tests/surface/gen_surface.py: do not edit.",
             " * The knobs under /proc/sys (`sysctl -N -a`), an interface's as IF = *. */",
             "static const char *const linux_sysctl_names[] = {"]
    lines += ['\t"%s",' % n for n in names]
    lines.append("};")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--deb", help="linux-image-6.1.0-*-amd64 .deb (else apt-get download)")
    ap.add_argument("--out", default=os.path.join(HERE, "linux-surface.json"))
    ap.add_argument("--inc", default=os.path.join(ROOT, "sim", "shell", "linux_modules.inc"))
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("gen_surface.py: needs root (network namespaces)")
    need = {"ip": "iproute2", "iptables": "iptables", "conntrack": "conntrack",
            "modprobe": "kmod", "modinfo": "kmod", "sysctl": "procps", "dpkg-deb": "dpkg"}
    lacking = sorted({pkg for prog, pkg in need.items() if not shutil.which(prog)})
    if lacking:
        sys.exit("gen_surface.py: missing programs; run: apt-get install -y " + " ".join(lacking))
    subprocess.run(["ip", "netns", "add", NS], check=True)
    try:
        surface = {
            "generated_by": "tests/surface/gen_surface.py",
            "iptables_version": run(["iptables", "-V"])[1].strip(),
            "conntrack_version": run(["conntrack", "-V"], ns=False)[1].strip(),
            "iptables": ipt_surface(),
            "conntrack": ct_surface(),
            "ip_objects": None,
            "sysctl": None,
            "modprobe": modprobe_opts(),
        }
        surface["ip_objects"], surface["ip_objects_unknown"] = ip_surface()
        _, text, _ = run(["sysctl", "--help"], ns=False)
        surface["sysctl"] = {"long": long_opts(text),
                             "short": sorted(set(re.findall(r"^\s+-([A-Za-z]),", text, re.M)))}
        mods = modules(a.deb)
        surface["modules"] = {"release": mods["release"], "netfilter": mods["netfilter"],
                              "aliases": mods["aliases"], "count": len(mods["all"])}
        write_modules_inc(mods, a.inc)
        write_sysctls_inc(sysctl_names(), os.path.join(os.path.dirname(a.inc),
                                                       "linux_sysctls.inc"))
        surface["commands"] = commands()
        write_commands_inc(surface["commands"], os.path.join(os.path.dirname(a.inc),
                                                             "linux_commands.inc"))
    finally:
        subprocess.run(["ip", "netns", "del", NS])
    with open(a.out, "w") as f:
        json.dump(surface, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", a.out, "and", a.inc)


if __name__ == "__main__":
    main()
