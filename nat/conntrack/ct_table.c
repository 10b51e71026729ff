/* ct_table.c - the conntrack hash table: one array of singly linked chains.
 *
 * Mirrors nf_conntrack_core.c's hash: both tuples of an entry are nodes of
 * the ONE table (an entry lives in two buckets), new nodes go to the chain
 * head (hlist_nulls_add_head), a lookup hashes the tuple with a keyed hash
 * and walks one chain, reaping expired entries it meets (nf_ct_gc_expired).
 * The hash is our own keyed 64-bit mix (two murmur3 finalisers; the kernel
 * uses siphash), scaled to the table size with reciprocal_scale() as the
 * kernel does. Unconfirmed entries are not in the table: they sit on
 * ns->ct->unconfirmed until ct_confirm() inserts them.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_ecache.h"
#include "nat/conntrack/ct_ext.h"
#include "nat/conntrack/ct_helper.h"
#include "nat/conntrack/ct_gc.h"
#include "nat/conntrack/ct_proto.h"
#include "nat/conntrack/ct_zone.h"
#include "nat/core/nf_ns.h"

/* ----- entry slabs (nf_conntrack_cachep) ----- */

/* Entries are carved from 2 MiB slabs (transparent huge pages where the
 * kernel allows: a 10M-entry table is random access over 1.7 GB, and 4 KiB
 * pages would cost a TLB miss per lookup) with no per-entry header; freed
 * entries go on a free list linked through their first word and are reused
 * newest first. Slabs are shared by every namespace of the process and kept
 * until exit, as a kmem_cache keeps its pages. Under AddressSanitizer each
 * entry is its own calloc(), so use-after-free is still caught. */
#define CT_SLAB_BYTES (2u << 20)

/* Huge-page-aligned zeroed memory for large arrays (slabs, bucket heads);
 * free() releases it. */
static void *ct_big_zalloc(size_t bytes)
{
	size_t rounded = (bytes + CT_SLAB_BYTES - 1) / CT_SLAB_BYTES * CT_SLAB_BYTES;
	void *p = aligned_alloc(CT_SLAB_BYTES, rounded);

	if (!p)
		return NULL;
#ifdef MADV_HUGEPAGE
	madvise(p, rounded, MADV_HUGEPAGE);
#endif
	memset(p, 0, bytes);
	return p;
}

#if defined(__SANITIZE_ADDRESS__)
struct ct_entry *ct_entry_alloc(void)
{
	return calloc(1, sizeof(struct ct_entry));
}

void ct_entry_free(struct ct_entry *ct)
{
	free(ct);
}
#else
static struct ct_tuple_node *ct_free_entries;	/* tuplehash[0] of free entries */
static char *ct_slab_next, *ct_slab_end;
/* The newest slab; each slab's first cache line links the previous one, so
 * every slab stays reachable to the end (valgrind: no "possibly lost"). */
static void *ct_slabs;

struct ct_entry *ct_entry_alloc(void)
{
	struct ct_entry *ct;

	if (ct_free_entries) {
		ct = (struct ct_entry *)ct_free_entries;
		ct_free_entries = ct_free_entries->next;
		memset(ct, 0, sizeof(*ct));
		return ct;
	}
	if (ct_slab_end - ct_slab_next < (ptrdiff_t)sizeof(*ct)) {
		char *slab = ct_big_zalloc(CT_SLAB_BYTES);
		if (!slab) {
			ct_slab_next = ct_slab_end = NULL;
			return NULL;
		}
		*(void **)slab = ct_slabs;
		ct_slabs = slab;
		ct_slab_next = slab + 64;
		ct_slab_end = slab + CT_SLAB_BYTES;
	}
	ct = (struct ct_entry *)ct_slab_next;	/* fresh slab memory is zero */
	ct_slab_next += sizeof(*ct);
	return ct;
}

void ct_entry_free(struct ct_entry *ct)
{
	ct->tuplehash[CT_DIR_ORIGINAL].next = ct_free_entries;
	ct_free_entries = &ct->tuplehash[CT_DIR_ORIGINAL];
}
#endif

static inline uint64_t ct_fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ULL;
	k ^= k >> 33;
	return k;
}

/* Derive the two hash keys from the run's seed (get_random_once). */
void ct_table_set_seed(struct nf_ns *ns, uint32_t seed)
{
	ns->hash_seed = seed;
	ns->ct->hash_key[0] = ct_fmix64((uint64_t)seed * 0x9e3779b97f4a7c15ULL + 1);
	ns->ct->hash_key[1] = ct_fmix64((uint64_t)seed ^ 0x5bd1e9955bd1e995ULL);
}

/* hash_conntrack_raw: a keyed 32-bit hash of addresses, ports, protocol
 * and zone id. The zone takes bits 16..31 of the second word, zero before
 * zones came: the default zone hashes exactly as it always did (same
 * buckets, same `conntrack -L` order). */
static inline uint32_t ct_hash_raw_zone(const struct nf_ns *ns, const struct ct_tuple *t,
					uint16_t zone)
{
	uint64_t a = (uint64_t)t->src << 32 | t->dst;
	uint64_t b = (uint64_t)t->sport << 48 | (uint64_t)t->dport << 32 |
		     (uint32_t)zone << 16 | t->proto;
	uint64_t h = ct_fmix64(a ^ ns->ct->hash_key[0]);

	h = ct_fmix64(h ^ b ^ ns->ct->hash_key[1]);
	return (uint32_t)(h >> 32);
}

/* proto | zone << 16 of a tuple, read as the one 32-bit word that holds
 * proto, dir and zone with dir masked out: one load and an AND where the
 * fields cost four instructions (the per-packet lookup hashes and compares
 * it; zone 0 must cost what it did before zones). */
_Static_assert(offsetof(struct ct_tuple, dir) == offsetof(struct ct_tuple, proto) + 1 &&
	       offsetof(struct ct_tuple, zone) == offsetof(struct ct_tuple, proto) + 2,
	       "ct_tuple_pz reads proto, dir, zone as one word");
static inline uint32_t ct_tuple_pz(const struct ct_tuple *t)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint32_t w;

	memcpy(&w, &t->proto, sizeof(w));
	return w & 0xffff00ffu;
#else
	return (uint32_t)t->zone << 16 | t->proto;
#endif
}

/* A stored tuple hashes in its own zone (ct_hash_raw_zone's value). */
static inline uint32_t ct_hash_raw(const struct nf_ns *ns, const struct ct_tuple *t)
{
	uint64_t a = (uint64_t)t->src << 32 | t->dst;
	uint64_t b = (uint64_t)t->sport << 48 | (uint64_t)t->dport << 32 | ct_tuple_pz(t);
	uint64_t h = ct_fmix64(a ^ ns->ct->hash_key[0]);

	h = ct_fmix64(h ^ b ^ ns->ct->hash_key[1]);
	return (uint32_t)(h >> 32);
}

/* nf_ct_tuple_equal and the same zone id. */
static inline bool ct_tuple_equal_zone(const struct ct_tuple *a, const struct ct_tuple *b)
{
	return a->src == b->src && a->dst == b->dst && a->sport == b->sport &&
	       a->dport == b->dport && ct_tuple_pz(a) == ct_tuple_pz(b);
}

/* reciprocal_scale(hash, size) */
static inline uint32_t ct_scale(uint32_t hash, uint32_t size)
{
	return (uint32_t)(((uint64_t)hash * size) >> 32);
}

/* The bucket of t: inline in ct_table_find, the per-packet lookup (gcc
 * left the exported ct_hash_bucket out of line there: a call per lookup,
 * 5M instructions on udp-1m). */
static inline __attribute__((always_inline)) uint32_t ct_bucket(const struct nf_ns *ns,
								  const struct ct_tuple *t)
{
	return ct_scale(ct_hash_raw(ns, t), ns->ct->sysctl.ct_buckets);
}

uint32_t ct_hash_bucket(const struct nf_ns *ns, const struct ct_tuple *t)
{
	return ct_bucket(ns, t);
}

uint32_t ct_hash_raw_of(const struct nf_ns *ns, const struct ct_tuple *t)
{
	return ct_hash_raw(ns, t);
}

uint32_t ct_table_prefetch_bucket(const struct nf_ns *ns, const struct ct_tuple *t)
{
	uint32_t b = ct_hash_bucket(ns, t);

	__builtin_prefetch(&ns->ct->buckets[b]);
	return b;
}

void ct_table_prefetch_chain(const struct nf_ns *ns, uint32_t bucket, unsigned depth)
{
	const struct ct_tuple_node *n = ns->ct->buckets[bucket];

	for (unsigned d = 1; n && d < depth; d++)
		n = n->next;
	if (n) {
		/* the walk reads the node (its tuple and next) and its entry's
		 * timeout: 8 bytes at 56 from an ORIGINAL node, at 32 from a
		 * REPLY one (24 bytes in), so the lines of n and n + 63 hold
		 * both cases and reading n->t.dir need not wait for the miss.
		 * A third line (a REPLY match's ORIGINAL tuple) cost more than
		 * it saved at 10M entries: the fill buffers are the limit */
		const char *p = (const char *)n;

		__builtin_prefetch(p);
		__builtin_prefetch(p + 63);
	}
}

static inline bool ct_expired(const struct ct_entry *ct, nf_time now)
{
	return ct->timeout <= now;
}

/* Unlink one node from its chain. */
static void ct_chain_del(struct nf_ns *ns, struct ct_tuple_node *node)
{
	struct ct_tuple_node **pp = &ns->ct->buckets[ct_hash_bucket(ns, &node->t)];

	while (*pp && *pp != node)
		pp = &(*pp)->next;
	if (*pp)
		*pp = node->next;
	node->next = NULL;
}

/* hlist_nulls_add_head_rcu of both tuples into buckets the caller has
 * already hashed them to (__nf_conntrack_confirm hashes once). */
void ct_table_insert_at(struct nf_ns *ns, struct ct_entry *ct, const uint32_t bucket[CT_DIR_MAX])
{
	for (int d = 0; d < CT_DIR_MAX; d++) {
		struct ct_tuple_node *n = &ct->tuplehash[d];

		n->next = ns->ct->buckets[bucket[d]];
		ns->ct->buckets[bucket[d]] = n;
	}
	ct_gc_note_entry(ns, bucket, ct->timeout);
	ct->status |= IPS_CONFIRMED;
	if (!ns->ct->count++)
		ns->ct->gc_wake_valid = false; /* the gc's cursor moves again */
	if (ns->ct->count + ns->ct->held_dead > ns->ct->count_peak)
		ns->ct->count_peak = ns->ct->count + ns->ct->held_dead;
}

/* nf_ct_resolve_clash_harder's insertion: the REPLY tuple only (the
 * kernel's hlist_nulls_add_fake for ORIGINAL), so lookups in the ORIGINAL
 * direction find the winner and `conntrack -L` (ORIGINAL nodes) skips it. */
void ct_table_insert_reply(struct nf_ns *ns, struct ct_entry *ct, uint32_t reply_bucket)
{
	struct ct_tuple_node *n = &ct->tuplehash[CT_DIR_REPLY];
	uint32_t b[CT_DIR_MAX] = { reply_bucket, reply_bucket };

	ct->tuplehash[CT_DIR_ORIGINAL].next = NULL;
	n->next = ns->ct->buckets[reply_bucket];
	ns->ct->buckets[reply_bucket] = n;
	ct_gc_note_entry(ns, b, ct->timeout);
	ct->status |= IPS_CONFIRMED;
	if (!ns->ct->count++)
		ns->ct->gc_wake_valid = false;
	if (ns->ct->count + ns->ct->held_dead > ns->ct->count_peak)
		ns->ct->count_peak = ns->ct->count + ns->ct->held_dead;
}

void ct_table_insert(struct nf_ns *ns, struct ct_entry *ct)
{
	uint32_t b[CT_DIR_MAX];

	for (int d = 0; d < CT_DIR_MAX; d++) {
		ct->tuplehash[d].t.dir = (uint8_t)d;
		b[d] = ct_hash_bucket(ns, &ct->tuplehash[d].t);
	}
	ct_table_insert_at(ns, ct, b);
}

static void ct_unconfirmed_del(struct nf_ns *ns, struct ct_entry *ct)
{
	struct ct_entry *prev = NULL, *cur = ns->ct->unconfirmed;

	while (cur && cur != ct) {
		prev = cur;
		cur = ct_unconfirmed_next(cur);
	}
	if (cur && prev)
		ct_set_unconfirmed_next(prev, ct_unconfirmed_next(ct));
	else if (cur)
		ns->ct->unconfirmed = ct_unconfirmed_next(ct);
	ct_set_unconfirmed_next(ct, NULL);
}

void ct_table_unlink(struct nf_ns *ns, struct ct_entry *ct)
{
	if (ct->status & IPS_CONFIRMED) {
		ct_chain_del(ns, &ct->tuplehash[CT_DIR_ORIGINAL]);
		ct_chain_del(ns, &ct->tuplehash[CT_DIR_REPLY]);
		ns->ct->count--;
	} else {
		ct_unconfirmed_del(ns, ct);
	}
}

/* nf_ct_delete + nf_conntrack_free: unhash, DESTROY event (confirmed
 * entries only: unconfirmed ones were never announced), NAT cleanup. An
 * entry parked packets still hold (ct->held) is only unhashed and marked
 * dying (nf_ct_delete without the last nf_ct_put): the last holder frees it
 * (nf_skb_release). */
void ct_entry_kill(struct nf_ns *ns, struct ct_entry *ct, nf_time now)
{
	bool confirmed = ct->status & IPS_CONFIRMED;

	if (ns->ct->help && now)	/* the time of its expectations' DESTROY events */
		ns->ct->help->now = now;

	if (ct->held) {
		if (confirmed) {
			ct_entry_kill_held(ns, ct, now);
			ct->status |= IPS_HELD_DEAD;
			ns->ct->held_dead++;
		}
		ct->status |= IPS_DYING;
		return;
	}
	if (ct->status & IPS_HELD_DEAD)
		ns->ct->held_dead--;
	ct->status |= IPS_DYING;
	if (confirmed && ns->ct->sysctl.ct_events && ns->env.ct_event &&
	    nf_ct_ecache_wants(ns, ct, IPCT_DESTROY)) {
		GString *line = g_string_sized_new(200);

		ct_entry_format(ns, ct, now, "DESTROY", line);
		ns->env.ct_event(ns->env.ctx, now, line->str);
		g_string_free(line, TRUE);
	}
	ct_table_unlink(ns, ct);
	nf_ct_ext_destroy(ns, ct);
	ct_entry_free(ct);
}

/* Free every entry without events (namespace teardown / reboot). */
void ct_table_free_all(struct nf_ns *ns)
{
	/* expectations and helper data go silently, with the entries */
	nf_ct_helper_net_free(ns);
	if (ns->ct->buckets) {
		for (uint32_t b = 0; b < ns->ct->sysctl.ct_buckets; b++) {
			struct ct_tuple_node *n;

			/* pop each chain's head; free an entry once, when its
			 * ORIGINAL node is popped, after taking its REPLY node
			 * out of whatever chain still holds it, so no chain ever
			 * links a freed node */
			while ((n = ns->ct->buckets[b]) != NULL) {
				ns->ct->buckets[b] = n->next;
				if (n->t.dir == CT_DIR_ORIGINAL) {
					struct ct_entry *ct = ct_of_node(n);

					ct_chain_del(ns, &ct->tuplehash[CT_DIR_REPLY]);
					nf_ct_ext_destroy(ns, ct);
					ct_entry_free(ct);
				} else if (ct_of_node(n)->status & IPS_NAT_CLASH) {
					/* in the table by its REPLY tuple only */
					struct ct_entry *ct = ct_of_node(n);

					nf_ct_ext_destroy(ns, ct);
					ct_entry_free(ct);
				}
			}
		}
	}
	while (ns->ct->unconfirmed) {
		struct ct_entry *ct = ns->ct->unconfirmed;

		ns->ct->unconfirmed = ct_unconfirmed_next(ct);
		nf_ct_ext_destroy(ns, ct);
		ct_entry_free(ct);
	}
	nf_ct_ext_net_exit(ns);
	ns->ct->count = 0;
	ns->ct->held_dead = 0;
}

/* ____nf_conntrack_find's walk of one chain; expired entries met are
 * killed on the way (DESTROY), as nf_ct_gc_expired does. nf_ct_key_equal
 * compares zones: without a zone template (zid NULL) the tuples' own zone
 * fields; with one, the entry's zone id in the direction of the node met
 * against the packet zone's id in that direction. Inlined into both
 * callers, so the common lookup keeps its single comparison. */
static inline struct ct_tuple_node *ct_chain_find(struct nf_ns *ns, struct ct_tuple_node *n,
						  const struct ct_tuple *t,
						  const uint16_t *zid, nf_time now)
{
	while (n) {
		struct ct_tuple_node *next = n->next;
		struct ct_entry *ct = ct_of_node(n);

		if (ct_expired(ct, now)) {
			if (next && ct_of_node(next) == ct)
				next = next->next;
			ct_entry_kill(ns, ct, now);
		} else if ((zid ? ct_tuple_equal(&n->t, t) && n->t.zone == zid[n->t.dir]
				: ct_tuple_equal_zone(&n->t, t)) &&
			   (!ns->ct->race || !ct_race_hidden(ns, ct))) {
			return n;
		}
		n = next;
	}
	return NULL;
}

/* ____nf_conntrack_find for a packet without a zone template. */
struct ct_tuple_node *ct_table_find(struct nf_ns *ns, const struct ct_tuple *t, nf_time now)
{
	return ct_chain_find(ns, ns->ct->buckets[ct_bucket(ns, t)], t, NULL, now);
}

/* resolve_normal_ct's lookup for a packet with a CT zone template: hash
 * in the zone's ORIGINAL id, and, for a zone of one direction only
 * (--zone-orig/--zone-reply), once more in its REPLY id. */
struct ct_tuple_node *ct_table_find_zone(struct nf_ns *ns, const struct ct_tuple *t,
					 const uint16_t zid[CT_DIR_MAX], nf_time now)
{
	uint32_t size = ns->ct->sysctl.ct_buckets;
	uint32_t b = ct_scale(ct_hash_raw_zone(ns, t, zid[CT_DIR_ORIGINAL]), size);
	struct ct_tuple_node *h = ct_chain_find(ns, ns->ct->buckets[b], t, zid, now);

	if (!h && zid[CT_DIR_REPLY] != zid[CT_DIR_ORIGINAL]) {
		b = ct_scale(ct_hash_raw_zone(ns, t, zid[CT_DIR_REPLY]), size);
		h = ct_chain_find(ns, ns->ct->buckets[b], t, zid, now);
	}
	return h;
}

/* nf_conntrack_tuple_taken: is the reply tuple t used by a confirmed entry
 * other than `ignored`? Each taken candidate counts `found`, as in the
 * kernel (the only place that moves it). Entries whose ORIGINAL equals the
 * ignored entry's, in the same zone, are the same flow: left to clash
 * resolution. */
bool ct_tuple_taken(struct nf_ns *ns, const struct ct_tuple *t,
		    const struct ct_entry *ignored, nf_time now)
{
	/* the zone is the ignored entry's (nf_ct_zone(ignored_conntrack)):
	 * hashed in its REPLY id, compared per direction of the node met */
	const uint16_t zid[CT_DIR_MAX] = {
		ignored ? ignored->tuplehash[CT_DIR_ORIGINAL].t.zone : t->zone,
		ignored ? ignored->tuplehash[CT_DIR_REPLY].t.zone : t->zone,
	};
	struct ct_tuple_node *n = ns->ct->buckets[ct_scale(ct_hash_raw_zone(ns, t,
		zid[CT_DIR_REPLY]), ns->ct->sysctl.ct_buckets)];

	while (n) {
		struct ct_tuple_node *next = n->next;
		struct ct_entry *ct = ct_of_node(n);

		if (ct == ignored) {
			/* skip */
		} else if (ct_expired(ct, now)) {
			if (next && ct_of_node(next) == ct)
				next = next->next;
			ct_entry_kill(ns, ct, now);
		} else if (ct_tuple_equal(&n->t, t) && n->t.zone == zid[n->t.dir] &&
			   !(ignored && ct_tuple_equal(&ignored->tuplehash[CT_DIR_ORIGINAL].t,
						       &ct->tuplehash[CT_DIR_ORIGINAL].t) &&
			     ct->tuplehash[CT_DIR_ORIGINAL].t.zone == zid[CT_DIR_ORIGINAL]) &&
			   (!ns->ct->race || !ct_race_hidden(ns, ct))) {
			ns->ct->stats.found++;
			return true;
		}
		n = next;
	}
	return false;
}

void ct_table_foreach(struct nf_ns *ns, void (*fn)(struct nf_ns *, struct ct_entry *, void *),
		      void *arg)
{
	for (uint32_t b = 0; b < ns->ct->sysctl.ct_buckets; b++) {
		struct ct_tuple_node *n = ns->ct->buckets[b];

		while (n) {
			struct ct_tuple_node *next = n->next;
			struct ct_entry *ct = ct_of_node(n);

			if (n->t.dir == CT_DIR_ORIGINAL) {
				while (next && ct_of_node(next) == ct)
					next = next->next;
				fn(ns, ct, arg);
			}
			n = next;
		}
	}
}

/* The entries in the table by their REPLY tuple only (IPS_NAT_CLASH), which
 * ct_table_foreach (ORIGINAL nodes, as ctnetlink's dump) does not give; the
 * kernel's flush (nf_ct_iterate_cleanup) walks REPLY nodes and meets them. */
void ct_table_foreach_clash(struct nf_ns *ns, void (*fn)(struct nf_ns *, struct ct_entry *, void *),
			    void *arg)
{
	for (uint32_t b = 0; b < ns->ct->sysctl.ct_buckets; b++) {
		struct ct_tuple_node *n = ns->ct->buckets[b];

		while (n) {
			struct ct_tuple_node *next = n->next;
			struct ct_entry *ct = ct_of_node(n);

			if (n->t.dir == CT_DIR_REPLY && (ct->status & IPS_NAT_CLASH))
				fn(ns, ct, arg);
			n = next;
		}
	}
}

/* Kill the expired entries of one bucket; returns how many. */
unsigned ct_table_reap_bucket(struct nf_ns *ns, uint32_t b, nf_time now)
{
	struct ct_tuple_node *n = ns->ct->buckets[b];
	unsigned reaped = 0;

	while (n) {
		struct ct_tuple_node *next = n->next;
		struct ct_entry *ct = ct_of_node(n);

		while (next && ct_of_node(next) == ct)
			next = next->next;
		if (ct_expired(ct, now)) {
			ct_entry_kill(ns, ct, now);
			reaped++;
		}
		n = next;
	}
	return reaped;
}

nf_time ct_table_reap_range(struct nf_ns *ns, uint32_t first, uint32_t n, nf_time now)
{
	nf_time left = NF_TIME_NEVER;

	for (uint32_t b = first; b < first + n; b++) {
		struct ct_tuple_node *node = ns->ct->buckets[b];

		while (node) {
			struct ct_tuple_node *next = node->next;
			struct ct_entry *ct = ct_of_node(node);

			while (next && ct_of_node(next) == ct)
				next = next->next;
			if (ct_expired(ct, now))
				ct_entry_kill(ns, ct, now);
			else if (ct->timeout < left)
				left = ct->timeout;
			node = next;
		}
	}
	return left;
}

void ct_table_reap_all(struct nf_ns *ns, nf_time now)
{
	if (!ns->ct->count)
		return;
	for (uint32_t b = 0; b < ns->ct->sysctl.ct_buckets; b++)
		if (ns->ct->buckets[b])
			ct_table_reap_bucket(ns, b, now);
}

/* nf_conntrack_hash_resize: a new array of `size` chains; old buckets are
 * walked in order and each node is pushed at the head of its new chain. */
bool ct_table_resize(struct nf_ns *ns, uint32_t size)
{
	size_t bytes = (size_t)size * sizeof(struct ct_tuple_node *);
	struct ct_tuple_node **nb = bytes >= CT_SLAB_BYTES ? ct_big_zalloc(bytes)
							   : calloc(size, sizeof(*nb));
	struct ct_tuple_node **old = ns->ct->buckets;
	uint32_t old_size = ns->ct->sysctl.ct_buckets;
	struct ct_gc_index index;

	if (!nb)
		return false;
	if (!ct_gc_index_alloc(&index, size)) {
		free(nb);
		return false;
	}
	ns->ct->buckets = nb;
	ns->ct->sysctl.ct_buckets = size;
	ns->ct->gc_next_bucket = 0; /* the gc cursor indexes the old array */
	if (old) {
		for (uint32_t b = 0; b < old_size; b++) {
			struct ct_tuple_node *n = old[b];

			while (n) {
				struct ct_tuple_node *next = n->next;
				uint32_t h = ct_hash_bucket(ns, &n->t);

				n->next = nb[h];
				nb[h] = n;
				n = next;
			}
		}
		free(old);
	}
	ct_gc_index_install(ns, &index);
	return true;
}

/* early_drop: from the new tuple's bucket, up to NF_CT_EVICTION_RANGE
 * buckets; in the first one holding victims every confirmed, not ASSURED
 * entry is killed (expired ones met are reaped, not counted). Returns the
 * number of entries dropped. */
unsigned ct_table_early_drop(struct nf_ns *ns, const struct ct_tuple *orig, nf_time now)
{
	uint32_t size = ns->ct->sysctl.ct_buckets;
	uint32_t b = ct_hash_bucket(ns, orig);

	for (int i = 0; i < 8; i++, b = (b + 1) % size) {
		struct ct_tuple_node *n = ns->ct->buckets[b];
		unsigned drops = 0;

		while (n) {
			struct ct_tuple_node *next = n->next;
			struct ct_entry *ct = ct_of_node(n);

			while (next && ct_of_node(next) == ct)
				next = next->next;
			if (ct_expired(ct, now))
				ct_entry_kill(ns, ct, now);
			else if (!(ct->status & (IPS_ASSURED | IPS_DYING))) {
				ct_entry_kill(ns, ct, now);
				drops++;
			}
			n = next;
		}
		if (drops) {
			ns->ct->stats.early_drop += drops;
			return drops;
		}
	}
	return 0;
}
