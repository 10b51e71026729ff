/* nf_ns.c - one router's netfilter namespace: create, reboot, free; the
 * walk's trace and kernel log helpers.
 *
 * The kernel spreads this over struct net and each module's pernet
 * operations (nf_conntrack_pernet_init, the iptables tables, NAT); here a
 * namespace is core's plain struct with one pointer per module, each
 * module's init allocating its own struct and its exit freeing it. The
 * modules are listed by the assembly (nat/nf_pernet.c), so this file calls
 * no module and knows none of their structs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nat/core/nf_ns.h"

static void nf_ns_init_modules(struct nf_ns *ns)
{
	for (unsigned i = 0; i < ns->npernet; i++)
		if (ns->pernet[i]->init)
			ns->pernet[i]->init(ns);
}

static void nf_ns_exit_modules(struct nf_ns *ns)
{
	for (unsigned i = ns->npernet; i-- > 0;)
		if (ns->pernet[i]->exit)
			ns->pernet[i]->exit(ns);
}

struct nf_ns *nf_ns_create(const struct nf_env *env, uint32_t hash_seed,
			   const struct nf_pernet_ops *const *pernet, unsigned n)
{
	struct nf_ns *ns = calloc(1, sizeof(*ns));

	if (!ns)
		return NULL;
	ns->env = *env;
	ns->hash_seed = hash_seed;
	ns->pernet = pernet;
	ns->npernet = n;
	nf_ns_init_modules(ns);
	return ns;
}

void nf_ns_destroy(struct nf_ns *ns)
{
	if (!ns)
		return;
	nf_ns_exit_modules(ns);
	free(ns);
}

/* reboot: everything back to the nf_ns_create state, same env, modules and
 * hash seed; the gc's clock goes on. The exits have freed the modules'
 * structs (ns->ct, ns->nat, ns->ipt back to NULL); the inits make new ones. */
void nf_ns_reinit(struct nf_ns *ns)
{
	struct nf_env env = ns->env;
	uint32_t seed = ns->hash_seed;
	nf_time tick = ns->gc_tick;
	const struct nf_pernet_ops *const *pernet = ns->pernet;
	unsigned n = ns->npernet;

	nf_ns_exit_modules(ns);
	memset(ns, 0, sizeof(*ns));
	ns->env = env;
	ns->hash_seed = seed;
	ns->gc_tick = tick;
	ns->pernet = pernet;
	ns->npernet = n;
	nf_ns_init_modules(ns);
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
