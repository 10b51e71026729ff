"""scn.py - a parser for natsim scenario files (README: The scenario language), for the
kernel run.

Design choice: the harness must read a scenario exactly as natsim does but
needs only its structure (nodes, links with their tc options, commands with
their times, the end time); `expect` lines are kept as text and never
evaluated. Commands are split with shlex (quotes as a shell reads them) and
classified into configuration (run with the real tool), traffic (run by the
node's agent) and natsim-only (reported as "cannot express").
"""

import re
import shlex
import sys
from dataclasses import dataclass, field

NS = 1_000_000_000
_UNITS = {"s": NS, "ms": NS // 1000, "us": 1000, "ns": 1}
_TYPO_DASH = re.compile(r"(^|(?<=\s))[\u2013\u2014]")
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
# text pasted from the web, read as natsim reads it (sim/shell/paste.c)
_PROMPT = re.compile(r"^(\[[^\]]*@[^\]]*\][#$]|[A-Za-z0-9_.@:~/+-]*[#$])[ \t]+(?=\S)")
_NODE_PREFIX = re.compile(r"^\s*(at\s+\S+\s+)?[A-Za-z0-9_.-]+:\s*$")
_CURLY = re.compile(r"[\u201c\u201d\u201e]([^\u201c\u201d\u201e]*)[\u201c\u201d\u201e]|"
                    r"(?:\u2018|(?<![\w])\u2019)(.*?)\u2019(?!\w)")
_SUDO_ARG = set("CDgprRtTuUh")


class ScnError(Exception):
    """FILE:LINE: message."""


def parse_time(text):
    """'1.5ms' -> nanoseconds (int). A bare number is seconds."""
    m = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)(s|ms|us|ns)?", text.strip())
    if not m:
        raise ValueError(f"bad time '{text}'")
    num, unit = m[1], m[2] or "s"
    whole, _, frac = num.partition(".")
    scale = _UNITS[unit]
    frac = (frac + "0" * 9)[:9]
    return int(whole or 0) * scale + int(frac) * scale // NS


def fmt_time(ns):
    return f"{ns / NS:.6f}"


@dataclass
class Link:
    a: str
    a_if: str
    b: str
    b_if: str
    rate: str = None
    delay: str = None
    loss: str = None
    queue: int = None
    line: int = 0


@dataclass
class Command:
    t: int                  # ns
    node: str
    text: str               # as written (dashes normalised)
    argv: list
    redir: tuple = None     # ('<'|'>'|'>>', path) or None
    line: int = 0
    order: int = 0          # file order
    negated: bool = False   # written `! COMMAND`: a failure the scenario expects
    kernel: str = "host"    # the kernel it runs on ("host" or "uml"; Scenario.set_kernel)

    @property
    def kind(self):
        return classify(self)


@dataclass
class Scenario:
    path: str
    nodes: dict = field(default_factory=dict)      # name -> 'host'|'router'|'switch'
    node_order: list = field(default_factory=list)
    links: list = field(default_factory=list)
    commands: list = field(default_factory=list)
    expects: list = field(default_factory=list)    # (t or None, text, line)
    end: int = None
    warnings: list = field(default_factory=list)

    def ifaces(self, node):
        """Interfaces of node, in link order."""
        res = []
        for ln in self.links:
            if ln.a == node:
                res.append(ln.a_if)
            if ln.b == node:
                res.append(ln.b_if)
        return res

    def peer(self, node, ifname):
        for ln in self.links:
            if (ln.a, ln.a_if) == (node, ifname):
                return ln.b, ln.b_if
            if (ln.b, ln.b_if) == (node, ifname):
                return ln.a, ln.a_if
        return None

    def timed(self):
        """Commands sorted by (time, file order)."""
        return sorted(self.commands, key=lambda c: (c.t, c.order))

    def set_kernel(self, kernel):
        """Classify the commands for a run on that kernel ("host": network
        namespaces of this machine; "uml": a throwaway User-Mode Linux)."""
        for c in self.commands:
            c.kernel = kernel

    def needs_initial_namespace(self):
        """What only a kernel of its own can run (compare picks UML for it):
        the machine-wide conntrack knobs, and `reboot` (a restart of the
        whole kernel: the machine-wide knobs go back to their boot values)."""
        return [c for c in self.commands
                if _writes_global_sysctl(c) or c.argv[0] in ("reboot", "shutdown") or
                (c.argv[0] == "systemctl" and "reboot" in c.argv[1:])]


def logical_lines(content):
    """(first physical line number, text): comments stripped, `\\` joined."""
    res, buf, first = [], None, 0
    for no, raw in enumerate(content.splitlines(), 1):
        line = _strip_comment(raw)
        if buf is None:
            first, buf = no, ""
        cont = line.rstrip().endswith("\\")
        if cont:
            line = line.rstrip()[:-1]
        buf += line + (" " if cont else "")
        if not cont:
            if buf.strip():
                res.append((first, buf.strip()))
            buf = None
    if buf is not None and buf.strip():
        res.append((first, buf.strip()))
    return res


def _strip_comment(line):
    """Cut at a `#` that starts a word outside quotes."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            if _NODE_PREFIX.match(line[:i]) and line[i + 1:i + 2].isspace() and line[i + 1:].strip():
                continue  # a pasted root prompt after NODE:, not a comment
            return line[:i]
    return line


def _split_cmd(text, where):
    try:
        words = shlex.split(text, posix=True)
    except ValueError as e:
        raise ScnError(f"{where}: error: {e}")
    redir = None
    for op in ("<", ">>", ">"):
        if op in words:
            k = words.index(op)
            if k + 1 >= len(words):
                raise ScnError(f"{where}: error: `{op}` needs a file")
            redir = (op, words[k + 1])
            words = words[:k] + words[k + 2:]
            break
    return words, redir


def parse(path):
    """Parse a scenario file into a Scenario. Raises ScnError."""
    with open(path, encoding="utf-8") as f:
        content = f.read()
    s = Scenario(path=str(path))
    order = 0
    defines = {}
    for no, text in logical_lines(content):
        where = f"{path}:{no}"
        # natsim's `define NAME VALUE` and ${NAME} (sim/scenario/define.c), the
        # scenario's own values: the kernel runs what natsim runs without -D
        if re.match(r"^define\s", text):
            _, name, value = text.split(None, 2)
            defines[name] = value
            continue
        if "${" in text:
            text = re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: defines[m[1]], text)
        if _TYPO_DASH.search(text):
            s.warnings.append(f"{where}: warning: typographic dash read as `--`")
            text = _TYPO_DASH.sub("--", text)
        words = text.split()
        kw = words[0]
        if kw in ("host", "router", "switch"):
            if kw != "switch" and len(words) == 4 and words[2] == "cpus" and words[3].isdigit():
                # natsim's CPU model (sim/net/cpu.c); a namespace runs on
                # the machine's CPUs, where Linux's timing decides the race
                words = words[:2]
            if len(words) != 2 or not _NAME.match(words[1]):
                raise ScnError(f"{where}: error: usage: {kw} NAME")
            if words[1] in s.nodes:
                raise ScnError(f"{where}: error: node '{words[1]}' defined twice")
            s.nodes[words[1]] = kw
            s.node_order.append(words[1])
            continue
        if kw == "link":
            s.links.append(_parse_link(s, words, where, no))
            continue
        if kw == "end":
            if len(words) != 2:
                raise ScnError(f"{where}: error: usage: end TIME")
            s.end = _time(words[1], where)
            continue
        if kw == "expect":
            s.expects.append((None, text, no))
            continue
        t = 0
        rest = text
        if kw == "at":
            if len(words) < 3:
                raise ScnError(f"{where}: error: usage: at TIME NODE: COMMAND")
            t = _time(words[1], where)
            rest = text.split(None, 2)[2]
            if rest.split()[0] == "expect":
                s.expects.append((t, rest, no))
                continue
        m = re.match(r"^([A-Za-z0-9_.-]+):\s*(.*)$", rest)
        if not m:
            raise ScnError(f"{where}: error: cannot read '{text}'")
        node, ctext = m[1], m[2].strip()
        p = _PROMPT.match(ctext)
        if p:
            s.warnings.append(f"{where}: warning: shell prompt \"{p[1]}\" before the command removed")
            ctext = ctext[p.end():]
        if _CURLY.search(ctext):
            s.warnings.append(f"{where}: warning: typographic quotes read as ASCII quotes")
            ctext = _CURLY.sub(lambda q: '"%s"' % q[1] if q[1] is not None else "'%s'" % q[2], ctext)
        if node not in s.nodes:
            raise ScnError(f"{where}: error: unknown node '{node}'")
        if s.nodes[node] == "switch":
            raise ScnError(f"{where}: error: switches take no commands")
        argv, redir = _split_cmd(ctext, where)
        argv = _strip_sudo(argv)
        negated = bool(argv) and argv[0] == "!"
        if negated:
            argv = argv[1:]     # the shell's `!`: the command runs as written after it
        if not argv:
            raise ScnError(f"{where}: error: empty command")
        s.commands.append(Command(t, node, ctext, argv, redir, no, order, negated))
        order += 1
    return s


def _strip_sudo(argv):
    """`sudo [OPTIONS] CMD` runs CMD: the harness is root already."""
    while argv and argv[0] == "sudo":
        argv = argv[1:]
        while argv and argv[0].startswith("-"):
            opt = argv.pop(0)
            if opt == "--":
                break
            if len(opt) == 2 and opt[1] in _SUDO_ARG and argv:
                argv.pop(0)
    if argv and argv[0] == "su" and all(a in ("-", "-l", "--login", "root") for a in argv[1:]):
        return ["true"]
    return argv


def _time(text, where):
    try:
        return parse_time(text)
    except ValueError as e:
        raise ScnError(f"{where}: error: {e}")


def _parse_link(s, words, where, no):
    if len(words) < 3:
        raise ScnError(f"{where}: error: usage: link A:IF B:IF [rate R] [delay D] [loss P%] [queue N]")
    ends = []
    for w in words[1:3]:
        node, _, ifname = w.partition(":")
        if node not in s.nodes or not ifname or not _NAME.match(ifname) or len(ifname) > 15:
            raise ScnError(f"{where}: error: bad link end '{w}'")
        ends.append((node, ifname))
    ln = Link(ends[0][0], ends[0][1], ends[1][0], ends[1][1], line=no)
    # `veth`: natsim's receive-on-the-sender's-CPU link; the kernel run's
    # links are veth pairs already
    opts = [w for w in words[3:] if w != "veth"]
    if len(opts) % 2:
        raise ScnError(f"{where}: error: link option '{opts[-1]}' needs a value")
    for k in range(0, len(opts), 2):
        o, v = opts[k], opts[k + 1]
        if o == "rate":
            ln.rate = v
        elif o == "delay":
            parse_time(v)
            ln.delay = v
        elif o == "loss":
            ln.loss = v if v.endswith("%") else v + "%"
        elif o == "queue":
            ln.queue = int(v)
        else:
            raise ScnError(f"{where}: error: unknown link option '{o}'")
    return ln


# ----- command classes

TRAFFIC = ("ping", "udp", "tcp", "listen", "flows", "replay", "ftp", "tftp")
# the node's machine model, run by the harness (machine.py): its file store
# (`> FILE`, `>> FILE`, `cat`, `sysctl -p`), the iptables service and `reboot`
MACHINE = ("reboot", "shutdown", "systemctl", "service", "cat")
_STORE_WRITERS = ("iptables-save", "iptables-legacy-save", "iptables", "conntrack", "ip", "sysctl", "nstat", "echo")
CONFIG = ("ip", "nstat", "sysctl", "iptables", "iptables-save", "iptables-restore", "conntrack",
          "modprobe", "echo", "nft", "nfacct", "nfct", "ipset",
          # the x_tables backend beside iptables-nft (issue 18)
          "iptables-legacy", "iptables-legacy-save", "iptables-legacy-restore")


_GLOBAL_KNOBS = ("net.netfilter.nf_conntrack_max", "net.netfilter.nf_conntrack_buckets",
                 "net.netfilter.nf_conntrack_expect_max", "net.nf_conntrack_max")


def _writes_global_sysctl(cmd):
    a = cmd.argv
    names = []
    if a[0] == "sysctl":
        names = [w.split("=", 1)[0] for w in a[1:] if "=" in w]
    elif a[0] == "echo" and cmd.redir and cmd.redir[1].startswith("/proc/sys/"):
        names = [cmd.redir[1][len("/proc/sys/"):].replace("/", ".")]
    return any(n.replace("/", ".") in _GLOBAL_KNOBS for n in names)


def classify(cmd):
    """'config', 'machine', 'traffic', or 'unsupported: why'."""
    a = cmd.argv
    if a[0] in TRAFFIC:
        if a[0] == "tcp" and len(a) > 1 and a[1] not in ("connect", "segment"):
            return "unsupported: unknown tcp subcommand"
        return "traffic"
    if _writes_global_sysctl(cmd) and cmd.kernel != "uml":
        return ("unsupported: nf_conntrack_max/nf_conntrack_buckets are read-only in a "
                "non-initial network namespace (the kernel keeps them per host; "
                "--kernel uml runs them)")
    if a[0] == "echo":
        if cmd.redir and cmd.redir[0] in (">", ">>") and cmd.redir[1].startswith("/proc/sys/"):
            return "config"
        if cmd.redir and cmd.redir[0] in (">", ">>"):
            return "machine"
        return "unsupported: `echo` without a redirection"
    if a[0] == "sysctl" and len(a) > 1 and a[1] in ("-p", "--load", "--system"):
        return "machine"
    if a[0] in _STORE_WRITERS and cmd.redir and cmd.redir[0] in (">", ">>"):
        return "machine"
    if a[0] in ("iptables-restore", "iptables-legacy-restore") and not (
            cmd.redir and cmd.redir[0] == "<"):
        return f"unsupported: {a[0]} without `< FILE`"
    if a[0] == "modprobe" and any(x.startswith("enable_hooks=") for x in a):
        return ("unsupported: `modprobe nf_conntrack enable_hooks=1` (a module parameter: "
                "set once for the whole kernel when it loads, not per namespace; use a "
                "rule that needs conntrack, `-m conntrack --ctstate ...`)")
    if a[0] == "modprobe" and any(re.match(r"^[A-Za-z_]\w*=", x) for x in a[2:]):
        return ("unsupported: a module parameter (`modprobe NAME PARAM=V`) is set once for "
                "the whole kernel when the module loads, and a built-in helper has its "
                "defaults; natsim's node is a kernel of its own")
    if a[0] == "conntrack" and any(x in ("-E", "--event") for x in a):
        return "unsupported: `conntrack -E` as a command (events are recorded for every router anyway)"
    if a[0] in CONFIG:
        return "config"
    if a[0] in MACHINE:
        return "machine"
    if a[0] in ("journalctl", "dmesg"):
        return (f"unsupported: `{a[0]}` (the node's journal and kernel log are natsim's "
                f"machine model; on UML the harness compares the kernel log lines "
                f"netfilter writes)")
    return f"unsupported: unknown command `{a[0]}`"


if __name__ == "__main__":
    sc = parse(sys.argv[1])
    for w in sc.warnings:
        print(w, file=sys.stderr)
    for c in sc.timed():
        print(fmt_time(c.t), c.node, c.argv, c.redir, c.kind)
