/* test_evq.c - the engine: the event queue (sim/evq.c) orders by time, then
 * by scheduling order, a million random events come out sorted, and a
 * throughput figure; the generator (sim/rng.c) is reproducible and bounded. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "evq.h"
#include "rng.h"

#include "check.h"

static void nop(struct world *w, void *arg, uint64_t u)
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
	evq_free(&q);
}

static void test_random_million(void)
{
	struct evq q;
	struct rng r;
	evq_init(&q);
	rng_seed(&r, 42);
	const unsigned n = 1000000;
	/* few distinct times so that ties are frequent; u = insertion index */
	for (unsigned i = 0; i < n; i++)
		evq_push(&q, (sim_time)rng_below(&r, 5000), nop, NULL, i);
	struct event ev, prev = { .time = -1 };
	unsigned count = 0, bad = 0;
	while (evq_pop(&q, &ev)) {
		if (count > 0 && (ev.time < prev.time ||
				  (ev.time == prev.time && ev.u <= prev.u)))
			bad++;
		prev = ev;
		count++;
	}
	CHECK(count == n, "popped %u of %u", count, n);
	CHECK(bad == 0, "%u events out of order", bad);

	/* interleaved push/pop (the event loop's pattern) stays ordered */
	evq_free(&q);
	sim_time now = 0;
	bad = 0;
	for (unsigned i = 0; i < 1000; i++)
		evq_push(&q, rng_below(&r, 1000), nop, NULL, 0);
	for (unsigned i = 0; i < n; i++) {
		evq_pop(&q, &ev);
		if (ev.time < now)
			bad++;
		now = ev.time;
		evq_push(&q, now + rng_below(&r, 1000), nop, NULL, 0);
	}
	CHECK(bad == 0, "hold model: %u events before now", bad);
	evq_free(&q);
}

/* The generator (sim/rng.c): reproducible, bounded, roughly uniform. */
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
		evq_push(&q, ev.time + 1 + (ev.seq * 2654435761u) % 1000000, nop, NULL, i);
	}
	double dt = now_s() - t0;
	printf("evq: %.1fM push+pop/s with 1k pending (sink %llu)\n", steps / dt / 1e6,
	       (unsigned long long)(sink & 1));
	evq_free(&q);
}

int main(void)
{
	test_small();
	test_random_million();
	test_rng();
	bench();
	if (failures) {
		printf("test_evq: %d failure(s)\n", failures);
		return 1;
	}
	printf("test_evq: ok\n");
	return 0;
}
