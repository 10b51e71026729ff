/* sock.c - what every socket of a node shares: serials, ports, the send
 * helper, the node's socket state and its end, and what net_stack.c
 * registers: the node operations and the entries in the IPv4 stack's
 * protocol table.
 *
 * The sockets never print and never parse a command: sim/apps drives them
 * through sim/sock/sock.h and hears back through callbacks. An
 * application's per-node state about sockets goes with them through the
 * free hooks (sock_add_free_hook), run first by transport_free.
 */
#include <string.h>
#include "sim/sock/sock_int.h"

/* ----- common helpers ----- */

uint64_t tr_serial(struct world *w)
{
	g_assert(w->next_serial < (1ull << 32) - 1);
	return ++w->next_serial;
}

void tr_send(struct world *w, struct node *n, struct packet *p)
{
	p->l3 = ETH_HLEN;
	p->l4 = (uint16_t)(ETH_HLEN + ip_ihl(p->data + ETH_HLEN));
	if (p->nf.sk == NF_SK_NONE)	/* an application's socket (-m owner) */
		p->nf.sk = NF_SK_USER;
	ip_local_out(w, n, p);
}

unsigned tr_route_mtu(const struct node *n, uint32_t dst)
{
	unsigned mtu = inet_route_mtu(n, dst);
	return mtu ? mtu : 1500;
}

uint16_t tr_ephemeral(struct node *n, bool (*in_use)(struct node *, uint16_t, void *),
		      void *arg)
{
	for (unsigned tries = 0; tries < 60999 - 32768 + 1; tries++) {
		struct sock_net *sn = n->sock;
		if (sn->next_ephemeral < 32768 || sn->next_ephemeral > 60999)
			sn->next_ephemeral = 32768;
		uint16_t port = sn->next_ephemeral++;
		if (!in_use || !in_use(n, port, arg))
			return port;
	}
	return 0;
}

struct sock_node *sock_node_get(struct node *n)
{
	if (!n->ping) {
		struct sock_node *t = g_new0(struct sock_node, 1);
		t->pings = g_ptr_array_new();
		t->flows = g_ptr_array_new();
		n->ping = t;
	}
	return n->ping;
}

/* ----- the node's end ----- */

/* The free hooks, registration order (a handful: one per application). */
static void (*free_hooks[4])(struct node *n);
static unsigned n_free_hooks;

void sock_add_free_hook(void (*fn)(struct node *n))
{
	for (unsigned i = 0; i < n_free_hooks; i++)
		if (free_hooks[i] == fn)
			return;
	g_assert(n_free_hooks < G_N_ELEMENTS(free_hooks));
	free_hooks[n_free_hooks++] = fn;
}

void transport_free(struct node *n)
{
	for (unsigned i = 0; i < n_free_hooks; i++)
		free_hooks[i](n);
	udp_free(n);
	tcp_free(n);
	struct sock_node *t = n->ping;
	if (!t)
		return;
	ping_sock_free_all(t);
	for (unsigned i = 0; i < t->flows->len; i++)
		flows_gen_free(g_ptr_array_index(t->flows, i));
	g_ptr_array_free(t->pings, true);
	g_ptr_array_free(t->flows, true);
	g_free(t);
	n->ping = NULL;
}

void transport_summary(struct node *n, GString *json)
{
	udp_summary(n, json);
	tcp_summary(n, json);
}

/* ----- start-up ----- */

static void sock_node_init(struct node *n)
{
	struct sock_net *sn = g_new0(struct sock_net, 1);
	tcp_sysctl_defaults(&sn->tcp_sysctl);
	sn->next_ephemeral = 32768;
	n->sock = sn;
}

static void sock_node_exit(struct node *n)
{
	transport_free(n);
	g_free(n->sock);
	n->sock = NULL;
}

const struct node_subsys sock_subsys = {
	.name = "sock",
	.node_init = sock_node_init,
	.node_exit = sock_node_exit,
};

/* A redirect is acted on for a socket of the node's own (the kernel's
 * udp_err/tcp_v4_err/ping_err find one). q: the quoted IPv4 header, l4:
 * its transport header. */
static bool udp_redirect_sock(struct node *n, const uint8_t *q, const uint8_t *l4)
{
	return node_has_addr(n, ip_src(q)) && udp_sock_find(n, rd16(l4));
}

static bool tcp_redirect_sock(struct node *n, const uint8_t *q, const uint8_t *l4)
{
	return tcp_sock_find(n, ip_src(q), rd16(l4), ip_dst(q), rd16(l4 + 2));
}

static bool ping_redirect_sock(struct node *n, const uint8_t *q, const uint8_t *l4)
{
	return l4[0] == ICMP_ECHO && ping_sock_find(n, rd16(l4 + 4), ip_dst(q));
}

const struct net_protocol udp_protocol = {
	.handler = udp_rcv, .err_handler = udp_err, .redirect_sock = udp_redirect_sock,
};
const struct net_protocol tcp_protocol = {
	.handler = tcp_rcv, .err_handler = tcp_err, .redirect_sock = tcp_redirect_sock,
};
/* the ICMP sockets: every echo reply and error from icmp_rcv */
const struct net_protocol ping_protocol = {
	.handler = ping_icmp_rcv, .redirect_sock = ping_redirect_sock,
};
