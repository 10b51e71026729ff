/* test_ct_gc.c - the conntrack garbage collector (nat/conntrack/ct_gc.c).
 *
 * A reference model runs beside it: the gc as natsim ran it before the
 * expiry index, a scan of the next slice at every whole second. Both get
 * the same traffic, sysctl changes and listings; their DESTROY events must
 * be the same lines at the same times in the same order, for every table
 * geometry (a slice of the whole table, of 4096 chains, of an eighth, and a
 * size the sysctl cannot make). And the gc's runs must follow the entries
 * that expire, not the simulated seconds.
 */
#include "tests/unit/ct_test_util.h"

/* DESTROY and other events, with their time, into the GString ctx. */
static void gc_event(void *ctx, nf_time now, const char *line)
{
	g_string_append_printf(ctx, "%lld %s\n", (long long)now, line);
}

static struct nf_ns *gc_ns(GString *log, uint32_t buckets)
{
	struct nf_env env = { .ctx = log, .ct_event = gc_event };
	struct nf_ns *ns = nf_ns_new(&env, 777);

	nf_ct_load(ns);
	if (buckets != ns->ct->sysctl.ct_buckets)
		CHECK(ct_table_resize(ns, buckets));	/* any size, not only the sysctl's */
	return ns;
}

/* The reference: natsim's gc tick before the index (one slice of the table,
 * an eighth but at least 4096 chains, from a cursor; nothing on an empty
 * table). */
struct ref_gc {
	uint32_t cursor;
	nf_time tick;
};

static void ref_gc_upto(struct nf_ns *ns, struct ref_gc *r, nf_time now)
{
	uint32_t size = ns->ct->sysctl.ct_buckets;
	uint32_t batch = size / 8 > 4096 ? size / 8 : 4096;

	if (batch > size)
		batch = size;
	for (; r->tick <= now; r->tick += S_) {
		if (!ns->ct->count)
			continue;
		for (uint32_t i = 0; i < batch; i++) {
			if (ns->ct->buckets[r->cursor])
				ct_table_reap_bucket(ns, r->cursor, r->tick);
			r->cursor = (r->cursor + 1) % size;
		}
	}
}

static uint32_t gc_rand_state;

static uint32_t gc_rand(void)
{
	gc_rand_state = gc_rand_state * 1103515245u + 12345u;
	return gc_rand_state >> 8;
}

static void gc_sysctl(struct nf_ns *a, struct nf_ns *b, const char *name, unsigned v)
{
	GString *err = g_string_new("");
	char val[16];

	snprintf(val, sizeof(val), "%u", v);
	CHECK(nf_sysctl_set(a, name, val, err, false, 0) == 0);
	CHECK(nf_sysctl_set(b, name, val, err, false, 0) == 0);
	g_string_free(err, TRUE);
}

/* Random UDP and ICMP traffic for `seconds`, timeouts changed on the way
 * (so refreshes lower timeouts as well as raise them), listings now and
 * then; then quiet until every entry is gone. */
static void test_gc_matches_reference(uint32_t buckets, uint32_t seed)
{
	GString *la = g_string_new(""), *lb = g_string_new(""), *out = g_string_new("");
	struct nf_ns *a = gc_ns(la, buckets), *b = gc_ns(lb, buckets);
	struct ref_gc ref = { .cursor = 0, .tick = S_ };
	static const unsigned timeouts[] = { 1, 3, 5, 30, 60, 120, 200 };
	unsigned runs = 0, ops = 0;
	nf_time now = 0;

	gc_rand_state = seed;
	while (now < 4000 * S_) {
		struct t_pkt pa, pb;
		uint32_t r = gc_rand();
		char cli[16];
		uint16_t port = (uint16_t)(1000 + r % 40);

		/* mostly a few ms apart, sometimes a quiet spell (long enough
		 * to empty the table now and then), sometimes exactly on a tick */
		now += r % 64 == 0 ? 250 * S_ : r % 16 == 0 ? (nf_time)(gc_rand() % 90) * S_ :
		       r % 16 == 1 ? S_ - now % S_ : (nf_time)(gc_rand() % 300) * S_ / 1000;
		ref_gc_upto(a, &ref, now);
		runs += nf_gc(b, now);
		ops++;
		snprintf(cli, sizeof(cli), "10.3.%u.%u", (r >> 4) % 4, 1 + (r >> 6) % 3);
		switch ((r >> 12) % 10) {
		case 0:
			gc_sysctl(a, b, (r >> 16) & 1 ? "net.netfilter.nf_conntrack_udp_timeout" :
				  "net.netfilter.nf_conntrack_udp_timeout_stream",
				  timeouts[(r >> 17) % 7]);
			break;
		case 1:
			CHECK(nf_ct_list(a, now, out) == nf_ct_list(b, now, out));
			g_string_truncate(out, 0);
			break;
		case 2:
			gc_sysctl(a, b, "net.netfilter.nf_conntrack_icmp_timeout",
				  timeouts[(r >> 17) % 7]);
			t_icmp(&pa, cli, "192.0.2.9", 8, port, 1);
			pb = pa;
			t_forward(a, &pa, now);
			t_forward(b, &pb, now);
			break;
		case 3: case 4: case 5:
			/* a reply: SEEN_REPLY, later the stream timeout */
			t_udp(&pa, "192.0.2.1", 53, cli, port);
			pb = pa;
			t_forward(a, &pa, now);
			t_forward(b, &pb, now);
			break;
		default:
			t_udp(&pa, cli, port, "192.0.2.1", 53);
			pb = pa;
			t_forward(a, &pa, now);
			t_forward(b, &pb, now);
			break;
		}
		if (ops % 200 == 0) {
			GString *why = g_string_new("");

			CHECK(nf_check_invariants(b, now, why), "%s", why->str);
			g_string_free(why, TRUE);
		}
	}
	/* quiet: every entry expires and is reaped by the gc alone */
	now += 300 * S_;
	ref_gc_upto(a, &ref, now);
	runs += nf_gc(b, now);
	CHECK(a->ct->count == 0 && b->ct->count == 0, "%u %u entries left", a->ct->count,
	      b->ct->count);
	CHECK(strstr(la->str, "[DESTROY]") != NULL);
	if (strcmp(la->str, lb->str) != 0) {
		size_t i = 0;

		while (la->str[i] == lb->str[i])
			i++;
		while (i && la->str[i - 1] != '\n')
			i--;
		CHECK(false, "%u buckets: events differ from the reference at\n%.300s\nvs\n%.300s",
		      buckets, la->str + i, lb->str + i);
	}
	/* the gc ran at most once per event it had to wait for, never per second */
	CHECK(runs < ops, "%u buckets: %u runs for %u packets", buckets, runs, ops);
	g_string_free(la, TRUE);
	g_string_free(lb, TRUE);
	g_string_free(out, TRUE);
	nf_ns_free(a);
	nf_ns_free(b);
}

/* 1000 entries wait out a long timeout with the default 262144 buckets:
 * the gc runs a handful of times (the ticks that reap), not once per
 * second, and reaps each entry at the tick the reference does. */
static void test_gc_idle_costs_nothing(void)
{
	GString *la = g_string_new(""), *lb = g_string_new("");
	struct nf_ns *a = gc_ns(la, 262144), *b = gc_ns(lb, 262144);
	struct ref_gc ref = { .cursor = 0, .tick = S_ };
	const unsigned hours = 2;
	unsigned runs;

	gc_sysctl(a, b, "net.netfilter.nf_conntrack_udp_timeout", hours * 3600);
	for (unsigned i = 0; i < 1000; i++) {
		struct t_pkt pa, pb;
		nf_time t = S_ / 2 + (nf_time)i * (S_ / 1000);

		t_udp(&pa, "10.4.0.1", (uint16_t)(2000 + i), "192.0.2.1", 53);
		pb = pa;
		ref_gc_upto(a, &ref, t);
		nf_gc(b, t);
		t_forward(a, &pa, t);
		t_forward(b, &pb, t);
	}
	g_string_truncate(la, 0);
	g_string_truncate(lb, 0);
	CHECK(nf_gc_next(b) > (nf_time)hours * 3600 * S_);
	runs = nf_gc(b, (hours * 3600 + 60) * S_);
	ref_gc_upto(a, &ref, (hours * 3600 + 60) * S_);
	CHECK(b->ct->count == 0 && a->ct->count == 0);
	CHECK(strcmp(la->str, lb->str) == 0);
	/* 8 ticks sweep the whole table: all expire within 1.5 s of another */
	CHECK(runs <= 10, "%u runs", runs);
	CHECK(nf_gc_next(b) == NF_TIME_NEVER);
	g_string_free(la, TRUE);
	g_string_free(lb, TRUE);
	nf_ns_free(a);
	nf_ns_free(b);
}

/* The cursor does not move while the table is empty, and a reboot keeps
 * the gc's clock: ticks stay on whole seconds. */
static void test_gc_empty_table_and_reboot(void)
{
	GString *log = g_string_new("");
	struct nf_ns *ns = gc_ns(log, 262144);
	struct t_pkt p;

	CHECK(nf_gc_next(ns) == NF_TIME_NEVER);
	CHECK(nf_gc(ns, 100 * S_) == 0);
	CHECK(ns->ct->gc_next_bucket == 0 && ns->gc_tick == 101 * S_);
	t_udp(&p, "10.5.0.1", 4000, "192.0.2.1", 53);
	t_forward(ns, &p, 100 * S_ + S_ / 2);
	CHECK(nf_gc(ns, 103 * S_) == 0);	/* three idle ticks: three slices */
	CHECK(ns->ct->gc_next_bucket == 3 * 32768);
	CHECK(nf_gc_next(ns) >= 130 * S_ + S_ / 2 && nf_gc_next(ns) <= 138 * S_);
	nf_ns_reset(ns);
	CHECK(ns->gc_tick == 104 * S_ && ns->ct->gc_next_bucket == 0);
	CHECK(nf_gc_next(ns) == NF_TIME_NEVER);
	g_string_free(log, TRUE);
	nf_ns_free(ns);
}

int main(void)
{
	static const uint32_t sizes[] = {
		512, 1024, 4096,	/* the whole table each tick */
		4608, 8192, 12288,	/* 4096 chains a tick */
		33280, 262144,		/* an eighth a tick */
		5000,			/* not a multiple of 512 */
	};

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		test_gc_matches_reference(sizes[i], 1 + i);
	test_gc_idle_costs_nothing();
	test_gc_empty_table_and_reboot();
	if (failures) {
		fprintf(stderr, "test_ct_gc: %d failures\n", failures);
		return 1;
	}
	printf("test_ct_gc: ok\n");
	return 0;
}
