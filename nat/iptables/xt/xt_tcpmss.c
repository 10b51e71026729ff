/* xt_tcpmss.c - `-m tcpmss [!] --mss VALUE[:VALUE]`: the MSS option a TCP
 * segment carries.
 *
 * Mirrors libxt_tcpmss.c (XTTYPE_UINT16RC, as -m length: ":MAX" is 0:MAX,
 * "MIN:" is MIN:65535; -S and -L print one number when MIN == MAX; a range
 * ending below its start is "invalid range given") and the kernel's
 * net/netfilter/xt_tcpmss.c (.proto = IPPROTO_TCP: a rule without -p tcp, or
 * with ! -p tcp, is refused when it is made; tcpmss_mt walks the options of any segment, SYN
 * or not, and the first well-formed MSS option decides).
 *
 * Design: the match reads the segment as the stack built it (the l4 bytes
 * ipt_do_table found); a segment without the option is "not in range", so
 * only `! --mss` matches it; a truncated header or option list drops the
 * packet (hotdrop), as in the kernel.
 */
#include <errno.h>
#include <string.h>

#include "nat/iptables/xt.h"

/* struct xt_tcpmss_match_info */
struct xt_tcpmss_info {
	uint16_t mss_min, mss_max;
	bool invert;
};

enum { O_TCPMSS };

static const struct xt_option tcpmss_opts[] = { { "mss", 1, O_TCPMSS }, { NULL, 0, 0 } };

static int tcpmss_num(struct xt_parse *p, const char *s, uint16_t *out)
{
	unsigned long v;
	if (!xt_strtoul0(s, 65535, &v))	/* base 0: 0x10 is 16 */
		return xt_err(p, "tcpmss: bad value for option \"--mss\" near \"%s\", or out of range (0-65535).\n", s);
	*out = (uint16_t)v;
	return 0;
}

static int tcpmss_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_tcpmss_info *m = data;
	int rc = xt_once(p, "mss", id);
	if (rc)
		return rc;
	gchar **parts = g_strsplit(arg, ":", -1);
	if (g_strv_length(parts) > 2) {
		rc = xt_err(p, "tcpmss: Too many components for option \"--mss\" (max: 2)\n");
	} else if (!parts[1]) {
		rc = tcpmss_num(p, parts[0], &m->mss_min);
		m->mss_max = m->mss_min;
	} else {
		m->mss_min = 0;
		m->mss_max = 65535;
		if (*parts[0])
			rc = tcpmss_num(p, parts[0], &m->mss_min);
		if (!rc && *parts[1])
			rc = tcpmss_num(p, parts[1], &m->mss_max);
	}
	g_strfreev(parts);
	if (!rc && m->mss_min > m->mss_max)
		rc = xt_err(p, "tcpmss: invalid range given");
	m->invert = p->invert;
	return rc;
}

static int tcpmss_final_check(struct xt_parse *p, const void *data)
{
	(void)data;
	if (!(*p->once & 1u << O_TCPMSS))
		return xt_err(p, "tcpmss: option \"--mss\" must be specified\n");
	return 0;
}

static void tcpmss_range(GString *o, const struct xt_tcpmss_info *m)
{
	if (m->mss_min == m->mss_max)
		g_string_append_printf(o, "%u", m->mss_min);
	else
		g_string_append_printf(o, "%u:%u", m->mss_min, m->mss_max);
}

static void tcpmss_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_tcpmss_info *m = data;
	(void)proto;
	(void)numeric;
	g_string_append_printf(o, " tcpmss match %s", m->invert ? "!" : "");
	tcpmss_range(o, m);
}

static void tcpmss_save(GString *o, const void *data)
{
	const struct xt_tcpmss_info *m = data;
	g_string_append_printf(o, "%s --mss ", m->invert ? " !" : "");
	tcpmss_range(o, m);
}

/* tcpmss_mt: the options after the 20-byte header, kind 0 and 1 one byte,
 * any other kind its length byte (0 read as 1); the first MSS option of
 * length 4 that fits decides. */
static bool tcpmss_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_tcpmss_info *m = data;
	const uint8_t *th = par->pkt->l4;
	uint32_t len = par->pkt->l4len;
	if (len < 20 || (th[12] >> 4) * 4u < 20u)
		goto dropit;
	uint32_t optlen = (th[12] >> 4) * 4u - 20u;
	if (!optlen)
		return m->invert;
	if (len < 20 + optlen)
		goto dropit;	/* truncated options */
	const uint8_t *op = th + 20;
	for (uint32_t i = 0; i < optlen;) {
		if (op[i] == 2 && optlen - i >= 4 && op[i + 1] == 4) {
			uint16_t mss = (uint16_t)(op[i + 2] << 8 | op[i + 3]);
			return (mss >= m->mss_min && mss <= m->mss_max) != m->invert;
		}
		if (op[i] < 2 || i + 1 >= optlen)
			i++;
		else
			i += op[i + 1] ? op[i + 1] : 1;
	}
	return m->invert;
dropit:
	par->hotdrop = true;
	return false;
}

/* xt_check_match's protocol test, the part natsim's generic check leaves
 * out: `! -p tcp` is refused too (iptables-nft sends tcpmss to the kernel
 * as an xt match; tcp/udp/icmp become nft expressions, so the generic
 * check does not refuse their inversion). */
static int tcpmss_checkentry(const struct xt_check_param *par, const void *data, GString *klog)
{
	(void)data;
	if (par->rule->proto_inv) {
		g_string_printf(klog, "x_tables: ip_tables: tcpmss match: only valid for protocol 6");
		return EINVAL;
	}
	return 0;
}

/* tcpmss_mt_xlate: `tcp option maxseg size [!= ]MIN[-MAX]`. */
static bool tcpmss_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_tcpmss_info *m = data;
	(void)r;
	xt_xlate_add(xl, "tcp option maxseg size %s", m->invert ? "!= " : "");
	if (m->mss_min == m->mss_max)
		xt_xlate_add(xl, "%u", m->mss_min);
	else
		xt_xlate_add(xl, "%u-%u", m->mss_min, m->mss_max);
	return true;
}

const struct xt_ops xt_tcpmss_ops = {
	.name = "tcpmss", .kind = XT_MATCH, .size = sizeof(struct xt_tcpmss_info),
	.opts = tcpmss_opts, .parse = tcpmss_parse, .final_check = tcpmss_final_check,
	.print = tcpmss_print, .save = tcpmss_save, .xlate = tcpmss_xlate,
	.match = tcpmss_mt, .proto = 6, .checkentry = tcpmss_checkentry,
};
