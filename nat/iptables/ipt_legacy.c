/* ipt_legacy.c - iptables-legacy beside iptables-nft, as on Debian 12.
 *
 * Debian 12's `iptables` is iptables-nft (its tables are nf_tables tables);
 * `iptables-legacy` drives the x_tables tables of ip_tables.c, a second and
 * independent set: own rules, chains, counters and hook registrations, at
 * the same priorities (raw -300, mangle -150, filter 0, security 50; nat's
 * lookups -100/100 with the NAT core). Each set registers its ops when its
 * table comes to exist, and nf_hook_entries_grow puts a new op BEFORE the
 * ops of equal priority already there, so of iptables-nft's filter and
 * iptables-legacy's filter the one made later runs first; the NAT core runs
 * every nat lookup in that order until one binds (nf_nat_inet_fn).
 * A legacy table exists from its first use, a listing included
 * (xt_find_table_lock instantiates iptable_filter's template even for -L),
 * and its built-in chains always count their policy (ipt_do_table); the
 * nf_tables ones only once given NFTA_CHAIN_COUNTERS (ipt_chain.stats).
 *
 * Design: the legacy set is a second struct ipt_net (ns->ipt->legacy_net).
 * Its commands and hook ops swap it in as ns->ipt around the very code
 * iptables-nft uses (ipt_cmd.c, ipt_table.c), so one engine serves both;
 * the extensions' per-namespace state (xt_recent, nfacct, hashlimit) is
 * the kernel modules' and stays shared: the swap hands it over. The
 * version in the texts is rewritten afterwards ("v1.8.9 (legacy)",
 * iptables-save's header without "(nf_tables)"), and iptables-legacy-save
 * lists the tables newest first, as /proc/net/ip_tables_names does
 * (xt_register_table adds at the list's head); the errors measured to be
 * worded differently get legacy's words (ipt_legacy_cmd.c).
 * The commands, the set's making and freeing are in ipt_legacy_cmd.c, so
 * that a user of the hooks alone (test_nat, whose stubs stand in for
 * ipt_table.c) links no table or command code.
 */
#include "nat/core/nf_hook_ops.h"
#include "nat/core/nf_ns.h"
#include "nat/iptables/ipt.h"

/* ns->ipt becomes the legacy set; the extensions' state goes with it. */
void ipt_legacy_enter(struct nf_ns *ns, struct ipt_net *l)
{
	struct ipt_net *n = l->nft_net;

	l->recent = n->recent;
	l->nfacct = n->nfacct;
	l->hashlimit = n->hashlimit;
	ns->ipt = l;
}

void ipt_legacy_leave(struct nf_ns *ns, struct ipt_net *l)
{
	struct ipt_net *n = l->nft_net;

	n->recent = l->recent;
	n->nfacct = l->nfacct;
	n->hashlimit = l->hashlimit;
	l->recent = NULL;
	l->nfacct = NULL;
	l->hashlimit = NULL;
	ns->ipt = n;
}

static const enum ipt_table_id legacy_ids[IPT_NTABLES] = { IPT_FILTER, IPT_NAT, IPT_MANGLE,
								  IPT_RAW, IPT_SECURITY };

/* ipt_do_table of the legacy table priv names (iptable_*_hook). */
static unsigned ipt_legacy_hook_fn(void *priv, struct nf_skb *skb, const struct nf_hook_state *st)
{
	struct nf_ns *ns = st->net;
	struct ipt_net *l = ns->ipt->legacy_net;
	enum ipt_table_id t = *(const enum ipt_table_id *)priv;
	unsigned v;

	if (!l || !l->tables[t].touched || !l->tables[t].hook_chain[st->hook])
		return NF_ACCEPT;
	ipt_legacy_enter(ns, l);
	v = ipt_do_hook(ns, t, skb, st);
	ipt_legacy_leave(ns, l);
	return v;
}

#define LEG_OPS(h, prio, id, name) \
	{ h, prio, ipt_legacy_hook_fn, (void *)&legacy_ids[id], name }

static const struct nf_hook_ops legacy_table_ops[] = {
	LEG_OPS(NF_INET_PRE_ROUTING, NF_IP_PRI_RAW, IPT_RAW, "legacy raw"),
	LEG_OPS(NF_INET_LOCAL_OUT, NF_IP_PRI_RAW, IPT_RAW, "legacy raw"),
	LEG_OPS(NF_INET_PRE_ROUTING, NF_IP_PRI_MANGLE, IPT_MANGLE, "legacy mangle"),
	LEG_OPS(NF_INET_LOCAL_IN, NF_IP_PRI_MANGLE, IPT_MANGLE, "legacy mangle"),
	LEG_OPS(NF_INET_FORWARD, NF_IP_PRI_MANGLE, IPT_MANGLE, "legacy mangle"),
	LEG_OPS(NF_INET_LOCAL_OUT, NF_IP_PRI_MANGLE, IPT_MANGLE, "legacy mangle"),
	LEG_OPS(NF_INET_POST_ROUTING, NF_IP_PRI_MANGLE, IPT_MANGLE, "legacy mangle"),
	LEG_OPS(NF_INET_LOCAL_IN, NF_IP_PRI_FILTER, IPT_FILTER, "legacy filter"),
	LEG_OPS(NF_INET_FORWARD, NF_IP_PRI_FILTER, IPT_FILTER, "legacy filter"),
	LEG_OPS(NF_INET_LOCAL_OUT, NF_IP_PRI_FILTER, IPT_FILTER, "legacy filter"),
	LEG_OPS(NF_INET_LOCAL_IN, NF_IP_PRI_SECURITY, IPT_SECURITY, "legacy security"),
	LEG_OPS(NF_INET_FORWARD, NF_IP_PRI_SECURITY, IPT_SECURITY, "legacy security"),
	LEG_OPS(NF_INET_LOCAL_OUT, NF_IP_PRI_SECURITY, IPT_SECURITY, "legacy security"),
};

static const struct nf_hook_ops legacy_nat_lookups[] = {
	LEG_OPS(NF_INET_PRE_ROUTING, NF_IP_PRI_NAT_DST, IPT_NAT, "legacy nat"),
	LEG_OPS(NF_INET_LOCAL_OUT, NF_IP_PRI_NAT_DST, IPT_NAT, "legacy nat"),
	LEG_OPS(NF_INET_POST_ROUTING, NF_IP_PRI_NAT_SRC, IPT_NAT, "legacy nat"),
	LEG_OPS(NF_INET_LOCAL_IN, NF_IP_PRI_NAT_SRC, IPT_NAT, "legacy nat"),
};

/* ipt_register_table for each legacy table that came to exist since the
 * last call, and the facts of the legacy set: every built-in chain counts
 * its policy, a new table takes the next place in ip_tables_names. */
void ipt_legacy_sync_ops(struct nf_ns *ns)
{
	struct ipt_net *l = ns->ipt;
	unsigned seq = 0;

	for (int t = 0; t < IPT_NTABLES; t++)
		if (l->made_seq[t] > seq)
			seq = l->made_seq[t];
	for (int t = 0; t < IPT_NTABLES; t++) {
		struct ipt_table *tb = &l->tables[t];
		for (unsigned i = 0; i < tb->chains->len; i++) {
			struct ipt_chain *c = tb->chains->pdata[i];
			if (c->builtin)
				c->stats = true;
		}
		if (tb->touched && !l->made_seq[t])
			l->made_seq[t] = ++seq;
	}
	for (unsigned i = 0; i < G_N_ELEMENTS(legacy_table_ops); i++) {
		enum ipt_table_id t = *(const enum ipt_table_id *)legacy_table_ops[i].priv;
		if (l->tables[t].touched && !l->ops_registered[t])
			nf_register_net_hook(ns, &legacy_table_ops[i]);
	}
	for (int t = 0; t < IPT_NTABLES; t++)
		if (l->tables[t].touched)
			l->ops_registered[t] = true;
}

/* iptable_nat_table_init of the legacy nat table. */
void ipt_legacy_nat_load(struct nf_ns *ns)
{
	struct ipt_net *l = ns->ipt;

	if (l->nat_loaded)
		return;
	l->nat_loaded = true;
	for (unsigned i = 0; i < G_N_ELEMENTS(legacy_nat_lookups); i++)
		nf_nat_ipv4_register_fn(ns, &legacy_nat_lookups[i]);
	nf_ct_load(ns);
}

