/* xt_TOS.c - `-j TOS --set-tos VALUE[/MASK]|NAME | --and-tos | --or-tos |
 * --xor-tos BITS` (mangle table).
 *
 * Mirrors libxt_TOS.c (revision 1: every option becomes --set-tos
 * VALUE/MASK, which -S prints; -L names the operation) and the kernel's
 * net/netfilter/xt_DSCP.c (tos_tg: tos = (tos & ~MASK) ^ VALUE, the header
 * checksum updated, then the traversal goes on).
 */
#include "nat/iptables/xt.h"

struct xt_tos_target_info {
	uint8_t tos_value, tos_mask;
};

enum { O_SET_TOS, O_AND_TOS, O_OR_TOS, O_XOR_TOS };

static const struct xt_option tos_tg_opts[] = {
	{ "set-tos", 1, O_SET_TOS }, { "and-tos", 1, O_AND_TOS },
	{ "or-tos", 1, O_OR_TOS }, { "xor-tos", 1, O_XOR_TOS }, { NULL, 0, 0 },
};

static int tos_tg_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_tos_target_info *info = data;
	int rc = xt_once(p, tos_tg_opts[id].name, id);
	if (!rc)
		rc = xt_noinvert(p, tos_tg_opts[id].name);
	if (rc)
		return rc;
	if (id == O_SET_TOS)
		return xt_tos_parse(p, arg, &info->tos_value, &info->tos_mask);
	unsigned long v;
	if (!xt_strtoul0(arg, 255, &v))
		return xt_err(p, "TOS: bad value for option \"--%s\", or out of range (0-255).\n",
			      tos_tg_opts[id].name);
	switch (id) {
	case O_AND_TOS: info->tos_value = 0; info->tos_mask = (uint8_t)~v; break;
	case O_OR_TOS: info->tos_value = (uint8_t)v; info->tos_mask = (uint8_t)v; break;
	default: info->tos_value = (uint8_t)v; info->tos_mask = 0; break;
	}
	return 0;
}

/* the options exclude each other (F_ANY), then tos_tg_check */
static int tos_tg_final_check(struct xt_parse *p, const void *data)
{
	(void)data;
	unsigned f = *p->once;
	for (unsigned id = 0; id < 4; id++)
		for (unsigned o = 0; o < 4; o++)
			if (o != id && (f & 1u << id) && (f & 1u << o))
				return xt_err(p, "TOS: option \"--%s\" cannot be used together with \"--%s\".\n",
					      tos_tg_opts[id].name, tos_tg_opts[o].name);
	if (!f)
		return xt_err(p, "TOS: An action is required");
	return 0;
}

static void tos_tg_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_tos_target_info *info = data;
	(void)proto;
	if (numeric)
		g_string_append_printf(o, " TOS set 0x%02x/0x%02x", info->tos_value, info->tos_mask);
	else if (xt_tos_print_symbolic(o, " TOS set", info->tos_value, info->tos_mask))
		return;
	else if (info->tos_value == 0)
		g_string_append_printf(o, " TOS and 0x%02x", (uint8_t)~info->tos_mask);
	else if (info->tos_value == info->tos_mask)
		g_string_append_printf(o, " TOS or 0x%02x", info->tos_value);
	else if (info->tos_mask == 0)
		g_string_append_printf(o, " TOS xor 0x%02x", info->tos_value);
	else
		g_string_append_printf(o, " TOS set 0x%02x/0x%02x", info->tos_value, info->tos_mask);
}

static void tos_tg_save(GString *o, const void *data)
{
	const struct xt_tos_target_info *info = data;
	g_string_append_printf(o, " --set-tos 0x%02x/0x%02x", info->tos_value, info->tos_mask);
}

/* tos_tg */
static unsigned tos_tg(struct xt_action_param *par, const void *data)
{
	const struct xt_tos_target_info *info = data;
	uint8_t *ip = par->skb->ip;
	uint8_t nv = (uint8_t)((ip[1] & ~info->tos_mask) ^ info->tos_value);

	if (nv != ip[1])
		xt_ipv4_change_dsfield(ip, 0, nv);
	return XT_CONTINUE;
}

/* tos_xlate6, which iptables 1.8.9 gives revision 1 of -j TOS in both
 * families: its words say `ip6 dscp` for an IPv4 rule (kept as printed). */
static bool TOS_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_tos_target_info *t = data;
	const char *ip = "ip6";
	uint8_t tos = t->tos_value, mask = t->tos_mask;
	(void)r;
	xt_xlate_add(xl, "%s dscp set ", ip);
	if ((mask & 0x3f) == 0x3f)
		xt_xlate_add(xl, "0x%02x", tos >> 2);
	else if (!tos)
		xt_xlate_add(xl, "%s dscp and 0x%02x", ip, (uint8_t)~mask >> 2);
	else if (tos == mask)
		xt_xlate_add(xl, "%s dscp or 0x%02x", ip, tos >> 2);
	else if (!mask)
		xt_xlate_add(xl, "%s dscp xor 0x%02x", ip, tos >> 2);
	else
		xt_xlate_add(xl, "%s dscp and 0x%02x xor 0x%02x", ip, (uint8_t)~mask >> 2, tos >> 2);
	return true;
}

const struct xt_ops xt_TOS_ops = {
	.name = "TOS", .kind = XT_TARGET, .size = sizeof(struct xt_tos_target_info),
	.xlate = TOS_xlate,
	.opts = tos_tg_opts, .parse = tos_tg_parse, .final_check = tos_tg_final_check,
	.print = tos_tg_print, .save = tos_tg_save, .target = tos_tg, .table = "mangle",
	.verdict = IPT_T_EXT, .trace = "TOS, continue",
};
