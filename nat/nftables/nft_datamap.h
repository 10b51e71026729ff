/* nft_datamap.h - a mark set from a data map or a hash (nft_datamap.c). */
#ifndef NAT_NFTABLES_NFT_DATAMAP_H
#define NAT_NFTABLES_NFT_DATAMAP_H

#include <stdbool.h>

#include "nat/nftables/nft.h"

struct nft_parse;
struct nft_token;

/* Does the value of `mark set` at t start an expression (a selector, a
 * hash, numgen) rather than a value? The parser is left where it was. */
bool nft_mark_source_start(const struct nft_token *t, struct nft_parse *p);
/* `KEY [. KEY]... map { K : MARK, ... }|map @NAME`, `jhash|symhash|numgen
 * ... [map ...]` (the parser at the source) into e's map_keys, anon or
 * set_ref; false after an error. */
bool nft_parse_mark_source(struct nft_parse *p, struct nft_expr *e);
/* Is the named map s one e can look its mark up in (the keys' types, data
 * of type mark)? */
bool nft_mark_map_fits(const struct nft_set *s, const struct nft_expr *e);

/* Is the named map s one `snat|dnat to KEY [. KEY]... map @s` can take its
 * address (data ipv4_addr) or address and port (ipv4_addr . inet_service)
 * from? If so, e is set to the map's form (has_port, nat_ip). */
bool nft_nat_map_fits(const struct nft_set *s, struct nft_expr *e);

#endif
