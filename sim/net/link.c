/* link.c - point-to-point full-duplex links, and a frame's arrival at an
 * interface.
 *
 * Design: each direction is a drop-tail FIFO (the interface's txqueuelen)
 * feeding a wire that serialises one frame at a time. The frame on the wire
 * stays at the head of the FIFO; `qlen` counts only the frames waiting behind
 * it, which is what queue_limit bounds. Two events per frame, without any
 * allocation: end of serialisation (arg = link, u = direction) and arrival
 * (arg = packet, u = receiving interface). A rate-0 link has no wire time and
 * no queue: each frame is scheduled for arrival at once. The sender's pcap
 * sees a frame when its transmission starts; a frame lost on the wire is in
 * the sender's pcap only.
 */
#include <assert.h>
#include <string.h>

#include "sim/net/node.h"

static void link_deliver_ev(struct world *w, void *arg, uint64_t u);
static void link_tx_end_ev(struct world *w, void *arg, uint64_t u);

struct link *link_new(struct world *w, struct iface *a, struct iface *b)
{
	struct link *l = g_new0(struct link, 1);
	l->end[0] = a;
	l->end[1] = b;
	l->queue_limit = 1000;
	a->link = l;
	a->link_side = 0;
	b->link = l;
	b->link_side = 1;
	if (!w->links)
		w->links = g_ptr_array_new();
	g_ptr_array_add(w->links, l);
	return l;
}

/* Serialisation time of len bytes at rate bits/s, rounded up to the ns. */
static sim_time link_wire_time(const struct link *l, uint32_t len)
{
	if (l->rate_bps == 0)
		return 0;
	if (len <= (1u << 30) && l->rate_bps <= (1ull << 62)) {
		/* len * 8e9 + rate < 2^64: no 128-bit division */
		uint64_t b = (uint64_t)len * 8 * SIM_S;
		return (sim_time)((b + l->rate_bps - 1) / l->rate_bps);
	}
	unsigned __int128 bits_ns = (unsigned __int128)len * 8 * SIM_S;
	return (sim_time)((bits_ns + l->rate_bps - 1) / l->rate_bps);
}

/* The end of the wire: the loss draw, then arrival after the delay. */
static void link_wire_done(struct world *w, struct link *l, int side, struct packet *p)
{
	struct link_dir *d = &l->dir[side];
	if (l->loss > 0 && rng_double(&w->rng) < l->loss) {
		d->dropped_loss++;
		packet_free(p);
		return;
	}
	struct iface *peer = l->end[side ^ 1];
	world_at(w, w->now + l->delay, link_deliver_ev, p, (uint64_t)(uintptr_t)peer);
}

/* Put the head frame of d on the wire (it stays at the head). */
static void link_start_tx(struct world *w, struct link *l, int side)
{
	struct link_dir *d = &l->dir[side];
	struct iface *ifc = l->end[side];
	struct packet *p = d->head;
	d->busy = true;
	ifc->tx_packets++;
	d->sent++;
	iface_capture(w, ifc, p);
	world_at(w, w->now + link_wire_time(l, p->len), link_tx_end_ev, l, (uint64_t)side);
}

static void link_tx_end_ev(struct world *w, void *arg, uint64_t u)
{
	struct link *l = arg;
	int side = (int)u;
	struct link_dir *d = &l->dir[side];
	struct packet *p = d->head;
	assert(d->busy && p);
	d->head = p->next;
	if (!d->head)
		d->tail = NULL;
	p->next = NULL;
	link_wire_done(w, l, side, p);

	/* The next waiting frame; an interface set down meanwhile flushes its
	 * queue (as dev_deactivate resets the qdisc). */
	struct iface *ifc = l->end[side];
	while (d->head && !ifc->up) {
		struct packet *q = d->head;
		d->head = q->next;
		d->qlen--;
		ifc->tx_dropped++;
		packet_free(q);
	}
	if (!d->head) {
		d->tail = NULL;
		d->busy = false;
		return;
	}
	d->qlen--;
	link_start_tx(w, l, side);
}

static void link_deliver_ev(struct world *w, void *arg, uint64_t u)
{
	struct packet *p = arg;
	struct iface *peer = (struct iface *)(uintptr_t)u;
	if (!peer->up) {
		packet_free(p);
		return;
	}
	iface_receive(w, peer, p);
}

void link_transmit(struct world *w, struct iface *ifc, struct packet *p)
{
	struct link *l = ifc->link;
	if (!ifc->up || !l) {
		ifc->tx_dropped++;
		packet_free(p);
		return;
	}
	int side = ifc->link_side;
	struct link_dir *d = &l->dir[side];
	p->next = NULL;
	if (l->rate_bps == 0) {
		ifc->tx_packets++;
		d->sent++;
		iface_capture(w, ifc, p);
		link_wire_done(w, l, side, p);
		return;
	}
	if (d->busy) {
		if (d->qlen >= l->queue_limit) {
			/* drop-tail: counted on the link and as the interface's
			 * TX drop, so summary.json shows it */
			d->dropped_queue++;
			ifc->tx_dropped++;
			packet_free(p);
			return;
		}
		d->tail->next = p;
		d->tail = p;
		d->qlen++;
		return;
	}
	d->head = d->tail = p;
	link_start_tx(w, l, side);
}

/* Mirrors a NIC and __netif_receive_skb: unicast frames for another MAC are
 * filtered (the capture, like tcpdump's promiscuous mode, still sees them);
 * only IPv4 (possibly 802.1Q-tagged) goes up the stack. */
void iface_receive(struct world *w, struct iface *ifc, struct packet *p)
{
	struct node *n = ifc->node;
	ifc->rx_packets++;
	iface_capture(w, ifc, p);
	if (n->kind == NODE_SWITCH) {
		switch_receive(w, n, ifc, p);
		return;
	}
	if (p->len < ETH_HLEN) {
		packet_free(p);
		return;
	}
	const uint8_t *dst = p->data;
	bool group = dst[0] & 1; /* broadcast or multicast */
	if (!group && memcmp(dst, ifc->mac.b, 6) != 0) {
		packet_free(p);
		return;
	}
	/* is_skb_forwardable / the NIC's length check: a frame longer than
	 * the MTU allows (plus one VLAN tag) never reaches the stack */
	if (p->len > ifc->mtu + ETH_HLEN + 4) {
		ifc->rx_dropped++;
		packet_free(p);
		return;
	}
	uint16_t type = rd16(p->data + 12);
	if (type == ETH_P_8021Q && p->len >= ETH_HLEN + 4) {
		/* no VLAN device: a tagged frame is PACKET_OTHERHOST and dropped;
		 * a priority tag (VID 0) is received as untagged */
		if (rd16(p->data + 14) & 0x0fff) {
			ifc->rx_dropped++;
			packet_free(p);
			return;
		}
		type = rd16(p->data + 16);
	}
	if (type != ETH_P_IP) {
		packet_free(p); /* ARP, IPv6...: natsim resolves neighbours itself */
		return;
	}
	node_l3_deliver(w, n, ifc, p);
}

static void link_noop_ev(struct world *w, void *arg, uint64_t u)
{
	(void)w;
	(void)arg;
	(void)u;
}

void world_free_links(struct world *w)
{
	/* Frames in flight: their arrival events own them. */
	struct evq_iter it;
	evq_iter_init(&it, &w->q);
	for (struct evq_item *ev; (ev = evq_iter_next(&it)) != NULL;) {
		if (ev->fn == link_deliver_ev) {
			packet_free(ev->arg);
			ev->fn = link_noop_ev;
			ev->arg = NULL;
		} else if (ev->fn == link_tx_end_ev) {
			ev->fn = link_noop_ev;
			ev->arg = NULL;
		}
	}
	if (!w->links)
		return;
	for (unsigned i = 0; i < w->links->len; i++) {
		struct link *l = g_ptr_array_index(w->links, i);
		for (int s = 0; s < 2; s++) {
			struct packet *p = l->dir[s].head;
			while (p) {
				struct packet *next = p->next;
				packet_free(p);
				p = next;
			}
			if (l->end[s])
				l->end[s]->link = NULL;
		}
		g_free(l);
	}
	g_ptr_array_free(w->links, TRUE);
	w->links = NULL;
}
