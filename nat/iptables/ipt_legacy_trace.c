/* ipt_legacy_trace.c - iptables-legacy's TRACE lines in the kernel log.
 *
 * Mirrors ip_tables.c's trace_packet and get_chainname_rulenum: for a
 * packet whose nf_trace bit is set, ipt_do_table writes one line through
 * nf_log_trace for every entry it matched, before that entry's target
 * runs (so a TRACE rule's own entry is not traced for the packet it
 * marks): "TRACE: TABLE:CHAIN:COMMENT:NUM " then the packet as LOG prints
 * it with NF_LOG_DEFAULT_MASK (TCP sequence and options, IP options, the
 * socket's UID/GID). NUM counts the chain's entries from 1; a chain's tail
 * entry (its policy, or a user chain's RETURN) is NUM = rules + 1. The
 * comment is "rule", except for an entry that is unconditional (no
 * -s/-d/-i/-o/-p, no match) with a standard verdict (ACCEPT, DROP, RETURN):
 * the kernel cannot tell it from a chain's tail, and calls it "policy" in
 * a built-in chain and "return" in a user chain, an ordinary rule
 * `-A INPUT -j ACCEPT` included (measured on Linux 6.18, iptables 1.8.9).
 * iptables-nft's TRACE is nf_tables' (ipt_trace.c); these lines are only
 * the legacy set's.
 */
#include <stdio.h>
#include <string.h>

#include "nat/core/nf_ns.h"
#include "nat/iptables/ipt.h"
#include "nat/iptables/ipt_trace.h"
#include "nat/iptables/nf_log.h"

/* NF_LOG_DEFAULT_MASK: TCPSEQ | TCPOPT | IPOPT | UID */
#define IPT_TRACE_LOGFLAGS 0x0f

/* unconditional(): the entry's ipt_ip is all zeroes and it has no match */
static bool ipt_rule_unconditional(const struct ipt_rule *r)
{
	static const union nf_inet_addr zero;

	return !r->nmatches && !r->in[0] && !r->out[0] && !r->in_inv && !r->out_inv &&
	       !r->proto && !r->proto_inv && !r->src_inv && !r->dst_inv &&
	       !memcmp(&r->smsk, &zero, sizeof(zero)) && !memcmp(&r->dmsk, &zero, sizeof(zero));
}

void ipt_legacy_trace(struct nf_ns *ns, const struct nf_skb *skb, const struct nf_hook_state *st,
		      enum ipt_table_id table, const struct ipt_chain *c, unsigned num,
		      const struct ipt_rule *r)
{
	const char *comment = "rule";
	char prefix[128];

	if (!r)
		comment = c->builtin ? "policy" : "return";
	else if ((r->target == IPT_T_ACCEPT || r->target == IPT_T_DROP ||
		  r->target == IPT_T_RETURN) && ipt_rule_unconditional(r))
		comment = c->builtin ? "policy" : "return";
	snprintf(prefix, sizeof(prefix), "TRACE: %s:%s:%s:%u ", ipt_table_name(table), c->name,
		 comment, num);
	nf_log_ip_packet_flags(ns, skb, st->in, st->out, prefix, IPT_TRACE_LOGFLAGS, st->now);
}
