/* xt_connmark.c - `-m connmark [!] --mark V[/M]` and `-j CONNMARK`
 * (--set-xmark, --set-mark, --and/--or/--xor-mark, --save-mark and
 * --restore-mark with --nfmask/--ctmask/--mask).
 *
 * Mirrors libxt_connmark.c / libxt_CONNMARK.c (revision 1's options; -L
 * names the operation the masks amount to, -S prints --set-xmark or the
 * masks in full) and the kernel's net/netfilter/xt_connmark.c
 * (connmark_mt: (ct->mark & mask) == mark; connmark_tg: the entry's mark
 * set, saved from the packet's or restored into it; a changed mark is an
 * IPCT_MARK event). A packet without an entry never matches and is left
 * alone. The entry's mark is what `conntrack -L` shows as mark=.
 */
#include <stdlib.h>
#include <string.h>

#include "nat/conntrack/ct.h"
#include "nat/iptables/xt.h"

/* ----- the match ----- */

struct xt_connmark_mtinfo {
	uint32_t mark, mask;
	bool invert;
};

enum { O_MARK };

static const struct xt_option connmark_mt_opts[] = { { "mark", 1, O_MARK }, { NULL, 0, 0 } };

/* VALUE[/MASK] (XTTYPE_MARKMASK32); 0 or -1 */
static int connmark_markmask(const char *arg, uint32_t *v, uint32_t *m)
{
	char *end;
	if (!g_ascii_isdigit(*arg))
		return -1;
	unsigned long long x = strtoull(arg, &end, 0);
	if (x > 0xffffffffull)
		return -1;
	*v = (uint32_t)x;
	*m = 0xffffffffu;
	if (*end == '/') {
		const char *s = end + 1;
		if (!g_ascii_isdigit(*s))
			return -1;
		x = strtoull(s, &end, 0);
		if (x > 0xffffffffull)
			return -1;
		*m = (uint32_t)x;
	}
	return *end ? -1 : 0;
}

static int connmark_mt_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_connmark_mtinfo *c = data;
	int rc = xt_once(p, "mark", id);
	if (rc)
		return rc;
	if (connmark_markmask(arg, &c->mark, &c->mask))
		return xt_err(p, "connmark: bad integer value for option \"--mark\", or out of range.\n");
	c->invert = p->invert;
	return 0;
}

static int connmark_mt_final_check(struct xt_parse *p, const void *data)
{
	(void)data;
	if (!(*p->once & 1u << O_MARK))
		return xt_err(p, "connmark: option \"--mark\" must be specified\n");
	return 0;
}

static void connmark_value(GString *o, uint32_t mark, uint32_t mask)
{
	g_string_append_printf(o, "0x%x", mark);
	if (mask != 0xffffffffu)
		g_string_append_printf(o, "/0x%x", mask);
}

static void connmark_mt_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_connmark_mtinfo *c = data;
	(void)proto;
	(void)numeric;
	g_string_append_printf(o, " connmark match %s ", c->invert ? "!" : "");
	connmark_value(o, c->mark, c->mask);
}

static void connmark_mt_save(GString *o, const void *data)
{
	const struct xt_connmark_mtinfo *c = data;
	g_string_append_printf(o, "%s --mark ", c->invert ? " !" : "");
	connmark_value(o, c->mark, c->mask);
}

/* connmark_mt */
static bool connmark_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_connmark_mtinfo *c = data;
	const struct ct_entry *ct = par->skb->ct;
	if (!ct)
		return false;
	return ((ct->mark & c->mask) == c->mark) != c->invert;
}

/* connmark_mt_xlate: as -m mark's, on `ct mark`. */
static bool connmark_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_connmark_mtinfo *m = data;
	(void)r;
	xt_xlate_add(xl, "ct mark");
	if (m->mask != 0xffffffffu)
		xt_xlate_add(xl, " and 0x%x %s 0x%x", m->mask, m->invert ? "!=" : "==", m->mark);
	else
		xt_xlate_add(xl, " %s0x%x", m->invert ? "!= " : "", m->mark);
	return true;
}

const struct xt_ops xt_connmark_ops = {
	.name = "connmark", .kind = XT_MATCH, .size = sizeof(struct xt_connmark_mtinfo),
	.xlate = connmark_xlate,
	.opts = connmark_mt_opts, .parse = connmark_mt_parse, .final_check = connmark_mt_final_check,
	.print = connmark_mt_print, .save = connmark_mt_save, .match = connmark_mt,
	.needs_ct = true,
};

/* ----- the target ----- */

enum { XT_CONNMARK_SET, XT_CONNMARK_SAVE, XT_CONNMARK_RESTORE };

struct xt_connmark_tginfo {
	uint32_t ctmark, ctmask, nfmask;
	uint8_t mode;
};

enum {
	T_SET_XMARK, T_SET_MARK, T_AND_MARK, T_OR_MARK, T_XOR_MARK, T_SAVE_MARK,
	T_RESTORE_MARK, T_CTMASK, T_NFMASK, T_MASK,
};

static const struct xt_option connmark_tg_opts[] = {
	{ "set-xmark", 1, T_SET_XMARK }, { "set-mark", 1, T_SET_MARK },
	{ "and-mark", 1, T_AND_MARK }, { "or-mark", 1, T_OR_MARK }, { "xor-mark", 1, T_XOR_MARK },
	{ "save-mark", 0, T_SAVE_MARK }, { "restore-mark", 0, T_RESTORE_MARK },
	{ "ctmask", 1, T_CTMASK }, { "nfmask", 1, T_NFMASK }, { "mask", 1, T_MASK },
	/* revision 2's shifts: natsim says it lacks them */
	{ "left-shift-mark", 1, XT_OPT_UNIMPL }, { "right-shift-mark", 1, XT_OPT_UNIMPL + 1 },
	{ NULL, 0, 0 },
};

#define TF(o) (1u << (o))
#define T_F_OP (TF(T_SET_XMARK) | TF(T_SET_MARK) | TF(T_AND_MARK) | TF(T_OR_MARK) | \
		TF(T_XOR_MARK) | TF(T_SAVE_MARK) | TF(T_RESTORE_MARK))
#define T_F_SR (TF(T_SAVE_MARK) | TF(T_RESTORE_MARK))

/* libxt_CONNMARK's exclusions (connmark_tg_opts: each operation excludes
 * the others; the masks need --save-mark or --restore-mark) */
static const unsigned connmark_tg_excl[] = {
	[T_SET_XMARK] = T_F_OP, [T_SET_MARK] = T_F_OP, [T_AND_MARK] = T_F_OP,
	[T_OR_MARK] = T_F_OP, [T_XOR_MARK] = T_F_OP, [T_SAVE_MARK] = T_F_OP,
	[T_RESTORE_MARK] = T_F_OP, [T_CTMASK] = TF(T_MASK), [T_NFMASK] = TF(T_MASK),
	[T_MASK] = TF(T_CTMASK) | TF(T_NFMASK),
};

static void connmark_tg_init(void *data)
{
	struct xt_connmark_tginfo *t = data;
	t->ctmask = t->nfmask = 0xffffffffu;
}

static int connmark_tg_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_connmark_tginfo *t = data;
	int rc = xt_once(p, connmark_tg_opts[id].name, id);
	if (!rc)
		rc = xt_noinvert(p, connmark_tg_opts[id].name);
	if (rc)
		return rc;
	uint32_t v = 0, m = 0xffffffffu;
	if (arg) {
		if (id <= T_SET_MARK) {
			if (connmark_markmask(arg, &v, &m))
				return xt_err(p, "CONNMARK: bad integer value for option \"--%s\", or out of range.\n",
					      connmark_tg_opts[id].name);
		} else {
			char *end;
			unsigned long long x = strtoull(arg, &end, 0);
			if (!g_ascii_isdigit(*arg) || *end || x > 0xffffffffull)
				return xt_err(p, "CONNMARK: bad value for option \"--%s\", or out of range (0-4294967295).\n",
					      connmark_tg_opts[id].name);
			v = (uint32_t)x;
		}
	}
	switch (id) {
	case T_SET_XMARK: t->mode = XT_CONNMARK_SET; t->ctmark = v; t->ctmask = m; break;
	case T_SET_MARK: t->mode = XT_CONNMARK_SET; t->ctmark = v; t->ctmask = v | m; break;
	case T_AND_MARK: t->mode = XT_CONNMARK_SET; t->ctmark = 0; t->ctmask = ~v; break;
	case T_OR_MARK: t->mode = XT_CONNMARK_SET; t->ctmark = v; t->ctmask = v; break;
	case T_XOR_MARK: t->mode = XT_CONNMARK_SET; t->ctmark = v; t->ctmask = 0; break;
	case T_SAVE_MARK: t->mode = XT_CONNMARK_SAVE; break;
	case T_RESTORE_MARK: t->mode = XT_CONNMARK_RESTORE; break;
	case T_CTMASK: t->ctmask = v; break;
	case T_NFMASK: t->nfmask = v; break;
	default: t->ctmask = t->nfmask = v; break;
	}
	return 0;
}

static int connmark_tg_final_check(struct xt_parse *p, const void *data)
{
	(void)data;
	unsigned f = *p->once;
	if (!(f & T_F_OP))
		return xt_err(p, "CONNMARK target: No operation specified");
	for (unsigned id = 0; id < G_N_ELEMENTS(connmark_tg_excl); id++) {
		if (!(f & TF(id)))
			continue;
		for (unsigned o = 0; o < G_N_ELEMENTS(connmark_tg_excl); o++)
			if (o != id && (connmark_tg_excl[id] & TF(o)) && (f & TF(o)))
				return xt_err(p, "CONNMARK: option \"--%s\" cannot be used together with \"--%s\".\n",
					      connmark_tg_opts[id].name, connmark_tg_opts[o].name);
	}
	return 0;
}

static void connmark_tg_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_connmark_tginfo *t = data;
	(void)proto;
	(void)numeric;
	switch (t->mode) {
	case XT_CONNMARK_SET:
		if (t->ctmark == 0)
			g_string_append_printf(o, " CONNMARK and 0x%x", ~t->ctmask);
		else if (t->ctmark == t->ctmask)
			g_string_append_printf(o, " CONNMARK or 0x%x", t->ctmark);
		else if (t->ctmask == 0)
			g_string_append_printf(o, " CONNMARK xor 0x%x", t->ctmark);
		else if (t->ctmask == 0xffffffffu)
			g_string_append_printf(o, " CONNMARK set 0x%x", t->ctmark);
		else
			g_string_append_printf(o, " CONNMARK xset 0x%x/0x%x", t->ctmark, t->ctmask);
		break;
	case XT_CONNMARK_SAVE:
		if (t->nfmask == 0xffffffffu && t->ctmask == 0xffffffffu)
			g_string_append(o, " CONNMARK save");
		else if (t->nfmask == t->ctmask)
			g_string_append_printf(o, " CONNMARK save mask 0x%x", t->nfmask);
		else
			g_string_append_printf(o, " CONNMARK save nfmask 0x%x ctmask ~0x%x", t->nfmask, t->ctmask);
		break;
	default:
		if (t->ctmask == 0xffffffffu && t->nfmask == 0xffffffffu)
			g_string_append(o, " CONNMARK restore");
		else if (t->ctmask == t->nfmask)
			g_string_append_printf(o, " CONNMARK restore mask 0x%x", t->ctmask);
		else
			g_string_append_printf(o, " CONNMARK restore ctmask 0x%x nfmask ~0x%x", t->ctmask, t->nfmask);
		break;
	}
}

static void connmark_tg_save(GString *o, const void *data)
{
	const struct xt_connmark_tginfo *t = data;
	if (t->mode == XT_CONNMARK_SET)
		g_string_append_printf(o, " --set-xmark 0x%x/0x%x", t->ctmark, t->ctmask);
	else
		g_string_append_printf(o, " --%s-mark --nfmask 0x%x --ctmask 0x%x",
				       t->mode == XT_CONNMARK_SAVE ? "save" : "restore", t->nfmask, t->ctmask);
}

/* connmark_tg */
static unsigned connmark_tg(struct xt_action_param *par, const void *data)
{
	const struct xt_connmark_tginfo *t = data;
	struct ct_entry *ct = par->skb->ct;
	if (!ct)
		return XT_CONTINUE;
	uint32_t newmark;
	switch (t->mode) {
	case XT_CONNMARK_SET:
		newmark = (ct->mark & ~t->ctmask) ^ t->ctmark;
		break;
	case XT_CONNMARK_SAVE:
		newmark = (ct->mark & ~t->ctmask) ^ (par->skb->mark & t->nfmask);
		break;
	default:
		par->skb->mark = (par->skb->mark & ~t->nfmask) ^ (ct->mark & t->ctmask);
		return XT_CONTINUE;
	}
	if (ct->mark != newmark) {
		ct->mark = newmark;
		ct_event_cache(ct, IPCT_MARK);
	}
	return XT_CONTINUE;
}

/* connmark_tg_xlate_v2 (no shifts in natsim): --set-* by the shape of the
 * mask; --save-mark / --restore-mark need equal masks or have no form. */
static bool CONNMARK_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_connmark_tginfo *t = data;
	(void)r;
	switch (t->mode) {
	case XT_CONNMARK_SET:
		xt_xlate_add(xl, "ct mark set ");
		if (t->ctmask == 0xffffffffu)
			xt_xlate_add(xl, "0x%x ", t->ctmark);
		else if (t->ctmark == 0)
			xt_xlate_add(xl, "ct mark and 0x%x", ~t->ctmask);
		else if (t->ctmark == t->ctmask)
			xt_xlate_add(xl, "ct mark or 0x%x", t->ctmark);
		else if (t->ctmask == 0)
			xt_xlate_add(xl, "ct mark xor 0x%x", t->ctmark);
		else
			xt_xlate_add(xl, "ct mark xor 0x%x and 0x%x", t->ctmark, ~t->ctmask);
		break;
	case XT_CONNMARK_SAVE:
	case XT_CONNMARK_RESTORE:
		xt_xlate_add(xl, t->mode == XT_CONNMARK_SAVE ? "ct mark set mark" : "meta mark set ct mark");
		if (!(t->nfmask == 0xffffffffu && t->ctmask == 0xffffffffu)) {
			if (t->nfmask != t->ctmask)
				return false;
			xt_xlate_add(xl, " and 0x%x", t->nfmask);
		}
		break;
	}
	return true;
}

const struct xt_ops xt_CONNMARK_ops = {
	.name = "CONNMARK", .kind = XT_TARGET, .size = sizeof(struct xt_connmark_tginfo),
	.xlate = CONNMARK_xlate,
	.opts = connmark_tg_opts, .init = connmark_tg_init, .parse = connmark_tg_parse,
	.final_check = connmark_tg_final_check, .print = connmark_tg_print, .save = connmark_tg_save,
	.target = connmark_tg, .needs_ct = true, .verdict = IPT_T_EXT, .trace = "CONNMARK, continue",
};
