/* xt_NETMAP.c - `-j NETMAP --to ADDR[/MASK]`: map a whole network 1:1.
 *
 * Mirrors libxt_NETMAP.c (XTTYPE_HOSTMASK, kept as the range it makes:
 * min = ADDR & MASK, max = min | ~MASK; printed as "to:NET/BITS") and the
 * kernel's net/netfilter/xt_NETMAP.c netmap_tg4 (nat table, all four NAT
 * hooks; PREROUTING and OUTPUT rewrite the destination, POSTROUTING and
 * INPUT the source: the address keeps its host bits and takes the
 * network's, then nf_nat_setup_info binds it as a one-address range).
 *
 * Design: the ADDR and MASK words are read as iptables 1.8.9 reads them,
 * recorded in a namespace: ADDR through getaddrinfo (inet_aton's forms:
 * "1.2.3" is 1.2.0.3, "10" 0.0.0.10, hex and octal parts), MASK first as a
 * prefix length (strtoul base 0: "+8", "0x10", " 8"), else as an address;
 * a mask that is not contiguous ("255.0.255.0", "33" read as 0.0.0.33)
 * leaves the address whole (/32). Names are not resolved, but for
 * "localhost" (/etc/hosts): natsim says so.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nat/iptables/xt.h"

struct xt_netmap {
	uint32_t min_ip, max_ip;	/* host order */
	bool to_given;
};

enum { O_TO };

static const struct xt_option netmap_opts[] = {
	{ "to", 1, O_TO }, { NULL, 0, 0 },
};

/* One part of inet_aton: decimal, 0x hex or 0 octal. */
static bool aton_part(const char *s, const char **end, unsigned long *v)
{
	if (!isdigit((unsigned char)*s))
		return false;
	char *e;
	errno = 0;
	*v = strtoul(s, &e, 0);
	if (errno || e == s)
		return false;
	*end = e;
	return true;
}

/* inet_aton (what getaddrinfo with AI_NUMERICHOST accepts for IPv4): a.b.c.d,
 * a.b.c (c 16 bits), a.b (b 24 bits), a (32 bits). */
static bool netmap_aton(const char *s, uint32_t *out)
{
	unsigned long part[4];
	int n = 0;
	const char *p = s;
	for (;;) {
		if (n == 4 || !aton_part(p, &p, &part[n]))
			return false;
		n++;
		if (*p == '.') {
			p++;
			continue;
		}
		if (*p)
			return false;
		break;
	}
	unsigned long last = part[n - 1], lim = n == 1 ? 0xffffffffUL : 0xffffffffUL >> (8 * (n - 1));
	if (last > lim)
		return false;
	uint32_t a = (uint32_t)last;
	for (int i = 0; i < n - 1; i++) {
		if (part[i] > 255)
			return false;
		a |= (uint32_t)part[i] << (24 - 8 * i);
	}
	*out = a;
	return true;
}

/* The prefix length of a contiguous mask, or -1. */
static int netmap_bits(uint32_t mask)
{
	int bits = 0;
	while (bits < 32 && (mask & (0x80000000u >> bits)))
		bits++;
	return (bits == 32 ? 0xffffffffu : ~(0xffffffffu >> bits)) == mask ? bits : -1;
}

bool xt_plenmask_parse(const char *s, uint32_t *mask, bool *contiguous)
{
	unsigned long bits;
	uint32_t a;
	bool contig = true;
	if (xt_strtoul0(s, 32, &bits))
		*mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
	else if (netmap_aton(s, &a))
		*mask = (contig = netmap_bits(a) >= 0) ? a : 0xffffffffu;
	else
		return false;
	if (contiguous)
		*contiguous = contig;
	return true;
}

/* xtopt_parse_hostmask for --to. */
static int netmap_parse_to(struct xt_parse *p, const char *arg, struct xt_netmap *m)
{
	char buf[128];
	g_strlcpy(buf, arg, sizeof(buf));
	char *slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	uint32_t addr, mask = 0xffffffffu;
	if (strcmp(buf, "localhost") == 0)
		addr = 0x7f000001u;
	else if (!netmap_aton(buf, &addr))
		return xt_unimpl(p->msg, "NETMAP --to %s: host names are not resolved (an "
				 "address, e.g. 10.1.0.0/16)", buf);
	if (slash && !xt_plenmask_parse(slash, &mask, NULL))
		return xt_err(p, "NETMAP: bad value for option \"--to\", neither a valid "
			      "network mask nor valid CIDR (0-32).\n");
	m->min_ip = addr & mask;
	m->max_ip = m->min_ip | ~mask;
	return 0;
}

static int netmap_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_netmap *m = data;
	(void)id;
	int rc = xt_noinvert(p, "to");
	if (!rc)
		rc = xt_once(p, "to", O_TO);
	if (!rc)
		rc = netmap_parse_to(p, arg, m);
	m->to_given = true;
	return rc;
}

static int netmap_final_check(struct xt_parse *p, const void *data)
{
	const struct xt_netmap *m = data;
	if (!m->to_given)
		return xt_err(p, "NETMAP: option \"--to\" must be specified\n");
	return 0;
}

/* __netmap_print: NET/BITS, or NET/MASK when not contiguous. */
static void netmap_range(GString *o, const struct xt_netmap *m)
{
	uint32_t mask = ~(m->min_ip ^ m->max_ip);
	g_string_append_printf(o, "%u.%u.%u.%u", m->min_ip >> 24, (m->min_ip >> 16) & 255,
			       (m->min_ip >> 8) & 255, m->min_ip & 255);
	int bits = netmap_bits(mask);
	if (bits < 0)
		g_string_append_printf(o, "/%u.%u.%u.%u", mask >> 24, (mask >> 16) & 255,
				       (mask >> 8) & 255, mask & 255);
	else
		g_string_append_printf(o, "/%d", bits);
}

static void netmap_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	(void)proto;
	(void)numeric;
	g_string_append(o, " to:");
	netmap_range(o, data);
}

static void netmap_save(GString *o, const void *data)
{
	g_string_append(o, " --to ");
	netmap_range(o, data);
}

/* netmap_tg4: the packet's address with the network bits of the map. */
static unsigned netmap_tg(struct xt_action_param *par, const void *data)
{
	const struct xt_netmap *m = data;
	if (!par->skb->ct)
		return NF_ACCEPT;
	uint32_t netmask = ~(m->min_ip ^ m->max_ip);
	bool dst = par->hook == NF_INET_PRE_ROUTING || par->hook == NF_INET_LOCAL_OUT;
	uint32_t new_ip = ((dst ? par->pkt->dst : par->pkt->src) & ~netmask) | (m->min_ip & netmask);
	struct nf_nat_range2 range = { .flags = NF_NAT_RANGE_MAP_IPS };
	range.min_addr.ip = new_ip;
	range.max_addr.ip = new_ip;
	return xt_nat_verdict(par, nat_setup_info(par->ns, par->skb->ct, &range,
						  nat_hook_manip(par->hook), par->now));
}

const struct xt_ops xt_NETMAP_ops = {
	.name = "NETMAP", .kind = XT_TARGET, .size = sizeof(struct xt_netmap),
	.opts = netmap_opts, .parse = netmap_parse, .final_check = netmap_final_check,
	.print = netmap_print, .save = netmap_save,
	.no_xlate = true,	/* libxt_NETMAP has no xlate: the rule is a comment */
	.target = netmap_tg, .table = "nat",
	.hooks = 1u << NF_INET_PRE_ROUTING | 1u << NF_INET_POST_ROUTING |
		 1u << NF_INET_LOCAL_OUT | 1u << NF_INET_LOCAL_IN,
	.verdict = IPT_T_EXT,
};
