/* nft_error.c - nft's error messages: the location, the line, the marks.
 *
 *   FILE:LINE:FIRST-LAST: Error: MESSAGE
 *   <the input line>
 *   <^ under the culprit, ~ under its context, tabs kept>
 *
 * On the command line (no file) the first line is "Error: MESSAGE". This
 * mirrors nft's erec_print(); every error is collected and the input is
 * refused as a whole, as nft refuses a batch.
 */
#include <stdarg.h>
#include <string.h>

#include "nat/nftables/nft_int.h"
#include "nat/nftables/nft_keyword.h"

/* The text of line n (1-based), or the last line when n is past the end
 * (nft shows the last line for "unexpected end of file"). */
static GString *line_text(const char *text, int n)
{
	const char *start = text, *last = text;
	for (int cur = 1; cur < n; cur++) {
		const char *nl = strchr(start, '\n');
		if (!nl || !nl[1]) {
			start = last;	/* past the end: the last line */
			break;
		}
		last = start = nl + 1;
	}
	const char *e = strchr(start, '\n');
	return g_string_new_len(start, e ? e - start : (gssize)strlen(start));
}

/* print_location: the chain of include statements that led to the source,
 * innermost first, then "FILE:L:C-C: " (nothing on the command line). */
static const char *location(struct nft_parse *p, struct nft_loc at, int *line)
{
	unsigned src = NFT_LINE_SRC(at.line);
	*line = NFT_LINE_NO(at.line);
	if (!p->srcs || src >= p->srcs->len) {
		if (p->file)
			g_string_append_printf(p->err, "%s:%d:%d-%d: ", p->file, *line, at.col,
					       at.col + at.len - 1);
		return p->text;
	}
	const struct nft_src *s = p->srcs->pdata[src];
	const char *prefix = "In file included from";
	for (const struct nft_src *c = s; c->parent >= 0;) {
		const struct nft_src *up = p->srcs->pdata[c->parent];
		g_string_append_printf(p->err, "%s %s:%d:%d-%d:\n", prefix,
				       up->name ? up->name : "<cmdline>", NFT_LINE_NO(c->at.line),
				       c->at.col, c->at.col + c->at.len - 1);
		prefix = "                 from";
		c = up;
	}
	if (s->name)
		g_string_append_printf(p->err, "%s:%d:%d-%d: ", s->name, *line, at.col,
				       at.col + at.len - 1);
	return s->text;
}

static void emit(struct nft_parse *p, struct nft_loc at, const struct nft_loc *ctx,
		 const char *msg)
{
	int len = at.len > 0 ? at.len : 1;
	int line;
	at.len = len;
	const char *text = location(p, at, &line);
	g_string_append_printf(p->err, "Error: %s\n", msg);
	GString *l = line_text(text, line);
	g_string_append(p->err, l->str);
	g_string_append_c(p->err, '\n');
	int end = at.col + len - 1;
	if (ctx && ctx->col + ctx->len - 1 > end)
		end = ctx->col + ctx->len - 1;
	for (int c = 1; c <= end; c++) {
		char ch = c - 1 < (int)l->len ? l->str[c - 1] : ' ';
		if (c >= at.col && c < at.col + len)
			g_string_append_c(p->err, '^');
		else if (ctx && ctx->line == at.line && c >= ctx->col && c < ctx->col + ctx->len)
			g_string_append_c(p->err, '~');
		else
			g_string_append_c(p->err, ch == '\t' ? '\t' : ' ');
	}
	g_string_append_c(p->err, '\n');
	g_string_free(l, TRUE);
	p->nerr++;
}

static struct nft_loc loc_of(const struct nft_token *t)
{
	struct nft_loc l = { t->line, t->col, t->len };
	return l;
}

void nft_error(struct nft_parse *p, const struct nft_token *at, const struct nft_token *ctx,
	       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	struct nft_loc c = ctx ? loc_of(ctx) : (struct nft_loc){ 0, 0, 0 };
	emit(p, loc_of(at), ctx ? &c : NULL, m);
	g_free(m);
}

void nft_error_loc(struct nft_parse *p, struct nft_loc at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	emit(p, at, NULL, m);
	g_free(m);
}

void nft_error_ctx(struct nft_parse *p, struct nft_loc at, struct nft_loc ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	emit(p, at, &ctx, m);
	g_free(m);
}

/* bison's names for nft's tokens (parser_bison.y's %token strings). */
static const char *token_name(const struct nft_token *t)
{
	switch (t->type) {
	case NFT_T_NL: return "newline";
	case NFT_T_SEMI: return "semicolon";
	case NFT_T_LBRACE: return "'{'";
	case NFT_T_RBRACE: return "'}'";
	case NFT_T_COMMA: return "comma";
	case NFT_T_EOF: return "end of file";
	case NFT_T_STRING: return "quoted string";
	default: break;
	}
	if (g_ascii_isdigit(t->text[0]))
		return "number";
	const char *kw = nft_keyword(t->text, false);
	return kw ? kw : "string";
}

void nft_error_unexpected(struct nft_parse *p, const struct nft_token *t)
{
	nft_error(p, t, NULL, "syntax error, unexpected %s", token_name(t));
}

