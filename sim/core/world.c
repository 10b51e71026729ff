/* world.c - creating and tearing down one run.
 *
 * Design: the world owns what a run touches - queue, generator, nodes,
 * links, scenario, output files, the counters of packet ids and socket
 * serials - so one free call ends a run cleanly and runs can follow one
 * another in one process (the unit tests do). A few things are the
 * process's, not the run's: the free lists of the packet pool (packet.c) and
 * of conntrack entries (ct_table.c), which only recycle memory, and tcp.c's
 * output queue, empty whenever control is outside tcp.c. None of them
 * carries anything a run computes or writes into the next run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sim/scenario/scenario.h"
#include "sim/core/world.h"

struct world *world_new(const struct run_opts *opt)
{
	struct world *w = g_new0(struct world, 1);
	evq_init(&w->q);
	w->opt = *opt;
	w->opt.out_dir = g_strdup(opt->out_dir ? opt->out_dir : ".");
	rng_seed(&w->rng, opt->seed);
	w->nodes = g_ptr_array_new();
	w->node_by_name = g_hash_table_new(g_str_hash, g_str_equal);
	w->end_time = 0;
	return w;
}

static FILE *open_in(struct world *w, const char *name, GString *err)
{
	char *path = g_build_filename(w->opt.out_dir, name, NULL);
	FILE *f = fopen(path, "w");
	if (!f)
		g_string_printf(err, "cannot create %s: %s", path, g_strerror(errno));
	g_free(path);
	return f;
}

int world_open_outputs(struct world *w, GString *err)
{
	if (g_mkdir_with_parents(w->opt.out_dir, 0755) != 0) {
		g_string_printf(err, "cannot create directory %s: %s", w->opt.out_dir,
				g_strerror(errno));
		return 2;
	}
	if (!(w->kernel_log = open_in(w, "kernel.log", err)))
		return 2;
	if (!(w->events_log = open_in(w, "conntrack-events.log", err)))
		return 2;
	if (w->opt.trace && !(w->trace_log = open_in(w, "trace.log", err)))
		return 2;
	return 0;
}

static int flush_file(struct world *w, FILE *f, const char *name, GString *err)
{
	if (!f)
		return 0;
	if (fflush(f) == 0 && !ferror(f))
		return 0;
	int e = errno ? errno : EIO;
	char *path = g_build_filename(w->opt.out_dir, name, NULL);
	g_string_append_printf(err, "%s%s: %s", err->len ? "\n" : "", path, g_strerror(e));
	g_free(path);
	return 2;
}

int world_flush_outputs(struct world *w, GString *err)
{
	int rc = 0;
	rc |= flush_file(w, w->kernel_log, "kernel.log", err);
	rc |= flush_file(w, w->events_log, "conntrack-events.log", err);
	rc |= flush_file(w, w->trace_log, "trace.log", err);
	for (unsigned i = 0; w->nodes && i < w->nodes->len; i++) {
		struct node *n = g_ptr_array_index(w->nodes, i);
		for (unsigned k = 0; k < n->ifaces->len; k++) {
			struct iface *ifc = g_ptr_array_index(n->ifaces, k);
			if (!ifc->pcap)
				continue;
			GString *e = g_string_new(NULL);
			if (pcapw_flush(ifc->pcap, e)) {
				g_string_append_printf(err, "%s%s", err->len ? "\n" : "", e->str);
				rc = 2;
			}
			g_string_free(e, TRUE);
		}
	}
	return rc ? 2 : 0;
}

static void close_file(FILE **f)
{
	if (*f) {
		fclose(*f);
		*f = NULL;
	}
}

void world_close_outputs(struct world *w)
{
	close_file(&w->kernel_log);
	close_file(&w->events_log);
	close_file(&w->trace_log);
	fflush(stdout);
}

void world_free(struct world *w)
{
	if (!w)
		return;
	world_free_nodes(w); /* pcaps flushed and closed, frames in flight freed */
	if (w->scn) {
		scenario_free(w->scn);
		w->scn = NULL;
	}
	evq_free(&w->q);
	world_close_outputs(w);
	g_free(w->opt.out_dir);
	g_free(w);
}
