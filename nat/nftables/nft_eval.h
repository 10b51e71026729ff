/* nft_eval.h - what nft_hooks.c needs of the evaluator (nft_eval.c). */
#ifndef NAT_NFTABLES_NFT_EVAL_H
#define NAT_NFTABLES_NFT_EVAL_H

#include "nat/core/nf_hook_ops.h"
#include "nat/nftables/nft.h"

/* nft_do_chain: run base chain c of table t on the packet; an enum
 * nf_verdict (NF_REJECT with skb->reject_with set). */
unsigned nft_do_chain(struct nft_table *t, struct nft_chain *c, struct nf_skb *skb,
		      const struct nf_hook_state *st);

/* Choose how a selector's expression compares (e->op), once at parse. */
void nft_expr_prepare(struct nft_expr *e);

/* Does expression e need conntrack (a ct selector, ct mark set, a nat
 * statement: nft_ct_get_init's and nft_nat_init's nf_ct_netns_get)? */
bool nft_expr_needs_ct(const struct nft_expr *e);

/* nft_exthdr.c: `tcp option maxseg size set rt mtu` on the TCP header th
 * (l4len bytes; NULL: not TCP, or a later fragment); false is NFT_BREAK. */
bool nft_tcp_mss_set_rtmtu(struct nf_ns *ns, struct nf_skb *skb, uint8_t *th, uint32_t l4len);

#endif
