/* xt_nat.c - `-j SNAT --to-source` and `-j DNAT --to-destination`.
 *
 * Mirrors libxt_NAT.c (revision 2's parse_to: [ADDR[-ADDR]][:PORT[-PORT]],
 * --random, --random-fully, --persistent; errors and text) and the
 * kernel's net/netfilter/xt_nat.c (the nat table's hooks for each; the
 * target binds the connection through nf_nat_setup_info). The range
 * helpers are shared with MASQUERADE and REDIRECT (xt.h), as libxt_NAT's
 * are.
 */
#include <string.h>

#include "nat/core/nf_inet.h"
#include "nat/iptables/xt.h"

struct xt_nat {
	struct nf_nat_range2 range;
	bool to_given;
};

enum { O_TO, O_RANDOM, O_RANDOM_FULLY, O_PERSISTENT };

static const struct xt_option snat_opts[] = {
	{ "to-source", 1, O_TO }, { "random", 0, O_RANDOM }, { "random-fully", 0, O_RANDOM_FULLY },
	{ "persistent", 0, O_PERSISTENT }, { NULL, 0, 0 },
};
static const struct xt_option dnat_opts[] = {
	{ "to-destination", 1, O_TO }, { "random", 0, O_RANDOM }, { "persistent", 0, O_PERSISTENT },
	{ NULL, 0, 0 },
};

bool xt_nat_portok(const struct ipt_rule *r)
{
	return !r->proto_inv && (r->proto == 6 || r->proto == 17 || r->proto == 132 ||
				 r->proto == 33 || r->proto == 1);
}

int xt_nat_parse_ports(struct xt_parse *p, const char *arg, struct nf_nat_range2 *range)
{
	char buf[64];
	g_strlcpy(buf, arg, sizeof(buf));
	char *dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	unsigned long lo, hi;
	if (!xt_strtoul(buf, 65535, &lo))
		return xt_err(p, "Port `%s' not valid", buf);
	hi = lo;
	if (dash) {
		if (!xt_strtoul(dash, 65535, &hi))
			return xt_err(p, "Port `%s' not valid", dash);
		if (hi < lo)
			return xt_err(p, "Port range `%s' funky", dash);
	}
	range->min_port = (uint16_t)lo;
	range->max_port = (uint16_t)hi;
	range->flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
	return 0;
}

/* --to-source / --to-destination: [ADDR[-ADDR]][:PORT[-PORT]] */
static int nat_parse_to(struct xt_parse *p, const char *arg, struct nf_nat_range2 *range)
{
	char buf[128];
	g_strlcpy(buf, arg, sizeof(buf));
	char *colon = strchr(buf, ':');
	if (colon) {
		*colon++ = '\0';
		if (!xt_nat_portok(p->rule))
			return xt_err(p, "Need TCP, UDP, SCTP or DCCP with port specification");
		int rc = xt_nat_parse_ports(p, colon, range);
		if (rc)
			return rc;
	}
	if (*buf) {
		char *dash = strchr(buf, '-');
		if (dash)
			*dash++ = '\0';
		if (!xt_parse_ip(buf, &range->min_addr.ip) || strchr(buf, '.') == NULL)
			return xt_err(p, "Bad IP address \"%s\"", buf);
		range->max_addr.ip = range->min_addr.ip;
		if (dash && (!xt_parse_ip(dash, &range->max_addr.ip) || !strchr(dash, '.')))
			return xt_err(p, "Bad IP address \"%s\"", dash);
		range->flags |= NF_NAT_RANGE_MAP_IPS;
	}
	return 0;
}

static int nat_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_nat *n = data;
	switch (id) {
	case O_TO: {
		const char *canon = p->ops->opts[0].name;
		int rc = xt_noinvert(p, canon);
		if (!rc)
			rc = xt_once(p, canon, id);
		if (!rc)
			rc = nat_parse_to(p, arg, &n->range);
		n->to_given = true;
		return rc;
	}
	case O_RANDOM:
		n->range.flags |= NF_NAT_RANGE_PROTO_RANDOM;
		break;
	case O_RANDOM_FULLY:
		n->range.flags |= NF_NAT_RANGE_PROTO_RANDOM_FULLY;
		break;
	case O_PERSISTENT:
		n->range.flags |= NF_NAT_RANGE_PERSISTENT;
		break;
	}
	return 0;
}

static int nat_final_check(struct xt_parse *p, const void *data)
{
	const struct xt_nat *n = data;
	if (!n->to_given)
		return xt_err(p, "%s: option \"--%s\" must be specified\n", p->ops->name,
			      p->ops->opts[0].name);
	return 0;
}

void xt_nat_print_range(GString *o, const struct nf_nat_range2 *r, bool addr)
{
	if (addr && (r->flags & NF_NAT_RANGE_MAP_IPS)) {
		nf_inet_append4(o, r->min_addr.ip);
		if (r->max_addr.ip != r->min_addr.ip) {
			g_string_append_c(o, '-');
			nf_inet_append4(o, r->max_addr.ip);
		}
	}
	if (r->flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
		if (addr)
			g_string_append_c(o, ':');
		g_string_append_printf(o, "%u", r->min_port);
		if (r->max_port != r->min_port)
			g_string_append_printf(o, "-%u", r->max_port);
	}
}

void xt_nat_print_flags(GString *o, const struct nf_nat_range2 *r, bool save)
{
	const char *dash = save ? "--" : "";
	if (r->flags & NF_NAT_RANGE_PROTO_RANDOM)
		g_string_append_printf(o, " %srandom", dash);
	if (r->flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY)
		g_string_append_printf(o, " %srandom-fully", dash);
	if (r->flags & NF_NAT_RANGE_PERSISTENT)
		g_string_append_printf(o, " %spersistent", dash);
}

static void nat_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_nat *n = data;
	(void)proto;
	(void)numeric;
	g_string_append(o, " to:");
	xt_nat_print_range(o, &n->range, true);
	xt_nat_print_flags(o, &n->range, false);
}

static void snat_save(GString *o, const void *data)
{
	const struct xt_nat *n = data;
	g_string_append(o, " --to-source ");
	xt_nat_print_range(o, &n->range, true);
	xt_nat_print_flags(o, &n->range, true);
}

static void dnat_save(GString *o, const void *data)
{
	const struct xt_nat *n = data;
	g_string_append(o, " --to-destination ");
	xt_nat_print_range(o, &n->range, true);
	xt_nat_print_flags(o, &n->range, true);
}

/* xt_snat_target_v2 / xt_dnat_target_v2: an untracked packet passes. */
static unsigned nat_tg(struct xt_action_param *par, const void *data)
{
	const struct xt_nat *n = data;
	if (!par->skb->ct)
		return NF_ACCEPT;
	return xt_nat_verdict(par, nat_setup_info(par->ns, par->skb->ct, &n->range,
					nat_hook_manip(par->hook), par->now));
}

bool xt_nat_xlate(struct xt_xlate *xl, const struct nf_nat_range2 *r, const char *tgt)
{
	const char *sep = " ";
	if (r->flags & NF_NAT_RANGE_PROTO_OFFSET)
		return false;	/* shifted port maps have no nft form */
	GString *range = g_string_new(NULL);
	xt_nat_print_range(range, r, true);
	xt_xlate_add(xl, "%s", tgt);
	if (range->len)
		xt_xlate_add(xl, " to %s", range->str);
	g_string_free(range, TRUE);
	if (r->flags & NF_NAT_RANGE_PROTO_RANDOM) {
		xt_xlate_add(xl, "%srandom", sep);
		sep = ",";
	}
	if (r->flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY) {
		xt_xlate_add(xl, "%sfully-random", sep);
		sep = ",";
	}
	if (r->flags & NF_NAT_RANGE_PERSISTENT)
		xt_xlate_add(xl, "%spersistent", sep);
	return true;
}

static bool SNAT_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	(void)r;
	return xt_nat_xlate(xl, &((const struct xt_nat *)data)->range, "snat");
}

static bool DNAT_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	(void)r;
	return xt_nat_xlate(xl, &((const struct xt_nat *)data)->range, "dnat");
}

const struct xt_ops xt_SNAT_ops = {
	.name = "SNAT", .kind = XT_TARGET, .size = sizeof(struct xt_nat),
	.xlate = SNAT_xlate,
	.opts = snat_opts, .parse = nat_parse, .final_check = nat_final_check,
	.print = nat_print, .save = snat_save,
	.target = nat_tg, .table = "nat",
	.hooks = 1u << NF_INET_POST_ROUTING | 1u << NF_INET_LOCAL_IN,
	.verdict = IPT_T_EXT,
};

const struct xt_ops xt_DNAT_ops = {
	.name = "DNAT", .kind = XT_TARGET, .size = sizeof(struct xt_nat),
	.xlate = DNAT_xlate,
	.opts = dnat_opts, .parse = nat_parse, .final_check = nat_final_check,
	.print = nat_print, .save = dnat_save,
	.target = nat_tg, .table = "nat",
	.hooks = 1u << NF_INET_PRE_ROUTING | 1u << NF_INET_LOCAL_OUT,
	.verdict = IPT_T_EXT,
};
