/* xt_tos.c - `-m tos [!] --tos VALUE[/MASK] | NAME`.
 *
 * Mirrors libxt_tos.c (revision 1: XTTYPE_TOSMASK, a number with an
 * optional mask, 0xff by default, or one of the five RFC 1349 names with
 * the mask 0x3f; -S prints "--tos 0xVV/0xMM", -L the name where there is
 * one, glued to "tos match" as iptables prints it) and the kernel's
 * net/netfilter/xt_tos.c (tos_mt: (tos & mask) == value, `!` inverting).
 * The TOS field helpers -j TOS shares live here too.
 */
#include <stdlib.h>
#include <strings.h>

#include "nat/iptables/xt.h"

/* iptables' tos_values.c */
static const struct {
	uint8_t value;
	const char *name;
} tos_names[] = {
	{ 0x10, "Minimize-Delay" }, { 0x08, "Maximize-Throughput" },
	{ 0x04, "Maximize-Reliability" }, { 0x02, "Minimize-Cost" }, { 0x00, "Normal-Service" },
};

/* xtables_strtoui: a leading number within 0-255, `end` after it */
static bool tos_strtoui(const char *s, char **end, unsigned long *v)
{
	const char *q = s;
	while (*q == ' ' || (*q >= '\t' && *q <= '\r'))
		q++;
	if (*q == '-')
		return false;
	*v = strtoul(s, end, 0);
	return *end != s && *v <= 255;
}

/* xtopt_parse_tosmask */
int xt_tos_parse(struct xt_parse *p, const char *arg, uint8_t *value, uint8_t *mask)
{
	char *end;
	unsigned long v, m;
	if (tos_strtoui(arg, &end, &v) && (*end == '\0' || *end == '/')) {
		*value = (uint8_t)v;
		*mask = 0xff;
		if (*end == '/') {
			if (!tos_strtoui(end + 1, &end, &m) || *end)
				return xt_err(p, "Illegal value: \"%s\"", arg);
			*mask = (uint8_t)m;
		}
		return 0;
	}
	for (unsigned i = 0; i < G_N_ELEMENTS(tos_names); i++)
		if (strcasecmp(arg, tos_names[i].name) == 0) {
			*value = tos_names[i].value;
			*mask = 0x3f;
			return 0;
		}
	return xt_err(p, "Symbolic name \"%s\" is unknown", arg);
}

bool xt_tos_print_symbolic(GString *o, const char *prefix, uint8_t value, uint8_t mask)
{
	if (mask != 0x3f)
		return false;
	for (unsigned i = 0; i < G_N_ELEMENTS(tos_names); i++)
		if (tos_names[i].value == value) {
			g_string_append_printf(o, " %s%s", prefix, tos_names[i].name);
			return true;
		}
	return false;
}

/* ipv4_change_dsfield, its own incremental checksum arithmetic kept */
void xt_ipv4_change_dsfield(uint8_t *ip, uint8_t mask, uint8_t value)
{
	uint32_t check = rd16(ip + 10);
	uint8_t ds = (uint8_t)((ip[1] & mask) | value);

	check += ip[1];
	if ((check + 1) >> 16)
		check = (check + 1) & 0xffff;
	check -= ds;
	check += check >= 0xffff;
	wr16(ip + 10, (uint16_t)check);
	ip[1] = ds;
}

struct xt_tos_match_info {
	uint8_t tos_mask, tos_value, invert;
};

enum { O_TOS };

static const struct xt_option tos_opts[] = { { "tos", 1, O_TOS }, { NULL, 0, 0 } };

static int tos_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_tos_match_info *info = data;
	int rc = xt_once(p, "tos", id);
	if (!rc)
		rc = xt_tos_parse(p, arg, &info->tos_value, &info->tos_mask);
	info->invert = p->invert;
	return rc;
}

static int tos_final_check(struct xt_parse *p, const void *data)
{
	(void)data;
	if (!(*p->once & 1u << O_TOS))
		return xt_err(p, "tos: option \"--tos\" must be specified\n");
	return 0;
}

static void tos_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_tos_match_info *info = data;
	(void)proto;
	g_string_append(o, " tos match");
	if (info->invert)
		g_string_append_c(o, '!');
	if (numeric || !xt_tos_print_symbolic(o, "", info->tos_value, info->tos_mask))
		g_string_append_printf(o, "0x%02x/0x%02x", info->tos_value, info->tos_mask);
}

static void tos_save(GString *o, const void *data)
{
	const struct xt_tos_match_info *info = data;
	g_string_append_printf(o, "%s --tos 0x%02x/0x%02x", info->invert ? " !" : "",
			       info->tos_value, info->tos_mask);
}

/* tos_mt */
static bool tos_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_tos_match_info *info = data;
	return ((par->skb->ip[1] & info->tos_mask) == info->tos_value) ^ !!info->invert;
}

const struct xt_ops xt_tos_ops = {
	.name = "tos", .kind = XT_MATCH, .size = sizeof(struct xt_tos_match_info),
	.no_xlate = true,	/* iptables 1.8.9 has no xlate for it */
	.opts = tos_opts, .parse = tos_parse, .final_check = tos_final_check,
	.print = tos_print, .save = tos_save, .match = tos_mt,
};
