/* nft_hash.c - the hash expressions: `jhash KEY [. KEY]... mod N [seed S]
 * [offset M]` and `symhash mod N [offset M]` (nft_hash.c of the kernel).
 *
 * Design: a hash is a selector (a key of id NFT_K_JHASH or NFT_K_SYMHASH)
 * whose parameters are its expression's (hash_keys, hash_seed, ng_mod,
 * ng_off), as numgen's are; it is then compared, looked up or mapped as
 * any selector is. jhash is Bob Jenkins' lookup3 exactly as Linux's
 * include/linux/jhash.h computes it over the bytes the kernel's registers
 * hold (x86: a mark in little-endian order, addresses and ports in network
 * order, each selector of a concatenation padded to 4 bytes), so a given
 * seed picks the backend Linux picks. Without `seed` the kernel draws one
 * at load (get_random_bytes): natsim draws it from the run's seeded
 * generator. symhash is skb_get_hash_symmetric: the flow dissector's
 * siphash under a key random per boot, which no seed of the ruleset fixes;
 * natsim computes a symmetric jhash of the flow (both directions hash
 * alike, as Linux's do) with a key from the run's generator, so its values
 * are repeatable for a run but are not the ones a Linux host would pick.
 */
#include <string.h>

#include "nat/nftables/nft_hash.h"
#include "nat/nftables/nft_int.h"

static const struct nft_key jhash_key = { "jhash", NFT_DT_INTEGER, -1, false, NFT_K_JHASH };
static const struct nft_key symhash_key = { "symhash", NFT_DT_INTEGER, -1, false, NFT_K_SYMHASH };

static inline uint32_t rol32(uint32_t w, unsigned s)
{
	return (w << (s & 31)) | (w >> ((-s) & 31));
}

#define JHASH_MIX(a, b, c) do {					\
	a -= c; a ^= rol32(c, 4); c += b;			\
	b -= a; b ^= rol32(a, 6); a += c;			\
	c -= b; c ^= rol32(b, 8); b += a;			\
	a -= c; a ^= rol32(c, 16); c += b;			\
	b -= a; b ^= rol32(a, 19); a += c;			\
	c -= b; c ^= rol32(b, 4); b += a;			\
} while (0)

#define JHASH_FINAL(a, b, c) do {				\
	c ^= b; c -= rol32(b, 14);				\
	a ^= c; a -= rol32(c, 11);				\
	b ^= a; b -= rol32(a, 25);				\
	c ^= b; c -= rol32(b, 16);				\
	a ^= c; a -= rol32(c, 4);				\
	b ^= a; b -= rol32(a, 14);				\
	c ^= b; c -= rol32(b, 24);				\
} while (0)

/* A 32-bit word of the key as x86's __get_unaligned_cpu32 reads it. */
static uint32_t le32(const uint8_t *k)
{
	return (uint32_t)k[0] | (uint32_t)k[1] << 8 | (uint32_t)k[2] << 16 | (uint32_t)k[3] << 24;
}

uint32_t nft_jhash(const void *key, uint32_t length, uint32_t initval)
{
	const uint8_t *k = key;
	uint32_t a, b, c;

	a = b = c = 0xdeadbeefu + length + initval;
	while (length > 12) {
		a += le32(k);
		b += le32(k + 4);
		c += le32(k + 8);
		JHASH_MIX(a, b, c);
		length -= 12;
		k += 12;
	}
	switch (length) {
	case 12: c += (uint32_t)k[11] << 24; /* fall through */
	case 11: c += (uint32_t)k[10] << 16; /* fall through */
	case 10: c += (uint32_t)k[9] << 8; /* fall through */
	case 9: c += k[8]; /* fall through */
	case 8: b += (uint32_t)k[7] << 24; /* fall through */
	case 7: b += (uint32_t)k[6] << 16; /* fall through */
	case 6: b += (uint32_t)k[5] << 8; /* fall through */
	case 5: b += k[4]; /* fall through */
	case 4: a += (uint32_t)k[3] << 24; /* fall through */
	case 3: a += (uint32_t)k[2] << 16; /* fall through */
	case 2: a += (uint32_t)k[1] << 8; /* fall through */
	case 1: a += k[0];
		JHASH_FINAL(a, b, c);
		break;
	default:
		break;
	}
	return c;
}

unsigned nft_hash_key_len(const struct nft_key *k)
{
	switch (k->id) {
	case NFT_K_IP_SADDR: case NFT_K_IP_DADDR: case NFT_K_MARK: case NFT_K_CT_MARK:
	case NFT_K_CT_ORIG_SADDR: case NFT_K_CT_ORIG_DADDR: case NFT_K_CT_REPL_SADDR:
	case NFT_K_CT_REPL_DADDR:
		return 4;
	case NFT_K_TCP_SPORT: case NFT_K_TCP_DPORT: case NFT_K_UDP_SPORT: case NFT_K_UDP_DPORT:
	case NFT_K_TH_SPORT: case NFT_K_TH_DPORT: case NFT_K_CT_ORIG_PSRC: case NFT_K_CT_ORIG_PDST:
	case NFT_K_CT_REPL_PSRC: case NFT_K_CT_REPL_PDST:
		return 2;
	case NFT_K_IP_PROTOCOL: case NFT_K_L4PROTO: case NFT_K_IP_TTL:
		return 1;
	case NFT_K_IIFNAME: case NFT_K_OIFNAME:
		return 16;	/* IFNAMSIZ */
	default:
		return 0;
	}
}

void nft_hash_put_key(uint8_t *buf, unsigned *len, const struct nft_key *k, uint32_t v,
		      const char *name, bool pad)
{
	unsigned n = nft_hash_key_len(k);
	uint8_t *d = buf + *len;

	memset(d, 0, pad ? (n + 3) / 4 * 4 : n);
	if (k->id == NFT_K_IIFNAME || k->id == NFT_K_OIFNAME) {
		if (name)
			memcpy(d, name, strnlen(name, 15));
	} else if (k->id == NFT_K_MARK || k->id == NFT_K_CT_MARK) {
		/* a host-order register on a little-endian machine */
		d[0] = (uint8_t)v, d[1] = (uint8_t)(v >> 8), d[2] = (uint8_t)(v >> 16);
		d[3] = (uint8_t)(v >> 24);
	} else {
		for (unsigned i = 0; i < n; i++)
			d[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	}
	*len += pad ? (n + 3) / 4 * 4 : n;
}

/* The span from the hash's keyword to the last token read, for the
 * kernel's refusals nft marks on the whole expression. */
static void range_error(struct nft_parse *p, const struct nft_token *kw, const char *msg)
{
	const struct nft_token *last = &g_array_index(p->toks, struct nft_token, p->pos - 1);
	struct nft_token span = *kw;
	if (last->line == kw->line)
		span.len = last->col + last->len - kw->col;
	nft_error(p, &span, NULL, "Could not process rule: %s", msg);
}

const struct nft_key *nft_parse_hash(struct nft_parse *p, struct nft_expr *e)
{
	const struct nft_token *kw = nft_next(p);
	bool sym = nft_is_word(kw, "symhash");
	uint64_t mod = 0, off = 0, seed = 0;

	while (!sym) {
		const struct nft_token *at = nft_peek(p, 0);
		const struct nft_key *k = nft_expr_parse_key(p);
		if (!k) {
			nft_error_unexpected(p, at);
			return NULL;
		}
		if (!nft_hash_key_len(k)) {
			char *m = g_strdup_printf("natsim: nft jhash of %s is not implemented", k->name);
			nft_error(p, at, NULL, "%s", m);
			g_free(m);
			return NULL;
		}
		if (e->n_hash_keys == G_N_ELEMENTS(e->hash_keys)) {
			nft_error(p, at, NULL, "natsim: nft jhash of more than 4 selectors is not implemented");
			return NULL;
		}
		e->hash_keys[e->n_hash_keys++] = k;
		if (!nft_is_word(nft_peek(p, 0), "."))
			break;
		nft_next(p);
	}
	if (!nft_is_word(nft_peek(p, 0), "mod")) {
		nft_error_unexpected(p, nft_peek(p, 0));
		return NULL;
	}
	nft_next(p);
	if (!nft_parse_uint_tok(p, &mod, 0))
		return NULL;
	if (!sym && nft_is_word(nft_peek(p, 0), "seed")) {
		nft_next(p);
		if (!nft_parse_uint_tok(p, &seed, 0))
			return NULL;
		e->hash_seed_set = true;
		e->hash_seed = (uint32_t)seed;	/* nft keeps the low 32 bits */
	}
	if (nft_is_word(nft_peek(p, 0), "offset")) {
		nft_next(p);
		if (!nft_parse_uint_tok(p, &off, 0))
			return NULL;
	}
	/* a keyword out of its place (symhash has no seed) is bison's error */
	static const char *const kws[] = { "mod", "seed", "offset", NULL };
	for (unsigned i = 0; kws[i]; i++)
		if (nft_is_word(nft_peek(p, 0), kws[i])) {
			nft_error(p, nft_peek(p, 0), NULL, "syntax error, unexpected %s", kws[i]);
			return NULL;
		}
	/* nft_jhash_init / nft_symhash_init */
	if (mod == 0 || mod > UINT32_MAX) {
		range_error(p, kw, "Numerical result out of range");
		return NULL;
	}
	if (off > UINT32_MAX || off + mod - 1 > UINT32_MAX) {
		range_error(p, kw, "Value too large for defined data type");
		return NULL;
	}
	e->ng_mod = (uint32_t)mod;
	e->ng_off = (uint32_t)off;
	return sym ? &symhash_key : &jhash_key;
}

void nft_print_hash(GString *s, const struct nft_expr *e, const struct nft_key *k)
{
	if (k->id == NFT_K_SYMHASH) {
		g_string_append(s, "symhash");
	} else {
		g_string_append(s, "jhash ");
		for (unsigned i = 0; i < e->n_hash_keys; i++)
			g_string_append_printf(s, "%s%s", i ? " . " : "", e->hash_keys[i]->name);
	}
	g_string_append_printf(s, " mod %u", e->ng_mod);
	if (e->hash_seed_set)
		g_string_append_printf(s, " seed 0x%x", e->hash_seed);
	if (e->ng_off)
		g_string_append_printf(s, " offset %u", e->ng_off);
}

bool nft_hash_needs_ct(const struct nft_expr *e)
{
	for (unsigned i = 0; i < e->n_hash_keys; i++)
		if (!strncmp(e->hash_keys[i]->name, "ct ", 3))
			return true;
	return false;
}

/* Does e hash with symhash (a selector, or a map's or mark's key)? */
static bool uses_symhash(const struct nft_expr *e, const void *unused)
{
	(void)unused;
	if (e->key && e->key->id == NFT_K_SYMHASH)
		return true;
	for (unsigned i = 0; i < e->n_map_keys; i++)
		if (e->map_keys[i]->id == NFT_K_SYMHASH)
			return true;
	return false;
}

void nft_hash_say(struct nft_ruleset *rs, GString *err)
{
	const unsigned said = 1u << 31;	/* rs->said: the symhash line */
	if (rs->said & said)
		return;
	for (unsigned i = 0; i < rs->tables->len; i++) {
		if (nft_table_any_expr(rs->tables->pdata[i], uses_symhash, NULL)) {
			rs->said |= said;
			g_string_append(err, "natsim: nft symhash values are natsim's own: Linux's "
					"skb_get_hash_symmetric is keyed by a secret random per "
					"boot, so no run reproduces them (both directions of a "
					"flow still hash alike)\n");
			return;
		}
	}
}
