"""-m owner on packets (topologies/owner.scn): natsim's applications run as
root, so their packets match --uid-owner 0 / --gid-owner 0; the stack's own
(an ICMP port unreachable) have a socket without a file: --socket-exists
matches them, and so does an inverted uid test (owner_mt's "no file" case);
forwarded packets have no socket at all. The texts are
tests/unit/test_xt_real.c's (blocks 19 and 20)."""
from conftest import TOPOLOGIES, explain, run


def test_owner_tells_applications_kernel_and_forwarded_apart(tmp_path):
    res = run(TOPOLOGIES / "owner.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert "8 of 8 expectations held" in res.stderr, res.stderr
    # the port unreachable is the one packet of "! owner UID match 0"
    out = res.stdout
    line = [ln for ln in out.splitlines() if ln.endswith("! owner UID match 0")]
    assert len(line) == 1 and line[0].split()[:2] == ["1", "120"], line
