/* sock.h - the sockets of a node (sim/sock: udp.c, tcp.c, ping.c, flows.c,
 * and the helpers of sock.c) as the layers above see them: the traffic
 * commands of sim/apps open sockets and send through these calls, the
 * scenario frees and counts them. What the IP stack calls (udp_rcv,
 * tcp_err, ...) is registered in sim/inet/protocol.h's table at start-up.
 *
 * Design: nothing here prints or parses a command. A call that fails
 * returns a negative errno (the application says it in its own words);
 * what happens later (an echo reply, a connection that fails) reaches the
 * application through a callback it gave, so the socket layer never
 * names the commands above it.
 */
#ifndef SIM_SOCK_H
#define SIM_SOCK_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "sim/inet/inet.h"

/* ----- the sockets' per-node state ----- */

/* The TCP knobs of a node's IPv4 stack (net.ipv4.tcp_*, per network
 * namespace on Linux), set with sysctl; tcp.c follows them. */
struct tcp_sysctl {
	uint32_t syn_retries;		/* tcp_syn_retries */
	uint32_t synack_retries;	/* tcp_synack_retries */
	uint32_t syn_linear_timeouts;	/* tcp_syn_linear_timeouts (Linux 6.5+) */
	uint32_t retries2;		/* tcp_retries2 */
	uint32_t rto_min_us;		/* tcp_rto_min_us (Linux 6.11+) */
	uint32_t rto_max_ms;		/* tcp_rto_max_ms (Linux 6.15+) */
};

/* Linux 6.18's values (tcp_sk_init). */
static inline void tcp_sysctl_defaults(struct tcp_sysctl *k)
{
	k->syn_retries = 6;
	k->synack_retries = 5;
	k->syn_linear_timeouts = 4;
	k->retries2 = 15;
	k->rto_min_us = 200000;
	k->rto_max_ms = 120000;
}

/* n->sock: what outlives the node's sockets (a reboot's transport_free
 * keeps it): the TCP knobs, which the reboot resets itself, and the
 * ephemeral port cursor, which goes on. Made by sock_subsys's node_init,
 * freed by its node_exit. */
struct sock_net {
	struct tcp_sysctl tcp_sysctl;	/* net.ipv4.tcp_* (tcp.c) */
	uint16_t next_ephemeral;	/* next ephemeral port (from 32768) */
};

/* The node's TCP knobs, for sysctl (sim/shell) and tcp.c. */
static inline struct tcp_sysctl *sock_tcp_sysctl(struct node *n)
{
	return &n->sock->tcp_sysctl;
}

/* The sockets' node operations (sock.c), listed in sim/sock/net_stack.c. */
extern const struct node_subsys sock_subsys;

/* ----- the node subsystem table (net_stack.c) ----- */

/* Register the IPv4 stack and the sockets with sim/net and the protocol
 * table, in net_stack.c's order; once per process, before the first node
 * (scenario_load calls it; so do the unit tests that make nodes by hand).
 * Idempotent. */
void net_stack_init(void);

/* Free a node's transport state (end of run, reboot); the free hooks run
 * first, so an application drops its state about the node's sockets. */
void transport_free(struct node *n);
/* Called by transport_free before the sockets go (an application's per-node
 * state); registered once at start-up, run in registration order. */
void sock_add_free_hook(void (*fn)(struct node *n));
/* summary.json: appends a node's UDP and TCP counters to an open JSON object
 * as `, "udp_tx": N, "udp_rx": N, ...` fields, each preceded by ", " (the
 * caller has written at least one field before). Nothing for a node without
 * sockets. */
void transport_summary(struct node *n, GString *json_obj);

/* ----- helpers of every socket (sock.c) ----- */

/* A fresh serial number of the run (never 0, below 2^32): events carry it,
 * never a pointer (see sock_int.h). */
uint64_t tr_serial(struct world *w);
/* Hand a locally generated IPv4 packet to the stack (sets l3/l4). */
void tr_send(struct world *w, struct node *n, struct packet *p);
/* MTU of the interface the route to dst leaves by (1500 if unknown). */
unsigned tr_route_mtu(const struct node *n, uint32_t dst);
/* The next free ephemeral port of a node (net.ipv4.ip_local_port_range
 * 32768-60999, shared by UDP and TCP); `in_use` may reject candidates. */
uint16_t tr_ephemeral(struct node *n, bool (*in_use)(struct node *, uint16_t, void *),
		      void *arg);

/* ----- UDP (udp.c) ----- */

/* Send `count` datagrams of `size` payload bytes from sport (an ephemeral
 * port if sport < 0), the first now, then every `interval`: the source
 * port, or -EADDRINUSE when no ephemeral port is free. A datagram to a
 * broadcast address is refused (EACCES) unless udp_set_broadcast. */
int udp_send(struct world *w, struct node *n, uint32_t dst, uint16_t dport, int sport,
	     uint32_t count, sim_time interval, uint32_t size);
/* The same with the payload's `size` bytes given (copied; NULL: zeros):
 * `udp send ... text "TEXT"`. */
int udp_send_data(struct world *w, struct node *n, uint32_t dst, uint16_t dport, int sport,
		  uint32_t count, sim_time interval, const uint8_t *data, uint32_t size);
/* The same; `parallel`: the `count` datagrams all now, from one thread each
 * on the node's CPUs (sendmsg on one socket from several threads, as glibc's
 * resolver sends its A and AAAA queries; sim/net/cpu.c), `interval` unused. */
int udp_send_job(struct world *w, struct node *n, uint32_t dst, uint16_t dport, int sport,
		 uint32_t count, sim_time interval, const uint8_t *data, uint32_t size,
		 bool parallel);
/* One datagram of `len` bytes (NULL: zeros) from the socket on sport (bound
 * now if there is none) to dst:dport, sent at once (sendto): an
 * application's own protocol (TFTP). 0, or -ENETUNREACH (no route; the
 * socket counts it), -EMSGSIZE (too long for one datagram). */
int udp_sendto(struct world *w, struct node *n, uint16_t sport, uint32_t dst, uint16_t dport,
	       const uint8_t *data, uint32_t len);
/* SO_BROADCAST on the socket of port (made if there is none). */
void udp_set_broadcast(struct node *n, uint16_t port);
/* True if a datagram from port to dst now fails with EACCES (udp_sendmsg:
 * a broadcast route on a socket without SO_BROADCAST). */
bool udp_broadcast_denied(struct node *n, uint16_t port, uint32_t dst);
/* A listening socket on port (every address); an echo socket sends each
 * datagram back. */
void udp_listen(struct node *n, uint16_t port, bool echo);
/* An application's datagrams on a port: fn gets each one's source and
 * payload (the application finds its state again from the node and port). */
typedef void (*udp_recv_fn)(struct world *w, struct node *n, uint16_t lport, uint32_t src,
			    uint16_t sport, const uint8_t *data, uint32_t len);
/* The socket on port (made if there is none) hands its datagrams to fn. */
void udp_set_recv(struct node *n, uint16_t port, udp_recv_fn fn);
/* A new socket on an ephemeral port (bind to port 0) with fn: the port, or
 * -EADDRINUSE. */
int udp_bind_ephemeral(struct node *n, udp_recv_fn fn);

/* ----- TCP (tcp.c) ----- */

enum tcp_close_mode { TCP_MODE_CLOSE, TCP_MODE_RESET, TCP_MODE_HOLD };
/* Connect and send `bytes` bytes: data's, or zeros when data is NULL (the
 * pattern of `send N`); the segments are cut at the MSS as the kernel cuts
 * a stream written at once. 0, or -ENETUNREACH (no route), -EADDRNOTAVAIL
 * (no ephemeral port), -EADDRINUSE (the tuple is connected). */
int tcp_connect(struct world *w, struct node *n, uint32_t dst, uint16_t dport, int sport,
		uint64_t bytes, const uint8_t *data, enum tcp_close_mode mode);
void tcp_listen(struct node *n, uint16_t port);
/* One hand-made segment, part of no connection: 0, or -ENETUNREACH. */
int tcp_segment(struct world *w, struct node *n, uint32_t dst, uint16_t dport, uint16_t sport,
		uint8_t flags, bool have_seq, uint32_t seq, uint32_t ack, uint32_t size);

/* A client connection that failed (connecting: in SYN_SENT, the connect's
 * error; else an established connection's): the application's report, set
 * once at start-up (none: nothing is said). */
typedef void (*tcp_fail_fn)(struct world *w, struct node *n, uint32_t raddr, uint16_t rport,
			    bool connecting, const char *why);
void tcp_set_fail_report(tcp_fail_fn fn);

/* The bytes a TCP connection of node n on local port lport receives, in
 * stream order, each byte once (retransmissions and out-of-order segments
 * are not delivered twice): fn(ctx, n, data, len) for every segment that
 * moves rcv_nxt, with the new bytes only. For connections a listener
 * accepted and connections made from that port alike. One callback per
 * port (a second replaces the first); it lasts until the node's sockets
 * are freed (reboot, end of run). An application reads a protocol's lines
 * with it (an FTP helper's "227 ..." reply), a test the bytes sent. */
typedef void (*tcp_recv_fn)(void *ctx, struct node *n, const uint8_t *data, size_t len);
void tcp_set_recv(struct node *n, uint16_t lport, tcp_recv_fn fn, void *ctx);

/* ----- TCP application sockets (tcp.c): a protocol's client and server
 * (sim/apps/ftp.c) writing and reading a connection as it goes ----- */

/* Callbacks of an application socket, each naming the connection by its
 * serial (never a pointer: the application looks its session up again).
 * established: connected (a client) or accepted (a listener's), the place
 * to write a banner; recv: new bytes in stream order; eof: the peer's FIN
 * (the application may still write; the connection then closes); failed:
 * the connection is gone (refused, reset, timed out). Any may be NULL. */
struct tcp_app_ops {
	void (*established)(struct world *w, struct node *n, uint64_t conn, uint16_t lport);
	void (*recv)(struct world *w, struct node *n, uint64_t conn, const uint8_t *data,
		     size_t len);
	void (*eof)(struct world *w, struct node *n, uint64_t conn);
	void (*failed)(struct world *w, struct node *n, uint64_t conn, const char *why);
};
/* Connect from sport (-1: ephemeral); *conn: the connection's serial.
 * Errors as tcp_connect. */
int tcp_app_connect(struct world *w, struct node *n, uint32_t dst, uint16_t dport, int sport,
		    const struct tcp_app_ops *ops, uint64_t *conn);
/* Listen on port (0: an ephemeral one); returns the port, or -EADDRNOTAVAIL.
 * The connections it accepts get ops. */
int tcp_app_listen(struct node *n, uint16_t port, const struct tcp_app_ops *ops);
void tcp_app_unlisten(struct node *n, uint16_t port);
/* Append bytes (NULL: zeros) to the stream: 0, or -EPIPE (gone, closed). */
int tcp_app_write(struct world *w, struct node *n, uint64_t conn, const uint8_t *data,
		  size_t len);
/* close(): FIN after the bytes written (once established). */
void tcp_app_close(struct world *w, struct node *n, uint64_t conn);
bool tcp_app_addrs(struct node *n, uint64_t conn, uint32_t *laddr, uint16_t *lport,
		   uint32_t *raddr, uint16_t *rport);

/* ----- ICMP echo sockets (ping.c) ----- */

/* What an echo socket hears: an echo reply with its id (ip, icmp: the
 * reply's headers), and an ICMP error quoting one of its echo requests
 * (echo: the quoted echo header). Not owning; the callback may close the
 * socket. */
struct ping_sock_ops {
	void (*reply)(struct world *w, struct node *n, void *ctx, const uint8_t *ip,
		      const uint8_t *icmp);
	void (*error)(struct world *w, struct node *n, void *ctx, const uint8_t *ip,
		      const uint8_t *icmp, const uint8_t *echo);
};
struct ping_sock;
/* Open an echo socket for id and dst; ctx lives until ping_sock_close or
 * the node's sockets are freed (after the free hooks). A reply goes to the
 * first open socket with its id, an error to the first with its id and the
 * quoted destination. */
struct ping_sock *ping_sock_open(struct node *n, uint16_t id, uint32_t dst,
				 const struct ping_sock_ops *ops, void *ctx);
void ping_sock_close(struct node *n, struct ping_sock *s);

/* ----- the flows load generator (flows.c) ----- */

/* Start nflows flows (UDP, or TCP handshakes) to dst:dport from source
 * ports lo..hi of each of the node's addresses, `rate` new flows per
 * second, `packets` per flow. false if the addresses have too few ports
 * (*naddrs: how many addresses there are). */
bool flows_start(struct world *w, struct node *n, bool tcp, uint32_t nflows, uint32_t dst,
		 uint16_t dport, uint16_t lo, uint16_t hi, double rate, uint32_t packets,
		 unsigned *naddrs);
/* summary.json: the flows' counters, as transport_summary. */
void flows_summary(struct node *n, GString *json_obj);

#endif
