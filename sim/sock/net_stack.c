/* net_stack.c - the node subsystem table: which layers attach to every
 * node, in which order, and what the IPv4 stack hands its packets to.
 *
 * Mirrors the kernel's inet_init (af_inet.c): register the pernet
 * subsystems, dev_add_pack(ip_packet_type), inet_add_protocol for UDP,
 * TCP and ICMP sockets. Design: one static table, not GCC constructors,
 * so the order is written in one place, every program that makes nodes
 * says when (net_stack_init), and a static archive cannot drop an object
 * and its registration silently. It lives in sim/sock, the highest layer
 * it names; sim/net only keeps the function pointers it is given
 * (node_subsys_register), so no layer includes one above it. Node inits
 * run in table order (inet first: it draws the node's IP id from the
 * run's generator), exits in reverse.
 */
#include "sim/sock/sock_int.h"

static const struct node_subsys *const net_stack_subsys[] = {
	&inet_subsys,	/* sim/inet/ip.c: netns_ipv4, devconf, neighbours, icmp */
	&sock_subsys,	/* sim/sock/sock.c: sock_net, the sockets */
};

static const struct {
	const struct net_protocol *ops;
	uint8_t protocol;
} net_stack_protos[] = {
	{ &udp_protocol, IPPROTO_UDP_ },
	{ &tcp_protocol, IPPROTO_TCP_ },
	{ &ping_protocol, IPPROTO_ICMP_ },	/* the ICMP sockets (icmp_rcv's) */
};

void net_stack_init(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	for (size_t i = 0; i < G_N_ELEMENTS(net_stack_subsys); i++)
		node_subsys_register(net_stack_subsys[i]);
	node_set_l3_rcv(ip_rcv);
	node_set_addr_type(inet_dev_addr_type);
	node_set_route_mtu(inet_route_mtu);
	node_set_fib_lookup(inet_fib_lookup);
	for (size_t i = 0; i < G_N_ELEMENTS(net_stack_protos); i++)
		inet_add_protocol(net_stack_protos[i].ops, net_stack_protos[i].protocol);
}
