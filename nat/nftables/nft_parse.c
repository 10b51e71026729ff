/* nft_parse.c - nft's commands and blocks: `table ... { chain ... { } }`,
 * add/create/insert/delete/flush/list/rename, as one transaction.
 *
 * Design: the input is parsed and applied command by command to a copy of
 * the ruleset (nft_ruleset_clone); errors are collected (nft goes on after
 * a syntax error to report the next one) and any error discards the copy.
 * As nft does, a batch creates its chains before its rules, so a rule may
 * jump to a chain declared further down: jump targets are checked once the
 * whole batch is applied. The ct helper object is nft_obj.c's, counters,
 * quotas and limits nft_stateful.c's, ct timeouts and expectations
 * nft_cttimeout.c's, flowtables nft_flowtable.c's; `include` is done by
 * the scanner (nft_lex.c, nft_include.c). Rule handles, positions and indexes
 * (add/insert/replace/delete rule, delete chain|table by handle) are
 * resolved by nft_position.c on the batch's copy.
 */
#include <stdlib.h>
#include <string.h>

#include "nat/nftables/nft_cttimeout.h"
#include "nat/nftables/nft_datamap.h"
#include "nat/nftables/nft_int.h"
#include "nat/nftables/nft_keyword.h"
#include "nat/nftables/nft_prio.h"
#include "nat/nftables/nft_list_xt.h"

struct batch {
	struct nft_parse *p;
	struct nft_ruleset *rs;
	GString *out;
	struct nft_print_opts opts;
	GPtrArray *pending;	/* table, rule, table, rule...: handles still to give */
	GPtrArray *pending_objs; /* table, obj, ...: given after the chains, before the sets */
	GPtrArray *pending_sets; /* table, set, ...: given before the rules */
	GPtrArray *pending_fts;	/* table, flowtable, ...: after the sets */
	GPtrArray *pending_checks; /* chain, rule, ...: the command's new rules */
	GArray *kernel_errs;	/* struct nft_loc: rules the kernel will refuse */
	GPtrArray *invalid_tables; /* tables that failed the kernel's validation */
	bool resume;		/* the failed command ended cleanly: go on */
	bool sent_ok;		/* nft's own checks passed: the kernel saw the batch */
	bool listing;		/* a `list` command: its words are keywords too */
	const struct nft_ruleset *orig;	/* the ruleset before the batch */
	bool rule_cache;	/* nft evaluates with its rule cache (nft_position.c) */
	bool keep_going;	/* a rule handle was not found: nft evaluates the
				 * next commands too, until a syntax error */
};

/* Chain c of table t as it was before the batch, or NULL. */
static const struct nft_chain *chain_before(const struct batch *b, const struct nft_table *t,
					    const struct nft_chain *c)
{
	struct nft_table *o = nft_table_find((struct nft_ruleset *)b->orig, t->family, t->name);
	return o && o->handle == t->handle ? nft_chain_find(o, c->name) : NULL;
}

static bool flowtable_decl(struct batch *b, struct nft_table *t, bool create,
			   const struct nft_token *start);

static bool sep(const struct nft_token *t)
{
	return t->type == NFT_T_NL || t->type == NFT_T_SEMI;
}

static void skip_seps(struct nft_parse *p)
{
	while (sep(nft_peek(p, 0)))
		nft_next(p);
}

/* Skip to the end of the current command, past balanced braces. */
static void recover(struct nft_parse *p)
{
	int depth = 0;
	for (;;) {
		const struct nft_token *t = nft_peek(p, 0);
		if (t->type == NFT_T_EOF)
			return;
		if (t->type == NFT_T_LBRACE)
			depth++;
		if (t->type == NFT_T_RBRACE) {
			if (depth == 0)
				return;
			depth--;
		}
		if (depth == 0 && sep(t))
			return;
		nft_next(p);
	}
}

/* bison's recovery from a syntax error nft_ident reports: the rest of the
 * line is skipped, and parsing goes on there, in the block it is in (the
 * braces skipped are not counted: a chain's `}` then closes the table),
 * and later errors are reported too. */
static void resync(struct batch *b)
{
	nft_skip_line(b->p);
	b->p->resync = false;
	b->resume = true;
}

static bool unimpl(struct nft_parse *p, const struct nft_token *t, const char *what)
{
	nft_error(p, t, NULL, "natsim: nft %s is not implemented", what);
	return false;
}

/* A name (parser_bison.y's identifier): no keyword, no quoted string;
 * expecting is what bison lists after a bad one. */
static bool name_tok(struct batch *b, const struct nft_token **out, const char *expecting)
{
	return nft_ident(b->p, out, expecting, b->listing);
}

/* [family] name: the family is optional and ip by default. */
static bool family_name(struct batch *b, enum nft_family *f, const struct nft_token **name,
			const char *expecting)
{
	struct nft_parse *p = b->p;
	const struct nft_token *t = nft_peek(p, 0);
	*f = NFT_FAMILY_IP;
	if (nft_is_word(t, "ip") || nft_is_word(t, "inet")) {
		*f = nft_is_word(t, "ip") ? NFT_FAMILY_IP : NFT_FAMILY_INET;
		nft_next(p);
	} else if (nft_is_word(t, "ip6") || nft_is_word(t, "arp") || nft_is_word(t, "bridge") ||
		   nft_is_word(t, "netdev")) {
		char *m = g_strdup_printf("family %s", t->text);
		unimpl(p, t, m);
		g_free(m);
		return false;
	}
	return name_tok(b, name, expecting);
}

static struct nft_table *table_of(struct batch *b, enum nft_family f, const struct nft_token *name)
{
	struct nft_table *t = nft_table_find(b->rs, f, name->text);
	if (!t)
		nft_error(b->p, name, NULL, "Could not process rule: No such file or directory");
	return t;
}

/* `[FAMILY] TABLE` of a command, and the table it names (nft's error when
 * there is none). */
static struct nft_table *table_arg(struct batch *b)
{
	enum nft_family f;
	const struct nft_token *tn;

	if (!family_name(b, &f, &tn, "string"))
		return NULL;
	return table_of(b, f, tn);
}

static bool hook_of(const char *s, int *hook)
{
	static const char *const hooks[] = { "prerouting", "input", "forward", "output", "postrouting" };
	for (int i = 0; i < 5; i++)
		if (!strcmp(s, hooks[i])) {
			*hook = i;
			return true;
		}
	return false;
}

/* `type T hook H priority P ;` and `policy P ;` inside a chain block. */
static bool chain_spec(struct batch *b, struct nft_chain *c)
{
	struct nft_parse *p = b->p;
	const struct nft_token *t = nft_next(p);
	if (nft_is_word(t, "policy")) {
		const struct nft_token *v = nft_next(p);
		if (!nft_is_word(v, "accept") && !nft_is_word(v, "drop")) {
			nft_error_unexpected(p, v);
			return false;
		}
		c->policy_drop = nft_is_word(v, "drop");
		return true;
	}
	const struct nft_token *ty = nft_next(p);
	if (!nft_is_word(ty, "filter") && !nft_is_word(ty, "nat") && !nft_is_word(ty, "route")) {
		nft_error(p, ty, NULL, "unknown chain type");
		return false;
	}
	c->type = nft_is_word(ty, "filter") ? "filter" : nft_is_word(ty, "nat") ? "nat" : "route";
	if (!nft_is_word(nft_next(p), "hook")) {
		nft_error_unexpected(p, nft_peek(p, 0));
		return false;
	}
	const struct nft_token *h = nft_next(p);
	if (!hook_of(h->text, &c->hook)) {
		if (nft_is_word(h, "ingress") || nft_is_word(h, "egress"))
			return unimpl(p, h, "ingress and egress hooks");
		nft_error(p, h, NULL, "unknown chain hook");
		return false;
	}
	if (nft_is_word(nft_peek(p, 0), "device"))
		return unimpl(p, nft_peek(p, 0), "chain devices");
	const struct nft_token *kw = nft_next(p);
	if (!nft_is_word(kw, "priority")) {
		nft_error_unexpected(p, kw);
		return false;
	}
	if (!nft_parse_prio(p, kw, c->hook, &c->prio))
		return false;
	if (!strcmp(c->type, "nat") && c->hook == 2) {
		nft_error(p, ty, NULL, "Could not process rule: Operation not supported");
		return false;
	}
	c->base = true;
	return true;
}

/* start: the command's first word for `add rule ...` (the kernel's errors
 * about the rule mark the whole command), NULL inside a chain block. */
/* ref: the index in c->rules of the rule it goes after (add) or before
 * (insert), -1 for none (nft_position.c). */
static bool add_rule(struct batch *b, struct nft_table *t, struct nft_chain *c, bool insert,
		     const struct nft_token *start, int ref)
{
	struct nft_rule *r = nft_parse_rule(b->p);
	if (!r)
		return false;
	r->inserted = insert;
	if (start && start->line == r->loc.line && start->col < r->loc.col) {
		/* the command's location ends past its last word (bison's
		 * location of the whole command takes the terminator in) */
		r->loc.len += r->loc.col - start->col + 1;
		r->loc.col = start->col;
	}
	g_ptr_array_add(b->pending, t);
	g_ptr_array_add(b->pending, r);
	g_ptr_array_add(b->pending_checks, t);
	g_ptr_array_add(b->pending_checks, c);
	g_ptr_array_add(b->pending_checks, r);
	if (ref >= 0)
		g_ptr_array_insert(c->rules, insert ? ref : ref + 1, r);
	else if (insert)
		g_ptr_array_insert(c->rules, 0, r);
	else
		g_ptr_array_add(c->rules, r);
	return true;
}

/* `comment "TEXT"` of a table, chain (the parser at `comment`) */
static bool comment_tok(struct nft_parse *p, char **into)
{
	nft_next(p);
	const struct nft_token *v = nft_next(p);
	if (v->type != NFT_T_STRING && v->type != NFT_T_WORD) {
		nft_error_unexpected(p, v);
		return false;
	}
	g_free(*into);
	*into = g_strdup(v->text);
	return true;
}

/* chain { spec; rules } */
static bool chain_block(struct batch *b, struct nft_table *t, struct nft_chain *c)
{
	struct nft_parse *p = b->p;
	nft_next(p);	/* { */
	bool ok = true;
	for (;;) {
		skip_seps(p);
		const struct nft_token *t0 = nft_peek(p, 0);
		if (t0->type == NFT_T_RBRACE) {
			nft_next(p);
			return ok;
		}
		if (t0->type == NFT_T_EOF) {
			nft_error_unexpected(p, t0);
			return false;
		}
		bool r = nft_is_word(t0, "type") || nft_is_word(t0, "policy") ? chain_spec(b, c) :
			 nft_is_word(t0, "comment") ? comment_tok(p, &c->comment) :
			 add_rule(b, t, c, false, NULL, -1);
		if (!r && p->resync) {
			ok = false;
			resync(b);
		} else if (!r) {
			ok = false;
			recover(p);
		} else if (nft_peek(p, 0)->type == NFT_T_RBRACE) {
			/* chain_block: each line ends with a stmt_separator, the
			 * last one too (`counter }` is nft's syntax error) */
			nft_error_expecting(p, nft_peek(p, 0), "newline or semicolon");
			ok = false;
			nft_next(p);	/* bison's recovery takes the `}` */
		} else if (!sep(nft_peek(p, 0))) {
			nft_error_unexpected(p, nft_peek(p, 0));
			ok = false;
			recover(p);
		}
	}
}

/* A jump or goto to the chain, or an anonymous verdict map naming it. */
static bool expr_refers_to_chain(const struct nft_expr *e, const void *name)
{
	if (e->chain && !strcmp(e->chain, name))
		return true;
	for (unsigned y = 0; e->anon && y < e->anon->elems->len; y++) {
		struct nft_setelem *se = e->anon->elems->pdata[y];
		if (se->chain && !strcmp(se->chain, name))
			return true;
	}
	return false;
}

/* An object parsed (o NULL: none) waits for the batch's end, where it
 * takes its handle after the chains, before the sets (nft's order). */
static void pend_obj(struct batch *b, struct nft_table *t, struct nft_obj *o)
{
	if (!o)
		return;
	g_ptr_array_add(b->pending_objs, t);
	g_ptr_array_add(b->pending_objs, o);
}

/* A chain a jump, goto or verdict map refers to cannot be deleted (the
 * kernel's chain use count); its own rules go with it. */
static bool chain_in_use(struct nft_table *t, const char *name)
{
	if (nft_table_any_expr(t, expr_refers_to_chain, name))
		return true;
	for (unsigned j = 0; j < t->sets->len; j++) {
		struct nft_set *s = t->sets->pdata[j];
		for (unsigned y = 0; y < s->elems->len; y++) {
			struct nft_setelem *se = s->elems->pdata[y];
			if (se->chain && !strcmp(se->chain, name))
				return true;
		}
	}
	return false;
}

static struct nft_chain *chain_get(struct nft_table *t, const char *name, bool *created)
{
	struct nft_chain *c = nft_chain_find(t, name);
	*created = !c;
	return c ? c : nft_chain_new(t, name);
}

/* table { chain ... { } ... } */
static bool table_block(struct batch *b, struct nft_table *t)
{
	struct nft_parse *p = b->p;
	nft_next(p);	/* { */
	p->family = t->family;
	p->table = t;
	bool ok = true;
	for (;;) {
		skip_seps(p);
		const struct nft_token *t0 = nft_peek(p, 0);
		if (t0->type == NFT_T_RBRACE) {
			nft_next(p);
			return ok;
		}
		if (t0->type == NFT_T_EOF) {
			nft_error_unexpected(p, t0);
			return false;
		}
		bool r;
		if (nft_is_word(t0, "chain")) {
			nft_next(p);
			const struct nft_token *n;
			r = name_tok(b, &n, "string");
			if (r) {
				bool created;
				struct nft_chain *c = chain_get(t, n->text, &created);
				if (nft_peek(p, 0)->type == NFT_T_LBRACE)
					r = chain_block(b, t, c);
			}
		} else if (nft_is_word(t0, "set") || nft_is_word(t0, "map")) {
			nft_next(p);
			const struct nft_token *n;
			r = name_tok(b, &n, "string");
			if (r && nft_set_find(t, n->text)) {
				nft_error(p, n, NULL, "natsim: nft redefinition of a set is not implemented");
				r = false;
			} else if (r && nft_peek(p, 0)->type != NFT_T_LBRACE) {
				nft_error_unexpected(p, nft_peek(p, 0));
				r = false;
			} else if (r) {
				struct nft_set *s = nft_set_new(n->text, nft_is_word(t0, "map"));
				g_ptr_array_add(t->sets, s);
				g_ptr_array_add(b->pending_sets, t);
				g_ptr_array_add(b->pending_sets, s);
				r = nft_parse_set_block(p, s);
			}
		} else if (nft_is_word(t0, "ct") && nft_is_word(nft_peek(p, 1), "helper")) {
			nft_next(p);
			nft_next(p);
			struct nft_obj *o;
			r = nft_parse_ct_helper(p, b->rs, t, false, &o);
			pend_obj(b, t, o);
		} else if (nft_is_word(t0, "counter") || nft_is_word(t0, "quota") ||
			   nft_is_word(t0, "limit")) {
			nft_next(p);
			struct nft_obj *o;
			r = nft_parse_stateful_obj(p, t, nft_obj_type_of(t0), false, &o);
			pend_obj(b, t, o);
		} else if (nft_is_word(t0, "ct") && (nft_is_word(nft_peek(p, 1), "timeout") ||
						     nft_is_word(nft_peek(p, 1), "expectation"))) {
			/* nft_cttimeout.c */
			enum nft_obj_type ty = nft_is_word(nft_peek(p, 1), "timeout") ?
					       NFT_OBJ_CT_TIMEOUT : NFT_OBJ_CT_EXPECT;
			nft_next(p);
			nft_next(p);
			struct nft_obj *o;
			r = nft_parse_ct_obj(p, t, ty, false, &o);
			pend_obj(b, t, o);
		} else if (nft_is_word(t0, "ct")) {
			r = unimpl(p, t0, "named stateful objects");
		} else if (nft_is_word(t0, "flowtable")) {
			nft_next(p);
			r = flowtable_decl(b, t, false, NULL);
		} else if (nft_is_word(t0, "comment")) {
			r = comment_tok(p, &t->comment);
		} else if (nft_is_word(t0, "flags")) {
			r = unimpl(p, t0, "table flags");
		} else {
			nft_error_unexpected(p, t0);
			r = false;
		}
		if (!r && p->resync) {
			ok = false;
			resync(b);
		} else if (!r) {
			ok = false;
			recover(p);
			if (nft_peek(p, 0)->type == NFT_T_RBRACE && nft_peek(p, 1)->type != NFT_T_EOF &&
			    !sep(nft_peek(p, 1)))
				nft_next(p);
		} else if (!sep(nft_peek(p, 0))) {
			/* table_block: a chain's, set's, object's or flowtable's
			 * block, or a comment, ends with a stmt_separator before the
			 * next one or the table's `}` */
			nft_error_expecting(p, nft_peek(p, 0), "newline or semicolon");
			ok = false;
			/* bison's recovery takes the `}`, or the rest of the line */
			if (nft_peek(p, 0)->type == NFT_T_RBRACE)
				nft_next(p);
			else
				nft_skip_line(p);
		}
	}
}

/* `NAME { ... }` of a flowtable in table t (the parser at NAME): a new
 * one (nf_tables_newflowtable), or, for `add`, more devices for one that
 * exists with the same priority (nft_flowtable_update: another priority
 * is EOPNOTSUPP; the flags sent, counter or not, replace the old ones);
 * `create` of one that exists is EEXIST (on the name).
 * start: the command's first word (`add flowtable ...`), NULL in a table
 * block: the kernel's refusals of the hook or devices mark the whole
 * command, or the name in a block (nft's cmd->location). */
static bool flowtable_decl(struct batch *b, struct nft_table *t, bool create,
			   const struct nft_token *start)
{
	struct nft_parse *p = b->p;
	const struct nft_token *n;
	const char *kerr;
	if (!name_tok(b, &n, "string"))
		return false;
	struct nft_flowtable *ft = nft_flowtable_new(n->text);
	if (!nft_parse_flowtable_block(p, ft, n, &kerr)) {
		nft_flowtable_free(ft);
		return false;
	}
	struct nft_flowtable *old = nft_flowtable_find(t, n->text);
	if (old && create) {
		nft_error(p, n, NULL, "Could not process rule: File exists");
		nft_flowtable_free(ft);
		return false;
	}
	if (!kerr && old && old->prio != ft->prio)
		kerr = "Operation not supported";
	if (kerr) {
		const struct nft_token *last = &g_array_index(p->toks, struct nft_token, p->pos - 1);
		struct nft_loc at = { n->line, n->col, n->len };
		if (start && last->line == start->line)
			at = (struct nft_loc){ start->line, start->col,
					       last->col + last->len - start->col + 1 };
		nft_error_loc(p, at, "Could not process rule: %s", kerr);
		nft_flowtable_free(ft);
		return false;
	}
	if (!old) {
		g_ptr_array_add(t->flowtables, ft);
		g_ptr_array_add(b->pending_fts, t);
		g_ptr_array_add(b->pending_fts, ft);
		return true;
	}
	old->counter = ft->counter;
	for (unsigned i = 0; i < ft->devs->len; i++) {
		bool have = false;
		for (unsigned j = 0; j < old->devs->len; j++)
			have |= !strcmp(old->devs->pdata[j], ft->devs->pdata[i]);
		if (!have)
			g_ptr_array_add(old->devs, g_strdup(ft->devs->pdata[i]));
	}
	nft_flowtable_free(ft);
	return true;
}

/* add|create|delete|list flowtable [FAMILY] TABLE NAME [{ ... }] and
 * list flowtables [FAMILY] (the parser after `flowtable(s)`). */
static bool flowtable_cmd(struct batch *b, const struct nft_token *start, const char *v, bool add,
			  bool plural)
{
	struct nft_parse *p = b->p;
	if (plural) {
		/* do_list_flowtables: every table of the family, flowtables
		 * or not */
		enum nft_family f = NFT_FAMILY_IP;
		bool any = true;
		if (strcmp(v, "list") != 0) {
			nft_error_unexpected(p, &g_array_index(p->toks, struct nft_token, p->pos - 1));
			return false;
		}
		if (nft_is_word(nft_peek(p, 0), "ip") || nft_is_word(nft_peek(p, 0), "inet")) {
			f = nft_is_word(nft_next(p), "ip") ? NFT_FAMILY_IP : NFT_FAMILY_INET;
			any = false;
		}
		for (unsigned i = 0; i < b->rs->tables->len; i++) {
			struct nft_table *t = b->rs->tables->pdata[i];
			if (!any && t->family != f)
				continue;
			g_string_append_printf(b->out, "table %s %s {\n", nft_family_name(t->family),
					       t->name);
			for (unsigned j = 0; j < t->flowtables->len; j++)
				nft_print_flowtable(b->out, t->flowtables->pdata[j], &b->opts);
			g_string_append(b->out, "}\n");
		}
		return true;
	}
	if (!add && strcmp(v, "delete") != 0 && strcmp(v, "list") != 0) {
		/* parser_bison.y has no flowtable in flush, insert, rename and
		 * replace: bison's error at the word (what it expected there) */
		const char *want = !strcmp(v, "insert") || !strcmp(v, "replace") ? ", expecting rule" :
				   !strcmp(v, "rename") ? ", expecting chain" : "";
		nft_error(p, &g_array_index(p->toks, struct nft_token, p->pos - 1), NULL,
			  "syntax error, unexpected flowtable%s", want);
		return false;
	}
	struct nft_table *t = table_arg(b);
	if (!t)
		return false;
	if (add)
		return flowtable_decl(b, t, !strcmp(v, "create"), start);
	if (nft_is_word(nft_peek(p, 0), "handle"))
		return unimpl(p, nft_peek(p, 0), "flowtable handles");
	const struct nft_token *n;
	if (!name_tok(b, &n, "string"))
		return false;
	struct nft_flowtable *ft = nft_flowtable_find(t, n->text);
	if (!ft) {
		nft_error(p, n, NULL, "%sNo such file or directory",
			  !strcmp(v, "delete") ? "Could not process rule: " : "");
		return false;
	}
	if (nft_peek(p, 0)->type == NFT_T_LBRACE && !strcmp(v, "delete"))
		return unimpl(p, nft_peek(p, 0), "delete flowtable devices");
	if (!strcmp(v, "list")) {
		g_string_append_printf(b->out, "table %s %s {\n", nft_family_name(t->family), t->name);
		nft_print_flowtable(b->out, ft, &b->opts);
		g_string_append(b->out, "}\n");
		return true;
	}
	if (nft_flowtable_in_use(t, ft->name)) {
		nft_error(p, n, NULL, "Could not process rule: Device or resource busy");
		return false;
	}
	g_ptr_array_remove(t->flowtables, ft);
	return true;
}

static void print_list(struct batch *b, const char *what, struct nft_table *t, struct nft_chain *c)
{
	if (!strcmp(what, "ruleset") || !strcmp(what, "tables")) {
		/* with iptables-nft's tables (nft_list_xt.c) */
		nft_xt_list_ruleset(b->out, b->p->err, b->rs, &b->opts, !strcmp(what, "tables"));
	} else if (!strcmp(what, "table")) {
		nft_print_table(b->out, t, &b->opts);
	} else if (!strcmp(what, "chain")) {
		g_string_append_printf(b->out, "table %s %s {\n", nft_family_name(t->family), t->name);
		nft_print_chain(b->out, t, c, &b->opts, true);
		g_string_append(b->out, "}\n");
	}
}

/* list set|map|meter [FAMILY] TABLE NAME (a meter's set is listed by
 * `list meter` only) */
static bool list_set(struct batch *b, bool meter)
{
	const struct nft_token *sn;
	struct nft_table *t = table_arg(b);
	if (!t || !name_tok(b, &sn, "string"))
		return false;
	struct nft_set *s = nft_set_find(t, sn->text);
	if (!s || s->meter != meter) {
		nft_error(b->p, sn, NULL, "No such file or directory");
		return false;
	}
	g_string_append_printf(b->out, "table %s %s {\n", nft_family_name(t->family), t->name);
	nft_print_set(b->out, s, &b->opts);
	g_string_append(b->out, "}\n");
	return true;
}

/* list meters: every table (an empty block for one without meters, as
 * nft 1.0.6 prints it), its meters without blank lines between; 1.0.6's
 * grammar has no `table NAME` after it. */
static bool list_meters(struct batch *b)
{
	if (nft_is_word(nft_peek(b->p, 0), "table")) {
		nft_error(b->p, nft_peek(b->p, 0), NULL, "syntax error, unexpected table, "
			  "expecting end of file or newline or semicolon");
		return false;
	}
	for (unsigned i = 0; i < b->rs->tables->len; i++) {
		struct nft_table *t = b->rs->tables->pdata[i];
		g_string_append_printf(b->out, "table %s %s {\n", nft_family_name(t->family), t->name);
		for (unsigned j = 0; j < t->sets->len; j++) {
			struct nft_set *s = t->sets->pdata[j];
			if (s->meter)
				nft_print_set(b->out, s, &b->opts);
		}
		g_string_append(b->out, "}\n");
	}
	return true;
}

/* add|create|delete element [FAMILY] TABLE SET { ELEM, ... } */
static bool element_cmd(struct batch *b, const struct nft_token *verb)
{
	struct nft_parse *p = b->p;
	const struct nft_token *sn;
	struct nft_table *t = table_arg(b);
	if (!t || !name_tok(b, &sn, "string"))
		return false;
	struct nft_set *s = nft_set_find(t, sn->text);
	if (!s) {
		nft_error(p, sn, NULL, "Could not process rule: No such file or directory");
		return false;
	}
	if (nft_peek(p, 0)->type != NFT_T_LBRACE) {
		nft_error_unexpected(p, nft_peek(p, 0));
		return false;
	}
	struct nft_set *tmp = nft_set_new(s->name, s->map);
	g_array_append_vals(tmp->key_types, s->key_types->data, s->key_types->len);
	g_array_append_vals(tmp->data_types, s->data_types->data, s->data_types->len);
	tmp->data_verdict = s->data_verdict;
	tmp->flags = s->flags;
	tmp->timeout_ms = s->timeout_ms;
	tmp->stmts = s->stmts;
	bool ok = nft_parse_elements(p, tmp);
	for (unsigned i = 0; ok && i < tmp->elems->len; i++)
		ok = nft_setelem_stmts_check(p, tmp, tmp->elems->pdata[i]) &&
		     nft_setelem_check(p, tmp, tmp->elems->pdata[i]);
	bool del = nft_is_word(verb, "delete"), create = nft_is_word(verb, "create");
	while (ok && tmp->elems->len) {
		struct nft_setelem *e = g_ptr_array_steal_index(tmp->elems, 0);
		unsigned i;
		for (i = 0; i < s->elems->len && !nft_setelem_same(s->elems->pdata[i], e); i++)
			;
		if (del && i < s->elems->len) {
			g_ptr_array_remove_index(s->elems, i);
		} else if (del || (create && i < s->elems->len)) {
			nft_error_loc(p, e->loc, "Could not process rule: %s",
				      del ? "No such file or directory" : "File exists");
			ok = false;
		} else if (i == s->elems->len) {
			g_ptr_array_add(s->elems, e);
			e = NULL;
		} else {
			nft_setelem_update(s, s->elems->pdata[i], e);
		}
		nft_setelem_free(e);
	}
	nft_set_free(tmp);
	nft_set_sort(s);
	return ok;
}

static bool same_types(const GArray *a, const GArray *b)
{
	if (a->len != b->len)
		return false;
	for (unsigned i = 0; i < a->len; i++)
		if (g_array_index(a, enum nft_dtype, i) != g_array_index(b, enum nft_dtype, i))
			return false;
	return true;
}

/* `add set` of a set that exists (a generator re-sending its whole
 * ruleset, as kube-proxy does on each sync): the same declaration is no
 * change but its elements, which are added; `create` is refused as the
 * kernel refuses it (NLM_F_EXCL). */
static bool re_add_set(struct batch *b, struct nft_set *old, const struct nft_token *obj,
		       bool create)
{
	struct nft_parse *p = b->p;
	struct nft_set *s = nft_set_new(old->name, nft_is_word(obj, "map"));
	const struct nft_token *name = &g_array_index(p->toks, struct nft_token, p->pos - 1);
	bool ok = nft_parse_set_block(p, s);
	if (ok && create) {
		nft_error(p, name, NULL, "Could not process rule: File exists");
		ok = false;
	}
	bool same = s->map == old->map && s->data_verdict == old->data_verdict &&
		    same_types(s->key_types, old->key_types) &&
		    same_types(s->data_types, old->data_types) &&
		    s->flags == old->flags && s->timeout_ms == old->timeout_ms;
	if (ok && !same) {
		nft_error(p, name, NULL, "natsim: nft redefinition of a set is not implemented");
		ok = false;
	}
	while (ok && s->elems->len) {
		struct nft_setelem *e = g_ptr_array_steal_index(s->elems, 0);
		unsigned i;
		for (i = 0; i < old->elems->len && !nft_setelem_same(old->elems->pdata[i], e); i++)
			;
		if (i == old->elems->len) {
			g_ptr_array_add(old->elems, e);
			e = NULL;
		}
		nft_setelem_free(e);
	}
	if (ok)
		nft_set_sort(old);
	nft_set_free(s);
	return ok;
}

/* `add|create set|map [FAMILY] TABLE NAME { ... }`: as a set block of
 * the table (the parser after `set`/`map`). */
static bool add_set_cmd(struct batch *b, const struct nft_token *obj, bool verb_create)
{
	struct nft_parse *p = b->p;
	const struct nft_token *n;
	struct nft_table *t = table_arg(b);
	if (!t || !name_tok(b, &n, "string"))
		return false;
	p->family = t->family;
	p->table = t;
	if (nft_peek(p, 0)->type != NFT_T_LBRACE) {
		nft_error_unexpected(p, nft_peek(p, 0));
		return false;
	}
	struct nft_set *old = nft_set_find(t, n->text);
	if (old)
		return re_add_set(b, old, obj, verb_create);
	struct nft_set *s = nft_set_new(n->text, nft_is_word(obj, "map"));
	g_ptr_array_add(t->sets, s);
	g_ptr_array_add(b->pending_sets, t);
	g_ptr_array_add(b->pending_sets, s);
	return nft_parse_set_block(p, s);
}

/* add|create|delete|list ct helper [FAMILY] TABLE NAME [{ ... }] and
 * list ct helpers table [FAMILY] TABLE (the parser after `ct`). */
static bool ct_helper_cmd(struct batch *b, const char *v, bool add)
{
	struct nft_parse *p = b->p;
	const struct nft_token *what = nft_next(p);
	const struct nft_token *n;
	if (nft_is_word(what, "helpers")) {
		if (strcmp(v, "list") != 0) {
			nft_error_unexpected(p, what);
			return false;
		}
		if (!nft_is_word(nft_peek(p, 0), "table")) {
			nft_error(p, nft_peek(p, 0), NULL, "syntax error, unexpected %s, expecting table",
				  nft_peek(p, 0)->type == NFT_T_NL || nft_peek(p, 0)->type == NFT_T_EOF ?
				  "newline" : "string");
			return false;
		}
		nft_next(p);
		struct nft_table *t = table_arg(b);
		if (!t)
			return false;
		g_string_append_printf(b->out, "table %s %s {\n", nft_family_name(t->family), t->name);
		for (unsigned i = 0; i < t->objs->len; i++)
			if (((struct nft_obj *)t->objs->pdata[i])->otype == NFT_OBJ_CT_HELPER)
				nft_print_obj(b->out, t->objs->pdata[i], &b->opts);
		g_string_append(b->out, "}\n");
		return true;
	}
	struct nft_table *t = table_arg(b);
	if (!t)
		return false;
	p->family = t->family;
	p->table = t;
	if (add) {
		struct nft_obj *o;
		bool ok = nft_parse_ct_helper(p, b->rs, t, !strcmp(v, "create"), &o);
		pend_obj(b, t, o);
		b->resume = !ok && (sep(nft_peek(p, 0)) || nft_peek(p, 0)->type == NFT_T_EOF);
		return ok;
	}
	if (strcmp(v, "delete") != 0 && strcmp(v, "list") != 0) {
		char *m = g_strdup_printf("%s ct helper", v);
		unimpl(p, what, m);
		g_free(m);
		return false;
	}
	if (nft_is_word(nft_peek(p, 0), "handle"))
		return unimpl(p, nft_peek(p, 0), "ct helper handles");
	if (!name_tok(b, &n, "string"))
		return false;
	struct nft_obj *o = nft_obj_find(t, n->text);
	if (!o) {
		nft_error(p, n, NULL, "%sNo such file or directory",
			  !strcmp(v, "delete") ? "Could not process rule: " : "");
		return false;
	}
	if (!strcmp(v, "list")) {
		g_string_append_printf(b->out, "table %s %s {\n", nft_family_name(t->family), t->name);
		nft_print_obj(b->out, o, &b->opts);
		g_string_append(b->out, "}\n");
		return true;
	}
	if (nft_obj_in_use(t, o->name)) {
		nft_error(p, n, NULL, "Could not process rule: Device or resource busy");
		return false;
	}
	g_ptr_array_remove(t->objs, o);
	return true;
}

static struct nft_table *listed_table(struct batch *b);

/* add|create|delete|list ct timeout|expectation [FAMILY] TABLE NAME
 * [{ ... }] (the parser at `timeout|expectation`; nft_cttimeout.c). nft
 * 1.0.6 has no `list ct timeouts|expectations` (its grammar wants the
 * singular) and crashes on `list ct timeout table T`. */
static bool ct_obj_cmd(struct batch *b, const char *v, bool add)
{
	struct nft_parse *p = b->p;
	const struct nft_token *what = nft_next(p), *n;
	enum nft_obj_type type = nft_is_word(what, "timeout") ? NFT_OBJ_CT_TIMEOUT : NFT_OBJ_CT_EXPECT;
	bool list = !strcmp(v, "list");

	if (!add && !list && strcmp(v, "delete")) {
		char *m = g_strdup_printf("%s ct %s", v, what->text);
		unimpl(p, what, m);
		g_free(m);
		return false;
	}
	if (list && nft_is_word(nft_peek(p, 0), "table")) {
		char *m = g_strdup_printf("list ct %s table", what->text);
		unimpl(p, nft_peek(p, 0), m);
		g_free(m);
		return false;
	}
	struct nft_table *t = list ? listed_table(b) : table_arg(b);
	if (!t)
		return false;
	p->family = t->family;
	p->table = t;
	if (add) {
		struct nft_obj *o;
		bool ok = nft_parse_ct_obj(p, t, type, !strcmp(v, "create"), &o);
		pend_obj(b, t, o);
		b->resume = !ok && (sep(nft_peek(p, 0)) || nft_peek(p, 0)->type == NFT_T_EOF);
		return ok;
	}
	if (!name_tok(b, &n, "string"))
		return false;
	struct nft_obj *o = nft_obj_find_type(t, type, n->text);
	if (!o) {
		nft_error(p, n, NULL, "%sNo such file or directory", list ? "" : "Could not process rule: ");
		return false;
	}
	if (list) {
		g_string_append_printf(b->out, "table %s %s {\n", nft_family_name(t->family), t->name);
		nft_print_obj(b->out, o, &b->opts);
		g_string_append(b->out, "}\n");
		return true;
	}
	if (nft_ct_obj_in_use(t, type, o->name)) {
		nft_error(p, n, NULL, "Could not process rule: Device or resource busy");
		return false;
	}
	g_ptr_array_remove(t->objs, o);
	return true;
}

/* Print (and for reset, then zero) one counter, quota or limit object. */
static void stateful_out(struct batch *b, struct nft_obj *o, bool reset)
{
	nft_print_obj(b->out, o, &b->opts);
	if (reset) {
		/* nft_counter_reset, nft_quota_do_dump's reset of consumed */
		o->packets = o->bytes = 0;
		o->quota.used = 0;
	}
}

/* `[FAMILY] TABLE` of a list or reset: a missing table is nft's own error
 * (its cache has none), not the kernel's. */
static struct nft_table *listed_table(struct batch *b)
{
	enum nft_family f;
	const struct nft_token *tn;
	struct nft_table *t;

	if (!family_name(b, &f, &tn, "string"))
		return NULL;
	if (!(t = nft_table_find(b->rs, f, tn->text)))
		nft_error(b->p, tn, NULL, "No such file or directory");
	return t;
}

/* add|create|delete|list|reset counter|quota|limit [FAMILY] TABLE NAME
 * [{ ... }], and list|reset counters|quotas|limits [table [FAMILY] NAME]
 * (each table that has objects, those of the type without blank lines
 * between). */
static bool stateful_cmd(struct batch *b, const char *v, bool add)
{
	struct nft_parse *p = b->p;
	const struct nft_token *what = nft_next(p);
	enum nft_obj_type type = nft_obj_type_of(what);
	bool reset = !strcmp(v, "reset");
	if (what->text[strlen(what->text) - 1] == 's') {
		if (strcmp(v, "list") && !reset) {
			nft_error_unexpected(p, what);
			return false;
		}
		struct nft_table *only = NULL;
		if (nft_is_word(nft_peek(p, 0), "table")) {
			nft_next(p);
			if (!(only = listed_table(b)))
				return false;
		}
		for (unsigned i = 0; i < b->rs->tables->len; i++) {
			struct nft_table *t = b->rs->tables->pdata[i];
			/* do_list_obj: a table with objects of any type */
			if ((only && t != only) || t->objs->len == 0)
				continue;
			g_string_append_printf(b->out, "table %s %s {\n", nft_family_name(t->family),
					       t->name);
			for (unsigned j = 0; j < t->objs->len; j++) {
				struct nft_obj *o = t->objs->pdata[j];
				if (o->otype == type)
					stateful_out(b, o, reset);
			}
			g_string_append(b->out, "}\n");
		}
		return true;
	}
	struct nft_table *t = add || !strcmp(v, "delete") ? table_arg(b) : listed_table(b);
	if (!t)
		return false;
	p->family = t->family;
	p->table = t;
	if (add) {
		struct nft_obj *o;
		bool ok = nft_parse_stateful_obj(p, t, type, !strcmp(v, "create"), &o);
		pend_obj(b, t, o);
		return ok;
	}
	if (strcmp(v, "delete") && strcmp(v, "list") && !reset) {
		nft_error_unexpected(p, what);
		return false;
	}
	const struct nft_token *n;
	if (nft_is_word(nft_peek(p, 0), "handle"))
		return unimpl(p, nft_peek(p, 0), "object handles");
	if (!name_tok(b, &n, "string"))
		return false;
	struct nft_obj *o = nft_obj_find_type(t, type, n->text);
	if (!o) {
		nft_error(p, n, NULL, "%sNo such file or directory",
			  !strcmp(v, "delete") ? "Could not process rule: " : "");
		return false;
	}
	if (!strcmp(v, "delete")) {
		if (nft_obj_type_in_use(t, type, o->name)) {
			nft_error(p, n, NULL, "Could not process rule: Device or resource busy");
			return false;
		}
		g_ptr_array_remove(t->objs, o);
		return true;
	}
	g_string_append_printf(b->out, "table %s %s {\n", nft_family_name(t->family), t->name);
	stateful_out(b, o, reset);
	g_string_append(b->out, "}\n");
	return true;
}

/* `delete table [FAMILY] handle H` (t NULL) and `delete chain T handle H`
 * (the parser at `handle`): ENOENT under H when there is none. */
static bool delete_by_handle(struct batch *b, struct nft_table *t, const enum nft_family *f)
{
	struct nft_parse *p = b->p;
	const struct nft_token *num;
	uint64_t h;
	nft_next(p);
	if (!nft_parse_handle_num(p, &h, &num))
		return false;
	if (!sep(nft_peek(p, 0)) && nft_peek(p, 0)->type != NFT_T_EOF) {
		nft_error_expecting(p, nft_peek(p, 0), "end of file or newline or semicolon");
		return false;
	}
	if (!t) {
		for (unsigned i = 0; i < b->rs->tables->len; i++) {
			struct nft_table *x = b->rs->tables->pdata[i];
			if (x->family == *f && x->handle == h) {
				g_ptr_array_remove_index(b->rs->tables, i);
				return true;
			}
		}
		static const char *const xt[] = { "filter", "nat", "mangle", "raw", "security" };
		for (unsigned i = 0; *f == NFT_FAMILY_IP && i < G_N_ELEMENTS(xt); i++)
			if (nft_xt_table_id(b->rs, *f, xt[i]) >= 0)
				return unimpl(p, num, "delete table by the handle of an iptables-nft table");
	} else {
		for (unsigned i = 0; i < t->chains->len; i++) {
			struct nft_chain *c = t->chains->pdata[i];
			if (c->handle != h)
				continue;
			if (chain_in_use(t, c->name)) {
				nft_error(p, num, NULL, "Could not process rule: Device or resource busy");
				return false;
			}
			g_ptr_array_remove_index(t->chains, i);
			return true;
		}
	}
	nft_error(p, num, NULL, "Could not process rule: No such file or directory");
	return false;
}

/* `delete rule T C handle H` and `replace rule T C handle H STMTS` (the
 * parser after C). The replacing rule keeps H (nf_tables_newrule with
 * NFTA_RULE_HANDLE takes no new handle; its anonymous sets do) and the
 * place of the old one. Handle 0 is no handle: the kernel's delrule
 * without one flushes the chain. */
static bool rule_by_handle(struct batch *b, struct nft_table *t, struct nft_chain *c,
			   const char *v, const struct nft_token *verb)
{
	struct nft_parse *p = b->p;
	const struct nft_token *kw = nft_next(p), *num;
	uint64_t h;
	if (!nft_is_word(kw, "handle")) {
		nft_error_expecting(p, kw, "handle");
		return false;
	}
	if (!nft_parse_handle_num(p, &h, &num))
		return false;
	int at = nft_rule_index_of(c, h);
	const struct nft_chain *was = chain_before(b, t, c);
	if (!strcmp(v, "replace") && b->rule_cache && (!was || nft_rule_index_of(was, h) < 0))
		at = -1;	/* the cache knows no handle of the batch's rules */
	if (!strcmp(v, "delete")) {
		if (!sep(nft_peek(p, 0)) && nft_peek(p, 0)->type != NFT_T_EOF) {
			nft_error_expecting(p, nft_peek(p, 0), "end of file or newline or semicolon");
			return false;
		}
		if (!h) {
			g_ptr_array_set_size(c->rules, 0);
		} else if (at < 0) {
			nft_error(p, num, NULL, "Could not process rule: No such file or directory");
			b->resume = b->keep_going = true;
		} else {
			g_ptr_array_remove_index(c->rules, at);
		}
		return at >= 0 || !h;
	}
	if (at < 0) {
		nft_error(p, num, NULL, "Could not process rule: No such file or directory");
		b->resume = b->keep_going = true;
		return false;
	}
	if (!add_rule(b, t, c, false, verb, at))
		return false;
	/* add_rule queued the new rule for a handle: give it the old one */
	struct nft_rule *r = g_ptr_array_steal_index(b->pending, b->pending->len - 1);
	g_ptr_array_set_size(b->pending, b->pending->len - 1);
	nft_rule_add_handles(t, r);
	t->next_handle--;
	r->handle = h;
	g_ptr_array_remove_index(c->rules, at);
	return true;
}

/* One command; false after an error (already reported). */
static bool command(struct batch *b)
{
	struct nft_parse *p = b->p;
	const struct nft_token *verb = nft_peek(p, 0);
	const char *v = verb->type == NFT_T_WORD ? verb->text : "";
	bool implicit = !strcmp(v, "table") || !strcmp(v, "chain") || !strcmp(v, "rule");
	if (!implicit)
		nft_next(p);
	if (!strcmp(v, "reset") && nft_obj_type_of(nft_peek(p, 0)) == NFT_OBJ_LIMIT) {
		/* nft's grammar resets counters and quotas only */
		const struct nft_token *w = nft_next(p);
		nft_error(p, w, NULL, "syntax error, unexpected %s, expecting counter or counters or "
			  "quotas or quota", !strcmp(w->text, "limit") ? "limit" : "string");
		return false;
	}
	if (!strcmp(v, "reset") && (nft_is_word(nft_peek(p, 0), "rule") ||
				    nft_is_word(nft_peek(p, 0), "rules"))) {
		/* nft 1.0.6 has no reset rule(s) */
		nft_error_expecting(p, nft_peek(p, 0), "counter or counters or quotas or quota");
		return false;
	}
	if (!strcmp(v, "reset") && (nft_is_word(nft_peek(p, 0), "set") ||
				    nft_is_word(nft_peek(p, 0), "element") ||
				    nft_is_word(nft_peek(p, 0), "meter"))) {
		/* nor reset set, element or meter: element counters are read
		 * (nft list set), not reset */
		nft_error(p, nft_peek(p, 0), NULL, "syntax error, unexpected %s, expecting counter or "
			  "counters or quotas or quota", nft_peek(p, 0)->text);
		return false;
	}
	if (!strcmp(v, "reset") && nft_obj_type_of(nft_peek(p, 0)) != NFT_OBJ_CT_HELPER)
		return stateful_cmd(b, v, false);
	if (!strcmp(v, "include")) {
		/* a well-formed include was done by the scanner (nft_lex.c) */
		if (nft_peek(p, 0)->type == NFT_T_STRING)
			nft_error_expecting(p, nft_peek(p, 1), "newline or semicolon");
		else
			nft_error_expecting(p, nft_peek(p, 0), "quoted string");
		p->resync = true;
		return false;
	}
	if (!strcmp(v, "monitor") ||
	    !strcmp(v, "export") || !strcmp(v, "import") || !strcmp(v, "describe") ||
	    !strcmp(v, "reset") || !strcmp(v, "get") || !strcmp(v, "destroy") || !strcmp(v, "redefine"))
		return unimpl(p, verb, verb->text);
	b->listing = !strcmp(v, "list");
	bool add = implicit || !strcmp(v, "add") || !strcmp(v, "create");
	bool ins = !strcmp(v, "insert");
	if (!add && !ins && strcmp(v, "delete") && strcmp(v, "flush") && strcmp(v, "list") &&
	    strcmp(v, "rename") && strcmp(v, "replace")) {
		nft_error_unexpected(p, verb);
		p->resync = true;	/* bison's `error stmt_separator` */
		return false;
	}
	const struct nft_token *obj = nft_next(p);
	if (nft_is_word(obj, "ruleset")) {
		if (!strcmp(v, "flush")) {
			g_ptr_array_set_size(b->rs->tables, 0);
			nft_xt_delete_all(b->rs);
			return true;
		}
		if (!strcmp(v, "list")) {
			print_list(b, "ruleset", NULL, NULL);
			return true;
		}
	}
	if (nft_is_word(obj, "tables") && !strcmp(v, "list")) {
		print_list(b, "tables", NULL, NULL);
		return true;
	}
	if ((nft_is_word(obj, "set") || nft_is_word(obj, "map") || nft_is_word(obj, "meter")) &&
	    !strcmp(v, "list"))
		return list_set(b, nft_is_word(obj, "meter"));
	if (nft_is_word(obj, "meters") && !strcmp(v, "list"))
		return list_meters(b);
	if (nft_is_word(obj, "element") && (add || !strcmp(v, "delete")))
		return element_cmd(b, verb);
	if ((nft_is_word(obj, "set") || nft_is_word(obj, "map")) && add)
		return add_set_cmd(b, obj, !strcmp(v, "create"));
	if (nft_is_word(obj, "ct") && (nft_is_word(nft_peek(p, 0), "helper") ||
				       nft_is_word(nft_peek(p, 0), "helpers")))
		return ct_helper_cmd(b, v, add);
	if (nft_is_word(obj, "ct") && (nft_is_word(nft_peek(p, 0), "timeout") ||
				       nft_is_word(nft_peek(p, 0), "expectation")))
		return ct_obj_cmd(b, v, add);
	if (nft_is_word(obj, "ct") && !strcmp(v, "list") && nft_peek(p, 0)->type == NFT_T_WORD) {
		nft_error(p, nft_peek(p, 0), NULL, "syntax error, unexpected string, expecting "
			  "timeout or expectation or helper or helpers");
		return false;
	}
	if (nft_is_word(obj, "flowtable") || nft_is_word(obj, "flowtables"))
		return flowtable_cmd(b, verb, v, add, nft_is_word(obj, "flowtables"));
	if (nft_obj_type_of(obj) != NFT_OBJ_CT_HELPER && strcmp(v, "flush") && strcmp(v, "rename")) {
		p->pos--;
		return stateful_cmd(b, v, add);
	}
	if (nft_is_word(obj, "set") || nft_is_word(obj, "map") || nft_is_word(obj, "element") ||
	    nft_is_word(obj, "counter") || nft_is_word(obj, "quota") || nft_is_word(obj, "limit") ||
	    nft_is_word(obj, "ct") || nft_is_word(obj, "sets") ||
	    nft_is_word(obj, "chains") || nft_is_word(obj, "counters") || nft_is_word(obj, "maps")) {
		char *m = g_strdup_printf("%s %s", v, obj->text);
		unimpl(p, obj, m);
		g_free(m);
		return false;
	}
	enum nft_family f;
	const struct nft_token *tn, *cn;
	if (nft_is_word(obj, "table")) {
		unsigned k = nft_is_word(nft_peek(p, 0), "ip") || nft_is_word(nft_peek(p, 0), "inet");
		if (!strcmp(v, "delete") && nft_is_word(nft_peek(p, k), "handle")) {
			f = k && nft_is_word(nft_peek(p, 0), "inet") ? NFT_FAMILY_INET : NFT_FAMILY_IP;
			p->pos += k;
			return delete_by_handle(b, NULL, &f);
		}
		if (!family_name(b, &f, &tn, !strcmp(v, "delete") ? "handle or string" : "string"))
			return false;
		struct nft_table *t = nft_table_find(b->rs, f, tn->text);
		int xid = nft_xt_table_id(b->rs, f, tn->text);
		if (xid >= 0)
			return nft_xt_table_cmd(p, b->rs, b->out, &b->opts, v, obj, tn, xid);
		if (add) {
			if (t && !strcmp(v, "create")) {
				nft_error(p, tn, NULL, "Could not process rule: File exists");
				return false;
			}
			if (!t) {
				t = nft_table_new(b->rs, f, tn->text);
				t->created = !strcmp(v, "create");
			}
			if (nft_peek(p, 0)->type == NFT_T_LBRACE)
				return table_block(b, t);
			return true;
		}
		if (!(t = table_of(b, f, tn)))
			return false;
		if (!strcmp(v, "delete")) {
			g_ptr_array_remove(b->rs->tables, t);
		} else if (!strcmp(v, "flush")) {
			for (unsigned i = 0; i < t->chains->len; i++)
				g_ptr_array_set_size(((struct nft_chain *)t->chains->pdata[i])->rules, 0);
		} else if (!strcmp(v, "list")) {
			print_list(b, "table", t, NULL);
		} else {
			nft_error_unexpected(p, obj);
			return false;
		}
		return true;
	}
	if (!nft_is_word(obj, "chain") && !nft_is_word(obj, "rule")) {
		nft_error_unexpected(p, obj);
		return false;
	}
	if (nft_is_word(obj, "rule") && !strcmp(v, "rename")) {
		nft_error_expecting(p, obj, "chain");
		return false;
	}
	if (nft_is_word(obj, "rule") && ((!add && !ins && strcmp(v, "delete") && strcmp(v, "replace")) ||
					 !strcmp(v, "create"))) {
		/* nft 1.0.6's grammar has no flush, list or create rule */
		nft_error_unexpected(p, obj);
		return false;
	}
	int xid = nft_xt_chain_table(p, b->rs);
	if (xid >= 0)
		return nft_xt_chain_cmd(p, b->rs, b->out, &b->opts, v, obj, xid);
	struct nft_table *t = table_arg(b);
	if (!t)
		return false;
	p->family = t->family;
	p->table = t;
	if (nft_is_word(nft_peek(p, 0), "handle")) {
		if (!strcmp(v, "delete") && nft_is_word(obj, "chain"))
			return delete_by_handle(b, t, NULL);
		nft_error_expecting(p, nft_peek(p, 0), "string");
		return false;
	}
	if (!name_tok(b, &cn, !strcmp(v, "delete") && nft_is_word(obj, "chain") ?
		      "handle or string" : "string"))
		return false;
	struct nft_chain *c = nft_chain_find(t, cn->text);
	if (nft_is_word(obj, "chain")) {
		if (add) {
			if (c && !strcmp(v, "create")) {
				nft_error(p, cn, NULL, "Could not process rule: File exists");
				return false;
			}
			bool created;
			c = chain_get(t, cn->text, &created);
			if (created)
				c->created = !strcmp(v, "create");
			if (nft_peek(p, 0)->type == NFT_T_LBRACE)
				return chain_block(b, t, c);
			return true;
		}
		if (!c) {
			nft_error(p, cn, NULL, "Could not process rule: No such file or directory");
			return false;
		}
		if (!strcmp(v, "delete") && !sep(nft_peek(p, 0)) && nft_peek(p, 0)->type != NFT_T_EOF) {
			/* `delete chain T C handle H`: a chain is named by one or the other */
			nft_error_expecting(p, nft_peek(p, 0), "end of file or newline or semicolon");
			return false;
		}
		if (!strcmp(v, "delete")) {
			if (chain_in_use(t, c->name)) {
				nft_error(p, cn, NULL, "Could not process rule: Device or resource busy");
				return false;
			}
			g_ptr_array_remove(t->chains, c);
		} else if (!strcmp(v, "flush")) {
			g_ptr_array_set_size(c->rules, 0);
		} else if (!strcmp(v, "list")) {
			print_list(b, "chain", t, c);
		} else if (!strcmp(v, "rename")) {
			const struct nft_token *nn;
			if (!name_tok(b, &nn, "string"))
				return false;
			g_free(c->name);
			c->name = g_strdup(nn->text);
		} else {
			nft_error_unexpected(p, obj);
			return false;
		}
		return true;
	}
	/* rule */
	if (!c) {
		nft_error(p, cn, NULL, "Could not process rule: No such file or directory");
		return false;
	}
	if (!strcmp(v, "delete") || !strcmp(v, "replace"))
		return rule_by_handle(b, t, c, v, verb);
	int ref;
	if (!nft_parse_rule_position(p, c, chain_before(b, t, c), b->rule_cache, &ref, &b->resume)) {
		b->keep_going = b->resume;
		return false;
	}
	return add_rule(b, t, c, ins, verb, ref);
}

/* A command's rules take their handles after its chains (nft sends a
 * block's NEWCHAINs before its NEWRULEs). */
static void give_handles(struct batch *b)
{
	for (unsigned i = 0; i + 1 < b->pending_objs->len; i += 2) {
		struct nft_table *t = b->pending_objs->pdata[i];
		((struct nft_obj *)b->pending_objs->pdata[i + 1])->handle = ++t->next_handle;
	}
	g_ptr_array_set_size(b->pending_objs, 0);
	for (unsigned i = 0; i + 1 < b->pending_sets->len; i += 2) {
		struct nft_table *t = b->pending_sets->pdata[i];
		((struct nft_set *)b->pending_sets->pdata[i + 1])->handle = ++t->next_handle;
	}
	g_ptr_array_set_size(b->pending_sets, 0);
	for (unsigned i = 0; i + 1 < b->pending_fts->len; i += 2) {
		struct nft_table *t = b->pending_fts->pdata[i];
		((struct nft_flowtable *)b->pending_fts->pdata[i + 1])->handle = ++t->next_handle;
	}
	g_ptr_array_set_size(b->pending_fts, 0);
	for (unsigned i = 0; i + 1 < b->pending->len; i += 2)
		nft_rule_add_handles(b->pending->pdata[i], b->pending->pdata[i + 1]);
	g_ptr_array_set_size(b->pending, 0);
}

static void check_target(struct batch *b, struct nft_table *t, const char *chain, struct nft_loc *loc)
{
	if (chain && loc->line && !nft_chain_find(t, chain))
		nft_error_loc(b->p, *loc, "Could not process rule: No such file or directory");
	loc->line = 0;	/* checked once, in its batch */
}

/* nft_objref_init / nft_objref_map's elements: each object named must be
 * there (ENOENT at the name, or at the element's key). */
static void check_objref(struct batch *b, struct nft_table *t, const struct nft_expr *e)
{
	if (e->obj && !nft_obj_find_type(t, e->obj_type, e->obj))
		nft_error_loc(b->p, e->chain_loc, "Could not process rule: No such file or directory");
	for (unsigned i = 0; e->anon && i < e->anon->elems->len; i++) {
		const struct nft_setelem *se = e->anon->elems->pdata[i];
		const char *n = se->data && se->data->len ?
				g_array_index(se->data, struct nft_elem, 0).str : NULL;
		if (n && !nft_obj_find_type(t, e->obj_type, n)) {
			nft_error_loc(b->p, se->loc, "Could not process rule: No such file or directory");
			return;
		}
	}
}

static void check_set_targets(struct batch *b, struct nft_table *t, struct nft_set *s)
{
	for (unsigned i = 0; s && i < s->elems->len; i++) {
		struct nft_setelem *e = s->elems->pdata[i];
		check_target(b, t, e->chain, &e->chain_loc);
	}
}

/* `@name` of a rule: a set (a verdict map after vmap) of the table. */
/* The set's key types are the selectors' (one, or a concatenation's). */
static bool set_keys_fit(const struct nft_set *s, const struct nft_expr *e)
{
	unsigned n = e->n_map_keys ? e->n_map_keys : 1;
	if (s->key_types->len != n)
		return false;
	for (unsigned i = 0; i < n; i++)
		if (g_array_index(s->key_types, enum nft_dtype, i) !=
		    (e->n_map_keys ? e->map_keys[i] : e->key)->dtype)
			return false;
	return true;
}

static void check_set_ref(struct batch *b, struct nft_table *t, struct nft_expr *e)
{
	struct nft_set *s = nft_set_find(t, e->set_ref);
	if (s && e->kind == NFT_EXPR_DYNSET) {
		/* the statements of the elements it adds (nft_setelem_expr.c),
		 * checked against the set as it was before this batch */
		const struct nft_table *ot = nft_table_find((struct nft_ruleset *)b->orig,
							    t->family, t->name);
		const char *why = nft_dynset_stmts_refused(s, e, !ot || !nft_set_find((struct nft_table *)ot,
											 s->name));
		if (why) {
			nft_error_loc(b->p, e->dyn_loc, "Could not process rule: %s", why);
			b->p->nkerr++;	/* the kernel's: the rule's handle stays taken */
			e->chain_loc.line = 0;
			return;
		}
		if (s->stmts.n)
			e->dyn_stmts.n = 0;	/* the set's: not sent, not listed */
		/* nft makes a set fed from rules dynamic, of 65535 elements
		 * unless its size is given */
		s->flags |= NFT_SET_F_DYNAMIC;
		if (!s->size)
			s->size = 65535;
	}
	bool mark = e->kind == NFT_EXPR_META_SET || e->kind == NFT_EXPR_CT_SET;
	if (s && e->kind == NFT_EXPR_NAT) {
		/* nat to a named map (nft_datamap.c): ADDR or ADDR . PORT */
		if (!nft_nat_map_fits(s, e))
			nft_error_loc(b->p, e->chain_loc, "natsim: nft nat to a map whose type is not "
				      "KEY : ipv4_addr [. inet_service] is not implemented");
		e->chain_loc.line = 0;
		return;
	}
	if (!s)
		nft_error_loc(b->p, e->chain_loc, "No such file or directory");
	else if (e->kind == NFT_EXPR_DYNSET && e->dyn_timeout_ms &&
		 !(s->flags & NFT_SET_F_TIMEOUT) && !s->timeout_ms)
		/* nft_dynset_init: a timeout needs a set with timeouts */
		nft_error_loc(b->p, e->dyn_loc, "Could not process rule: Operation not supported");
	else if (mark ? !nft_mark_map_fits(s, e) : s->map != e->vmap || (s->map && !s->data_verdict) || !set_keys_fit(s, e))
		nft_error_loc(b->p, e->chain_loc,
			      "natsim: nft lookups of data maps, and of sets whose type is not "
			      "the selector's, are not implemented");
	e->chain_loc.line = 0;
}

/* nft_nat_validate, nft_masq_validate, nft_redir_validate: a nat
 * statement only in a nat chain, source manips (snat, masquerade) at
 * postrouting and input, destination manips (dnat, redirect) at prerouting
 * and output; nft_reject_validate: reject at prerouting, input, forward and
 * output; nft_flow_offload_validate: flow add at forward only. Hooks
 * numbered as NF_INET_* (0 prerouting .. 4 postrouting). */
static bool stmt_refused_at(const struct nft_expr *e, const struct nft_chain *c)
{
	if (e->kind == NFT_EXPR_FLOW_OFFLOAD)
		return c->hook != 2;
	if (e->kind == NFT_EXPR_REJECT)
		return c->hook == 4;
	if (e->kind != NFT_EXPR_NAT)
		return false;
	if (!c->type || strcmp(c->type, "nat") != 0)
		return true;
	if (e->nat == NFT_SNAT || e->nat == NFT_MASQ)
		return c->hook != 4 && c->hook != 1;
	return c->hook != 0 && c->hook != 3;
}

/* Statements the kernel accepts only at some hooks (the expressions'
 * validate ops): `rt mtu` (nft_rt_validate) in forward, output and
 * postrouting base chains. Run after each command (its new rules), the
 * errors kept for the end: the kernel sees nothing of a batch nft refused. */
static void check_hooks(struct batch *b)
{
	for (unsigned i = 0; i + 2 < b->pending_checks->len; i += 3) {
		struct nft_table *t = b->pending_checks->pdata[i];
		struct nft_chain *c = b->pending_checks->pdata[i + 1];
		struct nft_rule *r = b->pending_checks->pdata[i + 2];
		/* once a table failed validation, the kernel validates it again
		 * at each later rule of the batch, and fails each one */
		bool bad = g_ptr_array_find(b->invalid_tables, t, NULL);
		for (unsigned x = 0; !bad && c->base && x < r->exprs->len; x++) {
			struct nft_expr *e = r->exprs->pdata[x];
			if ((e->kind == NFT_EXPR_MSS_RTMTU && c->hook != 2 && c->hook != 3 && c->hook != 4) ||
			    stmt_refused_at(e, c)) {
				g_ptr_array_add(b->invalid_tables, t);
				bad = true;
			}
		}
		if (bad)
			g_array_append_val(b->kernel_errs, r->loc);
	}
	g_ptr_array_set_size(b->pending_checks, 0);
}

/* Jump and goto targets (verdicts and verdict maps) must exist once the
 * batch is applied. */
static void check_jumps(struct batch *b)
{
	/* set lookups fail in nft's evaluation, before anything is sent */
	for (unsigned i = 0; i < b->rs->tables->len; i++) {
		struct nft_table *t = b->rs->tables->pdata[i];
		for (unsigned j = 0; j < t->chains->len; j++) {
			struct nft_chain *c = t->chains->pdata[j];
			for (unsigned k = 0; k < c->rules->len; k++) {
				struct nft_rule *r = c->rules->pdata[k];
				for (unsigned x = 0; x < r->exprs->len; x++) {
					struct nft_expr *e = r->exprs->pdata[x];
					if (e->set_ref && e->chain_loc.line &&
					    e->kind != NFT_EXPR_FLOW_OFFLOAD)
						check_set_ref(b, t, e);
				}
			}
		}
	}
	if (b->p->nerr)
		return;
	b->sent_ok = true;	/* what follows is the kernel's */
	for (unsigned i = 0; i < b->kernel_errs->len; i++)
		nft_error_loc(b->p, g_array_index(b->kernel_errs, struct nft_loc, i),
			      "Could not process rule: Operation not supported");
	for (unsigned i = 0; i < b->rs->tables->len; i++) {
		struct nft_table *t = b->rs->tables->pdata[i];
		for (unsigned j = 0; j < t->sets->len; j++)
			check_set_targets(b, t, t->sets->pdata[j]);
		for (unsigned j = 0; j < t->chains->len; j++) {
			struct nft_chain *c = t->chains->pdata[j];
			for (unsigned k = 0; k < c->rules->len; k++) {
				struct nft_rule *r = c->rules->pdata[k];
				for (unsigned x = 0; x < r->exprs->len; x++) {
					struct nft_expr *e = r->exprs->pdata[x];
					if (e->kind == NFT_EXPR_VERDICT)
						check_target(b, t, e->chain, &e->chain_loc);
					if (e->kind == NFT_EXPR_CT_HELPER_SET && e->chain_loc.line &&
					    !nft_obj_find(t, e->obj))
						nft_error_loc(b->p, e->chain_loc, "Could not process rule: "
							      "No such file or directory");
					if (e->kind == NFT_EXPR_OBJREF && e->chain_loc.line)
						check_objref(b, t, e);
					if ((e->kind == NFT_EXPR_CT_TIMEOUT_SET ||
					     e->kind == NFT_EXPR_CT_EXPECT_SET) && e->chain_loc.line &&
					    !nft_obj_find_type(t, e->kind == NFT_EXPR_CT_TIMEOUT_SET ?
							       NFT_OBJ_CT_TIMEOUT : NFT_OBJ_CT_EXPECT, e->obj))
						nft_error_loc(b->p, e->chain_loc, "Could not process rule: "
							      "No such file or directory");
					if (e->kind == NFT_EXPR_FLOW_OFFLOAD && e->chain_loc.line &&
					    !nft_flowtable_find(t, e->set_ref))
						nft_error_loc(b->p, e->chain_loc, "Could not process rule: "
							      "No such file or directory");
					if (e->kind == NFT_EXPR_CT_HELPER_SET || e->kind == NFT_EXPR_OBJREF ||
					    e->kind == NFT_EXPR_FLOW_OFFLOAD ||
					    e->kind == NFT_EXPR_CT_TIMEOUT_SET ||
					    e->kind == NFT_EXPR_CT_EXPECT_SET)
						e->chain_loc.line = 0;
					check_set_targets(b, t, e->anon);
				}
			}
		}
	}
}

/* nft_chain_validate's depth walk from a base chain: a jump or goto one
 * level deeper, more than NFT_JUMP_STACK_SIZE (16) levels (a loop among
 * chains has no bottom) is EMLINK. path[] holds the rules walked; the blame
 * goes to the first of them this batch added (their loc is set: a cloned
 * rule's is not), as the kernel refuses the message that made the loop. */
#define NFT_JUMP_STACK_SIZE 16
static const struct nft_rule *too_deep(struct nft_table *t, struct nft_chain *c, unsigned level,
				       const struct nft_rule **path, unsigned *budget)
{
	/* a wide tree of jumps is walked up to a bound (natsim's, for
	 * fuzzed input): what is not walked is not refused */
	if (*budget == 0)
		return NULL;
	(*budget)--;
	for (unsigned k = 0; k < c->rules->len; k++) {
		const struct nft_rule *r = c->rules->pdata[k];
		path[level] = r;
		for (unsigned x = 0; x < r->exprs->len; x++) {
			const struct nft_expr *e = r->exprs->pdata[x];
			const struct nft_set *s = e->anon ? e->anon :
				e->vmap && e->set_ref ? nft_set_find(t, e->set_ref) : NULL;
			unsigned n = s ? s->elems->len : 1;
			for (unsigned y = 0; y < n; y++) {
				const char *to = s ? ((struct nft_setelem *)s->elems->pdata[y])->chain
						   : e->kind == NFT_EXPR_VERDICT ? e->chain : NULL;
				struct nft_chain *tc = to ? nft_chain_find(t, to) : NULL;
				if (!tc)
					continue;
				if (level + 1 > NFT_JUMP_STACK_SIZE)
					return r;
				const struct nft_rule *bad = too_deep(t, tc, level + 1, path, budget);
				if (bad)
					return bad;
			}
		}
	}
	return NULL;
}

static void check_loops(struct batch *b)
{
	const struct nft_rule *path[NFT_JUMP_STACK_SIZE + 1];
	unsigned budget = 100000;

	for (unsigned i = 0; i < b->rs->tables->len; i++) {
		struct nft_table *t = b->rs->tables->pdata[i];
		for (unsigned j = 0; j < t->chains->len; j++) {
			struct nft_chain *c = t->chains->pdata[j];
			const struct nft_rule *bad = c->base ? too_deep(t, c, 0, path, &budget) : NULL;
			if (!bad)
				continue;
			struct nft_loc at = bad->loc;
			for (unsigned d = 0; d <= NFT_JUMP_STACK_SIZE && path[d] != bad; d++)
				if (path[d]->loc.line) {
					at = path[d]->loc;
					break;
				}
			nft_error_loc(b->p, at, "Could not process rule: Too many links");
			return;
		}
	}
}

/* A batch the kernel refused is aborted as a whole, but the handles its
 * rules took stay taken (nf_tables_newrule allocates the handle before the
 * expressions are checked, and the abort does not give it back): the next
 * rule of a table that existed before gets the number after them. */
static void keep_handles(struct nft_ruleset *rs, const struct nft_ruleset *tried)
{
	for (unsigned i = 0; i < tried->tables->len; i++) {
		const struct nft_table *t = tried->tables->pdata[i];
		struct nft_table *o = nft_table_find(rs, t->family, t->name);
		if (o && o->handle == t->handle && o->next_handle < t->next_handle)
			o->next_handle = t->next_handle;
	}
}

int nft_run_text(struct nft_ruleset **rs, const char *file, const char *text,
		 const struct nft_files *files, bool check_only, const struct nft_print_opts *opts,
		 GString *out, GString *err)
{
	struct nft_parse p = { .file = file, .text = text, .err = err, .files = files };
	struct batch b = { &p, nft_ruleset_clone(*rs), g_string_new(NULL), { 0 }, g_ptr_array_new(),
			  g_ptr_array_new(), g_ptr_array_new(), g_ptr_array_new(),
			  g_ptr_array_new(), g_array_new(FALSE, FALSE, sizeof(struct nft_loc)),
			  g_ptr_array_new(), false, false, false, NULL, false, false };
	b.opts = *opts;
	b.orig = *rs;
	nft_lex(&p);
	nft_expand_defines(&p);
	b.rule_cache = nft_batch_rule_cache(&p);
	/* after an error, the next command is parsed only when the failed one
	 * was a ct helper command that ended cleanly (nft goes on and reports
	 * the next error; natsim's recovery is only sure there) */
	/* the parse goes on past failed includes (nft_lex_source) */
	int lex_errs = p.nerr;
	while (p.nerr == lex_errs || b.resume || b.keep_going) {
		b.resume = false;
		skip_seps(&p);
		if (nft_peek(&p, 0)->type == NFT_T_EOF)
			break;
		p.family = NFT_FAMILY_IP;
		p.table = NULL;
		bool ok = command(&b);
		if (!ok && !b.resume)
			b.keep_going = false;
		give_handles(&b);
		check_hooks(&b);
		if (!ok && p.resync) {
			resync(&b);
		} else if (!ok) {
			recover(&p);
			if (nft_peek(&p, 0)->type == NFT_T_RBRACE)
				nft_next(&p);
		} else if (!sep(nft_peek(&p, 0)) && nft_peek(&p, 0)->type != NFT_T_EOF) {
			const struct nft_token *last = &g_array_index(p.toks, struct nft_token,
								      p.pos - 1);
			if (p.file && p.pos && last->type == NFT_T_RBRACE)
				nft_error_expecting(&p, nft_peek(&p, 0),
						    "end of file or newline or semicolon");
			else
				nft_error_unexpected(&p, nft_peek(&p, 0));
			recover(&p);
			if (nft_peek(&p, 0)->type == NFT_T_RBRACE)
				nft_next(&p);
		}
	}
	int sent = p.nerr - p.nkerr;	/* 0: nft sent the batch to the kernel */
	if (!p.nerr)
		check_jumps(&b);
	if (!p.nerr)
		check_loops(&b);
	if (sent == 0 && b.sent_ok)
		p.nkerr = p.nerr;
	nft_lex_free(&p);
	nft_srcs_free(&p);
	g_ptr_array_free(b.pending, TRUE);
	g_ptr_array_free(b.pending_objs, TRUE);
	g_ptr_array_free(b.pending_sets, TRUE);
	g_ptr_array_free(b.pending_fts, TRUE);
	g_ptr_array_free(b.pending_checks, TRUE);
	g_array_free(b.kernel_errs, TRUE);
	g_ptr_array_free(b.invalid_tables, TRUE);
	int rc = p.nerr ? 1 : 0;
	if (rc && !check_only && p.nerr == p.nkerr)
		keep_handles(*rs, b.rs);
	if (!rc && !check_only) {
		nft_meters_gc(b.rs);
		nft_ruleset_free(*rs);
		*rs = b.rs;
	} else {
		nft_ruleset_free(b.rs);
	}
	if (!rc)
		g_string_append(out, b.out->str);
	g_string_free(b.out, TRUE);
	return rc;
}
