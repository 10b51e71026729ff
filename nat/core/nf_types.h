/* nf_types.h - the types every netfilter layer and the simulator share:
 * simulated time, the hooks, verdicts, the packet (struct nf_skb) and the
 * callbacks to the simulator (struct nf_env).
 *
 * Design: the lowest layer (nat/core) owns them, so conntrack, NAT and
 * iptables include this header, never the assembled API nat/nf.h, which
 * re-exports it for sim/.
 */
#ifndef NAT_CORE_NF_TYPES_H
#define NAT_CORE_NF_TYPES_H

#include <stdbool.h>
#include <stdint.h>
#include "nat/core/nf_drop.h"
#include "nat/core/nf_inet.h"

struct nf_ct_helper;
struct ctnl_timeout;

typedef int64_t nf_time; /* simulated nanoseconds, as sim_time */
#define NF_TIME_NEVER INT64_MAX

enum nf_hook {
	NF_INET_PRE_ROUTING = 0,
	NF_INET_LOCAL_IN = 1,
	NF_INET_FORWARD = 2,
	NF_INET_LOCAL_OUT = 3,
	NF_INET_POST_ROUTING = 4,
	NF_INET_NUMHOOKS = 5,
};

enum nf_verdict {
	NF_DROP = 0,
	NF_ACCEPT = 1,
	/* REJECT target: the simulator sends skb->reject_with, then drops. */
	NF_REJECT = 100,
};

/* What a REJECT rule answers with (iptables --reject-with). */
enum nf_reject_with {
	NF_REJECT_ICMP_NET_UNREACH,
	NF_REJECT_ICMP_HOST_UNREACH,
	NF_REJECT_ICMP_PORT_UNREACH, /* the default */
	NF_REJECT_ICMP_PROTO_UNREACH,
	NF_REJECT_ICMP_NET_PROHIBITED,
	NF_REJECT_ICMP_HOST_PROHIBITED,
	NF_REJECT_ICMP_ADMIN_PROHIBITED,
	NF_REJECT_TCP_RESET,
};

/* Connection tracking info of a packet (enum ip_conntrack_info). */
enum ct_info {
	IP_CT_ESTABLISHED = 0,
	IP_CT_RELATED = 1,
	IP_CT_NEW = 2,
	IP_CT_IS_REPLY = 3,
	IP_CT_ESTABLISHED_REPLY = 3,
	IP_CT_RELATED_REPLY = 4,
	IP_CT_UNTRACKED = 7,
};

struct ct_entry;

/* The netfilter view of a packet (a tiny sk_buff). The simulator embeds one in
 * each packet; `ip` points at the IPv4 header inside the frame. NAT rewrites
 * the bytes in place and never changes the length. */
struct nf_skb {
	uint8_t *ip;
	uint32_t len;		/* bytes from ip to the end of the frame */
	struct ct_entry *ct;	/* NULL: untracked or invalid */
	uint8_t ctinfo;		/* enum ct_info, meaningful when ct != NULL; kept
				 * by nf_skb_release (the report names a rewrite
				 * by the direction the packet had) */
	uint8_t reject_with;	/* enum nf_reject_with, set with NF_REJECT */
	uint8_t drop_reason;	/* enum nf_drop_reason (nat/core/nf_drop.h): why
				 * the last nf_hook() returned NF_DROP/NF_REJECT */
	uint8_t ct_borrowed;	/* ct attached from the packet this one answers
				 * (nf_ct_attach): not freed with this packet */
	uint8_t ct_held;	/* parked with a reference of its own on ct
				 * (nf_skb_hold): counted in ct's `use` */
	/* skb->nf_trace: `meta nftrace set 1` marked it for `nft monitor
	 * trace` (kept across hooks, as the skb keeps it) */
	uint8_t nf_trace;
	/* ip_route_me_harder is due: mangle OUTPUT or an nft route chain
	 * changed the routing key (nat/core/nf_reroute.h); the stack clears
	 * it before OUTPUT and routes again after */
	uint8_t reroute;
	uint32_t mark;
	/* skb->priority: `meta priority set` (nft_meta_set_eval), what
	 * `meta priority` matches; natsim has no qdisc that reads it */
	uint32_t priority;
	/* CT --zone's template (nat/conntrack/ct_zone.h): the zone id and
	 * its NF_CT_ZONE_* flags, 0 for none; in the hole before ct_helper */
	uint16_t ct_zone;
	uint8_t ct_zone_flags;
	/* CT --helper's template (raw table): the helper of the entry this
	 * packet creates, NULL for none (conntrack's struct nf_ct_helper) */
	const struct nf_ct_helper *ct_helper;
	/* CT --timeout's template: the timeout policy of the entry this
	 * packet creates (nat/conntrack/ct_timeout.h), NULL for none */
	struct ctnl_timeout *ct_timeout;
	/* skb->end: the end of the frame's buffer, set where the buffer is
	 * made (NULL: no room after skb->len). A NAT helper's longer payload
	 * grows into nf_skb_tailroom(). */
	uint8_t *end;
	/* skb_mac_header: the received frame's Ethernet header (set for each
	 * hook with an input device), NULL for a packet this node sent. What
	 * -m mac and -m pkttype read. */
	const uint8_t *mac;
	/* skb->sk as -m owner reads it (skb_to_full_sk): enum nf_sk */
	uint8_t sk;
};

/* Who sent a packet this node made: NF_SK_NONE none (forwarded, received,
 * REJECT's reset: nf_send_reset's skb has no socket), NF_SK_KERNEL one of
 * the stack's own sockets, which have no file (ICMP errors and echo
 * replies: icmp_sk; a closed port's RST: the TCP control socket),
 * NF_SK_USER an application's socket, with a file: natsim's applications
 * run as root (fsuid 0, fsgid 0, supplementary groups {0}); NF_SK_REQUEST
 * a listener's SYN-ACK (a request sock: -m owner reads the listener,
 * skb_to_full_sk, LOG --log-uid nothing, not being a full socket). */
enum nf_sk { NF_SK_NONE, NF_SK_KERNEL, NF_SK_USER, NF_SK_REQUEST };

/* skb_tailroom: the bytes the frame may grow by after skb->len. */
static inline uint32_t nf_skb_tailroom(const struct nf_skb *skb)
{
	const uint8_t *tail = skb->ip + skb->len;

	return skb->end && skb->end > tail ? (uint32_t)(skb->end - tail) : 0;
}

/* Route types (linux/rtnetlink.h's RTN_*, in its order): what
 * nf_env.addr_type answers, what -m addrtype matches. */
enum nf_rtn_type {
	NF_RTN_UNSPEC, NF_RTN_UNICAST, NF_RTN_LOCAL, NF_RTN_BROADCAST, NF_RTN_ANYCAST,
	NF_RTN_MULTICAST, NF_RTN_BLACKHOLE, NF_RTN_UNREACHABLE, NF_RTN_PROHIBIT,
	NF_RTN_THROW, NF_RTN_NAT, NF_RTN_XRESOLVE, NF_RTN_MAX,
};

/* Callbacks from the netfilter layer to the simulator. `ctx` is the router. */
struct nf_env {
	void *ctx;
	/* A draw from the run's seeded generator. */
	uint32_t (*random_u32)(void *ctx);
	/* A kernel log line (without time or node prefix; the simulator adds them). */
	void (*klog)(void *ctx, nf_time now, const char *text);
	/* A `conntrack -E` line, e.g. "    [NEW] udp      17 30 src=..." */
	void (*ct_event)(void *ctx, nf_time now, const char *line);
	/* One line of the packet walk; NULL when --trace is off. */
	void (*trace)(void *ctx, const char *line);
	/* Primary IPv4 address of an interface, 0 if it has none (MASQUERADE,
	 * REDIRECT). */
	uint32_t (*if_addr)(void *ctx, const char *ifname);
	/* The route type of addr in the local table, an enum nf_rtn_type
	 * (inet_dev_addr_type; dev NULL: any device, inet_addr_type). */
	unsigned (*addr_type)(void *ctx, const char *dev, uint32_t addr);
	/* dst_mtu of the route to addr (the out device's MTU); 0: no route
	 * (TCPMSS --clamp-mss-to-pmtu). */
	unsigned (*route_mtu)(void *ctx, uint32_t addr);
	/* skb_put with pskb_expand_head: grow the packet by len bytes at its
	 * end (skb->len += len); false when it cannot (TCPMSS adding the MSS
	 * option). */
	bool (*skb_put)(void *ctx, struct nf_skb *skb, uint32_t len);
	/* A line of `nft monitor trace` ("trace id ... packet: ..."). */
	void (*nft_trace)(void *ctx, nf_time now, const char *line);
	/* A line of `xtables-monitor --trace` ("PACKET: ...", " TRACE: ..."),
	 * for the rules of iptables-nft (ipt_trace.c). */
	void (*xt_trace)(void *ctx, nf_time now, const char *line);
	/* The run-wide serial of the packet skb is (nft's trace id is derived
	 * from it) and its Ethernet header, if it still has one (hdr: 14
	 * bytes; false: none, as after the output path). */
	uint64_t (*skb_id)(void *ctx, const struct nf_skb *skb);
	bool (*skb_mac)(void *ctx, const struct nf_skb *skb, uint8_t hdr[14]);
	/* fib_lookup of addr: its route's type (enum nf_rtn_type; NF_RTN_UNSPEC:
	 * no route) and the device of its nexthop in *dev (-m rpfilter). */
	unsigned (*fib_lookup)(void *ctx, uint32_t addr, const char **dev);
	/* smp_processor_id(): the CPU processing the packet now (`cpus N`). */
	unsigned (*cur_cpu)(void *ctx);
	/* dev->group of an interface (`ip link set dev X group N`). */
	unsigned (*if_group)(void *ctx, const char *ifname);
	/* dev->rtnl_link_ops->kind of an interface ("veth"), NULL for a
	 * physical NIC or the loopback (no rtnl_link_ops). */
	const char *(*if_kind)(void *ctx, const char *ifname);
};

#endif
