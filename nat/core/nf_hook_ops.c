/* nf_hook_ops.c - the per-hook lists of hook users and nf_hook(), their walk.
 *
 * Mirrors net/netfilter/core.c (nf_register_net_hook, nf_hook_entries_grow,
 * nf_hook_slow). Who registers what, and when, is the users' business:
 * conntrack (ct_hooks.c) when something needs it, NAT (nat_hooks.c) with its
 * first rule lookup, iptables' tables (ipt_hooks.c). Each op prints its own
 * lines of the packet walk (--trace); this file prints none.
 */
#include <string.h>
#include "nat/core/nf_hook_ops.h"
#include "nat/core/nf_ns.h"

int nf_register_net_hook(struct nf_ns *ns, const struct nf_hook_ops *ops)
{
	struct nf_hook_entries *e;
	unsigned i;

	if ((unsigned)ops->hook >= NF_INET_NUMHOOKS)
		return -1;
	e = &ns->hooks[ops->hook];
	if (e->num >= NF_HOOK_MAX_OPS || nf_hook_registered(ns, ops))
		return -1;
	/* after every op of lower priority, before those of equal priority:
	 * of two ops of one priority the later registered runs first
	 * (nf_hook_entries_grow inserts before the first op whose priority is
	 * not lower) */
	for (i = 0; i < e->num && e->ops[i]->priority < ops->priority; i++)
		;
	memmove(&e->ops[i + 1], &e->ops[i], (e->num - i) * sizeof(e->ops[0]));
	e->ops[i] = ops;
	e->num++;
	return 0;
}

void nf_unregister_net_hook(struct nf_ns *ns, const struct nf_hook_ops *ops)
{
	struct nf_hook_entries *e;
	unsigned i;

	if ((unsigned)ops->hook >= NF_INET_NUMHOOKS)
		return;
	e = &ns->hooks[ops->hook];
	for (i = 0; i < e->num; i++) {
		if (e->ops[i] != ops)
			continue;
		memmove(&e->ops[i], &e->ops[i + 1], (e->num - i - 1) * sizeof(e->ops[0]));
		e->num--;
		return;
	}
}

int nf_register_net_hooks(struct nf_ns *ns, const struct nf_hook_ops *ops, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (nf_register_net_hook(ns, &ops[i]) != 0) {
			nf_unregister_net_hooks(ns, ops, i);
			return -1;
		}
	}
	return 0;
}

void nf_unregister_net_hooks(struct nf_ns *ns, const struct nf_hook_ops *ops, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		nf_unregister_net_hook(ns, &ops[i]);
}

bool nf_hook_registered(const struct nf_ns *ns, const struct nf_hook_ops *ops)
{
	const struct nf_hook_entries *e;

	if ((unsigned)ops->hook >= NF_INET_NUMHOOKS)
		return false;
	e = &ns->hooks[ops->hook];
	for (unsigned i = 0; i < e->num; i++)
		if (e->ops[i] == ops)
			return true;
	return false;
}

/* nf_hook_slow: the first verdict other than NF_ACCEPT ends the walk. Out
 * of line, as the kernel's: nf_hook() below returns for a hook nobody uses
 * (FORWARD on a NAT router) without building this function's frame. */
static __attribute__((noinline)) int nf_hook_slow(struct nf_ns *ns, enum nf_hook hook,
						  struct nf_skb *skb, const char *in,
						  const char *out, nf_time now)
{
	const struct nf_hook_entries *e = &ns->hooks[hook];
	struct nf_hook_state st;

	/* the header is parsed here, once, for every op (nft_set_pktinfo) */
	nf_hook_state_init(&st, ns, hook, skb, in, out, now);
	for (unsigned i = 0; i < e->num; i++) {
		const struct nf_hook_ops *ops = e->ops[i];
		unsigned v = ops->fn(ops->priv, skb, &st);

		if (v != NF_ACCEPT) {
			if (!skb->drop_reason)
				skb->drop_reason = NF_DROP_REASON_HOOK;
			return (int)v;
		}
		/* an op grew the packet (TCPMSS): the next ops read it anew */
		if (skb->len != st.pkt.len)
			nf_pktinfo_set(&st.pkt, skb);
	}
	return NF_ACCEPT;
}

/* nf_hook: the walk if the hook has ops (nf_hook_entries_head). */
int nf_hook(struct nf_ns *ns, enum nf_hook hook, struct nf_skb *skb,
	    const char *in, const char *out, nf_time now)
{
	if ((unsigned)hook >= NF_INET_NUMHOOKS)
		return NF_ACCEPT;
	ns->cur_hook = hook;
	skb->drop_reason = NF_DROP_REASON_NONE;
	if (!ns->hooks[hook].num)
		return NF_ACCEPT;
	return nf_hook_slow(ns, hook, skb, in, out, now);
}
