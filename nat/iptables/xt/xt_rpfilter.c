/* xt_rpfilter.c - `-m rpfilter [--loose] [--validmark] [--accept-local]
 * [--invert]`: reverse path filtering by a FIB lookup, in PREROUTING.
 *
 * Mirrors libxt_rpfilter.c (four flags, none invertible: --invert is the
 * negation) and the kernel's net/ipv4/netfilter/ipt_rpfilter.c: the hook
 * is PREROUTING only, the table raw or mangle (rpfilter_check's log line);
 * rpfilter_mt accepts what comes in on lo and 0.0.0.0 to a broadcast or a
 * local multicast group, else looks the source up as a destination
 * (rpfilter_lookup_reverse): a unicast route (or a local one with
 * --accept-local) whose nexthop is the input device, any with --loose.
 *
 * Design: the FIB is the simulator's (nf_env.fib_lookup). natsim has no
 * policy routing, so the lookup's mark (--validmark) and its source
 * address change nothing, as on a Linux without `ip rule`s.
 */
#include <string.h>

#include "nat/core/nf_ns.h"
#include "nat/iptables/xt.h"

enum {
	XT_RPFILTER_LOOSE = 1 << 0,
	XT_RPFILTER_VALID_MARK = 1 << 1,
	XT_RPFILTER_ACCEPT_LOCAL = 1 << 2,
	XT_RPFILTER_INVERT = 1 << 3,
};

struct xt_rpfilter { uint8_t flags; };

enum { O_LOOSE, O_VMARK, O_ACCEPT_LOCAL, O_INVERT };

static const struct xt_option rpfilter_opts[] = {
	{ "loose", 0, O_LOOSE }, { "validmark", 0, O_VMARK },
	{ "accept-local", 0, O_ACCEPT_LOCAL }, { "invert", 0, O_INVERT }, { NULL, 0, 0 },
};

static int rpfilter_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_rpfilter *r = data;
	(void)arg;
	int rc = xt_once(p, rpfilter_opts[id].name, id);
	if (!rc)
		rc = xt_noinvert(p, rpfilter_opts[id].name);
	if (!rc)
		r->flags |= (uint8_t)(1u << id);
	return rc;
}

static void rpfilter_flags(GString *o, uint8_t flags, const char *dash)
{
	for (unsigned i = 0; i < 4; i++)
		if (flags & (1u << i))
			g_string_append_printf(o, " %s%s", dash, rpfilter_opts[i].name);
}

static void rpfilter_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	(void)proto;
	(void)numeric;
	g_string_append(o, " rpfilter");
	rpfilter_flags(o, ((const struct xt_rpfilter *)data)->flags, "");
}

static void rpfilter_save(GString *o, const void *data)
{
	rpfilter_flags(o, ((const struct xt_rpfilter *)data)->flags, "--");
}

/* rpfilter_check: the raw or mangle table only. */
static int rpfilter_checkentry(const struct xt_check_param *par, const void *data, GString *klog)
{
	(void)data;
	if (par->table != IPT_RAW && par->table != IPT_MANGLE) {
		g_string_printf(klog, "ipt_rpfilter: only valid in 'raw' or 'mangle' table, not '%s'",
				ipt_table_name(par->table));
		return EINVAL;
	}
	return 0;
}

/* rpfilter_mt */
static bool rpfilter_mt(struct xt_action_param *par, const void *data)
{
	uint8_t flags = ((const struct xt_rpfilter *)data)->flags;
	bool invert = flags & XT_RPFILTER_INVERT;
	if (!par->in || strcmp(par->in, "lo") == 0)	/* rpfilter_is_loopback */
		return true ^ invert;
	uint32_t saddr = par->pkt->src, daddr = par->pkt->dst;
	if ((saddr >> 24) == 0 && (daddr == 0xffffffffu || (daddr & 0xffffff00u) == 0xe0000000u))
		return true ^ invert;	/* DHCP and friends */
	const struct nf_env *env = &par->ns->env;
	const char *dev = NULL;
	unsigned type = env->fib_lookup ? env->fib_lookup(env->ctx, saddr, &dev) : NF_RTN_UNSPEC;
	bool ok;
	if (type == NF_RTN_UNSPEC)
		ok = false;	/* fib_lookup failed */
	else if (type != NF_RTN_UNICAST &&
		 (type != NF_RTN_LOCAL || !(flags & XT_RPFILTER_ACCEPT_LOCAL)))
		ok = false;
	else	/* fib_info_nh_uses_dev, or --loose */
		ok = (dev && strcmp(dev, par->in) == 0) || (flags & XT_RPFILTER_LOOSE);
	return ok ^ invert;
}

/* rpfilter_xlate: nft's fib expression. The key is saddr, the mark with
 * --validmark, the input interface unless --loose; a route out means a
 * pass (`oif != 0`, inverted `oif 0`). --accept-local is a `fib saddr type
 * != local` before it, which 1.8.9 writes only with --invert (otherwise
 * the rule is a comment). */
static bool rpfilter_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	uint8_t flags = ((const struct xt_rpfilter *)data)->flags;
	bool invert = flags & XT_RPFILTER_INVERT;
	(void)r;
	if (flags & XT_RPFILTER_ACCEPT_LOCAL) {
		if (!invert)
			return false;
		xt_xlate_add(xl, "fib saddr type != local ");
	}
	xt_xlate_add(xl, "fib saddr%s%s oif %s0", (flags & XT_RPFILTER_VALID_MARK) ? " . mark" : "",
		     (flags & XT_RPFILTER_LOOSE) ? "" : " . iif", invert ? "" : "!= ");
	return true;
}

const struct xt_ops xt_rpfilter_ops = {
	.name = "rpfilter", .kind = XT_MATCH, .size = sizeof(struct xt_rpfilter),
	.opts = rpfilter_opts, .parse = rpfilter_parse,
	.print = rpfilter_print, .save = rpfilter_save, .xlate = rpfilter_xlate,
	.match = rpfilter_mt, .checkentry = rpfilter_checkentry,
	.hooks = 1u << NF_INET_PRE_ROUTING,
};
