/* nft_fib.c - the fib expression's oif result as rpfilter rules use it:
 * `fib saddr . iif oif missing drop` (firewalld, with `. mark` too),
 * `fib saddr oif exists`. Compared with an interface (`oif 0`, `oif "eth0"`)
 * it is not implemented.
 *
 * Design: each form is one selector (struct nft_key) whose name is the
 * whole printed expression, of the boolean datatype `missing`/`exists`
 * (nft_fib's NFTA_FIB_F_PRESENT: the result is whether an interface was
 * found, not its index). The lookup mirrors nft_fib4_eval over natsim's
 * routing (env->fib_lookup, as xt_rpfilter.c): the source address's route
 * must be unicast, and with `. iif` go out of the interface the packet came
 * in on; a packet from lo at prerouting, and 0.0.0.0 to a broadcast or
 * local multicast address, find theirs. natsim's routes have no marks, so
 * `. mark` changes nothing. An IPv6 packet never reaches it here (natsim
 * has none), which firewalld's `meta nfproto ipv6` before it relies on.
 */
#include <string.h>

#include "nat/core/nf_inet.h"
#include "nat/core/nf_ns.h"
#include "nat/nftables/nft_fib.h"

static const struct nft_key fib_oif_keys[] = {
	{ "fib saddr oif", NFT_DT_FIBOIF, -1, false, NFT_K_FIB_SADDR_OIF },
	{ "fib saddr . iif oif", NFT_DT_FIBOIF, -1, false, NFT_K_FIB_SADDR_IIF_OIF },
	{ "fib saddr . mark oif", NFT_DT_FIBOIF, -1, false, NFT_K_FIB_SADDR_OIF },
	{ "fib saddr . mark . iif oif", NFT_DT_FIBOIF, -1, false, NFT_K_FIB_SADDR_IIF_OIF },
};

const struct nft_key *nft_fib_oif_key(struct nft_parse *p)
{
	if (!nft_is_word(nft_peek(p, 0), "fib") || !nft_is_word(nft_peek(p, 1), "saddr"))
		return NULL;
	unsigned n = 2;
	bool mark = false, iif = false;
	if (nft_is_word(nft_peek(p, n), ".") && nft_is_word(nft_peek(p, n + 1), "mark")) {
		mark = true;
		n += 2;
	}
	if (nft_is_word(nft_peek(p, n), ".") && nft_is_word(nft_peek(p, n + 1), "iif")) {
		iif = true;
		n += 2;
	}
	if (!nft_is_word(nft_peek(p, n), "oif"))
		return NULL;
	/* `oif 0`, `oif != 0`: the interface index (no NFTA_FIB_F_PRESENT),
	 * left to the caller's "not implemented" */
	const struct nft_token *v = nft_peek(p, n + 1);
	if (nft_is_word(v, "!=") || nft_is_word(v, "=="))
		v = nft_peek(p, n + 2);
	if (v->type == NFT_T_WORD && g_ascii_isdigit(v->text[0]))
		return NULL;
	for (unsigned i = 0; i <= n; i++)
		nft_next(p);
	return &fib_oif_keys[(mark ? 2 : 0) + (iif ? 1 : 0)];
}

uint32_t nft_fib_oif_eval(const struct nft_key *k, const struct nf_hook_state *st,
			  const uint8_t *ip)
{
	uint32_t saddr = rd32(ip + 12), daddr = rd32(ip + 16);
	const char *in = st->in;
	if (st->hook == NF_INET_PRE_ROUTING && in && !strcmp(in, "lo"))
		return 1;	/* nft_fib_is_loopback */
	if ((saddr >> 24) == 0 &&
	    (daddr == 0xffffffffu || (daddr & 0xffffff00u) == 0xe0000000u))
		return 1;	/* ipv4_is_zeronet to lbcast or local multicast */
	const struct nf_env *env = &st->net->env;
	const char *dev = NULL;
	unsigned type = env->fib_lookup ? env->fib_lookup(env->ctx, saddr, &dev) : NF_RTN_UNSPEC;
	if (type != NF_RTN_UNICAST)
		return 0;	/* no route, or RTN_LOCAL: nothing stored */
	if (k->id == NFT_K_FIB_SADDR_IIF_OIF)
		return dev && in && !strcmp(dev, in);	/* fib_info_nh_uses_dev */
	return dev != NULL;
}
