/* ct_gc.h - what the table code tells the garbage collector's expiry index
 * (internal to nat/; the simulator sees nf_gc and nf_gc_next in nat/nf.h).
 *
 * The invariant ct_gc.c relies on: the timeout of every confirmed entry is
 * at least the bound of each block and unit holding one of its tuples. So
 * inserting an entry and lowering a timeout lower the bounds (here, a
 * compare and rarely a store); raising a timeout or killing an entry leaves
 * them low, which is safe: the tick a low bound wakes finds less to reap
 * than promised and sets the bound exactly.
 */
#ifndef NAT_CT_GC_H
#define NAT_CT_GC_H

#include "nat/conntrack/ct.h"
#include "nat/core/nf_ns.h"

/* The slow half of ct_gc_note: the unit's bound, and the cached wake-up. */
void ct_gc_lower_unit(struct nf_ns *ns, uint32_t bucket, nf_time timeout);

/* A tuple of an entry that expires at `timeout` is in `bucket`. */
static inline void ct_gc_note(struct nf_ns *ns, uint32_t bucket, nf_time timeout)
{
	nf_time *bound = &ns->ct->gc_index.block_min[bucket >> ns->ct->gc_index.block_shift];

	if (timeout < *bound) {
		*bound = timeout;
		ct_gc_lower_unit(ns, bucket, timeout);
	}
}

/* Both tuples of a new entry, in their buckets (ct_table_insert_at). */
static inline void ct_gc_note_entry(struct nf_ns *ns, const uint32_t bucket[2], nf_time timeout)
{
	const nf_time *bound = ns->ct->gc_index.block_min;
	uint32_t shift = ns->ct->gc_index.block_shift;

	if (__builtin_expect(timeout < bound[bucket[0] >> shift] ||
			     timeout < bound[bucket[1] >> shift], 0)) {
		ct_gc_note(ns, bucket[0], timeout);
		ct_gc_note(ns, bucket[1], timeout);
	}
}

/* A confirmed entry's timeout is lowered to `timeout`: both its buckets. */
void ct_gc_lowered(struct nf_ns *ns, const struct ct_entry *ct, nf_time timeout);

/* Every write of ct->timeout goes through here. */
static inline void ct_set_timeout(struct nf_ns *ns, struct ct_entry *ct, nf_time timeout)
{
	if (timeout < ct->timeout && (ct->status & IPS_CONFIRMED))
		ct_gc_lowered(ns, ct, timeout);
	ct->timeout = timeout;
}

/* The index of a table of `size` buckets, bounds all NF_TIME_NEVER; false
 * if out of memory. ct_gc_index_install then makes it the namespace's (the
 * old one freed), its bounds exact for the entries now in ns->ct->buckets. */
bool ct_gc_index_alloc(struct ct_gc_index *x, uint32_t size);
void ct_gc_index_install(struct nf_ns *ns, struct ct_gc_index *x);
void ct_gc_index_free(struct ct_gc_index *x);

#endif
