/* nft_trace_xt.c - `nft monitor trace`'s lines for iptables-nft's rules.
 *
 * On Debian 12 iptables' rules are nf_tables rules: a packet marked by
 * `-j TRACE` (or by an nft chain's `meta nftrace set 1`) sends the kernel's
 * trace events from them as from nft's own (nf_tables_trace.c), and nft
 * prints those as it prints any: `trace id ID ip filter INPUT packet:
 * ...`, `... rule udp dport 7 counter packets 0 bytes 0 accept (verdict
 * accept)` with the rule in nft's decoding of iptables' expressions (as
 * `nft list` shows it, nft_list_xt.c), `... policy accept `.
 *
 * Design: ipt_trace.c finds the events (the rules that matched, the
 * policies) for xtables-monitor's lines and calls this through
 * ns->xt_nft_trace for nft's; the lines go to the env's xt_trace with
 * xtables-monitor's, and the simulator gives those that start with
 * "trace id " to a running `nft monitor trace` (sim/shell/xtables_monitor.c).
 */
#include "nat/core/nf_ns.h"
#include "nat/core/nf_trace_id.h"
#include "nat/iptables/ipt.h"
#include "nat/iptables/ipt_trace.h"
#include "nat/iptables/xt.h"
#include "nat/nftables/nft_int.h"
#include "nat/nftables/nft_list_xt.h"
#include "nat/nftables/nft_trace.h"

static void emit(const struct ipt_traceinfo *tr, GString *s)
{
	const struct nf_env *env = &tr->st->net->env;
	g_string_append_c(s, '\n');
	env->xt_trace(env->ctx, tr->st->now, s->str);
	g_string_truncate(s, 0);
}

/* The event's verdict as nft names it (netlink_events_trace_cb: the
 * verdict expression's text). */
static void verdict(GString *s, const struct ipt_rule *r, unsigned v)
{
	switch (r->target) {
	case IPT_T_NONE: g_string_append(s, "continue"); return;
	case IPT_T_ACCEPT: g_string_append(s, "accept"); return;
	case IPT_T_DROP: g_string_append(s, "drop"); return;
	case IPT_T_RETURN: g_string_append(s, "return"); return;
	case IPT_T_JUMP: g_string_append_printf(s, "jump %s", r->jump->name); return;
	case IPT_T_GOTO: g_string_append_printf(s, "goto %s", r->jump->name); return;
	default:
		g_string_append(s, v == XT_CONTINUE ? "continue" : v == NF_ACCEPT ? "accept" : "drop");
	}
}

void nft_trace_xt(void *tp, const void *chain, const void *rule, unsigned v)
{
	struct ipt_traceinfo *tr = tp;
	const struct ipt_chain *c = chain;
	const struct ipt_rule *r = rule;
	uint32_t id = nf_trace_id(tr->st->net, tr->skb);
	const char *table = ipt_table_name(tr->table);
	GString *s = g_string_new(NULL);
	if (!tr->nft_dumped) {
		/* the first event of a base chain's walk carries the headers */
		tr->nft_dumped = true;
		g_string_append_printf(s, "trace id %08x ip %s %s ", id, table, tr->base->name);
		nft_trace_packet(s, tr->skb, tr->st, false);
		emit(tr, s);
	}
	g_string_append_printf(s, "trace id %08x ip %s %s ", id, table, c->name);
	if (r) {
		g_string_append(s, "rule ");
		/* the counters of nft's cache (nft_trace_cache.c), else 0 */
		const struct ipt_table *t = &tr->st->net->ipt->tables[tr->table];
		const GArray *cached = nft_trace_cached(tr->st->net->nft, "ip", table, t->nft_handle,
							r->handle);
		nft_xt_rule_traced(s, r, cached ? g_array_index(cached, uint64_t, 0) : 0,
				   cached ? g_array_index(cached, uint64_t, 1) : 0);
		g_string_append(s, " (verdict ");
		verdict(s, r, v);
		g_string_append_c(s, ')');
	} else {
		g_string_append_printf(s, "policy %s ", tr->base->policy == NF_DROP ? "drop" : "accept");
		if (tr->skb->mark)
			g_string_append_printf(s, "meta mark 0x%08x ", tr->skb->mark);
	}
	emit(tr, s);
	g_string_free(s, TRUE);
}
