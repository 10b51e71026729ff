/* switch.c - the learning Ethernet switch, and layer-2 segments.
 *
 * Design: as the Linux bridge's forwarding database (br_fdb.c) without
 * ageing: a source MAC is learnt on the port it arrived on; a known unicast
 * destination goes out of its port only, anything else is flooded to every
 * other up port in declaration order (br_flood). The fdb maps a MAC packed in
 * a 64-bit integer to the port's index + 1, so no output depends on pointer
 * values. Forwarding takes no time (the links carry the delays). The fdb
 * is the switch's own, in its struct net_bridge (n->br), made and freed
 * here for node.c.
 */
#include <string.h>

#include "sim/net/node.h"

static gint64 mac_key(const uint8_t *b)
{
	gint64 k = 0;
	for (int i = 0; i < 6; i++)
		k = k << 8 | b[i];
	return k;
}

struct net_bridge *br_new(void)
{
	struct net_bridge *br = g_new0(struct net_bridge, 1);
	br->fdb = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	return br;
}

void br_free(struct net_bridge *br)
{
	if (!br)
		return;
	g_hash_table_destroy(br->fdb);
	g_free(br);
}

static int switch_port_index(const struct node *sw, const struct iface *ifc)
{
	for (unsigned i = 0; i < sw->ifaces->len; i++)
		if (g_ptr_array_index(sw->ifaces, i) == ifc)
			return (int)i;
	return -1;
}

/* br_fdb_update: (re)learn src on port `in`. Group addresses are not learnt. */
static void switch_learn(struct node *sw, const uint8_t *src, int in)
{
	if (src[0] & 1)
		return;
	gint64 key = mac_key(src);
	gpointer port = GINT_TO_POINTER(in + 1);
	if (g_hash_table_lookup(sw->br->fdb, &key) == port)
		return;
	gint64 *k = g_new(gint64, 1);
	*k = key;
	g_hash_table_insert(sw->br->fdb, k, port);
}

void switch_receive(struct world *w, struct node *sw, struct iface *in, struct packet *p)
{
	if (p->len < ETH_HLEN) {
		packet_free(p);
		return;
	}
	int in_idx = switch_port_index(sw, in);
	switch_learn(sw, p->data + 6, in_idx);

	const uint8_t *dst = p->data;
	if (!(dst[0] & 1)) {
		gint64 key = mac_key(dst);
		int port = GPOINTER_TO_INT(g_hash_table_lookup(sw->br->fdb, &key)) - 1;
		if (port >= 0) {
			struct iface *out = g_ptr_array_index(sw->ifaces, port);
			if (port == in_idx || !out->up)
				packet_free(p); /* br_forward: never back out of the in port */
			else
				link_transmit(w, out, p);
			return;
		}
	}
	/* Flood: clone for every eligible port but the last. */
	struct iface *last = NULL;
	for (unsigned i = 0; i < sw->ifaces->len; i++) {
		struct iface *out = g_ptr_array_index(sw->ifaces, i);
		if ((int)i == in_idx || !out->up || !out->link)
			continue;
		if (last)
			link_transmit(w, last, packet_clone(p));
		last = out;
	}
	if (last)
		link_transmit(w, last, p);
	else
		packet_free(p);
}

static unsigned uf_find(unsigned *parent, unsigned x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

/* The lower index becomes the root, so a segment is named by its
 * lowest-declared member. */
static void uf_union(unsigned *parent, unsigned a, unsigned b)
{
	a = uf_find(parent, a);
	b = uf_find(parent, b);
	if (a < b)
		parent[b] = a;
	else if (b < a)
		parent[a] = b;
}

/* Interfaces are numbered in (node, interface) declaration order; a link
 * joins its two ends and a switch joins all of its ports. */
void l2_compute_segments(struct world *w)
{
	if (!w->nodes)
		return;
	unsigned total = 0;
	for (unsigned i = 0; i < w->nodes->len; i++) {
		struct node *n = g_ptr_array_index(w->nodes, i);
		for (unsigned k = 0; k < n->ifaces->len; k++) {
			struct iface *ifc = g_ptr_array_index(n->ifaces, k);
			ifc->segment = total++;
		}
	}
	unsigned *parent = g_new(unsigned, total ? total : 1);
	for (unsigned i = 0; i < total; i++)
		parent[i] = i;
	if (w->links)
		for (unsigned i = 0; i < w->links->len; i++) {
			struct link *l = g_ptr_array_index(w->links, i);
			if (l->end[0] && l->end[1])
				uf_union(parent, l->end[0]->segment, l->end[1]->segment);
		}
	for (unsigned i = 0; i < w->nodes->len; i++) {
		struct node *n = g_ptr_array_index(w->nodes, i);
		if (n->kind != NODE_SWITCH)
			continue;
		for (unsigned k = 1; k < n->ifaces->len; k++) {
			struct iface *a = g_ptr_array_index(n->ifaces, 0);
			struct iface *b = g_ptr_array_index(n->ifaces, k);
			uf_union(parent, a->segment, b->segment);
		}
	}
	for (unsigned i = 0; i < w->nodes->len; i++) {
		struct node *n = g_ptr_array_index(w->nodes, i);
		for (unsigned k = 0; k < n->ifaces->len; k++) {
			struct iface *ifc = g_ptr_array_index(n->ifaces, k);
			ifc->segment = uf_find(parent, ifc->segment);
		}
	}
	g_free(parent);
}
