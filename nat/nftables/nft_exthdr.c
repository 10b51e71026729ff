/* nft_exthdr.c - `tcp option maxseg size set rt mtu` on a packet: the MSS
 * clamping firewall4 and iptables-translate's TCPMSS write.
 *
 * Mirrors nft_rt.c (nft_rt_get_eval's NFT_RT_TCPMSS: get_tcpmss, the
 * smaller of the packet's route MTU and the MTU of the route back to its
 * source, minus the IPv4 and TCP headers) feeding nft_exthdr.c
 * (nft_exthdr_tcp_set_eval: the first MSS option of the TCP header is
 * lowered, never raised, its checksum updated as
 * inet_proto_csum_replace2 does). Unlike iptables' TCPMSS target
 * (nat/iptables/xt/xt_TCPMSS.c) nothing is added to a header without the
 * option, and a packet the expression cannot read ends the rule
 * (NFT_BREAK) instead of being dropped.
 * Design: the route MTUs come from the simulator (nf_env.route_mtu), as
 * for TCPMSS; the rule's `tcp flags syn / ...` already picks the SYNs.
 */
#include "nat/core/nf_inet.h"
#include "nat/core/nf_ns.h"
#include "nat/nftables/nft_eval.h"

#define TCPOPT_MSS 2
#define TCP_MSS_DEFAULT 536u

/* get_tcpmss (IPv4): min(dst_mtu of the packet's route, the route to its
 * source's), less 40; 536 when that leaves nothing sensible. */
static uint16_t nft_rt_tcpmss(struct nf_ns *ns, const uint8_t *ip)
{
	const struct nf_env *env = &ns->env;
	unsigned mtu = env->route_mtu ? env->route_mtu(env->ctx, rd32(ip + 16)) : 1500;
	unsigned back = env->route_mtu ? env->route_mtu(env->ctx, rd32(ip + 12)) : 0;

	if (back && back < mtu)
		mtu = back;
	if (mtu <= 40 || mtu > 0xffff)
		return TCP_MSS_DEFAULT;
	return (uint16_t)(mtu - 40);
}

/* inet_proto_csum_replace2: the checksum at check after a 16-bit value
 * changed from `from` to `to` (RFC 1624). */
static void csum_replace2(uint8_t *check, uint16_t from, uint16_t to)
{
	uint32_t s = (uint16_t)~rd16(check);
	s += (uint16_t)~from;
	s += to;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	wr16(check, (uint16_t)~s);
}

/* optlen(): NOP, EOL and a zero length advance one byte. */
static unsigned optlen(const uint8_t *opt, unsigned i)
{
	if (opt[i] <= 1 || opt[i + 1] == 0)
		return 1;
	return opt[i + 1];
}

bool nft_tcp_mss_set_rtmtu(struct nf_ns *ns, struct nf_skb *skb, uint8_t *th, uint32_t l4len)
{
	/* nft_tcp_header_pointer: TCP, not a later fragment, the whole
	 * header present */
	if (!th || l4len < 20)
		return false;
	unsigned hdrlen = (th[12] >> 4) * 4u;
	if (hdrlen < 20 || hdrlen > l4len)
		return false;
	uint16_t mss = nft_rt_tcpmss(ns, skb->ip);
	for (unsigned i = 20; i < hdrlen - 1; i += optlen(th, i)) {
		unsigned ol = optlen(th, i);
		if (th[i] != TCPOPT_MSS)
			continue;
		if (i + ol > hdrlen || ol < 4)
			return false;
		uint16_t old = rd16(th + i + 2);
		/* increase can cause connection to stall */
		if (old <= mss)
			return true;
		wr16(th + i + 2, mss);
		csum_replace2(th + 16, old, mss);
		return true;
	}
	return true;
}
