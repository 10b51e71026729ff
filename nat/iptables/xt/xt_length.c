/* xt_length.c - `-m length [!] --length MIN[:MAX]`.
 *
 * Mirrors libxt_length.c (XTTYPE_UINT16RC: ":MAX" is 0:MAX, "MIN:" is
 * MIN:65535; -S and -L print one number when MIN == MAX) and the kernel's
 * net/netfilter/xt_length.c (length_mt: the IPv4 total length within the
 * range, `!` inverting).
 */
#include <stdlib.h>
#include <string.h>

#include "nat/iptables/xt.h"

struct xt_length_info {
	uint16_t min, max;
	bool invert;
};

enum { O_LENGTH };

static const struct xt_option length_opts[] = { { "length", 1, O_LENGTH }, { NULL, 0, 0 } };

static int length_num(struct xt_parse *p, const char *s, uint16_t *out)
{
	unsigned long v;
	if (!xt_strtoul(s, 65535, &v))
		return xt_err(p, "length: bad value for option \"--length\" near \"%s\", or out of range (0-65535).\n", s);
	*out = (uint16_t)v;
	return 0;
}

static int length_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_length_info *l = data;
	int rc = xt_once(p, "length", id);
	if (rc)
		return rc;
	gchar **parts = g_strsplit(arg, ":", -1);
	if (g_strv_length(parts) > 2) {
		rc = xt_err(p, "length: Too many components for option \"--length\" (max: 2)\n");
	} else if (!parts[1]) {
		rc = length_num(p, parts[0], &l->min);
		l->max = l->min;
	} else {
		l->min = 0;
		l->max = 65535;
		if (*parts[0])
			rc = length_num(p, parts[0], &l->min);
		if (!rc && *parts[1])
			rc = length_num(p, parts[1], &l->max);
	}
	g_strfreev(parts);
	l->invert = p->invert;
	return rc;
}

static int length_final_check(struct xt_parse *p, const void *data)
{
	(void)data;
	if (!(*p->once & 1u << O_LENGTH))
		return xt_err(p, "length: option \"--length\" must be specified\n");
	return 0;
}

static void length_range(GString *o, const struct xt_length_info *l)
{
	if (l->min == l->max)
		g_string_append_printf(o, "%u", l->min);
	else
		g_string_append_printf(o, "%u:%u", l->min, l->max);
}

static void length_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_length_info *l = data;
	(void)proto;
	(void)numeric;
	g_string_append_printf(o, " length %s", l->invert ? "!" : "");
	length_range(o, l);
}

static void length_save(GString *o, const void *data)
{
	const struct xt_length_info *l = data;
	g_string_append_printf(o, "%s --length ", l->invert ? " !" : "");
	length_range(o, l);
}

/* length_mt */
static bool length_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_length_info *l = data;
	const uint8_t *ip = par->skb->ip;
	uint16_t len = (uint16_t)(ip[2] << 8 | ip[3]);
	return (len >= l->min && len <= l->max) != l->invert;
}

/* length_xlate: `meta length [!= ]MIN[-MAX]`. */
static bool length_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_length_info *l = data;
	(void)r;
	xt_xlate_add(xl, "meta length %s", l->invert ? "!= " : "");
	if (l->min == l->max)
		xt_xlate_add(xl, "%u", l->min);
	else
		xt_xlate_add(xl, "%u-%u", l->min, l->max);
	return true;
}

const struct xt_ops xt_length_ops = {
	.name = "length", .kind = XT_MATCH, .size = sizeof(struct xt_length_info),
	.xlate = length_xlate,
	.opts = length_opts, .parse = length_parse, .final_check = length_final_check,
	.print = length_print, .save = length_save, .match = length_mt,
};
