/* route_localnet.c - where 127.0.0.0/8 may travel outside lo
 * (net.ipv4.conf.*.route_localnet, net/ipv4/route.c).
 *
 * Design: two yes/no questions the stack asks on the addresses netfilter
 * left, so a NAT rule decides the answer as on Linux: on input, after
 * PREROUTING (ip_route_input_slow: a loopback destination arriving on any
 * device but lo is a martian destination, else a loopback source a martian
 * source), and on output, when OUTPUT's NAT re-routes a packet
 * (ip_route_me_harder keeps a local source, and __mkroute_output refuses
 * a loopback one on a device other than lo: -EINVAL). Both read the knob
 * as `all` OR the device (IN_DEV_NET_ROUTE_LOCALNET, IN_DEV_ROUTE_LOCALNET):
 * the arriving device on input, the leaving one on output. kube-proxy
 * turns it on so that 127.0.0.1:NODEPORT, DNATed to a pod, leaves with
 * source 127.0.0.1 (then masqueraded) and its reply, un-NATed back to
 * 127.0.0.1 in PREROUTING, is delivered.
 */
#include "sim/inet/drop.h"
#include "sim/inet/inet.h"

static inline bool ipv4_is_loopback(uint32_t a)
{
	return (a >> 24) == 127;
}

int ip_route_localnet_input(struct world *w, struct node *n, const struct iface *in,
			    const struct packet *p, uint32_t daddr, uint32_t saddr)
{
	if (!ipv4_is_loopback(daddr) && !ipv4_is_loopback(saddr))
		return 0;
	if (in_dev_conf(n, in, DEVCONF_ROUTE_LOCALNET))
		return 0;
	if (!ipv4_is_loopback(daddr)) {
		ip_handle_martian_source(w, n, in, p, daddr, saddr);
		return IP_DROP_MARTIAN_SOURCE_LOOPBACK;
	}
	/* martian_destination: net_warn_ratelimited, no link-layer dump */
	if (in_dev_conf(n, in, DEVCONF_LOG_MARTIANS) && node_net_ratelimit(w, n)) {
		char d[16], s[16];
		nf_inet_ntop4(daddr, d);
		nf_inet_ntop4(saddr, s);
		char *line = g_strdup_printf("IPv4: martian destination %s from %s, dev %s", d, s,
					     in->name);
		node_klog(n, w->now, line);
		g_free(line);
	}
	return IP_DROP_MARTIAN_DEST_LOOPBACK;
}

bool ip_route_localnet_output_ok(const struct node *n, uint32_t saddr, const struct iface *out)
{
	return !ipv4_is_loopback(saddr) || out == n->ipv4->lo ||
	       in_dev_conf(n, out, DEVCONF_ROUTE_LOCALNET);
}
