/* ct.h - connection tracking: tuples, entries, the table and the trackers.
 *
 * Mirrors net/netfilter/nf_conntrack_core.c and friends. An entry holds two
 * tuples, ORIGINAL (the first packet as seen) and REPLY (what a reply looks
 * like after NAT); both are nodes of ONE hash table, so an entry lives in two
 * buckets. Entries are created unconfirmed (not in the table) and inserted by
 * ct_confirm() when their first packet leaves POSTROUTING or reaches INPUT.
 * Single-threaded: no RCU, no per-CPU state, no reference counts (a packet's
 * walk through a router is one synchronous call chain).
 */
#ifndef NAT_CT_H
#define NAT_CT_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "nat/conntrack/nf_conntrack_tuple.h"
#include "nat/core/nf_types.h"

enum ct_dir { CT_DIR_ORIGINAL = 0, CT_DIR_REPLY = 1, CT_DIR_MAX = 2 };

/* A tuple as the table stores it: the compact IPv4 key of the kernel's
 * struct nf_conntrack_tuple (whose family-ready spelling, with union
 * nf_inet_addr, is nf_conntrack_tuple.h's; see there and below why the
 * table keeps this one). Host byte order. For TCP/UDP sport and dport are
 * the ports; for ICMP sport is the echo id and dport holds
 * (type << 8) | code; for other protocols both are 0. The family is
 * implicit: the table holds IPv4 only (nf_ct_tuple_from_ipv4 gives
 * NFPROTO_IPV4). `zone` is the conntrack zone id this tuple is keyed in
 * (nf_ct_zone_id(zone, dir) of its entry: `-j CT --zone`, ct_zone.h),
 * 0 for the default zone: hashed and compared by the table's lookups
 * (hash_conntrack_raw, nf_ct_key_equal), not by ct_tuple_equal. It lives
 * where the always-IPv4 l3num was, so the entry keeps its 176 bytes. */
struct ct_tuple {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint8_t proto;
	uint8_t dir; /* enum ct_dir: which tuple of its entry this is */
	uint16_t zone;
};

static inline uint8_t ct_tuple_icmp_type(const struct ct_tuple *t) { return t->dport >> 8; }
static inline uint8_t ct_tuple_icmp_code(const struct ct_tuple *t) { return t->dport & 0xff; }

/* Same connection identity (direction ignored): nf_ct_tuple_equal. */
static inline bool ct_tuple_equal(const struct ct_tuple *a, const struct ct_tuple *b)
{
	return a->src == b->src && a->dst == b->dst && a->sport == b->sport &&
	       a->dport == b->dport && a->proto == b->proto;
}

/* Entry status bits, as the kernel's enum ip_conntrack_status. */
enum {
	IPS_EXPECTED = 1 << 0,
	IPS_SEEN_REPLY = 1 << 1,
	IPS_ASSURED = 1 << 2,
	IPS_CONFIRMED = 1 << 3,
	IPS_SRC_NAT = 1 << 4,
	IPS_DST_NAT = 1 << 5,
	IPS_NAT_MASK = IPS_SRC_NAT | IPS_DST_NAT,
	IPS_SEQ_ADJUST = 1 << 6,
	IPS_SRC_NAT_DONE = 1 << 7,
	IPS_DST_NAT_DONE = 1 << 8,
	IPS_NAT_DONE_MASK = IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE,
	IPS_DYING = 1 << 9,
	IPS_FIXED_TIMEOUT = 1 << 10,
	IPS_UNTRACKED = 1 << 12,
	IPS_OFFLOAD = 1 << 14,	/* in a flowtable (nat/nftables/nft_flow_offload.c) */
	/* natsim's own: killed off the table while packets held it; still
	 * counted in nf_conntrack_count until freed (the kernel decrements
	 * the count in nf_conntrack_free, when the last reference goes) */
	IPS_HELD_DEAD = 1 << 16,
	/* a clash loser inserted by its REPLY tuple only (nf_ct_resolve_clash_harder:
	 * the kernel's IPS_NAT_CLASH, which shares bit 12 with IPS_UNTRACKED there) */
	IPS_NAT_CLASH = 1 << 17,
};

/* Conntrack events (enum ip_conntrack_events), cached on the entry in
 * ct->ecache and delivered as one `conntrack -E` line per packet
 * (nf_ct_deliver_cached_events): NEW at confirm, DESTROY when the entry
 * dies, anything else is an UPDATE. */
enum {
	IPCT_NEW = 1 << 0,
	IPCT_RELATED = 1 << 1,
	IPCT_DESTROY = 1 << 2,
	IPCT_REPLY = 1 << 3,
	IPCT_ASSURED = 1 << 4,
	IPCT_PROTOINFO = 1 << 5,
	IPCT_MARK = 1 << 6,
	IPCT_LABEL = 1 << 7,
};

/* TCP conntrack states, in the kernel's order (enum tcp_conntrack). */
enum tcp_ct_state {
	TCP_CONNTRACK_NONE,
	TCP_CONNTRACK_SYN_SENT,
	TCP_CONNTRACK_SYN_RECV,
	TCP_CONNTRACK_ESTABLISHED,
	TCP_CONNTRACK_FIN_WAIT,
	TCP_CONNTRACK_CLOSE_WAIT,
	TCP_CONNTRACK_LAST_ACK,
	TCP_CONNTRACK_TIME_WAIT,
	TCP_CONNTRACK_CLOSE,
	TCP_CONNTRACK_LISTEN, /* obsolete, = SYN_SENT2 */
	TCP_CONNTRACK_SYN_SENT2 = TCP_CONNTRACK_LISTEN,
	TCP_CONNTRACK_MAX,
	TCP_CONNTRACK_IGNORE,
	TCP_CONNTRACK_RETRANS,
	TCP_CONNTRACK_UNACK,
	TCP_CONNTRACK_TIMEOUT_MAX
};

/* Window tracking state per direction (struct ip_ct_tcp_state). Packed:
 * 18 bytes, not 20 (struct ct_entry must stay small, see below). */
struct __attribute__((packed)) ct_tcp_dir {
	uint32_t td_end, td_maxend, td_maxwin, td_maxack;
	uint8_t td_scale, flags;
};

struct ct_tcp {
	struct ct_tcp_dir seen[2];
	uint8_t state;		/* enum tcp_ct_state */
	uint8_t last_dir, retrans, last_index, last_flags, last_wscale;
	uint16_t last_win;	/* here, not last: no padding (56 bytes) */
	uint32_t last_seq, last_ack, last_end;
};

/* A node of the hash table: one tuple of an entry. */
struct ct_tuple_node {
	struct ct_tuple t;
	struct ct_tuple_node *next;
};

/* Bytes of an entry's extension area (ct->ext_area): the room left in 176
 * bytes once conntrack's own fields are placed (see below). */
#define CT_EXT_AREA 36

struct ct_entry {
	/* what every packet of a known flow reads, in the first 64 bytes */
	struct ct_tuple_node tuplehash[CT_DIR_MAX];
	uint32_t status;	/* IPS_* */
	uint8_t ecache;		/* IPCT_* events cached, delivered at ct_confirm */
	uint8_t ext;		/* bit (1 << id) per extension the entry has (ct_ext.h) */
	/* packets parked with this entry (neighbour queue, loopback): each is
	 * a reference of the kernel's ct_general.use beyond the table's own
	 * (`conntrack -L` shows use=1+held); a held entry that is killed
	 * stays allocated, off the table, until the last one lets go */
	uint16_t held;
	nf_time timeout;	/* absolute expiry on the simulated clock */
	/* the rest: creation, marks, TCP windows, extensions */
	nf_time start;		/* creation time (UDP's 2 s stream rule) */
	uint32_t mark;
	union {
		struct ct_tcp tcp;
	} proto;
	/* the extensions' data, at the offsets ct_ext.c gave their types
	 * (nf_ct_ext_find); conntrack does not know its layout */
	unsigned char ext_area[CT_EXT_AREA];
	/* the entry this one was expected by (nf_conn.master: a RELATED
	 * connection's, see ct_helper.h); NULL for the others */
	struct ct_entry *master;
};

/* Extensions an entry may carry: bit (1 << id) of ct->ext per registered
 * type (ct_ext.h); accounting, helpers and seqadj keep their data in side
 * tables, others (NAT) in ct->ext_area. */
enum { CT_EXT_ACCT = 1 << 0, CT_EXT_HELPER = 1 << 2, CT_EXT_SEQADJ = 1 << 3 };

/* struct nf_conn_acct: packets and IP-layer bytes per direction. */
struct ct_acct {
	uint64_t packets[CT_DIR_MAX], bytes[CT_DIR_MAX];
};

/* Memory is the limit of a 10M-entry table: an entry is 176 bytes (the
 * kernel's struct nf_conn is about 256 plus extensions), allocated from
 * slabs without per-entry overhead (ct_table.c). Both tuple nodes, status,
 * ecache, ext, held and timeout (all a known flow's packet reads in
 * conntrack) are the first 64 bytes: an unaligned entry costs two lines a
 * packet, not three. Keep it so.
 *
 * The extension area. A kernel-style dynamic area (ct->ext pointing to a
 * separately allocated block with per-id offsets, nf_ct_ext_add's krealloc)
 * would cost a pointer and an allocation per NATed entry and a dependent
 * load per packet; an area at the entry's end would push the entry past
 * 176 bytes. So the entry reserves a fixed area whose owners and offsets
 * are registered (ct_ext.c: each type's {id, size, align} gets an offset
 * at its first registration; nf_ct_ext_find/nf_ct_ext_add reach it with one
 * bit test and one add). The figures: 64 (hot) + start 8 + mark 4 + TCP 56
 * + master 8 = 140 bytes of conntrack's own; 176 - 140 = 36 bytes of area
 * (132..168). Today NAT's struct nf_conn_nat (nat/nf_nat/nat.h: the
 * MASQUERADE interface, the two bound ranges for --check, the source-hash
 * link) is 36 of them; a new extension with per-packet data must fit in
 * what is left or pay the bytes (ct_bytes_per_entry_10M <= 192). Data not
 * read by every packet belongs in a side table, as accounting's.
 *
 * Why the stored tuple is not the family-ready one (measured with this
 * struct and a tuple of two union nf_inet_addr, l3num, ports, protonum,
 * dir: 40 bytes, a node 48): the entry would be 224 bytes, not 176, and
 * timeout would end at byte 112, not 64; the bench's 192-byte budget per
 * entry and the first-64-bytes rule would both break, and every IPv4
 * flow would pay for IPv6. So the table keeps the 16-byte IPv4 key
 * (struct ct_tuple, with the zone id in its former padding), the API spelling is
 * struct nf_conntrack_tuple (nf_conntrack_tuple.h) with conversions both
 * ways, and IPv6 entries are to come in a wide variant of the entry, in a
 * table of their own, keyed by that tuple. */
_Static_assert(sizeof(struct ct_entry) <= 176, "struct ct_entry grew past 176 bytes");
_Static_assert(offsetof(struct ct_entry, timeout) + sizeof(nf_time) <= 64,
	       "the per-packet fields of struct ct_entry left the first 64 bytes");
_Static_assert(offsetof(struct ct_entry, ext_area) + CT_EXT_AREA <= 176,
	       "the extension area left the entry's 176 bytes");

/* The unconfirmed list (ns->ct->unconfirmed) is linked through the ORIGINAL
 * node's chain pointer: an entry that is not in the table has no chain
 * (the kernel's unconfirmed list reuses the hash node the same way). */
static inline struct ct_entry *ct_unconfirmed_next(const struct ct_entry *ct)
{
	const struct ct_tuple_node *n = ct->tuplehash[CT_DIR_ORIGINAL].next;

	return n ? (struct ct_entry *)n : NULL;
}

static inline void ct_set_unconfirmed_next(struct ct_entry *ct, struct ct_entry *next)
{
	ct->tuplehash[CT_DIR_ORIGINAL].next = next ? &next->tuplehash[CT_DIR_ORIGINAL] : NULL;
}

static inline void ct_event_cache(struct ct_entry *ct, unsigned events)
{
	ct->ecache |= (uint8_t)events;
}

static inline struct ct_entry *ct_of_node(const struct ct_tuple_node *n)
{
	return (struct ct_entry *)((const char *)n - (n->t.dir * sizeof(struct ct_tuple_node)));
}

/* nf_ct_invert_tuple: the tuple of a reply (ICMP echo request <-> reply). */
bool ct_invert_tuple(const struct ct_tuple *orig, struct ct_tuple *inverse);

/* Build the tuple of a packet's IPv4 header (nf_ct_get_tuple). Returns false if
 * the header is too short for the protocol's tuple. */
bool ct_tuple_from_ip(const uint8_t *ip, uint32_t len, struct ct_tuple *t);
/* The same for a header already parsed: the transport header at thoff
 * (20 <= thoff <= len), `len` bytes from ip in all (nf_ct_get_tuple's
 * own arguments: dataoff and l4num come from the packet-info record). */
bool ct_tuple_from_l4(const uint8_t *ip, uint32_t thoff, uint32_t len, struct ct_tuple *t);

struct nf_ns;

/* Timeouts and knobs, each under its Linux sysctl name (see nat/conntrack/ct_sysctl.c).
 * Timeouts are in seconds, as the sysctls read. */
struct nf_sysctl {
	uint32_t ct_max;		/* nf_conntrack_max */
	uint32_t ct_buckets;		/* nf_conntrack_buckets (as rounded) */
	uint32_t ct_checksum;		/* nf_conntrack_checksum */
	uint32_t ct_log_invalid;	/* nf_conntrack_log_invalid */
	uint32_t ct_acct, ct_timestamp, ct_events;
	uint32_t tcp_timeout[TCP_CONNTRACK_TIMEOUT_MAX]; /* indexed by state, plus RETRANS/UNACK */
	uint32_t tcp_loose, tcp_be_liberal, tcp_max_retrans, tcp_ignore_invalid_rst;
	uint32_t udp_timeout, udp_timeout_stream;
	uint32_t icmp_timeout, generic_timeout;
	uint32_t gre_timeout, gre_timeout_stream;
	uint32_t flowtable_tcp_timeout, flowtable_udp_timeout;	/* nf_flowtable_*_timeout */
	/* knobs Linux has that natsim stores and shows but does not simulate
	 * (sctp, icmpv6, frag6, expect_max, ...): see ct_sysctl.c */
	int32_t other[24];
};

/* The garbage collector's expiry index (ct_gc.c): the table cut into
 * units (the slices gc_worker scans are whole units) and blocks (a unit is
 * whole blocks), each with a lower bound of the timeouts of the entries
 * with a tuple in it. NF_TIME_NEVER: nothing there. */
struct ct_gc_index {
	uint32_t batch;		/* buckets scanned per tick */
	uint32_t unit;		/* buckets per unit: gcd(batch, buckets) */
	uint32_t nunits, step;	/* units in the table; units per tick */
	uint32_t block_shift;	/* a block is 1 << block_shift buckets */
	uint32_t nblocks;
	nf_time *block_min;	/* [nblocks] */
	nf_time *unit_min;	/* [nunits] */
};

/* conntrack -S counters (struct ip_conntrack_stat). */
struct nf_ct_stats {
	uint64_t found, invalid, insert, insert_failed, drop, early_drop, error,
		search_restart, clash_resolve, chaintoolong;
};

/* Room for conntrack extension types (enum nf_ct_ext_id, ct_ext.h). */
#define NF_CT_EXT_MAX_TYPES 7
struct nf_ct_ext_type;
struct nf_ct_helper_net;

/* conntrack's per-namespace state (struct netns_ct and nf_conntrack_net):
 * ns->ct, made by ct_pernet_ops' init (ct_net.c), freed by its exit; reboot
 * makes a new one (the hash seed and the gc clock are the namespace's). */
struct nf_conntrack_net {
	struct nf_sysctl sysctl;
	struct nf_ct_stats stats;

	/* the table (ct_table.c) */
	uint64_t hash_key[2];		/* derived from ns->hash_seed (ct_table.c) */
	struct ct_tuple_node **buckets;	/* sysctl.ct_buckets chain heads */
	uint32_t count;			/* entries in the table, expired included */
	uint32_t count_peak;		/* the most nf_conntrack_count has been since
					 * the namespace started (summary.json) */
	uint32_t held_dead;		/* killed while held, not yet freed (IPS_HELD_DEAD):
					 * nf_conntrack_count includes them */
	struct ct_entry *unconfirmed;	/* created, not yet confirmed */
	GHashTable *acct;		/* struct ct_entry * -> struct ct_acct * (ct_acct.c) */
	GHashTable *ecache_mask;	/* struct ct_entry * -> its event mask (ct_ecache.c) */
	GHashTable *labels;		/* struct ct_entry * -> its label bits (ct_labels.c) */
	/* registered conntrack extension types, by id (ct_ext.c) */
	const struct nf_ct_ext_type *ext_types[NF_CT_EXT_MAX_TYPES];
	/* helpers, expectations, entries' helper data (ct_helper.h); NULL
	 * until a helper is loaded */
	struct nf_ct_helper_net *help;
	/* struct ct_entry * -> struct nf_conn_seqadj * (ct_seqadj.c); NULL
	 * until an entry gets one */
	GHashTable *seqadj;
	/* the insertion race of several CPUs (ct_race.c): NULL but during a
	 * round; the round's store */
	struct ct_race *race, *race_store;
	/* a hint at each new entry's creation (NAT's prefetch); NULL: none */
	void (*new_hint)(const struct nf_ns *ns, const struct ct_tuple *t);

	/* table full warning rate limit (net_ratelimit: 10 per 5 s) */
	nf_time ratelimit_begin;
	unsigned ratelimit_printed, ratelimit_missed;

	/* gc_worker state (ct_gc.c): next bucket to scan, and the early drop
	 * a failed allocation asked for (conntrack_gc_work.early_drop); the
	 * first tick with work (nf_gc_next) while gc_wake_valid */
	uint32_t gc_next_bucket;
	bool gc_early_drop;
	bool gc_wake_valid;
	nf_time gc_wake;
	struct ct_gc_index gc_index;
	/* when nf_conntrack_max was last set (--check: an older table may
	 * legitimately hold more entries than a lowered maximum) */
	nf_time max_set_at;
};

/* Default values of every knob (Linux 6.x). */
void nf_sysctl_defaults(struct nf_sysctl *s);

/* ----- the table (ct_table.c) ----- */

/* Find the confirmed tuple node equal to t; expired entries met are reaped.
 * NULL if none. (__nf_conntrack_find_get) */
struct ct_tuple_node *ct_table_find(struct nf_ns *ns, const struct ct_tuple *t, nf_time now);
/* nf_conntrack_tuple_taken: is `t` (a reply tuple) used by a confirmed entry
 * other than `ignored`? Compares against the inverse of other entries' tuples
 * in the kernel's way (a reply tuple clashes with another entry's reply
 * tuple, or with its original tuple). */
bool ct_tuple_taken(struct nf_ns *ns, const struct ct_tuple *t,
		    const struct ct_entry *ignored, nf_time now);
/* fn on every entry in the table by its REPLY tuple only (the flush's). */
void ct_table_foreach_clash(struct nf_ns *ns, void (*fn)(struct nf_ns *, struct ct_entry *, void *),
			    void *arg);
/* Insert a clash loser by its REPLY tuple only (nf_ct_resolve_clash_harder). */
void ct_table_insert_reply(struct nf_ns *ns, struct ct_entry *ct, uint32_t reply_bucket);
/* Call fn on every confirmed entry, in bucket order (deterministic). fn may
 * delete the entry it is given. */
void ct_table_foreach(struct nf_ns *ns, void (*fn)(struct nf_ns *, struct ct_entry *, void *),
		      void *arg);
/* Remove and free an entry (confirmed or not), emitting DESTROY if it was
 * confirmed. */
void ct_entry_kill(struct nf_ns *ns, struct ct_entry *ct, nf_time now);
/* Bucket index of a tuple in the current table size (for trace and --check). */
uint32_t ct_hash_bucket(const struct nf_ns *ns, const struct ct_tuple *t);
/* Batched lookups (no kernel counterpart: what a vector packet processor
 * does with a burst): a caller holding several packets first prefetches the
 * bucket head of each tuple, later the chain's nodes up to `depth` (1: the
 * head node, 2: also its successor, whose address the head now gives), so
 * the cache misses of the burst overlap; then it runs the hooks as usual.
 * Pure hints: they change nothing. Returns / takes the bucket index. */
uint32_t ct_table_prefetch_bucket(const struct nf_ns *ns, const struct ct_tuple *t);
void ct_table_prefetch_chain(const struct nf_ns *ns, uint32_t bucket, unsigned depth);

/* ----- several CPUs (ct_race.c) ----- */

/* During a round: ct was confirmed in this round by another CPU than the
 * packet's, so the packet's lookups must not see it. */
bool ct_race_hidden(const struct nf_ns *ns, const struct ct_entry *ct);
/* During a round: the packet in hand confirmed ct. */
void ct_race_note(struct nf_ns *ns, const struct ct_entry *ct);
void ct_race_free(struct nf_ns *ns);

/* ----- the core (ct_core.c) ----- */

/* nf_conntrack_in: attach skb to its entry (found or newly created and
 * unconfirmed), run the protocol tracker, set skb->ct and skb->ctinfo.
 * Returns NF_ACCEPT (also for invalid packets, which get skb->ct = NULL) or
 * NF_DROP (table full, tracker says drop). */
int ct_in(struct nf_ns *ns, struct nf_skb *skb, enum nf_hook hook, nf_time now);
/* The same, reading the header from the hook's packet-info record
 * (st->pkt, nat/core/nf_pktinfo.h): what conntrack's hook op calls. ct_in
 * parses a record of its own and calls this. */
struct nf_hook_state;
int nf_conntrack_in(struct nf_ns *ns, struct nf_skb *skb, const struct nf_hook_state *st);
/* __nf_conntrack_confirm: insert the unconfirmed entry of skb. Resolves or
 * counts clashes; returns NF_ACCEPT or NF_DROP. */
int ct_confirm(struct nf_ns *ns, struct nf_skb *skb, nf_time now);

/* Entry direction of a packet's ctinfo. */
static inline enum ct_dir ct_info_dir(uint8_t ctinfo)
{
	return ctinfo >= IP_CT_IS_REPLY ? CT_DIR_REPLY : CT_DIR_ORIGINAL;
}

/* Deliver the events cached on a confirmed entry as one UPDATE (or NEW)
 * line through env.ct_event (nf_ct_deliver_cached_events). */
void ct_deliver_cached_events(struct nf_ns *ns, struct ct_entry *ct, nf_time now);

/* Remaining lifetime in whole seconds (floor, 0 once expired), as
 * `conntrack -L` shows it. */
int64_t ct_entry_remaining(const struct ct_entry *ct, nf_time now);

/* conntrack's per-namespace state (ct_net.c) */
struct nf_pernet_ops;
extern const struct nf_pernet_ops ct_pernet_ops;

/* ----- the hook ops (ct_hooks.c) ----- */

/* nf_ct_netns_get / nf_ct_netns_put: count a user of conntrack; the first
 * registers conntrack's hook ops, the last unregisters them. */
int nf_ct_netns_get(struct nf_ns *ns);
void nf_ct_netns_put(struct nf_ns *ns);
/* The nf_conntrack module is loaded: it holds a user for good (today's
 * policy, see ct_hooks.c). Idempotent. */
void nf_ct_load(struct nf_ns *ns);
/* Packet-walk helpers: the entry's two tuple lines with their buckets
 * (reply_only: the REPLY line), and a ctinfo's name ("ESTABLISHED reply"). */
void ct_trace_tuples(struct nf_ns *ns, const struct ct_entry *ct, bool reply_only);
const char *ct_info_name(uint8_t ctinfo);

/* Text of an entry as `conntrack -L` prints it (no newline), or as -E prints
 * it (event != NULL: "NEW", "UPDATE", "DESTROY"). */
void ct_entry_format(struct nf_ns *ns, const struct ct_entry *ct, nf_time now,
		     const char *event, GString *out);

#endif
