/* ping.c - ICMP echo sockets of a node (the kernel's ping sockets,
 * net/ipv4/ping.c): what iputils ping (sim/apps/ping.c) opens to hear its
 * echo replies and the ICMP errors about its echo requests.
 *
 * A socket is an echo id and a destination; icmp_rcv hands every echo reply
 * and every ICMP error here (ping_icmp_rcv). A reply goes to the first open
 * socket with its id (ping_lookup matches the id alone), an error quoting
 * an echo request to the first with its id and the quoted destination; the
 * socket's owner hears it through its callbacks (struct ping_sock_ops) and
 * says what it prints. Sockets are kept in open order in the node's
 * struct sock_node, so "first" is the oldest running ping.
 */
#include "sim/sock/sock_int.h"

struct ping_sock {
	uint16_t id;
	uint32_t dst;
	const struct ping_sock_ops *ops;
	void *ctx;
};

struct ping_sock *ping_sock_open(struct node *n, uint16_t id, uint32_t dst,
				 const struct ping_sock_ops *ops, void *ctx)
{
	struct ping_sock *s = g_new0(struct ping_sock, 1);
	s->id = id;
	s->dst = dst;
	s->ops = ops;
	s->ctx = ctx;
	g_ptr_array_add(sock_node_get(n)->pings, s);
	return s;
}

void ping_sock_close(struct node *n, struct ping_sock *s)
{
	struct sock_node *t = sock_node_peek(n);
	if (t && g_ptr_array_remove(t->pings, s))
		g_free(s);
}

void ping_sock_free_all(struct sock_node *t)
{
	for (unsigned i = 0; i < t->pings->len; i++)
		g_free(g_ptr_array_index(t->pings, i));
	g_ptr_array_set_size(t->pings, 0);
}

/* The first open socket with echo id `id` (and destination dst). */
static struct ping_sock *ping_by_id(struct node *n, uint16_t id, uint32_t dst, bool check_dst)
{
	struct sock_node *t = sock_node_peek(n);
	if (!t)
		return NULL;
	for (unsigned i = 0; i < t->pings->len; i++) {
		struct ping_sock *s = g_ptr_array_index(t->pings, i);
		if (s->id == id && (!check_dst || s->dst == dst))
			return s;
	}
	return NULL;
}

bool ping_sock_find(struct node *n, uint16_t id, uint32_t dst)
{
	return ping_by_id(n, id, dst, true) != NULL;
}

void ping_icmp_rcv(struct world *w, struct node *n, struct packet *p)
{
	if (!p->l4 || !n->ping) {
		packet_free(p);
		return;
	}
	const uint8_t *ip = p->data + p->l3, *icmp = p->data + p->l4;
	uint32_t avail = ip_tot_len(ip) - ip_ihl(ip);
	uint8_t type = icmp[0];
	if (type == ICMP_ECHOREPLY) {
		struct ping_sock *s = ping_by_id(n, rd16(icmp + 4), 0, false);
		if (s)
			s->ops->reply(w, n, s->ctx, ip, icmp);
	} else if (type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH ||
		   type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETERPROB || type == ICMP_REDIRECT) {
		const uint8_t *in = icmp + 8;
		if (avail >= 8 + 20 && avail >= 8 + ip_ihl(in) + 8 && ip_proto(in) == IPPROTO_ICMP_) {
			const uint8_t *ie = in + ip_ihl(in);
			struct ping_sock *s = ie[0] == ICMP_ECHO ?
				ping_by_id(n, rd16(ie + 4), ip_dst(in), true) : NULL;
			if (s)
				s->ops->error(w, n, s->ctx, ip, icmp, ie);
		}
	}
	packet_free(p);
}
