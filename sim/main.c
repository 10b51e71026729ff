/* main.c - the natsim program: `natsim run|check SCENARIO [options]`.
 *
 * Design: main picks the exit status (0 every expectation held and no
 * command failed unexpectedly, 1 an expectation failed, an invariant broke or
 * a command failed unmarked, 2 bad input or an output file that cannot be
 * written, 128+N after signal N) and prints the errors of the command line
 * and of loading the scenario, which modules return as values. Once the run
 * has started, the module that meets a problem prints its line on stderr
 * when it happens and records the status in w->exit_status, which main
 * returns: the runner (failed commands and expectations, warnings, outputs
 * that cannot be written), ip.c (a --check violation), node.c and pcapw.c
 * (a pcap that cannot be created or written). No module calls exit(). Bad
 * input still leaves a report for CI: the JUnit file (with --junit) and, once
 * the output directory exists, summary.json. Options are parsed with GOption.
 * `natsim test` and `natsim merge` are sim/runner/'s (runner.h), dispatched
 * before the options are parsed. SIGINT/SIGTERM only set a flag: the event loop stops before its next event
 * and every output is still flushed and closed.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "sim/scenario/expect.h"
#include "sim/out/report.h"
#include "sim/scenario/scenario.h"
#include "sim/sock/sock.h"
#include "sim/core/world.h"
#include "sim/runner/runner.h"

#define NATSIM_VERSION "0.1.0"

static void on_signal(int sig)
{
	scenario_signal = sig;
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void print_scn_error(const struct scn_error *e)
{
	if (e->line > 0)
		fprintf(stderr, "%s:%d: error: %s\n", e->file, e->line, e->msg);
	else
		fprintf(stderr, "%s: error: %s\n", e->file ? e->file : "natsim", e->msg);
}

/* Bad input stops natsim before anything is simulated (exit 2): the JUnit
 * file (with --junit) and summary.json (once the output directory exists)
 * still say so, each with the message and the scenario line. `bad` NULL is
 * `natsim check` of a good scenario: its expectations, not evaluated. */
static void write_bad_input_reports(struct world *w, const struct scn_error *bad, bool summary)
{
	GString *err = g_string_new(NULL);
	if (summary && bad && output_write_summary(w, bad, err))
		fprintf(stderr, "natsim: error: %s\n", err->str);
	if (w->opt.junit) {
		if (!bad && w->scn) /* natsim check: nothing was run */
			for (unsigned i = 0; i < w->scn->expects->len; i++)
				expect_not_evaluated(g_ptr_array_index(w->scn->expects, i),
						     "natsim check does not run the scenario");
		g_string_truncate(err, 0);
		if (output_write_junit(w, w->opt.junit, bad, err))
			fprintf(stderr, "natsim: error: %s\n", err->str);
	}
	g_string_free(err, TRUE);
}

/* out/<scenario file name without .scn> */
static char *default_out_dir(const char *path)
{
	char *base = g_path_get_basename(path);
	if (g_str_has_suffix(base, ".scn") && strlen(base) > 4)
		base[strlen(base) - 4] = '\0';
	char *dir = g_build_filename("out", base, NULL);
	g_free(base);
	return dir;
}

int main(int argc, char **argv)
{
	gchar *out = NULL, *seed = NULL, *until = NULL, *junit = NULL;
	gboolean trace = FALSE, check = FALSE, no_pcap = FALSE, quiet = FALSE, version = FALSE;
	gboolean report = FALSE, strict = FALSE;
	gchar **defines = NULL;
	/* many runs (sim/runner/): their own options */
	if (argc >= 2 && strcmp(argv[1], "test") == 0)
		return runner_test_main(argc - 1, argv + 1, argv[0]);
	if (argc >= 2 && strcmp(argv[1], "merge") == 0)
		return runner_merge_main(argc - 1, argv + 1);
	GOptionEntry entries[] = {
		{ "out", 0, 0, G_OPTION_ARG_FILENAME, &out,
		  "Output directory (default out/<scenario name>)", "DIR" },
		{ "seed", 0, 0, G_OPTION_ARG_STRING, &seed,
		  "Seed of the run's random generator (default 1)", "N" },
		{ "until", 0, 0, G_OPTION_ARG_STRING, &until,
		  "Stop the simulation at TIME (e.g. 30s, 1.5ms)", "TIME" },
		{ "trace", 0, 0, G_OPTION_ARG_NONE, &trace,
		  "Print the packet walk on stdout and in DIR/trace.log", NULL },
		{ "check", 0, 0, G_OPTION_ARG_NONE, &check,
		  "Verify the conntrack invariants after every packet a router handles", NULL },
		{ "junit", 0, 0, G_OPTION_ARG_FILENAME, &junit,
		  "Write a JUnit XML report: a testcase per expectation and per failed or `!` "
		  "command, or the bad input", "FILE" },
		{ "report", 0, 0, G_OPTION_ARG_NONE, &report,
		  "Write DIR/report.html: ladder diagram, conntrack tables and count plots", NULL },
		{ "strict", 0, 0, G_OPTION_ARG_NONE, &strict,
		  "Stop at the first command that fails unexpectedly", NULL },
		{ "define", 'D', 0, G_OPTION_ARG_STRING_ARRAY, &defines,
		  "Override the scenario's `define NAME VALUE` (repeatable)", "NAME=VALUE" },
		{ "no-pcap", 0, 0, G_OPTION_ARG_NONE, &no_pcap, "Write no pcap files", NULL },
		{ "quiet", 0, 0, G_OPTION_ARG_NONE, &quiet,
		  "Do not print command output (only unexpected failures)", NULL },
		{ "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	GOptionContext *ctx = g_option_context_new("run|check SCENARIO");
	g_option_context_set_summary(ctx,
		"A deterministic discrete-event simulator of hosts, links, switches and Linux\n"
		"routers running a re-implementation of netfilter conntrack and NAT.\n\n"
		"  natsim run SCENARIO [options]   simulate, write pcaps, logs, summary.json\n"
		"  natsim check SCENARIO           parse and validate only\n"
		"  natsim test PATH... [options]   run every *.scn (sweeps, shards): natsim test --help\n"
		"  natsim merge DIR... [options]   combine natsim test outputs: natsim merge --help");
	g_option_context_set_description(ctx,
		"A failing command prints what Linux prints and the run goes on, as in a shell;\n"
		"`NODE: ! CMD` says CMD must fail.\n\n"
		"Exit status: 0 every expectation held and no command failed unexpectedly;\n"
		"1 an expectation failed, an invariant broke, or a command failed unmarked;\n"
		"2 bad input (scenario, command, option, pcap), found before the run.\n");
	g_option_context_add_main_entries(ctx, entries, NULL);
	GError *ge = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &ge)) {
		fprintf(stderr, "natsim: %s\nTry 'natsim --help' for more information.\n", ge->message);
		g_error_free(ge);
		g_option_context_free(ctx);
		return 2;
	}
	g_option_context_free(ctx);
	int status = 2;
	if (version) {
		printf("natsim " NATSIM_VERSION "\n");
		status = 0;
		goto done;
	}
	if (argc < 2 || (strcmp(argv[1], "run") != 0 && strcmp(argv[1], "check") != 0)) {
		fprintf(stderr, argc < 2 ? "natsim: missing command\n"
					 : "natsim: unknown command \"%s\"\n", argc < 2 ? "" : argv[1]);
		fprintf(stderr, "Usage: natsim run|check SCENARIO [options]; natsim --help\n");
		goto done;
	}
	bool is_check = strcmp(argv[1], "check") == 0;
	if (argc != 3) {
		fprintf(stderr, argc < 3 ? "natsim: %s needs a SCENARIO file\n"
					 : "natsim: %s takes one SCENARIO file\n", argv[1]);
		goto done;
	}
	const char *path = argv[2];

	struct run_opts o = {
		.scenario_path = path,
		.seed = 1,
		.until = SIM_TIME_NEVER,
		.trace = trace,
		.check = check,
		.pcap = !no_pcap && !is_check,
		.quiet = quiet,
		.report = report && !is_check,
		.strict = strict,
		.junit = junit,
		.defines = (const char *const *)defines,
	};
	struct scn_error bad = { 0 }; /* bad input found after the options */
	if (seed) {
		guint64 v;
		if (!g_ascii_string_to_unsigned(seed, 10, 0, G_MAXUINT64, &v, NULL)) {
			fprintf(stderr, "natsim: bad --seed \"%s\" (a non-negative integer)\n", seed);
			bad.msg = g_strdup_printf("bad --seed \"%s\"", seed);
			goto bad_option;
		}
		o.seed = v;
	}
	if (until && !sim_time_parse(until, &o.until)) {
		fprintf(stderr, "natsim: bad --until \"%s\" (a number with a unit: s, ms, us, ns)\n",
			until);
		bad.msg = g_strdup_printf("bad --until \"%s\"", until);
		goto bad_option;
	}
	char *out_dir = out ? g_strdup(out) : default_out_dir(path);
	o.out_dir = out_dir;
	/* before anything is opened: a signal while the scenario loads (a
	 * slow machine) stops the run at its first step, with every output
	 * closed as for a signal later, not by the default action */
	install_signals();
	struct world *w = world_new(&o);
	g_free(out_dir);
	if (w->opt.report)
		report_init(w);

	GString *err = g_string_new(NULL);
	bool outputs_open = false;
	if (!is_check && world_open_outputs(w, err)) {
		fprintf(stderr, "natsim: error: %s\n", err->str);
		bad.msg = g_strdup(err->str);
	} else {
		outputs_open = !is_check;
		if (scenario_load(w, path, &bad)) {
			print_scn_error(&bad);
		} else if (w->exit_status == 2) { /* a pcap could not be opened (reported) */
			bad.msg = g_strdup("a capture file could not be opened");
		}
	}
	g_string_free(err, TRUE);
	if (bad.msg || is_check) {
		/* nothing is simulated; CI still gets its report */
		write_bad_input_reports(w, bad.msg ? &bad : NULL, outputs_open);
		status = bad.msg ? 2 : 0;
		scn_error_clear(&bad);
		report_free(w);
		world_free(w);
		goto done;
	}
	scenario_run(w);
	if (report_on(w)) {
		GString *rerr = g_string_new(NULL);
		struct report_scenario rs = { 0 };
		GArray *rows = g_array_new(FALSE, TRUE, sizeof(struct report_expect));
		if (w->scn) {
			rs.name = w->scn->name;
			rs.path = w->scn->path;
			for (unsigned i = 0; i < w->scn->expects->len; i++) {
				const struct expect *e = g_ptr_array_index(w->scn->expects, i);
				struct report_expect re = { e->line, e->text, e->passed, e->expected,
							    e->seen };
				g_array_append_val(rows, re);
			}
		}
		rs.expects = (const struct report_expect *)(void *)rows->data;
		rs.n_expects = rows->len;
		int wrc = report_write(w, &rs, rerr);
		g_array_free(rows, TRUE);
		if (wrc) {
			fprintf(stderr, "natsim: error: %s\n", rerr->str);
			w->exit_status = 2;
		}
		g_string_free(rerr, TRUE);
	}
	status = w->exit_status;
	if (scenario_signal) {
		char ts[32];
		sim_time_format(w->now, ts);
		fprintf(stderr, "natsim: %s at %s s simulated; outputs written\n",
			scenario_signal == SIGINT ? "interrupted" : "terminated", ts);
	}
	scenario_print_verdict(w);
	report_free(w);
	world_free(w);
	packet_pool_drain();
	goto done;
bad_option:
	if (junit) {
		/* a run that was given --junit leaves a report, even for a bad option */
		struct world *bw = world_new(&o);
		write_bad_input_reports(bw, &bad, false);
		world_free(bw);
	}
	scn_error_clear(&bad);
done:
	g_free(out);
	g_free(seed);
	g_free(until);
	g_free(junit);
	g_strfreev(defines);
	return status;
}
