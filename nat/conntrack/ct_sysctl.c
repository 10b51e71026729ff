/* ct_sysctl.c - the net.netfilter.nf_conntrack_* knobs (and net.nf_conntrack_max,
 * and the flowtable's net.netfilter.nf_flowtable_{tcp,udp}_timeout).
 *
 * Mirrors nf_conntrack_standalone.c's sysctl table: one row per knob with
 * its proc handler's rules (u8 with a range, int in seconds stored as
 * jiffies, the table size, read-only count), so bad values fail exactly
 * where Linux fails them, with procps' sysctl messages. A natsim router is a
 * whole machine: the initial namespace's table, where max and buckets are
 * writable. Setting buckets rehashes the table (nf_conntrack_hash_resize).
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_proto.h"
#include "nat/conntrack/nf_conntrack.h"
#include "nat/core/nf_ns.h"

/* HZ of the reference kernel: proc_dointvec_jiffies refuses |v| > INT_MAX/HZ. */
#define NF_SYSCTL_HZ 250

enum nf_knob_kind {
	KNOB_U8,	/* proc_dou8vec_minmax */
	KNOB_JIFFIES,	/* proc_dointvec_jiffies: timeouts in seconds */
	KNOB_INT,	/* proc_dointvec_minmax 0..INT_MAX */
	KNOB_MAX,	/* nf_conntrack_max */
	KNOB_BUCKETS,	/* nf_conntrack_hash_sysctl */
	KNOB_COUNT,	/* read-only */
	KNOB_OTHER_JIFFIES,
	KNOB_OTHER_INT,
};

struct nf_knob {
	const char *name;	/* after "net.netfilter." */
	enum nf_knob_kind kind;
	size_t off;		/* offset in struct nf_sysctl (u32 or i32) */
	int32_t min, max;	/* KNOB_U8 range */
	int32_t def;
};

#define S(f) offsetof(struct nf_sysctl, f)
#define T(st) (offsetof(struct nf_sysctl, tcp_timeout) + (st) * sizeof(uint32_t))
#define O(i) (offsetof(struct nf_sysctl, other) + (i) * sizeof(int32_t))

static const struct nf_knob nf_knobs[] = {
	{ "nf_conntrack_acct", KNOB_U8, S(ct_acct), 0, 1, 0 },
	{ "nf_conntrack_buckets", KNOB_BUCKETS, S(ct_buckets), 0, 0, 262144 },
	{ "nf_conntrack_checksum", KNOB_U8, S(ct_checksum), 0, 1, 1 },
	{ "nf_conntrack_count", KNOB_COUNT, 0, 0, 0, 0 },
	{ "nf_conntrack_events", KNOB_U8, S(ct_events), 0, 2, 2 },
	{ "nf_conntrack_expect_max", KNOB_OTHER_INT, O(0), 0, 0, 4096 },
	{ "nf_conntrack_frag6_high_thresh", KNOB_OTHER_INT, O(1), 0, 0, 4194304 },
	{ "nf_conntrack_frag6_low_thresh", KNOB_OTHER_INT, O(2), 0, 0, 3145728 },
	{ "nf_conntrack_frag6_timeout", KNOB_OTHER_JIFFIES, O(3), 0, 0, 60 },
	{ "nf_conntrack_generic_timeout", KNOB_JIFFIES, S(generic_timeout), 0, 0, 600 },
	{ "nf_conntrack_gre_timeout", KNOB_JIFFIES, S(gre_timeout), 0, 0, 30 },
	{ "nf_conntrack_gre_timeout_stream", KNOB_JIFFIES, S(gre_timeout_stream), 0, 0, 180 },
	{ "nf_conntrack_icmp_timeout", KNOB_JIFFIES, S(icmp_timeout), 0, 0, 30 },
	{ "nf_conntrack_icmpv6_timeout", KNOB_OTHER_JIFFIES, O(4), 0, 0, 30 },
	{ "nf_conntrack_log_invalid", KNOB_U8, S(ct_log_invalid), 0, 255, 0 },
	{ "nf_conntrack_max", KNOB_MAX, S(ct_max), 0, 0, 262144 },
	{ "nf_conntrack_sctp_timeout_closed", KNOB_OTHER_JIFFIES, O(5), 0, 0, 10 },
	{ "nf_conntrack_sctp_timeout_cookie_echoed", KNOB_OTHER_JIFFIES, O(6), 0, 0, 3 },
	{ "nf_conntrack_sctp_timeout_cookie_wait", KNOB_OTHER_JIFFIES, O(7), 0, 0, 3 },
	{ "nf_conntrack_sctp_timeout_established", KNOB_OTHER_JIFFIES, O(8), 0, 0, 210 },
	{ "nf_conntrack_sctp_timeout_heartbeat_sent", KNOB_OTHER_JIFFIES, O(9), 0, 0, 30 },
	{ "nf_conntrack_sctp_timeout_shutdown_ack_sent", KNOB_OTHER_JIFFIES, O(10), 0, 0, 3 },
	{ "nf_conntrack_sctp_timeout_shutdown_recd", KNOB_OTHER_JIFFIES, O(11), 0, 0, 3 },
	{ "nf_conntrack_sctp_timeout_shutdown_sent", KNOB_OTHER_JIFFIES, O(12), 0, 0, 3 },
	{ "nf_conntrack_tcp_be_liberal", KNOB_U8, S(tcp_be_liberal), 0, 1, 0 },
	{ "nf_conntrack_tcp_ignore_invalid_rst", KNOB_U8, S(tcp_ignore_invalid_rst), 0, 1, 0 },
	{ "nf_conntrack_tcp_loose", KNOB_U8, S(tcp_loose), 0, 1, 1 },
	{ "nf_conntrack_tcp_max_retrans", KNOB_U8, S(tcp_max_retrans), 0, 255, 3 },
	{ "nf_conntrack_tcp_timeout_close", KNOB_JIFFIES, T(TCP_CONNTRACK_CLOSE), 0, 0, 10 },
	{ "nf_conntrack_tcp_timeout_close_wait", KNOB_JIFFIES, T(TCP_CONNTRACK_CLOSE_WAIT), 0, 0, 60 },
	{ "nf_conntrack_tcp_timeout_established", KNOB_JIFFIES, T(TCP_CONNTRACK_ESTABLISHED), 0, 0, 432000 },
	{ "nf_conntrack_tcp_timeout_fin_wait", KNOB_JIFFIES, T(TCP_CONNTRACK_FIN_WAIT), 0, 0, 120 },
	{ "nf_conntrack_tcp_timeout_last_ack", KNOB_JIFFIES, T(TCP_CONNTRACK_LAST_ACK), 0, 0, 30 },
	{ "nf_conntrack_tcp_timeout_max_retrans", KNOB_JIFFIES, T(TCP_CONNTRACK_RETRANS), 0, 0, 300 },
	{ "nf_conntrack_tcp_timeout_syn_recv", KNOB_JIFFIES, T(TCP_CONNTRACK_SYN_RECV), 0, 0, 60 },
	{ "nf_conntrack_tcp_timeout_syn_sent", KNOB_JIFFIES, T(TCP_CONNTRACK_SYN_SENT), 0, 0, 120 },
	{ "nf_conntrack_tcp_timeout_time_wait", KNOB_JIFFIES, T(TCP_CONNTRACK_TIME_WAIT), 0, 0, 120 },
	{ "nf_conntrack_tcp_timeout_unacknowledged", KNOB_JIFFIES, T(TCP_CONNTRACK_UNACK), 0, 0, 300 },
	{ "nf_conntrack_timestamp", KNOB_U8, S(ct_timestamp), 0, 1, 0 },
	{ "nf_conntrack_udp_timeout", KNOB_JIFFIES, S(udp_timeout), 0, 0, 30 },
	{ "nf_conntrack_udp_timeout_stream", KNOB_JIFFIES, S(udp_timeout_stream), 0, 0, 120 },
	/* the flowtable's idle timeouts (nf_tcp_net's and nf_udp_net's
	 * offload_timeout, 30 * HZ; nf_conntrack_standalone.c's table under
	 * CONFIG_NF_FLOW_TABLE): nft_flow_offload.c reads them */
	{ "nf_flowtable_tcp_timeout", KNOB_JIFFIES, S(flowtable_tcp_timeout), 0, 0, 30 },
	{ "nf_flowtable_udp_timeout", KNOB_JIFFIES, S(flowtable_udp_timeout), 0, 0, 30 },
};

#define NF_PREFIX "net.netfilter."

static int32_t *nf_knob_ptr(struct nf_sysctl *s, const struct nf_knob *k)
{
	return (int32_t *)((char *)s + k->off);
}

void nf_sysctl_defaults(struct nf_sysctl *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < G_N_ELEMENTS(nf_knobs); i++)
		if (nf_knobs[i].kind != KNOB_COUNT)
			*nf_knob_ptr(s, &nf_knobs[i]) = nf_knobs[i].def;
	/* SYN_SENT2 has no sysctl of its own: it uses syn_sent's default */
	s->tcp_timeout[TCP_CONNTRACK_SYN_SENT2] = 120;
}

/* "net/netfilter/x" or "net.netfilter.x" -> the knob, NULL if none. */
static const struct nf_knob *nf_knob_find(const char *name)
{
	char buf[128];
	size_t n = strlen(name);

	if (n >= sizeof(buf))
		return NULL;
	for (size_t i = 0; i <= n; i++)
		buf[i] = name[i] == '/' ? '.' : name[i];
	if (strcmp(buf, "net.nf_conntrack_max") == 0)
		memcpy(buf, NF_PREFIX "nf_conntrack_max", sizeof(NF_PREFIX "nf_conntrack_max"));
	if (strncmp(buf, NF_PREFIX, strlen(NF_PREFIX)) != 0)
		return NULL;
	for (size_t i = 0; i < G_N_ELEMENTS(nf_knobs); i++)
		if (strcmp(buf + strlen(NF_PREFIX), nf_knobs[i].name) == 0)
			return &nf_knobs[i];
	return NULL;
}

bool nf_sysctl_owns(const char *name)
{
	char buf[32];

	g_strlcpy(buf, name, sizeof(buf));
	for (char *p = buf; *p; p++)
		if (*p == '/')
			*p = '.';
	return strncmp(buf, "net.netfilter.", 14) == 0 ||
	       nf_knob_find(name) != NULL;
}

static void nf_sysctl_nostat(const char *name, GString *err)
{
	g_string_append(err, "sysctl: cannot stat /proc/sys/");
	for (const char *p = name; *p; p++)
		g_string_append_c(err, *p == '.' ? '/' : *p);
	g_string_append(err, ": No such file or directory");
}

static int nf_sysctl_einval(const char *name, GString *err, const char *why)
{
	g_string_append_printf(err, "sysctl: setting key \"%s\": %s", name, why);
	return 2;
}

/* The kernel's integer parser (proc_get_long): leading blanks, an optional
 * '-', decimal digits, then a blank or the end; only the first of several
 * values is used. */
static bool nf_parse_long(const char *v, long long *out)
{
	const char *p = v;
	char *end;
	long long x;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (!(*p == '-' || (*p >= '0' && *p <= '9')))
		return false;
	if (*p == '-' && !(p[1] >= '0' && p[1] <= '9'))
		return false;
	errno = 0;
	x = strtoll(p, &end, 10);
	if (errno)
		return false;
	if (*end && *end != ' ' && *end != '\t' && *end != '\n')
		return false;
	*out = x;
	return true;
}

int nf_sysctl_set(struct nf_ns *ns, const char *name, const char *value,
		  GString *err, bool dry_run, nf_time now)
{
	const struct nf_knob *k = nf_knob_find(name);
	long long v;

	if (!k) {
		nf_sysctl_nostat(name, err);
		return 2;
	}
	if (k->kind == KNOB_COUNT || !nf_parse_long(value, &v))
		return nf_sysctl_einval(name, err, "Invalid argument");
	switch (k->kind) {
	case KNOB_U8:
		if (v < k->min || v > k->max)
			return nf_sysctl_einval(name, err, "Invalid argument");
		break;
	case KNOB_JIFFIES:
	case KNOB_OTHER_JIFFIES:
		if (v > INT_MAX / NF_SYSCTL_HZ || v < -(INT_MAX / NF_SYSCTL_HZ))
			return nf_sysctl_einval(name, err, "Invalid argument");
		break;
	case KNOB_INT:
	case KNOB_OTHER_INT:
		if (v > INT_MAX || v < INT_MIN)
			return nf_sysctl_einval(name, err, "Invalid argument");
		break;
	case KNOB_MAX:
		if (v < 0 || v > INT_MAX)
			return nf_sysctl_einval(name, err, "Invalid argument");
		break;
	case KNOB_BUCKETS:
		if (v <= 0 || v > INT_MAX)
			return nf_sysctl_einval(name, err, "Invalid argument");
		/* nf_ct_alloc_hashtable: round up to a page of chain heads;
		 * natsim refuses tables it could not reasonably allocate */
		v = (v + 511) / 512 * 512;
		if (v > (1LL << 26))
			return nf_sysctl_einval(name, err, "Cannot allocate memory");
		break;
	case KNOB_COUNT:
		break;
	}
	if (dry_run)
		return 0;
	if (k->kind == KNOB_BUCKETS) {
		if ((uint32_t)v != ns->ct->sysctl.ct_buckets && !ct_table_resize(ns, (uint32_t)v))
			return nf_sysctl_einval(name, err, "Cannot allocate memory");
		return 0;
	}
	*nf_knob_ptr(&ns->ct->sysctl, k) = (int32_t)v;
	if (k->kind == KNOB_MAX)
		ns->ct->max_set_at = now;
	return 0;
}

int nf_sysctl_get(struct nf_ns *ns, const char *name, GString *value, nf_time now)
{
	const struct nf_knob *k = nf_knob_find(name);

	if (!k) {
		nf_sysctl_nostat(name, value);
		return 2;
	}
	if (k->kind == KNOB_COUNT) {
		g_string_append_printf(value, "%u", nf_ct_count(ns, now));
		return 0;
	}
	if (k->kind == KNOB_MAX || k->kind == KNOB_BUCKETS || k->kind == KNOB_U8)
		g_string_append_printf(value, "%u", (uint32_t)*nf_knob_ptr(&ns->ct->sysctl, k));
	else
		g_string_append_printf(value, "%d", *nf_knob_ptr(&ns->ct->sysctl, k));
	return 0;
}
