/* nft_keyword.h - nft's keywords and its `identifier` (nft_keyword.c). */
#ifndef NAT_NFTABLES_NFT_KEYWORD_H
#define NAT_NFTABLES_NFT_KEYWORD_H

#include "nat/nftables/nft_int.h"

/* bison's name of the token when w is a keyword of nft's scanner (listing:
 * in a `list` command, whose words such as `tables` are keywords too),
 * else NULL */
const char *nft_keyword(const char *w, bool listing);
/* parser_bison.y's identifier: an unquoted word that is no keyword, or
 * "syntax error, unexpected X, expecting <expecting>" and p->resync set
 * (bison's recovery: skip to the end of the line, go on there). */
bool nft_ident(struct nft_parse *p, const struct nft_token **out, const char *expecting,
	       bool listing);
/* parser_bison.y's chain_expr, a jump or goto target: an identifier or a
 * variable (`jump $CHAIN`, whose value may be quoted) */
bool nft_chain_ref(struct nft_parse *p, const struct nft_token **out, const char *expecting);
/* `@NAME` (the word at): a set's name after @ is an identifier too */
bool nft_at_name(struct nft_parse *p, const struct nft_token *at);
/* past the next newline or `;` (bison's `error stmt_separator`) */
void nft_skip_line(struct nft_parse *p);

#endif
