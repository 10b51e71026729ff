/* nft_monitor.c - what a running `nft monitor trace` shows: the router's
 * nf_tables trace lines (packets marked with `meta nftrace set 1`) as
 * command output while it runs.
 *
 * Design: as ct_events.c for `conntrack -E`: the command leaves a marker
 * in the node's file store (NFT_MONITOR_TRACE, set by cmd.c); this file
 * listens to the trace probe and hands the lines to the command output
 * probe. nft prints nothing when the monitor is stopped.
 */
#include "sim/shell/cmd.h"
#include "sim/shell/shell_state.h"

static void nft_monitor_on_trace(void *ctx, struct node *n, sim_time t, const char *line)
{
	struct world *w = ctx;
	if (n->shell && g_hash_table_lookup(n->shell->files, NFT_MONITOR_TRACE))
		probe_fire_output(&w->probes, n, t, line, PROBE_STDOUT);
}

void nft_monitor_subscribe(struct world *w)
{
	probe_add_line(&w->probes, PROBE_NFT_TRACE, nft_monitor_on_trace, w);
}
