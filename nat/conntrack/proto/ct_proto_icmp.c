/* ct_proto_icmp.c - the ICMP tracker: query/reply entries and errors.
 *
 * Mirrors nf_conntrack_proto_icmp.c. Echo, timestamp, information and
 * address-mask requests make entries keyed by id (request type in ORIGINAL,
 * reply type in REPLY), refreshed to icmp_timeout on every packet, never
 * ASSURED. Any other type makes no entry (invalid). ICMP errors make no
 * entry either: ct_icmp_error() finds the entry the embedded header belongs
 * to and the error is RELATED to it (nf_conntrack_icmpv4_error and
 * nf_conntrack_inet_error); when none matches it is counted as `error`.
 */
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_proto.h"
#include "nat/conntrack/ct_timeout.h"
#include "nat/conntrack/ct_zone.h"
#include "nat/core/nf_ns.h"

static enum ct_l4_verdict icmp_packet(struct nf_ns *ns, struct ct_entry *ct,
				      const struct ct_pkt *p, uint8_t ctinfo)
{
	uint8_t type = ct_tuple_icmp_type(&ct->tuplehash[CT_DIR_ORIGINAL].t);

	/* valid_new: only requests may open an entry */
	if (!(type == 8 || type == 13 || type == 15 || type == 17)) {
		ct_log_invalid(ns, 1, p->now, "can't create new conn with type %u", type);
		return CT_L4_INVALID;
	}
	const uint32_t *to = nf_ct_timeout_lookup(ns, ct, 1);

	ct_refresh_acct(ns, ct, p, ctinfo, (int32_t)(to ? to[0] : ns->ct->sysctl.icmp_timeout));
	return CT_L4_ACCEPT;
}

static bool icmp_is_err(uint8_t type)
{
	return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

int ct_icmp_error(struct nf_ns *ns, struct nf_skb *skb, const struct ct_pkt *p)
{
	const uint8_t *ih = p->ip + p->l4off;
	uint32_t icmplen = p->len - p->l4off;
	const uint8_t *inner;
	uint32_t inner_len;
	struct ct_tuple orig, inv;
	struct ct_tuple_node *h;
	struct ct_entry *ct;

	if (icmplen < 8) {
		ct_log_invalid(ns, 1, p->now, "short packet");
		return -1;
	}
	if (ns->ct->sysctl.ct_checksum && p->hook == NF_INET_PRE_ROUTING && !ct_l4_csum_ok(p, 1)) {
		ct_log_invalid(ns, 1, p->now, "bad hw icmp checksum");
		return -1;
	}
	if (ih[0] > 18) {	/* NR_ICMP_TYPES */
		ct_log_invalid(ns, 1, p->now, "invalid icmp type");
		return -1;
	}
	if (!icmp_is_err(ih[0]))
		return 1;

	/* the embedded packet: IP header + at least the first 8 bytes */
	inner = ih + 8;
	inner_len = icmplen - 8;
	if (inner_len < 20 || ((inner[6] & 0x1f) | inner[7]) != 0)
		return -1;	/* nf_ct_get_tuplepr: short, or a fragment */
	if (!ct_tuple_from_ip(inner, inner_len, &orig))
		return -1;
	/* "ordinarily we'd expect the inverted tuple, but it has been
	 * preserved inside the ICMP" */
	if (!ct_invert_tuple(&orig, &inv))
		return -1;
	inv.dir = CT_DIR_ORIGINAL;
	if (skb->ct_zone_flags & NF_CT_DEFAULT_ZONE_DIR) {
		/* nf_conntrack_inet_error looks up in the template's zone */
		uint16_t zid[CT_DIR_MAX];

		nf_ct_zone_tmpl_ids(skb, zid);
		inv.zone = zid[CT_DIR_ORIGINAL];
		h = ct_table_find_zone(ns, &inv, zid, p->now);
	} else {
		h = ct_table_find(ns, &inv, p->now);
	}
	if (!h)
		return -1;
	ct = ct_of_node(h);
	/* the outer destination must be where that direction goes */
	if (rd32(p->ip + 16) != ct->tuplehash[h->t.dir].t.dst) {
		ct_log_invalid(ns, 1, p->now, "outer daddr != inner");
		return -1;
	}
	skb->ct = ct;
	skb->ctinfo = h->t.dir == CT_DIR_REPLY ? IP_CT_RELATED_REPLY : IP_CT_RELATED;
	return 0;
}

const struct ct_l4proto ct_l4proto_icmp = {
	.proto = 1,
	.allow_clash = true,
	.packet = icmp_packet,
	.can_early_drop = NULL,
};
