/* nft_prio.c - a base chain's `priority` expression as nft 1.0.6 reads it:
 * a number (`-150`, `- 150`), a standard name (`filter`), or a name plus or
 * minus a number (`filter + 10`, `mangle - 5`, `dstnat+1`).
 *
 * Design: mirrors parser_bison.y's extended_prio_spec (int_num |
 * extended_prio_name [PLUS|DASH NUM]) over natsim's tokens, which run to
 * whitespace, so `filter+10` is one word split here as nft's scanner splits
 * it (a `-` inside a word belongs to nft's string: `filter-10` is a name
 * that does not exist). The name is then looked up as evaluate_priority()
 * and std_prio_lookup() do, with std_prio_family_hook_compat()'s rule
 * (dstnat only at prerouting, srcnat only at postrouting), and a failure is
 * nft's "invalid priority expression value in this context." over the
 * whole `priority ...` span. The value wraps to 32 bits as nft's does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nat/nftables/nft_prio.h"

/* std_prios of nft's rule.c (ip, ip6, inet); hook -1: any hook */
static const struct { const char *name; int v; int hook; } std_prios[] = {
	{ "raw", -300, -1 }, { "mangle", -150, -1 }, { "dstnat", -100, 0 },
	{ "filter", 0, -1 }, { "security", 50, -1 }, { "srcnat", 100, 4 },
};

/* std_prio_lookup(): the standard priority's value, if the name exists
 * and suits the hook (NF_INET_* numbering, 0 prerouting .. 4 postrouting) */
static bool std_prio_lookup(const char *name, size_t n, int hook, int *v)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(std_prios); i++)
		if (strlen(std_prios[i].name) == n && !strncmp(name, std_prios[i].name, n) &&
		    (std_prios[i].hook < 0 || std_prios[i].hook == hook)) {
			*v = std_prios[i].v;
			return true;
		}
	return false;
}

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

/* NUM as nft's scanner reads it (a uint64), stored in an int as nft's
 * constant_expr_alloc of sizeof(int) does: the low 32 bits */
static int wrap32(const char *s)
{
	return (int)(uint32_t)strtoull(s, NULL, 10);
}

static void span_error(struct nft_parse *p, const struct nft_token *kw, const struct nft_token *last)
{
	struct nft_loc at = { kw->line, kw->col, last->col + last->len - kw->col };
	if (last->line != kw->line)
		at.len = kw->len;
	nft_error_loc(p, at, "invalid priority expression value in this context.");
}

bool nft_parse_prio(struct nft_parse *p, const struct nft_token *kw, int hook, int *prio)
{
	const struct nft_token *t = nft_next(p);
	if (t->type != NFT_T_WORD) {
		nft_error_unexpected(p, t);
		return false;
	}
	/* int_num: NUM | DASH NUM */
	if (all_digits(t->text)) {
		*prio = wrap32(t->text);
		return true;
	}
	if (t->text[0] == '-' && all_digits(t->text + 1)) {
		*prio = (int)(0u - (uint32_t)wrap32(t->text + 1));
		return true;
	}
	if (!strcmp(t->text, "-")) {
		const struct nft_token *n = nft_next(p);
		if (n->type != NFT_T_WORD || !all_digits(n->text)) {
			nft_error(p, n, NULL, "syntax error, unexpected %s, expecting number",
				  n->type == NFT_T_WORD ? "string" : "newline");
			return false;
		}
		*prio = (int)(0u - (uint32_t)wrap32(n->text));
		return true;
	}
	/* extended_prio_name [PLUS|DASH NUM]: `name+N` in one word, or
	 * `name` `+`|`-` `N` (nft's string takes a `-` in, not a `+`) */
	const char *name = t->text;
	size_t nlen = strcspn(name, "+");
	const struct nft_token *last = t;
	char op = 0;
	const char *num = NULL;
	if (name[nlen] == '+') {
		op = '+';
		num = name + nlen + 1;
		if (!*num) {
			const struct nft_token *n = nft_next(p);
			last = n;
			num = n->type == NFT_T_WORD ? n->text : "";
		}
	} else if (nft_is_word(nft_peek(p, 0), "+") || nft_is_word(nft_peek(p, 0), "-")) {
		op = nft_next(p)->text[0];
		const struct nft_token *n = nft_next(p);
		if (n->type == NFT_T_WORD && n->text[0] == '-') {
			struct nft_loc at = { n->line, n->col, 1 };
			nft_error_loc(p, at, "syntax error, unexpected -, expecting number");
			return false;
		}
		if (n->type != NFT_T_WORD || !all_digits(n->text)) {
			nft_error(p, n, NULL, "syntax error, unexpected %s, expecting number",
				  n->type == NFT_T_WORD ? "string" : "newline");
			return false;
		}
		last = n;
		num = n->text;
	}
	if (num && !all_digits(num)) {
		nft_error(p, last, NULL, "syntax error, unexpected string, expecting number");
		return false;
	}
	int base;
	if (!std_prio_lookup(name, nlen, hook, &base)) {
		span_error(p, kw, last);
		return false;
	}
	uint32_t off = num ? (uint32_t)wrap32(num) : 0;
	*prio = (int)(op == '-' ? (uint32_t)base - off : (uint32_t)base + off);
	return true;
}
