/* nft_meta_keys.h - the meta keys of nft_meta_keys.c: skuid, skgid, cpu,
 * iiftype, oiftype, random, priority, ipsec (secpath), sdif, sdifname. */
#ifndef NAT_NFTABLES_NFT_META_KEYS_H
#define NAT_NFTABLES_NFT_META_KEYS_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "nat/nftables/nft.h"

struct nft_parse;
struct nf_skb;
struct nf_hook_state;

/* `meta KEY` (or a bare `skuid`, `cpu`, ...) at the parser: the key and
 * the parser past it, or NULL with the parser unmoved. */
const struct nft_key *nft_meta_key_parse(struct nft_parse *p);
/* nft_meta_get_eval for these keys; false: NFT_BREAK. */
bool nft_meta_key_load(const struct nf_skb *skb, const struct nf_hook_state *st,
		       enum nft_key_id id, uint32_t *v, const char **name);

/* `meta protocol ip` in an ip table: nft's redundant dependency, not
 * listed (e: the match just parsed). */
void nft_meta_key_implicit(const struct nft_parse *p, struct nft_expr *e);

/* tc_handle_type: "root", "none", "MAJOR:MINOR" (hex). */
bool nft_parse_tchandle(const char *s, uint32_t *v);
void nft_print_tchandle(GString *s, uint32_t v);

/* meta time ("2020-01-01 10:00:00", seconds of the epoch), day ("Monday",
 * 0-6 from Sunday), hour ("10:00[:SS]", seconds since midnight), in UTC. */
bool nft_parse_timekey(enum nft_dtype dt, const char *s, uint32_t *v);
void nft_print_timekey(GString *s, enum nft_dtype dt, uint32_t v);

#endif
