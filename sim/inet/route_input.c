/* route_input.c - the checks of input routing (net/ipv4/route.c's
 * ip_route_input_slow and net/ipv4/fib_frontend.c's fib_validate_source):
 * is the source of an arriving packet acceptable on the interface it came
 * in on (martian source, rp_filter, accept_local), and does a forwarded
 * packet earn its sender an ICMP redirect (__mkroute_input)?
 *
 * Design: fib_validate_source is the kernel's, decision for decision: a
 * fast path that only refuses the node's own addresses as sources (unless
 * accept_local), and the full check (rp_filter on, or a packet about to
 * leave by the interface it came in on with send_redirects on) that looks
 * the source up as a destination and asks whether the answer goes out the
 * same interface - strict (rp_filter 1) refuses any other, loose (any other
 * nonzero value) only a source with no route at all. Its positive answer,
 * "the source is on link here", is what the redirect decision needs. The
 * reverse lookup uses the node's own tables: its addresses and broadcasts
 * (the local table) first, then route.c's longest prefix match. The log
 * lines are the kernel's, behind net_ratelimit (10 per 5 s; natsim keeps
 * this one apart from conntrack's table-full warnings, which share it on
 * Linux).
 */
#include <string.h>

#include "sim/inet/inet.h"

static inline uint32_t ri_mask(unsigned plen)
{
	return plen ? 0xffffffffu << (32 - plen) : 0;
}

/* The interface holding local address a (lo for 127/8 and lo's own). */
static const struct iface *ri_addr_dev(const struct node *n, uint32_t a)
{
	for (unsigned i = 0; i < n->ifaces->len; i++) {
		const struct iface *ifc = g_ptr_array_index(n->ifaces, i);
		for (unsigned k = 0; k < ifc->naddrs; k++)
			if (ifc->addrs[k].addr == a)
				return ifc;
	}
	return n->ipv4->lo;
}

/* inet_lookup_ifaddr_rcu: a is configured on some interface of the node. */
static bool ri_is_ifaddr(const struct node *n, uint32_t a)
{
	if (node_has_addr(n, a) || a == 0x7f000001)
		return true;
	const struct iface *lo = n->ipv4->lo;
	if (lo)
		for (unsigned k = 0; k < lo->naddrs; k++)
			if (lo->addrs[k].addr == a)
				return true;
	return false;
}

/* fib_lookup with the output interface fixed (the second lookup of
 * __fib_validate_source): the longest route covering a whose nexthop is
 * dev. NULL if none. */
static const struct route *ri_lookup_oif(const struct node *n, uint32_t a,
					 const struct iface *dev)
{
	const GArray *routes = n->ipv4->fib.routes;
	const struct route *best = NULL;
	for (unsigned i = 0; i < routes->len; i++) {
		const struct route *r = &g_array_index(routes, struct route, i);
		if ((a & ri_mask(r->plen)) != r->prefix || route_out_dev(n, r) != dev)
			continue;
		if (best && (r->plen < best->plen ||
			     (r->plen == best->plen && r->metric >= best->metric)))
			continue;
		best = r;
	}
	return best;
}

/* __fib_validate_source. `rpf` is the interface's rp_filter. */
static int ri_full_check(const struct node *n, uint32_t src, const struct iface *in, int rpf)
{
	bool accept_local = in_dev_conf(n, in, DEVCONF_ACCEPT_LOCAL);
	bool dev_match;
	int ret;

	/* the local table first: the node's addresses, then its broadcasts */
	if (ip_addr_is_local(n, src)) {
		if (!accept_local)
			return FIB_SRC_INVAL;
		const struct iface *dev = ri_addr_dev(n, src);
		dev_match = dev == in || in == n->ipv4->lo;
		ret = 1;	/* a local route's nexthop scope is "nowhere" */
	} else if (ip_addr_is_broadcast(n, src)) {
		return FIB_SRC_INVAL;
	} else {
		/* the reverse lookup: to src, iif lo, mark 0 (src_valid_mark
		 * is not kept); its saddr, the packet's destination, is left
		 * 0 here, so `from` rules do not take part */
		struct flowi4 fl = { .daddr = src, .iif = "lo" };
		const struct route *r = n->ipv4->rules ? fib_lookup(n, &fl, NULL)
						       : route_lookup(n, src);
		if (!r)
			goto last_resort;
		dev_match = route_out_dev(n, r) == in;
		ret = r->gw == 0;	/* directly connected: scope host */
	}
	if (dev_match)
		return ret;
	if (!in->naddrs)
		goto last_resort;
	if (rpf == 1)
		return FIB_SRC_RPF;
	const struct route *r = ri_lookup_oif(n, src, in);
	return r && r->gw == 0;

last_resort:
	return rpf ? FIB_SRC_RPF : 0;
}

int fib_validate_source(const struct node *n, uint32_t src, const struct iface *in,
			const struct iface *oif)
{
	int rpf = in_dev_conf(n, in, DEVCONF_RP_FILTER);
	if (!rpf && (oif != in || !in_dev_conf(n, in, DEVCONF_SEND_REDIRECTS))) {
		if (in_dev_conf(n, in, DEVCONF_ACCEPT_LOCAL))
			return 0;
		return ri_is_ifaddr(n, src) ? FIB_SRC_INVAL : 0;
	}
	return ri_full_check(n, src, in, rpf);
}

/* inet_addr_onlink: some address of dev has a subnet holding a (and b,
 * unless b is 0). */
static bool ri_addr_onlink(const struct iface *dev, uint32_t a, uint32_t b)
{
	for (unsigned k = 0; k < dev->naddrs; k++) {
		uint32_t m = ri_mask(dev->addrs[k].plen), net = dev->addrs[k].addr & m;
		if ((a & m) == net && (!b || (b & m) == net))
			return true;
	}
	return false;
}

bool ip_route_do_redirect(const struct node *n, const struct iface *in, const struct iface *out,
			  int validated, uint32_t saddr, uint32_t gw)
{
	if (out != in || validated <= 0 || !in_dev_conf(n, out, DEVCONF_SEND_REDIRECTS))
		return false;
	return in_dev_conf(n, out, DEVCONF_SHARED_MEDIA) || ri_addr_onlink(out, saddr, gw);
}

bool node_net_ratelimit(struct world *w, struct node *n)
{
	struct net_ratelimit *rs = &n->ipv4->net_rl;
	if (!rs->started) {
		rs->started = true;
		rs->begin = w->now;
	}
	if (w->now > rs->begin + 5 * SIM_S) {
		if (rs->missed) {
			char *line = g_strdup_printf("net_ratelimit: %u callbacks suppressed",
						     rs->missed);
			node_klog(n, w->now, line);
			g_free(line);
			rs->missed = 0;
		}
		rs->begin = w->now;
		rs->printed = 0;
	}
	if (rs->printed < 10) {
		rs->printed++;
		return true;
	}
	rs->missed++;
	return false;
}

void ip_handle_martian_source(struct world *w, struct node *n, const struct iface *in,
			      const struct packet *p, uint32_t daddr, uint32_t saddr)
{
	if (!in_dev_conf(n, in, DEVCONF_LOG_MARTIANS) || !node_net_ratelimit(w, n))
		return;
	char d[16], s[16];
	nf_inet_ntop4(daddr, d);
	nf_inet_ntop4(saddr, s);
	char *line = g_strdup_printf("IPv4: martian source %s from %s, on dev %s", d, s, in->name);
	node_klog(n, w->now, line);
	g_free(line);
	if (p->len < ETH_HLEN)
		return;
	/* print_hex_dump(KERN_WARNING, "ll header: ", DUMP_PREFIX_OFFSET, 16,
	 * 1, skb_mac_header(skb), dev->hard_header_len, false) */
	GString *ll = g_string_new("ll header: 00000000:");
	for (unsigned i = 0; i < ETH_HLEN; i++)
		g_string_append_printf(ll, " %02x", p->data[i]);
	node_klog(n, w->now, ll->str);
	g_string_free(ll, TRUE);
}
