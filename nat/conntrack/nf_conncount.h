/* nf_conncount.h - connection counting lists (net/netfilter/nf_conncount.c),
 * shared by iptables' -m connlimit (xt_connlimit.c) and nft's `ct count`
 * (nft_connlimit, nat/nftables/nft_ct.c).
 *
 * A list (struct nf_conncount_list) is a GArray of original tuples; its
 * owner (a rule, a key of a rule) keeps it alive and copies it with the rule.
 */
#ifndef NAT_CONNTRACK_NF_CONNCOUNT_H
#define NAT_CONNTRACK_NF_CONNCOUNT_H

#include <glib.h>
#include "nat/conntrack/ct.h"

GArray *nf_conncount_list_new(void);
GArray *nf_conncount_list_copy(const GArray *l);
/* __nf_conncount_add: walk the list (drop gone entries and closed TCP
 * ones, at most CONNCOUNT_GC_MAX_NODES), add t unless it is there; the
 * list's length after that (the count). */
unsigned nf_conncount_add(struct nf_ns *ns, GArray *l, const struct ct_tuple *t, nf_time now);

#endif
