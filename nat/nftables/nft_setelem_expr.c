/* nft_setelem_expr.c - the stateful expressions of set elements: a set
 * declared `counter;` (or `limit rate ...;`, `quota ...;`) gives each
 * element its own, an element written `1.2.3.4 counter packets 3 bytes
 * 180` carries one, `add|update @set { KEY STMT }` gives the elements it
 * adds theirs, and `meter NAME { KEY STMT }` is nft's older spelling of
 * that dynset into a set of its own. Also an element's `comment "..."`.
 *
 * Design: as the kernel's NFT_SET_EXT_EXPRESSIONS, an element holds up to
 * NFT_SET_EXPR_MAX expressions with their state (struct nft_stateful_list,
 * plain data copied with the element); the set's declaration and the
 * dynset hold a template the new elements copy (nft_set_elem_expr_clone,
 * nft_dynset_new). Every path that finds an element runs them
 * (nft_set_elem_update_expr): the dynset, and the lookups `ip saddr @set`
 * and verdict maps (measured on 6.18: a lookup counts in the element's
 * counter, and an element's limit or quota breaks the lookup's rule).
 */
#include <string.h>

#include "nat/conntrack/nf_conncount.h"
#include "nat/nftables/nft_ct.h"
#include "nat/nftables/nft_int.h"

static const char *stateful_name(uint8_t kind)
{
	return kind == NFT_EXPR_COUNTER ? "counter" : kind == NFT_EXPR_LIMIT ? "limit" :
	       kind == NFT_EXPR_CT_COUNT ? "connlimit" : "quota";
}

/* From token a to token b (on a's line) as a location. */
static struct nft_loc span(const struct nft_token *a, const struct nft_token *b)
{
	int len = b->line == a->line ? b->col + b->len - a->col : a->len;
	return (struct nft_loc){ a->line, a->col, len };
}

static const struct nft_token *prev_tok(struct nft_parse *p)
{
	return &g_array_index(p->toks, struct nft_token, p->pos - 1);
}

/* Does a stateful statement start at the parser (counter, limit, quota;
 * quota not in an element: nft's set_elem_stmt has no quota)? */
bool nft_stateful_start(struct nft_parse *p, bool elem)
{
	const struct nft_token *t = nft_peek(p, 0);
	return nft_is_word(t, "counter") || nft_is_word(t, "limit") ||
	       (!elem && nft_is_word(t, "quota")) ||
	       (nft_is_word(t, "ct") && nft_is_word(nft_peek(p, 1), "count"));
}

/* One of `counter [packets N bytes M]`, `limit rate ...`, `quota ...`. */
static bool parse_one(struct nft_parse *p, struct nft_stateful *st)
{
	const struct nft_token *first = nft_next(p);
	memset(st, 0, sizeof(*st));
	if (nft_is_word(first, "ct")) {
		/* `ct count [over] N` */
		nft_next(p);
		st->kind = NFT_EXPR_CT_COUNT;
		if (nft_is_word(nft_peek(p, 0), "over")) {
			nft_next(p);
			st->ct_over = true;
		}
		uint64_t n;
		if (!nft_parse_uint_tok(p, &n, 10))
			return false;
		if (n > UINT32_MAX) {
			nft_error(p, prev_tok(p), NULL, "natsim: nft values above 32 bits are not implemented");
			return false;
		}
		st->ct_count = (uint32_t)n;
	} else if (nft_is_word(first, "counter")) {
		st->kind = NFT_EXPR_COUNTER;
		if (nft_is_word(nft_peek(p, 0), "packets")) {
			nft_next(p);
			if (!nft_parse_uint_tok(p, &st->packets, 10))
				return false;
			if (!nft_is_word(nft_next(p), "bytes")) {
				nft_error_unexpected(p, prev_tok(p));
				return false;
			}
			if (!nft_parse_uint_tok(p, &st->bytes, 10))
				return false;
		}
	} else if (nft_is_word(first, "limit")) {
		st->kind = NFT_EXPR_LIMIT;
		if (!nft_parse_limit(p, &st->limit))
			return false;
	} else {
		st->kind = NFT_EXPR_QUOTA;
		if (!nft_parse_quota(p, first, &st->quota))
			return false;
	}
	st->loc = span(first, prev_tok(p));
	return true;
}

/* The statements at the parser (none is fine) into l, in the order given. */
bool nft_parse_stateful_list(struct nft_parse *p, struct nft_stateful_list *l, bool elem)
{
	l->n = 0;
	while (nft_stateful_start(p, elem)) {
		if (l->n == NFT_SET_EXPR_MAX) {
			nft_error(p, nft_peek(p, 0), NULL,
				  "natsim: nft more than %d statements of a set element is not implemented",
				  NFT_SET_EXPR_MAX);
			return false;
		}
		if (!parse_one(p, &l->s[l->n]))
			return false;
		l->n++;
	}
	return true;
}

/* The list as nft prints it, each statement after a space (an element's,
 * a dynset's) or separated by spaces (first_space false: a set's line). */
void nft_print_stateful_list(GString *s, const struct nft_stateful_list *l, bool stateless,
			     bool first_space)
{
	for (unsigned i = 0; i < l->n; i++) {
		const struct nft_stateful *st = &l->s[i];
		if (i || first_space)
			g_string_append_c(s, ' ');
		switch (st->kind) {
		case NFT_EXPR_COUNTER:
			g_string_append(s, "counter");
			if (!stateless)
				g_string_append_printf(s, " packets %" G_GUINT64_FORMAT " bytes %" G_GUINT64_FORMAT,
						       st->packets, st->bytes);
			break;
		case NFT_EXPR_LIMIT:
			g_string_append(s, "limit ");
			nft_print_limit(s, &st->limit);
			break;
		case NFT_EXPR_CT_COUNT:
			g_string_append_printf(s, "ct count %s%u", st->ct_over ? "over " : "", st->ct_count);
			break;
		default:
			g_string_append(s, "quota ");
			nft_print_quota(s, &st->quota, stateless);
			break;
		}
	}
}

/* nft_set_elem_update_expr: each expression on the packet of len bytes at
 * now, in order; false (NFT_BREAK) as soon as a limit or quota says so. */
bool nft_stateful_list_eval(struct nft_stateful_list *l, uint32_t len, int64_t now,
			    struct nf_ns *ns, const struct nf_skb *skb)
{
	for (unsigned i = 0; i < l->n; i++) {
		struct nft_stateful *st = &l->s[i];
		switch (st->kind) {
		case NFT_EXPR_COUNTER:
			st->packets++;
			st->bytes += len;
			break;
		case NFT_EXPR_LIMIT:
			if (!nft_limit_eval(&st->limit, len, now))
				return false;
			break;
		case NFT_EXPR_CT_COUNT:
			if (!st->conncount)
				st->conncount = nf_conncount_list_new();
			if (!nft_connlimit_eval(ns, skb, st->conncount, st->ct_count, st->ct_over, now))
				return false;
			break;
		default:
			if (!nft_quota_eval(&st->quota, len))
				return false;
			break;
		}
	}
	return true;
}

/* nft's __expr_evaluate_set_elem: an element's statements must be the
 * set's, one for one (a set without any takes them only when dynamic);
 * an element without statements gets the set's (the kernel clones the
 * set's expressions into it: nft_set_elem_expr_clone). */
bool nft_setelem_stmts_check(struct nft_parse *p, const struct nft_set *s, struct nft_setelem *e)
{
	unsigned ne = e->stmts.n, ns = s->stmts.n;
	const char *what = s->map ? "map" : "set";
	if (!ne) {
		e->stmts = s->stmts;
		return true;
	}
	if (ns && ne != ns) {
		nft_error_loc(p, e->loc, "number of statements mismatch, set expects %u but element has %u",
			      ns, ne);
		return false;
	}
	if (!ns) {
		if (s->flags & NFT_SET_F_DYNAMIC)
			return true;
		nft_error_loc(p, e->stmts.s[0].loc, "missing statement in %s declaration", what);
		return false;
	}
	for (unsigned i = 0; i < ne; i++)
		if (e->stmts.s[i].kind != s->stmts.s[i].kind) {
			nft_error_loc(p, e->stmts.s[i].loc,
				      "statement mismatch, element expects %s, but %s has type %s",
				      stateful_name(e->stmts.s[i].kind), what,
				      stateful_name(s->stmts.s[i].kind));
			return false;
		}
	return true;
}

/* nft_dynset_init's checks of the statements of `add|update @set { KEY
 * STMT }` against the set (after the batch is parsed): expressions need
 * a set the packet path may update (NFT_SET_EVAL: nft gives it to a set
 * declared in the same batch, not to one that exists: EINVAL), and must be
 * the set's own when it has some (EOPNOTSUPP; a different number:
 * EINVAL, measured on 6.18). nft does not send them again when the set
 * has the same: the rule then lists without them (nft_dynset_dump). */
const char *nft_dynset_stmts_refused(const struct nft_set *s, const struct nft_expr *e,
				     bool set_is_new)
{
	const struct nft_stateful_list *l = &e->dyn_stmts;
	if (!l->n)
		return NULL;
	if (!set_is_new && !(s->flags & NFT_SET_F_DYNAMIC))
		return "Invalid argument";
	if (!s->stmts.n)
		return NULL;
	if (l->n != s->stmts.n)
		return "Invalid argument";
	for (unsigned i = 0; i < l->n; i++)
		if (l->s[i].kind != s->stmts.s[i].kind)
			return "Operation not supported";
	return NULL;
}

/* `meter NAME [size N] { KEY [. KEY]... [timeout T] STMT }` (the parser at
 * `meter`): nft 1.0.6 makes the set NAME (anonymous to the kernel, so only
 * `list meters` shows it: dynamic, timeout with a timeout, of size N or
 * 65535) and the dynset `add @NAME { KEY [timeout T] STMT }` (stmt_evaluate_
 * meter); the rule lists back as `meter NAME size N { ... }`. A name the
 * table has (a set, or another meter: its set is bound to that rule) is
 * refused as the kernel refuses it. */
bool nft_parse_meter(struct nft_parse *p, struct nft_expr *e)
{
	const struct nft_token *m = nft_next(p), *name = nft_next(p), *t;
	if (name->type != NFT_T_WORD && name->type != NFT_T_STRING) {
		nft_error_unexpected(p, name);
		return false;
	}
	e->dyn_meter = true;
	e->set_ref = g_strdup(name->text);
	e->dyn_size = 65535;
	if (nft_is_word(nft_peek(p, 0), "size")) {
		nft_next(p);
		uint64_t n;
		if (!nft_parse_uint_tok(p, &n, 10))
			return false;
		if (n > UINT32_MAX) {
			nft_error_unexpected(p, prev_tok(p));
			return false;
		}
		/* size 0: nft sends no size, the kernel's default is listed */
		e->dyn_size = n ? (uint32_t)n : 65535;
	}
	t = nft_next(p);
	if (t->type != NFT_T_LBRACE) {
		nft_error_unexpected(p, t);
		return false;
	}
	const struct nft_token *k0 = nft_peek(p, 0);
	if (!nft_parse_dynset_keys(p, e))
		return false;
	const struct nft_token *kend = prev_tok(p);
	if (nft_is_word(nft_peek(p, 0), "timeout")) {
		nft_next(p);
		const struct nft_token *v = nft_next(p);
		if (v->type != NFT_T_WORD || !nft_parse_time(v->text, &e->dyn_timeout_ms)) {
			nft_error(p, v, NULL, "syntax error, unexpected number, expecting string");
			return false;
		}
		kend = v;
	}
	if (nft_is_word(nft_peek(p, 0), "comment")) {
		nft_next(p);
		nft_next(p);
		nft_error_loc(p, span(k0, prev_tok(p)), "Meter key expression can not contain comments");
		return false;
	}
	if (!nft_stateful_start(p, false)) {
		/* a statement that keeps no state: nft's evaluation refuses it */
		const struct nft_token *st = nft_peek(p, 0);
		if (st->type == NFT_T_WORD) {
			unsigned from = p->pos;
			while (nft_peek(p, 0)->type == NFT_T_WORD)
				nft_next(p);
			struct nft_loc at = span(st, prev_tok(p));
			if (nft_peek(p, 0)->type == NFT_T_RBRACE) {
				struct nft_loc whole = span(m, nft_peek(p, 0));
				nft_error_ctx(p, at, whole, "meter statement must be stateful");
				return false;
			}
			p->pos = from;
		}
		nft_error_unexpected(p, st);
		return false;
	}
	if (!parse_one(p, &e->dyn_stmts.s[0]))
		return false;
	e->dyn_stmts.n = 1;
	t = nft_next(p);
	if (t->type != NFT_T_RBRACE) {
		nft_error(p, t, NULL, "syntax error, unexpected %s, expecting '}'",
			  t->type == NFT_T_WORD ? t->text : "newline");
		return false;
	}
	struct nft_table *tb = p->table;
	struct nft_set *old = tb ? nft_set_find(tb, name->text) : NULL;
	if (old) {
		nft_error_loc(p, span(k0, kend), "Could not process rule: %s",
			      old->meter ? "Operation not supported" : "File exists");
		nft_error_loc(p, span(m, t), "Could not process rule: %s",
			      old->meter ? "Device or resource busy" : "Invalid argument");
		p->nkerr += 2;
		tb->next_handle++;	/* the refused rule's handle stays taken */
		return false;
	}
	if (!tb)
		return true;
	struct nft_set *s = nft_set_new(name->text, false);
	for (unsigned i = 0; i < e->n_map_keys; i++)
		g_array_append_val(s->key_types, e->map_keys[i]->dtype);
	s->flags = NFT_SET_F_DYNAMIC | (e->dyn_timeout_ms ? NFT_SET_F_TIMEOUT : 0);
	s->size = e->dyn_size;
	s->meter = true;
	g_ptr_array_add(tb->sets, s);
	return true;
}

/* The meter's statement as nft lists the rule (meter_stmt_print). */
void nft_print_meter(GString *s, const struct nft_expr *e, const struct nft_print_opts *o)
{
	g_string_append_printf(s, "meter %s size %u { ", e->set_ref, e->dyn_size);
	nft_print_dynset_keys(s, e);
	if (e->dyn_timeout_ms) {
		g_string_append(s, " timeout ");
		nft_print_time(s, e->dyn_timeout_ms, o->numeric);
	}
	nft_print_stateful_list(s, &e->dyn_stmts, true, true);
	g_string_append(s, " }");
}

static bool uses_meter(const struct nft_expr *e, const void *name)
{
	return e->kind == NFT_EXPR_DYNSET && e->dyn_meter && !strcmp(e->set_ref, name);
}

/* The kernel destroys an anonymous set with the rule bound to it
 * (nf_tables_rule_destroy): a meter whose rule went is not listed again. */
void nft_meters_gc(struct nft_ruleset *rs)
{
	for (unsigned i = 0; i < rs->tables->len; i++) {
		struct nft_table *t = rs->tables->pdata[i];
		for (unsigned j = t->sets->len; j-- > 0;) {
			struct nft_set *s = t->sets->pdata[j];
			if (s->meter && !nft_table_any_expr(t, uses_meter, s->name))
				g_ptr_array_remove_index(t->sets, j);
		}
	}
}

void nft_stateful_list_copy_state(struct nft_stateful_list *l)
{
	for (unsigned i = 0; i < l->n; i++)
		if (l->s[i].conncount)
			l->s[i].conncount = nf_conncount_list_copy(l->s[i].conncount);
}

void nft_stateful_list_free_state(struct nft_stateful_list *l)
{
	for (unsigned i = 0; i < l->n; i++)
		if (l->s[i].conncount) {
			g_array_free(l->s[i].conncount, TRUE);
			l->s[i].conncount = NULL;
		}
}
