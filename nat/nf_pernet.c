/* nf_pernet.c - the assembly: which modules a natsim router's netfilter
 * has, and the namespace API of nf.h built from them.
 *
 * Conntrack, then NAT (its conntrack extension and prefetch hint), then
 * iptables (its tables' hook ops), then nftables' ruleset (nf_nft.c);
 * reboot and free undo them in reverse.
 * A test that wants conntrack alone builds its namespace with
 * nf_ns_create(env, seed, {&ct_pernet_ops}, 1) instead.
 */
#include "nat/conntrack/ct.h"
#include "nat/core/nf_ns.h"
#include "nat/ipset/ip_set.h"
#include "nat/iptables/ipt.h"
#include "nat/nf.h"
#include "nat/nf_nat/nat.h"

/* nftables' ruleset (nf_nft.c) */
extern const struct nf_pernet_ops nf_nft_pernet_ops;
/* nfct's timeout objects (nat/conntrack/ct_timeout.c) */
extern const struct nf_pernet_ops cttimeout_pernet_ops;
extern const struct nf_pernet_ops nf_nft_pernet_ops;

/* ipset's sets (nat/ipset/ip_set_core.c): before iptables, whose rules
 * hold references to them, so they are freed after the rules */
static const struct nf_pernet_ops ip_set_pernet_ops = {
	.name = "ip_set",
	.init = ip_set_net_init,
	.exit = ip_set_net_exit,
};

/* iptables' tables (ipt_table.c), with their hook ops */
static const struct nf_pernet_ops ipt_pernet_ops = {
	.name = "ip_tables",
	.init = ipt_tables_init,
	.exit = ipt_tables_free,
};

static const struct nf_pernet_ops *const nf_pernet_all[] = {
	&ct_pernet_ops,
	&cttimeout_pernet_ops,
	&nat_pernet_ops,
	&ip_set_pernet_ops,
	&ipt_pernet_ops,
	&nf_nft_pernet_ops,
};

struct nf_ns *nf_ns_new(const struct nf_env *env, uint32_t hash_seed)
{
	return nf_ns_create(env, hash_seed, nf_pernet_all, G_N_ELEMENTS(nf_pernet_all));
}

void nf_ns_free(struct nf_ns *ns)
{
	nf_ns_destroy(ns);
}

void nf_ns_reset(struct nf_ns *ns)
{
	nf_ns_reinit(ns);
}
