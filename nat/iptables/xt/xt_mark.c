/* xt_mark.c - `-m mark [!] --mark VALUE[/MASK]`.
 *
 * Mirrors libxt_mark.c (revision 1: XTTYPE_MARKMASK32, numbers in C
 * notation, -S and -L print hex and the mask only when it is not
 * 0xffffffff) and the kernel's net/netfilter/xt_mark.c (mark_mt:
 * (skb->mark & mask) == mark, the value kept as given).
 */
#include <stdlib.h>
#include <string.h>

#include "nat/iptables/xt.h"

struct xt_mark_mtinfo {
	uint32_t mark, mask;
	bool invert;
};

enum { O_MARK };

static const struct xt_option mark_mt_opts[] = { { "mark", 1, O_MARK }, { NULL, 0, 0 } };

/* xtables_parse_mark_mask: VALUE[/MASK], each a C number up to 2^32-1. */
static bool mark_parse_u32(const char *s, const char **rest, uint32_t *out)
{
	char *end;
	if (!g_ascii_isdigit(*s))
		return false;
	unsigned long long v = strtoull(s, &end, 0);
	if (v > 0xffffffffull)
		return false;
	*out = (uint32_t)v;
	*rest = end;
	return true;
}

static int mark_mt_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_mark_mtinfo *m = data;
	int rc = xt_once(p, "mark", id);
	if (rc)
		return rc;
	const char *rest;
	m->mask = 0xffffffffu;
	if (!mark_parse_u32(arg, &rest, &m->mark) ||
	    (*rest == '/' && (!mark_parse_u32(rest + 1, &rest, &m->mask) || *rest)) ||
	    (*rest && *rest != '/'))
		return xt_err(p, "mark: bad integer value for option \"--mark\", or out of range.\n");
	m->invert = p->invert;
	return 0;
}

static int mark_mt_final_check(struct xt_parse *p, const void *data)
{
	(void)data;
	if (!(*p->once & (1u << O_MARK)))
		return xt_err(p, "mark: option \"--mark\" must be specified\n");
	return 0;
}

static void mark_mt_value(GString *o, const struct xt_mark_mtinfo *m)
{
	g_string_append_printf(o, " 0x%x", m->mark);
	if (m->mask != 0xffffffffu)
		g_string_append_printf(o, "/0x%x", m->mask);
}

static void mark_mt_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_mark_mtinfo *m = data;
	(void)proto;
	(void)numeric;
	g_string_append_printf(o, " mark match%s", m->invert ? " !" : "");
	mark_mt_value(o, m);
}

static void mark_mt_save(GString *o, const void *data)
{
	const struct xt_mark_mtinfo *m = data;
	g_string_append_printf(o, "%s --mark", m->invert ? " !" : "");
	mark_mt_value(o, m);
}

/* mark_mt */
static bool mark_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_mark_mtinfo *m = data;
	return ((par->skb->mark & m->mask) == m->mark) != m->invert;
}

/* mark_mt_xlate / print_mark_xlate: `mark and MASK ==|!= VALUE` when
 * masked, else `mark [!= ]VALUE`. */
static bool mark_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_mark_mtinfo *m = data;
	(void)r;
	xt_xlate_add(xl, "mark");
	if (m->mask != 0xffffffffu)
		xt_xlate_add(xl, " and 0x%x %s 0x%x", m->mask, m->invert ? "!=" : "==", m->mark);
	else
		xt_xlate_add(xl, " %s0x%x", m->invert ? "!= " : "", m->mark);
	return true;
}

/* add_nft_mark (iptables-nft 1.8.9): meta mark, a bitwise and for a mask,
 * as nft prints a 32-bit mark: `meta mark & 0x000000ff == 0x00000005`. */
static void mark_nft_list(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_mark_mtinfo *m = data;
	(void)r;
	if (m->mask != 0xffffffffu)
		xt_xlate_add(xl, "meta mark & 0x%08x %s 0x%08x", m->mask, m->invert ? "!=" : "==",
			     m->mark);
	else
		xt_xlate_add(xl, "meta mark %s0x%08x", m->invert ? "!= " : "", m->mark);
}

const struct xt_ops xt_mark_ops = {
	.name = "mark", .kind = XT_MATCH, .size = sizeof(struct xt_mark_mtinfo),
	.nft_list = mark_nft_list,
	.xlate = mark_xlate,
	.opts = mark_mt_opts, .parse = mark_mt_parse, .final_check = mark_mt_final_check,
	.print = mark_mt_print, .save = mark_mt_save, .match = mark_mt,
};
