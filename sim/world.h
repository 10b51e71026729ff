/* world.h - the simulated world: nodes, interfaces, links, and the run.
 *
 * One `struct world` per run owns the clock, the event queue, the seeded
 * generator, every node and link, and the output files. Modules:
 *   evq.c rng.c            engine
 *   packet.c               frames, checksums, builders
 *   link.c switch.c        layer 2: links with rate/delay/loss/queue, switches
 *   pcapw.c                capture (one pcap per interface, libpcap)
 *   ip.c route.c icmp.c    the IPv4 stack of hosts and routers, with hooks
 *   ipcmd.c                `ip addr|route|link`
 *   udp.c tcp.c ping.c traffic.c replay.c   sockets and traffic generators
 *   scenario.c cmd.c expect.c output.c main.c   the scenario runner
 */
#ifndef SIM_WORLD_H
#define SIM_WORLD_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "evq.h"
#include "packet.h"
#include "rng.h"
#include "sim_time.h"

struct node;
struct link;
struct pcapw;

#define IFNAME_MAX 16
#define NODENAME_MAX 32
#define IFACE_MAX_ADDRS 8

struct iface_addr {
	uint32_t addr;
	uint8_t plen;
};

struct iface {
	char name[IFNAME_MAX];
	struct node *node;
	mac_addr mac;
	bool up;
	unsigned mtu;
	struct iface_addr addrs[IFACE_MAX_ADDRS]; /* [0] is the primary address */
	unsigned naddrs;
	struct link *link;	/* NULL until a `link` statement attaches it */
	int link_side;		/* 0 or 1: which end of link this is */
	unsigned segment;	/* layer-2 segment id (switches joined), for neighbours */
	struct pcapw *pcap;	/* NULL with --no-pcap and on switches */
	uint64_t tx_packets, rx_packets, tx_dropped;
};

struct route {
	uint32_t prefix;
	uint8_t plen;
	uint32_t gw;		/* 0: directly connected */
	struct iface *dev;	/* NULL: resolve from gw */
	bool onlink;
	bool kernel;		/* "proto kernel scope link" route of an address */
};

enum node_kind { NODE_HOST, NODE_ROUTER, NODE_SWITCH };

struct node {
	struct world *w;		/* the run this node belongs to */
	char name[NODENAME_MAX];
	enum node_kind kind;
	unsigned index;		/* order of declaration */
	GPtrArray *ifaces;	/* struct iface * */
	GArray *routes;		/* struct route */
	bool ip_forward;	/* net.ipv4.ip_forward */
	unsigned ipfrag_time;	/* net.ipv4.ipfrag_time */
	struct nf_ns *nf;	/* routers only */
	uint16_t ip_id;		/* next IPv4 id this node sends */
	uint16_t next_ephemeral; /* next ephemeral port (from 32768) */
	/* transport state, owned by udp.c, tcp.c, ping.c */
	void *udp, *tcp, *ping;
	/* switch.c: learned MAC -> port */
	GHashTable *fdb;
	/* the node's small file store (`>`, `>>`, `<`, `cat`): path -> GString */
	GHashTable *files;
	/* the node's kernel log lines, for `expect NODE log` */
	GPtrArray *klog;
};

/* Link direction state: frames queued on one side, serialised one at a time. */
struct link_dir {
	struct packet *head, *tail;
	unsigned qlen;
	bool busy;
	uint64_t dropped_queue, dropped_loss, sent;
};

struct link {
	struct iface *end[2];
	uint64_t rate_bps;	/* 0: infinite */
	sim_time delay;
	double loss;		/* 0..1 */
	unsigned queue_limit;	/* packets; default 1000 (txqueuelen) */
	struct link_dir dir[2];	/* dir[i]: frames sent by end[i] */
	int line;		/* scenario line */
};

struct expect;
struct scenario;

struct run_opts {
	const char *scenario_path;
	char *out_dir;
	uint64_t seed;
	sim_time until;		/* SIM_TIME_NEVER if not given */
	bool trace, check, pcap, quiet, report;
	const char *junit;
};

struct world {
	struct evq q;
	sim_time now;
	struct rng rng;
	struct run_opts opt;
	GPtrArray *nodes;	/* struct node * in declaration order */
	GHashTable *node_by_name;
	GPtrArray *links;
	struct scenario *scn;
	uint64_t events;	/* events processed */
	uint64_t next_packet_id;
	FILE *kernel_log, *events_log, *trace_log;
	int exit_status;	/* 0, 1 (expectation/invariant failed), 2 */
	bool stopping;
	sim_time end_time;
};

/* ----- nodes and interfaces (node.c) ----- */
struct node *node_new(struct world *w, const char *name, enum node_kind kind);
struct node *node_find(struct world *w, const char *name);
struct iface *iface_find(struct node *n, const char *name);
/* Create the interface if the node has none of that name (done by `link`). */
struct iface *iface_get_or_create(struct world *w, struct node *n, const char *name);
/* The node owning `addr` on one of its interfaces, or NULL. */
bool node_has_addr(const struct node *n, uint32_t addr);
/* Primary address of an interface, 0 if none. */
uint32_t iface_primary_addr(const struct iface *ifc);
/* Next IPv4 id / ephemeral port of a node. */
uint16_t node_next_ip_id(struct node *n);

/* ----- layer 2 (link.c, switch.c) ----- */
/* Queue a frame for transmission on ifc's link (drop-tail; counted). The
 * frame's MACs must already be set. Takes ownership of p. */
void link_transmit(struct world *w, struct iface *ifc, struct packet *p);
/* A frame arrived at ifc (from its link): capture, then switch or IP input. */
void iface_receive(struct world *w, struct iface *ifc, struct packet *p);
/* A switch's forwarding of a received frame. */
void switch_receive(struct world *w, struct node *sw, struct iface *in, struct packet *p);
/* Compute layer-2 segments after the topology is built (iface->segment). */
void l2_compute_segments(struct world *w);

/* ----- capture (pcapw.c) ----- */
struct pcapw *pcapw_open(const char *path, GString *err);
void pcapw_write(struct pcapw *pw, sim_time t, const uint8_t *data, uint32_t len);
void pcapw_close(struct pcapw *pw);
/* Record a frame crossing ifc (tx or rx): pcap, then `saw` expectations. */
void iface_capture(struct world *w, struct iface *ifc, const struct packet *p);

/* ----- the IPv4 stack (ip.c, route.c, icmp.c) ----- */
/* An IPv4 frame arrived on ifc: ip_rcv, PREROUTING, routing, INPUT or
 * FORWARD, POSTROUTING, neighbour output. Takes ownership of p. */
void ip_rcv(struct world *w, struct node *n, struct iface *ifc, struct packet *p);
/* Send a locally generated IPv4 packet (p->l3 set, IP header complete, MACs
 * zero): routing, OUTPUT, POSTROUTING, neighbour output. Takes ownership. */
void ip_local_out(struct world *w, struct node *n, struct packet *p);
/* Longest-prefix match; NULL if no route. */
const struct route *route_lookup(const struct node *n, uint32_t dst);
/* Source address Linux would pick to reach dst (route's device primary). */
uint32_t route_source_addr(const struct node *n, uint32_t dst);
/* Send an ICMP error about packet `orig` (as it was received) from node n. */
void icmp_send_error(struct world *w, struct node *n, const struct packet *orig,
		     uint8_t type, uint8_t code);

/* Transport input at the local host, after INPUT (udp.c, tcp.c, ping.c).
 * Each takes ownership of p. icmp_rcv answers echo requests itself. */
void udp_rcv(struct world *w, struct node *n, struct packet *p);
void tcp_rcv(struct world *w, struct node *n, struct packet *p);
void icmp_rcv(struct world *w, struct node *n, struct packet *p);
/* Free a node's transport state (end of run, reboot). */
void transport_free(struct node *n);

/* ----- logging and outputs (output.c) ----- */
/* Kernel log line of a node at time t: kernel.log and the node's klog. */
void world_klog(struct world *w, struct node *n, sim_time t, const char *text);
/* A conntrack -E event line of a router. */
void world_ct_event(struct world *w, struct node *n, sim_time t, const char *line);
/* Output of a running command after its start (ping replies, statistics):
 * printed on stdout at its simulated time as "[SECONDS.MICROS] NODE: text". */
void world_cmd_output(struct world *w, struct node *n, sim_time t, const char *text);
/* Called by iface_capture for every captured frame: `saw` expectations count. */
void expect_observe(struct world *w, struct iface *ifc, const struct packet *p);
/* A packet walk line (--trace): stdout and trace.log. */
void world_trace(struct world *w, const char *line);
/* Schedule an event at absolute time t. */
static inline void world_at(struct world *w, sim_time t, event_fn fn, void *arg, uint64_t u)
{
	evq_push(&w->q, t, fn, arg, u);
}

#endif
