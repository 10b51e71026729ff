#!/bin/sh
# record.sh - re-record the golden files from the real nft (Debian 12's
# nft 1.0.6), as root, each ruleset in a fresh network namespace (handles
# start at 1 there): rulesets/NAME.nft -> NAME.list (`nft list ruleset`) and
# NAME.list-a (`nft -a list ruleset`), NAME.list-n (`nft -n list ruleset`), and
# so topologies/real/NAME.nft -> real/NAME.list...; errors/NAME.nft -> NAME.err (nft's
# stderr; the exit status must be 1); commands/NAME.txt -> NAME.out (below).
# tests/py/test_nft.py compares natsim's
# output with these files.
set -e
cd "$(dirname "$0")"
nft --version | grep -q 'v1.0.6' || { echo "record.sh: needs nft 1.0.6" >&2; exit 1; }
ns=h-nft-record-$$
for f in rulesets/*.nft; do
	n=${f%.nft}
	ip netns add $ns
	ip netns exec $ns nft -f $f
	ip netns exec $ns nft list ruleset > $n.list
	ip netns exec $ns nft -a list ruleset > $n.list-a
	ip netns exec $ns nft -n list ruleset > $n.list-n
	ip netns del $ns
done
# the real rulesets of topologies/real/ (NAME.nft, loaded by their
# scenarios with `nft -f`): real/NAME.list, .list-a, .list-n likewise
for f in ../../topologies/real/*.nft; do
	n=real/$(basename ${f%.nft})
	ip netns add $ns
	ip netns exec $ns nft -f $f
	ip netns exec $ns nft list ruleset > $n.list
	ip netns exec $ns nft -a list ruleset > $n.list-a
	ip netns exec $ns nft -n list ruleset > $n.list-n
	ip netns del $ns
done
# kube-proxy re-sends its whole ruleset on each sync: loaded twice
ip netns add $ns
ip netns exec $ns nft -f ../../topologies/real/kube-proxy-nft.nft
ip netns exec $ns nft -f ../../topologies/real/kube-proxy-nft.nft
ip netns exec $ns nft -a list ruleset > real/kube-proxy-nft.twice.list-a
ip netns del $ns
# commands/NAME.txt: one nft command line per line, run in order in a fresh
# namespace from rulesets/ (so `-f FILE` finds the rulesets); NAME.out has
# "## STATUS LINE" then the command's stdout lines as "o LINE" and its
# stderr lines as "e LINE".
for f in commands/*.txt; do
	out=${f%.txt}.out
	: > $out
	ip netns add $ns
	while IFS= read -r line; do
		rc=0
		(cd rulesets && ip netns exec $ns nft $line > ../$out.o 2> ../$out.e) || rc=$?
		echo "## $rc $line" >> $out
		sed 's/^/o /' $out.o >> $out
		sed 's/^/e /' $out.e >> $out
	done < $f
	rm -f $out.o $out.e
	ip netns del $ns
done
ip netns add $ns
cd errors
for f in *.nft; do
	rc=0
	ip netns exec $ns nft -f $f 2> ${f%.nft}.err || rc=$?
	[ $rc = 1 ] || { echo "record.sh: $f: exit status $rc" >&2; ip netns del $ns; exit 1; }
done
ip netns del $ns
# iptables-nft's tables as nft lists them (tests/nft/iptnft/NAME.txt -> NAME.out)
../iptnft/record.sh
# include (tests/nft/include/cases.txt -> cases.out)
../include/record.sh
