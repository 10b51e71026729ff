/* nft_fib.h - `fib saddr [. mark] [. iif] oif` (nft_fib.c). */
#ifndef NAT_NFTABLES_NFT_FIB_H
#define NAT_NFTABLES_NFT_FIB_H

#include "nat/core/nf_hook_ops.h"
#include "nat/nftables/nft_int.h"

/* The fib oif key at the parser's position (its words consumed), or NULL
 * with nothing consumed. */
const struct nft_key *nft_fib_oif_key(struct nft_parse *p);
/* nft_fib4_eval's NFT_FIB_RESULT_OIF with NFTA_FIB_F_PRESENT: 1 when the
 * reverse route exists (through the input interface with `. iif`), else 0. */
uint32_t nft_fib_oif_eval(const struct nft_key *k, const struct nf_hook_state *st,
			  const uint8_t *ip);

#endif
