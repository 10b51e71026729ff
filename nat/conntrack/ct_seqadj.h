/* ct_seqadj.h - TCP sequence number adjustment (nf_conntrack_seqadj.c).
 *
 * When a NAT helper changes the length of a TCP segment's payload (a PORT
 * command whose address got longer or shorter), every later sequence
 * number of that direction is off by the difference, and so is every ACK
 * and SACK block the other side sends back. Per direction the entry
 * remembers one correction: the sequence number of the rewritten segment
 * (correction_pos), the offset before it and the offset after it, so that
 * a retransmission of the rewritten segment (seq == correction_pos) still
 * gets the old offset while everything after gets the new one.
 *
 * Design: a conntrack extension (NF_CT_EXT_SEQADJ) whose data lives in a
 * side table keyed by the entry (ns->ct->seqadj), as the helper's does, so
 * struct ct_entry does not grow. NAT adds it to an entry that has a helper
 * when it binds (nf_nat_setup_info); IPS_SEQ_ADJUST says an offset is set,
 * and the confirm op then rewrites each packet (nf_confirm).
 */
#ifndef NAT_CT_SEQADJ_H
#define NAT_CT_SEQADJ_H

#include <stdbool.h>
#include <stdint.h>
#include "nat/conntrack/ct.h"

/* struct nf_ct_seqadj: one direction's correction */
struct nf_ct_seqadj {
	uint32_t correction_pos;
	int32_t offset_before;
	int32_t offset_after;
};

/* struct nf_conn_seqadj */
struct nf_conn_seqadj {
	struct nf_ct_seqadj seq[CT_DIR_MAX];
};

/* The entry's seqadj data, NULL if it has none (nfct_seqadj). */
struct nf_conn_seqadj *nfct_seqadj(const struct nf_ns *ns, const struct ct_entry *ct);
/* nfct_seqadj_ext_add: give the entry seqadj data (zero offsets). */
struct nf_conn_seqadj *nfct_seqadj_ext_add(struct nf_ns *ns, struct ct_entry *ct);
/* nf_ct_seqadj_set: the segment of direction ctinfo starting at `seq`
 * (host order) changed length by `off`; sets IPS_SEQ_ADJUST. A later
 * segment moves the correction, an earlier one (a retransmission) does
 * not. 0. */
int nf_ct_seqadj_set(struct nf_ns *ns, struct ct_entry *ct, uint8_t ctinfo, uint32_t seq,
		     int32_t off);
/* nf_ct_seq_adjust: rewrite the packet's seq, its ack (by the other
 * direction's offsets) and its SACK blocks, with incremental TCP checksum
 * updates. 1, or 0 when the options are malformed (the caller drops). */
int nf_ct_seq_adjust(struct nf_ns *ns, struct nf_skb *skb, struct ct_entry *ct, uint8_t ctinfo,
		     unsigned protoff);
/* nf_ct_seq_offset: the offset direction dir's sequence number seq gets
 * (0 for an entry without seqadj data): conntrack's TCP window check. */
int32_t nf_ct_seq_offset(const struct nf_ns *ns, const struct ct_entry *ct, enum ct_dir dir,
			 uint32_t seq);
/* The extension type (registered by conntrack's pernet init). */
extern const struct nf_ct_ext_type ct_seqadj_ext;

#endif
