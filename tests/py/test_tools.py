"""test_tools.py - every program a test or the kernel harness execs is installed
by tests/deps.sh / .ci/run or checked by the test's skip condition (issue 12).

The programs are found in the source itself (Python's ast over every file
under tests/ and traces/: the argv of every subprocess.run/Popen/...,
topo.sh, netns.run/popen, KernelRun._spawn and exec_in call, through
`ip netns exec NS` and simple `argv = [...]` assignments), plus the configuration commands kernel_run.py
runs as the scenario writes them (kernel_run.AS_WRITTEN). Each must have its
Debian package in tests/kernel/tools.py; that package must be installed by
the scripts (or be on every Debian system), or the program must be checked
before use. The kernel harness's programs must be in tools.KERNEL_RUN /
tools.UML_RUN, the lists `compare` and test_kernel_compare.py check, and
.ci/run must install their packages. nft, run only by a harness option
(since removed), was in none of them.
"""

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

KERNEL = ROOT / "tests" / "kernel"
sys.path.insert(0, str(KERNEL))

import kernel_run  # noqa: E402
import tools  # noqa: E402

EXEC_FUNCS = {"run", "Popen", "call", "check_call", "check_output", "sh", "_spawn", "exec_in",
              "popen"}
# calls whose argv is the second argument (a node or namespace comes first):
# KernelRun._spawn(name, argv, ns), KernelRun.exec_in(node, argv),
# netns.run(ns, argv) and netns.popen(ns, argv)
SECOND_ARG = {"_spawn", "exec_in"}


def _sources(dirs):
    """The Python files under dirs (recursively), and the harness's `compare`."""
    for d in dirs:
        for p in sorted((ROOT / d).rglob("*.py")):
            yield p
    yield KERNEL / "compare"


def _prog_name(node, assigns, module_consts):
    """The program named by an argv element, or None when it is computed."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.rsplit("/", 1)[-1]
    if isinstance(node, ast.Attribute) and node.attr == "executable":
        return "python3"                    # sys.executable
    if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("str", "Path") \
            and node.args:
        return _prog_name(node.args[0], assigns, module_consts)
    if isinstance(node, ast.Name) and node.id in module_consts:
        return _prog_name(module_consts[node.id], assigns, module_consts)
    return None


def _argv_programs(node, assigns, module_consts, depth=0):
    """Programs an argv expression may start (a set)."""
    if depth > 4:
        return set()
    if isinstance(node, ast.Name) and node.id in assigns:
        res = set()
        for v in assigns[node.id]:
            res |= _argv_programs(v, assigns, module_consts, depth + 1)
        return res
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = node.left
        if isinstance(left, ast.List) and _is_netns_exec(left.elts) and len(left.elts) == 4:
            return _argv_programs(node.right, assigns, module_consts, depth + 1)
        return _argv_programs(left, assigns, module_consts, depth + 1)
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
        elts = node.elts
        if _is_netns_exec(elts):
            elts = elts[4:]
            if not elts:
                return set()
        name = _prog_name(elts[0], assigns, module_consts)
        return {name} if name else set()
    return set()


def _is_netns_exec(elts):
    words = [e.value if isinstance(e, ast.Constant) else None for e in elts[:3]]
    return words == ["ip", "netns", "exec"]


def programs_run(path):
    """{program: [line numbers]} of the exec calls in one Python file."""
    tree = ast.parse(Path(path).read_text(), str(path))
    module_consts = {t.id: n.value for n in tree.body if isinstance(n, ast.Assign)
                     for t in n.targets if isinstance(t, ast.Name)}
    found = {}
    scopes = [tree] + [n for n in ast.walk(tree)
                       if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for scope in scopes:
        assigns = {}
        for n in ast.walk(scope):
            if isinstance(n, ast.Assign):
                for t in n.targets:
                    if isinstance(t, ast.Name):
                        assigns.setdefault(t.id, []).append(n.value)
        for n in ast.walk(scope):
            if not isinstance(n, ast.Call):
                continue
            fname = n.func.attr if isinstance(n.func, ast.Attribute) else \
                getattr(n.func, "id", None)
            if fname not in EXEC_FUNCS:
                continue
            on_netns = isinstance(n.func, ast.Attribute) and \
                getattr(n.func.value, "id", None) == "netns"
            args = n.args[1:] if fname in SECOND_ARG or on_netns else n.args
            if not args:
                continue
            for prog in _argv_programs(args[0], assigns, module_consts):
                found.setdefault(prog, set()).add(n.lineno)
    return found


def skip_checked(path):
    """Programs a test file checks before use: shutil.which("X") and
    tools.missing(tools.LIST)."""
    tree = ast.parse(Path(path).read_text(), str(path))
    res = set()
    for n in ast.walk(tree):
        if not isinstance(n, ast.Call) or not isinstance(n.func, ast.Attribute) or not n.args:
            continue
        a = n.args[0]
        if n.func.attr == "which" and isinstance(a, ast.Constant):
            res.add(a.value)
        if n.func.attr == "missing" and isinstance(a, ast.Attribute):
            res |= set(getattr(tools, a.attr, ()))
    return res


def installed_by_scripts():
    """(packages tests/deps.sh installs, packages .ci/run installs, which
    runs tests/deps.sh too)."""
    deps = set(re.search(r'^PKGS="([^"]*)"', (ROOT / "tests" / "deps.sh").read_text(),
                         re.M)[1].split())
    ci_text = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^sh tests/deps\.sh$", ci_text, re.M), ".ci/run runs tests/deps.sh"
    ci = set(deps)
    for line in ci_text.splitlines():
        m = re.match(r"^\s*apt_install\s+([^|;&#]*)", line)
        if m:
            ci |= set(m[1].split())
    return deps, ci


SCANNED = ("tests", "traces")


def all_programs():
    res = {}
    for p in _sources(SCANNED):
        for prog, lines in programs_run(p).items():
            res.setdefault(prog, []).extend(f"{p.relative_to(ROOT)}:{l}" for l in sorted(lines))
    for prog in kernel_run.AS_WRITTEN:
        res.setdefault(prog, []).append("tests/kernel/kernel_run.py AS_WRITTEN")
    return res


def test_scanner_finds_the_forms_the_harness_uses(tmp_path):
    """The scanner is not blind: every form of exec call is read."""
    src = tmp_path / "x.py"
    src.write_text(
        "import subprocess, sys\n"
        "CHROME = '/usr/bin/chromium'\n"
        "def f(ns, argv):\n"
        "    subprocess.run(['valgrind', '-q'])\n"
        "    p = subprocess.Popen(['ip', 'netns', 'exec', ns, 'tcpdump', '-i', 'x'])\n"
        "    sh(['nft', '-f', '-'], ns=ns)\n"
        "    self._spawn('agent', [sys.executable, 'agent.py'], ns)\n"
        "    cmd = ['conntrack', '-E']\n"
        "    subprocess.run(['ip', 'netns', 'exec', ns] + cmd)\n"
        "    subprocess.run([str(CHROME), '--headless'])\n"
        "    subprocess.run([str(argv[0])])\n")
    assert set(programs_run(src)) == {"valgrind", "tcpdump", "nft", "python3", "conntrack",
                                      "chromium"}
    # and the real harness: the programs a kernel run is known to exec
    harness = set()
    for p in _sources(("tests/kernel",)):
        harness |= set(programs_run(p))
    assert {"ip", "tc", "tcpdump", "conntrack", "sysctl", "python3", "linux.uml"} <= harness, harness


def test_every_program_is_installed_or_checked():
    deps, ci = installed_by_scripts()
    installed = deps | ci | set(tools.ESSENTIAL)
    checked = set()
    for p in _sources(("tests/py",)):
        checked |= skip_checked(p)
    problems = []
    for prog, where in sorted(all_programs().items()):
        pkg = tools.PACKAGE.get(prog)
        if pkg is None:
            problems.append(f"{prog} (run at {where[0]}): no Debian package in "
                            f"tests/kernel/tools.py PACKAGE")
        elif all(w.split(":")[0] in tools.BY_HAND for w in where):
            continue    # only a maintainer's script, run by hand, execs it
        elif pkg not in installed and prog not in checked:
            problems.append(f"{prog} (run at {where[0]}): package {pkg} is installed by neither "
                            f"tests/deps.sh nor .ci/run, and no skip condition checks {prog}")
    assert not problems, "\n".join(problems)


def test_kernel_harness_programs_are_in_both_lists():
    """What tests/kernel execs is what compare and the kernel tests check
    (KERNEL_RUN, UML_RUN), and .ci/run installs all of it."""
    listed = set(tools.KERNEL_RUN) | set(tools.UML_RUN)
    essential = {p for p, pkg in tools.PACKAGE.items() if pkg in tools.ESSENTIAL}
    harness = {}
    for p in _sources(("tests/kernel",)):
        for prog, lines in programs_run(p).items():
            harness.setdefault(prog, f"{p.relative_to(ROOT)}:{min(lines)}")
    for prog in kernel_run.AS_WRITTEN:
        harness.setdefault(prog, "kernel_run.AS_WRITTEN")
    unlisted = {prog: w for prog, w in harness.items() if prog not in listed | essential}
    assert not unlisted, f"run by the harness but not in tools.KERNEL_RUN/UML_RUN: {unlisted}"
    _, ci = installed_by_scripts()
    pkgs = {tools.PACKAGE[p] for p in listed}
    assert pkgs <= ci, f".ci/run does not install {sorted(pkgs - ci)}"
    checked = skip_checked(ROOT / "tests" / "py" / "test_kernel_compare.py")
    assert listed <= checked, f"test_kernel_compare.py does not check {sorted(listed - checked)}"


def test_package_registry_matches_dpkg():
    """Where a program is installed here, dpkg names the package tools.py says."""
    if not shutil.which("dpkg-query"):
        return
    cands = {}
    for prog in tools.PACKAGE:
        path = shutil.which(prog)
        if path:
            real = str(Path(path).resolve())
            for c in (path, real, path.replace("/usr/", "/", 1), real.replace("/usr/", "/", 1)):
                cands.setdefault(c, prog)
    # one dpkg-query for all paths (it answers for those it knows)
    p = subprocess.run(["dpkg-query", "-S"] + sorted(cands), capture_output=True, text=True)
    owners = {}
    for line in p.stdout.splitlines():
        pkgs, _, path = line.partition(": ")
        if path in cands and not line.startswith("diversion"):
            owners.setdefault(cands[path], set()).update(
                o.strip().split(":")[0] for o in pkgs.split(","))
    wrong = []
    for prog, pkg in sorted(tools.PACKAGE.items()):
        if owners.get(prog) and pkg not in owners[prog]:
            wrong.append(f"{prog}: tools.py says {pkg}, dpkg says {sorted(owners[prog])}")
    assert not wrong, "\n".join(wrong)
