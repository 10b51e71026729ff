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

/* An iptables-nft rule as nft decodes it, with the counters given (a
 * trace line's: nft_trace_xt.c). */
struct ipt_rule;
void nft_xt_rule_traced(GString *s, const struct ipt_rule *r, uint64_t packets, uint64_t bytes);

/* nft_event.c's snapshot of iptables-nft's tables: for each, a GPtrArray
 * of struct nft_ev_obj (table, chains, rules) added to groups and its
 * handle to handles (uint64_t). */
void nft_xt_snapshot(const struct nft_ruleset *rs, GPtrArray *groups, GArray *handles);

/* After a batch: the iptables-nft tables it deleted and the chains it
 * flushed go (ok: the batch succeeded), and the marks are cleared. */
struct nf_ns;
void nft_xt_commit(struct nf_ns *ns, struct nft_ruleset *rs, bool ok);

/* The commands of nft_parse.c's command() that name an iptables-nft
 * table: `VERB table [ip] NAME` (tn: NAME, xid its table), and `VERB
 * chain|rule [ip] NAME ...` (nft_xt_chain_table reads the family and the
 * table when they name one and gives its id, else -1 and reads nothing). */
struct nft_parse;
struct nft_token;
bool nft_xt_table_cmd(struct nft_parse *p, struct nft_ruleset *rs, GString *out,
		      const struct nft_print_opts *o, const char *v, const struct nft_token *obj,
		      const struct nft_token *tn, int xid);
int nft_xt_chain_table(struct nft_parse *p, const struct nft_ruleset *rs);
bool nft_xt_chain_cmd(struct nft_parse *p, struct nft_ruleset *rs, GString *out,
		      const struct nft_print_opts *o, const char *v, const struct nft_token *obj,
		      int xid);

/* nft_xt_share.c: one table for nft and iptables-nft. Before an
 * iptables-nft command works in table id: nft's empty `table ip NAME`
 * becomes iptables-nft's (its handle kept); one holding nft chains or
 * sets is natsim's refusal when the command changes the table (modify), a
 * notice on err otherwise. Returns the command's exit status, 0 to go on. */
int nft_xt_claim(struct nf_ns *ns, int id, bool modify, GString *err);
/* `add|create chain [ip] NAME CHAIN` of iptables-nft's table xid (cn the
 * chain's token): a regular chain, made when the batch succeeds. */
bool nft_xt_add_chain(struct nft_parse *p, struct nft_ruleset *rs, const char *v,
		      const struct nft_token *cn, int xid);
/* nft_xt_commit's part: the chains added (ok), the list cleared. */
void nft_xt_commit_added(struct nf_ns *ns, struct nft_ruleset *rs, bool ok);

#endif
