"""tools.py - the programs the kernel harness runs, and the Debian package of each.

Design choice: one list, read by everything that must agree on it. `compare`
checks it before a kernel run (exit 4 with the apt-get line when a program is
missing), tests/py/test_kernel_compare.py skips on it, .ci/run installs its
packages, and tests/py/test_tools.py reads the harness's source for the
programs it execs and fails when one is missing here or from an install
script. A program the harness starts is therefore never discovered missing in
the middle of a test run (nft was: only a harness option ran it).
"""

import shutil

# program -> the Debian 12 package that ships it: every program the harness
# and the test suite exec (tests/py/test_tools.py finds them in the source)
PACKAGE = {
    "ip": "iproute2", "tc": "iproute2", "nstat": "iproute2",
    "iptables": "iptables", "iptables-save": "iptables", "iptables-restore": "iptables",
    "conntrack": "conntrack",
    "ipset": "ipset",
    "tcpdump": "tcpdump",
    "sysctl": "procps",
    "nft": "nftables", "nfacct": "nfacct", "nfct": "nfct",
    "tftp": "tftp-hpa", "in.tftpd": "tftpd-hpa", "curl": "curl", "vsftpd": "vsftpd",
    "linux.uml": "user-mode-linux", "iptables-legacy": "iptables",
    "iptables-legacy-save": "iptables", "iptables-legacy-restore": "iptables",
    "python3": "python3",
    "make": "make", "gcc": "gcc", "nm": "binutils",
    "valgrind": "valgrind",
    "chromium": "chromium",
    "xmllint": "libxml2-utils", "parallel": "parallel",
    # Essential: on every Debian system, never installed by a script
    "sh": "dash", "bash": "bash", "cat": "coreutils", "test": "coreutils", "true": "coreutils",
    "grep": "grep", "mount": "mount", "umount": "mount", "dpkg-query": "dpkg",
    "unshare": "util-linux",
    # tests/surface/gen_surface.py, run by hand as root (not by a test)
    "apt-get": "apt", "dpkg": "dpkg", "dpkg-deb": "dpkg", "modprobe": "kmod", "modinfo": "kmod",
}

# packages of every Debian 12 system (Essential, or Priority: required; apt is
# "important", and .ci/run and tests/deps.sh cannot install anything without it)
ESSENTIAL = ("dash", "bash", "coreutils", "grep", "mount", "dpkg", "apt", "util-linux")

# what every kernel run execs (topo.py, kernel_run.py, and the scenario's own
# configuration commands, which kernel_run runs as written)
KERNEL_RUN = ("ip", "tc", "nstat", "iptables", "iptables-save", "iptables-restore",
              "conntrack", "tcpdump", "sysctl", "nft", "nfacct", "nfct", "ipset", "python3",
              "iptables-legacy", "iptables-legacy-save", "iptables-legacy-restore",
              # kmods.legacy_works asks the kernel for legacy x_tables
              "unshare",
              # the real programs behind `tftp get`, `listen udp P tftp` and
              # `ftp get` (realapps.py), `listen tcp P ftp` (vsftpdapp.py)
              "tftp", "in.tftpd", "curl", "vsftpd")

# what a kernel run inside User-Mode Linux execs on top (uml.py boots the
# kernel; uml_guest.py loads its modules with kmod's modprobe and links
# iptables to the legacy binaries)
UML_RUN = ("linux.uml", "modprobe", "iptables-legacy", "iptables-legacy-save",
           "iptables-legacy-restore")


# scripts a maintainer runs by hand (as root, with their own checks), never
# a test: their programs need a package here, not an install script
BY_HAND = ("tests/surface/gen_surface.py",)


def missing(programs):
    """The programs of the list not on PATH."""
    return [p for p in programs if not shutil.which(p)]


def apt_line(programs):
    """`apt-get install -y PKG...` for the given (missing) programs."""
    return "apt-get install -y " + " ".join(sorted({PACKAGE[p] for p in programs}))
