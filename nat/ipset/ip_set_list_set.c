/* ip_set_list_set.c - list:set: an ordered list of other sets.
 *
 * Mirrors the kernel's ip_set_list_set.c: members are sets, each holding a
 * reference (so a member cannot be destroyed), at most `size` of them; a
 * packet is tested against the members in order (list_set_ktest), added
 * to the first that takes it. ipset 7.17's texts: "size N" header, the
 * member names.
 *
 * Design: the kernel-side walk is in ip_set_core.c with the other lookups;
 * this file is the type's texts. `before`/`after` placement is not
 * implemented (refused in natsim's voice by the command).
 */
#include "nat/ipset/ip_set.h"

static int list_set_parse(struct nf_ns *ns, const struct ip_set *set, const char *arg, bool test,
			  GArray *out, GString *err)
{
	(void)set;
	struct ip_set_elem e = { 0 };
	e.member = ip_set_lookup(ns, arg);
	if (!e.member && !test) {
		g_string_assign(err, "Set to be added/deleted/tested as element does not exist.");
		return 1;
	}
	if (e.member && e.member->b->type->list) {
		g_string_assign(err, "natsim: a list:set inside a list:set is not implemented");
		return 1;
	}
	g_array_append_val(out, e);
	return 0;
}

static void list_set_print(GString *o, const struct ip_set_elem *e)
{
	g_string_append(o, e->member->name);
}

static void list_set_header(GString *o, const struct ip_set *set)
{
	const struct ip_set_create_opts *c = &set->b->o;
	g_string_append_printf(o, "size %u", c->size);
	if (c->has_timeout)
		g_string_append_printf(o, " timeout %u", c->timeout);
	if (c->counters)
		g_string_append(o, " counters");
	if (c->comment)
		g_string_append(o, " comment");
}

/* list_set_head on Linux 6.18: the map, then a set_elem per member */
static size_t list_set_memsize(const struct ip_set *set)
{
	const struct ip_set_create_opts *c = &set->b->o;
	size_t per = 48 + (c->has_timeout ? 8 : 0) + (c->counters ? 16 : 0) + (c->comment ? 8 : 0);
	return 80 + set->b->elems->len * per + set->b->ext_size;
}

const struct ip_set_type ip_set_list_set = {
	.name = "list:set", .revision = 3, .dimension = 1, .parse = list_set_parse,
	.print = list_set_print, .header = list_set_header, .memsize = list_set_memsize,
	.list = true,
};
