/* xt_TRACE.c - `-j TRACE`: mark the packet for tracing.
 *
 * Mirrors libxt_TRACE.c (no options; iptables-translate: "nftrace set 1")
 * and, for iptables-nft, the rule nft_compat makes of it on Debian 12:
 * `meta nftrace set 1`, valid in every table (the legacy xt_TRACE was
 * raw-only). The kernel sets skb->nf_trace and the walk goes on; the
 * trace lines are nf_tables' trace events, shown by `xtables-monitor
 * --trace` (ipt_trace.c) or `nft monitor trace`, never the kernel log.
 * iptables-legacy's is the kernel's xt_TRACE (.table = "raw"), whose
 * marked packets ip_tables.c's trace_packet logs (ipt_legacy_trace.c).
 */
#include <errno.h>

#include "nat/core/nf_ns.h"
#include "nat/iptables/ipt.h"
#include "nat/iptables/xt.h"

/* trace_tg / nft_meta_set_eval(NFT_META_NFTRACE) */
static unsigned trace_tg(struct xt_action_param *par, const void *data)
{
	(void)data;
	par->skb->nf_trace = 1;
	return XT_CONTINUE;
}

/* xt_check_target for the legacy set: xt_TRACE is raw's alone (x_tables'
 * refusal, as for any target with a .table); iptables-nft's is native. */
static int trace_check(const struct xt_check_param *par, const void *data, GString *klog)
{
	(void)data;
	if (!par->ns || !par->ns->ipt->legacy || par->table == IPT_RAW)
		return 0;
	g_string_printf(klog, "x_tables: ip_tables: TRACE target: only valid in raw table, not %s",
			ipt_table_name(par->table));
	return EINVAL;
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
	.checkentry = trace_check,
	.verdict = IPT_T_EXT, .trace = "TRACE, continue",
};
