/* xt_multiport.c - `-m multiport --sports|--dports|--ports LIST`.
 *
 * Mirrors libxt_multiport.c (revision 1: up to 15 slots, a range takes
 * two; its errors and text) and the kernel's net/netfilter/xt_multiport.c
 * (ports_match_v1).
 */
#include <string.h>

#include "nat/core/nf_inet.h"
#include "nat/iptables/xt.h"

/* kind 1 --sports, 2 --dports, 3 --ports; n ranges. */
struct xt_multiport {
	uint8_t kind, n;
	bool inv;
	uint16_t min[15], max[15];
};

enum { O_SPORTS = 1, O_DPORTS, O_PORTS };

static const struct xt_option multiport_opts[] = {
	{ "source-ports", 1, O_SPORTS }, { "sports", 1, O_SPORTS },
	{ "destination-ports", 1, O_DPORTS }, { "dports", 1, O_DPORTS }, { "ports", 1, O_PORTS },
	{ NULL, 0, 0 },
};

static int multiport_parse_list(struct xt_parse *p, const char *arg, struct xt_multiport *mp)
{
	uint8_t proto = p->rule->proto;
	gchar **parts = g_strsplit(arg, ",", -1);
	unsigned slots = 0;
	int rc = 0;
	mp->n = 0;
	for (unsigned i = 0; parts[i] && !rc; i++) {
		char *colon = strchr(parts[i], ':');
		uint16_t lo, hi;
		if (colon)
			*colon = '\0';
		slots += colon ? 2 : 1;
		if (slots > 15) {
			rc = xt_err(p, "too many ports specified");
			break;
		}
		if (!xt_port_value(parts[i], proto, &lo)) {
			rc = xt_err(p, "invalid port/service `%s' specified", parts[i]);
			break;
		}
		hi = lo;
		if (colon) {
			if (!xt_port_value(colon + 1, proto, &hi)) {
				rc = xt_err(p, "invalid port/service `%s' specified", colon + 1);
				break;
			}
			if (lo > hi) {
				rc = xt_err(p, "invalid portrange specified");
				break;
			}
		}
		mp->min[mp->n] = lo;
		mp->max[mp->n] = hi;
		mp->n++;
	}
	g_strfreev(parts);
	return rc;
}

static const char *const multiport_canon[] = { "", "source-ports", "destination-ports", "ports" };

static int multiport_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_multiport *mp = data;
	const struct ipt_rule *r = p->rule;
	if (mp->kind == id)
		return xt_err(p, "multiport: option \"--%s\" can only be used once.\n",
			      multiport_canon[id]);
	if (mp->kind)
		return xt_err(p, "multiport: option \"--%s\" cannot be used together with \"--%s\".\n",
			      multiport_canon[id], multiport_canon[mp->kind]);
	if (r->proto_inv || (r->proto != 6 && r->proto != 17 && r->proto != 136 &&
			     r->proto != 132 && r->proto != 33))
		return xt_err(p, "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'");
	int rc = multiport_parse_list(p, arg, mp);
	mp->kind = (uint8_t)id;
	mp->inv = p->invert;
	return rc;
}

static int multiport_final_check(struct xt_parse *p, const void *data)
{
	const struct xt_multiport *mp = data;
	if (!mp->kind)
		return xt_err(p, "multiport expection an option");
	return 0;
}

static const char *const multiport_kinds[] = { "", "sports", "dports", "ports" };

static void multiport_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_multiport *mp = data;
	g_string_append_printf(o, " multiport %s %s", multiport_kinds[mp->kind], mp->inv ? " !" : "");
	for (unsigned i = 0; i < mp->n; i++) {
		if (i)
			g_string_append_c(o, ',');
		xt_print_port(o, mp->min[i], proto, numeric);
		if (mp->max[i] != mp->min[i]) {
			g_string_append_c(o, ':');
			xt_print_port(o, mp->max[i], proto, numeric);
		}
	}
}

static void multiport_save(GString *o, const void *data)
{
	const struct xt_multiport *mp = data;
	g_string_append_printf(o, "%s --%s ", mp->inv ? " !" : "", multiport_kinds[mp->kind]);
	for (unsigned i = 0; i < mp->n; i++) {
		g_string_append_printf(o, "%s%u", i ? "," : "", mp->min[i]);
		if (mp->max[i] != mp->min[i])
			g_string_append_printf(o, ":%u", mp->max[i]);
	}
}

/* ports_match_v1: never a fragment; a truncated header drops the packet. */
static bool multiport_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_multiport *mp = data;
	const struct xt_pkt *p = par->pkt;
	if (p->frag)
		return false;
	if (p->l4len < 4) {
		par->hotdrop = true;
		return false;
	}
	uint16_t sp = rd16(p->l4), dp = rd16(p->l4 + 2);
	bool hit = false;
	for (unsigned k = 0; k < mp->n && !hit; k++) {
		uint16_t lo = mp->min[k], hi = mp->max[k];
		if (mp->kind == O_SPORTS)
			hit = sp >= lo && sp <= hi;
		else if (mp->kind == O_DPORTS)
			hit = dp >= lo && dp <= hi;
		else
			hit = (sp >= lo && sp <= hi) || (dp >= lo && dp <= hi);
	}
	return hit != mp->inv;
}

/* multiport_xlate_v1: the protocol's name, then ` sport `/` dport ` and the
 * ports (a range is two ports with its flag), braces when more than one
 * element; --ports lists each port, range ends apart, as `0-65535 . P, P .
 * 0-65535` pairs (1.8.9's words). */
static bool multiport_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_multiport *mp = data;
	const char *proto = xt_xlate_proto_name(r->proto);
	uint16_t ports[30];
	bool pflag[30] = { false };
	unsigned count = 0;
	for (unsigned i = 0; i < mp->n && count < 29; i++) {
		ports[count] = mp->min[i];
		if (mp->max[i] != mp->min[i]) {
			pflag[count] = true;
			ports[++count] = mp->max[i];
		}
		count++;
	}
	if (!proto)
		proto = "";
	xt_xlate_add(xl, "%s", proto);
	if (mp->kind == O_PORTS) {
		xt_xlate_add(xl, " sport . %s dport { ", proto);
		for (unsigned i = 0; i < count; i++) {
			if (i)
				xt_xlate_add(xl, ", ");
			xt_xlate_add(xl, "0-65535 . %u, %u . 0-65535", ports[i], ports[i]);
		}
		xt_xlate_add(xl, " }");
		return true;
	}
	xt_xlate_add(xl, mp->kind == O_SPORTS ? " sport " : " dport ");
	if (mp->inv)
		xt_xlate_add(xl, "!= ");
	bool braces = count > 2 || (count > 1 && !pflag[0]);
	if (braces)
		xt_xlate_add(xl, "{ ");
	for (unsigned i = 0; i < count; i++) {
		xt_xlate_add(xl, "%s%u", i ? ", " : "", ports[i]);
		if (pflag[i])
			xt_xlate_add(xl, "-%u", ports[++i]);
	}
	if (braces)
		xt_xlate_add(xl, "}");
	return true;
}

const struct xt_ops xt_multiport_ops = {
	.name = "multiport", .kind = XT_MATCH, .size = sizeof(struct xt_multiport),
	.xlate = multiport_xlate,
	.opts = multiport_opts, .parse = multiport_parse, .final_check = multiport_final_check,
	.print = multiport_print, .save = multiport_save, .match = multiport_mt,
};
