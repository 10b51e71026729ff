"""topo.py - a scenario's topology as real network namespaces, and its removal.

Every `ip` command names an interface after a keyword (`name IF`, `dev IF`):
an interface may be called `up`, `down` or `type`, which `ip link add up`
would read as a flag.

Design choice: every device lives inside a namespace the harness created, so
deleting the namespaces removes every veth and bridge with them; nothing is
ever created in the initial namespace. Hosts and routers are namespaces named
PREFIX + node name; a switch is a namespace PREFIX + "sw-" + name holding a
bridge `br0` whose ports are the switch ends of its links. The prefix is
"nsk-<pid>-", so parallel runs never collide and a run's leftovers (after a
kill -9) can be recognised and removed by `compare --cleanup`.
"""

import os
import re
import subprocess
import sys

import netns
import offload
from scn import parse_time as scn_time

HERE = os.path.dirname(os.path.abspath(__file__))
_RATE_UNITS = {"bit": 1, "kbit": 1e3, "mbit": 1e6, "gbit": 1e9, "bps": 8, "kbps": 8e3,
               "mbps": 8e6, "gbps": 8e9}


def parse_rate(text):
    """tc rates: '100Mbit' -> 1e8 bits/s."""
    m = re.fullmatch(r"([\d.]+)([A-Za-z]*)", text)
    return float(m[1]) * _RATE_UNITS.get(m[2].lower() or "bit", 1)

BASE = "nsk-"
# route flags `ip route show` prints that `ip route add` does not take
_ROUTE_STATE = ("linkdown", "dead", "pervasive", "offload", "trap", "rt_offload", "rt_trap",
                "rt_offload_failed")


def mac_for(node, ifname):
    """natsim's MAC of NODE:IF (sim/net/packet.c mac_for: FNV-1a 64 of "node:if",
    locally administered 02:..). The kernel run gives its veths the same
    addresses, so frames of both runs carry the same MACs."""
    h = 0xcbf29ce484222325
    for ch in f"{node}:{ifname}".encode():
        h = ((h ^ ch) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    b = [0x02] + [(h >> (8 * (5 - i))) & 0xFF for i in range(1, 6)]
    return ":".join(f"{x:02x}" for x in b)


def prefix_for(pid=None):
    return f"{BASE}{pid or os.getpid()}-"


def sh(argv, check=True, timeout=20, ns=None, input=None):
    """Run argv (inside namespace ns if given, netns.py); returns CompletedProcess."""
    kw = dict(capture_output=True, text=True, timeout=timeout, input=input)
    p = netns.run(ns, argv, **kw) if ns else subprocess.run(argv, **kw)
    if check and p.returncode != 0:
        where = f" in {ns}" if ns else ""
        raise RuntimeError(f"`{' '.join(argv)}`{where} failed ({p.returncode}): {p.stderr.strip()}")
    return p


def list_netns():
    """Names of all named namespaces: /run/netns, where `ip netns add` puts
    them (`ip netns list` asks the kernel for each one's id and can skip a
    namespace another process is creating or deleting meanwhile)."""
    try:
        return sorted(os.listdir("/run/netns"))
    except FileNotFoundError:
        return []


class Topology:
    """Namespaces, veths, bridges and netem qdiscs of one scenario."""

    def __init__(self, scn, prefix=None):
        self.scn = scn
        self.prefix = prefix or prefix_for()
        self.created = []          # namespace names, in creation order
        self.notes = []
        self.relays = []           # (namespace, relay.py arguments)
        self.addrs = {}            # (node, if) -> [addresses] (the static neighbours' source)
        self.netem_ok = False
        self.current = {}          # node -> its namespace after a reboot

    def ns(self, node):
        """NODE's namespace (after a reboot, the standby that replaced it)."""
        if node in self.current:
            return self.current[node]
        kind = self.scn.nodes[node]
        return self.prefix + ("sw-" + node if kind == "switch" else node)

    def _fresh(self, name):
        """A new namespace as a fresh machine has it: no IPv6 (router
        solicitations, MLD), lo up, kernel defaults otherwise."""
        sh(["ip", "netns", "add", name])
        if name not in self.created:
            self.created.append(name)
        sh(["ip", "-n", name, "link", "set", "dev", "lo", "up"])
        sh(["sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
            "net.ipv6.conf.default.disable_ipv6=1"], ns=name)

    def build(self):
        for node in self.scn.node_order:
            name = self.ns(node)
            self._fresh(name)
            if self.scn.nodes[node] == "switch":
                # snooping off: a snooping bridge joins 224.0.0.106 (multicast
                # router discovery) and sends an IGMPv3 report when it comes
                # up, which a router on the segment counts in its nat
                # PREROUTING policy when it lands after the rules are loaded
                # (docker.scn: 1 run in 3); natsim's switch floods multicast
                # and sends nothing of its own, as a bridge without snooping
                sh(["ip", "link", "add", "name", "br0", "type", "bridge", "stp_state", "0",
                    "forward_delay", "0", "mcast_snooping", "0"], ns=name)
                sh(["ip", "link", "set", "dev", "br0", "up"], ns=name)
        self.netem_ok = netem_ok = self._netem_available()
        self._links(netem_ok)
        self.no_offloads()

    def _links(self, netem_ok):
        for k, ln in enumerate(self.scn.links):
            na, nb = self.ns(ln.a), self.ns(ln.b)
            netem = self._netem(ln)
            if netem and not netem_ok:
                self._relay_link(k, ln, na, nb)
                continue
            sh(["ip", "link", "add", "name", ln.a_if, "address", mac_for(ln.a, ln.a_if), "netns", na,
                "type", "veth", "peer", "name", ln.b_if, "address", mac_for(ln.b, ln.b_if),
                "netns", nb])
            for node, ifname, nsn in ((ln.a, ln.a_if, na), (ln.b, ln.b_if, nb)):
                if self.scn.nodes[node] == "switch":
                    sh(["ip", "link", "set", "dev", ifname, "master", "br0"], ns=nsn)
                # netem on both ends: the link's delay, rate and loss apply
                # to each direction, as natsim's full-duplex link has them
                netem = self._netem(ln)
                if netem:
                    p = sh(["tc", "qdisc", "add", "dev", ifname, "root", "netem"] + netem,
                           ns=nsn, check=False)
                    if p.returncode != 0 and not any(f"{ln.a}:{ln.a_if} {ln.b}:{ln.b_if}" in n
                                                     for n in self.notes):
                        self.notes.append(f"link {ln.a}:{ln.a_if} {ln.b}:{ln.b_if}: tc netem "
                                          f"unavailable ({p.stderr.strip()}): "
                                          f"{' '.join(netem)} not applied")
                sh(["ip", "link", "set", "dev", ifname, "up"], ns=nsn)

    def no_offloads(self):
        """Every veth end as a wire: offload.off on each, done from this
        process in each namespace in turn (offload.in_netns; a Python per
        namespace costs most of a second on UML)."""
        ends = {}
        for k, ln in enumerate(self.scn.links):
            ends.setdefault(self.ns(ln.a), []).append(ln.a_if)
            ends.setdefault(self.ns(ln.b), []).append(ln.b_if)
        for rn, args in self.relays:
            ends.setdefault(rn, []).extend(["a", "b"])
        for nsn, ifs in ends.items():
            offload.in_netns(nsn, ifs)

    def _netem_available(self):
        """Can this kernel load sch_netem? (probed on lo of the first namespace)"""
        ns = self.created[0]
        p = sh(["tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"], ns=ns,
               check=False)
        if p.returncode == 0:
            sh(["tc", "qdisc", "del", "dev", "lo", "root"], ns=ns, check=False)
            return True
        return False

    def _relay_link(self, k, ln, na, nb):
        """No netem: A:IF <-> relay:a [relay.py] relay:b <-> B:IF, in a namespace
        of the link's own; relay.py applies delay, rate, loss and queue."""
        rn = f"{self.prefix}ln{k}"
        sh(["ip", "netns", "add", rn])
        self.created.append(rn)
        sh(["sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
            "net.ipv6.conf.default.disable_ipv6=1"], ns=rn)
        sh(["ip", "link", "add", "name", ln.a_if, "address", mac_for(ln.a, ln.a_if), "netns", na,
            "type", "veth", "peer", "name", "a", "netns", rn])
        sh(["ip", "link", "add", "name", ln.b_if, "address", mac_for(ln.b, ln.b_if), "netns", nb,
            "type", "veth", "peer", "name", "b", "netns", rn])
        for ifname in ("a", "b"):
            sh(["ip", "link", "set", "dev", ifname, "promisc", "on", "up"], ns=rn)
        for node, ifname, nsn in ((ln.a, ln.a_if, na), (ln.b, ln.b_if, nb)):
            if self.scn.nodes[node] == "switch":
                sh(["ip", "link", "set", "dev", ifname, "master", "br0"], ns=nsn)
            sh(["ip", "link", "set", "dev", ifname, "up"], ns=nsn)
        delay = scn_time(ln.delay) if ln.delay else 0
        rate = parse_rate(ln.rate) if ln.rate else 0
        loss = float(ln.loss.rstrip("%")) / 100 if ln.loss else 0.0
        self.relays.append((rn, ["a", "b", str(delay), str(rate), str(loss), str(ln.queue or 0)]))
        self.notes.append(f"link {ln.a}:{ln.a_if} {ln.b}:{ln.b_if}: no tc netem on this kernel; "
                          f"{' '.join(self._netem(ln))} applied by relay.py in {rn}")

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

    def other_end(self, node, ifname):
        """(namespace, device) of the far end of NODE:IF's veth: the link
        partner's interface, or the relay's `a`/`b` on a relayed link. A
        capture there sees the very frames NODE:IF sends and receives, and
        goes on while NODE reboots (its interface moves namespace)."""
        for k, ln in enumerate(self.scn.links):
            for me, other in (((ln.a, ln.a_if), (ln.b, ln.b_if)), ((ln.b, ln.b_if), (ln.a, ln.a_if))):
                if me != (node, ifname):
                    continue
                rn = f"{self.prefix}ln{k}"
                if any(r == rn for r, _ in self.relays):
                    return rn, "a" if me == (ln.a, ln.a_if) else "b"
                return self.ns(other[0]), other[1]
        raise KeyError(f"{node}:{ifname}")

    def segment_peers(self, node, ifname):
        """The other host/router interfaces on NODE:IF's Ethernet segment
        (through any switches): [(node, if)]."""
        seen, todo, res = {(node, ifname)}, [(node, ifname)], []
        while todo:
            end = todo.pop()
            peer = self.scn.peer(*end)
            if not peer or peer in seen:
                continue
            seen.add(peer)
            if self.scn.nodes[peer[0]] == "switch":
                for other in self.scn.ifaces(peer[0]):
                    if (peer[0], other) not in seen:
                        seen.add((peer[0], other))
                        todo.append((peer[0], other))
            else:
                res.append(peer)
        return res

    def neigh(self, node, ifname, addr, add):
        """natsim's instantaneous neighbour resolution (README: Where natsim
        deliberately differs from Linux): a permanent
        neighbour entry for ADDR (owned by NODE:IF) on every other interface of
        its segment, so no ARP runs; an address nobody owns still fails after
        3 s as Linux's does. add=False removes them again."""
        mac = mac_for(node, ifname)
        lst = self.addrs.setdefault((node, ifname), [])
        if add and addr not in lst:
            lst.append(addr)
        elif not add and addr in lst:
            lst.remove(addr)
        for peer, pif in self.segment_peers(node, ifname):
            if add:
                sh(["ip", "neigh", "replace", addr, "lladdr", mac, "nud", "permanent", "dev", pif],
                   ns=self.ns(peer), check=False)
            else:
                sh(["ip", "neigh", "del", addr, "dev", pif], ns=self.ns(peer), check=False)

    def mac(self, node, ifname):
        """The MAC of NODE:IF: every veth end is made with natsim's."""
        return mac_for(node, ifname)

    def standby(self, node, k):
        """A fresh namespace for NODE's k-th reboot, made before the run
        (a reboot then only moves the interfaces: a second, not ten, on
        UML, where starting a program takes a tenth of a second)."""
        name = f"{self.prefix}{node}~{k}"   # `~`: no node name has one
        self._fresh(name)
        return name

    def reboot(self, node, new):
        """NODE's namespace replaced by NEW (a standby), as a rebooted
        machine comes up: its runtime state stays behind in the old
        namespace (rules, conntrack, sysctls, sockets); its interfaces (with
        their link partners, which only see the carrier go) move over and
        get back the MTU, up state, addresses and routes they had (natsim
        keeps them: the persistent network configuration), the static
        neighbours of their segments and their netem qdisc (a move resets
        it; offloads are the device's own and move with it)."""
        old = self.ns(node)
        ifs = self.scn.ifaces(node)
        p = sh(["ip", "-o", "-4", "-n", old, "-batch", "-"],
               input="link show\naddr show\nroute show table all\n")
        links, addrs, routes = {}, {i: [] for i in ifs}, []
        for l in p.stdout.splitlines():
            m = re.match(r"^\d+: ([^:@ ]+)[@:]", l)
            if m and " link/" in l:
                links[m[1]] = (re.search(r" mtu (\d+)", l)[1],
                               "UP" in re.search(r"<([^>]*)>", l)[1].split(","))
            elif m and " inet " in l:
                if m[1] in addrs:
                    addrs[m[1]].append(l.split(" inet ", 1)[1].split()[0])
            elif not m:
                w = l.split()
                if not w or w[0] in ("local", "broadcast", "multicast") or \
                        ("proto" in w and w[w.index("proto") + 1] == "kernel") or \
                        ("table" in w and w[w.index("table") + 1] == "local"):
                    continue        # made by the addresses themselves
                routes.append(" ".join(x for x in w if x not in _ROUTE_STATE))
        sh(["ip", "-n", old, "-force", "-batch", "-"],
           input="".join(f"link set dev {i} netns {new}\n" for i in ifs))
        cmds = []
        for ifname in ifs:
            mtu, up = links.get(ifname, ("1500", True))
            cmds.append(f"link set dev {ifname} mtu {mtu}")
            cmds += [f"addr add {a} dev {ifname}" for a in addrs[ifname]]
            if up:
                cmds.append(f"link set dev {ifname} up")
            for peer, pif in self.segment_peers(node, ifname):
                cmds += [f"neigh replace {a} lladdr {mac_for(peer, pif)} nud permanent dev {ifname}"
                         for a in self.addrs.get((peer, pif), [])]
        cmds += [f"route add {r}" for r in routes]
        sh(["ip", "-n", new, "-force", "-batch", "-"], input="\n".join(cmds) + "\n", check=False)
        self.current[node] = new
        if self.netem_ok:
            ln_of = {(n, i): ln for ln in self.scn.links for n, i in ((ln.a, ln.a_if), (ln.b, ln.b_if))}
            tc = [f"qdisc replace dev {i} root netem {' '.join(self._netem(ln_of[(node, i)]))}"
                  for i in ifs if self._netem(ln_of[(node, i)])]
            if tc:
                sh(["tc", "-n", new, "-force", "-batch", "-"], input="\n".join(tc) + "\n",
                   check=False)

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
