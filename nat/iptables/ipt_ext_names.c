/* ipt_ext_names.c - the extensions Debian 12's iptables 1.8.9 has.
 *
 * iptables loads `-m NAME` and `-j NAME` from libxt_NAME.so / libipt_NAME.so
 * in /usr/lib/x86_64-linux-gnu/xtables. natsim implements a few of them
 * (ipt_parse.c); for every other one it must say that natsim lacks it, not
 * print the "Couldn't load match" that Linux prints only for a name that
 * does not exist, nor take a target's name for a chain's. These are the names
 * tests/surface/gen_surface.py found in that directory (a target is a name
 * `iptables -j NAME` does not read as a chain); tests/py/test_not_implemented.py
 * checks the lists against tests/surface/linux-surface.json.
 */
#include <stdlib.h>
#include <string.h>

#include "nat/iptables/ipt.h"

static const char *const ipt_real_matches[] = {
	"addrtype", "ah", "bpf", "cgroup", "cluster", "comment", "connbytes", "connlabel",
	"connlimit", "connmark", "conntrack", "cpu", "dccp", "devgroup", "dscp", "ecn", "esp",
	"hashlimit", "helper", "icmp", "ipcomp", "iprange", "ipvs", "length", "limit", "mac",
	"mark", "multiport", "nfacct", "osf", "owner", "physdev", "pkttype", "policy", "quota",
	"rateest", "realm", "recent", "rpfilter", "sctp", "set", "socket", "state", "statistic",
	"string", "tcp", "tcpmss", "time", "tos", "ttl", "u32", "udp",
};

/* QUEUE is a built-in verdict of iptables (no extension file) */
static const char *const ipt_real_targets[] = {
	"AUDIT", "CHECKSUM", "CLASSIFY", "CLUSTERIP", "CONNMARK", "CONNSECMARK", "CT", "DNAT",
	"DSCP", "ECN", "HMARK", "IDLETIMER", "LED", "LOG", "MARK", "MASQUERADE", "NETMAP",
	"NFLOG", "NFQUEUE", "NOTRACK", "QUEUE", "RATEEST", "REDIRECT", "REJECT", "SECMARK",
	"SET", "SNAT", "SYNPROXY", "TCPMSS", "TCPOPTSTRIP", "TEE", "TOS", "TPROXY", "TRACE",
	"TTL", "ULOG",
};

/* Tables the Debian kernel has (iptable_*.ko). */
static const char *const ipt_real_tables[] = { "filter", "mangle", "nat", "raw", "security" };

static bool ipt_in(const char *const *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], name) == 0)
			return true;
	return false;
}

bool ipt_ext_is_match(const char *name)
{
	return ipt_in(ipt_real_matches, G_N_ELEMENTS(ipt_real_matches), name);
}

bool ipt_ext_is_target(const char *name)
{
	return ipt_in(ipt_real_targets, G_N_ELEMENTS(ipt_real_targets), name);
}

bool ipt_table_is_real(const char *name)
{
	return ipt_in(ipt_real_tables, G_N_ELEMENTS(ipt_real_tables), name);
}
