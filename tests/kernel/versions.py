"""versions.py - behaviours that differ between the kernels the harness runs, and natsim set to the older.

The kernel side runs on this machine's kernel (6.18 on the machines here)
or in UML, Debian 12's 6.1. natsim follows the newer kernel; where it has a
knob that gives the older kernel's behaviour, a comparison against the older
kernel runs natsim with that knob set (on every host and router, at time 0),
so the comparison checks the rest rather than report the version's
difference on every packet it touches. Every behaviour that differs between
the two versions is listed in tests/kernel/README.md with its evidence;
those natsim has a knob for are here.

Design choice: the knobs go into a copy of the scenario, appended after its
last line (the lines of the scenario keep their numbers, which the comparison
of failures reads), in a directory of symlinks to the scenario's own
directory (its relative paths, `iptables-restore < FILE`, `replay FILE`,
resolve as before); their command blocks are left out of the comparison.
"""

import os
import re

# (first kernel version with the newer behaviour, sysctl giving the older, why)
OLDER = [
    ((6, 5), "net.ipv4.tcp_syn_linear_timeouts", "0",
     "TCP SYN and SYN-ACK retransmissions: 6.5 added tcp_syn_linear_timeouts (default 4: "
     "the first four 1 s apart, +1, 2, 3, 4, 5, 7, 11 s ...); 6.1 backs off from the "
     "first (+1, 3, 7, 15 s ...), natsim's tcp_syn_linear_timeouts=0"),
]


def release_tuple(release):
    m = re.match(r"^(\d+)\.(\d+)", release or "")
    return (int(m[1]), int(m[2])) if m else None


def knobs_for(release):
    """[(sysctl, value, why)] that set natsim to the kernel of that release."""
    v = release_tuple(release)
    if v is None:
        return []
    return [(name, value, why) for since, name, value, why in OLDER if v < since]


def added_lines(s, release):
    """[(node, command)]: the knobs natsim gets against the kernel of that
    release, on every host and router whose scenario does not set them."""
    res = []
    for node in s.node_order:
        if s.nodes[node] == "switch":
            continue
        for name, value, _ in knobs_for(release):
            if any(c.node == node and _writes(c.argv, c.redir, name) for c in s.commands):
                continue        # the scenario sets it (and Linux fails: absent_knob)
            res.append((node, f"sysctl -q -w {name}={value}"))
    return res


def natsim_scenario(s, release, workdir):
    """(path of the scenario natsim runs, notes): the scenario itself, or,
    when the kernel of that release needs a knob, a copy with added_lines."""
    added = added_lines(s, release)
    if not added:
        return s.path, []
    src = os.path.abspath(s.path)
    d = os.path.join(workdir, "scenario")
    os.makedirs(d, exist_ok=True)
    for name in os.listdir(os.path.dirname(src)):
        link = os.path.join(d, name)
        if name != os.path.basename(src) and not os.path.lexists(link):
            os.symlink(os.path.join(os.path.dirname(src), name), link)
    with open(src, encoding="utf-8") as f:
        text = f.read()
    lines = [f"# compare: natsim set to Linux {release} (tests/kernel/versions.py)"]
    lines += [f"{node}: {cmd}" for node, cmd in added]
    path = os.path.join(d, os.path.basename(src))
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + ("" if text.endswith("\n") or not text else "\n") + "\n".join(lines) + "\n")
    notes = [f"natsim set to Linux {release}: {name}={value} on every host and router the "
             f"scenario leaves it to ({why})" for name, value, why in knobs_for(release)]
    return path, notes


def _writes(argv, redir, name):
    """Does this command write sysctl NAME?"""
    if argv[0] == "sysctl":
        return any(w.split("=", 1)[0].replace("/", ".") == name for w in argv[1:] if "=" in w)
    return argv[0] == "echo" and bool(redir) and redir[1].startswith("/proc/sys/") and \
        redir[1][len("/proc/sys/"):].replace("/", ".") == name


def absent_knob(release, argv, redir, err):
    """A note when the command failed on Linux only because the kernel of
    that release has no such knob yet (one of OLDER), else None."""
    v = release_tuple(release)
    for since, name, _, why in OLDER:
        if v and v < since and _writes(argv, redir, name) and \
                name.replace(".", "/") in err.replace(".", "/"):
            return (f"Linux {release} has no {name} (added in {since[0]}.{since[1]}): the "
                    f"command fails there; natsim follows the newer kernel ({why})")
    return None

