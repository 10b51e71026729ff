/* nf_ns.c - one router's netfilter namespace: create, reboot, free.
 *
 * The kernel spreads this over struct net and module init (nf_conntrack_init,
 * nf_conntrack_pernet_init, the iptables tables); we build one plain struct.
 * Its garbage collector is nat/conntrack/ct_gc.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nat/conntrack/ct_gc.h"
#include "nat/conntrack/ct_proto.h"
#include "nat/core/nf_ns.h"

static void nf_ns_init_state(struct nf_ns *ns)
{
	nf_sysctl_defaults(&ns->sysctl);
	ns->sysctl.ct_buckets = 0;
	ct_table_resize(ns, 262144);
	ipt_tables_init(ns);
}

struct nf_ns *nf_ns_new(const struct nf_env *env, uint32_t hash_seed)
{
	struct nf_ns *ns = calloc(1, sizeof(*ns));

	if (!ns)
		return NULL;
	ns->env = *env;
	ns->gc_tick = NF_GC_INTERVAL;	/* the gc's first tick */
	ct_table_set_seed(ns, hash_seed);
	nf_ns_init_state(ns);
	return ns;
}

static void nf_ns_release_state(struct nf_ns *ns)
{
	ct_table_free_all(ns);
	ipt_tables_free(ns);
	free(ns->buckets);
	ns->buckets = NULL;
	ct_gc_index_free(&ns->gc_index);
	free(ns->nat_bysource);
	ns->nat_bysource = NULL;
	ns->nat_bysource_size = 0;
	if (ns->nft_free)
		ns->nft_free(ns->nft);
	ns->nft = NULL;
	ns->nft_free = NULL;
}

void nf_ns_free(struct nf_ns *ns)
{
	if (!ns)
		return;
	nf_ns_release_state(ns);
	free(ns);
}

/* reboot: everything back to the nf_ns_new state, same env and hash seed. */
void nf_ns_reset(struct nf_ns *ns)
{
	struct nf_env env = ns->env;
	uint32_t seed = ns->hash_seed;
	nf_time tick = ns->gc_tick;	/* the gc's clock goes on */

	nf_ns_release_state(ns);
	memset(ns, 0, sizeof(*ns));
	ns->env = env;
	ns->gc_tick = tick;
	ct_table_set_seed(ns, seed);
	nf_ns_init_state(ns);
}

bool nf_ct_enabled(const struct nf_ns *ns)
{
	return ns->ct_loaded;
}

void nf_trace(struct nf_ns *ns, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (!ns->env.trace)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ns->env.trace(ns->env.ctx, buf);
}

void nf_klog(struct nf_ns *ns, nf_time now, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (!ns->env.klog)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ns->env.klog(ns->env.ctx, now, buf);
}
