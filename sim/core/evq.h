/* evq.h - the event queue of the discrete-event engine.
 *
 * Events are ordered by time, then by the order in which they were scheduled, so
 * simultaneous events run in a deterministic order. The queue is a ladder of
 * time buckets in front of which a small near tier (a sorted run and a 4-ary
 * heap) holds the earliest events (see evq.c): no allocation per event, and
 * with a million pending events each one costs a few sequential memory
 * accesses instead of a chain of cache misses.
 *
 * Times must be >= 0 (asserted). The queue does NOT rely on pushes being
 * monotone (never earlier than the last pop): an earlier event still comes out
 * in (time, scheduling order); monotone pushes are merely the fast case.
 */
#ifndef SIM_EVQ_H
#define SIM_EVQ_H

#include <stddef.h>
#include <stdint.h>
#include "sim/core/sim_time.h"

struct world;

/* An event handler: `arg` and `u` are whatever the scheduler passed. */
typedef void (*event_fn)(struct world *w, void *arg, uint64_t u);

/* A popped event. */
struct event {
	sim_time time;
	event_fn fn;
	void *arg;
	uint64_t u;
};

/* The payload of a pending event, as the iterator shows it. */
struct evq_item {
	event_fn fn;
	void *arg;
	uint64_t u;
};

/* Internals of evq.c, here only so that struct evq can be embedded. */
struct evq_block; /* a chunk of events of one bucket */
struct evq_rung;  /* one level of the ladder */
struct evq_arena; /* where blocks come from */

/* An unsorted list of events, in blocks. */
struct evq_bucket {
	struct evq_block *head, *tail;
	size_t n;
};

struct evq {
	size_t len;                /* pending events, all tiers */
	/* near tier, the events before near_end: a sorted run (one bucket's
	 * events) and a 4-ary heap (pushes into the near range, and buckets too
	 * big for a run); keys are 128 bits: time, seq, slot */
	unsigned __int128 *run;    /* ascending; [run_pos, run_len) pending */
	struct evq_item *run_items;/* payloads of the run, by slot */
	size_t run_pos, run_len;
	unsigned __int128 *heap;   /* heap - 3 is 64-byte aligned */
	struct evq_item *slots;    /* payloads of the heap, by slot */
	size_t heap_len, heap_cap; /* heap and slots have heap_cap room */
	uint32_t free_slot;        /* LIFO list of free heap slots */
	uint32_t used_slots;       /* slots [0, used_slots) handed out once */
	uint64_t near_end;
	/* the ladder: rungs[0] coarsest, rungs[n_rungs - 1] finest */
	struct evq_rung *rungs;
	unsigned n_rungs;
	/* top: events after the coarsest rung, unsorted */
	struct evq_bucket top;
	uint64_t top_min, top_max;
	/* block allocator */
	struct evq_block *free_blocks;
	struct evq_arena *arenas;
	size_t arena_blocks;       /* size of the next arena */
	/* scheduling order */
	uint64_t next_seq;         /* seq of the next push (32 bits used) */
	uint64_t seq_limit;        /* next_seq reaching this renumbers (2^32) */
};

void evq_init(struct evq *q);
void evq_free(struct evq *q);
/* Schedule fn(w, arg, u) at time t (t >= 0). */
void evq_push(struct evq *q, sim_time t, event_fn fn, void *arg, uint64_t u);
/* Remove the earliest event into *out; returns 0 when the queue is empty. */
int evq_pop(struct evq *q, struct event *out);
/* Time of the earliest event, or SIM_TIME_NEVER. Not const: when the near
 * tier is empty it first moves the next bucket into it (no order changes). */
sim_time evq_peek_time(struct evq *q);
static inline size_t evq_len(const struct evq *q) { return q->len; }

/* Iteration over the pending events, for teardown, in an order that depends
 * only on the pushes and pops so far (not time order):
 *
 *     struct evq_iter it;
 *     evq_iter_init(&it, q);
 *     for (struct evq_item *ev; (ev = evq_iter_next(&it)) != NULL;)
 *             if (ev->fn == my_ev) { free(ev->arg); ev->fn = noop_ev; }
 *
 * The caller may rewrite fn, arg and u in place (not the time), but must not
 * push or pop until the iteration is over. */
struct evq_iter {
	struct evq *q;
	int stage;                /* 0 run, 1 heap, 2 rungs, 3 top, 4 done */
	size_t i;                 /* run/heap index, or bucket index in a rung */
	unsigned rung;
	struct evq_block *block;  /* current block of a bucket, or NULL */
	unsigned rec;             /* next record in block */
};
void evq_iter_init(struct evq_iter *it, struct evq *q);
/* The next pending event, or NULL after the last. */
struct evq_item *evq_iter_next(struct evq_iter *it);

/* For tests: renumber the pending events once next_seq reaches `limit`
 * instead of 2^32, so the wrap path runs without 4 billion pushes.
 * Needs limit > the most events ever pending at once, and limit <= 2^32. */
void evq_set_seq_limit(struct evq *q, uint64_t limit);
/* For tests: check every invariant of the tiers; returns 0 if they hold, or
 * a positive code naming the broken one (see evq.c). */
int evq_check(struct evq *q);
/* For tests: how many rungs the ladder has now. */
unsigned evq_rungs(const struct evq *q);

#endif
