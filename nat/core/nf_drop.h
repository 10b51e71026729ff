/* nf_drop.h - why netfilter dropped a packet (enum nf_drop_reason).
 *
 * The op that returns NF_DROP (or NF_REJECT) says why in skb->drop_reason,
 * where the decision is made, as the kernel's skb drop reasons
 * (SKB_DROP_REASON_NETFILTER_DROP and friends) travel with the skb: the
 * simulator reads it instead of guessing from counters. nf_hook() clears it
 * on entry; it stays NONE for an accepted packet.
 */
#ifndef NAT_CORE_NF_DROP_H
#define NAT_CORE_NF_DROP_H

enum nf_drop_reason {
	NF_DROP_REASON_NONE = 0,
	NF_DROP_REASON_RULE,		/* a rule's DROP, a chain's DROP policy */
	NF_DROP_REASON_REJECT,		/* a REJECT rule (answered, then dropped) */
	NF_DROP_REASON_RULE_HOTDROP,	/* a match found the header truncated (hotdrop) */
	NF_DROP_REASON_CT_TABLE_FULL,	/* nf_conntrack_max reached, no early drop possible */
	NF_DROP_REASON_CT_CLASH,	/* insert_failed at confirm (unresolved tuple clash) */
	NF_DROP_REASON_CT_TRACKER,	/* the protocol tracker said drop */
	NF_DROP_REASON_NAT,		/* NAT failed: MASQUERADE's interface has no address
					 * or changed, REDIRECT without an address, ICMP
					 * error translation failed, a mangled header */
	NF_DROP_REASON_HOOK,		/* another hook user (a registered op) dropped it */
	NF_DROP_REASON_MAX,
};

#endif
