/* xt_MASQUERADE.c - `-j MASQUERADE [--to-ports P[-P]] [--random[-fully]]`.
 *
 * Mirrors libipt_MASQUERADE.c and the kernel's
 * net/netfilter/xt_MASQUERADE.c (nat table, POSTROUTING only; the address
 * is the out interface's, nf_nat_masquerade_ipv4).
 */
#include "nat/iptables/xt.h"

enum { O_TO_PORTS, O_RANDOM, O_RANDOM_FULLY };

static const struct xt_option masq_opts[] = {
	{ "to-ports", 1, O_TO_PORTS }, { "random", 0, O_RANDOM },
	{ "random-fully", 0, O_RANDOM_FULLY }, { NULL, 0, 0 },
};

static int masq_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct nf_nat_range2 *range = data;
	int rc = 0;
	switch (id) {
	case O_TO_PORTS:
		rc = xt_noinvert(p, "to-ports");
		if (!rc && !xt_nat_portok(p->rule))
			rc = xt_err(p, "Need TCP, UDP, SCTP or DCCP with port specification");
		if (!rc)
			rc = xt_nat_parse_ports(p, arg, range);
		break;
	case O_RANDOM:
		range->flags |= NF_NAT_RANGE_PROTO_RANDOM;
		break;
	case O_RANDOM_FULLY:
		range->flags |= NF_NAT_RANGE_PROTO_RANDOM_FULLY;
		break;
	}
	return rc;
}

static void masq_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct nf_nat_range2 *range = data;
	(void)proto;
	(void)numeric;
	if (range->flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
		g_string_append(o, " masq ports: ");
		xt_nat_print_range(o, range, false);
	}
	xt_nat_print_flags(o, range, false);
}

static void masq_save(GString *o, const void *data)
{
	const struct nf_nat_range2 *range = data;
	if (range->flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
		g_string_append(o, " --to-ports ");
		xt_nat_print_range(o, range, false);
	}
	xt_nat_print_flags(o, range, true);
}

static unsigned masq_tg(struct xt_action_param *par, const void *data)
{
	if (!par->skb->ct)
		return NF_ACCEPT;
	return xt_nat_verdict(par, nat_masquerade(par->ns, par->skb->ct, data, par->out, par->now));
}

static bool MASQUERADE_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	(void)r;
	return xt_nat_xlate(xl, data, "masquerade");
}

const struct xt_ops xt_MASQUERADE_ops = {
	.name = "MASQUERADE", .kind = XT_TARGET, .size = sizeof(struct nf_nat_range2),
	.xlate = MASQUERADE_xlate,
	.opts = masq_opts, .parse = masq_parse, .print = masq_print, .save = masq_save,
	.target = masq_tg, .table = "nat", .hooks = 1u << NF_INET_POST_ROUTING,
	.verdict = IPT_T_EXT,
};
