/* nf_ns.c - one router's netfilter namespace: create, reboot, free, and its
 * periodic garbage collector.
 *
 * The kernel spreads this over struct net and module init (nf_conntrack_init,
 * nf_conntrack_pernet_init, the iptables tables); we build one plain struct.
 * The gc mirrors gc_worker: each call scans a bounded slice of the buckets
 * (an eighth of the table, at least 4096 chains) so a huge table is not walked
 * every simulated second; lookups, `conntrack -L` and counting reap the
 * expired entries they meet, so what a user sees is exact anyway.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct_proto.h"
#include "nf_ns.h"

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
	free(ns->nat_bysource);
	ns->nat_bysource = NULL;
	ns->nat_bysource_size = 0;
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

	nf_ns_release_state(ns);
	memset(ns, 0, sizeof(*ns));
	ns->env = env;
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

/* gc_worker_can_early_drop: not ASSURED, or ASSURED and the tracker says
 * it is closing anyway (TCP FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT, CLOSE). */
static bool nf_gc_can_early_drop(const struct ct_entry *ct)
{
	const struct ct_l4proto *l4;

	if (!(ct->status & IPS_ASSURED))
		return true;
	l4 = ct_l4proto_find(ct->tuplehash[CT_DIR_ORIGINAL].t.proto);
	return l4->can_early_drop && l4->can_early_drop(ct);
}

/* The early drop a failed allocation asked for: while the table is at 95 %
 * of nf_conntrack_max or more, kill what gc_worker would (no counter moves,
 * DESTROY events are sent). Off when max < 100, as max/100*95 is then 0. */
static void nf_gc_early_drop(struct nf_ns *ns, nf_time now)
{
	uint32_t max95 = ns->sysctl.ct_max / 100u * 95u;

	ns->gc_early_drop = false;
	if (max95 == 0)
		return;
	for (uint32_t b = 0; b < ns->sysctl.ct_buckets; b++) {
		struct ct_tuple_node *n = ns->buckets[b];

		while (n) {
			struct ct_tuple_node *next = n->next;
			struct ct_entry *ct = ct_of_node(n);

			while (next && ct_of_node(next) == ct)
				next = next->next;
			if (ct->timeout <= now)
				ct_entry_kill(ns, ct, now);
			else if (ns->ct_count >= max95 && nf_gc_can_early_drop(ct))
				ct_entry_kill(ns, ct, now);
			n = next;
		}
	}
}

void nf_gc(struct nf_ns *ns, nf_time now)
{
	uint32_t size = ns->sysctl.ct_buckets;
	uint32_t batch = size / 8 > 4096 ? size / 8 : 4096;

	if (ns->gc_early_drop) {
		nf_gc_early_drop(ns, now);
		return;
	}
	if (!ns->ct_count)
		return;
	if (batch > size)
		batch = size;
	for (uint32_t i = 0; i < batch; i++) {
		uint32_t b = ns->gc_next_bucket;

		if (ns->buckets[b])
			ct_table_reap_bucket(ns, b, now);
		ns->gc_next_bucket = (b + 1) % size;
	}
}
