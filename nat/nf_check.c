/* nf_check.c - `--check`: the conntrack invariants, listed below.
 *
 * Linux asserts none of this at run time; natsim checks after every packet
 * a router handles that the table is what the kernel's code guarantees:
 *   1. REPLY is the inverse of ORIGINAL except where NAT rewrote it: with
 *      IPS_SRC_NAT the reply's destination (and destination port / ICMP id)
 *      may differ, with IPS_DST_NAT the reply's source (and source port /
 *      ICMP id); protocol and ICMP type/code always invert exactly.
 *   2. Each tuple node sits in the chain its hash names, marked with its
 *      own direction.
 *   3. No tuple belongs to two entries (equal tuples hash alike, so each
 *      chain is checked pairwise).
 *   4. nf_conntrack_count equals the entries in the table and does not
 *      exceed nf_conntrack_max (unless the maximum was lowered under an
 *      older, larger table: Linux keeps those entries too).
 *   5. A NATed tuple lies in the range of the rule that bound it.
 *   6. The garbage collector's expiry index holds: no entry expires before
 *      the bound of a block or unit holding one of its tuples
 *      (nat/conntrack/ct_gc.h), and its cursor is at the start of a unit.
 * and, per packet sent, that its tuple is the one its entry expects.
 */
#include <stdio.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_proto.h"
#include "nat/core/nf_inet.h"
#include "nat/core/nf_ns.h"
#include "nat/iptables/ipt.h"
#include "nat/nf.h"
#include "nat/nf_nat/nat.h"

static void nf_check_name(const struct ct_entry *ct, char *buf, size_t n)
{
	const struct ct_tuple *t = &ct->tuplehash[CT_DIR_ORIGINAL].t;

	char s[NF_INET_ADDRSTRLEN], d[NF_INET_ADDRSTRLEN];

	nf_inet_ntop4(t->src, s);
	nf_inet_ntop4(t->dst, d);
	snprintf(buf, n, "proto %u %s:%u -> %s:%u", t->proto, s, t->sport, d, t->dport);
}

static bool nf_check_fail(GString *why, const struct ct_entry *ct, const char *what)
{
	char name[96];

	nf_check_name(ct, name, sizeof(name));
	g_string_append_printf(why, "--check: entry %s: %s\n", name, what);
	return false;
}

static bool nf_has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 33 || proto == 132 || proto == 136;
}

/* Invariant 1. */
static bool nf_check_inverse(const struct ct_entry *ct, GString *why)
{
	const struct ct_tuple *o = &ct->tuplehash[CT_DIR_ORIGINAL].t;
	const struct ct_tuple *r = &ct->tuplehash[CT_DIR_REPLY].t;
	struct ct_tuple inv;
	bool snat = ct->status & IPS_SRC_NAT, dnat = ct->status & IPS_DST_NAT;
	bool ok = true;

	if (!ct_invert_tuple(o, &inv))
		return nf_check_fail(why, ct, "ORIGINAL tuple has no inverse");
	if (r->proto != inv.proto)
		ok = false;
	if (!dnat && r->src != inv.src)
		ok = false;
	if (!snat && r->dst != inv.dst)
		ok = false;
	if (o->proto == 1) {
		if (r->dport != inv.dport)	/* type/code */
			ok = false;
		if (!snat && !dnat && r->sport != inv.sport)
			ok = false;
	} else {
		if (!dnat && r->sport != inv.sport)
			ok = false;
		if (!snat && r->dport != inv.dport)
			ok = false;
	}
	if (!ok)
		return nf_check_fail(why, ct, "REPLY tuple not the inverse of ORIGINAL");
	return true;
}

/* Invariant 5: the manipulated side of REPLY within the range NAT bound
 * it with (its extension's range[m]). */
static bool nf_check_range(const struct ct_entry *ct, GString *why)
{
	const struct ct_tuple *r = &ct->tuplehash[CT_DIR_REPLY].t;
	const struct nf_conn_nat *nat = nf_ct_nat_ext(ct);

	for (int m = 0; nat && m < 2; m++) {
		const struct ct_nat_range *range = &nat->range[m];
		uint32_t addr;
		uint16_t port;

		if (!(ct->status & (m == NAT_MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT)))
			continue;
		/* SNAT changed what the reply is sent to, DNAT what it comes from */
		addr = m == NAT_MANIP_SRC ? r->dst : r->src;
		if (r->proto == 1)
			port = r->sport;
		else
			port = m == NAT_MANIP_SRC ? r->dport : r->sport;
		if ((range->flags & NF_NAT_RANGE_MAP_IPS) &&
		    (addr < range->min_addr || addr > range->max_addr))
			return nf_check_fail(why, ct, m == NAT_MANIP_SRC ?
					     "SNAT address outside the rule's range" :
					     "DNAT address outside the rule's range");
		if ((range->flags & NF_NAT_RANGE_PROTO_SPECIFIED) &&
		    (nf_has_ports(r->proto) || r->proto == 1) &&
		    (port < range->min_port || port > range->max_port))
			return nf_check_fail(why, ct, m == NAT_MANIP_SRC ?
					     "SNAT port outside the rule's range" :
					     "DNAT port outside the rule's range");
	}
	return true;
}

struct nf_check_ctx {
	GString *why;
	bool ok;
	uint32_t entries;
	bool created_after_max;
	nf_time max_set_at;
};

static void nf_check_entry(struct nf_ns *ns, struct ct_entry *ct, void *arg)
{
	struct nf_check_ctx *c = arg;

	c->entries++;
	if (ct->start > c->max_set_at)
		c->created_after_max = true;
	if (!(ct->status & IPS_CONFIRMED))
		c->ok = nf_check_fail(c->why, ct, "entry in the table without IPS_CONFIRMED");
	if (!nf_check_inverse(ct, c->why))
		c->ok = false;
	if (!nf_check_range(ct, c->why))
		c->ok = false;
	for (int d = 0; d < CT_DIR_MAX; d++) {
		const struct ct_tuple_node *want = &ct->tuplehash[d];
		const struct ct_tuple_node *n = ns->ct->buckets[ct_hash_bucket(ns, &want->t)];

		if (want->t.dir != d) {
			c->ok = nf_check_fail(c->why, ct, "tuple marked with the wrong direction");
			continue;
		}
		while (n && n != want)
			n = n->next;
		if (!n)
			c->ok = nf_check_fail(c->why, ct, d == CT_DIR_ORIGINAL ?
					      "ORIGINAL tuple in wrong bucket" :
					      "REPLY tuple in wrong bucket");
	}
}

bool nf_check_invariants(struct nf_ns *ns, nf_time now, GString *why)
{
	struct nf_check_ctx c = { .why = why, .ok = true, .max_set_at = ns->ct->max_set_at };
	uint32_t nodes = 0, clash = 0;	/* clash: entries in by their REPLY tuple only */

	(void)now;
	ct_table_foreach(ns, nf_check_entry, &c);

	/* invariant 3 (and a node count: every node belongs to a counted
	 * entry), and 6 */
	for (uint32_t b = 0; b < ns->ct->sysctl.ct_buckets; b++) {
		const struct ct_gc_index *x = &ns->ct->gc_index;

		for (const struct ct_tuple_node *n = ns->ct->buckets[b]; n; n = n->next) {
			nf_time timeout = ct_of_node(n)->timeout;

			nodes++;
			if (n->t.dir == CT_DIR_REPLY && (ct_of_node(n)->status & IPS_NAT_CLASH))
				clash++;	/* nf_ct_resolve_clash_harder's loser */
			if (ct_hash_bucket(ns, &n->t) != b)
				c.ok = nf_check_fail(why, ct_of_node(n), "tuple in wrong bucket");
			if (timeout < x->block_min[b >> x->block_shift] ||
			    timeout < x->unit_min[b / x->unit])
				c.ok = nf_check_fail(why, ct_of_node(n),
						     "expires before its gc index bound");
			for (const struct ct_tuple_node *m = n->next; m; m = m->next)
				if (ct_tuple_equal(&n->t, &m->t) && ct_of_node(n) != ct_of_node(m)) {
					c.ok = nf_check_fail(why, ct_of_node(n),
							     "tuple also belongs to another entry");
				}
		}
	}
	if (ns->ct->gc_next_bucket % ns->ct->gc_index.unit) {
		g_string_append_printf(why, "--check: gc cursor %u not at a unit of %u buckets\n",
				       ns->ct->gc_next_bucket, ns->ct->gc_index.unit);
		c.ok = false;
	}
	/* invariant 4 */
	if (nodes != 2 * c.entries + clash || ns->ct->count != c.entries + clash) {
		g_string_append_printf(why, "--check: count %u != %u entries in the table "
				       "(%u tuple nodes)\n", ns->ct->count, c.entries + clash, nodes);
		c.ok = false;
	}
	if (ns->ct->sysctl.ct_max && ns->ct->count > ns->ct->sysctl.ct_max && c.created_after_max) {
		g_string_append_printf(why, "--check: count %u exceeds nf_conntrack_max %u\n",
				       ns->ct->count, ns->ct->sysctl.ct_max);
		c.ok = false;
	}
	return c.ok;
}

bool nf_check_packet(struct nf_ns *ns, const struct nf_skb *skb, GString *why)
{
	const struct ct_entry *ct = skb->ct;
	struct ct_tuple pt, want;
	int d;

	(void)ns;
	if (!ct || skb->ctinfo == IP_CT_RELATED || skb->ctinfo == IP_CT_RELATED_REPLY)
		return true;	/* untracked, or an ICMP error (checked inside by NAT) */
	if (!ct_tuple_from_ip(skb->ip, skb->len, &pt))
		return true;
	d = ct_info_dir(skb->ctinfo);
	if (!ct_invert_tuple(&ct->tuplehash[!d].t, &want))
		return true;
	if (!ct_tuple_equal(&pt, &want)) {
		char name[96];

		nf_check_name(ct, name, sizeof(name));
		g_string_append_printf(why, "--check: entry %s: packet sent in the %s direction "
				       "does not carry the entry's tuple\n", name,
				       d == CT_DIR_ORIGINAL ? "ORIGINAL" : "REPLY");
		return false;
	}
	return true;
}
