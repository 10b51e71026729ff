"""Shared helpers for the natsim pytest + scapy suite.

Everything a scenario test needs: locate and run natsim, write scenario files,
read its pcaps (through scapy, and raw for exact nanosecond timestamps), verify
checksums the way a receiving stack would, parse the command output on stdout
(`[T] NODE# COMMAND` blocks, `conntrack -L` lines, `conntrack -S` counters,
`iptables -L -v -n` counters) and the log files, and reproduce Linux's choice of
a NAT pool address (jhash2, Bob Jenkins' lookup3 as in include/linux/jhash.h).
The raw pcap reader and the conntrack-tools parser live in tests/lib/, shared
with the kernel comparison (tests/kernel).

Design choice: tests never trust natsim's own view of a packet; they assert on
the bytes in the pcaps and on the text Linux would print.
"""

import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import textwrap
from collections import namedtuple
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOPOLOGIES = ROOT / "topologies"
TRACES = ROOT / "traces"
sys.path.insert(0, str(TRACES))
sys.path.insert(0, str(ROOT / "tests" / "lib"))   # helpers shared with tests/kernel

import ct  # noqa: E402  (tests/lib/ct.py: conntrack-tools text)
import pcapfile  # noqa: E402  (tests/lib/pcapfile.py: pcaps without scapy)

os.environ.setdefault("SCAPY_USE_LIBPCAP", "no")
from scapy.all import (  # noqa: E402  (scapy after the path set-up)
    ICMP, IP, TCP, UDP, Ether, IPerror, Raw, TCPerror, UDPerror, rdpcap,
)
from scapy.utils import checksum as inet_checksum  # noqa: E402

# --------------------------------------------------------------------------
# locating and running natsim


def natsim_path():
    env = os.environ.get("NATSIM")
    return Path(env) if env else ROOT / "build" / "natsim"


def _require_natsim():
    p = natsim_path()
    if not (p.is_file() and os.access(p, os.X_OK)):
        pytest.fail(f"natsim binary not found at {p} (run `make` or set NATSIM)")
    return p


Result = namedtuple("Result", "rc stdout stderr outdir")


def run(scn, *args, out=None, seed=None, timeout=120, sub="run"):
    """Run `natsim run SCN [args] --out OUT`. Returns (rc, stdout, stderr, outdir).

    `out` is the output directory (a fresh temporary one when None)."""
    exe = _require_natsim()
    scn = Path(scn)
    argv = [str(exe), sub, str(scn)]
    outdir = None
    if sub == "run":
        outdir = Path(out) if out is not None else Path(tempfile.mkdtemp(prefix="natsim-out-"))
        argv += ["--out", str(outdir)]
        if seed is not None:
            argv += ["--seed", str(seed)]
    argv += [str(a) for a in args]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                       cwd=str(scn.parent), errors="replace")
    return Result(p.returncode, p.stdout, p.stderr, outdir)


def check(scn):
    """`natsim check SCN` -> (rc, stdout, stderr, None)."""
    return run(scn, sub="check")


def routed_pair(client="client", router="router", server="server"):
    """The smallest routed topology: CLIENT 10.0.1.2 -- ROUTER (10.0.1.1 |
    10.0.2.1, forwarding on) -- SERVER 10.0.2.2. Tests append their own lines."""
    return (f"host {client}\nrouter {router}\nhost {server}\n"
            f"link {client}:eth0 {router}:eth0\nlink {router}:eth1 {server}:eth0\n"
            f"{client}: ip addr add 10.0.1.2/24 dev eth0\n"
            f"{client}: ip route add default via 10.0.1.1\n"
            f"{router}: ip addr add 10.0.1.1/24 dev eth0\n"
            f"{router}: ip addr add 10.0.2.1/24 dev eth1\n"
            f"{router}: sysctl -w net.ipv4.ip_forward=1\n"
            f"{server}: ip addr add 10.0.2.2/24 dev eth0\n"
            f"{server}: ip route add default via 10.0.2.1\n")


TRIANGLE = routed_pair()
# the same with the nft tests' names c, r, s, indented as their appended
# blocks are (write_scn dedents the whole)
ROUTER_PAIR = "\n" + textwrap.indent(routed_pair("c", "r", "s"), "    ")


def write_scn(directory, name, text):
    """Write a scenario file (text is dedented) and return its path."""
    path = Path(directory) / (name if name.endswith(".scn") else name + ".scn")
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def explain(res):
    """A short text for assertion messages."""
    return (f"rc={res.rc}\n--- stderr ---\n{res.stderr[-3000:]}\n"
            f"--- stdout (tail) ---\n{res.stdout[-3000:]}")


def run_ok(scn, *args, **kw):
    res = run(scn, *args, **kw)
    assert res.rc == 0, "natsim run failed\n" + explain(res)
    return res


# --------------------------------------------------------------------------
# stdout: "[SECONDS.MICROS] NODE# COMMAND" blocks and "[T] NODE: text" lines

_CMD_RE = re.compile(r"^\[\s*(\d+)\.(\d{6})\] ([A-Za-z0-9_.-]+)# (.*)$")
_ASYNC_RE = re.compile(r"^\[\s*(\d+)\.(\d{6})\] ([A-Za-z0-9_.-]+): (.*)$")

Block = namedtuple("Block", "t node command lines")   # t in ns
Async = namedtuple("Async", "t node text")


def _t_ns(sec, micros):
    return int(sec) * 1_000_000_000 + int(micros) * 1000


def parse_stdout(stdout):
    """Split natsim's stdout into command blocks and async lines.

    Returns (blocks, asyncs). A block's lines are the command's output lines
    up to the next timestamped line."""
    blocks, asyncs = [], []
    cur = None
    for line in stdout.splitlines():
        m = _CMD_RE.match(line)
        if m:
            cur = Block(_t_ns(m[1], m[2]), m[3], m[4], [])
            blocks.append(cur)
            continue
        m = _ASYNC_RE.match(line)
        if m:
            asyncs.append(Async(_t_ns(m[1], m[2]), m[3], m[4]))
            cur = None
            continue
        if cur is not None:
            cur.lines.append(line)
    return blocks, asyncs


def outputs(stdout, node, command_prefix):
    """Blocks of `node` whose command starts with command_prefix."""
    blocks, _ = parse_stdout(stdout)
    return [b for b in blocks if b.node == node and b.command.startswith(command_prefix)]


def async_lines(stdout, node):
    _, asyncs = parse_stdout(stdout)
    return [a for a in asyncs if a.node == node]


# --------------------------------------------------------------------------
# conntrack text

# one `conntrack -L` (or -E) line -> dict, or None (tests/lib/ct.py, shared
# with the kernel comparison): proto, protonum, timeout, state (TCP, else
# None), orig, reply (dicts of src/dst/sport/dport or type/code/id, ints for
# numbers), flags, unreplied, assured, mark, use, counters, line
parse_ct_line = ct.parse_entry


def ct_lists(stdout, node="router"):
    """Every `conntrack -L` block of node: list of (t_ns, [entry dicts])."""
    res = []
    for b in outputs(stdout, node, "conntrack -L"):
        entries = [e for e in (parse_ct_line(l) for l in b.lines if l.strip()) if e]
        res.append((b.t, entries))
    return res


def ct_list_at(stdout, t_seconds, node="router"):
    """The `conntrack -L` block printed at time t (seconds, float)."""
    want = round(t_seconds * 1_000_000) * 1000
    for t, entries in ct_lists(stdout, node):
        if t == want:
            return entries
    raise AssertionError(f"no `conntrack -L` output of {node} at {t_seconds}s; "
                         f"have {[t / 1e9 for t, _ in ct_lists(stdout, node)]}")


def ct_stats(stdout, node="router"):
    """Every `conntrack -S` block: list of (t_ns, {counter: value}) (cpu 0)."""
    return [(b.t, ct.parse_stats(b.lines)) for b in outputs(stdout, node, "conntrack -S")]


def summary(outdir):
    return json.loads((Path(outdir) / "summary.json").read_text())


def summary_expects(s):
    """The list of expectation results in summary.json."""
    for k, v in s.items():
        if "expect" in k.lower() and isinstance(v, list):
            return v
    raise AssertionError(f"summary.json has no expectation list: keys {sorted(s)}")


def expect_passed(e):
    for k in ("passed", "pass", "ok", "result", "status"):
        if k in e:
            v = e[k]
            return v is True or (isinstance(v, str) and v.lower() in ("pass", "passed", "ok"))
    raise AssertionError(f"expectation without a result field: {e}")


def summary_stat(outdir, node, name):
    """A conntrack counter of node from summary.json (searched loosely: the
    per-node object holds the counters by their -S names)."""
    s = summary(outdir)

    def find(o):
        if isinstance(o, dict):
            if name in o and isinstance(o[name], int) and not isinstance(o[name], bool):
                return o[name]
            for v in o.values():
                r = find(v)
                if r is not None:
                    return r
        elif isinstance(o, list):
            for v in o:
                r = find(v)
                if r is not None:
                    return r
        return None

    nodes = s.get("nodes", s)
    if isinstance(nodes, dict) and node in nodes:
        return find(nodes[node])
    if isinstance(nodes, list):
        for n in nodes:
            if isinstance(n, dict) and n.get("name") == node:
                return find(n)
    return None


def kernel_log(outdir, node=None):
    """kernel.log lines as (t_ns, node, text)."""
    res = []
    p = Path(outdir) / "kernel.log"
    for line in p.read_text().splitlines():
        m = re.match(r"^\[\s*(\d+)\.(\d{6})\] ([A-Za-z0-9_.-]+): (.*)$", line)
        if m and (node is None or m[3] == node):
            res.append((_t_ns(m[1], m[2]), m[3], m[4]))
    return res


def ct_events(outdir):
    """conntrack-events.log lines as (t_ns or None, line)."""
    res = []
    for line in (Path(outdir) / "conntrack-events.log").read_text().splitlines():
        m = re.search(r"\[\s*(\d+)\.(\d{6})\]", line)
        res.append((_t_ns(m[1], m[2]) if m else None, line))
    return res


def ipt_counters(lines):
    """Parse `iptables -L CHAIN -v -n` lines: ({policy: (pkts, bytes)} ,
    [(pkts, bytes, target, rest)]) for the first chain shown."""
    policy, rules = None, []
    for l in lines:
        m = re.match(r"^Chain (\S+) \(policy (\S+) (\d+) packets, (\d+) bytes\)", l)
        if m:
            if policy is not None or rules:
                break
            policy = (m[2], int(m[3]), int(m[4]))
            continue
        m = re.match(r"^\s*(\d+[KMG]?)\s+(\d+[KMG]?)\s+(\S*)\s+(.*)$", l)
        if m and not l.strip().startswith("pkts"):
            rules.append((int(m[1]), int(m[2]), m[3], m[4]))
    return policy, rules


# --------------------------------------------------------------------------
# pcaps

def pcap_path(outdir, node, iface):
    return Path(outdir) / f"{node}-{iface}.pcap"


def pcap_raw(path):
    """Read a pcap without scapy: (linktype, nano, [(t_ns, bytes)]), exact
    integer nanosecond timestamps; a cut-short file is an error."""
    return pcapfile.read(path)


def pcap(outdir, node, iface):
    """The interface's capture as scapy packets (rdpcap). Each packet gets
    `.t_ns`, the exact nanosecond timestamp, from a raw read."""
    path = pcap_path(outdir, node, iface)
    assert path.exists(), f"missing pcap {path.name}; have " + \
        ", ".join(sorted(p.name for p in Path(outdir).glob("*.pcap")))
    pkts = rdpcap(str(path))
    raw = pcap_raw(path)
    assert len(raw.frames) == len(pkts)
    for p, (t, b) in zip(pkts, raw.frames):
        assert bytes(p) == b
        p.t_ns = t
    return list(pkts)


def ip_pkts(pkts, proto=None, src=None, dst=None, sport=None, dport=None):
    """Filter packets by IPv4 fields."""
    res = []
    for p in pkts:
        if IP not in p:
            continue
        ip = p[IP]
        if proto is not None and ip.proto != proto:
            continue
        if src is not None and ip.src != src:
            continue
        if dst is not None and ip.dst != dst:
            continue
        l4 = ip.payload
        if sport is not None and getattr(l4, "sport", None) != sport:
            continue
        if dport is not None and getattr(l4, "dport", None) != dport:
            continue
        res.append(p)
    return res


def tcp_payload_len(p):
    ip = p[IP]
    return ip.len - ip.ihl * 4 - p[TCP].dataofs * 4


# --------------------------------------------------------------------------
# checksums


def _pseudo(src, dst, proto, length):
    return struct.pack("!4s4sBBH", src, dst, 0, proto, length)


def _ip_checksum_errors(ipb, where, full_l4=True):
    """Errors of one IPv4 packet's bytes (header + as much as present)."""
    errs = []
    if len(ipb) < 20:
        return [f"{where}: IP header truncated"]
    ihl = (ipb[0] & 0x0F) * 4
    if inet_checksum(ipb[:ihl]) != 0:
        errs.append(f"{where}: bad IP header checksum {ipb[10:12].hex()}")
    tot = struct.unpack("!H", ipb[2:4])[0]
    proto = ipb[9]
    frag = struct.unpack("!H", ipb[6:8])[0]
    if frag & 0x3FFF:          # a fragment: no L4 check
        return errs
    complete = len(ipb) >= tot
    l4 = ipb[ihl:tot] if complete else ipb[ihl:]
    src, dst = ipb[12:16], ipb[16:20]
    if proto == 6 and complete and full_l4:
        if inet_checksum(_pseudo(src, dst, 6, len(l4)) + l4) != 0:
            errs.append(f"{where}: bad TCP checksum")
    elif proto == 17 and complete and full_l4 and len(l4) >= 8:
        if l4[6:8] != b"\x00\x00" and inet_checksum(_pseudo(src, dst, 17, len(l4)) + l4) != 0:
            errs.append(f"{where}: bad UDP checksum")
    elif proto == 1 and complete and full_l4 and len(l4) >= 4:
        if inet_checksum(l4) != 0:
            errs.append(f"{where}: bad ICMP checksum")
        typ = l4[0]
        if typ in (3, 4, 5, 11, 12) and len(l4) >= 8 + 20:
            # the quoted packet: its IP header checksum always; its L4
            # checksum when the whole datagram is quoted
            errs += _ip_checksum_errors(l4[8:], where + " (ICMP-quoted)")
    return errs


def checksum_errors(pkt):
    """List of checksum problems of a captured frame (empty: all good)."""
    b = bytes(pkt)
    if len(b) < 14 + 20 or b[12:14] != b"\x08\x00":
        return []
    return _ip_checksum_errors(b[14:], pkt.summary())


def checksums_ok(pkt):
    """True if the IP, TCP, UDP and ICMP checksums of a frame verify, including
    the IP header (and, when the whole datagram is quoted, the transport
    checksum) an ICMP error quotes. Cross-checked with scapy: rebuilding the
    IP packet with its outer checksums deleted gives the same bytes."""
    if checksum_errors(pkt):
        return False
    if IP not in pkt or pkt[IP].frag or pkt[IP].flags.MF:
        return True
    raw = bytes(pkt[IP])[:pkt[IP].len]
    ip = IP(raw)
    del ip[IP].chksum
    for layer in (TCP, UDP, ICMP):
        if layer in ip and not (layer is UDP and ip[UDP].chksum == 0):
            # only the outer transport header (quoted ones are IPerror/..)
            del ip[layer].chksum
            break
    return bytes(ip)[:len(raw)] == raw


def assert_all_checksums(pkts, name=""):
    bad = []
    for p in pkts:
        errs = checksum_errors(p)
        if errs or not checksums_ok(p):
            bad.append("; ".join(errs) or p.summary())
    assert not bad, f"{name}: {len(bad)} frames with bad checksums: {bad[:5]}"


# --------------------------------------------------------------------------
# Linux's NAT pool address choice (nf_nat_core.c find_best_ips_proto)

JHASH_INITVAL = 0xDEADBEEF
M32 = 0xFFFFFFFF


def _rol32(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


def jhash2(words, initval):
    """include/linux/jhash.h jhash2(): lookup3's hashword() on u32 words."""
    length = len(words)
    a = b = c = (JHASH_INITVAL + (length << 2) + initval) & M32
    k = list(words)
    i = 0
    while length > 3:
        a = (a + k[i]) & M32
        b = (b + k[i + 1]) & M32
        c = (c + k[i + 2]) & M32
        # __jhash_mix
        a = (a - c) & M32; a ^= _rol32(c, 4); c = (c + b) & M32
        b = (b - a) & M32; b ^= _rol32(a, 6); a = (a + c) & M32
        c = (c - b) & M32; c ^= _rol32(b, 8); b = (b + a) & M32
        a = (a - c) & M32; a ^= _rol32(c, 16); c = (c + b) & M32
        b = (b - a) & M32; b ^= _rol32(a, 19); a = (a + c) & M32
        c = (c - b) & M32; c ^= _rol32(b, 4); b = (b + a) & M32
        length -= 3
        i += 3
    if length == 0:
        return c
    if length >= 3:
        c = (c + k[i + 2]) & M32
    if length >= 2:
        b = (b + k[i + 1]) & M32
    a = (a + k[i]) & M32
    # __jhash_final
    c ^= b; c = (c - _rol32(b, 14)) & M32
    a ^= c; a = (a - _rol32(c, 11)) & M32
    b ^= a; b = (b - _rol32(a, 25)) & M32
    c ^= b; c = (c - _rol32(b, 16)) & M32
    a ^= c; a = (a - _rol32(c, 4)) & M32
    b ^= a; b = (b - _rol32(a, 14)) & M32
    c ^= b; c = (c - _rol32(b, 24)) & M32
    return c


def _le_u32(addr):
    """An IPv4 address as the kernel's __be32 read as a u32 on little-endian."""
    return struct.unpack("<I", bytes(int(x) for x in addr.split(".")))[0]


def _ip_int(addr):
    return struct.unpack("!I", bytes(int(x) for x in addr.split(".")))[0]


def _int_ip(v):
    return ".".join(str(b) for b in struct.pack("!I", v))


def nat_pool_pick(src, dst, lo, hi, persistent=False):
    """The address Linux picks from the SNAT range lo-hi for the pair
    (src -> dst). The key is the whole union nf_inet_addr (4 u32 words: the
    IPv4 address, then zeros), the initial value the destination address
    (0 with --persistent); index = reciprocal_scale(j, hi - lo + 1)."""
    j = jhash2([_le_u32(src), 0, 0, 0], 0 if persistent else _le_u32(dst))
    dist = _ip_int(hi) - _ip_int(lo) + 1
    return _int_ip(_ip_int(lo) + ((j * dist) >> 32))


# --------------------------------------------------------------------------
# fixtures


@pytest.fixture
def natsim():
    return _require_natsim()


@pytest.fixture
def scn(tmp_path):
    """scn(name, text) -> path of a scenario written into the test's tmp dir."""
    def make(name, text):
        return write_scn(tmp_path, name, text)
    return make


@pytest.fixture
def out(tmp_path):
    d = tmp_path / "out"
    d.mkdir(exist_ok=True)
    return d
