#!/usr/bin/python3
"""make_seeds.py - the fuzz seed corpora under tests/fuzz/corpus/.

  scenario/  the topologies (*.scn) as they are
  ipt/       iptables command lines from the topologies (mode byte 0) and an
             iptables-save file (mode byte 1)
  packet/    scapy-built frames in fuzz_packet.c's record format
             ([flags][len:2][frame]...): well-formed flows and the malformed
             cases of test_malformed.py
  pcap/      small pcaps written by scapy (micro- and nanosecond)

Usage: make_seeds.py CORPUS_DIR
"""
import glob
import os
import struct
import sys

from scapy.all import (ARP, ICMP, IP, IPv6, TCP, UDP, Dot1Q, Ether, Raw,
                       fragment, wrpcap)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
Z = "00:00:00:00:00:00"
IN, OUT, R0, R1 = "192.168.1.10", "203.0.113.20", "192.168.1.1", "203.0.113.1"


def rec(frames):
    """frames: list of (flags, bytes)."""
    out = b""
    for flags, b in frames:
        out += struct.pack(">BH", flags, len(b)) + b
    return out


def eth(p):
    return bytes(Ether(dst=Z, src=Z) / p)


def packet_seeds():
    s = {}
    syn = IP(src=IN, dst=OUT) / TCP(sport=40000, dport=443, flags="S", seq=1)
    s["tcp_syn_out"] = rec([(0, eth(syn))])
    s["tcp_dnat_in"] = rec([(1, eth(IP(src=OUT, dst=R1) / TCP(sport=33000, dport=8080, flags="S")))])
    s["udp_out"] = rec([(0, eth(IP(src=IN, dst=OUT) / UDP(sport=1234, dport=9) / Raw(b"x" * 20)))])
    s["udp_dnat_in"] = rec([(1, eth(IP(src=OUT, dst=R1) / UDP(sport=777, dport=5353) / Raw(b"q")))])
    s["ping_router"] = rec([(0, eth(IP(src=IN, dst=R0) / ICMP(id=5, seq=1)))])
    s["icmp_err_in"] = rec([(0, eth(IP(src=IN, dst=OUT) / UDP(sport=1234, dport=9))),
                            (1, eth(IP(src=OUT, dst=R1) / ICMP(type=3, code=3) /
                                    IP(src=R1, dst=OUT) / UDP(sport=1234, dport=9)))])
    big = IP(src=IN, dst=OUT, flags=0, id=77) / UDP(sport=2000, dport=9) / Raw(b"A" * 3000)
    frags = fragment(big, fragsize=1000)
    s["frags_in_order"] = rec([(0, eth(f)) for f in frags])
    s["frags_reversed"] = rec([(0, eth(f)) for f in reversed(frags)])
    s["frags_incomplete"] = rec([(0, eth(frags[0])), (4, eth(frags[1]))])
    s["tcp_reject"] = rec([(0, eth(IP(src=IN, dst=R0) / TCP(sport=5000, dport=23, flags="S")))])
    s["udp_reject"] = rec([(0, eth(IP(src=IN, dst=R0) / UDP(sport=5000, dport=69)))])
    s["ttl1"] = rec([(0, eth(IP(src=IN, dst=OUT, ttl=1) / UDP(sport=1, dport=9)))])
    s["df_big"] = rec([(0, eth(IP(src=IN, dst=OUT, flags="DF") / UDP(sport=3, dport=9) / Raw(b"B" * 1400)))])
    s["ip_options"] = rec([(0, eth(IP(src=IN, dst=OUT, options=b"\x07\x07\x04\x00\x00\x00\x00\x00") /
                                   UDP(sport=4, dport=9)))])
    s["vlan"] = rec([(0, bytes(Ether(dst=Z, src=Z) / Dot1Q(vlan=5) / IP(src=IN, dst=OUT) / UDP(sport=5, dport=9)))])
    s["arp"] = rec([(2, bytes(Ether(dst="ff:ff:ff:ff:ff:ff", src=Z) / ARP(psrc=IN, pdst=R0)))])
    s["ipv6"] = rec([(0, bytes(Ether(dst=Z, src=Z) / IPv6() / UDP()))])
    b = bytearray(eth(IP(src=IN, dst=OUT) / TCP(sport=6, dport=80)))
    b[14 + 20 + 12] = 0x20  # data offset 2
    s["tcp_doff_bad"] = rec([(0, bytes(b))])
    b = bytearray(eth(IP(src=IN, dst=OUT) / UDP(sport=7, dport=9)))
    b[14] = 0x44  # IHL 4
    s["ihl4"] = rec([(0, bytes(b))])
    s["trunc_ip"] = rec([(0, eth(IP(src=IN, dst=OUT) / UDP())[:25])])
    s["handshake"] = rec([
        (0, eth(IP(src=IN, dst=OUT) / TCP(sport=41000, dport=443, flags="S", seq=100))),
        (1, eth(IP(src=OUT, dst=R1) / TCP(sport=443, dport=41000, flags="SA", seq=500, ack=101))),
        (0, eth(IP(src=IN, dst=OUT) / TCP(sport=41000, dport=443, flags="A", seq=101, ack=501))),
        (0, eth(IP(src=IN, dst=OUT) / TCP(sport=41000, dport=443, flags="FA", seq=101, ack=501))),
        (0, eth(IP(src=IN, dst=OUT) / TCP(sport=41000, dport=443, flags="R", seq=102))),
    ])
    return s


def pcap_seeds(d):
    a = Ether(dst=Z, src=Z) / IP(src=IN, dst=OUT) / UDP(sport=1, dport=53) / Raw(b"hi")
    b = Ether(dst=Z, src=Z) / IP(src=IN, dst=OUT) / TCP(sport=2, dport=80, flags="S")
    a.time, b.time = 1, 1.5
    wrpcap(os.path.join(d, "two_us.pcap"), [a, b])
    wrpcap(os.path.join(d, "two_ns.pcap"), [a, b], nano=True)
    big = Ether(dst=Z, src=Z) / IP(src=IN, dst=OUT) / UDP(sport=3, dport=53) / Raw(b"J" * 8000)
    big.time = 2
    wrpcap(os.path.join(d, "jumbo.pcap"), [big])
    wrpcap(os.path.join(d, "empty.pcap"), [])


def main(corpus):
    for sub in ("scenario", "ipt", "packet", "pcap"):
        os.makedirs(os.path.join(corpus, sub), exist_ok=True)
    rules = []
    for f in sorted(glob.glob(os.path.join(ROOT, "topologies", "*.scn"))):
        text = open(f, "rb").read()
        open(os.path.join(corpus, "scenario", os.path.basename(f)), "wb").write(text)
        for line in text.decode("utf-8", "replace").splitlines():
            if ": iptables " in line and not line.startswith("#"):
                rules.append(line.split(": ", 1)[1])
    for i in range(0, len(rules), 8):
        open(os.path.join(corpus, "ipt", "rules%02d" % (i // 8)), "wb").write(
            b"\x00" + "\n".join(rules[i:i + 8]).encode())
    save = ("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
            ":POSTROUTING ACCEPT [0:0]\n-A PREROUTING -i eth1 -p tcp -m tcp --dport 8080 "
            "-j DNAT --to-destination 192.168.1.10:80\n-A POSTROUTING -o eth1 -j MASQUERADE\n"
            "COMMIT\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [3:180]\n:OUTPUT ACCEPT [0:0]\n"
            ":LOGDROP - [0:0]\n-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
            "[5:300] -A FORWARD -i eth0 -o eth1 -p udp -m multiport --dports 53,123 -j ACCEPT\n"
            "-A FORWARD -m comment --comment \"a b\" -j LOGDROP\n"
            "-A LOGDROP -j LOG --log-prefix \"drop \"\n-A LOGDROP -j DROP\nCOMMIT\n")
    open(os.path.join(corpus, "ipt", "restore"), "wb").write(b"\x01" + save.encode())
    for name, data in packet_seeds().items():
        open(os.path.join(corpus, "packet", name), "wb").write(data)
    pcap_seeds(os.path.join(corpus, "pcap"))


if __name__ == "__main__":
    main(sys.argv[1])
