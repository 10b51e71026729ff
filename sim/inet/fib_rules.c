/* fib_rules.c - policy routing: the rule list of `ip rule` and the routing
 * tables beside main (`ip route ... table T`).
 *
 * Mirrors net/core/fib_rules.c (fib_rules_lookup: the rules in priority
 * order, the first whose selector matches and whose table has a route
 * decides; fib_nl_newrule's default priority and its ordering of equal
 * priorities; fib_nl_delrule's matching of the given fields) and
 * net/ipv4/fib_rules.c (fib4_rule_match: from, to, fwmark/mask, iif, oif;
 * fib4_rule_action: a table without a route, or not there at all, lets the
 * walk go on). Design: a node that never ran `ip rule` or `ip route ...
 * table` has no struct fib_rules at all, and one whose rules are still the
 * three defaults has `custom` false; both take fib_lookup's short way, main
 * then default, as the kernel's fib_lookup does without
 * fib_has_custom_rules. The local table is not stored (route.c): ip.c
 * answers local destinations before any lookup, so rule 0 (`lookup local`)
 * and any rule pointing at table local find nothing here and the walk goes
 * on. Deliberate difference: deleting rule 0 does not stop local delivery.
 * Rules name their devices (iif, oif) and match by name, so a rule may
 * name a device that does not exist yet (iproute2's [detached]).
 */
#include <string.h>

#include "sim/inet/inet.h"

struct fib_extra_table {
	uint32_t id;
	GArray *routes;		/* struct route */
};

static void fib_rules_defaults(struct fib_rules *fr)
{
	static const struct fib_rule defaults[] = {
		{ .pref = 0, .table = RT_TABLE_LOCAL },
		{ .pref = 32766, .table = RT_TABLE_MAIN },
		{ .pref = 32767, .table = RT_TABLE_DEFAULT },
	};
	g_array_append_vals(fr->rules, defaults, G_N_ELEMENTS(defaults));
}

struct fib_rules *fib_rules_get(struct node *n)
{
	struct netns_ipv4 *net = n->ipv4;
	if (!net->rules) {
		net->rules = g_new0(struct fib_rules, 1);
		net->rules->rules = g_array_new(FALSE, TRUE, sizeof(struct fib_rule));
		net->rules->tables = g_array_new(FALSE, TRUE, sizeof(struct fib_extra_table));
		fib_rules_defaults(net->rules);
	}
	return net->rules;
}

void fib_rules_free(struct node *n)
{
	struct fib_rules *fr = n->ipv4->rules;
	if (!fr)
		return;
	for (unsigned i = 0; i < fr->tables->len; i++)
		g_array_free(g_array_index(fr->tables, struct fib_extra_table, i).routes, TRUE);
	g_array_free(fr->tables, TRUE);
	g_array_free(fr->rules, TRUE);
	g_free(fr);
	n->ipv4->rules = NULL;
}

/* fib_get_table / fib_new_table: main is the node's own array; another
 * table exists once a route was added to it (and stays when emptied). */
GArray *fib_table_routes(struct node *n, uint32_t id, bool create)
{
	if (id == RT_TABLE_MAIN)
		return n->ipv4->fib.routes;
	struct fib_rules *fr = create ? fib_rules_get(n) : n->ipv4->rules;
	if (!fr)
		return NULL;
	for (unsigned i = 0; i < fr->tables->len; i++) {
		struct fib_extra_table *t = &g_array_index(fr->tables, struct fib_extra_table, i);
		if (t->id == id)
			return t->routes;
	}
	if (!create)
		return NULL;
	struct fib_extra_table t = { .id = id,
				     .routes = g_array_new(FALSE, TRUE, sizeof(struct route)) };
	g_array_append_val(fr->tables, t);
	return t.routes;
}

/* Every table but main, for the device-down flush (route.c). */
void fib_tables_foreach(struct node *n, void (*fn)(struct node *, GArray *, void *), void *arg)
{
	const struct fib_rules *fr = n->ipv4->rules;
	for (unsigned i = 0; fr && i < fr->tables->len; i++)
		fn(n, g_array_index(fr->tables, struct fib_extra_table, i).routes, arg);
}

static inline uint32_t fib_mask(unsigned len)
{
	return len ? 0xffffffffu << (32 - len) : 0;
}

/* fib_rule_match + fib4_rule_match. The flow's iif is the device a packet
 * came in by, lo for one this node sends (ip_route_output_key_hash sets
 * LOOPBACK_IFINDEX); its oif the device a socket is bound to (none here). */
static bool fib_rule_match(const struct fib_rule *r, const struct flowi4 *fl)
{
	if (r->iif[0] && (!fl->iif || strcmp(r->iif, fl->iif) != 0))
		return false;
	if (r->oif[0] && (!fl->oif || strcmp(r->oif, fl->oif) != 0))
		return false;
	if ((r->mark ^ fl->mark) & r->mark_mask)
		return false;
	if ((fl->saddr ^ r->src) & fib_mask(r->src_len))
		return false;
	if ((fl->daddr ^ r->dst) & fib_mask(r->dst_len))
		return false;
	return true;
}

/* fib_lookup: with only the default rules, main then default (the kernel's
 * short way without fib_has_custom_rules); else fib_rules_lookup's walk. */
const struct route *fib_lookup(const struct node *n, const struct flowi4 *fl, uint32_t *table)
{
	const struct fib_rules *fr = n->ipv4->rules;
	const struct route *r;
	if (!fr || !fr->custom) {
		r = route_lookup(n, fl->daddr);
		if (table)
			*table = RT_TABLE_MAIN;
		if (r || !fr)
			return r;
		const GArray *dflt = fib_table_routes((struct node *)n, RT_TABLE_DEFAULT, false);
		if (table)
			*table = RT_TABLE_DEFAULT;
		return dflt ? route_table_lookup(n, dflt, fl->daddr) : NULL;
	}
	for (unsigned i = 0; i < fr->rules->len; i++) {
		const struct fib_rule *rule = &g_array_index(fr->rules, struct fib_rule, i);
		if (!fib_rule_match(rule, fl))
			continue;
		const GArray *routes = fib_table_routes((struct node *)n, rule->table, false);
		if (!routes)
			continue;	/* fib4_rule_action: no such table, -EAGAIN */
		r = route_table_lookup(n, routes, fl->daddr);
		if (r) {
			if (table)
				*table = rule->table;
			return r;
		}
	}
	return NULL;
}

/* fib_default_rule_pref: one below the second rule's priority (the first
 * is rule 0), 0 if there is none or it is 0. */
static uint32_t fib_default_rule_pref(const struct fib_rules *fr)
{
	if (fr->rules->len < 2)
		return 0;
	uint32_t pref = g_array_index(fr->rules, struct fib_rule, 1).pref;
	return pref ? pref - 1 : 0;
}

static bool fib_rule_same(const struct fib_rule *a, const struct fib_rule *b)
{
	return a->pref == b->pref && a->table == b->table && a->src == b->src &&
	       a->src_len == b->src_len && a->dst == b->dst && a->dst_len == b->dst_len &&
	       a->mark == b->mark && a->mark_mask == b->mark_mask &&
	       strcmp(a->iif, b->iif) == 0 && strcmp(a->oif, b->oif) == 0;
}

/* fib_nl_newrule: the default priority if none was given, -EEXIST for a
 * rule equal in every field (rule_exists), else inserted after the last
 * rule of a lower or equal priority. Any change makes the rules custom. */
int fib_rule_add(struct node *n, struct fib_rule *rule, bool has_pref)
{
	struct fib_rules *fr = fib_rules_get(n);
	if (!has_pref)
		rule->pref = fib_default_rule_pref(fr);
	unsigned at = 0;
	for (unsigned i = 0; i < fr->rules->len; i++) {
		const struct fib_rule *r = &g_array_index(fr->rules, struct fib_rule, i);
		if (fib_rule_same(r, rule))
			return -1;
		if (r->pref <= rule->pref)
			at = i + 1;
	}
	g_array_insert_val(fr->rules, at, *rule);
	fr->custom = true;
	return 0;
}

/* fib_nl_delrule: the first rule that matches every field given. */
int fib_rule_del(struct node *n, const struct fib_rule *key, unsigned given)
{
	struct fib_rules *fr = fib_rules_get(n);
	for (unsigned i = 0; i < fr->rules->len; i++) {
		const struct fib_rule *r = &g_array_index(fr->rules, struct fib_rule, i);
		if (((given & FIB_RULE_PREF) && r->pref != key->pref) ||
		    ((given & FIB_RULE_TABLE) && r->table != key->table) ||
		    ((given & FIB_RULE_SRC) && (r->src != key->src || r->src_len != key->src_len)) ||
		    ((given & FIB_RULE_DST) && (r->dst != key->dst || r->dst_len != key->dst_len)) ||
		    ((given & FIB_RULE_MARK) && (r->mark != key->mark || r->mark_mask != key->mark_mask)) ||
		    ((given & FIB_RULE_IIF) && strcmp(r->iif, key->iif) != 0) ||
		    ((given & FIB_RULE_OIF) && strcmp(r->oif, key->oif) != 0))
			continue;
		g_array_remove_index(fr->rules, i);
		fr->custom = true;
		return 0;
	}
	return -1;
}

/* `ip rule flush`: every rule but those of priority 0. */
void fib_rules_flush(struct node *n)
{
	struct fib_rules *fr = fib_rules_get(n);
	for (unsigned i = fr->rules->len; i-- > 0;)
		if (g_array_index(fr->rules, struct fib_rule, i).pref != 0)
			g_array_remove_index(fr->rules, i);
	fr->custom = true;
}
