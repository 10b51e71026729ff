/* merge.c - `natsim merge DIR...`: the JUnit file, sweep.csv, sweep.json
 * and sweep.html of runs made elsewhere (natsim test --shard on N machines,
 * the --list commands under GNU parallel or a Slurm array).
 *
 * Design: a run is a directory below DIR/runs/ holding summary.json or
 * junit.xml; its path below runs/ is its key (run.h), so nothing but the
 * directories is needed, and the collected files are collect.c's, written
 * in key order: the same bytes as one `natsim test` of all the runs. A key
 * found in two DIRs is an error (a shard run twice), not a silent choice.
 */
#include <stdio.h>
#include <string.h>

#include "sim/runner/run.h"
#include "sim/runner/runner.h"

static bool is_run_dir(const char *dir)
{
	char *s = g_build_filename(dir, "summary.json", NULL);
	char *j = g_build_filename(dir, "junit.xml", NULL);
	bool yes = g_file_test(s, G_FILE_TEST_EXISTS) || g_file_test(j, G_FILE_TEST_EXISTS);
	g_free(s);
	g_free(j);
	return yes;
}

/* The run directories below dir (rel: the key so far); 2 on a bad key. */
static int find_runs(GPtrArray *runs, const char *dir, const char *rel)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *e;
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	while (d && (e = g_dir_read_name(d)))
		g_ptr_array_add(names, g_strdup(e));
	if (d)
		g_dir_close(d);
	int rc = 0;
	for (unsigned i = 0; i < names->len && !rc; i++) {
		const char *name = g_ptr_array_index(names, i);
		char *path = g_build_filename(dir, name, NULL);
		char *key = *rel ? g_strconcat(rel, "/", name, NULL) : g_strdup(name);
		if (name[0] != '.' && g_file_test(path, G_FILE_TEST_IS_DIR)) {
			if (is_run_dir(path)) {
				struct run *r = run_from_key(key, path);
				if (!r) {
					fprintf(stderr, "natsim merge: %s: not a run key\n", path);
					rc = 2;
				} else {
					g_ptr_array_add(runs, r);
				}
			} else {
				rc = find_runs(runs, path, key);
			}
		}
		g_free(path);
		g_free(key);
	}
	g_ptr_array_free(names, TRUE);
	return rc;
}

int runner_merge_main(int argc, char **argv)
{
	gchar *junit = NULL, *out = NULL;
	gboolean report = FALSE;
	GOptionEntry entries[] = {
		{ "junit", 0, 0, G_OPTION_ARG_FILENAME, &junit,
		  "One JUnit file: a testsuite per run", "FILE" },
		{ "out", 0, 0, G_OPTION_ARG_FILENAME, &out,
		  "Where sweep.csv, sweep.json (and sweep.html) go (default out/merge)", "DIR" },
		{ "report", 0, 0, G_OPTION_ARG_NONE, &report,
		  "Write DIR/sweep.html: each figure plotted against the swept parameter", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	g_set_prgname("natsim merge");
	GOptionContext *ctx = g_option_context_new("DIR...");
	g_option_context_set_summary(ctx,
		"Combine the outputs of `natsim test --out DIR` (or of its --list commands)\n"
		"into the JUnit file, sweep.csv and sweep.json one natsim test of all the\n"
		"runs would write.");
	g_option_context_set_description(ctx,
		"Exit status: 0 every run held; 1 a run failed; 2 a run could not run, or bad\n"
		"input (no DIR/runs/, a run found twice).\n");
	g_option_context_add_main_entries(ctx, entries, NULL);
	GError *ge = NULL;
	int status = 2;
	GPtrArray *runs = g_ptr_array_new_with_free_func(run_free);
	if (!g_option_context_parse(ctx, &argc, &argv, &ge)) {
		fprintf(stderr, "natsim merge: %s\n", ge->message);
		g_error_free(ge);
		goto done;
	}
	if (argc < 2) {
		fprintf(stderr, "natsim merge: needs a DIR (natsim test's --out)\n");
		goto done;
	}
	for (int i = 1; i < argc; i++) {
		char *top = g_build_filename(argv[i], "runs", NULL);
		int rc = 0;
		if (!g_file_test(top, G_FILE_TEST_IS_DIR)) {
			fprintf(stderr, "natsim merge: %s: no runs/ directory (not natsim test's --out)\n",
				argv[i]);
			rc = 2;
		} else {
			rc = find_runs(runs, top, "");
		}
		g_free(top);
		if (rc)
			goto done;
	}
	g_ptr_array_sort(runs, run_ptr_cmp);
	for (unsigned i = 0; i < runs->len; i++) {
		struct run *r = g_ptr_array_index(runs, i);
		if (i && strcmp(r->key, ((struct run *)g_ptr_array_index(runs, i - 1))->key) == 0) {
			fprintf(stderr, "natsim merge: run %s found twice (%s and %s)\n", r->key,
				((struct run *)g_ptr_array_index(runs, i - 1))->dir, r->dir);
			goto done;
		}
		run_read_summary(r);
		r->status = r->have_summary ? (int)r->exit_status : 2;
	}
	status = collect_table(runs, false);
	GString *err = g_string_new(NULL);
	if (collect_write(runs, out ? out : "out/merge", junit, report, err)) {
		fprintf(stderr, "natsim merge: error: %s\n", err->str);
		status = 2;
	}
	g_string_free(err, TRUE);
done:
	g_ptr_array_free(runs, TRUE);
	g_option_context_free(ctx);
	g_free(junit);
	g_free(out);
	return status;
}
