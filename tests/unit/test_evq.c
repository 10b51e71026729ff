/* test_evq.c - the engine: the event queue (sim/core/evq.c) pops in (time,
 * scheduling order) exactly like a plain reference heap under many workloads
 * (ties, mixed time scales, buckets too dense to split, pushes before the last
 * pop, switches between heap only and ladder, the seq wrap), its tiers keep
 * their invariants (evq_check), it grows, the teardown
 * iterator sees every pending event once and can rewrite it; a throughput
 * figure; the generator (sim/core/rng.c) is reproducible and bounded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/core/evq.h"
#include "sim/core/rng.h"

#include "tests/unit/check.h"

static void nop(struct world *w, void *arg, uint64_t u)
{
	(void)w; (void)arg; (void)u;
}

static void other(struct world *w, void *arg, uint64_t u)
{
	(void)w; (void)arg; (void)u;
}

static void test_small(void)
{
	struct evq q;
	evq_init(&q);
	CHECK(evq_peek_time(&q) == SIM_TIME_NEVER, "empty peek");
	struct event ev;
	CHECK(evq_pop(&q, &ev) == 0, "empty pop");
	/* times 5,1,5,3,1: expect 1(u=1) 1(u=4) 3(u=3) 5(u=0) 5(u=2) */
	sim_time t[] = { 5, 1, 5, 3, 1 };
	for (int i = 0; i < 5; i++)
		evq_push(&q, t[i], nop, NULL, (uint64_t)i);
	CHECK(evq_len(&q) == 5, "len 5");
	CHECK(evq_peek_time(&q) == 1, "peek 1");
	uint64_t want[] = { 1, 4, 3, 0, 2 };
	for (int i = 0; i < 5; i++) {
		CHECK(evq_pop(&q, &ev) == 1, "pop %d", i);
		CHECK(ev.u == want[i], "pop %d: u=%llu want %llu", i,
		      (unsigned long long)ev.u, (unsigned long long)want[i]);
		CHECK(ev.fn == nop, "fn kept");
	}
	CHECK(evq_pop(&q, &ev) == 0, "drained");
	CHECK(evq_peek_time(&q) == SIM_TIME_NEVER, "drained peek");
	/* reusable after draining, and after evq_free */
	evq_push(&q, 7, nop, NULL, 9);
	CHECK(evq_pop(&q, &ev) == 1 && ev.time == 7 && ev.u == 9, "reuse");
	evq_free(&q);
	evq_push(&q, 0, nop, &q, 1);
	CHECK(evq_pop(&q, &ev) == 1 && ev.time == 0 && ev.arg == &q, "reuse after free");
	evq_free(&q);
}

/* ----- the reference: a binary heap on (time, push number) ----- */

struct ref_ev {
	sim_time time;
	uint64_t id;
};

struct ref {
	struct ref_ev *h;
	size_t len, cap;
	uint64_t next_id;
};

static int ref_before(const struct ref_ev *a, const struct ref_ev *b)
{
	return a->time < b->time || (a->time == b->time && a->id < b->id);
}

static uint64_t ref_push(struct ref *r, sim_time t)
{
	if (r->len == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 1024;
		r->h = realloc(r->h, r->cap * sizeof(*r->h));
	}
	struct ref_ev e = { t, r->next_id++ };
	size_t i = r->len++;
	while (i > 0 && ref_before(&e, &r->h[(i - 1) / 2])) {
		r->h[i] = r->h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	r->h[i] = e;
	return e.id;
}

static struct ref_ev ref_pop(struct ref *r)
{
	struct ref_ev top = r->h[0], last = r->h[--r->len];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= r->len)
			break;
		if (c + 1 < r->len && ref_before(&r->h[c + 1], &r->h[c]))
			c++;
		if (!ref_before(&r->h[c], &last))
			break;
		r->h[i] = r->h[c];
		i = c;
	}
	if (r->len)
		r->h[i] = last;
	return top;
}

/* The queue under test and the reference, driven together. */
struct pair {
	struct evq q;
	struct ref r;
	sim_time now;
	unsigned mismatches, checks_failed;
	uint64_t pops;
};

static void pair_init(struct pair *p)
{
	memset(p, 0, sizeof(*p));
	evq_init(&p->q);
}

static void pair_free(struct pair *p)
{
	evq_free(&p->q);
	free(p->r.h);
}

static void pair_push(struct pair *p, sim_time t)
{
	uint64_t id = ref_push(&p->r, t);
	evq_push(&p->q, t, nop, (void *)(uintptr_t)(id * 8), id);
}

/* Pop from both and compare; returns 0 when empty. */
static int pair_pop(struct pair *p)
{
	struct event ev;
	/* every other pop peeks first: both refill the heap */
	sim_time peek = p->pops % 2 ? evq_peek_time(&p->q) : SIM_TIME_NEVER;
	int got = evq_pop(&p->q, &ev);
	if (p->r.len == 0) {
		if (got || evq_peek_time(&p->q) != SIM_TIME_NEVER)
			p->mismatches++;
		return 0;
	}
	struct ref_ev want = ref_pop(&p->r);
	if (!got || ev.time != want.time || ev.u != want.id ||
	    (p->pops % 2 && peek != want.time) ||
	    ev.fn != nop || ev.arg != (void *)(uintptr_t)(want.id * 8)) {
		if (p->mismatches++ < 5)
			printf("  pop %llu: got t=%lld u=%llu, want t=%lld id=%llu\n",
			       (unsigned long long)p->pops, (long long)ev.time,
			       (unsigned long long)ev.u, (long long)want.time,
			       (unsigned long long)want.id);
	}
	p->now = want.time;
	p->pops++;
	if (evq_len(&p->q) != p->r.len)
		p->mismatches++;
	return 1;
}

static void pair_check(struct pair *p)
{
	int e = evq_check(&p->q);
	if (e && p->checks_failed++ < 5)
		printf("  evq_check: %d after %llu pops\n", e, (unsigned long long)p->pops);
}

/* Pop everything, checking the invariants as it goes (less often while
 * many events are pending: a check walks them all). */
static void pair_drain(struct pair *p)
{
	uint64_t next_check = p->pops;
	while (pair_pop(p))
		if (p->pops >= next_check) {
			pair_check(p);
			next_check = p->pops + 1024 + evq_len(&p->q) / 16;
		}
	pair_check(p);
}

/* The end of a comparison: no pop differed from the reference and every
 * structural check passed. */
static void pair_verdict(struct pair *p, const char *what)
{
	CHECK(p->mismatches == 0, "%s: %u mismatches", what, p->mismatches);
	CHECK(p->checks_failed == 0, "%s: %u failed checks", what, p->checks_failed);
	pair_free(p);
}

/* The hold model of the benchmark, with ties: pop one, push one later. */
static void test_hold(void)
{
	struct pair p;
	struct rng r;
	pair_init(&p);
	rng_seed(&r, 3);
	for (unsigned i = 0; i < 20000; i++)
		pair_push(&p, rng_below(&r, 1000) * 1000);
	for (unsigned i = 0; i < 400000; i++) {
		pair_pop(&p);
		pair_push(&p, p.now + rng_below(&r, 2000) * 1000);
		if (i % 4096 == 0)
			pair_check(&p);
	}
	pair_drain(&p);
	pair_verdict(&p, "hold");
}

/* A simulator's mix: packets microseconds apart, zero-delay events, timers
 * of seconds, conntrack timeouts of days, bursts at one instant, times near
 * the top of the range, and now and then a push before the last pop (which
 * the queue allows). Dense clusters make buckets split into finer rungs. */
static void test_mixed(void)
{
	struct pair p;
	struct rng r;
	pair_init(&p);
	rng_seed(&r, 11);
	unsigned max_rungs = 0;
	for (unsigned i = 0; i < 3000; i++)
		pair_push(&p, (sim_time)rng_below(&r, 5) * SIM_S);
	pair_push(&p, SIM_TIME_NEVER - 1);
	pair_push(&p, SIM_TIME_NEVER);
	for (unsigned i = 0; i < 600000; i++) {
		if (!pair_pop(&p))
			break;
		if (p.now >= SIM_TIME_NEVER - 1 || evq_len(&p.q) > 60000)
			continue; /* drain for a while */
		unsigned k = rng_below(&r, 100);
		sim_time t;
		if (k < 60)
			t = p.now + rng_below(&r, 3000);                 /* ns..us */
		else if (k < 70)
			t = p.now;                                        /* zero delay */
		else if (k < 80)
			t = p.now + (sim_time)rng_below(&r, 3) * SIM_S;   /* timers */
		else if (k < 85)
			t = p.now + 432000 * SIM_S;                       /* 5 days */
		else if (k < 90)
			t = p.now > 500 ? p.now - rng_below(&r, 500) : 0; /* the past */
		else if (k < 95)
			t = p.now + 1 + rng_below(&r, 2);                 /* dense */
		else
			t = p.now + SIM_MS;
		pair_push(&p, t);
		if (k == 0) /* a burst: 2000 events at one instant */
			for (int b = 0; b < 2000; b++)
				pair_push(&p, p.now + 5 * SIM_MS);
		if (evq_rungs(&p.q) > max_rungs)
			max_rungs = evq_rungs(&p.q);
		if (i % 2048 == 0)
			pair_check(&p);
	}
	pair_drain(&p);
	CHECK(max_rungs >= 2, "mixed: buckets split into finer rungs (max %u rungs)", max_rungs);
	pair_verdict(&p, "mixed");
}

/* Small and large by turns: the queue switches between the plain heap (a
 * few events) and the ladder (more), in both directions, with events
 * pending across each switch, ties, and pushes before the last pop. */
static void test_modes(void)
{
	struct pair p;
	struct rng r;
	pair_init(&p);
	rng_seed(&r, 21);
	unsigned ladder = 0, heap_only = 0;
	for (unsigned round = 0; round < 3000; round++) {
		unsigned push = rng_below(&r, 120), pop = rng_below(&r, 120);
		if (round % 2) { /* down to a few */
			unsigned keep = rng_below(&r, 12);
			size_t n = evq_len(&p.q) + push;
			pop = n > keep ? (unsigned)(n - keep) : 0;
		}
		for (unsigned i = 0; i < push; i++) {
			sim_time t = p.now + rng_below(&r, 40) * 25;
			if (rng_below(&r, 20) == 0 && p.now >= 100)
				t = p.now - 100;
			pair_push(&p, t);
		}
		for (unsigned i = 0; i < pop && pair_pop(&p); i++)
			;
		if (p.q.near_end == UINT64_MAX) /* only the heap in use */
			heap_only++;
		else if (evq_rungs(&p.q))
			ladder++;
		pair_check(&p);
	}
	pair_drain(&p);
	CHECK(ladder > 100 && heap_only > 100, "modes: %u ladder, %u heap only", ladder, heap_only);
	pair_verdict(&p, "modes");
}

/* The 32-bit seq wraps: with a limit of 5000 and up to ~3000 pending, the
 * queue renumbers hundreds of times, with events in every tier and ties on
 * every time, and still pops exactly like the unbounded reference. */
static void test_wrap(void)
{
	struct pair p;
	struct rng r;
	pair_init(&p);
	rng_seed(&r, 5);
	evq_set_seq_limit(&p.q, 5000);
	unsigned renumbers = 0;
	uint64_t last_seq = 0;
	for (unsigned i = 0; i < 2000; i++)
		pair_push(&p, rng_below(&r, 50) * 1000);
	for (unsigned i = 0; i < 500000; i++) {
		pair_pop(&p);
		unsigned k = rng_below(&r, 10);
		if (k < 6)
			pair_push(&p, p.now + rng_below(&r, 50) * 1000); /* ties */
		else if (k < 8)
			pair_push(&p, p.now + 1000000000);              /* the top */
		else if (k == 8 && evq_len(&p.q) < 3000) {
			pair_push(&p, p.now);
			pair_push(&p, p.now + 1000);
		}
		if (p.q.next_seq < last_seq)
			renumbers++;
		last_seq = p.q.next_seq;
		CHECK(p.q.next_seq <= 5000, "seq stays under the limit");
		if (i % 1024 == 0)
			pair_check(&p);
		if (evq_len(&p.q) == 0)
			pair_push(&p, p.now);
	}
	pair_drain(&p);
	CHECK(renumbers > 100, "wrap: %u renumberings", renumbers);
	pair_verdict(&p, "wrap");
	/* renumbering at the real limit is the same code; lowering the limit
	 * below next_seq renumbers at the next push */
	pair_init(&p);
	for (unsigned i = 0; i < 100; i++)
		pair_push(&p, 42);
	evq_set_seq_limit(&p.q, 150);
	for (unsigned i = 0; i < 1000; i++) {
		pair_push(&p, 42);
		pair_pop(&p);
	}
	pair_drain(&p);
	CHECK(p.mismatches == 0, "wrap at one time: %u mismatches", p.mismatches);
	pair_free(&p);
}

/* Growth: a million events at one instant (a bucket that cannot be split:
 * the heap grows past L2 and uses the prefetching descent), and a million
 * random ones with ties (arenas and rungs grow). */
static void test_growth(void)
{
	struct pair p;
	struct rng r;
	pair_init(&p);
	rng_seed(&r, 42);
	const unsigned n = 1000000;
	for (unsigned i = 0; i < n; i++)
		pair_push(&p, 77);
	CHECK(evq_len(&p.q) == n, "len %zu", evq_len(&p.q));
	for (unsigned i = 0; i < 10; i++)
		pair_pop(&p);
	pair_check(&p);
	pair_drain(&p);
	CHECK(p.pops == n, "popped %llu of %u", (unsigned long long)p.pops, n);
	p.pops = 0;
	for (unsigned i = 0; i < n; i++)
		pair_push(&p, (sim_time)rng_below(&r, 5000));
	pair_drain(&p);
	CHECK(p.pops == n, "popped %llu of %u", (unsigned long long)p.pops, n);
	pair_verdict(&p, "growth");
}

/* The teardown iterator: with events in the heap, in rungs and in the top,
 * it shows each pending event once; rewriting fn and arg in place is what
 * the queue then pops, in unchanged order. */
static void test_iter(void)
{
	struct evq q;
	struct rng r;
	evq_init(&q);
	rng_seed(&r, 9);
	struct evq_iter it;
	evq_iter_init(&it, &q);
	CHECK(evq_iter_next(&it) == NULL, "empty queue: nothing");
	const unsigned n = 20000;
	for (unsigned i = 0; i < n; i++)
		evq_push(&q, (sim_time)rng_below(&r, 1000000), nop, NULL, i);
	struct event ev;
	for (unsigned i = 0; i < 100; i++) /* builds rungs, fills the heap */
		evq_pop(&q, &ev);
	sim_time now = ev.time;
	for (unsigned i = n; i < n + 100; i++)
		evq_push(&q, now + rng_below(&r, 3), nop, NULL, i); /* heap */
	for (unsigned i = n + 100; i < n + 200; i++)
		evq_push(&q, 5000000 + i, nop, NULL, i); /* top */
	CHECK(evq_rungs(&q) >= 1, "rungs in use");
	CHECK(evq_check(&q) == 0, "invariants");

	/* each pending u seen once */
	unsigned char *seen = calloc(n + 200, 1);
	size_t count = 0, dup = 0;
	evq_iter_init(&it, &q);
	for (struct evq_item *e; (e = evq_iter_next(&it)) != NULL;) {
		count++;
		if (seen[e->u]++)
			dup++;
		if (e->u % 2) {
			e->fn = other;
			e->arg = &seen[e->u];
		}
	}
	CHECK(count == evq_len(&q), "iterated %zu of %zu", count, evq_len(&q));
	CHECK(dup == 0, "%zu seen twice", dup);

	/* pops see the rewrites, still in (time, push) order */
	sim_time prev_t = -1;
	size_t bad = 0, popped = 0;
	uint64_t prev_u = 0;
	while (evq_pop(&q, &ev)) {
		if (ev.fn != (ev.u % 2 ? other : nop) ||
		    (ev.u % 2 && ev.arg != &seen[ev.u]))
			bad++;
		if (ev.time < prev_t || (ev.time == prev_t && ev.u < prev_u))
			bad++;
		prev_t = ev.time;
		prev_u = ev.u;
		popped++;
	}
	CHECK(bad == 0, "%zu bad pops after rewrite", bad);
	CHECK(popped == count, "popped %zu of %zu", popped, count);
	free(seen);
	evq_free(&q);
}

/* The generator (sim/core/rng.c): reproducible, bounded, roughly uniform. */
static void test_rng(void)
{
	struct rng a, b;
	rng_seed(&a, 1);
	rng_seed(&b, 1);
	int same = 1;
	for (int i = 0; i < 1000; i++)
		same &= rng_u64(&a) == rng_u64(&b);
	CHECK(same, "same seed, same sequence");
	rng_seed(&b, 2);
	CHECK(rng_u64(&a) != rng_u64(&b), "different seeds differ");
	unsigned hist[3] = { 0 }, bad = 0;
	for (int i = 0; i < 300000; i++) {
		uint32_t v = rng_below(&a, 3);
		if (v >= 3)
			bad++;
		else
			hist[v]++;
		double d = rng_double(&a);
		if (d < 0 || d >= 1)
			bad++;
	}
	CHECK(bad == 0, "%u draws out of range", bad);
	for (int i = 0; i < 3; i++)
		CHECK(hist[i] > 99000 && hist[i] < 101000, "rng_below(3) bucket %d: %u", i, hist[i]);
	CHECK(rng_below(&a, 1) == 0, "below 1");
	uint32_t big = rng_below(&a, 0x80000001u);
	CHECK(big <= 0x80000000u, "below 2^31+1");
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Hold model with 1k pending events: one pop + one push per step. */
static void bench(void)
{
	struct evq q;
	struct rng r;
	evq_init(&q);
	rng_seed(&r, 7);
	for (unsigned i = 0; i < 1000; i++)
		evq_push(&q, rng_below(&r, 1000000), nop, NULL, 0);
	const unsigned steps = 20000000;
	struct event ev;
	uint64_t sink = 0;
	double t0 = now_s();
	for (unsigned i = 0; i < steps; i++) {
		evq_pop(&q, &ev);
		sink += ev.u;
		evq_push(&q, ev.time + 1 + (i * 2654435761u) % 1000000, nop, NULL, i);
	}
	double dt = now_s() - t0;
	printf("evq: %.1fM push+pop/s with 1k pending (sink %llu)\n", steps / dt / 1e6,
	       (unsigned long long)(sink & 1));
	evq_free(&q);
}

int main(void)
{
	test_small();
	test_hold();
	test_mixed();
	test_modes();
	test_wrap();
	test_growth();
	test_iter();
	test_rng();
	bench();
	if (failures) {
		printf("test_evq: %d failure(s)\n", failures);
		return 1;
	}
	printf("test_evq: ok\n");
	return 0;
}
