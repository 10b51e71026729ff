/* nft_datamap.c - a mark set from an expression: `meta|ct mark set KEY [.
 * KEY]... map { K : MARK, ... }` or `map @NAME` (nft_lookup with a data
 * register feeding nft_meta_set / nft_ct_set), and `meta|ct mark set
 * jhash|symhash|numgen ...` (the hash or number itself as the mark).
 *
 * Design: the source is kept on the statement's expression as a match
 * keeps it (map_keys, the anonymous map in anon, or set_ref checked once
 * the batch is applied), so nft_eval.c's map lookup and key loads serve
 * both; the element's first data value is the mark. A packet whose key
 * has no element, or lacks a selector, ends the rule (NFT_BREAK), as
 * nft_lookup_eval does. The same lookup gives a nat statement its address
 * (and port) from a named map: nft_nat_map_fits checks the map's type.
 */
#include <string.h>

#include "nat/nftables/nft_datamap.h"
#include "nat/nftables/nft_hash.h"
#include "nat/nftables/nft_int.h"
#include "nat/nftables/nft_mark_expr.h"

bool nft_mark_source_start(const struct nft_token *t, struct nft_parse *p)
{
	if (nft_is_word(t, "jhash") || nft_is_word(t, "symhash") || nft_is_word(t, "numgen"))
		return true;
	/* a selector: try it and put the parser back */
	unsigned pos = p->pos;
	const struct nft_key *k = nft_expr_parse_key(p);
	p->pos = pos;
	return k != NULL;
}

bool nft_parse_mark_source(struct nft_parse *p, struct nft_expr *e)
{
	const struct nft_token *start = nft_peek(p, 0);
	const struct nft_key *k = nft_expr_parse_source(p, e);
	if (!k) {
		if (!p->nerr)
			nft_error_unexpected(p, start);
		return false;
	}
	e->map_keys[e->n_map_keys++] = k;
	bool hashed = k->id == NFT_K_JHASH || k->id == NFT_K_SYMHASH || k->id == NFT_K_NUMGEN;
	while (nft_is_word(nft_peek(p, 0), ".")) {
		const struct nft_token *dot = nft_next(p);
		const struct nft_key *more = nft_expr_parse_key(p);
		if (!more) {
			nft_error_unexpected(p, nft_peek(p, 0));
			return false;
		}
		if (e->n_map_keys == G_N_ELEMENTS(e->map_keys) || hashed) {
			nft_error(p, dot, NULL, "natsim: nft mark set from this concatenation is not "
				  "implemented");
			return false;
		}
		e->map_keys[e->n_map_keys++] = more;
	}
	const struct nft_token *t = nft_peek(p, 0);
	if (!nft_is_word(t, "map")) {
		/* the selector's value itself, through nft_bitwise
		 * (nft_mark_expr.c), if its type fits the key set */
		enum nft_dtype want = e->kind == NFT_EXPR_PRIORITY_SET ? NFT_DT_TCHANDLE : NFT_DT_MARK;
		if (e->n_map_keys > 1) {
			nft_error(p, t, NULL, "natsim: nft mark set from a concatenation without a map "
				  "is not implemented");
			return false;
		}
		return nft_mark_source_type(p, start, k, want) && nft_mark_parse_bitwise(p, e, start);
	}
	nft_next(p);
	t = nft_peek(p, 0);
	if (t->type == NFT_T_WORD && t->text[0] == '@') {
		nft_next(p);
		e->set_ref = g_strdup(t->text + 1);
		e->chain_loc = (struct nft_loc){ t->line, t->col, t->len };
		return true;
	}
	if (t->type != NFT_T_LBRACE) {
		nft_error_unexpected(p, t);
		return false;
	}
	e->anon = nft_set_new("", true);
	for (unsigned i = 0; i < e->n_map_keys; i++)
		g_array_append_val(e->anon->key_types, e->map_keys[i]->dtype);
	enum nft_dtype mark = NFT_DT_MARK;
	g_array_append_val(e->anon->data_types, mark);
	return nft_parse_elements(p, e->anon);
}

bool nft_mark_map_fits(const struct nft_set *s, const struct nft_expr *e)
{
	if (!s->map || s->data_verdict || s->data_types->len != 1 ||
	    g_array_index(s->data_types, enum nft_dtype, 0) != NFT_DT_MARK ||
	    s->key_types->len != e->n_map_keys)
		return false;
	for (unsigned i = 0; i < e->n_map_keys; i++)
		if (g_array_index(s->key_types, enum nft_dtype, i) != e->map_keys[i]->dtype)
			return false;
	return true;
}

bool nft_nat_map_fits(const struct nft_set *s, struct nft_expr *e)
{
	unsigned n = s->data_types->len;
	if (!s->map || s->data_verdict || n < 1 || n > 2 ||
	    g_array_index(s->data_types, enum nft_dtype, 0) != NFT_DT_IPV4 ||
	    (n == 2 && g_array_index(s->data_types, enum nft_dtype, 1) != NFT_DT_SERVICE) ||
	    s->key_types->len != e->n_map_keys)
		return false;
	for (unsigned i = 0; i < e->n_map_keys; i++)
		if (g_array_index(s->key_types, enum nft_dtype, i) != e->map_keys[i]->dtype)
			return false;
	/* nft lists the concatenated form as `dnat ip to` */
	if (n == 2)
		e->has_port = e->nat_ip = true;
	return true;
}
