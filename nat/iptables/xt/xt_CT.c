/* xt_CT.c - `-j CT --notrack` and the older `-j NOTRACK`.
 *
 * Mirrors libxt_CT.c (of CT's options natsim has --notrack; the others say
 * they are not implemented) and libxt_NOTRACK.c, and the kernel's
 * net/netfilter/xt_CT.c, which defines both targets: raw table only; the
 * packet leaves with the untracked entry (nf_ct_set(skb, NULL,
 * IP_CT_UNTRACKED)). iptables-nft lists both as CT ("CT notrack" /
 * "NOTRACK") and the kernel names each in its own log lines.
 */
#include "nat/conntrack/ct.h"
#include "nat/iptables/xt.h"

struct xt_ct {
	bool notrack;		/* --notrack given */
};

enum { O_NOTRACK };

static const struct xt_option ct_opts[] = {
	{ "notrack", 0, O_NOTRACK }, { "helper", 1, XT_OPT_UNIMPL },
	{ "ctevents", 1, XT_OPT_UNIMPL + 1 }, { "expevents", 1, XT_OPT_UNIMPL + 2 },
	{ "zone-orig", 1, XT_OPT_UNIMPL + 3 }, { "zone-reply", 1, XT_OPT_UNIMPL + 4 },
	{ "zone", 1, XT_OPT_UNIMPL + 5 }, { "timeout", 1, XT_OPT_UNIMPL + 6 }, { NULL, 0, 0 },
};

static int ct_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	(void)p;
	(void)id;
	(void)arg;
	((struct xt_ct *)data)->notrack = true;
	return 0;
}

static void ct_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	(void)data;
	(void)proto;
	(void)numeric;
	g_string_append(o, " CT notrack");
}

static void ct_save(GString *o, const void *data)
{
	(void)data;
	g_string_append(o, " --notrack");
}

static void notrack_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	(void)data;
	(void)proto;
	(void)numeric;
	g_string_append(o, " NOTRACK");
}

/* xt_ct_target_v0 with the notrack template / notrack_tg. */
static unsigned notrack_tg(struct xt_action_param *par, const void *data)
{
	(void)data;
	par->skb->ct = NULL;
	par->skb->ctinfo = IP_CT_UNTRACKED;
	return XT_CONTINUE;
}

const struct xt_ops xt_CT_ops = {
	.name = "CT", .kind = XT_TARGET, .size = sizeof(struct xt_ct),
	.opts = ct_opts, .parse = ct_parse, .print = ct_print, .save = ct_save,
	.target = notrack_tg, .table = "raw",
	.verdict = IPT_T_EXT, .trace = "NOTRACK, continue",
};

const struct xt_ops xt_NOTRACK_ops = {
	.name = "NOTRACK", .kind = XT_TARGET,
	.print = notrack_print, .target = notrack_tg, .table = "raw",
	.verdict = IPT_T_EXT, .column = "CT", .trace = "NOTRACK, continue",
};
