/* xt_TCPMSS.c - `-j TCPMSS --set-mss N | --clamp-mss-to-pmtu`: the MSS
 * option of a TCP SYN rewritten, with its checksum.
 *
 * Mirrors libxt_TCPMSS.c (options, "At least one parameter", -L "TCPMSS
 * clamp to PMTU" / "TCPMSS set N", -S text; given both, the last one
 * wins) and the kernel's net/netfilter/xt_TCPMSS.c: tcpmss_tg4_check
 * (-p tcp; path-MTU clamping only from FORWARD, OUTPUT and POSTROUTING;
 * its "Only works on TCP SYN packets" check is skipped under nft_compat,
 * which is how iptables 1.8.9 (nf_tables) loads the target) and
 * tcpmss_mangle_packet / tcpmss_reverse_mtu.
 *
 * Design: the route MTUs come from the simulator (nf_env.route_mtu) and so
 * does the room for an added option (nf_env.skb_put): netfilter never
 * reads the simulator's routes or buffers. Checksums are updated
 * incrementally as inet_proto_csum_replace2/4 do, so the result is the
 * kernel's bit for bit.
 */
#include <errno.h>
#include <string.h>

#include "nat/core/nf_inet.h"
#include "nat/core/nf_ns.h"
#include "nat/iptables/xt.h"

/* struct xt_tcpmss_info: mss, or XT_TCPMSS_CLAMP_PMTU */
#define XT_TCPMSS_CLAMP_PMTU 0xffff

struct xt_tcpmss {
	uint16_t mss;
	bool given;		/* one of the options */
};

enum { O_SET_MSS, O_CLAMP_MSS };

static const struct xt_option tcpmss_opts[] = {
	{ "set-mss", 1, O_SET_MSS }, { "clamp-mss-to-pmtu", 0, O_CLAMP_MSS }, { NULL, 0, 0 },
};

/* Each option once; the two together are accepted and the last given
 * wins (XTOPT_PUT of --set-mss, TCPMSS_parse's CLAMP_PMTU). */
static int tcpmss_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_tcpmss *t = data;
	const char *canon = tcpmss_opts[id].name;
	int rc = xt_once(p, canon, id);
	if (!rc)
		rc = xt_noinvert(p, canon);
	if (rc)
		return rc;
	unsigned long v = XT_TCPMSS_CLAMP_PMTU;
	/* XTTYPE_UINT16 up to 65535 minus the IPv4 header */
	if (id == O_SET_MSS && !xt_strtoul(arg, 65515, &v))
		return xt_err(p, "TCPMSS: bad value for option \"--set-mss\", or out of range (0-65515).\n");
	t->mss = (uint16_t)v;
	t->given = true;
	return 0;
}

static int tcpmss_final_check(struct xt_parse *p, const void *data)
{
	if (!((const struct xt_tcpmss *)data)->given)
		return xt_err(p, "TCPMSS target: At least one parameter is required");
	return 0;
}

static void tcpmss_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_tcpmss *t = data;
	(void)proto;
	(void)numeric;
	if (t->mss == XT_TCPMSS_CLAMP_PMTU)
		g_string_append(o, " TCPMSS clamp to PMTU");
	else
		g_string_append_printf(o, " TCPMSS set %u", t->mss);
}

static void tcpmss_save(GString *o, const void *data)
{
	const struct xt_tcpmss *t = data;
	if (t->mss == XT_TCPMSS_CLAMP_PMTU)
		g_string_append(o, " --clamp-mss-to-pmtu");
	else
		g_string_append_printf(o, " --set-mss %u", t->mss);
}

/* xt_check_target's protocol check (.proto = IPPROTO_TCP), then
 * tcpmss_tg4_check's hook check, with the hook_mask nft_compat gives it:
 * a base chain's hook, none in a user chain (so iptables 1.8.9 accepts
 * the clamping in a user chain whatever jumps to it). */
static int tcpmss_check(const struct xt_check_param *par, const void *data, GString *klog)
{
	const struct xt_tcpmss *t = data;
	if (par->rule->proto != 6 || par->rule->proto_inv) {
		g_string_assign(klog, "x_tables: ip_tables: TCPMSS target: only valid for protocol 6");
		return EINVAL;
	}
	if (t->mss == XT_TCPMSS_CLAMP_PMTU &&
	    (par->nft_hookmask & ~(1u << NF_INET_FORWARD | 1u << NF_INET_LOCAL_OUT |
			       1u << NF_INET_POST_ROUTING))) {
		g_string_assign(klog, "xt_TCPMSS: path-MTU clamping only supported in FORWARD, "
				      "OUTPUT and POSTROUTING hooks");
		return EINVAL;
	}
	return 0;
}

/* ----- checksum arithmetic, as include/net/checksum.h ----- */

static uint32_t csum_add32(uint32_t a, uint32_t b)
{
	uint64_t s = (uint64_t)a + b;
	return (uint32_t)((s & 0xffffffffu) + (s >> 32));
}

static uint16_t csum_fold32(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* inet_proto_csum_replace4 / _2 (a 16-bit value passed zero-extended): the
 * checksum at `check` after `from` became `to`. */
static void tcpmss_csum_replace(uint8_t *check, uint32_t from, uint32_t to)
{
	uint32_t s = (uint16_t)~rd16(check);
	s = csum_add32(s, ~from);
	s = csum_add32(s, to);
	wr16(check, csum_fold32(s));
}

/* optlen(): the length of the option at i (NOP and EOL count one). */
static unsigned tcpmss_optlen(const uint8_t *opt, unsigned i)
{
	if (opt[i] <= 1 || opt[i + 1] == 0)
		return 1;
	return opt[i + 1];
}

/* tcpmss_mangle_packet: -1 drop, else the bytes added (0 or 4). `len` is
 * the TCP segment's length from the IPv4 total length (ip_rcv trimmed the
 * skb to it). */
static int tcpmss_mangle(struct xt_action_param *par, const struct xt_tcpmss *t)
{
	uint8_t *ip = par->skb->ip;
	unsigned ihl = (ip[0] & 0x0f) * 4u;
	unsigned tot = rd16(ip + 2);
	if (par->pkt->frag)
		return 0;
	if (tot > par->skb->len)
		tot = par->skb->len;
	int len = (int)tot - (int)ihl;
	if (len < 20)
		return -1;
	uint8_t *th = ip + ihl;
	unsigned hdrlen = (th[12] >> 4) * 4u;
	if ((unsigned)len < hdrlen || hdrlen < 20)
		return -1;

	uint16_t newmss = t->mss;
	if (t->mss == XT_TCPMSS_CLAMP_PMTU) {
		struct nf_env *env = &par->ns->env;
		unsigned out_mtu = env->route_mtu ? env->route_mtu(env->ctx, rd32(ip + 16)) : 1500;
		unsigned in_mtu = env->route_mtu ? env->route_mtu(env->ctx, rd32(ip + 12)) : 0;
		if (!in_mtu)
			in_mtu = ~0u;	/* tcpmss_reverse_mtu without a route */
		if (!out_mtu)
			out_mtu = ~0u;
		unsigned min_mtu = out_mtu < in_mtu ? out_mtu : in_mtu;
		if (min_mtu <= 40) {
			nf_klog(par->ns, par->now, "xt_TCPMSS: unknown or invalid path-MTU (%u)", min_mtu);
			return -1;
		}
		newmss = (uint16_t)(min_mtu - 40);
	}

	for (unsigned i = 20; i + 4 <= hdrlen; i += tcpmss_optlen(th, i)) {
		if (th[i] == 2 && th[i + 1] == 4) {
			uint16_t oldmss = rd16(th + i + 2);
			/* never increase the MSS, even with --set-mss */
			if (oldmss <= newmss)
				return 0;
			wr16(th + i + 2, newmss);
			tcpmss_csum_replace(th + 16, oldmss, newmss);
			return 0;
		}
	}
	/* data after the header: the option cannot be added without moving it */
	if ((unsigned)len > hdrlen)
		return 0;
	if (hdrlen >= 60)
		return 0;
	uint32_t end = ihl + (unsigned)len + 4;
	if (end > par->skb->len) {
		struct nf_env *env = &par->ns->env;
		if (!env->skb_put || !env->skb_put(env->ctx, par->skb, end - par->skb->len))
			return -1;
	}
	/* RFC 1122: without an MSS option the peer assumes 536 */
	if (newmss > 536)
		newmss = 536;
	uint8_t *opt = th + 20;
	memmove(opt + 4, opt, (size_t)len - 20);
	tcpmss_csum_replace(th + 16, (uint32_t)len, (uint32_t)len + 4);
	opt[0] = 2;
	opt[1] = 4;
	wr16(opt + 2, newmss);
	tcpmss_csum_replace(th + 16, 0, rd32(opt));
	uint16_t oldval = rd16(th + 12);
	th[12] = (uint8_t)(th[12] + (1u << 4));
	tcpmss_csum_replace(th + 16, oldval, rd16(th + 12));
	return 4;
}

/* tcpmss_tg4 */
static unsigned tcpmss_tg(struct xt_action_param *par, const void *data)
{
	int ret = tcpmss_mangle(par, data);
	if (ret < 0)
		return NF_DROP;
	if (ret > 0) {
		uint8_t *ip = par->skb->ip;
		uint16_t oldlen = rd16(ip + 2), newlen = (uint16_t)(oldlen + ret);
		tcpmss_csum_replace(ip + 10, oldlen, newlen);	/* csum_replace2 */
		wr16(ip + 2, newlen);
	}
	return XT_CONTINUE;
}

/* TCPMSS_xlate: `tcp option maxseg size set rt mtu` or the value. */
static bool TCPMSS_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_tcpmss *t = data;
	(void)r;
	if (t->mss == XT_TCPMSS_CLAMP_PMTU)
		xt_xlate_add(xl, "tcp option maxseg size set rt mtu");
	else
		xt_xlate_add(xl, "tcp option maxseg size set %d", t->mss);
	return true;
}

const struct xt_ops xt_TCPMSS_ops = {
	.name = "TCPMSS", .kind = XT_TARGET, .size = sizeof(struct xt_tcpmss),
	.xlate = TCPMSS_xlate,
	.opts = tcpmss_opts, .parse = tcpmss_parse, .final_check = tcpmss_final_check,
	.print = tcpmss_print, .save = tcpmss_save, .checkentry = tcpmss_check,
	.target = tcpmss_tg, .verdict = IPT_T_EXT,
};
