/* route.c - a node's IPv4 routing table (the kernel's main table) and
 * source address selection.
 *
 * Design: the table is a plain array of struct route in insertion order,
 * searched linearly: natsim nodes have a handful of routes, and a scan of a
 * few cache lines beats a trie at that size. The longest prefix wins; among
 * equal prefixes the lower metric, then the earlier added (the kernel keeps
 * same-key aliases in insertion order). Routes through a device that is down
 * are skipped (the kernel deletes them; sim/shell/ipcmd.c does that too, see
 * route_flush_dev). The local table (own addresses, 127/8, broadcasts) is not
 * stored: ip.c checks it before calling route_lookup, as fib_lookup consults
 * the local table first. An accepted ICMP redirect leaves a route exception
 * (the kernel's fib_nh_exception): for one destination, reached through a
 * given route, another gateway, until it expires. The tables beside main
 * and the rules choosing between them are fib_rules.c's; a lookup goes
 * through them (fib_lookup) only once the node has rules. This file
 * depends on nothing but the node record.
 */
#include "sim/inet/inet.h"

static inline uint32_t route_mask(unsigned plen)
{
	return plen ? 0xffffffffu << (32 - plen) : 0;
}

static bool iface_has_addr(const struct iface *ifc, uint32_t addr)
{
	for (unsigned k = 0; k < ifc->naddrs; k++)
		if (ifc->addrs[k].addr == addr)
			return true;
	return false;
}

/* The device of a gateway route without one: the longest scope-link route
 * (connected or `dev` route) covering the gateway, as fib_check_nh resolves
 * it when the route is added. */
struct iface *route_out_dev(const struct node *n, const struct route *r)
{
	if (r->dev)
		return r->dev;
	const GArray *routes = n->ipv4->fib.routes;
	const struct route *best = NULL;
	for (unsigned i = 0; i < routes->len; i++) {
		const struct route *c = &g_array_index(routes, struct route, i);
		if (c->gw || !c->dev || !c->dev->up)
			continue;
		if ((r->gw & route_mask(c->plen)) != c->prefix)
			continue;
		if (!best || c->plen > best->plen)
			best = c;
	}
	return best ? best->dev : NULL;
}

/* fib_table_lookup: longest prefix match over usable routes. */
const struct route *route_table_lookup(const struct node *n, const GArray *routes, uint32_t dst)
{
	const struct route *best = NULL;
	for (unsigned i = 0; i < routes->len; i++) {
		const struct route *r = &g_array_index(routes, struct route, i);
		if ((dst & route_mask(r->plen)) != r->prefix)
			continue;
		if (best && (r->plen < best->plen ||
			     (r->plen == best->plen && r->metric >= best->metric)))
			continue;
		const struct iface *dev = route_out_dev(n, r);
		if (!dev || !dev->up)
			continue;
		best = r;
	}
	return best;
}

/* The route a socket of this node gets to dst (ip_route_output_key: no
 * source yet, the socket's mark 0, iif lo) through the rules. */
static const struct route *route_output_lookup(const struct node *n, uint32_t dst)
{
	if (!n->ipv4->rules)
		return route_lookup(n, dst);
	struct flowi4 fl = { .daddr = dst, .iif = "lo" };
	return fib_lookup(n, &fl, NULL);
}

/* dst_mtu of the route to dst: its device's MTU (natsim's routes carry
 * no mtu metric); a gateway route without a device takes the device that
 * reaches the gateway. 0: no route. */
unsigned inet_route_mtu(const struct node *n, uint32_t dst)
{
	const struct route *r = route_output_lookup(n, dst);
	if (r && !r->dev && r->gw)
		r = route_lookup(n, r->gw);
	if (r && r->dev && r->dev->mtu >= 68)
		return r->dev->mtu;
	return r ? 1500 : 0;
}

/* First address of ifc in the same subnet as target (inet_select_addr's
 * inet_ifa_match preference), else ifc's primary, else 0. Primaries come
 * before their secondaries in addrs[], so a subnet match is its primary. */
static uint32_t iface_select_addr(const struct iface *ifc, uint32_t target)
{
	for (unsigned k = 0; k < ifc->naddrs; k++) {
		uint32_t m = route_mask(ifc->addrs[k].plen);
		if ((ifc->addrs[k].addr & m) == (target & m))
			return ifc->addrs[k].addr;
	}
	return ifc->naddrs ? ifc->addrs[0].addr : 0;
}

static uint32_t node_any_addr(const struct node *n)
{
	for (unsigned i = 0; i < n->ifaces->len; i++) {
		const struct iface *ifc = g_ptr_array_index(n->ifaces, i);
		if (ifc->naddrs)
			return ifc->addrs[0].addr;
	}
	return 0;
}

/* fib_result_prefsrc of route r to dst: inet_select_addr(dev, gateway or
 * destination), else any address of the node (static: inlined into the
 * per-datagram route_source_addr). */
static inline uint32_t route_prefsrc(const struct node *n, const struct route *r, uint32_t dst)
{
	const struct iface *dev = route_out_dev(n, r);
	uint32_t a = iface_select_addr(dev, r->gw ? r->gw : dst);
	return a ? a : node_any_addr(n);
}

/* The source Linux picks for a socket that did not bind one: the local
 * route's own address for a local destination, else fib_result_prefsrc:
 * inet_select_addr(dev, gateway or destination). */
uint32_t route_source_addr(const struct node *n, uint32_t dst)
{
	if ((dst >> 24) == 127)
		return 0x7f000001;
	for (unsigned i = 0; i < n->ifaces->len; i++)
		if (iface_has_addr(g_ptr_array_index(n->ifaces, i), dst))
			return dst;
	if (n->ipv4->lo && iface_has_addr(n->ipv4->lo, dst))
		return dst;
	const struct route *r = route_output_lookup(n, dst);
	if (!r)
		return node_any_addr(n);
	return route_prefsrc(n, r, dst);
}

uint32_t route_select_src(const struct node *n, const struct route *r, uint32_t dst)
{
	return route_prefsrc(n, r, dst);
}

/* fib_add_ifaddr: the prefix route "proto kernel scope link src ADDR" of a
 * new primary address; none for a /32, none if the subnet already has one on
 * this device (a secondary address). */
void route_add_connected(struct node *n, struct iface *ifc, uint32_t addr, uint8_t plen)
{
	if (plen >= 32)
		return;
	uint32_t prefix = addr & route_mask(plen);
	for (unsigned i = 0; i < n->ipv4->fib.routes->len; i++) {
		const struct route *r = &g_array_index(n->ipv4->fib.routes, struct route, i);
		if (r->kernel && r->dev == ifc && r->prefix == prefix && r->plen == plen)
			return;
	}
	struct route r = { .prefix = prefix, .plen = plen, .dev = ifc, .kernel = true };
	g_array_append_val(n->ipv4->fib.routes, r);
}

/* fib_del_ifaddr: the prefix route goes with the last address of its subnet
 * on the device. Call after removing the address from ifc. */
void route_del_connected(struct node *n, struct iface *ifc, uint32_t addr, uint8_t plen)
{
	uint32_t m = route_mask(plen);
	uint32_t prefix = addr & m;
	for (unsigned k = 0; k < ifc->naddrs; k++)
		if (ifc->addrs[k].plen == plen && (ifc->addrs[k].addr & m) == prefix)
			return;
	for (unsigned i = 0; i < n->ipv4->fib.routes->len; i++) {
		const struct route *r = &g_array_index(n->ipv4->fib.routes, struct route, i);
		if (r->kernel && r->dev == ifc && r->prefix == prefix && r->plen == plen) {
			g_array_remove_index(n->ipv4->fib.routes, i);
			return;
		}
	}
}

static void route_flush_dev_in(struct node *n, GArray *routes, void *ifc)
{
	for (unsigned i = routes->len; i-- > 0;) {
		const struct route *r = &g_array_index(routes, struct route, i);
		if (r->dev == ifc || (!r->dev && route_out_dev(n, r) == ifc))
			g_array_remove_index(routes, i);
	}
}

/* fib_disable_ip -> fib_sync_down_dev + fib_flush: every route whose
 * nexthop is the device dies, in every table (static routes are not
 * restored on `up`). */
void route_flush_dev(struct node *n, struct iface *ifc)
{
	route_flush_dev_in(n, n->ipv4->fib.routes, ifc);
	fib_tables_foreach(n, route_flush_dev_in, ifc);
}

/* update_or_create_fnhe: from now on, until `expires`, packets to daddr that
 * route r would send via its gateway go via gw instead (the exception hangs
 * on r's nexthop, so it applies while r is the route chosen). */
void route_exception_add(struct node *n, const struct route *r, uint32_t daddr, uint32_t gw,
			 sim_time expires)
{
	struct fib_table *fib = &n->ipv4->fib;
	if (!fib->route_exceptions)
		fib->route_exceptions = g_array_new(FALSE, TRUE, sizeof(struct route_exception));
	struct route_exception x = {
		.daddr = daddr, .dev = route_out_dev(n, r), .old_gw = r->gw, .gw = gw,
		.expires = expires,
	};
	for (unsigned i = 0; i < fib->route_exceptions->len; i++) {
		struct route_exception *e = &g_array_index(fib->route_exceptions,
							   struct route_exception, i);
		if (e->daddr == daddr && e->dev == x.dev && e->old_gw == x.old_gw) {
			*e = x;
			return;
		}
	}
	g_array_append_val(fib->route_exceptions, x);
}

/* find_exception + rt_set_nexthop: the gateway packets to daddr take by
 * route r at time now: an exception's, or r's own (0: on link). */
uint32_t route_gateway(const struct node *n, const struct route *r, uint32_t daddr,
		       sim_time now)
{
	const GArray *exceptions = n->ipv4->fib.route_exceptions;
	if (exceptions) {
		const struct iface *dev = route_out_dev(n, r);
		for (unsigned i = 0; i < exceptions->len; i++) {
			const struct route_exception *e = &g_array_index(exceptions,
									 struct route_exception, i);
			if (e->daddr == daddr && e->dev == dev && e->old_gw == r->gw &&
			    now < e->expires)
				return e->gw;
		}
	}
	return r->gw;
}
