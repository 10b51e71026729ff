/* test_fib_rules.c - sim/inet/fib_rules.c: default priorities and their
 * order, the walk past tables that are missing or have no route, each
 * selector (from, to, fwmark/mask, iif, oif), deletion of the first match,
 * flush, and the short way while the rules are the defaults. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "sim/inet/inet.h"

static uint32_t A(unsigned a, unsigned b, unsigned c, unsigned d)
{
	return a << 24 | b << 16 | c << 8 | d;
}

static struct iface *mkif(struct node *n, const char *name, uint32_t addr)
{
	struct iface *ifc = g_new0(struct iface, 1);
	g_strlcpy(ifc->name, name, sizeof ifc->name);
	ifc->node = n;
	ifc->up = true;
	ifc->mtu = 1500;
	ifc->addrs[0].addr = addr;
	ifc->addrs[0].plen = 24;
	ifc->naddrs = 1;
	g_ptr_array_add(n->ifaces, ifc);
	route_add_connected(n, ifc, addr, 24);
	return ifc;
}

static void addroute(struct node *n, uint32_t table, uint32_t prefix, uint8_t plen, uint32_t gw,
		     struct iface *dev)
{
	struct route r = { .prefix = prefix, .plen = plen, .gw = gw, .dev = dev };
	g_array_append_val(fib_table_routes(n, table, true), r);
}

/* The device flow fl leaves by, NULL without a route; *table its table. */
static const struct iface *out(const struct node *n, struct flowi4 fl, uint32_t *table)
{
	const struct route *r = fib_lookup(n, &fl, table);
	return r ? route_out_dev(n, r) : NULL;
}

static struct fib_rule rule(uint32_t table)
{
	struct fib_rule r;
	memset(&r, 0, sizeof r);
	r.table = table;
	return r;
}

int main(void)
{
	struct node n = { 0 };
	g_strlcpy(n.name, "r1", sizeof n.name);
	n.kind = NODE_ROUTER;
	n.ifaces = g_ptr_array_new();
	struct netns_ipv4 net = { 0 };
	n.ipv4 = &net;
	net.fib.routes = g_array_new(FALSE, TRUE, sizeof(struct route));
	struct iface *eth0 = mkif(&n, "eth0", A(10, 1, 0, 2));
	struct iface *eth1 = mkif(&n, "eth1", A(10, 2, 0, 2));
	uint32_t t;
	const uint32_t far = A(198, 51, 100, 7);

	addroute(&n, RT_TABLE_MAIN, 0, 0, A(10, 1, 0, 1), eth0);
	/* table 100 alone is not looked at: the default rules, main first */
	addroute(&n, 100, 0, 0, A(10, 2, 0, 1), eth1);
	assert(n.ipv4->rules && !n.ipv4->rules->custom);
	assert(out(&n, (struct flowi4){ .daddr = far, .mark = 1, .iif = "lo" }, &t) == eth0);
	assert(t == RT_TABLE_MAIN);
	/* ... and table default after main: only where main has no route */
	addroute(&n, RT_TABLE_DEFAULT, A(203, 0, 113, 0), 24, A(10, 2, 0, 1), eth1);
	assert(out(&n, (struct flowi4){ .daddr = A(203, 0, 113, 1) }, &t) == eth0);

	/* fwmark 1 -> 100, priority 32765 (one below main's) */
	struct fib_rule r = rule(100);
	r.mark = 1;
	r.mark_mask = 0xffffffffu;
	assert(fib_rule_add(&n, &r, false) == 0 && r.pref == 32765);
	assert(fib_rule_add(&n, &r, true) < 0);	/* the same rule: EEXIST */
	assert(n.ipv4->rules->custom);
	assert(out(&n, (struct flowi4){ .daddr = far, .mark = 1, .iif = "lo" }, &t) == eth1);
	assert(t == 100);
	assert(out(&n, (struct flowi4){ .daddr = far, .mark = 3, .iif = "lo" }, &t) == eth0);

	/* a masked mark: bit 2 */
	r = rule(100);
	r.mark = 4;
	r.mark_mask = 4;
	r.pref = 200;
	assert(fib_rule_add(&n, &r, true) == 0);
	assert(out(&n, (struct flowi4){ .daddr = far, .mark = 6 }, NULL) == eth1);
	assert(out(&n, (struct flowi4){ .daddr = far, .mark = 2 }, NULL) == eth0);

	/* a table that does not exist, then one without a route for far:
	 * the walk goes on to main */
	r = rule(55);
	r.pref = 10;
	assert(fib_rule_add(&n, &r, true) == 0);
	addroute(&n, 101, A(192, 0, 2, 0), 24, A(10, 2, 0, 1), eth1);
	r = rule(101);
	r.pref = 11;
	assert(fib_rule_add(&n, &r, true) == 0);
	assert(out(&n, (struct flowi4){ .daddr = far }, &t) == eth0 && t == RT_TABLE_MAIN);
	assert(out(&n, (struct flowi4){ .daddr = A(192, 0, 2, 9) }, &t) == eth1 && t == 101);

	/* from and iif together; to; oif only for a bound flow */
	r = rule(100);
	r.pref = 20;
	r.src = A(10, 9, 0, 0);
	r.src_len = 16;
	g_strlcpy(r.iif, "eth0", sizeof r.iif);
	assert(fib_rule_add(&n, &r, true) == 0);
	assert(out(&n, (struct flowi4){ .daddr = far, .saddr = A(10, 9, 1, 1), .iif = "eth0" },
		   NULL) == eth1);
	assert(out(&n, (struct flowi4){ .daddr = far, .saddr = A(10, 9, 1, 1), .iif = "lo" },
		   NULL) == eth0);
	assert(out(&n, (struct flowi4){ .daddr = far, .saddr = A(10, 8, 1, 1), .iif = "eth0" },
		   NULL) == eth0);
	r = rule(100);
	r.pref = 21;
	g_strlcpy(r.oif, "eth1", sizeof r.oif);
	assert(fib_rule_add(&n, &r, true) == 0);
	assert(out(&n, (struct flowi4){ .daddr = far }, NULL) == eth0);
	assert(out(&n, (struct flowi4){ .daddr = far, .oif = "eth1" }, NULL) == eth1);

	/* a default priority: one below the second rule's (10 -> 9); equal
	 * priorities keep the order they were added in */
	r = rule(7);
	r.dst = far;
	r.dst_len = 32;
	assert(fib_rule_add(&n, &r, false) == 0 && r.pref == 9);
	r.dst = A(198, 51, 100, 8);
	r.pref = 9;
	assert(fib_rule_add(&n, &r, true) == 0);
	const GArray *rules = n.ipv4->rules->rules;
	assert(g_array_index(rules, struct fib_rule, 1).dst == far);
	assert(g_array_index(rules, struct fib_rule, 2).dst == A(198, 51, 100, 8));
	for (unsigned i = 1; i < rules->len; i++)
		assert(g_array_index(rules, struct fib_rule, i - 1).pref <=
		       g_array_index(rules, struct fib_rule, i).pref);

	/* del: the first rule matching the given fields */
	struct fib_rule key = rule(100);
	unsigned len = rules->len;
	assert(fib_rule_del(&n, &key, FIB_RULE_TABLE) == 0 && rules->len == len - 1);
	for (unsigned i = 0; i < rules->len; i++)
		assert(g_array_index(rules, struct fib_rule, i).pref != 20);
	key = rule(0);
	key.pref = 12345;
	assert(fib_rule_del(&n, &key, FIB_RULE_PREF) < 0);

	/* a device going down takes its routes from every table */
	route_flush_dev(&n, eth1);
	assert(fib_table_routes(&n, 100, false)->len == 0);

	/* flush keeps rule 0; nothing matches after it but the local table */
	fib_rules_flush(&n);
	assert(rules->len == 1 && g_array_index(rules, struct fib_rule, 0).pref == 0);
	assert(out(&n, (struct flowi4){ .daddr = far }, NULL) == NULL);

	fib_rules_free(&n);
	assert(n.ipv4->rules == NULL);
	g_array_free(net.fib.routes, TRUE);
	for (unsigned i = 0; i < n.ifaces->len; i++)
		g_free(g_ptr_array_index(n.ifaces, i));
	g_ptr_array_free(n.ifaces, TRUE);
	printf("test_fib_rules: ok\n");
	return 0;
}
