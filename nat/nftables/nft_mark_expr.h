/* nft_mark_expr.h - values set from a selector through nft_bitwise, and
 * relational matches (nft_mark_expr.c). */
#ifndef NAT_NFTABLES_NFT_MARK_EXPR_H
#define NAT_NFTABLES_NFT_MARK_EXPR_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "nat/nftables/nft.h"

struct nft_parse;
struct nft_token;

/* Can a selector of k's type be set into a key of type want (nft's
 * evaluation)? If not, nft's "datatype mismatch" over start..here. */
bool nft_mark_source_type(struct nft_parse *p, const struct nft_token *start, const struct nft_key *k,
			  enum nft_dtype want);
/* Does t begin `& | ^ << >>` (or their words)? */
bool nft_mark_bitwise_start(const struct nft_token *t);
/* The operators and constants after a statement's source selector (the
 * parser just after it; src its first token) into e->bw; false after an
 * error. */
bool nft_mark_parse_bitwise(struct nft_parse *p, struct nft_expr *e, const struct nft_token *src);
/* ` & 0x0000ff01 | 0x00000001` as nft lists e's steps (dt: the source's). */
void nft_mark_print_bitwise(GString *s, const struct nft_expr *e, enum nft_dtype dt);
/* v through e's steps (nft_bitwise_eval). */
uint32_t nft_mark_bitwise_eval(const struct nft_expr *e, uint32_t v);

#endif
