/* nft_flowtable.c - flowtables of the ruleset model: `flowtable NAME {
 * hook ingress priority P; devices = { ... }; [counter;] }` parsed, held,
 * copied and listed as nft 1.0.6 lists them, and the `flow add @NAME`
 * statement that names one.
 *
 * Design: this is the model only (what nf_tables keeps of a flowtable and
 * what `nft list` prints); the software fast path a flowtable stands for
 * (nf_flow_table_core.c, nf_flow_table_ip.c) is nft_flow_offload.c's.
 * Facts follow nft 1.0.6's source (parser_bison.y's flowtable_block,
 * rule.c's flowtable_print_declaration, prio2str for NFPROTO_NETDEV) and
 * the kernel's (nf_tables_newflowtable, nft_flowtable_parse_hook: ingress
 * only; nf_tables_parse_netdev_hooks: a device once;
 * nf_tables_delflowtable: EBUSY while a rule uses it), not a kernel
 * comparison: this machine's kernel has no nf_flow_table.
 */
#include <stdlib.h>
#include <string.h>

#include "nat/nftables/nft_int.h"

struct nft_flowtable *nft_flowtable_new(const char *name)
{
	struct nft_flowtable *ft = g_new0(struct nft_flowtable, 1);
	ft->name = g_strdup(name);
	ft->devs = g_ptr_array_new_with_free_func(g_free);
	return ft;
}

void nft_flowtable_free(struct nft_flowtable *ft)
{
	if (!ft)
		return;
	g_ptr_array_free(ft->devs, TRUE);
	g_free(ft->name);
	g_free(ft);
}

struct nft_flowtable *nft_flowtable_clone(const struct nft_flowtable *ft)
{
	struct nft_flowtable *c = g_memdup2(ft, sizeof(*ft));
	c->name = g_strdup(ft->name);
	c->devs = g_ptr_array_new_with_free_func(g_free);
	for (unsigned i = 0; i < ft->devs->len; i++)
		g_ptr_array_add(c->devs, g_strdup(ft->devs->pdata[i]));
	return c;
}

struct nft_flowtable *nft_flowtable_find(const struct nft_table *t, const char *name)
{
	for (unsigned i = 0; t->flowtables && i < t->flowtables->len; i++) {
		struct nft_flowtable *ft = t->flowtables->pdata[i];
		if (!strcmp(ft->name, name))
			return ft;
	}
	return NULL;
}

/* Does a rule of t offload to the flowtable (`flow add @NAME`)? The
 * kernel's flowtable->use, which nf_tables_delflowtable checks. */
static bool offloads_to(const struct nft_expr *e, const void *name)
{
	return e->kind == NFT_EXPR_FLOW_OFFLOAD && !strcmp(e->set_ref, name);
}

bool nft_flowtable_in_use(const struct nft_table *t, const char *name)
{
	return nft_table_any_expr(t, offloads_to, name);
}

static bool sep(const struct nft_token *t)
{
	return t->type == NFT_T_NL || t->type == NFT_T_SEMI;
}

/* bison's "syntax error, unexpected X, expecting Y" at t. */
static void expecting(struct nft_parse *p, const struct nft_token *t, const char *what)
{
	const char *got = t->type == NFT_T_NL ? "newline" : t->type == NFT_T_SEMI ? "semicolon" :
			  t->type == NFT_T_RBRACE ? "'}'" : t->type == NFT_T_STRING ? "quoted string" :
			  t->type == NFT_T_COMMA ? "comma" : t->type == NFT_T_LBRACE ? "'{'" :
			  t->type == NFT_T_EOF ? "end of file" : "string";
	nft_error(p, t, NULL, "syntax error, unexpected %s, expecting %s", got, what);
}

/* `priority P` of a flowtable (the parser at `priority`): a number, or a
 * standard name valid for NFPROTO_NETDEV at ingress (std_prio_lookup:
 * only `filter`); flowtable_evaluate's error marks `priority P`. */
static bool ft_prio(struct nft_parse *p, int *prio)
{
	const struct nft_token *kw = nft_next(p);
	const struct nft_token *pr = nft_next(p);
	char *e;
	long v = pr->type == NFT_T_WORD ? strtol(pr->text, &e, 10) : 0;
	if (pr->type == NFT_T_WORD && nft_is_word(pr, "filter")) {
		*prio = 0;
	} else if (pr->type == NFT_T_WORD && pr->text[0] && !*e && v >= -2147483647L &&
		   v <= 2147483647L) {
		*prio = (int)v;
	} else {
		struct nft_token span = *kw;
		if (pr->line == kw->line)
			span.len = pr->col + pr->len - kw->col;
		nft_error(p, &span, NULL, "invalid priority expression value.");
		return false;
	}
	if (nft_is_word(nft_peek(p, 0), "+") || nft_is_word(nft_peek(p, 0), "-")) {
		nft_error(p, nft_peek(p, 0), NULL, "natsim: nft priority expressions are not implemented");
		return false;
	}
	return true;
}

/* `hook NAME priority P` (the parser after `hook`): chain_hookname_lookup
 * knows the inet hooks' names too, and flowtable_evaluate refuses them for
 * NFPROTO_NETDEV; egress is a netdev hook the kernel refuses for a
 * flowtable (nft_flowtable_parse_hook: EOPNOTSUPP). */
static bool ft_hook(struct nft_parse *p, struct nft_flowtable *ft, const struct nft_token *name,
		    const char **kerr)
{
	static const char *const inet_hooks[] = { "prerouting", "input", "forward", "output",
						  "postrouting" };
	const struct nft_token *h = nft_next(p);
	if (h->type != NFT_T_WORD && h->type != NFT_T_STRING) {
		expecting(p, h, "string");
		return false;
	}
	bool ingress = nft_is_word(h, "ingress"), egress = nft_is_word(h, "egress");
	bool inet = false;
	for (unsigned i = 0; i < G_N_ELEMENTS(inet_hooks); i++)
		inet |= nft_is_word(h, inet_hooks[i]);
	if (!ingress && !egress && !inet) {
		nft_error(p, h, NULL, "unknown chain hook");
		return false;
	}
	const struct nft_token *kw = nft_peek(p, 0);
	if (!nft_is_word(kw, "priority")) {
		expecting(p, kw, "priority");
		return false;
	}
	if (!ft_prio(p, &ft->prio))
		return false;
	if (!sep(nft_peek(p, 0))) {
		expecting(p, nft_peek(p, 0), "newline or semicolon");
		return false;
	}
	if (inet) {
		nft_error(p, name, NULL, "invalid hook %s", h->text);
		return false;
	}
	if (egress)
		*kerr = "Operation not supported";
	return true;
}

/* After an error: past the block's closing brace (depth: braces open). */
static void skip_block(struct nft_parse *p, int depth)
{
	while (depth > 0) {
		const struct nft_token *t = nft_peek(p, 0);
		if (t->type == NFT_T_EOF)
			return;
		if (t->type == NFT_T_LBRACE)
			depth++;
		if (t->type == NFT_T_RBRACE)
			depth--;
		nft_next(p);
	}
}

/* An error inside `devices = { ... }`: past its closing brace, unless
 * the culprit was that brace. */
static bool devices_fail(struct nft_parse *p, const struct nft_token *culprit)
{
	if (culprit->type != NFT_T_RBRACE)
		skip_block(p, 1);
	return false;
}

/* `devices = { "eth0", eth1 }` (the parser after `devices`): the names in
 * the order given (the kernel's), each once (nf_tables_parse_netdev_hooks:
 * EEXIST). */
static bool ft_devices(struct nft_parse *p, struct nft_flowtable *ft, const char **kerr)
{
	const struct nft_token *eq = nft_next(p);
	if (!nft_is_word(eq, "=")) {
		expecting(p, eq, "'='");
		return false;
	}
	const struct nft_token *lb = nft_next(p);
	if ((lb->type == NFT_T_WORD || lb->type == NFT_T_STRING) &&
	    (lb->line < eq->line || (lb->line == eq->line && lb->col < eq->col))) {
		/* `devices = $VAR` of one name (flowtable_expr's variable_expr):
		 * an expanded token keeps its definition's place, before `=` */
		g_ptr_array_add(ft->devs, g_strdup(lb->text));
	} else if (lb->type != NFT_T_LBRACE) {
		expecting(p, lb, "'{' or '$'");
		return false;
	}
	/* flowtable_list_expr: MEMBER, then `, MEMBER`, or `,` and one
	 * newline (a list again: only `,` or `}` may follow) */
	bool need_member = true;
	while (lb->type == NFT_T_LBRACE) {	/* left by the closing brace */
		const struct nft_token *d = nft_next(p);
		if (need_member) {
			if (d->type != NFT_T_WORD && d->type != NFT_T_STRING) {
				expecting(p, d, "string or quoted string or '$'");
				return devices_fail(p, d);
			}
			bool dup = false;
			for (unsigned i = 0; i < ft->devs->len; i++)
				dup |= !strcmp(ft->devs->pdata[i], d->text);
			if (dup)
				*kerr = "File exists";
			else
				g_ptr_array_add(ft->devs, g_strdup(d->text));
			need_member = false;
			continue;
		}
		if (d->type == NFT_T_RBRACE)
			break;
		if (d->type != NFT_T_COMMA) {
			expecting(p, d, "comma or '}'");
			return devices_fail(p, d);
		}
		const struct nft_token *n = nft_peek(p, 0);
		if (n->type == NFT_T_NL)
			nft_next(p);
		else if (n->type == NFT_T_WORD || n->type == NFT_T_STRING)
			need_member = true;
	}
	if (!sep(nft_peek(p, 0))) {
		expecting(p, nft_peek(p, 0), "newline or semicolon");
		return false;
	}
	return true;
}

/* `{ ... }` of a flowtable (the parser at `{`; name: the flowtable's name,
 * where flowtable_evaluate's errors point). What only the kernel refuses
 * (a device twice, the egress hook) is left in *kerr (NULL: nothing) for
 * the caller to report where nft's error location for the command is. */
bool nft_parse_flowtable_block(struct nft_parse *p, struct nft_flowtable *ft,
			       const struct nft_token *name, const char **kerr)
{
	*kerr = NULL;
	const struct nft_token *lb = nft_next(p);
	if (lb->type != NFT_T_LBRACE) {
		expecting(p, lb, "'{'");
		return false;
	}
	for (;;) {
		const struct nft_token *t = nft_next(p);
		if (sep(t))
			continue;
		if (t->type == NFT_T_RBRACE)
			return true;
		if (t->type == NFT_T_EOF) {
			nft_error_unexpected(p, t);
			return false;
		}
		bool ok;
		if (nft_is_word(t, "hook")) {
			ok = ft_hook(p, ft, name, kerr);
		} else if (nft_is_word(t, "devices")) {
			ok = ft_devices(p, ft, kerr);
		} else if (nft_is_word(t, "counter")) {
			ft->counter = true;
			ok = true;
		} else if (nft_is_word(t, "flags") && nft_is_word(nft_peek(p, 0), "offload")) {
			/* NFT_FLOWTABLE_HW_OFFLOAD: kept, listed, and said
			 * (nft_flowtable_say) */
			nft_next(p);
			ft->hw_offload = true;
			ok = true;
		} else {
			nft_error_unexpected(p, t);
			ok = false;
		}
		if (!ok) {
			skip_block(p, 1);
			return false;
		}
	}
}

static int dev_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* flowtable_print_declaration: the hook line always (nft sends hook 0,
 * priority 0 when none is given), the devices sorted by strcmp
 * (netlink_delinearize_flowtable's qsort: the kernel keeps them in the
 * order given), counter; the priority as prio2str names it for
 * NFPROTO_NETDEV (filter +- 10, else the number). */
void nft_print_flowtable(GString *s, const struct nft_flowtable *ft, const struct nft_print_opts *o)
{
	g_string_append_printf(s, "\tflowtable %s {", ft->name);
	if (o->handles)
		g_string_append_printf(s, " # handle %" G_GUINT64_FORMAT, ft->handle);
	g_string_append(s, "\n\t\thook ingress priority ");
	if (!o->numeric && ft->prio >= -10 && ft->prio <= 10) {
		g_string_append(s, "filter");
		if (ft->prio)
			g_string_append_printf(s, " %c %d", ft->prio < 0 ? '-' : '+',
					       ft->prio < 0 ? -ft->prio : ft->prio);
	} else {
		g_string_append_printf(s, "%d", ft->prio);
	}
	g_string_append_c(s, '\n');
	if (ft->devs->len) {
		GPtrArray *sorted = g_ptr_array_sized_new(ft->devs->len);	/* borrows */
		for (unsigned i = 0; i < ft->devs->len; i++)
			g_ptr_array_add(sorted, ft->devs->pdata[i]);
		g_ptr_array_sort(sorted, dev_cmp);
		g_string_append(s, "\t\tdevices = { ");
		for (unsigned i = 0; i < sorted->len; i++)
			g_string_append_printf(s, "%s%s", i ? ", " : "", (char *)sorted->pdata[i]);
		g_string_append(s, " }\n");
		g_ptr_array_free(sorted, TRUE);
	}
	if (ft->hw_offload)
		g_string_append(s, "\t\tflags offload\n");
	if (ft->counter)
		g_string_append(s, "\t\tcounter\n");
	g_string_append(s, "\t}\n");
}

/* `flow add @NAME` (and the older input `flow offload @NAME`): the
 * flowtable is looked up by the kernel (nft_flow_offload_init: ENOENT),
 * once the batch is applied (it may come later in the file); the error
 * marks the statement (chain_loc). */
bool nft_parse_flow_offload(struct nft_parse *p, struct nft_rule *r)
{
	const struct nft_token *flow = nft_next(p);
	nft_next(p);	/* add, offload */
	const struct nft_token *at = nft_next(p);
	if (at->type != NFT_T_WORD || at->text[0] != '@') {
		expecting(p, at, "@");
		return false;
	}
	if (!at->text[1]) {
		expecting(p, nft_peek(p, 0),
			  "string or quoted string or string with a trailing asterisk");
		return false;
	}
	struct nft_expr *e = g_new0(struct nft_expr, 1);
	e->kind = NFT_EXPR_FLOW_OFFLOAD;
	e->level = -1;
	e->set_ref = g_strdup(at->text + 1);
	e->chain_loc = (struct nft_loc){ flow->line, flow->col,
		at->line == flow->line ? at->col + at->len - flow->col : flow->len };
	g_ptr_array_add(r->exprs, e);
	return true;
}

/* `flags offload` asks the devices' drivers to take the flows into their
 * own flow tables (nf_flow_table_offload_setup through ndo_setup_tc; a
 * device without one makes the kernel refuse the flowtable). natsim's
 * devices have no such hardware: the flows take the software fast path,
 * and `conntrack -L` shows [OFFLOAD] where hardware would show
 * [HW_OFFLOAD]. Said once per run. */
void nft_flowtable_say(struct nft_ruleset *rs, GString *err)
{
	const unsigned said = 1u << 30;	/* rs->said: the hardware offload line */
	if (rs->said & said)
		return;
	for (unsigned i = 0; i < rs->tables->len; i++) {
		const struct nft_table *t = rs->tables->pdata[i];
		for (unsigned k = 0; k < t->flowtables->len; k++) {
			const struct nft_flowtable *ft = t->flowtables->pdata[k];
			if (!ft->hw_offload)
				continue;
			rs->said |= said;
			g_string_append_printf(err, "natsim: nft flowtable %s: hardware offload "
					       "(flags offload) is not implemented: natsim's devices "
					       "have no flow offload hardware, the flows take the "
					       "software fast path\n", ft->name);
			return;
		}
	}
}
