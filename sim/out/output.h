/* output.h - the run's text outputs as observers: kernel.log,
 * conntrack-events.log, command output on stdout/stderr, the packet walk
 * (stdout and trace.log with --trace); writing a whole file; flushing them.
 */
#ifndef SIM_OUTPUT_H
#define SIM_OUTPUT_H

#include <glib.h>
#include "sim/sock/sock.h"

/* Subscribe the outputs to the run's probes (klog, conntrack events,
 * command output, and the packet walk with --trace). Called at run start
 * (scenario_load), before the nodes exist; a second call is a no-op. */
void output_subscribe(struct world *w);

/* Erase the progress line from the terminal, if it is shown, before
 * something else is printed during the run. */
void output_progress_clear(struct world *w);

/* Write `o` to `path` whole (g_file_set_contents: a temporary file renamed,
 * so a reader never sees half a file), then free o. 0, or 2 with the reason. */
int output_write_file(const char *path, GString *o, GString *err);

/* Flush every pcap and log file and check for write errors (a full disk):
 * 0, or 2 with one "PATH: reason" line per failed file in err. Called at
 * the end of a run, before summary.json, so the exit status can say it. */
int output_flush(struct world *w, GString *err);

#endif
