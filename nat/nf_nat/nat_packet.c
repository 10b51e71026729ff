/* nat_packet.c - applying an entry's NAT to the bytes of a packet.
 *
 * Mirrors nf_nat_packet / nf_nat_manip_pkt / nf_nat_ipv4_manip_pkt and the
 * per-protocol manip_pkt functions of net/netfilter/nf_nat_proto.c, plus
 * nf_nat_icmp_reply_translation for ICMP errors about a NATed connection.
 *
 * Design: this runs on every packet of every NATed flow, so it never
 * allocates and never formats; the target address and port come straight
 * from the entry's other-direction tuple. Checksums are patched
 * incrementally as the kernel does (csum_replace4 / inet_proto_csum_replace2,
 * RFC 1624), which gives the same bytes the kernel would write, including
 * its choice between 0x0000 and 0xffff; only the ICMP checksum of a
 * translated ICMP error is recomputed from scratch, as the kernel does.
 */
#include "nat/core/nf_hook_ops.h"
#include "nat/core/nf_inet.h"
#include "nat/core/nf_ns.h"
#include "nat/nf_nat/nat.h"

#define NAT_IPPROTO_ICMP 1
#define NAT_IPPROTO_TCP 6
#define NAT_IPPROTO_UDP 17
#define NAT_IPPROTO_DCCP 33
#define NAT_IPPROTO_SCTP 132
#define NAT_IPPROTO_UDPLITE 136
#define NAT_CSUM_MANGLED_0 0xffff


/* ----- checksum arithmetic, as include/net/checksum.h ----- */

static inline uint32_t nat_csum_add(uint32_t a, uint32_t b)
{
	uint32_t r = a + b;
	return r + (r < b);
}

static inline uint16_t nat_csum_fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* csum_replace4: the checksum field at `check` after a 32-bit word of the
 * covered data changed from `from` to `to` (both as read big-endian; a
 * 16-bit field is passed zero-extended, as inet_proto_csum_replace2 does). */
static inline void nat_csum_replace4(uint8_t *check, uint32_t from, uint32_t to)
{
	uint32_t s = ~(uint32_t)rd16(check);

	s = nat_csum_add(s, ~from);
	s = nat_csum_add(s, to);
	wr16(check, nat_csum_fold(s));
}

/* Internet checksum of a buffer from scratch (for the ICMP error case). */
static uint16_t nat_csum_buf(const uint8_t *b, uint32_t len)
{
	uint32_t s = 0, i;

	for (i = 0; i + 1 < len; i += 2)
		s += rd16(b + i);
	if (len & 1)
		s += (uint32_t)b[len - 1] << 8;
	return nat_csum_fold(s);
}

/* CRC32c (Castagnoli, reflected 0x82f63b78) of the SCTP packet, the checksum
 * field counted as zero: sctp_compute_cksum. Bitwise: SCTP through NAT is rare. */
static void nat_sctp_csum_set(uint8_t *sh, uint32_t len)
{
	uint32_t crc = 0xffffffffu, i;
	int k;

	for (i = 0; i < len; i++) {
		crc ^= (i >= 8 && i < 12) ? 0 : sh[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1)));
	}
	crc = ~crc;
	sh[8] = crc & 0xff;	/* stored little-endian (cpu_to_le32) */
	sh[9] = (crc >> 8) & 0xff;
	sh[10] = (crc >> 16) & 0xff;
	sh[11] = crc >> 24;
}

/* ----- the rewrite of one IPv4 header and its transport header ----- */

/* What the packet must look like for one manip: the new address and the new
 * port (TCP/UDP) or ICMP echo id. */
struct nat_target {
	uint32_t addr;
	uint16_t port;
	uint8_t proto;
};

/* l4proto_manip_pkt + nf_nat_ipv4_manip_pkt on the header at buf+iphoff
 * (end = bytes available from buf). A transport header that is not there in
 * full (a non-first fragment, a quoted header cut short) gets only what
 * fits: the ports of a quoted 8-byte TCP header change without checksum
 * (tcp_manip_pkt's hdrsize rule); with less than 8 bytes only the IP header
 * is rewritten. Returns false if not even the IP header is there.
 * Inlined into each caller: on the packet's own header (every NATed packet)
 * iphoff is 0 and the call cost about as much as the rewrite. */
static inline __attribute__((always_inline)) bool
nat_manip_hdr(uint8_t *buf, uint32_t end, uint32_t iphoff, uint32_t ihl, bool first_frag,
	      const struct nat_target *tg, enum nat_manip manip)
{
	uint8_t *iph = buf + iphoff;
	uint8_t *addrp;
	uint32_t hdroff, oldaddr;

	if (iphoff + 20 > end)
		return false;
	hdroff = iphoff + ihl;
	addrp = iph + (manip == NAT_MANIP_SRC ? 12 : 16);
	oldaddr = rd32(addrp);

	if (first_frag && ihl >= 20 && hdroff + 8 <= end) {
		uint8_t *l4 = buf + hdroff;

		switch (tg->proto) {
		case NAT_IPPROTO_TCP: {
			uint8_t *portp = l4 + (manip == NAT_MANIP_SRC ? 0 : 2);
			uint16_t oldport = rd16(portp);

			wr16(portp, tg->port);
			if (hdroff + 20 <= end) {
				nat_csum_replace4(l4 + 16, oldaddr, tg->addr);
				nat_csum_replace4(l4 + 16, oldport, tg->port);
			}
			break;
		}
		case NAT_IPPROTO_UDP: {
			uint8_t *portp = l4 + (manip == NAT_MANIP_SRC ? 0 : 2);
			uint16_t oldport = rd16(portp);

			if (rd16(l4 + 6)) {	/* checksum 0: none, stays 0 */
				nat_csum_replace4(l4 + 6, oldaddr, tg->addr);
				nat_csum_replace4(l4 + 6, oldport, tg->port);
				if (!rd16(l4 + 6))
					wr16(l4 + 6, NAT_CSUM_MANGLED_0);
			}
			wr16(portp, tg->port);
			break;
		}
		case NAT_IPPROTO_UDPLITE: {	/* udplite_manip_pkt: always a checksum */
			uint8_t *portp = l4 + (manip == NAT_MANIP_SRC ? 0 : 2);

			nat_csum_replace4(l4 + 6, oldaddr, tg->addr);
			nat_csum_replace4(l4 + 6, rd16(portp), tg->port);
			if (!rd16(l4 + 6))
				wr16(l4 + 6, NAT_CSUM_MANGLED_0);
			wr16(portp, tg->port);
			break;
		}
		case NAT_IPPROTO_DCCP: {	/* dccp_manip_pkt: checksum if 12 bytes */
			uint8_t *portp = l4 + (manip == NAT_MANIP_SRC ? 0 : 2);
			uint16_t oldport = rd16(portp);

			wr16(portp, tg->port);
			if (hdroff + 12 <= end) {
				nat_csum_replace4(l4 + 6, oldaddr, tg->addr);
				nat_csum_replace4(l4 + 6, oldport, tg->port);
			}
			break;
		}
		case NAT_IPPROTO_SCTP:		/* sctp_manip_pkt: CRC32c recomputed */
			wr16(l4 + (manip == NAT_MANIP_SRC ? 0 : 2), tg->port);
			if (hdroff + 12 <= end)
				nat_sctp_csum_set(l4, end - hdroff);
			break;
		case NAT_IPPROTO_ICMP:
			switch (l4[0]) {
			case 0: case 8:		/* echo reply, echo */
			case 13: case 14:	/* timestamp */
			case 15: case 16:	/* info */
			case 17: case 18: {	/* address mask */
				uint16_t oldid = rd16(l4 + 4);

				nat_csum_replace4(l4 + 2, oldid, tg->port);
				wr16(l4 + 4, tg->port);
				break;
			}
			default:		/* errors: the addresses only */
				break;
			}
			break;
		default:
			break;			/* unknown protocol: addresses only */
		}
	}

	nat_csum_replace4(iph + 10, oldaddr, tg->addr);
	wr32(addrp, tg->addr);
	return true;
}

/* The header quoted by an ICMP error at buf+iphoff: not in the packet-info
 * record, so its ihl and fragment offset are read here. */
static bool nat_manip_ipv4(uint8_t *buf, uint32_t end, uint32_t iphoff,
			   const struct nat_target *tg, enum nat_manip manip)
{
	const uint8_t *iph = buf + iphoff;

	if (iphoff + 20 > end)
		return false;
	return nat_manip_hdr(buf, end, iphoff, (iph[0] & 0x0f) * 4u,
			     (rd16(iph + 6) & 0x1fff) == 0, tg, manip);
}

/* The packet's own header, as the record nf_hook() parsed describes it. */
static bool nat_manip_pkt(struct nf_skb *skb, const struct nf_pktinfo *pkt,
			  const struct nat_target *tg, enum nat_manip manip)
{
	return nat_manip_hdr(skb->ip, nf_pktinfo_end(pkt), 0, pkt->thoff, pkt->fragoff == 0,
			     tg, manip);
}

/* The target of a manip: look like the inverse of the other direction's
 * tuple `o` (nf_ct_invert_tuple(&target, &ct->tuplehash[!dir])): the new
 * source is o's destination, the new destination o's source. ICMP keeps the
 * id in sport in both directions. */
static inline void nat_target_of(const struct ct_tuple *o, enum nat_manip manip,
				 struct nat_target *tg)
{
	tg->proto = o->proto;
	if (manip == NAT_MANIP_SRC) {
		tg->addr = o->dst;
		tg->port = o->proto == NAT_IPPROTO_ICMP ? o->sport : o->dport;
	} else {
		tg->addr = o->src;
		tg->port = o->sport;	/* the port, or the ICMP id */
	}
}

/* The same but with the tuple itself (no inversion): what the packet looked
 * like in o's direction, for the header quoted by an ICMP error. */
static inline void nat_target_as(const struct ct_tuple *o, enum nat_manip manip,
				 struct nat_target *tg)
{
	tg->proto = o->proto;
	if (manip == NAT_MANIP_SRC) {
		tg->addr = o->src;
		tg->port = o->sport;
	} else {
		tg->addr = o->dst;
		tg->port = o->proto == NAT_IPPROTO_ICMP ? o->sport : o->dport;
	}
}

/* nf_nat_icmp_reply_translation: an ICMP error about a NATed connection. The
 * quoted header is put back the way the other side sent it (reverse manip
 * with the other direction's tuple as is), the ICMP checksum recomputed, then
 * the outer header gets the hook's manip. Out of line: inlined, it made
 * nf_nat_packet save six registers on every packet. */
static __attribute__((noinline)) int
nat_icmp_reply_translation(struct nf_skb *skb, const struct nf_pktinfo *pkt, struct ct_entry *ct,
			   enum nat_manip manip, enum ct_dir dir)
{
	uint32_t len = nf_pktinfo_end(pkt);
	uint32_t hdrlen = pkt->thoff;
	const struct ct_tuple *other = &ct->tuplehash[!dir].t;
	struct nat_target tg;
	uint8_t *icmp;

	if (hdrlen < 20 || hdrlen + 8 + 20 > len)
		return NF_DROP;
	icmp = skb->ip + hdrlen;
	if (nat_csum_buf(icmp, len - hdrlen) != 0)
		return NF_DROP;		/* nf_ip_checksum failed */
	if (icmp[0] == 5) {		/* redirect: only for un-NATed entries */
		if ((ct->status & IPS_NAT_DONE_MASK) != IPS_NAT_DONE_MASK)
			return NF_DROP;
		if (ct->status & IPS_NAT_MASK)
			return NF_DROP;
	}
	if (!(ct->status & nat_statusbit(manip, dir)))
		return NF_ACCEPT;

	nat_target_as(other, !manip, &tg);
	if (!nat_manip_ipv4(skb->ip, len, hdrlen + 8, &tg, !manip))
		return NF_DROP;
	wr16(icmp + 2, 0);
	wr16(icmp + 2, nat_csum_buf(icmp, len - hdrlen));

	nat_target_of(other, manip, &tg);
	tg.proto = NAT_IPPROTO_ICMP;	/* outer: the error's own header is left */
	if (!nat_manip_pkt(skb, pkt, &tg, manip))
		return NF_DROP;
	return NF_ACCEPT;
}

int nat_packet(struct nf_ns *ns, struct nf_skb *skb, enum nf_hook hook)
{
	struct nf_hook_state st;

	nf_hook_state_init(&st, ns, hook, skb, NULL, NULL, 0);
	return nf_nat_packet(ns, skb, &st);
}

/* The rewrite changes addresses, ports and checksums, never an offset or a
 * length: the record stays true for the ops after NAT's. */
int nf_nat_packet(struct nf_ns *ns, struct nf_skb *skb, const struct nf_hook_state *st)
{
	const struct nf_pktinfo *pkt = &st->pkt;
	struct ct_entry *ct = skb->ct;
	enum nat_manip manip = nat_hook_manip(st->hook);
	enum ct_dir dir;
	struct nat_target tg;

	(void)ns;
	if (!ct)
		return NF_ACCEPT;
	dir = ct_info_dir(skb->ctinfo);
	if ((skb->ctinfo == IP_CT_RELATED || skb->ctinfo == IP_CT_RELATED_REPLY) &&
	    (pkt->flags & NF_PKTINFO_L3) && pkt->l4proto == NAT_IPPROTO_ICMP)
		return nat_icmp_reply_translation(skb, pkt, ct, manip, dir);

	if (!(ct->status & nat_statusbit(manip, dir)))
		return NF_ACCEPT;
	nat_target_of(&ct->tuplehash[!dir].t, manip, &tg);
	return nat_manip_pkt(skb, pkt, &tg, manip) ? NF_ACCEPT : NF_DROP;
}
