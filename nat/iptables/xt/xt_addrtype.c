/* xt_addrtype.c - `-m addrtype [!] --src-type T,.. [!] --dst-type T,..
 * [--limit-iface-in|--limit-iface-out]`.
 *
 * Mirrors libxt_addrtype.c (revision 1: type names matched by prefix,
 * case-insensitively, in linux/rtnetlink.h's order; -S and -L print the
 * full names in that order) and the kernel's net/netfilter/xt_addrtype.c
 * (addrtype_mt_v1: each address's inet_dev_addr_type, limited to the in
 * or out device when asked; addrtype_mt_checkentry_v1's hook checks).
 *
 * Design: the type comes from the simulator (nf_env.addr_type, the node's
 * addresses standing for its local table); a rule without -m addrtype
 * never asks.
 */
#include <errno.h>
#include <string.h>

#include "nat/core/nf_ns.h"
#include "nat/iptables/xt.h"

struct xt_addrtype_info {
	uint16_t source, dest;	/* 1 << enum nf_rtn_type */
	uint8_t flags;		/* XT_ADDRTYPE_* */
};

enum {
	XT_ADDRTYPE_INVERT_SOURCE = 1 << 0,
	XT_ADDRTYPE_INVERT_DEST = 1 << 1,
	XT_ADDRTYPE_LIMIT_IFACE_IN = 1 << 2,
	XT_ADDRTYPE_LIMIT_IFACE_OUT = 1 << 3,
};

enum { O_SRC_TYPE, O_DST_TYPE, O_LIMIT_IFACE_IN, O_LIMIT_IFACE_OUT };

static const struct xt_option addrtype_opts[] = {
	{ "src-type", 1, O_SRC_TYPE }, { "dst-type", 1, O_DST_TYPE },
	{ "limit-iface-in", 0, O_LIMIT_IFACE_IN }, { "limit-iface-out", 0, O_LIMIT_IFACE_OUT },
	{ NULL, 0, 0 },
};

static const char *const rtn_names[NF_RTN_MAX] = {
	"UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST",
	"BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE",
};

/* parse_type: the first name `len` bytes of s begin, case-insensitively. */
static bool addrtype_parse_type(const char *s, size_t len, uint16_t *mask)
{
	for (unsigned i = 0; i < NF_RTN_MAX; i++)
		if (g_ascii_strncasecmp(s, rtn_names[i], len) == 0) {
			*mask |= (uint16_t)(1u << i);
			return true;
		}
	return false;
}

/* parse_types: a bad item before a comma is quoted `so' with the rest of
 * the list, the last one "so". */
static int addrtype_parse_types(struct xt_parse *p, const char *arg, uint16_t *mask)
{
	const char *comma;
	while ((comma = strchr(arg, ',')) != NULL) {
		if (comma == arg || !addrtype_parse_type(arg, (size_t)(comma - arg), mask))
			return xt_err(p, "addrtype: bad type `%s'", arg);
		arg = comma + 1;
	}
	if (!*arg || !addrtype_parse_type(arg, strlen(arg), mask))
		return xt_err(p, "addrtype: bad type \"%s\"", arg);
	return 0;
}

static int addrtype_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_addrtype_info *info = data;
	int rc = xt_once(p, addrtype_opts[id].name, id);
	if (rc)
		return rc;
	switch (id) {
	case O_SRC_TYPE:
		rc = addrtype_parse_types(p, arg, &info->source);
		if (p->invert)
			info->flags |= XT_ADDRTYPE_INVERT_SOURCE;
		break;
	case O_DST_TYPE:
		rc = addrtype_parse_types(p, arg, &info->dest);
		if (p->invert)
			info->flags |= XT_ADDRTYPE_INVERT_DEST;
		break;
	case O_LIMIT_IFACE_IN:
		rc = xt_noinvert(p, "limit-iface-in");
		info->flags |= XT_ADDRTYPE_LIMIT_IFACE_IN;
		break;
	default:
		rc = xt_noinvert(p, "limit-iface-out");
		info->flags |= XT_ADDRTYPE_LIMIT_IFACE_OUT;
		break;
	}
	return rc;
}

/* xtables' exclusion check, then addrtype_check. */
static int addrtype_final_check(struct xt_parse *p, const void *data)
{
	const struct xt_addrtype_info *info = data;
	if ((info->flags & XT_ADDRTYPE_LIMIT_IFACE_IN) && (info->flags & XT_ADDRTYPE_LIMIT_IFACE_OUT))
		return xt_err(p, "addrtype: option \"--limit-iface-in\" cannot be used together "
			      "with \"--limit-iface-out\".\n");
	if (!(*p->once & (1u << O_SRC_TYPE | 1u << O_DST_TYPE)))
		return xt_err(p, "addrtype: you must specify --src-type or --dst-type");
	return 0;
}

static void addrtype_print_types(GString *o, uint16_t mask)
{
	const char *sep = "";
	for (unsigned i = 0; i < NF_RTN_MAX; i++)
		if (mask & (1u << i)) {
			g_string_append_printf(o, "%s%s", sep, rtn_names[i]);
			sep = ",";
		}
}

static void addrtype_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_addrtype_info *info = data;
	(void)proto;
	(void)numeric;
	g_string_append(o, " ADDRTYPE match");
	if (info->source) {
		g_string_append_printf(o, " src-type %s",
				       info->flags & XT_ADDRTYPE_INVERT_SOURCE ? "!" : "");
		addrtype_print_types(o, info->source);
	}
	if (info->dest) {
		g_string_append_printf(o, " dst-type %s",
				       info->flags & XT_ADDRTYPE_INVERT_DEST ? "!" : "");
		addrtype_print_types(o, info->dest);
	}
	if (info->flags & XT_ADDRTYPE_LIMIT_IFACE_IN)
		g_string_append(o, " limit-in");
	if (info->flags & XT_ADDRTYPE_LIMIT_IFACE_OUT)
		g_string_append(o, " limit-out");
}

static void addrtype_save(GString *o, const void *data)
{
	const struct xt_addrtype_info *info = data;
	if (info->source) {
		g_string_append_printf(o, "%s --src-type ",
				       info->flags & XT_ADDRTYPE_INVERT_SOURCE ? " !" : "");
		addrtype_print_types(o, info->source);
	}
	if (info->dest) {
		g_string_append_printf(o, "%s --dst-type ",
				       info->flags & XT_ADDRTYPE_INVERT_DEST ? " !" : "");
		addrtype_print_types(o, info->dest);
	}
	if (info->flags & XT_ADDRTYPE_LIMIT_IFACE_IN)
		g_string_append(o, " --limit-iface-in");
	if (info->flags & XT_ADDRTYPE_LIMIT_IFACE_OUT)
		g_string_append(o, " --limit-iface-out");
}

/* addrtype_mt_checkentry_v1 (the IPv4 part), with the hook_mask nft_compat
 * gives it: a base chain's hook, none in a user chain (iptables 1.8.9
 * accepts --limit-iface-out in a user chain INPUT jumps to; the match then
 * has no out device and asks about any device, as the kernel does). */
static int addrtype_check(const struct xt_check_param *par, const void *data, GString *klog)
{
	const struct xt_addrtype_info *info = data;
	const unsigned in_hooks = 1u << NF_INET_PRE_ROUTING | 1u << NF_INET_LOCAL_IN;
	const unsigned out_hooks = 1u << NF_INET_POST_ROUTING | 1u << NF_INET_LOCAL_OUT;
	if ((info->flags & XT_ADDRTYPE_LIMIT_IFACE_IN) && (info->flags & XT_ADDRTYPE_LIMIT_IFACE_OUT)) {
		g_string_assign(klog, "xt_addrtype: both incoming and outgoing interface limitation cannot be selected");
		return EINVAL;
	}
	if ((par->nft_hookmask & in_hooks) && (info->flags & XT_ADDRTYPE_LIMIT_IFACE_OUT)) {
		g_string_assign(klog, "xt_addrtype: output interface limitation not valid in PREROUTING and INPUT");
		return EINVAL;
	}
	if ((par->nft_hookmask & out_hooks) && (info->flags & XT_ADDRTYPE_LIMIT_IFACE_IN)) {
		g_string_assign(klog, "xt_addrtype: input interface limitation not valid in POSTROUTING and OUTPUT");
		return EINVAL;
	}
	return 0;
}

/* match_type: is the address's type one of mask's? */
static bool addrtype_match_type(struct nf_ns *ns, const char *dev, uint32_t addr, uint16_t mask)
{
	unsigned type = ns->env.addr_type ? ns->env.addr_type(ns->env.ctx, dev, addr) : NF_RTN_UNICAST;
	return (mask & (1u << type)) != 0;
}

/* addrtype_mt_v1 */
static bool addrtype_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_addrtype_info *info = data;
	const char *dev = NULL;
	if (info->flags & XT_ADDRTYPE_LIMIT_IFACE_IN)
		dev = par->in;
	else if (info->flags & XT_ADDRTYPE_LIMIT_IFACE_OUT)
		dev = par->out;
	bool ret = true;
	if (info->source)
		ret = addrtype_match_type(par->ns, dev, par->pkt->src, info->source) !=
		      !!(info->flags & XT_ADDRTYPE_INVERT_SOURCE);
	if (ret && info->dest)
		ret = addrtype_match_type(par->ns, dev, par->pkt->dst, info->dest) !=
		      !!(info->flags & XT_ADDRTYPE_INVERT_DEST);
	return ret;
}

/* addrtype_xlate: `fib saddr` (or daddr: only one of the two, the source
 * when given), `. iif`/`. oif`, the types in lower case, braces when more
 * than one. */
static bool addrtype_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_addrtype_info *info = data;
	uint16_t val = info->source ? info->source : info->dest;
	(void)r;
	xt_xlate_add(xl, "fib ");
	xt_xlate_add(xl, info->source ? "saddr " : "daddr ");
	if (info->flags & XT_ADDRTYPE_LIMIT_IFACE_IN)
		xt_xlate_add(xl, ". iif ");
	else if (info->flags & XT_ADDRTYPE_LIMIT_IFACE_OUT)
		xt_xlate_add(xl, ". oif ");
	xt_xlate_add(xl, "type ");
	if (info->flags & (XT_ADDRTYPE_INVERT_SOURCE | XT_ADDRTYPE_INVERT_DEST))
		xt_xlate_add(xl, "!= ");
	bool braces = (val & (val - 1)) != 0;
	if (braces)
		xt_xlate_add(xl, "{ ");
	const char *sep = "";
	/* rtn_lnames stops at prohibit: throw, nat and xresolve are not named */
	for (unsigned i = 0; i <= NF_RTN_PROHIBIT; i++)
		if (val & (1u << i)) {
			char *low = g_ascii_strdown(rtn_names[i], -1);
			xt_xlate_add(xl, "%s%s", sep, low);
			g_free(low);
			sep = ", ";
		}
	if (braces)
		xt_xlate_add(xl, " }");
	return true;
}

const struct xt_ops xt_addrtype_ops = {
	.name = "addrtype", .kind = XT_MATCH, .size = sizeof(struct xt_addrtype_info),
	.xlate = addrtype_xlate,
	.opts = addrtype_opts, .parse = addrtype_parse, .final_check = addrtype_final_check,
	.print = addrtype_print, .save = addrtype_save,
	.match = addrtype_mt, .checkentry = addrtype_check,
};
