/* ct_zone.h - conntrack zones (include/net/netfilter/nf_conntrack_zones.h).
 *
 * A zone is an id (0: the default zone) and the directions it applies to;
 * `-j CT --zone/--zone-orig/--zone-reply N|mark` attaches it to a packet
 * as part of the CT template. Design: natsim keeps no struct
 * nf_conntrack_zone in the entry (the entry's 176 bytes are full); each
 * stored tuple carries nf_ct_zone_id(zone, its direction) in
 * ct_tuple.zone, which is all hashing, lookups and `conntrack -L` need.
 * The packet's template rides in nf_skb.ct_zone / ct_zone_flags from the
 * raw table to nf_conntrack_in, which reads it once (zone 0 costs nothing
 * there but the test of ct_zone_flags).
 */
#ifndef NAT_CT_ZONE_H
#define NAT_CT_ZONE_H

#include <stdint.h>
#include "nat/conntrack/ct.h"

/* nf_skb.ct_zone_flags: the zone's directions (NF_CT_ZONE_DIR_ORIG/REPL,
 * both for --zone), its id taken from the packet's mark (NF_CT_FLAG_MARK),
 * and whether a CT template is attached at all (the first CT rule a packet
 * meets wins: xt_ct_target leaves a packet with an nfct alone). */
enum {
	NF_CT_ZONE_DIR_ORIG = 1 << CT_DIR_ORIGINAL,
	NF_CT_ZONE_DIR_REPL = 1 << CT_DIR_REPLY,
	NF_CT_DEFAULT_ZONE_DIR = NF_CT_ZONE_DIR_ORIG | NF_CT_ZONE_DIR_REPL,
	NF_CT_ZONE_FLAG_MARK = 1 << 2,
	NF_CT_TMPL_ATTACHED = 1 << 7,
};

/* nf_ct_zone_tmpl + nf_ct_zone_id for both directions: the zone id the
 * packet's template gives each direction (0 where it does not apply). */
static inline void nf_ct_zone_tmpl_ids(const struct nf_skb *skb, uint16_t zid[CT_DIR_MAX])
{
	uint16_t id = (skb->ct_zone_flags & NF_CT_ZONE_FLAG_MARK) ? (uint16_t)skb->mark
								   : skb->ct_zone;

	for (int d = 0; d < CT_DIR_MAX; d++)
		zid[d] = (skb->ct_zone_flags & (1 << d)) ? id : 0;
}

/* Lookup of a packet's tuple in its template's zone (t->zone is set to
 * the ORIGINAL id); ct_table.c. */
struct ct_tuple_node *ct_table_find_zone(struct nf_ns *ns, const struct ct_tuple *t,
					 const uint16_t zid[CT_DIR_MAX], nf_time now);

/* The zone a `conntrack -L` line names (ctnetlink_dump_zone_id): "zone"
 * for a zone of both directions, "zone-orig"/"zone-reply" for one; from
 * the ids the entry's tuples carry. */
static inline uint16_t nf_ct_zone_both(const struct ct_entry *ct)
{
	uint16_t o = ct->tuplehash[CT_DIR_ORIGINAL].t.zone;

	return o == ct->tuplehash[CT_DIR_REPLY].t.zone ? o : 0;
}

static inline uint16_t nf_ct_zone_only(const struct ct_entry *ct, enum ct_dir dir)
{
	uint16_t z = ct->tuplehash[dir].t.zone;

	return z != ct->tuplehash[!dir].t.zone ? z : 0;
}

/* The zone's id whatever its directions (nf_ct_zone(ct)->id): what
 * nf_ct_exp_zone_equal_any compares between a master and a new entry. */
static inline uint16_t nf_ct_zone_raw_id(const struct ct_entry *ct)
{
	uint16_t o = ct->tuplehash[CT_DIR_ORIGINAL].t.zone;

	return o ? o : ct->tuplehash[CT_DIR_REPLY].t.zone;
}

#endif
