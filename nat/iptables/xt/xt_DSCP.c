/* xt_DSCP.c - `-j DSCP --set-dscp N | --set-dscp-class CLASS` (mangle
 * table).
 *
 * Mirrors libxt_DSCP.c (-S and -L print the number, "DSCP set 0xNN") and
 * the kernel's net/netfilter/xt_DSCP.c (dscp_tg: the upper six bits of the
 * TOS byte replaced, the ECN bits kept, the header checksum updated, then
 * the traversal goes on).
 */
#include "nat/iptables/xt.h"

struct xt_DSCP_info {
	uint8_t dscp;
};

enum { O_SET_DSCP, O_SET_DSCP_CLASS };

static const struct xt_option dscp_tg_opts[] = {
	{ "set-dscp", 1, O_SET_DSCP }, { "set-dscp-class", 1, O_SET_DSCP_CLASS }, { NULL, 0, 0 },
};

static int dscp_tg_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_DSCP_info *info = data;
	int rc = xt_once(p, dscp_tg_opts[id].name, id);
	if (!rc)
		rc = xt_noinvert(p, dscp_tg_opts[id].name);
	if (rc)
		return rc;
	if (id == O_SET_DSCP_CLASS)
		return xt_dscp_class(p, arg, &info->dscp);
	unsigned long v;
	if (!xt_strtoul0(arg, 63, &v))
		return xt_err(p, "DSCP: bad value for option \"--set-dscp\", or out of range (0-63).\n");
	info->dscp = (uint8_t)v;
	return 0;
}

/* the exclusion of the option table, then DSCP_check */
static int dscp_tg_final_check(struct xt_parse *p, const void *data)
{
	(void)data;
	unsigned f = *p->once;
	if ((f & 1u << O_SET_DSCP) && (f & 1u << O_SET_DSCP_CLASS))
		return xt_err(p, "DSCP: option \"--set-dscp\" cannot be used together with \"--set-dscp-class\".\n");
	if (!f)
		return xt_err(p, "DSCP target: Parameter --set-dscp is required");
	return 0;
}

static void dscp_tg_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	(void)proto;
	(void)numeric;
	g_string_append_printf(o, " DSCP set 0x%02x", ((const struct xt_DSCP_info *)data)->dscp);
}

static void dscp_tg_save(GString *o, const void *data)
{
	g_string_append_printf(o, " --set-dscp 0x%02x", ((const struct xt_DSCP_info *)data)->dscp);
}

/* dscp_tg */
static unsigned dscp_tg(struct xt_action_param *par, const void *data)
{
	const struct xt_DSCP_info *info = data;
	uint8_t *ip = par->skb->ip;

	if ((ip[1] >> 2) != info->dscp)
		xt_ipv4_change_dsfield(ip, 0x03, (uint8_t)(info->dscp << 2));
	return XT_CONTINUE;
}

/* DSCP_xlate: `ip dscp set 0xNN`. */
static bool DSCP_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_DSCP_info *d = data;
	(void)r;
	xt_xlate_add(xl, "ip dscp set 0x%02x", d->dscp);
	return true;
}

const struct xt_ops xt_DSCP_ops = {
	.name = "DSCP", .kind = XT_TARGET, .size = sizeof(struct xt_DSCP_info),
	.xlate = DSCP_xlate,
	.opts = dscp_tg_opts, .parse = dscp_tg_parse, .final_check = dscp_tg_final_check,
	.print = dscp_tg_print, .save = dscp_tg_save, .target = dscp_tg, .table = "mangle",
	.verdict = IPT_T_EXT, .trace = "DSCP, continue",
};
