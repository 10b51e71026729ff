"""Issue 18: set element timeouts (nat/nftables/nft_settimeout.c).

Elements expire on the simulated clock: lookups stop matching at expiry
and listings drop them; `expires` is the exact time left (real nft shows a
few ms less: the time its own command took); `add|update @set` from rules
give the statement's or the set's timeout, and `update` restarts it. The
texts follow nft 1.0.6 (checked in a namespace: `timeout 1m expires
59s924ms`, -n prints whole seconds, -s no expires); the listings of
timeout sets without expiring elements and the commands with -s are
recorded in tests/nft/ (rulesets/settimeout, commands/settimeout, errors/
*-timeout-no-flag) and compared by test_nft.py.
"""
from conftest import (ROUTER_PAIR, TOPOLOGIES, UDP, explain, ip_pkts, outputs, pcap, run,
                      write_scn)


def blocks(res, node, cmd):
    return [o.lines for o in outputs(res.stdout, node, cmd)]


def test_elements_expire_and_update_refreshes(tmp_path):
    """topologies/nft-settimeout.scn (kernel-compared): @allowed's element
    (timeout 3s) lets port 9 through at 1 s, not at 4.5 s; the client knocks
    at 1 s (@knock, timeout 3s) and each datagram to port 11 that finds it
    restarts the timeout, so the one at 5 s passes (it would have expired
    at 4 s) and the one at 9.5 s (after 8 s) is dropped."""
    res = run(TOPOLOGIES / "nft-settimeout.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    s = pcap(tmp_path / "out", "server", "eth0")
    assert [(p[UDP].sport, p[UDP].dport) for p in ip_pkts(s, proto=17)] == [
        (5001, 9), (5003, 11), (5005, 11)]
    first, last = blocks(res, "router", "nft -s list ruleset")
    assert "\t\telements = { 10.0.1.2 timeout 3s }" in first, first
    assert "\t\telements = { 10.0.1.2 }" in first, first
    assert not [l for l in last if "elements" in l], last


def test_update_without_a_timeout_expires_the_element(tmp_path):
    """topologies/nft-settimeout-update0.scn (kernel-compared): `update @a
    { ip saddr }` with no timeout of its own into a set without a set
    timeout restarts the element with 0, so it expires at once: the
    datagram to port 9 after it is dropped, the listing has no element."""
    res = run(TOPOLOGIES / "nft-settimeout-update0.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert not ip_pkts(pcap(tmp_path / "out", "server", "eth0"), proto=17)
    [lst] = blocks(res, "router", "nft -s list ruleset")
    assert not [l for l in lst if "elements" in l], lst


PAIR = ROUTER_PAIR

SETS = """\
table ip t {
	set a {
		type ipv4_addr
		flags timeout
		elements = { 10.0.0.1 timeout 1m, 10.0.0.2 timeout 1h2m3s expires 5s, 10.0.0.3,
			     10.0.0.4 timeout 500ms }
	}
	set b {
		type ipv4_addr
		timeout 30s
		gc-interval 10s
		elements = { 10.0.0.5, 10.0.0.6 timeout 30s, 10.0.0.7 timeout 1m }
	}
	set c {
		type ipv4_addr
		flags timeout
		timeout 1m
	}
	chain f {
		type filter hook forward priority 0;
		udp dport 9 add @c { ip saddr timeout 30s }
	}
}
"""


def test_expires_is_exact_on_the_simulated_clock(tmp_path):
    """The listing's `timeout` (when it is not the set's) and `expires`
    (time left, exact), in nft's time format; an element that expired is
    not listed; `add element` of an element that exists gives it the new
    timeout from then (the host's 6.18 kernel; recorded in
    commands/settimeout); -n prints whole seconds; a rule's `add @c { ip saddr
    timeout 30s }` gives the element its own timeout."""
    (tmp_path / "sets.nft").write_text(SETS)
    scn = write_scn(tmp_path, "t", PAIR + """
        r: nft -f sets.nft
        at 0.25s r: nft list set ip t a
        at 0.25s r: nft list set ip t b
        at 1s c: udp send 10.0.2.2:9 sport 5000 count 1
        at 1s r: nft add element ip t a { 10.0.0.3 timeout 10s }
        at 1.5s r: nft list set ip t a
        at 1.5s r: nft -n list set ip t a
        at 1.5s r: nft list set ip t c
        end 2s
        """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    a025, a15 = blocks(res, "r", "nft list set ip t a")
    assert a025[4:6] == [
        "\t\telements = { 10.0.0.1 timeout 1m expires 59s750ms, "
        "10.0.0.2 timeout 1h2m3s expires 4s750ms,",
        "\t\t\t     10.0.0.3, 10.0.0.4 timeout 500ms expires 250ms }"], a025
    assert a15[4:6] == [
        "\t\telements = { 10.0.0.1 timeout 1m expires 58s500ms, "
        "10.0.0.2 timeout 1h2m3s expires 3s500ms,",
        "\t\t\t     10.0.0.3 timeout 10s expires 9s500ms }"], a15
    [an] = blocks(res, "r", "nft -n list set ip t a")
    assert an[4:6] == [
        "\t\telements = { 10.0.0.1 timeout 60s expires 58s, "
        "10.0.0.2 timeout 3723s expires 3s,",
        "\t\t\t     10.0.0.3 timeout 10s expires 9s }"], an
    [b] = blocks(res, "r", "nft list set ip t b")
    assert b[2:7] == [
        "\t\ttype ipv4_addr", "\t\ttimeout 30s", "\t\tgc-interval 10s",
        "\t\telements = { 10.0.0.5 expires 29s750ms, 10.0.0.6 expires 29s750ms,",
        "\t\t\t     10.0.0.7 timeout 1m expires 59s750ms }"], b
    [c] = blocks(res, "r", "nft list set ip t c")
    assert "\t\telements = { 10.0.1.2 timeout 30s expires 29s500ms }" in c, c
