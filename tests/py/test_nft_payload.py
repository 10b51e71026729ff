"""nft payload fields (nat/nftables/nft_payload.c): every field of ip, icmp,
tcp, udp and th by offset and length in bits, raw payloads, relations and
masks, and payload set with its checksum updates.

The listings are nft 1.0.6's (tests/nft/rulesets/payload.*, compared by
test_nft.py); topologies/nft-payload.scn is kernel-compared
(test_kernel_compare.py). Here: the packets on the wire (rewritten fields,
checksums a receiving stack accepts, scapy), the counters, and what natsim
says it does not do.
"""
import re

from conftest import (ICMP, IP, ROUTER_PAIR, TCP, TOPOLOGIES, UDP, assert_all_checksums,
                      checksums_ok, explain, ip_pkts, outputs, pcap, run, write_scn)


def listing(res, node="router"):
    return outputs(res.stdout, node, "nft list ruleset")[-1].lines


def counter(lines, rule):
    """packets of the listed rule that starts with rule (exactly one)."""
    hits = [ln.strip() for ln in lines if ln.strip().startswith(rule + " counter")]
    assert len(hits) == 1, (rule, lines)
    return int(re.search(r"packets (\d+)", hits[0]).group(1))


def scenario(tmp_path):
    res = run(TOPOLOGIES / "nft-payload.scn", out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    return res, tmp_path / "out"


def test_payload_set_rewrites_with_checksums(tmp_path):
    res, out = scenario(tmp_path)
    client = pcap(out, "client", "eth0")
    server = pcap(out, "server", "eth0")
    # as sent: port 5009, ttl 64, tos 0
    sent = ip_pkts(client, proto=17, dst="10.0.2.2", dport=9)
    assert len(sent) == 2 and {(p[UDP].sport, p[IP].ttl, p[IP].tos) for p in sent} == {(5009, 64, 0)}
    # udp dport 9 ip ttl set 33 ip dscp set af41 udp sport set 6000
    got = ip_pkts(server, proto=17, dst="10.0.2.2", dport=9)
    assert len(got) == 2
    assert {(p[UDP].sport, p[IP].ttl, p[IP].tos) for p in got} == {(6000, 33, 0x22 << 2)}
    # udp dport 10 ip saddr set 10.0.1.99 ip ecn set ect0: the UDP checksum
    # follows the pseudo-header's address
    got = ip_pkts(server, proto=17, dport=10)
    assert [(p[IP].src, p[IP].tos) for p in got] == [("10.0.1.99", 2)]
    assert got[0][UDP].chksum != 0
    # tcp dport 80 ip id set 4660 tcp window set 1000 (every client segment)
    segs = ip_pkts(server, proto=6, src="10.0.1.2", dport=80)
    assert len(segs) >= 4
    assert {(p[IP].id, p[TCP].window) for p in segs} == {(4660, 1000)}
    # the connection still works: the server's data reached it and it closed
    assert any(p[TCP].flags & 0x01 for p in segs)
    # icmp type echo-request icmp id set 9
    echo = [p for p in server if ICMP in p and p[ICMP].type == 8]
    assert len(echo) == 3 and {p[ICMP].id for p in echo} == {9}
    # udp dport 12 udp checksum set 0 ip checksum set 0: the values written
    # stay (the kernel updates the checksum, then stores the bytes)
    z = ip_pkts(server, proto=17, dport=12)
    assert [(p[IP].chksum, p[UDP].chksum) for p in z] == [(0, 0)]
    # every other rewritten packet verifies (IP header, UDP, TCP, ICMP checksums)
    assert_all_checksums([p for p in ip_pkts(server, src="10.0.1.2") if p not in z] +
                         ip_pkts(server, src="10.0.1.99"), "server:eth0")
    assert all(checksums_ok(p) for p in got + segs + echo)


def test_payload_fields_counted(tmp_path):
    res, _ = scenario(tmp_path)
    lines = listing(res)
    # forwarded packets have ttl 63 at forward (ip_forward decrements first)
    assert counter(lines, "ip ttl >= 64") == 0
    assert counter(lines, "ip ttl < 64") == counter(lines, "ip hdrlength 5 ip version 4") > 0
    assert counter(lines, "ip frag-off & 8191 != 0") == 0
    # the icmp code of the echo requests, their ids and sequences 2, 3
    # (requests and replies: nft's icmp type { echo-reply, echo-request })
    assert counter(lines, "icmp type echo-request icmp code net-unreachable") == 3
    assert counter(lines, "icmp type { echo-reply, echo-request } icmp id 7") == 3
    assert counter(lines, "icmp type { echo-reply, echo-request } icmp sequence 2-3") == 4
    # the server's port unreachables for udp 9 and 10
    assert counter(lines, "icmp code port-unreachable") == 3
    assert counter(lines, "udp length > 100") == 2
    # tcp flags with masks: the SYN, the SYN-ACK, the segments after them
    assert counter(lines, "tcp flags syn / fin,syn,rst,ack") == 1
    assert counter(lines, "tcp flags syn,ack / syn,ack") == 1
    # every segment carries options (timestamps): a header longer than 5 words
    assert counter(lines, "tcp doff > 5") == counter(lines, "tcp urgptr 0") > 2
    # after the rewrite, in postrouting: the fields load back shifted right
    assert counter(lines, "ip dscp af41 ip ecn not-ect") == 2
    assert counter(lines, "ip ecn ect0 ip dscp cs0") == 1
    assert counter(lines, "udp sport 6000 ip ttl 33") == 2
    assert counter(lines, "icmp type echo-request icmp id 9") == 3
    assert counter(lines, "icmp type echo-request icmp id 7") == 0


PAIR = ROUTER_PAIR


def pair_nft(tmp_path, rules, traffic):
    (tmp_path / "p.nft").write_text(
        "table inet t {\n chain c {\n  type filter hook forward priority 0;\n"
        + "".join(f"  {r}\n" for r in rules) + " }\n}\n")
    scn = write_scn(tmp_path, "p", PAIR + "\n    r: nft -f p.nft\n" +
                    "".join(f"    {t}\n" for t in traffic) + "    at 3s r: nft list ruleset\n    end 4s\n")
    res = run(scn, out=tmp_path / "out")
    assert res.rc == 0, explain(res)
    return res, listing(res, "r")


def test_relations_raw_payloads_and_th_context(tmp_path):
    res, lines = pair_nft(tmp_path, [
        "udp dport < 10 counter", "udp dport <= 10 counter", "udp dport > 10 counter",
        "udp dport >= 10 counter", "udp dport != 9-10 counter",
        "@th,16,16 10 counter", "@nh,96,32 0x0a000102 counter",
        "udp sport 5000 th dport 11 counter", "udp length 28 counter",
        "udp length != 28 counter", "ip length & 0xff00 == 0 counter",
        "@nh,4,4 5 counter", "@nh,4,4 != 5 counter", "@th,0,12 0x138 counter"],
        ["at 1s c: udp send 10.0.2.2:9 sport 5000 count 1 size 20",
         "at 1.2s c: udp send 10.0.2.2:10 sport 5000 count 1 size 20",
         "at 1.4s c: udp send 10.0.2.2:11 sport 5000 count 1 size 20"])
    assert counter(lines, "udp dport < 10") == 1
    assert counter(lines, "udp dport <= 10") == 2
    assert counter(lines, "udp dport > 10") == 1
    assert counter(lines, "udp dport >= 10") == 2
    assert counter(lines, "udp dport != 9-10") == 1
    assert counter(lines, "th dport 10") == 1
    # 10.0.1.2: the client's datagrams, not the server's port unreachables
    assert counter(lines, "@nh,96,32 0xa000102") == 3
    assert counter(lines, "udp sport 5000 udp dport 11") == 1
    assert counter(lines, "udp length 28") == 3
    assert counter(lines, "udp length != 28") == 0
    assert counter(lines, "ip length & 65280 == 0") == 6
    # bits not on byte boundaries: the header length nibble, the top 12
    # bits of port 5000 (0x1388), listed as nft lists them
    assert counter(lines, "@nh,0,8 & 0xf == 0x5") == 6
    assert counter(lines, "@nh,0,8 & 0xf != 0x5") == 0
    assert counter(lines, "@th,0,16 & 0xfff0 == 0x1380") == 3


def test_tcp_flags_operators(tmp_path):
    """`tcp flags syn` tests the bit; `==`/`!=` compare the whole value
    (nft_cmp), as a raw load of the byte does; masks with any comparison."""
    res, lines = pair_nft(tmp_path, [
        "tcp flags syn counter", "tcp flags == syn counter", "tcp flags != syn counter",
        "tcp flags == syn,ack counter", "meta l4proto tcp @th,104,8 2 counter",
        "tcp flags & (syn|ack) == ack counter", "tcp flags & (fin|syn|rst|ack) != syn counter",
        "tcp flags & (syn|rst) == 0 counter", "tcp flags & (fin|rst) != 0 counter"],
        ["s: listen tcp 80", "at 1s c: tcp connect 10.0.2.2:80 sport 40000 send 10 close"])
    total = counter(lines, "tcp flags != syn") + 1
    assert counter(lines, "tcp flags syn") == 2          # SYN and SYN-ACK
    # `tcp flags == syn`, and the raw byte listed as nft lists it: the same
    same = [ln for ln in lines if ln.strip().startswith("tcp flags == syn counter")]
    assert len(same) == 2 and all("packets 1 " in ln for ln in same), lines
    assert counter(lines, "tcp flags == 0x12") == 1
    assert counter(lines, "tcp flags ack / syn,ack") == total - 2
    assert counter(lines, "tcp flags != syn / fin,syn,rst,ack") == total - 1
    assert counter(lines, "tcp flags ! syn,rst") == total - 2
    assert counter(lines, "tcp flags fin,rst") >= 2      # both FINs


def test_fragments(tmp_path):
    """Without conntrack nothing reassembles before forward: the fragment
    offset and MF bit load from each fragment, and a later fragment has no
    transport header (a udp field breaks the rule, nft_payload's fragoff)."""
    res, lines = pair_nft(tmp_path, [
        "ip frag-off & 0x1fff != 0 counter", "ip frag-off & 0x2000 == 0x2000 counter",
        "ip frag-off & 0x1fff == 0 counter", "udp dport 9 counter", "th dport 9 counter",
        "@th,0,8 0 counter"],
        ["at 1s c: udp send 10.0.2.2:9 sport 5000 count 1 size 3000"])
    assert counter(lines, "ip frag-off & 8191 != 0") == 2
    assert counter(lines, "ip frag-off & 8192 == 8192") == 2
    assert counter(lines, "ip frag-off & 8191 == 0") == 2   # the first, and s's ICMP error
    assert counter(lines, "udp dport 9") == 1
    assert counter(lines, "th dport 9") == 1
    assert counter(lines, "@th,0,8 0x0") == 0


def test_th_set_leaves_the_checksum(tmp_path):
    """nft's th template has no checksum: `th dport set` writes the port and
    nothing else (nft_payload_set with csum_type none), so the receiver sees
    a bad UDP checksum; `udp dport set` fixes it."""
    res, lines = pair_nft(tmp_path, [
        "udp dport 9 th sport set 7000", "udp dport 10 udp sport set 7001"],
        ["at 1s c: udp send 10.0.2.2:9 sport 5000 count 1 size 20",
         "at 1.2s c: udp send 10.0.2.2:10 sport 5000 count 1 size 20"])
    # listed in the udp context, as nft does
    assert "\t\tudp dport 9 udp sport set 7000" in lines
    s = pcap(tmp_path / "out", "s", "eth0")
    a = ip_pkts(s, proto=17, dport=9)
    b = ip_pkts(s, proto=17, dport=10)
    assert [p[UDP].sport for p in a] == [7000] and [p[UDP].sport for p in b] == [7001]
    assert checksums_ok(b[0])
    assert not checksums_ok(a[0])


def test_unbuilt_payloads_say_so(tmp_path):
    for rule, what in (("@ll,0,8 1 accept", "raw payload @ll"),
                       ("@nh,8,6 { 1, 2 } accept", "raw payload not on byte boundaries"),
                       ("@nh,0,64 1 accept", "raw payload longer than 32 bits"),
                       ("ip dscp & 0x20 == 0x20 accept", "expression `ip dscp &`")):
        (tmp_path / "x.nft").write_text(
            "table inet t {\n chain c {\n  type filter hook forward priority 0;\n  "
            + rule + "\n }\n}\n")
        scn = write_scn(tmp_path, "x", "router r\nr: nft -f x.nft\n")
        res = run(scn, "--no-pcap", out=tmp_path / "out")
        assert res.rc != 0
        assert f"natsim: nft {what}" in res.stderr and "is not implemented" in res.stderr, \
            explain(res)
