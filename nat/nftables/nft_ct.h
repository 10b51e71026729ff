/* nft_ct.h - nft_ct's other keys, `ct zone set` and nft_connlimit's
 * `ct count` (nft_ct.c). */
#ifndef NAT_NFTABLES_NFT_CT_H
#define NAT_NFTABLES_NFT_CT_H

#include "nat/nftables/nft_int.h"

struct nf_skb;

/* `ct [original|reply] zone|l3proto|protocol|bytes|packets|avgpkt` and
 * `ct expiration` at the parser's position (moved past it); NULL (nothing
 * read) if the words are none of them. */
const struct nft_key *nft_ct_parse_key(struct nft_parse *p);
/* The largest value of a key narrower than 32 bits (ct zone), else 0. */
uint32_t nft_ct_key_max(const struct nft_key *k);
/* `ct count [over] N` and `ct [original|reply] zone set N` into r: true
 * with *done set if the statement was one of them (false: an error). */
bool nft_ct_parse_stmt(struct nft_parse *p, struct nft_rule *r, bool *done);
void nft_ct_print_stmt(GString *s, const struct nft_expr *e);
/* nft_ct_get_eval for the keys above: false is NFT_BREAK. */
bool nft_ct_load(struct nf_ns *ns, const struct ct_entry *ct, enum ct_info ctinfo,
		 const struct nft_key *k, uint32_t *v, nf_time now);
/* nft_connlimit_do_eval on a list (a rule's, a set element's): whether
 * the rule goes on. */
bool nft_connlimit_eval(struct nf_ns *ns, const struct nf_skb *skb, GArray *list, uint32_t limit,
			bool over, nf_time now);
/* The same for a rule's `ct count`. */
bool nft_ct_count_eval(struct nf_ns *ns, const struct nf_skb *skb, struct nft_expr *e, nf_time now);
/* `ct label N` (false: the rule ends) and `ct label set N`. */
bool nft_ct_label_eval(struct nf_ns *ns, const struct nf_skb *skb, const struct nft_expr *e);
void nft_ct_label_set_eval(struct nf_ns *ns, struct nf_skb *skb, const struct nft_expr *e);
/* nft_ct_set_eval NFT_CT_EVENTMASK: the entry's event mask. */
void nft_ct_event_set_eval(struct nf_ns *ns, struct nf_skb *skb, const struct nft_expr *e);
/* nft_ct_set_zone_eval: the zone template on a packet conntrack has not seen. */
void nft_ct_zone_set_eval(struct nf_skb *skb, const struct nft_expr *e);
/* nft's dependency killing around ct l3proto and ct protocol: r's last
 * two expressions are matches, the previous one a single value. */
void nft_ct_kill_dependency(struct nft_parse *p, struct nft_rule *r);
/* A rule of rs reads the acct counters (nft_ct_get_init: nf_ct_set_acct). */
bool nft_ct_wants_acct(const struct nft_ruleset *rs);

#endif
