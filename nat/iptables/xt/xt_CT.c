/* xt_CT.c - `-j CT --notrack`, `-j CT --helper NAME` and the older
 * `-j NOTRACK`.
 *
 * Mirrors libxt_CT.c (of CT's options natsim has --notrack and --helper;
 * the others say they are not implemented) and libxt_NOTRACK.c, and the
 * kernel's net/netfilter/xt_CT.c, which defines both targets: raw table
 * only; --notrack makes the packet leave with the untracked entry
 * (nf_ct_set(skb, NULL, IP_CT_UNTRACKED)), --helper attaches a template
 * whose helper the entry the packet creates gets (Linux 6.x's only way to
 * assign one). xt_ct_tg_check wants a protocol (`-p tcp`) and a helper of
 * that name and protocol, loading its module (request_module): natsim
 * knows "ftp" and "ftp-PORT" for TCP and "tftp" and "tftp-INDEX" (of
 * nf_conntrack_tftp's ports=) for UDP, and loads
 * nf_conntrack_ftp (nf_conntrack_tftp) with the
 * first packet the rule sees if no modprobe did. iptables-nft lists both
 * targets as CT ("CT notrack" / "NOTRACK") and the kernel names each in
 * its own log lines.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_helper.h"
#include "nat/iptables/xt.h"

struct xt_ct {
	bool notrack;		/* --notrack given */
	char helper[16];	/* --helper NAME, "" none */
};

enum { O_NOTRACK, O_HELPER };

static const struct xt_option ct_opts[] = {
	{ "notrack", 0, O_NOTRACK }, { "helper", 1, O_HELPER },
	{ "ctevents", 1, XT_OPT_UNIMPL + 1 }, { "expevents", 1, XT_OPT_UNIMPL + 2 },
	{ "zone-orig", 1, XT_OPT_UNIMPL + 3 }, { "zone-reply", 1, XT_OPT_UNIMPL + 4 },
	{ "zone", 1, XT_OPT_UNIMPL + 5 }, { "timeout", 1, XT_OPT_UNIMPL + 6 }, { NULL, 0, 0 },
};

static int ct_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_ct *ct = data;

	(void)p;
	if (id == O_NOTRACK)
		ct->notrack = true;
	else
		snprintf(ct->helper, sizeof(ct->helper), "%s", arg);
	return 0;
}

static void ct_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_ct *ct = data;

	(void)proto;
	(void)numeric;
	g_string_append(o, " CT");
	if (ct->notrack)
		g_string_append(o, " notrack");
	if (ct->helper[0])
		g_string_append_printf(o, " helper %s", ct->helper);
}

static void ct_save(GString *o, const void *data)
{
	const struct xt_ct *ct = data;

	if (ct->notrack)
		g_string_append(o, " --notrack");
	if (ct->helper[0])
		g_string_append_printf(o, " --helper %s", ct->helper);
}

/* xt_ct_tg_check's helper part: a protocol, and a helper natsim has. */
static int ct_check(const struct xt_check_param *par, const void *data, GString *klog)
{
	const struct xt_ct *ct = data;
	unsigned port;
	char tail;

	if (!ct->helper[0] || ct->notrack)
		return 0;
	if (!par->rule->proto || par->rule->proto_inv) {
		g_string_assign(klog, "xt_CT: You must specify a L4 protocol and not use "
				      "inversions on it");
		return ENOENT;
	}
	if ((par->rule->proto != 6 || (strcmp(ct->helper, "ftp") != 0 &&
	    (sscanf(ct->helper, "ftp-%u%c", &port, &tail) != 1 || port > 65535))) &&
	    (par->rule->proto != 17 || (strcmp(ct->helper, "tftp") != 0 &&
	    (sscanf(ct->helper, "tftp-%u%c", &port, &tail) != 1 || port >= 8)))) {
		g_string_printf(klog, "xt_CT: No such helper \"%s\"", ct->helper);
		return ENOENT;
	}
	return 0;
}

/* xt_ct_target with a helper template: the entry this packet creates gets
 * the helper (nf_conntrack_in's tmpl). */
static unsigned ct_tg(struct xt_action_param *par, const void *data)
{
	const struct xt_ct *ct = data;
	const struct nf_ct_helper *h;

	if (ct->notrack || !ct->helper[0]) {
		par->skb->ct = NULL;
		par->skb->ctinfo = IP_CT_UNTRACKED;
		return XT_CONTINUE;
	}
	if (par->skb->ct)
		return XT_CONTINUE;
	h = nf_ct_helper_get(par->ns, ct->helper, 6);
	if (!h)		/* tftp, or "tftp-1" of nf_conntrack_tftp ports=69,1069 */
		h = nf_ct_helper_get(par->ns, ct->helper, 17);
	par->skb->ct_helper = h;
	return XT_CONTINUE;
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
	.target = ct_tg, .table = "raw", .checkentry = ct_check,
	.verdict = IPT_T_EXT, .trace = "CT, continue",
};

const struct xt_ops xt_NOTRACK_ops = {
	.name = "NOTRACK", .kind = XT_TARGET,
	.print = notrack_print, .target = notrack_tg, .table = "raw",
	.verdict = IPT_T_EXT, .column = "CT", .trace = "NOTRACK, continue",
};
