/* ipt_trace.h - `xtables-monitor --trace`'s lines for ipt_do_table (ipt_trace.c). */
#ifndef NAT_IPTABLES_IPT_TRACE_H
#define NAT_IPTABLES_IPT_TRACE_H

#include "nat/core/nf_hook_ops.h"
#include "nat/iptables/ipt.h"

/* struct ipt_traceinfo: one base chain's walk of one packet. */
struct ipt_traceinfo {
	struct nf_skb *skb;
	const struct nf_hook_state *st;
	enum ipt_table_id table;
	const struct ipt_chain *base;
	bool dumped;		/* the PACKET line is out */
	bool nft_dumped;	/* and nft monitor trace's packet line */
};

void ipt_nftrace_begin(struct ipt_traceinfo *tr, struct nf_skb *skb, const struct nf_hook_state *st,
		     enum ipt_table_id table, const struct ipt_chain *base);
/* "TABLE:CHAIN:rule:0xHANDLE:VERDICT  -4 -t TABLE -A CHAIN ..." for rule r of
 * chain c, which matched and gave v (an enum nf_verdict, XT_CONTINUE, or
 * the rule's own jump, goto or RETURN). */
void ipt_nftrace_rule(struct ipt_traceinfo *tr, const struct ipt_chain *c, const struct ipt_rule *r,
		    unsigned v);
/* "TABLE:CHAIN:policy:ACCEPT|DROP " of the base chain. */
void ipt_nftrace_policy(struct ipt_traceinfo *tr);

/* ipt_legacy_trace.c: iptables-legacy's trace_packet, one kernel log line
 * "TRACE: TABLE:CHAIN:rule|policy|return:NUM IN=..." for entry NUM (from 1)
 * of chain c, which matched: rule r, or the chain's tail (r NULL: the
 * policy of a built-in chain, a user chain's RETURN). */
__attribute__((cold)) void ipt_legacy_trace(struct nf_ns *ns, const struct nf_skb *skb,
					   const struct nf_hook_state *st, enum ipt_table_id table,
					   const struct ipt_chain *c, unsigned num,
					   const struct ipt_rule *r);

#endif
