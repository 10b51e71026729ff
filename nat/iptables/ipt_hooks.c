/* ipt_hooks.c - where iptables' tables sit in the hooks.
 *
 * Mirrors iptable_raw.c, iptable_mangle.c, iptable_filter.c (each table's
 * nf_hook_ops, from xt_hook_ops_alloc) and iptable_nat.c (the nat table is
 * not a hook user of its own: it registers rule lookups with the NAT core,
 * nf_nat_ipv4_register_fn, which runs them for a new entry's first packet).
 *   raw     PREROUTING, OUTPUT                      -300
 *   mangle  all five                                -150
 *   nat     PREROUTING, OUTPUT -100; POSTROUTING, INPUT 100 (lookups)
 *   filter  INPUT, FORWARD, OUTPUT                  0
 * Design: the ops are static data shared by every namespace, each op's
 * priv names its table; a table's ops are registered once the table exists
 * (`touched`: iptables-nft creates a table on its first change), at the end
 * of the iptables command that made it (ipt_tables_sync_ops). The nat lookups are
 * registered when iptable_nat is loaded (ipt_nat_load: any `-t nat` change,
 * modprobe iptable_nat).
 */
#include "nat/core/nf_hook_ops.h"
#include "nat/core/nf_ns.h"
#include "nat/core/nf_reroute.h"
#include "nat/iptables/ipt.h"

static const enum ipt_table_id ipt_ids[IPT_NTABLES] = { IPT_FILTER, IPT_NAT, IPT_MANGLE, IPT_RAW,
								  IPT_SECURITY };

/* One table at its hook, for both backends: ipt_do_table, with
 * ipt_mangle_out's re-route when mangle OUTPUT changed the routing key, and
 * the drop explained as the rule's (DROP, REJECT, policy). */
static inline unsigned do_hook(struct nf_ns *ns, enum ipt_table_id t, struct nf_skb *skb,
				const struct nf_hook_state *st)
{
	int v;

	if (t == IPT_MANGLE && st->hook == NF_INET_LOCAL_OUT) {
		struct nf_route_key before = nf_route_key_of(skb);
		v = ipt_do_table_state(ns, t, skb, st);
		nf_route_key_check(skb, &before, (unsigned)v);
	} else {
		v = ipt_do_table_state(ns, t, skb, st);
	}
	if (v != NF_ACCEPT && !skb->drop_reason)
		skb->drop_reason = v == NF_REJECT ? NF_DROP_REASON_REJECT : NF_DROP_REASON_RULE;
	return (unsigned)v;
}

/* do_hook for iptables-legacy's hook ops (the common path inlines it). */
unsigned ipt_do_hook(struct nf_ns *ns, enum ipt_table_id t, struct nf_skb *skb,
		     const struct nf_hook_state *st)
{
	return do_hook(ns, t, skb, st);
}

/* ipt_do_table for the table priv names, if the table exists and has a
 * chain at this hook (an empty chain's policy is applied cheaply there). */
static unsigned ipt_hook_fn(void *priv, struct nf_skb *skb, const struct nf_hook_state *st)
{
	struct nf_ns *ns = st->net;
	enum ipt_table_id t = *(const enum ipt_table_id *)priv;

	if (!ns->ipt->tables[t].touched || !ns->ipt->tables[t].hook_chain[st->hook])
		return NF_ACCEPT;
	return do_hook(ns, t, skb, st);
}

#define IPT_OPS(h, prio, id, name) \
	{ h, prio, ipt_hook_fn, (void *)&ipt_ids[id], name }

static const struct nf_hook_ops ipt_table_ops[] = {
	IPT_OPS(NF_INET_PRE_ROUTING, NF_IP_PRI_RAW, IPT_RAW, "raw"),
	IPT_OPS(NF_INET_LOCAL_OUT, NF_IP_PRI_RAW, IPT_RAW, "raw"),
	IPT_OPS(NF_INET_PRE_ROUTING, NF_IP_PRI_MANGLE, IPT_MANGLE, "mangle"),
	IPT_OPS(NF_INET_LOCAL_IN, NF_IP_PRI_MANGLE, IPT_MANGLE, "mangle"),
	IPT_OPS(NF_INET_FORWARD, NF_IP_PRI_MANGLE, IPT_MANGLE, "mangle"),
	IPT_OPS(NF_INET_LOCAL_OUT, NF_IP_PRI_MANGLE, IPT_MANGLE, "mangle"),
	IPT_OPS(NF_INET_POST_ROUTING, NF_IP_PRI_MANGLE, IPT_MANGLE, "mangle"),
	IPT_OPS(NF_INET_LOCAL_IN, NF_IP_PRI_FILTER, IPT_FILTER, "filter"),
	IPT_OPS(NF_INET_FORWARD, NF_IP_PRI_FILTER, IPT_FILTER, "filter"),
	IPT_OPS(NF_INET_LOCAL_OUT, NF_IP_PRI_FILTER, IPT_FILTER, "filter"),
	IPT_OPS(NF_INET_LOCAL_IN, NF_IP_PRI_SECURITY, IPT_SECURITY, "security"),
	IPT_OPS(NF_INET_FORWARD, NF_IP_PRI_SECURITY, IPT_SECURITY, "security"),
	IPT_OPS(NF_INET_LOCAL_OUT, NF_IP_PRI_SECURITY, IPT_SECURITY, "security"),
};

static const struct nf_hook_ops ipt_nat_lookups[] = {
	IPT_OPS(NF_INET_PRE_ROUTING, NF_IP_PRI_NAT_DST, IPT_NAT, "nat"),
	IPT_OPS(NF_INET_LOCAL_OUT, NF_IP_PRI_NAT_DST, IPT_NAT, "nat"),
	IPT_OPS(NF_INET_POST_ROUTING, NF_IP_PRI_NAT_SRC, IPT_NAT, "nat"),
	IPT_OPS(NF_INET_LOCAL_IN, NF_IP_PRI_NAT_SRC, IPT_NAT, "nat"),
};

/* A table's ops join the hooks when the table comes to exist, as the
 * kernel's tables do on first use (iptables-nft creates the table with its
 * first change; legacy xt_find_table_lock instantiates the table's template,
 * which calls ipt_register_table's nf_register_net_hooks then): among ops
 * of one priority (an nft base chain at 0 beside filter) the one registered
 * first runs first, and a namespace whose table was never used walks no op
 * of it. */
void ipt_tables_sync_ops(struct nf_ns *ns)
{
	struct ipt_net *net = ns->ipt;

	if (net->legacy) {
		ipt_legacy_sync_ops(ns);
		return;
	}
	for (unsigned i = 0; i < G_N_ELEMENTS(ipt_table_ops); i++) {
		enum ipt_table_id t = *(const enum ipt_table_id *)ipt_table_ops[i].priv;
		if (net->tables[t].touched && !net->ops_registered[t])
			nf_register_net_hook(ns, &ipt_table_ops[i]);
	}
	for (int t = 0; t < IPT_NTABLES; t++)
		if (net->tables[t].touched)
			net->ops_registered[t] = true;
}

/* iptable_nat_table_init: the nat table's lookups join the NAT core's
 * list, and NAT needs conntrack. */
void ipt_nat_load(struct nf_ns *ns)
{
	if (ns->ipt && ns->ipt->legacy) {
		ipt_legacy_nat_load(ns);
		return;
	}
	if (ns->nat_loaded)
		return;
	ns->nat_loaded = true;
	for (unsigned i = 0; i < G_N_ELEMENTS(ipt_nat_lookups); i++)
		nf_nat_ipv4_register_fn(ns, &ipt_nat_lookups[i]);
	nf_ct_load(ns);
}
