/* xt_TTL.c - `-j TTL --ttl-set N | --ttl-dec N | --ttl-inc N` (mangle
 * table).
 *
 * Mirrors libxt_TTL.c (one of the three; dec and inc by 1-255; -L prints
 * "TTL set to N" / "decrement by" / "increment by") and the kernel's
 * net/netfilter/xt_HL.c (ttl_tg: the new TTL clamped to 0-255, the header
 * checksum updated with csum_replace2, then the traversal goes on).
 */
#include "nat/iptables/xt.h"

enum { IPT_TTL_SET, IPT_TTL_INC, IPT_TTL_DEC };

struct ipt_TTL_info {
	uint8_t mode, ttl;
};

enum { O_TTL_SET, O_TTL_INC, O_TTL_DEC };

/* libxt_TTL's table order: set, dec, inc (the order of its checks) */
static const struct xt_option ttl_tg_opts[] = {
	{ "ttl-set", 1, O_TTL_SET }, { "ttl-dec", 1, O_TTL_DEC }, { "ttl-inc", 1, O_TTL_INC },
	{ NULL, 0, 0 },
};

static const char *ttl_tg_optname(unsigned id)
{
	return id == O_TTL_SET ? "ttl-set" : id == O_TTL_DEC ? "ttl-dec" : "ttl-inc";
}

static int ttl_tg_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct ipt_TTL_info *info = data;
	const char *name = ttl_tg_optname((unsigned)id);
	int rc = xt_once(p, name, id);
	if (!rc)
		rc = xt_noinvert(p, name);
	if (rc)
		return rc;
	unsigned long v;
	unsigned min = id == O_TTL_SET ? 0 : 1;
	if (!xt_strtoul0(arg, 255, &v) || v < min)
		return xt_err(p, "TTL: bad value for option \"--%s\", or out of range (%u-255).\n", name, min);
	info->ttl = (uint8_t)v;
	info->mode = id == O_TTL_SET ? IPT_TTL_SET : id == O_TTL_INC ? IPT_TTL_INC : IPT_TTL_DEC;
	return 0;
}

/* the options exclude each other (F_ANY, in the table's order), then
 * TTL_check */
static int ttl_tg_final_check(struct xt_parse *p, const void *data)
{
	static const unsigned order[] = { O_TTL_SET, O_TTL_DEC, O_TTL_INC };
	unsigned f = *p->once;
	(void)data;
	for (unsigned i = 0; i < 3; i++)
		for (unsigned o = 0; o < 3; o++)
			if (o != order[i] && (f & 1u << order[i]) && (f & 1u << o))
				return xt_err(p, "TTL: option \"--%s\" cannot be used together with \"--%s\".\n",
					      ttl_tg_optname(order[i]), ttl_tg_optname(o));
	if (!f)
		return xt_err(p, "TTL: You must specify an action");
	return 0;
}

static void ttl_tg_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	static const char *const what[] = { "set to", "increment by", "decrement by" };
	const struct ipt_TTL_info *info = data;
	(void)proto;
	(void)numeric;
	g_string_append_printf(o, " TTL %s %u", what[info->mode % 3], info->ttl);
}

static void ttl_tg_save(GString *o, const void *data)
{
	static const char *const opt[] = { "--ttl-set", "--ttl-inc", "--ttl-dec" };
	const struct ipt_TTL_info *info = data;
	g_string_append_printf(o, " %s %u", opt[info->mode % 3], info->ttl);
}

/* ttl_tg */
static unsigned ttl_tg(struct xt_action_param *par, const void *data)
{
	const struct ipt_TTL_info *info = data;
	uint8_t *ip = par->skb->ip;
	int new_ttl;

	switch (info->mode) {
	case IPT_TTL_SET: new_ttl = info->ttl; break;
	case IPT_TTL_INC: new_ttl = ip[8] + info->ttl; if (new_ttl > 255) new_ttl = 255; break;
	default: new_ttl = ip[8] - info->ttl; if (new_ttl < 0) new_ttl = 0; break;
	}
	if (new_ttl != ip[8]) {
		/* csum_replace2(check, htons(ttl << 8), htons(new_ttl << 8)) */
		uint32_t s = (uint16_t)~rd16(ip + 10);
		s += (uint16_t)~(ip[8] << 8);
		s += (uint32_t)new_ttl << 8;
		s = (s & 0xffff) + (s >> 16);
		s = (s & 0xffff) + (s >> 16);
		wr16(ip + 10, (uint16_t)~s);
		ip[8] = (uint8_t)new_ttl;
	}
	return XT_CONTINUE;
}

const struct xt_ops xt_TTL_ops = {
	.name = "TTL", .kind = XT_TARGET, .size = sizeof(struct ipt_TTL_info),
	.no_xlate = true,	/* iptables 1.8.9 has no xlate for it */
	.opts = ttl_tg_opts, .parse = ttl_tg_parse, .final_check = ttl_tg_final_check,
	.print = ttl_tg_print, .save = ttl_tg_save, .target = ttl_tg, .table = "mangle",
	.verdict = IPT_T_EXT, .trace = "TTL, continue",
};
