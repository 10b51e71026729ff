/* xt_TRACE.c - `-j TRACE`: mark the packet for tracing.
 *
 * Mirrors libxt_TRACE.c (no options; iptables-translate: "nftrace set 1")
 * and, for iptables-nft, the rule nft_compat makes of it on Debian 12:
 * `meta nftrace set 1`, valid in every table (the legacy xt_TRACE was
 * raw-only). The kernel sets skb->nf_trace and the walk goes on; the
 * trace lines are nf_tables' trace events, shown by `xtables-monitor
 * --trace` (ipt_trace.c) or `nft monitor trace`, never the kernel log.
 */
#include "nat/iptables/xt.h"

/* trace_tg / nft_meta_set_eval(NFT_META_NFTRACE) */
static unsigned trace_tg(struct xt_action_param *par, const void *data)
{
	(void)data;
	par->skb->nf_trace = 1;
	return XT_CONTINUE;
}

static bool trace_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	(void)r;
	(void)data;
	xt_xlate_add(xl, "nftrace set 1");
	return true;
}

/* iptables-nft 1.8.9 makes -j TRACE a native `meta nftrace set 1`. */
static void trace_nft_list(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	(void)r;
	(void)data;
	xt_xlate_add(xl, "meta nftrace set 1");
}

const struct xt_ops xt_TRACE_ops = {
	.name = "TRACE", .kind = XT_TARGET,
	.xlate = trace_xlate, .nft_list = trace_nft_list, .target = trace_tg,
	.verdict = IPT_T_EXT, .trace = "TRACE, continue",
};
