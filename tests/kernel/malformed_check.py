#!/usr/bin/python3
"""malformed_check.py - send tests/py/malformed_cases.py's frames to a real
Linux router in network namespaces and print, per case, what the kernel did:
the frames b and a received, the router's nstat deltas and conntrack -S
deltas. The expectations of tests/py/test_malformed.py were read from this.

Needs root. Namespaces h12-a, h12-r, h12-b (created by --setup, removed by
--teardown). Usage: malformed_check.py [--setup] [--teardown] [CASE...]
"""
import os
import re
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "py"))
os.environ.setdefault("SCAPY_USE_LIBPCAP", "no")
import malformed_cases as mc  # noqa: E402
from scapy.all import rdpcap  # noqa: E402

MAC = {"a": "02:00:00:00:00:0a", "r0": "02:00:00:00:01:00", "r1": "02:00:00:00:01:01",
       "b": "02:00:00:00:00:0b"}
SENDER = ("import socket,struct,sys\ns=socket.socket(socket.AF_PACKET,socket.SOCK_RAW)\n"
          "s.bind((sys.argv[1],0))\nd=open(sys.argv[2],'rb').read();o=0\n"
          "while o<len(d):\n n,=struct.unpack('>I',d[o:o+4]);o+=4;s.send(d[o:o+n]);o+=n\n")


def sh(*a, check=True):
    return subprocess.run(a, capture_output=True, text=True, check=check).stdout


def nsx(ns, *a, check=True):
    return sh("ip", "netns", "exec", "h12-" + ns, *a, check=check)


def setup():
    script = """
for n in a r b; do ip netns add h12-$n; done
ip link add h12-a0 type veth peer name h12-r0
ip link add h12-r1 type veth peer name h12-b0
ip link set h12-a0 netns h12-a name eth0; ip link set h12-r0 netns h12-r name eth0
ip link set h12-r1 netns h12-r name eth1; ip link set h12-b0 netns h12-b name eth0
ip -n h12-a link set eth0 address 02:00:00:00:00:0a mtu 9000
ip -n h12-r link set eth0 address 02:00:00:00:01:00
ip -n h12-r link set eth1 address 02:00:00:00:01:01
ip -n h12-b link set eth0 address 02:00:00:00:00:0b
for n in a r b; do ip -n h12-$n link set lo up; done
ip -n h12-a link set eth0 up; ip -n h12-b link set eth0 up
ip -n h12-r link set eth0 up; ip -n h12-r link set eth1 up
ip -n h12-a addr add 192.168.1.10/24 dev eth0; ip -n h12-a route add default via 192.168.1.1
ip -n h12-r addr add 192.168.1.1/24 dev eth0; ip -n h12-r addr add 203.0.113.1/24 dev eth1
ip -n h12-b addr add 203.0.113.20/24 dev eth0; ip -n h12-b route add default via 203.0.113.1
ip netns exec h12-r sysctl -qw net.ipv4.ip_forward=1
ip netns exec h12-r iptables -t nat -A POSTROUTING -o eth1 -j MASQUERADE
ip -n h12-r neigh replace 203.0.113.20 lladdr 02:00:00:00:00:0b dev eth1
ip -n h12-r neigh replace 192.168.1.10 lladdr 02:00:00:00:00:0a dev eth0
ip -n h12-b neigh replace 203.0.113.1 lladdr 02:00:00:00:01:01 dev eth0
ip -n h12-a neigh replace 192.168.1.1 lladdr 02:00:00:00:01:00 dev eth0
"""
    subprocess.run(["sh", "-e", "-c", script], check=True)


def teardown():
    for n in "arb":
        subprocess.run(["ip", "netns", "del", "h12-" + n], capture_output=True)


def nstat():
    out = nsx("r", "nstat", "-asz")
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)", out, re.M)}


def ctstat():
    tot = {}
    for m in re.finditer(r"(\w+)=(\d+)", nsx("r", "conntrack", "-S")):
        tot[m[1]] = tot.get(m[1], 0) + int(m[2])
    return tot


def run_case(name, frames, tmp):
    caps = {}
    procs = []
    for ns in "ab":
        path = os.path.join(tmp, f"{name}-{ns}.pcap")
        caps[ns] = path
        procs.append(subprocess.Popen(["ip", "netns", "exec", "h12-" + ns, "tcpdump", "-U", "-n", "-Z", "root",
                                       "-i", "eth0", "-w", path], stderr=subprocess.PIPE))
    for p in procs:  # wait until tcpdump listens
        p.stderr.readline()
    time.sleep(0.5)
    n0, c0 = nstat(), ctstat()
    for f in frames:
        side, b = f if isinstance(f, tuple) else ("a", f)
        b = bytearray(b)
        if len(b) >= 12:
            if b[:6] == b"\0" * 6:
                b[:6] = bytes.fromhex((MAC["r0"] if side == "a" else MAC["r1"]).replace(":", ""))
            b[6:12] = bytes.fromhex(MAC[side].replace(":", ""))
        blob = os.path.join(tmp, "frames")
        with open(blob, "wb") as fh:
            fh.write(struct.pack(">I", len(b)) + bytes(b))
        nsx(side, "python3", "-c", SENDER, "eth0", blob, check=False)
        time.sleep(0.05)
    time.sleep(0.5)
    n1, c1 = nstat(), ctstat()
    for p in procs:
        p.terminate()
        p.wait()
    print(f"== {name}")
    for ns in "ab":
        try:
            pk = rdpcap(caps[ns])
        except Exception:
            pk = []
        mine = [p for p in pk if p.src != MAC[ns]]
        for p in mine:
            print(f"  {ns} got: {p.summary()} len {len(p)}")
    dn = {k: v - n0.get(k, 0) for k, v in n1.items() if v != n0.get(k, 0)}
    dc = {k: v - c0.get(k, 0) for k, v in c1.items() if v != c0.get(k, 0)}
    keep = re.compile(r"^(Ip|IpExt|Icmp|Udp|Tcp)")
    print("  nstat:", {k: v for k, v in dn.items() if keep.match(k) and "Octets" not in k})
    print("  conntrack -S:", dc)
    nsx("r", "conntrack", "-F", check=False)


def main(argv):
    if "--teardown" in argv:
        teardown()
        return
    if "--setup" in argv:
        teardown()
        setup()
    names = [a for a in argv if not a.startswith("--")]
    cases = mc.cases()
    with tempfile.TemporaryDirectory() as tmp:
        for name, frames in cases.items():
            if names and name not in names:
                continue
            if name == "udp_bad_checksum":
                for v in ("1", "0"):
                    nsx("r", "sysctl", "-qw", "net.netfilter.nf_conntrack_checksum=" + v)
                    run_case(name + "_checksum" + v, frames, tmp)
                nsx("r", "sysctl", "-qw", "net.netfilter.nf_conntrack_checksum=1")
                continue
            run_case(name, frames, tmp)


if __name__ == "__main__":
    main(sys.argv[1:])
