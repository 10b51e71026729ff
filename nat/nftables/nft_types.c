/* nft_types.c - nft's datatypes: symbols to values and back.
 *
 * Design: one table of names per symbolic type (ct state, ip protocol,
 * icmp type, ...), in value order, so a bitmask prints its bits in the
 * order nft prints them and a symbol parses the way nft's symbol tables
 * parse it. Ports print as numbers (nft 1.0.6 prints services numerically).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nat/core/nf_inet.h"
#include "nat/nftables/nft_int.h"
#include "nat/nftables/nft_meta_keys.h"

struct sym { const char *name; uint32_t v; };

static const struct sym ct_state[] = {
	{ "invalid", 1 }, { "established", 2 }, { "related", 4 }, { "new", 8 },
	{ "untracked", 64 }, { NULL, 0 } };
static const struct sym ct_status[] = {
	{ "expected", 1 }, { "seen-reply", 2 }, { "assured", 4 }, { "confirmed", 8 },
	{ "snat", 16 }, { "dnat", 32 }, { "dying", 512 }, { NULL, 0 } };
/* /etc/protocols' names: the first of each number (getprotobynumber) is
 * the one nft prints; a later one ("hopopt", nft's "icmpv6") is read too */
static const struct sym proto[] = {
	{ "ip", 0 }, { "hopopt", 0 }, { "icmp", 1 }, { "igmp", 2 }, { "ipencap", 4 },
	{ "tcp", 6 }, { "udp", 17 }, { "ipv6", 41 }, { "ipv6-route", 43 }, { "ipv6-frag", 44 },
	{ "gre", 47 }, { "esp", 50 }, { "ah", 51 }, { "ipv6-icmp", 58 }, { "icmpv6", 58 },
	{ "ipv6-nonxt", 59 }, { "ipv6-opts", 60 }, { "ospf", 89 }, { "pim", 103 }, { "vrrp", 112 },
	{ "l2tp", 115 }, { "sctp", 132 }, { "mobility-header", 135 }, { "udplite", 136 },
	{ NULL, 0 } };
static const struct sym nfproto[] = { { "ipv4", 2 }, { "ipv6", 10 }, { NULL, 0 } };
static const struct sym pkttype[] = {
	{ "host", 0 }, { "broadcast", 1 }, { "multicast", 2 }, { "other", 3 }, { NULL, 0 } };
static const struct sym icmp_type[] = {
	{ "echo-reply", 0 }, { "destination-unreachable", 3 }, { "source-quench", 4 },
	{ "redirect", 5 }, { "echo-request", 8 }, { "router-advertisement", 9 },
	{ "router-solicitation", 10 }, { "time-exceeded", 11 }, { "parameter-problem", 12 },
	{ "timestamp-request", 13 }, { "timestamp-reply", 14 }, { "info-request", 15 },
	{ "info-reply", 16 }, { "address-mask-request", 17 }, { "address-mask-reply", 18 },
	{ NULL, 0 } };
/* nft's icmp6_type_tbl and icmpv6_code_tbl (the first name of a value
 * is the one printed) */
static const struct sym icmp6_type[] = {
	{ "destination-unreachable", 1 }, { "packet-too-big", 2 }, { "time-exceeded", 3 },
	{ "parameter-problem", 4 }, { "echo-request", 128 }, { "echo-reply", 129 },
	{ "mld-listener-query", 130 }, { "mld-listener-report", 131 },
	{ "mld-listener-done", 132 }, { "mld-listener-reduction", 132 },
	{ "nd-router-solicit", 133 }, { "nd-router-advert", 134 }, { "nd-neighbor-solicit", 135 },
	{ "nd-neighbor-advert", 136 }, { "nd-redirect", 137 }, { "router-renumbering", 138 },
	{ "ind-neighbor-solicit", 141 }, { "ind-neighbor-advert", 142 },
	{ "mld2-listener-report", 143 }, { NULL, 0 } };
static const struct sym icmp6_code[] = {
	{ "no-route", 0 }, { "admin-prohibited", 1 }, { "addr-unreachable", 3 },
	{ "port-unreachable", 4 }, { "policy-fail", 5 }, { "reject-route", 6 }, { NULL, 0 } };
static const struct sym tcp_flag[] = {
	{ "fin", 1 }, { "syn", 2 }, { "rst", 4 }, { "psh", 8 }, { "ack", 16 }, { "urg", 32 },
	{ "ecn", 64 }, { "cwr", 128 }, { NULL, 0 } };
static const struct sym fib_addr[] = {
	{ "unspec", 0 }, { "unicast", 1 }, { "local", 2 }, { "broadcast", 3 }, { "anycast", 4 },
	{ "multicast", 5 }, { "blackhole", 6 }, { "unreachable", 7 }, { "prohibit", 8 },
	{ NULL, 0 } };
static const struct sym fib_oif[] = { { "missing", 0 }, { "exists", 1 }, { NULL, 0 } };
/* nft's dscp_type_tbl, ecn_type_tbl and icmp_code_tbl */
static const struct sym dscp[] = {
	{ "cs0", 0x00 }, { "cs1", 0x08 }, { "cs2", 0x10 }, { "cs3", 0x18 }, { "cs4", 0x20 },
	{ "cs5", 0x28 }, { "cs6", 0x30 }, { "cs7", 0x38 }, { "df", 0x00 }, { "be", 0x00 },
	{ "lephb", 0x01 }, { "af11", 0x0a }, { "af12", 0x0c }, { "af13", 0x0e }, { "af21", 0x12 },
	{ "af22", 0x14 }, { "af23", 0x16 }, { "af31", 0x1a }, { "af32", 0x1c }, { "af33", 0x1e },
	{ "af41", 0x22 }, { "af42", 0x24 }, { "af43", 0x26 }, { "va", 0x2c }, { "ef", 0x2e },
	{ NULL, 0 } };
static const struct sym ecn[] = {
	{ "not-ect", 0 }, { "ect1", 1 }, { "ect0", 2 }, { "ce", 3 }, { NULL, 0 } };
static const struct sym icmp_code[] = {
	{ "net-unreachable", 0 }, { "host-unreachable", 1 }, { "prot-unreachable", 2 },
	{ "port-unreachable", 3 }, { "frag-needed", 4 }, { "net-prohibited", 9 },
	{ "host-prohibited", 10 }, { "admin-prohibited", 13 }, { NULL, 0 } };
/* nft's arphrd_tbl (meta iiftype, oiftype) */
static const struct sym arphrd[] = {
	{ "ether", 1 }, { "ppp", 512 }, { "ipip", 768 }, { "ipip6", 769 }, { "loopback", 772 },
	{ "sit", 776 }, { "ipgre", 778 }, { NULL, 0 } };
/* nft's ethertype_tbl (meta protocol) */
static const struct sym ethertype[] = {
	{ "ip", 0x0800 }, { "arp", 0x0806 }, { "ip6", 0x86dd }, { "8021q", 0x8100 }, { "vlan", 0x8100 },
	{ NULL, 0 } };
/* /etc/iproute2/group: 0 "default" (nft lists a devgroup named, quoted) */
static const struct sym devgroup[] = { { "default", 0 }, { NULL, 0 } };
/* user and group names natsim knows: root only (getpwnam, getgrnam) */
static const struct sym root_id[] = { { "root", 0 }, { NULL, 0 } };
static const struct sym ct_dir[] = { { "original", 0 }, { "reply", 1 }, { NULL, 0 } };
/* /etc/services names a ruleset commonly uses */
static const struct sym services[] = {
	{ "ftp", 21 }, { "ssh", 22 }, { "telnet", 23 }, { "smtp", 25 }, { "domain", 53 },
	{ "bootps", 67 }, { "bootpc", 68 }, { "tftp", 69 }, { "http", 80 }, { "pop3", 110 },
	{ "ntp", 123 }, { "imap", 143 }, { "snmp", 161 }, { "https", 443 }, { "submission", 587 },
	{ "imaps", 993 }, { "pop3s", 995 }, { "openvpn", 1194 }, { NULL, 0 } };

static const struct sym *syms(enum nft_dtype dt)
{
	switch (dt) {
	case NFT_DT_CTSTATE: return ct_state;
	case NFT_DT_CTSTATUS: return ct_status;
	case NFT_DT_PROTO: return proto;
	case NFT_DT_NFPROTO: return nfproto;
	case NFT_DT_PKTTYPE: return pkttype;
	case NFT_DT_ICMPTYPE: return icmp_type;
	case NFT_DT_TCPFLAG: return tcp_flag;
	case NFT_DT_FIBADDR: return fib_addr;
	case NFT_DT_FIBOIF: return fib_oif;
	case NFT_DT_CTDIR: return ct_dir;
	case NFT_DT_ARPHRD: return arphrd;
	case NFT_DT_ETHERTYPE: return ethertype;
	case NFT_DT_DEVGROUP: return devgroup;
	case NFT_DT_UID: case NFT_DT_GID: return root_id;
	case NFT_DT_SERVICE: return services;
	case NFT_DT_ICMP6TYPE: return icmp6_type;
	case NFT_DT_ICMP6CODE: return icmp6_code;
	case NFT_DT_DSCP: return dscp;
	case NFT_DT_ECN: return ecn;
	case NFT_DT_ICMPCODE: return icmp_code;
	default: return NULL;
	}
}

bool nft_dtype_bitmask(enum nft_dtype dt)
{
	return dt == NFT_DT_CTSTATE || dt == NFT_DT_CTSTATUS || dt == NFT_DT_TCPFLAG;
}

bool nft_dtype_interval(enum nft_dtype dt)
{
	return dt == NFT_DT_IPV4 || dt == NFT_DT_IPV6 || dt == NFT_DT_SERVICE || dt == NFT_DT_INTEGER ||
	       dt == NFT_DT_MARK || dt == NFT_DT_PROTO || dt == NFT_DT_RAW ||
	       dt == NFT_DT_TIME;
}

bool nft_parse_ipv4(const char *s, uint32_t *a)
{
	unsigned b[4];
	char tail;
	if (sscanf(s, "%u.%u.%u.%u%c", &b[0], &b[1], &b[2], &b[3], &tail) != 4)
		return false;
	for (int i = 0; i < 4; i++)
		if (b[i] > 255)
			return false;
	if (strspn(s, "0123456789.") != strlen(s))
		return false;
	*a = b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
	return true;
}

void nft_print_ipv4(GString *s, uint32_t a)
{
	nf_inet_append4(s, a);	/* the tree's one address formatter */
}

static bool parse_uint(const char *s, uint64_t max, uint32_t *v)
{
	if (!*s)
		return false;
	char *e;
	int base = strncmp(s, "0x", 2) == 0 ? 16 : 10;
	if (!g_ascii_isdigit(s[0]))
		return false;
	unsigned long long x = strtoull(s, &e, base);
	if (*e || x > max)
		return false;
	*v = (uint32_t)x;
	return true;
}

bool nft_parse_port(const char *s, uint32_t *v)
{
	return parse_uint(s, 65535, v);
}

/* One symbol or number of type dt (no range, no prefix). */
static bool parse_one(enum nft_dtype dt, const char *s, uint32_t *v, const char **why)
{
	const struct sym *t = syms(dt);
	for (; t && t->name; t++)
		if (strcmp(t->name, s) == 0) {
			*v = t->v;
			return true;
		}
	switch (dt) {
	case NFT_DT_IPV4:
		return nft_parse_ipv4(s, v);
	case NFT_DT_SERVICE:
		if (g_ascii_isdigit(s[0]) && !parse_uint(s, 65535, v)) {
			uint32_t big;
			if (parse_uint(s, UINT32_MAX, &big))
				*why = "Service out of range";
			return false;
		}
		return parse_uint(s, 65535, v);
	case NFT_DT_PROTO: case NFT_DT_NFPROTO:
		return parse_uint(s, 255, v);
	case NFT_DT_MARK: case NFT_DT_INTEGER: case NFT_DT_CTSTATE: case NFT_DT_CTSTATUS:
		return parse_uint(s, UINT32_MAX, v);
	case NFT_DT_ICMPTYPE: case NFT_DT_TCPFLAG: case NFT_DT_ICMP6TYPE: case NFT_DT_ICMP6CODE:
	case NFT_DT_ICMPCODE:
		return parse_uint(s, 255, v);
	case NFT_DT_DSCP: case NFT_DT_ECN: case NFT_DT_RAW:
		return parse_uint(s, UINT32_MAX, v);
	case NFT_DT_TIME: {
		/* nft's time_type: a bare number is seconds */
		uint64_t ms;
		uint32_t sec;
		if (parse_uint(s, UINT32_MAX / 1000, &sec)) {
			*v = sec * 1000;
			return true;
		}
		if (!nft_parse_time(s, &ms) || ms > UINT32_MAX)
			return false;
		*v = (uint32_t)ms;
		return true;
	}
	case NFT_DT_UID: case NFT_DT_GID:
		return parse_uint(s, UINT32_MAX, v);
	case NFT_DT_ARPHRD: case NFT_DT_ETHERTYPE:
		return parse_uint(s, 65535, v);
	case NFT_DT_DEVGROUP:
		return parse_uint(s, UINT32_MAX, v);
	case NFT_DT_TCHANDLE:
		return nft_parse_tchandle(s, v);
	case NFT_DT_DATE: case NFT_DT_DAY: case NFT_DT_HOUR:
		return nft_parse_timekey(dt, s, v);
	default:
		return false;
	}
}

/* A value of type dt: a symbol or number, a range "a-b", an address
 * prefix "a/n"; an interface name is any word. */
bool nft_parse_value(enum nft_dtype dt, const char *text, struct nft_elem *e, const char **why)
{
	memset(e, 0, sizeof(*e));
	e->plen = -1;
	*why = NULL;
	if (dt == NFT_DT_IFNAME) {
		if (strlen(text) >= 16) {
			*why = "Length 16 exceeds 15";
			return false;
		}
		e->str = g_strdup(text);
		return true;
	}
	if (dt == NFT_DT_IPV6)
		return nft_ip6_parse_value(text, e);
	const char *slash = strchr(text, '/');
	if (dt == NFT_DT_IPV4 && slash) {
		char *a = g_strndup(text, (gsize)(slash - text));
		uint32_t n;
		bool ok = nft_parse_ipv4(a, &e->lo) && parse_uint(slash + 1, 32, &n);
		g_free(a);
		if (!ok)
			return false;
		uint32_t mask = n ? ~0u << (32 - n) : 0;
		e->lo &= mask;
		e->hi = e->lo | ~mask;
		e->plen = (int)n;
		return true;
	}
	const char *dash = dt == NFT_DT_IFNAME ? NULL : strchr(text + 1, '-');
	/* symbols with dashes (echo-request) are whole */
	if (dash && !parse_one(dt, text, &e->lo, why)) {
		/* nft's dscp type reads a range of numbers only */
		if (dt == NFT_DT_DSCP && (!g_ascii_isdigit(text[0]) || !g_ascii_isdigit(dash[1])))
			return false;
		char *a = g_strndup(text, (gsize)(dash - text));
		bool ok = parse_one(dt, a, &e->lo, why) && parse_one(dt, dash + 1, &e->hi, why);
		g_free(a);
		if (!ok)
			return false;
		e->range = e->lo != e->hi;
		return e->lo <= e->hi;
	}
	if (!parse_one(dt, text, &e->lo, why))
		return false;
	e->hi = e->lo;
	return true;
}

static void print_sym(GString *s, enum nft_dtype dt, uint32_t v, bool numeric)
{
	const struct sym *t = syms(dt);
	if (dt != NFT_DT_SERVICE && dt != NFT_DT_UID && dt != NFT_DT_GID && !numeric)
		for (; t && t->name; t++)
			if (t->v == v) {
				g_string_append_printf(s, dt == NFT_DT_DEVGROUP ? "\"%s\"" : "%s", t->name);
				return;
			}
	switch (dt) {
	case NFT_DT_IPV4: nft_print_ipv4(s, v); break;
	case NFT_DT_MARK: g_string_append_printf(s, "0x%08x", v); break;
	case NFT_DT_DSCP: g_string_append_printf(s, "0x%02x", v); break;
	case NFT_DT_RAW: case NFT_DT_ECN: g_string_append_printf(s, "0x%x", v); break;
	case NFT_DT_TIME:
		/* nft's time_type prints nothing for 0 (`ct expiration  accept`) */
		if (v || numeric)
			nft_print_time(s, v, numeric);
		break;
	case NFT_DT_TCHANDLE: nft_print_tchandle(s, v); break;
	case NFT_DT_DATE: case NFT_DT_DAY: case NFT_DT_HOUR: nft_print_timekey(s, dt, v); break;
	default: g_string_append_printf(s, "%u", v);
	}
}

void nft_print_elem(GString *s, enum nft_dtype dt, const struct nft_elem *e, bool numeric)
{
	if (dt == NFT_DT_IFNAME) {
		g_string_append_printf(s, "\"%s\"", e->str);
		return;
	}
	if (dt == NFT_DT_IPV6) {
		nft_ip6_print_elem(s, e);
		return;
	}
	if (nft_dtype_bitmask(dt)) {
		/* the bits in value order, comma separated, as nft's bitmask type */
		bool first = true;
		for (const struct sym *t = syms(dt); t->name; t++)
			if (e->lo & t->v) {
				if (numeric)
					g_string_append_printf(s, "%s0x%x", first ? "" : ",", t->v);
				else
					g_string_append_printf(s, "%s%s", first ? "" : ",", t->name);
				first = false;
			}
		if (first)
			g_string_append_printf(s, "0x%x", e->lo);
		return;
	}
	/* a range of a payload field's symbolic type prints numerically */
	bool num = numeric || (e->range && (dt == NFT_DT_DSCP || dt == NFT_DT_ECN ||
					    dt == NFT_DT_ICMPCODE));
	if (num && e->range) {
		print_sym(s, dt, e->lo, true);
		g_string_append_c(s, '-');
		print_sym(s, dt, e->hi, true);
		return;
	}
	print_sym(s, dt, e->lo, numeric);
	if (e->plen >= 0)
		g_string_append_printf(s, "/%d", e->plen);
	else if (e->range) {
		g_string_append_c(s, '-');
		print_sym(s, dt, e->hi, numeric);
	}
}
