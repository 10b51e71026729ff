/* evq.c - the event queue: a 4-ary min-heap of events stored by value.
 *
 * Design: key (time, seq), seq taken from a queue-wide counter at push, so
 * equal-time events pop in scheduling order and every run is reproducible.
 * A 4-ary heap halves the depth of a binary one and keeps a node's children
 * adjacent in memory; sifting moves a "hole" instead of swapping.
 * No allocation per event: the array only grows (doubling).
 */
#include "evq.h"

#include <assert.h>
#include <glib.h>
#include <stdlib.h>

#define EVQ_ARITY 4

/* (time, seq) as one 128-bit key: a branch-free comparison. Times in the
 * queue are never negative (asserted at push). */
static inline unsigned __int128 ev_key(const struct event *e)
{
	return (unsigned __int128)(uint64_t)e->time << 64 | e->seq;
}

static inline int ev_before(const struct event *a, const struct event *b)
{
	return ev_key(a) < ev_key(b);
}

void evq_init(struct evq *q)
{
	q->heap = NULL;
	q->len = q->cap = 0;
	q->next_seq = 0;
}

void evq_free(struct evq *q)
{
	g_free(q->heap);
	evq_init(q);
}

void evq_push(struct evq *q, sim_time t, event_fn fn, void *arg, uint64_t u)
{
	if (q->len == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 1024;
		q->heap = g_renew(struct event, q->heap, q->cap);
	}
	assert(t >= 0);
	struct event ev = { .time = t, .seq = q->next_seq++, .fn = fn, .arg = arg, .u = u };
	struct event *h = q->heap;
	size_t i = q->len++;
	while (i > 0) {
		size_t parent = (i - 1) / EVQ_ARITY;
		if (!ev_before(&ev, &h[parent]))
			break;
		h[i] = h[parent];
		i = parent;
	}
	h[i] = ev;
}

/* The hole at the root descends along the smaller children to a leaf;
 * returns the leaf. `prefetch` (a constant at each call, so the loop is
 * compiled twice): a heap beyond L2 (a million pending events) makes the
 * descent a chain of cache misses, so the grandchildren (16 events, 640
 * bytes) are fetched while the children are compared. */
static inline __attribute__((always_inline)) size_t evq_descend(struct event *h, size_t n,
								 const int prefetch)
{
	size_t i = 0;
	for (;;) {
		size_t c = i * EVQ_ARITY + 1;
		if (c >= n)
			break;
		size_t best = c;
		size_t g = c * EVQ_ARITY + 1;
		if (prefetch && g + 16 <= n) {
			const char *p = (const char *)&h[g];
			for (int k = 0; k < 640; k += 64)
				__builtin_prefetch(p + k);
		}
		if (c + EVQ_ARITY <= n) {
			size_t b1 = ev_before(&h[c + 1], &h[c]) ? c + 1 : c;
			size_t b2 = ev_before(&h[c + 3], &h[c + 2]) ? c + 3 : c + 2;
			best = ev_before(&h[b2], &h[b1]) ? b2 : b1;
		} else {
			for (size_t k = c + 1; k < n; k++)
				if (ev_before(&h[k], &h[best]))
					best = k;
		}
		h[i] = h[best];
		i = best;
	}
	return i;
}

/* Pop "bottom-up" (Floyd's trick): the hole left by the root descends along
 * the smaller children to a leaf without comparing against the displaced last
 * element, which then sifts up the short way; the last element is usually a
 * late event, so it rarely climbs far. */
int evq_pop(struct evq *q, struct event *out)
{
	if (q->len == 0)
		return 0;
	struct event *h = q->heap;
	*out = h[0];
	size_t n = --q->len;
	if (n == 0)
		return 1;
	size_t i = n > 32768 ? evq_descend(h, n, 1) : evq_descend(h, n, 0);
	struct event last = h[n];
	while (i > 0) {
		size_t parent = (i - 1) / EVQ_ARITY;
		if (!ev_before(&last, &h[parent]))
			break;
		h[i] = h[parent];
		i = parent;
	}
	h[i] = last;
	return 1;
}

sim_time evq_peek_time(const struct evq *q)
{
	return q->len ? q->heap[0].time : SIM_TIME_NEVER;
}
