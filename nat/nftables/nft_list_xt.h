/* nft_list_xt.h - iptables-nft's tables in nft's listings (nft_list_xt.c). */
#ifndef NAT_NFTABLES_NFT_LIST_XT_H
#define NAT_NFTABLES_NFT_LIST_XT_H

#include <glib.h>
#include <stdbool.h>

#include "nat/nftables/nft.h"

struct nft_print_opts;

/* The enum ipt_table_id of `table ip NAME` when iptables-nft has made it
 * (and this batch has not deleted it), else -1. */
int nft_xt_table_id(const struct nft_ruleset *rs, enum nft_family f, const char *name);
/* `flush ruleset`: every iptables-nft table goes too. */
void nft_xt_delete_all(struct nft_ruleset *rs);
/* `list ruleset` (names_only: `list tables`), nft's tables among
 * iptables-nft's in creation order; nft's warning for each iptables-nft
 * table with xt expressions on err. */
void nft_xt_list_ruleset(GString *out, GString *err, const struct nft_ruleset *rs,
			 const struct nft_print_opts *o, bool names_only);
void nft_xt_list_table(GString *out, GString *err, const struct nft_ruleset *rs, int id,
		       const struct nft_print_opts *o);
/* false: no such chain in nf_tables */
bool nft_xt_list_chain(GString *out, GString *err, const struct nft_ruleset *rs, int id,
		       const char *name, const struct nft_print_opts *o);

#endif
