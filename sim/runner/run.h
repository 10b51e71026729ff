/* run.h - one run of many: its key, parameters and results (run.c), and
 * the outputs collected from many (collect.c, plot.c).
 *
 * A run's key names its output directory under OUT/runs/ and is all a
 * merge needs to know about it: "NAME" then ",PARAM=VALUE" per swept
 * parameter in name order, then ",seed=S" with --seeds; NAME is the
 * scenario's path below the directory given to `natsim test`, without .scn.
 * Runs are always ordered by key (run_key_cmp: numbers by value), never by
 * the order they finished, so every collected file is independent of -j.
 */
#ifndef SIM_RUNNER_RUN_H
#define SIM_RUNNER_RUN_H

#include <glib.h>
#include <stdbool.h>

struct run {
	char *key;
	char *name;		/* the scenario's NAME part of the key */
	char *scenario;		/* the .scn path (natsim test), NULL after a merge */
	char **params;		/* "PARAM=VALUE", key order; seed is PARAM "seed" */
	char *dir;		/* its output directory */
	int status;		/* exit status: natsim test's child, else summary.json's */
	double wall;		/* seconds (natsim test's stdout table only) */
	/* figures read from DIR/summary.json (run_read_summary) */
	bool have_summary;
	long long passed, failed, not_evaluated, forwarded, drop, insert_failed,
		early_drop, conntrack_count, conntrack_peak, exit_status;
};

/* A run from its key (NULL if the key is malformed); dir is copied. */
struct run *run_from_key(const char *key, const char *dir);
void run_free(gpointer p);
/* Key order: the parts split at ',' compared in turn, digit runs by value. */
int run_key_cmp(const char *a, const char *b);
gint run_ptr_cmp(gconstpointer a, gconstpointer b);
/* The value of PARAM in r's key, or NULL. */
const char *run_param(const struct run *r, const char *param);
/* Read DIR/summary.json's figures into r (have_summary false if absent). */
void run_read_summary(struct run *r);
/* A sweep or -D value usable in a key and a directory name. */
bool run_value_valid(const char *v);

/* collect.c: OUT/sweep.csv and OUT/sweep.json, the JUnit file when junit is
 * non-NULL, OUT/sweep.html when report. runs sorted by key, summaries read.
 * 0, or 2 with a message in err. */
int collect_write(GPtrArray *runs, const char *out, const char *junit, bool report,
		  GString *err);
/* The parameters of all runs, sorted by name, "seed" last (NULL-terminated). */
char **collect_params(GPtrArray *runs);
/* The summary table on stdout (with wall times when wall) and the exit
 * status of the whole: 2 if a run could not run, else 1 if one failed. */
int collect_table(GPtrArray *runs, bool wall);
/* plot.c: OUT/sweep.html, an SVG plot per figure against the swept
 * parameter. 0 or 2 + err. */
int plot_write(GPtrArray *runs, const char *path, GString *err);

#endif
