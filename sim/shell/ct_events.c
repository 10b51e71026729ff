/* ct_events.c - what a running `conntrack -E` shows: the router's conntrack
 * events as command output while it runs, and its closing line when it is
 * stopped (end of the run, reboot).
 *
 * Design: `conntrack -E` leaves a marker in the node's file store
 * (CT_EVENTS_LISTENER, its -p filter as content, set by cmd.c); this file
 * listens to the conntrack events probe and hands the lines the command
 * would show to the command output probe, so the shell prints through the
 * same observers as every running command.
 */
#include <stdio.h>
#include <string.h>

#include "sim/shell/cmd.h"
#include "sim/shell/shell_state.h"

/* True if a running `conntrack -E` on n shows this event line
 * ("    [NEW] udp      17 30 ..."), given its -p filter; `conntrack -E
 * expect` (CT_EVENTS_EXPECT) shows the expectation events ("    [NEW] 300
 * proto=6 ..."), the others never do. */
static bool ct_event_listened(struct node *n, const char *line)
{
	GString *filter = n->shell ? g_hash_table_lookup(n->shell->files, CT_EVENTS_LISTENER)
				   : NULL;
	if (!filter)
		return false;
	const char *p = strchr(line, ']');
	if (!p)
		return false;
	p++;
	while (*p == ' ')
		p++;
	bool exp = *p >= '0' && *p <= '9';
	if (strcmp(filter->str, CT_EVENTS_EXPECT) == 0)
		return exp;
	if (exp)
		return false;
	if (filter->len == 0)
		return true;
	return g_ascii_strncasecmp(p, filter->str, filter->len) == 0 && p[filter->len] == ' ';
}

static void ct_events_on_event(void *ctx, struct node *n, sim_time t, const char *line)
{
	struct world *w = ctx;
	if (ct_event_listened(n, line)) {
		n->shell->ct_events_shown++;
		probe_fire_output(&w->probes, n, t, line, PROBE_STDOUT);
	}
}

void ct_events_subscribe(struct world *w)
{
	probe_add_line(&w->probes, PROBE_CT_EVENT, ct_events_on_event, w);
}

void ct_events_listener_end(struct world *w, struct node *n)
{
	if (!n->shell || !g_hash_table_lookup(n->shell->files, CT_EVENTS_LISTENER))
		return;
	char line[128];
	GString *filter = g_hash_table_lookup(n->shell->files, CT_EVENTS_LISTENER);
	snprintf(line, sizeof line,
		 "conntrack v1.4.7 (conntrack-tools): %llu %s events have been shown.\n",
		 (unsigned long long)n->shell->ct_events_shown,
		 strcmp(filter->str, CT_EVENTS_EXPECT) == 0 ? "expectation" : "flow");
	probe_fire_output(&w->probes, n, w->now, line, PROBE_STDERR);
	n->shell->ct_events_shown = 0;
}
