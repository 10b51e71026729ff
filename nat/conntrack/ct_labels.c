/* ct_labels.c - the labels extension (nf_conntrack_labels.c).
 *
 * An entry's 128 label bits, set by nft's `ct label set N`
 * (nf_connlabels_replace: bits are only added; a change caches an
 * IPCT_LABEL event, which conntrack -E reports as an UPDATE, merged into
 * the NEW of an unconfirmed entry) and read by `ct label N`. conntrack
 * -L prints nothing of them without a connlabel.conf (measured with
 * conntrack-tools 1.4.7 on 6.18), and natsim has none.
 *
 * Design: few entries carry labels; they keep them in a side table keyed
 * by the entry, with the extension's bit on the entry (as accounting).
 * Unlike the kernel, which gives the extension only to entries created
 * while a ruleset uses labels (nf_connlabels_get), natsim lets any entry
 * take them.
 */
#include <string.h>
#include "nat/conntrack/ct_ext.h"
#include "nat/conntrack/ct_labels.h"
#include "nat/core/nf_ns.h"

struct nf_conn_labels {
	uint32_t bits[NF_CT_LABELS_MAX_BITS / 32];
};

static struct nf_conn_labels *labels_find(const struct nf_ns *ns, const struct ct_entry *ct)
{
	if (!(ct->ext & (1u << NF_CT_EXT_LABELS)) || !ns->ct->labels)
		return NULL;
	return g_hash_table_lookup(ns->ct->labels, ct);
}

bool nf_ct_label_test(const struct nf_ns *ns, const struct ct_entry *ct, unsigned bit)
{
	const struct nf_conn_labels *l = labels_find(ns, ct);
	return l && bit < NF_CT_LABELS_MAX_BITS && (l->bits[bit / 32] & (1u << (bit % 32)));
}

bool nf_ct_label_only(const struct nf_ns *ns, const struct ct_entry *ct, unsigned bit)
{
	const struct nf_conn_labels *l = labels_find(ns, ct);
	if (!l)
		return false;
	for (unsigned i = 0; i < G_N_ELEMENTS(l->bits); i++)
		if (l->bits[i] != (i == bit / 32 ? 1u << (bit % 32) : 0))
			return false;
	return true;
}

void nf_ct_label_set(struct nf_ns *ns, struct ct_entry *ct, unsigned bit)
{
	if (bit >= NF_CT_LABELS_MAX_BITS)
		return;
	struct nf_conn_labels *l = labels_find(ns, ct);
	if (!l) {
		if (!ns->ct->labels)
			ns->ct->labels = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
		l = g_new0(struct nf_conn_labels, 1);
		g_hash_table_insert(ns->ct->labels, ct, l);
		ct->ext |= (uint8_t)(1u << NF_CT_EXT_LABELS);
	}
	if (l->bits[bit / 32] & (1u << (bit % 32)))
		return;
	l->bits[bit / 32] |= 1u << (bit % 32);
	ct_event_cache(ct, IPCT_LABEL);
}

static void labels_destroy(struct nf_ns *ns, struct ct_entry *ct)
{
	if ((ct->ext & (1u << NF_CT_EXT_LABELS)) && ns->ct->labels)
		g_hash_table_remove(ns->ct->labels, ct);
	ct->ext &= (uint8_t)~(1u << NF_CT_EXT_LABELS);
}

static void labels_net_exit(struct nf_ns *ns)
{
	if (ns->ct->labels)
		g_hash_table_destroy(ns->ct->labels);
	ns->ct->labels = NULL;
}

const struct nf_ct_ext_type ct_labels_ext = {
	.id = NF_CT_EXT_LABELS, .name = "labels", .destroy = labels_destroy,
	.net_exit = labels_net_exit,
};
