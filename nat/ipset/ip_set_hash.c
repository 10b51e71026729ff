/* ip_set_hash.c - the hash family: hash:ip, hash:net, hash:ip,port,
 * hash:net,port, hash:net,iface.
 *
 * Mirrors the kernel's ip_set_hash_ip.c, _net.c, _ipport.c, _netport.c,
 * _netiface.c (their uadt: ranges and prefixes expand into elements, /0
 * refused; their kadt: the packet's address and port or interface by the
 * src/dst flags) over ip_set_hash_gen.h's header (family, hashsize rounded
 * to a power of two, maxelem, the extensions, bucketsize 12, initval) and
 * ipset 7.17's element texts.
 *
 * Design: one table of types sharing the parse and print helpers; the
 * size in memory is the Linux 6.18 figure of a set whose elements each
 * have their own bucket (a bucket of two slots per element, measured with
 * ipset 7.17: 216 bytes empty for hash:ip, +40 an element). Linux's own
 * figure depends on collisions under the random initval, so it is not
 * stable there either once elements share buckets.
 */
#include <string.h>

#include "nat/ipset/ip_set.h"

/* An expansion larger than this is refused rather than built. */
#define IP_SET_MAX_EXPAND 65537u

static int ip_set_too_many(GString *err)
{
	g_string_assign(err, "natsim: an ipset range of more than 65536 elements is not implemented");
	return 1;
}

/* "A,B" into its two parts, ipset's message when B is missing */
static int ip_set_split2(const char *arg, char **a, char **b, GString *err)
{
	const char *comma = strchr(arg, ',');
	if (!comma) {
		g_string_printf(err, "Syntax error: Second element is missing from %s.", arg);
		return 1;
	}
	*a = g_strndup(arg, (size_t)(comma - arg));
	*b = g_strdup(comma + 1);
	return 0;
}

/* ip_set_range_to_cidr: the largest aligned prefix from `from` within `to` */
static uint8_t ip_set_range_cidr(uint32_t from, uint32_t to, uint32_t *last)
{
	for (uint8_t c = 1; c <= 32; c++) {
		uint32_t mask = 0xffffffffu << (32 - c);
		uint32_t end = from | ~mask;
		if ((from & mask) == from && end <= to) {
			*last = end;
			return c;
		}
	}
	*last = from;
	return 32;
}

/* The addresses (hash:ip*) or prefixes (hash:net*) an address part means:
 * each into `out` with the template's other fields. */
static int ip_set_expand_ip(const struct ip_set_type *t, const char *s, bool test,
			    const struct ip_set_elem *tmpl, GArray *out, GString *err)
{
	uint32_t from, to;
	uint8_t cidr;
	bool has_cidr;
	if (ip_set_parse_ip_range(s, true, &from, &to, &cidr, &has_cidr, err))
		return 1;
	if (has_cidr && cidr == 0) {
		g_string_assign(err, "The value of the CIDR parameter of the IP address is invalid");
		return 1;
	}
	struct ip_set_elem e = *tmpl;
	if (t->nets) {
		if (has_cidr || from == to || test) {
			e.ip = from;
			e.cidr = has_cidr ? cidr : 32;
			g_array_append_val(out, e);
			return 0;
		}
		for (uint64_t ip = from; ip <= to;) {
			uint32_t last;
			e.ip = (uint32_t)ip;
			e.cidr = ip_set_range_cidr((uint32_t)ip, to, &last);
			g_array_append_val(out, e);
			if (out->len > IP_SET_MAX_EXPAND)
				return ip_set_too_many(err);
			ip = (uint64_t)last + 1;
		}
		return 0;
	}
	if (test)
		to = from;
	if ((uint64_t)to - from >= IP_SET_MAX_EXPAND)
		return ip_set_too_many(err);
	for (uint64_t ip = from; ip <= to; ip++) {
		e.ip = (uint32_t)ip;
		g_array_append_val(out, e);
	}
	return 0;
}

static int hash_ip_parse(struct nf_ns *ns, const struct ip_set *set, const char *arg, bool test,
			 GArray *out, GString *err)
{
	(void)ns;
	struct ip_set_elem e = { 0 };
	return ip_set_expand_ip(set->b->type, arg, test, &e, out, err);
}

/* NET-or-IP,[proto:]port[-port]: every address (prefix) with every port */
static int hash_port_parse(struct nf_ns *ns, const struct ip_set *set, const char *arg, bool test,
			   GArray *out, GString *err)
{
	(void)ns;
	char *a, *b;
	if (ip_set_split2(arg, &a, &b, err))
		return 1;
	struct ip_set_elem e = { 0 };
	uint16_t pfrom, pto;
	GArray *ips = g_array_new(FALSE, TRUE, sizeof(struct ip_set_elem));
	int rc = ip_set_expand_ip(set->b->type, a, test, &e, ips, err);
	if (!rc)
		rc = ip_set_parse_proto_port(b, &e.proto, &pfrom, &pto, err);
	if (!rc && test)
		pto = pfrom;
	if (!rc && (uint64_t)ips->len * (pto - pfrom + 1u) > IP_SET_MAX_EXPAND)
		rc = ip_set_too_many(err);
	for (unsigned i = 0; !rc && i < ips->len; i++)
		for (uint32_t p = pfrom; p <= pto; p++) {
			struct ip_set_elem x = g_array_index(ips, struct ip_set_elem, i);
			x.proto = e.proto;
			x.port = (uint16_t)p;
			g_array_append_val(out, x);
		}
	g_array_free(ips, TRUE);
	g_free(a);
	g_free(b);
	return rc;
}

static int hash_netiface_parse(struct nf_ns *ns, const struct ip_set *set, const char *arg,
			       bool test, GArray *out, GString *err)
{
	(void)ns;
	char *a, *b;
	if (ip_set_split2(arg, &a, &b, err))
		return 1;
	struct ip_set_elem e = { 0 };
	const char *ifname = b;
	if (g_str_has_prefix(b, "physdev:")) {
		e.physdev = true;
		ifname = b + strlen("physdev:");
	}
	int rc = 0;
	if (!*ifname || strlen(ifname) >= sizeof(e.iface)) {
		g_string_printf(err, "Syntax error: Invalid interface name: %s", ifname);
		rc = 1;
	} else {
		g_strlcpy(e.iface, ifname, sizeof(e.iface));
		rc = ip_set_expand_ip(set->b->type, a, test, &e, out, err);
	}
	g_free(a);
	g_free(b);
	return rc;
}

static void ip_set_print_ip(GString *o, uint32_t a)
{
	g_string_append_printf(o, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

/* hash:net* print the prefix unless it is a host (/32) */
static void ip_set_print_net(GString *o, const struct ip_set_elem *e)
{
	ip_set_print_ip(o, e->ip);
	if (e->cidr != 32)
		g_string_append_printf(o, "/%u", e->cidr);
}

static void hash_ip_print(GString *o, const struct ip_set_elem *e)
{
	ip_set_print_ip(o, e->ip);
}

static void hash_net_print(GString *o, const struct ip_set_elem *e)
{
	ip_set_print_net(o, e);
}

static void hash_ipport_print(GString *o, const struct ip_set_elem *e)
{
	ip_set_print_ip(o, e->ip);
	g_string_append_c(o, ',');
	ip_set_print_proto_port(o, e->proto, e->port);
}

static void hash_netport_print(GString *o, const struct ip_set_elem *e)
{
	ip_set_print_net(o, e);
	g_string_append_c(o, ',');
	ip_set_print_proto_port(o, e->proto, e->port);
}

static void hash_netiface_print(GString *o, const struct ip_set_elem *e)
{
	ip_set_print_net(o, e);
	g_string_append_printf(o, ",%s%s", e->physdev ? "physdev:" : "", e->iface);
}

/* kadt: dimension one is the address (IPSET_DIM_ONE_SRC: the source) */
static bool hash_ip_kadt(const struct ip_set *set, const struct ip_set_pkt *p,
			 const struct ip_set_adt_opt *opt, struct ip_set_elem *e)
{
	(void)set;
	e->ip = (opt->flags & 1) ? p->src : p->dst;
	e->cidr = set->b->type->nets ? 32 : 0;
	return true;
}

static bool hash_port_kadt(const struct ip_set *set, const struct ip_set_pkt *p,
			   const struct ip_set_adt_opt *opt, struct ip_set_elem *e)
{
	hash_ip_kadt(set, p, opt, e);
	return ip_set_get_ip4_port(p, (opt->flags & 2) != 0, &e->port, &e->proto);
}

/* hash_netiface4_kadt: the input device for src, the output one for dst */
static bool hash_netiface_kadt(const struct ip_set *set, const struct ip_set_pkt *p,
			       const struct ip_set_adt_opt *opt, struct ip_set_elem *e)
{
	hash_ip_kadt(set, p, opt, e);
	const char *dev = (opt->flags & 2) ? p->in : p->out;
	if (!dev)
		return false;
	g_strlcpy(e->iface, dev, sizeof(e->iface));
	return true;
}

static void hash_header(GString *o, const struct ip_set *set)
{
	const struct ip_set_create_opts *c = &set->b->o;
	g_string_append_printf(o, "family %s hashsize %u maxelem %u", c->inet6 ? "inet6" : "inet",
			       c->hashsize, c->maxelem);
	if (c->has_timeout)
		g_string_append_printf(o, " timeout %u", c->timeout);
	if (c->counters)
		g_string_append(o, " counters");
	if (c->comment)
		g_string_append(o, " comment");
	g_string_append_printf(o, " bucketsize %u initval 0x%08x", c->bucketsize, set->b->initval);
}

/* mtype_head's memsize on Linux 6.18: the type's tables, one region of
 * locks per 1024 buckets, a two-slot bucket per element, the comments */
static size_t hash_memsize_of(const struct ip_set *set, size_t base, size_t elem)
{
	size_t regions = set->b->o.hashsize >> 10;
	if (regions < 1)
		regions = 1;
	size_t slot = ip_set_dsize(set, elem);
	if (set->b->o.inet6)
		base += 8;
	return base + 24 * regions + set->b->elems->len * (32 + 2 * slot) + set->b->ext_size;
}

static size_t hash_ip_memsize(const struct ip_set *set)
{
	return hash_memsize_of(set, 192, 4);
}

static size_t hash_ipport_memsize(const struct ip_set *set)
{
	return hash_memsize_of(set, 192, 8);
}

static size_t hash_net_memsize(const struct ip_set *set)
{
	return hash_memsize_of(set, 432, 8);
}

static size_t hash_netiface_memsize(const struct ip_set *set)
{
	return hash_memsize_of(set, 464, 28);
}

const struct ip_set_type ip_set_hash_ip = {
	.name = "hash:ip", .revision = 6, .dimension = 1, .parse = hash_ip_parse,
	.print = hash_ip_print, .kadt = hash_ip_kadt, .header = hash_header,
	.memsize = hash_ip_memsize, .hash = true,
};

const struct ip_set_type ip_set_hash_net = {
	.name = "hash:net", .revision = 7, .dimension = 1, .parse = hash_ip_parse,
	.print = hash_net_print, .kadt = hash_ip_kadt, .header = hash_header,
	.memsize = hash_net_memsize, .hash = true, .nets = true,
};

const struct ip_set_type ip_set_hash_ipport = {
	.name = "hash:ip,port", .revision = 7, .dimension = 2, .parse = hash_port_parse,
	.print = hash_ipport_print, .kadt = hash_port_kadt, .header = hash_header,
	.memsize = hash_ipport_memsize, .hash = true,
};

const struct ip_set_type ip_set_hash_netport = {
	.name = "hash:net,port", .revision = 8, .dimension = 2, .parse = hash_port_parse,
	.print = hash_netport_print, .kadt = hash_port_kadt, .header = hash_header,
	.memsize = hash_net_memsize, .hash = true, .nets = true,
};

const struct ip_set_type ip_set_hash_netiface = {
	.name = "hash:net,iface", .revision = 8, .dimension = 2, .parse = hash_netiface_parse,
	.print = hash_netiface_print, .kadt = hash_netiface_kadt, .header = hash_header,
	.memsize = hash_netiface_memsize, .hash = true, .nets = true,
};
