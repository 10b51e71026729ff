"""netns.py - run a program inside a named network namespace with one exec, not two.

`ip netns exec NS CMD` execs ip, which enters NS and execs CMD: two program
starts, and on UML a program start costs about a tenth of a second (a
scenario's configuration became seconds late). Here the calling thread
enters NS itself (setns), starts CMD (Python's subprocess clones with vfork:
the child inherits the thread's namespace) and comes back at once.

Design choice: only what needs nothing but the network namespace runs this
way (ip, tc, sysctl, iptables, conntrack, nstat, the agents: netlink,
sockets, /proc/sys/net and /proc/net follow the task's namespace); tcpdump
keeps `ip netns exec`, which also mounts the namespace's own /sys. The
harness is single-threaded, and the thread always returns to its own
namespace: if that ever failed the process exits rather than go on creating
things in a node's namespace.
"""

import contextlib
import ctypes
import os
import subprocess

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


@contextlib.contextmanager
def entered(name):
    """The calling thread inside namespace NAME (/run/netns/NAME) for the block."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        there = os.open(f"/run/netns/{name}", os.O_RDONLY)
    except OSError:
        os.close(home)
        raise
    try:
        if _libc.setns(there, CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), f"setns into {name}")
        try:
            yield
        finally:
            if _libc.setns(home, CLONE_NEWNET):
                os._exit(70)
    finally:
        os.close(there)
        os.close(home)


def run(name, argv, **kw):
    """subprocess.run(argv, **kw) inside namespace NAME."""
    with entered(name):
        return subprocess.run(argv, **kw)


def popen(name, argv, **kw):
    """subprocess.Popen(argv, **kw) inside namespace NAME."""
    with entered(name):
        return subprocess.Popen(argv, **kw)
