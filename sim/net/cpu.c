/* cpu.c - a node's CPUs (`cpus N`): which CPU processes a received packet,
 * and the packets of one instant processed by several CPUs at once.
 *
 * Linux processes a received packet on the CPU its receive path runs on:
 * - over a veth (`link ... veth`), veth_xmit hands the frame to netif_rx on
 *   the SENDING CPU, whose backlog processes it there: the receiver's stack
 *   runs on the sender's CPU (the CPU its thread or softirq ran on);
 * - on a physical NIC (every other link), the NIC's RSS puts the frame on
 *   the receive queue its flow hash picks (Toeplitz over addresses and, for
 *   TCP and UDP, ports, with the node's own key: netdev_rss_key, drawn from
 *   the run's generator when the node declares its CPUs; the default
 *   indirection table of 128 entries, entry i -> queue i % N), and queue i
 *   interrupts CPU i. One flow always lands on one CPU there.
 * A node of one CPU (the default) delivers each frame at once, as before.
 * A node of several CPUs puts the frames handed to its stack on a backlog
 * and processes the backlog in an event of the same instant, after every
 * frame of that instant already scheduled. If they are on two or more CPUs,
 * they are processed in ROUNDS (CPUs in lockstep, one packet each per round,
 * each CPU's own packets in their order), the order within a round drawn
 * from the run's generator (so another seed can give another outcome), and
 * netfilter is told the rounds (nf_ct_cpu_round/set/end, nat/conntrack/
 * ct_race.c): a packet's conntrack lookups miss what other CPUs confirmed in
 * its round, its confirm meets it. That is the kernel's race of two
 * CPUs between nf_conntrack_in and __nf_conntrack_confirm, and its
 * outcomes: the clash resolved (clash_resolve) or insert_failed and a drop.
 * A sender's parallel sends (`udp send ... parallel`, sim/sock/udp.c) run
 * the same way on the sender, datagram i on CPU i mod N. A frame carries
 * its CPU (packet.cpu): the one that made it (packet_cur_cpu) or, on a node
 * of several CPUs, the one that received it, so a forwarded frame goes on
 * over a veth on the CPU that processed it; a bridge keeps it.
 */
#include <string.h>
#include "nat/nf.h"
#include "sim/core/world.h"
#include "sim/net/node.h"
#include "sim/net/packet.h"

struct cpu_rx {
	struct packet *p;
	struct iface *ifc;
	unsigned cpu;
};

struct cpu_backlog {
	GArray *q;		/* struct cpu_rx, in arrival order */
	bool scheduled;
	uint8_t rss_key[40];	/* netdev_rss_key */
};

/* The node's backlog, made when it declares its CPUs. */
static struct cpu_backlog *cpu_backlog(struct node *n)
{
	if (!n->backlog) {
		n->backlog = g_new0(struct cpu_backlog, 1);
		n->backlog->q = g_array_new(FALSE, FALSE, sizeof(struct cpu_rx));
	}
	return n->backlog;
}

void node_set_cpus(struct world *w, struct node *n, unsigned cpus)
{
	struct cpu_backlog *b;

	n->cpus = cpus;
	if (cpus <= 1)
		return;
	b = cpu_backlog(n);
	for (unsigned i = 0; i < sizeof(b->rss_key); i += 4) {
		uint32_t r = rng_u32(&w->rng);

		memcpy(b->rss_key + i, &r, 4);
	}
}

/* The Toeplitz hash of `len` bytes with a 40-byte key (the NIC's RSS hash,
 * the kernel's software version in include/linux/toeplitz.h terms). */
static uint32_t cpu_toeplitz(const uint8_t *key, const uint8_t *in, unsigned len)
{
	uint32_t v = (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 | (uint32_t)key[2] << 8 | key[3];
	uint32_t hash = 0;

	for (unsigned i = 0; i < len; i++) {
		for (int bit = 7; bit >= 0; bit--) {
			if (in[i] & (1u << bit))
				hash ^= v;
			v <<= 1;
			if (i + 4 < 40 && (key[i + 4] & (1u << bit)))
				v |= 1;
		}
	}
	return hash;
}

/* The receive queue (= CPU) RSS gives a frame: addresses, and ports for
 * TCP and UDP first fragments; a frame that is not IPv4 goes to queue 0. */
static unsigned cpu_rss(const struct cpu_backlog *b, const struct packet *p, unsigned cpus)
{
	const uint8_t *ip;
	uint8_t in[12];
	unsigned len = 8, ihl;

	if (p->len < ETH_HLEN + 20)
		return 0;
	ip = p->data + ETH_HLEN;
	if (p->len >= ETH_HLEN + 24 && rd16(p->data + 12) == 0x8100)
		ip += 4;
	memcpy(in, ip + 12, 8);
	ihl = (ip[0] & 0x0f) * 4u;
	if ((ip[9] == 6 || ip[9] == 17) && !(rd16(ip + 6) & 0x1fff) &&
	    (size_t)(ip - p->data) + ihl + 4 <= p->len) {
		memcpy(in + 8, ip + ihl, 4);
		len = 12;
	}
	return (cpu_toeplitz(b->rss_key, in, len) & 127) % cpus;
}

/* Process a backlog: one CPU's frames in order; two or more CPUs' in
 * rounds, the order within each round from the run's generator. */
static void cpu_backlog_ev(struct world *w, void *arg, uint64_t u)
{
	struct node *n = arg;
	struct cpu_backlog *b = n->backlog;
	GArray *q = b->q;
	unsigned ncpu = n->cpus, busy = 0;
	g_autofree unsigned *next = g_new0(unsigned, ncpu);	/* per CPU: next index in q */
	g_autofree unsigned *order = g_new(unsigned, ncpu);

	(void)u;
	b->scheduled = false;
	b->q = g_array_new(FALSE, FALSE, sizeof(struct cpu_rx));	/* for what this adds */
	for (unsigned i = 0; i < q->len; i++) {
		unsigned c = g_array_index(q, struct cpu_rx, i).cpu;

		if (!next[c]) {
			next[c] = i + 1;	/* 1-based: 0 is "none yet" */
			busy++;
		}
	}
	if (busy <= 1) {
		for (unsigned i = 0; i < q->len; i++) {
			struct cpu_rx *r = &g_array_index(q, struct cpu_rx, i);

			n->cur_cpu = r->cpu;
			packet_cur_cpu = (uint16_t)r->cpu;
			node_l3_process(w, n, r->ifc, r->p);
		}
	} else {
		for (unsigned c = 0; c < ncpu; c++)
			if (next[c])
				next[c]--;	/* now 0-based; busy CPUs only */
		while (busy) {
			unsigned k = 0;

			for (unsigned c = 0; c < ncpu; c++)
				if (next[c] < q->len && g_array_index(q, struct cpu_rx, next[c]).cpu == c)
					order[k++] = c;
			/* a seeded shuffle of this round's CPUs (Fisher-Yates) */
			for (unsigned i = k; i > 1; i--) {
				unsigned j = rng_below(&w->rng, i), t = order[i - 1];

				order[i - 1] = order[j];
				order[j] = t;
			}
			if (n->nf)
				nf_ct_cpu_round(n->nf);
			for (unsigned i = 0; i < k; i++) {
				unsigned c = order[i];
				struct cpu_rx *r = &g_array_index(q, struct cpu_rx, next[c]);

				n->cur_cpu = c;
				packet_cur_cpu = (uint16_t)c;
				if (n->nf)
					nf_ct_cpu_set(n->nf, c);
				node_l3_process(w, n, r->ifc, r->p);
				/* this CPU's next frame, if any */
				do
					next[c]++;
				while (next[c] < q->len && g_array_index(q, struct cpu_rx, next[c]).cpu != c);
				if (next[c] >= q->len)
					busy--;
			}
		}
		if (n->nf)
			nf_ct_cpu_end(n->nf);
	}
	n->cur_cpu = 0;
	packet_cur_cpu = 0;
	g_array_free(q, TRUE);
}

void node_cpu_enqueue(struct world *w, struct node *n, struct iface *ifc, struct packet *p)
{
	struct cpu_backlog *b = cpu_backlog(n);
	struct cpu_rx r = { p, ifc, 0 };

	if (ifc && ifc->link && ifc->link->veth)
		r.cpu = p->cpu % n->cpus;
	else
		r.cpu = cpu_rss(b, p, n->cpus);
	p->cpu = (uint16_t)r.cpu;
	g_array_append_val(b->q, r);
	if (!b->scheduled) {
		b->scheduled = true;
		world_at(w, w->now, cpu_backlog_ev, n, 0);
	}
}

void node_cpu_parallel(struct world *w, struct node *n, unsigned count,
		       void (*fn)(struct world *w, struct node *n, unsigned i, void *arg), void *arg)
{
	unsigned ncpu = n->cpus > 1 ? n->cpus : 1;
	g_autofree unsigned *order = g_new(unsigned, ncpu);

	for (unsigned base = 0; base < count; base += ncpu) {
		unsigned k = count - base < ncpu ? count - base : ncpu;

		for (unsigned i = 0; i < k; i++)
			order[i] = i;
		for (unsigned i = k; i > 1; i--) {
			unsigned j = rng_below(&w->rng, i), t = order[i - 1];

			order[i - 1] = order[j];
			order[j] = t;
		}
		if (n->nf && k > 1)
			nf_ct_cpu_round(n->nf);
		for (unsigned i = 0; i < k; i++) {
			n->cur_cpu = order[i];
			packet_cur_cpu = (uint16_t)order[i];
			if (n->nf && k > 1)
				nf_ct_cpu_set(n->nf, order[i]);
			fn(w, n, base + order[i], arg);
		}
	}
	if (n->nf && ncpu > 1 && count > 1)
		nf_ct_cpu_end(n->nf);
	n->cur_cpu = 0;
	packet_cur_cpu = 0;
}

void node_cpu_free(struct node *n)
{
	struct cpu_backlog *b = n->backlog;

	if (!b)
		return;
	for (unsigned i = 0; i < b->q->len; i++)
		packet_free(g_array_index(b->q, struct cpu_rx, i).p);
	g_array_free(b->q, TRUE);
	g_free(b);
	n->backlog = NULL;
}
