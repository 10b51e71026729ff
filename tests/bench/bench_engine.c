/* bench_engine.c - micro-benchmarks of the router's fast path and of the
 * event queue, without the simulator around them.
 *
 * Design: one program, one figure per invocation (`bench_engine est 1000`),
 * each printing one line per repetition of its measured loop:
 *   FIGURE VALUE UNIT
 * tests/bench/run.py takes medians, min and max. Packets go through the real
 * netfilter entry points (nf_hook PREROUTING, FORWARD, POSTROUTING, then
 * nf_skb_release) of a namespace set up with the real commands (sysctl,
 * iptables SNAT); the clock is a plain counter. Flow i is
 *   10.0.0.0+i : 40000 -> 198.18.(i & 4095) : 80, UDP, SNAT to 1.2.3.4
 * so a new flow's reply tuple usually clashes with an older one on the same
 * server and the SNAT port search runs, as with real clients behind NAT.
 * nf_conntrack_checksum is 0: this measures lookup and NAT, not the
 * checksum verification a kernel with checksum offload skips too.
 * Timing uses CLOCK_MONOTONIC: this program is the only place in natsim
 * that reads a wall clock, and no test ever asserts on its figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "nat/conntrack/ct.h"
#include "nat/core/nf_ns.h"
#include "nat/iptables/ipt.h"
#include "nat/nf.h"
#include "nat/nf_nat/nat.h"
#include "sim/core/evq.h"

#define NS (1000000000LL)
#define PKT_LEN 28 /* IPv4 + UDP header, no payload */

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long bench_rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, rss = 0;

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * 4;
}

/* xorshift64*: the benchmark's own deterministic sequence. */
static uint64_t bench_rng = 88172645463325252ULL;
static inline uint64_t bench_rand(void)
{
	bench_rng ^= bench_rng >> 12;
	bench_rng ^= bench_rng << 25;
	bench_rng ^= bench_rng >> 27;
	return bench_rng * 2685821657736338717ULL;
}

static uint32_t bench_env_random(void *ctx)
{
	(void)ctx;
	return (uint32_t)(bench_rand() >> 32);
}

static void bench_cmd(struct nf_ns *ns, const char *line)
{
	GString *out = g_string_new(NULL), *err = g_string_new(NULL);
	gchar **argv = NULL;
	gint argc = 0;

	g_shell_parse_argv(line, &argc, &argv, NULL);
	if (nf_cmd_iptables(ns, argc, argv, out, err, false, 0) != 0) {
		fprintf(stderr, "bench_engine: %s: %s\n", line, err->str);
		exit(2);
	}
	g_strfreev(argv);
	g_string_free(out, TRUE);
	g_string_free(err, TRUE);
}

/* nf_sysctl_set takes NAME and VALUE apart. */
static void bench_sysctl(struct nf_ns *ns, const char *name, unsigned long value)
{
	GString *err = g_string_new(NULL);
	char v[32];

	snprintf(v, sizeof(v), "%lu", value);
	if (nf_sysctl_set(ns, name, v, err, false, 0) != 0) {
		fprintf(stderr, "bench_engine: sysctl %s=%s: %s\n", name, v, err->str);
		exit(2);
	}
	g_string_free(err, TRUE);
}

/* A namespace sized for `n` entries: buckets = max, as Linux 6.x sizes its
 * table (nf_conntrack_max = nf_conntrack_htable_size). */
static struct nf_ns *bench_ns(unsigned long n)
{
	struct nf_env env = { .random_u32 = bench_env_random };
	struct nf_ns *ns = nf_ns_new(&env, 12345);
	unsigned long size = n < 65536 ? 65536 : n;

	bench_sysctl(ns, "net.netfilter.nf_conntrack_max", size);
	bench_sysctl(ns, "net.netfilter.nf_conntrack_buckets", size);
	bench_sysctl(ns, "net.netfilter.nf_conntrack_checksum", 0);
	bench_sysctl(ns, "net.netfilter.nf_conntrack_udp_timeout", 3600);
	bench_cmd(ns, "iptables -t nat -A POSTROUTING -o eth1 -j SNAT --to-source 1.2.3.4");
	return ns;
}

static inline void bench_w32(uint8_t *p, uint32_t v)
{
	wr16(p, v >> 16);
	wr16(p + 2, v & 0xffff);
}

/* The first packet of flow i, client to server, into buf. */
static inline void bench_packet(uint8_t *buf, uint32_t i)
{
	static const uint8_t tmpl[PKT_LEN] = {
		0x45, 0, 0, PKT_LEN, 0, 0, 0x40, 0, 64, 17, 0x12, 0x34,
		10, 0, 0, 0, 198, 18, 0, 0,
		0x9c, 0x40, 0, 80, 0, 8, 0x56, 0x78,
	};

	memcpy(buf, tmpl, PKT_LEN);
	bench_w32(buf + 12, 0x0a000000u + i);
	bench_w32(buf + 16, 0xc6120000u + (i & 4095));
}

static nf_time bench_clock = NS;

/* One packet through a forwarding router's hooks. */
static inline int bench_forward(struct nf_ns *ns, uint8_t *buf, struct ct_entry **ct_out)
{
	struct nf_skb skb = { .ip = buf, .len = PKT_LEN };
	int v;

	bench_clock += 100;
	v = nf_hook(ns, NF_INET_PRE_ROUTING, &skb, "eth0", NULL, bench_clock);
	if (v == NF_ACCEPT)
		v = nf_hook(ns, NF_INET_FORWARD, &skb, "eth0", "eth1", bench_clock);
	if (v == NF_ACCEPT)
		v = nf_hook(ns, NF_INET_POST_ROUTING, &skb, NULL, "eth1", bench_clock);
	if (ct_out)
		*ct_out = skb.ct;
	nf_skb_release(ns, &skb);
	return v;
}

/* Open flows [from, to). */
static void bench_fill(struct nf_ns *ns, uint32_t from, uint32_t to)
{
	uint8_t buf[64];

	for (uint32_t i = from; i < to; i++) {
		bench_packet(buf, i);
		if (bench_forward(ns, buf, NULL) != NF_ACCEPT) {
			fprintf(stderr, "bench_engine: flow %u dropped\n", i);
			exit(1);
		}
	}
}

static void bench_report(const char *figure, double value, const char *unit)
{
	printf("%s %.6g %s\n", figure, value, unit);
	fflush(stdout);
}

static double bench_burst_run(struct nf_ns *ns, unsigned long n, unsigned long pkts);

/* The established figures on a filled table: one packet at a time, then in
 * prefetched bursts, `reps` runs of `pkts` packets each. */
static void bench_established_runs(struct nf_ns *ns, unsigned long n, int reps,
				   unsigned long pkts)
{
	uint8_t buf[64];
	char name[64];

	snprintf(name, sizeof(name), "ct_established_%lu", n);
	for (int r = 0; r < reps; r++) {
		double t0 = bench_now();

		for (unsigned long k = 0; k < pkts; k++) {
			bench_packet(buf, (uint32_t)(bench_rand() % n));
			bench_forward(ns, buf, NULL);
		}
		bench_report(name, (double)pkts / (bench_now() - t0), "packets/s");
	}
	snprintf(name, sizeof(name), "ct_established_burst_%lu", n);
	for (int r = 0; r < reps; r++)
		bench_report(name, bench_burst_run(ns, n, pkts), "packets/s");
}

/* Established packets/s with n entries: random flows, original direction
 * (lookup, SNAT rewrite with incremental checksums), one packet at a time
 * as the simulator sends them, then in bursts with prefetch. */
static int bench_established(unsigned long n, int reps, unsigned long pkts)
{
	struct nf_ns *ns = bench_ns(n);

	bench_fill(ns, 0, (uint32_t)n);
	bench_established_runs(ns, n, reps, pkts);
	if (nf_ct_count(ns, bench_clock) != n) {
		fprintf(stderr, "bench_engine: %u entries, want %lu\n", nf_ct_count(ns, bench_clock), n);
		return 1;
	}
	nf_ns_free(ns);
	return 0;
}

/* The same, in bursts as a vector packet processor handles them: packet k
 * is built and its bucket prefetched (BENCH_DEPTH + 1) * D packets ahead,
 * then the chain's node at depth d (1 = head) (BENCH_DEPTH + 1 - d) * D
 * packets ahead (ct_table_prefetch_*): each stage finds the line it reads
 * already fetched by the stage before. */
#define BENCH_DEPTH 3
#define BENCH_RING 64 /* > (BENCH_DEPTH + 1) * bench_d, a power of two */
#define BENCH_D_MAX 15

/* The prefetch distance D in packets (the 5th argument, 4 by default): it
 * must cover the memory latency, longer with a 1.7 GB table (DRAM pages and
 * TLB misses) than with 40 MB. */
static unsigned bench_d = 4;

static double bench_burst_run(struct nf_ns *ns, unsigned long n, unsigned long pkts)
{
	static uint8_t ring[BENCH_RING][64];
	uint32_t bucket[BENCH_RING];
	const unsigned long lead = (BENCH_DEPTH + 1) * bench_d;
	struct ct_tuple t;
	double t0 = bench_now();

	for (unsigned long k = 0; k < pkts + lead; k++) {
		if (k < pkts) {
			unsigned a = k % BENCH_RING;

			bench_packet(ring[a], (uint32_t)(bench_rand() % n));
			ct_tuple_from_ip(ring[a], PKT_LEN, &t);
			bucket[a] = ct_table_prefetch_bucket(ns, &t);
		}
		for (unsigned d = 1; d <= BENCH_DEPTH; d++) {
			unsigned long j = k - d * bench_d;

			if (k >= d * bench_d && j < pkts)
				ct_table_prefetch_chain(ns, bucket[j % BENCH_RING], d);
		}
		if (k >= lead)
			bench_forward(ns, ring[(k - lead) % BENCH_RING], NULL);
	}
	return (double)pkts / (bench_now() - t0);
}

static int bench_burst(unsigned long n, int reps, unsigned long pkts)
{
	struct nf_ns *ns = bench_ns(n);
	char name[64];

	bench_fill(ns, 0, (uint32_t)n);
	snprintf(name, sizeof(name), "ct_established_burst_%lu", n);
	for (int r = 0; r < reps; r++)
		bench_report(name, bench_burst_run(ns, n, pkts), "packets/s");
	if (nf_ct_count(ns, bench_clock) != n)
		return 1;
	nf_ns_free(ns);
	return 0;
}

/* The same in bursts: packet k's three chains (its own bucket, the likely
 * reply tuple's, its source's bysource chain) are stepped into the cache
 * at depths 0..BENCH_DEPTH by nat_prefetch_flow, D packets apart, before
 * the packet runs the hooks (as bench_burst_run does for known flows). */
static double bench_new_burst_run(struct nf_ns *ns, uint32_t base, unsigned long conns,
				  struct ct_entry **made)
{
	static uint8_t ring[BENCH_RING][64];
	static struct ct_tuple tup[BENCH_RING];
	static struct nat_prefetch pf[BENCH_RING];
	const unsigned long lead = (BENCH_DEPTH + 1) * bench_d;
	double t0 = bench_now();

	for (unsigned long k = 0; k < conns + lead; k++) {
		if (k < conns) {
			unsigned a = k % BENCH_RING;

			bench_packet(ring[a], base + (uint32_t)k);
			ct_tuple_from_ip(ring[a], PKT_LEN, &tup[a]);
			nat_prefetch_flow(ns, &tup[a], &pf[a], 0);
		}
		for (unsigned d = 1; d <= BENCH_DEPTH; d++) {
			unsigned long j = k - d * bench_d;

			if (k >= d * bench_d && j < conns)
				nat_prefetch_flow(ns, &tup[j % BENCH_RING], &pf[j % BENCH_RING], d);
		}
		if (k >= lead &&
		    bench_forward(ns, ring[(k - lead) % BENCH_RING], &made[k - lead]) != NF_ACCEPT)
			return -1;
	}
	return (double)conns / (bench_now() - t0);
}

/* New connections/s with n entries in the table: create, SNAT unique-tuple
 * search, confirm; the new entries are killed after each repetition. */
static int bench_new(unsigned long n, int reps, unsigned long conns)
{
	struct nf_ns *ns = bench_ns(n + conns);
	struct ct_entry **made = malloc(conns * sizeof(*made));
	uint8_t buf[64];

	bench_fill(ns, 0, (uint32_t)n);
	for (int r = 0; r < reps; r++) {
		uint32_t base = (uint32_t)(n + (unsigned long)r * conns);
		double t0 = bench_now();

		for (unsigned long k = 0; k < conns; k++) {
			bench_packet(buf, base + (uint32_t)k);
			if (bench_forward(ns, buf, &made[k]) != NF_ACCEPT)
				return 1;
		}
		bench_report("ct_new_1M", (double)conns / (bench_now() - t0), "connections/s");
		for (unsigned long k = 0; k < conns; k++)
			ct_entry_kill(ns, made[k], bench_clock);
	}
	for (int r = 0; r < reps; r++) {
		uint32_t base = (uint32_t)(n + (unsigned long)(reps + r) * conns);
		double rate = bench_new_burst_run(ns, base, conns, made);

		if (rate < 0)
			return 1;
		bench_report("ct_new_burst_1M", rate, "connections/s");
		for (unsigned long k = 0; k < conns; k++)
			ct_entry_kill(ns, made[k], bench_clock);
	}
	free(made);
	nf_ns_free(ns);
	return 0;
}

/* Expiry of n entries: all time out, the periodic gc reaps them. */
static int bench_expiry(unsigned long n, int reps)
{
	struct nf_ns *ns = bench_ns(n);

	for (int r = 0; r < reps; r++) {
		double t0;

		bench_fill(ns, (uint32_t)(r * n), (uint32_t)((r + 1) * n));
		bench_clock += 4000 * NS;
		t0 = bench_now();
		while (nf_ct_count(ns, bench_clock))
			nf_gc(ns, bench_clock);
		bench_report("ct_expiry_1M", (double)n / (bench_now() - t0), "entries/s");
	}
	nf_ns_free(ns);
	return 0;
}

/* Memory per entry, table included, at n entries; then the packet rate. */
static int bench_memory(unsigned long n, int reps, unsigned long pkts)
{
	long before = bench_rss_kib();
	struct nf_ns *ns = bench_ns(n);
	long after;

	bench_fill(ns, 0, (uint32_t)n);
	after = bench_rss_kib();
	bench_report("ct_bytes_per_entry_10M", (double)(after - before) * 1024.0 / (double)n,
		     "bytes");
	bench_report("ct_rss_10M", (double)after / 1024.0, "MiB");
	bench_established_runs(ns, n, reps, pkts);
	nf_ns_free(ns);
	return 0;
}

/* ----- the event queue: the hold model (pop one, push one later) ----- */

static uint64_t bench_ev_count;

static void bench_ev_fn(struct world *w, void *arg, uint64_t u)
{
	(void)w; (void)arg;
	bench_ev_count += u;
}

static int bench_evq(unsigned long pending, int reps, unsigned long events)
{
	struct evq q;
	struct event ev;
	char name[64];

	evq_init(&q);
	for (unsigned long i = 0; i < pending; i++)
		evq_push(&q, (sim_time)(bench_rand() % 1000000), bench_ev_fn, NULL, 1);
	snprintf(name, sizeof(name), "evq_%lu", pending);
	for (int r = 0; r < reps; r++) {
		double t0 = bench_now();

		for (unsigned long k = 0; k < events; k++) {
			evq_pop(&q, &ev);
			ev.fn(NULL, ev.arg, ev.u);
			/* mean distance 1 ms, like pending packets and timers */
			evq_push(&q, ev.time + (sim_time)(bench_rand() % 2000000), bench_ev_fn,
				 NULL, 1);
		}
		bench_report(name, (double)events / (bench_now() - t0), "events/s");
	}
	if (bench_ev_count != (uint64_t)reps * events)
		return 1;
	evq_free(&q);
	return 0;
}

/* One nft command line (words split on blanks) into ns. */
static void bench_nft(struct nf_ns *ns, const char *line)
{
	GString *out = g_string_new(NULL), *err = g_string_new(NULL);
	gchar **argv = g_strsplit(line, " ", -1);

	if (nf_cmd_nft(ns, (int)g_strv_length(argv), argv, NULL, NULL, NULL, out, err, false) != 0) {
		fprintf(stderr, "bench_engine: %s: %s", line, err->str);
		exit(2);
	}
	g_strfreev(argv);
	g_string_free(out, TRUE);
	g_string_free(err, TRUE);
}

/* Issue 18's acceptance 5: a packet through a FORWARD filter of n rules
 * that do not match it (udp dport 1000+k drop) and a last one that
 * accepts, written once for iptables and once for nft, each alone in its
 * namespace (no conntrack): packets/s through the FORWARD hook. */
static int bench_rules(unsigned long n, int reps, unsigned long pkts)
{
	struct nf_env env = { .random_u32 = bench_env_random };
	struct nf_ns *ipt = nf_ns_new(&env, 1), *nft = nf_ns_new(&env, 1);
	char line[160], name[64];
	uint8_t buf[64];

	bench_nft(nft, "nft add table ip filter");
	bench_nft(nft, "nft add chain ip filter forward { type filter hook forward priority 0 ; }");
	for (unsigned long k = 0; k < n; k++) {
		snprintf(line, sizeof(line), "iptables -A FORWARD -p udp --dport %lu -j DROP", 1000 + k);
		bench_cmd(ipt, line);
		snprintf(line, sizeof(line), "nft add rule ip filter forward udp dport %lu drop", 1000 + k);
		bench_nft(nft, line);
	}
	bench_cmd(ipt, "iptables -A FORWARD -p udp -j ACCEPT");
	bench_nft(nft, "nft add rule ip filter forward ip protocol udp accept");
	for (int which = 0; which < 2; which++) {
		struct nf_ns *ns = which ? nft : ipt;

		snprintf(name, sizeof(name), "filter_%s_%lu_rules", which ? "nft" : "iptables", n);
		for (int r = 0; r < reps; r++) {
			double t0 = bench_now();

			for (unsigned long k = 0; k < pkts; k++) {
				struct nf_skb skb = { .ip = buf, .len = PKT_LEN };

				bench_packet(buf, (uint32_t)k);
				if (nf_hook(ns, NF_INET_FORWARD, &skb, "eth0", "eth1", bench_clock) != NF_ACCEPT) {
					fprintf(stderr, "bench_engine: %s dropped a packet\n", name);
					return 1;
				}
			}
			bench_report(name, (double)pkts / (bench_now() - t0), "packets/s");
		}
	}
	nf_ns_free(ipt);
	nf_ns_free(nft);
	return 0;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000;
	int reps = argc > 3 ? atoi(argv[3]) : 5;
	unsigned long loop = argc > 4 ? strtoul(argv[4], NULL, 10) : 1000000;

	if (argc > 5) {
		bench_d = (unsigned)strtoul(argv[5], NULL, 10);
		if (bench_d < 1 || bench_d > BENCH_D_MAX) {
			fprintf(stderr, "bench_engine: D must be 1..%d\n", BENCH_D_MAX);
			return 2;
		}
	}

	if (!strcmp(what, "est"))
		return bench_established(n, reps, loop);
	if (!strcmp(what, "burst"))
		return bench_burst(n, reps, loop);
	if (!strcmp(what, "new"))
		return bench_new(n, reps, loop);
	if (!strcmp(what, "expiry"))
		return bench_expiry(n, reps);
	if (!strcmp(what, "memory"))
		return bench_memory(n, reps, loop);
	if (!strcmp(what, "evq"))
		return bench_evq(n, reps, loop);
	if (!strcmp(what, "rules"))
		return bench_rules(n, reps, loop);
	fprintf(stderr, "usage: bench_engine est|burst|new|expiry|memory|evq|rules N [REPS [LOOP [D]]]\n");
	return 2;
}
