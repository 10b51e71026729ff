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
 * priv names its table; raw, mangle and filter are registered when the
 * namespace's tables are made (ipt_tables_init) and an op runs its chain only
 * once the table exists (`touched`: iptables-nft creates a table on its first
 * change), which is today's rule for when a table runs. The nat lookups are
 * registered when iptable_nat is loaded (ipt_nat_load: any `-t nat` change,
 * modprobe iptable_nat).
 */
#include "nat/core/nf_hook_ops.h"
#include "nat/core/nf_ns.h"
#include "nat/iptables/ipt.h"

static const enum ipt_table_id ipt_ids[IPT_NTABLES] = { IPT_FILTER, IPT_NAT, IPT_MANGLE, IPT_RAW,
								  IPT_SECURITY };

/* ipt_do_table for the table priv names, if the table exists and has a
 * chain at this hook (an empty chain's policy is applied cheaply there). A
 * drop not explained further by the rule (a NAT target's) is the rule's. */
static unsigned ipt_hook_fn(void *priv, struct nf_skb *skb, const struct nf_hook_state *st)
{
	struct nf_ns *ns = st->net;
	enum ipt_table_id t = *(const enum ipt_table_id *)priv;
	int v;

	if (!ns->ipt->tables[t].touched || !ns->ipt->tables[t].hook_chain[st->hook])
		return NF_ACCEPT;
	v = ipt_do_table_state(ns, t, skb, st);
	if (v != NF_ACCEPT && !skb->drop_reason)	/* DROP, REJECT, policy */
		skb->drop_reason = v == NF_REJECT ? NF_DROP_REASON_REJECT : NF_DROP_REASON_RULE;
	return (unsigned)v;
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

void ipt_tables_register_ops(struct nf_ns *ns)
{
	nf_register_net_hooks(ns, ipt_table_ops, G_N_ELEMENTS(ipt_table_ops));
}

/* iptable_nat_table_init: the nat table's lookups join the NAT core's
 * list, and NAT needs conntrack. */
void ipt_nat_load(struct nf_ns *ns)
{
	if (ns->nat_loaded)
		return;
	ns->nat_loaded = true;
	for (unsigned i = 0; i < G_N_ELEMENTS(ipt_nat_lookups); i++)
		nf_nat_ipv4_register_fn(ns, &ipt_nat_lookups[i]);
	nf_ct_load(ns);
}
