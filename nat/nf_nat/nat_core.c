/* nat_core.c - NAT bindings: choosing a unique tuple for a new entry.
 *
 * Mirrors net/netfilter/nf_nat_core.c (nf_nat_setup_info, get_unique_tuple,
 * find_appropriate_src, find_best_ips_proto, nf_nat_l4proto_unique_tuple),
 * nf_nat_masquerade.c and nf_nat_redirect.c, IPv4 only.
 *
 * Design: a binding is computed once per entry and manip type while the entry
 * is still unconfirmed; it only rewrites the entry's REPLY tuple (which is not
 * hashed yet) and sets status bits. Packet bytes are nat_packet.c's business.
 * The pool address is chosen with the kernel's own unseeded jhash2 so a run
 * picks exactly the address a Linux router picks for each client/server pair
 * (checked against a 6.18 kernel, see tests/unit/test_nat.c); the port search
 * draws its offsets from the run's seeded generator where the kernel calls
 * get_random_u16(). The bysource hash (nf_nat_bysource) lets a source ip:port
 * keep its mapping across destinations (endpoint-independent mapping).
 */
#include <string.h>
#include <stdio.h>
#include "nat/conntrack/ct_helper.h"
#include "nat/conntrack/ct_seqadj.h"
#include "nat/core/nf_inet.h"
#include "nat/core/nf_ns.h"
#include "nat/nf_nat/nat.h"

#define NAT_MAX_ATTEMPTS 128	/* nf_nat_l4proto_unique_tuple's max_attempts */
#define NAT_BYSOURCE_MIN 1024	/* CONNTRACK_LOCKS: the kernel's minimum size */

/* Why the tuple ended up as it did: shown by the packet walk. */
enum nat_reason {
	NAT_R_ORIGINAL_KEPT,	/* orig tuple in range and free */
	NAT_R_SAME_SOURCE,	/* find_appropriate_src: mapping reused */
	NAT_R_IN_RANGE_KEPT,	/* address chosen, per-proto part kept */
	NAT_R_SINGLE_PORT,	/* single-port range taken unchecked */
	NAT_R_PORT_SEARCHED,	/* free port found from an offset */
	NAT_R_EXHAUSTED,	/* no free tuple: the clash shows at confirm */
	NAT_R_NO_PORT,		/* protocol without a per-proto part */
};

struct nat_outcome {
	enum nat_reason reason;
	uint16_t first_off;	/* first offset of the port search */
};

/* ----- Jenkins' lookup3, as include/linux/jhash.h ----- */

#define JHASH_INITVAL 0xdeadbeefu

static inline uint32_t nat_rol32(uint32_t w, unsigned s)
{
	return (w << s) | (w >> (32 - s));
}

#define JHASH_MIX(a, b, c) do {				\
	a -= c; a ^= nat_rol32(c, 4);  c += b;		\
	b -= a; b ^= nat_rol32(a, 6);  a += c;		\
	c -= b; c ^= nat_rol32(b, 8);  b += a;		\
	a -= c; a ^= nat_rol32(c, 16); c += b;		\
	b -= a; b ^= nat_rol32(a, 19); a += c;		\
	c -= b; c ^= nat_rol32(b, 4);  b += a;		\
} while (0)

#define JHASH_FINAL(a, b, c) do {			\
	c ^= b; c -= nat_rol32(b, 14);			\
	a ^= c; a -= nat_rol32(c, 11);			\
	b ^= a; b -= nat_rol32(a, 25);			\
	c ^= b; c -= nat_rol32(b, 16);			\
	a ^= c; a -= nat_rol32(c, 4);			\
	b ^= a; b -= nat_rol32(a, 14);			\
	c ^= b; c -= nat_rol32(b, 24);			\
} while (0)

uint32_t nat_jhash2(const uint32_t *k, uint32_t length, uint32_t initval)
{
	uint32_t a, b, c;

	a = b = c = JHASH_INITVAL + (length << 2) + initval;
	while (length > 3) {
		a += k[0];
		b += k[1];
		c += k[2];
		JHASH_MIX(a, b, c);
		length -= 3;
		k += 3;
	}
	switch (length) {
	case 3: c += k[2]; /* fall through */
	case 2: b += k[1]; /* fall through */
	case 1: a += k[0];
		JHASH_FINAL(a, b, c);
		break;
	case 0:
		break;
	}
	return c;
}

/* reciprocal_scale: map a 32-bit hash onto 0..ep_ro-1. */
static inline uint32_t nat_reciprocal_scale(uint32_t val, uint32_t ep_ro)
{
	return (uint32_t)(((uint64_t)val * ep_ro) >> 32);
}

/* An IPv4 address as the kernel's hash sees it: the network-order __be32 read
 * as a u32 on a little-endian (x86) machine. Our tuples are in host order, so
 * this is a byte swap whatever machine natsim runs on. */
static inline uint32_t nat_raw_be32(uint32_t host_order)
{
	return GUINT32_SWAP_LE_BE(host_order);
}

/* ----- helpers on tuples and ranges ----- */

/* TCP, UDP, DCCP, SCTP, UDP-Lite: the protocols whose tuples carry ports
 * (ct_tuple.c); ICMP's id is handled apart. */
static inline bool nat_proto_has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 33 || proto == 132 || proto == 136;
}

/* Inverse of a tuple; keeps the REPLY/ORIGINAL marker of the destination. */
static void nat_invert(const struct ct_tuple *t, struct ct_tuple *inv)
{
	if (!ct_invert_tuple(t, inv)) {
		/* Non-invertible (an ICMP type without a reply type): the kernel
		 * would not have created the entry; keep a plain swap. */
		*inv = *t;
		inv->src = t->dst;
		inv->dst = t->src;
		inv->sport = t->dport;
		inv->dport = t->sport;
	}
}

/* nf_nat_used_tuple: is the reply to `t` already someone's tuple? */
static bool nat_used_tuple(struct nf_ns *ns, const struct ct_tuple *t,
			   const struct ct_entry *ct, nf_time now)
{
	struct ct_tuple reply;

	nat_invert(t, &reply);
	reply.dir = CT_DIR_REPLY;
	return ct_tuple_taken(ns, &reply, ct, now);
}

/* l4proto_in_range: is the manipulable per-proto part between min and max? */
static bool nat_l4proto_in_range(const struct ct_tuple *t, enum nat_manip manip,
				 uint16_t min, uint16_t max)
{
	uint16_t port;

	if (t->proto == 1)
		return t->sport >= min && t->sport <= max; /* the echo id */
	if (!nat_proto_has_ports(t->proto))
		return true;
	port = manip == NAT_MANIP_SRC ? t->sport : t->dport;
	return port >= min && port <= max;
}

/* in_range: would mapping the source to this tuple satisfy the range? */
static bool nat_in_range(const struct ct_tuple *t, const struct nf_nat_range2 *r)
{
	if ((r->flags & NF_NAT_RANGE_MAP_IPS) &&
	    (t->src < r->min_addr.ip || t->src > r->max_addr.ip))
		return false;
	if (!(r->flags & NF_NAT_RANGE_PROTO_SPECIFIED))
		return true;
	return nat_l4proto_in_range(t, NAT_MANIP_SRC, r->min_port, r->max_port);
}

/* ----- the bysource hash (nf_nat_bysource) ----- */

static uint32_t nat_bysource_hash(const struct nf_ns *ns, const struct ct_tuple *t)
{
	uint32_t k[3] = { t->src, t->sport, t->proto };

	return nat_reciprocal_scale(nat_jhash2(k, 3, ns->hash_seed), ns->nat->bysource_size);
}

/* Sized like the conntrack table (nf_nat_init: at least CONNTRACK_LOCKS), once. */
static bool nat_bysource_ensure(struct nf_ns *ns)
{
	uint32_t size;

	if (ns->nat->bysource)
		return true;
	size = ns->ct->sysctl.ct_buckets;
	if (size < NAT_BYSOURCE_MIN)
		size = NAT_BYSOURCE_MIN;
	ns->nat->bysource = g_try_new0(struct ct_entry *, size);
	if (!ns->nat->bysource)
		return false;
	ns->nat->bysource_size = size;
	return true;
}

static void nat_bysource_add(struct nf_ns *ns, struct ct_entry *ct)
{
	uint32_t h = nat_bysource_hash(ns, &ct->tuplehash[CT_DIR_ORIGINAL].t);

	/* hlist_add_head: the newest mapping of a source is found first */
	nf_ct_nat_ext(ct)->bysource_next = ns->nat->bysource[h];
	ns->nat->bysource[h] = ct;
}

void nat_ct_destroy(struct nf_ns *ns, struct ct_entry *ct)
{
	struct nf_conn_nat *nat = nf_ct_nat_ext(ct);
	struct ct_entry **head, *prev = NULL;

	if (!nat || !(ct->status & IPS_SRC_NAT_DONE) || !ns->nat || !ns->nat->bysource)
		return;
	head = &ns->nat->bysource[nat_bysource_hash(ns, &ct->tuplehash[CT_DIR_ORIGINAL].t)];
	for (struct ct_entry *e = *head; e; prev = e, e = nat_bysource_next(e)) {
		if (e == ct) {
			if (prev)
				nf_ct_nat_ext(prev)->bysource_next = nat->bysource_next;
			else
				*head = nat->bysource_next;
			break;
		}
	}
	nat->bysource_next = NULL;
}

void nat_ns_free(struct nf_ns *ns)
{
	g_free(ns->nat->bysource);
	ns->nat->bysource = NULL;
	ns->nat->bysource_size = 0;
	ns->nat->masq_nifnames = 0;
}

/* find_appropriate_src: another entry from the same source ip:port/proto
 * whose mapped source satisfies the range; result gets that source. */
static bool nat_find_appropriate_src(struct nf_ns *ns, const struct ct_tuple *orig,
				     struct ct_tuple *result, const struct nf_nat_range2 *r)
{
	const struct ct_entry *ct;

	if (!ns->nat->bysource)
		return false;
	for (ct = ns->nat->bysource[nat_bysource_hash(ns, orig)]; ct; ct = nat_bysource_next(ct)) {
		const struct ct_tuple *t = &ct->tuplehash[CT_DIR_ORIGINAL].t;

		if (t->proto != orig->proto || t->src != orig->src || t->sport != orig->sport ||
		    t->zone != orig->zone)	/* nf_ct_zone_equal(ct, zone, ORIGINAL) */
			continue;
		/* copy the source part from the inverse of its reply tuple */
		nat_invert(&ct->tuplehash[CT_DIR_REPLY].t, result);
		result->dst = orig->dst;	/* result->dst = tuple->dst: */
		result->dport = orig->dport;	/* address, port or ICMP type/code */
		result->dir = orig->dir;
		if (nat_in_range(result, r))
			return true;
	}
	return false;
}

/* find_best_ips_proto: the pool address from jhash2 of the source address
 * (the 16-byte nf_inet_addr: the IPv4 word then three zero words) seeded
 * with the destination address (0 with --persistent; zone id 0), scaled onto
 * the range. Same client/server pair, same address: exactly Linux's choice. */
static void nat_find_best_ips(struct ct_tuple *t, const struct nf_nat_range2 *r,
			      enum nat_manip manip)
{
	uint32_t key[4], j, dist;
	uint32_t *var = manip == NAT_MANIP_SRC ? &t->src : &t->dst;

	if (!(r->flags & NF_NAT_RANGE_MAP_IPS))
		return;
	if (r->min_addr.ip == r->max_addr.ip) {
		*var = r->min_addr.ip;
		return;
	}
	key[0] = nat_raw_be32(t->src);
	key[1] = key[2] = key[3] = 0;
	/* the seed's zone->id: the ORIGINAL zone id the tuple carries */
	j = nat_jhash2(key, 4, (r->flags & NF_NAT_RANGE_PERSISTENT) ? 0
								  : nat_raw_be32(t->dst) ^ t->zone);
	dist = r->max_addr.ip - r->min_addr.ip + 1;
	*var = r->min_addr.ip + nat_reciprocal_scale(j, dist);
}

/* The chains a new entry's bindings and confirm walk first after ct_in's own
 * lookup (no kernel counterpart), into pf->bucket[1..2] and bysource: the
 * original tuple's plain inverse's (the PREROUTING null binding's used-tuple
 * test, and confirm's when no NAT applies), the reply with the last SNAT
 * range's address and the port kept (SNAT's first used-tuple test; the same
 * bucket as the inverse's when no SNAT is expected), and the source's
 * bysource chain (find_appropriate_src). */
static void nat_prefetch_buckets(const struct nf_ns *ns, const struct ct_tuple *orig,
				 struct nat_prefetch *pf)
{
	struct ct_tuple cand = *orig, reply;

	nat_invert(orig, &reply);
	pf->bucket[1] = ct_hash_bucket(ns, &reply);
	pf->bucket[2] = pf->bucket[1];
	if (ns->nat->hint_valid && !nat_in_range(orig, &ns->nat->hint_range)) {
		nat_find_best_ips(&cand, &ns->nat->hint_range, NAT_MANIP_SRC);
		nat_invert(&cand, &reply);
		pf->bucket[2] = ct_hash_bucket(ns, &reply);
	}
	pf->bysource = ns->nat->bysource ? nat_bysource_hash(ns, orig) : 0;
}

/* Hints for one new entry, after ct_in's lookup (changes nothing): the
 * other chains of nat_prefetch_buckets are stepped through side by side so
 * their misses overlap instead of following one another. */
void nat_prefetch_new(const struct nf_ns *ns, const struct ct_tuple *orig)
{
	struct nat_prefetch pf;
	const struct ct_tuple_node *n, *m;
	const struct ct_entry *e;

	nat_prefetch_buckets(ns, orig, &pf);
	if (!ns->nat->bysource) {	/* no NAT binding yet in this namespace */
		__builtin_prefetch(&ns->ct->buckets[pf.bucket[1]]);
		return;
	}
	n = ns->ct->buckets[pf.bucket[1]];
	m = pf.bucket[2] != pf.bucket[1] ? ns->ct->buckets[pf.bucket[2]] : NULL;
	e = ns->nat->bysource[pf.bysource];
	while (n || e || m) {
		if (n) {
			__builtin_prefetch(&ct_of_node(n)->timeout);
			n = n->next;
		}
		if (m) {
			__builtin_prefetch(&ct_of_node(m)->timeout);
			m = m->next;
		}
		if (e) {
			__builtin_prefetch(e);
			e = nat_bysource_next(e);
		}
	}
}

/* The same chains for a vector of new packets (bench_engine's new-flow
 * bursts, as a vector packet processor would feed them): at depth 0 the
 * buckets are hashed into pf, with the original tuple's own first (ct_in's
 * lookup that finds nothing walks it whole), and their heads fetched; at
 * depth d the d-th
 * node of each chain is fetched, the nodes before it having arrived in
 * earlier calls. Changes nothing. */
void nat_prefetch_flow(const struct nf_ns *ns, const struct ct_tuple *orig,
		       struct nat_prefetch *pf, unsigned depth)
{
	if (depth == 0) {
		pf->bucket[0] = ct_hash_bucket(ns, orig);
		nat_prefetch_buckets(ns, orig, pf);
		for (int k = 0; k < 3; k++)
			__builtin_prefetch(&ns->ct->buckets[pf->bucket[k]]);
		if (ns->nat->bysource)
			__builtin_prefetch(&ns->nat->bysource[pf->bysource]);
		return;
	}
	for (int k = 0; k < 3; k++) {
		const struct ct_tuple_node *n = ns->ct->buckets[pf->bucket[k]];

		for (unsigned d = 1; n && d < depth; d++)
			n = n->next;
		if (n) {
			__builtin_prefetch(n);
			__builtin_prefetch(&ct_of_node(n)->timeout);
		}
	}
	if (ns->nat->bysource) {
		const struct ct_entry *e = ns->nat->bysource[pf->bysource];

		for (unsigned d = 1; e && d < depth; d++)
			e = nat_bysource_next(e);
		if (e)
			__builtin_prefetch(e);
	}
}

/* get_random_u16() */
static inline uint16_t nat_random_u16(struct nf_ns *ns)
{
	return (uint16_t)(ns->env.random_u32(ns->env.ctx) & 0xffff);
}

/* nf_nat_l4proto_unique_tuple: search the port (ICMP id) range from an
 * offset: random for SNAT and --random, 0 for DNAT; min(range, 128) tries,
 * then rounds of half as many from a new random offset while the round size
 * is >= 16 and smaller than the range. Returns false when nothing was free
 * (the tuple is left at the last candidate, as the kernel leaves it). */
static bool nat_l4proto_unique_tuple(struct nf_ns *ns, struct ct_tuple *t,
				     const struct nf_nat_range2 *r, enum nat_manip manip,
				     const struct ct_entry *ct, nf_time now,
				     struct nat_outcome *out)
{
	unsigned range_size, min, max, i, attempts;
	uint16_t *key;
	uint16_t off;

	if (t->proto == 1) {
		key = &t->sport;
		if (!(r->flags & NF_NAT_RANGE_PROTO_SPECIFIED)) {
			min = 0;
			range_size = 65536;
		} else {
			min = r->min_port;
			range_size = (unsigned)r->max_port - r->min_port + 1;
		}
	} else if (nat_proto_has_ports(t->proto)) {
		key = manip == NAT_MANIP_SRC ? &t->sport : &t->dport;
		if (!(r->flags & NF_NAT_RANGE_PROTO_SPECIFIED)) {
			/* a destination's port is not changed without a range */
			if (manip == NAT_MANIP_DST) {
				out->reason = NAT_R_IN_RANGE_KEPT;
				return true;
			}
			if (*key < 1024) {
				/* loose convention: >= 512 is credential passing */
				if (*key < 512) {
					min = 1;
					range_size = 511;
				} else {
					min = 600;
					range_size = 1023 - 600 + 1;
				}
			} else {
				min = 1024;
				range_size = 65535 - 1024 + 1;
			}
		} else {
			min = r->min_port;
			max = r->max_port;
			if (max < min) {
				unsigned tmp = max;
				max = min;
				min = tmp;
			}
			range_size = max - min + 1;
		}
	} else {
		out->reason = NAT_R_NO_PORT;
		return true;
	}

	if ((r->flags & NF_NAT_RANGE_PROTO_RANDOM_ALL) || manip != NAT_MANIP_DST)
		off = nat_random_u16(ns);
	else
		off = 0;
	out->first_off = off;

	attempts = range_size < NAT_MAX_ATTEMPTS ? range_size : NAT_MAX_ATTEMPTS;
	for (;;) {
		for (i = 0; i < attempts; i++, off++) {
			*key = (uint16_t)(min + off % range_size);
			if (!nat_used_tuple(ns, t, ct, now)) {
				out->reason = NAT_R_PORT_SEARCHED;
				return true;
			}
		}
		if (attempts >= range_size || attempts < 16)
			break;
		attempts /= 2;
		off = nat_random_u16(ns);
	}
	out->reason = NAT_R_EXHAUSTED;
	return false;
}

/* get_unique_tuple: 1) SNAT without --random: keep the original if it lies
 * in the range and is free, else reuse the source's existing mapping;
 * 2) choose the address; 3) keep the per-proto part if in range and free (a
 * single-port range unchecked), else search it. */
static void nat_get_unique_tuple(struct nf_ns *ns, struct ct_tuple *tuple,
				 const struct ct_tuple *orig, const struct nf_nat_range2 *r,
				 struct ct_entry *ct, enum nat_manip manip, nf_time now,
				 struct nat_outcome *out)
{
	out->first_off = 0;
	if (manip == NAT_MANIP_SRC && !(r->flags & NF_NAT_RANGE_PROTO_RANDOM_ALL)) {
		if (nat_in_range(orig, r)) {
			if (!nat_used_tuple(ns, orig, ct, now)) {
				*tuple = *orig;
				out->reason = NAT_R_ORIGINAL_KEPT;
				return;
			}
		} else {
			/* a hint: the bucket step 3 checks first, fetched while
			 * the bysource chain is walked */
			struct ct_tuple cand = *orig, reply;

			ns->nat->hint_range = *r;
			ns->nat->hint_valid = true;
			nat_find_best_ips(&cand, r, manip);
			nat_invert(&cand, &reply);
			if (ns->ct->buckets)
				__builtin_prefetch(&ns->ct->buckets[ct_hash_bucket(ns, &reply)]);
			if (nat_find_appropriate_src(ns, orig, tuple, r) &&
			    !nat_used_tuple(ns, tuple, ct, now)) {
				out->reason = NAT_R_SAME_SOURCE;
				return;
			}
		}
	}

	*tuple = *orig;
	nat_find_best_ips(tuple, r, manip);

	if (!(r->flags & NF_NAT_RANGE_PROTO_RANDOM_ALL)) {
		if (r->flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
			if (nat_l4proto_in_range(tuple, manip, r->min_port, r->max_port)) {
				if (r->min_port == r->max_port) {
					out->reason = NAT_R_SINGLE_PORT;
					return;
				}
				if (!nat_used_tuple(ns, tuple, ct, now)) {
					out->reason = NAT_R_IN_RANGE_KEPT;
					return;
				}
			}
		} else if (!nat_used_tuple(ns, tuple, ct, now)) {
			out->reason = NAT_R_IN_RANGE_KEPT;
			return;
		}
	}
	nat_l4proto_unique_tuple(ns, tuple, r, manip, ct, now, out);
}

/* The packet walk's binding line, e.g.
 * "  POSTROUTING nat        SNAT to 1.2.3.4:600 (port searched from offset 1234)". */
static void nat_trace_binding(struct nf_ns *ns, const struct ct_entry *ct,
			      enum nat_manip manip, const char *label,
			      const struct nat_outcome *o)
{
	const struct ct_tuple *r = &ct->tuplehash[CT_DIR_REPLY].t;
	uint32_t addr = manip == NAT_MANIP_SRC ? r->dst : r->src;
	uint16_t port = manip == NAT_MANIP_SRC ? r->dport : r->sport;
	char a[NF_INET_ADDRSTRLEN], where[40], why[64];
	const char *kind = manip == NAT_MANIP_SRC ? "SNAT" : "DNAT";

	nf_inet_ntop4(addr, a);
	if (r->proto == 1)
		snprintf(where, sizeof(where), "%s id %u", a, r->sport);
	else if (nat_proto_has_ports(r->proto))
		snprintf(where, sizeof(where), "%s:%u", a, port);
	else
		snprintf(where, sizeof(where), "%s", a);
	switch (o->reason) {
	case NAT_R_ORIGINAL_KEPT: snprintf(why, sizeof(why), "original kept"); break;
	case NAT_R_SAME_SOURCE: snprintf(why, sizeof(why), "mapping of the same source reused"); break;
	case NAT_R_IN_RANGE_KEPT: snprintf(why, sizeof(why), "port kept"); break;
	case NAT_R_SINGLE_PORT: snprintf(why, sizeof(why), "single port, taken unchecked"); break;
	case NAT_R_NO_PORT: snprintf(why, sizeof(why), "address only"); break;
	case NAT_R_PORT_SEARCHED:
		snprintf(why, sizeof(why), "port searched from offset %u", o->first_off);
		break;
	case NAT_R_EXHAUSTED:
		snprintf(why, sizeof(why), "range exhausted, searched from offset %u; clash at confirm",
			 o->first_off);
		break;
	}
	if (label)
		nf_trace(ns, NF_TRACE_STEP "%s %s to %s (%s)", nf_hook_name(ns->cur_hook), "nat",
			 label, kind, where, why);
	else
		nf_trace(ns, NF_TRACE_STEP "%s to %s (%s)", nf_hook_name(ns->cur_hook), "nat", kind,
			 where, why);
}

/* nf_ct_nat_ext_add: the entry's NAT data, added on first use (no
 * MASQUERADE interface yet). NAT's type is registered with the namespace
 * (nat_net_init), so the slot exists. */
static struct nf_conn_nat *nf_ct_nat_ext_add(struct ct_entry *ct)
{
	struct nf_conn_nat *nat = nf_ct_nat_ext(ct);

	if (!nat) {
		nat = nf_ct_ext_add(ct, NF_CT_EXT_NAT);
		nat->masq_if = -1;
	}
	return nat;
}

/* nf_nat_setup_info, with the packet-walk label of the caller ("null" for a
 * null binding, "MASQUERADE"...). `stored` is the range recorded for --check. */
static int nat_setup(struct nf_ns *ns, struct ct_entry *ct, const struct nf_nat_range2 *range,
		     const struct ct_nat_range *stored, enum nat_manip manip,
		     const char *label, nf_time now)
{
	struct ct_tuple curr, new_tuple;
	struct nat_outcome outcome;

	if (ct->status & IPS_CONFIRMED)
		return NF_ACCEPT;	/* can't set up NAT for a confirmed entry */
	if (nat_initialized(ct, manip))
		return NF_DROP;		/* WARN_ON in the kernel */
	if (manip == NAT_MANIP_SRC && !nat_bysource_ensure(ns))
		return NF_DROP;

	/* what we have looks like the inverse of the reply (prior manips) */
	nat_invert(&ct->tuplehash[CT_DIR_REPLY].t, &curr);
	curr.dir = CT_DIR_ORIGINAL;
	curr.zone = ct->tuplehash[CT_DIR_ORIGINAL].t.zone;
	nat_get_unique_tuple(ns, &new_tuple, &curr, range, ct, manip, now, &outcome);

	if (!ct_tuple_equal(&new_tuple, &curr)) {
		struct ct_tuple reply;

		nat_invert(&new_tuple, &reply);
		reply.dir = CT_DIR_REPLY;
		reply.zone = ct->tuplehash[CT_DIR_REPLY].t.zone;	/* the entry's */
		ct->tuplehash[CT_DIR_REPLY].t = reply;	/* not hashed until confirm */
		ct->status |= manip == NAT_MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT;
		/* a helped entry may have its payload rewritten */
		if (nfct_help(ns, ct) && !nfct_seqadj(ns, ct))
			nfct_seqadj_ext_add(ns, ct);
	}
	nf_ct_nat_ext_add(ct)->range[manip] = *stored;

	if (manip == NAT_MANIP_SRC)
		nat_bysource_add(ns, ct);
	ct->status |= manip == NAT_MANIP_SRC ? IPS_SRC_NAT_DONE : IPS_DST_NAT_DONE;

	if (ns->env.trace) {
		if (label && !strcmp(label, "null") &&
		    !(ct->status & (manip == NAT_MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT)))
			nf_trace(ns, NF_TRACE_STEP "null %s binding (no nat rule bound it): %s kept",
				 nf_hook_name(ns->cur_hook), "nat",
				 manip == NAT_MANIP_SRC ? "SNAT" : "DNAT",
				 manip == NAT_MANIP_SRC ? "source" : "destination");
		else
			nat_trace_binding(ns, ct, manip, label, &outcome);
	}
	return NF_ACCEPT;
}

static void nat_store_range(struct ct_nat_range *s, const struct nf_nat_range2 *r)
{
	s->flags = r->flags;
	s->min_addr = r->min_addr.ip;
	s->max_addr = r->max_addr.ip;
	s->min_port = r->min_port;
	s->max_port = r->max_port;
}

int nat_setup_info(struct nf_ns *ns, struct ct_entry *ct, const struct nf_nat_range2 *range,
		   enum nat_manip manip, nf_time now)
{
	struct ct_nat_range stored;

	nat_store_range(&stored, range);
	return nat_setup(ns, ct, range, &stored, manip, NULL, now);
}

/* __nf_nat_alloc_null_binding: force the current address (from the reply
 * tuple, in case it was already mangled), let the port be made unique. */
int nat_setup_null_binding(struct nf_ns *ns, struct ct_entry *ct, enum nat_manip manip,
			   nf_time now)
{
	const struct ct_tuple *r = &ct->tuplehash[CT_DIR_REPLY].t;
	uint32_t ip = manip == NAT_MANIP_SRC ? r->dst : r->src;
	struct nf_nat_range2 range = { .flags = NF_NAT_RANGE_MAP_IPS, .min_addr.ip = ip,
				       .max_addr.ip = ip };
	struct ct_nat_range stored = { .flags = 0, .min_addr = ip, .max_addr = ip };

	return nat_setup(ns, ct, &range, &stored, manip, "null", now);
}

/* Index of an interface name in ns->nat->masq_ifnames (added if new); -1 if full. */
static int nat_masq_ifindex(struct nf_ns *ns, const char *name)
{
	unsigned i;

	for (i = 0; i < ns->nat->masq_nifnames; i++)
		if (!strncmp(ns->nat->masq_ifnames[i], name, sizeof(ns->nat->masq_ifnames[i])))
			return (int)i;
	if (ns->nat->masq_nifnames >= G_N_ELEMENTS(ns->nat->masq_ifnames))
		return -1;
	g_strlcpy(ns->nat->masq_ifnames[ns->nat->masq_nifnames], name, sizeof(ns->nat->masq_ifnames[0]));
	return (int)ns->nat->masq_nifnames++;
}

int nat_masquerade_ifindex(struct nf_ns *ns, const char *name)
{
	unsigned i;

	for (i = 0; i < ns->nat->masq_nifnames; i++)
		if (!strncmp(ns->nat->masq_ifnames[i], name, sizeof(ns->nat->masq_ifnames[i])))
			return (int)i;
	return -1;
}

/* nf_nat_masquerade_ipv4: SNAT to the out interface's primary address, the
 * rule's ports; remember the interface so its address loss flushes us. */
int nat_masquerade(struct nf_ns *ns, struct ct_entry *ct, const struct nf_nat_range2 *range,
		   const char *out, nf_time now)
{
	struct nf_nat_range2 nr;
	struct ct_nat_range stored;
	uint32_t newsrc;

	/* source 0.0.0.0: a local packet not meant to be masqueraded */
	if (ct->tuplehash[CT_DIR_ORIGINAL].t.src == 0)
		return NF_ACCEPT;
	newsrc = out && ns->env.if_addr ? ns->env.if_addr(ns->env.ctx, out) : 0;
	if (!newsrc)	/* 6.x: silent drop (older kernels: "%s ate my IP address") */
		return NF_DROP;
	nf_ct_nat_ext_add(ct)->masq_if = (int8_t)nat_masq_ifindex(ns, out);
	nr = *range;
	nr.flags |= NF_NAT_RANGE_MAP_IPS;
	nr.min_addr.ip = nr.max_addr.ip = newsrc;
	nat_store_range(&stored, &nr);
	return nat_setup(ns, ct, &nr, &stored, NAT_MANIP_SRC, "MASQUERADE", now);
}

/* nf_nat_redirect_ipv4: DNAT to the in interface's primary address
 * (127.0.0.1 for locally generated packets), ports from the range or kept. */
int nat_redirect(struct nf_ns *ns, struct ct_entry *ct, const struct nf_nat_range2 *range,
		 const char *in, enum nf_hook hook, nf_time now)
{
	struct nf_nat_range2 nr;
	struct ct_nat_range stored;
	uint32_t newdst;

	if (hook == NF_INET_LOCAL_OUT || !in) {
		newdst = 0x7f000001;
	} else {
		newdst = ns->env.if_addr ? ns->env.if_addr(ns->env.ctx, in) : 0;
		if (!newdst)
			return NF_DROP;
	}
	nr = *range;
	nr.flags |= NF_NAT_RANGE_MAP_IPS;
	nr.min_addr.ip = nr.max_addr.ip = newdst;
	nat_store_range(&stored, &nr);
	return nat_setup(ns, ct, &nr, &stored, NAT_MANIP_DST, "REDIRECT", now);
}
