/* xt_MARK.c - `-j MARK --set-mark|--set-xmark|--and-mark|--or-mark|--xor-mark`.
 *
 * Mirrors libxt_MARK.c (revision 2: every option becomes --set-xmark
 * VALUE/MASK, which -S prints) and the kernel's net/netfilter/xt_mark.c
 * (mark_tg: mark = (mark & ~MASK) ^ VALUE, then the traversal goes on).
 */
#include <stdlib.h>
#include <string.h>

#include "nat/iptables/xt.h"

struct xt_mark_tginfo {
	uint32_t value, mask;
	bool given;
};

enum { O_SET_MARK, O_SET_XMARK, O_AND_MARK, O_OR_MARK, O_XOR_MARK };

static const struct xt_option mark_opts[] = {
	{ "set-mark", 1, O_SET_MARK }, { "set-xmark", 1, O_SET_XMARK },
	{ "and-mark", 1, O_AND_MARK }, { "or-mark", 1, O_OR_MARK }, { "xor-mark", 1, O_XOR_MARK },
	{ NULL, 0, 0 },
};

static int mark_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_mark_tginfo *mk = data;
	char buf[64];
	g_strlcpy(buf, arg, sizeof(buf));
	char *slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	char *end;
	unsigned long v = strtoul(buf, &end, 0);
	if (!*buf || *end || v > 0xffffffffu)
		return xt_err(p, "Bad MARK value \"%s\"", arg);
	unsigned long m = 0xffffffffu;
	if (slash) {
		m = strtoul(slash, &end, 0);
		if (!*slash || *end || m > 0xffffffffu)
			return xt_err(p, "Bad MARK value \"%s\"", arg);
	}
	if (id >= O_AND_MARK && slash)
		return xt_err(p, "Bad MARK value \"%s\"", arg);
	mk->given = true;
	/* --set-mark V/M is V/(M|V), --and-mark V is 0/~V, --or-mark V is V/V,
	 * --xor-mark V is V/0 */
	switch (id) {
	case O_SET_MARK: mk->value = (uint32_t)v; mk->mask = (uint32_t)(m | v); break;
	case O_SET_XMARK: mk->value = (uint32_t)v; mk->mask = (uint32_t)m; break;
	case O_AND_MARK: mk->value = 0; mk->mask = ~(uint32_t)v; break;
	case O_OR_MARK: mk->value = (uint32_t)v; mk->mask = (uint32_t)v; break;
	default: mk->value = (uint32_t)v; mk->mask = 0; break;
	}
	return 0;
}

static int mark_final_check(struct xt_parse *p, const void *data)
{
	if (!((const struct xt_mark_tginfo *)data)->given)
		return xt_err(p, "MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required");
	return 0;
}

static void mark_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_mark_tginfo *mk = data;
	(void)proto;
	(void)numeric;
	if (mk->mask == 0xffffffffu)
		g_string_append_printf(o, " MARK set 0x%x", mk->value);
	else
		g_string_append_printf(o, " MARK xset 0x%x/0x%x", mk->value, mk->mask);
}

static void mark_save(GString *o, const void *data)
{
	const struct xt_mark_tginfo *mk = data;
	g_string_append_printf(o, " --set-xmark 0x%x/0x%x", mk->value, mk->mask);
}

static unsigned mark_tg(struct xt_action_param *par, const void *data)
{
	const struct xt_mark_tginfo *mk = data;
	par->skb->mark = (par->skb->mark & ~mk->mask) ^ mk->value;
	return XT_CONTINUE;
}

/* mark_tg_xlate: `meta mark set` and the shape of VALUE/MASK (each form
 * ends in a space, which 1.8.9 leaves before a " comment"). */
static bool MARK_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_mark_tginfo *mk = data;
	(void)r;
	xt_xlate_add(xl, "meta mark set ");
	if (mk->mask == 0xffffffffu)
		xt_xlate_add(xl, "0x%x ", mk->value);
	else if (mk->value == 0)
		xt_xlate_add(xl, "mark and 0x%x ", ~mk->mask);
	else if (mk->value == mk->mask)
		xt_xlate_add(xl, "mark or 0x%x ", mk->value);
	else if (mk->mask == 0)
		xt_xlate_add(xl, "mark xor 0x%x ", mk->value);
	else
		xt_xlate_add(xl, "mark and 0x%x xor 0x%x ", ~mk->mask, mk->value);
	return true;
}

const struct xt_ops xt_MARK_ops = {
	.name = "MARK", .kind = XT_TARGET, .size = sizeof(struct xt_mark_tginfo),
	.xlate = MARK_xlate,
	.opts = mark_opts, .parse = mark_parse, .final_check = mark_final_check,
	.print = mark_print, .save = mark_save, .target = mark_tg,
	.verdict = IPT_T_EXT, .trace = "MARK, continue",
};
