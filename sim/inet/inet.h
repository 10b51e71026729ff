/* inet.h - the IPv4 stack of hosts and routers (sim/inet): ip.c (input,
 * forwarding, output, fragments, neighbours), route.c and route_input.c
 * (routing, source checks, redirects), icmp.c, devconf.c (the
 * net.ipv4.conf knobs), drop.h (why a packet was dropped).
 */
#ifndef SIM_INET_H
#define SIM_INET_H

#include "sim/net/node.h"

/* ----- the stack's per-node state (the kernel's struct netns_ipv4) ----- */

/* A route of the node's table (`ip route`; the kernel's fib_alias and
 * fib_nh in one). */
struct route {
	uint32_t prefix;
	uint8_t plen;
	uint32_t gw;		/* 0: directly connected */
	struct iface *dev;	/* NULL: resolve from gw */
	bool onlink;
	bool kernel;		/* "proto kernel scope link" route of an address */
	uint32_t metric;	/* `metric N` (0 by default); lower wins a tie */
};

/* A route exception left by an accepted ICMP redirect (route.c; the
 * kernel's fib_nh_exception). */
struct route_exception {
	uint32_t daddr;		/* the destination it is about */
	const struct iface *dev;	/* the route it hangs on: device and gateway */
	uint32_t old_gw;
	uint32_t gw;		/* the gateway to use instead */
	sim_time expires;	/* ip_rt_gc_timeout (300 s) after the redirect */
};

/* The node's FIB (the kernel's main struct fib_table, with the nexthop
 * exceptions natsim keeps beside it): route.c reads and edits it, the
 * shell's `ip route` too. Routes are searched linearly in insertion order. */
struct fib_table {
	GArray *routes;		/* struct route */
	GArray *route_exceptions; /* struct route_exception, NULL if none */
};

/* Routing table ids (rtnetlink.h's rt_class_t). */
enum { RT_TABLE_DEFAULT = 253, RT_TABLE_MAIN = 254, RT_TABLE_LOCAL = 255 };

/* A policy routing rule (`ip rule`; the kernel's fib4_rule): its selector
 * (from, to, fwmark/mask, iif, oif by device name; "" for any) and the
 * table it looks up. */
struct fib_rule {
	uint32_t pref;
	uint32_t table;
	uint32_t src, dst;
	uint8_t src_len, dst_len;
	uint32_t mark, mark_mask;
	char iif[16], oif[16];
};

/* The fields given to `ip rule del` (fib_nl_delrule matches only those). */
enum { FIB_RULE_PREF = 1, FIB_RULE_TABLE = 2, FIB_RULE_SRC = 4, FIB_RULE_DST = 8,
       FIB_RULE_MARK = 16, FIB_RULE_IIF = 32, FIB_RULE_OIF = 64 };

/* The rules and the tables beside main (fib_rules.c), made by the first
 * `ip rule` or `ip route ... table T`. custom: the rules changed from the
 * three defaults (the kernel's fib_has_custom_rules). */
struct fib_rules {
	GArray *rules;		/* struct fib_rule, by priority */
	GArray *tables;		/* fib_rules.c's struct fib_extra_table */
	bool custom;
};

/* A route lookup's key (the kernel's flowi4): iif names the device a
 * packet came in by ("lo" for one the node sends), oif a socket's bound
 * device (NULL: none). */
struct flowi4 {
	uint32_t daddr, saddr, mark;
	const char *iif, *oif;
};

/* The kernel's net_ratelimit() state (10 messages per 5 s per machine). */
struct net_ratelimit {
	bool started;
	sim_time begin;
	unsigned printed, missed;
};

/* n->ipv4: made by inet_subsys's node_init (ip.c) when the node is made,
 * freed by its node_exit. The shell's sysctl reads and writes the knobs
 * here; a reboot resets them with inet_sysctl_reset, forgets the route
 * exceptions and the rate limit, and keeps the routes and lo's addresses. */
struct netns_ipv4 {
	bool ip_forward;	/* net.ipv4.ip_forward */
	uint16_t ip_id;		/* next IPv4 id this node sends (seeded at node_new) */
	unsigned ipfrag_time;	/* net.ipv4.ipfrag_time */
	struct ipv4_devconf conf_all, conf_dflt; /* net.ipv4.conf.all/default.* */
	struct ipv4_devconf conf_lo;	/* lo's, until ip.c makes the device */
	/* the routes (in place, not behind a further pointer: one load less on
	 * every lookup than the kernel's net->ipv4.fib_main) */
	struct fib_table fib;
	/* policy routing (fib_rules.c); NULL: the default rules, no table
	 * but main (every lookup takes the short way) */
	struct fib_rules *rules;
	/* the loopback device (ip.c's ip_lo; the kernel's net->loopback_dev):
	 * 127.0.0.1/8 plus `ip addr add .. dev lo`; not in n->ifaces (no
	 * link, no pcap); NULL until first used */
	struct iface *lo;
	/* net_ratelimit of the stack's warnings (martians, redirects) */
	struct net_ratelimit net_rl;
};

/* Next IPv4 id of a node (one per datagram it originates). */
static inline uint16_t node_next_ip_id(struct node *n)
{
	return n->ipv4->ip_id++;
}

/* The stack's node operations (ip.c): listed in the node subsystem table,
 * sim/sock/net_stack.c. */
extern const struct node_subsys inet_subsys;
/* A reboot: ip_forward 0, ipfrag_time 30, every net.ipv4.conf knob back
 * to its default (the IP id goes on). */
void inet_sysctl_reset(struct node *n);

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

/* ----- the IPv4 stack (ip.c, route.c, icmp.c) ----- */
/* An IPv4 frame arrived on ifc: ip_rcv, PREROUTING, routing, INPUT or
 * FORWARD, POSTROUTING, neighbour output. Takes ownership of p. */
void ip_rcv(struct world *w, struct node *n, struct iface *ifc, struct packet *p);
/* Send a locally generated IPv4 packet (p->l3 set, IP header complete, MACs
 * zero): routing, OUTPUT, POSTROUTING, neighbour output. Takes ownership. */
void ip_local_out(struct world *w, struct node *n, struct packet *p);
/* Longest-prefix match in one table's routes (fib_table_lookup); NULL if
 * no route. route_lookup: in the main table. */
const struct route *route_table_lookup(const struct node *n, const GArray *routes, uint32_t dst);
static inline const struct route *route_lookup(const struct node *n, uint32_t dst)
{
	return route_table_lookup(n, n->ipv4->fib.routes, dst);
}
/* Policy routing (fib_rules.c). fib_lookup: the route of flow fl through
 * the rules (main then default while they are the defaults), and the table
 * it came from in *table (may be NULL); NULL if no rule's table has one. */
const struct route *fib_lookup(const struct node *n, const struct flowi4 *fl, uint32_t *table);
/* The node's rules, made with the three defaults on first use. */
struct fib_rules *fib_rules_get(struct node *n);
void fib_rules_free(struct node *n);
/* Table id's routes (main: n->ipv4->fib.routes); NULL if it does not exist
 * unless `create`. */
GArray *fib_table_routes(struct node *n, uint32_t id, bool create);
/* Call fn on every table's routes but main's. */
void fib_tables_foreach(struct node *n, void (*fn)(struct node *, GArray *, void *), void *arg);
/* `ip rule add` (the default priority unless has_pref; -1 if an equal rule
 * exists), `ip rule del` (the first rule matching the `given` FIB_RULE_*
 * fields of key; -1 if none), `ip rule flush` (all but priority 0). */
int fib_rule_add(struct node *n, struct fib_rule *rule, bool has_pref);
int fib_rule_del(struct node *n, const struct fib_rule *key, unsigned given);
void fib_rules_flush(struct node *n);
/* The MTU of the route to dst (dst_mtu), 0 without a route. */
unsigned inet_route_mtu(const struct node *n, uint32_t dst);
/* Source address Linux would pick to reach dst (route's device primary). */
uint32_t route_source_addr(const struct node *n, uint32_t dst);
/* The source a given route r to dst gives (fib_result_prefsrc). */
uint32_t route_select_src(const struct node *n, const struct route *r, uint32_t dst);
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
/* route_localnet (route_localnet.c). ip_route_input_slow's loopback
 * check of a packet arriving on `in` (not lo), on the addresses PREROUTING
 * left: 0 if it may be routed, else the drop reason (martian destination
 * or source, logged with log_martians). ip_route_localnet_output_ok:
 * __mkroute_output's, may source saddr leave by `out`. */
int ip_route_localnet_input(struct world *w, struct node *n, const struct iface *in,
			    const struct packet *p, uint32_t daddr, uint32_t saddr);
bool ip_route_localnet_output_ok(const struct node *n, uint32_t saddr, const struct iface *out);
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
 * neighbour events (made no-ops), n->ipv4->lo, icmp state. inet_subsys's
 * node_exit calls it. */
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
bool ip_addr_is_broadcast_slow(const struct node *n, uint32_t addr);
static inline bool ip_addr_is_broadcast(const struct node *n, uint32_t addr)
{
	/* 255.255.255.255, or host bits all ones under a prefix below /31:
	 * the two low bits are set in both, so most addresses stop here */
	if ((addr & 3) != 3)
		return false;
	return ip_addr_is_broadcast_slow(n, addr);
}
/* True if addr is one of the node's addresses (lo's included) or 127/8. */
bool ip_addr_is_local(const struct node *n, uint32_t addr);
/* The type of addr in the node's local table, an enum nf_rtn_type
 * (addrtype.c: inet_dev_addr_type; dev NULL: any device). */
unsigned inet_dev_addr_type(const struct node *n, const char *dev, uint32_t addr);
/* fib_lookup: the type of the route to addr, NF_RTN_UNSPEC for none, and
 * the device of its nexthop in *dev (addrtype.c; -m rpfilter). */
unsigned inet_fib_lookup(const struct node *n, uint32_t addr, const char **dev);
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

/* ICMP input at the local host, after INPUT (icmp.c): answers echo and
 * timestamp requests, acts on redirects, hands echo replies and errors to
 * the registered transports (sim/inet/protocol.h). Takes ownership of p. */
void icmp_rcv(struct world *w, struct node *n, struct packet *p);

#endif
