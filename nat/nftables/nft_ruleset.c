/* nft_ruleset.c - the ruleset objects: lookup, creation with handles,
 * freeing, and the copy a transaction works on.
 *
 * Design: a batch (`nft -f`) is applied to a copy of the ruleset and the
 * copy replaces the original only if every command succeeded, so a failed
 * file changes nothing, as nf_tables' transactions abort as a whole.
 */
#include <string.h>

#include "nat/conntrack/nf_conncount.h"
#include "nat/nftables/nft_int.h"

struct nft_ruleset *nft_ruleset_new(void)
{
	struct nft_ruleset *rs = g_new0(struct nft_ruleset, 1);
	rs->tables = g_ptr_array_new_with_free_func((GDestroyNotify)nft_table_free);
	return rs;
}

void nft_ruleset_free(struct nft_ruleset *rs)
{
	if (!rs)
		return;
	g_ptr_array_free(rs->tables, TRUE);
	if (rs->xt_added)
		g_ptr_array_free(rs->xt_added, TRUE);
	if (rs->trace_cache)
		g_hash_table_destroy(rs->trace_cache);
	if (rs->anon_names)
		g_hash_table_destroy(rs->anon_names);
	g_free(rs);
}

void nft_expr_free(struct nft_expr *e)
{
	if (!e)
		return;
	if (e->elems) {
		for (unsigned i = 0; i < e->elems->len; i++)
			g_free(g_array_index(e->elems, struct nft_elem, i).str);
		g_array_free(e->elems, TRUE);
	}
	g_free(e->chain);
	g_free(e->prefix);
	g_free(e->reject);
	g_free(e->set_ref);
	g_free(e->obj);
	nft_set_free(e->anon);
	nft_expr_free(e->nat_port);
	if (e->conncount)
		g_array_free(e->conncount, TRUE);
	g_free(e);
}

void nft_rule_free(struct nft_rule *r)
{
	if (!r)
		return;
	g_ptr_array_free(r->exprs, TRUE);
	g_free(r->comment);
	g_free(r->fast);
	g_free(r);
}

bool nft_table_any_expr(const struct nft_table *t,
			bool (*fn)(const struct nft_expr *e, const void *arg), const void *arg)
{
	for (unsigned j = 0; j < t->chains->len; j++) {
		const struct nft_chain *c = t->chains->pdata[j];
		for (unsigned k = 0; k < c->rules->len; k++) {
			const struct nft_rule *r = c->rules->pdata[k];
			for (unsigned x = 0; x < r->exprs->len; x++)
				if (fn(r->exprs->pdata[x], arg))
					return true;
		}
	}
	return false;
}

void nft_chain_free(struct nft_chain *c)
{
	if (!c)
		return;
	g_ptr_array_free(c->rules, TRUE);
	g_free(c->name);
	g_free(c->comment);
	g_free(c);
}

void nft_table_free(struct nft_table *t)
{
	if (!t)
		return;
	g_ptr_array_free(t->chains, TRUE);
	g_ptr_array_free(t->sets, TRUE);
	g_ptr_array_free(t->objs, TRUE);
	g_ptr_array_free(t->flowtables, TRUE);
	g_free(t->name);
	g_free(t->comment);
	g_free(t);
}

struct nft_table *nft_table_find(struct nft_ruleset *rs, enum nft_family f, const char *name)
{
	for (unsigned i = 0; i < rs->tables->len; i++) {
		struct nft_table *t = rs->tables->pdata[i];
		if (t->family == f && strcmp(t->name, name) == 0)
			return t;
	}
	return NULL;
}

struct nft_chain *nft_chain_find(struct nft_table *t, const char *name)
{
	for (unsigned i = 0; i < t->chains->len; i++) {
		struct nft_chain *c = t->chains->pdata[i];
		if (strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

struct nft_set *nft_set_find(struct nft_table *t, const char *name)
{
	for (unsigned i = 0; i < t->sets->len; i++) {
		struct nft_set *s = t->sets->pdata[i];
		if (strcmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

/* nf_tables_newtable: the namespace's table handle counter. */
struct nft_table *nft_table_new(struct nft_ruleset *rs, enum nft_family f, const char *name)
{
	struct nft_table *t = g_new0(struct nft_table, 1);
	t->family = f;
	t->name = g_strdup(name);
	t->handle = ++rs->table_handle;
	t->chains = g_ptr_array_new_with_free_func((GDestroyNotify)nft_chain_free);
	t->sets = g_ptr_array_new_with_free_func((GDestroyNotify)nft_set_free);
	t->objs = g_ptr_array_new_with_free_func((GDestroyNotify)nft_obj_free);
	t->flowtables = g_ptr_array_new_with_free_func((GDestroyNotify)nft_flowtable_free);
	g_ptr_array_add(rs->tables, t);
	return t;
}

/* nf_tables_newchain: the table's handle counter. */
struct nft_chain *nft_chain_new(struct nft_table *t, const char *name)
{
	struct nft_chain *c = g_new0(struct nft_chain, 1);
	c->name = g_strdup(name);
	c->handle = ++t->next_handle;
	c->rules = g_ptr_array_new_with_free_func((GDestroyNotify)nft_rule_free);
	g_ptr_array_add(t->chains, c);
	return c;
}

/* A rule's anonymous sets are created before the rule itself, each taking
 * a handle of the table's counter (nft sends NEWSET before NEWRULE). */
void nft_rule_add_handles(struct nft_table *t, struct nft_rule *r)
{
	for (unsigned i = 0; i < r->exprs->len; i++) {
		const struct nft_expr *e = r->exprs->pdata[i];
		if ((e->kind == NFT_EXPR_MATCH && (e->is_set || e->anon)) ||
		    (e->kind == NFT_EXPR_NAT && e->anon) ||
		    ((e->kind == NFT_EXPR_META_SET || e->kind == NFT_EXPR_CT_SET) && e->anon))
			++t->next_handle;
		if (e->kind == NFT_EXPR_NAT && e->nat_port && e->nat_port->anon)
			++t->next_handle;
		if (e->kind == NFT_EXPR_DYNSET && e->dyn_meter) {
			/* the meter's set, sent before its rule */
			struct nft_set *s = nft_set_find(t, e->set_ref);
			if (s && !s->handle)
				s->handle = ++t->next_handle;
		}
	}
	r->handle = ++t->next_handle;
}

static struct nft_expr *expr_clone(const struct nft_expr *e)
{
	struct nft_expr *c = g_memdup2(e, sizeof(*e));
	if (e->elems) {
		c->elems = g_array_new(FALSE, TRUE, sizeof(struct nft_elem));
		for (unsigned i = 0; i < e->elems->len; i++) {
			struct nft_elem x = g_array_index(e->elems, struct nft_elem, i);
			x.str = g_strdup(x.str);
			g_array_append_val(c->elems, x);
		}
	}
	c->chain = g_strdup(e->chain);
	c->prefix = g_strdup(e->prefix);
	c->reject = g_strdup(e->reject);
	c->set_ref = g_strdup(e->set_ref);
	c->obj = g_strdup(e->obj);
	c->anon = nft_set_clone(e->anon);
	c->nat_port = e->nat_port ? expr_clone(e->nat_port) : NULL;
	c->conncount = e->conncount ? nf_conncount_list_copy(e->conncount) : NULL;
	return c;
}

static struct nft_rule *rule_clone(const struct nft_rule *r)
{
	struct nft_rule *c = g_new0(struct nft_rule, 1);
	c->handle = r->handle;
	c->comment = g_strdup(r->comment);
	c->exprs = g_ptr_array_new_with_free_func((GDestroyNotify)nft_expr_free);
	for (unsigned i = 0; i < r->exprs->len; i++)
		g_ptr_array_add(c->exprs, expr_clone(r->exprs->pdata[i]));
	return c;
}

struct nft_ruleset *nft_ruleset_clone(const struct nft_ruleset *rs)
{
	struct nft_ruleset *c = nft_ruleset_new();
	c->table_handle = rs->table_handle;
	c->xt_deleted = rs->xt_deleted;
	memcpy(c->xt_flushed, rs->xt_flushed, sizeof(c->xt_flushed));
	c->n_xt_flushed = rs->n_xt_flushed;
	c->ns = rs->ns;
	for (unsigned i = 0; i < rs->tables->len; i++) {
		const struct nft_table *t = rs->tables->pdata[i];
		struct nft_table *tc = g_memdup2(t, sizeof(*t));
		tc->name = g_strdup(t->name);
		tc->comment = g_strdup(t->comment);
		tc->chains = g_ptr_array_new_with_free_func((GDestroyNotify)nft_chain_free);
		tc->sets = g_ptr_array_new_with_free_func((GDestroyNotify)nft_set_free);
		for (unsigned j = 0; j < t->chains->len; j++) {
			const struct nft_chain *ch = t->chains->pdata[j];
			struct nft_chain *cc = g_memdup2(ch, sizeof(*ch));
			cc->name = g_strdup(ch->name);
			cc->comment = g_strdup(ch->comment);
			cc->rules = g_ptr_array_new_with_free_func((GDestroyNotify)nft_rule_free);
			for (unsigned k = 0; k < ch->rules->len; k++)
				g_ptr_array_add(cc->rules, rule_clone(ch->rules->pdata[k]));
			g_ptr_array_add(tc->chains, cc);
		}
		for (unsigned j = 0; j < t->sets->len; j++)
			g_ptr_array_add(tc->sets, nft_set_clone(t->sets->pdata[j]));
		tc->objs = g_ptr_array_new_with_free_func((GDestroyNotify)nft_obj_free);
		for (unsigned j = 0; j < t->objs->len; j++)
			g_ptr_array_add(tc->objs, nft_obj_clone(t->objs->pdata[j]));
		tc->flowtables = g_ptr_array_new_with_free_func((GDestroyNotify)nft_flowtable_free);
		for (unsigned j = 0; j < t->flowtables->len; j++)
			g_ptr_array_add(tc->flowtables, nft_flowtable_clone(t->flowtables->pdata[j]));
		g_ptr_array_add(c->tables, tc);
	}
	return c;
}
