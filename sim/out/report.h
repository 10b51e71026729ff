/* report.h - `--report`: DIR/report.html, one self-contained page of a run.
 *
 * While the run goes, report.c keeps a compact, bounded record: the first
 * packets of each flow hop by hop (sent, received, rewritten by NAT, dropped
 * with the reason), every `conntrack -L` snapshot, and per router a series of
 * the conntrack count with its early drops and drops. At the end it writes a
 * ladder diagram (nodes as columns, time downwards), the snapshot tables and
 * the count plots as inline SVG, CSS and a little JS: no network, no external
 * file. It listens to the run's probes: the stack never calls it, and
 * nothing is recorded when the report is off.
 */
#ifndef SIM_REPORT_H
#define SIM_REPORT_H

#include <glib.h>
#include "sim/sock/sock.h"

/* Bounds that keep report.html small for any run. */
#define REPORT_FLOW_PACKETS 6	/* packets shown per flow */
#define REPORT_MAX_FLOWS 200	/* flows shown */
#define REPORT_MAX_PACKETS 600	/* packets shown in all */
#define REPORT_MAX_SERIES 1500	/* points per conntrack-count plot */
#define REPORT_MAX_MARKS 300	/* early-drop / drop marks per router */
#define REPORT_MAX_SNAPSHOTS 40	/* conntrack -L tables */
#define REPORT_SNAPSHOT_ROWS 200	/* rows per table */

static inline bool report_on(const struct world *w)
{
	return w->report != NULL;
}

/* Start recording (main, with --report, before the scenario is loaded):
 * the recorder subscribes to the run's probes (sim/core/probe.h): a packet
 * gets its id, is received, sent or dropped (with its reason), a router ran
 * a hook (its conntrack count and drops are sampled), `conntrack -L` ran
 * (its table is kept, with the command's words). */
void report_init(struct world *w);

/* What the page says about the scenario, passed down by the caller (the
 * report knows no scenario): its name and file, and its expectations. */
struct report_expect {
	int line;
	const char *text;	/* the statement as written */
	bool passed;
	const char *expected, *seen;
};
struct report_scenario {
	const char *name, *path;	/* NULL: none */
	const struct report_expect *expects;
	unsigned n_expects;
};

/* Write DIR/report.html. 0, or 2 with a message in err. */
int report_write(struct world *w, const struct report_scenario *s, GString *err);
/* Free the recorder (w->report becomes NULL; its probes are unsubscribed). */
void report_free(struct world *w);

#endif
