/* nft_mark_expr.c - a value set from an expression: `ct mark set meta mark
 * and 0xff00 or 0x1`, `meta mark set ct mark << 8`, `meta priority set
 * meta priority` (nft_meta_set / nft_ct_set take the register a selector
 * loaded, through nft_bitwise), and the relational matches `KEY < V`,
 * `KEY >= V` (nft_range / nft_cmp with NFT_CMP_LT...).
 *
 * Design: the source selector is map_keys[0] of the statement (as a hash
 * source of nft_datamap.c is), its nft_bitwise steps in e->bw. The
 * operators are read with nft's precedence (C's: shifts, &, ^, |), the
 * constant parts folded, and consecutive and/or/xor merged into one
 * (mask, xor) pair the way nft's netlink_gen_bitwise does; the listing
 * turns the pair back into `& M ^ X | O` as netlink_parse_bitwise_bool
 * does. A relational match is kept as the range it covers (nft_eval.c's
 * range compare) with the operator for the listing.
 */
#include <string.h>

#include "nat/nftables/nft_int.h"
#include "nat/nftables/nft_mark_expr.h"

/* nft's datatype names, for "datatype mismatch" */
static const char *dtype_desc(enum nft_dtype dt)
{
	switch (dt) {
	case NFT_DT_MARK: return "packet mark";
	case NFT_DT_IPV4: return "IPv4 address";
	case NFT_DT_IPV6: return "IPv6 address";
	case NFT_DT_SERVICE: return "internet network service";
	case NFT_DT_PROTO: return "Internet protocol";
	case NFT_DT_IFNAME: return "string";
	case NFT_DT_CTSTATE: return "conntrack state";
	case NFT_DT_CTSTATUS: return "conntrack status";
	case NFT_DT_CTDIR: return "conntrack direction";
	case NFT_DT_NFPROTO: return "netfilter protocol";
	case NFT_DT_PKTTYPE: return "packet type";
	case NFT_DT_ICMPTYPE: return "ICMP type";
	case NFT_DT_TCPFLAG: return "TCP flag";
	case NFT_DT_FIBADDR: return "fib address type";
	case NFT_DT_UID: return "user ID";
	case NFT_DT_GID: return "group ID";
	case NFT_DT_ARPHRD: return "hardware type";
	case NFT_DT_TCHANDLE: return "TC classid";
	default: return "integer";
	}
}

/* The bits of an integer selector (nft's length). */
static unsigned key_bits(const struct nft_key *k)
{
	switch (k->id) {
	case NFT_K_IP_TTL: case NFT_K_IP6_HOPLIMIT: return 8;
	case NFT_K_IP_LENGTH: return 16;
	default: return 32;
	}
}

static bool source_fits(enum nft_dtype want, const struct nft_key *k)
{
	if (want == NFT_DT_TCHANDLE)
		return k->dtype == NFT_DT_TCHANDLE;
	/* mark's base type is integer: either goes into a mark, of its length */
	return k->dtype == NFT_DT_MARK || (k->dtype == NFT_DT_INTEGER && key_bits(k) == 32);
}

bool nft_mark_source_type(struct nft_parse *p, const struct nft_token *start, const struct nft_key *k,
			  enum nft_dtype want)
{
	if (source_fits(want, k))
		return true;
	const struct nft_token *last = &g_array_index(p->toks, struct nft_token, p->pos - 1);
	struct nft_loc at = { start->line, start->col, start->len };
	if (last->line == start->line)
		at.len = last->col + last->len - start->col;
	/* the statement, `[meta|ct] mark|priority set SOURCE`, underlined */
	const struct nft_token *first = &g_array_index(p->toks, struct nft_token, 0);
	const struct nft_token *stmt = start - 2 >= first ? start - 2 : start;
	if (stmt - 1 >= first && (nft_is_word(stmt - 1, "meta") || nft_is_word(stmt - 1, "ct")))
		stmt--;
	struct nft_loc ctx = at;
	if (stmt->line == start->line)
		ctx = (struct nft_loc){ stmt->line, stmt->col, at.col + at.len - stmt->col };
	char *have = k->dtype == NFT_DT_INTEGER ?
		     g_strdup_printf("integer with length %u", key_bits(k)) : g_strdup(dtype_desc(k->dtype));
	nft_error_ctx(p, at, ctx, "datatype mismatch: expected %s, expression has type %s",
		      dtype_desc(want), have);
	g_free(have);
	return false;
}

/* An operand: the source with its steps so far, or a constant. */
struct operand {
	bool src;
	uint32_t c;
};

enum { LV_OR, LV_XOR, LV_AND, LV_SHIFT };

static char op_of(const struct nft_token *t, int level)
{
	static const struct { const char *w; char op; int level; } ops[] = {
		{ "|", '|', LV_OR }, { "or", '|', LV_OR }, { "^", '^', LV_XOR }, { "xor", '^', LV_XOR },
		{ "&", '&', LV_AND }, { "and", '&', LV_AND }, { "<<", '<', LV_SHIFT },
		{ "lshift", '<', LV_SHIFT }, { ">>", '>', LV_SHIFT }, { "rshift", '>', LV_SHIFT } };
	for (unsigned i = 0; i < G_N_ELEMENTS(ops); i++)
		if (ops[i].level == level && nft_is_word(t, ops[i].w))
			return ops[i].op;
	return 0;
}

/* The source's bool step to merge into (the last, if a bool), or a new. */
static struct nft_bitwise *bool_step(struct nft_expr *e)
{
	if (e->n_bw && e->bw[e->n_bw - 1].op == 'b')
		return &e->bw[e->n_bw - 1];
	if (e->n_bw == G_N_ELEMENTS(e->bw))
		return NULL;
	struct nft_bitwise *b = &e->bw[e->n_bw++];
	*b = (struct nft_bitwise){ 'b', 0, UINT32_MAX, 0 };
	return b;
}

/* x = x OP c (netlink_gen_bitwise's folding for the source). */
static bool apply(struct nft_parse *p, const struct nft_token *at, struct nft_expr *e,
		  struct operand *x, char op, uint32_t c)
{
	if (!x->src) {
		switch (op) {
		case '|': x->c |= c; break;
		case '^': x->c ^= c; break;
		case '&': x->c &= c; break;
		case '<': x->c = c < 32 ? x->c << c : 0; break;
		default: x->c = c < 32 ? x->c >> c : 0; break;
		}
		return true;
	}
	if (op == '<' || op == '>') {
		if (c >= 32) {
			nft_error(p, at, NULL, "natsim: nft shift by %u is not implemented", c);
			return false;
		}
		if (e->n_bw == G_N_ELEMENTS(e->bw)) {
			nft_error(p, at, NULL, "natsim: nft more than 4 bitwise steps are not implemented");
			return false;
		}
		e->bw[e->n_bw++] = (struct nft_bitwise){ op, (uint8_t)c, 0, 0 };
		return true;
	}
	struct nft_bitwise *b = bool_step(e);
	if (!b) {
		nft_error(p, at, NULL, "natsim: nft more than 4 bitwise steps are not implemented");
		return false;
	}
	switch (op) {
	case '&': b->mask &= c; b->xor &= c; break;
	case '|': b->mask &= ~c; b->xor |= c; break;
	default: b->xor ^= c; break;
	}
	return true;
}

/* The parse of a source's operators: the parser, the statement, the
 * source's first token (nft's error context starts there). */
struct bw_parse {
	struct nft_parse *p;
	struct nft_expr *e;
	const struct nft_token *src;
};


/* A constant operand (never the source: nft wants the right side of a
 * binary operation constant). */
static bool constant(struct bw_parse *b, struct operand *x)
{
	struct nft_parse *p = b->p;
	const struct nft_token *t = nft_peek(p, 0);
	struct nft_elem v;
	const char *why;
	if (t->type == NFT_T_WORD && nft_parse_value(NFT_DT_INTEGER, t->text, &v, &why) && !v.range) {
		nft_next(p);
		*x = (struct operand){ false, v.lo };
		return true;
	}
	unsigned pos = p->pos;
	if (t->type == NFT_T_WORD && nft_expr_parse_key(p)) {
		const struct nft_token *op = &g_array_index(p->toks, struct nft_token, pos - 1);
		const struct nft_token *last = &g_array_index(p->toks, struct nft_token, p->pos - 1);
		struct nft_loc at = { t->line, t->col, t->len };
		if (last->line == t->line)
			at.len = last->col + last->len - t->col;
		struct nft_loc ctx = at;
		if (b->src->line == t->line)
			ctx = (struct nft_loc){ t->line, b->src->col, at.col + at.len - b->src->col };
		static const struct { const char *w, *sym; } syms[] = {
			{ "or", "|" }, { "xor", "^" }, { "and", "&" }, { "lshift", "<<" }, { "rshift", ">>" } };
		const char *sym = op->text;
		for (unsigned i = 0; i < G_N_ELEMENTS(syms); i++)
			if (nft_is_word(op, syms[i].w))
				sym = syms[i].sym;
		nft_error_ctx(p, at, ctx, "Right hand side of binary operation (%s) must be constant",
			      sym);
		return false;
	}
	nft_error_unexpected(p, t);
	return false;
}

/* One precedence level (LV_OR the lowest): its operands, the first of
 * all being the source. */
static bool level(struct bw_parse *b, int lv, bool first, struct operand *x)
{
	if (lv > LV_SHIFT) {
		if (first) {
			*x = (struct operand){ true, 0 };
			return true;
		}
		return constant(b, x);
	}
	if (!level(b, lv + 1, first, x))
		return false;
	char op;
	while ((op = op_of(nft_peek(b->p, 0), lv))) {
		const struct nft_token *at = nft_next(b->p);
		struct operand y;
		if (!level(b, lv + 1, false, &y) || !apply(b->p, at, b->e, x, op, y.c))
			return false;
	}
	return true;
}

bool nft_mark_parse_bitwise(struct nft_parse *p, struct nft_expr *e, const struct nft_token *src)
{
	struct bw_parse b = { p, e, src };
	struct operand x;
	return level(&b, LV_OR, true, &x);
}

bool nft_mark_bitwise_start(const struct nft_token *t)
{
	for (int lv = LV_OR; lv <= LV_SHIFT; lv++)
		if (op_of(t, lv))
			return true;
	return false;
}

void nft_mark_print_bitwise(GString *s, const struct nft_expr *e, enum nft_dtype dt)
{
	for (unsigned i = 0; i < e->n_bw; i++) {
		const struct nft_bitwise *b = &e->bw[i];
		if (b->op != 'b') {
			g_string_append_printf(s, " %s %u", b->op == '<' ? "<<" : ">>", b->shift);
			continue;
		}
		/* netlink_parse_bitwise_bool: o = x & ~m; x &= m; m |= o */
		uint32_t m = b->mask, x = b->xor, o = 0;
		if (m != UINT32_MAX || x) {
			o = x & ~m;
			x &= m;
			m |= o;
		}
		const char *op[] = { " & ", " ^ ", " | " };
		const uint32_t v[] = { m, x, o };
		const bool show[] = { m != UINT32_MAX, x != 0, o != 0 };
		for (unsigned j = 0; j < 3; j++)
			if (show[j]) {
				struct nft_elem el = { v[j], v[j], -1, NULL, false };
				g_string_append(s, op[j]);
				nft_print_elem(s, dt == NFT_DT_MARK ? NFT_DT_MARK : NFT_DT_INTEGER, &el, false);
			}
	}
}

uint32_t nft_mark_bitwise_eval(const struct nft_expr *e, uint32_t v)
{
	for (unsigned i = 0; i < e->n_bw; i++) {
		const struct nft_bitwise *b = &e->bw[i];
		if (b->op == 'b')
			v = (v & b->mask) ^ b->xor;
		else if (b->op == '<')
			v <<= b->shift;
		else
			v >>= b->shift;
	}
	return v;
}

