/* flows.c - the flows load generator: N flows from ascending source ports
 * (then the node's next address), started at `rate` per second (the
 * `flows` command of sim/apps parses its arguments and calls flows_start).
 *
 * Starting is lazy (one pending event per generator that starts the flows
 * due and reschedules itself) and per-flow state is a small array slot,
 * never a socket, so a million flows stay cheap. Flow i starts at t0 +
 * floor(i / rate seconds), computed from i (no accumulated drift). UDP
 * flows' datagrams are sent here, TCP flows' handshakes in tcp.c; replies
 * and ICMP errors are counted per generator (flows_udp_reply, flows_err).
 */
#include <math.h>
#include <string.h>
#include "sim/sock/sock_int.h"

static sim_time flows_start_time(const struct flows_gen *g, uint32_t i)
{
	return g->t0 + (sim_time)floor((double)i * (double)SIM_S / g->rate);
}

int64_t flows_index(const struct flows_gen *g, uint32_t laddr, uint16_t lport)
{
	if (lport < g->lo || lport > g->hi)
		return -1;
	uint32_t nports = (uint32_t)g->hi - g->lo + 1;
	for (unsigned a = 0; a < g->naddrs; a++) {
		if (g->addrs[a] != laddr)
			continue;
		uint64_t i = (uint64_t)a * nports + (lport - g->lo);
		return i < g->started ? (int64_t)i : -1;
	}
	return -1;
}

void flows_at(struct world *w, struct flows_gen *g, uint32_t i, sim_time t, event_fn fn)
{
	world_at(w, t, fn, g->n, g->serial << 32 | i);
}

struct flows_gen *flows_from_event(struct node *n, uint64_t u, uint32_t *i)
{
	struct sock_node *t = sock_node_peek(n);
	if (!t)
		return NULL;
	uint64_t serial = u >> 32;
	for (unsigned k = 0; k < t->flows->len; k++) {
		struct flows_gen *g = g_ptr_array_index(t->flows, k);
		if (g->serial == serial) {
			*i = (uint32_t)u;
			return *i < g->started ? g : NULL;
		}
	}
	return NULL;
}

bool flows_udp_reply(struct node *n, const struct packet *p)
{
	struct sock_node *t = sock_node_peek(n);
	if (!t)
		return false;
	const uint8_t *ip = p->data + p->l3, *uh = p->data + p->l4;
	for (unsigned k = 0; k < t->flows->len; k++) {
		struct flows_gen *g = g_ptr_array_index(t->flows, k);
		if (g->tcp || ip_src(ip) != g->dst || rd16(uh) != g->dport)
			continue;
		if (flows_index(g, ip_dst(ip), rd16(uh + 2)) >= 0) {
			g->rx++;
			return true;
		}
	}
	return false;
}

bool flows_err(struct node *n, uint8_t proto, uint32_t laddr, uint16_t lport,
	       uint32_t raddr, uint16_t rport)
{
	struct sock_node *t = sock_node_peek(n);
	if (!t)
		return false;
	for (unsigned k = 0; k < t->flows->len; k++) {
		struct flows_gen *g = g_ptr_array_index(t->flows, k);
		if (g->tcp != (proto == IPPROTO_TCP_) || raddr != g->dst || rport != g->dport)
			continue;
		if (flows_index(g, laddr, lport) >= 0) {
			g->errors++;
			return true;
		}
	}
	return false;
}

/* The j-th datagram (j >= 0) of UDP flow i: 64 bytes of payload. */
static void flows_udp_send(struct world *w, struct flows_gen *g, uint32_t i)
{
	struct packet *p = build_udp(flows_src_addr(g, i), g->dst, flows_src_port(g, i),
				     g->dport, 64, node_next_ip_id(g->n));
	if (!p)
		return;
	g->tx++;
	tr_send(w, g->n, p);
}

/* UDP flows keep no per-flow state: packet j of flow i is scheduled with j
 * encoded as the event time's distance from the flow's start. */
static void flows_udp_next_ev(struct world *w, void *arg, uint64_t u)
{
	uint32_t i;
	struct flows_gen *g = flows_from_event(arg, u, &i);
	if (!g)
		return;
	sim_time start = flows_start_time(g, i);
	uint64_t j = (uint64_t)((w->now - start) / SIM_MS);
	flows_udp_send(w, g, i);
	if (j + 1 < g->packets)
		flows_at(w, g, i, start + (sim_time)(j + 1) * SIM_MS, flows_udp_next_ev);
}

static struct flows_gen *flows_find(struct node *n, uint64_t serial)
{
	struct sock_node *t = sock_node_peek(n);
	if (!t)
		return NULL;
	for (unsigned k = 0; k < t->flows->len; k++) {
		struct flows_gen *g = g_ptr_array_index(t->flows, k);
		if (g->serial == serial)
			return g;
	}
	return NULL;
}

/* The generator's one pending event: start every flow due now, then sleep
 * until the next one is due. */
static void flows_start_ev(struct world *w, void *arg, uint64_t u)
{
	struct flows_gen *g = flows_find(arg, u);
	if (!g)
		return;
	while (g->started < g->nflows && flows_start_time(g, g->started) <= w->now) {
		uint32_t i = g->started++;
		if (g->tcp) {
			tcp_flow_start(w, g, i);
		} else {
			flows_udp_send(w, g, i);
			if (g->packets > 1)
				flows_at(w, g, i, w->now + SIM_MS, flows_udp_next_ev);
		}
	}
	if (g->started < g->nflows)
		world_at(w, flows_start_time(g, g->started), flows_start_ev, g->n, g->serial);
}

void flows_gen_free(struct flows_gen *g)
{
	g_free(g->addrs);
	g_free(g->tflows);
	g_free(g);
}


bool flows_start(struct world *w, struct node *n, bool tcp, uint32_t nflows, uint32_t dst,
		 uint16_t dport, uint16_t lo, uint16_t hi, double rate, uint32_t packets,
		 unsigned *naddrs)
{
	/* Source addresses: the one routing picks first, then the others in
	 * interface order. */
	uint64_t nports = (uint64_t)hi - lo + 1;
	GArray *addrs = g_array_new(false, false, sizeof(uint32_t));
	uint32_t first = route_source_addr(n, dst);
	if (first)
		g_array_append_val(addrs, first);
	for (unsigned i = 0; i < n->ifaces->len; i++) {
		struct iface *ifc = g_ptr_array_index(n->ifaces, i);
		for (unsigned a = 0; a < ifc->naddrs; a++) {
			uint32_t x = ifc->addrs[a].addr;
			bool dup = false;
			for (unsigned k = 0; k < addrs->len; k++)
				dup |= g_array_index(addrs, uint32_t, k) == x;
			if (!dup)
				g_array_append_val(addrs, x);
		}
	}
	*naddrs = addrs->len;
	if (addrs->len == 0 || nflows > nports * addrs->len) {
		g_array_free(addrs, true);
		return false;
	}
	struct flows_gen *g = g_new0(struct flows_gen, 1);
	g->serial = tr_serial(w);
	g->n = n;
	g->tcp = tcp;
	g->nflows = nflows;
	g->dst = dst;
	g->dport = dport;
	g->lo = lo;
	g->hi = hi;
	g->naddrs = addrs->len;
	g->addrs = (uint32_t *)g_array_free(addrs, false);
	g->rate = rate;
	g->packets = packets;
	g->t0 = w->now;
	if (tcp)
		g->tflows = g_new0(struct tcp_flow, nflows);
	g_ptr_array_add(sock_node_get(n)->flows, g);
	world_at(w, g->t0, flows_start_ev, n, g->serial);
	return true;
}

void flows_summary(struct node *n, GString *json)
{
	struct sock_node *t = sock_node_peek(n);
	if (!t || !t->flows->len)
		return;
	uint64_t tx = 0, rx = 0, err = 0, est = 0, n_flows = 0;
	for (unsigned k = 0; k < t->flows->len; k++) {
		struct flows_gen *g = g_ptr_array_index(t->flows, k);
		n_flows += g->started;
		tx += g->tx;
		rx += g->rx;
		err += g->errors;
		est += g->established;
	}
	g_string_append_printf(json,
		", \"flows_started\": %" G_GUINT64_FORMAT ", \"flows_tx\": %" G_GUINT64_FORMAT
		", \"flows_rx\": %" G_GUINT64_FORMAT ", \"flows_icmp_errors\": %" G_GUINT64_FORMAT
		", \"flows_established\": %" G_GUINT64_FORMAT, n_flows, tx, rx, err, est);
}
