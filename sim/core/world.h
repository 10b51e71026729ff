/* world.h - one run of the simulator: its clock, event queue, seeded
 * generator, options, nodes and links, output files and observers.
 *
 * Design: `struct world` is what a run owns, so one world_free ends a run
 * cleanly and runs can follow one another in one process. This header
 * knows the layers above only by name: nodes and links are sim/net's
 * (sim/net/node.h), the scenario is sim/scenario's; what they make they
 * free through world_on_free, and what happens during the run reaches its
 * observers through the probes (sim/core/probe.h).
 */
#ifndef SIM_WORLD_H
#define SIM_WORLD_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "sim/core/evq.h"
#include "sim/core/probe.h"
#include "sim/core/rng.h"
#include "sim/core/sim_time.h"

struct expect;
struct scenario;
struct report;

struct run_opts {
	const char *scenario_path;
	char *out_dir;
	uint64_t seed;
	sim_time until;		/* SIM_TIME_NEVER if not given */
	bool trace, check, pcap, quiet, report;
	bool strict;		/* stop at the first command that fails unexpectedly */
	const char *junit;
	const char *const *defines;	/* -D NAME=VALUE, NULL-terminated (define.c) */
};

struct world {
	struct evq q;
	sim_time now;
	struct rng rng;
	struct run_opts opt;
	GPtrArray *nodes;	/* struct node * in declaration order */
	GHashTable *node_by_name;
	GPtrArray *links;
	struct scenario *scn;
	char *files_dir;	/* where a command's relative file names are read
				 * from (the scenario's directory), NULL: "." */
	uint64_t events;	/* events processed */
	uint64_t next_packet_id;
	uint64_t next_serial;	/* the last serial tr_serial handed out (sim/sock) */
	FILE *kernel_log, *events_log, *trace_log;
	int exit_status;	/* 0, 1 (expectation/invariant/command failed), 2 */
	bool output_failed;	/* an output file could not be written (reported) */
	bool stopping;
	bool progress_shown;	/* scenario.c's progress line is on the terminal */
	sim_time end_time;
	struct report *report;	/* --report's recorder (report.c), NULL when off */
	struct probe_set probes;	/* who watches the run (probe.h) */
	/* world_on_free's teardown functions, run last added first */
	void (*on_free[4])(struct world *w);
	unsigned n_on_free;
};

/* ----- the run (world.c) ----- */
/* A fresh run: event queue, generator seeded with opt->seed, empty node and
 * link tables. Copies *opt (out_dir is duplicated). Opens no file. */
struct world *world_new(const struct run_opts *opt);
/* Create opt.out_dir (recursively) and open kernel.log, conntrack-events.log
 * and, with --trace, trace.log in it. Returns 0, or 2 with a message in err.
 * Must run before scenario_load() of a `run` (node.c opens the pcaps there). */
int world_open_outputs(struct world *w, GString *err);
/* Flush and close the log files (pcaps are closed by world_free_nodes). */
void world_close_outputs(struct world *w);
/* Run fn(w) when the run is freed (world_free), the last added first: the
 * layers above free what they made (nodes and links, the scenario) without
 * world.c knowing them. Adding the same fn again is a no-op. */
void world_on_free(struct world *w, void (*fn)(struct world *w));
/* Free everything: what world_on_free registered (nodes with their pcaps
 * flushed, links, the scenario), the probes, the queue, the logs. */
void world_free(struct world *w);

/* Schedule an event at absolute time t. */
static inline void world_at(struct world *w, sim_time t, event_fn fn, void *arg, uint64_t u)
{
	evq_push(&w->q, t, fn, arg, u);
}

#endif
