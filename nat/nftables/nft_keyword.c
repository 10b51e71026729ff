/* nft_keyword.c - nft 1.0.6's keywords, and `identifier`: the names of
 * tables, chains, sets, maps, objects and jump targets.
 *
 * Design: nft's scanner (scanner.l) turns a keyword into its own token
 * wherever it stands, and parser_bison.y's `identifier` takes only a plain
 * STRING token: neither a keyword (`add chain ip t fwd` is "syntax error,
 * unexpected fwd, expecting string") nor a quoted string. The table holds
 * scanner.l's keywords that hold in every start condition (the rules
 * without a <SCANSTATE_...>), the word-like ones, with bison's name of the
 * token where it is not the word (`eq` is "=="); `list` commands add the
 * words of SCANSTATE_CMD_LIST (`tables`, `chains`, ...). What follows
 * after a bad name is bison's recovery, done by the callers: the input is
 * skipped to the end of the line, and parsing goes on there.
 */
#include <stdlib.h>
#include <string.h>

#include "nat/nftables/nft_keyword.h"

struct kw { const char *word, *bison; };

/* sorted (strcmp), for bsearch */
static const struct kw keywords[] = {
	{ "accept", NULL }, { "add", NULL }, { "ah", NULL }, { "all", NULL }, { "and", "&" },
	{ "arp", NULL }, { "auto-merge", NULL }, { "bridge", NULL }, { "cgroup", NULL },
	{ "chain", NULL }, { "comment", NULL }, { "comp", NULL }, { "constant", NULL },
	{ "continue", NULL }, { "counter", NULL }, { "cpu", NULL }, { "create", NULL },
	{ "ct", NULL }, { "daddr", NULL }, { "day", NULL }, { "dccp", NULL },
	{ "define", NULL }, { "delete", NULL }, { "describe", NULL }, { "device", NULL },
	{ "devices", NULL }, { "dnat", NULL }, { "drop", NULL }, { "dscp", NULL },
	{ "dst", NULL }, { "dup", NULL }, { "dynamic", NULL }, { "ecn", NULL },
	{ "element", NULL }, { "elements", NULL }, { "eq", "==" }, { "esp", NULL },
	{ "ether", NULL }, { "exists", NULL }, { "expires", NULL }, { "export", NULL },
	{ "exthdr", NULL }, { "fib", NULL }, { "flags", NULL }, { "flow", NULL },
	{ "flowlabel", NULL }, { "flowtable", NULL }, { "flush", NULL }, { "frag", NULL },
	{ "fwd", NULL }, { "gc-interval", NULL }, { "ge", ">=" }, { "get", NULL },
	{ "goto", NULL }, { "gt", ">" }, { "handle", NULL }, { "hbh", NULL }, { "hook", NULL },
	{ "hoplimit", NULL }, { "hour", NULL }, { "ibriport", NULL }, { "ibrname", NULL },
	{ "icmp", NULL }, { "icmpv6", NULL }, { "igmp", NULL }, { "iif", NULL },
	{ "iifgroup", NULL }, { "iifname", NULL }, { "iiftype", NULL }, { "import", NULL },
	{ "include", NULL }, { "index", NULL }, { "inet", NULL }, { "insert", NULL },
	{ "interval", NULL }, { "ip", NULL }, { "ip6", NULL }, { "ipsec", NULL },
	{ "jhash", NULL }, { "jump", NULL }, { "le", "<=" }, { "limit", NULL },
	{ "list", NULL }, { "log", NULL }, { "lshift", "<<" }, { "lt", "<" }, { "map", NULL },
	{ "mark", NULL }, { "masquerade", NULL }, { "meta", NULL }, { "meter", NULL },
	{ "mh", NULL }, { "missing", NULL }, { "monitor", NULL }, { "ne", "!=" },
	{ "netdev", NULL }, { "nexthdr", NULL }, { "nftrace", NULL }, { "not", "!" },
	{ "notrack", NULL }, { "numgen", NULL }, { "obriport", NULL }, { "obrname", NULL },
	{ "offload", NULL }, { "oif", NULL }, { "oifgroup", NULL }, { "oifname", NULL },
	{ "oiftype", NULL }, { "or", "'|'" }, { "osf", NULL }, { "pkttype", NULL },
	{ "policy", NULL }, { "position", NULL }, { "priority", NULL }, { "queue", NULL },
	{ "quota", NULL }, { "random", NULL }, { "redefine", NULL }, { "redirect", NULL },
	{ "reject", NULL }, { "rename", NULL }, { "replace", NULL }, { "reset", NULL },
	{ "return", NULL }, { "rshift", ">>" }, { "rt", NULL }, { "rt0", NULL },
	{ "rt2", NULL }, { "rtclassid", NULL }, { "rule", NULL }, { "ruleset", NULL },
	{ "saddr", NULL }, { "sctp", NULL }, { "secmark", NULL }, { "set", NULL },
	{ "size", NULL }, { "skgid", NULL }, { "skuid", NULL }, { "snat", NULL },
	{ "socket", NULL }, { "srh", NULL }, { "symhash", NULL }, { "synproxy", NULL },
	{ "table", NULL }, { "tcp", NULL }, { "th", NULL }, { "time", NULL },
	{ "timeout", NULL }, { "tproxy", NULL }, { "type", NULL }, { "typeof", NULL },
	{ "udp", NULL }, { "udplite", NULL }, { "undefine", NULL }, { "update", NULL },
	{ "version", NULL }, { "vlan", NULL }, { "vmap", NULL }, { "xor", "^" },
	{ "xt", NULL },
};

static const char *const list_words[] = {
	"chains", "counters", "flowtables", "hooks", "limits", "maps", "meters", "quotas",
	"secmarks", "sets", "synproxys", "tables",
};

static int kw_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kw *)a)->word, ((const struct kw *)b)->word);
}

const char *nft_keyword(const char *w, bool listing)
{
	struct kw key = { w, NULL };
	const struct kw *k = bsearch(&key, keywords, G_N_ELEMENTS(keywords), sizeof(keywords[0]),
				     kw_cmp);
	if (k)
		return k->bison ? k->bison : k->word;
	for (unsigned i = 0; listing && i < G_N_ELEMENTS(list_words); i++)
		if (!strcmp(w, list_words[i]))
			return list_words[i];
	return NULL;
}

static bool number_word(const char *w)
{
	return *w && strspn(w, "0123456789") == strlen(w);
}

bool nft_ident(struct nft_parse *p, const struct nft_token **out, const char *expecting,
	       bool listing)
{
	const struct nft_token *t = nft_next(p);
	const char *what = NULL;
	switch (t->type) {
	case NFT_T_WORD:
		what = number_word(t->text) ? "number" : nft_keyword(t->text, listing);
		break;
	case NFT_T_STRING: what = "quoted string"; break;
	case NFT_T_NL: what = "newline"; break;
	case NFT_T_SEMI: what = "semicolon"; break;
	case NFT_T_LBRACE: what = "'{'"; break;
	case NFT_T_RBRACE: what = "'}'"; break;
	case NFT_T_COMMA: what = "comma"; break;
	/* nft ends a command line with a newline */
	case NFT_T_EOF: what = p->file ? "end of file" : "newline"; break;
	}
	if (!what) {
		*out = t;
		return true;
	}
	nft_error(p, t, NULL, "syntax error, unexpected %s, expecting %s", what, expecting);
	p->resync = true;
	return false;
}

bool nft_at_name(struct nft_parse *p, const struct nft_token *at)
{
	const char *kw = at->text[1] ? nft_keyword(at->text + 1, false) : NULL;
	if (!kw)
		return true;
	struct nft_loc l = { at->line, at->col + 1, at->len - 1 };
	nft_error_loc(p, l, "syntax error, unexpected %s, expecting string", kw);
	p->resync = true;
	return false;
}

bool nft_chain_ref(struct nft_parse *p, const struct nft_token **out, const char *expecting)
{
	const struct nft_token *t = nft_peek(p, 0);
	if (t->from_var && (t->type == NFT_T_WORD || t->type == NFT_T_STRING)) {
		*out = nft_next(p);
		return true;
	}
	return nft_ident(p, out, expecting, false);
}

void nft_skip_line(struct nft_parse *p)
{
	for (;;) {
		const struct nft_token *t = nft_peek(p, 0);
		if (t->type == NFT_T_EOF)
			return;
		nft_next(p);
		if (t->type == NFT_T_NL || t->type == NFT_T_SEMI)
			return;
	}
}
