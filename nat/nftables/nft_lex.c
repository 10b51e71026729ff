/* nft_lex.c - the nft scanner: the input text to tokens.
 *
 * Design: a word runs to whitespace or one of { } ; , " # ; `#` starts a
 * comment to the end of the line; a backslash before a newline joins lines.
 * Words keep their inner punctuation ("10.0.0.0/8", "5000-5010", "1.2.3.4:80",
 * "5/second"), and the parsers split them by datatype, as nft's datatypes
 * parse the symbols its scanner hands them. `include` is done here, as nft's
 * scanner does it: the included files' tokens take the statement's place
 * (nft_include.c finds the files).
 */
#include <string.h>

#include "nat/nftables/nft_int.h"

static void push(GArray *toks, enum nft_tok type, const char *s, int n, int line, int col)
{
	struct nft_token t = { type, g_strndup(s, (gsize)n), line, col, n, false };
	g_array_append_val(toks, t);
}

/* The text of one source to tokens; *eline, *ecol: where its end is
 * (nft reports the end of file on the line after the last one). */
static GArray *lex_text(const char *text, unsigned src, int *eline, int *ecol)
{
	GArray *toks = g_array_new(FALSE, TRUE, sizeof(struct nft_token));
	const char *s = text;
	int line = 1;
	const char *bol = s;
	while (*s) {
		int col = (int)(s - bol) + 1;
		int at = NFT_LINE(src, line);
		char c = *s;
		if (c == '\\' && s[1] == '\n') {
			s += 2; line++; bol = s;
		} else if (c == '\n') {
			push(toks, NFT_T_NL, s, 1, at, col);
			s++; line++; bol = s;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			s++;
		} else if (c == '#') {
			while (*s && *s != '\n')
				s++;
		} else if (c == '{' || c == '}' || c == ';' || c == ',') {
			push(toks, c == '{' ? NFT_T_LBRACE : c == '}' ? NFT_T_RBRACE :
			     c == ';' ? NFT_T_SEMI : NFT_T_COMMA, s, 1, at, col);
			s++;
		} else if (c == '"') {
			const char *e = s + 1;
			while (*e && *e != '"' && *e != '\n')
				e++;
			struct nft_token t = { NFT_T_STRING, g_strndup(s + 1, (gsize)(e - s - 1)),
					       at, col, (int)(e - s) + (*e == '"'), false };
			g_array_append_val(toks, t);
			s = *e == '"' ? e + 1 : e;
		} else {
			const char *e = s;
			while (*e && !strchr(" \t\r\n{};,\"#", *e))
				e++;
			push(toks, NFT_T_WORD, s, (int)(e - s), at, col);
			s = e;
		}
	}
	*eline = NFT_LINE(src, line);
	*ecol = (int)(s - bol) + 1;
	if (s > text && s[-1] == '\n')
		*ecol = 1;
	return toks;
}

/* Where a statement may begin (nft_define.c's rule too). */
static bool starts_statement(const GArray *out)
{
	if (out->len == 0)
		return true;
	enum nft_tok t = g_array_index(out, struct nft_token, out->len - 1).type;
	return t == NFT_T_NL || t == NFT_T_SEMI || t == NFT_T_LBRACE || t == NFT_T_RBRACE;
}

/* The tokens of source src into p->toks, each `include "NAME"` statement
 * (INCLUDE QUOTED_STRING stmt_separator of nft's grammar, in any block)
 * replaced by the files it names, as nft's scanner pushes them in its
 * place (scanner_include_file). */
void nft_lex_source(struct nft_parse *p, unsigned src)
{
	const struct nft_src *in = p->srcs->pdata[src];
	int eline, ecol;
	GArray *t = lex_text(in->text, src, &eline, &ecol);
	struct nft_token *v = (struct nft_token *)(void *)t->data;
	for (unsigned i = 0; i < t->len; i++) {
		if (v[i].type == NFT_T_WORD && !strcmp(v[i].text, "include") && i + 1 < t->len &&
		    v[i + 1].type == NFT_T_STRING && starts_statement(p->toks)) {
			bool sep = i + 2 < t->len && (v[i + 2].type == NFT_T_NL ||
						      v[i + 2].type == NFT_T_SEMI);
			if (sep || (i + 2 == t->len && !in->name)) {
				bool ok = nft_include(p, src, &v[i], &v[i + 1], sep ? &v[i + 2] : NULL);
				unsigned k = i;
				for (; k < i + 2 + sep; k++)
					g_free(v[k].text);
				/* a failed include: bison's `error stmt_separator`
				 * recovery drops the rest up to the next separator */
				for (; !ok && k < t->len; k++) {
					enum nft_tok ty = v[k].type;
					g_free(v[k].text);
					if (ty == NFT_T_NL || ty == NFT_T_SEMI) {
						k++;
						break;
					}
				}
				i = k - 1;
				continue;
			}
			if (i + 2 == t->len) {
				struct nft_token end = { NFT_T_EOF, (char *)"", eline, ecol, 0, false };
				nft_error(p, &end, NULL, "syntax error, unexpected end of file, "
					  "expecting newline or semicolon");
				g_free(v[i].text);
				g_free(v[i + 1].text);
				break;
			}
		}
		g_array_append_val(p->toks, v[i]);
	}
	g_array_free(t, TRUE);
	if (src == 0) {
		struct nft_token end = { NFT_T_EOF, g_strdup(""), eline, ecol, 0, false };
		g_array_append_val(p->toks, end);
	}
}

void nft_lex(struct nft_parse *p)
{
	struct nft_src *main = g_new0(struct nft_src, 1);
	main->name = g_strdup(p->file);
	main->text = g_strdup(p->text);
	main->depth = 1;
	main->parent = -1;
	p->srcs = g_ptr_array_new();
	g_ptr_array_add(p->srcs, main);
	p->toks = g_array_new(FALSE, TRUE, sizeof(struct nft_token));
	p->pos = 0;
	nft_lex_source(p, 0);
}

void nft_srcs_free(struct nft_parse *p)
{
	for (unsigned i = 0; p->srcs && i < p->srcs->len; i++) {
		struct nft_src *s = p->srcs->pdata[i];
		g_free(s->name);
		g_free(s->text);
		g_free(s);
	}
	if (p->srcs)
		g_ptr_array_free(p->srcs, TRUE);
	p->srcs = NULL;
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
