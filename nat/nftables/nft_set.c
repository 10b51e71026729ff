/* nft_set.c - named sets and maps, and the elements of any set: parsing,
 * nft's listing order and line breaks, copying and freeing.
 *
 * Design: elements are kept in the order `nft list` prints them, which is
 * the order of their values as nft compares them: a single big-endian
 * value (an address, a port, a protocol, a mark) numerically, anything
 * else (interface names, concatenations) as the kernel's bytes read as one
 * little-endian number (so "lo" < "wan" < "eth0", and a concatenation
 * sorts by its last field first). Lines break as nft's set printer breaks
 * them: five numbers, two addresses, or one of anything else per line.
 */
#include <string.h>

#include "nat/nftables/nft_int.h"
#include "nat/nftables/nft_keyword.h"

static const struct { const char *name; enum nft_dtype dt; } types[] = {
	{ "ipv4_addr", NFT_DT_IPV4 }, { "inet_service", NFT_DT_SERVICE },
	{ "inet_proto", NFT_DT_PROTO }, { "ifname", NFT_DT_IFNAME }, { "mark", NFT_DT_MARK },
	{ "ct_state", NFT_DT_CTSTATE }, { "icmp_type", NFT_DT_ICMPTYPE },
	{ "ipv6_addr", NFT_DT_IPV6 }, { "icmpv6_type", NFT_DT_ICMP6TYPE },
	{ "icmpv6_code", NFT_DT_ICMP6CODE },
};

const char *nft_dtype_name(enum nft_dtype dt)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(types); i++)
		if (types[i].dt == dt)
			return types[i].name;
	return "integer";
}

static bool dtype_of(const char *name, enum nft_dtype *dt)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(types); i++)
		if (!strcmp(types[i].name, name)) {
			*dt = types[i].dt;
			return true;
		}
	return false;
}

void nft_setelem_free(struct nft_setelem *e)
{
	if (!e)
		return;
	for (unsigned i = 0; i < e->key->len; i++)
		g_free(g_array_index(e->key, struct nft_elem, i).str);
	g_array_free(e->key, TRUE);
	if (e->data) {
		for (unsigned i = 0; i < e->data->len; i++)
			g_free(g_array_index(e->data, struct nft_elem, i).str);
		g_array_free(e->data, TRUE);
	}
	g_free(e->chain);
	g_free(e->comment);
	nft_stateful_list_free_state(&e->stmts);
	g_free(e);
}

static GArray *elems_clone(const GArray *a)
{
	GArray *c = g_array_new(FALSE, TRUE, sizeof(struct nft_elem));
	for (unsigned i = 0; a && i < a->len; i++) {
		struct nft_elem x = g_array_index(a, struct nft_elem, i);
		x.str = g_strdup(x.str);
		g_array_append_val(c, x);
	}
	return c;
}

struct nft_set *nft_set_new(const char *name, bool map)
{
	struct nft_set *s = g_new0(struct nft_set, 1);
	s->name = g_strdup(name);
	s->map = map;
	s->key_types = g_array_new(FALSE, TRUE, sizeof(enum nft_dtype));
	s->data_types = g_array_new(FALSE, TRUE, sizeof(enum nft_dtype));
	s->elems = g_ptr_array_new_with_free_func((GDestroyNotify)nft_setelem_free);
	return s;
}

void nft_set_free(struct nft_set *s)
{
	if (!s)
		return;
	g_array_free(s->key_types, TRUE);
	g_array_free(s->data_types, TRUE);
	g_ptr_array_free(s->elems, TRUE);
	g_free(s->name);
	g_free(s->comment);
	g_free(s);
}

struct nft_set *nft_set_clone(const struct nft_set *s)
{
	if (!s)
		return NULL;
	struct nft_set *c = nft_set_new(s->name, s->map);
	c->handle = s->handle;
	g_array_append_vals(c->key_types, s->key_types->data, s->key_types->len);
	g_array_append_vals(c->data_types, s->data_types->data, s->data_types->len);
	c->data_verdict = s->data_verdict;
	c->flags = s->flags;
	c->timeout_ms = s->timeout_ms;
	c->gc_interval_ms = s->gc_interval_ms;
	c->size = s->size;
	c->comment = g_strdup(s->comment);
	c->stmts = s->stmts;
	c->meter = s->meter;
	for (unsigned i = 0; i < s->elems->len; i++) {
		const struct nft_setelem *e = s->elems->pdata[i];
		struct nft_setelem *x = g_memdup2(e, sizeof(*e));
		x->key = elems_clone(e->key);
		x->data = e->data ? elems_clone(e->data) : NULL;
		x->chain = g_strdup(e->chain);
		x->comment = g_strdup(e->comment);
		nft_stateful_list_copy_state(&x->stmts);
		g_ptr_array_add(c->elems, x);
	}
	return c;
}

/* The kernel's bytes of one key (nft_set_elem's key register layout):
 * fields padded to 4 bytes, big-endian values, names as stored. */
static void key_bytes(const struct nft_set *s, const struct nft_setelem *e, guint8 *b, unsigned *n)
{
	*n = 0;
	for (unsigned i = 0; i < e->key->len && *n + 16 <= 64; i++) {
		enum nft_dtype dt = g_array_index(s->key_types, enum nft_dtype, i);
		const struct nft_elem *v = &g_array_index(e->key, struct nft_elem, i);
		memset(b + *n, 0, 16);
		if (dt == NFT_DT_IFNAME) {
			strncpy((char *)b + *n, v->str ? v->str : "", 16);
			*n += 16;
		} else if (dt == NFT_DT_SERVICE) {
			b[*n] = (guint8)(v->lo >> 8);
			b[*n + 1] = (guint8)v->lo;
			*n += 4;
		} else if (dt == NFT_DT_IPV6) {
			nft_ip6_addr(v, false, b + *n);
			*n += 16;
		} else if (dt == NFT_DT_PROTO || dt == NFT_DT_ICMPTYPE || dt == NFT_DT_ICMP6TYPE ||
			   dt == NFT_DT_ICMP6CODE) {
			b[*n] = (guint8)v->lo;
			*n += 4;
		} else if (dt == NFT_DT_MARK || dt == NFT_DT_CTSTATE) {
			memcpy(b + *n, &v->lo, 4);	/* host order */
			*n += 4;
		} else {
			for (int k = 0; k < 4; k++)
				b[*n + k] = (guint8)(v->lo >> (24 - 8 * k));
			*n += 4;
		}
	}
}

static int elem_order(gconstpointer pa, gconstpointer pb, gpointer set)
{
	const struct nft_set *s = set;
	const struct nft_setelem *a = *(struct nft_setelem *const *)pa;
	const struct nft_setelem *b = *(struct nft_setelem *const *)pb;
	enum nft_dtype dt = g_array_index(s->key_types, enum nft_dtype, 0);
	if (s->key_types->len == 1 && dt == NFT_DT_IPV6)
		return nft_ip6_cmp(&g_array_index(a->key, struct nft_elem, 0),
				   &g_array_index(b->key, struct nft_elem, 0));
	if (s->key_types->len == 1 && dt != NFT_DT_IFNAME) {
		uint32_t x = g_array_index(a->key, struct nft_elem, 0).lo;
		uint32_t y = g_array_index(b->key, struct nft_elem, 0).lo;
		return x < y ? -1 : x > y;
	}
	guint8 ka[64], kb[64];
	unsigned na, nb;
	key_bytes(s, a, ka, &na);
	key_bytes(s, b, kb, &nb);
	for (int i = (int)MAX(na, nb) - 1; i >= 0; i--) {
		guint8 x = (unsigned)i < na ? ka[i] : 0, y = (unsigned)i < nb ? kb[i] : 0;
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

void nft_set_sort(struct nft_set *s)
{
	if (s->key_types->len)
		g_ptr_array_sort_with_data(s->elems, elem_order, s);
}

static bool parse_verdict(struct nft_parse *p, struct nft_setelem *e)
{
	static const char *const v[] = { "accept", "drop", "return", "continue", "jump", "goto" };
	const struct nft_token *t = nft_next(p);
	for (unsigned i = 0; i < G_N_ELEMENTS(v); i++)
		if (nft_is_word(t, v[i])) {
			e->verdict = (enum nft_verdict)i;
			if (i >= NFT_JUMP) {
				const struct nft_token *c;
				if (!nft_chain_ref(p, &c, "string or '$'"))
					return false;
				e->chain = g_strdup(c->text);
				e->chain_loc = (struct nft_loc){ c->line, c->col, c->len };
			}
			return true;
		}
	nft_error_unexpected(p, t);
	return false;
}

/* VALUE [. VALUE]... of the given types into a. */
static bool parse_tuple(struct nft_parse *p, const GArray *types, GArray *a)
{
	for (unsigned i = 0; i < types->len; i++) {
		if (i > 0) {
			if (!nft_is_word(nft_peek(p, 0), ".")) {
				nft_error_unexpected(p, nft_peek(p, 0));
				return false;
			}
			nft_next(p);
		}
		const struct nft_token *t = nft_next(p);
		enum nft_dtype dt = g_array_index(types, enum nft_dtype, i);
		struct nft_elem v;
		const char *why;
		if ((t->type != NFT_T_WORD && !(t->type == NFT_T_STRING && dt == NFT_DT_IFNAME))) {
			nft_error_unexpected(p, t);
			return false;
		}
		if (!nft_parse_value(dt, t->text, &v, &why)) {
			nft_error(p, t, NULL, "%s", why ? why : "Could not parse set element");
			return false;
		}
		g_array_append_val(a, v);
	}
	return true;
}

/* `{ ELEM, ELEM ... }` (the parser at the `{`) into s, then sorted. */
bool nft_parse_elements(struct nft_parse *p, struct nft_set *s)
{
	nft_next(p);
	for (;;) {
		while (nft_peek(p, 0)->type == NFT_T_NL)
			nft_next(p);
		if (nft_peek(p, 0)->type == NFT_T_RBRACE) {
			nft_next(p);
			break;
		}
		struct nft_setelem *e = g_new0(struct nft_setelem, 1);
		e->key = g_array_new(FALSE, TRUE, sizeof(struct nft_elem));
		g_ptr_array_add(s->elems, e);
		const struct nft_token *first = nft_peek(p, 0);
		if (!parse_tuple(p, s->key_types, e->key))
			return false;
		const struct nft_token *last = &g_array_index(p->toks, struct nft_token, p->pos - 1);
		e->loc = (struct nft_loc){ first->line, first->col,
					   last->line == first->line ? last->col + last->len - first->col : first->len };
		/* nft's set_elem_expr: KEY [STMT]... [timeout|expires|comment]... */
		if (!nft_parse_stateful_list(p, &e->stmts, true) || !nft_parse_elem_options(p, e))
			return false;
		if (!s->map && nft_stateful_start(p, false)) {
			nft_error(p, nft_peek(p, 0), NULL,
				  "syntax error, unexpected %s, expecting comma or '}'", nft_peek(p, 0)->text);
			return false;
		}
		/* an anonymous set is checked at once (nft_set_block's named
		 * sets once their declaration is read) */
		if (!*s->name && !nft_setelem_stmts_check(p, s, e))
			return false;
		if (s->map) {
			if (!nft_is_word(nft_peek(p, 0), ":")) {
				nft_error_unexpected(p, nft_peek(p, 0));
				return false;
			}
			nft_next(p);
			if (s->data_verdict) {
				if (!parse_verdict(p, e))
					return false;
			} else {
				e->data = g_array_new(FALSE, TRUE, sizeof(struct nft_elem));
				if (!parse_tuple(p, s->data_types, e->data))
					return false;
			}
		}
		while (nft_peek(p, 0)->type == NFT_T_NL)
			nft_next(p);
		if (nft_peek(p, 0)->type == NFT_T_COMMA)
			nft_next(p);
		else if (nft_peek(p, 0)->type != NFT_T_RBRACE) {
			nft_error_unexpected(p, nft_peek(p, 0));
			return false;
		}
	}
	nft_set_sort(s);
	return true;
}

/* Two elements with the same key (the data does not count). */
bool nft_setelem_same(const struct nft_setelem *a, const struct nft_setelem *b)
{
	if (a->key->len != b->key->len)
		return false;
	for (unsigned i = 0; i < a->key->len; i++) {
		const struct nft_elem *x = &g_array_index(a->key, struct nft_elem, i);
		const struct nft_elem *y = &g_array_index(b->key, struct nft_elem, i);
		if (x->lo != y->lo || x->hi != y->hi || x->plen != y->plen ||
		    g_strcmp0(x->str, y->str) != 0)
			return false;
	}
	return true;
}

/* `T [. T]...` */
static bool parse_types(struct nft_parse *p, GArray *a)
{
	for (;;) {
		const struct nft_token *t = nft_next(p);
		enum nft_dtype dt;
		if (t->type != NFT_T_WORD || !dtype_of(t->text, &dt)) {
			nft_error(p, t, NULL, "natsim: nft set type %s is not implemented", t->text);
			return false;
		}
		g_array_append_val(a, dt);
		if (!nft_is_word(nft_peek(p, 0), "."))
			return true;
		nft_next(p);
	}
}

/* `set NAME { ... }` / `map NAME { ... }` body (the parser at the `{`). */
bool nft_parse_set_block(struct nft_parse *p, struct nft_set *s)
{
	bool failed = false;
	unsigned from_stmts = G_MAXUINT;	/* the first element of this block */
	/* what bison expects after the last line when a `}` follows it
	 * directly: set_block's lines end with a stmt_separator, but for
	 * elements and auto-merge (NULL) */
	const char *need = NULL;
	nft_next(p);
	for (;;) {
		if (need && nft_peek(p, 0)->type == NFT_T_RBRACE) {
			if (*need)
				nft_error_expecting(p, nft_peek(p, 0), need);
			else
				nft_error_unexpected(p, nft_peek(p, 0));
			nft_next(p);	/* bison's recovery takes the `}` */
			failed = true;
		}
		while (nft_peek(p, 0)->type == NFT_T_NL || nft_peek(p, 0)->type == NFT_T_SEMI)
			nft_next(p);
		const struct nft_token *t = nft_next(p);
		if (t->type == NFT_T_RBRACE)
			break;
		need = nft_is_word(t, "type") || nft_is_word(t, "typeof") ?
			       "newline or semicolon or ." :
		       nft_is_word(t, "flags") ? "newline or semicolon or comma" :
		       nft_is_word(t, "counter") ? "" :
		       nft_is_word(t, "elements") || nft_is_word(t, "auto-merge") ? NULL :
		       "newline or semicolon";
		if (nft_is_word(t, "type")) {
			g_array_set_size(s->key_types, 0);
			if (!parse_types(p, s->key_types))
				return false;
			if (s->map) {
				if (!nft_is_word(nft_next(p), ":")) {
					nft_error_unexpected(p, nft_peek(p, 0));
					return false;
				}
				if (nft_is_word(nft_peek(p, 0), "verdict")) {
					nft_next(p);
					s->data_verdict = true;
				} else if (!parse_types(p, s->data_types)) {
					return false;
				}
			}
		} else if (nft_is_word(t, "flags")) {
			for (;;) {
				const struct nft_token *f = nft_next(p);
				if (nft_is_word(f, "interval"))
					s->flags |= NFT_SET_F_INTERVAL;
				else if (nft_is_word(f, "timeout"))
					s->flags |= NFT_SET_F_TIMEOUT;
				else if (nft_is_word(f, "constant"))
					s->flags |= NFT_SET_F_CONSTANT;
				else if (nft_is_word(f, "dynamic"))
					s->flags |= NFT_SET_F_DYNAMIC;
				else {
					nft_error_unexpected(p, f);
					return false;
				}
				if (nft_peek(p, 0)->type != NFT_T_COMMA)
					break;
				nft_next(p);
			}
		} else if (nft_is_word(t, "timeout")) {
			const struct nft_token *v = nft_next(p);
			if (v->type != NFT_T_WORD || !nft_parse_time(v->text, &s->timeout_ms)) {
				nft_error(p, v, NULL, "Wrong timeout format");
				return false;
			}
		} else if (nft_is_word(t, "gc-interval")) {
			const struct nft_token *v = nft_next(p);
			if (v->type != NFT_T_WORD || !nft_parse_time(v->text, &s->gc_interval_ms)) {
				nft_error(p, v, NULL, "Wrong timeout format");
				return false;
			}
		} else if (nft_is_word(t, "size")) {
			const struct nft_token *v = nft_next(p);
			uint32_t n;
			struct nft_elem e;
			const char *why;
			if (v->type != NFT_T_WORD || !nft_parse_value(NFT_DT_INTEGER, v->text, &e, &why)) {
				nft_error_unexpected(p, v);
				return false;
			}
			n = e.lo;
			s->size = n;
		} else if (nft_is_word(t, "comment")) {
			const struct nft_token *v = nft_next(p);
			if (v->type != NFT_T_STRING && v->type != NFT_T_WORD) {
				nft_error_unexpected(p, v);
				return false;
			}
			g_free(s->comment);
			s->comment = g_strdup(v->text);
		} else if (nft_is_word(t, "counter") || nft_is_word(t, "limit") ||
			   nft_is_word(t, "quota") ||
			   (nft_is_word(t, "ct") && nft_is_word(nft_peek(p, 0), "count"))) {
			/* `counter; limit ...;`: each element's (nft_setelem_expr.c) */
			p->pos--;
			if (!nft_parse_stateful_list(p, &s->stmts, false))
				return false;
		} else if (nft_is_word(t, "elements")) {
			if (!nft_is_word(nft_next(p), "=") || nft_peek(p, 0)->type != NFT_T_LBRACE) {
				nft_error_unexpected(p, nft_peek(p, 0));
				return false;
			}
			if (!s->key_types->len) {
				nft_error(p, t, NULL, "set definition does not specify key");
				return false;
			}
			unsigned from = s->elems->len;
			if (!nft_parse_elements(p, s)) {
				if (!p->resync)
					return false;
				/* bison's recovery in the set block (its
				 * common_block); p->resync stays set for the
				 * caller's going on */
				nft_skip_line(p);
				failed = true;
			}
			for (unsigned i = from; i < s->elems->len; i++)
				if (!nft_setelem_check(p, s, s->elems->pdata[i]))
					return false;
			from_stmts = MIN(from_stmts, from);
		} else if (t->type == NFT_T_WORD) {
			nft_error(p, t, NULL, "natsim: nft set option %s is not implemented", t->text);
			return false;
		} else {
			nft_error_unexpected(p, t);
			return false;
		}
	}
	if (failed)
		return false;
	if (!s->key_types->len) {
		nft_error(p, nft_peek(p, 0), NULL, "set definition does not specify key");
		return false;
	}
	for (unsigned i = from_stmts; i < s->elems->len; i++)
		if (!nft_setelem_stmts_check(p, s, s->elems->pdata[i]))
			return false;
	return true;
}

static void print_tuple(GString *out, const GArray *types, const GArray *vals, bool numeric)
{
	for (unsigned i = 0; i < vals->len; i++) {
		if (i)
			g_string_append(out, " . ");
		nft_print_elem(out, g_array_index(types, enum nft_dtype, i),
			       &g_array_index(vals, struct nft_elem, i), numeric);
	}
}

/* How many elements nft prints per line (calculate_delim). */
static unsigned per_line(const struct nft_set *s)
{
	if (s->key_types->len != 1)
		return 1;
	switch (g_array_index(s->key_types, enum nft_dtype, 0)) {
	case NFT_DT_SERVICE: case NFT_DT_PROTO: case NFT_DT_MARK: case NFT_DT_INTEGER:
	case NFT_DT_NFPROTO: case NFT_DT_TCPFLAG: case NFT_DT_CTDIR:
		return 5;
	case NFT_DT_IPV4: case NFT_DT_CTSTATE: case NFT_DT_CTSTATUS: case NFT_DT_PKTTYPE:
		return 2;
	default:
		return 1;
	}
}

static void print_elems(GString *out, const struct nft_set *s, bool anonymous,
			const struct nft_print_opts *o);

void nft_print_set_elems(GString *out, const struct nft_set *s, bool anonymous, bool numeric)
{
	struct nft_print_opts o = { .numeric = numeric, .now = 0 };
	print_elems(out, s, anonymous, &o);
}

/* A named set's elements, with their timeouts (nft_settimeout.c); expired
 * elements are not listed. A meter's set is anonymous to the kernel, so
 * nft's calculate_delim keeps its elements on one line. */
void nft_print_set_elems_at(GString *out, const struct nft_set *s, const struct nft_print_opts *o)
{
	print_elems(out, s, s->meter, o);
}

static void print_elems(GString *out, const struct nft_set *s, bool anonymous,
			const struct nft_print_opts *o)
{
	bool numeric = o->numeric;
	static const char *const verdicts[] = { "accept", "drop", "return", "continue", "jump", "goto" };
	unsigned n = anonymous ? G_MAXUINT : per_line(s);
	g_string_append(out, "{ ");
	for (unsigned k = 0, i = 0; k < s->elems->len; k++) {
		const struct nft_setelem *e = s->elems->pdata[k];
		if (nft_setelem_expired(e, o->now))
			continue;
		if (i)
			g_string_append(out, i % n ? ", " : ",\n\t\t\t     ");
		i++;
		print_tuple(out, s->key_types, e->key, numeric);
		/* set_elem_expr_print: statements, timeout, expires, comment */
		nft_print_stateful_list(out, &e->stmts, o->stateless, true);
		nft_print_elem_timeout(out, s, e, o->stateless, numeric, o->now);
		if (e->comment)
			g_string_append_printf(out, " comment \"%s\"", e->comment);
		if (s->map) {
			g_string_append(out, " : ");
			if (s->data_verdict) {
				g_string_append(out, verdicts[e->verdict]);
				if (e->chain)
					g_string_append_printf(out, " %s", e->chain);
			} else {
				print_tuple(out, s->data_types, e->data, numeric);
			}
		}
	}
	g_string_append(out, " }");
}
