/* xt_iprange.c - `-m iprange [!] --src-range A[-B] [!] --dst-range A[-B]`.
 *
 * Mirrors libxt_iprange.c (revision 1: addresses read as iptables reads
 * them, one address is the range A-A; -L prints "source IP range A-B") and
 * the kernel's net/netfilter/xt_iprange.c (iprange_mt4: each address
 * within its range, in host order, `!` inverting).
 */
#include <string.h>

#include "nat/iptables/xt.h"

enum { IPRANGE_SRC = 1 << 0, IPRANGE_DST = 1 << 1, IPRANGE_SRC_INV = 1 << 4, IPRANGE_DST_INV = 1 << 5 };

struct xt_iprange_mtinfo {
	uint32_t src_min, src_max, dst_min, dst_max;
	uint8_t flags;
};

enum { O_SRC_RANGE, O_DST_RANGE };

static const struct xt_option iprange_opts[] = {
	{ "src-range", 1, O_SRC_RANGE }, { "dst-range", 1, O_DST_RANGE }, { NULL, 0, 0 },
};

static int iprange_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_iprange_mtinfo *r = data;
	const char *opt = iprange_opts[id].name;
	int rc = xt_once(p, opt, id);
	if (rc)
		return rc;
	char buf[64];
	g_strlcpy(buf, arg, sizeof(buf));
	char *dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	uint32_t lo, hi;
	if (!xt_parse_ip(buf, &lo))
		return xt_err(p, "iprange: Bad value for \"--%s\" option: \"%s\"", opt, buf);
	if (dash && !xt_parse_ip(dash, &hi))
		return xt_err(p, "iprange: Bad value for \"--%s\" option: \"%s\"", opt, dash);
	if (!dash)
		hi = lo;
	if (id == O_SRC_RANGE) {
		r->src_min = lo;
		r->src_max = hi;
		r->flags |= IPRANGE_SRC | (p->invert ? IPRANGE_SRC_INV : 0);
	} else {
		r->dst_min = lo;
		r->dst_max = hi;
		r->flags |= IPRANGE_DST | (p->invert ? IPRANGE_DST_INV : 0);
	}
	return 0;
}

static int iprange_final_check(struct xt_parse *p, const void *data)
{
	(void)data;
	if (!(*p->once & 3u))
		return xt_err(p, "iprange match: You must specify `--src-range' or `--dst-range'");
	return 0;
}

static void iprange_addr(GString *o, uint32_t a)
{
	g_string_append_printf(o, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

static void iprange_range(GString *o, uint32_t lo, uint32_t hi)
{
	iprange_addr(o, lo);
	g_string_append_c(o, '-');
	iprange_addr(o, hi);
}

static void iprange_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_iprange_mtinfo *r = data;
	(void)proto;
	(void)numeric;
	if (r->flags & IPRANGE_SRC) {
		g_string_append_printf(o, " source IP range%s ", r->flags & IPRANGE_SRC_INV ? " !" : "");
		iprange_range(o, r->src_min, r->src_max);
	}
	if (r->flags & IPRANGE_DST) {
		g_string_append_printf(o, " destination IP range%s ", r->flags & IPRANGE_DST_INV ? " !" : "");
		iprange_range(o, r->dst_min, r->dst_max);
	}
}

static void iprange_save(GString *o, const void *data)
{
	const struct xt_iprange_mtinfo *r = data;
	if (r->flags & IPRANGE_SRC) {
		g_string_append_printf(o, "%s --src-range ", r->flags & IPRANGE_SRC_INV ? " !" : "");
		iprange_range(o, r->src_min, r->src_max);
	}
	if (r->flags & IPRANGE_DST) {
		g_string_append_printf(o, "%s --dst-range ", r->flags & IPRANGE_DST_INV ? " !" : "");
		iprange_range(o, r->dst_min, r->dst_max);
	}
}

/* iprange_mt4 */
static bool iprange_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_iprange_mtinfo *r = data;
	uint32_t s = par->pkt->src, d = par->pkt->dst;
	if (r->flags & IPRANGE_SRC) {
		bool out = s < r->src_min || s > r->src_max;
		if (out != !!(r->flags & IPRANGE_SRC_INV))
			return false;
	}
	if (r->flags & IPRANGE_DST) {
		bool out = d < r->dst_min || d > r->dst_max;
		if (out != !!(r->flags & IPRANGE_DST_INV))
			return false;
	}
	return true;
}

/* iprange_mt4_xlate: `ip saddr [!= ]A-B`, then the destination's. */
static bool iprange_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_iprange_mtinfo *ir = data;
	(void)r;
#define IPR_Q(a) (a) >> 24, ((a) >> 16) & 255, ((a) >> 8) & 255, (a) & 255
	if (ir->flags & IPRANGE_SRC) {
		xt_xlate_add(xl, "ip saddr%s %u.%u.%u.%u", ir->flags & IPRANGE_SRC_INV ? " !=" : "",
			     IPR_Q(ir->src_min));
		xt_xlate_add(xl, "-%u.%u.%u.%u", IPR_Q(ir->src_max));
	}
	if (ir->flags & IPRANGE_DST) {
		xt_xlate_add(xl, "ip daddr%s %u.%u.%u.%u", ir->flags & IPRANGE_DST_INV ? " !=" : "",
			     IPR_Q(ir->dst_min));
		xt_xlate_add(xl, "-%u.%u.%u.%u", IPR_Q(ir->dst_max));
	}
#undef IPR_Q
	return true;
}

const struct xt_ops xt_iprange_ops = {
	.name = "iprange", .kind = XT_MATCH, .size = sizeof(struct xt_iprange_mtinfo),
	.xlate = iprange_xlate,
	.opts = iprange_opts, .parse = iprange_parse, .final_check = iprange_final_check,
	.print = iprange_print, .save = iprange_save, .match = iprange_mt,
};
