/* nft_cttimeout.c - nft's `ct timeout` and `ct expectation` objects:
 * their blocks, their checks, their listing and what `ct timeout set
 * "NAME"` does to a new entry.
 *
 *   ct timeout NAME { protocol tcp|udp; [l3proto F;] policy = { STATE: N, ... }; }
 *   ct expectation NAME { protocol tcp|udp; dport N; timeout T; size N; [l3proto F;] }
 *
 * nft 1.0.6 sends a timeout object's whole array: the states given, the
 * others from nft's own table of defaults (src/ct.c's timeout_protocol,
 * not the namespace's sysctls), and lists back only the values that differ
 * from that table (`policy = {  }` when none do). The kernel keeps the
 * values in jiffies (ctnl_timeout_parse_policy: seconds * HZ in 32 bits),
 * so a huge value wraps: the object's policy is ct_timeout.c's, made once
 * (nf_ct_timeout_new) and shared by the ruleset's copies, one reference
 * each. nft_ct_timeout_obj_eval gives it to an unconfirmed entry of the
 * object's protocol and restarts the entry's countdown from the policy's
 * first value (TCP: SYN_SENT's; UDP: UNREPLIED's); the tracker reads the
 * policy from then on. Before conntrack (priority raw) there is no entry
 * and nothing happens. Deleting the object (not in use) takes the policy
 * off the entries (nf_ct_untimeout).
 * An expectation object keeps what nft sends: its timeout in ms, which
 * the kernel multiplies by HZ as if it were seconds
 * (nft_ct_expect_obj_eval: jiffies + priv->timeout * HZ), dport in 16
 * bits, size in 8.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_helper.h"
#include "nat/conntrack/ct_proto.h"
#include "nat/conntrack/ct_timeout.h"
#include "nat/nftables/nft_int.h"
#include "nat/nftables/nft_keyword.h"
#include "nat/nftables/nft_cttimeout.h"

/* Debian 12's CONFIG_HZ, as ct_timeout.c's: the kernel stores seconds *
 * HZ in 32 bits. */
#define NFT_CT_TIMEOUT_HZ 250u

/* nft's state names and defaults (src/ct.c), in the kernel's attribute
 * order (CTA_TIMEOUT_TCP_*, CTA_TIMEOUT_UDP_*). */
static const char *const tcp_names[] = {
	"syn_sent", "syn_recv", "established", "fin_wait", "close_wait", "last_ack",
	"time_wait", "close", "syn_sent2", "retrans", "unack",
};
static const uint32_t tcp_dflt[] = { 120, 60, 432000, 120, 60, 30, 120, 10, 120, 300, 300 };
static const char *const udp_names[] = { "unreplied", "replied" };
static const uint32_t udp_dflt[] = { 30, 120 };

static unsigned n_states(uint8_t l4)
{
	return l4 == 6 ? G_N_ELEMENTS(tcp_names) : l4 == 17 ? G_N_ELEMENTS(udp_names) : 0;
}

static const char *state_name(uint8_t l4, unsigned i)
{
	return l4 == 6 ? tcp_names[i] : udp_names[i];
}

static uint32_t state_dflt(uint8_t l4, unsigned i)
{
	return l4 == 6 ? tcp_dflt[i] : udp_dflt[i];
}

/* NFPROTO_* of `l3proto` (family_spec_explicit) and back. */
static const struct { const char *name; uint16_t num; } l3names[] = {
	{ "ip", 2 }, { "ip6", 10 }, { "inet", 1 }, { "arp", 3 }, { "bridge", 7 }, { "netdev", 5 },
};

static const char *l3_name(uint16_t num)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(l3names); i++)
		if (l3names[i].num == num)
			return l3names[i].name;
	return "unknown";
}

static bool sep_tok(const struct nft_token *t)
{
	return t->type == NFT_T_NL || t->type == NFT_T_SEMI;
}

/* bison's "syntax error, unexpected X, expecting Y". */
static void expecting(struct nft_parse *p, const struct nft_token *t, const char *what)
{
	const char *got = t->type == NFT_T_NL ? "newline" : t->type == NFT_T_SEMI ? "semicolon" :
			  t->type == NFT_T_RBRACE ? "'}'" : t->type == NFT_T_LBRACE ? "'{'" :
			  t->type == NFT_T_COMMA ? "comma" : t->type == NFT_T_STRING ? "quoted string" :
			  t->type == NFT_T_EOF ? "end of file" :
			  g_ascii_isdigit(t->text[0]) ? "number" : nft_keyword(t->text, false);
	if (!got)
		got = "string";
	nft_error(p, t, NULL, "syntax error, unexpected %s, expecting %s", got, what);
}

/* stmt_separator after a config line. */
static bool end_of_config(struct nft_parse *p)
{
	const struct nft_token *t = nft_peek(p, 0);
	if (sep_tok(t))
		return true;
	nft_next(p);
	expecting(p, t, "newline or semicolon");
	return false;
}

/* nft's NUM: decimal or 0x hex that fits 64 bits. */
static bool number(const char *s, size_t n, uint64_t *v)
{
	char buf[32];
	char *end;
	if (n == 0 || n >= sizeof(buf) || !g_ascii_isdigit(s[0]))
		return false;
	memcpy(buf, s, n);
	buf[n] = 0;
	errno = 0;
	*v = strtoull(buf, &end, 0);
	return !*end && errno == 0;
}

static bool num_tok(struct nft_parse *p, uint64_t *v)
{
	const struct nft_token *t = nft_next(p);
	if (t->type != NFT_T_WORD || !number(t->text, strlen(t->text), v)) {
		expecting(p, t, "number");
		return false;
	}
	return true;
}

/* A state of the policy as typed, resolved against the protocol once the
 * block is read (the order of the lines does not matter to nft). */
struct typed_state {
	char name[24];
	struct nft_loc at;
	uint32_t value;
};

/* `{ STATE: N, ... }` of `policy =` (the parser at `{`). The scanner's
 * words may hold `:` and the number (`replied:3`), so each element's
 * words are read as one text. */
static bool policy_block(struct nft_parse *p, GArray *states)
{
	nft_next(p);	/* { */
	for (;;) {
		const struct nft_token *t = nft_next(p);
		const char *colon = t->type == NFT_T_WORD ? strchr(t->text, ':') : NULL;
		size_t nlen = colon ? (size_t)(colon - t->text) : strlen(t->text);
		if (t->type != NFT_T_WORD || nlen == 0) {
			expecting(p, t, "string");
			return false;
		}
		/* a longer name than any state's is kept cut: it matches none */
		struct typed_state st = { .at = { t->line, t->col, (int)nlen } };
		memcpy(st.name, t->text, MIN(nlen, sizeof(st.name) - 1));
		/* the number: after the colon in this word, or in the next ones */
		const char *num = colon ? colon + 1 : NULL;
		int ncol = t->col + (int)nlen + 1, nline = t->line;
		if (!colon) {
			const struct nft_token *c = nft_next(p);
			if (c->type != NFT_T_WORD || c->text[0] != ':') {
				nft_error(p, c, NULL, "syntax error, unexpected %s, expecting colon",
					  c->type == NFT_T_STRING ? "quoted string" : "string");
				return false;
			}
			num = c->text + 1;
			ncol = c->col + 1;
			nline = c->line;
		}
		if (!*num) {
			const struct nft_token *n = nft_next(p);
			if (n->type != NFT_T_WORD) {
				expecting(p, n, "number");
				return false;
			}
			num = n->text;
			ncol = n->col;
			nline = n->line;
		}
		uint64_t v;
		if (!number(num, strlen(num), &v)) {
			nft_error_loc(p, (struct nft_loc){ nline, ncol, (int)strlen(num) },
				      "syntax error, unexpected string, expecting number");
			return false;
		}
		st.value = (uint32_t)v;	/* nft keeps 32 bits */
		g_array_append_val(states, st);
		t = nft_next(p);
		if (t->type == NFT_T_RBRACE)
			return true;
		if (t->type != NFT_T_COMMA) {
			expecting(p, t, "comma or '}'");
			return false;
		}
	}
}

static bool l3proto_line(struct nft_parse *p, struct nft_obj *o)
{
	const struct nft_token *f = nft_next(p);
	for (unsigned i = 0; i < G_N_ELEMENTS(l3names); i++)
		if (nft_is_word(f, l3names[i].name)) {
			o->l3num = l3names[i].num;
			return end_of_config(p);
		}
	nft_error_unexpected(p, f);
	return false;
}

static bool protocol_line(struct nft_parse *p, struct nft_obj *o)
{
	const struct nft_token *l4 = nft_next(p);
	if (!nft_is_word(l4, "tcp") && !nft_is_word(l4, "udp")) {
		expecting(p, l4, "udp or tcp");
		return false;
	}
	o->l4proto = nft_is_word(l4, "tcp") ? 6 : 17;
	return end_of_config(p);
}

/* comment_spec: `comment "TEXT"`, once (no separator needed). */
static bool comment_line(struct nft_parse *p, struct nft_obj *o, const struct nft_token *kw)
{
	const struct nft_token *s = nft_next(p);
	if (s->type != NFT_T_STRING && s->type != NFT_T_WORD) {
		expecting(p, s, "string");
		return false;
	}
	if (o->comment) {
		nft_error_loc(p, (struct nft_loc){ kw->line, kw->col, s->col + s->len - kw->col },
			      "You can only specify this once. This statement is duplicated.");
		return false;
	}
	o->comment = g_strdup(s->text);
	return true;
}

/* ct_timeout_block / ct_expect_block (the parser at `{`). */
static bool obj_block(struct nft_parse *p, struct nft_obj *o, GArray *states)
{
	nft_next(p);	/* { */
	for (;;) {
		const struct nft_token *t = nft_next(p);
		bool ok;
		if (sep_tok(t))
			continue;
		if (t->type == NFT_T_RBRACE)
			return true;
		if (nft_is_word(t, "protocol")) {
			ok = protocol_line(p, o);
		} else if (nft_is_word(t, "l3proto")) {
			ok = l3proto_line(p, o);
		} else if (nft_is_word(t, "comment")) {
			ok = comment_line(p, o, t);
		} else if (o->otype == NFT_OBJ_CT_TIMEOUT &&
			   (nft_is_word(t, "policy") || nft_is_word(t, "policy="))) {
			if (nft_is_word(t, "policy")) {
				const struct nft_token *eq = nft_next(p);
				if (!nft_is_word(eq, "=")) {
					nft_error_unexpected(p, eq);
					return false;
				}
			}
			if (nft_peek(p, 0)->type != NFT_T_LBRACE) {
				nft_error_unexpected(p, nft_next(p));
				return false;
			}
			ok = policy_block(p, states) && end_of_config(p);
		} else if (o->otype == NFT_OBJ_CT_EXPECT && nft_is_word(t, "dport")) {
			uint64_t v;
			ok = num_tok(p, &v) && end_of_config(p);
			o->dport = (uint16_t)v;
		} else if (o->otype == NFT_OBJ_CT_EXPECT && nft_is_word(t, "size")) {
			uint64_t v;
			ok = num_tok(p, &v) && end_of_config(p);
			o->exp_size = (uint8_t)v;
		} else if (o->otype == NFT_OBJ_CT_EXPECT && nft_is_word(t, "timeout")) {
			const struct nft_token *v = nft_next(p);
			uint64_t ms;
			if (v->type != NFT_T_WORD || g_ascii_isdigit(v->text[strlen(v->text) - 1]) ||
			    !nft_parse_time(v->text, &ms)) {
				expecting(p, v, "string");
				return false;
			}
			o->exp_timeout_ms = (uint32_t)ms;	/* NFTA_CT_EXPECT_TIMEOUT: 32 bits */
			ok = end_of_config(p);
		} else {
			nft_error_unexpected(p, t);
			return false;
		}
		if (!ok)
			return false;
	}
}

/* nft's evaluation of the object, then the kernel's init: a timeout's
 * states must be its protocol's (`invalid state for this protocol`), an
 * expectation needs protocol, dport, timeout and size (`missing
 * options`); nft_ct_timeout_obj_init refuses a missing protocol
 * (EOPNOTSUPP), nft_ct_expect_obj_init an l3proto other than the
 * table's ip or ip6 (EINVAL for the other one, EAFNOSUPPORT else).
 * kerr: the kernel's errno, 0 if none. */
static bool obj_check(struct nft_parse *p, struct nft_obj *o, const struct nft_table *t,
		      GArray *states, const struct nft_token *name, bool cmdline, int *kerr)
{
	*kerr = 0;
	if (o->otype == NFT_OBJ_CT_EXPECT) {
		if (!o->l4proto || !o->dport || !o->exp_timeout_ms || !o->exp_size) {
			/* the name in a file; on the command line nft's location
			 * is the name's last character */
			struct nft_loc at = { name->line, name->col, name->len };
			if (cmdline)
				at = (struct nft_loc){ name->line, name->col + name->len - 1, 1 };
			nft_error_loc(p, at, "missing options");
			return false;
		}
		uint16_t fam = t->family == NFT_FAMILY_INET ? 1 : 2;
		if (o->l3num == 2 || o->l3num == 10) {
			if (o->l3num != fam && fam != 1)
				*kerr = EINVAL;
		} else {
			*kerr = EAFNOSUPPORT;
		}
		return true;
	}
	for (unsigned i = 0; i < n_states(o->l4proto); i++)
		o->tmo[i] = state_dflt(o->l4proto, i);
	for (unsigned i = 0; i < states->len; i++) {
		const struct typed_state *st = &g_array_index(states, struct typed_state, i);
		unsigned j, n = n_states(o->l4proto);
		for (j = 0; j < n && strcmp(st->name, state_name(o->l4proto, j)); j++)
			;
		if (j == n) {
			nft_error_loc(p, st->at, "invalid state for this protocol");
			return false;
		}
		o->tmo[j] = st->value;
	}
	if (!o->l4proto)
		*kerr = EOPNOTSUPP;
	return true;
}

/* `add|create ct ...` on one line (the command line's form), not a
 * table block's object. */
static bool cmdline_form(const struct nft_token *first, const struct nft_token *name)
{
	return (nft_is_word(first, "add") || nft_is_word(first, "create")) &&
	       first->line == name->line;
}

bool nft_parse_ct_obj(struct nft_parse *p, struct nft_table *t, enum nft_obj_type type,
		      bool create, struct nft_obj **made)
{
	const struct nft_token *n;
	*made = NULL;
	if (!nft_ident(p, &n, "string", false))
		return false;
	if (nft_peek(p, 0)->type != NFT_T_LBRACE) {
		expecting(p, nft_peek(p, 0), "'{'");
		return false;
	}
	unsigned start = p->pos - 1;
	while (start > 0 && !sep_tok(&g_array_index(p->toks, struct nft_token, start - 1)) &&
	       g_array_index(p->toks, struct nft_token, start - 1).type != NFT_T_LBRACE)
		start--;
	const struct nft_token first = g_array_index(p->toks, struct nft_token, start);
	struct nft_obj *o = g_new0(struct nft_obj, 1);
	o->name = g_strdup(n->text);
	o->otype = type;
	o->l3proto = t->family;
	o->l3num = t->family == NFT_FAMILY_INET ? 1 : 2;	/* ctx->family */
	GArray *states = g_array_new(FALSE, TRUE, sizeof(struct typed_state));
	int kerr = 0;
	bool ok = obj_block(p, o, states);
	if (!ok) {
		/* past the block's end, as bison's error recovery goes */
		while (nft_peek(p, 0)->type != NFT_T_EOF && nft_peek(p, 0)->type != NFT_T_LBRACE &&
		       g_array_index(p->toks, struct nft_token, p->pos - 1).type != NFT_T_RBRACE)
			nft_next(p);
	} else if (!cmdline_form(&first, n) && !sep_tok(nft_peek(p, 0))) {
		/* in a table block the object's `}` ends a line
		 * (table_block's `... '}' stmt_separator`) */
		expecting(p, nft_next(p), "newline or semicolon");
		ok = false;
	} else {
		ok = obj_check(p, o, t, states, n, cmdline_form(&first, n), &kerr);
	}
	g_array_free(states, TRUE);
	if (!ok) {
		nft_obj_free(o);
		return false;
	}
	if (nft_obj_find_type(t, type, o->name)) {
		/* NLM_F_EXCL for create; add of the same name changes nothing
		 * (neither object type has an update) */
		nft_obj_free(o);
		if (create) {
			nft_error(p, n, NULL, "Could not process rule: File exists");
			p->nkerr++;
		}
		return !create;
	}
	if (kerr) {
		nft_error_loc(p, nft_obj_refused_at(p, &first, n), "Could not process rule: %s", g_strerror(kerr));
		p->nkerr++;
		nft_obj_free(o);
		return false;
	}
	g_ptr_array_add(t->objs, o);
	*made = o;
	return true;
}

/* obj_print_data of NFT_OBJECT_CT_TIMEOUT and NFT_OBJECT_CT_EXPECT. */
void nft_print_ct_obj(GString *s, const struct nft_obj *o, const struct nft_print_opts *opts)
{
	g_string_append_printf(s, "\tct %s %s {", o->otype == NFT_OBJ_CT_TIMEOUT ? "timeout" :
			       "expectation", o->name);
	if (opts->handles)
		g_string_append_printf(s, " # handle %" G_GUINT64_FORMAT, o->handle);
	g_string_append(s, "\n");
	if (o->comment)
		g_string_append_printf(s, "\t\tcomment \"%s\"\n", o->comment);
	g_string_append_printf(s, "\t\tprotocol %s\n", o->l4proto == 6 ? "tcp" : "udp");
	if (o->otype == NFT_OBJ_CT_EXPECT) {
		g_string_append_printf(s, "\t\tdport %u\n\t\ttimeout ", o->dport);
		nft_print_time(s, o->exp_timeout_ms, opts->numeric);
		g_string_append_printf(s, "\n\t\tsize %u\n\t\tl3proto %s\n\t}\n", o->exp_size,
				       l3_name(o->l3num));
		return;
	}
	g_string_append_printf(s, "\t\tl3proto %s\n\t\tpolicy = { ", l3_name(o->l3num));
	bool comma = false;
	for (unsigned i = 0; i < n_states(o->l4proto); i++) {
		/* the kernel's dump: jiffies / HZ of what it stored */
		uint32_t v = o->tmo[i] * NFT_CT_TIMEOUT_HZ / NFT_CT_TIMEOUT_HZ;
		if (v == state_dflt(o->l4proto, i))
			continue;
		g_string_append_printf(s, "%s%s : %u", comma ? ", " : "", state_name(o->l4proto, i), v);
		comma = true;
	}
	g_string_append(s, " }\n\t}\n");
}

/* The ruleset is copied per transaction: a copy holds the policy too. */
void nft_ct_obj_hold(struct nft_obj *o)
{
	o->comment = g_strdup(o->comment);
	if (o->policy)
		nf_ct_timeout_get(o->policy);
}

void nft_ct_obj_drop(struct nft_obj *o)
{
	g_free(o->comment);
	nf_ct_timeout_release(o->policy);
}

static bool sets_timeout(const struct nft_expr *e, const void *name)
{
	return e->kind == NFT_EXPR_CT_TIMEOUT_SET && !strcmp(e->obj, name);
}

static bool sets_expect(const struct nft_expr *e, const void *name)
{
	return e->kind == NFT_EXPR_CT_EXPECT_SET && !strcmp(e->obj, name);
}

bool nft_ct_obj_in_use(const struct nft_table *t, enum nft_obj_type type, const char *name)
{
	return nft_table_any_expr(t, type == NFT_OBJ_CT_TIMEOUT ? sets_timeout : sets_expect, name);
}

/* nft_ct_timeout_obj_eval: a packet of the object's protocol whose entry
 * is not confirmed yet gets the policy, and the entry's timeout restarts
 * from the policy's first value (nf_ct_refresh of values[0]). */
void nft_ct_timeout_obj_eval(struct nft_table *t, const char *name, struct nf_ns *ns,
			     struct ct_entry *ct, uint8_t tprot, nf_time now)
{
	struct nft_obj *o = nft_obj_find_type(t, NFT_OBJ_CT_TIMEOUT, name);

	if (!o || o->l4proto != tprot || !ct || (ct->status & IPS_CONFIRMED))
		return;
	if (!o->policy)		/* nft_ct_timeout_obj_init's allocation, made once */
		o->policy = nf_ct_timeout_new(ns, o->l3num, o->l4proto, o->tmo);
	if (!o->policy)
		return;
	nf_ct_timeout_attach(ns, ct, o->policy);
	ct_refresh(ns, ct, now, (int32_t)nf_ct_timeout_first(o->policy));
}

/* nft_ct_expect_obj_eval: an unconfirmed entry (else the rule breaks)
 * gets the helper extension without a helper and, while it has fewer
 * than `size` expectations (else break), one more: from the reply
 * direction's source to its destination's `dport`, any source port, for
 * the object's timeout taken as seconds (the kernel's `priv->timeout *
 * HZ` of a value nft gives in ms). A refused expectation drops. */
int nft_ct_expect_obj_eval(struct nft_table *t, const char *name, struct nf_ns *ns,
			   struct ct_entry *ct, uint8_t ctinfo, nf_time now)
{
	const struct nft_obj *o = nft_obj_find_type(t, NFT_OBJ_CT_EXPECT, name);
	struct nf_conn_help *help;

	if (!o)
		return NFT_CT_OBJ_GO_ON;
	if (!ct || (ct->status & IPS_CONFIRMED))
		return NFT_CT_OBJ_BREAK;
	help = nfct_help(ns, ct);
	if (!help)
		help = nf_ct_helper_assign(ns, ct, NULL);	/* nf_ct_helper_ext_add */
	if (help->expecting >= o->exp_size)
		return NFT_CT_OBJ_BREAK;
	const struct ct_tuple *r = &ct->tuplehash[!ct_info_dir(ctinfo)].t;
	struct nf_ct_expect exp = {
		.tuple = { .src = r->src, .dst = r->dst, .sport = 0, .dport = o->dport,
			   .proto = o->l4proto },
		.mask_src = 0xffffffffu, .mask_sport = 0, .master = ct,
		.timeout = now + (nf_time)o->exp_timeout_ms * 1000000000LL,
	};
	return nf_ct_expect_related(ns, &exp, now) ? NFT_CT_OBJ_DROP : NFT_CT_OBJ_GO_ON;
}
