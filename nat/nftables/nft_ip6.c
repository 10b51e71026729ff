/* nft_ip6.c - IPv6 address values of nft (datatype.c's ip6addr_type):
 * parsing, printing, ordering.
 *
 * Design: natsim's packets are IPv4, so an IPv6 value is only ever parsed,
 * kept, compared with other IPv6 values and printed; no packet loads one
 * (an ip6 selector's implicit `meta nfproto ipv6` fails first). Rather
 * than widen every value of the model to 128 bits, an IPv6 element keeps
 * its range in nft_elem.str as 64 hex digits, the low address then the
 * high one, big-endian: copying and freeing are those of a string, and
 * two values order as their strings do (fixed width), which is the
 * numeric order nft lists them in. plen and range say how it prints, as
 * for IPv4. Addresses print with the C library's inet_ntop, as nft does
 * (zero runs compressed, ::ffff:a.b.c.d).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nat/nftables/nft_int.h"

static void hex_put(char *out, const uint8_t a[16])
{
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", a[i]);
}

static void hex_get(const char *in, uint8_t a[16])
{
	for (int i = 0; i < 16; i++) {
		unsigned x = 0;
		sscanf(in + 2 * i, "%2x", &x);
		a[i] = (uint8_t)x;
	}
}

static bool parse_addr(const char *s, uint8_t a[16])
{
	return inet_pton(AF_INET6, s, a) == 1;
}

/* The element's low (hi false) or high address. */
void nft_ip6_addr(const struct nft_elem *e, bool hi, uint8_t a[16])
{
	memset(a, 0, 16);
	if (e->str && strlen(e->str) == 64)
		hex_get(e->str + (hi ? 32 : 0), a);
}

static void set_range(struct nft_elem *e, const uint8_t lo[16], const uint8_t hi[16])
{
	char buf[65];
	hex_put(buf, lo);
	hex_put(buf + 32, hi);
	e->str = g_strdup(buf);
}

/* ADDR, ADDR/LEN (the address masked, as nft's prefix expression) or
 * ADDR-ADDR into e (plen -1 on entry). */
bool nft_ip6_parse_value(const char *text, struct nft_elem *e)
{
	uint8_t lo[16], hi[16];
	const char *slash = strchr(text, '/'), *dash = strchr(text, '-');
	if (slash) {
		char *a = g_strndup(text, (gsize)(slash - text));
		bool ok = parse_addr(a, lo);
		g_free(a);
		char *end;
		unsigned long n = strtoul(slash + 1, &end, 10);
		if (!ok || !g_ascii_isdigit(slash[1]) || *end)
			return false;
		if (n > 128)
			return false;	/* value() words nft's message */
		for (unsigned i = 0; i < 16; i++) {
			unsigned bits = n > 8 * i ? (unsigned)n - 8 * i : 0;
			uint8_t m = bits >= 8 ? 0xff : (uint8_t)(0xff00 >> bits);
			lo[i] &= m;
			hi[i] = lo[i] | (uint8_t)~m;
		}
		e->plen = (int)n;
		set_range(e, lo, hi);
		return true;
	}
	if (dash) {
		char *a = g_strndup(text, (gsize)(dash - text));
		bool ok = parse_addr(a, lo) && parse_addr(dash + 1, hi);
		g_free(a);
		if (!ok || memcmp(lo, hi, 16) > 0)
			return false;
		e->range = memcmp(lo, hi, 16) != 0;
		set_range(e, lo, hi);
		return true;
	}
	if (!parse_addr(text, lo))
		return false;
	set_range(e, lo, lo);
	return true;
}

bool nft_ip6_value_error(struct nft_parse *p, const struct nft_token *t)
{
	const char *text = t->text, *slash = strchr(text, '/'), *dash = strchr(text, '-');
	uint8_t lo[16], hi[16];
	uint32_t v4;
	if (slash && g_ascii_isdigit(slash[1]) &&
	    strspn(slash + 1, "0123456789") == strlen(slash + 1) && atoi(slash + 1) > 128) {
		nft_error(p, t, NULL, "Prefix length %s is invalid for type of 128 bits width",
			  slash + 1);
		return true;
	}
	if (dash) {
		char *a = g_strndup(text, (gsize)(dash - text));
		bool both = parse_addr(a, lo) && parse_addr(dash + 1, hi);
		g_free(a);
		if (both) {
			/* parsed, so the range is backwards */
			nft_error(p, t, NULL, "Range has zero or negative size");
			return true;
		}
	}
	if (nft_parse_ipv4(text, &v4)) {
		/* getaddrinfo of an IPv4 address for AF_INET6 */
		nft_error(p, t, NULL, "Could not resolve hostname: Address family for hostname not supported");
		return true;
	}
	if (strchr(text, ':') && strspn(text, "0123456789abcdefABCDEF:./") == strlen(text)) {
		/* nft's scanner has no token for a malformed address: the
		 * parser stumbles on what follows */
		nft_error_unexpected(p, nft_peek(p, 0));
		return true;
	}
	return false;
}

static void print_addr(GString *s, const uint8_t a[16])
{
	char buf[INET6_ADDRSTRLEN];
	g_string_append(s, inet_ntop(AF_INET6, a, buf, sizeof(buf)) ? buf : "?");
}

void nft_ip6_print_elem(GString *s, const struct nft_elem *e)
{
	uint8_t a[16];
	nft_ip6_addr(e, false, a);
	print_addr(s, a);
	if (e->plen >= 0) {
		g_string_append_printf(s, "/%d", e->plen);
	} else if (e->range) {
		nft_ip6_addr(e, true, a);
		g_string_append_c(s, '-');
		print_addr(s, a);
	}
}

/* nft's order of two IPv6 values: by the low address, then the high. */
int nft_ip6_cmp(const struct nft_elem *a, const struct nft_elem *b)
{
	return g_strcmp0(a->str, b->str);
}

/* A `meta nfproto|l4proto V` match that can be a dependency: one value,
 * not negated, not already hidden. */
static bool is_dep(const struct nft_expr *e, const char *key, uint32_t v)
{
	return e->kind == NFT_EXPR_MATCH && e->key && !e->n_map_keys && !e->neq && !e->is_set &&
	       !e->set_ref && !e->anon && e->elems && e->elems->len == 1 &&
	       !strcmp(e->key->name, key) && g_array_index(e->elems, struct nft_elem, 0).lo == v &&
	       !g_array_index(e->elems, struct nft_elem, 0).range;
}

/* payload_dependency_kill for the inet family: `meta nfproto ipv6` before
 * an ip6 or icmpv6 selector or `meta l4proto ipv6-icmp`, `meta nfproto
 * ipv4` before `icmp type` or `meta l4proto icmp` (their family), also across the `meta l4proto ipv6-icmp|icmp` the
 * selector already hid. */
void nft_ip6_kill_dependency(struct nft_parse *p, struct nft_rule *r)
{
	unsigned n = r->exprs->len;
	if (p->family != NFT_FAMILY_INET || n < 2)
		return;
	const struct nft_expr *cur = r->exprs->pdata[n - 1];
	if (cur->kind != NFT_EXPR_MATCH || !cur->key)
		return;
	uint32_t nfproto = nft_key_ip6(cur->key) ? 10 : cur->key->id == NFT_K_ICMP_TYPE ? 2 :
			   is_dep(cur, "meta l4proto", 58) ? 10 : is_dep(cur, "meta l4proto", 1) ? 2 : 0;
	if (!nfproto)
		return;
	struct nft_expr *prev = r->exprs->pdata[n - 2];
	if (prev->implicit && is_dep(prev, "meta l4proto", nfproto == 10 ? 58 : 1) && n >= 3)
		prev = r->exprs->pdata[n - 3];
	if (!prev->implicit && is_dep(prev, "meta nfproto", nfproto))
		prev->implicit = true;
}

/* icmpv6_code_tbl, as `reject with icmpv6` takes it */
static const char *const icmp6_codes[] = { "no-route", "admin-prohibited", "addr-unreachable",
					   "port-unreachable", "policy-fail", "reject-route", NULL };

bool nft_ip6_parse_reject(struct nft_parse *p, struct nft_rule *r, struct nft_expr *e)
{
	(void)r;
	if (nft_is_word(nft_peek(p, 0), "type"))
		nft_next(p);
	const struct nft_token *c = nft_next(p);
	for (int i = 0; icmp6_codes[i]; i++)
		if (nft_is_word(c, icmp6_codes[i])) {
			e->reject = g_strdup_printf("icmpv6 %s", c->text);
			return true;
		}
	if (c->type != NFT_T_WORD) {
		nft_error_unexpected(p, c);
		return false;
	}
	nft_error(p, c, NULL, "Could not parse icmpv6 code");
	return false;
}

/* the implicit dependency's key (never printed) */
static const struct nft_key nfproto_key = { "meta nfproto", NFT_DT_NFPROTO, -1, false,
					    NFT_K_NFPROTO };

static const struct nft_key l4proto_key = { "meta l4proto", NFT_DT_PROTO, -1, false,
					     NFT_K_L4PROTO };

static struct nft_expr *dep_new(const struct nft_key *k, uint32_t v, bool implicit)
{
	struct nft_expr *d = g_new0(struct nft_expr, 1);
	struct nft_elem x = { v, v, -1, NULL, false };
	d->kind = NFT_EXPR_MATCH;
	d->level = -1;
	d->implicit = implicit;
	d->key = k;
	d->elems = g_array_new(FALSE, TRUE, sizeof(struct nft_elem));
	g_array_append_val(d->elems, x);
	return d;
}

/* `reject with tcp reset` in an inet table with nothing saying TCP before
 * it: nft puts `meta l4proto tcp` at the head of the rule (and lists it),
 * taking the place of a `meta nfproto` there, so a packet of another
 * protocol does not match the rule. */
static bool tcp_reset_dependency(struct nft_rule *r)
{
	unsigned n = r->exprs->len;
	for (unsigned i = 0; i + 1 < n; i++) {
		const struct nft_expr *x = r->exprs->pdata[i];
		if (x->kind == NFT_EXPR_MATCH && x->key &&
		    (x->key->l4proto == 6 || is_dep(x, "meta l4proto", 6) ||
		     is_dep(x, "ip protocol", 6) || is_dep(x, "ip6 nexthdr", 6)))
			return true;
	}
	for (unsigned i = 0; i + 1 < n; i++) {
		struct nft_expr *x = r->exprs->pdata[i];
		if (!x->implicit && (is_dep(x, "meta nfproto", 2) || is_dep(x, "meta nfproto", 10)))
			x->implicit = true;
	}
	g_ptr_array_insert(r->exprs, 0, dep_new(&l4proto_key, 6, false));
	return true;
}

bool nft_ip6_reject_dependency(struct nft_parse *p, struct nft_rule *r, struct nft_expr *e)
{
	if (p->family != NFT_FAMILY_INET)
		return true;
	unsigned n = r->exprs->len;
	struct nft_expr *prev = NULL;	/* a `meta nfproto` that set the family */
	uint32_t fam = 0;
	/* the network protocol the rule has settled by then (nft's protocol
	 * context): the last `meta nfproto`, ip or ip6 selector before the
	 * reject */
	for (unsigned i = n - 1; i-- > 0 && !fam;) {
		struct nft_expr *x = r->exprs->pdata[i];
		if (is_dep(x, "meta nfproto", 10) || is_dep(x, "meta nfproto", 2)) {
			prev = x->implicit ? NULL : x;
			fam = g_array_index(x->elems, struct nft_elem, 0).lo;
		} else if (x->kind == NFT_EXPR_MATCH && x->key && nft_key_ip6(x->key)) {
			fam = 10;
		} else if (x->kind == NFT_EXPR_MATCH && x->key &&
			   (x->key->ip_payload || x->key->id == NFT_K_ICMP_TYPE)) {
			fam = 2;
		}
	}
	if (e->reject && !strcmp(e->reject, "tcp reset"))
		return tcp_reset_dependency(r);
	bool v6 = fam == 10, v4 = fam == 2;
	if (!e->reject && (v4 || v6))
		e->reject = g_strdup(v6 ? "icmpv6 port-unreachable" : "icmp port-unreachable");
	if (!e->reject)
		return true;
	bool icmp6 = !strncmp(e->reject, "icmpv6 ", 7), icmp4 = !strncmp(e->reject, "icmp ", 5);
	if ((icmp6 && v6) || (icmp4 && v4)) {
		if (prev)
			prev->implicit = true;
	} else if (icmp6) {
		/* nft adds the dependency at the head of the rule: an IPv4
		 * packet never reaches this reject, nor what precedes it */
		g_ptr_array_insert(r->exprs, 0, dep_new(&nfproto_key, 10, true));
	}
	return true;
}
