/* xt_REJECT.c - `-j REJECT [--reject-with TYPE]`.
 *
 * Mirrors libipt_REJECT.c (names and their short aliases, prefix
 * matching, default icmp-port-unreachable) and the kernel's
 * net/ipv4/netfilter/ipt_REJECT.c (filter table, INPUT/FORWARD/OUTPUT;
 * tcp-reset only for -p tcp). The target sets skb->reject_with and
 * returns NF_REJECT: the simulator sends the answer.
 */
#include <errno.h>
#include <string.h>

#include "nat/iptables/xt.h"

struct xt_reject {
	uint8_t with;		/* enum nf_reject_with */
};

enum { O_REJECT_WITH };

static const struct xt_option reject_opts[] = { { "reject-with", 1, O_REJECT_WITH }, { NULL, 0, 0 } };

static const struct { const char *name, *alias; uint8_t with; } reject_names[] = {
	{ "icmp-net-unreachable", "net-unreach", NF_REJECT_ICMP_NET_UNREACH },
	{ "icmp-host-unreachable", "host-unreach", NF_REJECT_ICMP_HOST_UNREACH },
	{ "icmp-port-unreachable", "port-unreach", NF_REJECT_ICMP_PORT_UNREACH },
	{ "icmp-proto-unreachable", "proto-unreach", NF_REJECT_ICMP_PROTO_UNREACH },
	{ "icmp-net-prohibited", "net-prohib", NF_REJECT_ICMP_NET_PROHIBITED },
	{ "icmp-host-prohibited", "host-prohib", NF_REJECT_ICMP_HOST_PROHIBITED },
	{ "tcp-reset", "tcp-rst", NF_REJECT_TCP_RESET },
	{ "icmp-admin-prohibited", "admin-prohib", NF_REJECT_ICMP_ADMIN_PROHIBITED },
};

static void reject_init(void *data)
{
	((struct xt_reject *)data)->with = NF_REJECT_ICMP_PORT_UNREACH;
}

static int reject_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_reject *rj = data;
	size_t n = strlen(arg);
	unsigned i;
	(void)id;
	int rc = xt_noinvert(p, "reject-with");
	if (rc)
		return rc;
	for (i = 0; i < G_N_ELEMENTS(reject_names); i++)
		if (g_ascii_strncasecmp(reject_names[i].name, arg, n) == 0 ||
		    g_ascii_strncasecmp(reject_names[i].alias, arg, n) == 0)
			break;
	if (i == G_N_ELEMENTS(reject_names) || n == 0)
		return xt_err(p, "unknown reject type \"%s\"", arg);
	rj->with = reject_names[i].with;
	return 0;
}

static const char *reject_name(uint8_t with)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(reject_names); i++)
		if (reject_names[i].with == with)
			return reject_names[i].name;
	return "?";
}

static void reject_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	(void)proto;
	(void)numeric;
	g_string_append_printf(o, " reject-with %s", reject_name(((const struct xt_reject *)data)->with));
}

static void reject_save(GString *o, const void *data)
{
	g_string_append_printf(o, " --reject-with %s",
			       reject_name(((const struct xt_reject *)data)->with));
}

/* reject_tg4_check */
static int reject_check(const struct xt_check_param *par, const void *data, GString *klog)
{
	const struct xt_reject *rj = data;
	if (rj->with == NF_REJECT_TCP_RESET && (par->rule->proto != 6 || par->rule->proto_inv)) {
		g_string_assign(klog, "ipt_REJECT: TCP_RESET invalid for non-tcp");
		return EINVAL;
	}
	return 0;
}

static unsigned reject_tg(struct xt_action_param *par, const void *data)
{
	par->skb->reject_with = ((const struct xt_reject *)data)->with;
	return NF_REJECT;
}

/* REJECT_xlate: plain `reject` for port-unreachable, `reject with tcp
 * reset`, else `reject with icmp type` and nft's name of the code. */
static bool REJECT_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	static const struct { uint8_t with; const char *name; } nft_names[] = {
		{ NF_REJECT_ICMP_NET_UNREACH, "net-unreachable" },
		{ NF_REJECT_ICMP_HOST_UNREACH, "host-unreachable" },
		{ NF_REJECT_ICMP_PROTO_UNREACH, "prot-unreachable" },
		{ NF_REJECT_ICMP_NET_PROHIBITED, "net-prohibited" },
		{ NF_REJECT_ICMP_HOST_PROHIBITED, "host-prohibited" },
		{ NF_REJECT_ICMP_ADMIN_PROHIBITED, "admin-prohibited" },
	};
	const struct xt_reject *rj = data;
	(void)r;
	if (rj->with == NF_REJECT_ICMP_PORT_UNREACH) {
		xt_xlate_add(xl, "reject");
		return true;
	}
	if (rj->with == NF_REJECT_TCP_RESET) {
		xt_xlate_add(xl, "reject with tcp reset");
		return true;
	}
	for (unsigned i = 0; i < G_N_ELEMENTS(nft_names); i++)
		if (nft_names[i].with == rj->with) {
			xt_xlate_add(xl, "reject with icmp type %s", nft_names[i].name);
			return true;
		}
	return false;
}

const struct xt_ops xt_REJECT_ops = {
	.name = "REJECT", .kind = XT_TARGET, .size = sizeof(struct xt_reject),
	.xlate = REJECT_xlate,
	.opts = reject_opts, .init = reject_init, .parse = reject_parse,
	.print = reject_print, .save = reject_save,
	.target = reject_tg, .table = "filter",
	.hooks = 1u << NF_INET_LOCAL_IN | 1u << NF_INET_FORWARD | 1u << NF_INET_LOCAL_OUT,
	.checkentry = reject_check, .verdict = IPT_T_EXT,
};
