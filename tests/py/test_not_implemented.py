"""Issue 12 section 6: what natsim does not implement says so, in natsim's voice.

Walks every name and option the real tools of a Debian 12 router accept
(tests/surface/linux-surface.json, made from the real iptables, conntrack,
kmod, iproute2, procps and kernel package by tests/surface/gen_surface.py)
and checks that natsim either implements it (accepts it and, for iptables,
shows the very `iptables -S` line Linux shows) or fails the command with
`natsim: ... is not implemented yet` naming the scenario line: never a Linux
error Linux would not print, never silently ignored. Names Linux does not
have keep Linux's own error.
"""
import json
import re
import shlex
from pathlib import Path

import subprocess

import pytest

from conftest import natsim_path, run, write_scn

SURFACE = json.loads((Path(__file__).resolve().parent.parent / "surface" /
                      "linux-surface.json").read_text())
UNIMPL = re.compile(r"natsim: (.+) is not implemented yet")


def one(tmp_path, cmd, *more, node="router r"):
    """Run `r: CMD` (and more lines) in a one-router scenario."""
    lines = [node] + ["r: " + c for c in (cmd,) + more]
    scn = write_scn(tmp_path, "t", "\n".join(lines) + "\n")
    return run(scn, "--no-pcap", out=tmp_path / "out")


def unimpl_of(res):
    """The not-implemented message, checked to be said once and to name line 2."""
    here = str(res.outdir.parent) + "/"
    found = [l.replace(here, "") for l in res.stderr.splitlines() if UNIMPL.search(l)]
    if not found:
        return None
    assert len(found) == 1, res.stderr
    assert found[0].startswith("t.scn:2:"), res.stderr
    assert res.rc != 0, "a command natsim lacks must not pass: " + res.stderr
    return UNIMPL.search(found[0]).group(1)


def block(stdout, command):
    """The lines a command printed (after its `[T] r# COMMAND` line)."""
    out, on = [], False
    for l in stdout.splitlines():
        if re.match(r"^\[\s*\d+\.\d{6}\] r# ", l):
            on = l.endswith("# " + command)
            continue
        if on:
            out.append(l)
    return out


def fake_linux_error(res):
    """Texts real iptables prints only for names that do not exist."""
    return ("Couldn't load match" in res.stderr or "unknown option" in res.stderr or
            "Couldn't load target" in res.stderr or
            re.search(r"Chain '[A-Z]+' does not exist", res.stderr) is not None)


# ----- iptables extensions -----

def ext_cases(kind):
    for name, ext in sorted(SURFACE["iptables"][kind].items()):
        yield pytest.param(name, ext, id=name)


def ipt_line(sample, kind, name):
    flag = "-m" if kind == "matches" else "-j"
    words = " ".join(sample["prefix"] + [flag, name] + sample["words"])
    return "iptables -t %s -A %s %s" % (sample["table"], sample["chain"], words)


def quote(words):
    return " ".join(shlex.quote(w) for w in words)


def check_extension(tmp_path, kind, name, ext):
    flag = "-m" if kind == "matches" else "-j"
    samples = [s for s in [ext.get("bare")] + list(ext["options"].values()) if s]
    first = samples[0] if samples else {"table": "filter", "chain": "FORWARD",
                                         "prefix": [], "words": []}
    line = "iptables -t %s -A %s %s %s %s" % (first["table"], first["chain"],
                                            quote(first["prefix"]), flag, name)
    line += " " + quote(first["words"]) if first["words"] else ""
    res = one(tmp_path, line)
    said = unimpl_of(res)
    assert not fake_linux_error(res), "%s %s: a Linux error for a real extension\n%s" % (
        flag, name, res.stderr)
    if said is not None and said == "%s %s" % (flag, name):
        return  # the whole extension is not in natsim: said so
    # natsim has the extension: every option real iptables has must be either
    # implemented with Linux's -S line or said to be missing
    for opt, sample in sorted(ext["options"].items()):
        if sample is None:
            res = one(tmp_path, "iptables -A FORWARD %s %s %s --%s 1" % (
                quote(first["prefix"]), flag, name, opt))
            assert "unknown option" not in res.stderr, "%s %s --%s unknown to natsim\n%s" % (
                flag, name, opt, res.stderr)
            continue
        cmd = "iptables -t %s -A %s %s %s %s %s" % (
            sample["table"], sample["chain"], quote(sample["prefix"]), flag, name,
            quote(sample["words"]))
        show = "iptables -t %s -S %s" % (sample["table"], sample["chain"])
        res = one(tmp_path, cmd, show)
        said = unimpl_of(res)
        if said is not None:
            assert "--" + opt in said or said.startswith(flag), (opt, said)
            continue
        assert res.rc == 0, "%s %s --%s: Linux accepts it\n%s" % (flag, name, opt, res.stderr)
        rules = [l for l in block(res.stdout, show) if l.startswith("-A ")]
        assert rules and rules[-1] == sample["save"], (
            "%s %s --%s: natsim shows %r, Linux %r" % (flag, name, opt, rules, sample["save"]))


@pytest.mark.parametrize("name,ext", ext_cases("matches"))
def test_every_iptables_match(tmp_path, name, ext):
    check_extension(tmp_path, "matches", name, ext)


@pytest.mark.parametrize("name,ext", ext_cases("targets"))
def test_every_iptables_target(tmp_path, name, ext):
    check_extension(tmp_path, "targets", name, ext)


def test_unknown_extensions_keep_iptables_texts(tmp_path):
    res = one(tmp_path, "iptables -A INPUT -m nosuch")
    assert "iptables v1.8.9 (nf_tables): Couldn't load match `nosuch':No such file or directory" \
        in res.stderr and unimpl_of(res) is None
    res = one(tmp_path, "iptables -A INPUT -j NOSUCH")
    assert "Chain 'NOSUCH' does not exist" in res.stderr and unimpl_of(res) is None


def test_unimplemented_matches_say_so(tmp_path):
    """The issue's examples: one line, natsim's voice, the scenario line named."""
    for line, what in (("iptables -A INPUT -p tcp --syn -m time --weekdays Mon -j ACCEPT", "-m time"),
                       ("iptables -A INPUT -p tcp -m quota --quota 1000 -j REJECT", "-m quota"),
                       ("iptables -t mangle -A POSTROUTING -j CLASSIFY --set-class 1:10", "-j CLASSIFY")):
        res = one(tmp_path, line)
        assert unimpl_of(res) == what, res.stderr
        assert "/t.scn:2: error: natsim: %s is not implemented yet" % what in res.stderr
        assert "iptables v1.8.9" not in res.stderr and "Try `iptables" not in res.stderr


def test_restore_names_the_input_line(tmp_path):
    (tmp_path / "rules.v4").write_text("*filter\n:INPUT ACCEPT [0:0]\n"
                                       "-A INPUT -m time --weekdays Mon -j ACCEPT\nCOMMIT\n")
    res = one(tmp_path, "iptables-restore < rules.v4")
    assert unimpl_of(res) == "-m time", res.stderr
    assert "(line 3 of the iptables-restore input)" in res.stderr


# ----- iptables main options and tables -----

IPT_MAIN = {  # what follows `iptables --OPTION` to try each option iptables -h lists
    "append": "INPUT", "check": "INPUT -j ACCEPT", "delete": "INPUT 1",
    "delete-chain": "X", "destination": "10.0.0.1 -A INPUT", "exact": "-L",
    "flush": "", "fragment": "-A INPUT", "goto": "X -A INPUT", "help": "",
    "in-interface": "eth0 -A INPUT", "insert": "INPUT", "ipv4": "-S", "ipv6": "-S",
    "jump": "ACCEPT -A INPUT", "line-numbers": "-L", "list": "", "list-rules": "",
    "match": "comment --comment x -A INPUT", "modprobe": "/sbin/modprobe -S", "new": "Y",
    "new-chain": "Y", "numeric": "-L", "out-interface": "eth0 -A OUTPUT",
    "policy": "INPUT DROP", "protocol": "tcp -A INPUT", "rename-chain": "X Y",
    "replace": "INPUT 1 -j ACCEPT", "set-counters": "1 2 -A INPUT",
    "source": "10.0.0.1 -A INPUT", "table": "nat -S", "verbose": "-L", "version": "",
    "wait": "-S", "wait-interval": "1 -S", "zero": "",
}
# what must exist before (a chain to jump to, a rule to delete, a chain to rename)
IPT_BEFORE = {"goto": ["iptables -N X"], "delete": ["iptables -A INPUT"],
              "delete-chain": ["iptables -N X"], "rename-chain": ["iptables -N X"],
              "replace": ["iptables -A INPUT"], "check": ["iptables -A INPUT -j ACCEPT"]}


@pytest.mark.parametrize("opt", SURFACE["iptables"]["main_long"])
def test_every_iptables_option(tmp_path, opt):
    assert opt in IPT_MAIN, "iptables -h lists --%s: add how to try it to IPT_MAIN" % opt
    lines = ["router r"] + ["r: " + c for c in IPT_BEFORE.get(opt, [])]
    lines.append("r: iptables --%s %s" % (opt, IPT_MAIN[opt]))
    scn = write_scn(tmp_path, "t", "\n".join(lines) + "\n")
    res = run(scn, "--no-pcap", out=tmp_path / "out")
    assert not fake_linux_error(res), res.stderr
    said = [l for l in res.stderr.splitlines() if UNIMPL.search(l)]
    if opt == "ipv6":  # iptables-nft's own refusal: no text but the "Try" line
        assert re.search(r"t\.scn:\d+: error: Try `iptables -h' or 'iptables --help' for more "
                         r"information\.$", res.stderr.strip()), res.stderr
        return
    assert res.rc == 0 or said, "--%s: %s" % (opt, res.stderr)


@pytest.mark.parametrize("table", SURFACE["iptables"]["tables"])
def test_every_iptables_table(tmp_path, table):
    res = one(tmp_path, "iptables -t %s -S" % table)
    assert res.rc == 0 or unimpl_of(res) == "-t " + table, res.stderr
    assert "does not exist" not in res.stderr


# ----- conntrack -----

CT_OPTION = {  # how to try each option conntrack -h lists
    "dump": "-L", "get": "-G -p tcp", "delete": "-D", "create": "-I -p tcp",
    "update": "-U", "event": "-E", "flush": "-F", "count": "-C", "stats": "-S",
    "src-nat": "-L --src-nat 1.2.3.4", "dst-nat": "-L --dst-nat 1.2.3.4",
    "any-nat": "-L --any-nat 1.2.3.4", "mark": "-L --mark 1", "secmark": "-L --secmark 1",
    "event-mask": "-E --event-mask NEW", "zero": "-L --zero", "output": "-L --output extended",
    "label": "-L --label x", "tuple-src": "-L expect --tuple-src 1.2.3.4",
    "tuple-dst": "-L expect --tuple-dst 1.2.3.4", "label-add": "-U --label-add x",
    "label-del": "-U --label-del x", "src": "-L --src 1.2.3.4", "orig-src": "-L --orig-src 1.2.3.4",
    "dst": "-L --dst 1.2.3.4", "orig-dst": "-L --orig-dst 1.2.3.4",
    "reply-src": "-L --reply-src 1.2.3.4", "reply-dst": "-L --reply-dst 1.2.3.4",
    "protonum": "-L --protonum tcp", "family": "-L --family ipv4", "timeout": "-U --timeout 10",
    "status": "-L --status ASSURED", "zone": "-L --zone 1", "orig-zone": "-L --orig-zone 1",
    "reply-zone": "-L --reply-zone 1", "buffer-size": "-L --buffer-size 1000000",
    "mask-src": "-L --mask-src 255.0.0.0", "mask-dst": "-L --mask-dst 255.0.0.0",
    "help": "--help", "version": "--version",
}


@pytest.mark.parametrize("opt", SURFACE["conntrack"]["long"])
def test_every_conntrack_option(tmp_path, opt):
    assert opt in CT_OPTION, "conntrack -h lists --%s: add how to try it to CT_OPTION" % opt
    res = one(tmp_path, "conntrack " + CT_OPTION[opt])
    assert "unknown option" not in res.stderr and "Invalid commands" not in res.stderr, res.stderr
    assert res.rc == 0 or unimpl_of(res), "--%s: %s" % (opt, res.stderr)


@pytest.mark.parametrize("fmt", SURFACE["conntrack"]["outputs"])
def test_every_conntrack_output_format(tmp_path, fmt):
    res = one(tmp_path, "conntrack -L -o " + fmt)
    assert res.rc == 0 or unimpl_of(res) == "conntrack -o " + fmt, res.stderr


def test_conntrack_xml_says_so_and_bad_format_is_conntracks_error(tmp_path):
    res = one(tmp_path, "conntrack -L -o xml")
    assert unimpl_of(res) == "conntrack -o xml", res.stderr
    assert not block(res.stdout, "conntrack -L -o xml")  # no plain text instead
    res = one(tmp_path, "conntrack -L -o bogus")
    assert "conntrack v1.4.7 (conntrack-tools): Bad parameter `bogus'" in res.stderr


@pytest.mark.parametrize("proto,opt", [(p, o) for p, opts in
                                       sorted(SURFACE["conntrack"]["proto_options"].items())
                                       for o in opts])
def test_every_conntrack_protocol_option(tmp_path, proto, opt):
    res = one(tmp_path, "conntrack -L -p %s --%s 1" % (proto, opt))
    assert "unknown option" not in res.stderr, res.stderr
    assert res.rc == 0 or unimpl_of(res) or "Invalid" in res.stderr, res.stderr


# ----- modprobe -----

@pytest.mark.parametrize("module", SURFACE["modules"]["netfilter"] +
                         sorted(SURFACE["modules"]["aliases"]))
def test_every_netfilter_module(tmp_path, module):
    res = one(tmp_path, "modprobe " + module)
    assert "not found in directory" not in res.stderr, res.stderr
    assert res.rc == 0 or unimpl_of(res) == "the module " + module, res.stderr


def test_modprobe_sip_helper_says_so_unknown_module_is_kmods_error(tmp_path):
    # (nf_conntrack_tftp, the example here before, is implemented now)
    res = one(tmp_path, "modprobe nf_conntrack_sip")
    assert unimpl_of(res) == "the module nf_conntrack_sip", res.stderr
    assert "not found in directory" not in res.stderr
    res = one(tmp_path, "modprobe br_netfilter")  # real, not netfilter's directory
    assert unimpl_of(res) == "the module br_netfilter", res.stderr
    res = one(tmp_path, "modprobe nosuchmod")
    assert "modprobe: FATAL: Module nosuchmod not found in directory /lib/modules/" in res.stderr
    assert unimpl_of(res) is None


MODPROBE_TRY = {"wait": "-r -w 1 nf_conntrack", "config": "--config=/etc/x nf_conntrack",
                "dirname": "--dirname=/ nf_conntrack", "set-version": "--set-version=6.1.0 nf_conntrack",
                "dump-modversions": "--dump-modversions /x.ko",
                "show-modversions": "--show-modversions /x.ko"}


@pytest.mark.parametrize("opt", SURFACE["modprobe"]["long"])
def test_every_modprobe_option(tmp_path, opt):
    res = one(tmp_path, "modprobe " + MODPROBE_TRY.get(opt, "--%s nf_conntrack" % opt))
    assert "unrecognized option" not in res.stderr, res.stderr
    assert res.rc == 0 or unimpl_of(res), res.stderr


@pytest.mark.parametrize("setup,count", [
    ("modprobe -n nf_conntrack enable_hooks=1", "0"),  # a dry run loads nothing
    # Linux 4.10+: loading the module registers no hook, nothing is tracked
    ("modprobe nf_conntrack", "0"),
    ("modprobe nf-conntrack enable_hooks=1", "1"),  # the module parameter: hooks at once
    # a rule that needs conntrack registers its hooks (nf_ct_netns_get)
    ("modprobe nf_conntrack\nr: iptables -A INPUT -m state --state NEW", "1"),
    ("iptables -A OUTPUT -m conntrack --ctstate NEW", "1"),
    ("iptables -t nat -A POSTROUTING -o eth9 -j MASQUERADE", "1"),
    ("iptables -A INPUT -p tcp", "0"),            # a rule that does not
])
def test_modprobe_registers_conntrack_hooks_as_linux_6(tmp_path, setup, count):
    """The modprobe question (issue 15): what makes conntrack track."""
    scn = write_scn(tmp_path, "t", """
        router r
        host h
        link r:eth0 h:eth0
        r: ip addr add 10.0.0.1/24 dev eth0
        h: ip addr add 10.0.0.2/24 dev eth0
        r: %s
        at 1s r: ping -c 1 10.0.0.2
        at 2s r: conntrack -C
        """ % setup)
    res = run(scn, "--no-pcap", out=tmp_path / "out")
    assert res.rc == 0, res.stderr
    assert block(res.stdout, "conntrack -C") == [count], res.stdout


# ----- ip, sysctl -----

@pytest.mark.parametrize("obj", SURFACE["ip_objects"])
def test_every_ip_object(tmp_path, obj):
    res = one(tmp_path, "ip %s show" % obj if obj != "help" else "ip help")
    if obj in SURFACE.get("ip_objects_unknown", []):
        assert 'Object "%s" is unknown, try "ip help".' % obj in res.stderr
        return
    assert "is unknown" not in res.stderr, res.stderr
    assert res.rc == 0 or unimpl_of(res), res.stderr


@pytest.mark.parametrize("opt", SURFACE["sysctl"]["long"])
def test_every_sysctl_option(tmp_path, opt):
    arg = {"load": "--load=/etc/sysctl.conf", "pattern": "--pattern forward",
           "write": "--write"}.get(opt, "--" + opt)
    res = one(tmp_path, "sysctl %s net.ipv4.ip_forward%s" % (arg, "=1" if opt == "write" else ""))
    assert "unrecognized option" not in res.stderr, res.stderr
    assert res.rc == 0 or unimpl_of(res) or "cannot open" in res.stderr, res.stderr


@pytest.mark.parametrize("opt", SURFACE["sysctl"]["short"])
def test_every_sysctl_short_option(tmp_path, opt):
    res = one(tmp_path, "sysctl -%s net.ipv4.ip_forward%s" % (opt, "=1" if opt == "w" else ""))
    assert "invalid option" not in res.stderr, res.stderr
    assert res.rc == 0 or unimpl_of(res) or "cannot open" in res.stderr, res.stderr


# ----- commands -----

@pytest.mark.parametrize("command", SURFACE["commands"])
def test_every_command_of_a_debian_router(tmp_path, command):
    """A command a Debian router has is run, or natsim says it lacks it;
    bash's "command not found" is for names Debian does not have."""
    res = one(tmp_path, command + " --version")
    assert "command not found" not in res.stderr, res.stderr
    said = unimpl_of(res)
    assert said is None or said == "the command " + command or res.rc != 0


def test_unknown_command_is_bashs_error(tmp_path):
    res = one(tmp_path, "nosuchcommand -x")
    assert "bash: nosuchcommand: command not found" in res.stderr and unimpl_of(res) is None


def test_conntrack_mark_and_family_filter_as_conntrack_does(tmp_path):
    """-m and -f were accepted and ignored: every entry was listed."""
    scn = write_scn(tmp_path, "t", """
        router r
        host h
        link r:eth0 h:eth0
        r: ip addr add 10.0.0.1/24 dev eth0
        h: ip addr add 10.0.0.2/24 dev eth0
        r: modprobe nf_conntrack enable_hooks=1
        at 1s r: ping -c 1 10.0.0.2
        at 2s r: conntrack -L -m 1
        at 2s r: conntrack -L -m 0/0xff
        at 2s r: conntrack -L -f ipv6
        at 2s r: conntrack -L -f ipv4
        """)
    res = run(scn, "--no-pcap", out=tmp_path / "out")
    assert res.rc == 0, res.stderr
    n = {c: len(block(res.stdout, c)) for c in ("conntrack -L -m 1", "conntrack -L -m 0/0xff",
                                                "conntrack -L -f ipv6", "conntrack -L -f ipv4")}
    assert n == {"conntrack -L -m 1": 0, "conntrack -L -m 0/0xff": 1,
                 "conntrack -L -f ipv6": 0, "conntrack -L -f ipv4": 1}, res.stdout


def test_iptables_save_unknown_table_is_iptables_save_text(tmp_path):
    res = one(tmp_path, "iptables-save -t bogus")
    # a failure at run time: iptables-save's own text, the run goes on and exits 1
    assert res.rc == 1 and res.stderr.startswith("Table `bogus' does not exist\n"), res.stderr
    res = one(tmp_path, "iptables-save -t security")
    # natsim has the security table now (tests/unit/test_xt_real.c has its texts)
    assert res.rc == 0 and unimpl_of(res) is None, res.stderr


def linux_sysctls():
    """The knobs of sim/shell/linux_sysctls.inc (gen_surface.py: `sysctl -N -a`
    on Linux), an interface's own named for the router's eth0."""
    inc = (Path(__file__).resolve().parent.parent.parent / "sim" / "shell" /
           "linux_sysctls.inc").read_text()
    return [n.replace(".*.", ".eth0.") for n in re.findall(r'^\t"([^"]+)",$', inc, re.M)]


def test_every_linux_sysctl_is_read_or_said_so(tmp_path):
    """Every knob Linux has is read by natsim's sysctl or refused in natsim's
    voice (bad input, before the run), never with procps' "cannot stat" (a
    knob Linux has would look missing); a knob Linux lacks keeps that
    error. One `natsim check` per knob: a refusal stops a scenario."""
    names = linux_sysctls()
    assert len(names) > 500 and "net.ipv4.conf.eth0.rp_filter" in names
    wrong = []
    for k, name in enumerate(names + ["net.ipv4.conf.all.nosuch"]):
        scn = write_scn(tmp_path, "k%d" % k, "router r\nhost h\nlink r:eth0 h:eth0\n"
                        "r: sysctl %s\n" % name)
        p = subprocess.run([str(natsim_path()), "check", str(scn)], capture_output=True,
                           text=True, timeout=60)
        said = "natsim: sysctl %s is not implemented yet" % name in p.stderr
        if name.endswith("nosuch"):
            ok = p.returncode == 2 and "cannot stat /proc/sys/net/ipv4/conf/all/nosuch" in p.stderr
        else:
            ok = (p.returncode == 0 and not p.stderr) or (p.returncode == 2 and said)
        if not ok:
            wrong.append((name, p.returncode, p.stderr.strip()[:120]))
    assert not wrong, wrong[:20]
