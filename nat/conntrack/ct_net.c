/* ct_net.c - conntrack's per-namespace state: made, wiped, freed.
 *
 * Mirrors nf_conntrack_pernet_init / nf_conntrack_cleanup_net: the knobs'
 * defaults, the hash key from the namespace's seed, the table (262144
 * buckets, the default of a machine with enough memory), the gc's clock,
 * and the extension types conntrack itself provides (accounting). Who else
 * attaches extensions registers them in its own pernet init.
 */
#include <stdlib.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_ecache.h"
#include "nat/conntrack/ct_labels.h"
#include "nat/conntrack/ct_ext.h"
#include "nat/conntrack/ct_gc.h"
#include "nat/conntrack/ct_helper.h"
#include "nat/conntrack/ct_proto.h"
#include "nat/conntrack/ct_seqadj.h"
#include "nat/conntrack/nf_conntrack.h"
#include "nat/core/nf_ns.h"

static void ct_net_init(struct nf_ns *ns)
{
	ns->ct = g_new0(struct nf_conntrack_net, 1);
	if (!ns->gc_tick)
		ns->gc_tick = NF_GC_INTERVAL;	/* the gc's first tick (kept across reboot) */
	ct_table_set_seed(ns, ns->hash_seed);
	nf_sysctl_defaults(&ns->ct->sysctl);
	ns->ct->sysctl.ct_buckets = 0;
	ct_table_resize(ns, 262144);
	nf_ct_extend_register(ns, &ct_acct_ext);
	nf_ct_extend_register(ns, &ct_helper_ext);
	nf_ct_extend_register(ns, &ct_seqadj_ext);
	nf_ct_extend_register(ns, &ct_ecache_ext);
	nf_ct_extend_register(ns, &ct_labels_ext);
}

static void ct_net_exit(struct nf_ns *ns)
{
	ct_table_free_all(ns);
	ct_race_free(ns);
	free(ns->ct->buckets);
	ns->ct->buckets = NULL;
	ct_gc_index_free(&ns->ct->gc_index);
	g_free(ns->ct);
	ns->ct = NULL;
}

const struct nf_pernet_ops ct_pernet_ops = {
	.name = "nf_conntrack",
	.init = ct_net_init,
	.exit = ct_net_exit,
};

/* True once conntrack is loaded (nf.h). */
bool nf_ct_enabled(const struct nf_ns *ns)
{
	return ns->ct_loaded;
}
