/* test_route.c - sim/inet/route.c: longest prefix match, ties, default route,
 * down interfaces, connected routes and source address selection. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "sim/inet/inet.h"

static uint32_t A(unsigned a, unsigned b, unsigned c, unsigned d)
{
	return a << 24 | b << 16 | c << 8 | d;
}

static struct iface *mkif(struct node *n, const char *name)
{
	struct iface *ifc = g_new0(struct iface, 1);
	g_strlcpy(ifc->name, name, sizeof ifc->name);
	ifc->node = n;
	ifc->up = true;
	ifc->mtu = 1500;
	g_ptr_array_add(n->ifaces, ifc);
	return ifc;
}

static void addaddr(struct node *n, struct iface *ifc, uint32_t a, uint8_t plen)
{
	ifc->addrs[ifc->naddrs].addr = a;
	ifc->addrs[ifc->naddrs].plen = plen;
	ifc->naddrs++;
	route_add_connected(n, ifc, a, plen);
}

static void addroute(struct node *n, uint32_t prefix, uint8_t plen, uint32_t gw,
		     struct iface *dev, uint32_t metric)
{
	struct route r = { .prefix = prefix, .plen = plen, .gw = gw, .dev = dev, .metric = metric };
	g_array_append_val(n->ipv4->fib.routes, r);
}

static struct iface *via(const struct node *n, uint32_t dst, uint32_t *gw)
{
	const struct route *r = route_lookup(n, dst);
	if (!r)
		return NULL;
	*gw = r->gw;
	return route_out_dev(n, r);
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
	struct iface *eth0 = mkif(&n, "eth0"), *eth1 = mkif(&n, "eth1"), *eth2 = mkif(&n, "eth2");
	addaddr(&n, eth0, A(192, 168, 1, 1), 24);
	addaddr(&n, eth1, A(203, 0, 113, 1), 24);
	addaddr(&n, eth2, A(10, 0, 0, 1), 30);
	addaddr(&n, eth2, A(10, 9, 9, 9), 32); /* a /32 has no prefix route */
	assert(net.fib.routes->len == 3);
	uint32_t gw;

	/* no default yet */
	assert(route_lookup(&n, A(8, 8, 8, 8)) == NULL);
	assert(via(&n, A(192, 168, 1, 77), &gw) == eth0 && gw == 0);

	/* default route, resolved through the connected subnet of its gateway */
	addroute(&n, 0, 0, A(203, 0, 113, 254), NULL, 0);
	assert(via(&n, A(8, 8, 8, 8), &gw) == eth1 && gw == A(203, 0, 113, 254));

	/* longest prefix: /16 via eth2 beats the default, /24 inside it beats /16 */
	addroute(&n, A(172, 16, 0, 0), 16, A(10, 0, 0, 2), eth2, 0);
	addroute(&n, A(172, 16, 5, 0), 24, A(192, 168, 1, 254), eth0, 0);
	assert(via(&n, A(172, 16, 1, 1), &gw) == eth2 && gw == A(10, 0, 0, 2));
	assert(via(&n, A(172, 16, 5, 1), &gw) == eth0 && gw == A(192, 168, 1, 254));
	assert(via(&n, A(172, 17, 0, 1), &gw) == eth1);

	/* ties: the earlier added wins; a lower metric beats it */
	addroute(&n, A(198, 51, 100, 0), 24, A(192, 168, 1, 2), eth0, 0);
	addroute(&n, A(198, 51, 100, 0), 24, A(10, 0, 0, 2), eth2, 0);
	assert(via(&n, A(198, 51, 100, 9), &gw) == eth0 && gw == A(192, 168, 1, 2));
	addroute(&n, A(198, 51, 101, 0), 24, A(192, 168, 1, 2), eth0, 10);
	addroute(&n, A(198, 51, 101, 0), 24, A(10, 0, 0, 2), eth2, 5);
	assert(via(&n, A(198, 51, 101, 9), &gw) == eth2);

	/* a down device: its routes are skipped, the next best is used */
	eth2->up = false;
	assert(via(&n, A(172, 16, 1, 1), &gw) == eth1); /* falls to default */
	assert(via(&n, A(198, 51, 100, 9), &gw) == eth0);
	assert(via(&n, A(198, 51, 101, 9), &gw) == eth0); /* metric 10 remains */
	assert(via(&n, A(10, 0, 0, 2), &gw) == eth1);
	eth2->up = true;

	/* the default's gateway subnet down: the default is unusable */
	eth1->up = false;
	assert(route_lookup(&n, A(8, 8, 8, 8)) == NULL);
	eth1->up = true;

	/* source selection */
	assert(route_source_addr(&n, A(8, 8, 8, 8)) == A(203, 0, 113, 1));
	assert(route_source_addr(&n, A(192, 168, 1, 50)) == A(192, 168, 1, 1));
	assert(route_source_addr(&n, A(172, 16, 1, 1)) == A(10, 0, 0, 1));
	assert(route_source_addr(&n, A(10, 9, 9, 9)) == A(10, 9, 9, 9)); /* own address */
	assert(route_source_addr(&n, A(127, 0, 0, 5)) == A(127, 0, 0, 1));
	/* a second subnet on eth0: the address in the gateway's subnet */
	eth0->addrs[eth0->naddrs].addr = A(192, 168, 7, 1);
	eth0->addrs[eth0->naddrs].plen = 24;
	eth0->naddrs++;
	route_add_connected(&n, eth0, A(192, 168, 7, 1), 24);
	addroute(&n, A(100, 64, 0, 0), 10, A(192, 168, 7, 9), eth0, 0);
	assert(route_source_addr(&n, A(100, 64, 1, 1)) == A(192, 168, 7, 1));
	assert(route_source_addr(&n, A(192, 168, 1, 9)) == A(192, 168, 1, 1));

	/* connected route bookkeeping: a secondary adds none, and the prefix
	 * route goes with the last address of the subnet */
	unsigned before = net.fib.routes->len;
	route_add_connected(&n, eth0, A(192, 168, 1, 7), 24);
	assert(net.fib.routes->len == before);
	eth0->addrs[eth0->naddrs].addr = A(192, 168, 1, 7);
	eth0->addrs[eth0->naddrs].plen = 24;
	eth0->naddrs++;
	eth0->addrs[0] = eth0->addrs[--eth0->naddrs]; /* remove 192.168.1.1, keep .7 */
	route_del_connected(&n, eth0, A(192, 168, 1, 1), 24);
	assert(net.fib.routes->len == before);
	assert(via(&n, A(192, 168, 1, 50), &gw) == eth0 && gw == 0);
	eth0->naddrs = 1; /* only 192.168.7.1 left */
	eth0->addrs[0].addr = A(192, 168, 7, 1);
	route_del_connected(&n, eth0, A(192, 168, 1, 7), 24);
	assert(net.fib.routes->len == before - 1);
	assert(via(&n, A(192, 168, 1, 50), &gw) == eth1); /* default now */

	/* flushing a device removes its static and kernel routes */
	route_flush_dev(&n, eth2);
	for (unsigned i = 0; i < net.fib.routes->len; i++)
		assert(route_out_dev(&n, &g_array_index(net.fib.routes, struct route, i)) != eth2);
	assert(via(&n, A(172, 16, 1, 1), &gw) == eth1);

	g_array_free(net.fib.routes, TRUE);
	for (unsigned i = 0; i < n.ifaces->len; i++)
		g_free(g_ptr_array_index(n.ifaces, i));
	g_ptr_array_free(n.ifaces, TRUE);
	printf("test_route: ok\n");
	return 0;
}
