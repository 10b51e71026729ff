/* test_seqadj.c - TCP sequence adjustment across a payload rewrite
 * (nat/conntrack/ct_seqadj.c, the kernel's nf_conntrack_seqadj.c), driven
 * through the router's hooks (PREROUTING: conntrack's window tracking;
 * POSTROUTING: the confirm op's nf_ct_seq_adjust).
 *
 * A control connection 10.0.0.2:40000 -> 198.51.100.1:21 (SACK permitted
 * both ways). The client's segment at 1001 is rewritten 6 bytes longer
 * (nf_ct_seqadj_set(1001, +6), what nf_nat_mangle_tcp_packet does). Then:
 * the rewritten segment itself keeps its seq; later segments move by +6;
 * the server's ACKs and SACK blocks move back by 6 (or 0 for an edge at
 * the rewrite: a D-SACK of its retransmission); conntrack's window check
 * accepts the server's ACK of the longer stream (nf_ct_seq_offset in
 * tcp_in_window) instead of calling it INVALID, and, as the kernel, judges
 * a SACK by its ack's offset (an ack at the rewrite with a block after it
 * is INVALID and leaves unadjusted); a retransmission of the rewritten
 * segment keeps the old offset and a repeated seqadj_set does not move
 * the correction; a malformed option drops the packet; a second, later
 * rewrite moves the correction; a rewrite in the reply direction shifts
 * the server's seq and the client's ack. Every packet leaves with a
 * correct TCP checksum.
 */
#include "tests/unit/ct_test_util.h"
#include "nat/conntrack/ct_seqadj.h"

#define C_ "10.0.0.2"
#define S_ADDR "198.51.100.1"

/* A TCP segment with options (`opt`, a multiple of 4 bytes) and `payload`
 * zero bytes. */
static void seg(struct t_pkt *p, bool from_client, uint32_t seq, uint32_t ack, uint8_t flags,
		const uint8_t *opt, unsigned optlen, unsigned payload)
{
	unsigned hl = 20 + optlen;

	t_ip_hdr(p, 6, t_ip(from_client ? C_ : S_ADDR), t_ip(from_client ? S_ADDR : C_),
		 hl + payload);
	wr16(p->buf + 20, from_client ? 40000 : 21);
	wr16(p->buf + 22, from_client ? 21 : 40000);
	wr32(p->buf + 24, seq);
	wr32(p->buf + 28, ack);
	p->buf[32] = (uint8_t)((hl / 4) << 4);
	p->buf[33] = flags;
	wr16(p->buf + 34, 64240);
	if (optlen)
		memcpy(p->buf + 40, opt, optlen);
	memset(p->buf + 40 + optlen, 'x', payload);
	t_l4_csum(p, 16);
}

/* The TCP checksum over pseudo-header and segment verifies (sums to 0). */
static bool tcp_csum_ok(const struct t_pkt *p)
{
	const uint8_t *ip = p->buf;
	uint32_t n = p->skb.len - 20;
	uint32_t sum = (uint32_t)(ip[12] << 8 | ip[13]) + (uint32_t)(ip[14] << 8 | ip[15]) +
		       (uint32_t)(ip[16] << 8 | ip[17]) + (uint32_t)(ip[18] << 8 | ip[19]) + 6 + n;

	return t_csum(ip + 20, n, sum) == 0;
}

/* The entry the last packet had at POSTROUTING (NULL: INVALID). */
static struct ct_entry *last_ct;

/* PREROUTING then POSTROUTING (a forwarded packet), released after. */
static int fwd(struct nf_ns *ns, struct t_pkt *p, nf_time now)
{
	int v = nf_hook(ns, NF_INET_PRE_ROUTING, &p->skb, "eth0", NULL, now);

	last_ct = p->skb.ct;
	if (v == NF_ACCEPT)
		v = nf_hook(ns, NF_INET_POST_ROUTING, &p->skb, NULL, "eth1", now);
	nf_skb_release(ns, &p->skb);
	return v;
}

static uint32_t seq_of(const struct t_pkt *p) { return rd32(p->buf + 24); }
static uint32_t ack_of(const struct t_pkt *p) { return rd32(p->buf + 28); }

int main(void)
{
	static const uint8_t sackok[4] = { 1, 1, 4, 2 };	/* NOP NOP SACK-permitted */
	struct nf_ns *ns = t_ns_new();
	struct t_pkt p;
	struct ct_entry *ct;
	struct nf_conn_seqadj *sa;
	nf_time now = 1 * S_;
	uint64_t invalid0;

	/* the handshake: client ISN 1000, server ISN 5000 */
	seg(&p, true, 1000, 0, 0x02, sackok, 4, 0);
	CHECK(fwd(ns, &p, now) == NF_ACCEPT);
	seg(&p, false, 5000, 1001, 0x12, sackok, 4, 0);
	CHECK(fwd(ns, &p, now) == NF_ACCEPT);
	seg(&p, true, 1001, 5001, 0x10, NULL, 0, 0);
	CHECK(fwd(ns, &p, now) == NF_ACCEPT);
	ct = last_ct;
	CHECK(ct != NULL);
	if (!ct)
		return 1;
	CHECK(nf_ct_seq_offset(ns, ct, CT_DIR_ORIGINAL, 2000) == 0, "no extension: offset 0");
	sa = nfct_seqadj_ext_add(ns, ct);
	CHECK(sa && nfct_seqadj(ns, ct) == sa);
	CHECK(!(ct->status & IPS_SEQ_ADJUST), "no offset set yet");

	/* the rewritten segment (20 bytes in, 26 on the wire after the mangle) */
	CHECK(nf_ct_seqadj_set(ns, ct, IP_CT_ESTABLISHED, 1001, +6) == 0);
	CHECK(ct->status & IPS_SEQ_ADJUST);
	CHECK(sa->seq[CT_DIR_ORIGINAL].correction_pos == 1001 &&
	      sa->seq[CT_DIR_ORIGINAL].offset_before == 0 &&
	      sa->seq[CT_DIR_ORIGINAL].offset_after == 6);
	seg(&p, true, 1001, 5001, 0x18, NULL, 0, 20);
	CHECK(fwd(ns, &p, now) == NF_ACCEPT);
	CHECK(seq_of(&p) == 1001, "the rewritten segment keeps its seq: %u", seq_of(&p));
	CHECK(tcp_csum_ok(&p));

	/* a later segment: +6 */
	seg(&p, true, 1021, 5001, 0x18, NULL, 0, 10);
	CHECK(fwd(ns, &p, now) == NF_ACCEPT);
	CHECK(seq_of(&p) == 1027, "later segment: %u", seq_of(&p));
	CHECK(ack_of(&p) == 5001, "the other way has no offset: %u", ack_of(&p));
	CHECK(tcp_csum_ok(&p));

	/* the server acknowledges the longer stream (1001 + 26 + 10): the ack
	 * goes back by 6, and conntrack's window check accepts it */
	invalid0 = ns->ct->stats.invalid;
	seg(&p, false, 5001, 1037, 0x10, NULL, 0, 0);
	CHECK(fwd(ns, &p, now) == NF_ACCEPT);
	CHECK(last_ct == ct, "the ACK is tracked, not INVALID");
	CHECK(ns->ct->stats.invalid == invalid0, "invalid %llu",
	      (unsigned long long)ns->ct->stats.invalid);
	CHECK(ack_of(&p) == 1031, "ack of the rewritten stream: %u", ack_of(&p));
	CHECK(tcp_csum_ok(&p));

	/* a retransmission of the rewritten segment: the helper rewrites it
	 * again and calls seqadj_set again, which moves nothing; its seq stays */
	CHECK(nf_ct_seqadj_set(ns, ct, IP_CT_ESTABLISHED, 1001, +6) == 0);
	CHECK(sa->seq[CT_DIR_ORIGINAL].correction_pos == 1001 &&
	      sa->seq[CT_DIR_ORIGINAL].offset_before == 0 &&
	      sa->seq[CT_DIR_ORIGINAL].offset_after == 6, "retransmission moved the correction");
	seg(&p, true, 1001, 5001, 0x18, NULL, 0, 20);
	CHECK(fwd(ns, &p, now) == NF_ACCEPT);
	CHECK(seq_of(&p) == 1001, "retransmission: %u", seq_of(&p));
	CHECK(tcp_csum_ok(&p));

	/* another segment (1031, 10 bytes; 1037 on the wire) */
	seg(&p, true, 1031, 5001, 0x18, NULL, 0, 10);
	CHECK(fwd(ns, &p, now) == NF_ACCEPT);
	CHECK(seq_of(&p) == 1037, "%u", seq_of(&p));

	/* SACK in the reverse direction: the server acks the rewritten
	 * segment (1027 on the wire) and holds [1037,1047): ack and both
	 * edges go back by 6 */
	{
		static const uint8_t sack[12] = { 1, 1, 5, 10, 0, 0, 0x04, 0x0d, 0, 0, 0x04, 0x17 };

		seg(&p, false, 5001, 1027, 0x10, sack, 12, 0);
		CHECK(fwd(ns, &p, now) == NF_ACCEPT);
		CHECK(last_ct == ct, "the SACK is tracked");
		CHECK(ack_of(&p) == 1021, "ack: %u", ack_of(&p));
		CHECK(rd32(p.buf + 44) == 1031 && rd32(p.buf + 48) == 1041, "block: %u-%u",
		      rd32(p.buf + 44), rd32(p.buf + 48));
		CHECK(tcp_csum_ok(&p));
	}
	/* a D-SACK of the retransmitted rewritten segment [1001,1027): the
	 * left edge is at the correction (offset_before, 0), the right edge
	 * after it (6) */
	{
		static const uint8_t dsack[12] = { 1, 1, 5, 10, 0, 0, 0x03, 0xe9, 0, 0, 0x04, 0x03 };

		seg(&p, false, 5001, 1047, 0x10, dsack, 12, 0);
		CHECK(fwd(ns, &p, now) == NF_ACCEPT);
		CHECK(last_ct == ct, "the D-SACK is tracked");
		CHECK(ack_of(&p) == 1041, "ack: %u", ack_of(&p));
		CHECK(rd32(p.buf + 44) == 1001 && rd32(p.buf + 48) == 1021, "block: %u-%u",
		      rd32(p.buf + 44), rd32(p.buf + 48));
		CHECK(tcp_csum_ok(&p));
	}
	/* the kernel's window check takes the SACK's right edge back by the
	 * ack's offset (nf_ct_seq_offset(ack - 1)): an ack at the rewrite with
	 * a block after it reads as "SACK is over upper bound", the packet is
	 * INVALID (no entry) and leaves unadjusted, as on Linux */
	{
		static const uint8_t sack[12] = { 1, 1, 5, 10, 0, 0, 0x04, 0x0d, 0, 0, 0x04, 0x17 };
		uint64_t inv = ns->ct->stats.invalid;

		seg(&p, false, 5001, 1001, 0x10, sack, 12, 0);
		CHECK(fwd(ns, &p, now) == NF_ACCEPT);
		CHECK(last_ct == NULL && ns->ct->stats.invalid == inv + 1, "INVALID");
		CHECK(rd32(p.buf + 44) == 1037 && rd32(p.buf + 48) == 1047, "block: %u-%u",
		      rd32(p.buf + 44), rd32(p.buf + 48));
	}

	/* a malformed option (length past the header): the packet is dropped */
	{
		static const uint8_t bad[4] = { 1, 5, 10, 0 };

		seg(&p, false, 5001, 1047, 0x10, bad, 4, 0);
		CHECK(fwd(ns, &p, now) == NF_DROP, "partial option: drop");
	}

	/* the reply direction is rewritten too (a 227 three bytes shorter at
	 * 5001, 40 bytes in): the server's later seq -3, the client's ack +3 */
	CHECK(nf_ct_seqadj_set(ns, ct, IP_CT_ESTABLISHED_REPLY, 5001, -3) == 0);
	seg(&p, false, 5001, 1047, 0x18, NULL, 0, 40);
	CHECK(fwd(ns, &p, now) == NF_ACCEPT);
	CHECK(seq_of(&p) == 5001 && ack_of(&p) == 1041, "227: %u %u", seq_of(&p), ack_of(&p));
	seg(&p, false, 5041, 1047, 0x18, NULL, 0, 5);
	CHECK(fwd(ns, &p, now) == NF_ACCEPT);
	CHECK(seq_of(&p) == 5038, "server's later seq: %u", seq_of(&p));
	CHECK(tcp_csum_ok(&p));
	seg(&p, true, 1041, 5043, 0x10, NULL, 0, 0);	/* acks 5001 + 37 + 5 */
	CHECK(fwd(ns, &p, now) == NF_ACCEPT);
	CHECK(last_ct == ct, "the client's ACK is tracked");
	CHECK(seq_of(&p) == 1047 && ack_of(&p) == 5046, "client: %u %u", seq_of(&p), ack_of(&p));
	CHECK(tcp_csum_ok(&p));

	/* a second rewrite of the client's stream, 2 shorter, at 1041: the
	 * correction moves (before 6, after 4); a segment between the two
	 * rewrites keeps 6 */
	CHECK(nf_ct_seqadj_set(ns, ct, IP_CT_ESTABLISHED, 1041, -2) == 0);
	CHECK(sa->seq[CT_DIR_ORIGINAL].correction_pos == 1041 &&
	      sa->seq[CT_DIR_ORIGINAL].offset_before == 6 &&
	      sa->seq[CT_DIR_ORIGINAL].offset_after == 4);
	seg(&p, true, 1041, 5043, 0x18, NULL, 0, 12);
	CHECK(fwd(ns, &p, now) == NF_ACCEPT);
	CHECK(seq_of(&p) == 1047, "the second rewritten segment: %u", seq_of(&p));
	seg(&p, true, 1031, 5043, 0x18, NULL, 0, 10);
	CHECK(fwd(ns, &p, now) == NF_ACCEPT);
	CHECK(seq_of(&p) == 1037, "between the rewrites: %u", seq_of(&p));
	seg(&p, true, 1053, 5043, 0x18, NULL, 0, 1);
	CHECK(fwd(ns, &p, now) == NF_ACCEPT);
	CHECK(seq_of(&p) == 1057, "after both: %u", seq_of(&p));
	CHECK(tcp_csum_ok(&p));
	/* the server's ACK of everything (1001+26+10+10+10+1 on the wire) */
	seg(&p, false, 5046, 1058, 0x10, NULL, 0, 0);
	CHECK(fwd(ns, &p, now) == NF_ACCEPT);
	CHECK(last_ct == ct, "the server's ACK is tracked");
	CHECK(ack_of(&p) == 1054, "ack after both rewrites: %u", ack_of(&p));
	CHECK(seq_of(&p) == 5043, "its seq: %u", seq_of(&p));
	CHECK(tcp_csum_ok(&p));

	nf_ns_free(ns);
	if (!failures)
		printf("test_seqadj: ok\n");
	return failures != 0;
}
