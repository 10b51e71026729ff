/* ct_proto_generic.c - every other protocol: one timeout; and GRE.
 *
 * Mirrors nf_conntrack_proto_generic.c (generic_timeout, 600 s, addresses
 * only) and nf_conntrack_proto_gre.c without PPTP keys (keys 0): 30 s until
 * a reply is seen, then gre_timeout_stream (180 s) and ASSURED. SCTP, DCCP
 * and UDP-Lite have their own trackers in Linux; natsim tracks them
 * generically (their ports are kept in the tuple).
 */
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_proto.h"
#include "nat/conntrack/ct_timeout.h"
#include "nat/core/nf_ns.h"

static enum ct_l4_verdict generic_packet(struct nf_ns *ns, struct ct_entry *ct,
					 const struct ct_pkt *p, uint8_t ctinfo)
{
	const uint32_t *to = nf_ct_timeout_lookup(ns, ct, 255);

	ct_refresh_acct(ns, ct, p, ctinfo, (int32_t)(to ? to[0] : ns->ct->sysctl.generic_timeout));
	return CT_L4_ACCEPT;
}

static enum ct_l4_verdict gre_packet(struct nf_ns *ns, struct ct_entry *ct,
				     const struct ct_pkt *p, uint8_t ctinfo)
{
	const uint32_t *to = nf_ct_timeout_lookup(ns, ct, 47);

	if (ct->status & IPS_SEEN_REPLY) {
		ct_refresh_acct(ns, ct, p, ctinfo,
				(int32_t)(to ? to[1] : ns->ct->sysctl.gre_timeout_stream));
		if (!(ct->status & IPS_ASSURED)) {
			ct->status |= IPS_ASSURED;
			ct_event_cache(ct, IPCT_ASSURED);
		}
	} else {
		ct_refresh_acct(ns, ct, p, ctinfo, (int32_t)(to ? to[0] : ns->ct->sysctl.gre_timeout));
	}
	return CT_L4_ACCEPT;
}

const struct ct_l4proto ct_l4proto_generic = {
	.proto = 255,
	.allow_clash = true,
	.packet = generic_packet,
	.can_early_drop = NULL,
};

const struct ct_l4proto ct_l4proto_gre = {
	.proto = 47,
	.allow_clash = true,
	.packet = gre_packet,
	.can_early_drop = NULL,
};

const struct ct_l4proto *ct_l4proto_find(uint8_t proto)
{
	switch (proto) {
	case 6: return &ct_l4proto_tcp;
	case 17: return &ct_l4proto_udp;
	case 1: return &ct_l4proto_icmp;
	case 47: return &ct_l4proto_gre;
	default: return &ct_l4proto_generic;
	}
}
