"""topo.py - a scenario's topology as real network namespaces, and its removal.

Design choice: every device lives inside a namespace the harness created, so
deleting the namespaces removes every veth and bridge with them; nothing is
ever created in the initial namespace. Hosts and routers are namespaces named
PREFIX + node name; a switch is a namespace PREFIX + "sw-" + name holding a
bridge `br` whose ports are the switch ends of its links. The prefix is
"nsk-<pid>-", so parallel runs never collide and a run's leftovers (after a
kill -9) can be recognised and removed by `compare --cleanup`.
"""

import os
import subprocess

BASE = "nsk-"


def prefix_for(pid=None):
    return f"{BASE}{pid or os.getpid()}-"


def sh(argv, check=True, timeout=20, ns=None, input=None):
    """Run argv (inside namespace ns if given); returns CompletedProcess."""
    if ns:
        argv = ["ip", "netns", "exec", ns] + list(argv)
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, input=input)
    if check and p.returncode != 0:
        raise RuntimeError(f"`{' '.join(argv)}` failed ({p.returncode}): {p.stderr.strip()}")
    return p


def list_netns():
    """Names of all named namespaces (ip netns list)."""
    p = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, timeout=20)
    return [line.split()[0] for line in p.stdout.splitlines() if line.strip()]


class Topology:
    """Namespaces, veths, bridges and netem qdiscs of one scenario."""

    def __init__(self, scn, prefix=None):
        self.scn = scn
        self.prefix = prefix or prefix_for()
        self.created = []          # namespace names, in creation order

    def ns(self, node):
        kind = self.scn.nodes[node]
        return self.prefix + ("sw-" + node if kind == "switch" else node)

    def build(self):
        for node in self.scn.node_order:
            name = self.ns(node)
            sh(["ip", "netns", "add", name])
            self.created.append(name)
            # no IPv6 (router solicitations, MLD) and lo up; kernel defaults
            # otherwise, as a fresh machine has them
            sh(["sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                "net.ipv6.conf.default.disable_ipv6=1"], ns=name)
            sh(["ip", "link", "set", "lo", "up"], ns=name)
            if self.scn.nodes[node] == "switch":
                sh(["ip", "link", "add", "br", "type", "bridge", "stp_state", "0",
                    "forward_delay", "0"], ns=name)
                sh(["ip", "link", "set", "br", "up"], ns=name)
        for ln in self.scn.links:
            na, nb = self.ns(ln.a), self.ns(ln.b)
            sh(["ip", "link", "add", ln.a_if, "netns", na, "type", "veth",
                "peer", "name", ln.b_if, "netns", nb])
            for node, ifname, nsn in ((ln.a, ln.a_if, na), (ln.b, ln.b_if, nb)):
                if self.scn.nodes[node] == "switch":
                    sh(["ip", "link", "set", ifname, "master", "br"], ns=nsn)
                # netem on both ends: the link's delay, rate and loss apply
                # to each direction, as natsim's full-duplex link has them
                netem = self._netem(ln)
                if netem:
                    sh(["tc", "qdisc", "add", "dev", ifname, "root", "netem"] + netem, ns=nsn)
                sh(["ip", "link", "set", ifname, "up"], ns=nsn)

    @staticmethod
    def _netem(ln):
        opts = []
        if ln.delay:
            opts += ["delay", ln.delay]
        if ln.rate:
            opts += ["rate", ln.rate]
        if ln.loss:
            opts += ["loss", ln.loss]
        if ln.queue:
            opts += ["limit", str(ln.queue)]
        return opts

    def mac(self, node, ifname):
        p = sh(["cat", f"/sys/class/net/{ifname}/address"], ns=self.ns(node), check=False)
        return p.stdout.strip()

    def teardown(self):
        """Delete every namespace of this run (and with them veths and bridges)."""
        errors = []
        for name in reversed(self.created):
            p = subprocess.run(["ip", "netns", "del", name], capture_output=True, text=True,
                               timeout=20)
            if p.returncode != 0 and name in list_netns():
                errors.append(f"{name}: {p.stderr.strip()}")
        self.created = []
        # anything else carrying our prefix (a half-built run)
        for name in list_netns():
            if name.startswith(self.prefix):
                subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=20)
        return errors


def cleanup_stale():
    """Remove nsk-<pid>- namespaces whose pid is no longer alive. Returns names."""
    gone = []
    for name in list_netns():
        if not name.startswith(BASE):
            continue
        pid = name[len(BASE):].split("-", 1)[0]
        if pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=20)
            gone.append(name)
    return gone
