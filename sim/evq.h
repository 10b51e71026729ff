/* evq.h - the event queue of the discrete-event engine.
 *
 * Events are ordered by time, then by the order in which they were scheduled, so
 * simultaneous events run in a deterministic order. The queue is a 4-ary heap of
 * events stored by value (no allocation per event): it stays cache-friendly with
 * millions of pending events.
 */
#ifndef SIM_EVQ_H
#define SIM_EVQ_H

#include <stddef.h>
#include <stdint.h>
#include "sim_time.h"

struct world;

/* An event handler: `arg` and `u` are whatever the scheduler passed. */
typedef void (*event_fn)(struct world *w, void *arg, uint64_t u);

struct event {
	sim_time time;
	uint64_t seq; /* scheduling order: breaks ties between equal times */
	event_fn fn;
	void *arg;
	uint64_t u;
};

struct evq {
	struct event *heap;
	size_t len, cap;
	uint64_t next_seq;
};

void evq_init(struct evq *q);
void evq_free(struct evq *q);
/* Schedule fn(w, arg, u) at time t. */
void evq_push(struct evq *q, sim_time t, event_fn fn, void *arg, uint64_t u);
/* Remove the earliest event into *out; returns 0 when the queue is empty. */
int evq_pop(struct evq *q, struct event *out);
/* Time of the earliest event, or SIM_TIME_NEVER. */
sim_time evq_peek_time(const struct evq *q);
static inline size_t evq_len(const struct evq *q) { return q->len; }

#endif
