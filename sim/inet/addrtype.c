/* addrtype.c - the type of an address in the node's local routing table.
 *
 * Mirrors net/ipv4/fib_frontend.c's __inet_dev_addr_type: 0.0.0.0/8 and
 * 255.255.255.255 are BROADCAST, 224/4 MULTICAST, then the local table
 * decides (a LOCAL route per address on its device, a BROADCAST route per
 * subnet broadcast of a prefix shorter than /31, `local 127.0.0.0/8` and
 * `broadcast 127.255.255.255` on lo), and anything else is UNICAST. With a
 * device, a route of another device answers UNICAST, as the kernel's
 * `dev == nhc->nhc_dev` test does.
 *
 * Design: natsim keeps no local table; the answer is computed from the
 * interfaces' addresses (what fib_add_ifaddr would have put there), on
 * demand: only -m addrtype asks, never the plain packet path.
 * net_stack_init (sim/sock/net_stack.c) registers it with the node layer,
 * which hands it to netfilter as nf_env.addr_type.
 */
#include <string.h>

#include "nat/nf.h"
#include "sim/inet/inet.h"

static inline uint32_t addrtype_mask(unsigned plen)
{
	return plen ? 0xffffffffu << (32 - plen) : 0;
}

/* The local table's answer for addr; *on the route's device (NULL: lo). */
static unsigned local_table_type(const struct node *n, uint32_t addr, const struct iface **on)
{
	for (unsigned i = 0; i < n->ifaces->len; i++) {
		const struct iface *ifc = g_ptr_array_index(n->ifaces, i);
		for (unsigned k = 0; k < ifc->naddrs; k++)
			if (ifc->addrs[k].addr == addr) {
				*on = ifc;
				return NF_RTN_LOCAL;
			}
	}
	for (unsigned i = 0; i < n->ifaces->len; i++) {
		const struct iface *ifc = g_ptr_array_index(n->ifaces, i);
		for (unsigned k = 0; k < ifc->naddrs; k++) {
			unsigned plen = ifc->addrs[k].plen;
			if (plen < 31 && addr == (ifc->addrs[k].addr | ~addrtype_mask(plen))) {
				*on = ifc;
				return NF_RTN_BROADCAST;
			}
		}
	}
	*on = NULL;
	if (addr == 0x7fffffffu)
		return NF_RTN_BROADCAST;
	if ((addr >> 24) == 127)
		return NF_RTN_LOCAL;
	const struct iface *lo = n->ipv4->lo;
	if (lo)
		for (unsigned k = 1; k < lo->naddrs; k++)
			if ((addr & addrtype_mask(lo->addrs[k].plen)) ==
			    (lo->addrs[k].addr & addrtype_mask(lo->addrs[k].plen)))
				return NF_RTN_LOCAL;
	return NF_RTN_UNICAST;
}

/* fib_lookup of addr (the local table, then the main one), for
 * -m rpfilter: the route's type and its nexthop's device (*dev), or
 * NF_RTN_UNSPEC when there is no route. */
unsigned inet_fib_lookup(const struct node *n, uint32_t addr, const char **dev)
{
	const struct iface *on;
	unsigned type = local_table_type(n, addr, &on);
	*dev = NULL;
	if (type != NF_RTN_UNICAST) {
		*dev = on ? on->name : "lo";
		return type;
	}
	const struct route *r = route_lookup(n, addr);
	if (!r)
		return NF_RTN_UNSPEC;
	const struct iface *out = route_out_dev(n, r);
	*dev = out ? out->name : NULL;
	return NF_RTN_UNICAST;
}

/* __inet_dev_addr_type(net, dev, addr, RT_TABLE_LOCAL) */
unsigned inet_dev_addr_type(const struct node *n, const char *dev, uint32_t addr)
{
	if ((addr >> 24) == 0 || addr == 0xffffffffu)
		return NF_RTN_BROADCAST;
	if ((addr >> 28) == 0xe)
		return NF_RTN_MULTICAST;
	const struct iface *on;
	unsigned type = local_table_type(n, addr, &on);
	if (type == NF_RTN_UNICAST || !dev)
		return type;
	return strcmp(dev, on ? on->name : "lo") == 0 ? type : NF_RTN_UNICAST;
}
