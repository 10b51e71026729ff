/* drop.h - why the IPv4 stack dropped a packet, as a value.
 *
 * Design: the kernel's enum skb_drop_reason for natsim's stack: the place
 * that drops a packet says why once (ip.c's ip_drop), the drop probe
 * carries it, and whoever shows it (the packet walk, --report) turns it
 * into text with ip_drop_text. A netfilter drop carries netfilter's own
 * reason (nat/core/nf_drop.h, from the packet's nf_skb) and the hook.
 */
#ifndef SIM_INET_DROP_H
#define SIM_INET_DROP_H

#include <glib.h>
#include <stdint.h>

enum ip_drop_reason {
	IP_DROP_NETFILTER,		/* nf_hook's verdict: nf_reason, hook */
	IP_DROP_NEIGH_FAILED,		/* ARP resolution failed (3 probes) */
	IP_DROP_FRAG_NEEDED,		/* too big for the MTU, DF set */
	IP_DROP_FRAG_MEM,		/* reassembly memory full */
	IP_DROP_FRAG_INCONSISTENT,	/* fragment: inconsistent length */
	IP_DROP_FRAG_DUP,		/* fragment: duplicate */
	IP_DROP_FRAG_OVERLAP,		/* fragment: overlap */
	IP_DROP_PROTO_UNREACH,		/* no such transport protocol */
	IP_DROP_MARTIAN_SOURCE,		/* fib_validate_source: a martian */
	IP_DROP_MARTIAN_SOURCE_LOCAL,	/* ... one of the node's own addresses */
	IP_DROP_MARTIAN_SOURCE_RPF,	/* ... rp_filter */
	IP_DROP_NO_ROUTE_HOST,		/* no route to host */
	IP_DROP_TTL,			/* TTL exceeded in forwarding */
	IP_DROP_MARTIAN_ADDR,		/* martian destination */
	IP_DROP_NOT_FORWARDABLE,	/* not for us, not forwardable */
	IP_DROP_FORWARDING_DISABLED,	/* not for us, ip_forward 0 */
	IP_DROP_NET_UNREACH,		/* no route (local output) */
	IP_DROP_NET_UNREACH_OUTPUT,	/* no route after OUTPUT re-routing */
	IP_DROP_MARTIAN_DEST_LOOPBACK,	/* 127/8 destination off lo, route_localnet 0 */
	IP_DROP_MARTIAN_SOURCE_LOOPBACK,/* 127/8 source off lo, route_localnet 0 */
	IP_DROP_REROUTE_LOOPBACK_SRC,	/* OUTPUT re-route: 127/8 source off lo */
};

/* A drop: its one reason; for IP_DROP_NETFILTER also netfilter's (enum
 * nf_drop_reason) and the hook (enum nf_hook) where it happened. */
struct ip_drop {
	uint8_t reason;
	uint8_t nf_reason;
	uint8_t hook;
};

/* The drop as the packet walk and the report print it, appended to s
 * ("TTL exceeded", "conntrack: table full (nf_conntrack_max) at FORWARD"). */
void ip_drop_text(const struct ip_drop *d, GString *s);

#endif
