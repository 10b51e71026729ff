"""`make check-layers` (tests/layers/check_layers.py): the tree passes, and the
checker catches what it is for - an include of a higher layer, an include of
the other tree's internals, a header not written from the repository root,
and an allowlist line that is no longer needed - on small trees built here.
"""
import subprocess
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tests" / "layers"))
import check_layers  # noqa: E402

CHECKER = ROOT / "tests" / "layers" / "check_layers.py"


def tree(tmp_path, files, allow=None):
    """Write {path: text} under tmp_path (and allowlist text); the checker's problems."""
    for path, text in files.items():
        p = tmp_path / path
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    allowlist = None
    if allow is not None:
        allowlist = tmp_path / "allowlist.txt"
        allowlist.write_text(allow)
    return check_layers.check(str(tmp_path), str(allowlist) if allowlist else None)


BASE = {
    "sim/core/evq.h": "#include <stdint.h>\n",
    "sim/net/packet.h": '#include "sim/core/evq.h"\n#include "nat/nf.h"\n',
    "nat/nf.h": "/* api */\n",
    "nat/core/nf_ns.h": '#include "nat/nf.h"\n',
    "nat/conntrack/ct.h": '#include "nat/core/nf_ns.h"\n',
}


def test_the_tree_passes():
    p = subprocess.run([sys.executable, str(CHECKER)], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.strip() == "check-layers: ok"


def test_downward_and_public_includes_pass(tmp_path):
    files = dict(BASE)
    files["nat/core/nf_ns.h"] = "/* state */\n"	# only the top level includes nf.h
    assert tree(tmp_path, files) == []


def test_upward_include_is_caught(tmp_path):
    files = dict(BASE)
    files["nat/core/nf_ns.h"] = "/* state */\n"
    files["sim/core/world.h"] = '#include <glib.h>\n#include "sim/core/evq.h"\n' \
                                '#include "sim/net/packet.h"\n'
    problems = tree(tmp_path, files)
    assert problems == ["sim/core/world.h:3: sim/core/ includes sim/net/packet.h (sim/net/): "
                        "a lower layer never includes a higher one"], problems


def test_other_trees_internals_are_caught(tmp_path):
    files = dict(BASE)
    files["nat/core/nf_ns.h"] = "/* state */\n"
    files["sim/inet/ip.c"] = '#include "nat/conntrack/ct.h"\n'
    files["sim/core/rng.c"] = '#include "nat/nf.h"\n'
    files["nat/iptables/ipt.c"] = '#include "sim/core/evq.h"\n'
    problems = tree(tmp_path, files)
    assert problems == [
        "nat/iptables/ipt.c:1: nat/iptables/ includes sim/core/evq.h (sim/core/): "
        "nat/ never includes sim/",
        "sim/core/rng.c:1: sim/core/ includes nat/nf.h (nat/ top level): "
        "only sim/net/ and above may include nat/nf.h",
        "sim/inet/ip.c:1: sim/inet/ includes nat/conntrack/ct.h (nat/conntrack/): "
        "sim/ may include only nat/nf.h of nat/",
    ], problems


def test_include_not_from_the_root_is_caught(tmp_path):
    files = dict(BASE)
    files["nat/core/nf_ns.h"] = "/* state */\n"
    files["sim/core/evq.c"] = '#include "evq.h"\n'
    problems = tree(tmp_path, files)
    assert len(problems) == 1 and problems[0].startswith('sim/core/evq.c:1: includes "evq.h", '
                                                         "no such file"), problems


def test_allowlist_hides_a_known_violation_and_must_shrink(tmp_path):
    # BASE's nat/core/nf_ns.h includes the top level nf.h: a known violation
    assert tree(tmp_path, BASE) == [
        "nat/core/nf_ns.h:1: nat/core/ includes nat/nf.h (nat/ top level): "
        "a lower layer never includes a higher one"]
    allow = "# to be removed\nnat/core/nf_ns.h -> nat/nf.h\n"
    assert tree(tmp_path, BASE, allow) == []
    # the violation fixed: its line is now an error of its own
    (tmp_path / "nat/core/nf_ns.h").write_text("/* state */\n")
    problems = check_layers.check(str(tmp_path), str(tmp_path / "allowlist.txt"))
    assert problems == [f"{tmp_path / 'allowlist.txt'}:2: `nat/core/nf_ns.h -> nat/nf.h` "
                        "is no longer needed: remove the line"], problems


def test_file_outside_every_layer_is_caught(tmp_path):
    files = dict(BASE)
    files["nat/core/nf_ns.h"] = "/* state */\n"
    files["sim/extra/x.c"] = '#include "sim/core/evq.h"\n'
    assert tree(tmp_path, files) == ["sim/extra/x.c: in no layer of tests/layers/check_layers.py"]


def test_checker_exit_status(tmp_path):
    tree(tmp_path, {"sim/core/a.h": '#include "sim/net/b.h"\n', "sim/net/b.h": ""})
    p = subprocess.run([sys.executable, str(CHECKER), "--root", str(tmp_path),
                        "--allowlist", str(tmp_path / "none.txt")],
                       capture_output=True, text=True)
    assert p.returncode == 1
    assert "sim/core/a.h:1:" in p.stdout
