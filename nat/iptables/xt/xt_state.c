/* xt_state.c - `-m state --state LIST`.
 *
 * Mirrors libxt_state.c (parse through libxt_conntrack's state names,
 * errors, -L/-S text) and the kernel's net/netfilter/xt_state.c (state_mt:
 * the packet's conntrack state bit against the mask; it needs conntrack).
 * The state names and the packet's state bit are shared with -m conntrack
 * (xt.h), as libxt_state and libxt_conntrack share them.
 */
#include <string.h>

#include "nat/conntrack/ct.h"
#include "nat/iptables/xt.h"

/* XT_STATE_* bits. */
struct xt_state {
	uint8_t mask;
	bool set, inv;
};

enum { O_STATE };

static const struct xt_option state_opts[] = { { "state", 1, O_STATE }, { NULL, 0, 0 } };

/* state_parse_states / conntrack_ps_states: a comma list; -m state knows
 * the first five names, --ctstate also SNAT and DNAT. */
int xt_state_parse_list(struct xt_parse *p, const char *arg, bool ct, uint8_t *out)
{
	static const struct { const char *name; uint8_t bit; } names[] = {
		{ "INVALID", XT_STATE_INVALID }, { "ESTABLISHED", XT_STATE_ESTABLISHED },
		{ "NEW", XT_STATE_NEW }, { "RELATED", XT_STATE_RELATED },
		{ "UNTRACKED", XT_STATE_UNTRACKED }, { "SNAT", XT_STATE_SNAT },
		{ "DNAT", XT_STATE_DNAT },
	};
	gchar **parts = g_strsplit(arg, ",", -1);
	uint8_t v = 0;
	int rc = 0;
	for (unsigned i = 0; parts[i]; i++) {
		unsigned k, lim = ct ? G_N_ELEMENTS(names) : 5;
		for (k = 0; k < lim; k++)
			if (g_ascii_strcasecmp(parts[i], names[k].name) == 0)
				break;
		if (k == lim) {
			rc = xt_err(p, "Bad %s \"%s\"", ct ? "ctstate" : "state", parts[i]);
			break;
		}
		v |= names[k].bit;
	}
	g_strfreev(parts);
	*out = v;
	return rc;
}

/* The order iptables prints states in. */
void xt_state_print_list(GString *o, uint8_t mask)
{
	static const struct { uint8_t bit; const char *name; } order[] = {
		{ XT_STATE_INVALID, "INVALID" }, { XT_STATE_NEW, "NEW" },
		{ XT_STATE_RELATED, "RELATED" }, { XT_STATE_ESTABLISHED, "ESTABLISHED" },
		{ XT_STATE_UNTRACKED, "UNTRACKED" }, { XT_STATE_SNAT, "SNAT" },
		{ XT_STATE_DNAT, "DNAT" },
	};
	const char *sep = "";
	for (unsigned i = 0; i < G_N_ELEMENTS(order); i++) {
		if (mask & order[i].bit) {
			g_string_append_printf(o, "%s%s", sep, order[i].name);
			sep = ",";
		}
	}
}

/* XT_STATE_BIT(ctinfo), untracked, or invalid (no entry). */
unsigned xt_state_bit(const struct nf_skb *skb)
{
	if (skb->ct)
		return 1u << (skb->ctinfo % IP_CT_IS_REPLY + 1);
	if (skb->ctinfo == IP_CT_UNTRACKED)
		return XT_STATE_UNTRACKED;
	return XT_STATE_INVALID;
}

static int state_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_state *s = data;
	int rc = xt_once(p, "state", id);
	if (!rc)
		rc = xt_state_parse_list(p, arg, false, &s->mask);
	s->set = true;
	s->inv = p->invert;
	return rc;
}

static int state_final_check(struct xt_parse *p, const void *data)
{
	const struct xt_state *s = data;
	if (!s->set)
		return xt_err(p, "state: option \"--state\" must be specified\n");
	return 0;
}

static void state_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_state *s = data;
	(void)proto;
	(void)numeric;
	g_string_append_printf(o, " %sstate ", s->inv ? "! " : "");
	xt_state_print_list(o, s->mask);
}

static void state_save(GString *o, const void *data)
{
	const struct xt_state *s = data;
	g_string_append_printf(o, "%s --state ", s->inv ? " !" : "");
	xt_state_print_list(o, s->mask);
}

static bool state_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_state *s = data;
	return ((s->mask & xt_state_bit(par->skb)) != 0) != s->inv;
}

void xt_state_xlate_list(struct xt_xlate *xl, uint8_t mask, bool inv)
{
	static const struct { uint8_t bit; const char *name; } order[] = {
		{ XT_STATE_INVALID, "invalid" }, { XT_STATE_NEW, "new" },
		{ XT_STATE_RELATED, "related" }, { XT_STATE_ESTABLISHED, "established" },
		{ XT_STATE_UNTRACKED, "untracked" },
	};
	const char *sep = "";
	if (inv)
		xt_xlate_add(xl, "! ");
	for (unsigned i = 0; i < G_N_ELEMENTS(order); i++)
		if (mask & order[i].bit) {
			xt_xlate_add(xl, "%s%s", sep, order[i].name);
			sep = ",";
		}
}

/* state_xlate: `ct state` and the list. */
static bool state_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_state *s = data;
	(void)r;
	xt_xlate_add(xl, "ct state ");
	xt_state_xlate_list(xl, s->mask, s->inv);
	return true;
}

const struct xt_ops xt_state_ops = {
	.name = "state", .kind = XT_MATCH, .size = sizeof(struct xt_state),
	.xlate = state_xlate,
	.opts = state_opts, .parse = state_parse, .final_check = state_final_check,
	.print = state_print, .save = state_save,
	.match = state_mt, .needs_ct = true,
};
