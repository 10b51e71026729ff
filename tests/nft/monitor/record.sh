#!/bin/sh
# Records what nft 1.0.6's monitors print (tests/py/test_nft_monitor.py) in a
# throwaway network namespace: run as root from this directory. The *.out
# files hold stdout and stderr together (the W: lines are nft's stderr).
set -e
ns=hmonrec$$
N="ip netns exec $ns"
ip netns add $ns
trap 'ip netns del $ns' EXIT
for m in "" "-a" "rules" "new tables" "destroy" "new" "ruleset" "sets" "elements"; do
	case "$m" in -a) args="-a monitor";; *) args="monitor $m";; esac
	f=monitor-$(echo "${m:-all}" | tr ' ' _ | tr -d -).out
	$N timeout 12 nft $args > "$f" 2>&1 &
done
sleep 1
# the same changes as tests/py/test_nft_monitor.py's EVENTS scenario
$N nft -f events.nft
$N nft add rule ip t d counter
$N nft delete rule ip t c handle 5
$N nft add element ip t s '{ 3.3.3.3 }'
$N nft delete element ip t s '{ 1.1.1.1 }'
$N nft flush chain ip t c
$N nft rename chain ip t d e
$N nft delete chain ip t e
$N iptables -A FORWARD -s 10.0.0.1 -j DROP
$N iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE
$N iptables -N FOO
$N iptables -I FOO -s 1.1.1.1 -j DROP
$N iptables -D FORWARD 1
$N nft delete element ip t s '{ 2.2.2.2, 3.3.3.3 }'
$N nft delete table ip t
$N nft create table ip t2
$N nft flush ruleset
wait
# iptables-nft's batches: -Z, -Z CHAIN, -Z of a user chain, -P of a new and
# of an existing chain (test_nft_monitor.py's IPT_CHANGES), in a fresh namespace
ip netns del $ns
ip netns add $ns
$N iptables -A INPUT -j ACCEPT
$N iptables -A FORWARD -j ACCEPT
$N iptables -N U
$N iptables -A U -j ACCEPT
$N iptables -t nat -A POSTROUTING -j MASQUERADE
$N timeout 5 nft monitor > monitor-iptables.out 2>&1 &
sleep 1
$N iptables -Z
$N iptables -Z FORWARD
$N iptables -Z U
$N iptables -P OUTPUT DROP
$N iptables -P FORWARD DROP
wait
# anonymous sets' names: the lowest free "__set%d" (test_nft_monitor.py's
# test_nft_monitor_anonymous_set_names), in a fresh namespace
ip netns del $ns
ip netns add $ns
$N nft add table ip t
$N nft add chain ip t c
$N nft add rule ip t c tcp dport '{ 22, 80 }' drop
$N nft add rule ip t c udp dport '{ 53, 54 }' drop
$N nft add rule ip t c udp dport '{ 55, 56 }' drop
$N timeout 3 nft -a monitor > monitor-anon.out 2>&1 &
sleep 1
$N nft delete rule ip t c handle 5
$N nft add rule ip t c udp dport '{ 57, 58 }' drop
$N nft delete table ip t
wait
# nft -e (echo), without and with -a, in a fresh namespace
ip netns del $ns
ip netns add $ns
$N sh -x ./echo.sh > echo.out 2>&1

# nft monitor trace of iptables-nft's rules (-j TRACE in raw): a veth pair
# between two namespaces, three datagrams 10.9.0.2:4000 -> 10.9.0.1:7, 9, 10
ip netns add ${ns}a
ip link add va type veth peer name vr
ip link set va netns ${ns}a
ip link set vr netns $ns
ip -n ${ns}a addr add 10.9.0.2/24 dev va; ip -n ${ns}a link set va up
ip -n $ns addr add 10.9.0.1/24 dev vr; ip -n $ns link set vr up
$N iptables -t raw -A PREROUTING -p udp -j TRACE
$N iptables -A INPUT -p udp --dport 7 -j ACCEPT
$N iptables -A INPUT -p udp -m multiport --dports 8,9 -j DROP
$N iptables -N SUB
$N iptables -A INPUT -s 10.9.0.2 -j SUB
$N iptables -A SUB -p udp --dport 10 -j RETURN
$N iptables -A SUB -m comment --comment hi
$N timeout 4 nft monitor trace > trace-iptables.out 2>&1 &
sleep 1
ip netns exec ${ns}a python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('10.9.0.2', 4000))
for p in (7, 9, 10): s.sendto(b'hi', ('10.9.0.1', p))
"
wait
ip netns del ${ns}a
