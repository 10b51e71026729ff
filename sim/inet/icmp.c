/* icmp.c - ICMP of hosts and routers: sending errors (icmp_send), answering
 * echo and timestamp requests, and handing errors and replies to sockets.
 *
 * Design: icmp_send_error mirrors __icmp_send's refusals (errors about
 * errors, non-first fragments, broadcasts, bad sources) and its two rate
 * limits: the per-destination token bucket of inet_peer_xrlim_allow and the
 * global icmp_global_allow bucket, both on the simulated clock, with the
 * sysctl defaults (icmp_ratelimit 1000 ms, icmp_ratemask 0x1818,
 * icmp_msgs_per_sec 1000, icmp_msgs_burst 50). The error leaves through
 * ip_local_out, so a router's error crosses OUTPUT and POSTROUTING where
 * conntrack sees it as RELATED. Received ICMP is dispatched once through
 * the protocol table (sim/inet/protocol.h): echo request -> reply here;
 * every echo reply and every error -> the ICMP sockets' entry (ping,
 * owning), an error quoting UDP/TCP first to that protocol's err_handler.
 */
#include <string.h>

#include "sim/inet/inet.h"
#include "sim/inet/protocol.h"

#define ICMP_RATELIMIT (1000 * SIM_MS)	/* net.ipv4.icmp_ratelimit */
#define XRLIM_BURST_FACTOR 6
#define ICMP_RATEMASK 0x1818u		/* net.ipv4.icmp_ratemask */
#define ICMP_MSGS_PER_SEC 1000		/* net.ipv4.icmp_msgs_per_sec */
#define ICMP_MSGS_BURST 50		/* net.ipv4.icmp_msgs_burst */
#define NR_ICMP_TYPES 18
#define ICMP_TIMESTAMP 13
#define ICMP_TIMESTAMPREPLY 14

/* An inet_peer: one per destination of ICMP, shared by icmp_send's token
 * bucket, ip_error's and ip_rt_send_redirect's limits, as in the kernel. */
struct icmp_peer {
	sim_time tokens;	/* rate_tokens, in ns */
	sim_time last;		/* rate_last */
	unsigned n_redirects;	/* redirects sent since the last silence */
};

struct icmp_state {
	GHashTable *peers;	/* destination address -> struct icmp_peer */
	int credit;		/* icmp_global_credit */
	sim_time stamp;		/* icmp_global_stamp */
};

static struct icmp_state *icmp_state(struct node *n)
{
	if (!n->icmp) {
		struct icmp_state *st = g_new0(struct icmp_state, 1);
		st->peers = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
		st->stamp = -60 * SIM_S; /* booted long ago: the bucket fills at once */
		n->icmp = st;
	}
	return n->icmp;
}

void icmp_node_free(struct node *n)
{
	struct icmp_state *st = n->icmp;
	if (!st)
		return;
	g_hash_table_destroy(st->peers);
	g_free(st);
	n->icmp = NULL;
}

/* icmp_pointers[type].error */
static bool icmp_is_error(uint8_t type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH || type == ICMP_REDIRECT ||
	       type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETERPROB;
}

/* icmpv4_mask_allow: true if the type is not rate limited. */
static bool icmp_mask_allow(uint8_t type, uint8_t code)
{
	if (type > NR_ICMP_TYPES)
		return true;
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
		return true;
	return !((1u << type) & ICMP_RATEMASK);
}

/* icmp_global_allow (6.x): credit left, or refill by elapsed time (at
 * least 20 ms, at most one second's worth, capped at the burst). */
static bool icmp_global_allow(struct icmp_state *st, sim_time now)
{
	if (st->credit > 0)
		return true;
	sim_time delta = now - st->stamp;
	if (delta > SIM_S)
		delta = SIM_S;
	if (delta < SIM_S / 50)
		return false;
	int incr = (int)(ICMP_MSGS_PER_SEC * delta / SIM_S);
	if (!incr)
		return false;
	st->stamp = now;
	st->credit = st->credit + incr < ICMP_MSGS_BURST ? st->credit + incr : ICMP_MSGS_BURST;
	return true;
}

/* inet_getpeer_v4: the peer of daddr, created with rate_last 60 s in the
 * past (so a token bucket starts full). */
static struct icmp_peer *icmp_peer_get(struct icmp_state *st, uint32_t daddr, sim_time now)
{
	struct icmp_peer *pe = g_hash_table_lookup(st->peers, GUINT_TO_POINTER(daddr));
	if (!pe) {
		pe = g_new0(struct icmp_peer, 1);
		pe->last = now - 60 * SIM_S;
		g_hash_table_insert(st->peers, GUINT_TO_POINTER(daddr), pe);
	}
	return pe;
}

/* inet_peer_xrlim_allow: a token bucket of XRLIM_BURST_FACTOR * timeout. */
static bool icmp_peer_allow(struct icmp_state *st, uint32_t daddr, sim_time now)
{
	struct icmp_peer *pe = icmp_peer_get(st, daddr, now);
	sim_time token = pe->tokens + (now - pe->last);
	pe->last = now;
	if (token > XRLIM_BURST_FACTOR * ICMP_RATELIMIT)
		token = XRLIM_BURST_FACTOR * ICMP_RATELIMIT;
	bool ok = false;
	if (token >= ICMP_RATELIMIT) {
		token -= ICMP_RATELIMIT;
		ok = true;
	}
	pe->tokens = token;
	return ok;
}

/* ip_error's own limit on the same inet_peer bucket (ip_rt_error_burst
 * 5 s, ip_rt_error_cost 1 s), before icmp_send's: an unroutable sender
 * gets two errors in a burst, then one per 2 s. */
bool icmp_ip_error_allow(struct world *w, struct node *n, uint32_t saddr)
{
	struct icmp_peer *pe = icmp_peer_get(icmp_state(n), saddr, w->now);
	pe->tokens += w->now - pe->last;
	if (pe->tokens > 5 * SIM_S)
		pe->tokens = 5 * SIM_S;
	pe->last = w->now;
	if (pe->tokens < SIM_S)
		return false;
	pe->tokens -= SIM_S;
	return true;
}

#define IP_RT_REDIRECT_NUMBER 9			/* ip_rt_redirect_number */
#define IP_RT_REDIRECT_LOAD (20 * SIM_MS)		/* ip_rt_redirect_load: HZ/50 */
#define IP_RT_REDIRECT_SILENCE (IP_RT_REDIRECT_LOAD << (IP_RT_REDIRECT_NUMBER + 1))

/* The interface index Linux would give ifc (lo is 1, then the interfaces in
 * the order they were made). */
static int icmp_ifindex(const struct node *n, const struct iface *ifc)
{
	for (unsigned i = 0; i < n->ifaces->len; i++)
		if (g_ptr_array_index(n->ifaces, i) == ifc)
			return (int)i + 2;
	return 1;
}

/* ip_rt_send_redirect: the redirect's own limit, on the sender's inet_peer:
 * after 20.48 s without one the count starts over; the first goes at once,
 * the k-th only 20 ms << (k-1) after the one before; after 9 the sender is
 * taken to ignore them (logged once with log_martians) and gets no more
 * until it has been silent for 20.48 s. The redirect leaves through
 * icmp_send (not rate limited there: type 5 is outside icmp_ratemask), so
 * it carries the packet's conntrack entry; NAT drops it at OUTPUT unless the
 * entry is complete and un-NATed (nf_nat_icmp_reply_translation). */
void ip_rt_send_redirect(struct world *w, struct node *n, const struct packet *p,
			 const struct iface *in, const struct iface *out, uint32_t gw)
{
	const uint8_t *ip = p->data + p->l3;
	uint32_t saddr = ip_src(ip);
	struct icmp_peer *pe = icmp_peer_get(icmp_state(n), saddr, w->now);
	if (w->now > pe->last + IP_RT_REDIRECT_SILENCE) {
		pe->tokens = 0;
		pe->n_redirects = 0;
	}
	if (pe->n_redirects >= IP_RT_REDIRECT_NUMBER) {
		pe->last = w->now;
		return;
	}
	if (pe->n_redirects && w->now <= pe->last + (IP_RT_REDIRECT_LOAD << pe->n_redirects))
		return;
	icmp_send_error_info(w, n, p, ICMP_REDIRECT, ICMP_REDIR_HOST, gw);
	pe->last = w->now;
	pe->n_redirects++;
	if (pe->n_redirects == IP_RT_REDIRECT_NUMBER && in_dev_conf(n, out, DEVCONF_LOG_MARTIANS) &&
	    node_net_ratelimit(w, n)) {
		char s[16], d[16], g[16];
		nf_inet_ntop4(saddr, s);
		nf_inet_ntop4(ip_dst(ip), d);
		nf_inet_ntop4(gw, g);
		char *line = g_strdup_printf("IPv4: host %s/if%d ignores redirects for %s to %s", s,
					     icmp_ifindex(n, in), d, g);
		node_klog(n, w->now, line);
		g_free(line);
	}
}

static bool addr_is_bad_source(uint32_t a)
{
	return a == 0 || (a >> 28) == 14 || a == 0xffffffffu; /* zero, multicast, broadcast */
}

/* __icmp_send. `orig` is the packet as the stack holds it (l3 set). */
void icmp_send_error_info(struct world *w, struct node *n, const struct packet *orig,
			  uint8_t type, uint8_t code, uint32_t info)
{
	if (!orig->l3 || orig->len < orig->l3 + 20u)
		return;
	const uint8_t *ip = orig->data + orig->l3;
	uint32_t avail = orig->len - orig->l3;
	unsigned ihl = ip_ihl(ip);
	uint32_t tot = ip_tot_len(ip);
	if (tot > avail)
		tot = avail;
	uint32_t src = ip_src(ip), dst = ip_dst(ip);
	/* no replies to link-layer broadcast/multicast (pkt_type != HOST) */
	if (orig->data[0] & 1)
		return;
	/* RTCF_BROADCAST | RTCF_MULTICAST */
	if (ip_addr_is_broadcast(n, dst) || (dst >> 28) == 14)
		return;
	/* only about fragment 0 */
	if (rd16(ip + 6) & 0x1fff)
		return;
	/* never an error about an ICMP error (unknown types count as errors) */
	if (icmp_is_error(type) && ip_proto(ip) == IPPROTO_ICMP_) {
		if (tot < ihl + 1)
			return;
		uint8_t inner = ip[ihl];
		if (inner > NR_ICMP_TYPES || icmp_is_error(inner))
			return;
	}
	if (addr_is_bad_source(src) || ip_addr_is_broadcast(n, src))
		return;

	struct icmp_state *st = icmp_state(n);
	bool apply = false;
	if (!icmp_mask_allow(type, code)) {
		if (!icmp_global_allow(st, w->now))
			return;
		apply = true;
	}
	/* the route back: saddr is the original destination when the packet
	 * was for us (RTCF_LOCAL), else the route's preferred source */
	bool to_self = ip_addr_is_local(n, src);
	if (!to_self && !route_lookup(n, src))
		return;
	uint32_t saddr = ip_addr_is_local(n, dst) ? dst : route_source_addr(n, src);
	if (!saddr)
		return;
	/* icmpv4_xrlim_allow: no per-peer limit towards loopback */
	if (apply && !to_self) {
		if (!icmp_peer_allow(st, src, w->now))
			return;
		/* icmp_global_consume: 0, 1 or 2 credits */
		st->credit -= (int)rng_below(&w->rng, 3);
	}
	struct packet *q = build_icmp_error_info(saddr, type, code, info, ip, tot,
						 node_next_ip_id(n));
	if (!q)
		return;
	if (n->nf)
		nf_ct_attach(&q->nf, &orig->nf);
	q->nf.sk = NF_SK_KERNEL;	/* icmp_sk */
	ip_local_out(w, n, q);
}

void icmp_send_error(struct world *w, struct node *n, const struct packet *orig, uint8_t type,
		     uint8_t code)
{
	icmp_send_error_info(w, n, orig, type, code, 0);
}

/* icmp_echo -> icmp_reply: same id, sequence and data, from the address
 * that was pinged, TOS kept, TTL 64, no DF. Broadcast echo is ignored
 * (icmp_echo_ignore_broadcasts = 1). */
static void icmp_echo(struct world *w, struct node *n, struct packet *p)
{
	uint8_t *ip = pkt_ip(p), *ic = pkt_l4(p);
	uint32_t dst = ip_dst(ip);
	if (ip_addr_is_broadcast(n, dst) || (dst >> 28) == 14) {
		packet_free(p);
		return;
	}
	uint32_t plen = ip_tot_len(ip) - ip_ihl(ip) - 8;
	struct packet *r = build_icmp_echo(dst, ip_src(ip), ICMP_ECHOREPLY, rd16(ic + 4),
					   rd16(ic + 6), plen, node_next_ip_id(n));
	if (r) {
		uint8_t *rip = pkt_ip(r);
		memcpy(pkt_l4(r) + 8, ic + 8, plen);
		rip[1] = ip[1];
		ip_csum_set(rip);
		l4_csum_set(rip);
		r->nf.sk = NF_SK_KERNEL;	/* icmp_reply: icmp_sk */
		ip_local_out(w, n, r);
	}
	packet_free(p);
}

/* icmp_timestamp: reply with receive and transmit times in ms since
 * midnight UT (simulated time: the run starts at midnight). */
static void icmp_timestamp(struct world *w, struct node *n, struct packet *p)
{
	uint8_t *ip = pkt_ip(p), *ic = pkt_l4(p);
	uint32_t dst = ip_dst(ip);
	if (ip_tot_len(ip) - ip_ihl(ip) < 20 || ip_addr_is_broadcast(n, dst) ||
	    (dst >> 28) == 14) {
		packet_free(p);
		return;
	}
	struct packet *r = build_icmp_echo(dst, ip_src(ip), ICMP_TIMESTAMPREPLY, rd16(ic + 4),
					   rd16(ic + 6), 12, node_next_ip_id(n));
	if (r) {
		uint8_t *ric = pkt_l4(r);
		uint32_t ms = (uint32_t)((w->now / SIM_MS) % (24 * 3600 * 1000LL));
		memcpy(ric + 8, ic + 8, 4);
		wr32(ric + 12, ms);
		wr32(ric + 16, ms);
		l4_csum_set(pkt_ip(r));
		r->nf.sk = NF_SK_KERNEL;
		ip_local_out(w, n, r);
	}
	packet_free(p);
}

#define IP_RT_GC_TIMEOUT (300 * SIM_S)	/* ip_rt_gc_timeout: a route exception's life */

/* ip_fib_check_default: gw is the gateway of a default route through dev. */
static bool icmp_is_default_gw(const struct node *n, uint32_t gw, const struct iface *dev)
{
	for (unsigned i = 0; i < n->ipv4->fib.routes->len; i++) {
		const struct route *r = &g_array_index(n->ipv4->fib.routes, struct route, i);
		if (r->plen == 0 && r->gw == gw && route_out_dev(n, r) == dev)
			return true;
	}
	return false;
}

static bool icmp_onlink(const struct iface *dev, uint32_t a, uint32_t b)
{
	for (unsigned k = 0; k < dev->naddrs; k++) {
		unsigned plen = dev->addrs[k].plen;
		uint32_t m = plen ? 0xffffffffu << (32 - plen) : 0;
		if ((a & m) == (dev->addrs[k].addr & m) && (b & m) == (dev->addrs[k].addr & m))
			return true;
	}
	return false;
}

/* icmp_redirect -> icmp_socket_deliver -> the error handler of the quoted
 * protocol, which acts only for a socket of its own (ping_err, udp_err,
 * tcp_v4_err; natsim's `flows`, `tcp segment` and `replay` have none) ->
 * ipv4_(sk_)redirect -> __ip_do_redirect. A redirect is taken only from the
 * gateway the node itself uses for that destination, to a new gateway that
 * is not that one, a unicast address of no one of ours (with shared_media
 * 0: on the old gateway's subnet and, with secure_redirects, a default
 * gateway), when accept_redirects allows it and the new gateway's neighbour
 * entry is valid. It leaves a route exception for the destination for
 * ip_rt_gc_timeout. The interface is the one of that route (the kernel uses
 * the receiving one: the same, since the redirect came from its gateway). */
static void icmp_redirect(struct world *w, struct node *n, const struct packet *p)
{
	const uint8_t *ip = p->data + p->l3, *ic = p->data + p->l4, *q = ic + 8;
	const uint8_t *l4 = q + ip_ihl(q);
	uint32_t old_gw = ip_src(ip), new_gw = rd32(ic + 4);
	uint32_t qsrc = ip_src(q), qdst = ip_dst(q);
	const struct net_protocol *prot = inet_protocol(ip_proto(q));
	bool sock = prot && prot->redirect_sock && prot->redirect_sock(n, q, l4);
	if (!sock || (ic[1] & 7) > 3 || ip_addr_is_local(n, qdst))
		return;
	const struct route *r = route_lookup(n, qdst);
	if (!r || route_gateway(n, r, qdst, w->now) != old_gw || !old_gw)
		return;
	struct iface *dev = route_out_dev(n, r);
	bool ok = new_gw != old_gw && in_dev_conf(n, dev, DEVCONF_ACCEPT_REDIRECTS) &&
		  (new_gw >> 28) != 14 && new_gw != 0xffffffffu && (new_gw >> 24) != 0;
	if (ok && !in_dev_conf(n, dev, DEVCONF_SHARED_MEDIA))
		ok = icmp_onlink(dev, new_gw, old_gw) &&
		     !(in_dev_conf(n, dev, DEVCONF_SECURE_REDIRECTS) &&
		       !icmp_is_default_gw(n, new_gw, dev));
	else if (ok)
		ok = !ip_addr_is_local(n, new_gw) && !ip_addr_is_broadcast(n, new_gw);
	if (!ok) {
		/* reject_redirect: net_info_ratelimited with log_martians */
		if (in_dev_conf(n, dev, DEVCONF_LOG_MARTIANS) && node_net_ratelimit(w, n)) {
			char o[16], g[16], s[16], d[16];
			nf_inet_ntop4(old_gw, o);
			nf_inet_ntop4(new_gw, g);
			nf_inet_ntop4(qsrc, s);
			nf_inet_ntop4(qdst, d);
			char *line = g_strdup_printf("IPv4: Redirect from %s on %s about %s ignored",
						     o, dev->name, g);
			node_klog(n, w->now, line);
			g_free(line);
			line = g_strdup_printf("  Advised path = %s -> %s", s, d);
			node_klog(n, w->now, line);
			g_free(line);
		}
		return;
	}
	/* the new gateway's neighbour must be valid (else neigh_event_send
	 * only starts resolving it and the redirect is not taken) */
	if (!ip_neigh_valid(w, n, dev, new_gw))
		return;
	route_exception_add(n, r, qdst, new_gw, w->now + IP_RT_GC_TIMEOUT);
}

/* Every echo reply and every error to the ICMP sockets (ping: the
 * IPPROTO_ICMP entry of protocol.h), which keep what is theirs; freed if
 * there are none. */
static void icmp_sock_deliver(struct world *w, struct node *n, struct packet *p)
{
	const struct net_protocol *prot = inet_protocol(IPPROTO_ICMP_);
	if (prot && prot->handler)
		prot->handler(w, n, p);
	else
		packet_free(p);
}

/* icmp_rcv: checksum, then by type. */
void icmp_rcv(struct world *w, struct node *n, struct packet *p)
{
	if (!p->l4) {
		packet_free(p);
		return;
	}
	uint8_t *ip = pkt_ip(p), *ic = pkt_l4(p);
	uint32_t tot = ip_tot_len(ip);
	if (!l4_csum_ok(ip, tot)) {
		packet_free(p);
		return;
	}
	uint8_t type = ic[0];
	switch (type) {
	case ICMP_ECHO:
		icmp_echo(w, n, p);
		return;
	case ICMP_TIMESTAMP:
		icmp_timestamp(w, n, p);
		return;
	case ICMP_ECHOREPLY:
		icmp_sock_deliver(w, n, p);
		return;
	default:
		break;
	}
	if (!icmp_is_error(type)) {
		packet_free(p);
		return;
	}
	/* icmp_unreach / icmp_socket_deliver: the quoted header and 8 bytes */
	uint32_t ql = tot - ip_ihl(ip) - 8;
	const uint8_t *q = ic + 8;
	if (tot < ip_ihl(ip) + 8 + 20 || (q[0] >> 4) != 4 || ql < ip_ihl(q) + 8u) {
		packet_free(p);
		return;
	}
	const struct net_protocol *prot = inet_protocol(ip_proto(q));
	if (type == ICMP_REDIRECT)
		icmp_redirect(w, n, p);	/* not an error for UDP/TCP sockets */
	else if (ip_proto(q) != IPPROTO_ICMP_ && prot && prot->err_handler)
		prot->err_handler(w, n, p); /* icmp_socket_deliver */
	icmp_sock_deliver(w, n, p);
}
