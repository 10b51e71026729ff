/* linux_names.h - names a Debian 12 router has (linux_names.c). */
#ifndef SIM_LINUX_NAMES_H
#define SIM_LINUX_NAMES_H

#include <stdbool.h>

/* A module (or alias) of Debian's kernel package; '-' reads as '_'. */
bool linux_module_exists(const char *name);
/* A command of the packages a Debian router has (iptables, iproute2, kmod,
 * procps, systemd, util-linux, coreutils, ...). */
bool linux_command_exists(const char *name);
/* A knob under /proc/sys, dotted; an interface's own with the interface
 * written `*` (net.ipv4.conf.*.route_localnet). */
bool linux_sysctl_exists(const char *name);

#endif
