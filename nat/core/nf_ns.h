/* nf_ns.h - one router's netfilter namespace (internal to nat/): core's
 * state, and one pointer per module to the module's own.
 *
 * The kernel spreads this over struct net (net->ct, net->nf, net_generic);
 * here struct nf_ns holds what core owns (the simulator's callbacks, the
 * assembly's module list, the hook users' lists of nf_hook_ops.h, which
 * modules are loaded, the hash seed and the gc clock) and a pointer to each
 * module's struct, which the module defines in its own header (conntrack's
 * struct nf_conntrack_net in nat/conntrack/ct.h, NAT's struct nf_nat_net in
 * nat/nf_nat/nat.h, iptables' struct ipt_net in nat/iptables/ipt.h) and
 * allocates in its pernet init (struct nf_pernet_ops, listed by the
 * assembly nat/nf_pernet.c) and frees in its exit. So this header includes
 * only core's, and a namespace without a module (conntrack alone) has a
 * NULL pointer for it. Reboot (nf_ns_reinit) runs the exits, wipes core's
 * state but the env, the hash seed and the gc clock, and runs the inits.
 * The hot path pays one load for a module's state (ns->ct->buckets).
 */
#ifndef NAT_NF_NS_H
#define NAT_NF_NS_H

#include <glib.h>
#include "nat/core/nf_hook_ops.h"
#include "nat/core/nf_types.h"

/* A module's per-namespace state (struct pernet_operations): init on a new
 * namespace and after reboot's wipe, exit before the wipe and at free. The
 * assembly (nat/nf_pernet.c) lists which modules a router has. */
struct nf_pernet_ops {
	const char *name;
	void (*init)(struct nf_ns *ns);
	void (*exit)(struct nf_ns *ns);
};

/* Each module's own state, defined in its header (net_generic, net->ct):
 * made by its pernet init, freed by its exit. */
struct nf_conntrack_net;	/* nat/conntrack/ct.h */
struct nf_nat_net;		/* nat/nf_nat/nat.h */
struct ipt_net;			/* nat/iptables/ipt.h */
struct ip_set_net;		/* nat/ipset/ip_set_core.c */
struct nf_cttimeout_net;	/* nat/conntrack/ct_timeout.c */

struct nf_ns {
	struct nf_env env;
	const struct nf_pernet_ops *const *pernet;	/* the assembly's modules */
	unsigned npernet;
	bool ct_loaded;		/* nf_conntrack loaded (modprobe, nat table, state match):
				 * holds one of ct_users (nf_ct_load) */
	bool nat_loaded;	/* iptable_nat loaded: any `-t nat` command (its rule
				 * lookups registered with NAT, ipt_nat_load) */
	unsigned ct_users;	/* nf_ct_netns_get users: conntrack's ops registered */
	/* the hook users, one priority-sorted list per hook (nf_hook_ops.c) */
	struct nf_hook_entries hooks[NF_INET_NUMHOOKS];

	enum nf_hook cur_hook;		/* hook nf_hook() is running (trace lines) */

	/* kept across reboot (nf_ns_reinit): the seed of conntrack's and NAT's
	 * hashes, and the gc's next tick not yet run (ct_gc.c: the clock goes on) */
	uint32_t hash_seed;
	nf_time gc_tick;

	/* the modules' state; NULL when the assembly has no such module */
	struct nf_conntrack_net *ct;	/* ct_net.c */
	struct nf_nat_net *nat;		/* nat_hooks.c */
	struct ipt_net *ipt;		/* ipt_table.c */
	struct ip_set_net *ipset;	/* ipset's sets (nat/ipset/ip_set_core.c) */
	struct nf_cttimeout_net *cttimeout; /* nfct timeout objects (ct_timeout.c) */

	/* the nft ruleset (nat/nftables/, through nat/nf_nft.c), opaque to
	 * the core, freed with the namespace */
	void *nft;
	void (*nft_free)(void *nft);
	/* the nft flowtables' gc (nft_flow_offload.c, set by nf_nft.c): the
	 * first time a flow expires, and the reaping at a gc tick; NULL: none */
	nf_time (*flow_gc_next)(struct nf_ns *ns);
	void (*flow_gc)(struct nf_ns *ns, nf_time now);
	/* nft's `table ip filter` (nat, ...) handed to iptables-nft before
	 * one of its commands works in that table (nft_xt_share.c, set by
	 * nf_nft.c; NULL: no nft ruleset). Returns an exit status, 0 to go on. */
	int (*xt_claim)(struct nf_ns *ns, int table, bool modify, GString *err);
	/* `nft monitor trace`'s line for an iptables-nft rule event
	 * (nat/nftables/nft_trace_xt.c, set by nf_nft.c; NULL: no nftables
	 * module): tr a struct ipt_traceinfo, chain and rule the rule's (rule
	 * NULL: the base chain's policy), verdict as ipt_nftrace_rule's */
	void (*xt_nft_trace)(void *tr, const void *chain, const void *rule, unsigned verdict);
};

/* A namespace with the modules `pernet` lists (their init in order): what
 * nf_ns_new (nat/nf_pernet.c) makes with all of them, and a test with only
 * conntrack's. nf_ns_destroy runs their exits in reverse order and frees;
 * nf_ns_reinit is reboot: exits, a wipe keeping env, the hash seed and the
 * gc clock, inits. */
struct nf_ns *nf_ns_create(const struct nf_env *env, uint32_t hash_seed,
			   const struct nf_pernet_ops *const *pernet, unsigned n);
void nf_ns_destroy(struct nf_ns *ns);
void nf_ns_reinit(struct nf_ns *ns);

/* One line of the packet walk, printf-style; free when tracing is off. */
void nf_trace(struct nf_ns *ns, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Packet-walk layout (the simulator prints the same columns): a step line is
 * "  HOOK        STAGE      text" (hook in 11 columns, stage in 10: raw,
 * conntrack, mangle, nat, filter), continuation lines start at the text
 * column, so a block reads down in a 100-column terminal. Use as
 *   nf_trace(ns, NF_TRACE_STEP "NEW: ...", nf_hook_name(hook), "conntrack");
 *   nf_trace(ns, NF_TRACE_MORE "ORIGINAL ...");  */
#define NF_TRACE_STEP "  %-11s %-10s "
#define NF_TRACE_MORE "                         "

static inline const char *nf_hook_name(enum nf_hook h)
{
	static const char *const names[NF_INET_NUMHOOKS] = {
		"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING",
	};
	return (unsigned)h < NF_INET_NUMHOOKS ? names[h] : "?";
}
/* A kernel log line, printf-style. */
void nf_klog(struct nf_ns *ns, nf_time now, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

#endif
