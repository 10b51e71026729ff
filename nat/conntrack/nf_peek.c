/* nf_peek.c - read-only numbers of a router's conntrack for the report.
 *
 * The report samples the entry count after every packet a router handles.
 * nf_ct_count() reaps expired entries (as `conntrack -C` does), which emits
 * DESTROY events and would make a run with --report differ from one without;
 * this reads the counters as they stand, like /proc/sys/net/netfilter/
 * nf_conntrack_count, which also counts expired entries not yet reaped.
 */
#include "nat/conntrack/ct.h"
#include "nat/conntrack/nf_conntrack.h"
#include "nat/core/nf_ns.h"

void nf_ct_peek(const struct nf_ns *ns, struct nf_ct_peek *out)
{
	out->count = ns->ct_loaded ? ns->ct->count + ns->ct->held_dead : 0;
	out->peak = ns->ct_loaded ? ns->ct->count_peak : 0;
	out->max = ns->ct->sysctl.ct_max;
	out->drop = ns->ct->stats.drop;
	out->early_drop = ns->ct->stats.early_drop;
	out->insert_failed = ns->ct->stats.insert_failed;
	out->invalid = ns->ct->stats.invalid;
}
