"""kmods.py - the conntrack helper modules a scenario needs, on the kernel that runs it.

A scenario attaches the kernel's helpers with `-j CT --helper ftp|tftp` and
loads the NAT halves with `modprobe nf_nat_ftp|nf_nat_tftp`. Modules are
global: the harness never unloads one, and loads one only where the kernel
has it as a module that is not loaded yet (a helper registers no hook by
itself: since 6.0 only a CT rule attaches it, so loading one changes nothing
for other namespaces). Where the kernel has neither the built-in nor a
loadable module, the comparison is skipped with the reason (exit 4), never
failed: natsim's helpers would otherwise be compared against no helper.

Design choice: availability is read from the kernel's own records, in this
order: /sys/module/NAME (built in with parameters, or loaded), /proc/modules,
modules.builtin of /lib/modules/RELEASE, /proc/config.gz (`=y`), then
`modprobe -n` (loadable). nf_nat_ftp and nf_nat_tftp have no parameters, so a
built-in one has no /sys/module entry: the later sources find it.
"""

import gzip
import os
import re
import subprocess

# the helper each CT --helper name needs, and the NAT half modprobe names
HELPER_MODULE = {"ftp": "nf_conntrack_ftp", "tftp": "nf_conntrack_tftp"}
HELPER_MODULES = ("nf_conntrack_ftp", "nf_nat_ftp", "nf_conntrack_tftp", "nf_nat_tftp")
_CONFIG = {"nf_conntrack_ftp": "CONFIG_NF_CONNTRACK_FTP", "nf_nat_ftp": "CONFIG_NF_NAT_FTP",
           "nf_conntrack_tftp": "CONFIG_NF_CONNTRACK_TFTP", "nf_nat_tftp": "CONFIG_NF_NAT_TFTP"}


def _release():
    return os.uname().release


def present(name):
    """Is module name built in or loaded? (True, False or None: unknown)"""
    if os.path.isdir(f"/sys/module/{name}"):
        return True
    try:
        with open("/proc/modules") as f:
            if any(l.split()[0] == name for l in f if l.strip()):
                return True
    except OSError:
        pass
    try:
        with open(f"/lib/modules/{_release()}/modules.builtin") as f:
            if any(os.path.basename(l.strip()) == name + ".ko" for l in f):
                return True
    except OSError:
        pass
    key = _CONFIG.get(name)
    if key:
        try:
            with gzip.open("/proc/config.gz", "rt") as f:
                for l in f:
                    if l.startswith(key + "="):
                        return l.strip().endswith("=y")
        except OSError:
            pass
    return False


def loadable(name):
    """Can modprobe load it (a .ko for this release)?"""
    try:
        p = subprocess.run(["modprobe", "-n", name], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return p.returncode == 0


def needed(scn):
    """The helper modules the scenario's commands name: [(module, 'file:line')]."""
    res = []
    for c in scn.commands:
        a = c.argv
        if a and a[0] == "modprobe":
            res += [(w, f"{scn.path}:{c.line}") for w in a[1:] if w in HELPER_MODULES]
        if a and a[0] == "iptables" and "--helper" in a:
            h = a[a.index("--helper") + 1] if a.index("--helper") + 1 < len(a) else ""
            if h in HELPER_MODULE:
                res.append((HELPER_MODULE[h], f"{scn.path}:{c.line}"))
    return res


def legacy_works():
    """Does this kernel have x_tables' legacy tables (iptables-legacy)? Asked
    of the kernel itself, in a namespace of its own: a kernel may have them
    built in without a modules tree to read, or not at all."""
    try:
        p = subprocess.run(["unshare", "-n", "sh", "-c",
                            "iptables-legacy -t filter -L -n && iptables-legacy -t nat -L -n"],
                           capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return p.returncode == 0


def problem(scn):
    """None, or why the kernel here cannot run the scenario's helpers or its
    iptables-legacy commands."""
    legacy = [c for c in scn.commands if c.argv and c.argv[0].startswith("iptables-legacy")]
    if legacy and not legacy_works():
        return (f"{scn.path}:{legacy[0].line}: the kernel {_release()} has no legacy x_tables "
                f"(`iptables-legacy -L` fails in a new namespace), so iptables-legacy cannot "
                f"be compared")
    for name, where in needed(scn):
        if not present(name) and not loadable(name):
            return (f"{where}: the kernel {_release()} has no {name} (neither built in nor "
                    f"a loadable module: `modprobe -n {name}` fails), so its helper cannot "
                    f"be compared")
    return None


def ensure(name):
    """`modprobe NAME` of a scenario: (exit status, stderr). Built in or
    loaded: nothing to do; loadable: loaded with the kernel's own module
    loader (/proc/sys/kernel/modprobe: UML's points at its module tree)."""
    if name not in HELPER_MODULES or present(name):
        return 0, ""
    try:
        with open("/proc/sys/kernel/modprobe") as f:
            loader = f.read().strip() or "modprobe"
    except OSError:
        loader = "modprobe"
    try:
        p = subprocess.run([loader, name], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return 1, f"modprobe: {e}"
    return p.returncode, p.stderr


def module_params(argv):
    """`modprobe NAME PARAM=V ...`: the parameters (which the harness cannot set)."""
    return [w for w in argv[2:] if re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", w)]
