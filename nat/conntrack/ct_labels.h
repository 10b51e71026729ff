/* ct_labels.h - connection labels (nf_conntrack_labels.c): 128 bits an
 * entry carries for nft's `ct label set N` and `ct label N` (ct_labels.c). */
#ifndef NAT_CT_LABELS_H
#define NAT_CT_LABELS_H

#include <stdbool.h>
#include "nat/conntrack/ct.h"

#define NF_CT_LABELS_MAX_BITS 128

extern const struct nf_ct_ext_type ct_labels_ext;

/* Is label bit `bit` set on the entry? (none set without the extension) */
bool nf_ct_label_test(const struct nf_ns *ns, const struct ct_entry *ct, unsigned bit);
/* Are the entry's labels exactly that one bit? */
bool nf_ct_label_only(const struct nf_ns *ns, const struct ct_entry *ct, unsigned bit);
/* nf_connlabels_replace with one bit: set it; an IPCT_LABEL event if it
 * was not set. */
void nf_ct_label_set(struct nf_ns *ns, struct ct_entry *ct, unsigned bit);

#endif
