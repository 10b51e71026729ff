/* xt_conntrack.c - `-m conntrack --ctstate LIST` (SNAT and DNAT too).
 *
 * Mirrors libxt_conntrack.c (revision 3's options, of which natsim has
 * --ctstate; the others say so) and the kernel's
 * net/netfilter/xt_conntrack.c (conntrack_mt: the state bit, plus SNAT /
 * DNAT from the entry's status). Needs conntrack.
 */
#include <string.h>

#include "nat/conntrack/ct.h"
#include "nat/iptables/xt.h"

struct xt_conntrack {
	uint8_t mask;		/* XT_STATE_* */
	bool set, inv;
};

enum { O_CTSTATE };

static const struct xt_option conntrack_opts[] = {
	{ "ctstate", 1, O_CTSTATE }, { "ctproto", 1, XT_OPT_UNIMPL },
	{ "ctorigsrc", 1, XT_OPT_UNIMPL + 1 }, { "ctorigdst", 1, XT_OPT_UNIMPL + 2 },
	{ "ctreplsrc", 1, XT_OPT_UNIMPL + 3 }, { "ctrepldst", 1, XT_OPT_UNIMPL + 4 },
	{ "ctorigsrcport", 1, XT_OPT_UNIMPL + 5 }, { "ctorigdstport", 1, XT_OPT_UNIMPL + 6 },
	{ "ctreplsrcport", 1, XT_OPT_UNIMPL + 7 }, { "ctrepldstport", 1, XT_OPT_UNIMPL + 8 },
	{ "ctstatus", 1, XT_OPT_UNIMPL + 9 }, { "ctexpire", 1, XT_OPT_UNIMPL + 10 },
	{ "ctdir", 1, XT_OPT_UNIMPL + 11 }, { NULL, 0, 0 },
};

static int conntrack_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_conntrack *c = data;
	int rc = xt_once(p, "ctstate", id);
	if (!rc)
		rc = xt_state_parse_list(p, arg, true, &c->mask);
	c->set = true;
	c->inv = p->invert;
	return rc;
}

static int conntrack_final_check(struct xt_parse *p, const void *data)
{
	const struct xt_conntrack *c = data;
	if (!c->set)
		return xt_err(p, "conntrack: At least one option is required");
	return 0;
}

static void conntrack_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_conntrack *c = data;
	(void)proto;
	(void)numeric;
	if (c->set) {
		g_string_append_printf(o, " %sctstate ", c->inv ? "! " : "");
		xt_state_print_list(o, c->mask);
	}
}

static void conntrack_save(GString *o, const void *data)
{
	const struct xt_conntrack *c = data;
	if (c->set) {
		g_string_append_printf(o, "%s --ctstate ", c->inv ? " !" : "");
		xt_state_print_list(o, c->mask);
	}
}

static bool conntrack_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_conntrack *c = data;
	const struct nf_skb *skb = par->skb;
	unsigned bit = xt_state_bit(skb);
	if (!c->set)
		return true;
	if (skb->ct) {
		if (skb->ct->status & IPS_SRC_NAT)
			bit |= XT_STATE_SNAT;
		if (skb->ct->status & IPS_DST_NAT)
			bit |= XT_STATE_DNAT;
	}
	return ((c->mask & bit) != 0) != c->inv;
}

const struct xt_ops xt_conntrack_ops = {
	.name = "conntrack", .kind = XT_MATCH, .size = sizeof(struct xt_conntrack),
	.opts = conntrack_opts, .parse = conntrack_parse, .final_check = conntrack_final_check,
	.print = conntrack_print, .save = conntrack_save,
	.match = conntrack_mt, .needs_ct = true,
};
