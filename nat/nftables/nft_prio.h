/* nft_prio.h - a base chain's priority expression (nft_prio.c). */
#ifndef NAT_NFTABLES_NFT_PRIO_H
#define NAT_NFTABLES_NFT_PRIO_H

#include "nat/nftables/nft_int.h"

/* The parser after `priority` (kw): the chain's priority at hook (0
 * prerouting .. 4 postrouting), or false after nft's error. */
bool nft_parse_prio(struct nft_parse *p, const struct nft_token *kw, int hook, int *prio);

#endif
