/* nft_settimeout.c - set element timeouts on the simulated clock: the
 * `timeout` and `expires` of an element, arming them when a batch is
 * committed, expiry (lookups stop matching, listings drop the element),
 * garbage collection, and nft's time format.
 *
 * Design: an element keeps what was given (timeout, expires, in ms) and,
 * once its batch is committed, the simulated time it expires at (ns), as
 * the kernel's nft_set_ext EXPIRATION extension keeps jiffies. An element
 * is expired when the clock has reached that time (nft_set_elem_expired);
 * expired elements are skipped by lookups and listings and removed when
 * the next nft command starts (the kernel's set GC runs every gc-interval;
 * what it removes is already invisible, so running it then changes
 * nothing a user sees). Every time comes from the simulated clock: the
 * listing's `expires` is exact (real nft shows the few ms the command took).
 */
#include <string.h>

#include "nat/nftables/nft_int.h"

#define MS_NS 1000000ll

/* nft's time_parse: `1d2h3m4s5ms`, any units in that order. */
bool nft_parse_time(const char *s, uint64_t *ms)
{
	static const struct { const char *u; uint64_t ms; } units[] = {
		{ "ms", 1 }, { "d", 86400000ull }, { "h", 3600000ull }, { "m", 60000ull }, { "s", 1000ull } };
	uint64_t total = 0;
	if (!*s)
		return false;
	while (*s) {
		if (!g_ascii_isdigit(*s))
			return false;
		uint64_t n = 0;
		while (g_ascii_isdigit(*s))
			n = n * 10 + (uint64_t)(*s++ - '0');
		if (n > 1000000000ull)
			return false;
		unsigned i = 0;
		while (i < G_N_ELEMENTS(units) && strncmp(s, units[i].u, strlen(units[i].u)))
			i++;
		if (i == G_N_ELEMENTS(units))
			return false;
		total += n * units[i].ms;
		s += strlen(units[i].u);
	}
	*ms = total;
	return true;
}

/* nft's time_print: `1d2h3m4s5ms`, zero units left out; with -n whole
 * seconds (`61s`, `0s`: NFT_CTX_OUTPUT_NUMERIC_TIME). */
void nft_print_time(GString *s, uint64_t ms, bool numeric)
{
	static const struct { uint64_t ms; const char *u; } units[] = {
		{ 86400000, "d" }, { 3600000, "h" }, { 60000, "m" }, { 1000, "s" }, { 1, "ms" } };
	if (numeric) {
		g_string_append_printf(s, "%" G_GUINT64_FORMAT "s", ms / 1000);
		return;
	}
	if (!ms) {
		g_string_append(s, "0ms");
		return;
	}
	for (unsigned i = 0; i < G_N_ELEMENTS(units); i++)
		if (ms >= units[i].ms) {
			g_string_append_printf(s, "%" G_GUINT64_FORMAT "%s", ms / units[i].ms, units[i].u);
			ms %= units[i].ms;
		}
}

/* now + ms on the clock, saturated (a time past the run's end never
 * comes; no overflow). */
static int64_t expiry(int64_t now, uint64_t ms)
{
	if (now < 0 || ms >= (uint64_t)(INT64_MAX - now) / MS_NS)
		return INT64_MAX;
	return now + (int64_t)ms * MS_NS;
}

/* nf_msecs_to_jiffies64's limit: more milliseconds than U64_MAX ns is
 * ERANGE. */
#define NFT_TIMEOUT_MAX_MS (UINT64_MAX / 1000000u)

/* nft_set_elem_expired: the clock has reached the element's expiry. */
bool nft_setelem_expired(const struct nft_setelem *e, int64_t now)
{
	return e->expires_at && now >= e->expires_at;
}

/* The timeout an element lives for (nft_add_set_elem: its own, else the
 * set's); 0: it does not expire. */
static uint64_t elem_timeout(const struct nft_set *s, const struct nft_setelem *e)
{
	return e->timeout_ms ? e->timeout_ms : s->timeout_ms;
}

/* `timeout T`, `expires T` and `comment "..."` after an element's key
 * and statements (the parser there); a second comment is nft's error.
 * The kernel refuses an element timeout in a set without the timeout flag
 * (EINVAL) when the batch is applied: checked in nft_setelem_check. */
bool nft_parse_elem_options(struct nft_parse *p, struct nft_setelem *e)
{
	for (;;) {
		const struct nft_token *t = nft_peek(p, 0);
		uint64_t *to;
		if (nft_is_word(t, "comment")) {
			nft_next(p);
			const struct nft_token *c = nft_next(p);
			if (c->type != NFT_T_STRING && c->type != NFT_T_WORD) {
				nft_error_unexpected(p, c);
				return false;
			}
			if (e->comment) {
				int len = c->line == t->line ? c->col + c->len - t->col : t->len;
				nft_error_loc(p, (struct nft_loc){ t->line, t->col, len },
					      "You can only specify this once. This statement is duplicated.");
				return false;
			}
			e->comment = g_strdup(c->text);
			continue;
		}
		if (nft_is_word(t, "timeout"))
			to = &e->timeout_ms;
		else if (nft_is_word(t, "expires"))
			to = &e->expires_ms;
		else
			return true;
		nft_next(p);
		const struct nft_token *v = nft_next(p);
		if (v->type != NFT_T_WORD || !nft_parse_time(v->text, to)) {
			nft_error(p, v, NULL, "syntax error, unexpected number, expecting string");
			return false;
		}
		if (to == &e->expires_ms)
			e->has_expires = true;
	}
}

/* nft_add_set_elem's checks of a timeout: one the kernel cannot hold in
 * nanoseconds is ERANGE; an element with a timeout or expiry needs a set
 * with timeouts (EINVAL). */
bool nft_setelem_check(struct nft_parse *p, const struct nft_set *s, const struct nft_setelem *e)
{
	if (e->timeout_ms >= NFT_TIMEOUT_MAX_MS || e->expires_ms >= NFT_TIMEOUT_MAX_MS) {
		nft_error_loc(p, e->loc, "Could not process rule: Numerical result out of range");
		return false;
	}
	if ((e->timeout_ms || e->has_expires) &&
	    !(s->flags & NFT_SET_F_TIMEOUT) && !s->timeout_ms) {
		nft_error_loc(p, e->loc, "Could not process rule: Invalid argument");
		return false;
	}
	return true;
}

/* `add element` of an element that exists, in a set with timeouts: the
 * kernel (6.18, the host's: nft_add_set_elem's element update) takes the
 * new timeout and expiry, none given meaning none (or the set's), and
 * restarts it when the batch is committed. */
void nft_setelem_update(const struct nft_set *s, struct nft_setelem *old,
			const struct nft_setelem *e)
{
	if (!(s->flags & NFT_SET_F_TIMEOUT) && !s->timeout_ms)
		return;
	old->timeout_ms = e->timeout_ms;
	old->expires_ms = e->expires_ms;
	old->has_expires = e->has_expires;
	old->armed = false;
	old->expires_at = 0;
}

/* The batch is committed at now: its new elements start their timeouts
 * (nft_set_elem_init sets EXPIRATION to now + expires, or + timeout). */
void nft_sets_arm(struct nft_ruleset *rs, int64_t now)
{
	for (unsigned t = 0; t < rs->tables->len; t++) {
		struct nft_table *tb = rs->tables->pdata[t];
		for (unsigned i = 0; i < tb->sets->len; i++) {
			struct nft_set *s = tb->sets->pdata[i];
			for (unsigned k = 0; k < s->elems->len; k++) {
				struct nft_setelem *e = s->elems->pdata[k];
				if (e->armed)
					continue;
				e->armed = true;
				uint64_t left = e->has_expires ? e->expires_ms : elem_timeout(s, e);
				if (left && (s->flags & NFT_SET_F_TIMEOUT || s->timeout_ms))
					e->expires_at = expiry(now, left);
			}
		}
	}
}

/* The set GC (nft_rhash_gc, nft_rbtree_gc): expired elements go. */
void nft_sets_gc(struct nft_ruleset *rs, int64_t now)
{
	for (unsigned t = 0; t < rs->tables->len; t++) {
		struct nft_table *tb = rs->tables->pdata[t];
		for (unsigned i = 0; i < tb->sets->len; i++)
			nft_set_gc(tb->sets->pdata[i], now);
	}
}

void nft_set_gc(struct nft_set *s, int64_t now)
{
	for (unsigned k = s->elems->len; k-- > 0;)
		if (nft_setelem_expired(s->elems->pdata[k], now))
			g_ptr_array_remove_index(s->elems, k);
}

/* An element's ` timeout T expires T` in a listing (nft's
 * set_elem_expr_print): the timeout when it is not the set's (the kernel
 * dumps NFTA_SET_ELEM_TIMEOUT only then), the time left unless -s. */
void nft_print_elem_timeout(GString *out, const struct nft_set *s, const struct nft_setelem *e,
			    bool stateless, bool numeric, int64_t now)
{
	if (e->timeout_ms && e->timeout_ms != s->timeout_ms) {
		g_string_append(out, " timeout ");
		nft_print_time(out, e->timeout_ms, numeric);
	}
	if (!stateless && e->expires_at && e->expires_at > now) {
		g_string_append(out, " expires ");
		nft_print_time(out, (uint64_t)((e->expires_at - now) / MS_NS), numeric);
	}
}

/* nft_dynset_eval's timeouts: a new element lives for the statement's
 * timeout, else the set's (nft_dynset_new); `update` of a live element
 * with an expiry restarts it with the same, so with neither it expires at
 * once (now + 0: checked on the host's kernel). */
void nft_dynset_timeout(const struct nft_set *s, struct nft_setelem *se, uint64_t timeout_ms,
			bool refresh, int64_t now)
{
	uint64_t t = timeout_ms ? timeout_ms : s->timeout_ms;
	if (refresh && !se->expires_at)
		return;
	se->armed = true;
	if (!refresh)
		se->timeout_ms = timeout_ms;
	if (refresh)
		se->expires_at = t ? expiry(now, t) : (now > 0 ? now : 1);
	else if (t)
		se->expires_at = expiry(now, t);
}
