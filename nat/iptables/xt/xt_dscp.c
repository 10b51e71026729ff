/* xt_dscp.c - `-m dscp [!] --dscp N | [!] --dscp-class CLASS`.
 *
 * Mirrors libxt_dscp.c (a number 0-63 or a class name of dscp_helper.c,
 * either way the number is what -S and -L print) and the kernel's
 * net/netfilter/xt_dscp.c (dscp_mt: the upper six bits of the TOS byte).
 * The class names -j DSCP shares live here too.
 */
#include <string.h>
#include <strings.h>

#include "nat/iptables/xt.h"

/* iptables' dscp_helper.c */
static const struct {
	const char *name;
	uint8_t dscp;
} dscp_classes[] = {
	{ "CS0", 0x00 }, { "CS1", 0x08 }, { "CS2", 0x10 }, { "CS3", 0x18 },
	{ "CS4", 0x20 }, { "CS5", 0x28 }, { "CS6", 0x30 }, { "CS7", 0x38 },
	{ "BE", 0x00 }, { "AF11", 0x0a }, { "AF12", 0x0c }, { "AF13", 0x0e },
	{ "AF21", 0x12 }, { "AF22", 0x14 }, { "AF23", 0x16 }, { "AF31", 0x1a },
	{ "AF32", 0x1c }, { "AF33", 0x1e }, { "AF41", 0x22 }, { "AF42", 0x24 },
	{ "AF43", 0x26 }, { "EF", 0x2e },
};

/* class_to_dscp: the first class the name starts with, in any case
 * ("EFX" is EF, "cs10" CS1), as iptables compares them */
int xt_dscp_class(struct xt_parse *p, const char *name, uint8_t *dscp)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(dscp_classes); i++)
		if (strncasecmp(name, dscp_classes[i].name, strlen(dscp_classes[i].name)) == 0) {
			*dscp = dscp_classes[i].dscp;
			return 0;
		}
	return xt_err(p, "Invalid DSCP value `%s'", name);
}

struct xt_dscp_info {
	uint8_t dscp, invert;
};

enum { O_DSCP, O_DSCP_CLASS };

static const struct xt_option dscp_opts[] = {
	{ "dscp", 1, O_DSCP }, { "dscp-class", 1, O_DSCP_CLASS }, { NULL, 0, 0 },
};

static int dscp_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_dscp_info *info = data;
	int rc = xt_once(p, dscp_opts[id].name, id);
	if (rc)
		return rc;
	info->invert = p->invert;
	if (id == O_DSCP_CLASS)
		return xt_dscp_class(p, arg, &info->dscp);
	unsigned long v;
	if (!xt_strtoul0(arg, 63, &v))
		return xt_err(p, "dscp: bad value for option \"--dscp\", or out of range (0-63).\n");
	info->dscp = (uint8_t)v;
	return 0;
}

/* the exclusion of the option table, then dscp_check */
static int dscp_final_check(struct xt_parse *p, const void *data)
{
	(void)data;
	unsigned f = *p->once;
	if ((f & 1u << O_DSCP) && (f & 1u << O_DSCP_CLASS))
		return xt_err(p, "dscp: option \"--dscp\" cannot be used together with \"--dscp-class\".\n");
	if (!f)
		return xt_err(p, "DSCP match: Parameter --dscp is required");
	return 0;
}

static void dscp_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_dscp_info *info = data;
	(void)proto;
	(void)numeric;
	g_string_append_printf(o, " DSCP match %s0x%02x", info->invert ? "!" : "", info->dscp);
}

static void dscp_save(GString *o, const void *data)
{
	const struct xt_dscp_info *info = data;
	g_string_append_printf(o, "%s --dscp 0x%02x", info->invert ? " !" : "", info->dscp);
}

/* dscp_mt */
static bool dscp_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_dscp_info *info = data;
	return ((par->skb->ip[1] >> 2) == info->dscp) ^ !!info->invert;
}

/* dscp_xlate: `ip dscp [!= ]0xNN`. */
static bool dscp_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_dscp_info *d = data;
	(void)r;
	xt_xlate_add(xl, "ip ");
	xt_xlate_add(xl, "dscp %s0x%02x", d->invert ? "!= " : "", d->dscp);
	return true;
}

const struct xt_ops xt_dscp_ops = {
	.name = "dscp", .kind = XT_MATCH, .size = sizeof(struct xt_dscp_info),
	.xlate = dscp_xlate,
	.opts = dscp_opts, .parse = dscp_parse, .final_check = dscp_final_check,
	.print = dscp_print, .save = dscp_save, .match = dscp_mt,
};
