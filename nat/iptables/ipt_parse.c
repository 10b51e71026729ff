/* ipt_parse.c - the iptables command line: argv -> struct ipt_cmd.
 *
 * Mirrors iptables 1.8.9 (nf_tables backend) do_parse() in xshared.c and the
 * parsers of the extensions natsim has (libxt_tcp, udp, icmp, state,
 * conntrack, multiport, comment, REJECT, LOG, SNAT, DNAT, MASQUERADE,
 * REDIRECT, CT, NOTRACK, MARK), with their error texts as the real tool
 * prints them (checked against iptables v1.8.9 in network namespaces).
 *
 * Design: long options are resolved the way getopt_long does it over the
 * option table iptables has at that moment: the main options, then the
 * target's options once -j was seen, then the options of each match
 * instance loaded so far, newest first (-m, or the -p protocol's match
 * loaded lazily at the first option nothing else knows). Every -m makes a
 * new instance, also of a match already loaded, and an option goes to the
 * newest instance that has it, so `-m conntrack --ctstate NEW -m conntrack
 * --ctstate DNAT` is two instances and each keeps its own "only once"
 * checks. Exact names win; a unique prefix (or prefixes that all name the
 * same option of the same instance) is accepted; anything else is `unknown
 * option`.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "nat/iptables/ipt.h"
#include "nat/core/unimpl.h"

enum ipt_owner {
	OW_MAIN, OW_TCP, OW_UDP, OW_ICMP, OW_STATE, OW_CONNTRACK, OW_MULTIPORT, OW_COMMENT,
	OW_REJECT, OW_LOG, OW_SNAT, OW_DNAT, OW_MASQUERADE, OW_REDIRECT, OW_CT, OW_NOTRACK,
	OW_MARK, OW_TCPMSS, OW_NONE_TARGET, OW_N
};

enum ipt_optval {
	OV_SPORT = 256, OV_DPORT, OV_SYN, OV_TCPFLAGS, OV_ICMPTYPE, OV_STATE,
	OV_CTSTATE, OV_MP_S, OV_MP_D, OV_MP_P, OV_COMMENT, OV_REJECT_WITH,
	OV_LOG_LEVEL, OV_LOG_PREFIX, OV_TO_SRC, OV_TO_DST, OV_TO_PORTS, OV_RANDOM,
	OV_RANDOM_FULLY, OV_PERSISTENT, OV_NOTRACK, OV_SET_MARK, OV_SET_XMARK, OV_LINENUM,
	OV_SET_MSS, OV_CLAMP_MSS,
	OV_AND_MARK, OV_OR_MARK, OV_XOR_MARK,
	/* options real iptables has and natsim does not: each its own value
	 * (abbreviations stay as ambiguous as in iptables), all said so */
	OV_UNIMPL = 1000,
};

struct ipt_opt {
	const char *name;
	int has_arg;	/* 0 none, 1 required, 2 optional */
	int val;
};

static const struct ipt_opt ipt_main_opts[] = {
	{ "append", 1, 'A' }, { "delete", 1, 'D' }, { "check", 1, 'C' }, { "insert", 1, 'I' },
	{ "replace", 1, 'R' }, { "list", 2, 'L' }, { "list-rules", 2, 'S' }, { "flush", 2, 'F' },
	{ "zero", 2, 'Z' }, { "new-chain", 1, 'N' }, { "delete-chain", 2, 'X' },
	{ "rename-chain", 1, 'E' }, { "policy", 1, 'P' }, { "source", 1, 's' },
	{ "destination", 1, 'd' }, { "src", 1, 's' }, { "dst", 1, 'd' }, { "protocol", 1, 'p' },
	{ "in-interface", 1, 'i' }, { "jump", 1, 'j' }, { "table", 1, 't' }, { "match", 1, 'm' },
	{ "numeric", 0, 'n' }, { "out-interface", 1, 'o' }, { "verbose", 0, 'v' },
	{ "wait", 2, 'w' }, { "wait-interval", 2, 'W' }, { "exact", 0, 'x' },
	{ "fragments", 0, 'f' }, { "version", 0, 'V' }, { "help", 2, 'h' },
	{ "line-numbers", 0, OV_LINENUM }, { "modprobe", 1, 'M' }, { "set-counters", 1, 'c' },
	{ "goto", 1, 'g' }, { "ipv4", 0, '4' }, { "ipv6", 0, '6' }, { NULL, 0, 0 },
};
static const struct ipt_opt ipt_tcp_opts[] = {
	{ "source-port", 1, OV_SPORT }, { "sport", 1, OV_SPORT },
	{ "destination-port", 1, OV_DPORT }, { "dport", 1, OV_DPORT }, { "syn", 0, OV_SYN },
	{ "tcp-flags", 1, OV_TCPFLAGS }, { "tcp-option", 1, OV_UNIMPL }, { NULL, 0, 0 },
};
static const struct ipt_opt ipt_udp_opts[] = {
	{ "source-port", 1, OV_SPORT }, { "sport", 1, OV_SPORT },
	{ "destination-port", 1, OV_DPORT }, { "dport", 1, OV_DPORT }, { NULL, 0, 0 },
};
static const struct ipt_opt ipt_icmp_opts[] = { { "icmp-type", 1, OV_ICMPTYPE }, { NULL, 0, 0 } };
static const struct ipt_opt ipt_state_opts[] = { { "state", 1, OV_STATE }, { NULL, 0, 0 } };
static const struct ipt_opt ipt_conntrack_opts[] = {
	{ "ctstate", 1, OV_CTSTATE }, { "ctproto", 1, OV_UNIMPL }, { "ctorigsrc", 1, OV_UNIMPL + 1 },
	{ "ctorigdst", 1, OV_UNIMPL + 2 }, { "ctreplsrc", 1, OV_UNIMPL + 3 },
	{ "ctrepldst", 1, OV_UNIMPL + 4 }, { "ctorigsrcport", 1, OV_UNIMPL + 5 },
	{ "ctorigdstport", 1, OV_UNIMPL + 6 }, { "ctreplsrcport", 1, OV_UNIMPL + 7 },
	{ "ctrepldstport", 1, OV_UNIMPL + 8 }, { "ctstatus", 1, OV_UNIMPL + 9 },
	{ "ctexpire", 1, OV_UNIMPL + 10 }, { "ctdir", 1, OV_UNIMPL + 11 }, { NULL, 0, 0 },
};
static const struct ipt_opt ipt_multiport_opts[] = {
	{ "source-ports", 1, OV_MP_S }, { "sports", 1, OV_MP_S },
	{ "destination-ports", 1, OV_MP_D }, { "dports", 1, OV_MP_D }, { "ports", 1, OV_MP_P },
	{ NULL, 0, 0 },
};
static const struct ipt_opt ipt_comment_opts[] = { { "comment", 1, OV_COMMENT }, { NULL, 0, 0 } };
static const struct ipt_opt ipt_reject_opts[] = { { "reject-with", 1, OV_REJECT_WITH }, { NULL, 0, 0 } };
static const struct ipt_opt ipt_log_opts[] = {
	{ "log-level", 1, OV_LOG_LEVEL }, { "log-prefix", 1, OV_LOG_PREFIX },
	{ "log-tcp-sequence", 0, OV_UNIMPL }, { "log-tcp-options", 0, OV_UNIMPL + 1 },
	{ "log-ip-options", 0, OV_UNIMPL + 2 }, { "log-uid", 0, OV_UNIMPL + 3 },
	{ "log-macdecode", 0, OV_UNIMPL + 4 }, { NULL, 0, 0 },
};
static const struct ipt_opt ipt_snat_opts[] = {
	{ "to-source", 1, OV_TO_SRC }, { "random", 0, OV_RANDOM }, { "random-fully", 0, OV_RANDOM_FULLY },
	{ "persistent", 0, OV_PERSISTENT }, { NULL, 0, 0 },
};
static const struct ipt_opt ipt_dnat_opts[] = {
	{ "to-destination", 1, OV_TO_DST }, { "random", 0, OV_RANDOM }, { "persistent", 0, OV_PERSISTENT },
	{ NULL, 0, 0 },
};
static const struct ipt_opt ipt_masq_opts[] = {
	{ "to-ports", 1, OV_TO_PORTS }, { "random", 0, OV_RANDOM }, { "random-fully", 0, OV_RANDOM_FULLY },
	{ NULL, 0, 0 },
};
static const struct ipt_opt ipt_redirect_opts[] = {
	{ "to-ports", 1, OV_TO_PORTS }, { "random", 0, OV_RANDOM }, { NULL, 0, 0 },
};
static const struct ipt_opt ipt_ct_opts[] = {
	{ "notrack", 0, OV_NOTRACK }, { "helper", 1, OV_UNIMPL }, { "ctevents", 1, OV_UNIMPL + 1 },
	{ "expevents", 1, OV_UNIMPL + 2 }, { "zone-orig", 1, OV_UNIMPL + 3 },
	{ "zone-reply", 1, OV_UNIMPL + 4 }, { "zone", 1, OV_UNIMPL + 5 },
	{ "timeout", 1, OV_UNIMPL + 6 }, { NULL, 0, 0 },
};
static const struct ipt_opt ipt_mark_opts[] = {
	{ "set-mark", 1, OV_SET_MARK }, { "set-xmark", 1, OV_SET_XMARK },
	{ "and-mark", 1, OV_AND_MARK }, { "or-mark", 1, OV_OR_MARK }, { "xor-mark", 1, OV_XOR_MARK },
	{ NULL, 0, 0 },
};
/* TCPMSS is parsed (so its own errors come first) but not implemented. */
static const struct ipt_opt ipt_tcpmss_opts[] = {
	{ "set-mss", 1, OV_SET_MSS }, { "clamp-mss-to-pmtu", 0, OV_CLAMP_MSS }, { NULL, 0, 0 },
};
static const struct ipt_opt ipt_no_opts[] = { { NULL, 0, 0 } };

static const struct ipt_opt *const ipt_owner_opts[OW_N] = {
	[OW_MAIN] = ipt_main_opts, [OW_TCP] = ipt_tcp_opts, [OW_UDP] = ipt_udp_opts,
	[OW_ICMP] = ipt_icmp_opts, [OW_STATE] = ipt_state_opts,
	[OW_CONNTRACK] = ipt_conntrack_opts, [OW_MULTIPORT] = ipt_multiport_opts,
	[OW_COMMENT] = ipt_comment_opts, [OW_REJECT] = ipt_reject_opts, [OW_LOG] = ipt_log_opts,
	[OW_SNAT] = ipt_snat_opts, [OW_DNAT] = ipt_dnat_opts, [OW_MASQUERADE] = ipt_masq_opts,
	[OW_REDIRECT] = ipt_redirect_opts, [OW_CT] = ipt_ct_opts, [OW_NOTRACK] = ipt_no_opts,
	[OW_MARK] = ipt_mark_opts, [OW_TCPMSS] = ipt_tcpmss_opts, [OW_NONE_TARGET] = ipt_no_opts,
};

static const char *const ipt_owner_names[OW_N] = {
	[OW_TCP] = "tcp", [OW_UDP] = "udp", [OW_ICMP] = "icmp", [OW_STATE] = "state",
	[OW_CONNTRACK] = "conntrack", [OW_MULTIPORT] = "multiport", [OW_COMMENT] = "comment",
	[OW_REJECT] = "REJECT", [OW_LOG] = "LOG", [OW_SNAT] = "SNAT", [OW_DNAT] = "DNAT",
	[OW_MASQUERADE] = "MASQUERADE", [OW_REDIRECT] = "REDIRECT", [OW_CT] = "CT",
	[OW_NOTRACK] = "NOTRACK", [OW_MARK] = "MARK", [OW_TCPMSS] = "TCPMSS",
};

/* Targets by -j name. */
static const struct { const char *name; enum ipt_verdict_kind kind; enum ipt_owner owner; } ipt_targets[] = {
	{ "ACCEPT", IPT_T_ACCEPT, OW_NONE_TARGET }, { "DROP", IPT_T_DROP, OW_NONE_TARGET },
	{ "RETURN", IPT_T_RETURN, OW_NONE_TARGET }, { "REJECT", IPT_T_REJECT, OW_REJECT },
	{ "LOG", IPT_T_LOG, OW_LOG }, { "SNAT", IPT_T_SNAT, OW_SNAT }, { "DNAT", IPT_T_DNAT, OW_DNAT },
	{ "MASQUERADE", IPT_T_MASQUERADE, OW_MASQUERADE }, { "REDIRECT", IPT_T_REDIRECT, OW_REDIRECT },
	{ "CT", IPT_T_NOTRACK, OW_CT }, { "NOTRACK", IPT_T_NOTRACK, OW_NOTRACK },
	{ "MARK", IPT_T_MARK, OW_MARK },
	{ "TCPMSS", IPT_T_NONE, OW_TCPMSS }, /* always refused by ipt_target_final */
};

/* Names a user chain may not take (-N): the standard targets and the
 * extensions Debian's iptables ships as targets. */
static const char *const ipt_target_names[] = {
	"ACCEPT", "DROP", "RETURN", "QUEUE", "REJECT", "LOG", "SNAT", "DNAT", "MASQUERADE",
	"REDIRECT", "CT", "NOTRACK", "MARK", "NFLOG", "NFQUEUE", "TCPMSS", "CONNMARK", "TRACE",
	"CLASSIFY", "DSCP", "TOS", "TTL", "NETMAP", "TEE", "AUDIT", "CHECKSUM", "SET", "TPROXY",
	"CONNSECMARK", "SECMARK", "HMARK", "IDLETIMER", "LED", "RATEEST", "SYNPROXY", "ECN",
	"CLUSTERIP", "TCPOPTSTRIP", "NFLOG", NULL,
};

static const char *const ipt_log_level_names[] = {
	"alert", "crit", "debug", "emerg", "error", "info", "notice", "panic", "warning",
};
static const uint8_t ipt_log_level_values[] = { 1, 2, 7, 0, 3, 6, 5, 0, 4 };

static const char *const ipt_reject_names[][2] = {
	{ "icmp-net-unreachable", "net-unreach" }, { "icmp-host-unreachable", "host-unreach" },
	{ "icmp-port-unreachable", "port-unreach" }, { "icmp-proto-unreachable", "proto-unreach" },
	{ "icmp-net-prohibited", "net-prohib" }, { "icmp-host-prohibited", "host-prohib" },
	{ "tcp-reset", "tcp-rst" }, { "icmp-admin-prohibited", "admin-prohib" },
};
static const uint8_t ipt_reject_values[] = {
	NF_REJECT_ICMP_NET_UNREACH, NF_REJECT_ICMP_HOST_UNREACH, NF_REJECT_ICMP_PORT_UNREACH,
	NF_REJECT_ICMP_PROTO_UNREACH, NF_REJECT_ICMP_NET_PROHIBITED, NF_REJECT_ICMP_HOST_PROHIBITED,
	NF_REJECT_TCP_RESET, NF_REJECT_ICMP_ADMIN_PROHIBITED,
};

/* libxt_icmp's icmp_codes[] (names iptables accepts and prints). */
struct ipt_icmp_name { const char *name; uint8_t type, code_min, code_max; };
static const struct ipt_icmp_name ipt_icmp_names[] = {
	{ "any", 0xFF, 0, 0xFF }, { "echo-reply", 0, 0, 0xFF }, { "pong", 0, 0, 0xFF },
	{ "destination-unreachable", 3, 0, 0xFF }, { "network-unreachable", 3, 0, 0 },
	{ "host-unreachable", 3, 1, 1 }, { "protocol-unreachable", 3, 2, 2 },
	{ "port-unreachable", 3, 3, 3 }, { "fragmentation-needed", 3, 4, 4 },
	{ "source-route-failed", 3, 5, 5 }, { "network-unknown", 3, 6, 6 },
	{ "host-unknown", 3, 7, 7 }, { "network-prohibited", 3, 9, 9 },
	{ "host-prohibited", 3, 10, 10 }, { "TOS-network-unreachable", 3, 11, 11 },
	{ "TOS-host-unreachable", 3, 12, 12 }, { "communication-prohibited", 3, 13, 13 },
	{ "host-precedence-violation", 3, 14, 14 }, { "precedence-cutoff", 3, 15, 15 },
	{ "source-quench", 4, 0, 0xFF }, { "redirect", 5, 0, 0xFF },
	{ "network-redirect", 5, 0, 0 }, { "host-redirect", 5, 1, 1 },
	{ "TOS-network-redirect", 5, 2, 2 }, { "TOS-host-redirect", 5, 3, 3 },
	{ "echo-request", 8, 0, 0xFF }, { "ping", 8, 0, 0xFF },
	{ "router-advertisement", 9, 0, 0xFF }, { "router-solicitation", 10, 0, 0xFF },
	{ "time-exceeded", 11, 0, 0xFF }, { "ttl-exceeded", 11, 0, 0xFF },
	{ "ttl-zero-during-transit", 11, 0, 0 }, { "ttl-zero-during-reassembly", 11, 1, 1 },
	{ "parameter-problem", 12, 0, 0xFF }, { "ip-header-bad", 12, 0, 0 },
	{ "required-option-missing", 12, 1, 1 }, { "timestamp-request", 13, 0, 0xFF },
	{ "timestamp-reply", 14, 0, 0xFF }, { "address-mask-request", 17, 0, 0xFF },
	{ "address-mask-reply", 18, 0, 0xFF },
};

const char *ipt_icmp_type_name(uint8_t type, uint8_t cmin, uint8_t cmax);
const char *ipt_icmp_type_name(uint8_t type, uint8_t cmin, uint8_t cmax)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(ipt_icmp_names); i++)
		if (ipt_icmp_names[i].type == type && ipt_icmp_names[i].code_min == cmin &&
		    ipt_icmp_names[i].code_max == cmax)
			return ipt_icmp_names[i].name;
	return NULL;
}

/* Parse state: what do_parse keeps between options. */
struct ipt_pstate {
	struct ipt_cmd *cmd;
	struct ipt_rule *r;
	GString *msg;
	bool *noprefix;
	bool invert;
	unsigned options;	/* OPT_* seen */
	enum ipt_owner target_owner; /* OW_MAIN: none */
	bool proto_loaded;
	bool target_seen;
	/* OV_* options each match instance was given (bit per OV - 256): the
	 * "can only be used once" checks are per instance (x6 mflags) */
	unsigned seen_once[IPT_MAX_MATCHES];
	bool to_given;
	bool mark_given;
	bool tcpmss, tcpmss_given;	/* -j TCPMSS, and one of its options */
	uint8_t tcpmss_once;		/* bit 1 --set-mss, bit 0 --clamp-mss-to-pmtu given */
};

enum {
	OPT_NUMERIC = 1 << 0, OPT_SOURCE = 1 << 1, OPT_DESTINATION = 1 << 2, OPT_PROTOCOL = 1 << 3,
	OPT_JUMP = 1 << 4, OPT_VERBOSE = 1 << 5, OPT_EXPANDED = 1 << 6, OPT_VIANAMEIN = 1 << 7,
	OPT_VIANAMEOUT = 1 << 8, OPT_LINENUMBERS = 1 << 9, OPT_COUNTERS = 1 << 10,
	OPT_FRAGMENT = 1 << 11,
};
static const char ipt_optflags[] = "nsdpjvxio0cf";

static int perr(struct ipt_pstate *ps, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static int perr(struct ipt_pstate *ps, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_string_vprintf(ps->msg, fmt, ap);
	va_end(ap);
	return 2;
}

/* Something real iptables accepts and natsim lacks: natsim's own message,
 * printed as it is (ipt_err_param). */
static int perr_unimpl(struct ipt_pstate *ps, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static int perr_unimpl(struct ipt_pstate *ps, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	int rc = natsim_unimpl(ps->msg, "%s", what);
	g_free(what);
	return rc;
}

/* ----- value parsers (libxtables) ----- */

static bool ipt_strtoul(const char *s, unsigned long max, unsigned long *out)
{
	if (!*s || !isdigit((unsigned char)*s))
		return false;
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

/* xtables_numeric_to_ipaddr: 1 to 4 dotted decimal components, missing
 * trailing ones are 0 ("10" = 10.0.0.0, as iptables reads it). */
static bool ipt_parse_ip(const char *s, uint32_t *out)
{
	uint32_t a = 0;
	int n = 0;
	const char *p = s;
	if (!*p)
		return false;
	while (*p) {
		if (n == 4 || !isdigit((unsigned char)*p))
			return false;
		unsigned v = 0;
		int digits = 0;
		while (isdigit((unsigned char)*p)) {
			v = v * 10 + (unsigned)(*p - '0');
			if (v > 255 || ++digits > 3)
				return false;
			p++;
		}
		a |= v << (24 - 8 * n);
		n++;
		if (*p == '.') {
			p++;
			if (!*p)
				return false;
		} else if (*p) {
			return false;
		}
	}
	*out = a;
	return true;
}

/* xtables_ipparse_any: ADDR[/MASK], MASK a prefix length or dotted. */
static int ipt_parse_addr(struct ipt_pstate *ps, const char *arg, uint32_t *addr, uint32_t *mask)
{
	char buf[256];
	g_strlcpy(buf, arg, sizeof(buf));
	char *slash = strchr(buf, '/');
	uint32_t m = 0xffffffffu;
	if (slash) {
		*slash++ = '\0';
		if (strchr(slash, '.')) {
			if (!ipt_parse_ip(slash, &m))
				return perr(ps, "host/network `%s' not found", slash);
		} else {
			unsigned long bits;
			if (!ipt_strtoul(slash, 32, &bits))
				return perr(ps, "invalid mask `%s' specified", slash);
			m = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
		}
	}
	uint32_t a;
	if (!ipt_parse_ip(buf, &a))
		return perr(ps, "host/network `%s' not found", buf);
	*addr = a & m;
	*mask = m;
	return 0;
}

/* xtables_parse_port with getservbyname for the rule's protocol. */
static bool ipt_port_value(const char *s, uint8_t proto, uint16_t *out)
{
	unsigned long v;
	if (ipt_strtoul(s, 65535, &v)) {
		*out = (uint16_t)v;
		return true;
	}
	int p = ipt_service_port(s, proto);
	if (p < 0)
		return false;
	*out = (uint16_t)p;
	return true;
}

/* parse_ports of libxt_tcp/udp: PORT, PORT:PORT, :PORT, PORT: */
static int ipt_parse_port_range(struct ipt_pstate *ps, const char *arg, uint8_t proto,
				uint16_t *lo, uint16_t *hi)
{
	char buf[128];
	g_strlcpy(buf, arg, sizeof(buf));
	char *colon = strchr(buf, ':');
	if (!colon) {
		if (!ipt_port_value(buf, proto, lo))
			return perr(ps, "invalid port/service `%s' specified", buf);
		*hi = *lo;
		return 0;
	}
	*colon = '\0';
	const char *a = buf, *b = colon + 1;
	*lo = 0;
	*hi = 65535;
	if (*a && !ipt_port_value(a, proto, lo))
		return perr(ps, "invalid port/service `%s' specified", a);
	if (*b && !ipt_port_value(b, proto, hi))
		return perr(ps, "invalid port/service `%s' specified", b);
	if (*lo > *hi)
		return perr(ps, "invalid portrange (min > max)");
	return 0;
}

static int ipt_parse_multiport(struct ipt_pstate *ps, const char *arg, uint8_t proto,
			       struct ipt_m_multiport *mp)
{
	gchar **parts = g_strsplit(arg, ",", -1);
	unsigned slots = 0;
	int rc = 0;
	mp->n = 0;
	for (unsigned i = 0; parts[i] && !rc; i++) {
		char *colon = strchr(parts[i], ':');
		uint16_t lo, hi;
		if (colon)
			*colon = '\0';
		slots += colon ? 2 : 1;
		if (slots > 15) {
			rc = perr(ps, "too many ports specified");
			break;
		}
		if (!ipt_port_value(parts[i], proto, &lo)) {
			rc = perr(ps, "invalid port/service `%s' specified", parts[i]);
			break;
		}
		hi = lo;
		if (colon) {
			if (!ipt_port_value(colon + 1, proto, &hi)) {
				rc = perr(ps, "invalid port/service `%s' specified", colon + 1);
				break;
			}
			if (lo > hi) {
				rc = perr(ps, "invalid portrange specified");
				break;
			}
		}
		mp->min[mp->n] = lo;
		mp->max[mp->n] = hi;
		mp->n++;
	}
	g_strfreev(parts);
	return rc;
}

static int ipt_parse_tcp_flag_list(struct ipt_pstate *ps, const char *arg, uint8_t *out)
{
	static const struct { const char *name; uint8_t v; } names[] = {
		{ "FIN", 0x01 }, { "SYN", 0x02 }, { "RST", 0x04 }, { "PSH", 0x08 },
		{ "ACK", 0x10 }, { "URG", 0x20 }, { "ALL", 0x3f }, { "NONE", 0 },
	};
	gchar **parts = g_strsplit(arg, ",", -1);
	uint8_t v = 0;
	int rc = 0;
	for (unsigned i = 0; parts[i]; i++) {
		unsigned k;
		for (k = 0; k < G_N_ELEMENTS(names); k++)
			if (g_ascii_strcasecmp(parts[i], names[k].name) == 0)
				break;
		if (k == G_N_ELEMENTS(names)) {
			rc = perr(ps, "Unknown TCP flag `%s'", parts[i]);
			break;
		}
		v |= names[k].v;
	}
	g_strfreev(parts);
	*out = v;
	return rc;
}

static int ipt_parse_icmp(struct ipt_pstate *ps, const char *arg, struct ipt_m_icmp *ic)
{
	size_t n = strlen(arg);
	int match = -1;
	for (unsigned i = 0; i < G_N_ELEMENTS(ipt_icmp_names); i++) {
		if (n && g_ascii_strncasecmp(ipt_icmp_names[i].name, arg, n) == 0) {
			if (match >= 0)
				return perr(ps, "Ambiguous ICMP type `%s': `%s' or `%s'?", arg,
					    ipt_icmp_names[match].name, ipt_icmp_names[i].name);
			match = (int)i;
		}
	}
	if (match >= 0) {
		ic->type = ipt_icmp_names[match].type;
		ic->code_min = ipt_icmp_names[match].code_min;
		ic->code_max = ipt_icmp_names[match].code_max;
		return 0;
	}
	const char *p = arg;
	unsigned long type = 0, code;
	if (!isdigit((unsigned char)*p))
		return perr(ps, "Unknown ICMP type `%s'", arg);
	while (isdigit((unsigned char)*p))
		type = type * 10 + (unsigned long)(*p++ - '0');
	if (type > 255)
		return perr(ps, "Unknown ICMP type `%s'", arg);
	ic->type = (uint8_t)type;
	ic->code_min = 0;
	ic->code_max = 0xff;
	if (*p == '/') {
		p++;
		code = 0;
		if (!isdigit((unsigned char)*p))
			return perr(ps, "Unknown ICMP code `%s'", arg);
		while (isdigit((unsigned char)*p))
			code = code * 10 + (unsigned long)(*p++ - '0');
		if (code > 255)
			return perr(ps, "Unknown ICMP code `%s'", arg);
		ic->code_min = ic->code_max = (uint8_t)code;
	}
	if (*p)
		return perr(ps, "unknown character %c", *p);
	return 0;
}

static int ipt_parse_states(struct ipt_pstate *ps, const char *arg, bool ct, uint8_t *out)
{
	static const struct { const char *name; uint8_t bit; } names[] = {
		{ "INVALID", IPT_STATE_INVALID }, { "ESTABLISHED", IPT_STATE_ESTABLISHED },
		{ "NEW", IPT_STATE_NEW }, { "RELATED", IPT_STATE_RELATED },
		{ "UNTRACKED", IPT_STATE_UNTRACKED }, { "SNAT", IPT_STATE_SNAT },
		{ "DNAT", IPT_STATE_DNAT },
	};
	gchar **parts = g_strsplit(arg, ",", -1);
	uint8_t v = 0;
	int rc = 0;
	for (unsigned i = 0; parts[i]; i++) {
		unsigned k, lim = ct ? G_N_ELEMENTS(names) : 5;
		for (k = 0; k < lim; k++)
			if (g_ascii_strcasecmp(parts[i], names[k].name) == 0)
				break;
		if (k == lim) {
			rc = perr(ps, "Bad %s \"%s\"", ct ? "ctstate" : "state", parts[i]);
			break;
		}
		v |= names[k].bit;
	}
	g_strfreev(parts);
	*out = v;
	return rc;
}

/* NAT ports: "PORT[-PORT]" (libxt_NAT parse_to / parse_ports). */
static int ipt_parse_nat_ports(struct ipt_pstate *ps, const char *arg, struct nat_range *range)
{
	char buf[64];
	g_strlcpy(buf, arg, sizeof(buf));
	char *dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	unsigned long lo, hi;
	if (!ipt_strtoul(buf, 65535, &lo))
		return perr(ps, "Port `%s' not valid", buf);
	hi = lo;
	if (dash) {
		if (!ipt_strtoul(dash, 65535, &hi))
			return perr(ps, "Port `%s' not valid", dash);
		if (hi < lo)
			return perr(ps, "Port range `%s' funky", dash);
	}
	range->min_port = (uint16_t)lo;
	range->max_port = (uint16_t)hi;
	range->flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
	return 0;
}

static bool ipt_portok(const struct ipt_rule *r)
{
	return !r->proto_inv && (r->proto == 6 || r->proto == 17 || r->proto == 132 ||
				 r->proto == 33 || r->proto == 1);
}

/* --to-source / --to-destination: [ADDR[-ADDR]][:PORT[-PORT]] */
static int ipt_parse_nat_to(struct ipt_pstate *ps, const char *arg)
{
	struct ipt_rule *r = ps->r;
	char buf[128];
	g_strlcpy(buf, arg, sizeof(buf));
	char *colon = strchr(buf, ':');
	if (colon) {
		*colon++ = '\0';
		if (!ipt_portok(r))
			return perr(ps, "Need TCP, UDP, SCTP or DCCP with port specification");
		int rc = ipt_parse_nat_ports(ps, colon, &r->range);
		if (rc)
			return rc;
	}
	if (*buf) {
		char *dash = strchr(buf, '-');
		if (dash)
			*dash++ = '\0';
		if (!ipt_parse_ip(buf, &r->range.min_addr) || strchr(buf, '.') == NULL)
			return perr(ps, "Bad IP address \"%s\"", buf);
		r->range.max_addr = r->range.min_addr;
		if (dash && (!ipt_parse_ip(dash, &r->range.max_addr) || !strchr(dash, '.')))
			return perr(ps, "Bad IP address \"%s\"", dash);
		r->range.flags |= NF_NAT_RANGE_MAP_IPS;
	}
	return 0;
}

static int ipt_parse_iface(struct ipt_pstate *ps, const char *arg, char name[16], uint8_t *cmp)
{
	size_t n = strlen(arg);
	if (n > 15)
		return perr(ps, "interface name `%s' must be shorter than IFNAMSIZ (15)", arg);
	memset(name, 0, 16);
	memcpy(name, arg, n);
	if (n && arg[n - 1] == '+')
		*cmp = (uint8_t)(n - 1);
	else
		*cmp = (uint8_t)(n + 1);
	return 0;
}

/* ----- option machinery ----- */

static enum ipt_match_id ipt_owner_match(enum ipt_owner o)
{
	switch (o) {
	case OW_TCP: return IPT_M_TCP;
	case OW_UDP: return IPT_M_UDP;
	case OW_ICMP: return IPT_M_ICMP;
	case OW_STATE: return IPT_M_STATE;
	case OW_CONNTRACK: return IPT_M_CONNTRACK;
	case OW_MULTIPORT: return IPT_M_MULTIPORT;
	case OW_COMMENT: return IPT_M_COMMENT;
	default: return 0;
	}
}

static enum ipt_owner ipt_match_owner(enum ipt_match_id id)
{
	switch (id) {
	case IPT_M_TCP: return OW_TCP;
	case IPT_M_UDP: return OW_UDP;
	case IPT_M_ICMP: return OW_ICMP;
	case IPT_M_STATE: return OW_STATE;
	case IPT_M_CONNTRACK: return OW_CONNTRACK;
	case IPT_M_MULTIPORT: return OW_MULTIPORT;
	case IPT_M_COMMENT: return OW_COMMENT;
	}
	return OW_MAIN;
}

/* A new instance of match o (xtables_find_match clones a match already
 * loaded: `-m conntrack ... -m conntrack ...` is two instances). */
static int ipt_load_match(struct ipt_pstate *ps, enum ipt_owner o)
{
	struct ipt_rule *r = ps->r;
	if (r->nmatches >= IPT_MAX_MATCHES)
		return perr(ps, "natsim: more than %d matches in one rule are not supported",
			    IPT_MAX_MATCHES);
	memset(&r->m[r->nmatches], 0, sizeof(r->m[0]));
	r->m[r->nmatches].id = (uint8_t)ipt_owner_match(o);
	ps->seen_once[r->nmatches] = 0;
	r->nmatches++;
	return 0;
}

/* Who owns an option: the main options, a match instance, or the target. */
#define IPT_SLOT_MAIN (-1)
#define IPT_SLOT_TARGET (-2)

/* getopt_long's lookup over the current option set, in the order
 * xtables_merge_options builds it: the main options, then the newest
 * loaded extension first (so an option goes to the latest instance of its
 * match), and an abbreviation naming options of two instances is
 * ambiguous. *slot: IPT_SLOT_MAIN, IPT_SLOT_TARGET or a match instance. */
static bool ipt_find_long(const struct ipt_pstate *ps, const char *name, size_t len,
			  enum ipt_owner *owner, int *slot, const struct ipt_opt **opt)
{
	int slots[IPT_MAX_MATCHES + 2];
	unsigned n = 0;
	slots[n++] = IPT_SLOT_MAIN;
	if (ps->target_owner != OW_MAIN)
		slots[n++] = IPT_SLOT_TARGET;
	for (int i = ps->r->nmatches - 1; i >= 0; i--)
		slots[n++] = i;
	const struct ipt_opt *found = NULL;
	int fslot = IPT_SLOT_MAIN;
	bool ambig = false;
	for (unsigned k = 0; k < n; k++) {
		enum ipt_owner ow = slots[k] == IPT_SLOT_MAIN ? OW_MAIN
				  : slots[k] == IPT_SLOT_TARGET ? ps->target_owner
				  : ipt_match_owner(ps->r->m[slots[k]].id);
		for (const struct ipt_opt *o = ipt_owner_opts[ow]; o->name; o++) {
			if (strncmp(o->name, name, len) != 0)
				continue;
			if (strlen(o->name) == len) {
				*owner = ow;
				*slot = slots[k];
				*opt = o;
				return true;
			}
			if (!found) {
				found = o;
				fslot = slots[k];
				*owner = ow;
			} else if (fslot != slots[k] || found->val != o->val ||
				   found->has_arg != o->has_arg) {
				ambig = true;
			}
		}
	}
	if (!found || ambig)
		return false;
	*slot = fslot;
	*opt = found;
	return true;
}

static const struct { char c; int has_arg; } ipt_short_opts[] = {
	{ 'A', 1 }, { 'C', 1 }, { 'D', 1 }, { 'R', 1 }, { 'I', 1 }, { 'L', 2 }, { 'S', 2 },
	{ 'F', 2 }, { 'Z', 2 }, { 'N', 1 }, { 'X', 2 }, { 'E', 1 }, { 'P', 1 }, { 'V', 0 },
	{ 'h', 2 }, { 'o', 1 }, { 'p', 1 }, { 's', 1 }, { 'd', 1 }, { 'j', 1 }, { 'i', 1 },
	{ 'f', 0 }, { 'b', 0 }, { 'n', 0 }, { 't', 1 }, { 'v', 0 }, { 'w', 2 }, { 'W', 2 },
	{ 'x', 0 }, { 'm', 1 }, { 'c', 1 }, { 'g', 1 }, { '4', 0 }, { '6', 0 }, { 'M', 1 },
};

static bool ipt_is_number(const char *s, long *out)
{
	unsigned long v;
	if (!ipt_strtoul(s, 0x7fffffff, &v))
		return false;
	*out = (long)v;
	return true;
}

static int ipt_add_command(struct ipt_pstate *ps, char c)
{
	struct ipt_cmd *cmd = ps->cmd;
	if (cmd->cmd && !((cmd->cmd == 'L' && c == 'Z') || (cmd->cmd == 'Z' && c == 'L')))
		return perr(ps, "Cannot use -%c with -%c", c, cmd->cmd);
	if (cmd->cmd == 'Z' && c == 'L') {
		cmd->cmd = 'L';
		cmd->zero_too = true;
	} else if (cmd->cmd == 'L' && c == 'Z') {
		cmd->zero_too = true;
	} else {
		cmd->cmd = c;
	}
	if (ps->invert)
		return perr(ps, "unexpected ! flag before --%s", "command");
	return 0;
}

static int ipt_set_option(struct ipt_pstate *ps, unsigned opt, char letter)
{
	if (ps->options & opt)
		return perr(ps, "multiple -%c flags not allowed", letter);
	ps->options |= opt;
	if (ps->invert && !strchr("sdpiof", letter))
		return perr(ps, "cannot have ! before -%c", letter);
	return 0;
}

static int ipt_once(struct ipt_pstate *ps, enum ipt_owner ow, int slot, const char *canon,
		    int val)
{
	unsigned bit = 1u << (val - 256);
	if (ps->seen_once[slot] & bit)
		return perr(ps, "%s: option \"--%s\" can only be used once.\n",
			    ipt_owner_names[ow], canon);
	ps->seen_once[slot] |= bit;
	return 0;
}

static int ipt_noinvert(struct ipt_pstate *ps, enum ipt_owner ow, const char *canon)
{
	if (ps->invert)
		return perr(ps, "%s: option \"--%s\" cannot be inverted.\n", ipt_owner_names[ow], canon);
	return 0;
}

/* One extension option (the parse callbacks of the libxt_* modules) for
 * the match instance `slot` (or the target: IPT_SLOT_TARGET). */
static int ipt_ext_option(struct ipt_pstate *ps, enum ipt_owner ow, int slot,
			  const struct ipt_opt *o, const char *arg, int argc, char **argv,
			  int *next)
{
	struct ipt_rule *r = ps->r;
	struct ipt_match *m = slot >= 0 ? &r->m[slot] : NULL;
	struct ipt_m_tcp *t = m ? &m->u.tcp : NULL;
	bool inv = ps->invert;
	int rc = 0;
	if (o->val < OV_REJECT_WITH && !m)
		return perr(ps, "natsim: internal error: option \"--%s\" without its match", o->name);
	switch (o->val) {
	case OV_SPORT:
		if (t->sport_set)
			return perr(ps, "Only one `--source-port' allowed");
		rc = ipt_parse_port_range(ps, arg, r->proto, &t->sport_min, &t->sport_max);
		t->sport_set = true;
		t->sport_inv = inv;
		break;
	case OV_DPORT:
		if (t->dport_set)
			return perr(ps, "Only one `--destination-port' allowed");
		rc = ipt_parse_port_range(ps, arg, r->proto, &t->dport_min, &t->dport_max);
		t->dport_set = true;
		t->dport_inv = inv;
		break;
	case OV_SYN:
		if (t->flags_set)
			return perr(ps, "Only one of `--syn' or `--tcp-flags'  allowed");
		t->flags_set = true;
		t->flags_mask = 0x17;
		t->flags_cmp = 0x02;
		t->flags_inv = inv;
		break;
	case OV_TCPFLAGS:
		if (t->flags_set)
			return perr(ps, "Only one of `--syn' or `--tcp-flags'  allowed");
		if (*next >= argc || argv[*next][0] == '-' || argv[*next][0] == '!')
			return perr(ps, "--tcp-flags requires two args.");
		rc = ipt_parse_tcp_flag_list(ps, arg, &t->flags_mask);
		if (!rc)
			rc = ipt_parse_tcp_flag_list(ps, argv[*next], &t->flags_cmp);
		(*next)++;
		t->flags_set = true;
		t->flags_inv = inv;
		break;
	case OV_ICMPTYPE:
		rc = ipt_once(ps, ow, slot, "icmp-type", o->val);
		if (!rc)
			rc = ipt_parse_icmp(ps, arg, &m->u.icmp);
		m->u.icmp.set = true;
		m->u.icmp.inv = inv;
		break;
	case OV_STATE:
		rc = ipt_once(ps, ow, slot, "state", o->val);
		if (!rc)
			rc = ipt_parse_states(ps, arg, false, &m->u.state.mask);
		m->u.state.set = true;
		m->u.state.inv = inv;
		break;
	case OV_CTSTATE:
		rc = ipt_once(ps, ow, slot, "ctstate", o->val);
		if (!rc)
			rc = ipt_parse_states(ps, arg, true, &m->u.state.mask);
		m->u.state.set = true;
		m->u.state.inv = inv;
		break;
	case OV_MP_S:
	case OV_MP_D:
	case OV_MP_P: {
		static const char *const canon[] = { "source-ports", "destination-ports", "ports" };
		int kind = o->val - OV_MP_S + 1;
		struct ipt_m_multiport *mp = &m->u.mport;
		if (mp->kind == kind)
			return perr(ps, "multiport: option \"--%s\" can only be used once.\n",
				    canon[kind - 1]);
		if (mp->kind)
			return perr(ps, "multiport: option \"--%s\" cannot be used together with \"--%s\".\n",
				    canon[kind - 1], canon[mp->kind - 1]);
		if (r->proto_inv || (r->proto != 6 && r->proto != 17 && r->proto != 136 &&
				     r->proto != 132 && r->proto != 33))
			return perr(ps, "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'");
		rc = ipt_parse_multiport(ps, arg, r->proto, mp);
		mp->kind = (uint8_t)kind;
		mp->inv = inv;
		break;
	}
	case OV_COMMENT:
		rc = ipt_noinvert(ps, ow, "comment");
		if (!rc)
			rc = ipt_once(ps, ow, slot, "comment", o->val);
		if (!rc) {
			g_free(m->u.comment);
			m->u.comment = g_strndup(arg, 255);
		}
		break;
	case OV_REJECT_WITH: {
		size_t n = strlen(arg);
		unsigned i;
		rc = ipt_noinvert(ps, ow, "reject-with");
		if (rc)
			break;
		for (i = 0; i < G_N_ELEMENTS(ipt_reject_names); i++)
			if (g_ascii_strncasecmp(ipt_reject_names[i][0], arg, n) == 0 ||
			    g_ascii_strncasecmp(ipt_reject_names[i][1], arg, n) == 0)
				break;
		if (i == G_N_ELEMENTS(ipt_reject_names) || n == 0)
			return perr(ps, "unknown reject type \"%s\"", arg);
		r->reject_with = ipt_reject_values[i];
		break;
	}
	case OV_LOG_LEVEL: {
		rc = ipt_noinvert(ps, ow, "log-level");
		if (rc)
			break;
		unsigned long v;
		if (ipt_strtoul(arg, 7, &v)) {
			r->log_level = (uint8_t)v;
			break;
		}
		unsigned i;
		for (i = 0; i < G_N_ELEMENTS(ipt_log_level_names); i++)
			if (strcmp(arg, ipt_log_level_names[i]) == 0)
				break;
		if (i == G_N_ELEMENTS(ipt_log_level_names))
			return perr(ps, "log level \"%s\" unknown\n", arg);
		r->log_level = ipt_log_level_values[i];
		break;
	}
	case OV_LOG_PREFIX:
		rc = ipt_noinvert(ps, ow, "log-prefix");
		if (!rc) {
			g_free(r->log_prefix);
			r->log_prefix = g_strndup(arg, 29);
		}
		break;
	case OV_TO_SRC:
	case OV_TO_DST: {
		const char *canon = o->val == OV_TO_SRC ? "to-source" : "to-destination";
		rc = ipt_noinvert(ps, ow, canon);
		if (!rc && ps->to_given)
			rc = perr(ps, "%s: option \"--%s\" can only be used once.\n",
				  ipt_owner_names[ow], canon);
		if (!rc)
			rc = ipt_parse_nat_to(ps, arg);
		ps->to_given = true;
		break;
	}
	case OV_TO_PORTS:
		rc = ipt_noinvert(ps, ow, "to-ports");
		if (!rc && !ipt_portok(r))
			rc = perr(ps, "Need TCP, UDP, SCTP or DCCP with port specification");
		if (!rc)
			rc = ipt_parse_nat_ports(ps, arg, &r->range);
		break;
	case OV_RANDOM:
		r->range.flags |= NF_NAT_RANGE_PROTO_RANDOM;
		break;
	case OV_RANDOM_FULLY:
		r->range.flags |= NF_NAT_RANGE_PROTO_RANDOM_FULLY;
		break;
	case OV_PERSISTENT:
		r->range.flags |= NF_NAT_RANGE_PERSISTENT;
		break;
	case OV_NOTRACK:
		r->notrack_ct = true;
		break;
	case OV_SET_MARK:
	case OV_SET_XMARK:
	case OV_AND_MARK:
	case OV_OR_MARK:
	case OV_XOR_MARK: {
		char buf[64];
		g_strlcpy(buf, arg, sizeof(buf));
		char *slash = strchr(buf, '/');
		if (slash)
			*slash++ = '\0';
		char *end;
		unsigned long v = strtoul(buf, &end, 0);
		if (!*buf || *end || v > 0xffffffffu)
			return perr(ps, "Bad MARK value \"%s\"", arg);
		unsigned long m = 0xffffffffu;
		if (slash) {
			m = strtoul(slash, &end, 0);
			if (!*slash || *end || m > 0xffffffffu)
				return perr(ps, "Bad MARK value \"%s\"", arg);
		}
		if (o->val >= OV_AND_MARK && slash)
			return perr(ps, "Bad MARK value \"%s\"", arg);
		ps->mark_given = true;
		/* libxt_MARK: everything is --set-xmark VALUE/MASK (mark = (mark & ~MASK) ^ VALUE):
		 * --set-mark V/M is V/(M|V), --and-mark V is 0/~V, --or-mark V is V/V,
		 * --xor-mark V is V/0 */
		switch (o->val) {
		case OV_SET_MARK: r->mark_value = (uint32_t)v; r->mark_mask = (uint32_t)(m | v); break;
		case OV_SET_XMARK: r->mark_value = (uint32_t)v; r->mark_mask = (uint32_t)m; break;
		case OV_AND_MARK: r->mark_value = 0; r->mark_mask = ~(uint32_t)v; break;
		case OV_OR_MARK: r->mark_value = (uint32_t)v; r->mark_mask = (uint32_t)v; break;
		default: r->mark_value = (uint32_t)v; r->mark_mask = 0; break;
		}
		break;
	}
	case OV_SET_MSS:
	case OV_CLAMP_MSS: {
		/* each option once; the two together are accepted (iptables 1.8.9) */
		if (ps->tcpmss_once & (1u << (o->val == OV_SET_MSS)))
			return perr(ps, "%s: option \"--%s\" can only be used once.\n",
				    ipt_owner_names[ow], o->name);
		if ((rc = ipt_noinvert(ps, ow, o->name)))
			return rc;
		unsigned long v;
		/* XTTYPE_UINT16 up to 65535 minus the IPv4 header */
		if (o->val == OV_SET_MSS && !ipt_strtoul(arg, 65515, &v))
			return perr(ps, "TCPMSS: bad value for option \"--set-mss\", or out of range (0-65515).\n");
		ps->tcpmss_given = true;
		ps->tcpmss_once |= 1u << (o->val == OV_SET_MSS);
		break;
	}
	default:
		if (o->val >= OV_UNIMPL)
			return perr_unimpl(ps, "%s %s --%s", ow >= OW_REJECT ? "-j" : "-m",
					   ipt_owner_names[ow], o->name);
		break;
	}
	return rc;
}

/* The -j TARGET option. */
static int ipt_set_target(struct ipt_pstate *ps, const char *name, bool is_goto)
{
	struct ipt_rule *r = ps->r;
	int rc = ipt_set_option(ps, OPT_JUMP, is_goto ? 'g' : 'j');
	if (rc) {
		if (strstr(ps->msg->str, "multiple"))
			g_string_printf(ps->msg, "multiple -j flags not allowed");
		return rc;
	}
	ps->target_seen = true;
	if (!is_goto) {
		for (unsigned i = 0; i < G_N_ELEMENTS(ipt_targets); i++) {
			if (strcmp(name, ipt_targets[i].name) == 0) {
				r->target = ipt_targets[i].kind;
				ps->target_owner = ipt_targets[i].owner;
				if (r->target == IPT_T_REJECT)
					r->reject_with = NF_REJECT_ICMP_PORT_UNREACH;
				if (r->target == IPT_T_LOG)
					r->log_level = 4;
				ps->tcpmss = ipt_targets[i].owner == OW_TCPMSS;
				if (ps->cmd->table == IPT_NAT && r->target == IPT_T_DROP)
					return perr(ps, "\nThe \"nat\" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n");
				return 0;
			}
		}
	}
	/* an extension target of Debian's iptables: loaded as one, never a chain */
	if (!is_goto && ipt_ext_is_target(name))
		return perr_unimpl(ps, "-j %s", name);
	r->target = is_goto ? IPT_T_GOTO : IPT_T_JUMP;
	g_free(ps->cmd->jump_name);
	ps->cmd->jump_name = g_strdup(name);
	ps->target_owner = OW_NONE_TARGET;
	return 0;
}

/* The target's final_check (x6_fcheck). */
static int ipt_target_final(struct ipt_pstate *ps)
{
	struct ipt_rule *r = ps->r;
	if ((r->target == IPT_T_SNAT || r->target == IPT_T_DNAT) && !ps->to_given)
		return perr(ps, "%s: option \"--%s\" must be specified\n",
			    r->target == IPT_T_SNAT ? "SNAT" : "DNAT",
			    r->target == IPT_T_SNAT ? "to-source" : "to-destination");
	if (r->target == IPT_T_MARK && !ps->mark_given)
		return perr(ps, "MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required");
	if (ps->tcpmss && !ps->tcpmss_given)
		return perr(ps, "TCPMSS target: At least one parameter is required");
	if (ps->tcpmss)
		return perr_unimpl(ps, "-j TCPMSS");
	for (unsigned i = 0; i < r->nmatches; i++) {
		const struct ipt_match *m = &r->m[i];
		if (m->id == IPT_M_STATE && !m->u.state.set)
			return perr(ps, "state: option \"--state\" must be specified\n");
		if (m->id == IPT_M_CONNTRACK && !m->u.state.set)
			return perr(ps, "conntrack: At least one option is required");
		if (m->id == IPT_M_COMMENT && !m->u.comment)
			return perr(ps, "comment: option \"--comment\" must be specified\n");
		if (m->id == IPT_M_MULTIPORT && !m->u.mport.kind)
			return perr(ps, "multiport expection an option");
	}
	return 0;
}

/* iptables-nft turns a tcp or udp match with options into payload
 * expressions, which need the rule's protocol (add_nft_tcp/add_nft_udp);
 * one without options stays an xt match that the kernel checks. */
static int ipt_tcpudp_proto_check(struct ipt_pstate *ps)
{
	const struct ipt_rule *r = ps->r;
	for (unsigned i = 0; i < r->nmatches; i++) {
		const struct ipt_match *m = &r->m[i];
		const struct ipt_m_tcp *t = &m->u.tcp;
		if ((m->id != IPT_M_TCP && m->id != IPT_M_UDP) ||
		    !(t->sport_set || t->dport_set || t->flags_set))
			continue;
		if (m->id == IPT_M_TCP && r->proto != 6)
			return perr(ps, "TCP match requires '-p tcp'");
		if (m->id == IPT_M_UDP && r->proto != 17)
			return perr(ps, "UDP match requires '-p udp'");
	}
	return 0;
}

static int ipt_protocol(struct ipt_pstate *ps, const char *arg)
{
	struct ipt_rule *r = ps->r;
	char low[64];
	g_strlcpy(low, arg, sizeof(low));
	for (char *p = low; *p; p++)
		*p = (char)g_ascii_tolower(*p);
	unsigned long v;
	if (strcmp(low, "all") == 0) {
		r->proto = 0;
	} else if (ipt_strtoul(low, 255, &v)) {
		r->proto = (uint8_t)v;
	} else {
		int n = ipt_proto_number(low);
		if (n < 0)
			return perr(ps, "unknown protocol \"%s\" specified", arg);
		r->proto = (uint8_t)n;
	}
	r->proto_inv = ps->invert;
	return 0;
}

static int ipt_main_option(struct ipt_pstate *ps, int val, const char *arg, const char *optname,
			   int argc, char **argv, int *next)
{
	struct ipt_cmd *cmd = ps->cmd;
	struct ipt_rule *r = ps->r;
	int rc;
	long num;
	switch (val) {
	case 'A': case 'C': case 'D': case 'I': case 'R': case 'N': case 'E': case 'P':
		if ((rc = ipt_add_command(ps, (char)val)))
			return rc;
		g_free(cmd->chain);
		cmd->chain = g_strdup(arg);
		if (val == 'D' && *next < argc && ipt_is_number(argv[*next], &num)) {
			cmd->rulenum = num;
			cmd->cmd = 'd'; /* delete by number */
			(*next)++;
			if (num == 0)
				return perr(ps, "Invalid rule number `%s'", argv[*next - 1]);
		} else if (val == 'I' && *next < argc && argv[*next][0] != '-' && argv[*next][0] != '!') {
			if (!ipt_is_number(argv[*next], &num) || num == 0)
				return perr(ps, "Invalid rule number `%s'", argv[*next]);
			cmd->rulenum = num;
			(*next)++;
		} else if (val == 'R') {
			if (*next >= argc || argv[*next][0] == '-' || argv[*next][0] == '!')
				return perr(ps, "-R requires a rule number");
			if (!ipt_is_number(argv[*next], &num) || num == 0)
				return perr(ps, "Invalid rule number `%s'", argv[*next]);
			cmd->rulenum = num;
			(*next)++;
		} else if (val == 'E' || val == 'P') {
			if (*next >= argc || argv[*next][0] == '-' || argv[*next][0] == '!') {
				if (val == 'E')
					return perr(ps, "-E requires old-chain-name and new-chain-name");
				return perr(ps, "-P requires a chain and a policy");
			}
			g_free(cmd->arg2);
			cmd->arg2 = g_strdup(argv[(*next)++]);
		}
		if (val == 'N' || val == 'E') {
			const char *name = val == 'N' ? arg : cmd->arg2;
			if (strlen(name) >= 29)
				return perr(ps, "chain name `%s' too long (must be under 29 chars)", name);
			if (name[0] == '-')
				return perr(ps, "chain name not allowed to start with `-'");
			for (unsigned i = 0; ipt_target_names[i]; i++)
				if (strcmp(name, ipt_target_names[i]) == 0)
					return perr(ps, "chain name may not clash with target name");
			for (const char *p = name; *p; p++)
				if (isspace((unsigned char)*p) || !isprint((unsigned char)*p))
					return perr(ps, "Invalid chain name `%s'", name);
		}
		return 0;
	case 'L': case 'S': case 'F': case 'Z': case 'X':
		if ((rc = ipt_add_command(ps, (char)val)))
			return rc;
		if (!arg && *next < argc && argv[*next][0] != '-' && argv[*next][0] != '!')
			arg = argv[(*next)++];
		if (arg) {
			g_free(cmd->chain);
			cmd->chain = g_strdup(arg);
			if ((val == 'L' || val == 'S' || val == 'Z') && *next < argc &&
			    argv[*next][0] != '-' && argv[*next][0] != '!') {
				if (!ipt_is_number(argv[*next], &num))
					return perr(ps, "Invalid rule number `%s'", argv[*next]);
				cmd->rulenum = num;
				(*next)++;
			}
		}
		return 0;
	case 'V':
		cmd->cmd = 'V';
		return 0;
	case 'h':
		cmd->cmd = 'h';
		return 0;
	case 's':
		if ((rc = ipt_set_option(ps, OPT_SOURCE, 's')))
			return rc;
		r->src_inv = ps->invert;
		return ipt_parse_addr(ps, arg, &r->src, &r->src_mask);
	case 'd':
		if ((rc = ipt_set_option(ps, OPT_DESTINATION, 'd')))
			return rc;
		r->dst_inv = ps->invert;
		return ipt_parse_addr(ps, arg, &r->dst, &r->dst_mask);
	case 'p':
		if ((rc = ipt_set_option(ps, OPT_PROTOCOL, 'p')))
			return rc;
		return ipt_protocol(ps, arg);
	case 'i':
		if ((rc = ipt_set_option(ps, OPT_VIANAMEIN, 'i')))
			return rc;
		r->in_inv = ps->invert;
		return ipt_parse_iface(ps, arg, r->in, &r->in_cmp);
	case 'o':
		if ((rc = ipt_set_option(ps, OPT_VIANAMEOUT, 'o')))
			return rc;
		r->out_inv = ps->invert;
		return ipt_parse_iface(ps, arg, r->out, &r->out_cmp);
	case 'f':
		return perr_unimpl(ps, "-f (second and further fragments)");
	case 'j':
	case 'g':
		if (ps->invert)
			return perr(ps, "cannot have ! before -%c", val);
		return ipt_set_target(ps, arg, val == 'g');
	case 'm': {
		if (ps->invert)
			return perr(ps, "unexpected ! flag before --match");
		static const struct { const char *name; enum ipt_owner o; } ms[] = {
			{ "tcp", OW_TCP }, { "udp", OW_UDP }, { "icmp", OW_ICMP },
			{ "state", OW_STATE }, { "conntrack", OW_CONNTRACK },
			{ "multiport", OW_MULTIPORT }, { "comment", OW_COMMENT },
		};
		for (unsigned i = 0; i < G_N_ELEMENTS(ms); i++) {
			if (strcmp(arg, ms[i].name) == 0) {
				if (ms[i].o == OW_TCP || ms[i].o == OW_UDP || ms[i].o == OW_ICMP)
					ps->proto_loaded = true;
				return ipt_load_match(ps, ms[i].o);
			}
		}
		if (ipt_ext_is_match(arg))
			return perr_unimpl(ps, "-m %s", arg);
		return perr(ps, "Couldn't load match `%s':No such file or directory\n", arg);
	}
	case 't':
		if (ps->invert)
			return perr(ps, "unexpected ! flag before --table");
		if (ipt_table_by_name(arg) < 0 && ipt_table_is_real(arg))
			return perr_unimpl(ps, "-t %s", arg);
		g_free(cmd->table_name); /* -t twice: the last one wins, as in iptables */
		cmd->table_name = g_strdup(arg);
		cmd->table = ipt_table_by_name(arg);
		return 0;
	case 'n':
		ps->options |= OPT_NUMERIC;
		cmd->numeric = true;
		return 0;
	case 'v':
		ps->options |= OPT_VERBOSE;
		cmd->verbose = true;
		return 0;
	case 'x':
		ps->options |= OPT_EXPANDED;
		cmd->exact = true;
		return 0;
	case OV_LINENUM:
		ps->options |= OPT_LINENUMBERS;
		cmd->linenum = true;
		return 0;
	case 'w':
	case 'W':
		if (!arg && *next < argc && argv[*next][0] != '-' && argv[*next][0] != '!')
			(*next)++;
		return 0;
	case 'c':
		ps->options |= OPT_COUNTERS;
		if (*next >= argc)
			return perr(ps, "-c requires packet and byte counter");
		{
			unsigned long long p, b;
			char *e1, *e2;
			p = strtoull(arg, &e1, 10);
			b = strtoull(argv[*next], &e2, 10);
			if (*e1)
				return perr(ps, "-c packet counter not numeric");
			if (*e2)
				return perr(ps, "-c byte counter not numeric");
			r->packets = p;
			r->bytes = b;
			(*next)++;
		}
		return 0;
	case '4':
	case 'M':
		return 0;
	case '6':
		/* iptables-nft 1.8.9 refuses -6 with no text, only the "Try" line */
		*ps->noprefix = true;
		g_string_truncate(ps->msg, 0);
		return 2;
	default:
		(void)optname;
		return perr(ps, "unknown option \"%s\"", optname);
	}
}

/* Load the -p protocol's match when an option is unknown (command_default's
 * load_proto). Returns true if a new match was loaded. */
static bool ipt_load_proto(struct ipt_pstate *ps)
{
	if (ps->proto_loaded || !(ps->options & OPT_PROTOCOL))
		return false;
	enum ipt_owner o;
	switch (ps->r->proto) {
	case 6: o = OW_TCP; break;
	case 17: o = OW_UDP; break;
	case 1: o = OW_ICMP; break;
	default: return false;
	}
	ps->proto_loaded = true;
	return ipt_load_match(ps, o) == 0;
}

/* generic_opt_check: which options each command takes. */
static int ipt_opt_check(struct ipt_pstate *ps)
{
	static const char *const cmds = "IDdRALFZNXEPSC";
	static const char *const table[] = {
		/*   -n  -s  -d  -p  -j  -v  -x  -i  -o --line -c -f */
		"x     x  x  ",	/* I */
		"x     x  xx ",	/* D */
		"xxxxx xxxxxx",	/* d */
		"x     x  x  ",	/* R */
		"x     x  x  ",	/* A */
		" xxxx  xx xx",	/* L */
		"xxxxx xxxxxx",	/* F */
		"xxxxx xxxxxx",	/* Z */
		"xxxxx xxxxxx",	/* N */
		"xxxxx xxxxxx",	/* X */
		"xxxxx xxxxxx",	/* E */
		"xxxxx xxxx x",	/* P */
		"xxxxx xxxxxx",	/* S */
		"x     x  xx ",	/* C */
	};
	const char *pos = strchr(cmds, ps->cmd->cmd);
	if (!pos)
		return 0;
	const char *row = table[pos - cmds];
	for (unsigned i = 0; i < 12; i++) {
		if (!(ps->options & (1u << i)) || row[i] != 'x')
			continue;
		if (ps->cmd->cmd == 'L' && ps->cmd->zero_too && i == 5)
			continue;
		if (ipt_optflags[i] == '0')
			return perr(ps, "Illegal option `--line-numbers' with this command");
		return perr(ps, "Illegal option `-%c' with this command", ipt_optflags[i]);
	}
	return 0;
}

void ipt_cmd_clear(struct ipt_cmd *cmd)
{
	g_free(cmd->chain);
	g_free(cmd->arg2);
	g_free(cmd->jump_name);
	g_free(cmd->table_name);
	ipt_rule_free(cmd->rule);
	memset(cmd, 0, sizeof(*cmd));
}

int ipt_parse(int argc, char **argv, int default_table, struct ipt_cmd *cmd,
	      GString *msg, bool *noprefix)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->table = default_table;
	cmd->rule = g_new0(struct ipt_rule, 1);
	*noprefix = false;
	struct ipt_pstate ps = { .cmd = cmd, .r = cmd->rule, .msg = msg, .noprefix = noprefix,
				 .target_owner = OW_MAIN };
	int rc = 0;
	int i = 1;
	while (i < argc && !rc) {
		const char *a = argv[i++];
		if (strcmp(a, "!") == 0) {
			if (ps.invert)
				return perr(&ps, "multiple consecutive ! not allowed");
			ps.invert = true;
			continue;
		}
		if (a[0] == '-' && a[1] == '-' && a[2]) {
			char name[64];
			const char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			g_strlcpy(name, a + 2, MIN(len + 1, sizeof(name)));
			enum ipt_owner ow;
			int slot;
			const struct ipt_opt *o;
			bool found = ipt_find_long(&ps, name, strlen(name), &ow, &slot, &o);
			if (!found && ipt_load_proto(&ps))
				found = ipt_find_long(&ps, name, strlen(name), &ow, &slot, &o);
			if (!found)
				return perr(&ps, "unknown option \"%s\"", a);
			const char *arg = eq ? eq + 1 : NULL;
			if (o->has_arg == 1 && !arg) {
				if (i >= argc)
					return perr(&ps, "option \"%s\" requires an argument", a);
				arg = argv[i++];
			}
			if (arg && strcmp(arg, "!") == 0 && o->has_arg == 1 && i < argc) {
				/* `--option ! value`: the old intrapositioned negation,
				 * refused since iptables 1.6: the value is a stray argument */
				g_string_printf(msg, "Bad argument `%s'", argv[i]);
				*noprefix = true;
				return 2;
			}
			if (ow == OW_MAIN)
				rc = ipt_main_option(&ps, o->val, arg, a, argc, argv, &i);
			else
				rc = ipt_ext_option(&ps, ow, slot, o, arg, argc, argv, &i);
			ps.invert = false;
			continue;
		}
		if (a[0] == '-' && a[1]) {
			for (int j = 1; a[j] && !rc; j++) {
				char c = a[j];
				int has_arg = -1;
				for (unsigned k = 0; k < G_N_ELEMENTS(ipt_short_opts); k++)
					if (ipt_short_opts[k].c == c)
						has_arg = ipt_short_opts[k].has_arg;
				if (has_arg < 0) {
					char opt[3] = { '-', c, 0 };
					return perr(&ps, "unknown option \"%s\"", opt);
				}
				const char *arg = NULL;
				if (has_arg && a[j + 1]) {
					/* iptables reads -s/-d from argv[optind-1]: the whole word */
					arg = (c == 's' || c == 'd') ? a : a + j + 1;
				} else if (has_arg == 1) {
					if (i >= argc)
						return perr(&ps, "option \"-%c\" requires an argument", c);
					arg = argv[i++];
				}
				if (arg && strcmp(arg, "!") == 0 && has_arg == 1 && strchr("sdpio", c)) {
					if (i < argc) {
						g_string_printf(msg, "Bad argument `%s'", argv[i]);
						*noprefix = true;
						return 2;
					}
				}
				char optname[3] = { '-', c, 0 };
				rc = ipt_main_option(&ps, c, arg, optname, argc, argv, &i);
				if (arg)
					break;
			}
			ps.invert = false;
			continue;
		}
		g_string_printf(msg, "Bad argument `%s'", a);
		*noprefix = true;
		return 2;
	}
	if (rc)
		return rc;
	if (ps.invert)
		return perr(&ps, "unexpected ! flag");
	if (!cmd->cmd)
		return perr(&ps, "no command specified");
	if (cmd->cmd == 'V' || cmd->cmd == 'h')
		return 0;
	if ((rc = ipt_opt_check(&ps)))
		return rc;
	if (cmd->cmd == 'P' && cmd->table == IPT_NAT && strcmp(cmd->arg2, "DROP") == 0)
		return perr(&ps, "\nThe \"nat\" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n");
	if (cmd->chain && cmd->cmd != 'N' && cmd->cmd != 'E' && strlen(cmd->chain) >= 29 &&
	    cmd->cmd != 'L' && cmd->cmd != 'S')
		return perr(&ps, "chain name `%s' too long (must be under 29 chars)", cmd->chain);
	if (strchr("ACDIRd", cmd->cmd)) {
		if ((rc = ipt_target_final(&ps)))
			return rc;
		/* -i with OUTPUT/POSTROUTING, -o with INPUT/PREROUTING */
		if (cmd->rule->in[0] && cmd->chain &&
		    (strcmp(cmd->chain, "OUTPUT") == 0 || strcmp(cmd->chain, "POSTROUTING") == 0))
			return perr(&ps, "Can't use -i with %s\n", cmd->chain);
		if (cmd->rule->out[0] && cmd->chain &&
		    (strcmp(cmd->chain, "INPUT") == 0 || strcmp(cmd->chain, "PREROUTING") == 0))
			return perr(&ps, "Can't use -o with %s\n", cmd->chain);
		if ((rc = ipt_tcpudp_proto_check(&ps)))
			return rc;
		if (!(ps.options & OPT_SOURCE))
			cmd->rule->src = cmd->rule->src_mask = 0;
		if (!(ps.options & OPT_DESTINATION))
			cmd->rule->dst = cmd->rule->dst_mask = 0;
	}
	return 0;
}
