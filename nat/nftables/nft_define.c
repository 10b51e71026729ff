/* nft_define.c - `define NAME = VALUE`, `redefine`, `undefine` and `$NAME`.
 *
 * Design: nft's variables are a token-level macro, so they are expanded on
 * the token array before any command is parsed: a definition's tokens are
 * copied where `$NAME` stands (keeping their own line and columns, as nft
 * points an error in a variable's value at its definition), and the define
 * lines disappear. An unknown name is nft's "unknown identifier" error.
 */
#include <string.h>

#include "nat/nftables/nft_int.h"

static struct nft_token tok_copy(const struct nft_token *t)
{
	struct nft_token c = *t;
	c.text = g_strdup(t->text);
	return c;
}

static void value_free(gpointer v)
{
	GArray *a = v;
	for (unsigned i = 0; i < a->len; i++)
		g_free(g_array_index(a, struct nft_token, i).text);
	g_array_free(a, TRUE);
}

static bool starts_statement(const GArray *out)
{
	if (out->len == 0)
		return true;
	enum nft_tok t = g_array_index(out, struct nft_token, out->len - 1).type;
	return t == NFT_T_NL || t == NFT_T_SEMI || t == NFT_T_LBRACE || t == NFT_T_RBRACE;
}

void nft_expand_defines(struct nft_parse *p)
{
	GArray *in = p->toks;
	GArray *out = g_array_new(FALSE, TRUE, sizeof(struct nft_token));
	GHashTable *vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, value_free);
	unsigned i = 0;
	while (i < in->len) {
		struct nft_token *t = &g_array_index(in, struct nft_token, i);
		bool def = nft_is_word(t, "define") || nft_is_word(t, "redefine");
		if ((def || nft_is_word(t, "undefine")) && starts_statement(out) && i + 1 < in->len) {
			struct nft_token *name = &g_array_index(in, struct nft_token, i + 1);
			unsigned j = i + 2;
			if (name->type != NFT_T_WORD) {
				nft_error_unexpected(p, name);
			} else if (!def) {
				g_hash_table_remove(vars, name->text);
			} else if (j >= in->len || !nft_is_word(&g_array_index(in, struct nft_token, j), "=")) {
				nft_error_unexpected(p, &g_array_index(in, struct nft_token, j < in->len ? j : in->len - 1));
			} else {
				GArray *val = g_array_new(FALSE, TRUE, sizeof(struct nft_token));
				int depth = 0;
				for (j++; j < in->len; j++) {
					struct nft_token *v = &g_array_index(in, struct nft_token, j);
					if (v->type == NFT_T_EOF || (depth == 0 && (v->type == NFT_T_NL ||
									     v->type == NFT_T_SEMI)))
						break;
					depth += v->type == NFT_T_LBRACE ? 1 : v->type == NFT_T_RBRACE ? -1 : 0;
					if (v->type == NFT_T_NL)
						continue;
					struct nft_token c;
					if (v->type == NFT_T_WORD && v->text[0] == '$') {
						GArray *sub = g_hash_table_lookup(vars, v->text + 1);
						for (unsigned k = 0; sub && k < sub->len; k++) {
							c = tok_copy(&g_array_index(sub, struct nft_token, k));
							g_array_append_val(val, c);
						}
						if (sub)
							continue;
					}
					c = tok_copy(v);
					g_array_append_val(val, c);
				}
				g_hash_table_replace(vars, g_strdup(name->text), val);
			}
			/* drop the define line (its tokens are freed with `in`) */
			while (j < in->len && g_array_index(in, struct nft_token, j).type != NFT_T_NL &&
			       g_array_index(in, struct nft_token, j).type != NFT_T_SEMI &&
			       g_array_index(in, struct nft_token, j).type != NFT_T_EOF)
				j++;
			i = j;
			continue;
		}
		if (t->type == NFT_T_WORD && t->text[0] == '$' && t->text[1]) {
			GArray *val = g_hash_table_lookup(vars, t->text + 1);
			if (!val) {
				struct nft_token at = *t;
				at.col++;
				at.len--;
				nft_error(p, &at, NULL, "unknown identifier '%s'", t->text + 1);
			} else {
				for (unsigned k = 0; k < val->len; k++) {
					struct nft_token c = tok_copy(&g_array_index(val, struct nft_token, k));
					c.from_var = true;
					g_array_append_val(out, c);
				}
			}
			i++;
			continue;
		}
		struct nft_token c = tok_copy(t);
		g_array_append_val(out, c);
		i++;
	}
	g_hash_table_destroy(vars);
	nft_lex_free(p);
	p->toks = out;
	p->pos = 0;
}
