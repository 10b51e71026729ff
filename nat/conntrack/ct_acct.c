/* ct_acct.c - per-entry packet and byte counters (nf_conntrack_acct=1).
 *
 * Mirrors nf_conntrack_acct.c: the counters are an extension an entry gets
 * when it is created while net.netfilter.nf_conntrack_acct is 1
 * (init_conntrack -> nf_ct_acct_ext_add), and keeps for its whole life,
 * whatever the sysctl says later (checked on Linux 6.18: an entry made with
 * acct 0 never shows counters; one made with acct 1 goes on counting after
 * acct is set back to 0). The trackers count each packet they accept
 * (nf_ct_refresh_acct, nf_ct_kill_acct): IP-layer length (skb->len), in the
 * packet's direction. What they refuse, a retransmitted SYN in SYN_SENT and
 * RELATED ICMP errors are not counted.
 *
 * Design: struct ct_entry has no room left for 32 bytes of counters (it is
 * sized for ten million entries), so the extension lives in a side table
 * keyed by the entry (ns->ct->acct), and the entry carries only a bit saying it
 * has one (ct->ext, the kernel's nf_ct_ext presence bits). The table is only
 * looked up, never walked, so its order does not matter.
 */
#include <string.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_ext.h"
#include "nat/conntrack/ct_proto.h"
#include "nat/core/nf_ns.h"

void ct_acct_ext_add(struct nf_ns *ns, struct ct_entry *ct)
{
	if (!ns->ct->sysctl.ct_acct)
		return;
	if (!ns->ct->acct)
		ns->ct->acct = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	g_hash_table_insert(ns->ct->acct, ct, g_new0(struct ct_acct, 1));
	ct->ext |= CT_EXT_ACCT;
}

const struct ct_acct *ct_acct_find(const struct nf_ns *ns, const struct ct_entry *ct)
{
	if (!(ct->ext & CT_EXT_ACCT) || !ns->ct->acct)
		return NULL;
	return g_hash_table_lookup(ns->ct->acct, ct);
}

void ct_acct_update(struct nf_ns *ns, struct ct_entry *ct, enum ct_dir dir, uint64_t bytes)
{
	struct ct_acct *a = (struct ct_acct *)ct_acct_find(ns, ct);

	if (!a)
		return;
	a->packets[dir]++;
	a->bytes[dir] += bytes;
}

/* nf_ct_acct_merge: a clash loser's packet is counted on the winner (one
 * packet, the loser's bytes in that direction). */
void ct_acct_merge(struct nf_ns *ns, struct ct_entry *winner, enum ct_dir dir,
		   const struct ct_entry *loser)
{
	const struct ct_acct *l = ct_acct_find(ns, loser);

	if (l)
		ct_acct_update(ns, winner, dir, l->bytes[dir]);
}

/* conntrack -L -z (ctnetlink's CTRZERO dump): counters back to 0. */
void ct_acct_zero(struct nf_ns *ns, struct ct_entry *ct)
{
	struct ct_acct *a = (struct ct_acct *)ct_acct_find(ns, ct);

	if (a)
		memset(a, 0, sizeof(*a));
}

void ct_acct_destroy(struct nf_ns *ns, struct ct_entry *ct)
{
	if ((ct->ext & CT_EXT_ACCT) && ns->ct->acct)
		g_hash_table_remove(ns->ct->acct, ct);
	ct->ext &= (uint8_t)~CT_EXT_ACCT;
}

void ct_acct_free_all(struct nf_ns *ns)
{
	if (ns->ct->acct)
		g_hash_table_destroy(ns->ct->acct);
	ns->ct->acct = NULL;
}

/* "packets=N bytes=N " after a tuple: in -L and -D lines and in DESTROY
 * events only (ctnetlink_conntrack_event dumps CTA_COUNTERS_* for
 * IPCT_DESTROY alone). */
static void ct_acct_print(const struct nf_ns *ns, const struct ct_entry *ct, enum ct_dir dir,
			  const char *event, GString *out)
{
	const struct ct_acct *a;

	if (event && strcmp(event, "DESTROY") != 0)
		return;
	a = ct_acct_find(ns, ct);
	if (!a)
		return;
	g_string_append_printf(out, "packets=%" G_GUINT64_FORMAT " bytes=%" G_GUINT64_FORMAT " ",
			       (guint64)a->packets[dir], (guint64)a->bytes[dir]);
}

/* The counters as a conntrack extension (nf_ct_acct_init). */
const struct nf_ct_ext_type ct_acct_ext = {
	.id = NF_CT_EXT_ACCT,
	.name = "acct",
	.destroy = ct_acct_destroy,
	.print = ct_acct_print,
	.net_exit = ct_acct_free_all,
};
