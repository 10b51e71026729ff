/* world.h - the simulated world: nodes, interfaces, links, and the run.
 *
 * One `struct world` per run owns the clock, the event queue, the seeded
 * generator, every node and link, and the output files. This header still
 * declares the API of many modules (issue 13 gives each its own):
 *   sim/core/      evq.c rng.c sim_time.c world.c: the engine and the run
 *   sim/net/       packet.c (frames, checksums, builders), node.c, link.c and
 *                  switch.c (links with rate/delay/loss/queue, switches, layer-2
 *                  segments), pcapw.c (one pcap per interface, libpcap)
 *   sim/inet/      ip.c route.c icmp.c: the IPv4 stack of hosts and routers,
 *                  with hooks; route_input.c devconf.c: source checks and
 *                  redirects, the net.ipv4.conf knobs
 *   sim/sock/      udp.c tcp.c ping.c traffic.c: sockets (and, for now, the
 *                  traffic commands' parsing and the flows generator)
 *   sim/shell/     cmd.c (the node's shell), ipcmd.c (`ip addr|route|link`),
 *                  nstat.c (`nstat` over the node's counters), ...
 *   sim/apps/      replay.c
 *   sim/out/       output.c (logs, summary.json, JUnit), report.c
 *   sim/scenario/  scenario.c expect.c: the scenario runner
 *   sim/main.c     the command line
 */
#ifndef SIM_WORLD_H
#define SIM_WORLD_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "sim/core/evq.h"
#include "sim/net/packet.h"
#include "sim/core/rng.h"
#include "sim/core/sim_time.h"

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

/* The net.ipv4.conf.{all,default,IF}.* knobs natsim acts on (devinet.c's
 * IPV4_DEVCONF_*): one set per interface, plus a node's `all` and
 * `default` (devconf.c). */
enum ipv4_devconf_id {
	DEVCONF_ACCEPT_REDIRECTS, DEVCONF_SECURE_REDIRECTS, DEVCONF_SEND_REDIRECTS,
	DEVCONF_SHARED_MEDIA, DEVCONF_RP_FILTER, DEVCONF_ACCEPT_LOCAL, DEVCONF_LOG_MARTIANS,
	DEVCONF_MAX
};

struct ipv4_devconf {
	int data[DEVCONF_MAX];
	uint32_t state;		/* bit id: written on this interface (no longer
				 * follows default) */
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
	/* ip.c's last neighbour answer out of this interface: the (segment,
	 * address) key and the owner found, so a flow's packets skip the
	 * neighbour table's hash lookup; validated like a table hit */
	uint64_t neigh_key;
	struct iface *neigh;
	/* expect.c: the `saw` expectations counting this interface's frames,
	 * NULL if none (set once the scenario is parsed) */
	GPtrArray *saw;
	uint64_t tx_packets, rx_packets, tx_dropped;
	uint64_t rx_dropped;	/* frames refused at receive (too long, VLAN tag) */
	struct ipv4_devconf cnf;	/* net.ipv4.conf.IF.* */
};

struct route {
	uint32_t prefix;
	uint8_t plen;
	uint32_t gw;		/* 0: directly connected */
	struct iface *dev;	/* NULL: resolve from gw */
	bool onlink;
	bool kernel;		/* "proto kernel scope link" route of an address */
	uint32_t metric;	/* `metric N` (0 by default); lower wins a tie */
};

/* A route exception left by an accepted ICMP redirect (route.c). */
struct route_exception {
	uint32_t daddr;		/* the destination it is about */
	const struct iface *dev;	/* the route it hangs on: device and gateway */
	uint32_t old_gw;
	uint32_t gw;		/* the gateway to use instead */
	sim_time expires;	/* ip_rt_gc_timeout (300 s) after the redirect */
};

enum node_kind { NODE_HOST, NODE_ROUTER, NODE_SWITCH };

/* The kernel's net_ratelimit() state (10 messages per 5 s per machine). */
struct net_ratelimit {
	bool started;
	sim_time begin;
	unsigned printed, missed;
};

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

struct node {
	struct world *w;		/* the run this node belongs to */
	char name[NODENAME_MAX];
	enum node_kind kind;
	unsigned index;		/* order of declaration */
	GPtrArray *ifaces;	/* struct iface * */
	GArray *routes;		/* struct route */
	GArray *route_exceptions; /* struct route_exception, NULL if none */
	bool ip_forward;	/* net.ipv4.ip_forward */
	struct ipv4_devconf conf_all, conf_dflt; /* net.ipv4.conf.all/default.* */
	struct ipv4_devconf conf_lo;	/* lo's, until ip.c makes the device */
	unsigned ipfrag_time;	/* net.ipv4.ipfrag_time */
	struct tcp_sysctl tcp_sysctl;	/* net.ipv4.tcp_* (tcp.c) */
	struct nf_ns *nf;	/* routers only */
	uint16_t ip_id;		/* next IPv4 id this node sends */
	uint16_t next_ephemeral; /* next ephemeral port (from 32768) */
	/* transport state, owned by udp.c, tcp.c, ping.c */
	void *udp, *tcp, *ping;
	/* IPv4 stack state owned by ip.c (neighbours, loopback queue) and
	 * icmp.c (rate limits); freed by ip_node_free() */
	void *ip, *icmp;
	/* the loopback device (ip.c): 127.0.0.1/8 plus `ip addr add .. dev lo`;
	 * not in ifaces (no link, no pcap); NULL until first used */
	struct iface *lo;
	/* switch.c: learned MAC -> port */
	GHashTable *fdb;
	/* the node's small file store (`>`, `>>`, `<`, `cat`): path -> GString */
	GHashTable *files;
	/* events a running `conntrack -E` has shown, for its closing line */
	uint64_t ct_events_shown;
	/* the node's kernel log lines, for `expect NODE log` */
	GPtrArray *klog;
	/* net_ratelimit of the stack's warnings (martians, redirects) */
	struct net_ratelimit net_rl;
	/* journal.c: when each klog line was logged (dmesg), the first line and
	 * the time of the current boot, the journal's entries, the next PID */
	GArray *klog_time;
	unsigned klog_boot;
	sim_time boot_time;
	GPtrArray *journal;
	int next_pid;
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
struct report;

struct run_opts {
	const char *scenario_path;
	char *out_dir;
	uint64_t seed;
	sim_time until;		/* SIM_TIME_NEVER if not given */
	bool trace, check, pcap, quiet, report;
	bool strict;		/* stop at the first command that fails unexpectedly */
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
	uint64_t next_serial;	/* the last serial tr_serial handed out (sim/sock) */
	FILE *kernel_log, *events_log, *trace_log;
	int exit_status;	/* 0, 1 (expectation/invariant/command failed), 2 */
	bool output_failed;	/* an output file could not be written (reported) */
	bool stopping;
	bool progress_shown;	/* scenario.c's progress line is on the terminal */
	sim_time end_time;
	struct report *report;	/* --report's recorder (report.c), NULL when off */
};

/* ----- nodes and interfaces (node.c) ----- */
/* A new node, appended to w->nodes (routers get their netfilter namespace).
 * NULL if the name is taken or has NODENAME_MAX characters or more. */
struct node *node_new(struct world *w, const char *name, enum node_kind kind);
struct node *node_find(struct world *w, const char *name);
struct iface *iface_find(struct node *n, const char *name);
/* Create the interface if the node has none of that name (done by `link`):
 * up, MTU 1500, MAC mac_for(node, iface), pcap "<out_dir>/<node>-<iface>.pcap"
 * opened unless --no-pcap or a switch. NULL if the name is empty or has
 * IFNAME_MAX characters or more (Linux's IFNAMSIZ). */
struct iface *iface_get_or_create(struct world *w, struct node *n, const char *name);
/* The node owning `addr` on one of its interfaces, or NULL. */
bool node_has_addr(const struct node *n, uint32_t addr);
/* Primary address of an interface, 0 if none. */
uint32_t iface_primary_addr(const struct iface *ifc);
/* Next IPv4 id / ephemeral port of a node. */
uint16_t node_next_ip_id(struct node *n);
/* Free one node: its pcaps (closed and flushed), interfaces, routes, file
 * store, kernel log, fdb, transport state (transport_free), IPv4 stack state
 * (ip_node_free) and netfilter namespace. Does not remove it from w->nodes. */
void node_free(struct node *n);
/* End of run: world_free_links(), then every node; w->nodes and
 * w->node_by_name are freed and set to NULL. */
void world_free_nodes(struct world *w);

/* ----- per-interface IPv4 knobs (devconf.c) ----- */
/* Defaults for all, default and every interface of n (node_new, reboot). */
void devconf_node_init(struct node *n);
/* A new interface takes n's `default` set; lo, up since boot, the
 * defaults, all of them its own (ipv4_devconf_setall on NETDEV_UP). */
void devconf_iface_init(struct node *n, struct iface *ifc);
/* An address was added (inet_rtm_newaddr's ipv4_devconf_setall): the
 * interface's knobs no longer follow `default`. */
void devconf_iface_setall(struct iface *ifc);
/* ip_forward changed (inet_forward_change): all.accept_redirects = !on. */
void devconf_forward_change(struct node *n);
/* A knob of an interface as the stack reads it, all and IF combined as the
 * kernel's IN_DEV_* macros do (OR; max for rp_filter; accept_redirects:
 * AND on a forwarding node). */
int in_dev_conf(const struct node *n, const struct iface *ifc, enum ipv4_devconf_id id);
/* sysctl net.ipv4.conf.WHO.KNOB (WHO: all, default, an interface, lo).
 * 0 done (the value in val); 1 not such a knob (the caller goes on); 2 no
 * such interface; 3 bad value (sysctl's message in err). */
int devconf_get(struct node *n, const char *name, GString *val);
int devconf_set(struct node *n, const char *name, const char *value, GString *err,
		bool dry_run);

/* ----- layer 2 (link.c, switch.c) ----- */
/* Join a and b (both must have no link yet) with a link: rate 0 (infinite),
 * delay 0, loss 0, queue_limit 1000; appended to w->links (created if NULL).
 * The caller sets rate/delay/loss/queue/line afterwards. */
struct link *link_new(struct world *w, struct iface *a, struct iface *b);
/* Free every link with its queued frames, and the frames still in flight in
 * the event queue (their events become no-ops); w->links is freed and set to
 * NULL. Called by world_free_nodes(). */
void world_free_links(struct world *w);
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
/* Flush to the file. 0, or 2 with "PATH: No space left on device" in err
 * (if non-NULL) when this or an earlier write failed. */
int pcapw_flush(struct pcapw *pw, GString *err);
/* True once a write to the file failed. */
bool pcapw_failed(const struct pcapw *pw);
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
/* Input routing checks (route_input.c). fib_validate_source: may a packet
 * from src arriving on `in` be accepted? `oif` is the interface it will
 * leave by, NULL if it is for this node. FIB_SRC_INVAL (a martian source:
 * the node's own address, a broadcast), FIB_SRC_RPF (rp_filter refused it),
 * else 0, or 1 when the source is on link on `in` (the full check ran). */
#define FIB_SRC_INVAL (-1)
#define FIB_SRC_RPF (-2)
int fib_validate_source(const struct node *n, uint32_t src, const struct iface *in,
			const struct iface *oif);
/* __mkroute_input's IPSKB_DOREDIRECT: out by the interface it came in on,
 * the source on link (`validated` is fib_validate_source's 1),
 * send_redirects, and shared_media or the source and gateway `gw` (0 for a
 * direct route) on one subnet. */
bool ip_route_do_redirect(const struct node *n, const struct iface *in, const struct iface *out,
			  int validated, uint32_t saddr, uint32_t gw);
/* ip_handle_martian_source's log_martians lines ("martian source D from S,
 * on dev IF" and the link-layer header), rate limited. */
void ip_handle_martian_source(struct world *w, struct node *n, const struct iface *in,
			      const struct packet *p, uint32_t daddr, uint32_t saddr);
/* net_ratelimit() of node n: true if a warning may be logged now. */
bool node_net_ratelimit(struct world *w, struct node *n);
/* ip_rt_send_redirect: an ICMP redirect (host) to the sender of the
 * forwarded packet p, naming gateway gw, within the kernel's redirect rate
 * limit per sender (icmp.c). */
void ip_rt_send_redirect(struct world *w, struct node *n, const struct packet *p,
			 const struct iface *in, const struct iface *out, uint32_t gw);
/* Send an ICMP error about packet `orig` (as it was received) from node n. */
void icmp_send_error(struct world *w, struct node *n, const struct packet *orig,
		     uint8_t type, uint8_t code);
/* The same with the 4 bytes after the ICMP checksum set to `info` (the
 * next-hop MTU for ICMP_FRAG_NEEDED). */
void icmp_send_error_info(struct world *w, struct node *n, const struct packet *orig,
			  uint8_t type, uint8_t code, uint32_t info);
/* ip_error's rate limit (shared inet_peer bucket with icmp_send's): true
 * if an unreachable error may be sent to saddr now. */
bool icmp_ip_error_allow(struct world *w, struct node *n, uint32_t saddr);
/* The IPv4 MIB counters a node keeps (/proc/net/snmp Ip: and IpExt:, the
 * kernel's IPSTATS_MIB_*, and the IPv4 ones of /proc/net/netstat TcpExt:),
 * for summary.json's "ip_stats" and nstat. */
enum ip_mib {
	IPSTATS_MIB_INRECEIVES, IPSTATS_MIB_INHDRERRORS, IPSTATS_MIB_INADDRERRORS,
	IPSTATS_MIB_OUTFORWDATAGRAMS, IPSTATS_MIB_INDISCARDS, IPSTATS_MIB_INDELIVERS,
	IPSTATS_MIB_OUTNOROUTES, IPSTATS_MIB_REASMTIMEOUT, IPSTATS_MIB_REASMREQDS,
	IPSTATS_MIB_REASMOKS, IPSTATS_MIB_REASMFAILS, IPSTATS_MIB_FRAGOKS,
	IPSTATS_MIB_FRAGFAILS, IPSTATS_MIB_FRAGCREATES, IPSTATS_MIB_INTRUNCATEDPKTS,
	IPSTATS_MIB_CSUMERRORS, IPSTATS_MIB_REASM_OVERLAPS, IPSTATS_MIB_INTOOBIGERRORS,
	LINUX_MIB_IPRPFILTER,	/* TcpExt: IPReversePathFilter (rp_filter drops) */
	IPSTATS_MIB_N
};
/* A counter by its /proc/net/snmp name ("InHdrErrors"); 0 if unknown. */
uint64_t ip_mib_get(struct node *n, const char *name);
/* summary.json: appends `, "ip_stats": {"InReceives": N, ...}`. */
void ip_mib_summary(struct node *n, GString *json_obj);
/* Free icmp.c's per-node state (called by ip_node_free). */
void icmp_node_free(struct node *n);
/* Free a node's IPv4 stack state: held packets, pending loopback and
 * neighbour events (made no-ops), n->lo, icmp state. node_free calls it. */
void ip_node_free(struct node *n);
/* reboot: the packets parked in the stack (neighbour queues, loopback) are
 * dropped, letting go of their conntrack entries, before the netfilter
 * state is reset. */
void ip_node_flush(struct node *n);
/* Is addr's neighbour entry on `out` valid (natsim: somebody on the segment
 * owns it, so resolution succeeds at once)? */
bool ip_neigh_valid(struct world *w, struct node *n, struct iface *out, uint32_t addr);
/* An interface went down (ip link set down): its held packets are dropped. */
void ip_iface_down(struct node *n, struct iface *ifc);
/* The node's loopback device, created on first use (127.0.0.1/8, mtu 65536). */
struct iface *ip_lo(struct node *n);
/* True if addr is 255.255.255.255 or the broadcast address of a subnet on
 * one of the node's interfaces (the kernel's RTN_BROADCAST local routes). */
bool ip_addr_is_broadcast(const struct node *n, uint32_t addr);
/* True if addr is one of the node's addresses (lo's included) or 127/8. */
bool ip_addr_is_local(const struct node *n, uint32_t addr);
/* One-line summary of a parsed packet for the packet walk, appended to s:
 * "TCP 192.168.1.2:40000 > 203.0.113.20:80 [S]", "UDP a:p > b:q len 10",
 * "ICMP a > b echo request id 1 seq 2", ... */
void packet_summary(const struct packet *p, GString *s);
/* Routing table maintenance (route.c). The kernel route of an address
 * (fib_add_ifaddr: none for a /32, one per subnet and device), and its
 * removal when no other address of the device is in that subnet. */
void route_add_connected(struct node *n, struct iface *ifc, uint32_t addr, uint8_t plen);
void route_del_connected(struct node *n, struct iface *ifc, uint32_t addr, uint8_t plen);
/* Remove every route through ifc (fib_disable_ip: device down, or its last
 * address removed). */
void route_flush_dev(struct node *n, struct iface *ifc);
/* Route exceptions (ICMP redirects accepted): add one; the gateway a packet
 * to daddr takes by route r at time `now` (r->gw if no exception). */
void route_exception_add(struct node *n, const struct route *r, uint32_t daddr, uint32_t gw,
			 sim_time expires);
uint32_t route_gateway(const struct node *n, const struct route *r, uint32_t daddr,
		       sim_time now);
/* The device a route sends through (r->dev, or resolved from r->gw). */
struct iface *route_out_dev(const struct node *n, const struct route *r);

/* Transport input at the local host, after INPUT (udp.c, tcp.c, ping.c).
 * Each takes ownership of p. icmp_rcv answers echo requests itself. */
void udp_rcv(struct world *w, struct node *n, struct packet *p);
void tcp_rcv(struct world *w, struct node *n, struct packet *p);
void icmp_rcv(struct world *w, struct node *n, struct packet *p);
/* Free a node's transport state (end of run, reboot). */
void transport_free(struct node *n);
/* ICMP handed to the sockets by icmp_rcv (ping.c, udp.c, tcp.c). Every echo
 * reply and every ICMP error goes to ping_icmp_rcv (takes ownership; ping
 * keeps the replies and errors about its own echo requests and frees the
 * rest). An error quoting a UDP or TCP header also goes, first, to udp_err or
 * tcp_err (not owning: `icmp` is the whole ICMP packet, l3/l4 set). */
void ping_icmp_rcv(struct world *w, struct node *n, struct packet *p);
/* Is there a socket for a packet the node sent (an ICMP redirect about it is
 * acted on only then, as the kernel's error handlers find one): a running
 * ping with echo id `id` to dst, a UDP socket on `port`, a TCP connection. */
bool ping_sock_find(struct node *n, uint16_t id, uint32_t dst);
bool udp_sock_find(struct node *n, uint16_t port);
bool tcp_sock_find(struct node *n, uint32_t laddr, uint16_t lport, uint32_t raddr,
		   uint16_t rport);
void udp_err(struct world *w, struct node *n, const struct packet *icmp);
void tcp_err(struct world *w, struct node *n, const struct packet *icmp);
/* summary.json: appends a node's socket counters to an open JSON object as
 * `, "udp_tx": N, "udp_rx": N, ...` fields, each preceded by ", " (the caller
 * has written at least one field before). Nothing for a node without sockets. */
void transport_summary(struct node *n, GString *json_obj);

/* ----- logging and outputs (output.c) ----- */
/* Kernel log line of a node at time t: kernel.log and the node's klog. */
void world_klog(struct world *w, struct node *n, sim_time t, const char *text);
/* A conntrack -E event line of a router. */
void world_ct_event(struct world *w, struct node *n, sim_time t, const char *line);
/* A running `conntrack -E` on n ends (end of the run, reboot): its closing
 * line "conntrack v1.4.7 (conntrack-tools): N flow events have been shown."
 * on stderr, as conntrack prints it when it is stopped. */
void world_ct_events_listener_end(struct world *w, struct node *n);
/* Output of a running command after its start (ping replies, statistics):
 * printed on stdout at its simulated time as "[SECONDS.MICROS] NODE: text". */
void world_cmd_output(struct world *w, struct node *n, sim_time t, const char *text);
/* Called by iface_capture for every captured frame: `saw` expectations count. */
void expect_observe(struct iface *ifc, const struct packet *p);
/* A packet walk line (--trace): stdout and trace.log. */
void world_trace(struct world *w, const char *line);
/* ----- the run (world.c) ----- */
/* A fresh run: event queue, generator seeded with opt->seed, empty node and
 * link tables. Copies *opt (out_dir is duplicated). Opens no file. */
struct world *world_new(const struct run_opts *opt);
/* Create opt.out_dir (recursively) and open kernel.log, conntrack-events.log
 * and, with --trace, trace.log in it. Returns 0, or 2 with a message in err.
 * Must run before scenario_load() of a `run` (node.c opens the pcaps there). */
int world_open_outputs(struct world *w, GString *err);
/* Flush every pcap and log file and check for write errors (a full disk):
 * 0, or 2 with one "PATH: reason" line per failed file in err. Called at
 * the end of a run, before summary.json, so the exit status can say it. */
int world_flush_outputs(struct world *w, GString *err);
/* Flush and close the log files (pcaps are closed by world_free_nodes). */
void world_close_outputs(struct world *w);
/* Free everything: the scenario, nodes (pcaps flushed), links, queue, logs. */
void world_free(struct world *w);

/* Schedule an event at absolute time t. */
static inline void world_at(struct world *w, sim_time t, event_fn fn, void *arg, uint64_t u)
{
	evq_push(&w->q, t, fn, arg, u);
}

#endif
