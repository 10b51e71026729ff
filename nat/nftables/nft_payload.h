/* nft_payload.h - header fields by offset and length in bits: nft's
 * protocol descriptors (src/proto.c) for ip, icmp, tcp, udp and th, raw
 * payloads `@nh|@th,OFF,LEN`, the kernel's nft_payload load with its
 * bitwise mask and shift, and nft_payload_set with the checksum updates
 * (nft_payload.c). */
#ifndef NAT_NFTABLES_NFT_PAYLOAD_H
#define NAT_NFTABLES_NFT_PAYLOAD_H

#include "nat/nftables/nft_int.h"

/* NFT_PAYLOAD_*_HEADER */
enum { NFT_PB_NONE, NFT_PB_LL, NFT_PB_NH, NFT_PB_TH };

/* A payload field: the key (id NFT_K_PAYLOAD, or an older key id natsim
 * loads itself) and where it is. */
struct nft_payload_field {
	struct nft_key key;
	uint8_t base;		/* NFT_PB_* */
	uint16_t off;		/* bits from the header's start */
	uint8_t bits;
	uint8_t csum_off;	/* the header's checksum (bytes), 0xff: none */
};

/* The field with this printed name ("ip ttl", "tcp dport"), or NULL. */
const struct nft_payload_field *nft_payload_field(const char *name);
/* A key's field (NFT_K_PAYLOAD keys and the older payload keys), or NULL. */
const struct nft_payload_field *nft_payload_of(const struct nft_key *k);
/* The largest value of k's field (UINT32_MAX for a key of another kind). */
uint32_t nft_payload_max(const struct nft_key *k);

/* A payload key nft_expr.c's table lacks at the parser's position:
 * `PROTO FIELD` of the descriptors, or `@nh|@th,OFF,LEN`; NULL with
 * nothing consumed if the words are none, or NULL after an error. */
const struct nft_key *nft_payload_parse_key(struct nft_parse *p);
/* `th sport|dport` after a tcp or udp selector, a `meta l4proto` or `ip
 * protocol` of tcp or udp in r: nft's payload dependency context lists
 * the field as that protocol's (the key to use instead, or k). */
const struct nft_key *nft_payload_th_context(const struct nft_rule *r, const struct nft_key *k);
/* A raw field not on byte boundaries (`@nh,8,6`): listed as its bytes
 * masked, `@nh,8,8 & 0xfc == 0xb8` (the match e of one value). */
bool nft_payload_raw_sub(const struct nft_key *k);
void nft_payload_print_sub(GString *s, const struct nft_expr *e);
/* The key `th sport|dport set` writes when the context made th (a th
 * key) into k: k's name, th's lack of a checksum update. */
const struct nft_key *nft_payload_th_set_key(const struct nft_key *th, const struct nft_key *k);
/* `icmp id|sequence`: nft puts `icmp type { echo-reply, echo-request }`
 * before it (listed, evaluated) unless r already matches an icmp type. */
bool nft_payload_needs_icmp_echo(const struct nft_rule *r, const struct nft_key *k);

/* nft's payload merging (payload_try_merge): two consecutive == matches
 * of adjacent fields of one header, 32 bits together, are one load, so
 * they list in header order: the last two of r put in that order. */
void nft_payload_merge_order(struct nft_rule *r);

/* nft_payload_eval: the field of k from the packet (false: NFT_BREAK). */
bool nft_payload_load(const struct nft_key *k, const uint8_t *ip, uint32_t len,
		      const uint8_t *l4, uint32_t l4len, uint32_t *v);

/* `KEY set VALUE` (the parser at `set`), appended to r. */
bool nft_payload_parse_set(struct nft_parse *p, struct nft_rule *r, const struct nft_key *k);
void nft_payload_print_set(GString *s, const struct nft_expr *e, bool numeric);
/* nft_payload_set_eval: the field written with the checksum updates nft
 * asks for (csum_type INET at the header's checksum, the L4 pseudo-header
 * for an address); false: NFT_BREAK. */
bool nft_payload_set_eval(const struct nft_expr *e, uint8_t *ip, uint32_t len, uint8_t *l4,
			  uint32_t l4len, uint8_t proto);

/* `KEY < VALUE` and the other relations (nft_cmp's NFT_CMP_LT..GTE): the
 * range of values that pass into *lo, *hi; false if none does. */
bool nft_payload_cmp_range(const struct nft_expr *e, uint32_t *lo, uint32_t *hi);
const char *nft_cmp_op_text(uint8_t op);

#endif
