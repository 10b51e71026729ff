/* xt_ttl.c - `-m ttl [!] --ttl-eq N | --ttl-lt N | --ttl-gt N`.
 *
 * Mirrors libipt_ttl.c (one of the three, `!` only with --ttl-eq, which
 * makes it "!="; -L prints "TTL match TTL == N") and the kernel's
 * net/netfilter/xt_hl.c (ttl_mt: the IPv4 header's TTL compared).
 */
#include "nat/iptables/xt.h"

enum { IPT_TTL_EQ, IPT_TTL_NE, IPT_TTL_LT, IPT_TTL_GT };

struct xt_ttl_info {
	uint8_t mode, ttl;
};

enum { O_TTL_EQ, O_TTL_LT, O_TTL_GT };

static const struct xt_option ttl_opts[] = {
	{ "ttl-eq", 1, O_TTL_EQ }, { "ttl-lt", 1, O_TTL_LT }, { "ttl-gt", 1, O_TTL_GT },
	{ NULL, 0, 0 },
};

static int ttl_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_ttl_info *t = data;
	int rc = xt_once(p, ttl_opts[id].name, id);
	if (!rc && id != O_TTL_EQ)
		rc = xt_noinvert(p, ttl_opts[id].name);
	if (rc)
		return rc;
	unsigned long v;
	if (!xt_strtoul(arg, 255, &v))
		return xt_err(p, "ttl: bad value for option \"--%s\", or out of range (0-255).\n",
			      ttl_opts[id].name);
	t->ttl = (uint8_t)v;
	t->mode = id == O_TTL_EQ ? (p->invert ? IPT_TTL_NE : IPT_TTL_EQ)
				 : id == O_TTL_LT ? IPT_TTL_LT : IPT_TTL_GT;
	return 0;
}

/* the exclusions of the option table, then ttl_check */
static int ttl_final_check(struct xt_parse *p, const void *data)
{
	(void)data;
	unsigned f = *p->once;
	/* --ttl-eq carries no exclusion of its own; --ttl-lt and --ttl-gt
	 * exclude the other two */
	for (unsigned id = O_TTL_LT; id < 3; id++)
		for (unsigned o = 0; o < 3; o++)
			if (o != id && (f & 1u << id) && (f & 1u << o))
				return xt_err(p, "ttl: option \"--%s\" cannot be used together with \"--%s\".\n",
					      ttl_opts[id].name, ttl_opts[o].name);
	if (!f)
		return xt_err(p, "TTL match: You must specify one of `--ttl-eq', `--ttl-lt', `--ttl-gt");
	return 0;
}

static void ttl_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	static const char *const op[] = { "==", "!=", "<", ">" };
	const struct xt_ttl_info *t = data;
	(void)proto;
	(void)numeric;
	g_string_append_printf(o, " TTL match TTL %s %u", op[t->mode & 3], t->ttl);
}

static void ttl_save(GString *o, const void *data)
{
	static const char *const opt[] = { " --ttl-eq", " ! --ttl-eq", " --ttl-lt", " --ttl-gt" };
	const struct xt_ttl_info *t = data;
	g_string_append_printf(o, "%s %u", opt[t->mode & 3], t->ttl);
}

/* ttl_mt */
static bool ttl_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_ttl_info *t = data;
	uint8_t ttl = par->skb->ip[8];
	switch (t->mode) {
	case IPT_TTL_EQ: return ttl == t->ttl;
	case IPT_TTL_NE: return ttl != t->ttl;
	case IPT_TTL_LT: return ttl < t->ttl;
	default: return ttl > t->ttl;
	}
}

/* ttl_xlate: `ip ttl [!=|lt|gt] N`. */
static bool ttl_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	static const char *const op[] = { "ip ttl", "ip ttl !=", "ip ttl lt", "ip ttl gt" };
	const struct xt_ttl_info *t = data;
	(void)r;
	if (t->mode >= G_N_ELEMENTS(op))
		return false;
	xt_xlate_add(xl, "%s", op[t->mode]);
	xt_xlate_add(xl, " %u", t->ttl);
	return true;
}

const struct xt_ops xt_ttl_ops = {
	.name = "ttl", .kind = XT_MATCH, .size = sizeof(struct xt_ttl_info),
	.xlate = ttl_xlate,
	.opts = ttl_opts, .parse = ttl_parse, .final_check = ttl_final_check,
	.print = ttl_print, .save = ttl_save, .match = ttl_mt,
};
