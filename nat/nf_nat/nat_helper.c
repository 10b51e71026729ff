/* nat_helper.c - the payload rewrite NAT helpers share (nf_nat_helper.c,
 * Linux 6.x). See nat_helper.h.
 *
 * The rewrite is done in place in the frame: the bytes after the match
 * move by the length difference (the frame may grow into its tailroom),
 * the IP total length and header checksum are set again, and the TCP
 * checksum is computed again over the whole segment, as nf_nat_csum_recalc
 * does for a packet without checksum offload.
 */
#include <errno.h>
#include <string.h>
#include "nat/conntrack/ct_seqadj.h"
#include "nat/core/nf_ns.h"
#include "nat/nf_nat/nat.h"
#include "nat/nf_nat/nat_helper.h"

static uint32_t csum_add_bytes(uint32_t sum, const uint8_t *b, uint32_t n)
{
	for (uint32_t i = 0; i + 1 < n; i += 2)
		sum += rd16(b + i);
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* mangle_contents + nf_nat_csum_recalc. */
static void mangle_contents(struct nf_skb *skb, unsigned protoff, unsigned dataoff,
			    unsigned match_offset, unsigned match_len, const char *rep,
			    unsigned rep_len, uint32_t tot)
{
	uint8_t *ip = skb->ip, *data = ip + dataoff;
	uint32_t newtot = tot + rep_len - match_len, tcplen;
	uint32_t sum;

	memmove(data + match_offset + rep_len, data + match_offset + match_len,
		tot - (dataoff + match_offset + match_len));
	memcpy(data + match_offset, rep, rep_len);
	skb->len = newtot;
	/* ip_hdr(skb)->tot_len, ip_send_check */
	wr16(ip + 2, (uint16_t)newtot);
	wr16(ip + 10, 0);
	wr16(ip + 10, csum_fold(csum_add_bytes(0, ip, (ip[0] & 0x0f) * 4u)));
	/* the TCP checksum from scratch, pseudo-header first */
	tcplen = newtot - protoff;
	wr16(ip + protoff + 16, 0);
	sum = csum_add_bytes(0, ip + 12, 8) + 6 + tcplen;
	wr16(ip + protoff + 16, csum_fold(csum_add_bytes(sum, ip + protoff, tcplen)));
}

bool nf_nat_mangle_tcp_packet(struct nf_ns *ns, struct nf_skb *skb, struct ct_entry *ct,
			      uint8_t ctinfo, unsigned protoff, unsigned match_offset,
			      unsigned match_len, const char *rep, unsigned rep_len)
{
	uint32_t tot = rd16(skb->ip + 2), dataoff;
	int32_t off = (int32_t)rep_len - (int32_t)match_len;

	if (tot > skb->len || protoff + 20 > tot)
		return false;
	dataoff = protoff + (skb->ip[protoff + 12] >> 4) * 4u;
	if (dataoff + match_offset + match_len > tot)
		return false;
	if (tot + rep_len > 65535 + match_len)	/* enlarge_skb */
		return false;
	if (off > 0 && (uint32_t)off > nf_skb_tailroom(skb) + (skb->len - tot))
		return false;
	mangle_contents(skb, protoff, dataoff, match_offset, match_len, rep, rep_len, tot);
	if (off)
		nf_ct_seqadj_set(ns, ct, ctinfo, rd32(skb->ip + protoff + 4), off);
	return true;
}

uint16_t nf_nat_exp_find_port(struct nf_ns *ns, struct nf_ct_expect *exp, uint16_t port,
			      nf_time now)
{
	const int max_attempts = 128;
	int range = 65535 - port, attempts_left = range;
	uint16_t min = port;

	if (attempts_left > max_attempts)
		attempts_left = max_attempts;
	for (;;) {
		int res;

		exp->tuple.dport = port;
		res = nf_ct_expect_related(ns, exp, now);
		if (res == 0)
			return port;
		if (res != -EBUSY || --attempts_left < 0 || range <= 0)
			break;
		/* get_random_u32_below(range) */
		port = (uint16_t)(min + (uint32_t)(((uint64_t)ns->env.random_u32(ns->env.ctx) *
						   (uint32_t)range) >> 32));
	}
	return 0;
}

/* nf_nat_follow_master: the source becomes where the master sends to,
 * the destination the master's other end, on the announced port. */
void nf_nat_follow_master(struct nf_ns *ns, struct ct_entry *ct, const struct nf_ct_expect *exp,
			  nf_time now)
{
	const struct ct_entry *m = ct->master;
	struct nf_nat_range2 range = { .flags = NF_NAT_RANGE_MAP_IPS };

	if (!m || (ct->status & IPS_NAT_DONE_MASK))
		return;	/* BUG_ON in the kernel */
	range.min_addr.ip = range.max_addr.ip = m->tuplehash[!exp->dir].t.dst;
	nat_setup_info(ns, ct, &range, NAT_MANIP_SRC, now);
	range.flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED;
	range.min_port = range.max_port = exp->saved_port;
	range.min_addr.ip = range.max_addr.ip = m->tuplehash[!exp->dir].t.src;
	nat_setup_info(ns, ct, &range, NAT_MANIP_DST, now);
}
