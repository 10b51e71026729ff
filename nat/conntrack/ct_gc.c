/* ct_gc.c - the conntrack garbage collector on the simulated clock.
 *
 * The model (natsim's stand-in for gc_worker): a tick at every whole
 * simulated second from 1 s scans the next slice of the table, an eighth of
 * it but at least 4096 chains (the whole table if smaller), reaping the
 * expired entries it meets in bucket order (DESTROY events); a table with
 * no entry is not scanned and its cursor does not move; the early drop a
 * failed allocation asked for (gc_worker's nf_conntrack_max95 pass) takes
 * the next tick instead. Lookups, `conntrack -L` and counting reap the
 * expired entries they meet, so what a user sees is exact anyway. The
 * kernel's gc_worker differs in timing (it scans the whole table when it
 * runs, then sleeps for the entries' average remaining timeout, 1 to 60 s);
 * natsim keeps its own, documented, timing.
 *
 * The cost: most ticks find nothing, and a tick that scans 32768 chains to
 * find nothing made five idle days cost a minute. So the ticks that find
 * nothing are not run at all: nf_gc_next says which tick is the first that
 * can reap, nf_gc runs that one and moves the cursor over the idle ones
 * before it in one step. Which tick can reap comes from an expiry index: the
 * table is cut into units, gcd(slice, table) chains each, so that every
 * slice is whole units in the cursor's order, and units into blocks of up
 * to 512 chains; each holds a lower bound of the timeouts of the entries
 * with a tuple in it (ct_gc.h says how the bounds stay lower bounds). The
 * first tick with work is, over the units, the first tick at or after the
 * unit's bound whose slice holds the unit; that tick scans only the blocks
 * whose bound has passed, in bucket order, and sets their bounds exactly.
 * The DESTROY events, their order and their times are those of a scan of
 * every slice every second; the cost follows the entries that expire.
 */
#include <stdlib.h>
#include "nat/conntrack/ct_gc.h"
#include "nat/conntrack/ct_helper.h"
#include "nat/conntrack/ct_proto.h"
#include "nat/conntrack/nf_conntrack.h"

#define GC_S NF_GC_INTERVAL

static uint32_t ct_gc_gcd(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t r = a % b;

		a = b;
		b = r;
	}
	return a;
}

/* ----- the index ----- */

bool ct_gc_index_alloc(struct ct_gc_index *x, uint32_t size)
{
	uint32_t block;

	x->batch = size / 8 > 4096 ? size / 8 : 4096;
	if (x->batch > size)
		x->batch = size;
	x->unit = ct_gc_gcd(x->batch, size);
	x->nunits = size / x->unit;
	x->step = x->batch / x->unit;
	block = ct_gc_gcd(x->unit, 512);	/* a power of two */
	x->block_shift = (uint32_t)__builtin_ctz(block);
	x->nblocks = size >> x->block_shift;
	x->block_min = malloc((size_t)x->nblocks * sizeof(nf_time));
	x->unit_min = malloc((size_t)x->nunits * sizeof(nf_time));
	if (!x->block_min || !x->unit_min) {
		ct_gc_index_free(x);
		return false;
	}
	for (uint32_t i = 0; i < x->nblocks; i++)
		x->block_min[i] = NF_TIME_NEVER;
	for (uint32_t i = 0; i < x->nunits; i++)
		x->unit_min[i] = NF_TIME_NEVER;
	return true;
}

void ct_gc_index_free(struct ct_gc_index *x)
{
	free(x->block_min);
	free(x->unit_min);
	x->block_min = x->unit_min = NULL;
}

void ct_gc_index_install(struct nf_ns *ns, struct ct_gc_index *x)
{
	ct_gc_index_free(&ns->ct->gc_index);
	ns->ct->gc_index = *x;
	for (uint32_t b = 0; ns->ct->count && b < ns->ct->sysctl.ct_buckets; b++)
		for (const struct ct_tuple_node *n = ns->ct->buckets[b]; n; n = n->next)
			ct_gc_note(ns, b, ct_of_node(n)->timeout);
	ns->ct->gc_wake_valid = false;
}

/* The first tick at or after t (ticks fall on whole seconds). */
static nf_time ct_gc_ceil_tick(nf_time t)
{
	if (t <= 0)
		return 0;
	return t > NF_TIME_NEVER - GC_S ? NF_TIME_NEVER : (t + GC_S - 1) / GC_S * GC_S;
}

void ct_gc_lower_unit(struct nf_ns *ns, uint32_t bucket, nf_time timeout)
{
	nf_time *bound = &ns->ct->gc_index.unit_min[bucket / ns->ct->gc_index.unit];

	if (timeout < *bound) {
		*bound = timeout;
		/* the unit is scanned no earlier than its bound's tick */
		if (ns->ct->gc_wake_valid && ct_gc_ceil_tick(timeout) < ns->ct->gc_wake)
			ns->ct->gc_wake_valid = false;
	}
}

void ct_gc_lowered(struct nf_ns *ns, const struct ct_entry *ct, nf_time timeout)
{
	for (int d = 0; d < CT_DIR_MAX; d++)
		ct_gc_note(ns, ct_hash_bucket(ns, &ct->tuplehash[d].t), timeout);
}

/* ----- the ticks ----- */

/* Over the units, the first tick (from ns->gc_tick on) whose slice holds a
 * unit whose bound it has reached. The slice of the tick k ticks ahead
 * starts `step` units per tick further; a unit comes round within `period`
 * ticks. With a table size the sysctl cannot produce (not a multiple of
 * 512) the period may be long: then the bound's own tick is taken, which
 * is early, never late (that tick reaps nothing and the next is sought). */
static nf_time ct_gc_compute_wake(const struct nf_ns *ns)
{
	const struct ct_gc_index *x = &ns->ct->gc_index;
	nf_time t0 = ns->gc_tick, best = NF_TIME_NEVER;
	uint32_t cu = ns->ct->gc_next_bucket / x->unit;
	uint32_t period = x->nunits / ct_gc_gcd(x->nunits, x->step);

	for (uint32_t u = 0; u < x->nunits; u++) {
		nf_time m = x->unit_min[u];
		uint64_t k0, k;

		if (m > NF_TIME_NEVER - 128 * GC_S)
			continue;	/* beyond any simulated time */
		k0 = m <= t0 ? 0 : (uint64_t)(m - t0 + GC_S - 1) / GC_S;
		if (t0 + (nf_time)k0 * GC_S >= best)
			continue;
		k = k0;
		if (period <= 64) {
			for (uint32_t j = 0; j < period; j++, k++) {
				uint32_t start = (uint32_t)((cu + (k % x->nunits) * x->step) %
							    x->nunits);

				if ((u + x->nunits - start) % x->nunits < x->step)
					break;
			}
		}
		if (t0 + (nf_time)k * GC_S < best)
			best = t0 + (nf_time)k * GC_S;
	}
	return best;
}

static nf_time ct_gc_next_entries(struct nf_ns *ns);

/* The next tick with work: an entry to reap, the early drop, or an
 * expectation whose timeout has come (ct_expect.c: expectations expire at
 * the first tick at or after their timeout). */
nf_time nf_gc_next(struct nf_ns *ns)
{
	nf_time next = ct_gc_next_entries(ns), e;

	if (ns->flow_gc_next) {
		/* the flowtables' gc (nf_flow_offload_gc_step) runs on the
		 * same ticks: the first at or after a flow's timeout */
		e = ns->flow_gc_next(ns);
		if (e != NF_TIME_NEVER) {
			e = e <= NF_TIME_NEVER - GC_S ? (e + GC_S - 1) / GC_S * GC_S : NF_TIME_NEVER;
			if (e < ns->gc_tick)
				e = ns->gc_tick;
			if (e < next)
				next = e;
		}
	}
	if (!ns->ct->help)
		return next;
	e = nf_ct_expect_next(ns);
	if (e == NF_TIME_NEVER)
		return next;
	e = e <= NF_TIME_NEVER - GC_S ? (e + GC_S - 1) / GC_S * GC_S : NF_TIME_NEVER;
	if (e < ns->gc_tick)
		e = ns->gc_tick;
	return e < next ? e : next;
}

static nf_time ct_gc_next_entries(struct nf_ns *ns)
{
	if (ns->ct->gc_early_drop)
		return ns->gc_tick;
	if (!ns->ct->count)
		return NF_TIME_NEVER;
	if (!ns->ct->gc_wake_valid) {
		ns->ct->gc_wake = ct_gc_compute_wake(ns);
		ns->ct->gc_wake_valid = true;
	}
	return ns->ct->gc_wake;
}

/* The ticks before `upto` have no work: each moves the cursor by a slice
 * while the table holds entries (gc_worker returns early on an empty
 * table), all in one step. */
static void ct_gc_skip(struct nf_ns *ns, nf_time upto)
{
	const struct ct_gc_index *x = &ns->ct->gc_index;
	uint64_t ticks;

	if (upto <= ns->gc_tick)
		return;
	ticks = (uint64_t)(upto - ns->gc_tick) / GC_S;
	if (ns->ct->count) {
		uint64_t cu = ns->ct->gc_next_bucket / x->unit;

		cu = (cu + (ticks % x->nunits) * x->step) % x->nunits;
		ns->ct->gc_next_bucket = (uint32_t)cu * x->unit;
	}
	ns->gc_tick += (nf_time)ticks * GC_S;
}

/* gc_worker_can_early_drop: not ASSURED, or ASSURED and the tracker says
 * it is closing anyway (TCP FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT, CLOSE). */
static bool nf_gc_can_early_drop(const struct ct_entry *ct)
{
	const struct ct_l4proto *l4;

	if (!(ct->status & IPS_ASSURED))
		return true;
	l4 = ct_l4proto_find(ct->tuplehash[CT_DIR_ORIGINAL].t.proto);
	return l4->can_early_drop && l4->can_early_drop(ct);
}

/* The early drop a failed allocation asked for: while the table is at 95 %
 * of nf_conntrack_max or more, kill what gc_worker would (no counter moves,
 * DESTROY events are sent). Off when max < 100, as max/100*95 is then 0.
 * It only kills, so the index's bounds stay lower bounds. */
static void nf_gc_early_drop(struct nf_ns *ns, nf_time now)
{
	uint32_t max95 = ns->ct->sysctl.ct_max / 100u * 95u;

	ns->ct->gc_early_drop = false;
	if (max95 == 0)
		return;
	for (uint32_t b = 0; b < ns->ct->sysctl.ct_buckets; b++) {
		struct ct_tuple_node *n = ns->ct->buckets[b];

		while (n) {
			struct ct_tuple_node *next = n->next;
			struct ct_entry *ct = ct_of_node(n);

			while (next && ct_of_node(next) == ct)
				next = next->next;
			if (ct->timeout <= now)
				ct_entry_kill(ns, ct, now);
			else if (ns->ct->count >= max95 && nf_gc_can_early_drop(ct))
				ct_entry_kill(ns, ct, now);
			n = next;
		}
	}
}

/* Scan one unit of a slice: the blocks whose bound has passed, in bucket
 * order; their bounds and the unit's become exact. */
static void ct_gc_scan_unit(struct nf_ns *ns, uint32_t u, nf_time now)
{
	struct ct_gc_index *x = &ns->ct->gc_index;
	uint32_t per = x->unit >> x->block_shift, first = u * per;
	nf_time bound = NF_TIME_NEVER;

	for (uint32_t k = first; k < first + per; k++) {
		if (x->block_min[k] <= now)
			x->block_min[k] = ct_table_reap_range(ns, k << x->block_shift,
							      1u << x->block_shift, now);
		if (x->block_min[k] < bound)
			bound = x->block_min[k];
	}
	x->unit_min[u] = bound;
}

/* One tick, the one at ns->gc_tick (gc_worker's run): the early drop if
 * asked for, else the slice at the cursor, unit by unit; units whose bound
 * is still ahead hold nothing expired and are passed over. */
static void ct_gc_tick(struct nf_ns *ns)
{
	struct ct_gc_index *x = &ns->ct->gc_index;
	nf_time now = ns->gc_tick;
	uint32_t cu;

	ns->gc_tick += GC_S;
	ns->ct->gc_wake_valid = false;
	if (ns->ct->gc_early_drop) {
		nf_gc_early_drop(ns, now);
		return;
	}
	if (!ns->ct->count)
		return;
	cu = ns->ct->gc_next_bucket / x->unit;
	for (uint32_t j = 0; j < x->step; j++) {
		uint32_t u = (cu + j) % x->nunits;

		if (x->unit_min[u] <= now)
			ct_gc_scan_unit(ns, u, now);
	}
	ns->ct->gc_next_bucket = (cu + x->step) % x->nunits * x->unit;
}

unsigned nf_gc(struct nf_ns *ns, nf_time now)
{
	unsigned runs = 0;
	nf_time end;

	if (now < ns->gc_tick)
		return 0;
	end = now > NF_TIME_NEVER - 2 * GC_S ? NF_TIME_NEVER : now - now % GC_S + GC_S;
	for (;;) {
		nf_time next = nf_gc_next(ns);

		if (next >= end) {
			ct_gc_skip(ns, end);
			return runs;
		}
		ct_gc_skip(ns, next);
		if (ns->flow_gc)
			ns->flow_gc(ns, ns->gc_tick);
		if (ns->ct->help)
			nf_ct_expect_gc(ns, ns->gc_tick);
		ct_gc_tick(ns);
		runs++;
	}
}
