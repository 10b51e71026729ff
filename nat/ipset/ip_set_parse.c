/* ip_set_parse.c - the element parts every set type reads and prints:
 * addresses, ranges and prefixes, [proto:]port with ICMP names, and a
 * packet's port.
 *
 * Mirrors ipset 7.17's lib/parse.c (ipset_parse_ip, ipset_parse_proto_port,
 * ipset_parse_icmp with the names of lib/icmp.c, their messages) and the
 * kernel's ip_set_getport.c (ip_set_get_ip4_port: the port of TCP, UDP,
 * SCTP and UDP-Lite, ICMP's type << 8 | code, no port for a non-first
 * fragment).
 *
 * Design: messages are ipset's without the "ipset v7.17: " prefix, which
 * the command adds; numbers are host order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nat/core/nf_inet.h"
#include "nat/ipset/ip_set.h"

/* lib/icmp.c's names; the first of a type/code is the one printed */
static const struct {
	const char *name;
	uint8_t type, code;
} ip_set_icmp_names[] = {
	{ "echo-reply", 0, 0 }, { "pong", 0, 0 },
	{ "network-unreachable", 3, 0 }, { "host-unreachable", 3, 1 },
	{ "protocol-unreachable", 3, 2 }, { "port-unreachable", 3, 3 },
	{ "fragmentation-needed", 3, 4 }, { "source-route-failed", 3, 5 },
	{ "network-unknown", 3, 6 }, { "host-unknown", 3, 7 },
	{ "network-prohibited", 3, 9 }, { "host-prohibited", 3, 10 },
	{ "TOS-network-unreachable", 3, 11 }, { "TOS-host-unreachable", 3, 12 },
	{ "communication-prohibited", 3, 13 }, { "host-precedence-violation", 3, 14 },
	{ "precedence-cutoff", 3, 15 }, { "source-quench", 4, 0 },
	{ "network-redirect", 5, 0 }, { "host-redirect", 5, 1 },
	{ "TOS-network-redirect", 5, 2 }, { "TOS-host-redirect", 5, 3 },
	{ "echo-request", 8, 0 }, { "ping", 8, 0 },
	{ "router-advertisement", 9, 0 }, { "router-solicitation", 10, 0 },
	{ "ttl-zero-during-transit", 11, 0 }, { "ttl-zero-during-reassembly", 11, 1 },
	{ "ip-header-bad", 12, 0 }, { "required-option-missing", 12, 1 },
	{ "timestamp-request", 13, 0 }, { "timestamp-reply", 14, 0 },
	{ "address-mask-request", 17, 0 }, { "address-mask-reply", 18, 0 },
};

/* /etc/protocols names ipset may print (getprotobynumber) */
static const struct {
	const char *name;
	uint8_t num;
} ip_set_protos[] = {
	{ "icmp", 1 }, { "igmp", 2 }, { "tcp", 6 }, { "udp", 17 }, { "gre", 47 }, { "esp", 50 },
	{ "ah", 51 }, { "sctp", 132 }, { "udplite", 136 },
};

bool ip_set_parse_ip(const char *s, uint32_t *out)
{
	return *s && nf_inet_aton(s, out);
}

static int ip_set_ip_err(const char *s, GString *err)
{
	g_string_printf(err, "Syntax error: cannot parse %s: resolving to IPv4 address failed", s);
	return 1;
}

/* ipset_parse_ip / ipset_parse_ipnet: "IP", "IP/CIDR", "IP-IP" */
int ip_set_parse_ip_range(const char *s, bool cidr_ok, uint32_t *from, uint32_t *to,
			  uint8_t *cidr, bool *has_cidr, GString *err)
{
	*has_cidr = false;
	*cidr = 32;
	char *copy = g_strdup(s);
	char *slash = cidr_ok ? strchr(copy, '/') : NULL;
	char *dash = strchr(copy, '-');
	int rc = 0;
	if (slash) {
		*slash = '\0';
		char *end;
		errno = 0;
		unsigned long c = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end || errno) {
			g_string_printf(err, "Syntax error: '%s' is invalid as number", slash + 1);
			rc = 1;
		} else if (c > 32) {
			g_string_printf(err, "Syntax error: '%s' is out of range 0-32", slash + 1);
			rc = 1;
		} else if (!ip_set_parse_ip(copy, from)) {
			rc = ip_set_ip_err(copy, err);
		} else {
			*cidr = (uint8_t)c;
			*has_cidr = true;
			uint32_t mask = c ? 0xffffffffu << (32 - c) : 0;
			*from &= mask;
			*to = *from | ~mask;
		}
	} else if (dash) {
		*dash = '\0';
		if (!ip_set_parse_ip(copy, from))
			rc = ip_set_ip_err(copy, err);
		else if (!ip_set_parse_ip(dash + 1, to))
			rc = ip_set_ip_err(dash + 1, err);
		else if (*to < *from) {
			uint32_t t = *to;
			*to = *from;
			*from = t;
		}
	} else if (!ip_set_parse_ip(copy, from)) {
		rc = ip_set_ip_err(copy, err);
	} else {
		*to = *from;
	}
	g_free(copy);
	return rc;
}

static bool ip_set_has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132 || proto == 136;
}

static int ip_set_parse_port(const char *s, uint8_t proto, uint16_t *out, GString *err)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (*s && !*end && !errno && v <= 65535) {
		*out = (uint16_t)v;
		return 0;
	}
	(void)proto;
	g_string_printf(err, "Syntax error: cannot parse '%s' as a %s port", s,
			proto == 17 ? "udp" : "tcp");
	return 1;
}

/* ipset_parse_proto_port: [PROTO:]PORT[-PORT], PROTO:0 for protocols
 * without ports, icmp:NAME or icmp:TYPE/CODE */
int ip_set_parse_proto_port(const char *s, uint8_t *proto, uint16_t *from, uint16_t *to,
			    GString *err)
{
	const char *colon = strchr(s, ':');
	const char *port = s;
	*proto = 6;
	if (colon) {
		char *pname = g_strndup(s, (size_t)(colon - s));
		port = colon + 1;
		bool found = false;
		for (unsigned i = 0; i < G_N_ELEMENTS(ip_set_protos); i++)
			if (strcmp(ip_set_protos[i].name, pname) == 0) {
				*proto = ip_set_protos[i].num;
				found = true;
			}
		char *end;
		unsigned long v = strtoul(pname, &end, 10);
		if (!found && *pname && !*end && v <= 255) {
			*proto = (uint8_t)v;
			found = true;
		}
		if (!found)
			g_string_printf(err, "Syntax error: cannot parse '%s' as a protocol", pname);
		g_free(pname);
		if (!found)
			return 1;
	}
	if (*proto == 1) {
		for (unsigned i = 0; i < G_N_ELEMENTS(ip_set_icmp_names); i++)
			if (g_ascii_strcasecmp(ip_set_icmp_names[i].name, port) == 0) {
				*from = *to = (uint16_t)(ip_set_icmp_names[i].type << 8 |
							 ip_set_icmp_names[i].code);
				return 0;
			}
		unsigned t, c;
		char tail;
		if (sscanf(port, "%u/%u%c", &t, &c, &tail) == 2 && t <= 255 && c <= 255) {
			*from = *to = (uint16_t)(t << 8 | c);
			return 0;
		}
		g_string_printf(err, "Syntax error: cannot parse %s as ICMP type/code", port);
		return 1;
	}
	if (!ip_set_has_ports(*proto)) {
		if (strcmp(port, "0") != 0) {
			g_string_printf(err, "Syntax error: cannot parse '%s' as a protocol port", port);
			return 1;
		}
		*from = *to = 0;
		return 0;
	}
	const char *dash = strchr(port, '-');
	if (!dash)
		return ip_set_parse_port(port, *proto, from, err) ||
		       ((*to = *from), 0);
	char *a = g_strndup(port, (size_t)(dash - port));
	int rc = ip_set_parse_port(a, *proto, from, err) || ip_set_parse_port(dash + 1, *proto, to, err);
	g_free(a);
	if (!rc && *to < *from) {
		uint16_t t = *to;
		*to = *from;
		*from = t;
	}
	return rc;
}

/* ipset_print_proto_port: tcp:80, icmp:echo-request, gre:0, 99:0 */
void ip_set_print_proto_port(GString *o, uint8_t proto, uint16_t port)
{
	const char *pname = NULL;
	for (unsigned i = 0; i < G_N_ELEMENTS(ip_set_protos); i++)
		if (ip_set_protos[i].num == proto)
			pname = ip_set_protos[i].name;
	if (pname)
		g_string_append_printf(o, "%s:", pname);
	else
		g_string_append_printf(o, "%u:", proto);
	if (proto == 1) {
		for (unsigned i = 0; i < G_N_ELEMENTS(ip_set_icmp_names); i++)
			if ((ip_set_icmp_names[i].type << 8 | ip_set_icmp_names[i].code) == port) {
				g_string_append(o, ip_set_icmp_names[i].name);
				return;
			}
		g_string_append_printf(o, "%u/%u", port >> 8, port & 0xff);
		return;
	}
	g_string_append_printf(o, "%u", port);
}

bool ip_set_get_ip4_port(const struct ip_set_pkt *p, bool src, uint16_t *port, uint8_t *proto)
{
	if (!p->proto)
		return false;
	bool ports = ip_set_has_ports(p->proto);
	if (p->frag) {
		if (ports || p->proto == 1)
			return false;
		*proto = p->proto;
		*port = 0;
		return true;
	}
	*proto = p->proto;
	*port = 0;
	if (ports) {
		if (!p->l4 || p->l4len < 4)
			return false;
		const uint8_t *q = p->l4 + (src ? 0 : 2);
		*port = (uint16_t)(q[0] << 8 | q[1]);
	} else if (p->proto == 1) {
		if (!p->l4 || p->l4len < 2)
			return false;
		*port = (uint16_t)(p->l4[0] << 8 | p->l4[1]);
	}
	return true;
}
