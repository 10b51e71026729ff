/* nft_payload.c - header fields by offset and length: nft's protocol
 * descriptors and the kernel's nft_payload (load and set).
 *
 * Design: one table, nft's src/proto.c templates for ip, icmp, tcp, udp
 * and th (offset and length in bits, datatype), read by the parser for the
 * fields nft_expr.c's own table lacks, by the printer, and by `KEY set`
 * for every field (the older keys too). A field loads as the kernel loads
 * it after nft's linearisation: the bytes around it, the bitwise mask and
 * shift (nft_payload_eval + nft_bitwise), at most 32 bits. A raw payload
 * `@nh,OFF,LEN` is a field of its own, made once and kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nat/core/nf_inet.h"
#include "nat/nftables/nft_payload.h"

#define P NFT_K_PAYLOAD
#define NOCS 0xff
/* name, dtype, l4proto, ip_payload, id; base, offset, bits, checksum */
static const struct nft_payload_field fields[] = {
	{ { "ip version", NFT_DT_INTEGER, -1, true, P }, NFT_PB_NH, 0, 4, 10 },
	{ { "ip hdrlength", NFT_DT_INTEGER, -1, true, P }, NFT_PB_NH, 4, 4, 10 },
	{ { "ip dscp", NFT_DT_DSCP, -1, true, P }, NFT_PB_NH, 8, 6, 10 },
	{ { "ip ecn", NFT_DT_ECN, -1, true, P }, NFT_PB_NH, 14, 2, 10 },
	{ { "ip length", NFT_DT_INTEGER, -1, true, NFT_K_IP_LENGTH }, NFT_PB_NH, 16, 16, 10 },
	{ { "ip id", NFT_DT_INTEGER, -1, true, P }, NFT_PB_NH, 32, 16, 10 },
	{ { "ip frag-off", NFT_DT_INTEGER, -1, true, P }, NFT_PB_NH, 48, 16, 10 },
	{ { "ip ttl", NFT_DT_INTEGER, -1, true, NFT_K_IP_TTL }, NFT_PB_NH, 64, 8, 10 },
	{ { "ip protocol", NFT_DT_PROTO, -1, true, NFT_K_IP_PROTOCOL }, NFT_PB_NH, 72, 8, 10 },
	{ { "ip checksum", NFT_DT_INTEGER, -1, true, P }, NFT_PB_NH, 80, 16, 10 },
	{ { "ip saddr", NFT_DT_IPV4, -1, true, NFT_K_IP_SADDR }, NFT_PB_NH, 96, 32, 10 },
	{ { "ip daddr", NFT_DT_IPV4, -1, true, NFT_K_IP_DADDR }, NFT_PB_NH, 128, 32, 10 },
	{ { "icmp type", NFT_DT_ICMPTYPE, 1, false, NFT_K_ICMP_TYPE }, NFT_PB_TH, 0, 8, 2 },
	{ { "icmp code", NFT_DT_ICMPCODE, 1, false, P }, NFT_PB_TH, 8, 8, 2 },
	{ { "icmp checksum", NFT_DT_INTEGER, 1, false, P }, NFT_PB_TH, 16, 16, 2 },
	{ { "icmp id", NFT_DT_INTEGER, 1, false, P }, NFT_PB_TH, 32, 16, 2 },
	{ { "icmp sequence", NFT_DT_INTEGER, 1, false, P }, NFT_PB_TH, 48, 16, 2 },
	{ { "icmp gateway", NFT_DT_INTEGER, 1, false, P }, NFT_PB_TH, 32, 32, 2 },
	{ { "icmp mtu", NFT_DT_INTEGER, 1, false, P }, NFT_PB_TH, 48, 16, 2 },
	{ { "tcp sport", NFT_DT_SERVICE, 6, false, NFT_K_TCP_SPORT }, NFT_PB_TH, 0, 16, 16 },
	{ { "tcp dport", NFT_DT_SERVICE, 6, false, NFT_K_TCP_DPORT }, NFT_PB_TH, 16, 16, 16 },
	{ { "tcp sequence", NFT_DT_INTEGER, 6, false, P }, NFT_PB_TH, 32, 32, 16 },
	{ { "tcp ackseq", NFT_DT_INTEGER, 6, false, P }, NFT_PB_TH, 64, 32, 16 },
	{ { "tcp doff", NFT_DT_INTEGER, 6, false, P }, NFT_PB_TH, 96, 4, 16 },
	{ { "tcp reserved", NFT_DT_INTEGER, 6, false, P }, NFT_PB_TH, 100, 4, 16 },
	{ { "tcp flags", NFT_DT_TCPFLAG, 6, false, NFT_K_TCP_FLAGS }, NFT_PB_TH, 104, 8, 16 },
	{ { "tcp window", NFT_DT_INTEGER, 6, false, P }, NFT_PB_TH, 112, 16, 16 },
	{ { "tcp checksum", NFT_DT_INTEGER, 6, false, P }, NFT_PB_TH, 128, 16, 16 },
	{ { "tcp urgptr", NFT_DT_INTEGER, 6, false, P }, NFT_PB_TH, 144, 16, 16 },
	{ { "udp sport", NFT_DT_SERVICE, 17, false, NFT_K_UDP_SPORT }, NFT_PB_TH, 0, 16, 6 },
	{ { "udp dport", NFT_DT_SERVICE, 17, false, NFT_K_UDP_DPORT }, NFT_PB_TH, 16, 16, 6 },
	{ { "udp length", NFT_DT_INTEGER, 17, false, P }, NFT_PB_TH, 32, 16, 6 },
	{ { "udp checksum", NFT_DT_INTEGER, 17, false, P }, NFT_PB_TH, 48, 16, 6 },
	/* proto_th has no checksum: `th dport set` leaves it as it is */
	{ { "th sport", NFT_DT_SERVICE, -1, false, NFT_K_TH_SPORT }, NFT_PB_TH, 0, 16, NOCS },
	{ { "th dport", NFT_DT_SERVICE, -1, false, NFT_K_TH_DPORT }, NFT_PB_TH, 16, 16, NOCS },
};

/* th ports written in a tcp or udp context: listed as that protocol's,
 * still written without a checksum update (nft's linearisation keeps the
 * th template's csum_type none) */
static const struct nft_payload_field th_twins[] = {
	{ { "tcp sport", NFT_DT_SERVICE, 6, false, P }, NFT_PB_TH, 0, 16, NOCS },
	{ { "tcp dport", NFT_DT_SERVICE, 6, false, P }, NFT_PB_TH, 16, 16, NOCS },
	{ { "udp sport", NFT_DT_SERVICE, 17, false, P }, NFT_PB_TH, 0, 16, NOCS },
	{ { "udp dport", NFT_DT_SERVICE, 17, false, P }, NFT_PB_TH, 16, 16, NOCS },
};

const struct nft_key *nft_payload_th_set_key(const struct nft_key *th, const struct nft_key *k)
{
	if (th == k)
		return k;
	for (unsigned i = 0; i < G_N_ELEMENTS(th_twins); i++)
		if (!strcmp(th_twins[i].key.name, k->name))
			return &th_twins[i].key;
	return k;
}

const struct nft_payload_field *nft_payload_field(const char *name)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(fields); i++)
		if (!strcmp(fields[i].key.name, name))
			return &fields[i];
	return NULL;
}

/* raw payloads made so far: "@nh,16,8" -> struct nft_payload_field */
static GHashTable *raw_fields;

const struct nft_payload_field *nft_payload_of(const struct nft_key *k)
{
	if (k->id == NFT_K_PAYLOAD)
		return (const struct nft_payload_field *)(const void *)k;	/* the first member */
	return nft_payload_field(k->name);
}

uint32_t nft_payload_max(const struct nft_key *k)
{
	const struct nft_payload_field *f = nft_payload_of(k);
	if (!f || f->bits >= 32)
		return UINT32_MAX;
	return (1u << f->bits) - 1;
}

/* `@nh|@th|@ll,OFF,LEN` (the parser at the base word): the raw field. */
static const struct nft_key *parse_raw(struct nft_parse *p)
{
	const struct nft_token *b = nft_peek(p, 0);
	if (nft_peek(p, 1)->type != NFT_T_COMMA || nft_peek(p, 2)->type != NFT_T_WORD ||
	    nft_peek(p, 3)->type != NFT_T_COMMA || nft_peek(p, 4)->type != NFT_T_WORD)
		return NULL;
	uint8_t base = !strcmp(b->text, "@nh") ? NFT_PB_NH : !strcmp(b->text, "@th") ? NFT_PB_TH :
		       !strcmp(b->text, "@ll") ? NFT_PB_LL : NFT_PB_NONE;
	if (base == NFT_PB_NONE)
		return NULL;
	const struct nft_token *o = nft_peek(p, 2), *l = nft_peek(p, 4);
	char *e1, *e2;
	unsigned long off = strtoul(o->text, &e1, 10), len = strtoul(l->text, &e2, 10);
	for (int i = 0; i < 5; i++)
		nft_next(p);
	if (*e1 || *e2 || !g_ascii_isdigit(o->text[0]) || !g_ascii_isdigit(l->text[0])) {
		nft_error_unexpected(p, *e1 ? o : l);
		return NULL;
	}
	if (base == NFT_PB_LL) {
		nft_error(p, b, NULL, "natsim: nft raw payload @ll (natsim's packets carry no "
			  "link layer header) is not implemented");
		return NULL;
	}
	if (len == 0 || len > 32 || off > 0xffff || off % 8 + len > 32) {
		nft_error(p, l, NULL, "natsim: nft raw payload longer than 32 bits (or unaligned "
			  "past 32 bits) is not implemented");
		return NULL;
	}
	/* not on byte boundaries: nft lists the enclosing bytes, masked
	 * (nft_payload_print_sub); the field is kept by its bits */
	unsigned long boff = off & ~7ul, blen = (off % 8 + len + 7) & ~7ul;
	/* nft lists a raw transport field nft's th template has by its name */
	if (base == NFT_PB_TH && len == 16 && (off == 0 || off == 16))
		return &nft_payload_field(off ? "th dport" : "th sport")->key;
	/* in an ip table the network header is IPv4's: a raw field that is
	 * one of its template's is that field (nft lists `ip protocol`) */
	for (unsigned i = 0; base == NFT_PB_NH && p->family == NFT_FAMILY_IP &&
			     i < G_N_ELEMENTS(fields); i++)
		if (fields[i].base == NFT_PB_NH && fields[i].off == off && fields[i].bits == len)
			return &fields[i].key;
	char *id = g_strdup_printf("%s,%lu,%lu", b->text, off, len);
	if (!raw_fields)
		raw_fields = g_hash_table_new(g_str_hash, g_str_equal);
	struct nft_payload_field *f = g_hash_table_lookup(raw_fields, id);
	if (f) {
		g_free(id);
		return &f->key;
	}
	char *name = boff == off && blen == len ? id : g_strdup_printf("%s,%lu,%lu", b->text, boff, blen);
	f = g_new0(struct nft_payload_field, 1);
	f->key = (struct nft_key){ name, NFT_DT_RAW, -1, false, NFT_K_PAYLOAD };
	f->base = base;
	f->off = (uint16_t)off;
	f->bits = (uint8_t)len;
	f->csum_off = NOCS;
	g_hash_table_insert(raw_fields, id, f);
	return &f->key;
}

bool nft_payload_raw_sub(const struct nft_key *k)
{
	if (k->id != NFT_K_PAYLOAD || k->name[0] != '@')
		return false;
	const struct nft_payload_field *f = nft_payload_of(k);
	return f->off % 8 || f->bits % 8;
}

void nft_payload_print_sub(GString *s, const struct nft_expr *e)
{
	const struct nft_payload_field *f = nft_payload_of(e->key);
	unsigned n = (f->off % 8 + f->bits + 7) / 8;
	unsigned shift = n * 8 - f->off % 8 - f->bits;
	uint32_t v = g_array_index(e->elems, struct nft_elem, 0).lo;
	g_string_append_printf(s, "%s & 0x%x %s0x%x", e->key->name,
			       (uint32_t)(((1ull << f->bits) - 1) << shift), e->neq ? "!= " : "== ",
			       (uint32_t)((uint64_t)v << shift));
}

const struct nft_key *nft_payload_parse_key(struct nft_parse *p)
{
	const struct nft_token *a = nft_peek(p, 0), *b = nft_peek(p, 1);
	if (a->type != NFT_T_WORD)
		return NULL;
	if (a->text[0] == '@')
		return parse_raw(p);
	if (b->type != NFT_T_WORD)
		return NULL;
	char *two = g_strdup_printf("%s %s", a->text, b->text);
	const struct nft_payload_field *f = nft_payload_field(two);
	g_free(two);
	if (!f && !strcmp(a->text, "th") && b->text[0] != '@') {
		/* nft's grammar knows th's ports only */
		nft_error(p, b, NULL, "syntax error, unexpected string, expecting sport or dport");
		nft_next(p);
		nft_next(p);
		return NULL;
	}
	if (!f)
		return NULL;
	nft_next(p);
	nft_next(p);
	return &f->key;
}

/* The protocol r's last transport statement fixes: a tcp or udp field,
 * `meta l4proto` or `ip protocol` == tcp|udp; -1: none. */
static int l4_context(const struct nft_rule *r)
{
	for (unsigned i = r->exprs->len; i-- > 0;) {
		const struct nft_expr *e = r->exprs->pdata[i];
		if (e->kind != NFT_EXPR_MATCH || !e->key || e->n_map_keys)
			continue;
		if (e->key->l4proto == 6 || e->key->l4proto == 17)
			return e->key->l4proto;
		if ((!strcmp(e->key->name, "meta l4proto") || !strcmp(e->key->name, "ip protocol")) &&
		    !e->neq && !e->is_set && !e->cmp_op && e->elems && e->elems->len == 1) {
			uint32_t v = g_array_index(e->elems, struct nft_elem, 0).lo;
			if (v == 6 || v == 17)
				return (int)v;
		}
	}
	return -1;
}

const struct nft_key *nft_payload_th_context(const struct nft_rule *r, const struct nft_key *k)
{
	if (k->id == NFT_K_PAYLOAD && k->name[0] == '@') {
		/* a raw transport field of the protocol's template is that
		 * field (`meta l4proto tcp @th,32,32 5`: `tcp sequence 5`) */
		const struct nft_payload_field *f = nft_payload_of(k);
		int proto = f->base == NFT_PB_TH ? l4_context(r) : -1;
		for (unsigned i = 0; proto >= 0 && i < G_N_ELEMENTS(fields); i++)
			if (fields[i].key.l4proto == proto && fields[i].off == f->off &&
			    fields[i].bits == f->bits)
				return &fields[i].key;
		return k;
	}
	if (k->id != NFT_K_TH_SPORT && k->id != NFT_K_TH_DPORT)
		return k;
	int proto = l4_context(r);
	if (proto < 0)
		return k;
	char name[16];
	snprintf(name, sizeof(name), "%s %s", proto == 6 ? "tcp" : "udp",
		 k->id == NFT_K_TH_SPORT ? "sport" : "dport");
	return &nft_payload_field(name)->key;
}

bool nft_payload_needs_icmp_echo(const struct nft_rule *r, const struct nft_key *k)
{
	if (strcmp(k->name, "icmp id") && strcmp(k->name, "icmp sequence"))
		return false;
	for (unsigned i = 0; i < r->exprs->len; i++) {
		const struct nft_expr *e = r->exprs->pdata[i];
		if (e->kind == NFT_EXPR_MATCH && e->key && e->key->id == NFT_K_ICMP_TYPE)
			return false;
	}
	return true;
}

/* The bytes holding the field: its header, the first byte, how many. */
static const uint8_t *field_bytes(const struct nft_payload_field *f, const uint8_t *ip,
				  uint32_t len, const uint8_t *l4, uint32_t l4len, unsigned *nbytes)
{
	unsigned first = f->off / 8;
	*nbytes = (f->off % 8 + f->bits + 7) / 8;
	const uint8_t *h = f->base == NFT_PB_NH ? ip : f->base == NFT_PB_TH ? l4 : NULL;
	uint32_t hlen = f->base == NFT_PB_NH ? len : l4len;
	if (!h || first + *nbytes > hlen)
		return NULL;	/* skb_copy_bits fails: NFT_BREAK */
	return h + first;
}

static uint64_t rd_bytes(const uint8_t *b, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v = v << 8 | b[i];
	return v;
}

bool nft_payload_load(const struct nft_key *k, const uint8_t *ip, uint32_t len,
		      const uint8_t *l4, uint32_t l4len, uint32_t *v)
{
	const struct nft_payload_field *f = nft_payload_of(k);
	unsigned n;
	const uint8_t *b = f ? field_bytes(f, ip, len, l4, l4len, &n) : NULL;
	if (!b)
		return false;
	unsigned shift = n * 8 - f->off % 8 - f->bits;
	*v = (uint32_t)((rd_bytes(b, n) >> shift) & ((1ull << f->bits) - 1));
	return true;
}

/* A match nft can merge with a neighbour: a byte-aligned payload field
 * compared == with one value. */
static const struct nft_payload_field *mergeable(const struct nft_expr *e)
{
	if (e->kind != NFT_EXPR_MATCH || !e->key || e->n_map_keys || e->neq || e->is_set ||
	    e->set_ref || e->anon || e->vmap || e->has_mask || e->cmp_op || !e->elems ||
	    e->elems->len != 1)
		return NULL;
	const struct nft_elem *v = &g_array_index(e->elems, struct nft_elem, 0);
	if (v->range || v->plen >= 0 || v->lo != v->hi)
		return NULL;
	const struct nft_payload_field *f = nft_payload_of(e->key);
	if (!f || f->off % 8 || f->bits % 8 || e->key->dtype == NFT_DT_TCPFLAG)
		return NULL;
	return f;
}

void nft_payload_merge_order(struct nft_rule *r)
{
	unsigned n = r->exprs->len;
	if (n < 2)
		return;
	struct nft_expr *a = r->exprs->pdata[n - 2], *b = r->exprs->pdata[n - 1];
	const struct nft_payload_field *fa = mergeable(a), *fb = mergeable(b);
	if (!fa || !fb || fa->base != fb->base || fa->key.l4proto != fb->key.l4proto ||
	    fa->bits + fb->bits > 32 || fb->off + fb->bits != fa->off)
		return;
	r->exprs->pdata[n - 2] = b;
	r->exprs->pdata[n - 1] = a;
}

/* ----- payload set ----- */

bool nft_payload_parse_set(struct nft_parse *p, struct nft_rule *r, const struct nft_key *k)
{
	const struct nft_token *kw = nft_next(p);	/* set */
	const struct nft_payload_field *f = nft_payload_of(k);
	if (!f)
		return false;
	const struct nft_token *t = nft_peek(p, 0);
	if (t->type != NFT_T_WORD) {
		nft_error_unexpected(p, t);
		return false;
	}
	struct nft_elem v;
	const char *why;
	if (!nft_parse_value(k->dtype, t->text, &v, &why) || v.range || v.plen >= 0) {
		if (!strcmp(t->text, "ip") || !strcmp(t->text, "tcp") || !strcmp(t->text, "udp") ||
		    !strcmp(t->text, "meta") || !strcmp(t->text, "ct") || !strcmp(t->text, "th") ||
		    t->text[0] == '@' || !strcmp(t->text, "numgen") || !strcmp(t->text, "jhash"))
			nft_error(p, t, kw, "natsim: nft payload set from an expression is not "
				  "implemented");
		else
			nft_error(p, t, NULL, "%s", why ? why : "Could not parse integer");
		return false;
	}
	nft_next(p);
	if (f->bits < 32 && v.lo > (1u << f->bits) - 1) {
		nft_error(p, t, NULL, "Value %u exceeds valid range 0-%u", v.lo, (1u << f->bits) - 1);
		return false;
	}
	struct nft_expr *e = g_new0(struct nft_expr, 1);
	e->kind = NFT_EXPR_PAYLOAD_SET;
	e->level = -1;
	e->key = k;
	e->value = v.lo;
	g_ptr_array_add(r->exprs, e);
	return true;
}

void nft_payload_print_set(GString *s, const struct nft_expr *e, bool numeric)
{
	struct nft_elem v = { e->value, e->value, -1, NULL, false };
	g_string_append_printf(s, "%s set ", e->key->name);
	nft_print_elem(s, e->key->dtype, &v, numeric);
}

/* nft_csum_replace: the 16-bit checksum at sum moved from the bytes
 * summed fsum to tsum (a result of 0 is written as CSUM_MANGLED_0). */
static void csum_replace(uint8_t *sum, uint32_t fsum, uint32_t tsum)
{
	uint64_t c = (uint16_t)~rd16(sum);
	c += (uint16_t)~fsum;	/* csum_sub: add the complement */
	c += tsum;
	while (c >> 16)
		c = (c & 0xffff) + (c >> 16);
	uint16_t r = (uint16_t)~c;
	wr16(sum, r ? r : 0xffff);
}

/* csum_partial of n bytes at an even offset of the header (16-bit words,
 * the last one padded), folded to 16 bits. */
static uint32_t sum16(const uint8_t *b, unsigned n)
{
	uint64_t c = 0;
	for (unsigned i = 0; i < n; i += 2)
		c += (uint32_t)(b[i] << 8 | (i + 1 < n ? b[i + 1] : 0));
	while (c >> 16)
		c = (c & 0xffff) + (c >> 16);
	return (uint32_t)c;
}

bool nft_payload_set_eval(const struct nft_expr *e, uint8_t *ip, uint32_t len, uint8_t *l4,
			  uint32_t l4len, uint8_t proto)
{
	const struct nft_key *k = e->key;
	const struct nft_payload_field *f = nft_payload_of(k);
	if (!f || (k->l4proto >= 0 && (proto != k->l4proto || !l4)))
		return false;
	unsigned n;
	uint8_t *b = (uint8_t *)field_bytes(f, ip, len, l4, l4len, &n);
	if (!b)
		return false;
	uint8_t *h = f->base == NFT_PB_NH ? ip : l4;
	uint32_t hlen = f->base == NFT_PB_NH ? len : l4len;
	/* nft writes whole bytes (a bit field's neighbours loaded, masked and
	 * or-ed back: nft_bitwise), widened to 16-bit words when a checksum
	 * is updated, as nft's stmt_evaluate_payload aligns them */
	unsigned first = (unsigned)(b - h), wfirst = first & ~1u;
	unsigned wlast = (first + n + 1) & ~1u;
	if (wlast > hlen)
		wlast = hlen;
	uint8_t old[8];
	memcpy(old, h + wfirst, wlast - wfirst);
	unsigned shift = n * 8 - f->off % 8 - f->bits;
	uint64_t mask = ((1ull << f->bits) - 1) << shift;
	uint64_t cur = rd_bytes(b, n);
	uint64_t nv = (cur & ~mask) | ((uint64_t)e->value << shift & mask);
	for (unsigned i = 0; i < n; i++)
		b[i] = (uint8_t)(nv >> (8 * (n - 1 - i)));
	if (f->csum_off == NOCS || !memcmp(old, h + wfirst, wlast - wfirst))
		return true;
	uint32_t fsum = sum16(old, wlast - wfirst), tsum = sum16(h + wfirst, wlast - wfirst);
	/* the kernel updates the checksum, then stores the bytes: a write of
	 * the checksum itself leaves the value written */
	if (f->csum_off + 2u <= hlen && !(wfirst <= f->csum_off && f->csum_off < wlast))
		csum_replace(h + f->csum_off, fsum, tsum);
	/* NFT_PAYLOAD_L4CSUM_PSEUDOHDR: an address is in the transport
	 * checksum's pseudo-header (nft_payload_l4csum_update: not in a
	 * fragment, a UDP checksum of 0 stays 0) */
	if (f->base == NFT_PB_NH && (k->id == NFT_K_IP_SADDR || k->id == NFT_K_IP_DADDR) && l4) {
		if (proto == 6 && l4len >= 18)
			csum_replace(l4 + 16, fsum, tsum);
		else if (proto == 17 && l4len >= 8 && rd16(l4 + 6))
			csum_replace(l4 + 6, fsum, tsum);
	}
	return true;
}

/* ----- relations ----- */

bool nft_payload_cmp_range(const struct nft_expr *e, uint32_t *lo, uint32_t *hi)
{
	uint32_t v = g_array_index(e->elems, struct nft_elem, 0).lo;
	uint32_t max = nft_payload_max(e->key);
	switch (e->cmp_op) {
	/* `< 0`, `> MAX`: no value passes (lo 1, hi 0 matches nothing) */
	case NFT_CMP_LT: *lo = v ? 0 : 1; *hi = v ? v - 1 : 0; return v > 0;
	case NFT_CMP_LTE: *lo = 0; *hi = v; return true;
	case NFT_CMP_GT: *lo = v < max ? v + 1 : 1; *hi = v < max ? max : 0; return v < max;
	case NFT_CMP_GTE: *lo = v; *hi = max; return v <= max;
	default: *lo = *hi = v; return true;
	}
}

const char *nft_cmp_op_text(uint8_t op)
{
	static const char *const t[] = { "", "<", ">", "<=", ">=" };
	return op < G_N_ELEMENTS(t) ? t[op] : "";
}
