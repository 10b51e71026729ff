/* sock_int.h - internal interface of the sockets (sim/sock only).
 *
 * Shared by sock.c (helpers, start-up, transport_free), udp.c (UDP
 * sockets), tcp.c (a small real TCP), ping.c (ICMP echo sockets) and
 * flows.c (the flows load generator). The layers above see sim/sock/sock.h;
 * the IP stack sees the entry points below through sim/inet/protocol.h's
 * table. No shell or application header is included: the commands that
 * drive these sockets live in sim/apps.
 *
 * Node state: n->udp is a struct udp_node, n->tcp a struct tcp_node, and
 * n->ping a struct sock_node (the node's ICMP echo sockets and flows
 * generators). All three are created on first use and freed by
 * transport_free().
 *
 * Event safety: an event never carries a pointer to transport state. It
 * carries the node (which lives for the whole run) and a serial number that
 * is looked up again when the event fires; state freed meanwhile (reboot,
 * connection closed) is simply not found. Serials come from one counter of
 * the run (w->next_serial) that never repeats, so a new object never answers
 * an old object's event.
 */
#ifndef SIM_SOCK_INT_H
#define SIM_SOCK_INT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "sim/inet/protocol.h"
#include "sim/sock/sock.h"

/* The sockets' entries in the protocol table (sock.c), listed in
 * net_stack.c. */
extern const struct net_protocol udp_protocol, tcp_protocol, ping_protocol;

/* ----- the sockets' entry points (sim/inet/protocol.h's table) ----- */
/* Input at the local host, after INPUT; each takes ownership of p. */
void udp_rcv(struct world *w, struct node *n, struct packet *p);
void tcp_rcv(struct world *w, struct node *n, struct packet *p);
/* Every echo reply and every ICMP error (from icmp_rcv): the echo sockets
 * keep the replies and errors about their own echo requests and free the
 * rest. */
void ping_icmp_rcv(struct world *w, struct node *n, struct packet *p);
/* An ICMP error quoting a UDP or TCP header (not owning: `icmp` is the
 * whole ICMP packet, l3/l4 set). */
void udp_err(struct world *w, struct node *n, const struct packet *icmp);
void tcp_err(struct world *w, struct node *n, const struct packet *icmp);
/* Is there a socket for a packet the node sent: an echo socket with id
 * `id` to dst, a UDP socket on `port`, a TCP connection. */
bool ping_sock_find(struct node *n, uint16_t id, uint32_t dst);
bool udp_sock_find(struct node *n, uint16_t port);
bool tcp_sock_find(struct node *n, uint32_t laddr, uint16_t lport, uint32_t raddr,
		   uint16_t rport);

/* ----- the node's ICMP echo sockets and flows generators (n->ping) ----- */

struct flows_gen;

struct sock_node {
	GPtrArray *pings;	/* struct ping_sock *, open order */
	GPtrArray *flows;	/* struct flows_gen *, start order */
};

struct sock_node *sock_node_get(struct node *n);	/* created on first use */
static inline struct sock_node *sock_node_peek(struct node *n) { return n->ping; }

/* ----- flows (flows.c; TCP flows' packets in tcp.c) ----- */

/* Per-flow TCP state: what a minimal client needs (no data retransmission). */
struct tcp_flow {
	uint32_t iss, rcv_nxt, ts_off, ts_recent;
	uint32_t sent;		/* data segments sent */
	uint8_t state;		/* enum tcp_flow_state (tcp.c) */
	uint8_t syn_tries;	/* SYNs sent */
	bool ts_ok, ws_ok;	/* negotiated with the SYN-ACK */
};

struct flows_gen {
	uint64_t serial;
	struct node *n;
	bool tcp;
	uint32_t nflows, started;
	uint32_t dst;
	uint16_t dport, lo, hi;
	uint32_t *addrs;	/* source addresses, interface order */
	unsigned naddrs;
	double rate;		/* new flows per second */
	uint32_t packets;	/* per flow */
	sim_time t0;
	struct tcp_flow *tflows; /* TCP: nflows entries */
	/* aggregate counters */
	uint64_t tx, rx, errors, established, reset;
};

/* Flow i's source address and port. */
static inline uint32_t flows_src_addr(const struct flows_gen *g, uint32_t i)
{
	return g->addrs[i / ((uint32_t)g->hi - g->lo + 1)];
}
static inline uint16_t flows_src_port(const struct flows_gen *g, uint32_t i)
{
	return (uint16_t)(g->lo + i % ((uint32_t)g->hi - g->lo + 1));
}
/* The flow index of a local address/port in g, or -1. */
int64_t flows_index(const struct flows_gen *g, uint32_t laddr, uint16_t lport);
/* Event helper: schedule packet work for flow i of g at t (u = serial<<32|i). */
void flows_at(struct world *w, struct flows_gen *g, uint32_t i, sim_time t, event_fn fn);
/* Resolve an event's (node, u) to its generator and flow index. */
struct flows_gen *flows_from_event(struct node *n, uint64_t u, uint32_t *i);
/* A UDP datagram addressed to no socket: a reply to a UDP flow? (counted) */
bool flows_udp_reply(struct node *n, const struct packet *p);
/* An ICMP error quoting a flow's packet (counted). */
bool flows_err(struct node *n, uint8_t proto, uint32_t laddr, uint16_t lport,
	       uint32_t raddr, uint16_t rport);
void flows_gen_free(struct flows_gen *g);

/* ----- UDP (udp.c) ----- */
void udp_free(struct node *n);
void udp_summary(struct node *n, GString *json);

/* ----- TCP (tcp.c) ----- */
/* Start TCP flow i of g (its first SYN). */
void tcp_flow_start(struct world *w, struct flows_gen *g, uint32_t i);
void tcp_free(struct node *n);
void tcp_summary(struct node *n, GString *json);

/* ----- ICMP echo sockets (ping.c) ----- */
void ping_sock_free_all(struct sock_node *s);

#endif
