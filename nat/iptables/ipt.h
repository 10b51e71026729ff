/* ipt.h - iptables: tables, chains, rules, matches and targets.
 *
 * Mirrors net/ipv4/netfilter/ip_tables.c (ipt_do_table) and the iptables
 * userspace (iptables 1.8 parsing, -L / -S / iptables-save text). A table is a
 * set of built-in chains (with policy) and user chains; a rule is its
 * ipt_ip part (-p -s -d -i -o), a list of match instances and one target
 * (or none: counters only). Matches and targets are extensions with ops
 * (xt.h, one file each in nat/iptables/xt/); this header knows none of
 * them. Rules are parsed once into this structure; matching never parses
 * text.
 */
#ifndef NAT_IPT_H
#define NAT_IPT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "nat/core/nf_inet.h"
#include "nat/nf_nat/nat.h"

enum ipt_table_id { IPT_FILTER, IPT_NAT, IPT_MANGLE, IPT_RAW, IPT_SECURITY, IPT_NTABLES };

enum ipt_verdict_kind {
	IPT_T_NONE,	/* no -j: counters only, continue */
	IPT_T_ACCEPT, IPT_T_DROP, IPT_T_RETURN, IPT_T_JUMP, IPT_T_GOTO,
	IPT_T_EXT,	/* an extension target: its ops decide (xt.h) */
};

struct ipt_chain;
struct xt_ops;

/* A rule may hold this many match instances (natsim's own limit). */
#define IPT_MAX_MATCHES 16

/* One match or target instance of a rule (an xt_entry_match /
 * xt_entry_target): the extension's ops and its private data (xt.h). */
struct xt_entry {
	const struct xt_ops *ops;
	void *data;
};

/* One rule. The parsed form keeps everything needed to print it back exactly
 * as iptables -S / iptables-save print it. Its matches are kept in the order
 * they were given, which is the order -S prints them; the same match may be
 * given more than once (`-m conntrack --ctstate NEW -m conntrack --ctstate
 * DNAT`, as iptables accepts it) and then every instance must match. */
struct ipt_rule {
	/* -p, -s, -d, -i, -o, each with '!' (struct ipt_ip) */
	char in[16], out[16]; bool in_inv, out_inv; /* "" = any; "eth+" wildcard */
	uint8_t in_cmp, out_cmp;	/* bytes strncmp compares: strlen+1, or strlen-1 for '+' */
	uint8_t proto; bool proto_inv;	/* 0 = any */
	bool src_inv, dst_inv;
	union nf_inet_addr src, smsk;
	union nf_inet_addr dst, dmsk;
	struct xt_entry *m; uint8_t nmatches;
	/* target: a standard verdict, a jump, or an extension (t) */
	enum ipt_verdict_kind target;
	struct ipt_chain *jump;		/* IPT_T_JUMP / IPT_T_GOTO (refs counted) */
	struct xt_entry t;		/* ACCEPT DROP RETURN and IPT_T_EXT; ops NULL otherwise */
	/* counters */
	uint64_t packets, bytes;
	uint64_t handle;	/* nf_tables' rule handle (iptables-nft), 0: none yet */
	bool inserted;		/* -I: iptables-nft's NEWRULE without NLM_F_APPEND (nft monitor) */
};

struct ipt_chain {
	char *name;
	bool builtin;
	int policy;		/* NF_ACCEPT / NF_DROP for built-in chains */
	uint64_t packets, bytes; /* policy counters */
	GPtrArray *rules;	/* struct ipt_rule * */
	unsigned refs;		/* jumps pointing here (-X refuses when > 0) */
	int hook;		/* built-in: its enum nf_hook; user chain: -1 */
	unsigned hookmask;	/* scratch of ipt_table_check: hooks reaching it */
	uint8_t mark;		/* scratch of ipt_table_check: DFS state */
	uint64_t handle;	/* nf_tables' chain handle; 0: iptables-nft has not
				 * made the chain yet (a built-in one without rules
				 * or policy command: no trace events) */
	bool stats;		/* the policy counts packets: always in
				 * iptables-legacy; in nf_tables once a command
				 * gave the base chain NFTA_CHAIN_COUNTERS (-P, -Z,
				 * an iptables-restore policy line) */
};

struct ipt_table {
	enum ipt_table_id id;
	GPtrArray *chains;	/* struct ipt_chain *, built-ins first in kernel order,
				 * then user chains sorted by name (strcmp) */
	bool touched;		/* exists for iptables-save (nft creates a table on
				 * its first change, not on -L) */
	struct ipt_chain *hook_chain[NF_INET_NUMHOOKS]; /* built-in chain per hook */
	uint64_t hgen;		/* the nf_tables table's handle generator: chains
				 * and rules take 1, 2, ... in the order iptables-nft
				 * makes them (nf_tables_alloc_handle) */
	uint64_t nft_handle;	/* the nf_tables table's own handle (nft -a list
				 * ruleset); 0: iptables-nft has not made it */
	uint64_t *table_hgen;	/* the namespace's table handle counter
				 * (ipt_net.table_hgen); NULL: a scratch table */
};

struct nf_ns;

/* iptables' per-namespace state: ns->ipt, made by ipt_tables_init (the
 * assembly's ip_tables pernet init), freed by ipt_tables_free. */
struct ipt_net {
	struct ipt_table tables[IPT_NTABLES];
	struct xt_recent_net *recent;	/* -m recent's lists (xt_recent.c) */
	struct xt_nfacct_net *nfacct;	/* nfacct objects (xt_nfacct.c) */
	struct xt_hashlimit_net *hashlimit; /* -m hashlimit's tables (xt_hashlimit.c) */
	bool ops_registered[IPT_NTABLES]; /* the table's hook ops are in the lists */
	/* nf_tables' table handles, shared with nft's own tables (nf_nft.c
	 * keeps the nft ruleset's counter in step): a table takes the next
	 * when iptables-nft makes it (nf_tables_newtable) */
	uint64_t table_hgen;

	/* iptables-legacy beside iptables-nft (ipt_legacy.c) */
	bool legacy;			/* this is iptables-legacy's set of tables */
	bool nat_loaded;		/* legacy: its iptable_nat lookups registered */
	unsigned made_seq[IPT_NTABLES];	/* legacy: order tables came to exist, 0 not */
	struct ipt_net *legacy_net;	/* the legacy set, NULL until first used */
	struct ipt_net *nft_net;	/* legacy: the iptables-nft set it stands in for */
};

void ipt_tables_init(struct nf_ns *ns);
void ipt_tables_free(struct nf_ns *ns);
/* ipt_hooks.c: register the hook ops of each raw, mangle, filter or
 * security table that exists (`touched`) and has none yet (after every
 * iptables and iptables-restore command); load iptable_nat (its lookups
 * join NAT's, conntrack is loaded). */
void ipt_tables_sync_ops(struct nf_ns *ns);
void ipt_nat_load(struct nf_ns *ns);
/* ipt_legacy.c: the same two for iptables-legacy's tables (while ns->ipt
 * is the legacy set), and its tables freed with the namespace's. */
void ipt_legacy_sync_ops(struct nf_ns *ns);
void ipt_legacy_nat_load(struct nf_ns *ns);
void ipt_legacy_free(struct nf_ns *ns);
/* The legacy set (made at its first use), and ns->ipt swapped to it and back
 * (the extensions' shared state handed over), for ipt_legacy_cmd.c. */
struct ipt_net *ipt_legacy_net(struct nf_ns *ns);
void ipt_legacy_enter(struct nf_ns *ns, struct ipt_net *l);
void ipt_legacy_leave(struct nf_ns *ns, struct ipt_net *l);

/* ipt_do_table: traverse the table's chain for `hook`. For the nat table the
 * SNAT/DNAT/... targets bind skb->ct via nat_setup_info() etc. Returns an
 * enum nf_verdict (NF_ACCEPT, NF_DROP, NF_REJECT). */
int ipt_do_table(struct nf_ns *ns, enum ipt_table_id table, enum nf_hook hook,
		 struct nf_skb *skb, const char *in, const char *out, nf_time now);
/* The same with the hook's state, whose packet-info record (st->pkt) it
 * reads instead of parsing the header: what the tables' hook ops call.
 * ipt_do_table parses a record of its own and calls this. */
struct nf_hook_state;
/* ipt_hooks.c: one table at its hook (both backends), with mangle
 * OUTPUT's re-route and the drop reason. */
unsigned ipt_do_hook(struct nf_ns *ns, enum ipt_table_id t, struct nf_skb *skb,
		     const struct nf_hook_state *st);
int ipt_do_table_state(struct nf_ns *ns, enum ipt_table_id table, struct nf_skb *skb,
		       const struct nf_hook_state *st);

/* True if the table's chain for this hook has at least one rule (fast path:
 * an empty nat chain still makes a null binding, but needs no traversal). */
bool ipt_hook_has_rules(struct nf_ns *ns, enum ipt_table_id table, enum nf_hook hook);

/* A rule in `iptables -S` form without "-A CHAIN " (e.g. "-p tcp -j ACCEPT"). */
void ipt_rule_format(const struct ipt_rule *r, GString *out);

/* ----- shared between ipt_table.c, ipt_parse.c, ipt_print.c, ipt_cmd.c ----- */

/* "filter", "nat", ... and back (-1 if unknown). */
const char *ipt_table_name(enum ipt_table_id t);
int ipt_table_by_name(const char *name);
struct ipt_chain *ipt_chain_find(struct ipt_table *t, const char *name);
/* A new user chain, kept in strcmp order after the built-ins. */
struct ipt_chain *ipt_chain_add(struct ipt_table *t, const char *name);
void ipt_chain_del(struct ipt_table *t, struct ipt_chain *c);
/* Remove every rule of a chain (dropping the references they hold). */
void ipt_chain_flush(struct ipt_chain *c);
void ipt_rule_free(struct ipt_rule *r);
/* A deep copy of a rule, without its jump (ipt_table_copy resolves it). */
struct ipt_rule *ipt_rule_dup(const struct ipt_rule *r);
/* A new instance of ops appended to the rule (NULL when the rule is full). */
struct xt_entry *ipt_rule_add_match(struct ipt_rule *r, const struct xt_ops *ops);
/* Set the rule's target instance to a new one of ops. */
void ipt_rule_set_target(struct ipt_rule *r, const struct xt_ops *ops);
/* Insert at 0-based position (refs of a jump are taken). */
/* iptables-nft makes chain c in nf_tables if it has not yet (a rule, a
 * policy, -N): it takes the table's next handle. */
void ipt_chain_nft_make(struct ipt_table *t, struct ipt_chain *c);
/* The table is deleted and made anew (iptables-restore without
 * --noflush): handles start again at 1. */
void ipt_table_nft_reset(struct ipt_table *t);
/* `nft delete table ip filter` / `nft flush ruleset`: the nf_tables table
 * is gone with its chains and rules; iptables sees built-in chains with
 * ACCEPT policies and makes the table anew on its next change. */
void ipt_table_nft_delete(struct ipt_table *t);
void ipt_rule_insert(struct ipt_chain *c, unsigned pos, struct ipt_rule *r);
/* Remove (without freeing) rule at pos; refs of a jump are dropped. */
struct ipt_rule *ipt_rule_remove(struct ipt_chain *c, unsigned pos);
/* Kernel-side checks of a table after a change (xt_check_target's table and
 * hook masks, REJECT tcp-reset, per-protocol matches, loops). Returns 0, or
 * EINVAL / EMLINK with the kernel log line in klog (without newline). */
int ipt_table_check(struct nf_ns *ns, struct ipt_table *t, GString *klog);
/* Deep copy of a table (iptables-restore's rollback). */
void ipt_table_copy(struct ipt_table *dst, const struct ipt_table *src);
void ipt_table_clear(struct ipt_table *t);
/* A table with just its built-in chains (ACCEPT policies, no rules). */
void ipt_table_init(struct ipt_table *t, enum ipt_table_id id);
/* Whether Debian's iptables has a match / target extension of this name,
 * and whether Debian's kernel has this table (ipt_ext_names.c). */
bool ipt_ext_is_match(const char *name);
bool ipt_ext_is_target(const char *name);
bool ipt_table_is_real(const char *name);
/* Parsed iptables command (ipt_parse.c). */
struct ipt_cmd {
	char cmd;		/* 'A' 'D' 'I' 'R' 'L' 'S' 'F' 'Z' 'N' 'X' 'E' 'P' 'C' */
	int table;		/* enum ipt_table_id */
	char *chain, *arg2;	/* chain; new name (-E) or policy (-P) */
	long rulenum;		/* 0 = none */
	bool numeric, verbose, exact, linenum;
	bool zero_too;		/* -L -Z: list, then zero */
	char *table_name;	/* -t as given (table -1 if unknown) */
	struct ipt_rule *rule;	/* for A D I R C with a rule spec */
	char *jump_name;	/* -j/-g target that is a chain name (unresolved) */
	/* iptables-translate only (ipt_parse_xlate): -f, and -s/-d with several
	 * comma-separated addresses (xtables_ipparse_multiple): uint32_t
	 * address, mask pairs, NULL for the rule's one address */
	bool frag, frag_inv;
	GArray *xlate_addrs[2];
};
/* 0, or 2 with the text for xtables_error in msg; *noprefix set when the text
 * is printed without "iptables v1.8.9 (nf_tables): " (Bad argument ...). */
int ipt_parse(int argc, char **argv, int default_table, struct ipt_cmd *cmd,
	      GString *msg, bool *noprefix);
void ipt_cmd_clear(struct ipt_cmd *cmd);
/* The same for iptables-translate: the rule is only parsed, so the
 * refusals of iptables-nft's kernel path (nft_check) do not apply. */
int ipt_parse_xlate(int argc, char **argv, int default_table, struct ipt_cmd *cmd,
		    GString *msg, bool *noprefix);
/* asctime's layout of a time (iptables-save's header), ipt_cmd.c. */
void ipt_date(nf_time now, char buf[64]);
/* An iptables-restore line into argv ("iptables" first, NULL-terminated;
 * add_param_to_argv's quoting); *ok false for an unterminated quote. */
gchar **ipt_split_line(const char *line, bool *ok);
/* -L, -S and iptables-save text (ipt_print.c). chain NULL = all chains. */
void ipt_print_list(struct ipt_table *t, struct ipt_chain *only, long rulenum,
		    bool numeric, bool verbose, bool exact, bool linenum, GString *out);
void ipt_print_rules(struct ipt_table *t, struct ipt_chain *only, long rulenum,
		     bool counters, GString *out);
void ipt_print_save(struct ipt_table *t, bool counters, const char *date, GString *out);
/* The -S text of a rule with its chain, "-A CHAIN ..." (trace lines). */
void ipt_rule_format_full(const struct ipt_chain *c, const struct ipt_rule *r, GString *out);
/* Service and protocol names (ipt_print.c), as /etc/services and
 * /etc/protocols of Debian's netbase. */
int ipt_service_port(const char *name, uint8_t proto);	/* -1 unknown */
const char *ipt_service_name(uint16_t port, uint8_t proto);	/* NULL unknown */
int ipt_proto_number(const char *name);			/* -1 unknown */
const char *ipt_proto_name(uint8_t proto);		/* NULL unknown */

#endif
