/* ct_seqadj.c - TCP sequence number adjustment after a payload rewrite
 * (nf_conntrack_seqadj.c, Linux 6.x). See ct_seqadj.h for the design.
 *
 * Offsets are kept in the sender's own (unrewritten) sequence space: a
 * packet of direction d gets seq + offset(d); its ack answers the other
 * direction's rewritten stream and gets ack - offset(!d), where the choice
 * between offset_before and offset_after is made on ack - offset_before,
 * as the kernel does, and so for each SACK block edge.
 */
#include <string.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_ext.h"
#include "nat/conntrack/ct_seqadj.h"
#include "nat/core/nf_ns.h"

#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_SACK 5
#define TCPOLEN_SACK_PERBLOCK 8

static inline bool seq_before(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_after(uint32_t a, uint32_t b) { return seq_before(b, a); }

/* inet_proto_csum_replace4 on a TCP checksum (no pseudo-header word):
 * csum_replace4's 32-bit one's complement arithmetic, as NAT's. */
static inline uint32_t seqadj_csum_add(uint32_t a, uint32_t b)
{
	uint32_t r = a + b;

	return r + (r < b);
}

static void seqadj_csum_replace4(uint8_t *check, uint32_t from, uint32_t to)
{
	uint32_t s = ~(uint32_t)rd16(check);

	s = seqadj_csum_add(s, ~from);
	s = seqadj_csum_add(s, to);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	wr16(check, (uint16_t)~s);
}

struct nf_conn_seqadj *nfct_seqadj(const struct nf_ns *ns, const struct ct_entry *ct)
{
	if (!(ct->ext & CT_EXT_SEQADJ) || !ns->ct->seqadj)
		return NULL;
	return g_hash_table_lookup(ns->ct->seqadj, ct);
}

struct nf_conn_seqadj *nfct_seqadj_ext_add(struct nf_ns *ns, struct ct_entry *ct)
{
	struct nf_conn_seqadj *s = nfct_seqadj(ns, ct);

	if (s)
		return s;
	if (!ns->ct->seqadj)
		ns->ct->seqadj = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	s = g_new0(struct nf_conn_seqadj, 1);
	g_hash_table_insert(ns->ct->seqadj, ct, s);
	ct->ext |= CT_EXT_SEQADJ;
	return s;
}

/* nf_ct_seqadj_set: a new correction only when none is pending
 * (before == after) or the segment lies after the last one; a
 * retransmission of the rewritten segment changes nothing. */
int nf_ct_seqadj_set(struct nf_ns *ns, struct ct_entry *ct, uint8_t ctinfo, uint32_t seq,
		     int32_t off)
{
	struct nf_conn_seqadj *seqadj = nfct_seqadj(ns, ct);
	struct nf_ct_seqadj *this_way;

	if (off == 0 || !seqadj)
		return 0;	/* the kernel WARNs on a missing extension */
	ct->status |= IPS_SEQ_ADJUST;
	this_way = &seqadj->seq[ct_info_dir(ctinfo)];
	if (this_way->offset_before == this_way->offset_after ||
	    seq_before(this_way->correction_pos, seq)) {
		this_way->correction_pos = seq;
		this_way->offset_before = this_way->offset_after;
		this_way->offset_after += off;
	}
	return 0;
}

/* nf_ct_sack_block_adjust: each block's edges by the other direction's
 * offsets (they acknowledge its rewritten stream). */
static void nf_ct_sack_block_adjust(uint8_t *th, unsigned sackoff, unsigned sackend,
				    const struct nf_ct_seqadj *seq)
{
	for (; sackoff + TCPOLEN_SACK_PERBLOCK <= sackend; sackoff += TCPOLEN_SACK_PERBLOCK) {
		uint8_t *b = th + sackoff;
		uint32_t start = rd32(b), end = rd32(b + 4), ns_, ne;

		if (seq_after(start - (uint32_t)seq->offset_before, seq->correction_pos))
			ns_ = start - (uint32_t)seq->offset_after;
		else
			ns_ = start - (uint32_t)seq->offset_before;
		if (seq_after(end - (uint32_t)seq->offset_before, seq->correction_pos))
			ne = end - (uint32_t)seq->offset_after;
		else
			ne = end - (uint32_t)seq->offset_before;
		seqadj_csum_replace4(th + 16, start, ns_);
		seqadj_csum_replace4(th + 16, end, ne);
		wr32(b, ns_);
		wr32(b + 4, ne);
	}
}

/* nf_ct_sack_adjust: walk the options; a partial option is refused (0). */
static int nf_ct_sack_adjust(uint8_t *th, unsigned optend, const struct nf_ct_seqadj *other)
{
	unsigned optoff = 20;

	while (optoff < optend) {
		const uint8_t *op = th + optoff;

		switch (op[0]) {
		case TCPOPT_EOL:
			return 1;
		case TCPOPT_NOP:
			optoff++;
			continue;
		default:
			if (optoff + 1 == optend || optoff + op[1] > optend || op[1] < 2)
				return 0;
			if (op[0] == TCPOPT_SACK && op[1] >= 2 + TCPOLEN_SACK_PERBLOCK &&
			    (op[1] - 2) % TCPOLEN_SACK_PERBLOCK == 0)
				nf_ct_sack_block_adjust(th, optoff + 2, optoff + op[1], other);
			optoff += op[1];
		}
	}
	return 1;
}

int nf_ct_seq_adjust(struct nf_ns *ns, struct nf_skb *skb, struct ct_entry *ct, uint8_t ctinfo,
		     unsigned protoff)
{
	struct nf_conn_seqadj *seqadj = nfct_seqadj(ns, ct);
	enum ct_dir dir = ct_info_dir(ctinfo);
	const struct nf_ct_seqadj *this_way, *other_way;
	uint8_t *th;
	uint32_t seq, newseq, ack, newack;
	int32_t seqoff, ackoff;
	unsigned optend;

	if (!seqadj)
		return 1;
	if (protoff + 20 > skb->len)	/* skb_ensure_writable */
		return 0;
	this_way = &seqadj->seq[dir];
	other_way = &seqadj->seq[!dir];
	th = skb->ip + protoff;
	seq = rd32(th + 4);
	seqoff = seq_after(seq, this_way->correction_pos) ? this_way->offset_after
							  : this_way->offset_before;
	newseq = seq + (uint32_t)seqoff;
	seqadj_csum_replace4(th + 16, seq, newseq);
	wr32(th + 4, newseq);
	if (ns->env.trace && seqoff)
		nf_trace(ns, NF_TRACE_STEP "seqadj: seq %u -> %u (%+d)", nf_hook_name(ns->cur_hook),
			 "conntrack", seq, newseq, seqoff);
	if (!(th[13] & 0x10))	/* no ACK */
		return 1;
	ack = rd32(th + 8);
	if (seq_after(ack - (uint32_t)other_way->offset_before, other_way->correction_pos))
		ackoff = other_way->offset_after;
	else
		ackoff = other_way->offset_before;
	newack = ack - (uint32_t)ackoff;
	seqadj_csum_replace4(th + 16, ack, newack);
	wr32(th + 8, newack);
	if (ns->env.trace && ackoff)
		nf_trace(ns, NF_TRACE_STEP "seqadj: ack %u -> %u (%+d)", nf_hook_name(ns->cur_hook),
			 "conntrack", ack, newack, -ackoff);
	optend = (th[12] >> 4) * 4u;
	if (optend < 20 || protoff + optend > skb->len)
		return 0;
	return nf_ct_sack_adjust(th, optend, other_way);
}

int32_t nf_ct_seq_offset(const struct nf_ns *ns, const struct ct_entry *ct, enum ct_dir dir,
			 uint32_t seq)
{
	const struct nf_conn_seqadj *seqadj = nfct_seqadj(ns, ct);
	const struct nf_ct_seqadj *this_way;

	if (!seqadj)
		return 0;
	this_way = &seqadj->seq[dir];
	return seq_after(seq, this_way->correction_pos) ? this_way->offset_after
							: this_way->offset_before;
}

static void ct_seqadj_destroy(struct nf_ns *ns, struct ct_entry *ct)
{
	if ((ct->ext & CT_EXT_SEQADJ) && ns->ct->seqadj)
		g_hash_table_remove(ns->ct->seqadj, ct);
	ct->ext &= (uint8_t)~CT_EXT_SEQADJ;
}

static void ct_seqadj_net_exit(struct nf_ns *ns)
{
	if (ns->ct->seqadj)
		g_hash_table_destroy(ns->ct->seqadj);
	ns->ct->seqadj = NULL;
}

const struct nf_ct_ext_type ct_seqadj_ext = {
	.id = NF_CT_EXT_SEQADJ,
	.name = "seqadj",
	.destroy = ct_seqadj_destroy,
	.net_exit = ct_seqadj_net_exit,
};
