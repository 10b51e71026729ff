/* xtables_monitor.c - `xtables-monitor --trace` (iptables-nft 1.8.9): the
 * router's trace lines for packets `-j TRACE` marked, as command output
 * while it runs.
 *
 * Design: as nft_monitor.c: the command leaves a marker in the node's file
 * store (XT_MONITOR_TRACE, under /run: a reboot ends the process); this
 * file listens to the iptables trace probe (nat/iptables/ipt_trace.c) and
 * hands the lines to the command output probe (and nft's lines for the
 * same events to a running `nft monitor trace`). `--event` and trace lines
 * of native nftables rules (which the real tool prints too) are not
 * implemented and say so.
 */
#include <string.h>

#include "nat/nf.h"
#include "sim/shell/cmd.h"
#include "sim/shell/shell_state.h"

#define XT_MONITOR_VERSION "1.8.9"

static const char xt_monitor_usage[] =
	"xtables-monitor " XT_MONITOR_VERSION " (nf_tables)\n"
	"Usage: xtables-monitor [ -t | -e ]\n"
	"        --trace    -t    trace ruleset traversal of packets tagged via -j TRACE rule\n"
	"        --event    -e    show events that modify the ruleset\n"
	"Optional arguments:\n"
	"        --ipv4     -4    only monitor IPv4\n"
	"        --ipv6     -6    only monitor IPv6\n"
	"\t--counters -c    show counters in rules\n";

static bool has_file(struct node *n, const char *path)
{
	return n->shell && g_hash_table_lookup(n->shell->files, path);
}

static void put_file(struct node *n, const char *path, const char *text)
{
	g_hash_table_insert(shell_state(n)->files, g_strdup(path), g_string_new(text));
}

/* xtables_monitor_main's options (getopt_long "ceht46V"). */
int cmd_xtables_monitor(struct cmd_ctx *c, int argc, char **argv)
{
	bool trace = false, events = false, v6only = false;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--trace") || !strcmp(a, "-t"))
			trace = true;
		else if (!strcmp(a, "--event") || !strcmp(a, "-e"))
			events = true;
		else if (!strcmp(a, "--ipv4") || !strcmp(a, "-4"))
			v6only = false;
		else if (!strcmp(a, "--ipv6") || !strcmp(a, "-6"))
			v6only = true;
		else if (!strcmp(a, "--counters") || !strcmp(a, "-c"))
			;	/* rules in trace lines carry no counters */
		else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			g_string_append(c->out, xt_monitor_usage);
			return 1;
		} else if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
			g_string_append(c->out, "xtables-monitor " XT_MONITOR_VERSION "\n");
			return 0;
		} else {
			g_string_append(c->err, "xtables-monitor " XT_MONITOR_VERSION
					": Bad argument.\nTry `xtables-monitor -h' for more "
					"information.\n");
			return 2;
		}
	}
	if (!trace && !events) {
		g_string_append(c->out, xt_monitor_usage);
		return 1;
	}
	if (events) {
		g_string_append(c->err, "natsim: xtables-monitor --event is not implemented\n");
		return 1;
	}
	/* natsim has no IPv6: an IPv6-only monitor waits and prints nothing */
	if (!c->dry_run && !v6only)
		put_file(c->node, XT_MONITOR_TRACE, "");
	return 0;
}

/* The iptables trace probe carries xtables-monitor's lines and, for the
 * same events, nft's ("trace id ...", nat/nftables/nft_trace_xt.c): each
 * goes to its own monitor. */
static void xt_monitor_on_trace(void *ctx, struct node *n, sim_time t, const char *line)
{
	struct world *w = ctx;
	bool nft = g_str_has_prefix(line, "trace id ");

	if (has_file(n, nft ? NFT_MONITOR_TRACE : XT_MONITOR_TRACE))
		probe_fire_output(&w->probes, n, t, line, PROBE_STDOUT);
}

/* A native nftables rule's event: xtables-monitor would print it too. */
static void xt_monitor_on_nft_trace(void *ctx, struct node *n, sim_time t, const char *line)
{
	struct world *w = ctx;
	(void)line;

	if (has_file(n, XT_MONITOR_TRACE) && !has_file(n, XT_MONITOR_NFT_NOTE)) {
		put_file(n, XT_MONITOR_NFT_NOTE, "");
		probe_fire_output(&w->probes, n, t, "natsim: xtables-monitor --trace of native "
				  "nftables rules is not implemented: use nft monitor trace\n",
				  PROBE_STDERR);
	}
}

void xt_monitor_subscribe(struct world *w)
{
	probe_add_line(&w->probes, PROBE_XT_TRACE, xt_monitor_on_trace, w);
	probe_add_line(&w->probes, PROBE_NFT_TRACE, xt_monitor_on_nft_trace, w);
}
