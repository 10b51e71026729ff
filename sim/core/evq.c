/* evq.c - the event queue: a near tier in front of a ladder of time buckets.
 *
 * Design (after Tang, Goh and Thng's "ladder queue", 2005). Pending events sit
 * in one of three tiers, each covering a range of time, the ranges disjoint
 * and in order:
 *
 *   near   [.., near_end)      a sorted run of 16-byte keys taken from one
 *                              bucket, plus a 4-ary min-heap of such keys for
 *                              pushes into this range; key = time << 64 |
 *                              seq << 32 | slot, payloads {fn, arg, u} apart
 *   rungs  [near_end, end_0)   each rung an array of buckets of 2^shift ns;
 *                              rung r+1 subdivides the bucket of rung r that
 *                              was being taken when it was too big
 *   top    [end_0, ..)         one unsorted bucket: the far future
 *
 * A push appends to the bucket covering its time, or goes into the heap when
 * that time is before near_end. A pop takes the smaller of the run's head and
 * the heap's root. When both are empty the next non-empty bucket of the
 * finest rung is taken: split into a finer rung if it holds more than
 * EVQ_RUN_MAX events, else sorted into the run (a counting sort, then an
 * insertion pass); one too big that cannot be split (all at one instant) goes
 * into the heap. When the ladder is used up the top is spread over a new rung
 * 0 sized for about EVQ_BUCKET_TARGET events per bucket. While few events
 * are pending the queue is just the heap (near_end at infinity): it leaves
 * that mode when the heap passes EVQ_HEAP_ONLY_MAX events and comes back when
 * at most EVQ_HEAP_ONLY_BACK remain, as a tiny heap beats building a rung per
 * pop. So a pop is usually a step along a sorted array in L1, a push an
 * append to one of a few thousand bucket tails in L2, and each event is moved
 * a bounded number of times, sequentially: with a million pending events no
 * operation walks a chain of cache misses, which is what a heap of a million
 * events does (~150 ns a miss on this machine, with a neighbour in L3).
 *
 * Order. Events of equal time always share a tier and a bucket, and both the
 * run and the heap order by (time, seq), seq a queue-wide push counter: the
 * pop order is exactly (time, scheduling order), decided by the pushes alone
 * (no address, no clock). Nothing relies on monotone pushes: an event earlier
 * than the last pop lands in the heap and comes out next.
 *
 * seq is 32 bits (it shares the key with the slot): when the counter reaches
 * seq_limit (2^32; tests lower it) all pending events are sorted by (time,
 * seq) and renumbered 0..len-1 in that order, which preserves every pairwise
 * order, so the pop order is that of an unbounded counter.
 *
 * Storage: buckets are lists of 1 KB blocks of 25 events, from arenas that
 * are only returned by evq_free; free blocks form a LIFO list, so the block a
 * bucket just gave back is the next one written (still in cache).
 */
#include "sim/core/evq.h"

#include <assert.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

typedef unsigned __int128 evq_key;

#define EVQ_ARITY 4
#define EVQ_ROOT_OFFSET 3          /* heap[0] is block[3]: sibling groups are lines */
#define EVQ_NO_SLOT UINT32_MAX
#define EVQ_SEQ_LIMIT ((uint64_t)1 << 32)
#define EVQ_PREFETCH_MIN 32768     /* a heap smaller than this sits in L2 */
#define EVQ_HUGE_PAGE ((size_t)2 << 20)
#define EVQ_BLOCK_RECS 25          /* 16 + 25 * 40 bytes: one 1 KB block */
#define EVQ_BUCKET_TARGET 16       /* events per bucket when a rung is built */
#define EVQ_RUN_MAX 64             /* a bigger bucket becomes a finer rung */
#define EVQ_RUN_SLOT_BITS 7        /* sub-slots of the run sort: 2^7 >= 2 * EVQ_RUN_MAX */
_Static_assert(EVQ_RUN_MAX <= 255 && (1 << EVQ_RUN_SLOT_BITS) >= 2 * EVQ_RUN_MAX,
	       "run counts fit a byte");
#define EVQ_MAX_BUCKETS 4096       /* per rung: bucket heads + tails fit L2 */
#define EVQ_MAX_RUNGS 8
#define EVQ_HEAP_ONLY_MAX 24       /* up to this many events, only the heap... */
#define EVQ_HEAP_ONLY_BACK 8       /* ...and back to it at this many */
#define EVQ_FIRST_ARENA 64         /* blocks; arenas double up to 2 MB */

/* An event outside the heap. */
struct evq_rec {
	uint64_t time;
	uint64_t seq;
	struct evq_item item;
};

struct evq_block {
	_Alignas(64) struct evq_block *next;
	uint32_t n;
	struct evq_rec rec[EVQ_BLOCK_RECS];
};
_Static_assert(sizeof(struct evq_block) == 1024, "a block is 1 KB");

/* The first block of an arena holds only the link to the next arena. */
struct evq_arena {
	struct evq_arena *next;
};

/* Buckets [cur, nb) of 2^shift ns from start, cut at end: bucket j covers
 * [start + j * 2^shift, min(start + (j + 1) * 2^shift, end)). */
struct evq_rung {
	uint64_t start, end;
	unsigned shift;
	size_t nb, cur;
	struct evq_bucket *buckets;
	size_t cap;
};

static inline evq_key evq_make_key(uint64_t t, uint64_t seq, uint32_t slot)
{
	return (evq_key)t << 64 | (evq_key)(seq << 32 | slot);
}
static inline uint64_t evq_key_time(evq_key k) { return (uint64_t)(k >> 64); }
static inline uint64_t evq_key_seq(evq_key k) { return (uint64_t)k >> 32; }
static inline uint32_t evq_key_slot(evq_key k) { return (uint32_t)k; }

/* ----- memory ----- */

/* A block for one of the arrays: 64-byte aligned, and from 2 MB on in
 * transparent huge pages (a deep heap or a big arena is touched at random; with
 * 4 KB pages each touch is also a TLB miss, a nested page walk in a VM).
 * madvise is only a hint: it changes speed, never results. */
static void *evq_alloc(size_t bytes)
{
	size_t align = bytes >= EVQ_HUGE_PAGE ? EVQ_HUGE_PAGE : 64;
	size_t size = (bytes + align - 1) / align * align;
	void *p = aligned_alloc(align, size);
	if (!p)
		g_error("evq: out of memory (%zu bytes)", size);
	if (align == EVQ_HUGE_PAGE)
		(void)madvise(p, size, MADV_HUGEPAGE);
	return p;
}

/* Add an arena of blocks to the free list; arenas double up to 2 MB (one
 * huge page). */
static void evq_arena_add(struct evq *q)
{
	size_t n = q->arena_blocks;
	struct evq_block *b = evq_alloc(n * sizeof(struct evq_block));
	struct evq_arena *a = (struct evq_arena *)&b[0];
	a->next = q->arenas;
	q->arenas = a;
	/* lowest address first out: a fresh arena is written in order */
	for (size_t i = n; i-- > 1;) {
		b[i].next = q->free_blocks;
		q->free_blocks = &b[i];
	}
	if (n * 2 * sizeof(struct evq_block) <= EVQ_HUGE_PAGE)
		q->arena_blocks = n * 2;
}

static inline struct evq_block *evq_block_get(struct evq *q)
{
	if (!q->free_blocks)
		evq_arena_add(q);
	struct evq_block *b = q->free_blocks;
	q->free_blocks = b->next;
	b->next = NULL;
	b->n = 0;
	return b;
}

/* Give all blocks of b back and leave it empty. */
static void evq_bucket_clear(struct evq *q, struct evq_bucket *b)
{
	if (b->head) {
		b->tail->next = q->free_blocks;
		q->free_blocks = b->head;
	}
	b->head = b->tail = NULL;
	b->n = 0;
}

static inline struct evq_rec *evq_bucket_append(struct evq *q, struct evq_bucket *b)
{
	struct evq_block *t = b->tail;
	if (!t || t->n == EVQ_BLOCK_RECS) {
		struct evq_block *nb = evq_block_get(q);
		if (t)
			t->next = nb;
		else
			b->head = nb;
		b->tail = t = nb;
	}
	b->n++;
	return &t->rec[t->n++];
}

void evq_init(struct evq *q)
{
	memset(q, 0, sizeof(*q));
	q->free_slot = EVQ_NO_SLOT;
	q->near_end = UINT64_MAX; /* heap only */
	q->top_min = UINT64_MAX;
	q->arena_blocks = EVQ_FIRST_ARENA;
	q->seq_limit = EVQ_SEQ_LIMIT;
}

void evq_free(struct evq *q)
{
	free(q->run);
	free(q->run_items);
	if (q->heap)
		free(q->heap - EVQ_ROOT_OFFSET);
	free(q->slots);
	if (q->rungs)
		for (unsigned i = 0; i < EVQ_MAX_RUNGS; i++)
			g_free(q->rungs[i].buckets);
	g_free(q->rungs);
	while (q->arenas) {
		struct evq_arena *next = q->arenas->next;
		free(q->arenas);
		q->arenas = next;
	}
	evq_init(q);
}

/* ----- the near tier: the heap ----- */

/* Room for at least `need` events in the heap and its slots (doubling; the
 * heap block is copied, as there is no aligned realloc). */
static void evq_heap_grow(struct evq *q, size_t need)
{
	size_t cap = q->heap_cap ? q->heap_cap : 256;
	while (cap < need)
		cap *= 2;
	/* slots are 32-bit indices, and UINT32_MAX means "none" */
	g_assert(cap <= EVQ_NO_SLOT);
	evq_key *block = evq_alloc((cap + EVQ_ROOT_OFFSET) * sizeof(evq_key));
	struct evq_item *slots = evq_alloc(cap * sizeof(struct evq_item));
	if (q->heap) {
		memcpy(block + EVQ_ROOT_OFFSET, q->heap, q->heap_len * sizeof(evq_key));
		memcpy(slots, q->slots, q->used_slots * sizeof(struct evq_item));
		free(q->heap - EVQ_ROOT_OFFSET);
		free(q->slots);
	}
	q->heap = block + EVQ_ROOT_OFFSET;
	q->slots = slots;
	q->heap_cap = cap;
}

static inline void evq_heap_reserve(struct evq *q, size_t need)
{
	if (need > q->heap_cap)
		evq_heap_grow(q, need);
}

/* Move the key up from the hole at i until its parent is smaller. */
static inline void evq_sift_up(evq_key *h, size_t i, evq_key k)
{
	while (i > 0) {
		size_t parent = (i - 1) / EVQ_ARITY;
		if (h[parent] < k)
			break;
		h[i] = h[parent];
		i = parent;
	}
	h[i] = k;
}

/* Insert into the heap; the caller has reserved room. */
static inline void evq_heap_push(struct evq *q, uint64_t t, uint64_t seq,
				 const struct evq_item *item)
{
	uint32_t s = q->free_slot;
	if (s != EVQ_NO_SLOT)
		q->free_slot = (uint32_t)q->slots[s].u;
	else
		s = q->used_slots++;
	q->slots[s] = *item;
	evq_sift_up(q->heap, q->heap_len++, evq_make_key(t, seq, s));
}

/* Index of the smallest of the four keys h[c..c+3], without branches. */
static inline size_t evq_min4(const evq_key *h, size_t c)
{
	evq_key k0 = h[c], k1 = h[c + 1], k2 = h[c + 2], k3 = h[c + 3];
	size_t i01 = k1 < k0 ? c + 1 : c;
	evq_key m01 = k1 < k0 ? k1 : k0;
	size_t i23 = k3 < k2 ? c + 3 : c + 2;
	evq_key m23 = k3 < k2 ? k3 : k2;
	return m23 < m01 ? i23 : i01;
}

/* The hole at the root descends along the smaller children to a leaf;
 * returns the leaf. `prefetch` (a constant at each call, so the loop is
 * compiled twice): only a heap beyond L2 (a bucket that could not be split)
 * needs the grandchildren (16 keys, 4 lines) fetched while the children are
 * compared. */
static inline __attribute__((always_inline)) size_t evq_descend(evq_key *h, size_t n,
								 const int prefetch)
{
	size_t i = 0;
	for (;;) {
		size_t c = i * EVQ_ARITY + 1;
		if (c + EVQ_ARITY > n)
			break;
		if (prefetch) {
			size_t g = c * EVQ_ARITY + 1;
			if (g + 16 <= n) {
				const char *p = (const char *)&h[g];
				__builtin_prefetch(p);
				__builtin_prefetch(p + 64);
				__builtin_prefetch(p + 128);
				__builtin_prefetch(p + 192);
			}
		}
		size_t best = evq_min4(h, c);
		h[i] = h[best];
		i = best;
	}
	/* a last, partial family of children */
	size_t c = i * EVQ_ARITY + 1;
	if (c < n) {
		size_t best = c;
		for (size_t k = c + 1; k < n; k++)
			if (h[k] < h[best])
				best = k;
		h[i] = h[best];
		i = best;
	}
	return i;
}

/* Pop the heap's root "bottom-up" (Floyd's trick): the hole descends along
 * the smaller children to a leaf without comparing against the displaced last
 * key, which then sifts up the short way (it is usually a late event). */
static void evq_heap_pop(struct evq *q, struct event *out)
{
	evq_key *h = q->heap;
	evq_key top = h[0];
	uint32_t s = evq_key_slot(top);
	struct evq_item *it = &q->slots[s];
	out->time = (sim_time)evq_key_time(top);
	out->fn = it->fn;
	out->arg = it->arg;
	out->u = it->u;
	it->u = q->free_slot;
	q->free_slot = s;
	size_t n = --q->heap_len;
	if (n == 0)
		return;
	size_t i = n > EVQ_PREFETCH_MIN ? evq_descend(h, n, 1) : evq_descend(h, n, 0);
	evq_sift_up(h, i, h[n]);
}

/* ----- the ladder ----- */

/* Where rung r will take its next bucket from (its end once used up). */
static inline uint64_t evq_rung_pos(const struct evq_rung *r)
{
	return r->cur < r->nb ? r->start + ((uint64_t)r->cur << r->shift) : r->end;
}

/* The smallest s with (span >> s) < limit (limit >= 1). */
static unsigned evq_shift_for(uint64_t span, uint64_t limit)
{
	if (span < limit)
		return 0;
	/* span >> s has bits(span) - s bits: below bits(limit) it is enough,
	 * at bits(limit) it may be */
	unsigned s = (unsigned)(__builtin_clzll(limit) - __builtin_clzll(span));
	while ((span >> s) >= limit)
		s++;
	return s;
}

/* Make r cover [start, end) with empty buckets: the narrowest power-of-two
 * width that spreads the events' span [start, hi] over at most `target`
 * buckets and the whole range over at most EVQ_MAX_BUCKETS. */
static void evq_rung_setup(struct evq_rung *r, uint64_t start, uint64_t end, uint64_t hi,
			   size_t target)
{
	assert(start <= hi && hi < end);
	unsigned s = evq_shift_for(hi - start, target);
	unsigned s_all = evq_shift_for(end - 1 - start, EVQ_MAX_BUCKETS);
	s = s > s_all ? s : s_all;
	size_t nb = (size_t)((end - 1 - start) >> s) + 1;
	if (nb > r->cap) {
		g_free(r->buckets);
		r->buckets = g_new(struct evq_bucket, nb);
		r->cap = nb;
	}
	memset(r->buckets, 0, nb * sizeof(struct evq_bucket));
	r->start = start;
	r->end = end;
	r->shift = s;
	r->nb = nb;
	r->cur = 0;
}

/* Spread the events of bucket `from` over rung r (all fall inside it) and
 * give from's blocks back. */
static void evq_rung_fill(struct evq *q, struct evq_rung *r, struct evq_bucket *from)
{
	for (struct evq_block *b = from->head; b; b = b->next) {
		if (b->next)
			__builtin_prefetch(b->next);
		for (uint32_t k = 0; k < b->n; k++) {
			const struct evq_rec *e = &b->rec[k];
			size_t j = (size_t)((e->time - r->start) >> r->shift);
			assert(e->time >= r->start && e->time < r->end && j < r->nb);
			*evq_bucket_append(q, &r->buckets[j]) = *e;
		}
	}
	evq_bucket_clear(q, from);
}

static size_t evq_target(size_t n, size_t lo)
{
	size_t t = n / EVQ_BUCKET_TARGET;
	return t < lo ? lo : t > EVQ_MAX_BUCKETS ? EVQ_MAX_BUCKETS : t;
}

/* The ladder is used up: spread the top over a new rung 0 covering
 * [top_min, top_max]. */
static void evq_rung_from_top(struct evq *q)
{
	assert(q->n_rungs == 0 && q->top.n > 0);
	if (!q->rungs)
		q->rungs = g_new0(struct evq_rung, EVQ_MAX_RUNGS);
	struct evq_rung *r = &q->rungs[0];
	evq_rung_setup(r, q->top_min, q->top_max + 1, q->top_max, evq_target(q->top.n, 1));
	evq_rung_fill(q, r, &q->top);
	q->top_min = UINT64_MAX;
	q->top_max = 0;
	q->n_rungs = 1;
	q->near_end = r->start;
}

/* Bucket b (ending at `end`) is too big for a run: spread it over
 * a new, finer rung covering [its earliest event, end). Returns 0 when it
 * cannot be split because all its events have the same time. */
static int evq_rung_from_bucket(struct evq *q, struct evq_bucket *b, uint64_t end)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	for (struct evq_block *k = b->head; k; k = k->next)
		for (uint32_t i = 0; i < k->n; i++) {
			uint64_t t = k->rec[i].time;
			lo = t < lo ? t : lo;
			hi = t > hi ? t : hi;
		}
	if (lo == hi)
		return 0;
	struct evq_rung *r = &q->rungs[q->n_rungs];
	evq_rung_setup(r, lo, end, hi, evq_target(b->n, 2));
	evq_rung_fill(q, r, b);
	q->n_rungs++;
	q->near_end = lo;
	return 1;
}

/* Sort the events of bucket b (covering [start, start + 2^shift), at most
 * EVQ_RUN_MAX of them) into the run. A counting sort on the top bits of the
 * time within the bucket, 2 * EVQ_RUN_MAX sub-slots, orders them almost
 * fully without a data-dependent branch; an insertion pass on the full key
 * then finishes (it has little to do: only events sharing a sub-slot). */
static void evq_sort_run(struct evq *q, const struct evq_bucket *b, uint64_t start, unsigned shift)
{
	enum { SLOT_BITS = EVQ_RUN_SLOT_BITS, SLOTS = 1 << EVQ_RUN_SLOT_BITS };
	unsigned down = shift > SLOT_BITS ? shift - SLOT_BITS : 0;
	uint8_t count[SLOTS + 1];
	uint8_t sub[EVQ_RUN_MAX];
	evq_key tmp[EVQ_RUN_MAX];
	memset(count, 0, sizeof(count));
	uint32_t n = 0;
	for (const struct evq_block *k = b->head; k; k = k->next)
		for (uint32_t i = 0; i < k->n; i++, n++) {
			const struct evq_rec *e = &k->rec[i];
			q->run_items[n] = e->item;
			tmp[n] = evq_make_key(e->time, e->seq, n);
			sub[n] = (uint8_t)((e->time - start) >> down);
			count[sub[n] + 1]++;
		}
	for (unsigned s = 1; s < SLOTS; s++)
		count[s] += count[s - 1];
	evq_key *run = q->run;
	for (uint32_t i = 0; i < n; i++)
		run[count[sub[i]]++] = tmp[i];
	for (uint32_t i = 1; i < n; i++) {
		evq_key key = run[i];
		uint32_t j = i;
		while (j > 0 && run[j - 1] > key) {
			run[j] = run[j - 1];
			j--;
		}
		run[j] = key;
	}
	q->run_pos = 0;
	q->run_len = n;
}

/* Move the events of bucket b, covering [start, start + 2^shift), into the
 * (empty) near tier: a sorted run if they are few, else (and when only the
 * heap is in use) the heap. */
static void evq_bucket_to_near(struct evq *q, struct evq_bucket *b, uint64_t start, unsigned shift)
{
	if (b->n > EVQ_RUN_MAX || q->near_end == UINT64_MAX) {
		evq_heap_reserve(q, q->heap_len + b->n);
		for (struct evq_block *k = b->head; k; k = k->next) {
			if (k->next)
				__builtin_prefetch(k->next);
			for (uint32_t i = 0; i < k->n; i++)
				evq_heap_push(q, k->rec[i].time, k->rec[i].seq, &k->rec[i].item);
		}
		evq_bucket_clear(q, b);
		return;
	}
	if (!q->run) {
		q->run = evq_alloc(EVQ_RUN_MAX * sizeof(evq_key));
		q->run_items = evq_alloc(EVQ_RUN_MAX * sizeof(struct evq_item));
	}
	evq_sort_run(q, b, start, shift);
	evq_bucket_clear(q, b);
}

/* Few events are left, all in the ladder: take them all into the heap, and
 * keep only the heap (near_end at infinity) until it outgrows
 * EVQ_HEAP_ONLY_MAX. With a handful of events a heap of one or two levels
 * beats rebuilding a rung for every pop. */
static void evq_to_heap_only(struct evq *q)
{
	q->near_end = UINT64_MAX; /* before the moves: they go to the heap */
	evq_heap_reserve(q, q->len);
	for (unsigned r = 0; r < q->n_rungs; r++) {
		struct evq_rung *g = &q->rungs[r];
		for (size_t j = g->cur; j < g->nb; j++)
			evq_bucket_to_near(q, &g->buckets[j], 0, 0);
		g->cur = g->nb;
	}
	q->n_rungs = 0;
	evq_bucket_to_near(q, &q->top, 0, 0);
	q->top_min = UINT64_MAX;
	q->top_max = 0;
	assert(q->heap_len == q->len);
}

/* The heap-only queue outgrew EVQ_HEAP_ONLY_MAX: move its events to the top
 * (near_end at the earliest of them), so the next pop builds a rung. */
static void evq_from_heap_only(struct evq *q)
{
	assert(q->n_rungs == 0 && q->top.n == 0 && q->run_pos == q->run_len);
	for (size_t i = 0; i < q->heap_len; i++) {
		evq_key k = q->heap[i];
		uint64_t t = evq_key_time(k);
		*evq_bucket_append(q, &q->top) = (struct evq_rec){
			.time = t, .seq = evq_key_seq(k), .item = q->slots[evq_key_slot(k)]
		};
		q->top_min = t < q->top_min ? t : q->top_min;
		q->top_max = t > q->top_max ? t : q->top_max;
	}
	q->near_end = q->top_min;
	q->heap_len = 0;
	q->free_slot = EVQ_NO_SLOT;
	q->used_slots = 0;
}

/* The near tier is empty and events are pending: move the next bucket of
 * the finest rung into it, splitting it into a finer rung first if it is
 * big, dropping used-up rungs, and rebuilding rung 0 from the top when the
 * ladder is used up. Leaves near_end at the end of the bucket taken. */
static void evq_refill(struct evq *q)
{
	assert(q->run_pos == q->run_len && q->heap_len == 0 && q->len > 0);
	if (q->len <= EVQ_HEAP_ONLY_BACK) {
		evq_to_heap_only(q);
		return;
	}
	for (;;) {
		if (q->n_rungs == 0)
			evq_rung_from_top(q);
		struct evq_rung *r = &q->rungs[q->n_rungs - 1];
		while (r->cur < r->nb && r->buckets[r->cur].n == 0)
			r->cur++;
		uint64_t start = evq_rung_pos(r);
		if (start == r->end) {
			q->near_end = r->end;
			q->n_rungs--;
			continue;
		}
		struct evq_bucket *b = &r->buckets[r->cur];
		uint64_t width = (uint64_t)1 << r->shift;
		uint64_t end = r->end - start > width ? start + width : r->end;
		r->cur++;
		if (b->n > EVQ_RUN_MAX && q->n_rungs < EVQ_MAX_RUNGS &&
		    evq_rung_from_bucket(q, b, end))
			continue;
		q->near_end = end;
		evq_bucket_to_near(q, b, start, r->shift);
		return;
	}
}

/* ----- the API ----- */

static void evq_renumber(struct evq *q);

void evq_push(struct evq *q, sim_time t, event_fn fn, void *arg, uint64_t u)
{
	assert(t >= 0);
	if (q->next_seq == q->seq_limit)
		evq_renumber(q);
	uint64_t seq = q->next_seq++;
	uint64_t ut = (uint64_t)t;
	q->len++;
	if (ut < q->near_end) {
		struct evq_item item = { .fn = fn, .arg = arg, .u = u };
		evq_heap_reserve(q, q->heap_len + 1);
		evq_heap_push(q, ut, seq, &item);
		if (q->near_end == UINT64_MAX && q->heap_len > EVQ_HEAP_ONLY_MAX)
			evq_from_heap_only(q);
		return;
	}
	struct evq_bucket *b = &q->top;
	for (unsigned i = q->n_rungs; i-- > 0;) {
		struct evq_rung *r = &q->rungs[i];
		if (ut < r->end) {
			size_t j = (size_t)((ut - r->start) >> r->shift);
			assert(ut >= r->start && j >= r->cur && j < r->nb);
			b = &r->buckets[j];
			break;
		}
	}
	if (b == &q->top) {
		q->top_min = ut < q->top_min ? ut : q->top_min;
		q->top_max = ut > q->top_max ? ut : q->top_max;
	}
	*evq_bucket_append(q, b) = (struct evq_rec){
		.time = ut, .seq = seq, .item = { .fn = fn, .arg = arg, .u = u }
	};
}

/* The next event comes from the run unless the heap's root is earlier. */
int evq_pop(struct evq *q, struct event *out)
{
	for (;;) {
		if (q->run_pos < q->run_len) {
			evq_key k = q->run[q->run_pos];
			if (q->heap_len && q->heap[0] < k)
				break;
			const struct evq_item *it = &q->run_items[evq_key_slot(k)];
			q->run_pos++;
			out->time = (sim_time)evq_key_time(k);
			out->fn = it->fn;
			out->arg = it->arg;
			out->u = it->u;
			q->len--;
			return 1;
		}
		if (q->heap_len)
			break;
		if (q->len == 0)
			return 0;
		evq_refill(q);
	}
	evq_heap_pop(q, out);
	q->len--;
	return 1;
}

sim_time evq_peek_time(struct evq *q)
{
	if (q->run_pos == q->run_len && q->heap_len == 0) {
		if (q->len == 0)
			return SIM_TIME_NEVER;
		evq_refill(q);
	}
	evq_key k = q->run_pos < q->run_len ? q->run[q->run_pos] : ~(evq_key)0;
	if (q->heap_len && q->heap[0] < k)
		k = q->heap[0];
	return (sim_time)evq_key_time(k);
}

/* ----- seq wrap ----- */

/* One pending event for the renumbering: where its seq is kept. */
struct evq_renum {
	uint64_t time, seq;
	evq_key *key;        /* in the run or the heap, or NULL */
	struct evq_rec *rec; /* in a bucket */
};

static int evq_renum_cmp(const void *a, const void *b)
{
	const struct evq_renum *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static void evq_renum_bucket(struct evq_bucket *b, struct evq_renum *v, size_t *n)
{
	for (struct evq_block *k = b->head; k; k = k->next)
		for (uint32_t i = 0; i < k->n; i++)
			v[(*n)++] = (struct evq_renum){ .time = k->rec[i].time,
							.seq = k->rec[i].seq,
							.rec = &k->rec[i] };
}

/* The seq counter reached seq_limit: give the pending events seqs 0..len-1
 * in (time, seq) order. Every pair keeps its order, so the run stays sorted
 * and the heap, whose keys change only in their seq bits, keeps its shape. */
static void evq_renumber(struct evq *q)
{
	g_assert(q->len < q->seq_limit);
	struct evq_renum *v = g_new(struct evq_renum, q->len ? q->len : 1);
	size_t n = 0;
	for (size_t i = q->run_pos; i < q->run_len; i++)
		v[n++] = (struct evq_renum){ .time = evq_key_time(q->run[i]),
					     .seq = evq_key_seq(q->run[i]),
					     .key = &q->run[i] };
	for (size_t i = 0; i < q->heap_len; i++)
		v[n++] = (struct evq_renum){ .time = evq_key_time(q->heap[i]),
					     .seq = evq_key_seq(q->heap[i]),
					     .key = &q->heap[i] };
	for (unsigned r = 0; r < q->n_rungs; r++)
		for (size_t j = q->rungs[r].cur; j < q->rungs[r].nb; j++)
			evq_renum_bucket(&q->rungs[r].buckets[j], v, &n);
	evq_renum_bucket(&q->top, v, &n);
	assert(n == q->len);
	qsort(v, n, sizeof(*v), evq_renum_cmp);
	for (size_t i = 0; i < n; i++) {
		if (v[i].key)
			*v[i].key = evq_make_key(v[i].time, i, evq_key_slot(*v[i].key));
		else
			v[i].rec->seq = i;
	}
	g_free(v);
	q->next_seq = n;
}

void evq_set_seq_limit(struct evq *q, uint64_t limit)
{
	g_assert(limit > q->len && limit <= EVQ_SEQ_LIMIT);
	q->seq_limit = limit;
	if (q->next_seq > limit)
		q->next_seq = limit; /* renumbers at the next push */
}

/* ----- iteration ----- */

void evq_iter_init(struct evq_iter *it, struct evq *q)
{
	memset(it, 0, sizeof(*it));
	it->q = q;
}

/* Walk the run, the heap, each rung's buckets, then the top. In a bucket,
 * `block`/`rec` point at the next record; block == NULL means "open the next
 * bucket". */
struct evq_item *evq_iter_next(struct evq_iter *it)
{
	struct evq *q = it->q;
	for (;;) {
		if (it->block) {
			if (it->rec < it->block->n)
				return &it->block->rec[it->rec++].item;
			it->block = it->block->next;
			it->rec = 0;
			continue;
		}
		switch (it->stage) {
		case 0:
			if (it->i < q->run_pos)
				it->i = q->run_pos;
			if (it->i < q->run_len)
				return &q->run_items[evq_key_slot(q->run[it->i++])];
			it->stage = 1;
			it->i = 0;
			break;
		case 1:
			if (it->i < q->heap_len)
				return &q->slots[evq_key_slot(q->heap[it->i++])];
			it->stage = 2;
			it->rung = 0;
			it->i = 0;
			break;
		case 2:
			if (it->rung >= q->n_rungs) {
				it->stage = 3;
				it->block = q->top.head;
				it->rec = 0;
				if (!it->block)
					it->stage = 4;
				break;
			}
			if (it->i >= q->rungs[it->rung].nb) {
				it->rung++;
				it->i = 0;
				break;
			}
			it->block = q->rungs[it->rung].buckets[it->i++].head;
			it->rec = 0;
			break;
		case 3:
			it->stage = 4; /* the top's blocks are done */
			break;
		default:
			return NULL;
		}
	}
}

/* ----- checks, for tests ----- */

unsigned evq_rungs(const struct evq *q) { return q->n_rungs; }

/* Check the events of bucket b: each in [lo, hi), counted, seq below next. */
static int evq_check_bucket(const struct evq *q, const struct evq_bucket *b, uint64_t lo,
			    uint64_t hi, size_t *count)
{
	size_t n = 0;
	for (const struct evq_block *k = b->head; k; k = k->next) {
		if (k->n == 0 || k->n > EVQ_BLOCK_RECS || (k->next && k->n != EVQ_BLOCK_RECS))
			return 5;
		if (!k->next && k != b->tail)
			return 5;
		for (uint32_t i = 0; i < k->n; i++) {
			if (k->rec[i].time < lo || k->rec[i].time >= hi)
				return 6;
			if (k->rec[i].seq >= q->next_seq)
				return 7;
		}
		n += k->n;
	}
	if (n != b->n)
		return 5;
	*count += n;
	return 0;
}

/* Codes: 1 counts, 2 run or heap order, 3 near event not before near_end,
 * 4 rung chain, 5 bucket lists, 6 bucket event outside its range, 7 seq,
 * 8 top. */
int evq_check(struct evq *q)
{
	size_t count = (q->run_len - q->run_pos) + q->heap_len;
	for (size_t i = q->run_pos + 1; i < q->run_len; i++)
		if (q->run[i - 1] > q->run[i])
			return 2;
	for (size_t i = 1; i < q->heap_len; i++)
		if (q->heap[(i - 1) / EVQ_ARITY] > q->heap[i])
			return 2;
	for (size_t i = 0; i < q->run_len + q->heap_len; i++) {
		if (i < q->run_len && i < q->run_pos)
			continue;
		evq_key k = i < q->run_len ? q->run[i] : q->heap[i - q->run_len];
		if (evq_key_time(k) >= q->near_end)
			return 3;
		if (evq_key_seq(k) >= q->next_seq)
			return 7;
	}
	uint64_t pos = q->near_end;
	for (unsigned r = q->n_rungs; r-- > 0;) {
		const struct evq_rung *g = &q->rungs[r];
		if (evq_rung_pos(g) != pos)
			return 4;
		for (size_t j = 0; j < g->nb; j++) {
			uint64_t lo = g->start + ((uint64_t)j << g->shift);
			uint64_t width = (uint64_t)1 << g->shift;
			uint64_t hi = g->end - lo > width ? lo + width : g->end;
			if (j < g->cur && g->buckets[j].n)
				return 5;
			int e = evq_check_bucket(q, &g->buckets[j], lo, hi, &count);
			if (e)
				return e;
		}
		pos = g->end;
	}
	if (evq_check_bucket(q, &q->top, pos, UINT64_MAX, &count))
		return 8;
	for (const struct evq_block *k = q->top.head; k; k = k->next)
		for (uint32_t i = 0; i < k->n; i++)
			if (k->rec[i].time < q->top_min || k->rec[i].time > q->top_max)
				return 8;
	return count == q->len ? 0 : 1;
}
