/* nft_cttimeout.h - nft's ct timeout and ct expectation objects
 * (nft_cttimeout.c): what the parser, the printer and the rule walk call. */
#ifndef NAT_NFTABLES_NFT_CTTIMEOUT_H
#define NAT_NFTABLES_NFT_CTTIMEOUT_H

#include "nat/core/nf_types.h"
#include "nat/nftables/nft_int.h"

struct ct_entry;

/* `ct timeout|expectation NAME { ... }` (the parser at NAME), type
 * NFT_OBJ_CT_TIMEOUT or NFT_OBJ_CT_EXPECT, as nft_parse_ct_helper. */
bool nft_parse_ct_obj(struct nft_parse *p, struct nft_table *t, enum nft_obj_type type,
		      bool create, struct nft_obj **made);
void nft_print_ct_obj(GString *s, const struct nft_obj *o, const struct nft_print_opts *opts);
/* A copy of the object (nft_obj_clone's memdup) takes its own comment and
 * a reference on the policy; drop lets them go. */
void nft_ct_obj_hold(struct nft_obj *o);
void nft_ct_obj_drop(struct nft_obj *o);
/* Does a rule of t set the object (`ct timeout|expectation set "NAME"`)? */
bool nft_ct_obj_in_use(const struct nft_table *t, enum nft_obj_type type, const char *name);
/* `ct timeout set "NAME"` on a packet (nft_ct_timeout_obj_eval). */
void nft_ct_timeout_obj_eval(struct nft_table *t, const char *name, struct nf_ns *ns,
			     struct ct_entry *ct, uint8_t tprot, nf_time now);
/* `ct expectation set "NAME"` on a packet (nft_ct_expect_obj_eval):
 * NFT_CT_OBJ_GO_ON, _BREAK (the rule ends) or _DROP. */
enum { NFT_CT_OBJ_GO_ON, NFT_CT_OBJ_BREAK, NFT_CT_OBJ_DROP };
int nft_ct_expect_obj_eval(struct nft_table *t, const char *name, struct nf_ns *ns,
			   struct ct_entry *ct, uint8_t ctinfo, nf_time now);

#endif
