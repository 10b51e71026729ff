/* udp.c - UDP sockets of a node: udp_send and udp_listen (the `udp send`
 * and `listen udp` commands of sim/apps), udp_sendto (one datagram of an
 * application's own bytes, now), and udp_rcv.
 *
 * A node's sockets are bound to a local port on every address (INADDR_ANY),
 * one socket per port: `listen udp P` and `udp send ... sport P` share it.
 * Sockets live to the end of the run. Input mirrors
 * __udp4_lib_rcv(): bad checksum dropped, a socket's datagram counted (and
 * echoed by an echo listener), no socket -> ICMP port unreachable unless the
 * datagram was not addressed to the node itself (broadcast).
 */
#include <string.h>
#include <errno.h>
#include "sim/sock/sock_int.h"

struct udp_sock {
	uint16_t port;
	bool echo, listening;
	bool broadcast;		/* SO_BROADCAST: `udp send ... broadcast` */
	udp_recv_fn recv;	/* an application's datagrams (TFTP), or NULL */
	uint64_t rx, rx_bytes, tx, tx_bytes, errors, unroutable, denied;
};

/* One `udp send` in progress. */
struct udp_job {
	uint64_t serial;
	uint16_t sport, dport;
	uint32_t dst, left, size;
	sim_time interval;
	uint8_t *data;		/* the payload's size bytes; NULL: zeros */
};

static void udp_job_free(void *p)
{
	struct udp_job *j = p;

	g_free(j->data);
	g_free(j);
}

struct udp_node {
	GHashTable *socks;	/* port -> struct udp_sock * */
	GPtrArray *order;	/* struct udp_sock *, creation order */
	GPtrArray *jobs;	/* struct udp_job * */
	uint64_t no_socket, csum_errors;
	struct udp_sock *last;	/* the last socket found: a flow's datagrams
				 * skip the hash (sockets live to the end) */
};

static struct udp_node *udp_node_get(struct node *n)
{
	if (!n->udp) {
		struct udp_node *u = g_new0(struct udp_node, 1);
		u->socks = g_hash_table_new(g_direct_hash, g_direct_equal);
		u->order = g_ptr_array_new_with_free_func(g_free);
		u->jobs = g_ptr_array_new_with_free_func(udp_job_free);
		n->udp = u;
	}
	return n->udp;
}

static struct udp_sock *udp_lookup(struct node *n, uint16_t port)
{
	struct udp_node *u = n->udp;
	if (!u)
		return NULL;
	if (u->last && u->last->port == port)
		return u->last;
	struct udp_sock *s = g_hash_table_lookup(u->socks, GUINT_TO_POINTER(port));
	if (s)
		u->last = s;
	return s;
}

static struct udp_sock *udp_sock_get(struct node *n, uint16_t port)
{
	struct udp_sock *s = udp_lookup(n, port);
	if (s)
		return s;
	struct udp_node *u = udp_node_get(n);
	s = g_new0(struct udp_sock, 1);
	s->port = port;
	g_hash_table_insert(u->socks, GUINT_TO_POINTER(port), s);
	g_ptr_array_add(u->order, s);
	return s;
}

static bool udp_port_in_use(struct node *n, uint16_t port, void *arg);

void udp_set_recv(struct node *n, uint16_t port, udp_recv_fn fn)
{
	udp_sock_get(n, port)->recv = fn;
}

int udp_bind_ephemeral(struct node *n, udp_recv_fn fn)
{
	uint16_t port = tr_ephemeral(n, udp_port_in_use, NULL);
	if (!port)
		return -EADDRINUSE;
	udp_set_recv(n, port, fn);
	return port;
}

bool udp_sock_find(struct node *n, uint16_t port)
{
	return udp_lookup(n, port) != NULL;
}

static bool udp_port_in_use(struct node *n, uint16_t port, void *arg)
{
	(void)arg;
	return udp_lookup(n, port) != NULL;
}

/* udp_sendmsg on an unconnected socket bound to sport (made if there is
 * none): the source address is routing's choice for each datagram; the
 * payload is the caller's bytes (checksum over them), or zeros. */
int udp_sendto(struct world *w, struct node *n, uint16_t sport, uint32_t dst, uint16_t dport,
	       const uint8_t *data, uint32_t len)
{
	struct udp_sock *s = udp_sock_get(n, sport);
	uint32_t src = route_source_addr(n, dst);
	if (!src) {
		s->unroutable++; /* sendto: Network is unreachable */
		return -ENETUNREACH;
	}
	struct packet *p = build_udp(src, dst, sport, dport, len, node_next_ip_id(n));
	if (!p)
		return -EMSGSIZE;
	if (data && len) {
		memcpy(pkt_l4(p) + 8, data, len);
		l4_csum_set(pkt_ip(p));
	}
	s->tx++;
	s->tx_bytes += len;
	tr_send(w, n, p);
	return 0;
}

void udp_set_broadcast(struct node *n, uint16_t port)
{
	udp_sock_get(n, port)->broadcast = true;
}

/* udp_sendmsg's refusal after its route lookup: a route of type broadcast
 * (RTCF_BROADCAST: 255.255.255.255 once some route covers it, or a local
 * subnet's broadcast address) on a socket without SO_BROADCAST is -EACCES.
 * Without a route the lookup fails first (Network is unreachable). */
bool udp_broadcast_denied(struct node *n, uint16_t port, uint32_t dst)
{
	if (!ip_addr_is_broadcast(n, dst))	/* first: it is the cheap test */
		return false;
	const struct udp_sock *s = udp_lookup(n, port);
	if (s && s->broadcast)
		return false;
	return dst != 0xffffffffu || route_lookup(n, dst);
}

/* One datagram of a `udp send`: sendto() fails with EACCES for a broadcast
 * destination unless the socket has SO_BROADCAST. */
static void udp_job_send(struct world *w, struct node *n, struct udp_job *j)
{
	if (udp_broadcast_denied(n, j->sport, j->dst)) {
		udp_sock_get(n, j->sport)->denied++;
		return;
	}
	(void)udp_sendto(w, n, j->sport, j->dst, j->dport, j->data, j->size);
}

/* One thread's datagram of a parallel `udp send`. */
static void udp_job_send_one(struct world *w, struct node *n, unsigned i, void *arg)
{
	(void)i;
	udp_job_send(w, n, arg);
}

/* The node's job of this serial and its index, NULL when it is gone
 * (the node rebooted). */
static struct udp_job *udp_job_find(struct node *n, uint64_t serial, unsigned *idx)
{
	struct udp_node *u = n->udp;
	for (unsigned i = 0; u && i < u->jobs->len; i++) {
		struct udp_job *j = g_ptr_array_index(u->jobs, i);
		if (j->serial == serial) {
			*idx = i;
			return j;
		}
	}
	return NULL;
}

/* A parallel `udp send`: all its datagrams now, one thread each. */
static void udp_job_parallel_ev(struct world *w, void *arg, uint64_t serial)
{
	struct node *n = arg;
	unsigned i;
	struct udp_job *j = udp_job_find(n, serial, &i);
	if (!j)
		return;
	node_cpu_parallel(w, n, j->left, udp_job_send_one, j);
	g_ptr_array_remove_index(udp_node_get(n)->jobs, i);
}

static void udp_job_ev(struct world *w, void *arg, uint64_t serial)
{
	struct node *n = arg;
	unsigned i;
	struct udp_job *j = udp_job_find(n, serial, &i);
	if (!j)
		return;
	udp_job_send(w, n, j);
	if (--j->left)
		world_at(w, w->now + j->interval, udp_job_ev, n, j->serial);
	else
		g_ptr_array_remove_index(udp_node_get(n)->jobs, i);
}

int udp_send(struct world *w, struct node *n, uint32_t dst, uint16_t dport, int sport,
	     uint32_t count, sim_time interval, uint32_t size)
{
	return udp_send_data(w, n, dst, dport, sport, count, interval, NULL, size);
}

int udp_send_data(struct world *w, struct node *n, uint32_t dst, uint16_t dport, int sport,
		  uint32_t count, sim_time interval, const uint8_t *data, uint32_t size)
{
	return udp_send_job(w, n, dst, dport, sport, count, interval, data, size, false);
}

int udp_send_job(struct world *w, struct node *n, uint32_t dst, uint16_t dport, int sport,
		 uint32_t count, sim_time interval, const uint8_t *data, uint32_t size,
		 bool parallel)
{
	if (sport < 0) {
		sport = tr_ephemeral(n, udp_port_in_use, NULL);
		if (!sport)
			return -EADDRINUSE;
	}
	udp_sock_get(n, (uint16_t)sport);
	struct udp_job *j = g_new0(struct udp_job, 1);
	j->serial = tr_serial(w);
	j->sport = (uint16_t)sport;
	j->dport = dport;
	j->dst = dst;
	j->left = count;
	j->size = size;
	j->data = data && size ? g_memdup2(data, size) : NULL;
	j->interval = interval;
	g_ptr_array_add(udp_node_get(n)->jobs, j);
	world_at(w, w->now, parallel ? udp_job_parallel_ev : udp_job_ev, n, j->serial);
	return sport;
}

void udp_listen(struct node *n, uint16_t port, bool echo)
{
	struct udp_sock *s = udp_sock_get(n, port);
	s->listening = true;
	s->echo |= echo;
}

/* An echo server's answer: the same payload back to the sender, from the
 * source address routing picks (sendto on a socket bound to INADDR_ANY). */
static void udp_echo(struct world *w, struct node *n, struct udp_sock *s,
		     const uint8_t *ip, const uint8_t *uh, uint32_t plen)
{
	uint32_t peer = ip_src(ip);
	uint32_t src = route_source_addr(n, peer);
	if (!src)
		src = ip_dst(ip);
	struct packet *r = build_udp(src, peer, s->port, rd16(uh), plen, node_next_ip_id(n));
	if (!r)
		return;
	memcpy(pkt_l4(r) + 8, uh + 8, plen);
	l4_csum_set(pkt_ip(r));
	s->tx++;
	s->tx_bytes += plen;
	tr_send(w, n, r);
}

void udp_rcv(struct world *w, struct node *n, struct packet *p)
{
	if (!p->l4) {
		packet_free(p);
		return;
	}
	const uint8_t *ip = p->data + p->l3, *uh = p->data + p->l4;
	uint32_t l4len = ip_tot_len(ip) - ip_ihl(ip);
	uint16_t ulen = rd16(uh + 4);
	if (ulen < 8 || ulen > l4len) { /* udp4_lib_rcv: short packet */
		packet_free(p);
		return;
	}
	if (rd16(uh + 6) && !l4_csum_ok(ip, p->len - p->l3)) {
		if (n->udp)
			((struct udp_node *)n->udp)->csum_errors++;
		packet_free(p);
		return;
	}
	struct udp_sock *s = udp_lookup(n, rd16(uh + 2));
	if (s) {
		s->rx++;
		s->rx_bytes += ulen - 8u;
		if (s->echo)
			udp_echo(w, n, s, ip, uh, ulen - 8u);
		else if (s->recv)
			s->recv(w, n, s->port, ip_src(ip), rd16(uh), uh + 8, ulen - 8u);
	} else if (!flows_udp_reply(n, p)) {
		udp_node_get(n)->no_socket++;
		/* No ICMP for datagrams not addressed to us (broadcast). */
		if (node_has_addr(n, ip_dst(ip)))
			icmp_send_error(w, n, p, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH);
	}
	packet_free(p);
}

/* __udp4_lib_err(): find the socket the quoted datagram left from, and note
 * the error on it. */
void udp_err(struct world *w, struct node *n, const struct packet *icmp)
{
	(void)w;
	if (!icmp->l4)
		return;
	const uint8_t *ip = icmp->data + icmp->l3;
	uint32_t avail = (uint32_t)(icmp->len - icmp->l4);
	const uint8_t *in = icmp->data + icmp->l4 + 8;
	if (avail < 8 + 20 || avail < 8 + ip_ihl(in) + 8 || ip_proto(in) != IPPROTO_UDP_)
		return;
	(void)ip;
	const uint8_t *uh = in + ip_ihl(in);
	struct udp_sock *s = udp_lookup(n, rd16(uh));
	if (s && node_has_addr(n, ip_src(in)))
		s->errors++;
	else
		flows_err(n, IPPROTO_UDP_, ip_src(in), rd16(uh), ip_dst(in), rd16(uh + 2));
}

void udp_free(struct node *n)
{
	struct udp_node *u = n->udp;
	if (!u)
		return;
	g_hash_table_destroy(u->socks);
	g_ptr_array_free(u->order, true);
	g_ptr_array_free(u->jobs, true);
	g_free(u);
	n->udp = NULL;
}

void udp_summary(struct node *n, GString *json)
{
	struct udp_node *u = n->udp;
	if (!u)
		return;
	uint64_t tx = 0, rx = 0, err = 0;
	for (unsigned i = 0; i < u->order->len; i++) {
		struct udp_sock *s = g_ptr_array_index(u->order, i);
		tx += s->tx;
		rx += s->rx;
		err += s->errors;
	}
	g_string_append_printf(json,
		", \"udp_tx\": %" G_GUINT64_FORMAT ", \"udp_rx\": %" G_GUINT64_FORMAT
		", \"udp_icmp_errors\": %" G_GUINT64_FORMAT ", \"udp_no_socket\": %" G_GUINT64_FORMAT,
		tx, rx, err, u->no_socket);
}
