/* nft_int.h - what the files of nat/nftables/ share: tokens, the parse
 * context with its error list, datatypes, model helpers.
 *
 * Design: the whole input is lexed into one token array first (nft's
 * scanner works on the whole buffer too), so the parsers look ahead
 * freely and every error can point at a token's line and columns.
 */
#ifndef NAT_NFTABLES_NFT_INT_H
#define NAT_NFTABLES_NFT_INT_H

#include "nat/nftables/nft.h"

enum nft_tok { NFT_T_WORD, NFT_T_STRING, NFT_T_NL, NFT_T_SEMI, NFT_T_LBRACE,
	       NFT_T_RBRACE, NFT_T_COMMA, NFT_T_EOF };

struct nft_token {
	enum nft_tok type;
	char *text;		/* the word, or the string without its quotes */
	int line, col, len;	/* 1-based line and byte column, length in bytes */
	bool from_var;		/* put where a `$NAME` stood (nft_define.c) */
};

/* A token's line carries the input it came from: the main text is source 0,
 * each included file a source of its own (nft_include.c), so the locations
 * copied from tokens all over the parser keep their file. */
#define NFT_SRC_SHIFT 20
#define NFT_LINE(src, line) ((int)((unsigned)(src) << NFT_SRC_SHIFT | (unsigned)(line)))
#define NFT_LINE_SRC(l) ((unsigned)(l) >> NFT_SRC_SHIFT)
#define NFT_LINE_NO(l) ((int)((unsigned)(l) & ((1u << NFT_SRC_SHIFT) - 1)))

/* One input of a parse: the main text or an included file (nft's
 * input_descriptor). */
struct nft_src {
	char *name;		/* NULL: the command line */
	char *text;
	int depth;		/* 1: the main input */
	int parent;		/* the including source, -1 for the main one */
	struct nft_loc at;	/* the include statement in the parent */
};

struct nft_parse {
	const char *file;	/* "FILE" of the messages, NULL on the command line */
	const char *text;	/* the input */
	const struct nft_files *files;	/* for `include` (NULL: none) */
	GPtrArray *srcs;	/* struct nft_src *: [0] the main input, then includes */
	GArray *toks;		/* struct nft_token */
	unsigned pos;
	GString *err;
	int nerr;
	int nkerr;		/* of nerr, the kernel's refusals of a sent batch */
	enum nft_family family;	/* of the table being parsed */
	struct nft_table *table;
	bool resync;		/* a syntax error bison recovers from at the line's end */
};

/* nft_lex.c */
void nft_lex(struct nft_parse *p);
void nft_lex_free(struct nft_parse *p);
/* Tokens of source src appended to p->toks (no end of file), `include`
 * statements replaced by the included files' tokens. */
void nft_lex_source(struct nft_parse *p, unsigned src);
void nft_srcs_free(struct nft_parse *p);

/* nft_include.c: the statement `include "NAME"` (kw, name, sep: its
 * tokens, sep NULL at the end of a command line) of source src: the files
 * it names are lexed in its place; false (error reported) if it failed. */
bool nft_include(struct nft_parse *p, unsigned src, const struct nft_token *kw,
		 const struct nft_token *name, const struct nft_token *sep);
const struct nft_token *nft_peek(struct nft_parse *p, unsigned ahead);
const struct nft_token *nft_next(struct nft_parse *p);
bool nft_is_word(const struct nft_token *t, const char *w);

/* nft_define.c: variables expanded on the token array (after nft_lex). */
void nft_expand_defines(struct nft_parse *p);

/* nft_error.c: nft's "FILE:L:C-C: Error: MSG", the line, the marks; ctx
 * (may be NULL) is underlined with ~, at with ^. */
void nft_error(struct nft_parse *p, const struct nft_token *at, const struct nft_token *ctx,
	       const char *fmt, ...) G_GNUC_PRINTF(4, 5);
void nft_error_loc(struct nft_parse *p, struct nft_loc at, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* at marked with ^, the range ctx around it with ~ */
void nft_error_ctx(struct nft_parse *p, struct nft_loc at, struct nft_loc ctx, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);
/* The syntax error bison reports for an unexpected token. */
void nft_error_unexpected(struct nft_parse *p, const struct nft_token *t);
/* The next token as an unsigned number (nft_expr.c; base as strtoull's). */
bool nft_parse_uint_tok(struct nft_parse *p, uint64_t *v, int base);
/* Where the kernel's refusal of a stateful object is marked (nft_obj.c):
 * the whole `add|create` command line, else the object's name. */
struct nft_loc nft_obj_refused_at(struct nft_parse *p, const struct nft_token *first,
				  const struct nft_token *name);

/* nft_types.c */
bool nft_parse_value(enum nft_dtype dt, const char *text, struct nft_elem *e, const char **why);
/* numeric: `nft -n`, symbols as numbers (bits as 0x%x each) */
void nft_print_elem(GString *s, enum nft_dtype dt, const struct nft_elem *e, bool numeric);
bool nft_dtype_bitmask(enum nft_dtype dt);
bool nft_dtype_interval(enum nft_dtype dt);
bool nft_parse_ipv4(const char *s, uint32_t *a);
void nft_print_ipv4(GString *s, uint32_t a);
bool nft_parse_port(const char *s, uint32_t *v);

/* nft_ip6.c: IPv6 values (held in nft_elem.str) */
bool nft_ip6_parse_value(const char *text, struct nft_elem *e);
void nft_ip6_print_elem(GString *s, const struct nft_elem *e);
int nft_ip6_cmp(const struct nft_elem *a, const struct nft_elem *b);
void nft_ip6_addr(const struct nft_elem *e, bool hi, uint8_t a[16]);
/* nft's message for the IPv6 value t that did not parse, if it has a
 * specific one (reported: true). */
bool nft_ip6_value_error(struct nft_parse *p, const struct nft_token *t);
/* The dependencies nft kills in inet tables: a `meta nfproto ipv6` (and a
 * `meta l4proto ipv6-icmp`) before an ip6/icmpv6 selector, `meta nfproto
 * ipv4` before `icmp type`, the last match of r; and a reject's family
 * (below). */
void nft_ip6_kill_dependency(struct nft_parse *p, struct nft_rule *r);
/* `reject with icmpv6 [type] CODE` (the parser after `icmpv6`) into e. */
bool nft_ip6_parse_reject(struct nft_parse *p, struct nft_rule *r, struct nft_expr *e);
/* A reject e, just parsed as r's last expression, and the family the rule
 * settled before it (nft's reject evaluation in inet tables: a `meta
 * nfproto`, an ip or ip6 selector): the family gives the default ICMP type
 * and a `meta nfproto` match is not listed; an icmpv6 reject with no
 * such match gets the implicit `meta nfproto ipv6` the kernel evaluates,
 * first in the rule; `with tcp reset` without a TCP match before it gets
 * the `meta l4proto tcp` nft adds (and lists). */
bool nft_ip6_reject_dependency(struct nft_parse *p, struct nft_rule *r, struct nft_expr *e);

/* nft_expr.c: one rule's statements, up to a newline, `;` or `}`. */
struct nft_rule *nft_parse_rule(struct nft_parse *p);
/* A payload, meta, ct or fib selector at the parser's position (moved past
 * it); NULL (nothing read) if the words are none. */
const struct nft_key *nft_expr_parse_key(struct nft_parse *p);
/* The same, or `jhash ...`, `symhash ...`, `numgen ...` (their parameters
 * into e); NULL after an error or if the words are none. */
const struct nft_key *nft_expr_parse_source(struct nft_parse *p, struct nft_expr *e);

/* nft_ruleset.c */
struct nft_table *nft_table_find(struct nft_ruleset *rs, enum nft_family f, const char *name);
struct nft_chain *nft_chain_find(struct nft_table *t, const char *name);
struct nft_set *nft_set_find(struct nft_table *t, const char *name);
struct nft_table *nft_table_new(struct nft_ruleset *rs, enum nft_family f, const char *name);
struct nft_chain *nft_chain_new(struct nft_table *t, const char *name);
void nft_table_free(struct nft_table *t);
void nft_chain_free(struct nft_chain *c);
void nft_rule_free(struct nft_rule *r);
/* Whether fn holds for an expression of a rule of t (the reference walks
 * behind the kernel's use counts: a chain, object or flowtable in use). */
bool nft_table_any_expr(const struct nft_table *t,
			bool (*fn)(const struct nft_expr *e, const void *arg), const void *arg);
void nft_set_free(struct nft_set *s);
void nft_expr_free(struct nft_expr *e);
void nft_rule_add_handles(struct nft_table *t, struct nft_rule *r);
struct nft_ruleset *nft_ruleset_clone(const struct nft_ruleset *rs);

/* nft_set.c */
struct nft_set *nft_set_new(const char *name, bool map);
struct nft_set *nft_set_clone(const struct nft_set *s);
void nft_setelem_free(struct nft_setelem *e);
bool nft_parse_set_block(struct nft_parse *p, struct nft_set *s);
bool nft_parse_elements(struct nft_parse *p, struct nft_set *s);
void nft_set_sort(struct nft_set *s);
bool nft_setelem_same(const struct nft_setelem *a, const struct nft_setelem *b);
void nft_print_set_elems(GString *out, const struct nft_set *s, bool anonymous, bool numeric);
const char *nft_dtype_name(enum nft_dtype dt);

/* nft_settimeout.c */
struct nft_print_opts;
bool nft_parse_time(const char *s, uint64_t *ms);
void nft_print_time(GString *s, uint64_t ms, bool numeric);
bool nft_setelem_expired(const struct nft_setelem *e, int64_t now);
bool nft_parse_elem_options(struct nft_parse *p, struct nft_setelem *e);
bool nft_setelem_check(struct nft_parse *p, const struct nft_set *s, const struct nft_setelem *e);
void nft_setelem_update(const struct nft_set *s, struct nft_setelem *old,
			const struct nft_setelem *e);
void nft_sets_arm(struct nft_ruleset *rs, int64_t now);
void nft_sets_gc(struct nft_ruleset *rs, int64_t now);
void nft_set_gc(struct nft_set *s, int64_t now);
void nft_print_elem_timeout(GString *out, const struct nft_set *s, const struct nft_setelem *e,
			    bool stateless, bool numeric, int64_t now);
void nft_dynset_timeout(const struct nft_set *s, struct nft_setelem *se, uint64_t timeout_ms,
			bool refresh, int64_t now);
void nft_print_set_elems_at(GString *out, const struct nft_set *s, const struct nft_print_opts *o);

/* nft_print.c */
struct nft_print_opts { bool handles, numeric, stateless; int64_t now; };
void nft_print_table(GString *s, const struct nft_table *t, const struct nft_print_opts *o);
void nft_print_chain(GString *s, const struct nft_table *t, const struct nft_chain *c,
		     const struct nft_print_opts *o, bool alone);
void nft_print_set(GString *s, const struct nft_set *set, const struct nft_print_opts *o);
void nft_print_rule(GString *s, const struct nft_rule *r, const struct nft_print_opts *o);
const char *nft_family_name(enum nft_family f);
const char *nft_hook_name(int hook);
/* a base chain's priority as nft prints it (by name near a standard one) */
void nft_print_prio(GString *s, int hook, int prio, bool numeric);

/* nft_obj.c: ct helper objects (nft_obj_find: a ct helper by name) */
struct nft_obj *nft_obj_find(const struct nft_table *t, const char *name);
void nft_obj_free(struct nft_obj *o);
struct nft_obj *nft_obj_clone(const struct nft_obj *o);
/* `ct helper NAME { ... }` in a table block or `add|create ct helper
 * [FAMILY] TABLE NAME { ... }` (the parser at NAME); the new object is
 * added to t and *made set (handles are given by the caller), or the
 * error is reported. */
bool nft_parse_ct_helper(struct nft_parse *p, struct nft_ruleset *rs, struct nft_table *t,
			 bool create, struct nft_obj **made);
void nft_print_obj(GString *s, const struct nft_obj *o, const struct nft_print_opts *opts);
/* Does a rule of t refer to the object (`ct helper set "NAME"`)? */
bool nft_obj_in_use(const struct nft_table *t, const char *name);

/* nft_log.c: the log statement (the parser after `log`, kw) */
bool nft_log_parse(struct nft_parse *p, const struct nft_token *kw, struct nft_expr *e);
void nft_log_print(GString *s, const struct nft_expr *e);
struct nf_ns;
void nft_log_eval(const struct nft_expr *e, struct nf_ns *ns, const struct nf_skb *skb,
		  const char *in, const char *out, nf_time now);

/* nft_stateful.c: limit, quota and counter statements and objects */
bool nft_parse_limit(struct nft_parse *p, struct nft_limit *l);
bool nft_parse_quota(struct nft_parse *p, const struct nft_token *first, struct nft_quota *q);
void nft_print_limit(GString *s, const struct nft_limit *l);
void nft_print_quota(GString *s, const struct nft_quota *q, bool stateless);
bool nft_limit_eval(struct nft_limit *l, uint32_t len, int64_t now);
bool nft_quota_eval(struct nft_quota *q, uint32_t len);
const char *nft_obj_type_name(enum nft_obj_type type);
enum nft_obj_type nft_obj_type_of(const struct nft_token *t);
struct nft_obj *nft_obj_find_type(const struct nft_table *t, enum nft_obj_type type, const char *name);
bool nft_obj_type_in_use(const struct nft_table *t, enum nft_obj_type type, const char *name);
/* `counter|quota|limit NAME [{ ... }]` (the parser at NAME), as
 * nft_parse_ct_helper. */
bool nft_parse_stateful_obj(struct nft_parse *p, struct nft_table *t, enum nft_obj_type type,
			    bool create, struct nft_obj **made);
void nft_print_stateful_obj(GString *s, const struct nft_obj *o, const struct nft_print_opts *opts);
bool nft_objref_eval(struct nft_table *t, enum nft_obj_type type, const char *name, uint32_t len,
		     int64_t now);
/* nft_setelem_expr.c: the counters, limits and quotas of set elements,
 * `add|update @set { KEY STMT }` and meters */
bool nft_stateful_start(struct nft_parse *p, bool elem);
bool nft_parse_stateful_list(struct nft_parse *p, struct nft_stateful_list *l, bool elem);
void nft_print_stateful_list(GString *s, const struct nft_stateful_list *l, bool stateless,
			     bool first_space);
struct nf_skb;
bool nft_stateful_list_eval(struct nft_stateful_list *l, uint32_t len, int64_t now,
			    struct nf_ns *ns, const struct nf_skb *skb);
/* An element's copy of its statements' state (ct count's lists), and
 * their free (nft_set.c). */
void nft_stateful_list_copy_state(struct nft_stateful_list *l);
void nft_stateful_list_free_state(struct nft_stateful_list *l);
bool nft_setelem_stmts_check(struct nft_parse *p, const struct nft_set *s, struct nft_setelem *e);
/* The kernel's refusal (its errno text) of a dynset's statements, or NULL. */
const char *nft_dynset_stmts_refused(const struct nft_set *s, const struct nft_expr *e,
				     bool set_is_new);
bool nft_parse_meter(struct nft_parse *p, struct nft_expr *e);
void nft_print_meter(GString *s, const struct nft_expr *e, const struct nft_print_opts *o);
/* A meter's set goes with the rule it is bound to (deleted, flushed). */
void nft_meters_gc(struct nft_ruleset *rs);
/* nft_expr.c: KEY [. KEY]... of a dynset or meter; nft_print.c: printed */
bool nft_parse_dynset_keys(struct nft_parse *p, struct nft_expr *e);
void nft_print_dynset_keys(GString *s, const struct nft_expr *e);

/* nft_flowtable.c: flowtables (the model and its listing) */
struct nft_flowtable *nft_flowtable_new(const char *name);
void nft_flowtable_free(struct nft_flowtable *ft);
struct nft_flowtable *nft_flowtable_clone(const struct nft_flowtable *ft);
struct nft_flowtable *nft_flowtable_find(const struct nft_table *t, const char *name);
bool nft_flowtable_in_use(const struct nft_table *t, const char *name);
/* `{ ... }` of `flowtable NAME { ... }` (the parser at `{`), into ft. */
bool nft_parse_flowtable_block(struct nft_parse *p, struct nft_flowtable *ft,
			       const struct nft_token *name, const char **kerr);
void nft_print_flowtable(GString *s, const struct nft_flowtable *ft, const struct nft_print_opts *o);
/* `flow add|offload @NAME` of a rule (the parser at `flow`). */
bool nft_parse_flow_offload(struct nft_parse *p, struct nft_rule *r);
/* nft_flow_offload.c: the software fast path */
struct nf_skb;
struct nf_hook_state;
bool nft_flow_offload_add(const struct nft_table *t, const char *ft_name, struct nf_skb *skb,
			  const struct nf_hook_state *st, const uint8_t *l4, uint32_t l4len);


/* nft_position.c: `handle|position|index N` of rule commands, `handle H`
 * of delete chain and table */
void nft_error_expecting(struct nft_parse *p, const struct nft_token *t, const char *expecting);
bool nft_parse_handle_num(struct nft_parse *p, uint64_t *v, const struct nft_token **at);
int nft_rule_index_of(const struct nft_chain *c, uint64_t h);
bool nft_batch_rule_cache(const struct nft_parse *p);
bool nft_parse_rule_position(struct nft_parse *p, const struct nft_chain *c,
			     const struct nft_chain *before, bool cache, int *ref, bool *enoent);

/* nft_parse.c: a whole input (file or command line) applied to rs as one
 * transaction; 0 or 1. */
int nft_run_text(struct nft_ruleset **rs, const char *file, const char *text,
		 const struct nft_files *files, bool check_only, const struct nft_print_opts *opts,
		 GString *out, GString *err);

#endif
