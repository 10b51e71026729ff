/* xt_icmp.c - `-m icmp --icmp-type TYPE[/CODE]`.
 *
 * Mirrors libxt_icmp.c (its icmp_codes[] names, parse errors, -L and -S
 * text) and the kernel's icmp_match in net/ipv4/netfilter/ip_tables.c
 * (type 0xff matches any; a code range; "only valid for protocol 1").
 */
#include <ctype.h>
#include <string.h>

#include "nat/iptables/xt.h"

/* type 0xff = any; code_min..code_max. */
struct xt_icmp {
	uint8_t type, code_min, code_max;
	bool set, inv;
};

enum { O_ICMP_TYPE };

static const struct xt_option icmp_opts[] = { { "icmp-type", 1, O_ICMP_TYPE }, { NULL, 0, 0 } };

/* libxt_icmp's icmp_codes[] (names iptables accepts and prints). */
struct icmp_name { const char *name; uint8_t type, code_min, code_max; };
static const struct icmp_name icmp_names[] = {
	{ "any", 0xFF, 0, 0xFF }, { "echo-reply", 0, 0, 0xFF }, { "pong", 0, 0, 0xFF },
	{ "destination-unreachable", 3, 0, 0xFF }, { "network-unreachable", 3, 0, 0 },
	{ "host-unreachable", 3, 1, 1 }, { "protocol-unreachable", 3, 2, 2 },
	{ "port-unreachable", 3, 3, 3 }, { "fragmentation-needed", 3, 4, 4 },
	{ "source-route-failed", 3, 5, 5 }, { "network-unknown", 3, 6, 6 },
	{ "host-unknown", 3, 7, 7 }, { "network-prohibited", 3, 9, 9 },
	{ "host-prohibited", 3, 10, 10 }, { "TOS-network-unreachable", 3, 11, 11 },
	{ "TOS-host-unreachable", 3, 12, 12 }, { "communication-prohibited", 3, 13, 13 },
	{ "host-precedence-violation", 3, 14, 14 }, { "precedence-cutoff", 3, 15, 15 },
	{ "source-quench", 4, 0, 0xFF }, { "redirect", 5, 0, 0xFF },
	{ "network-redirect", 5, 0, 0 }, { "host-redirect", 5, 1, 1 },
	{ "TOS-network-redirect", 5, 2, 2 }, { "TOS-host-redirect", 5, 3, 3 },
	{ "echo-request", 8, 0, 0xFF }, { "ping", 8, 0, 0xFF },
	{ "router-advertisement", 9, 0, 0xFF }, { "router-solicitation", 10, 0, 0xFF },
	{ "time-exceeded", 11, 0, 0xFF }, { "ttl-exceeded", 11, 0, 0xFF },
	{ "ttl-zero-during-transit", 11, 0, 0 }, { "ttl-zero-during-reassembly", 11, 1, 1 },
	{ "parameter-problem", 12, 0, 0xFF }, { "ip-header-bad", 12, 0, 0 },
	{ "required-option-missing", 12, 1, 1 }, { "timestamp-request", 13, 0, 0xFF },
	{ "timestamp-reply", 14, 0, 0xFF }, { "address-mask-request", 17, 0, 0xFF },
	{ "address-mask-reply", 18, 0, 0xFF },
};

static const char *icmp_type_name(uint8_t type, uint8_t cmin, uint8_t cmax)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(icmp_names); i++)
		if (icmp_names[i].type == type && icmp_names[i].code_min == cmin &&
		    icmp_names[i].code_max == cmax)
			return icmp_names[i].name;
	return NULL;
}

/* parse_icmp: a unique name prefix, or TYPE[/CODE]. */
static int icmp_parse_type(struct xt_parse *p, const char *arg, struct xt_icmp *ic)
{
	size_t n = strlen(arg);
	int match = -1;
	for (unsigned i = 0; i < G_N_ELEMENTS(icmp_names); i++) {
		if (n && g_ascii_strncasecmp(icmp_names[i].name, arg, n) == 0) {
			if (match >= 0)
				return xt_err(p, "Ambiguous ICMP type `%s': `%s' or `%s'?", arg,
					      icmp_names[match].name, icmp_names[i].name);
			match = (int)i;
		}
	}
	if (match >= 0) {
		ic->type = icmp_names[match].type;
		ic->code_min = icmp_names[match].code_min;
		ic->code_max = icmp_names[match].code_max;
		return 0;
	}
	const char *s = arg;
	unsigned long type = 0, code;
	if (!isdigit((unsigned char)*s))
		return xt_err(p, "Unknown ICMP type `%s'", arg);
	while (isdigit((unsigned char)*s))
		type = type * 10 + (unsigned long)(*s++ - '0');
	if (type > 255)
		return xt_err(p, "Unknown ICMP type `%s'", arg);
	ic->type = (uint8_t)type;
	ic->code_min = 0;
	ic->code_max = 0xff;
	if (*s == '/') {
		s++;
		code = 0;
		if (!isdigit((unsigned char)*s))
			return xt_err(p, "Unknown ICMP code `%s'", arg);
		while (isdigit((unsigned char)*s))
			code = code * 10 + (unsigned long)(*s++ - '0');
		if (code > 255)
			return xt_err(p, "Unknown ICMP code `%s'", arg);
		ic->code_min = ic->code_max = (uint8_t)code;
	}
	if (*s)
		return xt_err(p, "unknown character %c", *s);
	return 0;
}

static int icmp_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_icmp *ic = data;
	int rc = xt_once(p, "icmp-type", id);
	if (!rc)
		rc = icmp_parse_type(p, arg, ic);
	ic->set = true;
	ic->inv = p->invert;
	return rc;
}

/* --icmp-type is XTOPT_MAND: `-m icmp` alone is refused. */
static int icmp_final_check(struct xt_parse *p, const void *data)
{
	if (!((const struct xt_icmp *)data)->set)
		return xt_err(p, "icmp: option \"--icmp-type\" must be specified\n");
	return 0;
}

static void icmp_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_icmp *ic = data;
	(void)proto;
	g_string_append(o, " icmp");
	if (!ic->set)
		return;
	const char *name = numeric ? NULL : icmp_type_name(ic->type, ic->code_min, ic->code_max);
	if (name) {
		g_string_append_printf(o, " %s%s", ic->inv ? "!" : "", name);
		return;
	}
	if (ic->inv)
		g_string_append(o, " !");
	g_string_append_printf(o, "type %u", ic->type);
	if (ic->code_min == ic->code_max)
		g_string_append_printf(o, " code %u", ic->code_min);
	else if (ic->code_min != 0 || ic->code_max != 0xff)
		g_string_append_printf(o, " codes %u-%u", ic->code_min, ic->code_max);
}

static void icmp_save(GString *o, const void *data)
{
	const struct xt_icmp *ic = data;
	if (!ic->set)
		return;
	if (ic->inv)
		g_string_append(o, " !");
	if (ic->type == 0xff) {
		g_string_append(o, " --icmp-type any");
	} else {
		g_string_append_printf(o, " --icmp-type %u", ic->type);
		if (ic->code_min != 0 || ic->code_max != 0xff)
			g_string_append_printf(o, "/%u", ic->code_min);
	}
}

/* icmp_match: never a fragment; a truncated header drops the packet. */
static bool icmp_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_icmp *ic = data;
	const struct xt_pkt *p = par->pkt;
	if (p->frag)
		return false;
	if (p->l4len < 8) {
		par->hotdrop = true;
		return false;
	}
	uint8_t type = p->l4[0], code = p->l4[1];
	bool hit = ic->type == 0xff ||
		   (type == ic->type && code >= ic->code_min && code <= ic->code_max);
	return hit != ic->inv;
}

/* icmp_xlate: only a type with its whole code range has an nft name
 * (type_xlate_print); `--icmp-type any` is `ip protocol icmp`. */
static bool icmp_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_icmp *ic = data;
	(void)r;
	if (ic->set && ic->type != 0xFF) {
		xt_xlate_add(xl, "icmp type%s ", ic->inv ? " !=" : "");
		const char *name = ic->code_min != ic->code_max
				   ? icmp_type_name(ic->type, ic->code_min, ic->code_max) : NULL;
		if (!name)
			return false;
		xt_xlate_add(xl, "%s", name);
	} else {
		xt_xlate_add(xl, "ip protocol icmp");
	}
	return true;
}

const struct xt_ops xt_icmp_ops = {
	.name = "icmp", .kind = XT_MATCH, .size = sizeof(struct xt_icmp),
	.xlate = icmp_xlate,
	.opts = icmp_opts, .parse = icmp_parse, .final_check = icmp_final_check,
	.print = icmp_print, .save = icmp_save,
	.match = icmp_mt, .proto = 1,
};
