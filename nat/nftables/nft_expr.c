/* nft_expr.c - the statements and expressions of one rule.
 *
 * Design: a rule is read left to right into nft_expr objects: a selector
 * (payload, meta, ct, fib) with its operator and value, or a statement
 * (verdict, counter, log, limit, quota, nat, reject, mark set, notrack,
 * MSS clamping). What nft's evaluation normalises is done here, once:
 * a one-element anonymous set is a plain value, set elements are sorted, a
 * protocol match that only states the next selector's dependency is marked
 * implicit (the kernel keeps it, `nft list` does not print it).
 * Anything else is refused in natsim's voice, never guessed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nat/nftables/nft_ct.h"
#include "nat/nftables/nft_datamap.h"
#include "nat/nftables/nft_eval.h"
#include "nat/nftables/nft_fib.h"
#include "nat/nftables/nft_hash.h"
#include "nat/nftables/nft_int.h"
#include "nat/nftables/nft_keyword.h"
#include "nat/nftables/nft_payload.h"
#include "nat/nftables/nft_mark_expr.h"
#include "nat/nftables/nft_meta_keys.h"

static bool unimpl(struct nft_parse *p, const struct nft_token *t, const char *what);

#define NOPROTO -1
static const struct { const char *in; const struct nft_key key; } keys[] = {
	{ "ip saddr", { "ip saddr", NFT_DT_IPV4, NOPROTO, true, NFT_K_IP_SADDR } },
	{ "ip daddr", { "ip daddr", NFT_DT_IPV4, NOPROTO, true, NFT_K_IP_DADDR } },
	{ "ip protocol", { "ip protocol", NFT_DT_PROTO, NOPROTO, true, NFT_K_IP_PROTOCOL } },
	{ "tcp dport", { "tcp dport", NFT_DT_SERVICE, 6, false, NFT_K_TCP_DPORT } },
	{ "tcp sport", { "tcp sport", NFT_DT_SERVICE, 6, false, NFT_K_TCP_SPORT } },
	{ "tcp flags", { "tcp flags", NFT_DT_TCPFLAG, 6, false, NFT_K_TCP_FLAGS } },
	{ "udp dport", { "udp dport", NFT_DT_SERVICE, 17, false, NFT_K_UDP_DPORT } },
	{ "udp sport", { "udp sport", NFT_DT_SERVICE, 17, false, NFT_K_UDP_SPORT } },
	{ "th dport", { "th dport", NFT_DT_SERVICE, NOPROTO, false, NFT_K_TH_DPORT } },
	{ "th sport", { "th sport", NFT_DT_SERVICE, NOPROTO, false, NFT_K_TH_SPORT } },
	{ "icmp type", { "icmp type", NFT_DT_ICMPTYPE, 1, false, NFT_K_ICMP_TYPE } },
	{ "ct state", { "ct state", NFT_DT_CTSTATE, NOPROTO, false, NFT_K_CT_STATE } },
	{ "ct status", { "ct status", NFT_DT_CTSTATUS, NOPROTO, false, NFT_K_CT_STATUS } },
	{ "ct mark", { "ct mark", NFT_DT_MARK, NOPROTO, false, NFT_K_CT_MARK } },
	{ "ct direction", { "ct direction", NFT_DT_CTDIR, NOPROTO, false, NFT_K_CT_DIRECTION } },
	/* the helper's name, a string as an interface name is */
	{ "ct helper", { "ct helper", NFT_DT_IFNAME, NOPROTO, false, NFT_K_CT_HELPER } },
	{ "meta iifname", { "iifname", NFT_DT_IFNAME, NOPROTO, false, NFT_K_IIFNAME } },
	{ "meta oifname", { "oifname", NFT_DT_IFNAME, NOPROTO, false, NFT_K_OIFNAME } },
	/* by index in the kernel; natsim's interfaces are named only, so
	 * `iif lo` compares the name (nft lists it as `iif "lo"`) */
	{ "meta iif", { "iif", NFT_DT_IFNAME, NOPROTO, false, NFT_K_IIFNAME } },
	{ "meta oif", { "oif", NFT_DT_IFNAME, NOPROTO, false, NFT_K_OIFNAME } },
	{ "meta l4proto", { "meta l4proto", NFT_DT_PROTO, NOPROTO, false, NFT_K_L4PROTO } },
	{ "meta nfproto", { "meta nfproto", NFT_DT_NFPROTO, NOPROTO, false, NFT_K_NFPROTO } },
	{ "meta mark", { "meta mark", NFT_DT_MARK, NOPROTO, false, NFT_K_MARK } },
	{ "meta pkttype", { "meta pkttype", NFT_DT_PKTTYPE, NOPROTO, false, NFT_K_PKTTYPE } },
	{ "meta length", { "meta length", NFT_DT_INTEGER, NOPROTO, false, NFT_K_LENGTH } },
	{ "ip ttl", { "ip ttl", NFT_DT_INTEGER, NOPROTO, true, NFT_K_IP_TTL } },
	{ "ip length", { "ip length", NFT_DT_INTEGER, NOPROTO, true, NFT_K_IP_LENGTH } },
	{ "ct original saddr", { "ct original ip saddr", NFT_DT_IPV4, NOPROTO, false, NFT_K_CT_ORIG_SADDR } },
	{ "ct original daddr", { "ct original ip daddr", NFT_DT_IPV4, NOPROTO, false, NFT_K_CT_ORIG_DADDR } },
	{ "ct reply saddr", { "ct reply ip saddr", NFT_DT_IPV4, NOPROTO, false, NFT_K_CT_REPL_SADDR } },
	{ "ct reply daddr", { "ct reply ip daddr", NFT_DT_IPV4, NOPROTO, false, NFT_K_CT_REPL_DADDR } },
	{ "ct original proto-src", { "ct original proto-src", NFT_DT_SERVICE, NOPROTO, false, NFT_K_CT_ORIG_PSRC } },
	{ "ct original proto-dst", { "ct original proto-dst", NFT_DT_SERVICE, NOPROTO, false, NFT_K_CT_ORIG_PDST } },
	{ "ct reply proto-src", { "ct reply proto-src", NFT_DT_SERVICE, NOPROTO, false, NFT_K_CT_REPL_PSRC } },
	{ "ct reply proto-dst", { "ct reply proto-dst", NFT_DT_SERVICE, NOPROTO, false, NFT_K_CT_REPL_PDST } },
	{ "ct original ip saddr", { "ct original ip saddr", NFT_DT_IPV4, NOPROTO, false, NFT_K_CT_ORIG_SADDR } },
	{ "ct original ip daddr", { "ct original ip daddr", NFT_DT_IPV4, NOPROTO, false, NFT_K_CT_ORIG_DADDR } },
	{ "ct reply ip saddr", { "ct reply ip saddr", NFT_DT_IPV4, NOPROTO, false, NFT_K_CT_REPL_SADDR } },
	{ "ct reply ip daddr", { "ct reply ip daddr", NFT_DT_IPV4, NOPROTO, false, NFT_K_CT_REPL_DADDR } },
	{ "fib daddr type", { "fib daddr type", NFT_DT_FIBADDR, NOPROTO, false, NFT_K_FIB_DADDR_TYPE } },
	{ "fib saddr type", { "fib saddr type", NFT_DT_FIBADDR, NOPROTO, false, NFT_K_FIB_SADDR_TYPE } },
	/* IPv6 (nft_ip6.c): kept and listed, never loaded from natsim's
	 * IPv4 packets */
	{ "ip6 saddr", { "ip6 saddr", NFT_DT_IPV6, NOPROTO, false, NFT_K_IP6_SADDR } },
	{ "ip6 daddr", { "ip6 daddr", NFT_DT_IPV6, NOPROTO, false, NFT_K_IP6_DADDR } },
	{ "ip6 nexthdr", { "ip6 nexthdr", NFT_DT_PROTO, NOPROTO, false, NFT_K_IP6_NEXTHDR } },
	{ "ip6 hoplimit", { "ip6 hoplimit", NFT_DT_INTEGER, NOPROTO, false, NFT_K_IP6_HOPLIMIT } },
	{ "icmpv6 type", { "icmpv6 type", NFT_DT_ICMP6TYPE, 58, false, NFT_K_ICMP6_TYPE } },
	{ "icmpv6 code", { "icmpv6 code", NFT_DT_ICMP6CODE, 58, false, NFT_K_ICMP6_CODE } },
};
/* numgen's key: the generator's parameters are the expression's */
static const struct nft_key numgen_key = { "numgen", NFT_DT_INTEGER, NOPROTO, false, NFT_K_NUMGEN };

/* meta keys nft accepts without `meta` */
static const char *const bare_meta[] = { "iifname", "oifname", "iif", "oif", "mark", "pkttype",
					 NULL };

static bool at_end(const struct nft_token *t)
{
	return t->type == NFT_T_NL || t->type == NFT_T_SEMI || t->type == NFT_T_RBRACE ||
	       t->type == NFT_T_EOF;
}

static struct nft_expr *expr_new(enum nft_expr_kind k)
{
	struct nft_expr *e = g_new0(struct nft_expr, 1);
	e->kind = k;
	e->level = -1;
	e->log_group = -1;
	return e;
}

/* The selector at the parser's position ("tcp dport", "meta mark", bare
 * "iifname"); NULL if the words are none. */
static const struct nft_key *parse_key(struct nft_parse *p)
{
	const struct nft_token *a = nft_peek(p, 0), *b = nft_peek(p, 1), *c = nft_peek(p, 2);
	const struct nft_token *d = nft_peek(p, 3);
	if (a->type != NFT_T_WORD)
		return NULL;
	const struct nft_key *fib = nft_fib_oif_key(p);
	if (fib)
		return fib;
	const struct nft_key *ctk = nft_ct_parse_key(p);
	if (ctk)
		return ctk;
	const struct nft_key *mk = nft_meta_key_parse(p);
	if (mk)
		return mk;
	char *two = g_strdup_printf("%s %s", a->text, b->type == NFT_T_WORD ? b->text : "");
	char *three = g_strdup_printf("%s %s", two, c->type == NFT_T_WORD ? c->text : "");
	char *four = g_strdup_printf("%s %s", three, d->type == NFT_T_WORD ? d->text : "");
	char *meta = g_strdup_printf("meta %s", a->text);
	const struct nft_key *k = NULL;
	int words = 0;
	for (unsigned i = 0; i < G_N_ELEMENTS(keys) && !k; i++) {
		if (strcmp(keys[i].in, four) == 0)
			k = &keys[i].key, words = 4;
		else if (strcmp(keys[i].in, three) == 0)
			k = &keys[i].key, words = 3;
		else if (strcmp(keys[i].in, two) == 0)
			k = &keys[i].key, words = 2;
	}
	for (unsigned i = 0; bare_meta[i] && !k; i++)
		if (strcmp(a->text, bare_meta[i]) == 0)
			for (unsigned j = 0; j < G_N_ELEMENTS(keys) && !k; j++)
				if (strcmp(keys[j].in, meta) == 0)
					k = &keys[j].key, words = 1;
	g_free(two);
	g_free(three);
	g_free(four);
	g_free(meta);
	for (int i = 0; i < words; i++)
		nft_next(p);
	if (!k)
		return nft_payload_parse_key(p);	/* the other payload fields */
	return k;
}

static int elem_cmp(gconstpointer a, gconstpointer b, gpointer dtype)
{
	const struct nft_elem *x = a, *y = b;
	if (*(const enum nft_dtype *)dtype == NFT_DT_IPV6)
		return nft_ip6_cmp(x, y);
	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* nft's message for a symbol its datatype does not know. A name natsim's
 * short lists lack (/etc/services, /etc/protocols, DNS) gets the same
 * message: natsim resolves no names. */
static const char *dtype_error(enum nft_dtype dt)
{
	switch (dt) {
	case NFT_DT_CTSTATE: return "Could not parse conntrack state";
	case NFT_DT_CTSTATUS: return "Could not parse conntrack status";
	case NFT_DT_CTDIR: return "Could not parse conntrack direction";
	case NFT_DT_SERVICE: return "Could not resolve service: Servname not supported for ai_socktype";
	case NFT_DT_PROTO: return "Could not resolve protocol name";
	case NFT_DT_ICMPTYPE: return "Could not parse ICMP type";
	case NFT_DT_MARK: return "Could not parse packet mark";
	case NFT_DT_IPV4: case NFT_DT_IPV6:
		return "Could not resolve hostname: Name or service not known";
	case NFT_DT_ICMP6TYPE: return "Could not parse ICMPv6 type";
	case NFT_DT_ICMP6CODE: return "Could not parse icmpv6 code";
	case NFT_DT_PKTTYPE: return "Could not parse packet type";
	case NFT_DT_TCPFLAG: return "Could not parse TCP flag";
	case NFT_DT_FIBADDR: return "Could not parse fib address type";
	case NFT_DT_NFPROTO: return "Could not parse netfilter protocol";
	case NFT_DT_DSCP: return "Could not parse Differentiated Services Code Point";
	case NFT_DT_ECN: return "Could not parse Explicit Congestion Notification";
	case NFT_DT_ICMPCODE: return "Could not parse icmp code";
	case NFT_DT_TCHANDLE: return "Could not parse TC classid";
	case NFT_DT_DAY: return "Could not parse Day of week of packet reception";
	case NFT_DT_HOUR: return "wrong time format";
	case NFT_DT_DATE: return "Cannot parse date";
	case NFT_DT_ARPHRD: return "Could not parse network interface type";
	case NFT_DT_UID: return "User does not exist";
	case NFT_DT_GID: return "Group does not exist";
	default: return "Could not parse integer";
	}
}

/* A bitmask's value written as an OR of its flags, `syn|ack`,
 * `(syn | ack)`: nft's evaluation folds the constant binop into one value
 * (listed as `syn,ack`). The parser at the token after t. */
static bool bitmask_or(struct nft_parse *p, const struct nft_key *k, const struct nft_token *t,
		       struct nft_elem *e)
{
	GString *m = g_string_new(t->text);
	while (nft_is_word(nft_peek(p, 0), "|") || (m->len && m->str[m->len - 1] == '|') ||
	       (nft_peek(p, 0)->type == NFT_T_WORD && nft_peek(p, 0)->text[0] == '|'))
		g_string_append(m, nft_next(p)->text);
	gchar **bits = g_strsplit_set(m->str, "()|", -1);
	bool ok = true;
	memset(e, 0, sizeof(*e));
	e->plen = -1;
	for (unsigned i = 0; ok && bits[i]; i++) {
		struct nft_elem b;
		const char *why;
		if (!*bits[i])
			continue;
		ok = nft_parse_value(k->dtype, bits[i], &b, &why);
		e->lo |= b.lo;
	}
	g_strfreev(bits);
	g_string_free(m, TRUE);
	e->hi = e->lo;
	if (!ok)
		nft_error(p, t, NULL, "%s", dtype_error(k->dtype));
	return ok;
}

/* One value token of the key's type into e; an error and false if bad. */
static bool value(struct nft_parse *p, const struct nft_key *k, struct nft_elem *e, bool in_set)
{
	const struct nft_token *t = nft_peek(p, 0);
	if (t->type != NFT_T_WORD &&
	    !(t->type == NFT_T_STRING && (k->dtype == NFT_DT_IFNAME || k->dtype == NFT_DT_DEVGROUP ||
					  nft_time_string(k->dtype)))) {
		nft_error_unexpected(p, t);
		return false;
	}
	nft_next(p);
	const char *why;
	if (!in_set && nft_dtype_bitmask(k->dtype) && t->type == NFT_T_WORD &&
	    (strpbrk(t->text, "|(") || nft_is_word(nft_peek(p, 0), "|")))
		return bitmask_or(p, k, t, e);
	if (!nft_parse_value(k->dtype, t->text, e, &why)) {
		static const char *const ops[] = { "&", "|", "^", "<<", ">>", ".", "map", "<", ">",
			"<=", ">=", "(", "and", "or", "xor", "lt", "gt", "le", "ge", "set", NULL };
		for (int i = 0; ops[i]; i++)
			if (nft_is_word(t, ops[i])) {
				nft_error(p, t, NULL, "natsim: nft expression `%s %s` is not implemented",
					  k->name, t->text);
				return false;
			}
		if (why)
			nft_error(p, t, NULL, "%s", why);
		else if (k->dtype == NFT_DT_INTEGER && strspn(t->text, "0123456789") == strlen(t->text))
			nft_error(p, t, NULL, "natsim: nft values above 32 bits are not implemented");
		else if (k->dtype == NFT_DT_IPV6 && nft_ip6_value_error(p, t))
			;
		else if (k->dtype == NFT_DT_IPV4 && strspn(t->text, "0123456789.") == strlen(t->text))
			/* nft's scanner has no token for a partial address */
			nft_error_unexpected(p, nft_peek(p, 0));
		else
			nft_error(p, t, NULL, "%s", dtype_error(k->dtype));
		return false;
	}
	/* a payload field narrower than its type (nft's range check), a ct
	 * zone (16 bits) */
	uint32_t max = nft_payload_max(k);
	if (e->hi > max && !nft_dtype_bitmask(k->dtype)) {
		nft_error(p, t, NULL, "Value %u exceeds valid range 0-%u", e->hi, max);
		return false;
	}
	max = nft_ct_key_max(k);
	if (max && e->hi > max) {
		char *d = strchr(t->text, '-');
		nft_error(p, t, NULL, "Value %s exceeds valid range 0-%u", d && e->lo <= max ? d + 1 : t->text,
			  max);
		return false;
	}
	/* `"10:00"-"12:00"`: a range of quoted values */
	if (nft_time_string(k->dtype) && nft_is_word(nft_peek(p, 0), "-") &&
	    nft_peek(p, 1)->type == NFT_T_STRING) {
		nft_next(p);
		const struct nft_token *h = nft_next(p);
		struct nft_elem hi;
		if (!nft_parse_value(k->dtype, h->text, &hi, &why)) {
			nft_error(p, h, NULL, "%s", dtype_error(k->dtype));
			return false;
		}
		e->hi = hi.lo;
		e->range = e->lo != e->hi;
	}
	/* a bitmask's comma list: established,related */
	while (!in_set && nft_dtype_bitmask(k->dtype) && nft_peek(p, 0)->type == NFT_T_COMMA &&
	       nft_peek(p, 1)->type == NFT_T_WORD) {
		nft_next(p);
		struct nft_elem more;
		const struct nft_token *m = nft_next(p);
		if (!nft_parse_value(k->dtype, m->text, &more, &why)) {
			nft_error(p, m, NULL, "Could not parse %s", k->name);
			return false;
		}
		e->lo |= more.lo;
		e->hi = e->lo;
	}
	return true;
}

/* tcp flags bits written `syn`, `syn|ack`, `(fin|syn|rst|ack)`, `syn | ack`,
 * `0x12`: the words from the parser's position up to an operator or the
 * statement's end (stop: the operator words), or-ed into *v. */
static bool parse_flag_words(struct nft_parse *p, const struct nft_key *k, uint32_t *v,
			     bool stop_at_op)
{
	GString *m = g_string_new(NULL);
	const struct nft_token *first = nft_peek(p, 0);
	for (;;) {
		const struct nft_token *t = nft_peek(p, 0);
		if (at_end(t) || t->type != NFT_T_WORD ||
		    (stop_at_op && (nft_is_word(t, "==") || nft_is_word(t, "!="))))
			break;
		size_t l = m->len;
		if (!stop_at_op && l && m->str[l - 1] != '|' && t->text[0] != '|')
			break;	/* the next statement */
		g_string_append(m, nft_next(p)->text);
	}
	gchar **bits = g_strsplit_set(m->str, "()|", -1);
	bool ok = m->len > 0;
	*v = 0;
	for (unsigned i = 0; ok && bits[i]; i++) {
		struct nft_elem b;
		const char *why;
		if (!*bits[i])
			continue;
		ok = nft_parse_value(k->dtype, bits[i], &b, &why);
		*v |= b.lo;
	}
	g_strfreev(bits);
	g_string_free(m, TRUE);
	if (!ok)
		nft_error(p, first, NULL, "%s", "Could not parse TCP flag");
	return ok;
}

/* `tcp flags & MASK ==|!= VALUE` (nft_bitwise + nft_cmp), the parser at
 * `&`, listed as nft 1.0.6 lists it: `! MASK` for == 0, the bits for != 0,
 * `& BIT == BIT` for one bit, else `[!=] VALUE / MASK`. */
static bool parse_tcp_flags_mask(struct nft_parse *p, struct nft_expr *e, const struct nft_key *k)
{
	nft_next(p);	/* & */
	uint32_t m, v;
	if (!parse_flag_words(p, k, &m, true))
		return false;
	const struct nft_token *op = nft_peek(p, 0);
	if (!nft_is_word(op, "==") && !nft_is_word(op, "!="))
		return unimpl(p, op, "expression `tcp flags & MASK` other than == or != VALUE");
	nft_next(p);
	e->neq = nft_is_word(op, "!=");
	if (!parse_flag_words(p, k, &v, false))
		return false;
	struct nft_elem x = { v & m, v & m, -1, NULL, false };
	if (v == 0 && e->neq) {
		/* any of the bits: `tcp flags syn,ack` */
		e->neq = false;
		x.lo = x.hi = m;
	} else {
		e->has_mask = true;
		e->mask = m;
		if (v == 0)
			e->not_form = true;
		else if (v == m && !(m & (m - 1)))
			e->and_form = true;
	}
	g_array_append_val(e->elems, x);
	return true;
}

/* <, >, <=, >= and their words */
static uint8_t relation(const struct nft_token *t)
{
	static const char *const w[][2] = { { "<", "lt" }, { ">", "gt" }, { "<=", "le" },
					     { ">=", "ge" } };
	for (unsigned i = 0; i < G_N_ELEMENTS(w); i++)
		if (nft_is_word(t, w[i][0]) || nft_is_word(t, w[i][1]))
			return (uint8_t)(NFT_CMP_LT + i);
	return NFT_CMP_NONE;
}

/* `KEY < VALUE` (nft_cmp with NFT_CMP_LT..GTE): the parser at the
 * operator. */
static bool parse_relation(struct nft_parse *p, struct nft_expr *e, const struct nft_key *k)
{
	const struct nft_token *op = nft_next(p);
	if (k->dtype == NFT_DT_IFNAME || k->dtype == NFT_DT_IPV6 || nft_dtype_bitmask(k->dtype))
		return unimpl(p, op, "comparison <, >, <=, >= of this selector");
	struct nft_elem v;
	const struct nft_token *at = nft_peek(p, 0);
	if (!value(p, k, &v, false))
		return false;
	if (v.range || v.plen >= 0) {
		nft_error_unexpected(p, at);
		return false;
	}
	e->cmp_op = relation(op);
	g_array_append_val(e->elems, v);
	return true;
}

static bool parse_match_into(struct nft_parse *p, struct nft_expr *e, const struct nft_key *k);

static bool parse_match(struct nft_parse *p, struct nft_rule *r, const struct nft_key *k)
{
	struct nft_expr *e = expr_new(NFT_EXPR_MATCH);
	e->key = k;
	e->elems = g_array_new(FALSE, TRUE, sizeof(struct nft_elem));
	g_ptr_array_add(r->exprs, e);
	return parse_match_into(p, e, k);
}

/* The operator and value(s) after selector k, into e (a match already in
 * the rule: a hash's parameters are on it). */
static bool parse_match_into(struct nft_parse *p, struct nft_expr *e, const struct nft_key *k)
{
	struct nft_elem v;
	const struct nft_token *t = nft_peek(p, 0);
	if (nft_is_word(t, "&") && k->dtype == NFT_DT_TCPFLAG)
		return parse_tcp_flags_mask(p, e, k);
	if ((nft_is_word(t, "&") || nft_is_word(t, "and")) &&
	    (k->dtype == NFT_DT_MARK || k->dtype == NFT_DT_INTEGER || k->dtype == NFT_DT_RAW)) {
		/* `mark and 0x4000 == 0`: nft_bitwise then nft_cmp */
		nft_next(p);
		struct nft_elem m;
		if (!value(p, k, &m, false))
			return false;
		const struct nft_token *op = nft_next(p);
		if (nft_is_word(op, "!=") || nft_is_word(op, "ne"))
			e->neq = true;
		else if (!nft_is_word(op, "==") && !nft_is_word(op, "eq"))
			return unimpl(p, op, "expression `KEY & MASK` compared other than with == or !=");
		if (!value(p, k, &v, false))
			return false;
		e->has_mask = e->and_form = true;
		e->mask = m.lo;
		v.lo &= m.lo;
		v.hi = v.lo;
		g_array_append_val(e->elems, v);
		return true;
	}
	if (relation(t))
		return parse_relation(p, e, k);
	bool explicit_op = true;
	if (nft_is_word(t, "!=") || nft_is_word(t, "ne")) {
		e->neq = true;
		nft_next(p);
	} else if (nft_is_word(t, "==") || nft_is_word(t, "eq")) {
		nft_next(p);
	} else {
		explicit_op = false;
	}
	if (nft_is_word(nft_peek(p, 0), "vmap")) {
		nft_next(p);
		e->vmap = true;
		if (nft_peek(p, 0)->type == NFT_T_LBRACE) {
			e->anon = nft_set_new("", true);
			g_array_append_val(e->anon->key_types, k->dtype);
			e->anon->data_verdict = true;
			return nft_parse_elements(p, e->anon);
		}
	}
	const struct nft_token *at = nft_peek(p, 0);
	if (at->type == NFT_T_WORD && at->text[0] == '@') {
		nft_next(p);
		if (!nft_at_name(p, at))
			return false;
		/* checked once the batch is applied: a set may be declared later */
		e->set_ref = g_strdup(at->text + 1);
		e->chain_loc = (struct nft_loc){ at->line, at->col, at->len };
		return true;
	}
	if (e->vmap) {
		nft_error_unexpected(p, at);
		return false;
	}
	if (nft_peek(p, 0)->type == NFT_T_LBRACE) {
		/* nested sets ($VAR holding a set) are flattened, as nft does */
		int depth = 0;
		for (;;) {
			while (nft_peek(p, 0)->type == NFT_T_NL)
				nft_next(p);
			enum nft_tok ty = nft_peek(p, 0)->type;
			if (ty == NFT_T_LBRACE || ty == NFT_T_RBRACE) {
				nft_next(p);
				depth += ty == NFT_T_LBRACE ? 1 : -1;
				if (depth == 0)
					break;
				if (ty == NFT_T_RBRACE && nft_peek(p, 0)->type == NFT_T_COMMA)
					nft_next(p);
				continue;
			}
			if (!value(p, k, &v, true))
				return false;
			g_array_append_val(e->elems, v);
			while (nft_peek(p, 0)->type == NFT_T_NL)
				nft_next(p);
			if (nft_peek(p, 0)->type == NFT_T_COMMA)
				nft_next(p);
			else if (nft_peek(p, 0)->type != NFT_T_RBRACE) {
				nft_error_unexpected(p, nft_peek(p, 0));
				return false;
			}
		}
		if (e->elems->len == 0) {
			nft_error_unexpected(p, nft_peek(p, 0));
			return false;
		}
		g_array_sort_with_data(e->elems, elem_cmp, (gpointer)&k->dtype);
		e->is_set = e->elems->len > 1;
	} else {
		if (!value(p, k, &v, false))
			return false;
		if (k->dtype == NFT_DT_HOUR && v.range && v.lo > v.hi) {
			/* past midnight: nft turns "22:00"-"02:00" into != "02:00"-"22:00" */
			uint32_t lo = v.hi;
			v.hi = v.lo;
			v.lo = lo;
			e->neq = !e->neq;
		}
		g_array_append_val(e->elems, v);
	}
	if (k->dtype == NFT_DT_TCPFLAG && nft_is_word(nft_peek(p, 0), "/")) {
		nft_next(p);
		struct nft_elem m;
		if (!value(p, k, &m, false))
			return false;
		e->has_mask = true;
		e->mask = m.lo;
	}
	/* nft's OP_EQ/OP_NEQ on a bitmask is nft_cmp on the value, its
	 * implicit operator a test of the bits */
	if (explicit_op && nft_dtype_bitmask(k->dtype) && !e->has_mask && !e->is_set &&
	    e->elems->len == 1) {
		uint32_t v = g_array_index(e->elems, struct nft_elem, 0).lo;
		/* (`ct state == a,b` nft keeps a test of the bits) */
		e->exact = e->neq || k->dtype == NFT_DT_TCPFLAG || !(v & (v - 1));
	}
	return true;
}

/* `icmp type { echo-reply, echo-request }`, which nft puts before `icmp id`
 * and `icmp sequence` (listed, and evaluated by the kernel). */
static void add_icmp_echo(struct nft_rule *r)
{
	struct nft_expr *e = expr_new(NFT_EXPR_MATCH);
	for (unsigned i = 0; i < G_N_ELEMENTS(keys); i++)
		if (keys[i].key.id == NFT_K_ICMP_TYPE)
			e->key = &keys[i].key;
	e->elems = g_array_new(FALSE, TRUE, sizeof(struct nft_elem));
	struct nft_elem a = { 0, 0, -1, NULL, false }, b = { 8, 8, -1, NULL, false };
	g_array_append_val(e->elems, a);
	g_array_append_val(e->elems, b);
	e->is_set = true;
	g_ptr_array_add(r->exprs, e);
}

/* A protocol match that only states the dependency of the selector that
 * follows it is not printed back (nft's payload dependency killing). */
static void kill_dependency(struct nft_parse *p, struct nft_rule *r)
{
	if (r->exprs->len < 2)
		return;
	struct nft_expr *cur = r->exprs->pdata[r->exprs->len - 1];
	struct nft_expr *prev = r->exprs->pdata[r->exprs->len - 2];
	if (cur->kind != NFT_EXPR_MATCH || prev->kind != NFT_EXPR_MATCH || prev->neq ||
	    prev->is_set || prev->elems->len != 1)
		return;
	uint32_t v = g_array_index(prev->elems, struct nft_elem, 0).lo;
	const char *pk = prev->key->name;
	if (cur->key->l4proto >= 0 && (uint32_t)cur->key->l4proto == v &&
	    (strcmp(pk, "meta l4proto") == 0 ||
	     (strcmp(pk, "ip protocol") == 0 && p->family == NFT_FAMILY_IP)))
		prev->implicit = true;
	if (cur->key->ip_payload && p->family == NFT_FAMILY_INET &&
	    strcmp(pk, "meta nfproto") == 0 && v == 2)
		prev->implicit = true;
	nft_ct_kill_dependency(p, r);
	nft_ip6_kill_dependency(p, r);
}

static bool has_transport(const struct nft_rule *r)
{
	for (unsigned i = 0; i < r->exprs->len; i++) {
		const struct nft_expr *e = r->exprs->pdata[i];
		if (e->kind == NFT_EXPR_MATCH &&
		    (e->key->l4proto >= 0 || !strcmp(e->key->name, "ip protocol") ||
		     !strcmp(e->key->name, "meta l4proto") || !strncmp(e->key->name, "th ", 3)))
			return true;
	}
	return false;
}

/* nat_evaluate_family: in an inet table an address to translate to needs
 * its family, from `snat ip to` or from the rule's network protocol
 * context before the statement (an ip header field, icmp, `meta nfproto
 * ipv4`; not a transport field, not conntrack's `ct original ip saddr`).
 * nft marks the statement's keyword. */
static bool inet_nat_family(struct nft_parse *p, const struct nft_rule *r,
			    const struct nft_expr *e, const struct nft_token *kw, bool ip_given)
{
	if (p->family != NFT_FAMILY_INET || ip_given || !e->has_addr ||
	    (e->nat != NFT_SNAT && e->nat != NFT_DNAT))
		return true;
	for (unsigned i = 0; i + 1 < r->exprs->len; i++) {
		const struct nft_expr *m = r->exprs->pdata[i];
		if (m->kind == NFT_EXPR_MATCH && m->key && strncmp(m->key->name, "ct ", 3) &&
		    (m->key->ip_payload || !strncmp(m->key->name, "icmp ", 5) ||
		     !strcmp(m->key->name, "meta nfproto")))
			return true;
	}
	nft_error(p, kw, NULL, "ip or ip6 must be specified with address for inet tables.");
	return false;
}

static bool parse_port_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	uint32_t a, b;
	const char *d = strchr(s, '-');
	char *x = d ? g_strndup(s, (gsize)(d - s)) : g_strdup(s);
	bool ok = nft_parse_port(x, &a) && (!d || nft_parse_port(d + 1, &b));
	g_free(x);
	if (!ok)
		return false;
	*lo = (uint16_t)a;
	*hi = (uint16_t)(d ? b : a);
	return *lo <= *hi;
}

/* `numgen inc|random mod N [offset M]` (nft_ng_inc / nft_ng_random):
 * the parser at `numgen`; the parameters into e, the key returned. */
static const struct nft_key *parse_numgen(struct nft_parse *p, struct nft_expr *e)
{
	const struct nft_token *kw = nft_next(p);
	const struct nft_token *mode = nft_next(p);
	uint64_t mod = 0, off = 0;
	if (nft_is_word(mode, "inc"))
		e->ng_mode = NFT_NG_INC;
	else if (nft_is_word(mode, "random"))
		e->ng_mode = NFT_NG_RANDOM;
	else {
		nft_error_unexpected(p, mode);
		return NULL;
	}
	if (!nft_is_word(nft_peek(p, 0), "mod")) {
		nft_error_unexpected(p, nft_peek(p, 0));
		return NULL;
	}
	nft_next(p);
	if (!nft_parse_uint_tok(p, &mod, 0))
		return NULL;
	if (nft_is_word(nft_peek(p, 0), "offset")) {
		nft_next(p);
		if (!nft_parse_uint_tok(p, &off, 0))
			return NULL;
	}
	if (mod == 0 || mod > UINT32_MAX || off > UINT32_MAX || mod + off > (uint64_t)UINT32_MAX + 1) {
		/* nft_ng_inc_init / nft_ng_random_init refuse these; nft marks
		 * the whole expression */
		const struct nft_token *last = &g_array_index(p->toks, struct nft_token, p->pos - 1);
		struct nft_token span = *kw;
		if (last->line == kw->line)
			span.len = last->col + last->len - kw->col;
		nft_error(p, &span, NULL, "Could not process rule: Numerical result out of range");
		return NULL;
	}
	e->ng_mod = (uint32_t)mod;
	e->ng_off = (uint32_t)off;
	e->ng_counter = e->ng_mod - 1;	/* the first packet draws 0 */
	return &numgen_key;
}

/* A selector of a concatenation or map key: `numgen ...` or a payload,
 * meta, ct or fib key. */
static const struct nft_key *parse_any_key(struct nft_parse *p, struct nft_expr *e)
{
	if (nft_is_word(nft_peek(p, 0), "numgen"))
		return parse_numgen(p, e);
	return parse_key(p);
}

/* The `. KEY [. KEY]...` after a concatenation's first key, into
 * e->map_keys (at most 4, as natsim's registers hold). */
static bool parse_concat_rest(struct nft_parse *p, struct nft_expr *e)
{
	while (nft_is_word(nft_peek(p, 0), ".")) {
		const struct nft_token *dot = nft_next(p);
		const struct nft_key *more = parse_any_key(p, e);
		if (!more) {
			if (!p->nerr)
				nft_error_unexpected(p, nft_peek(p, 0));
			return false;
		}
		if (e->n_map_keys == G_N_ELEMENTS(e->map_keys))
			return unimpl(p, dot, "concatenation of more than 4 selectors");
		e->map_keys[e->n_map_keys++] = more;
	}
	return true;
}

/* `KEY . KEY [. KEY]... (@set | { ... } | vmap @map | vmap { ... })`:
 * nft_lookup on the concatenated registers; the parser at the first `.`. */
static bool parse_concat_match(struct nft_parse *p, struct nft_rule *r, struct nft_expr *e)
{
	if (!parse_concat_rest(p, e))
		return false;
	(void)r;
	const struct nft_token *t = nft_peek(p, 0);
	if (nft_is_word(t, "!=")) {
		nft_next(p);
		e->neq = true;
	} else if (nft_is_word(t, "==")) {
		nft_next(p);
	}
	if (nft_is_word(nft_peek(p, 0), "vmap")) {
		nft_next(p);
		e->vmap = true;
	}
	t = nft_peek(p, 0);
	if (t->type == NFT_T_WORD && t->text[0] == '@') {
		nft_next(p);
		if (!nft_at_name(p, t))
			return false;
		e->set_ref = g_strdup(t->text + 1);
		e->chain_loc = (struct nft_loc){ t->line, t->col, t->len };
		return true;
	}
	if (t->type != NFT_T_LBRACE)
		return unimpl(p, t, "concatenation compared with one value (other than a set)");
	e->anon = nft_set_new("", e->vmap);
	for (unsigned i = 0; i < e->n_map_keys; i++)
		g_array_append_val(e->anon->key_types, e->map_keys[i]->dtype);
	e->anon->data_verdict = e->vmap;
	return nft_parse_elements(p, e->anon);
}

/* How many values the data of the anonymous map at the parser's `{` has
 * (1: an address; 2: address . port), read from its first element. */
static unsigned map_data_width(struct nft_parse *p)
{
	unsigned n = 1;
	bool data = false;
	for (unsigned i = 1;; i++) {
		const struct nft_token *t = nft_peek(p, i);
		if (t->type == NFT_T_EOF || t->type == NFT_T_COMMA || t->type == NFT_T_RBRACE ||
		    t->type == NFT_T_LBRACE)
			return n;
		if (nft_is_word(t, ":"))
			data = true;
		else if (data && nft_is_word(t, "."))
			n++;
	}
}

/* `dnat to KEY [. KEY]... map { K : ADDR [. PORT], ... }` (nft's map
 * expression as the nat statement's address: nft_lookup with a data
 * register feeding nft_nat); the parser after `to`, at the first key. */
static bool parse_nat_map(struct nft_parse *p, struct nft_expr *e, const struct nft_key *k)
{
	e->map_keys[e->n_map_keys++] = k;
	if (!parse_concat_rest(p, e))
		return false;
	const struct nft_token *t = nft_peek(p, 0);
	if (!nft_is_word(t, "map"))
		return unimpl(p, t, "nat to an expression other than a map lookup");
	nft_next(p);
	t = nft_peek(p, 0);
	if (t->type == NFT_T_WORD && t->text[0] == '@') {
		/* a named map: its data (ADDR or ADDR . PORT) is known once the
		 * batch is applied (nft_parse.c's check_set_ref) */
		nft_next(p);
		e->set_ref = g_strdup(t->text + 1);
		e->chain_loc = (struct nft_loc){ t->line, t->col, t->len };
		e->has_addr = true;
		return true;
	}
	if (t->type != NFT_T_LBRACE) {
		nft_error_unexpected(p, t);
		return false;
	}
	unsigned width = map_data_width(p);
	if (width > 2)
		return unimpl(p, t, "nat map data other than ADDR or ADDR . PORT");
	e->anon = nft_set_new("", true);
	for (unsigned i = 0; i < e->n_map_keys; i++)
		g_array_append_val(e->anon->key_types, e->map_keys[i]->dtype);
	enum nft_dtype a = NFT_DT_IPV4, s = NFT_DT_SERVICE;
	g_array_append_val(e->anon->data_types, a);
	if (width == 2) {
		g_array_append_val(e->anon->data_types, s);
		e->nat_ip = true;	/* nft lists the concatenated form as `dnat ip to` */
		e->has_port = true;
	}
	e->has_addr = true;
	return nft_parse_elements(p, e->anon);
}

/* `: PORT[-PORT]` or `: KEY [. KEY]... map { K : PORT, ... }` after a nat
 * statement's address map (the parser at `:`), into e->nat_port. A fixed
 * port needs a transport match before it, as nft's evaluation says. */
static bool parse_nat_port_map(struct nft_parse *p, struct nft_rule *r, struct nft_expr *e,
			       const struct nft_token *kw)
{
	nft_next(p);	/* : */
	if (e->n_map_keys && e->anon && e->anon->data_types->len > 1)
		return unimpl(p, nft_peek(p, 0), "nat to a map's address . port with a port after it");
	if (e->set_ref)
		return unimpl(p, nft_peek(p, 0), "nat to a named map with a port after it");
	struct nft_expr *c = expr_new(NFT_EXPR_NAT);
	e->nat_port = c;
	const struct nft_token *t = nft_peek(p, 0);
	if (t->type == NFT_T_WORD && g_ascii_isdigit(t->text[0])) {
		nft_next(p);
		if (!parse_port_range(t->text, &c->port_lo, &c->port_hi)) {
			nft_error_unexpected(p, t);
			return false;
		}
		c->has_port = true;
		if (!has_transport(r)) {
			nft_error(p, t, kw, "transport protocol mapping is only valid after "
				  "transport protocol match");
			return false;
		}
		return true;
	}
	const struct nft_key *k = parse_any_key(p, c);
	if (!k) {
		if (!p->nerr)
			nft_error_unexpected(p, t);
		return false;
	}
	c->map_keys[c->n_map_keys++] = k;
	while (nft_is_word(nft_peek(p, 0), ".")) {
		const struct nft_token *dot = nft_next(p);
		const struct nft_key *more = parse_key(p);
		if (!more) {
			nft_error_unexpected(p, nft_peek(p, 0));
			return false;
		}
		if (c->n_map_keys == G_N_ELEMENTS(c->map_keys))
			return unimpl(p, dot, "concatenation of more than 4 selectors");
		c->map_keys[c->n_map_keys++] = more;
	}
	t = nft_peek(p, 0);
	if (!nft_is_word(t, "map") || nft_peek(p, 1)->type != NFT_T_LBRACE)
		return unimpl(p, t, "nat port from an expression other than an anonymous map");
	nft_next(p);
	c->anon = nft_set_new("", true);
	for (unsigned i = 0; i < c->n_map_keys; i++)
		g_array_append_val(c->anon->key_types, c->map_keys[i]->dtype);
	enum nft_dtype svc = NFT_DT_SERVICE;
	g_array_append_val(c->anon->data_types, svc);
	return nft_parse_elements(p, c->anon);
}

/* NFT_NAT_* of a nat flag's word, 0 if t is none */
static int nat_flag(const struct nft_token *t)
{
	return nft_is_word(t, "random") ? NFT_NAT_RANDOM :
	       nft_is_word(t, "fully-random") ? NFT_NAT_FULLY_RANDOM :
	       nft_is_word(t, "persistent") ? NFT_NAT_PERSISTENT : 0;
}

/* snat/dnat/masquerade/redirect [ip] [to ADDR[-ADDR][:PORT[-PORT]]] [flags] */
static bool parse_nat(struct nft_parse *p, struct nft_rule *r, const struct nft_token *kw)
{
	struct nft_expr *e = expr_new(NFT_EXPR_NAT);
	g_ptr_array_add(r->exprs, e);
	e->nat = !strcmp(kw->text, "snat") ? NFT_SNAT : !strcmp(kw->text, "dnat") ? NFT_DNAT :
		 !strcmp(kw->text, "masquerade") ? NFT_MASQ : NFT_REDIR;
	if (nft_is_word(nft_peek(p, 0), "ip") && (e->nat == NFT_SNAT || e->nat == NFT_DNAT) &&
	    !(nft_peek(p, 1)->type == NFT_T_WORD && nft_peek(p, 1)->text[0] >= 'a' &&
	      !nft_is_word(nft_peek(p, 1), "to"))) {
		nft_next(p);
		e->nat_ip = true;
	}
	/* what nft's evaluation checks once the statement is parsed */
	bool ip_given = e->nat_ip;
	struct nft_token port_at = { 0 };
	bool check_port = false;
	/* nft's `to` may be left out before an address: firewall4 writes
	 * `dnat 10.0.0.2:22`, `snat 10.0.0.1`, `redirect to 26` (a port) */
	const struct nft_token *nx = nft_peek(p, 0);
	bool bare = (e->nat == NFT_SNAT || e->nat == NFT_DNAT) && nx->type == NFT_T_WORD &&
		    g_ascii_isdigit(nx->text[0]);
	/* and before a map's key (nft's older `dnat tcp dport map { ... }`,
	 * listed with `to`) */
	bool bare_map = (e->nat == NFT_SNAT || e->nat == NFT_DNAT) && !nft_is_word(nx, "to") &&
			nft_mark_source_start(nx, p);
	if (nft_is_word(nx, "to") || bare || bare_map) {
		if (!bare && !bare_map)
			nft_next(p);
		const struct nft_key *mk;
		int nerr = p->nerr;
		if ((e->nat == NFT_SNAT || e->nat == NFT_DNAT) &&
		    (mk = nft_expr_parse_source(p, e)) != NULL) {
			if (!parse_nat_map(p, e, mk))
				return false;
			if (nft_is_word(nft_peek(p, 0), ":") &&
			    !parse_nat_port_map(p, r, e, kw))
				return false;
			goto flags;
		}
		if (p->nerr != nerr)
			return false;
		if (bare_map) {
			nft_error_unexpected(p, nft_peek(p, 0));
			return false;
		}
		const struct nft_token *v = nft_next(p);
		if (v->type != NFT_T_WORD) {
			nft_error_unexpected(p, v);
			return false;
		}
		const char *s = v->text;
		char port_only[32];
		if (e->nat == NFT_REDIR && !strchr(s, ':') && g_ascii_isdigit(s[0]) && strlen(s) < 16) {
			snprintf(port_only, sizeof(port_only), ":%s", s);
			s = port_only;
		}
		const char *colon = strchr(s, ':');
		char *addr = colon ? g_strndup(s, (gsize)(colon - s)) : g_strdup(s);
		bool ok = true;
		if (*addr) {
			if (e->nat == NFT_MASQ || e->nat == NFT_REDIR)
				ok = false;
			const char *d = strchr(addr, '-');
			if (d) {
				char *a = g_strndup(addr, (gsize)(d - addr));
				ok = ok && nft_parse_ipv4(a, &e->addr_lo) && nft_parse_ipv4(d + 1, &e->addr_hi);
				g_free(a);
			} else {
				ok = ok && nft_parse_ipv4(addr, &e->addr_lo);
				e->addr_hi = e->addr_lo;
			}
			e->has_addr = true;
		} else if (e->nat == NFT_SNAT || e->nat == NFT_DNAT) {
			ok = false;
		}
		g_free(addr);
		if (ok && colon) {
			ok = parse_port_range(colon + 1, &e->port_lo, &e->port_hi);
			e->has_port = true;
		}
		static const char *const exprs[] = { "tcp", "udp", "th", "ip", "meta", "ct", "numgen",
						     "jhash", "symhash", "fib", NULL };
		for (int i = 0; !ok && exprs[i]; i++)
			if (!strcmp(s, exprs[i]))
				return unimpl(p, v, "nat to this expression");
		if (!ok && strchr(s, '/'))
			return unimpl(p, v, "nat to a prefix");
		if (!ok) {
			nft_error(p, v, NULL, "syntax error, unexpected string");
			return false;
		}
		if (e->has_port) {
			/* nft underlines the statement's keyword, and the port */
			port_at = *v;
			port_at.col = v->col + (int)(colon - s) + 1;
			port_at.len = v->len - (int)(colon - s) - 1;
			check_port = true;
		}
		/* an inet table's IPv4 address nat lists as `dnat ip to` */
		if (p->family == NFT_FAMILY_INET && e->has_addr)
			e->nat_ip = true;
	}
flags:
	/* nf_nat_flags: FLAG[,FLAG]...; snat/dnat take more lists, each
	 * replacing the last (nat_stmt_args nf_nat_flags), masquerade and
	 * redirect one */
	for (int lists = 0;; lists++) {
		const struct nft_token *t = nft_peek(p, 0);
		if (!nat_flag(t))
			break;
		if (lists && (e->nat == NFT_MASQ || e->nat == NFT_REDIR)) {
			nft_next(p);
			nft_error(p, t, NULL, "syntax error, unexpected %s, expecting newline or "
				  "semicolon", t->text);
			return false;
		}
		e->nat_flags = 0;
		for (;;) {
			e->nat_flags |= nat_flag(nft_next(p));
			if (nft_peek(p, 0)->type != NFT_T_COMMA)
				break;
			nft_next(p);
			t = nft_next(p);
			if (!nat_flag(t)) {
				nft_error_expecting(p, t, "random or fully-random or persistent");
				if (t->type == NFT_T_NL || t->type == NFT_T_SEMI ||
				    t->type == NFT_T_RBRACE)
					p->pos--;	/* recovery from the separator */
				return false;
			}
			p->pos--;
		}
	}
	/* stmt_evaluate_nat: the family first (nat_evaluate_family), then the port */
	if (!inet_nat_family(p, r, e, kw, ip_given))
		return false;
	if (check_port && !has_transport(r)) {
		nft_error(p, &port_at, kw,
			  "transport protocol mapping is only valid after transport protocol match");
		return false;
	}
	return true;
}

/* The next token as an unsigned number in base (0: 0x.. and 0.. too, as
 * strtoull), else bison's "syntax error, unexpected ..." at it. */
bool nft_parse_uint_tok(struct nft_parse *p, uint64_t *v, int base)
{
	const struct nft_token *t = nft_next(p);
	char *e;
	if (t->type != NFT_T_WORD || !g_ascii_isdigit(t->text[0])) {
		nft_error_unexpected(p, t);
		return false;
	}
	*v = g_ascii_strtoull(t->text, &e, base);
	if (*e) {
		nft_error_unexpected(p, t);
		return false;
	}
	return true;
}

static bool unimpl(struct nft_parse *p, const struct nft_token *t, const char *what)
{
	nft_error(p, t, NULL, "natsim: nft %s is not implemented", what);
	return false;
}


/* `meta nftrace set 0|1` (nft_meta_set_eval's NFT_META_NFTRACE: marks the
 * packet for `nft monitor trace`); nft checks the value against the
 * one-bit type. */
static bool parse_nftrace_set(struct nft_parse *p, struct nft_rule *r)
{
	if (nft_is_word(nft_peek(p, 0), "meta"))
		nft_next(p);
	nft_next(p);
	nft_next(p);
	const struct nft_token *v = nft_next(p);
	struct nft_elem val = { 0 };
	const char *why = NULL;
	if (v->type != NFT_T_WORD && v->type != NFT_T_STRING) {
		nft_error_unexpected(p, v);
		return false;
	}
	if (!nft_parse_value(NFT_DT_INTEGER, v->text, &val, &why) || val.range || val.hi > 1) {
		nft_error(p, v, NULL, "Value %s exceeds valid range 0-1", v->text);
		return false;
	}
	struct nft_expr *e = expr_new(NFT_EXPR_NFTRACE);
	e->value = val.lo;
	g_ptr_array_add(r->exprs, e);
	return true;
}
/* `counter|quota|limit name KEY [. KEY]... map { K : "NAME", ... }`
 * (nft_objref_map: the object named by the element the packet's key finds,
 * no element: no match); the parser at the first key. The names are kept
 * as the map's data (printed quoted, as nft prints them) and checked once
 * the batch is applied. */
static bool parse_objref_map(struct nft_parse *p, struct nft_expr *e)
{
	const struct nft_key *k = parse_any_key(p, e);
	if (!k) {
		if (!p->nerr)
			nft_error_unexpected(p, nft_peek(p, 0));
		return false;
	}
	e->map_keys[e->n_map_keys++] = k;
	if (!parse_concat_rest(p, e))
		return false;
	const struct nft_token *t = nft_next(p);
	if (!nft_is_word(t, "map")) {
		nft_error_unexpected(p, t);
		return false;
	}
	t = nft_peek(p, 0);
	if (t->type != NFT_T_LBRACE)
		return unimpl(p, t, "objects from a named map");
	e->anon = nft_set_new("", true);
	for (unsigned i = 0; i < e->n_map_keys; i++)
		g_array_append_val(e->anon->key_types, e->map_keys[i]->dtype);
	enum nft_dtype name = NFT_DT_IFNAME;	/* a name, printed quoted */
	g_array_append_val(e->anon->data_types, name);
	return nft_parse_elements(p, e->anon);
}

/* KEY [. KEY]... of a dynset or meter (the parser at the first) into e. */
bool nft_parse_dynset_keys(struct nft_parse *p, struct nft_expr *e)
{
	for (;;) {
		const struct nft_token *k0 = nft_peek(p, 0);
		const struct nft_key *k = parse_any_key(p, e);
		if (!k) {
			if (!p->nerr)
				nft_error_unexpected(p, nft_peek(p, 0));
			return false;
		}
		if (e->n_map_keys == G_N_ELEMENTS(e->map_keys))
			return unimpl(p, k0, "concatenation of more than 4 selectors");
		e->map_keys[e->n_map_keys++] = k;
		if (nft_is_word(nft_peek(p, 0), "and") || nft_is_word(nft_peek(p, 0), "&")) {
			/* `ip saddr and 255.255.255.0`: the key masked */
			const struct nft_token *op = nft_next(p), *v = nft_next(p);
			struct nft_elem m;
			const char *why;
			if (k->dtype != NFT_DT_IPV4)
				return unimpl(p, op, "a masked key of a set statement other than an address");
			if (v->type != NFT_T_WORD || !nft_parse_value(NFT_DT_IPV4, v->text, &m, &why) ||
			    m.range || m.plen >= 0) {
				nft_error_unexpected(p, v);
				return false;
			}
			e->key_masked |= (uint8_t)(1u << (e->n_map_keys - 1));
			e->key_mask[e->n_map_keys - 1] = m.lo;
		}
		if (!nft_is_word(nft_peek(p, 0), "."))
			break;
		nft_next(p);
	}
	e->key = e->map_keys[0];
	return true;
}

/* `add|update @SET { KEY [. KEY]... [timeout T] [STMT]... }` (nft_dynset):
 * the packet's key goes into the set; the set is checked (and made
 * dynamic) when the batch is applied; `timeout T` gives the element's
 * timeout (nft_settimeout.c), the statements (counter, limit, quota) the
 * element's own (nft_setelem_expr.c). */
static bool parse_dynset(struct nft_parse *p, struct nft_rule *r)
{
	const struct nft_token *op = nft_next(p), *at = nft_next(p);
	struct nft_expr *e = expr_new(NFT_EXPR_DYNSET);
	g_ptr_array_add(r->exprs, e);
	e->dyn_update = nft_is_word(op, "update");
	e->set_ref = g_strdup(at->text + 1);
	e->chain_loc = (struct nft_loc){ at->line, at->col, at->len };
	const struct nft_token *t = nft_next(p);
	if (t->type != NFT_T_LBRACE) {
		nft_error_unexpected(p, t);
		return false;
	}
	if (!nft_parse_dynset_keys(p, e))
		return false;
	if (nft_is_word(nft_peek(p, 0), "timeout")) {
		nft_next(p);
		const struct nft_token *v = nft_next(p);
		if (v->type != NFT_T_WORD || !nft_parse_time(v->text, &e->dyn_timeout_ms)) {
			nft_error(p, v, NULL, "syntax error, unexpected number, expecting string");
			return false;
		}
	}
	if (!nft_parse_stateful_list(p, &e->dyn_stmts, false))
		return false;
	t = nft_next(p);
	e->dyn_loc = (struct nft_loc){ op->line, op->col,
				       t->line == op->line ? t->col + t->len - op->col : op->len };
	if (t->type != NFT_T_RBRACE) {
		nft_error_unexpected(p, t);
		return false;
	}
	return true;
}

/* `counter|quota|limit name "NAME"` (nft_objref): the object is checked
 * once the batch is applied (it may come later in the file); or from a
 * map. */
static bool parse_objref(struct nft_parse *p, struct nft_rule *r)
{
	static const char *const keyword[] = { "ip", "tcp", "udp", "th", "icmp", "meta", "ct",
					       "iifname", "oifname", "iif", "oif", "fib", "numgen",
					       "mark", "jhash", "symhash", NULL };
	const struct nft_token *t = nft_next(p);
	nft_next(p);	/* name */
	const struct nft_token *n = nft_next(p);
	if (n->type != NFT_T_WORD && n->type != NFT_T_STRING) {
		nft_error_unexpected(p, n);
		return false;
	}
	struct nft_expr *e = expr_new(NFT_EXPR_OBJREF);
	e->obj_type = nft_is_word(t, "counter") ? NFT_OBJ_COUNTER :
		      nft_is_word(t, "quota") ? NFT_OBJ_QUOTA : NFT_OBJ_LIMIT;
	e->chain_loc = (struct nft_loc){ n->line, n->col, n->len };
	g_ptr_array_add(r->exprs, e);
	for (int i = 0; n->type == NFT_T_WORD && keyword[i]; i++)
		if (!strcmp(n->text, keyword[i])) {
			p->pos--;
			return parse_objref_map(p, e);
		}
	e->obj = g_strdup(n->text);
	return true;
}

static bool parse_reject(struct nft_parse *p, struct nft_rule *r)
{
	struct nft_expr *e = expr_new(NFT_EXPR_REJECT);
	g_ptr_array_add(r->exprs, e);
	if (!nft_is_word(nft_peek(p, 0), "with"))
		return nft_ip6_reject_dependency(p, r, e);
	nft_next(p);
	const struct nft_token *t = nft_next(p);
	if (nft_is_word(t, "icmpv6"))
		return nft_ip6_parse_reject(p, r, e) && nft_ip6_reject_dependency(p, r, e);
	if (nft_is_word(t, "tcp") && nft_is_word(nft_peek(p, 0), "reset")) {
		nft_next(p);
		e->reject = g_strdup("tcp reset");
		return nft_ip6_reject_dependency(p, r, e);
	}
	if (nft_is_word(t, "icmp") || nft_is_word(t, "icmpx")) {
		if (nft_is_word(nft_peek(p, 0), "type"))
			nft_next(p);
		const struct nft_token *c = nft_next(p);
		static const char *const icmp[] = { "net-unreachable", "host-unreachable",
			"prot-unreachable", "port-unreachable", "net-prohibited", "host-prohibited",
			"admin-prohibited", NULL };
		static const char *const icmpx[] = { "port-unreachable", "admin-prohibited",
			"no-route", "host-unreachable", NULL };
		const char *const *list = t->text[4] == 'x' ? icmpx : icmp;
		for (int i = 0; list[i]; i++)
			if (nft_is_word(c, list[i])) {
				e->reject = g_strdup_printf("%s %s", t->text, c->text);
				return nft_ip6_reject_dependency(p, r, e);
			}
		nft_error(p, c, NULL, "Could not parse %s code type", t->text);
		return false;
	}
	nft_error_unexpected(p, t);
	return false;
}

/* `meta mark|priority set VALUE` or `ct mark set VALUE`, or from an
 * expression (nft_datamap.c: a map, a hash; nft_mark_expr.c: a selector
 * through nft_bitwise). */
static bool parse_mark_set(struct nft_parse *p, struct nft_rule *r, enum nft_expr_kind k)
{
	struct nft_expr *e = expr_new(k);
	g_ptr_array_add(r->exprs, e);
	nft_next(p);	/* set */
	if (nft_mark_source_start(nft_peek(p, 0), p))
		return nft_parse_mark_source(p, e);
	const struct nft_token *t = nft_next(p);
	struct nft_elem v;
	const char *why;
	enum nft_dtype dt = k == NFT_EXPR_PRIORITY_SET ? NFT_DT_TCHANDLE : NFT_DT_MARK;
	if (t->type != NFT_T_WORD || !nft_parse_value(dt, t->text, &v, &why) ||
	    v.range || v.plen >= 0) {
		if (t->type == NFT_T_WORD)
			nft_error(p, t, NULL, "%s", dtype_error(dt));
		else
			nft_error_unexpected(p, t);
		return false;
	}
	e->value = v.lo;
	return true;
}

/* One statement or selector; false after an error. */
static bool parse_stmt(struct nft_parse *p, struct nft_rule *r)
{
	const struct nft_token *t = nft_peek(p, 0);
	if (t->type != NFT_T_WORD) {
		nft_error_unexpected(p, t);
		return false;
	}
	static const char *const verdicts[] = { "accept", "drop", "return", "continue", "jump", "goto" };
	for (unsigned i = 0; i < G_N_ELEMENTS(verdicts); i++)
		if (nft_is_word(t, verdicts[i])) {
			nft_next(p);
			struct nft_expr *e = expr_new(NFT_EXPR_VERDICT);
			g_ptr_array_add(r->exprs, e);
			e->verdict = (enum nft_verdict)i;
			if (e->verdict == NFT_JUMP || e->verdict == NFT_GOTO) {
				const struct nft_token *c;
				if (!nft_chain_ref(p, &c, "'{'"))
					return false;
				e->chain = g_strdup(c->text);
				e->chain_loc = (struct nft_loc){ c->line, c->col, c->len };
			}
			return true;
		}
	if ((nft_is_word(t, "counter") || nft_is_word(t, "quota") || nft_is_word(t, "limit")) &&
	    nft_is_word(nft_peek(p, 1), "name"))
		return parse_objref(p, r);
	if ((nft_is_word(t, "add") || nft_is_word(t, "update")) && nft_peek(p, 1)->type == NFT_T_WORD &&
	    nft_peek(p, 1)->text[0] == '@')
		return parse_dynset(p, r);
	if (nft_is_word(t, "meter")) {
		struct nft_expr *e = expr_new(NFT_EXPR_DYNSET);
		g_ptr_array_add(r->exprs, e);
		return nft_parse_meter(p, e);
	}
	if (nft_is_word(t, "counter")) {
		nft_next(p);
		struct nft_expr *e = expr_new(NFT_EXPR_COUNTER);
		g_ptr_array_add(r->exprs, e);
		if (nft_is_word(nft_peek(p, 0), "packets")) {
			nft_next(p);
			if (!nft_parse_uint_tok(p, &e->packets, 0))
				return false;
			if (!nft_is_word(nft_next(p), "bytes")) {
				nft_error_unexpected(p, nft_peek(p, 0));
				return false;
			}
			if (!nft_parse_uint_tok(p, &e->bytes, 0))
				return false;
		}
		return true;
	}
	if (nft_is_word(t, "comment")) {
		nft_next(p);
		const struct nft_token *c = nft_next(p);
		if (c->type != NFT_T_STRING && c->type != NFT_T_WORD) {
			nft_error_unexpected(p, c);
			return false;
		}
		g_free(r->comment);
		r->comment = g_strdup(c->text);
		return true;
	}
	if (nft_is_word(t, "log")) {
		nft_next(p);
		struct nft_expr *e = expr_new(NFT_EXPR_LOG);
		g_ptr_array_add(r->exprs, e);
		return nft_log_parse(p, t, e);
	}
	if (nft_is_word(t, "limit")) {
		nft_next(p);
		struct nft_expr *e = expr_new(NFT_EXPR_LIMIT);
		g_ptr_array_add(r->exprs, e);
		return nft_parse_limit(p, &e->limit);
	}
	if (nft_is_word(t, "quota")) {
		nft_next(p);
		struct nft_expr *e = expr_new(NFT_EXPR_QUOTA);
		g_ptr_array_add(r->exprs, e);
		return nft_parse_quota(p, t, &e->quota);
	}
	if (nft_is_word(t, "reject")) {
		nft_next(p);
		return parse_reject(p, r);
	}
	if (nft_is_word(t, "snat") || nft_is_word(t, "dnat") || nft_is_word(t, "masquerade") ||
	    nft_is_word(t, "redirect")) {
		nft_next(p);
		return parse_nat(p, r, t);
	}
	if (nft_is_word(t, "notrack")) {
		nft_next(p);
		g_ptr_array_add(r->exprs, expr_new(NFT_EXPR_NOTRACK));
		return true;
	}
	if (nft_is_word(t, "tcp") && nft_is_word(nft_peek(p, 1), "option")) {
		static const char *const mss[] = { "tcp", "option", "maxseg", "size", "set", "rt", "mtu" };
		for (unsigned i = 0; i < G_N_ELEMENTS(mss); i++)
			if (!nft_is_word(nft_peek(p, i), mss[i]))
				return unimpl(p, nft_peek(p, i), "tcp option (other than maxseg size set rt mtu)");
		for (unsigned i = 0; i < G_N_ELEMENTS(mss); i++)
			nft_next(p);
		g_ptr_array_add(r->exprs, expr_new(NFT_EXPR_MSS_RTMTU));
		return true;
	}
	if ((nft_is_word(t, "meta") && nft_is_word(nft_peek(p, 1), "nftrace") &&
	     nft_is_word(nft_peek(p, 2), "set")) ||
	    (nft_is_word(t, "nftrace") && nft_is_word(nft_peek(p, 1), "set")))
		return parse_nftrace_set(p, r);
	if ((nft_is_word(t, "meta") && nft_is_word(nft_peek(p, 1), "mark") &&
	     nft_is_word(nft_peek(p, 2), "set")) ||
	    (nft_is_word(t, "mark") && nft_is_word(nft_peek(p, 1), "set"))) {
		if (nft_is_word(t, "meta"))
			nft_next(p);
		nft_next(p);
		return parse_mark_set(p, r, NFT_EXPR_META_SET);
	}
	bool ct_done;
	if (!nft_ct_parse_stmt(p, r, &ct_done) || ct_done)
		return ct_done;
	if (nft_is_word(t, "meta") && nft_is_word(nft_peek(p, 1), "priority") &&
	    nft_is_word(nft_peek(p, 2), "set")) {
		nft_next(p);
		nft_next(p);
		return parse_mark_set(p, r, NFT_EXPR_PRIORITY_SET);
	}
	if (nft_is_word(t, "ct") && nft_is_word(nft_peek(p, 1), "mark") &&
	    nft_is_word(nft_peek(p, 2), "set")) {
		nft_next(p);
		nft_next(p);
		return parse_mark_set(p, r, NFT_EXPR_CT_SET);
	}
	if (nft_is_word(t, "ct") && (nft_is_word(nft_peek(p, 1), "timeout") ||
				     nft_is_word(nft_peek(p, 1), "expectation")) &&
	    nft_is_word(nft_peek(p, 2), "set")) {
		/* nft_objref of a ct timeout or expectation object (checked
		 * once the batch is applied, as a ct helper's) */
		bool tmo = nft_is_word(nft_peek(p, 1), "timeout");
		nft_next(p);
		nft_next(p);
		nft_next(p);
		const struct nft_token *n = nft_next(p);
		if (n->type != NFT_T_WORD && n->type != NFT_T_STRING) {
			nft_error_unexpected(p, n);
			return false;
		}
		if (n->type == NFT_T_WORD && n->text[0] == '@')
			return unimpl(p, n, tmo ? "ct timeout set from a map" :
				      "ct expectation set from a map");
		struct nft_expr *e = expr_new(tmo ? NFT_EXPR_CT_TIMEOUT_SET : NFT_EXPR_CT_EXPECT_SET);
		e->obj = g_strdup(n->text);
		e->chain_loc = (struct nft_loc){ n->line, n->col, n->len };
		g_ptr_array_add(r->exprs, e);
		return true;
	}
	if (nft_is_word(t, "ct") && nft_is_word(nft_peek(p, 1), "helper") &&
	    nft_is_word(nft_peek(p, 2), "set")) {
		/* nft_objref of a ct helper object: checked once the batch is
		 * applied (the object may come later in the file) */
		nft_next(p);
		nft_next(p);
		nft_next(p);
		const struct nft_token *n = nft_next(p);
		if (n->type != NFT_T_WORD && n->type != NFT_T_STRING) {
			nft_error_unexpected(p, n);
			return false;
		}
		if (n->type == NFT_T_WORD && n->text[0] == '@')
			return unimpl(p, n, "ct helper set from a map");
		struct nft_expr *e = expr_new(NFT_EXPR_CT_HELPER_SET);
		e->obj = g_strdup(n->text);
		e->chain_loc = (struct nft_loc){ n->line, n->col, n->len };
		g_ptr_array_add(r->exprs, e);
		return true;
	}
	if (nft_is_word(t, "flow") &&
	    (nft_is_word(nft_peek(p, 1), "add") || nft_is_word(nft_peek(p, 1), "offload")))
		return nft_parse_flow_offload(p, r);
	const struct nft_token *start = nft_peek(p, 0);
	if (nft_is_word(start, "jhash") || nft_is_word(start, "symhash")) {
		/* nft_hash: a selector compared, looked up or mapped as any */
		struct nft_expr *e = expr_new(NFT_EXPR_MATCH);
		e->elems = g_array_new(FALSE, TRUE, sizeof(struct nft_elem));
		g_ptr_array_add(r->exprs, e);
		if (!(e->key = nft_parse_hash(p, e)))
			return false;
		if (nft_is_word(nft_peek(p, 0), "."))
			return unimpl(p, nft_peek(p, 0), "concatenation of a hash with other selectors");
		return parse_match_into(p, e, e->key);
	}
	if (nft_is_word(start, "numgen")) {
		struct nft_expr *e = expr_new(NFT_EXPR_MATCH);
		e->elems = g_array_new(FALSE, TRUE, sizeof(struct nft_elem));
		g_ptr_array_add(r->exprs, e);
		if (!(e->key = parse_numgen(p, e)))
			return false;
		if (!nft_is_word(nft_peek(p, 0), "."))
			return parse_match_into(p, e, e->key);
		e->map_keys[e->n_map_keys++] = e->key;
		return parse_concat_match(p, r, e);
	}
	int nerr = p->nerr;
	const struct nft_key *k = parse_key(p);
	if (!k && p->nerr != nerr)
		return false;	/* a payload key's error (nft_payload_parse_key) */
	if (k && !strcmp(k->name, "meta nfproto") && p->family != NFT_FAMILY_INET) {
		struct nft_token span = *start;
		span.len = nft_peek(p, 0)->col - start->col - 1;
		nft_error(p, &span, NULL, "meta nfproto is only useful in the inet family");
		return false;
	}
	if (k && k->dtype == NFT_DT_IPV4 && !strncmp(k->name, "ct ", 3) && p->family == NFT_FAMILY_INET &&
	    !nft_is_word(&g_array_index(p->toks, struct nft_token, p->pos - 2), "ip")) {
		/* `ct original saddr` names no family: only an ip table knows it */
		struct nft_token span = *start;
		span.len = nft_peek(p, 0)->col - start->col - 1;
		nft_error(p, &span, NULL, "cannot determine ip protocol version, use \"ip %s\" or "
			  "\"ip6 %s\" instead", k->name + strlen(k->name) - 5, k->name + strlen(k->name) - 5);
		return false;
	}
	if (k && strstr(k->name, " proto-") && !has_transport(r)) {
		/* ct_expr's proto-src/dst take their datatype from the rule's
		 * transport protocol context: without one, the value is parsed
		 * as the invalid type */
		static const char *const ops[] = { "==", "!=", "<", ">", "<=", ">=", "eq", "ne",
						   "lt", "gt", "le", "ge", NULL };
		unsigned ahead = 0;
		for (int i = 0; ops[i]; i++)
			if (nft_is_word(nft_peek(p, 0), ops[i]))
				ahead = 1;
		bool set = nft_peek(p, ahead)->type == NFT_T_LBRACE;
		const struct nft_token *v = nft_peek(p, ahead + set);	/* a set's first element */
		if (v->type == NFT_T_WORD || v->type == NFT_T_STRING) {
			struct nft_token at = *v;	/* a range's low end only */
			const char *dash = v->type == NFT_T_WORD ? strchr(v->text + 1, '-') : NULL;
			if (dash && g_ascii_isdigit(v->text[0]))
				at.len = (int)(dash - v->text);
			nft_error(p, &at, NULL, "Can't parse symbolic invalid expressions");
			/* past the set's `}`: the rule's recovery stops at a brace */
			if (set) {
				while (nft_peek(p, 0)->type != NFT_T_RBRACE &&
				       nft_peek(p, 0)->type != NFT_T_EOF)
					nft_next(p);
				nft_next(p);
			}
			return false;
		}
	}
	if (k && nft_is_word(nft_peek(p, 0), ".")) {
		struct nft_expr *e = expr_new(NFT_EXPR_MATCH);
		e->elems = g_array_new(FALSE, TRUE, sizeof(struct nft_elem));
		e->key = e->map_keys[e->n_map_keys++] = k;
		g_ptr_array_add(r->exprs, e);
		if (!parse_concat_match(p, r, e))
			return false;
		nft_ip6_kill_dependency(p, r);
		return true;
	}
	if (k) {
		/* nft's payload context: `udp sport 53 th dport 1000` is a udp
		 * field; `icmp id` gets its echo type match */
		const struct nft_key *written = k;
		k = nft_payload_th_context(r, k);
		bool raw = written->name[0] == '@';
		if (nft_payload_needs_icmp_echo(r, k))
			add_icmp_echo(r);
		const struct nft_token *nx = nft_peek(p, 0);
		if (nft_is_word(nx, "==") || nft_is_word(nx, "!="))
			nx = nft_peek(p, 1);
		if (nft_payload_raw_sub(k) && (nx->type != NFT_T_WORD || !g_ascii_isdigit(nx->text[0]) ||
					       strchr(nx->text, '-')))
			return unimpl(p, nft_peek(p, 0), "raw payload not on byte boundaries other "
				      "than compared with one value");
		if (nft_is_word(nft_peek(p, 0), "set") && nft_payload_of(k)) {
			if (!nft_payload_parse_set(p, r, nft_payload_th_set_key(written, k)))
				return false;
			kill_dependency(p, r);
			return true;
		}
		if (!parse_match(p, r, k))
			return false;
		struct nft_expr *m = r->exprs->pdata[r->exprs->len - 1];
		if (raw && k != written && nft_dtype_bitmask(k->dtype) && !m->has_mask && !m->is_set &&
		    m->elems->len == 1)
			m->exact = true;	/* a raw load's cmp: `tcp flags == syn` */
		kill_dependency(p, r);
		nft_meta_key_implicit(p, r->exprs->pdata[r->exprs->len - 1]);
		nft_payload_merge_order(r);
		return true;
	}
	static const char *const later[] = { "ip6", "icmpv6", "meta", "ct", "fib", "numgen", "jhash",
		"queue", "set", "add", "update", "flow", "dup", "fwd", "synproxy", "iif", "oif",
		"sctp", "udplite", "ether", "vlan", "arp", "tproxy", "osf", "socket", "rt",
		"ipsec", "exthdr", "symhash", "ip", "tcp", "udp", "icmp", "th",
		/* meta keys nft takes without `meta` that natsim lacks */
		"cgroup", "rtclassid", "ibriport", "obriport", "ibrname", "obrname", NULL };
	for (int i = 0; later[i]; i++)
		if (nft_is_word(t, later[i])) {
			char *m = nft_peek(p, 1)->type == NFT_T_WORD ?
				  g_strdup_printf("expression `%s %s`", t->text, nft_peek(p, 1)->text) :
				  g_strdup_printf("expression `%s`", t->text);
			unimpl(p, t, m);
			g_free(m);
			return false;
		}
	/* nft reads an unknown word as a symbol compared with what follows:
	 * nothing follows is a syntax error, else the symbol has no type */
	if (at_end(nft_peek(p, 1)))
		nft_error_unexpected(p, nft_peek(p, 1));
	else
		nft_error(p, t, NULL, "No symbol type information");
	return false;
}

const struct nft_key *nft_expr_parse_key(struct nft_parse *p)
{
	return parse_key(p);
}

const struct nft_key *nft_expr_parse_source(struct nft_parse *p, struct nft_expr *e)
{
	if (nft_is_word(nft_peek(p, 0), "jhash") || nft_is_word(nft_peek(p, 0), "symhash"))
		return nft_parse_hash(p, e);
	return parse_any_key(p, e);
}

/* The rule at the parser's position, up to (not including) its end; NULL
 * after an error, with the parser moved past the rule. */
struct nft_rule *nft_parse_rule(struct nft_parse *p)
{
	struct nft_rule *r = g_new0(struct nft_rule, 1);
	r->exprs = g_ptr_array_new_with_free_func((GDestroyNotify)nft_expr_free);
	const struct nft_token *first = nft_peek(p, 0);
	r->loc = (struct nft_loc){ first->line, first->col, 0 };
	while (!at_end(nft_peek(p, 0))) {
		if (!parse_stmt(p, r)) {
			while (!at_end(nft_peek(p, 0)))
				nft_next(p);
			nft_rule_free(r);
			return NULL;
		}
		const struct nft_token *last = &g_array_index(p->toks, struct nft_token, p->pos - 1);
		if (last->line == r->loc.line)
			r->loc.len = last->col + last->len - r->loc.col;
	}
	nft_rule_prepare(r);
	return r;
}
