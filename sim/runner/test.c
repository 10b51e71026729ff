/* test.c - `natsim test PATH...`: every scenario under the paths, times the
 * sweep points and seeds, each run a child `natsim run` in its own output
 * directory, -j at a time; or, with --list, the command line of each run.
 *
 * Design: the runs are a list fixed before anything runs, sorted by key
 * (run.h); --shard K/N keeps the runs whose index in that list is K-1
 * modulo N, so N machines given the same arguments split the list without
 * talking to each other. A child is this very program (/proc/self/exe), so
 * a run under `natsim test` is exactly the `natsim run` that --list prints;
 * its stdout and stderr go to DIR/natsim.log. Children are reaped in
 * whatever order they finish; nothing is written in that order (collect.c
 * sorts by key). SIGINT/SIGTERM stop launching new runs; the running ones
 * (which got the signal too) finish their outputs and are collected.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/runner/run.h"
#include "sim/runner/runner.h"
#include "sim/scenario/scenario.h"

static volatile sig_atomic_t test_stop;

static void on_stop(int sig)
{
	test_stop = sig;
}

struct scn_file {
	char *path, *name;
};

static gint scn_file_cmp(gconstpointer a, gconstpointer b)
{
	const struct scn_file *x = *(struct scn_file *const *)a, *y = *(struct scn_file *const *)b;
	return strcmp(x->name, y->name);
}

static void scn_file_free(gpointer p)
{
	struct scn_file *f = p;
	g_free(f->path);
	g_free(f->name);
	g_free(f);
}

/* Every *.scn below dir (rel: its path below the top), in any order. */
static void find_scn(GPtrArray *out, const char *dir, const char *rel)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *e;
	while (d && (e = g_dir_read_name(d))) {
		if (e[0] == '.')
			continue;
		char *path = g_build_filename(dir, e, NULL);
		char *r = *rel ? g_strconcat(rel, "/", e, NULL) : g_strdup(e);
		if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
			find_scn(out, path, r);
		} else if (g_str_has_suffix(e, ".scn") && strlen(e) > 4) {
			struct scn_file *f = g_new0(struct scn_file, 1);
			f->path = g_strdup(path);
			f->name = g_strndup(r, strlen(r) - 4);
			g_ptr_array_add(out, f);
		}
		g_free(path);
		g_free(r);
	}
	if (d)
		g_dir_close(d);
}

/* "A-B" or "A" -> [A, B]. */
static bool parse_seeds(const char *s, guint64 *a, guint64 *b)
{
	char **p = g_strsplit(s, "-", 2);
	bool ok = g_ascii_string_to_unsigned(p[0], 10, 0, G_MAXUINT64, a, NULL);
	*b = *a;
	if (ok && p[1])
		ok = g_ascii_string_to_unsigned(p[1], 10, 0, G_MAXUINT64, b, NULL) && *b >= *a &&
		     *b - *a < 100000;
	g_strfreev(p);
	return ok;
}

/* "K/N" -> K in 1..N. */
static bool parse_shard(const char *s, guint64 *k, guint64 *n)
{
	char **p = g_strsplit(s, "/", 2);
	bool ok = p[1] && g_ascii_string_to_unsigned(p[0], 10, 1, 1000000, k, NULL) &&
		  g_ascii_string_to_unsigned(p[1], 10, 1, 1000000, n, NULL) && *k <= *n;
	g_strfreev(p);
	return ok;
}

struct sweep {
	char *name;
	char **values;
};

static gint sweep_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(((const struct sweep *)a)->name, ((const struct sweep *)b)->name);
}

/* "NAME=V1,V2,..." (each value run_value_valid, no repeats); NULL if bad. */
static bool parse_sweep(const char *spec, struct sweep *sw)
{
	char *vals;
	if (!scn_define_valid(spec, &sw->name, &vals))
		return false;
	sw->values = g_strsplit(vals, ",", -1);
	g_free(vals);
	bool ok = sw->values[0] != NULL;
	for (unsigned i = 0; ok && sw->values[i]; i++) {
		ok = run_value_valid(sw->values[i]);
		for (unsigned j = 0; ok && j < i; j++)
			ok = strcmp(sw->values[i], sw->values[j]) != 0;
	}
	return ok;
}

/* A word for a shell command line: quoted only when it needs it. */
static void shell_word(GString *o, const char *w)
{
	if (*w && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		       "0123456789_./=:,+-@%") == strlen(w)) {
		g_string_append(o, w);
	} else {
		char *q = g_shell_quote(w);
		g_string_append(o, q);
		g_free(q);
	}
}

/* The `natsim run` argument vector of r (after the program name). */
static GPtrArray *run_args(const struct run *r, char **defines, bool no_pcap)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(a, g_strdup("run"));
	g_ptr_array_add(a, g_strdup(r->scenario));
	g_ptr_array_add(a, g_strdup("--out"));
	g_ptr_array_add(a, g_strdup(r->dir));
	g_ptr_array_add(a, g_strdup("--junit"));
	g_ptr_array_add(a, g_build_filename(r->dir, "junit.xml", NULL));
	g_ptr_array_add(a, g_strdup("--quiet"));
	if (no_pcap)
		g_ptr_array_add(a, g_strdup("--no-pcap"));
	for (unsigned i = 0; r->params[i]; i++) {
		if (g_str_has_prefix(r->params[i], "seed=")) {
			g_ptr_array_add(a, g_strdup("--seed"));
			g_ptr_array_add(a, g_strdup(r->params[i] + 5));
		} else {
			g_ptr_array_add(a, g_strdup("-D"));
			g_ptr_array_add(a, g_strdup(r->params[i]));
		}
	}
	for (unsigned i = 0; defines && defines[i]; i++) {
		g_ptr_array_add(a, g_strdup("-D"));
		g_ptr_array_add(a, g_strdup(defines[i]));
	}
	return a;
}

/* Fork and exec `natsim run` for r, its output in r->dir/natsim.log. */
static pid_t spawn(struct run *r, char **defines, bool no_pcap)
{
	GPtrArray *a = run_args(r, defines, no_pcap);
	char *log = g_build_filename(r->dir, "natsim.log", NULL);
	GPtrArray *argv = g_ptr_array_new();
	g_ptr_array_add(argv, (char *)"natsim");
	for (unsigned i = 0; i < a->len; i++)
		g_ptr_array_add(argv, g_ptr_array_index(a, i));
	g_ptr_array_add(argv, NULL);
	g_mkdir_with_parents(r->dir, 0777);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execv("/proc/self/exe", (char **)argv->pdata);
		_exit(127);
	}
	g_ptr_array_free(argv, TRUE);
	g_ptr_array_free(a, TRUE);
	g_free(log);
	return pid;
}

/* Run every run, at most jobs at a time; statuses and wall times in runs. */
static void run_all(GPtrArray *runs, int jobs, char **defines, bool no_pcap)
{
	GHashTable *by_pid = g_hash_table_new(g_direct_hash, g_direct_equal);
	gint64 *start = g_new0(gint64, runs->len ? runs->len : 1);
	unsigned next = 0, running = 0;
	while ((next < runs->len && !test_stop) || running) {
		while (running < (unsigned)jobs && next < runs->len && !test_stop) {
			struct run *r = g_ptr_array_index(runs, next);
			start[next] = g_get_monotonic_time();
			pid_t pid = spawn(r, defines, no_pcap);
			if (pid < 0) {
				fprintf(stderr, "natsim: cannot start %s: %s\n", r->key, g_strerror(errno));
				r->status = 2;
			} else {
				g_hash_table_insert(by_pid, GINT_TO_POINTER(pid), GUINT_TO_POINTER(next + 1));
				running++;
			}
			next++;
		}
		if (!running)
			break;
		int st;
		pid_t pid = waitpid(-1, &st, 0);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		unsigned idx = GPOINTER_TO_UINT(g_hash_table_lookup(by_pid, GINT_TO_POINTER(pid)));
		if (!idx)
			continue;
		struct run *r = g_ptr_array_index(runs, idx - 1);
		r->wall = (double)(g_get_monotonic_time() - start[idx - 1]) / 1e6;
		r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		running--;
	}
	g_free(start);
	g_hash_table_destroy(by_pid);
}

int runner_test_main(int argc, char **argv, const char *self)
{
	gint jobs = (gint)g_get_num_processors();
	gchar *junit = NULL, *out = NULL, *seeds = NULL, *shard = NULL;
	gchar **sweeps = NULL, **defines = NULL;
	gboolean list = FALSE, report = FALSE, no_pcap = FALSE;
	GOptionEntry entries[] = {
		{ "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs,
		  "Runs at a time (default: the number of cores)", "N" },
		{ "junit", 0, 0, G_OPTION_ARG_FILENAME, &junit,
		  "One JUnit file: a testsuite per run, a testcase per expectation", "FILE" },
		{ "out", 0, 0, G_OPTION_ARG_FILENAME, &out,
		  "Output directory (default out/test): runs/KEY/ per run, sweep.csv, "
		  "sweep.json", "DIR" },
		{ "sweep", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sweeps,
		  "Run each scenario with -D NAME=V for each value (repeatable: the product)",
		  "NAME=V1,V2,..." },
		{ "seeds", 0, 0, G_OPTION_ARG_STRING, &seeds,
		  "Run each point with each seed A..B", "A-B" },
		{ "define", 'D', 0, G_OPTION_ARG_STRING_ARRAY, &defines,
		  "Override a `define` in every run", "NAME=VALUE" },
		{ "shard", 0, 0, G_OPTION_ARG_STRING, &shard,
		  "Run only the K-th of N deterministic parts of the runs", "K/N" },
		{ "list", 0, 0, G_OPTION_ARG_NONE, &list,
		  "Print one `natsim run` command line per run instead of running", NULL },
		{ "report", 0, 0, G_OPTION_ARG_NONE, &report,
		  "Write DIR/sweep.html: each figure plotted against the swept parameter", NULL },
		{ "no-pcap", 0, 0, G_OPTION_ARG_NONE, &no_pcap, "Runs write no pcap files", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	g_set_prgname("natsim test");
	GOptionContext *ctx = g_option_context_new("PATH...");
	g_option_context_set_summary(ctx,
		"Run every *.scn under the PATHs (recursively, sorted by name), each as\n"
		"`natsim run` in its own output directory DIR/runs/KEY, -j at a time.");
	g_option_context_set_description(ctx,
		"Exit status: 0 every run held; 1 a run failed; 2 a run could not run\n"
		"(bad input) or bad options.\n");
	g_option_context_add_main_entries(ctx, entries, NULL);
	GError *ge = NULL;
	int status = 2;
	GPtrArray *files = g_ptr_array_new_with_free_func(scn_file_free);
	GPtrArray *runs = g_ptr_array_new_with_free_func(run_free);
	GArray *sw = g_array_new(FALSE, TRUE, sizeof(struct sweep));
	guint64 s_lo = 0, s_hi = 0, k = 1, n = 1;
	if (!g_option_context_parse(ctx, &argc, &argv, &ge)) {
		fprintf(stderr, "natsim test: %s\n", ge->message);
		g_error_free(ge);
		goto done;
	}
	if (argc < 2) {
		fprintf(stderr, "natsim test: needs a PATH (a scenario or a directory)\n");
		goto done;
	}
	if (jobs < 1) {
		fprintf(stderr, "natsim test: bad -j %d (at least 1)\n", jobs);
		goto done;
	}
	if (seeds && !parse_seeds(seeds, &s_lo, &s_hi)) {
		fprintf(stderr, "natsim test: bad --seeds \"%s\" (A-B, non-negative integers)\n", seeds);
		goto done;
	}
	if (shard && !parse_shard(shard, &k, &n)) {
		fprintf(stderr, "natsim test: bad --shard \"%s\" (K/N, 1 <= K <= N)\n", shard);
		goto done;
	}
	for (unsigned i = 0; defines && defines[i]; i++) {
		if (!scn_define_valid(defines[i], NULL, NULL)) {
			fprintf(stderr, "natsim test: bad -D \"%s\" (NAME=VALUE)\n", defines[i]);
			goto done;
		}
	}
	for (unsigned i = 0; sweeps && sweeps[i]; i++) {
		struct sweep s = { 0 };
		bool ok = parse_sweep(sweeps[i], &s);
		g_array_append_val(sw, s);
		if (!ok) {
			fprintf(stderr, "natsim test: bad --sweep \"%s\" (NAME=V1,V2,... distinct values "
				"of [A-Za-z0-9_.:+-])\n", sweeps[i]);
			goto done;
		}
		for (unsigned j = 0; j < i; j++) {
			if (strcmp(g_array_index(sw, struct sweep, j).name, s.name) == 0) {
				fprintf(stderr, "natsim test: --sweep %s given twice\n", s.name);
				goto done;
			}
		}
		if (strcmp(s.name, "seed") == 0) {
			fprintf(stderr, "natsim test: sweep seeds with --seeds A-B\n");
			goto done;
		}
		for (unsigned j = 0; defines && defines[j]; j++) {
			char *dn = NULL;
			scn_define_valid(defines[j], &dn, NULL);
			bool same = strcmp(dn, s.name) == 0;
			g_free(dn);
			if (same) {
				fprintf(stderr, "natsim test: %s is both swept and set with -D\n", s.name);
				goto done;
			}
		}
	}
	g_array_sort(sw, sweep_cmp);

	/* the scenarios */
	for (int i = 1; i < argc; i++) {
		if (g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
			find_scn(files, argv[i], "");
		} else if (g_file_test(argv[i], G_FILE_TEST_EXISTS)) {
			struct scn_file *f = g_new0(struct scn_file, 1);
			char *base = g_path_get_basename(argv[i]);
			if (g_str_has_suffix(base, ".scn") && strlen(base) > 4)
				base[strlen(base) - 4] = '\0';
			f->path = g_strdup(argv[i]);
			f->name = base;
			g_ptr_array_add(files, f);
		} else {
			fprintf(stderr, "natsim test: %s: no such file or directory\n", argv[i]);
			goto done;
		}
	}
	g_ptr_array_sort(files, scn_file_cmp);
	if (files->len == 0) {
		fprintf(stderr, "natsim test: no *.scn file under the given paths\n");
		goto done;
	}
	for (unsigned i = 0; i < files->len; i++) {
		const struct scn_file *f = g_ptr_array_index(files, i);
		if (strchr(f->name, ',') || (i && strcmp(f->name,
			((struct scn_file *)g_ptr_array_index(files, i - 1))->name) == 0)) {
			fprintf(stderr, "natsim test: %s: %s\n", f->path, strchr(f->name, ',')
				? "a scenario name with ',' cannot name a run"
				: "two scenarios of this name (give one directory or rename one)");
			goto done;
		}
	}

	/* the runs: scenario x sweep points x seeds, as keys */
	const char *top = out ? out : "out/test";
	for (unsigned i = 0; i < files->len; i++) {
		const struct scn_file *f = g_ptr_array_index(files, i);
		unsigned *idx = g_new0(unsigned, sw->len + 1);
		for (;;) {
			for (guint64 seed = s_lo; seed <= s_hi; seed++) {
				GString *key = g_string_new(f->name);
				for (unsigned j = 0; j < sw->len; j++) {
					const struct sweep *s = &g_array_index(sw, struct sweep, j);
					g_string_append_printf(key, ",%s=%s", s->name, s->values[idx[j]]);
				}
				if (seeds)
					g_string_append_printf(key, ",seed=%" G_GUINT64_FORMAT, seed);
				char *dir = g_build_filename(top, "runs", key->str, NULL);
				struct run *r = run_from_key(key->str, dir);
				r->scenario = g_strdup(f->path);
				g_ptr_array_add(runs, r);
				g_free(dir);
				g_string_free(key, TRUE);
				if (seed == G_MAXUINT64)
					break;
			}
			/* the next sweep point, last parameter fastest */
			int j = (int)sw->len - 1;
			for (; j >= 0; j--) {
				if (g_array_index(sw, struct sweep, j).values[++idx[j]])
					break;
				idx[j] = 0;
			}
			if (j < 0)
				break;
		}
		g_free(idx);
	}
	g_ptr_array_sort(runs, run_ptr_cmp);
	if (n > 1) {
		GPtrArray *mine = g_ptr_array_new_with_free_func(run_free);
		for (unsigned i = 0; i < runs->len; i++) {
			if (i % n == k - 1) {
				g_ptr_array_add(mine, g_ptr_array_index(runs, i));
				runs->pdata[i] = NULL;
			}
		}
		for (unsigned i = 0; i < runs->len; i++)
			if (runs->pdata[i])
				run_free(runs->pdata[i]);
		g_ptr_array_set_free_func(runs, NULL);
		g_ptr_array_free(runs, TRUE);
		runs = mine;
	}

	if (list) {
		for (unsigned i = 0; i < runs->len; i++) {
			GPtrArray *a = run_args(g_ptr_array_index(runs, i), defines, no_pcap);
			GString *line = g_string_new(NULL);
			shell_word(line, self);
			for (unsigned j = 0; j < a->len; j++) {
				g_string_append_c(line, ' ');
				shell_word(line, g_ptr_array_index(a, j));
			}
			printf("%s\n", line->str);
			g_string_free(line, TRUE);
			g_ptr_array_free(a, TRUE);
		}
		status = 0;
		goto done;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	run_all(runs, jobs, defines, no_pcap);
	for (unsigned i = 0; i < runs->len; i++) {
		struct run *r = g_ptr_array_index(runs, i);
		run_read_summary(r);
		if (r->status < 0) /* never started (stopped by a signal) */
			r->status = 2;
	}
	status = collect_table(runs, true);
	GString *err = g_string_new(NULL);
	if (collect_write(runs, top, junit, report, err)) {
		fprintf(stderr, "natsim test: error: %s\n", err->str);
		status = 2;
	}
	g_string_free(err, TRUE);
	if (test_stop)
		fprintf(stderr, "natsim test: %s: runs not started were skipped\n",
			test_stop == SIGINT ? "interrupted" : "terminated");
done:
	for (unsigned i = 0; i < sw->len; i++) {
		g_free(g_array_index(sw, struct sweep, i).name);
		g_strfreev(g_array_index(sw, struct sweep, i).values);
	}
	g_array_free(sw, TRUE);
	g_ptr_array_free(runs, TRUE);
	g_ptr_array_free(files, TRUE);
	g_option_context_free(ctx);
	g_free(junit);
	g_free(out);
	g_free(seeds);
	g_free(shard);
	g_strfreev(sweeps);
	g_strfreev(defines);
	return status;
}
