/* nft_event.c - nf_tables' change notifications: the lines `nft monitor`
 * and `nft -e` (echo) print for what a command changed.
 *
 * Mirrors the kernel's nf_tables_commit, which sends one NEWTABLE,
 * NEWCHAIN, NEWOBJ, NEWSET, NEWSETELEM, NEWRULE or DEL* event per object a
 * batch touched, and nft 1.0.6's netlink_events_cb (monitor.c), which
 * prints each as a command: `add rule ip t c ... # handle 4`, `delete rule
 * ip t c handle 4`, `delete table ip t # handle 1`.
 *
 * Design: natsim's batches change a copy of the ruleset, not a list of
 * transactions, so the events are found by comparing two snapshots (before
 * and after the command) of every object nf_tables holds, nft's own and
 * iptables-nft's (nft_list_xt.c adds those). Objects are identified by
 * their handles (a rule by its table's and its own, an element by its
 * set's handle and its key), so a table deleted and made again is a delete
 * and an add, as in the kernel. Order: the deletions first, table by table
 * in the kernel's nft_flush_table order (rules, elements, sets, objects,
 * chains, the table), then the additions in the order nft sends a table
 * block (table, chains, objects, sets with their elements, rules; nft's
 * cmd_expand). Differences: a batch mixing kinds in another order is
 * reported in this order; a rule replaced in place (`replace rule`, which
 * keeps the handle) is a delete and an add, as nft 1.0.6 prints it;
 * anonymous sets are reported only when their rule goes (`delete set ip t
 * __set0`: nft prints no NEWSET of an anonymous set, and a DELSET carries
 * no flags to tell), by the names nft_anon_names_update gave them.
 */
#include <string.h>

#include "nat/core/nf_ns.h"
#include "nat/nftables/nf_nft_event.h"
#include "nat/nftables/nft_event.h"
#include "nat/nftables/nft_int.h"
#include "nat/nftables/nft_list_xt.h"

struct nf_nft_snap {
	GPtrArray *objs;	/* struct nft_ev_obj *, in addition order */
};

static void ev_obj_free(gpointer p)
{
	struct nft_ev_obj *o = p;
	g_free(o->key);
	g_free(o->table_key);
	g_free(o->cmp);
	g_free(o->add);
	g_free(o->add_h);
	g_free(o->del);
	g_free(o->del_h);
	g_free(o->set);
	g_free(o->refs);
	g_free(o->anon_del);
	g_free(o);
}

struct nft_ev_obj *nft_ev_add(GPtrArray *objs, enum nf_nft_ev_kind kind, const char *table_key,
			      char *key)
{
	struct nft_ev_obj *o = g_new0(struct nft_ev_obj, 1);
	o->kind = kind;
	o->key = key;
	o->table_key = g_strdup(table_key);
	g_ptr_array_add(objs, o);
	return o;
}

char *nft_ev_table_key(const char *family, const char *name, uint64_t handle)
{
	return g_strdup_printf("%s %s %" G_GUINT64_FORMAT, family, name, handle);
}

/* An object's block of `nft list` ("\tcounter c {\n\t\tpackets 0 ...\n\t}\n")
 * as nft's monitor prints it on one line (obj_print_plain, set_print_plain:
 * newlines become spaces, a set's declarations end with ';'), with the
 * table named after the object's kind: "counter ip t c { packets 0 bytes 0 } ". */
static char *one_line(const char *block, const char *fam_table, bool semis)
{
	GString *s = g_string_new(NULL);
	const char *p = block;
	while (*p == '\t')
		p++;
	const char *brace = strstr(p, " {");
	if (!brace) {
		g_string_free(s, TRUE);
		return g_strdup(p);
	}
	const char *name = brace;
	while (name > p && name[-1] != ' ')
		name--;
	g_string_append_len(s, p, name - p);
	g_string_append_printf(s, "%s ", fam_table);
	g_string_append_len(s, name, brace - name);
	p = brace;
	bool first = true;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *q = p;
		while (*q == '\t')
			q++;
		len -= (size_t)(q - p);
		bool closing = len == 1 && *q == '}';
		if (!first)
			g_string_append_c(s, ' ');
		g_string_append_len(s, q, (gssize)len);
		if (!first && !closing && semis)
			g_string_append_c(s, ';');
		first = false;
		if (!nl)
			break;
		p = nl + 1;
		if (!*p)
			g_string_append_c(s, ' ');
	}
	return g_string_free(s, FALSE);
}

static void snap_chain(GPtrArray *objs, const char *tk, const char *ft, const struct nft_chain *c)
{
	struct nft_ev_obj *o = nft_ev_add(objs, NF_NFT_EV_CHAIN, tk,
					  g_strdup_printf("%s C%" G_GUINT64_FORMAT, tk, c->handle));
	GString *s = g_string_new(NULL);
	g_string_printf(s, "%s %s", ft, c->name);
	if (c->base) {
		g_string_append_printf(s, " { type %s hook %s priority ", c->type, nft_hook_name(c->hook));
		nft_print_prio(s, c->hook, c->prio, false);
		g_string_append_printf(s, "; policy %s; }", c->policy_drop ? "drop" : "accept");
	}
	o->cmp = g_strdup(s->str);
	o->add = g_strdup_printf("%s chain %s", c->created ? "create" : "add", s->str);
	o->add_h = g_strdup_printf("%s # handle %" G_GUINT64_FORMAT, o->add, c->handle);
	o->del = g_strdup_printf("delete chain %s %s", ft, c->name);
	o->del_h = g_strdup(o->del);
	g_string_free(s, TRUE);
}

static void snap_obj(GPtrArray *objs, const char *tk, const char *ft, const struct nft_obj *x)
{
	struct nft_ev_obj *o = nft_ev_add(objs, NF_NFT_EV_OBJ, tk,
					  g_strdup_printf("%s O%" G_GUINT64_FORMAT, tk, x->handle));
	struct nft_print_opts po = { 0 };
	GString *b = g_string_new(NULL);
	nft_print_obj(b, x, &po);
	char *line = one_line(b->str, ft, false);
	g_string_truncate(b, 0);
	po.handles = true;
	nft_print_obj(b, x, &po);
	char *line_h = one_line(b->str, ft, false);
	o->add = g_strdup_printf("add %s", line);
	o->add_h = g_strdup_printf("add %s", line_h);
	/* "counter ip t c { ..." -> "delete counter ip t c" */
	char *brace = strstr(line, " {");
	o->del = g_strdup_printf("delete %.*s", brace ? (int)(brace - line) : (int)strlen(line), line);
	o->del_h = g_strdup(o->del);
	o->cmp = g_strdup(o->del);	/* its counters move with traffic: no change event */
	g_free(line);
	g_free(line_h);
	g_string_free(b, TRUE);
}

static void snap_set(GPtrArray *objs, const char *tk, const char *ft, const struct nft_set *set)
{
	char *sk = g_strdup_printf("%s S%" G_GUINT64_FORMAT, tk, set->handle);
	struct nft_ev_obj *o = nft_ev_add(objs, NF_NFT_EV_SET, tk, g_strdup(sk));
	struct nft_set bare = *set;
	GPtrArray *none = g_ptr_array_new();
	bare.elems = none;
	struct nft_print_opts po = { 0 };
	GString *b = g_string_new(NULL);
	nft_print_set(b, &bare, &po);
	char *line = one_line(b->str, ft, true);
	g_string_truncate(b, 0);
	po.handles = true;
	nft_print_set(b, &bare, &po);
	char *line_h = one_line(b->str, ft, true);
	o->add = g_strdup_printf("add %s", line);
	o->add_h = g_strdup_printf("add %s", line_h);
	o->cmp = g_strdup(line);
	/* a DELSET event carries no flags: nft says `set` for a map too */
	o->del = g_strdup_printf("delete set %s %s", ft, set->name);
	o->del_h = g_strdup(o->del);
	o->set = g_strdup(sk);
	g_free(line);
	g_free(line_h);
	/* one NEWSETELEM line per element (nft prints each on its own) */
	GPtrArray *one = g_ptr_array_new();
	bare.elems = one;
	struct nft_print_opts eo = { .stateless = true };
	for (unsigned i = 0; i < set->elems->len; i++) {
		g_ptr_array_set_size(one, 0);
		g_ptr_array_add(one, set->elems->pdata[i]);
		g_string_truncate(b, 0);
		nft_print_set_elems_at(b, &bare, &eo);
		struct nft_ev_obj *e = nft_ev_add(objs, NF_NFT_EV_ELEM, tk,
						  g_strdup_printf("%s E%s", sk, b->str));
		e->add = g_strdup_printf("add element %s %s %s", ft, set->name, b->str);
		e->add_h = g_strdup(e->add);
		e->del = g_strdup_printf("delete element %s %s %s", ft, set->name, b->str);
		e->del_h = g_strdup(e->del);
		e->cmp = g_strdup(e->add);
		e->set = g_strdup(sk);
	}
	g_ptr_array_free(one, TRUE);
	g_ptr_array_free(none, TRUE);
	g_string_free(b, TRUE);
	g_free(sk);
}

/* The named sets a rule looks up or updates (nft's monitor forgets them
 * from its cache when the rule is deleted). */
static char *rule_refs(struct nft_table *t, const char *tk, const struct nft_rule *r)
{
	GString *s = g_string_new(NULL);
	for (unsigned i = 0; i < r->exprs->len; i++) {
		const struct nft_expr *e = r->exprs->pdata[i];
		struct nft_set *set = e->set_ref && e->kind != NFT_EXPR_FLOW_OFFLOAD ?
			nft_set_find(t, e->set_ref) : NULL;
		if (set)
			g_string_append_printf(s, "%s S%" G_GUINT64_FORMAT "\n", tk, set->handle);
	}
	return g_string_free(s, FALSE);
}

/* A rule's anonymous sets (nft_rule_add_handles' count: each took a
 * handle just before the rule's), as keys that sort as their handles. */
static void anon_keys(const struct nft_rule *r, GArray *out)
{
	unsigned n = 0;
	for (unsigned i = 0; i < r->exprs->len; i++) {
		const struct nft_expr *e = r->exprs->pdata[i];
		unsigned k = ((e->kind == NFT_EXPR_MATCH && (e->is_set || e->anon)) ||
			      (e->kind == NFT_EXPR_NAT && e->anon) ||
			      ((e->kind == NFT_EXPR_META_SET || e->kind == NFT_EXPR_CT_SET) && e->anon)) +
			     (e->kind == NFT_EXPR_NAT && e->nat_port && e->nat_port->anon);
		for (; k; k--, n++) {
			gint64 key = (gint64)(r->handle * 64 + n);
			g_array_append_val(out, key);
		}
	}
}

static gint cmp_i64(gconstpointer a, gconstpointer b)
{
	gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
	return x < y ? -1 : x > y;
}

static char *anon_key(const struct nft_table *t, gint64 k)
{
	return g_strdup_printf("%s %s %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT,
			       nft_family_name(t->family), t->name, t->handle, k);
}

/* The kernel's name of each anonymous set, "__set%d" with the lowest
 * number no live set of its table has when it is made
 * (nf_tables_set_alloc_name): after each batch, the sets gone free their
 * numbers and the new ones, in handle order, take the lowest free. */
void nft_anon_names_update(struct nft_ruleset *rs)
{
	if (!rs->anon_names)
		rs->anon_names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GHashTable *live = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GPtrArray *fresh = g_ptr_array_new_with_free_func(g_free);
	for (unsigned i = 0; i < rs->tables->len; i++) {
		const struct nft_table *t = rs->tables->pdata[i];
		GArray *hs = g_array_new(FALSE, FALSE, sizeof(gint64));
		for (unsigned c = 0; c < t->chains->len; c++) {
			const struct nft_chain *ch = t->chains->pdata[c];
			for (unsigned k = 0; k < ch->rules->len; k++)
				anon_keys(ch->rules->pdata[k], hs);
		}
		g_array_sort(hs, cmp_i64);
		for (unsigned k = 0; k < hs->len; k++) {
			char *key = anon_key(t, g_array_index(hs, gint64, k));
			g_hash_table_add(live, g_strdup(key));
			if (!g_hash_table_contains(rs->anon_names, key))
				g_ptr_array_add(fresh, g_strdup(key));
			g_free(key);
		}
		g_array_free(hs, TRUE);
	}
	/* the sets gone free their names */
	GHashTableIter it;
	gpointer k;
	g_hash_table_iter_init(&it, rs->anon_names);
	while (g_hash_table_iter_next(&it, &k, NULL))
		if (!g_hash_table_contains(live, k))
			g_hash_table_iter_remove(&it);
	for (unsigned i = 0; i < fresh->len; i++) {
		const char *key = fresh->pdata[i];
		/* the table's part of the key: all but the last word */
		size_t tlen = (size_t)(strrchr(key, ' ') - key);
		guint n = 0;
		for (bool used = true; used; n += used) {
			used = false;
			g_hash_table_iter_init(&it, rs->anon_names);
			gpointer v;
			while (!used && g_hash_table_iter_next(&it, &k, &v))
				used = GPOINTER_TO_UINT(v) == n + 1 && !strncmp(k, key, tlen) &&
				       ((const char *)k)[tlen] == ' ';
		}
		g_hash_table_insert(rs->anon_names, g_strdup(key), GUINT_TO_POINTER(n + 1));
	}
	g_ptr_array_free(fresh, TRUE);
	g_hash_table_destroy(live);
}

static void snap_rule(GPtrArray *objs, const char *tk, const char *ft, struct nft_table *t,
		      const struct nft_chain *c, const struct nft_rule *r, GHashTable *anon)
{
	struct nft_ev_obj *o = nft_ev_add(objs, NF_NFT_EV_RULE, tk,
					  g_strdup_printf("%s R%" G_GUINT64_FORMAT, tk, r->handle));
	GString *b = g_string_new(NULL);
	struct nft_chain one = *c;
	GPtrArray *rules = g_ptr_array_new();
	g_ptr_array_add(rules, (gpointer)r);
	one.rules = rules;
	one.base = false;
	one.comment = NULL;
	/* the chain's listing holds the rule on its own line: take it */
	struct nft_print_opts po = { 0 };
	nft_print_chain(b, t, &one, &po, false);
	char *text = nft_ev_chain_rule_line(b->str);
	g_string_truncate(b, 0);
	po.stateless = true;
	nft_print_chain(b, t, &one, &po, false);
	o->cmp = nft_ev_chain_rule_line(b->str);
	const char *verb = r->inserted ? "insert" : "add";
	o->add = g_strdup_printf("%s rule %s %s %s", verb, ft, c->name, text);
	o->add_h = g_strdup_printf("%s # handle %" G_GUINT64_FORMAT, o->add, r->handle);
	o->del = g_strdup_printf("delete rule %s %s handle %" G_GUINT64_FORMAT, ft, c->name,
				 r->handle);
	o->del_h = g_strdup(o->del);
	o->refs = rule_refs(t, tk, r);
	/* the rule's anonymous sets go with it: DELSET events nft prints
	 * (their NEWSETs it does not) */
	GString *an = g_string_new(NULL);
	GArray *keys = g_array_new(FALSE, FALSE, sizeof(gint64));
	anon_keys(r, keys);
	for (unsigned i = 0; i < keys->len; i++) {
		char *k = anon_key(t, g_array_index(keys, gint64, i));
		gpointer n = anon ? g_hash_table_lookup(anon, k) : NULL;
		g_free(k);
		if (n)
			g_string_append_printf(an, "delete set %s __set%u\n", ft, GPOINTER_TO_UINT(n) - 1);
	}
	g_array_free(keys, TRUE);
	o->anon_del = g_string_free(an, FALSE);
	g_free(text);
	g_ptr_array_free(rules, TRUE);
	g_string_free(b, TRUE);
}

char *nft_ev_chain_rule_line(const char *chain_block)
{
	/* "\tchain c {\n\t\tRULE\n\t}\n" */
	const char *p = strstr(chain_block, "\n\t\t");
	if (!p)
		return g_strdup("");
	p += 3;
	const char *e = strchr(p, '\n');
	return g_strndup(p, e ? (gsize)(e - p) : strlen(p));
}

static void snap_table(GPtrArray *objs, struct nft_table *t, GHashTable *anon)
{
	const char *fam = nft_family_name(t->family);
	char *tk = nft_ev_table_key(fam, t->name, t->handle);
	char *ft = g_strdup_printf("%s %s", fam, t->name);
	struct nft_ev_obj *o = nft_ev_add(objs, NF_NFT_EV_TABLE, tk, g_strdup(tk));
	o->add = g_strdup_printf("%s table %s", t->created ? "create" : "add", ft);
	o->add_h = g_strdup_printf("%s # handle %" G_GUINT64_FORMAT, o->add, t->handle);
	o->del = g_strdup_printf("delete table %s", ft);
	o->del_h = g_strdup_printf("%s # handle %" G_GUINT64_FORMAT, o->del, t->handle);
	o->cmp = g_strdup(o->add);
	for (unsigned i = 0; i < t->chains->len; i++)
		snap_chain(objs, tk, ft, t->chains->pdata[i]);
	for (unsigned i = 0; i < t->objs->len; i++)
		snap_obj(objs, tk, ft, t->objs->pdata[i]);
	for (unsigned i = 0; i < t->sets->len; i++)
		snap_set(objs, tk, ft, t->sets->pdata[i]);
	for (unsigned i = 0; i < t->chains->len; i++) {
		const struct nft_chain *c = t->chains->pdata[i];
		for (unsigned k = 0; k < c->rules->len; k++)
			snap_rule(objs, tk, ft, t, c, c->rules->pdata[k], anon);
	}
	g_free(ft);
	g_free(tk);
}

struct nf_nft_snap *nf_nft_snapshot(struct nf_ns *ns)
{
	struct nf_nft_snap *s = g_new0(struct nf_nft_snap, 1);
	s->objs = g_ptr_array_new_with_free_func(ev_obj_free);
	struct nft_ruleset *rs = ns->nft, *scratch = NULL;
	if (!rs) {
		/* iptables-nft's tables only */
		scratch = rs = nft_ruleset_new();
		rs->ns = ns;
	}
	/* tables in creation order: one handle counter for nft's and
	 * iptables-nft's (nft_xt_snapshot gives each of its tables' handle) */
	GPtrArray *groups = g_ptr_array_new();	/* GPtrArray * of objects, a table each */
	GArray *handles = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	for (unsigned i = 0; i < rs->tables->len; i++) {
		struct nft_table *t = rs->tables->pdata[i];
		GPtrArray *g = g_ptr_array_new();
		snap_table(g, t, rs->anon_names);
		g_ptr_array_add(groups, g);
		g_array_append_val(handles, t->handle);
	}
	nft_xt_snapshot(rs, groups, handles);
	while (groups->len) {
		unsigned best = 0;
		for (unsigned i = 1; i < groups->len; i++)
			if (g_array_index(handles, uint64_t, i) < g_array_index(handles, uint64_t, best))
				best = i;
		GPtrArray *g = groups->pdata[best];
		for (unsigned k = 0; k < g->len; k++)
			g_ptr_array_add(s->objs, g->pdata[k]);
		g_ptr_array_free(g, TRUE);
		g_ptr_array_remove_index(groups, best);
		g_array_remove_index(handles, best);
	}
	g_ptr_array_free(groups, TRUE);
	g_array_free(handles, TRUE);
	if (scratch)
		nft_ruleset_free(scratch);
	return s;
}

void nf_nft_snapshot_free(struct nf_nft_snap *s)
{
	if (!s)
		return;
	g_ptr_array_free(s->objs, TRUE);
	g_free(s);
}

void nf_nft_snapshot_sets(const struct nf_nft_snap *s, GString *out)
{
	for (unsigned i = 0; i < s->objs->len; i++) {
		const struct nft_ev_obj *o = s->objs->pdata[i];
		if (o->kind == NF_NFT_EV_SET)
			g_string_append_printf(out, "%s\n", o->key);
	}
}

void nf_nft_event_free(struct nf_nft_event *e)
{
	if (!e)
		return;
	g_free(e->line);
	g_free(e->line_h);
	g_free(e->set);
	g_free(e->refs);
	g_free(e);
}

static void emit(GPtrArray *evs, const struct nft_ev_obj *o, bool add, bool replace)
{
	struct nf_nft_event *e = g_new0(struct nf_nft_event, 1);
	e->kind = o->kind;
	e->add = add;
	e->replace = replace;
	e->line = g_strdup(add ? o->add : o->del);
	e->line_h = g_strdup(add ? o->add_h : o->del_h);
	e->set = g_strdup(o->set);
	e->refs = g_strdup(o->refs);
	g_ptr_array_add(evs, e);
}

/* "delete set FAM T __setN" lines of a deleted rule's anonymous sets. */
static void emit_anon(GPtrArray *evs, const char *lines)
{
	char **l = g_strsplit(lines, "\n", -1);
	for (unsigned i = 0; l[i]; i++) {
		if (!*l[i])
			continue;
		struct nf_nft_event *e = g_new0(struct nf_nft_event, 1);
		e->kind = NF_NFT_EV_SET;
		e->line = g_strdup(l[i]);
		e->line_h = g_strdup(l[i]);
		e->set = g_strdup("");	/* in no monitor's cache */
		g_ptr_array_add(evs, e);
	}
	g_strfreev(l);
}

static GHashTable *by_key(const struct nf_nft_snap *s)
{
	GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);
	for (unsigned i = 0; i < s->objs->len; i++) {
		struct nft_ev_obj *o = s->objs->pdata[i];
		g_hash_table_insert(h, o->key, o);
	}
	return h;
}

/* Gone from b, or changed (cmp differs: a replaced rule). */
static bool gone(GHashTable *hb, const struct nft_ev_obj *o)
{
	const struct nft_ev_obj *n = g_hash_table_lookup(hb, o->key);
	return !n || (o->kind == NF_NFT_EV_RULE && strcmp(n->cmp, o->cmp));
}

/* nft_flush_table's order within one table: rules, elements of sets that
 * stay, sets, objects, chains, the table. */
static const enum nf_nft_ev_kind del_order[] = {
	NF_NFT_EV_RULE, NF_NFT_EV_ELEM, NF_NFT_EV_SET, NF_NFT_EV_OBJ, NF_NFT_EV_CHAIN, NF_NFT_EV_TABLE,
};

GPtrArray *nf_nft_events(const struct nf_nft_snap *a, const struct nf_nft_snap *b)
{
	GPtrArray *evs = g_ptr_array_new_with_free_func((GDestroyNotify)nf_nft_event_free);
	GHashTable *ha = by_key(a), *hb = by_key(b);
	for (unsigned i = 0; i < a->objs->len;) {
		/* one table's objects */
		const char *tk = ((struct nft_ev_obj *)a->objs->pdata[i])->table_key;
		unsigned j = i;
		while (j < a->objs->len && !strcmp(((struct nft_ev_obj *)a->objs->pdata[j])->table_key, tk))
			j++;
		for (unsigned k = 0; k < G_N_ELEMENTS(del_order); k++)
			for (unsigned x = i; x < j; x++) {
				const struct nft_ev_obj *o = a->objs->pdata[x];
				if (o->kind != del_order[k] || !gone(hb, o))
					continue;
				/* a deleted set's elements go with it, silently */
				if (o->kind == NF_NFT_EV_ELEM && !g_hash_table_lookup(hb, o->set))
					continue;
				emit(evs, o, false, g_hash_table_contains(hb, o->key));
				if (o->kind == NF_NFT_EV_RULE && o->anon_del && *o->anon_del)
					emit_anon(evs, o->anon_del);
			}
		i = j;
	}
	for (unsigned i = 0; i < b->objs->len; i++) {
		const struct nft_ev_obj *o = b->objs->pdata[i];
		const struct nft_ev_obj *old = g_hash_table_lookup(ha, o->key);
		/* new, replaced, or a chain made again with another policy
		 * (iptables -P) */
		if (!old || strcmp(old->cmp, o->cmp))
			emit(evs, o, true, old != NULL);
	}
	g_hash_table_destroy(ha);
	g_hash_table_destroy(hb);
	return evs;
}

GPtrArray *nf_nft_base_chains(const struct nf_nft_snap *s, const char *table)
{
	GPtrArray *evs = g_ptr_array_new_with_free_func((GDestroyNotify)nf_nft_event_free);
	char *prefix = g_strdup_printf("add chain ip %s ", table);
	for (unsigned i = 0; i < s->objs->len; i++) {
		const struct nft_ev_obj *o = s->objs->pdata[i];
		if (o->kind == NF_NFT_EV_CHAIN && g_str_has_prefix(o->add, prefix) &&
		    strstr(o->add, " { type "))
			emit(evs, o, true, true);
	}
	g_free(prefix);
	return evs;
}
