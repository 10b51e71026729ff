/* nft_stateful.c - nft's limit, quota and counter with state: the
 * statements `limit rate ...` and `quota ...`, the named objects `counter|
 * quota|limit NAME { ... }` of a table, their parse, listing and
 * evaluation on packets.
 *
 * Design: one struct nft_limit / nft_quota holds a statement's or an
 * object's parameters together with its state (the kernel's priv and its
 * state), so a statement and an object share the parser, the printer and
 * the evaluation, and the state goes along when natsim copies the ruleset
 * for a transaction. The limit is nft_limit.c's token bucket in
 * nanoseconds of the simulated clock: a packet costs unit/rate (a byte
 * limit unit*len/rate), the bucket holds burst packets (a byte limit
 * unit*(rate+burst)/rate) and is full when the rule is made, so starting
 * its clock at the first packet is the same. The quota is nft_quota.c's:
 * each packet's length is added first, and the quota is used up once the
 * sum reaches it. Sizes print as nft's get_rate prints them: the largest
 * of bytes, kbytes, mbytes that shows the number whole.
 */
#include <string.h>

#include "nat/nftables/nft_int.h"

#define NSEC_PER_SEC 1000000000ull
#define NFT_LIMIT_PKT_BURST_DEFAULT 5

static const char *const data_units[] = { "bytes", "kbytes", "mbytes", NULL };
static const struct { const char *name; uint64_t secs; } time_units[] = {
	{ "second", 1 }, { "minute", 60 }, { "hour", 3600 }, { "day", 86400 }, { "week", 604800 },
};

/* data_unit_parse: bytes, kbytes, mbytes as a multiplier */
static bool data_unit(const char *s, size_t len, uint64_t *mult)
{
	uint64_t m = 1;
	for (int i = 0; data_units[i]; i++, m *= 1024)
		if (strlen(data_units[i]) == len && !strncmp(s, data_units[i], len)) {
			*mult = m;
			return true;
		}
	return false;
}

static bool time_unit(const char *s, uint64_t *secs)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(time_units); i++)
		if (!strcmp(s, time_units[i].name)) {
			*secs = time_units[i].secs;
			return true;
		}
	return false;
}

static const char *time_unit_name(uint64_t secs)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(time_units); i++)
		if (time_units[i].secs == secs)
			return time_units[i].name;
	return "second";
}

/* get_rate: "N UNIT" with the largest unit that keeps N whole */
static void print_size(GString *s, uint64_t v)
{
	int i = 0;
	if (v)
		while (data_units[i + 1] && v % 1024 == 0) {
			v /= 1024;
			i++;
		}
	g_string_append_printf(s, "%" G_GUINT64_FORMAT " %s", v, data_units[i]);
}

/* A whole decimal number of a word, or false. */
static bool number(const char *s, size_t len, uint64_t *v)
{
	uint64_t n = 0;
	if (len == 0 || len > 19)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!g_ascii_isdigit(s[i]))
			return false;
		n = n * 10 + (uint64_t)(s[i] - '0');
	}
	*v = n;
	return true;
}

/* "N UNIT" (two words) at the parser: a size in bytes; "Wrong rate format"
 * for an unknown unit, marked from first to the unit. */
static bool parse_size(struct nft_parse *p, const struct nft_token *first, uint64_t *bytes)
{
	const struct nft_token *n = nft_next(p);
	uint64_t v, mult;
	if (n->type != NFT_T_WORD || !number(n->text, strlen(n->text), &v)) {
		/* bison's message names the token's kind */
		const char *what = n->type == NFT_T_NL ? "newline" : n->type == NFT_T_SEMI ? "semicolon" :
				   n->type == NFT_T_STRING ? "quoted string" :
				   n->type == NFT_T_WORD ? "string" : NULL;
		if (n->type == NFT_T_EOF)	/* a command line ends with a newline for nft */
			what = p->file ? "end of file" : "newline";
		if (what && !(n->type == NFT_T_WORD && g_ascii_isdigit(n->text[0]) &&
			      n->text[strspn(n->text, "0123456789")] == '\0'))
			nft_error(p, n, NULL, "syntax error, unexpected %s, expecting number", what);
		else
			nft_error_unexpected(p, n);
		return false;
	}
	const struct nft_token *u = nft_next(p);
	if (u->type != NFT_T_WORD) {
		nft_error_unexpected(p, u);
		return false;
	}
	if (!data_unit(u->text, strlen(u->text), &mult) || v > UINT64_MAX / mult) {
		int len = u->line == first->line ? u->col + u->len - first->col : first->len;
		nft_error_loc(p, (struct nft_loc){ first->line, first->col, len }, "Wrong rate format");
		return false;
	}
	*bytes = v * mult;
	return true;
}

/* After `limit` (or in a limit object): `rate [over|until] N/UNIT [burst N
 * packets]` or `rate [over|until] N [k|m]bytes/UNIT [burst N [k|m]bytes]`
 * (also `Nkbytes/UNIT` in one word), as nft 1.0.6's limit_config. */
bool nft_parse_limit(struct nft_parse *p, struct nft_limit *l)
{
	const struct nft_token *t = nft_next(p);
	memset(l, 0, sizeof(*l));
	if (!nft_is_word(t, "rate")) {
		nft_error_unexpected(p, t);
		return false;
	}
	if (nft_is_word(nft_peek(p, 0), "over") || nft_is_word(nft_peek(p, 0), "until")) {
		l->over = nft_is_word(nft_peek(p, 0), "over");
		nft_next(p);
	}
	t = nft_next(p);
	if (t->type != NFT_T_WORD || !g_ascii_isdigit(t->text[0])) {
		nft_error_unexpected(p, t);
		return false;
	}
	const char *txt = t->text, *slash = strchr(txt, '/');
	size_t digits = strspn(txt, "0123456789");
	const struct nft_token *rt = t;
	uint64_t mult = 0;
	if (!slash && !txt[digits]) {
		/* N [k|m]bytes/UNIT */
		rt = nft_next(p);
		slash = rt->type == NFT_T_WORD ? strchr(rt->text, '/') : NULL;
		if (!slash) {
			nft_error_unexpected(p, rt);
			return false;
		}
		if (!data_unit(rt->text, (size_t)(slash - rt->text), &mult)) {
			nft_error(p, rt, NULL, "Wrong rate format");
			return false;
		}
	} else if (slash && txt + digits != slash) {
		/* N[k|m]bytes/UNIT in one word */
		if (!data_unit(txt + digits, (size_t)(slash - txt - digits), &mult)) {
			nft_error(p, t, NULL, "Wrong rate format");
			return false;
		}
	} else if (!slash) {
		nft_error_unexpected(p, t);
		return false;
	}
	if (!number(txt, digits, &l->rate) || !time_unit(slash + 1, &l->unit) ||
	    (mult && l->rate > UINT64_MAX / mult)) {
		nft_error(p, rt, NULL, "Wrong rate format");
		return false;
	}
	if (mult) {
		l->bytes = true;
		l->rate *= mult;
	} else {
		l->burst = NFT_LIMIT_PKT_BURST_DEFAULT;
	}
	if (l->rate == 0) {
		/* nft_limit_init: EINVAL (nft marks the whole rule) */
		nft_error(p, t, NULL, "Could not process rule: Invalid argument");
		return false;
	}
	if (!nft_is_word(nft_peek(p, 0), "burst"))
		return true;
	const struct nft_token *b = nft_next(p);
	if (l->bytes) {
		uint64_t v;
		if (!parse_size(p, b, &v))
			return false;
		if (v > UINT32_MAX) {
			nft_error(p, b, NULL, "natsim: nft limit burst above 4 gbytes is not implemented");
			return false;
		}
		l->burst = (uint32_t)v;
		return true;
	}
	const struct nft_token *n = nft_next(p);
	uint64_t v;
	if (n->type != NFT_T_WORD || !number(n->text, strlen(n->text), &v) || v > UINT32_MAX) {
		nft_error_unexpected(p, n);
		return false;
	}
	const struct nft_token *u = nft_next(p);
	if (!nft_is_word(u, "packets")) {
		nft_error_unexpected(p, u);
		return false;
	}
	if (v == 0) {
		int len = u->line == b->line ? u->col + u->len - b->col : b->len;
		nft_error_loc(p, (struct nft_loc){ b->line, b->col, len }, "packet limit burst must be > 0");
		return false;
	}
	l->burst = (uint32_t)v;
	return true;
}

/* After `quota` (first is that word; or in a quota object): `[over|until]
 * N UNIT [used M UNIT]`. */
bool nft_parse_quota(struct nft_parse *p, const struct nft_token *first, struct nft_quota *q)
{
	memset(q, 0, sizeof(*q));
	if (nft_is_word(nft_peek(p, 0), "over") || nft_is_word(nft_peek(p, 0), "until")) {
		q->over = nft_is_word(nft_peek(p, 0), "over");
		nft_next(p);
	}
	if (!parse_size(p, first, &q->bytes))
		return false;
	if (nft_is_word(nft_peek(p, 0), "used")) {
		const struct nft_token *u = nft_next(p);
		if (!parse_size(p, u, &q->used))
			return false;
	}
	return true;
}

/* limit_stmt_print, without the word `limit` */
void nft_print_limit(GString *s, const struct nft_limit *l)
{
	g_string_append_printf(s, "rate %s", l->over ? "over " : "");
	if (!l->bytes) {
		g_string_append_printf(s, "%" G_GUINT64_FORMAT "/%s", l->rate, time_unit_name(l->unit));
		if (l->burst && l->burst != NFT_LIMIT_PKT_BURST_DEFAULT)
			g_string_append_printf(s, " burst %u packets", l->burst);
		return;
	}
	print_size(s, l->rate);
	g_string_append_printf(s, "/%s", time_unit_name(l->unit));
	if (l->burst) {
		g_string_append(s, " burst ");
		print_size(s, l->burst);
	}
}

/* quota_stmt_print, without the word `quota`: `used` unless stateless or 0;
 * the kernel dumps what was consumed capped at the quota (nft_quota_do_dump). */
void nft_print_quota(GString *s, const struct nft_quota *q, bool stateless)
{
	uint64_t used = q->used < q->bytes ? q->used : q->bytes;
	if (q->over)
		g_string_append(s, "over ");
	print_size(s, q->bytes);
	if (!stateless && used) {
		g_string_append(s, " used ");
		print_size(s, used);
	}
}

/* nft_limit_eval (nft_limit_pkts_eval, nft_limit_bytes_eval): does the
 * packet of len bytes at now (ns) match? Under the rate it takes its cost
 * from the bucket; `over` inverts. The arithmetic is the kernel's u64. */
bool nft_limit_eval(struct nft_limit *l, uint32_t len, int64_t now)
{
	uint64_t nsecs = l->unit * NSEC_PER_SEC, cost, max;
	if (l->bytes) {
		cost = nsecs * len / l->rate;
		max = nsecs * (l->rate + l->burst) / l->rate;
	} else {
		cost = nsecs / l->rate;
		max = cost * (l->burst ? l->burst : NFT_LIMIT_PKT_BURST_DEFAULT);
	}
	if (!l->started) {
		l->started = true;
		l->tokens = (int64_t)max;
		l->last = now;
	}
	uint64_t tokens = (uint64_t)l->tokens + (uint64_t)(now - l->last);
	if (tokens > max)
		tokens = max;
	l->last = now;
	int64_t delta = (int64_t)(tokens - cost);
	if (delta >= 0) {
		l->tokens = delta;
		return !l->over;
	}
	l->tokens = (int64_t)tokens;
	return l->over;
}

/* nft_quota_do_eval: the packet's length is consumed first (nft_overquota:
 * used up once consumed >= quota); does the packet match? */
bool nft_quota_eval(struct nft_quota *q, uint32_t len)
{
	q->used += len;
	bool overquota = q->used >= q->bytes;
	return overquota == q->over;
}

/* ----- named objects ----- */

static const char *const obj_words[] = {
	[NFT_OBJ_CT_HELPER] = "ct helper", [NFT_OBJ_COUNTER] = "counter",
	[NFT_OBJ_QUOTA] = "quota", [NFT_OBJ_LIMIT] = "limit",
	[NFT_OBJ_CT_TIMEOUT] = "ct timeout", [NFT_OBJ_CT_EXPECT] = "ct expectation",
};

/* The object type a word names: counter(s), quota(s), limit(s); the ct
 * helper (0) for any other word. */
enum nft_obj_type nft_obj_type_of(const struct nft_token *t)
{
	static const char *const w[] = { "counter", "quota", "limit" };
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(w[i]);
		if (t->type == NFT_T_WORD && !strncmp(t->text, w[i], n) &&
		    (!t->text[n] || !strcmp(t->text + n, "s")))
			return (enum nft_obj_type)(NFT_OBJ_COUNTER + i);
	}
	return NFT_OBJ_CT_HELPER;
}

const char *nft_obj_type_name(enum nft_obj_type type)
{
	return obj_words[type];
}

struct nft_obj *nft_obj_find_type(const struct nft_table *t, enum nft_obj_type type,
				  const char *name)
{
	for (unsigned i = 0; i < t->objs->len; i++) {
		struct nft_obj *o = t->objs->pdata[i];
		if (o->otype == type && strcmp(o->name, name) == 0)
			return o;
	}
	return NULL;
}

struct objref_arg { enum nft_obj_type type; const char *name; };

/* A rule's reference to the object, by name or as a map's data. */
static bool refers_to(const struct nft_expr *e, const void *arg)
{
	const struct objref_arg *a = arg;
	if (e->kind != NFT_EXPR_OBJREF || e->obj_type != a->type)
		return false;
	if (e->obj && !strcmp(e->obj, a->name))
		return true;
	for (unsigned y = 0; e->anon && y < e->anon->elems->len; y++) {
		const struct nft_setelem *se = e->anon->elems->pdata[y];
		const char *n = se->data && se->data->len ?
				g_array_index(se->data, struct nft_elem, 0).str : NULL;
		if (n && !strcmp(n, a->name))
			return true;
	}
	return false;
}

bool nft_obj_type_in_use(const struct nft_table *t, enum nft_obj_type type, const char *name)
{
	const struct objref_arg a = { type, name };
	return nft_table_any_expr(t, refers_to, &a);
}

static bool sep_tok(const struct nft_token *t)
{
	return t->type == NFT_T_NL || t->type == NFT_T_SEMI;
}

/* The block of a counter, quota or limit object (nft's counter_block,
 * quota_block, limit_block): `{ [packets N bytes M] }`, `{ [over|until] N
 * UNIT [used M UNIT] }`, `{ rate ... }`, or the same without the braces
 * (a counter with nothing). */
static bool obj_block(struct nft_parse *p, struct nft_obj *o)
{
	const struct nft_token *t = nft_peek(p, 0);
	if (t->type != NFT_T_LBRACE) {
		/* the command form without braces: `add quota t q 100 bytes`,
		 * `add limit t l rate 5/second` */
		if (o->otype == NFT_OBJ_COUNTER)
			return true;
		if (o->otype == NFT_OBJ_QUOTA)
			return nft_parse_quota(p, t, &o->quota);
		return nft_parse_limit(p, &o->limit);
	}
	nft_next(p);
	bool given = false;
	for (;;) {
		t = nft_peek(p, 0);
		if (sep_tok(t)) {
			nft_next(p);
			continue;
		}
		if (t->type == NFT_T_RBRACE) {
			nft_next(p);
			break;
		}
		if (given) {
			nft_error_unexpected(p, nft_next(p));
			return false;
		}
		given = true;
		if (o->otype == NFT_OBJ_COUNTER) {
			uint64_t v[2];
			static const char *const w[] = { "packets", "bytes" };
			for (int i = 0; i < 2; i++) {
				const struct nft_token *k = nft_next(p), *n;
				if (!nft_is_word(k, w[i])) {
					nft_error_unexpected(p, k);
					return false;
				}
				n = nft_next(p);
				if (n->type != NFT_T_WORD || !number(n->text, strlen(n->text), &v[i])) {
					nft_error_unexpected(p, n);
					return false;
				}
			}
			o->packets = v[0];
			o->bytes = v[1];
		} else if (o->otype == NFT_OBJ_QUOTA) {
			if (!nft_parse_quota(p, t, &o->quota))
				return false;
		} else if (!nft_parse_limit(p, &o->limit)) {
			return false;
		}
		t = nft_peek(p, 0);
		if (!sep_tok(t) && t->type != NFT_T_RBRACE) {
			nft_error_unexpected(p, nft_next(p));
			return false;
		}
	}
	if (!given && o->otype != NFT_OBJ_COUNTER) {
		nft_error_unexpected(p, &g_array_index(p->toks, struct nft_token, p->pos - 1));
		return false;
	}
	return true;
}

bool nft_parse_stateful_obj(struct nft_parse *p, struct nft_table *t, enum nft_obj_type type,
			    bool create, struct nft_obj **made)
{
	const struct nft_token *n = nft_next(p);
	*made = NULL;
	if (n->type != NFT_T_WORD && n->type != NFT_T_STRING) {
		nft_error_unexpected(p, n);
		return false;
	}
	struct nft_obj *o = g_new0(struct nft_obj, 1);
	o->name = g_strdup(n->text);
	o->otype = type;
	o->l3proto = t->family;
	if (!obj_block(p, o)) {
		nft_obj_free(o);
		return false;
	}
	struct nft_obj *old = nft_obj_find_type(t, type, o->name);
	if (old) {
		/* NLM_F_EXCL for create; add of the same name keeps the object,
		 * a quota takes the new size and flags (nft_quota_obj_update:
		 * not what was used) */
		if (!create && type == NFT_OBJ_QUOTA) {
			old->quota.bytes = o->quota.bytes;
			old->quota.over = o->quota.over;
		}
		nft_obj_free(o);
		if (create) {
			nft_error(p, n, NULL, "Could not process rule: File exists");
			p->nkerr++;
		}
		return !create;
	}
	g_ptr_array_add(t->objs, o);
	*made = o;
	return true;
}

/* obj_print_data of a counter, quota or limit object (nft list), from the
 * tab before its type to the closing brace's line. */
void nft_print_stateful_obj(GString *s, const struct nft_obj *o, const struct nft_print_opts *opts)
{
	g_string_append_printf(s, "\t%s %s {", obj_words[o->otype], o->name);
	if (opts->handles)
		g_string_append_printf(s, " # handle %" G_GUINT64_FORMAT, o->handle);
	g_string_append(s, "\n");
	switch (o->otype) {
	case NFT_OBJ_COUNTER:
		if (!opts->stateless)
			g_string_append_printf(s, "\t\tpackets %" G_GUINT64_FORMAT " bytes %" G_GUINT64_FORMAT "\n",
					       o->packets, o->bytes);
		break;
	case NFT_OBJ_QUOTA:
		g_string_append(s, "\t\t");
		nft_print_quota(s, &o->quota, opts->stateless);
		g_string_append(s, "\n");
		break;
	case NFT_OBJ_LIMIT:
		g_string_append(s, "\t\t");
		nft_print_limit(s, &o->limit);
		g_string_append(s, "\n");
		break;
	case NFT_OBJ_CT_HELPER:
	case NFT_OBJ_CT_TIMEOUT:
	case NFT_OBJ_CT_EXPECT:
		break;
	}
	g_string_append(s, "\t}\n");
}

/* nft_objref_eval with the object's eval (nft_counter_obj_eval,
 * nft_quota_obj_eval, nft_limit_obj_pkts|bytes_eval): false breaks the
 * rule. The object is looked up by name (the ruleset is copied by
 * transactions, so no pointer to it is kept in the rule). */
bool nft_objref_eval(struct nft_table *t, enum nft_obj_type type, const char *name, uint32_t len,
		     int64_t now)
{
	struct nft_obj *o = nft_obj_find_type(t, type, name);
	if (!o)
		return true;
	switch (o->otype) {
	case NFT_OBJ_COUNTER:
		o->packets++;
		o->bytes += len;
		return true;
	case NFT_OBJ_QUOTA:
		return nft_quota_eval(&o->quota, len);
	case NFT_OBJ_LIMIT:
		return nft_limit_eval(&o->limit, len, now);
	case NFT_OBJ_CT_HELPER:
	case NFT_OBJ_CT_TIMEOUT:
	case NFT_OBJ_CT_EXPECT:
		break;
	}
	return true;
}
