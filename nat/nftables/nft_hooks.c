/* nft_hooks.c - the ruleset's base chains on the namespace's hook ops.
 *
 * Mirrors nf_tables_api.c's nf_tables_register_hook (a base chain of a
 * filter or route type is one nf_hook_ops at its hook and priority; a route
 * chain at output notes a changed routing key, nf_route_table_hook4) and
 * nft_chain_nat.c (a nat chain is a rule lookup on the NAT core's list,
 * nf_nat_ipv4_register_fn, so only a connection's first packet walks it),
 * and the conntrack references of nft_ct.c / nft_chain_nat.c / nft_nat.c
 * (nf_ct_netns_get per ct expression, nat chain and nat statement; the
 * first loads nf_conntrack, nf_ct_load, which stays loaded).
 * Design: a transaction replaces the ruleset's tables (nft_cmd works on a
 * copy), so after every command nft_hooks_sync matches the registrations to
 * the new base chains by family, table and chain name: a chain that stayed
 * keeps its place in the hook's list (equal priorities stay in
 * registration order, as in the kernel) and only its pointers move; a
 * chain that went is unregistered, a new one registered. Conntrack is held
 * by one reference per user, as the kernel counts them.
 */
#include <string.h>

#include "nat/conntrack/ct.h"
#include "nat/core/nf_ns.h"
#include "nat/core/nf_reroute.h"
#include "nat/nf_nat/nat.h"
#include "nat/nftables/nft_ct.h"
#include "nat/nftables/nft_eval.h"
#include "nat/nftables/nft_int.h"

struct nft_hook_reg {
	struct nf_hook_ops ops;		/* priv: this registration */
	enum nft_family family;
	char *table_name, *chain_name;	/* identity across transactions */
	bool nat;			/* a NAT rule lookup, not a hook op */
	bool reroute;			/* type route at output: a changed key routes again */
	struct nft_table *table;	/* the current objects */
	struct nft_chain *chain;
	bool seen;
};

/* The chain's verdict; a drop not explained further (a nat statement's
 * failed binding says NAT) is the rule's, or the policy's. */
static unsigned nft_hook_fn(void *priv, struct nf_skb *skb, const struct nf_hook_state *st)
{
	const struct nft_hook_reg *reg = priv;
	unsigned v;

	if (reg->reroute) {
		/* nf_route_table_hook4 (nft_chain_route.c) */
		struct nf_route_key before = nf_route_key_of(skb);
		v = nft_do_chain(reg->table, reg->chain, skb, st);
		nf_route_key_check(skb, &before, v);
	} else {
		v = nft_do_chain(reg->table, reg->chain, skb, st);
	}

	if (v != NF_ACCEPT && !skb->drop_reason)
		skb->drop_reason = v == NF_REJECT ? NF_DROP_REASON_REJECT : NF_DROP_REASON_RULE;
	return v;
}

static void reg_free(struct nft_hook_reg *reg)
{
	g_free((char *)reg->ops.name);
	g_free(reg->table_name);
	g_free(reg->chain_name);
	g_free(reg);
}

static void reg_unregister(struct nf_ns *ns, struct nft_hook_reg *reg)
{
	if (reg->nat)
		nf_nat_ipv4_unregister_fn(ns, &reg->ops);
	else
		nf_unregister_net_hook(ns, &reg->ops);
}

static bool is_nat(const struct nft_chain *c)
{
	return c->type && strcmp(c->type, "nat") == 0;
}

/* nft_chain_route_ipv4: only its output hook routes again */
static bool is_reroute(const struct nft_chain *c)
{
	return c->type && strcmp(c->type, "route") == 0 && c->hook == NF_INET_LOCAL_OUT;
}

static struct nft_hook_reg *reg_find(GPtrArray *regs, const struct nft_table *t,
				     const struct nft_chain *c)
{
	for (unsigned i = 0; i < regs->len; i++) {
		struct nft_hook_reg *reg = regs->pdata[i];
		if (!reg->seen && reg->family == t->family && !strcmp(reg->table_name, t->name) &&
		    !strcmp(reg->chain_name, c->name) && (int)reg->ops.hook == c->hook &&
		    reg->ops.priority == c->prio && reg->nat == is_nat(c))
			return reg;
	}
	return NULL;
}

/* Users of conntrack in the ruleset: nat chains, ct/nat expressions and
 * the ct helper, timeout and expectation objects. */
static unsigned ct_users(const struct nft_ruleset *rs)
{
	unsigned n = 0;

	for (unsigned i = 0; i < rs->tables->len; i++) {
		const struct nft_table *t = rs->tables->pdata[i];
		/* nft_ct_helper_obj_init, nft_ct_timeout_obj_init and
		 * nft_ct_expect_obj_init: nf_ct_netns_get */
		for (unsigned j = 0; j < t->objs->len; j++) {
			const struct nft_obj *o = t->objs->pdata[j];
			n += o->otype == NFT_OBJ_CT_HELPER || o->otype == NFT_OBJ_CT_TIMEOUT ||
			     o->otype == NFT_OBJ_CT_EXPECT;
		}
		for (unsigned j = 0; j < t->chains->len; j++) {
			const struct nft_chain *c = t->chains->pdata[j];
			if (c->base && is_nat(c))
				n++;
			for (unsigned k = 0; k < c->rules->len; k++) {
				const struct nft_rule *r = c->rules->pdata[k];
				for (unsigned x = 0; x < r->exprs->len; x++)
					n += nft_expr_needs_ct(r->exprs->pdata[x]);
			}
		}
	}
	return n;
}

void nft_hooks_sync(struct nf_ns *ns, struct nft_ruleset *rs, GString *err)
{
	GPtrArray *fresh = g_ptr_array_new();

	if (!rs->regs)
		rs->regs = g_ptr_array_new();
	for (unsigned i = 0; i < rs->regs->len; i++)
		((struct nft_hook_reg *)rs->regs->pdata[i])->seen = false;
	/* the chains that stayed keep their registration */
	for (unsigned i = 0; i < rs->tables->len; i++) {
		struct nft_table *t = rs->tables->pdata[i];
		for (unsigned j = 0; j < t->chains->len; j++) {
			struct nft_chain *c = t->chains->pdata[j];
			if (!c->base || c->hook < 0 || c->hook >= NF_INET_NUMHOOKS)
				continue;
			struct nft_hook_reg *reg = reg_find(rs->regs, t, c);
			if (reg) {
				reg->seen = true;
				reg->table = t;
				reg->chain = c;
				reg->reroute = is_reroute(c);
			} else {
				reg = g_new0(struct nft_hook_reg, 1);
				reg->family = t->family;
				reg->table_name = g_strdup(t->name);
				reg->chain_name = g_strdup(c->name);
				reg->nat = is_nat(c);
				reg->reroute = is_reroute(c);
				reg->table = t;
				reg->chain = c;
				reg->ops.hook = (enum nf_hook)c->hook;
				reg->ops.priority = c->prio;
				reg->ops.fn = nft_hook_fn;
				reg->ops.priv = reg;
				reg->ops.name = g_strdup_printf("nft %s %s %s", nft_family_name(t->family),
								t->name, c->name);
				g_ptr_array_add(fresh, reg);
			}
		}
	}
	/* the chains that went leave their hooks first, making room */
	for (unsigned i = rs->regs->len; i-- > 0;) {
		struct nft_hook_reg *reg = rs->regs->pdata[i];
		if (reg->seen)
			continue;
		reg_unregister(ns, reg);
		reg_free(reg);
		g_ptr_array_remove_index(rs->regs, i);
	}
	for (unsigned i = 0; i < fresh->len; i++) {
		struct nft_hook_reg *reg = fresh->pdata[i];
		int rc = reg->nat ? nf_nat_ipv4_register_fn(ns, &reg->ops)
				  : nf_register_net_hook(ns, &reg->ops);
		if (rc != 0) {
			if (err)
				g_string_append_printf(err, "natsim: nft chain %s %s %s is not on its "
						       "hook (%s)\n", nft_family_name(reg->family),
						       reg->table_name, reg->chain_name,
						       reg->nat && reg->ops.hook == NF_INET_FORWARD
						       ? "nat chains run at prerouting, input, output "
							 "and postrouting"
						       : "the hook's list is full");
			reg_free(reg);
			continue;
		}
		reg->seen = true;
		g_ptr_array_add(rs->regs, reg);
	}
	g_ptr_array_free(fresh, TRUE);

	/* nft_ct and nft_chain_nat depend on nf_conntrack: the module is
	 * loaded with the first user (and stays, as modules do) */
	unsigned want = ct_users(rs);
	if (want)
		nf_ct_load(ns);
	/* nft_ct_get_init of bytes, packets, avgpkt: nf_ct_set_acct(net, true),
	 * which stays after the rule goes (measured) */
	if (want && nft_ct_wants_acct(rs))
		ns->ct->sysctl.ct_acct = 1;
	while (rs->ct_refs < want && nf_ct_netns_get(ns) == 0)
		rs->ct_refs++;
	while (rs->ct_refs > want) {
		nf_ct_netns_put(ns);
		rs->ct_refs--;
	}
}

void nft_hooks_detach(struct nf_ns *ns, struct nft_ruleset *rs)
{
	if (!rs || !rs->regs)
		return;
	for (unsigned i = 0; i < rs->regs->len; i++) {
		reg_unregister(ns, rs->regs->pdata[i]);
		reg_free(rs->regs->pdata[i]);
	}
	g_ptr_array_free(rs->regs, TRUE);
	rs->regs = NULL;
	while (rs->ct_refs) {
		nf_ct_netns_put(ns);
		rs->ct_refs--;
	}
}
