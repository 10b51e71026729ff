/* nft_event.h - what nft_event.c and nft_list_xt.c share to snapshot the
 * objects nf_tables holds (the public side is nf.h's nf_nft_snapshot). */
#ifndef NAT_NFTABLES_NFT_EVENT_H
#define NAT_NFTABLES_NFT_EVENT_H

#include <glib.h>
#include <stdint.h>

#include "nat/nftables/nf_nft_event.h"

/* One object of a snapshot: its identity, what a change is judged by,
 * and the monitor's lines for its addition and deletion (with and without
 * `-a`'s handles). */
struct nft_ev_obj {
	enum nf_nft_ev_kind kind;
	char *key;		/* handles: unique in the namespace */
	char *table_key;	/* its table's key */
	char *cmp;		/* differs: the object changed */
	char *add, *add_h;
	char *del, *del_h;
	char *set;		/* SET, ELEM: the set's key */
	char *refs;		/* RULE: keys of the named sets it names, '\n' after each */
	char *anon_del;		/* RULE: its anonymous sets' deletion lines, '\n' after each */
};

/* A new object (key taken) at the end of objs. */
struct nft_ev_obj *nft_ev_add(GPtrArray *objs, enum nf_nft_ev_kind kind, const char *table_key,
			      char *key);
/* A table's key. */
char *nft_ev_table_key(const char *family, const char *name, uint64_t handle);
/* The rule line of a one-rule chain's listing. */
char *nft_ev_chain_rule_line(const char *chain_block);

/* After a committed batch: the kernel's "__set%d" names of the anonymous
 * sets (new ones take the lowest free number of their table). */
struct nft_ruleset;
void nft_anon_names_update(struct nft_ruleset *rs);

#endif
