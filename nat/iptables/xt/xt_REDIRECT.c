/* xt_REDIRECT.c - `-j REDIRECT [--to-ports P[-P]] [--random]`.
 *
 * Mirrors libipt_REDIRECT.c and the kernel's net/netfilter/xt_REDIRECT.c
 * (nat table, PREROUTING and OUTPUT; the address is the in interface's,
 * or 127.0.0.1 for locally generated packets: nf_nat_redirect_ipv4).
 */
#include "nat/iptables/xt.h"

enum { O_TO_PORTS, O_RANDOM };

static const struct xt_option redirect_opts[] = {
	{ "to-ports", 1, O_TO_PORTS }, { "random", 0, O_RANDOM }, { NULL, 0, 0 },
};

static int redirect_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct nf_nat_range2 *range = data;
	int rc = 0;
	if (id == O_RANDOM) {
		range->flags |= NF_NAT_RANGE_PROTO_RANDOM;
		return 0;
	}
	rc = xt_noinvert(p, "to-ports");
	if (!rc && !xt_nat_portok(p->rule))
		rc = xt_err(p, "Need TCP, UDP, SCTP or DCCP with port specification");
	if (!rc)
		rc = xt_nat_parse_ports(p, arg, range);
	return rc;
}

static void redirect_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct nf_nat_range2 *range = data;
	(void)proto;
	(void)numeric;
	if (range->flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
		g_string_append(o, " redir ports ");
		xt_nat_print_range(o, range, false);
	}
	xt_nat_print_flags(o, range, false);
}

static void redirect_save(GString *o, const void *data)
{
	const struct nf_nat_range2 *range = data;
	if (range->flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
		g_string_append(o, " --to-ports ");
		xt_nat_print_range(o, range, false);
	}
	xt_nat_print_flags(o, range, true);
}

static unsigned redirect_tg(struct xt_action_param *par, const void *data)
{
	if (!par->skb->ct)
		return NF_ACCEPT;
	return xt_nat_verdict(par, nat_redirect(par->ns, par->skb->ct, data, par->in, par->hook, par->now));
}

static bool REDIRECT_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	(void)r;
	return xt_nat_xlate(xl, data, "redirect");
}

const struct xt_ops xt_REDIRECT_ops = {
	.name = "REDIRECT", .kind = XT_TARGET, .size = sizeof(struct nf_nat_range2),
	.xlate = REDIRECT_xlate,
	.opts = redirect_opts, .parse = redirect_parse, .print = redirect_print,
	.save = redirect_save, .target = redirect_tg, .table = "nat",
	.hooks = 1u << NF_INET_PRE_ROUTING | 1u << NF_INET_LOCAL_OUT,
	.verdict = IPT_T_EXT,
};
