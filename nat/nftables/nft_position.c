/* nft_position.c - which rule a command names and where a new rule goes:
 * `handle H` / `position H` / `index N` of add and insert rule, `handle H`
 * of replace and delete rule, and of delete chain and delete table.
 *
 * Design: the copy of the ruleset a batch works on already holds the rules
 * of the batch's earlier commands with their handles (nft_parse.c gives
 * them after each command), so a handle or an index is looked up there, as
 * nft 1.0.6 looks it up in its cache updated command by command (the
 * kernel's NFTA_RULE_POSITION, or NFTA_RULE_POSITION_ID for a rule of the
 * same batch). A handle that is not there is refused before the batch is
 * sent (nft 1.0.6 says ENOENT at the handle and no rule handle is taken,
 * as recorded from the real nft). A handle or position 0 names no rule:
 * the rule is appended (add) or put first (insert), as the kernel reads an
 * absent NFTA_RULE_POSITION.
 */
#include <stdlib.h>
#include <string.h>

#include "nat/nftables/nft_int.h"
#include "nat/nftables/nft_keyword.h"

/* bison's name of the token t, for "unexpected X, expecting Y". */
static const char *tok_name(const struct nft_parse *p, const struct nft_token *t)
{
	switch (t->type) {
	case NFT_T_NL: return "newline";
	case NFT_T_SEMI: return "semicolon";
	case NFT_T_LBRACE: return "'{'";
	case NFT_T_RBRACE: return "'}'";
	case NFT_T_COMMA: return "comma";
	case NFT_T_EOF: return p->file ? "end of file" : "newline";	/* nft ends a command line with one */
	case NFT_T_STRING: return "quoted string";
	default: break;
	}
	static const char *const kw[] = { "accept", "drop", "counter", "handle", "position",
					  "index", "table", "chain", "rule", "continue", "return",
					  "jump", "goto", "log", NULL };
	for (unsigned i = 0; kw[i]; i++)
		if (!strcmp(t->text, kw[i]))
			return kw[i];
	if (g_ascii_isdigit(t->text[0]))
		return "number";
	const char *name = nft_keyword(t->text, false);	/* scanner.l's other keywords */
	return name ? name : "string";
}

void nft_error_expecting(struct nft_parse *p, const struct nft_token *t, const char *expecting)
{
	nft_error(p, t, NULL, "syntax error, unexpected %s, expecting %s", tok_name(p, t), expecting);
}

/* The number after `handle`, `position`, `index` (the parser on it). */
bool nft_parse_handle_num(struct nft_parse *p, uint64_t *v, const struct nft_token **at)
{
	const struct nft_token *t = nft_next(p);
	*at = t;
	if (t->type != NFT_T_WORD || !t->text[0] || strspn(t->text, "0123456789") != strlen(t->text)) {
		nft_error_expecting(p, t, "number");
		return false;
	}
	*v = g_ascii_strtoull(t->text, NULL, 10);
	return true;
}

/* The index in c->rules of the rule with handle h, or -1. */
int nft_rule_index_of(const struct nft_chain *c, uint64_t h)
{
	for (unsigned i = 0; h && i < c->rules->len; i++)
		if (((const struct nft_rule *)c->rules->pdata[i])->handle == h)
			return (int)i;
	return -1;
}

/* Does nft 1.0.6 evaluate this batch with its rule cache? Only when the
 * batch's LAST command is an add or insert rule with `handle`, `position`
 * or `index` (nft 1.0.6 takes the cache flags of the last command, as
 * recorded: a batch ending in a plain add places by handles the kernel
 * resolves, one ending in `add rule ... position H` is refused where it
 * names a rule of the same batch). */
bool nft_batch_rule_cache(const struct nft_parse *p)
{
	unsigned n = p->toks->len, start = 0, depth = 0;
	const struct nft_token *tk = (const struct nft_token *)p->toks->data;
	/* the start of the last command at depth 0 */
	for (unsigned i = 0; i < n; i++) {
		if (tk[i].type == NFT_T_LBRACE)
			depth++;
		else if (tk[i].type == NFT_T_RBRACE && depth)
			depth--;
		else if (!depth && (tk[i].type == NFT_T_NL || tk[i].type == NFT_T_SEMI) &&
			 i + 1 < n && tk[i + 1].type != NFT_T_NL && tk[i + 1].type != NFT_T_SEMI &&
			 tk[i + 1].type != NFT_T_EOF)
			start = i + 1;
	}
	unsigned i = start;
	if (i + 1 >= n || (!nft_is_word(&tk[i], "add") && !nft_is_word(&tk[i], "insert")) ||
	    !nft_is_word(&tk[i + 1], "rule"))
		return false;
	i += 2;
	if (i < n && (nft_is_word(&tk[i], "ip") || nft_is_word(&tk[i], "inet")))
		i++;
	i += 2;		/* table, chain */
	return i < n && (nft_is_word(&tk[i], "position") || nft_is_word(&tk[i], "handle") ||
			 nft_is_word(&tk[i], "index"));
}

/* The optional `handle H`, `position H` or `index N` before an added
 * rule's statements: *ref is the index in c->rules of the rule it goes
 * after (add) or before (insert), or -1 for none. With nft's rule cache
 * (cache), H must be a rule that was in the chain before the batch
 * (before: that chain, or NULL) - the cache knows no handle of the
 * batch's own rules; without it the kernel resolves H among all rules.
 * An index counts the rules as they are now (a batch rule is named to the
 * kernel by its NFTA_RULE_ID). ENOENT, nft's
 * message under the keyword and its number, when the rule is not there
 * (*enoent: nft goes on to the next command). */
bool nft_parse_rule_position(struct nft_parse *p, const struct nft_chain *c,
			     const struct nft_chain *before, bool cache, int *ref, bool *enoent)
{
	*ref = -1;
	*enoent = false;
	const struct nft_token *kw = nft_peek(p, 0);
	bool by_index = nft_is_word(kw, "index");
	if (!by_index && !nft_is_word(kw, "position") && !nft_is_word(kw, "handle"))
		return true;
	nft_next(p);
	uint64_t v;
	const struct nft_token *num;
	if (!nft_parse_handle_num(p, &v, &num))
		return false;
	if (by_index)
		*ref = v < c->rules->len ? (int)v : -2;
	else if (!by_index && v) {
		*ref = nft_rule_index_of(c, v);
		if (*ref < 0 || (cache && (!before || nft_rule_index_of(before, v) < 0)))
			*ref = -2;
	}
	if (*ref == -2) {
		/* nft marks `position N`, `index N`, but only the number of
		 * `handle N` */
		bool h = nft_is_word(kw, "handle");
		struct nft_loc l = { kw->line, h ? num->col : kw->col,
				     num->col + num->len - (h ? num->col : kw->col) };
		nft_error_loc(p, l, "Could not process rule: No such file or directory");
		*enoent = true;
		return false;
	}
	return true;
}
