#!/bin/sh
# record.sh - re-record iptables-nft's tables as nft lists them (Debian 12:
# iptables 1.8.9 nf_tables backend, nft 1.0.6), as root. NAME.txt holds one
# shell command line per line (iptables, iptables-restore < FILE, ipset,
# nft), run in order in a fresh network namespace from this folder; NAME.out
# gets "## STATUS LINE" for each, then its stdout lines as "o LINE" and its
# stderr lines as "e LINE" (the format of ../commands/*.out). A line
# `LINUX_CMD #natsim: NATSIM_CMD` runs LINUX_CMD here (sh drops the
# comment) and NATSIM_CMD in natsim (traffic: scapy here, natsim's ping
# there); `sleep N` lets natsim's clock run N seconds.
# tests/py/test_nft_iptnft.py replays the lines in natsim and compares.
set -e
cd "$(dirname "$0")"
nft --version | grep -q 'v1.0.6' || { echo "record.sh: needs nft 1.0.6" >&2; exit 1; }
iptables -V | grep -q 'v1.8.9 (nf_tables)' || { echo "record.sh: needs iptables-nft 1.8.9" >&2; exit 1; }
ns=h-iptnft-record-$$
for f in ${*:-*.txt}; do
	out=${f%.txt}.out
	: > $out
	ip netns add $ns
	while IFS= read -r line; do
		rc=0
		ip netns exec $ns sh -c "$line" > $out.o 2> $out.e || rc=$?
		echo "## $rc $line" >> $out
		sed 's/^/o /' $out.o >> $out
		sed 's/^/e /' $out.e >> $out
	done < $f
	rm -f $out.o $out.e
	ip netns del $ns
done
