/* xt_CT.c - `-j CT --notrack`, `-j CT --helper NAME`, `-j CT --zone,
 * --zone-orig, --zone-reply N|mark`, `-j CT --timeout NAME` and the older
 * `-j NOTRACK`.
 *
 * Mirrors libxt_CT.c (of CT's options natsim has --notrack, --helper, the
 * zones and --timeout; the others say they are not implemented) and
 * libxt_NOTRACK.c,
 * and the
 * kernel's net/netfilter/xt_CT.c, which defines both targets: raw table
 * only; --notrack makes the packet leave with the untracked entry
 * (nf_ct_set(skb, NULL, IP_CT_UNTRACKED)), --helper attaches a template
 * whose helper the entry the packet creates gets (Linux 6.x's only way to
 * assign one). xt_ct_tg_check wants a protocol (`-p tcp`) and a helper of
 * that name and protocol, loading its module (request_module). A zone
 * (nf_ct_zone_init of the template: --zone for both directions,
 * --zone-orig/--zone-reply for one, `mark` for the packet's mark as id)
 * rides on the packet to nf_conntrack_in (ct_zone.h); a packet keeps the
 * first template it is given (xt_ct_target: an skb with an nfct is left
 * alone), and a CT rule without options gives an empty one. --timeout
 * NAME takes a reference on the `nfct timeout` policy NAME when the rule
 * is made (xt_ct_set_timeout: a protocol, a policy of that name, of IPv4
 * and of the rule's protocol's tracker; `nfct timeout delete` is EBUSY
 * while a rule holds it) and the entry the packet creates gets it
 * (nat/conntrack/ct_timeout.h). The rule as the kernel hands it back
 * (-S, -L, save) shows only the first 4 bytes of that name (seen with
 * iptables-nft on 6.18 and iptables-legacy on 6.1: `--timeout shor` for
 * `short`); the rule still uses the whole name. natsim
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
#include "nat/conntrack/ct_timeout.h"
#include "nat/conntrack/ct_zone.h"
#include "nat/iptables/xt.h"

struct xt_ct {
	bool notrack;		/* --notrack given */
	char helper[16];	/* --helper NAME, "" none */
	char timeout[32];	/* --timeout NAME, "" none (XT_CT's 32 bytes) */
	struct ctnl_timeout *tpol; /* its policy with a reference, once bound */
	uint16_t zone;		/* the zone id of the last --zone* given */
	uint8_t zone_flags;	/* NF_CT_ZONE_DIR_ORIG/REPL of --zone-orig/
				 * --zone-reply, NF_CT_ZONE_FLAG_MARK of `mark`
				 * (XT_CT_ZONE_DIR_* and XT_CT_ZONE_MARK) */
};

enum { O_NOTRACK, O_HELPER, O_ZONE_ORIG, O_ZONE_REPLY, O_ZONE, O_CTEVENTS, O_EXPEVENTS,
       O_TIMEOUT };

static const struct xt_option ct_opts[] = {
	{ "notrack", 0, O_NOTRACK }, { "helper", 1, O_HELPER },
	{ "zone-orig", 1, O_ZONE_ORIG }, { "zone-reply", 1, O_ZONE_REPLY },
	{ "zone", 1, O_ZONE }, { "ctevents", 1, XT_OPT_UNIMPL + 1 },
	{ "expevents", 1, XT_OPT_UNIMPL + 2 }, { "timeout", 1, O_TIMEOUT },
	{ NULL, 0, 0 },
};

/* ct_parse_v1's zone options: each adds its direction; the id (or `mark`)
 * of the last one given is the zone's (iptables 1.8.9 keeps one id). */
static int ct_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_ct *ct = data;
	unsigned long v;
	int rc;

	if (id == O_NOTRACK) {
		ct->notrack = true;
		return 0;
	}
	if (id == O_HELPER) {
		snprintf(ct->helper, sizeof(ct->helper), "%s", arg);
		return 0;
	}
	if (id == O_TIMEOUT) {	/* strncpy into XT_CT's timeout[32] */
		if ((rc = xt_once(p, "timeout", id)))
			return rc;
		snprintf(ct->timeout, sizeof(ct->timeout), "%s", arg);
		return 0;
	}
	rc = xt_once(p, ct_opts[id].name, id);
	if (rc)
		return rc;
	if (id == O_ZONE_ORIG)
		ct->zone_flags |= NF_CT_ZONE_DIR_ORIG;
	else if (id == O_ZONE_REPLY)
		ct->zone_flags |= NF_CT_ZONE_DIR_REPL;
	if (strcmp(arg, "mark") == 0) {
		ct->zone_flags |= NF_CT_ZONE_FLAG_MARK;
		return 0;
	}
	if (!xt_strtoul0(arg, UINT16_MAX, &v))
		return xt_err(p, "Cannot parse %s as a zone ID", arg);
	ct->zone = (uint16_t)v;
	return 0;
}

/* " zone 5", " zone-orig mark": what ct_print_v1/ct_save_v1 print when
 * the zone is not the default one. */
static void ct_zone_text(GString *o, const struct xt_ct *ct, const char *prefix)
{
	uint8_t dir = ct->zone_flags & NF_CT_DEFAULT_ZONE_DIR;

	if (!ct->zone && !(ct->zone_flags & NF_CT_ZONE_FLAG_MARK))
		return;
	g_string_append_printf(o, " %szone%s", prefix, dir == NF_CT_ZONE_DIR_ORIG ? "-orig" :
				dir == NF_CT_ZONE_DIR_REPL ? "-reply" : "");
	if (ct->zone_flags & NF_CT_ZONE_FLAG_MARK)
		g_string_append(o, " mark");
	else
		g_string_append_printf(o, " %u", ct->zone);
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
	if (ct->timeout[0])	/* the rule read back has 4 bytes of the name */
		g_string_append_printf(o, " timeout %.4s", ct->timeout);
	ct_zone_text(o, ct, "");
}

static void ct_save(GString *o, const void *data)
{
	const struct xt_ct *ct = data;

	if (ct->notrack)
		g_string_append(o, " --notrack");
	if (ct->helper[0])
		g_string_append_printf(o, " --helper %s", ct->helper);
	if (ct->timeout[0])	/* as ct_print */
		g_string_append_printf(o, " --timeout %.4s", ct->timeout);
	ct_zone_text(o, ct, "--");
}

/* xt_ct_set_timeout / nf_ct_set_timeout: a protocol, a policy of that
 * name (bound when the rule was made, ct_bind), of the rule's family and
 * protocol. A dry run's scratch table has no policies to ask. */
static int ct_check_timeout(const struct xt_check_param *par, const struct xt_ct *ct,
			    GString *klog)
{
	if (!par->ns)
		return 0;
	if (!par->rule->proto || par->rule->proto_inv) {
		g_string_assign(klog, "xt_CT: You must specify a L4 protocol and not use "
				      "inversions on it");
		return EINVAL;
	}
	if (!ct->tpol) {
		g_string_printf(klog, "No such timeout policy \"%s\"", ct->timeout);
		return ENOENT;
	}
	return nf_ct_timeout_check(ct->tpol, ct->timeout, 2, par->rule->proto, klog);
}

/* xt_ct_tg_check: nothing for --notrack; the helper (a protocol, and a
 * helper natsim has), then the timeout policy. */
static int ct_check(const struct xt_check_param *par, const void *data, GString *klog)
{
	const struct xt_ct *ct = data;
	unsigned port;
	char tail;

	if (ct->notrack)
		return 0;
	if (!ct->helper[0])
		return ct->timeout[0] ? ct_check_timeout(par, ct, klog) : 0;
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
	return ct->timeout[0] ? ct_check_timeout(par, ct, klog) : 0;
}

/* The policy a --timeout names, with a reference, when the rule is made
 * (nf_ct_timeout_find_get of xt_ct_set_timeout; --notrack takes none).
 * A missing one is the kernel's refusal, in ct_check. */
static int ct_bind(struct nf_ns *ns, void *data, GString *msg)
{
	struct xt_ct *ct = data;

	(void)msg;
	if (ct->timeout[0] && !ct->notrack && !ct->tpol)
		ct->tpol = nf_ct_timeout_find_get(ns, ct->timeout);
	return 0;
}

static void ct_copy(void *dst, const void *src)
{
	(void)src;
	if (((struct xt_ct *)dst)->tpol)
		nf_ct_timeout_get(((struct xt_ct *)dst)->tpol);
}

/* xt_ct_tg_destroy: nf_ct_destroy_timeout */
static void ct_destroy(void *data)
{
	struct xt_ct *ct = data;

	if (ct->tpol)
		nf_ct_timeout_put(ct->tpol);
	ct->tpol = NULL;
}

/* xt_ct_target: a packet without an nfct gets the rule's template (the
 * untracked entry for --notrack); the entry it creates gets the helper,
 * and its zone is looked up and created in (nf_conntrack_in's tmpl). */
static unsigned ct_tg(struct xt_action_param *par, const void *data)
{
	const struct xt_ct *ct = data;
	const struct nf_ct_helper *h;

	if (par->skb->ct || par->skb->ctinfo == IP_CT_UNTRACKED ||
	    (par->skb->ct_zone_flags & NF_CT_TMPL_ATTACHED))
		return XT_CONTINUE;
	if (ct->notrack) {
		par->skb->ct = NULL;
		par->skb->ctinfo = IP_CT_UNTRACKED;
		return XT_CONTINUE;
	}
	par->skb->ct_zone_flags = NF_CT_TMPL_ATTACHED;
	if (ct->zone || (ct->zone_flags & NF_CT_ZONE_FLAG_MARK)) {
		uint8_t dir = ct->zone_flags & NF_CT_DEFAULT_ZONE_DIR;

		par->skb->ct_zone = ct->zone;	/* nf_ct_flags_to_dir: none is both */
		par->skb->ct_zone_flags |= (dir ? dir : NF_CT_DEFAULT_ZONE_DIR) |
					   (ct->zone_flags & NF_CT_ZONE_FLAG_MARK);
	}
	par->skb->ct_timeout = ct->tpol;
	if (!ct->helper[0])
		return XT_CONTINUE;
	h = nf_ct_helper_get(par->ns, ct->helper, 6);
	if (!h)		/* tftp, or "tftp-1" of nf_conntrack_tftp ports=69,1069 */
		h = nf_ct_helper_get(par->ns, ct->helper, 17);
	par->skb->ct_helper = h;
	return XT_CONTINUE;
}

/* xt_ct_tg_check: every template but --notrack's takes conntrack
 * (nf_ct_netns_get), which a zone or a helper needs to act on. */
static bool ct_loads_ct(const void *data)
{
	return !((const struct xt_ct *)data)->notrack;
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

/* xlate_ct1_tg: only --notrack has an nft form (`notrack`); NOTRACK is
 * CT --notrack. */
static bool CT_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_ct *ct = data;
	(void)r;
	if (!ct->notrack)
		return false;
	xt_xlate_add(xl, "notrack");
	return true;
}

static bool NOTRACK_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	(void)r;
	(void)data;
	xt_xlate_add(xl, "notrack");
	return true;
}

const struct xt_ops xt_CT_ops = {
	.name = "CT", .kind = XT_TARGET, .size = sizeof(struct xt_ct),
	.xlate = CT_xlate,
	.opts = ct_opts, .parse = ct_parse, .print = ct_print, .save = ct_save,
	.bind = ct_bind, .copy = ct_copy, .destroy = ct_destroy,
	.target = ct_tg, .table = "raw", .checkentry = ct_check, .loads_ct = ct_loads_ct,
	.verdict = IPT_T_EXT, .trace = "CT, continue",
};

const struct xt_ops xt_NOTRACK_ops = {
	.name = "NOTRACK", .kind = XT_TARGET,
	.xlate = NOTRACK_xlate,
	.print = notrack_print, .target = notrack_tg, .table = "raw",
	.verdict = IPT_T_EXT, .column = "CT", .trace = "NOTRACK, continue",
};
