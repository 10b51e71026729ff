#!/usr/bin/python3
"""uml_guest.py - the init of the throwaway User-Mode Linux kernel: one kernel run, then power off.

uml.py boots `linux.uml ... init=uml_guest.py nskjob=JOB.json`; the kernel
passes `nskjob` to this init in its environment. The guest sees the host's
root file system read-write through hostfs, so it runs the harness's own code
(kernel_run.py) and writes the kernel run's files straight into the host's
output directory; it writes its status last (JOB's `status` file) and powers
the kernel off.

Design choice: everything the guest changes lives in the UML kernel: its
mounts (proc, sysfs, a tmpfs on /run for `ip netns` and the helpers below),
its modules and its sysctls, all gone when the process ends. The host's files
are only read, except the job's output directory. Two things differ from a
Debian router and are set up here:
- modules: /lib/modules has no UML modules, so the kernel's module loader
  (kernel.modprobe) is a wrapper that runs `modprobe -d` on a tmpfs tree
  linking to /usr/lib/uml/modules/VERSION, and every module a scenario may
  need is loaded before the run (veth, bridge, netem, conntrack, NAT and
  the iptables tables; xt_* are loaded on demand by iptables);
- iptables: this build's nf_tables has no ip family and no nat chains, so
  `iptables`, `iptables-save` and `iptables-restore` resolve to the legacy
  binaries (a directory first on PATH with the three links).
"""

import ctypes
import json
import os
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(1, os.path.join(os.path.dirname(HERE), "lib"))  # tests/lib: pcapfile, ct

BIN = "/run/nsk-bin"
MODROOT = "/run/nsk-modules"
PRELOAD = ("veth", "bridge", "sch_netem", "nf_conntrack", "nf_conntrack_netlink", "nf_nat",
           "iptable_filter", "iptable_nat", "iptable_mangle", "iptable_raw",
           "xt_conntrack", "xt_state", "xt_MASQUERADE", "xt_nat", "xt_REDIRECT",
           "ipt_REJECT", "xt_tcpudp", "xt_multiport", "xt_comment", "xt_mark",
           "xt_CT", "xt_TCPMSS", "xt_LOG")
LEGACY = {"iptables": "iptables-legacy", "iptables-save": "iptables-legacy-save",
          "iptables-restore": "iptables-legacy-restore"}
RB_POWER_OFF = 0x4321FEDC


def sh(argv, check=True):
    p = subprocess.run(argv, capture_output=True, text=True)
    if check and p.returncode:
        raise RuntimeError(f"`{' '.join(argv)}` failed ({p.returncode}): {p.stderr.strip()}")
    return p


def setup():
    """Mounts, the module loader, PATH; the kernel's boot values of the knobs
    a reboot resets (returned)."""
    os.environ["PATH"] = f"{BIN}:/usr/sbin:/usr/bin:/sbin:/bin"
    os.environ.setdefault("HOME", "/root")
    for fs, where in (("proc", "/proc"), ("sysfs", "/sys"), ("tmpfs", "/run")):
        sh(["mount", "-t", fs, fs, where])
    release = os.uname().release
    os.makedirs(f"{MODROOT}/lib/modules")
    os.symlink(f"/usr/lib/uml/modules/{release}", f"{MODROOT}/lib/modules/{release}")
    loader = "/run/nsk-modprobe"
    with open(loader, "w") as f:
        f.write(f'#!/bin/sh\nexec /usr/sbin/modprobe -d {MODROOT} "$@"\n')
    os.chmod(loader, 0o755)
    with open("/proc/sys/kernel/modprobe", "w") as f:
        f.write(loader)
    os.makedirs(BIN)
    for name, real in LEGACY.items():
        os.symlink(f"/usr/sbin/{real}", f"{BIN}/{name}")
    sh(["modprobe", "-d", MODROOT, "-a"] + list(PRELOAD))
    # the LOG target writes from a namespace other than the initial one only
    # with nf_log_all_netns (nf_log_syslog.c): natsim's routers always log
    with open("/proc/sys/net/netfilter/nf_log_all_netns", "w") as f:
        f.write("1\n")


def power_off():
    os.sync()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.reboot(RB_POWER_OFF)
    time.sleep(5)


def main():
    job_path = os.environ.get("nskjob")
    status = {"rc": 2, "msg": "the guest did not finish"}
    try:
        with open(job_path) as f:
            job = json.load(f)
        status_path = job["status"]
    except Exception as e:              # no job: nothing to report to
        print(f"uml_guest: cannot read the job {job_path!r}: {e}", flush=True)
        power_off()
        return
    try:
        t = time.monotonic()
        setup()
        print(f"uml_guest: set up in {time.monotonic() - t:.1f} s (uptime "
              f"{open('/proc/uptime').read().split()[0]} s)", flush=True)
        import kernel_run
        import scn as scnmod
        s = scnmod.parse(job["scenario"])
        s.set_kernel("uml")
        kr = kernel_run.KernelRun(s, job["kdir"], skip_unsupported=job["skip_unsupported"],
                                  until=job["until"], log=lambda m: print(m, flush=True),
                                  kernel="uml")
        late = None
        try:
            kr.run()
        except kernel_run.LateRun as e:
            late = str(e)
        finally:
            errs = kr.close()
        kernel_run.save_kernel(kr, os.path.join(job["kdir"], "run.json"))
        print(f"uml_guest: done (uptime {open('/proc/uptime').read().split()[0]} s)", flush=True)
        status = {"rc": 0, "late": late, "teardown": errs,
                  "kernel": os.uname().release}
    except Exception as e:
        status = {"rc": 2, "msg": f"{type(e).__name__}: {e}", "trace": traceback.format_exc()}
    try:
        with open(status_path + ".tmp", "w") as f:
            json.dump(status, f)
        os.rename(status_path + ".tmp", status_path)
    finally:
        power_off()


if __name__ == "__main__":
    main()
