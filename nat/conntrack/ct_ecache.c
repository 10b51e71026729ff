/* ct_ecache.c - the per-entry event mask of nf_conntrack_ecache.c.
 *
 * The kernel gives each entry an ecache extension whose ctmask says which
 * events its listeners get (~0 unless a template or rule says otherwise);
 * nft's `ct event set new,destroy` rewrites it (nft_ct_set_eval). A cached
 * event line is delivered only if one of its events is in the mask
 * (nf_ct_deliver_cached_events: `(events | missed) & e->ctmask`), the
 * line's type still from all of them; DESTROY alike. Measured on 6.18: an
 * entry set to `new` shows NEW and nothing after, `destroy` only its
 * DESTROY, `0` nothing.
 *
 * Design: the entry has no room for the mask; entries with a mask of their
 * own (few: those a rule set) keep it in a side table keyed by the entry
 * and carry the extension's bit, so every other entry's events cost one
 * bit test.
 */
#include "nat/conntrack/ct_ecache.h"
#include "nat/conntrack/ct_ext.h"
#include "nat/core/nf_ns.h"

void nf_ct_ecache_set_mask(struct nf_ns *ns, struct ct_entry *ct, unsigned mask)
{
	if (!ns->ct->ecache_mask)
		ns->ct->ecache_mask = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_hash_table_replace(ns->ct->ecache_mask, ct, GUINT_TO_POINTER(mask));
	ct->ext |= 1u << NF_CT_EXT_ECACHE;
}

unsigned nf_ct_ecache_mask(const struct nf_ns *ns, const struct ct_entry *ct)
{
	if (!ns->ct->ecache_mask)
		return ~0u;
	return GPOINTER_TO_UINT(g_hash_table_lookup(ns->ct->ecache_mask, ct));
}

static void ecache_destroy(struct nf_ns *ns, struct ct_entry *ct)
{
	if ((ct->ext & (1u << NF_CT_EXT_ECACHE)) && ns->ct->ecache_mask)
		g_hash_table_remove(ns->ct->ecache_mask, ct);
	ct->ext &= (uint8_t)~(1u << NF_CT_EXT_ECACHE);
}

static void ecache_net_exit(struct nf_ns *ns)
{
	if (ns->ct->ecache_mask)
		g_hash_table_destroy(ns->ct->ecache_mask);
	ns->ct->ecache_mask = NULL;
}

const struct nf_ct_ext_type ct_ecache_ext = {
	.id = NF_CT_EXT_ECACHE, .name = "ecache", .destroy = ecache_destroy,
	.net_exit = ecache_net_exit,
};
