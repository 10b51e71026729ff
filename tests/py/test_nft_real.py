"""Issue 18 phase 3: real nft rulesets and what they need (nat/nftables/).

topologies/real/debian-nat.scn loads a Debian NAT router's /etc/nftables.conf
(topologies/real/debian-nat.nft, sources cited there) with `nft -f`; its
port forwards are one `dnat ip to tcp dport map { PORT : ADDR . PORT }`
behind `fib daddr type local`, and its input chain matches `iif lo`.
`nft list ruleset` after `nft -f` of each real ruleset, and of nft-nat.scn's
commands, prints what the real nft 1.0.6 printed for it (tests/nft/real/,
tests/nft/rulesets/nft-nat.*, recorded by tests/nft/record.sh).
tests/py/test_kernel_compare.py compares debian-nat.scn with Linux.
"""
import re
import shlex
import shutil

import pytest

from conftest import ROUTER_PAIR, IP, ROOT, TCP, TOPOLOGIES, explain, ip_pkts, outputs, pcap, run, write_scn

NFT = ROOT / "tests" / "nft"
REAL = sorted((TOPOLOGIES / "real").glob("*.nft"))


def listings(res, node):
    return {c: outputs(res.stdout, node, c)[-1].lines
            for c in ("nft list ruleset", "nft -a list ruleset", "nft -n list ruleset")}


@pytest.mark.parametrize("src", REAL, ids=lambda p: p.stem)
def test_real_ruleset_lists_as_nft_prints_it(tmp_path, src):
    shutil.copy(src, tmp_path)
    scn = write_scn(tmp_path, "l", f"""
        router r
        r: nft -f {src.name}
        at 1s r: nft list ruleset
        at 1s r: nft -a list ruleset
        at 1s r: nft -n list ruleset
        """)
    res = run(scn, "--no-pcap", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    got = listings(res, "r")
    gold = NFT / "real" / src.stem
    assert got["nft list ruleset"] == gold.with_suffix(".list").read_text().splitlines()
    assert got["nft -a list ruleset"] == gold.with_suffix(".list-a").read_text().splitlines()
    assert got["nft -n list ruleset"] == gold.with_suffix(".list-n").read_text().splitlines()


def test_nft_nat_batch_is_the_scenarios_commands():
    """tests/nft/rulesets/nft-nat.nft (whose listing test_nft.py compares
    with the real nft's) holds nft-nat.scn's nft commands, in order."""
    words = [shlex.split(l.split(":", 1)[1])
             for l in (TOPOLOGIES / "nft-nat.scn").read_text().splitlines()
             if l.startswith("router: nft ")]
    scn = [c for c in (" ".join(w[1:]) for w in words) if c.startswith("add ")]
    batch = [l for l in (NFT / "rulesets" / "nft-nat.nft").read_text().splitlines()
             if l and not l.startswith("#")]
    # the scenario's shell quoting of the log prefix: '"nft-drop: "'
    assert scn == batch
    assert len(batch) == 11


def test_debian_nat_router_paths(tmp_path):
    """Each rule of the Debian router, read from the wire and the counters."""
    res = run(TOPOLOGIES / "real" / "debian-nat.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert "not evaluated" not in res.stderr, res.stderr
    web = pcap(res.outdir, "web", "eth0")
    sshd = pcap(res.outdir, "sshd", "eth0")
    outside = pcap(res.outdir, "outside", "eth0")
    # the map's two forwards: 8080 -> web:80, 2222 -> sshd:22, and back
    assert ip_pkts(web, proto=6, src="203.0.113.50", dst="192.168.1.10", sport=33000, dport=80)
    assert ip_pkts(sshd, proto=6, src="203.0.113.50", dst="192.168.1.11", sport=33001, dport=22)
    assert ip_pkts(outside, proto=6, src="203.0.113.1", sport=8080, dport=33000)
    assert ip_pkts(outside, proto=6, src="203.0.113.1", sport=2222, dport=33001)
    # no forward for a port outside the map, nor for a LAN address (not local)
    assert not ip_pkts(web, proto=6, sport=33004)
    assert not [p for p in outside if TCP in p and p[TCP].sport == 23]
    # masquerade on the wan oifname
    assert ip_pkts(outside, proto=6, src="203.0.113.1", sport=40000, dport=80)
    # input's ssh accepted; 23 and the direct LAN address counted and dropped
    assert ip_pkts(outside, proto=6, src="203.0.113.1", sport=22, dport=33002)
    lst = outputs(res.stdout, "router", "nft list ruleset")[-1].lines
    drops = [l.strip() for l in lst if "counter" in l]
    assert drops == ["counter packets 1 bytes 60 drop"] * 2, lst


# two hosts on either side of a router, and a second server behind it
PAIR = ROUTER_PAIR + """\
    s: listen tcp 80
    s: listen tcp 81
"""


def test_dnat_concatenated_map_and_a_miss(tmp_path):
    """`dnat ip to ip daddr . tcp dport map { A . P : B . Q }` rewrites
    address and port; a packet no element holds breaks the rule (the next
    rule runs), and `fib daddr type local` is the router's own address."""
    scn = write_scn(tmp_path, "m", PAIR + """
        r: nft add table ip nat
        r: nft 'add chain ip nat pre { type nat hook prerouting priority dstnat; }'
        r: nft 'add rule ip nat pre dnat ip to ip daddr . tcp dport map { 10.0.1.1 . 8080 : 10.0.2.2 . 80, 10.0.1.1 . 8081 : 10.0.2.2 . 81 }'
        r: nft 'add rule ip nat pre fib daddr type local counter'
        at 1s c: tcp connect 10.0.1.1:8081 sport 4000 send 100 close
        at 1s c: tcp connect 10.0.1.1:9000 sport 4001
        at 2s r: nft list ruleset
        end 3s
        """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    s = pcap(res.outdir, "s", "eth0")
    assert ip_pkts(s, proto=6, src="10.0.1.2", dst="10.0.2.2", sport=4000, dport=81)
    assert not ip_pkts(s, proto=6, sport=4001)
    lst = outputs(res.stdout, "r", "nft list ruleset")[-1].lines
    assert "\t\tdnat ip to ip daddr . tcp dport map { 10.0.1.1 . 8080 : 10.0.2.2 . 80, " \
           "10.0.1.1 . 8081 : 10.0.2.2 . 81 }" in lst, lst
    # the miss (port 9000, first SYN and its retransmission... only the
    # first packet of a connection walks a nat chain) reaches the next rule
    counted = [l for l in lst if "fib daddr type local counter" in l]
    assert counted == ["\t\tfib daddr type local counter packets 1 bytes 60"], lst


def test_concatenated_lookups_and_verdict_maps(tmp_path):
    """`ip daddr . tcp dport @set` and `ip saddr . udp dport vmap { ... }`
    decide on both values together (nft_lookup on concatenated registers)."""
    (tmp_path / "f.nft").write_text("""table ip f {
        set web {
            type ipv4_addr . inet_service
            elements = { 10.0.2.2 . 80, 10.0.2.3 . 81 }
        }
        chain forward {
            type filter hook forward priority filter; policy drop;
            ct state established,related accept
            ip daddr . tcp dport @web accept
            ip saddr . udp dport vmap { 10.0.1.2 . 7 : accept, 10.0.1.2 . 8 : drop }
        }
    }
    """)
    scn = write_scn(tmp_path, "c", PAIR + """
        s: listen udp 7
        s: listen udp 8
        r: nft -f f.nft
        at 1s c: tcp connect 10.0.2.2:80 sport 4000 send 100 close
        at 1s c: tcp connect 10.0.2.2:81 sport 4001
        at 1s c: udp send 10.0.2.2:7 sport 5000
        at 1s c: udp send 10.0.2.2:8 sport 5001
        end 3s
        """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert "not evaluated" not in res.stderr, res.stderr
    s = pcap(res.outdir, "s", "eth0")
    assert ip_pkts(s, proto=6, dport=80, sport=4000)
    assert not ip_pkts(s, proto=6, dport=81)
    assert ip_pkts(s, proto=17, dport=7)
    assert not ip_pkts(s, proto=17, dport=8)


NUMGEN = PAIR + """
    r: nft add table ip f
    r: nft add chain ip f a
    r: nft add chain ip f b
    r: nft add rule ip f a counter
    r: nft add rule ip f b counter
    r: nft 'add chain ip f forward { type filter hook forward priority filter; }'
    r: nft 'add rule ip f forward numgen MODE mod 2 vmap { 0 : jump a, 1 : jump b }'
    s: listen udp 9
    at 1s c: udp send 10.0.2.2:9 sport 5000 count 20 interval 10ms
    at 2s r: nft list ruleset
    end 3s
"""


def numgen_counts(tmp_path, mode, seed=None):
    d = tmp_path / f"{mode}{seed}"
    d.mkdir()
    res = run(write_scn(d, "n", NUMGEN.replace("MODE", mode)), "--no-pcap", out=d / "out",
              seed=seed)
    assert res.rc == 0, explain(res)
    lst = outputs(res.stdout, "r", "nft list ruleset")[-1].lines
    return [int(m.group(1)) for m in (re.search(r"counter packets (\d+)", l) for l in lst) if m]


def test_numgen_inc_alternates(tmp_path):
    # nft_ng_inc: 0, 1, 0, 1, ...: ten each
    assert numgen_counts(tmp_path, "inc") == [10, 10]


def test_numgen_random_follows_the_seed(tmp_path):
    """numgen random draws from the run's seeded generator, as -m statistic
    does: the same seed gives the same split, and a split happens."""
    one = numgen_counts(tmp_path, "random", seed=1)
    assert sum(one) == 20 and 0 < one[0] < 20, one
    again = tmp_path / "again"
    again.mkdir()
    assert numgen_counts(again, "random", seed=1) == one
    splits = {tuple(numgen_counts(tmp_path, "random", seed=s)) for s in (2, 3, 4, 5)}
    assert len(splits | {tuple(one)}) > 1, splits


def test_kube_proxy_nft_clusterip(tmp_path):
    """kube-proxy's nftables mode: every connection to the ClusterIP lands
    on an endpoint's port 8080 (service-ips vmap, numgen random mod 2
    vmap, dnat); the outside client's are marked 0x4000 and masqueraded
    (fully-random) from the node, the pod's keep their source; the split
    follows the seed."""
    def split(seed):
        res = run(TOPOLOGIES / "real" / "kube-proxy-nft.scn", out=tmp_path / f"s{seed}",
                  seed=seed)
        assert res.rc == 0, explain(res)
        assert "not evaluated" not in res.stderr, res.stderr
        syns = []
        for i, web in enumerate(("web1", "web2"), 1):
            pk = [p for p in ip_pkts(pcap(res.outdir, web, "eth0"), proto=6,
                                     dst=f"10.244.1.1{i}", dport=8080)
                  if p[TCP].flags == "S"]
            assert all(p[IP].src in ("10.244.1.1", "10.244.2.20") for p in pk), pk
            syns.append(len(pk))
        assert sum(syns) == 8, syns
        return tuple(syns)
    one = split(1)
    assert split(1) == one
    assert len({one} | {split(s) for s in (2, 3, 4)}) > 1


def test_kube_proxy_nft_one_endpoint(tmp_path):
    """kube-proxy's nftables text for a Service of one endpoint
    (kube-proxy-nft-one.scn, compared clean with Linux): `numgen random mod
    1 vmap { 0 : goto ... }` sends every connection to web1:8080 whatever
    the seed; the outside client's arrive from the node, the pod's with
    their own source; web2 gets none; a port the ClusterIP does not serve
    is rejected by cluster-ips-check (ICMP port unreachable)."""
    from conftest import ICMP
    for seed in (1, 2, 3):
        res = run(TOPOLOGIES / "real" / "kube-proxy-nft-one.scn", out=tmp_path / f"s{seed}",
                  seed=seed)
        assert res.rc == 0, explain(res)
        web1 = pcap(res.outdir, "web1", "eth0")
        syns = sorted((p[IP].src, p[TCP].sport) for p in ip_pkts(web1, proto=6, dport=8080)
                      if p[TCP].flags == "S")
        assert [s for s, _ in syns] == ["10.244.1.1"] * 3 + ["10.244.2.20"] * 2, syns
        assert [sp for s, sp in syns if s == "10.244.2.20"] == [41000, 41001]
        assert not ip_pkts(pcap(res.outdir, "web2", "eth0"), proto=6, dst="10.244.1.12")
        unreach = [p for p in pcap(res.outdir, "pod", "eth0")
                   if ICMP in p and p[ICMP].type == 3 and p[ICMP].code == 3]
        assert len(unreach) == 1, unreach
    lst = outputs(res.stdout, "node", "nft list ruleset")[-1].lines
    assert ("\t\tnumgen random mod 1 vmap { 0 : goto "
            "endpoint-M2GY4ZNB-default/web/tcp/http__10.244.1.11/8080 }") in lst


def test_kube_proxy_nft_loaded_twice(tmp_path):
    """kube-proxy re-sends its whole transaction on each sync: `add set` of
    an existing set with the same declaration adds its elements and changes
    nothing else, the rules are appended again (handles go on), as nft 1.0.6
    and the kernel do (tests/nft/real/kube-proxy-nft.twice.list-a)."""
    src = TOPOLOGIES / "real" / "kube-proxy-nft.nft"
    shutil.copy(src, tmp_path)
    scn = write_scn(tmp_path, "t", f"""
        router r
        r: nft -f {src.name}
        r: nft -f {src.name}
        at 1s r: nft -a list ruleset
        """)
    res = run(scn, "--no-pcap", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    gold = NFT / "real" / "kube-proxy-nft.twice.list-a"
    assert outputs(res.stdout, "r", "nft -a list ruleset")[-1].lines == \
        gold.read_text().splitlines()


def test_firewalld_nft_public_zone(tmp_path):
    """firewalld's nftables ruleset (topologies/real/firewalld-nft.scn): the
    public zone's ssh and icmp pass, the rest is answered with ICMP
    admin-prohibited (`reject with icmpx admin-prohibited`: type 3 code 13),
    an INVALID segment is dropped, and forwarding follows the zone's
    intra-zone rule (out by eth0 only)."""
    from conftest import ICMP, UDP
    res = run(TOPOLOGIES / "real" / "firewalld-nft.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert "not evaluated" not in res.stderr, res.stderr
    client = pcap(res.outdir, "client", "eth0")
    server = pcap(res.outdir, "server", "eth0")
    # ssh accepted (filter_IN_public_allow), its SYN-ACK on the wire
    assert [p for p in ip_pkts(client, proto=6, src="192.0.2.1", sport=22, dport=40000)
            if p[TCP].flags & 0x12 == 0x12]
    # ping answered (meta l4proto { icmp, ipv6-icmp } accept)
    assert [p for p in ip_pkts(client, proto=1, src="192.0.2.1") if p[ICMP].type == 0]
    # admin-prohibited for tcp 80, udp 53 and the forward to eth1, from the host
    prohib = [p for p in ip_pkts(client, proto=1, src="192.0.2.1")
              if p[ICMP].type == 3 and p[ICMP].code == 13]
    # the quoted datagrams: (destination, protocol, destination port)
    quoted = sorted((".".join(str(b) for b in bytes(p[ICMP].payload)[16:20]),
                     bytes(p[ICMP].payload)[9],
                     int.from_bytes(bytes(p[ICMP].payload)[22:24], "big")) for p in prohib)
    assert quoted == [("192.0.2.1", 6, 80), ("192.0.2.1", 17, 53),
                      ("198.51.100.10", 6, 80)], quoted
    assert not ip_pkts(client, proto=6, src="192.0.2.1", sport=80)
    assert not ip_pkts(server, proto=6, sport=40003)
    # the SYN+FIN (INVALID) has no answer
    assert not ip_pkts(client, proto=6, dport=40002)
    # the host's own connection out, and server -> client out by eth0
    assert ip_pkts(client, proto=6, src="192.0.2.10", sport=8080, dport=45000)
    assert ip_pkts(server, proto=6, src="192.0.2.10", sport=8080, dport=46000)
    ct = outputs(res.stdout, "fw", "conntrack -L")[-1].lines
    assert any("sport=46000 dport=8080" in l and "[ASSURED]" in l for l in ct), ct
    assert not any("sport=40003" in l for l in ct), ct


def test_firewalld_nft_external_zone_masquerade_and_forward_port(tmp_path):
    """firewalld's nftables ruleset on a router (firewalld-nft-nat.scn): the
    external zone's masquerade and forward-port (a dnat in nat_PRE_external_allow
    and filter_FORWARD's `ct status dnat accept`), the trusted LAN forwarded,
    and the rest of the external side answered with ICMP admin-prohibited."""
    from conftest import ICMP
    res = run(TOPOLOGIES / "real" / "firewalld-nft-nat.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    assert "not evaluated" not in res.stderr, res.stderr
    outside = pcap(res.outdir, "outside", "eth0")
    sshd = pcap(res.outdir, "sshd", "eth0")
    # masqueraded out of eth1, never the LAN address
    assert ip_pkts(outside, proto=6, src="203.0.113.1", sport=40000, dport=80)
    assert not ip_pkts(outside, src="192.168.1.20")
    # the forward-port: 2222 on the router is sshd's 22, and back
    assert ip_pkts(sshd, proto=6, src="203.0.113.50", dst="192.168.1.10", sport=33000, dport=22)
    assert ip_pkts(outside, proto=6, src="203.0.113.1", sport=2222, dport=33000)
    assert not ip_pkts(outside, proto=6, sport=22, dport=33000)
    # admin-prohibited for the router's port 80 and the direct forward
    prohib = [p for p in ip_pkts(outside, proto=1, src="203.0.113.1")
              if p[ICMP].type == 3 and p[ICMP].code == 13]
    quoted = sorted((".".join(str(b) for b in bytes(p[ICMP].payload)[16:20]),
                     int.from_bytes(bytes(p[ICMP].payload)[22:24], "big")) for p in prohib)
    assert quoted == [("192.168.1.10", 22), ("203.0.113.1", 80)], quoted
    assert not ip_pkts(sshd, proto=6, sport=33003)
    ct = outputs(res.stdout, "fw", "conntrack -L")[-1].lines
    assert any("sport=33000 dport=2222 src=192.168.1.10 dst=203.0.113.50 sport=22 dport=33000"
               in l for l in ct), ct
    assert any("sport=40000 dport=80 src=203.0.113.50 dst=203.0.113.1 sport=80 dport=40000"
               in l for l in ct), ct


def test_openwrt_fw4_router_paths(tmp_path):
    """OpenWrt firewall4's default ruleset (topologies/real/openwrt-fw4.scn):
    each zone path read from the wire, the rule counters and conntrack;
    tests/py/test_kernel_compare.py compares the scenario with Linux."""
    res = run(TOPOLOGIES / "real" / "openwrt-fw4.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    # fw4's limits are listed, not yet evaluated; its MSS clamping is
    assert "maxseg" not in res.stderr, res.stderr
    lan = pcap(res.outdir, "lanhost", "eth0")
    wan = pcap(res.outdir, "openwrt", "pppoe-wan")
    outside = pcap(res.outdir, "outside", "eth0")
    # lan -> wan masqueraded (srcnat_wan), the SYN's MSS clamped to the
    # PPPoE link's 1492 - 40 on its way out (mangle_postrouting)
    syn = [p for p in ip_pkts(wan, proto=6, sport=40000, dport=80) if p[TCP].flags & 0x02]
    assert [(p[IP].src, dict(p[TCP].options)["MSS"]) for p in syn] == [("10.11.12.2", 1452)]
    assert ip_pkts(lan, proto=6, src="10.11.12.1", dst="10.0.0.100", dport=40000)
    # wan -> router: Allow-Ping answered; UDP 53 rejected with ICMP port
    # unreachable (icmpx), TCP 22 reset (handle_reject)
    icmp = [(p["ICMP"].type, p["ICMP"].code) for p in ip_pkts(outside, proto=1, src="10.11.12.2")]
    assert sorted(icmp) == [(0, 0), (3, 3)], icmp
    rst = ip_pkts(outside, proto=6, src="10.11.12.2", sport=22, dport=41000)
    assert len(rst) == 1 and rst[0][TCP].flags & 0x04
    # wan -> lan: no port forward, reset by forward's handle_reject; ISAKMP
    # (Allow-ISAKMP) delivered
    assert not ip_pkts(lan, proto=6, src="10.11.12.7")
    assert ip_pkts(outside, proto=6, src="10.0.0.100", sport=80, dport=41001)[0][TCP].flags & 0x04
    assert len(ip_pkts(lan, proto=17, src="10.11.12.7", sport=500, dport=500)) == 1
    lst = [l.strip() for l in outputs(res.stdout, "openwrt", "nft list ruleset")[-1].lines]

    def counted(comment, chain_rule=""):
        hits = [l for l in lst if l.endswith(f'comment "!fw4: {comment}"') and chain_rule in l]
        assert len(hits) == 1, (comment, hits)
        return re.search(r"counter packets (\d+) bytes (\d+)", hits[0]).group(1, 2)

    assert counted("Allow-Ping") == ("1", "84")
    assert counted("Allow-ISAKMP") == ("1", "68")
    # reject_from_wan: the UDP and the TCP to the router
    assert counted("reject wan IPv4/IPv6 traffic", "iifname") == ("2", "108")
    # accept_to_wan: the lan connection's first packet (the rest is
    # `ct state vmap` established)
    assert counted("accept wan IPv4/IPv6 traffic") == ("1", "60")
    # the IPv6 rules count nothing: the packets are IPv4
    for c in ("Allow-DHCPv6", "Allow-MLD", "Allow-ICMPv6-Input", "Allow-ICMPv6-Forward"):
        assert all("counter packets 0 bytes 0" in l for l in lst if f"!fw4: {c}\"" in l), c
    ct = outputs(res.stdout, "openwrt", "conntrack -L")[-1].lines
    assert any(re.match(r"^tcp +6 \d+ \w+ src=10\.0\.0\.100 dst=10\.11\.12\.1 sport=40000 dport=80 "
                        r"src=10\.11\.12\.1 dst=10\.11\.12\.2 sport=80 dport=40000 \[ASSURED\]", l)
               for l in ct), ct


def test_fw4_port_forward_form(tmp_path):
    """firewall4 writes a port forward without nft's `to` (`dnat ADDR:PORT`;
    tests/nft/rulesets/fw4-redirect.nft lists its forms): applied as `dnat
    ip to` is, the connection reaches the forwarded port."""
    scn = write_scn(tmp_path, "fwd", PAIR + """
        r: nft add table inet fw4
        r: nft 'add chain inet fw4 dstnat { type nat hook prerouting priority dstnat; }'
        r: nft add rule inet fw4 dstnat meta nfproto ipv4 tcp dport 8080 counter dnat 10.0.2.2:80
        at 1s c: tcp connect 10.0.1.1:8080 sport 4000 send 100 close
        at 2s r: nft list ruleset
        end 3s
        """)
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    s = pcap(res.outdir, "s", "eth0")
    assert ip_pkts(s, proto=6, src="10.0.1.2", dst="10.0.2.2", sport=4000, dport=80)
    lst = [l.strip() for l in outputs(res.stdout, "r", "nft list ruleset")[-1].lines]
    assert "meta nfproto ipv4 tcp dport 8080 counter packets 1 bytes 60 dnat ip to 10.0.2.2:80" \
        in lst, lst


def test_openwrt_fw4_offload_verbatim(tmp_path):
    """firewall4's ruleset with flow offloading, verbatim
    (topologies/real/openwrt-fw4.offload, through openwrt-fw4-offload.scn):
    its `include "/etc/nftables.d/*.nft"` reads the router's drop-in, which
    adds the routed interfaces to fw4's flowtable; the ct helpers natsim
    lacks and hardware offload are said in natsim's voice, not refused; the
    lan's TCP and UDP connections are offloaded and their later packets take
    the fast path both ways, masqueraded. NOT kernel-compared (the host's
    kernel has no nf_flow_table)."""
    res = run(TOPOLOGIES / "real" / "openwrt-fw4-offload.scn", "--trace", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    notes = [l for l in res.stderr.splitlines() if l.startswith("natsim: nft")]
    assert len(notes) == 2, notes
    assert notes[0].startswith("natsim: nft ct helper objects amanda (nf_conntrack_amanda), "
                               "RAS (nf_conntrack_h323), Q.931 (nf_conntrack_h323), ")
    assert "rtsp (nf_conntrack_rtsp)" in notes[0] and "not mainline Linux's" in notes[0]
    assert "ftp (" not in notes[0] and "tftp (" not in notes[0]	# natsim has these
    assert notes[1].startswith("natsim: nft flowtable ft: hardware offload (flags offload) "
                               "is not implemented")
    ft = outputs(res.stdout, "openwrt", "nft list flowtables")[-1].lines
    assert ft == ["table inet fw4 {", "\tflowtable ft {", "\t\thook ingress priority filter",
                  "\t\tdevices = { br-lan, eth0, eth1, pppoe-wan }", "\t\tflags offload",
                  "\t\tcounter", "\t}", "}"]
    ct = outputs(res.stdout, "openwrt", "conntrack -L")[0].lines
    assert sum("[OFFLOAD]" in l for l in ct) == 2, ct
    # the fast path, both directions (nf_flow_offload_ip_hook)
    out = [l.split("out ")[1].split()[0] for l in res.stdout.splitlines()
           if "flowtable: offloaded flow, out" in l]
    assert out.count("pppoe-wan") >= 18 and out.count("br-lan") >= 18, out
    # accept_to_wan counted each connection's first packet only (a TCP SYN
    # and a UDP datagram), at 3 s and at 6 s
    for lst in outputs(res.stdout, "openwrt", "nft list chain inet fw4 accept_to_wan"):
        assert any('oifname "pppoe-wan" counter packets 2 bytes 188 accept' in l
                   for l in lst.lines), lst.lines
    srv = pcap(res.outdir, "server", "eth0")
    udp = ip_pkts(srv, proto=17, sport=5000, dport=7)
    assert len(udp) == 20 and {p[IP].src for p in udp} == {"10.11.12.2"}
    assert {p[IP].ttl for p in udp} == {63}


def test_ct_helper_objects_natsim_lacks(tmp_path):
    """A ct helper object of a helper Linux has and natsim does not (sip) is
    kept, listed and said once; `ct helper set` of it attaches nothing (the
    entry has no helper: `conntrack -L` shows no helper=). A name no Linux
    helper has keeps nft's refusal (tests/nft/errors/ct-helper-unknown-type),
    and so does a known name with the wrong protocol."""
    scn = write_scn(tmp_path, "h", ROUTER_PAIR + """
        r: nft add table ip raw
        r: nft 'add ct helper ip raw voip { type "sip" protocol udp; }'
        r: nft 'add chain ip raw pre { type filter hook prerouting priority raw; }'
        r: nft add rule ip raw pre udp dport 5060 ct helper set voip
        r: ! nft 'add ct helper ip raw bad { type "amanda" protocol tcp; }'
        r: ! nft 'add ct helper ip raw bad { type "nope" protocol udp; }'
        at 1s c: udp send 10.0.2.2:5060 sport 5060 count 1
        at 2s r: conntrack -L
        at 2s r: nft list table ip raw
        end 3s
        """)
    res = run(scn, "--no-pcap", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    notes = [l for l in res.stderr.splitlines() if l.startswith("natsim: nft ct helper")]
    assert notes == ["natsim: nft ct helper objects voip (nf_conntrack_sip): conntrack helpers "
                     "natsim does not implement; the objects are kept, and `ct helper set` of "
                     "them assigns no helper"], notes
    assert res.stderr.count("Error: Could not process rule: No such file or directory") == 2
    lst = outputs(res.stdout, "r", "nft list table ip raw")[-1].lines
    assert "\tct helper voip {" in lst and '\t\ttype "sip" protocol udp' in lst, lst
    ct = outputs(res.stdout, "r", "conntrack -L")[-1].lines
    assert any("dport=5060" in l for l in ct) and not any("helper=" in l for l in ct), ct
