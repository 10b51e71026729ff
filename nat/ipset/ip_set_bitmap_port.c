/* ip_set_bitmap_port.c - bitmap:port: a range of TCP/UDP ports.
 *
 * Mirrors the kernel's ip_set_bitmap_port.c (the mandatory range, a port
 * outside it refused, kadt taking the port of TCP and UDP packets only:
 * ip_set_get_ip_port) and ipset 7.17's texts ("range F-L" header, members
 * in port order).
 *
 * Design: the elements are the generic ones with their port; the listing
 * sorts them as the bitmap's bit order would. The size in memory is Linux
 * 6.18's: the map (72), the bitmap in longs, the extensions per port.
 */
#include "nat/ipset/ip_set.h"

static int bitmap_port_parse(struct nf_ns *ns, const struct ip_set *set, const char *arg,
			     bool test, GArray *out, GString *err)
{
	(void)ns;
	uint8_t proto;
	uint16_t from, to;
	if (ip_set_parse_proto_port(arg, &proto, &from, &to, err))
		return 1;
	if (test)
		to = from;
	if (from < set->b->o.first || to > set->b->o.last) {
		g_string_assign(err, "Element is out of the range of the set");
		return 1;
	}
	for (uint32_t p = from; p <= to; p++) {
		struct ip_set_elem e = { .port = (uint16_t)p };
		g_array_append_val(out, e);
	}
	return 0;
}

static void bitmap_port_print(GString *o, const struct ip_set_elem *e)
{
	g_string_append_printf(o, "%u", e->port);
}

/* bitmap_port_kadt: TCP and UDP ports within the range */
static bool bitmap_port_kadt(const struct ip_set *set, const struct ip_set_pkt *p,
			     const struct ip_set_adt_opt *opt, struct ip_set_elem *e)
{
	uint8_t proto;
	uint16_t port;
	if (!ip_set_get_ip4_port(p, (opt->flags & 1) != 0, &port, &proto))
		return false;
	if (proto != 6 && proto != 17)
		return false;
	if (port < set->b->o.first || port > set->b->o.last)
		return false;
	e->port = port;
	return true;
}

static void bitmap_port_header(GString *o, const struct ip_set *set)
{
	const struct ip_set_create_opts *c = &set->b->o;
	g_string_append_printf(o, "range %u-%u", c->first, c->last);
	if (c->has_timeout)
		g_string_append_printf(o, " timeout %u", c->timeout);
	if (c->counters)
		g_string_append(o, " counters");
	if (c->comment)
		g_string_append(o, " comment");
}

static size_t bitmap_port_memsize(const struct ip_set *set)
{
	size_t elements = (size_t)set->b->o.last - set->b->o.first + 1;
	size_t dsize = set->b->o.has_timeout || set->b->o.counters || set->b->o.comment
		       ? ip_set_dsize(set, 0) : 0;
	return 72 + (elements + 63) / 64 * 8 + dsize * elements + set->b->ext_size;
}

const struct ip_set_type ip_set_bitmap_port = {
	.name = "bitmap:port", .revision = 3, .dimension = 1, .parse = bitmap_port_parse,
	.print = bitmap_port_print, .kadt = bitmap_port_kadt, .header = bitmap_port_header,
	.memsize = bitmap_port_memsize,
};
