#!/bin/sh
# record.sh - nft 1.0.6's `include` (run as root; tests/nft/record.sh calls
# it): each line of cases.txt is an nft command line run from this
# directory (relative names, "./NAME" and -I DIRs resolve here, as natsim
# resolves them beside the scenario) in a fresh network namespace, then
# `nft list ruleset`. cases.out gets "## STATUS LINE", the command's stdout
# as "o LINE", its stderr as "e LINE", and the listing as "l LINE".
# tests/py/test_nft_include.py runs the same lines in natsim.
set -e
cd "$(dirname "$0")"
nft --version | grep -q 'v1.0.6' || { echo "record.sh: needs nft 1.0.6" >&2; exit 1; }
ns=h-nft-include-$$
: > cases.out
while IFS= read -r line; do
	ip netns add $ns
	rc=0
	eval "ip netns exec $ns nft $line" > cases.o 2> cases.e || rc=$?
	echo "## $rc $line" >> cases.out
	sed 's/^/o /' cases.o >> cases.out
	sed 's/^/e /' cases.e >> cases.out
	ip netns exec $ns nft list ruleset | sed 's/^/l /' >> cases.out
	ip netns del $ns
done < cases.txt
rm -f cases.o cases.e
