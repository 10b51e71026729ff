/* nft_trace_cache.c - the counters `nft monitor trace` prints in a rule's
 * line: nft 1.0.6 prints the rule from the cache it loaded when it started
 * (trace_print_rule), so a counter shows what it had counted then, not
 * now (measured on Linux 6.18: a rule that had counted one packet before
 * the monitor started shows `counter packets 1 bytes 30` for every packet
 * traced after).
 *
 * Design: when a trace monitor starts (nf_nft.c's nf_nft_trace_cache), the
 * counters of every rule, nft's and iptables-nft's, are kept by the
 * rule's table and handle; nft_trace.c and nft_trace_xt.c read them back.
 * A rule made after the start is not in the cache and shows 0 (the counts
 * of a rule nft's cache would not know: not measured). One cache per
 * node: a later monitor's start replaces it.
 */
#include "nat/core/nf_ns.h"
#include "nat/iptables/ipt.h"
#include "nat/nftables/nft_int.h"
#include "nat/nftables/nft_trace.h"

static char *key(const char *family, const char *table, uint64_t thandle, uint64_t rhandle)
{
	return g_strdup_printf("%s %s %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT, family, table,
			       thandle, rhandle);
}

void nft_trace_cache_fill(struct nft_ruleset *rs)
{
	if (rs->trace_cache)
		g_hash_table_destroy(rs->trace_cache);
	rs->trace_cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
						(GDestroyNotify)g_array_unref);
	for (unsigned i = 0; i < rs->tables->len; i++) {
		const struct nft_table *t = rs->tables->pdata[i];
		for (unsigned c = 0; c < t->chains->len; c++) {
			const struct nft_chain *ch = t->chains->pdata[c];
			for (unsigned k = 0; k < ch->rules->len; k++) {
				const struct nft_rule *r = ch->rules->pdata[k];
				GArray *v = g_array_new(FALSE, FALSE, sizeof(uint64_t));
				for (unsigned x = 0; x < r->exprs->len; x++) {
					const struct nft_expr *e = r->exprs->pdata[x];
					if (e->kind == NFT_EXPR_COUNTER) {
						g_array_append_val(v, e->packets);
						g_array_append_val(v, e->bytes);
					}
				}
				g_hash_table_insert(rs->trace_cache, key(nft_family_name(t->family), t->name,
									 t->handle, r->handle), v);
			}
		}
	}
	struct ipt_net *ipt = rs->ns ? rs->ns->ipt : NULL;
	for (int id = 0; ipt && id < IPT_NTABLES; id++) {
		const struct ipt_table *t = &ipt->tables[id];
		if (!t->nft_handle || !t->chains)
			continue;
		for (unsigned c = 0; c < t->chains->len; c++) {
			const struct ipt_chain *ch = t->chains->pdata[c];
			for (unsigned k = 0; ch->handle && k < ch->rules->len; k++) {
				const struct ipt_rule *r = ch->rules->pdata[k];
				GArray *v = g_array_new(FALSE, FALSE, sizeof(uint64_t));
				g_array_append_val(v, r->packets);
				g_array_append_val(v, r->bytes);
				g_hash_table_insert(rs->trace_cache, key("ip", ipt_table_name(t->id),
									 t->nft_handle, r->handle), v);
			}
		}
	}
}

const GArray *nft_trace_cached(const struct nft_ruleset *rs, const char *family, const char *table,
			       uint64_t thandle, uint64_t rhandle)
{
	if (!rs || !rs->trace_cache)
		return NULL;
	char *k = key(family, table, thandle, rhandle);
	const GArray *v = g_hash_table_lookup(rs->trace_cache, k);
	g_free(k);
	return v;
}
