/* test_link.c - layer 2 (sim/net/: link.c, switch.c, node.c, pcapw.c):
 * serialisation timing, drop-tail queue, loss, MAC filtering, the learning
 * switch, segments, and the pcap files.
 *
 * The IP stack is another module: a stand-in registered as the IPv4
 * handler records what reaches it, and the frames captured are counted by
 * a listener of the capture probe. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim/net/node.h"

#include "tests/unit/check.h"

/* ----- stand-ins for other modules ----- */
#define MAX_RX 4096
static struct { struct iface *ifc; sim_time t; uint32_t len; } rx[MAX_RX];
static unsigned nrx, nobserved;

/* The IPv4 handler (node_set_l3_rcv): records what reaches the stack. */
static void l3_rcv(struct world *w, struct node *n, struct iface *ifc, struct packet *p)
{
	(void)n;
	if (nrx < MAX_RX) {
		rx[nrx].ifc = ifc;
		rx[nrx].t = w->now;
		rx[nrx].len = p->len;
		nrx++;
	}
	packet_free(p);
}
/* The capture probe (what the `saw` expectations listen to). */
static void observe(void *ctx, struct node *n, struct iface *ifc, const struct packet *p)
{
	(void)ctx; (void)n; (void)ifc; (void)p;
	nobserved++;
}
__attribute__((weak)) struct nf_ns *nf_ns_new(const struct nf_env *env, uint32_t seed)
{
	(void)env; (void)seed;
	return NULL;
}
__attribute__((weak)) void nf_ns_free(struct nf_ns *ns)
{
	(void)ns;
}

/* ----- harness ----- */
static void world_setup(struct world *w, const char *out_dir, bool pcap)
{
	memset(w, 0, sizeof *w);
	evq_init(&w->q);
	rng_seed(&w->rng, 1);
	w->opt.out_dir = (char *)out_dir;
	w->opt.pcap = pcap;
	w->opt.until = SIM_TIME_NEVER;
	nrx = 0;
	nobserved = 0;
	probe_add_packet(&w->probes, PROBE_CAPTURE, observe, NULL);
	node_set_l3_rcv(l3_rcv);
}

static void world_run(struct world *w)
{
	struct event ev;
	while (evq_pop(&w->q, &ev)) {
		w->now = ev.time;
		w->events++;
		ev.fn(w, ev.arg, ev.u);
	}
}

static void world_teardown(struct world *w)
{
	world_free_nodes(w);
	evq_free(&w->q);
	probe_set_free(&w->probes);
}

/* A frame from a to b's MAC (or broadcast) of len bytes. */
static struct packet *frame(const struct iface *from, const mac_addr *to, uint32_t len)
{
	struct packet *p = build_udp(0x0a000001, 0x0a000002, 1, 2, len - 42, 0);
	memcpy(p->data, to->b, 6);
	memcpy(p->data + 6, from->mac.b, 6);
	return p;
}

static const mac_addr bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };

static void test_timing(const char *dir)
{
	struct world w;
	world_setup(&w, dir, true);
	struct node *a = node_new(&w, "a", NODE_HOST), *b = node_new(&w, "b", NODE_HOST);
	struct iface *ia = iface_get_or_create(&w, a, "eth0");
	struct iface *ib = iface_get_or_create(&w, b, "eth0");
	CHECK(iface_get_or_create(&w, a, "eth0") == ia, "get existing");
	CHECK(ia->up && ia->mtu == 1500 && ia->pcap, "iface defaults");
	struct link *l = link_new(&w, ia, ib);
	CHECK(l->queue_limit == 1000 && ia->link == l && ib->link_side == 1, "link_new");
	l->rate_bps = 1000000;
	l->delay = 5 * SIM_MS;
	for (int i = 0; i < 3; i++)
		link_transmit(&w, ia, frame(ia, &ib->mac, 1500));
	world_run(&w);
	CHECK(nrx == 3, "3 frames delivered (%u)", nrx);
	for (unsigned i = 0; i < nrx && i < 3; i++)
		CHECK(rx[i].t == (sim_time)(i + 1) * 12 * SIM_MS + 5 * SIM_MS && rx[i].ifc == ib,
		      "frame %u at %lld", i, (long long)rx[i].t);
	CHECK(ia->tx_packets == 3 && ib->rx_packets == 3 && l->dir[0].sent == 3, "counters");
	CHECK(nobserved == 6, "observed %u", nobserved);

	/* rounding up: 1 byte at 3 bit/s = 8/3 s -> 2666666667 ns */
	l->rate_bps = 3;
	l->delay = 0;
	nrx = 0;
	w.now = 0;
	struct packet *p = packet_new(14);
	memcpy(p->data, ib->mac.b, 6);
	p->len = 1;
	link_transmit(&w, ia, p);
	world_run(&w);
	CHECK(nrx == 0, "1-byte frame is not IP");
	CHECK(w.now == 2666666667LL, "ceil wire time %lld", (long long)w.now);
	world_teardown(&w);

	/* the pcaps: nanosecond timestamps, sender at start of transmission */
	char path[512], errbuf[PCAP_ERRBUF_SIZE];
	snprintf(path, sizeof path, "%s/b-eth0.pcap", dir);
	pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO,
							     errbuf);
	CHECK(pc != NULL, "open %s: %s", path, errbuf);
	if (pc) {
		struct pcap_pkthdr *h;
		const u_char *data;
		int n = 0;
		while (pcap_next_ex(pc, &h, &data) == 1) {
			sim_time t = (sim_time)h->ts.tv_sec * SIM_S + h->ts.tv_usec;
			if (n < 3)
				CHECK(t == (n + 1) * 12 * SIM_MS + 5 * SIM_MS && h->len == 1500,
				      "pcap rx %d t=%lld", n, (long long)t);
			n++;
		}
		CHECK(n == 4, "b-eth0.pcap has %d frames", n);
		CHECK(pcap_datalink(pc) == DLT_EN10MB, "linktype");
		pcap_close(pc);
	}
	snprintf(path, sizeof path, "%s/a-eth0.pcap", dir);
	pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	CHECK(pc != NULL, "open %s", path);
	if (pc) {
		struct pcap_pkthdr *h;
		const u_char *data;
		int n = 0;
		while (pcap_next_ex(pc, &h, &data) == 1 && n < 3) {
			sim_time t = (sim_time)h->ts.tv_sec * SIM_S + h->ts.tv_usec;
			CHECK(t == n * 12 * SIM_MS, "pcap tx %d t=%lld", n, (long long)t);
			n++;
		}
		pcap_close(pc);
	}
}

static void test_queue_loss_filter(void)
{
	struct world w;
	world_setup(&w, NULL, false);
	struct node *a = node_new(&w, "a", NODE_HOST), *b = node_new(&w, "b", NODE_HOST);
	struct iface *ia = iface_get_or_create(&w, a, "eth0");
	struct iface *ib = iface_get_or_create(&w, b, "eth0");
	CHECK(ia->pcap == NULL, "no pcap with --no-pcap");
	struct link *l = link_new(&w, ia, ib);
	l->rate_bps = 1000000;
	l->queue_limit = 2;
	for (int i = 0; i < 5; i++) /* one on the wire, two queued, two dropped */
		link_transmit(&w, ia, frame(ia, &ib->mac, 100));
	world_run(&w);
	CHECK(nrx == 3 && l->dir[0].dropped_queue == 2, "queue: rx %u dropped %llu", nrx,
	      (unsigned long long)l->dir[0].dropped_queue);
	CHECK(ia->tx_dropped == 2, "queue drops are the sender's TX drops");

	/* loss 100%: seen by the sender only */
	nrx = 0;
	nobserved = 0;
	l->loss = 1.0;
	link_transmit(&w, ia, frame(ia, &ib->mac, 100));
	world_run(&w);
	CHECK(nrx == 0 && l->dir[0].dropped_loss == 1 && nobserved == 1, "loss");
	l->loss = 0;

	/* unicast for another MAC is filtered after capture; broadcast passes */
	nrx = 0;
	nobserved = 0;
	mac_addr other = mac_for("x", "y");
	link_transmit(&w, ia, frame(ia, &other, 100));
	link_transmit(&w, ia, frame(ia, &bcast, 100));
	world_run(&w);
	CHECK(nrx == 1 && nobserved == 4, "filter: rx %u observed %u", nrx, nobserved);

	/* reverse direction is independent; a down interface drops */
	nrx = 0;
	link_transmit(&w, ib, frame(ib, &ia->mac, 100));
	ia->up = false;
	world_run(&w);
	CHECK(nrx == 0, "down receiver drops");
	uint64_t txd = ia->tx_dropped;
	link_transmit(&w, ia, frame(ia, &ib->mac, 100));
	CHECK(ia->tx_dropped == txd + 1, "down sender drops");
	ia->up = true;

	/* rate 0: instantaneous, no queue limit, order kept */
	nrx = 0;
	l->rate_bps = 0;
	l->delay = SIM_MS;
	w.now = 0;
	for (int i = 0; i < 3000; i++)
		link_transmit(&w, ia, frame(ia, &ib->mac, 60 + i % 100));
	world_run(&w);
	int ordered = 1;
	for (unsigned i = 0; i < nrx; i++)
		ordered &= rx[i].len == 60 + i % 100 && rx[i].t == SIM_MS;
	CHECK(nrx == 3000 && ordered, "rate 0: %u frames, ordered %d", nrx, ordered);

	/* frames in flight at teardown are freed (ASan checks) */
	link_transmit(&w, ia, frame(ia, &ib->mac, 100));
	l->rate_bps = 1000;
	link_transmit(&w, ia, frame(ia, &ib->mac, 100));
	link_transmit(&w, ia, frame(ia, &ib->mac, 100));
	world_teardown(&w);
}

/* h1, h2, h3 on switch s1; h4 behind s2 joined to s1; r with two ports. */
static void test_switch(void)
{
	struct world w;
	world_setup(&w, NULL, false);
	struct node *h[5];
	struct iface *hi[5];
	char name[16];
	for (int i = 1; i <= 4; i++) {
		snprintf(name, sizeof name, "h%d", i);
		h[i] = node_new(&w, name, NODE_HOST);
		hi[i] = iface_get_or_create(&w, h[i], "eth0");
	}
	struct node *s1 = node_new(&w, "s1", NODE_SWITCH), *s2 = node_new(&w, "s2", NODE_SWITCH);
	struct node *r = node_new(&w, "r", NODE_HOST);
	struct iface *r0 = iface_get_or_create(&w, r, "eth0");
	struct iface *r1 = iface_get_or_create(&w, r, "eth1");
	(void)r0;
	link_new(&w, hi[1], iface_get_or_create(&w, s1, "p1"));
	link_new(&w, hi[2], iface_get_or_create(&w, s1, "p2"));
	link_new(&w, hi[3], iface_get_or_create(&w, s1, "p3"));
	link_new(&w, iface_get_or_create(&w, s1, "p4"), iface_get_or_create(&w, s2, "p1"));
	link_new(&w, hi[4], iface_get_or_create(&w, s2, "p2"));
	link_new(&w, r1, iface_get_or_create(&w, s2, "p3"));
	l2_compute_segments(&w);
	for (int i = 1; i <= 4; i++)
		CHECK(hi[i]->segment == hi[1]->segment, "h%d on h1's segment", i);
	CHECK(hi[1]->segment == 0, "segment named by lowest member: %u", hi[1]->segment);
	CHECK(r1->segment == 0 && r0->segment != 0, "r eth1 joined, eth0 alone (%u)",
	      r0->segment);

	/* broadcast from h1 floods everywhere */
	link_transmit(&w, hi[1], frame(hi[1], &bcast, 100));
	world_run(&w);
	CHECK(nrx == 4, "flood reached %u (want h2 h3 h4 r)", nrx);
	CHECK(nrx >= 3 && rx[0].ifc == hi[2] && rx[1].ifc == hi[3], "flood order");
	/* h4 -> h1 unicast: h1 learnt, only h1 gets it */
	nrx = 0;
	link_transmit(&w, hi[4], frame(hi[4], &hi[1]->mac, 100));
	world_run(&w);
	CHECK(nrx == 1 && rx[0].ifc == hi[1], "unicast to learnt h1: %u", nrx);
	/* h1 -> h4: learnt on the way back, no flood */
	nrx = 0;
	nobserved = 0;
	link_transmit(&w, hi[1], frame(hi[1], &hi[4]->mac, 100));
	world_run(&w);
	CHECK(nrx == 1 && rx[0].ifc == hi[4] && nobserved == 2, "unicast to h4: rx %u obs %u",
	      nrx, nobserved);
	/* unknown unicast floods, other hosts' NICs filter it */
	nrx = 0;
	nobserved = 0;
	mac_addr nobody = mac_for("nobody", "eth0");
	link_transmit(&w, hi[2], frame(hi[2], &nobody, 100));
	world_run(&w);
	CHECK(nrx == 0 && nobserved == 5, "unknown unicast: rx %u observed %u", nrx, nobserved);
	CHECK(g_hash_table_size(s1->br->fdb) == 3 && g_hash_table_size(s2->br->fdb) == 3,
	      "fdb sizes %u %u", g_hash_table_size(s1->br->fdb), g_hash_table_size(s2->br->fdb));
	world_teardown(&w);
}

/* One lossy run writing its pcaps into dir; returns the receiver's count. */
static unsigned lossy_run(const char *dir, uint64_t seed)
{
	struct world w;
	world_setup(&w, dir, true);
	rng_seed(&w.rng, seed);
	struct node *a = node_new(&w, "a", NODE_HOST), *b = node_new(&w, "b", NODE_HOST);
	struct iface *ia = iface_get_or_create(&w, a, "eth0");
	struct iface *ib = iface_get_or_create(&w, b, "eth0");
	struct link *l = link_new(&w, ia, ib);
	l->rate_bps = 10000000;
	l->delay = 3 * SIM_MS;
	l->loss = 0.5;
	for (int i = 0; i < 200; i++)
		link_transmit(&w, ia, frame(ia, &ib->mac, 100 + i));
	world_run(&w);
	unsigned got = nrx;
	world_teardown(&w);
	return got;
}

static gchar *slurp(const char *dir, const char *name, gsize *len)
{
	char *path = g_build_filename(dir, name, NULL);
	gchar *data = NULL;
	if (!g_file_get_contents(path, &data, len, NULL))
		*len = 0;
	unlink(path);
	g_free(path);
	return data;
}

/* Same seed, same bytes; the loss draw follows the seed. */
static void test_determinism(const char *dir)
{
	char d1[600], d2[600];
	snprintf(d1, sizeof d1, "%s/r1", dir);
	snprintf(d2, sizeof d2, "%s/r2", dir);
	g_mkdir_with_parents(d1, 0755);
	g_mkdir_with_parents(d2, 0755);
	unsigned n1 = lossy_run(d1, 9), n2 = lossy_run(d2, 9);
	CHECK(n1 == n2 && n1 > 50 && n1 < 150, "lossy runs delivered %u and %u", n1, n2);
	const char *names[] = { "a-eth0.pcap", "b-eth0.pcap" };
	for (int i = 0; i < 2; i++) {
		gsize l1, l2;
		gchar *c1 = slurp(d1, names[i], &l1), *c2 = slurp(d2, names[i], &l2);
		CHECK(l1 > 24 && l1 == l2 && memcmp(c1, c2, l1) == 0, "%s identical", names[i]);
		g_free(c1);
		g_free(c2);
	}
	rmdir(d1);
	rmdir(d2);
}

int main(void)
{
	char dir[] = "/tmp/natsim-test-link-XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_timing(dir);
	test_queue_loss_filter();
	test_switch();
	test_determinism(dir);
	packet_pool_drain();
	char path[600];
	snprintf(path, sizeof path, "%s/a-eth0.pcap", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/b-eth0.pcap", dir);
	unlink(path);
	rmdir(dir);
	if (failures) {
		printf("test_link: %d failure(s)\n", failures);
		return 1;
	}
	printf("test_link: ok\n");
	return 0;
}
