#!/bin/sh
# Install the Debian packages natsim's build and tests need, when run as root;
# otherwise print the one apt-get line needed and fail.
PKGS="gcc binutils make pkg-config libglib2.0-dev libpcap-dev python3 python3-pytest python3-scapy"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing
else
	echo "missing Debian packages; run as root:"
	echo "  apt-get install -y$missing"
	exit 1
fi
