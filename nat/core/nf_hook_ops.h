/* nf_hook_ops.h - hook users register here; nf_hook() walks their list.
 *
 * Mirrors net/netfilter/core.c: every user of a hook (conntrack, NAT,
 * iptables' tables, later nft base chains and helpers) registers a struct
 * nf_hook_ops {hook, priority, fn, priv} with nf_register_net_hook(); each
 * namespace keeps one list per hook sorted by priority (of two ops of one
 * priority the later registered first, as nf_hook_entries_grow inserts),
 * and nf_hook() calls
 * the ops in that order until one returns a verdict other than NF_ACCEPT.
 * Design: a small fixed array of pointers per hook inside the namespace (no
 * allocation, one indirect call per op); the ops themselves are static
 * const data of their owner, so the list holds only pointers.
 */
#ifndef NAT_CORE_NF_HOOK_OPS_H
#define NAT_CORE_NF_HOOK_OPS_H

#include <limits.h>
#include "nat/core/nf_pktinfo.h"
#include "nat/core/nf_types.h"

/* The kernel's priorities (enum nf_ip_hook_priorities). */
enum nf_ip_hook_priorities {
	NF_IP_PRI_FIRST = INT_MIN,
	NF_IP_PRI_CONNTRACK_DEFRAG = -400,
	NF_IP_PRI_RAW = -300,
	NF_IP_PRI_SELINUX_FIRST = -225,
	NF_IP_PRI_CONNTRACK = -200,
	NF_IP_PRI_MANGLE = -150,
	NF_IP_PRI_NAT_DST = -100,
	NF_IP_PRI_FILTER = 0,
	NF_IP_PRI_SECURITY = 50,
	NF_IP_PRI_NAT_SRC = 100,
	NF_IP_PRI_SELINUX_LAST = 225,
	NF_IP_PRI_CONNTRACK_HELPER = 300,
	NF_IP_PRI_CONNTRACK_CONFIRM = INT_MAX,
	NF_IP_PRI_LAST = INT_MAX,
};

struct nf_ns;

/* What every op of one nf_hook() call shares (struct nf_hook_state, with
 * the packet-info record of nft_pktinfo: nf_pktinfo.h). */
struct nf_hook_state {
	struct nf_ns *net;
	enum nf_hook hook;
	const char *in, *out;	/* interface names or NULL */
	nf_time now;
	struct nf_pktinfo pkt;	/* skb's header, parsed once by nf_hook() */
};

/* A state for calling one hook user's entry point outside nf_hook() (unit
 * tests, the old ct_in/ipt_do_table signatures): the record parsed from skb. */
static inline void nf_hook_state_init(struct nf_hook_state *st, struct nf_ns *ns,
				      enum nf_hook hook, const struct nf_skb *skb,
				      const char *in, const char *out, nf_time now)
{
	st->net = ns;
	st->hook = hook;
	st->in = in;
	st->out = out;
	st->now = now;
	nf_pktinfo_set(&st->pkt, skb);
}

/* Returns an enum nf_verdict. */
typedef unsigned nf_hookfn(void *priv, struct nf_skb *skb, const struct nf_hook_state *st);

struct nf_hook_ops {
	enum nf_hook hook;
	int priority;
	nf_hookfn *fn;
	void *priv;		/* NULL: the op finds its state through st->net */
	const char *name;	/* for --check and tests ("conntrack in", "filter") */
};

/* Room per hook: raw, conntrack, mangle, nat, filter, confirm, and some. */
#define NF_HOOK_MAX_OPS 16

/* One hook's list (struct nf_hook_entries), sorted by priority. */
struct nf_hook_entries {
	unsigned num;
	const struct nf_hook_ops *ops[NF_HOOK_MAX_OPS];
};

/* Insert ops into its hook's list after every op of lower or equal
 * priority. Returns 0, or -1 if the list is full or ops is already there. */
int nf_register_net_hook(struct nf_ns *ns, const struct nf_hook_ops *ops);
/* Remove ops (the same pointer) from its list; a no-op if it is not there. */
void nf_unregister_net_hook(struct nf_ns *ns, const struct nf_hook_ops *ops);
/* Both for an array of ops (nf_register_net_hooks); all or none. */
int nf_register_net_hooks(struct nf_ns *ns, const struct nf_hook_ops *ops, unsigned n);
void nf_unregister_net_hooks(struct nf_ns *ns, const struct nf_hook_ops *ops, unsigned n);
/* Is ops registered? */
bool nf_hook_registered(const struct nf_ns *ns, const struct nf_hook_ops *ops);

#endif
