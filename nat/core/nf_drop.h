/* nf_drop.h - why netfilter dropped a packet, as a value.
 *
 * Design: the kernel's enum skb_drop_reason (include/net/dropreason-core.h)
 * for the netfilter part: the place that decides a drop writes its reason
 * into the packet (struct nf_skb's drop_reason) once, and everybody who
 * reports the drop (the packet walk, --report, the simulator's drop probe)
 * reads it there instead of working it out again from counters that moved.
 * nf_hook() clears it on entry and, for a DROP or REJECT verdict that no
 * deeper stage explained, sets NF_DROP_REASON_NETFILTER_DROP or
 * NF_DROP_REASON_REJECT, as nf_hook_slow() gives kfree_skb_reason()
 * SKB_DROP_REASON_NETFILTER_DROP.
 */
#ifndef NAT_NF_DROP_H
#define NAT_NF_DROP_H

enum nf_drop_reason {
	NF_DROP_REASON_NONE = 0,	/* not dropped (or not by netfilter) */
	NF_DROP_REASON_NETFILTER_DROP,	/* a verdict: a rule, a policy, NAT */
	NF_DROP_REASON_REJECT,		/* a REJECT rule (answered, then dropped) */
	NF_DROP_REASON_CT_TABLE_FULL,	/* conntrack: nf_conntrack_max, no early drop */
	NF_DROP_REASON_CT_TRACKER,	/* conntrack: the protocol tracker said drop */
	NF_DROP_REASON_CT_INSERT_FAILED, /* conntrack: tuple clash at confirm */
};

#endif
