/* ct_ecache.h - an entry's event mask (nf_conntrack_ecache's ctmask), set
 * by nft's `ct event set` (ct_ecache.c). */
#ifndef NAT_CT_ECACHE_H
#define NAT_CT_ECACHE_H

#include <stdbool.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_ext.h"

extern const struct nf_ct_ext_type ct_ecache_ext;

/* nft_ct_set_eval NFT_CT_EVENTMASK: the entry's events from now on are
 * only those of mask (IPCT_* bits; 0: none). */
void nf_ct_ecache_set_mask(struct nf_ns *ns, struct ct_entry *ct, unsigned mask);
unsigned nf_ct_ecache_mask(const struct nf_ns *ns, const struct ct_entry *ct);
/* nf_conntrack_eventmask_report's test: do events (IPCT_* bits) reach the
 * listeners? An entry without a mask of its own reports every event (the
 * extension's ctmask ~0). */
static inline bool nf_ct_ecache_wants(const struct nf_ns *ns, const struct ct_entry *ct,
				      unsigned events)
{
	return !(ct->ext & (1u << NF_CT_EXT_ECACHE)) || (events & nf_ct_ecache_mask(ns, ct));
}

#endif
