/* nft_hash.h - jhash and symhash (nft_hash.c): the parser's, printer's and
 * evaluator's entry points. */
#ifndef NAT_NFTABLES_NFT_HASH_H
#define NAT_NFTABLES_NFT_HASH_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "nat/nftables/nft.h"

struct nft_parse;

/* Linux's jhash (include/linux/jhash.h) as an x86 kernel computes it. */
uint32_t nft_jhash(const void *key, uint32_t length, uint32_t initval);
/* The bytes a selector fills in a register (0: natsim does not hash it). */
unsigned nft_hash_key_len(const struct nft_key *k);
/* Append a selector's loaded value to buf at *len as the kernel's
 * register holds it (pad: a concatenation's 4-byte padding). */
void nft_hash_put_key(uint8_t *buf, unsigned *len, const struct nft_key *k, uint32_t v,
		      const char *name, bool pad);
/* `jhash KEY [. KEY]... mod N [seed S] [offset M]` or `symhash mod N
 * [offset M]` (the parser at the keyword): the parameters into e, the key
 * returned; NULL after an error. */
const struct nft_key *nft_parse_hash(struct nft_parse *p, struct nft_expr *e);
/* The hash as nft lists it. */
void nft_print_hash(GString *s, const struct nft_expr *e, const struct nft_key *k);
/* Does e's jhash read a ct selector? */
bool nft_hash_needs_ct(const struct nft_expr *e);

/* Once per ruleset, on err: symhash's values are not Linux's (a rule of
 * rs uses it). */
void nft_hash_say(struct nft_ruleset *rs, GString *err);

#endif
