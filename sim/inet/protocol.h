/* protocol.h - the transport protocols the IPv4 stack delivers to: the
 * kernel's inet_protos[] (struct net_protocol, inet_add_protocol).
 *
 * Design: sim/inet names no transport. A protocol above (sim/sock's UDP,
 * TCP, and the ICMP sockets of ping) registers its entry at process
 * start-up; ip_local_deliver hands a packet to table[proto]->handler, and
 * icmp.c hands an ICMP error to the quoted protocol's err_handler and asks
 * its redirect_sock whether a redirect is about one of its sockets. ICMP
 * itself is the stack's (icmp_rcv); the ICMP entry is the ICMP sockets':
 * icmp_rcv gives them every echo reply and every error.
 */
#ifndef SIM_INET_PROTOCOL_H
#define SIM_INET_PROTOCOL_H

#include <stdbool.h>
#include <stdint.h>
#include "sim/net/node.h"

struct net_protocol {
	/* A packet for this node (after INPUT; for IPPROTO_ICMP: an echo
	 * reply or an ICMP error, from icmp_rcv). Takes ownership of p. */
	void (*handler)(struct world *w, struct node *n, struct packet *p);
	/* An ICMP error quoting a packet of this protocol (not a redirect):
	 * `icmp` is the whole ICMP packet, l3/l4 set; not owning. NULL: none. */
	void (*err_handler)(struct world *w, struct node *n, const struct packet *icmp);
	/* Is the packet quoted by a redirect (q: its IPv4 header, l4: the
	 * transport header after it) one of this node's sockets' (the kernel's
	 * error handlers act on a redirect only then)? NULL: never. */
	bool (*redirect_sock)(struct node *n, const uint8_t *q, const uint8_t *l4);
};

/* Register prot for IP protocol number `protocol` (one per number; a second
 * registration replaces the first). At process start-up. */
void inet_add_protocol(const struct net_protocol *prot, uint8_t protocol);
/* The entry of a protocol number, NULL if none is registered. */
const struct net_protocol *inet_protocol(uint8_t protocol);

#endif
