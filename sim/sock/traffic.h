/* traffic.h - internal interface of the sockets and traffic generators.
 *
 * Shared by traffic.c (command parsing, flows generator, common helpers),
 * udp.c (UDP sockets), tcp.c (a small real TCP), ping.c (iputils ping) and
 * sim/apps/replay.c (pcap replay). Nothing here is public: the rest of the
 * simulator sees only traffic_cmd() (sim/shell/cmd.h) and the transport entry
 * points (sim/core/world.h).
 *
 * Node state: n->udp is a struct udp_node, n->tcp a struct tcp_node, and
 * n->ping a struct tr_node holding the node's running traffic commands (ping
 * sessions, flows generators, replays). All three are created on first use
 * and freed by transport_free().
 *
 * Event safety: an event never carries a pointer to transport state. It
 * carries the node (which lives for the whole run) and a serial number that
 * is looked up again when the event fires; state freed meanwhile (reboot,
 * connection closed) is simply not found. Serials come from one counter of
 * the run (w->next_serial) that never repeats, so a new object never answers
 * an old object's event.
 */
#ifndef SIM_TRAFFIC_H
#define SIM_TRAFFIC_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "sim/shell/cmd.h"
#include "sim/core/world.h"

/* ----- common helpers (traffic.c) ----- */

/* A fresh serial number of the run (never 0, below 2^32). */
uint64_t tr_serial(struct world *w);
/* Hand a locally generated IPv4 packet to the stack (sets l3/l4). */
void tr_send(struct world *w, struct node *n, struct packet *p);
/* MTU of the interface the route to dst leaves by (1500 if unknown). */
unsigned tr_route_mtu(const struct node *n, uint32_t dst);
/* The next free ephemeral port of a node (net.ipv4.ip_local_port_range
 * 32768-60999, shared by UDP and TCP); `in_use` may reject candidates. */
uint16_t tr_ephemeral(struct node *n, bool (*in_use)(struct node *, uint16_t, void *),
		      void *arg);
/* "a.b.c.d" or a node name: its first address, 0 if it has none yet (the
 * dry run comes before `ip addr add` runs). */
bool tr_parse_addr(struct world *w, const char *text, uint32_t *addr);
/* "DEST:PORT" */
bool tr_parse_hostport(struct world *w, const char *text, uint32_t *addr, uint16_t *port);
/* Unsigned decimal within [min, max]. */
bool tr_parse_u32(const char *text, uint32_t min, uint32_t max, uint32_t *out);
/* A line of asynchronous command output at the current time. */
void tr_output(struct world *w, struct node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ----- running traffic commands of a node (n->ping) ----- */

struct ping_sess;
struct flows_gen;
struct replay_job;

struct tr_node {
	GPtrArray *pings;	/* struct ping_sess *, start order */
	GPtrArray *flows;	/* struct flows_gen *, start order */
	GPtrArray *replays;	/* struct replay_job *, start order */
	unsigned ping_started;	/* pings started on this node (default ids) */
};

struct tr_node *tr_node_get(struct node *n);	/* created on first use */
static inline struct tr_node *tr_node_peek(struct node *n) { return n->ping; }

/* ----- flows (traffic.c; TCP flows' packets in tcp.c) ----- */

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

/* ----- UDP (udp.c) ----- */
int udp_cmd_send(struct cmd_ctx *c, uint32_t dst, uint16_t dport, int sport,
		 uint32_t count, sim_time interval, uint32_t size);
int udp_cmd_listen(struct cmd_ctx *c, uint16_t port, bool echo);
void udp_free(struct node *n);
void udp_summary(struct node *n, GString *json);

/* ----- TCP (tcp.c) ----- */
enum tcp_close_mode { TCP_MODE_CLOSE, TCP_MODE_RESET, TCP_MODE_HOLD };
int tcp_cmd_connect(struct cmd_ctx *c, uint32_t dst, uint16_t dport, int sport,
		    uint64_t bytes, enum tcp_close_mode mode);
int tcp_cmd_listen(struct cmd_ctx *c, uint16_t port);
int tcp_cmd_segment(struct cmd_ctx *c, uint32_t dst, uint16_t dport, uint16_t sport,
		    uint8_t flags, bool have_seq, uint32_t seq, uint32_t ack, uint32_t size);
/* Start TCP flow i of g (its first SYN). */
void tcp_flow_start(struct world *w, struct flows_gen *g, uint32_t i);
void tcp_free(struct node *n);
void tcp_summary(struct node *n, GString *json);

/* ----- ping (ping.c) ----- */
int ping_cmd_start(struct cmd_ctx *c, const char *dest_text, uint32_t dst, uint32_t count,
		   sim_time interval, uint32_t size, int id);
void ping_sess_free(struct ping_sess *s);
void ping_summary(struct node *n, GString *json);

/* ----- replay (replay.c) ----- */
int replay_cmd(struct cmd_ctx *c, int argc, char **argv);
void replay_job_free(struct replay_job *r);

#endif
