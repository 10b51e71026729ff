/* nf_pktinfo.h - the packet-info record: a packet's IPv4 header parsed once
 * per nf_hook() call, read by every hook user.
 *
 * Mirrors the kernel's struct nft_pktinfo (nft_set_pktinfo_ipv4: tprot,
 * thoff, fragoff, the NFT_PKTINFO_L4PROTO flag) together with what
 * ip_rcv has already checked for it (the total length). nf_hook() fills one
 * record in its struct nf_hook_state before the first op, so conntrack,
 * the iptables tables, NAT and confirm (and later nft) read offsets and the
 * protocol from it instead of re-parsing skb->ip.
 *
 * Design: the record holds only what no hook user changes - offsets,
 * lengths, the protocol and the fragment offset - never addresses or
 * ports, which NAT rewrites in place between two ops of the same call
 * (nat dst before filter at OUTPUT): those are read from the bytes. A
 * target that grows the packet (TCPMSS adding its option) is the one
 * exception: nf_hook() parses the record again after that op. The
 * facts are kept raw (thoff is ihl * 4 even when it is nonsense) and a flag
 * says whether the header is sound; each user applies its own kernel
 * function's validity rule to them, so no behaviour changes. skb->ip is the
 * network header (skb_network_header): the l3 offset is always 0 there, so
 * the record does not carry it.
 */
#ifndef NAT_CORE_NF_PKTINFO_H
#define NAT_CORE_NF_PKTINFO_H

#include <stdint.h>
#include "nat/core/nf_inet.h"
#include "nat/core/nf_types.h"

enum {
	/* at least a 20-byte IPv4 header: l4proto and fragoff are the packet's */
	NF_PKTINFO_L3 = 1 << 0,
	/* and ihl is sane (20 <= thoff <= len): the transport header starts at
	 * thoff (NFT_PKTINFO_L4PROTO) */
	NF_PKTINFO_L4PROTO = 1 << 1,
};

struct nf_pktinfo {
	uint32_t len;		/* skb->len: bytes from the IP header to the frame's end */
	uint16_t tot_len;	/* the header's total length field (0 if len < 4) */
	uint16_t thoff;		/* ihl * 4: where the transport header starts (0 if len < 20) */
	uint16_t fragoff;	/* fragment offset field, 8-byte units (MF not included) */
	uint8_t l4proto;	/* the protocol field (tprot) */
	uint8_t flags;		/* NF_PKTINFO_* */
};

/* nft_set_pktinfo_ipv4 for the header at skb->ip. */
static inline void nf_pktinfo_set(struct nf_pktinfo *pkt, const struct nf_skb *skb)
{
	const uint8_t *ip = skb->ip;

	pkt->len = skb->len;
	pkt->tot_len = skb->len >= 4 ? rd16(ip + 2) : 0;
	pkt->thoff = 0;
	pkt->fragoff = 0;
	pkt->l4proto = 0;
	pkt->flags = 0;
	if (skb->len < 20)
		return;
	pkt->thoff = (uint16_t)((ip[0] & 0x0f) * 4u);
	pkt->fragoff = rd16(ip + 6) & 0x1fff;
	pkt->l4proto = ip[9];
	pkt->flags = NF_PKTINFO_L3;
	if (pkt->thoff >= 20 && pkt->thoff <= skb->len)
		pkt->flags |= NF_PKTINFO_L4PROTO;
}

/* The bytes that count: the total length, within the frame (0 or larger
 * than the frame: the frame). NAT's and LOG's reading. */
static inline uint32_t nf_pktinfo_end(const struct nf_pktinfo *pkt)
{
	return pkt->tot_len && pkt->tot_len < pkt->len ? pkt->tot_len : pkt->len;
}

#endif
