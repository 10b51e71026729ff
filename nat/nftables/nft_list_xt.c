/* nft_list_xt.c - iptables-nft's tables as `nft list` shows them.
 *
 * On Debian 12 `iptables` is iptables-nft 1.8.9: its tables are nf_tables
 * tables (`table ip filter`, `ip nat`, `ip mangle`, `ip raw`, `ip
 * security`) holding the chains iptables touched, in the order it made
 * them, and `nft list ruleset` prints them beside nft's own tables in
 * creation order. A rule is what iptables-nft 1.8.9 sent (nft.c
 * add_match/add_target, nft_ipv4_add): iifname, oifname, the protocol
 * (`meta l4proto`, which nft leaves out before a tcp/udp payload match),
 * the addresses, the matches, `counter`, the verdict. Most extensions are
 * kept as xt expressions, which nft prints through the extension's
 * libxtables xlate (the text iptables-translate prints: our xlate ops) or
 * as `xt match|target NAME` where there is none; a -m comment's xlate
 * writes nothing there (an empty statement, hence nft's double space). A
 * table holding an xt expression makes nft warn on stderr that iptables-nft
 * manages it. The few native ones (tcp/udp with options, mark, limit,
 * TRACE) print through the xt ops' nft_list op.
 *
 * Design: nothing is copied into nft's ruleset; iptables' own tables are
 * read when listed (handles: ipt_table.nft_handle and the chains' and
 * rules' handles iptables-nft numbering already gives for -j TRACE), and
 * `nft delete table`, `flush ruleset` and `flush table|chain` only mark
 * them (rs->xt_deleted, rs->xt_flushed) for nft_xt_commit to apply when the
 * batch succeeds (nf_nft.c calls it), so a failed batch changes nothing.
 * Other nft changes to these tables are natsim's refusal.
 */
#include <ctype.h>
#include <string.h>

#include "nat/core/nf_ns.h"
#include "nat/iptables/ipt.h"
#include "nat/iptables/xt.h"
#include "nat/nftables/nft_event.h"
#include "nat/nftables/nft_int.h"
#include "nat/nftables/nft_list_xt.h"

static struct ipt_table *xt_table(const struct nft_ruleset *rs, int id)
{
	if (!rs->ns || !rs->ns->ipt || id < 0 || id >= IPT_NTABLES ||
	    (rs->xt_deleted & (1u << id)))
		return NULL;
	struct ipt_table *t = &rs->ns->ipt->tables[id];
	return t->nft_handle && t->chains ? t : NULL;
}

int nft_xt_table_id(const struct nft_ruleset *rs, enum nft_family f, const char *name)
{
	if (f != NFT_FAMILY_IP)
		return -1;
	int id = ipt_table_by_name(name);
	return xt_table(rs, id) ? id : -1;
}

void nft_xt_delete_all(struct nft_ruleset *rs)
{
	for (int i = 0; i < IPT_NTABLES; i++)
		if (xt_table(rs, i))
			rs->xt_deleted |= 1u << i;
}

/* One statement of a rule: nft joins them with a space, an empty one too. */
static void stmt(GString *s, unsigned *n, const char *text)
{
	if ((*n)++)
		g_string_append_c(s, ' ');
	g_string_append(s, text);
}

/* xlate text without the spaces xt_xlate_add leaves around it */
static void stmt_xl(GString *s, unsigned *n, GString *t)
{
	const char *p = t->str;
	size_t len = t->len;
	while (len && isspace((unsigned char)*p)) {
		p++;
		len--;
	}
	while (len && isspace((unsigned char)p[len - 1]))
		len--;
	if ((*n)++)
		g_string_append_c(s, ' ');
	g_string_append_len(s, p, (gssize)len);
}

/* iifname/oifname as nft_ipv4_add sends them: '+' at the end is a prefix
 * (`"eth*"`), a lone '+' matches every name (nothing sent) and with '!'
 * none (nft decodes `"INVAL/D"`, as iptables-translate prints). */
static void list_ifname(GString *s, unsigned *n, const char *meta, const char *name, bool inv)
{
	size_t len = strlen(name);
	if (!len || (len == 1 && name[0] == '+' && !inv))
		return;
	GString *t = g_string_new(NULL);
	if (len == 1 && name[0] == '+') {
		g_string_printf(t, "%s \"INVAL/D\"", meta);
	} else {
		g_string_printf(t, "%s %s\"%.*s%s\"", meta, inv ? "!= " : "",
				(int)(name[len - 1] == '+' ? len - 1 : len), name,
				name[len - 1] == '+' ? "*" : "");
	}
	stmt(s, n, t->str);
	g_string_free(t, TRUE);
}

static int prefix_len(uint32_t mask)
{
	int bits = 0;
	while (bits < 32 && (mask & (0x80000000u >> bits)))
		bits++;
	return bits < 32 && (mask << bits) != 0 ? -1 : bits;
}

/* ip saddr/daddr: a prefix, or `& MASK == ADDR` for a mask with holes */
static void list_addr(GString *s, unsigned *n, const char *sel, uint32_t a, uint32_t m, bool inv)
{
	if (!inv && !a && !m)
		return;
	GString *t = g_string_new(NULL);
	int len = prefix_len(m);
	g_string_printf(t, "%s ", sel);
	if (len < 0)
		g_string_append_printf(t, "& %u.%u.%u.%u %s ", m >> 24, (m >> 16) & 255,
				       (m >> 8) & 255, m & 255, inv ? "!=" : "==");
	else if (inv)
		g_string_append(t, "!= ");
	g_string_append_printf(t, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	if (len >= 0 && len < 32)
		g_string_append_printf(t, "/%d", len);
	stmt(s, n, t->str);
	g_string_free(t, TRUE);
}

/* Whether iptables-nft 1.8.9 sends this instance as native expressions. */
static bool native(const struct xt_entry *e)
{
	if (!e->ops->nft_list)
		return false;
	/* `-m tcp` without options: add_nft_tcp has nothing to say, the
	 * empty match stays an xt one */
	return !e->ops->mergeable || e->ops->mergeable(e->data);
}

/* One match or target instance: native text, the xlate's, or xt NAME.
 * *xt set when it is an xt expression. */
static void list_entry(GString *s, unsigned *n, const struct ipt_rule *r, const struct xt_entry *e,
		       bool *xt)
{
	unsigned nset = 0;
	struct xt_xlate xl = { g_string_new(NULL), NULL, g_string_new(NULL), &nset };
	if (native(e)) {
		e->ops->nft_list(&xl, r, e->data);
	} else {
		*xt = true;
		/* an xlate that needs a set of its own (connlimit) is one nft
		 * cannot show either */
		if (!e->ops->xlate || !e->ops->xlate(&xl, r, e->data) || xl.set->len)
			g_string_printf(xl.rule, "xt %s %s", e->ops->kind == XT_MATCH ? "match" : "target",
					e->ops->name);
	}
	stmt_xl(s, n, xl.rule);
	g_string_free(xl.rule, TRUE);
	g_string_free(xl.set, TRUE);
	g_free(xl.comment);
}

/* The rule's statements (nft_ipv4_add's order, then nft's postprocessing
 * of the protocol dependency); true when it holds an xt expression. */
static bool list_rule(GString *s, const struct ipt_rule *r, const struct nft_print_opts *o)
{
	unsigned n = 0;
	bool xt = false;
	list_ifname(s, &n, "iifname", r->in, r->in_inv);
	list_ifname(s, &n, "oifname", r->out, r->out_inv);
	if (r->proto) {
		/* payload_dependency_kill: a native tcp/udp match makes
		 * `meta l4proto tcp` implicit */
		bool implicit = false;
		for (unsigned i = 0; !r->proto_inv && i < r->nmatches; i++)
			if (native(&r->m[i]) && r->m[i].ops->proto == r->proto)
				implicit = true;
		if (!implicit) {
			const char *name = o->numeric ? NULL : xt_xlate_proto_name(r->proto);
			GString *t = g_string_new("meta l4proto ");
			if (r->proto_inv)
				g_string_append(t, "!= ");
			if (name)
				g_string_append(t, name);
			else
				g_string_append_printf(t, "%u", r->proto);
			stmt(s, &n, t->str);
			g_string_free(t, TRUE);
		}
	}
	list_addr(s, &n, "ip saddr", r->src.ip, r->smsk.ip, r->src_inv);
	list_addr(s, &n, "ip daddr", r->dst.ip, r->dmsk.ip, r->dst_inv);
	for (unsigned i = 0; i < r->nmatches; i++)
		list_entry(s, &n, r, &r->m[i], &xt);
	if (o->stateless) {
		stmt(s, &n, "counter");
	} else {
		char *c = g_strdup_printf("counter packets %" G_GUINT64_FORMAT " bytes %" G_GUINT64_FORMAT,
					  r->packets, r->bytes);
		stmt(s, &n, c);
		g_free(c);
	}
	switch (r->target) {
	case IPT_T_ACCEPT: stmt(s, &n, "accept"); break;
	case IPT_T_DROP: stmt(s, &n, "drop"); break;
	case IPT_T_RETURN: stmt(s, &n, "return"); break;
	case IPT_T_JUMP:
	case IPT_T_GOTO: {
		char *j = g_strdup_printf("%s %s", r->target == IPT_T_JUMP ? "jump" : "goto",
					  r->jump ? r->jump->name : "");
		stmt(s, &n, j);
		g_free(j);
		break;
	}
	case IPT_T_EXT:
		list_entry(s, &n, r, &r->t, &xt);
		break;
	case IPT_T_NONE:
		break;
	}
	if (o->handles)
		g_string_append_printf(s, " # handle %" G_GUINT64_FORMAT, r->handle);
	return xt;
}

/* nft_chain_builtin_init's types and priorities (iptables-nft 1.8.9's
 * builtin_table): mangle's OUTPUT is a route chain, security sits at 150. */
static void list_base(GString *s, const struct ipt_table *t, const struct ipt_chain *c,
		      const struct nft_print_opts *o)
{
	static const int prio[IPT_NTABLES] = { 0, -100, -150, -300, 150 };
	const char *type = t->id == IPT_NAT ? "nat" :
		t->id == IPT_MANGLE && c->hook == NF_INET_LOCAL_OUT ? "route" : "filter";
	int p = prio[t->id];
	if (t->id == IPT_NAT && (c->hook == NF_INET_LOCAL_IN || c->hook == NF_INET_POST_ROUTING))
		p = 100;
	g_string_append_printf(s, "\t\ttype %s hook %s priority ", type, nft_hook_name(c->hook));
	nft_print_prio(s, c->hook, p, o->numeric);
	g_string_append_printf(s, "; policy %s;\n", c->policy == NF_DROP ? "drop" : "accept");
}

/* The chains nf_tables has (a handle), in the order they were made. */
static GPtrArray *made_chains(const struct ipt_table *t)
{
	GPtrArray *a = g_ptr_array_new();
	for (unsigned i = 0; i < t->chains->len; i++) {
		struct ipt_chain *c = t->chains->pdata[i];
		if (!c->handle)
			continue;
		unsigned k = a->len;
		while (k && ((struct ipt_chain *)a->pdata[k - 1])->handle > c->handle)
			k--;
		g_ptr_array_insert(a, (gint)k, c);
	}
	return a;
}

static bool list_chain(GString *s, const struct ipt_table *t, const struct ipt_chain *c,
		       const struct nft_print_opts *o)
{
	bool xt = false;
	g_string_append_printf(s, "\tchain %s {", c->name);
	if (o->handles)
		g_string_append_printf(s, " # handle %" G_GUINT64_FORMAT, c->handle);
	g_string_append_c(s, '\n');
	if (c->builtin)
		list_base(s, t, c, o);
	for (unsigned i = 0; i < c->rules->len; i++) {
		g_string_append(s, "\t\t");
		xt |= list_rule(s, c->rules->pdata[i], o);
		g_string_append_c(s, '\n');
	}
	g_string_append(s, "\t}\n");
	return xt;
}

/* Whether any rule of the table is kept as an xt expression (nft's
 * warning, printed while it reads the table's rules). */
static bool table_has_xt(const struct ipt_table *t)
{
	GString *scratch = g_string_new(NULL);
	struct nft_print_opts o = { 0 };
	bool xt = false;
	for (unsigned i = 0; i < t->chains->len; i++) {
		const struct ipt_chain *c = t->chains->pdata[i];
		for (unsigned k = 0; c->handle && k < c->rules->len; k++)
			xt |= list_rule(scratch, c->rules->pdata[k], &o);
	}
	g_string_free(scratch, TRUE);
	return xt;
}

static void warn(GString *err, const struct ipt_table *t)
{
	if (table_has_xt(t))
		g_string_append_printf(err, "# Warning: table ip %s is managed by iptables-nft, "
				       "do not touch!\n", ipt_table_name(t->id));
}

static void table_head(GString *s, const struct ipt_table *t, const struct nft_print_opts *o)
{
	g_string_append_printf(s, "table ip %s {", ipt_table_name(t->id));
	if (o->handles)
		g_string_append_printf(s, " # handle %" G_GUINT64_FORMAT, t->nft_handle);
	g_string_append_c(s, '\n');
}

static void list_table(GString *s, const struct ipt_table *t, const struct nft_print_opts *o)
{
	table_head(s, t, o);
	GPtrArray *chains = made_chains(t);
	for (unsigned i = 0; i < chains->len; i++) {
		if (i)
			g_string_append_c(s, '\n');
		list_chain(s, t, chains->pdata[i], o);
	}
	g_ptr_array_free(chains, TRUE);
	g_string_append(s, "}\n");
}

void nft_xt_list_table(GString *out, GString *err, const struct nft_ruleset *rs, int id,
		       const struct nft_print_opts *o)
{
	const struct ipt_table *t = xt_table(rs, id);
	if (!t)
		return;
	warn(err, t);
	list_table(out, t, o);
}

bool nft_xt_list_chain(GString *out, GString *err, const struct nft_ruleset *rs, int id,
		       const char *name, const struct nft_print_opts *o)
{
	struct ipt_table *t = xt_table(rs, id);
	struct ipt_chain *c = t ? ipt_chain_find(t, name) : NULL;
	if (!c || !c->handle)
		return false;
	/* the table's line without its handle, as nft prints it for a chain;
	 * nft reads only this chain's rules: the warning is for them */
	g_string_append_printf(out, "table ip %s {\n", ipt_table_name(t->id));
	if (list_chain(out, t, c, o))
		g_string_append_printf(err, "# Warning: table ip %s is managed by iptables-nft, "
				       "do not touch!\n", ipt_table_name(t->id));
	g_string_append(out, "}\n");
	return true;
}

/* list ruleset / list tables: nft's tables and iptables-nft's, in the
 * order nf_tables made them (their handles). */
void nft_xt_list_ruleset(GString *out, GString *err, const struct nft_ruleset *rs,
			 const struct nft_print_opts *o, bool names_only)
{
	unsigned ni = 0;
	int xi = 0;
	for (;;) {
		const struct nft_table *nt = ni < rs->tables->len ? rs->tables->pdata[ni] : NULL;
		const struct ipt_table *xt = NULL;
		int xid = -1;
		for (int i = 0; i < IPT_NTABLES; i++) {
			const struct ipt_table *t = xt_table(rs, i);
			if (t && (xi >> i & 1) == 0 && (!xt || t->nft_handle < xt->nft_handle)) {
				xt = t;
				xid = i;
			}
		}
		if (!nt && !xt)
			break;
		if (xt && (!nt || xt->nft_handle < nt->handle)) {
			xi |= 1 << xid;
			if (names_only) {
				g_string_append_printf(out, "table ip %s\n", ipt_table_name(xt->id));
			} else {
				warn(err, xt);
				list_table(out, xt, o);
			}
			continue;
		}
		ni++;
		if (names_only)
			g_string_append_printf(out, "table %s %s\n", nft_family_name(nt->family), nt->name);
		else
			nft_print_table(out, nt, o);
	}
}

/* ----- the commands naming an iptables-nft table (nft_parse.c's
 * command() hands them over): list, add (nothing to do), delete; other
 * changes are natsim's refusal ----- */

static bool list_xt_refuse(struct nft_parse *p, const struct nft_token *at, const char *v,
		      const struct nft_token *obj, int xid)
{
	nft_error(p, at, NULL, "natsim: nft %s %s of iptables-nft's table ip %s is not implemented",
		  v, obj->text, ipt_table_name(xid));
	return false;
}

/* flush table|chain: marked for nft_xt_commit (chain 0: every chain) */
static bool xt_flush(struct nft_parse *p, struct nft_ruleset *rs, const struct nft_token *at,
		     int xid, uint64_t chain)
{
	if (rs->n_xt_flushed >= G_N_ELEMENTS(rs->xt_flushed)) {
		nft_error(p, at, NULL, "natsim: nft more than %u flushes of iptables-nft's "
			  "tables in one batch is not implemented",
			  (unsigned)G_N_ELEMENTS(rs->xt_flushed));
		return false;
	}
	rs->xt_flushed[rs->n_xt_flushed++] = (uint64_t)xid << 56 | chain;
	return true;
}

bool nft_xt_table_cmd(struct nft_parse *p, struct nft_ruleset *rs, GString *out,
		      const struct nft_print_opts *o, const char *v, const struct nft_token *obj,
		      const struct nft_token *tn, int xid)
{
	if (!strcmp(v, "list")) {
		nft_xt_list_table(out, p->err, rs, xid, o);
		return true;
	}
	if (!strcmp(v, "delete")) {
		rs->xt_deleted |= 1u << xid;
		return true;
	}
	if (!strcmp(v, "create")) {
		nft_error(p, tn, NULL, "Could not process rule: File exists");
		return false;
	}
	if (!strcmp(v, "add") && nft_peek(p, 0)->type != NFT_T_LBRACE)
		return true;	/* it exists: nothing to do */
	if (!strcmp(v, "flush"))
		return xt_flush(p, rs, obj, xid, 0);
	return list_xt_refuse(p, obj, v, obj, xid);
}

int nft_xt_chain_table(struct nft_parse *p, const struct nft_ruleset *rs)
{
	const struct nft_token *t0 = nft_peek(p, 0);
	bool fam = nft_is_word(t0, "ip");
	const struct nft_token *name = fam ? nft_peek(p, 1) : t0;
	if (nft_is_word(t0, "inet") || (name->type != NFT_T_WORD && name->type != NFT_T_STRING))
		return -1;
	int xid = nft_xt_table_id(rs, NFT_FAMILY_IP, name->text);
	if (xid >= 0) {
		nft_next(p);
		if (fam)
			nft_next(p);
	}
	return xid;
}

bool nft_xt_chain_cmd(struct nft_parse *p, struct nft_ruleset *rs, GString *out,
		      const struct nft_print_opts *o, const char *v, const struct nft_token *obj,
		      int xid)
{
	const struct nft_token *cn = nft_next(p);
	if (cn->type != NFT_T_WORD && cn->type != NFT_T_STRING) {
		nft_error_unexpected(p, cn);
		return false;
	}
	if ((!strcmp(v, "add") || !strcmp(v, "create")) && nft_is_word(obj, "chain"))
		return nft_xt_add_chain(p, rs, v, cn, xid);
	if (!strcmp(v, "flush") && nft_is_word(obj, "chain")) {
		struct ipt_chain *c = ipt_chain_find(xt_table(rs, xid), cn->text);
		if (!c || !c->handle) {
			nft_error(p, cn, NULL, "Could not process rule: No such file or directory");
			return false;
		}
		return xt_flush(p, rs, obj, xid, c->handle);
	}
	if (strcmp(v, "list") || !nft_is_word(obj, "chain"))
		return list_xt_refuse(p, obj, v, obj, xid);
	if (!nft_xt_list_chain(out, p->err, rs, xid, cn->text, o)) {
		/* nft's cache lookup, before any netlink request */
		nft_error(p, cn, NULL, "No such file or directory");
		return false;
	}
	return true;
}

/* nf_tables_commit for iptables-nft's tables: deleted tables go with their
 * chains (iptables makes them anew), flushed chains lose their rules
 * (nft_flush_table / the rules' NFT_MSG_DELRULE: chains and handles stay). */
void nft_xt_commit(struct nf_ns *ns, struct nft_ruleset *rs, bool ok)
{
	nft_xt_commit_added(ns, rs, ok);
	for (unsigned i = 0; ok && ns->ipt && i < rs->n_xt_flushed; i++) {
		int id = (int)(rs->xt_flushed[i] >> 56);
		uint64_t h = rs->xt_flushed[i] & ((UINT64_C(1) << 56) - 1);
		struct ipt_table *t = &ns->ipt->tables[id];
		for (unsigned k = 0; t->chains && k < t->chains->len; k++) {
			struct ipt_chain *c = t->chains->pdata[k];
			if (c->handle && (!h || c->handle == h))
				ipt_chain_flush(c);
		}
	}
	for (int i = 0; ok && ns->ipt && i < IPT_NTABLES; i++)
		if (rs->xt_deleted & (1u << i))
			ipt_table_nft_delete(&ns->ipt->tables[i]);
	rs->xt_deleted = 0;
	rs->n_xt_flushed = 0;
}

/* The objects of iptables-nft's tables for `nft monitor` (nft_event.c):
 * what it sent, as nft decodes it (the rules as `nft list` shows them). */
void nft_xt_snapshot(const struct nft_ruleset *rs, GPtrArray *groups, GArray *handles)
{
	struct nft_print_opts o = { 0 }, ostl = { .stateless = true };
	for (int id = 0; id < IPT_NTABLES; id++) {
		const struct ipt_table *t = xt_table(rs, id);
		if (!t)
			continue;
		const char *name = ipt_table_name(t->id);
		char *tk = nft_ev_table_key("ip", name, t->nft_handle);
		GPtrArray *g = g_ptr_array_new();
		struct nft_ev_obj *e = nft_ev_add(g, NF_NFT_EV_TABLE, tk, g_strdup(tk));
		e->add = g_strdup_printf("add table ip %s", name);
		e->add_h = g_strdup_printf("%s # handle %" G_GUINT64_FORMAT, e->add, t->nft_handle);
		e->del = g_strdup_printf("delete table ip %s", name);
		e->del_h = g_strdup_printf("%s # handle %" G_GUINT64_FORMAT, e->del, t->nft_handle);
		e->cmp = g_strdup(e->add);
		GPtrArray *chains = made_chains(t);
		GString *s = g_string_new(NULL);
		for (unsigned i = 0; i < chains->len; i++) {
			const struct ipt_chain *c = chains->pdata[i];
			e = nft_ev_add(g, NF_NFT_EV_CHAIN, tk,
				       g_strdup_printf("%s C%" G_GUINT64_FORMAT, tk, c->handle));
			g_string_printf(s, "ip %s %s", name, c->name);
			if (c->builtin) {
				/* list_base's "\t\ttype ... policy P;\n" as " { ... }" */
				GString *b = g_string_new(NULL);
				list_base(b, t, c, &o);
				g_string_append_printf(s, " { %.*s }", (int)b->len - 3, b->str + 2);
				g_string_free(b, TRUE);
			}
			e->cmp = g_strdup(s->str);
			/* iptables -N sends NEWCHAIN with NLM_F_EXCL: nft says create */
			e->add = g_strdup_printf("%s chain %s", c->builtin ? "add" : "create", s->str);
			e->add_h = g_strdup_printf("%s # handle %" G_GUINT64_FORMAT, e->add, c->handle);
			e->del = g_strdup_printf("delete chain ip %s %s", name, c->name);
			e->del_h = g_strdup(e->del);
		}
		for (unsigned i = 0; i < chains->len; i++) {
			const struct ipt_chain *c = chains->pdata[i];
			for (unsigned k = 0; k < c->rules->len; k++) {
				const struct ipt_rule *r = c->rules->pdata[k];
				e = nft_ev_add(g, NF_NFT_EV_RULE, tk,
					       g_strdup_printf("%s R%" G_GUINT64_FORMAT, tk, r->handle));
				g_string_truncate(s, 0);
				list_rule(s, r, &o);
				e->add = g_strdup_printf("%s rule ip %s %s %s", r->inserted ? "insert" : "add",
						 name, c->name, s->str);
				e->add_h = g_strdup_printf("%s # handle %" G_GUINT64_FORMAT, e->add, r->handle);
				g_string_truncate(s, 0);
				list_rule(s, r, &ostl);
				e->cmp = g_strdup(s->str);
				e->del = g_strdup_printf("delete rule ip %s %s handle %" G_GUINT64_FORMAT, name,
							 c->name, r->handle);
				e->del_h = g_strdup(e->del);
				e->refs = g_strdup("");
			}
		}
		g_string_free(s, TRUE);
		g_ptr_array_free(chains, TRUE);
		g_free(tk);
		g_ptr_array_add(groups, g);
		uint64_t h = t->nft_handle;
		g_array_append_val(handles, h);
	}
}

void nft_xt_rule_traced(GString *s, const struct ipt_rule *r, uint64_t packets, uint64_t bytes)
{
	struct nft_print_opts o = { 0 };
	struct ipt_rule shown = *r;
	shown.packets = packets;
	shown.bytes = bytes;
	list_rule(s, &shown, &o);
}
