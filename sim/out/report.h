/* report.h - `--report`: DIR/report.html, one self-contained page of a run.
 *
 * While the run goes, report.c keeps a compact, bounded record: the first
 * packets of each flow hop by hop (sent, received, rewritten by NAT, dropped
 * with the reason), every `conntrack -L` snapshot, and per router a series of
 * the conntrack count with its early drops and drops. At the end it writes a
 * ladder diagram (nodes as columns, time downwards), the snapshot tables and
 * the count plots as inline SVG, CSS and a little JS: no network, no external
 * file. Every hook below is a no-op when the report is off (w->report NULL),
 * and callers test report_on() before building anything.
 */
#ifndef SIM_REPORT_H
#define SIM_REPORT_H

#include <glib.h>
#include "sim/core/world.h"

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

/* Start recording (main, with --report, before the scenario is loaded). */
void report_init(struct world *w);
/* A packet got its id (ip_rcv / ip_local_out): decide whether its flow
 * still has room in the report. */
void report_packet_new(struct world *w, struct node *n, const struct packet *p);
/* A frame of packet p left node n by ifc / arrived at n on ifc. */
void report_tx(struct world *w, struct node *n, struct iface *ifc, const struct packet *p);
void report_rx(struct world *w, struct node *n, struct iface *ifc, const struct packet *p);
/* Node n dropped packet p. */
void report_drop(struct world *w, struct node *n, const struct packet *p, const char *why);
/* After a router's hook: sample its conntrack count; `before` are the
 * counters before the hook ran (early drops and drops become marks). */
void report_ct_sample(struct world *w, struct node *n, const struct nf_ct_peek *before);
/* A `conntrack -L` ran on router n (its words in argv): keep its table
 * (every entry; the command's own filters are shown with the table). */
void report_ct_snapshot(struct world *w, struct node *n, char **argv, int argc);
/* Write DIR/report.html. 0, or 2 with a message in err. */
int report_write(struct world *w, GString *err);
/* Free the recorder (w->report becomes NULL). */
void report_free(struct world *w);

#endif
