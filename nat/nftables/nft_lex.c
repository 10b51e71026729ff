/* nft_lex.c - the nft scanner: the input text to tokens.
 *
 * Design: a word runs to whitespace or one of { } ; , " # ; `#` starts a
 * comment to the end of the line; a backslash before a newline joins lines.
 * Words keep their inner punctuation ("10.0.0.0/8", "5000-5010", "1.2.3.4:80",
 * "5/second"), and the parsers split them by datatype, as nft's datatypes
 * parse the symbols its scanner hands them.
 */
#include <string.h>

#include "nat/nftables/nft_int.h"

static void push(struct nft_parse *p, enum nft_tok type, const char *s, int n, int line, int col)
{
	struct nft_token t = { type, g_strndup(s, (gsize)n), line, col, n, false };
	g_array_append_val(p->toks, t);
}

void nft_lex(struct nft_parse *p)
{
	const char *s = p->text;
	int line = 1;
	const char *bol = s;
	p->toks = g_array_new(FALSE, TRUE, sizeof(struct nft_token));
	p->pos = 0;
	while (*s) {
		int col = (int)(s - bol) + 1;
		char c = *s;
		if (c == '\\' && s[1] == '\n') {
			s += 2; line++; bol = s;
		} else if (c == '\n') {
			push(p, NFT_T_NL, s, 1, line, col);
			s++; line++; bol = s;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			s++;
		} else if (c == '#') {
			while (*s && *s != '\n')
				s++;
		} else if (c == '{' || c == '}' || c == ';' || c == ',') {
			push(p, c == '{' ? NFT_T_LBRACE : c == '}' ? NFT_T_RBRACE :
			     c == ';' ? NFT_T_SEMI : NFT_T_COMMA, s, 1, line, col);
			s++;
		} else if (c == '"') {
			const char *e = s + 1;
			while (*e && *e != '"' && *e != '\n')
				e++;
			struct nft_token t = { NFT_T_STRING, g_strndup(s + 1, (gsize)(e - s - 1)),
					       line, col, (int)(e - s) + (*e == '"'), false };
			g_array_append_val(p->toks, t);
			s = *e == '"' ? e + 1 : e;
		} else {
			const char *e = s;
			while (*e && !strchr(" \t\r\n{};,\"#", *e))
				e++;
			push(p, NFT_T_WORD, s, (int)(e - s), line, col);
			s = e;
		}
	}
	/* nft reports the end of file on the line after the last one */
	int eline = line, ecol = (int)(s - bol) + 1;
	if (s > p->text && s[-1] == '\n')
		ecol = 1;
	push(p, NFT_T_EOF, "", 0, eline, ecol);
}

void nft_lex_free(struct nft_parse *p)
{
	if (!p->toks)
		return;
	for (unsigned i = 0; i < p->toks->len; i++)
		g_free(g_array_index(p->toks, struct nft_token, i).text);
	g_array_free(p->toks, TRUE);
	p->toks = NULL;
}

const struct nft_token *nft_peek(struct nft_parse *p, unsigned ahead)
{
	unsigned i = p->pos + ahead;
	if (i >= p->toks->len)
		i = p->toks->len - 1;
	return &g_array_index(p->toks, struct nft_token, i);
}

const struct nft_token *nft_next(struct nft_parse *p)
{
	const struct nft_token *t = nft_peek(p, 0);
	if (p->pos < p->toks->len - 1)
		p->pos++;
	return t;
}

bool nft_is_word(const struct nft_token *t, const char *w)
{
	return t->type == NFT_T_WORD && strcmp(t->text, w) == 0;
}
