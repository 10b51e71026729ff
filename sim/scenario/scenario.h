/* scenario.h - parsing a *.scn file into statements, and running them.
 *
 * Parsing is total: every line is checked (node names, addresses, times,
 * commands by dry-run, iptables chain references in the order the commands
 * run) and the first error is returned as FILE:LINE: message. Running is a
 * shell's: a command that fails prints what Linux prints and the run goes
 * on; the failure is recorded (exit status 1 unless the line says `! CMD`,
 * bash's "this must fail"); --strict stops at the first one.
 */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <glib.h>
#include <signal.h>
#include "sim/shell/cmd.h"
#include "sim/core/world.h"

struct scn_error {
	char *file;
	int line;
	char *msg;
};

/* A node command to run at a time. */
struct scn_cmd {
	sim_time at;
	struct node *node;
	char *text;		/* the command as written (for "[T] NODE# COMMAND") */
	char **argv;
	int argc;
	struct cmd_redir redir;	/* `<`, `>`, `>>` of the line */
	int line;
	bool negate;		/* `! CMD`: the scenario expects it to fail */
	bool static_fail;	/* with negate: its dry run already failed */
};

/* A command whose outcome the run records: every one that failed, and every
 * `! CMD`. summary.json and JUnit list them. */
struct scn_cmd_result {
	const struct scn_cmd *cmd;
	sim_time at;
	int status;		/* the command's own exit status */
	bool ok;		/* as the scenario expects: 0, or not 0 under `!` */
	char *message;		/* what it printed on stderr */
};

enum expect_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

struct scenario {
	char *path;
	char *name;		/* basename without .scn */
	char *dir;		/* directory of the file (for iptables-restore < FILE) */
	GPtrArray *cmds;	/* struct scn_cmd * in (time, file order) */
	GPtrArray *expects;	/* struct expect * (expect.c) */
	sim_time end;		/* `end TIME`, or SIM_TIME_NEVER */
	/* `saw` expectations by interface (struct iface * -> GPtrArray of
	 * struct expect *): looked up per captured frame, never iterated. */
	GHashTable *saw_by_iface;
	GPtrArray *cmd_results;	/* struct scn_cmd_result *, in the order run */
	unsigned cmd_failures;	/* results with !ok */
	int stopped_line;	/* --strict stopped the run at this line, or 0 */
	char *run_error;	/* an output that could not be written, or NULL */
};

/* Set by main's SIGINT/SIGTERM handler to the signal number: the event loop
 * stops before the next event and the run's outputs are flushed. */
extern volatile sig_atomic_t scenario_signal;

/* Parse path into w (nodes and links are created in w). Returns 0, or 2 with
 * *err filled. Warnings (typographic dashes...) go to stderr as
 * FILE:LINE: warning: ... */
int scenario_load(struct world *w, const char *path, struct scn_error *err);
void scn_error_clear(struct scn_error *e);
void scenario_free(struct scenario *s);

/* Schedule every command and timed expectation, then run the event loop
 * until `end`, --until, or no events remain (or --strict's first failed
 * command, or a signal), evaluate the expectations and write summary.json
 * and the JUnit file. */
void scenario_run(struct world *w);

/* Erase the progress line from the terminal, if it is shown, before
 * something else is printed during the run. */
void scenario_progress_clear(struct world *w);

/* The run's one closing line on stderr: how many expectations held, failed
 * or could not be evaluated, and the lines of unexpected command failures. */
void scenario_print_verdict(struct world *w);

/* ----- pieces of the parser (exported for tests/unit/test_scenario.c) ----- */
/* A logical line: comments stripped, `\` continuations joined, trimmed. */
struct scn_line {
	int line;		/* its first physical line */
	char *text;
};
/* The non-empty logical lines of a file's content (struct scn_line *). */
GPtrArray *scn_split_lines(const char *content);
/* A node or interface name: [A-Za-z0-9_.-], not starting with '.' or '-',
 * 1..max characters (so no output file lands outside --out). */
bool scn_name_valid(const char *s, size_t max);
/* tc bit rates: "10Mbit", "1.5Gbit", "64kbit", "300bit" -> bits/s. */
bool scn_parse_rate(const char *text, uint64_t *bps);
/* "0.5%" -> 0.005. */
bool scn_parse_loss(const char *text, double *loss);

/* ----- reports (output.c) ----- */
/* Write `o` to `path` whole (g_file_set_contents: a temporary file renamed,
 * so a reader never sees half a file), then free o. 0, or 2 with the reason. */
int output_write_file(const char *path, GString *o, GString *err);
/* DIR/summary.json: scenario, seed, end time, events, per-node conntrack
 * statistics and count, every expectation with its result, every recorded
 * command outcome. `bad_input` non-NULL: the run never started (exit 2) and
 * the file says why instead. 0 or 2 + err. */
int output_write_summary(struct world *w, const struct scn_error *bad_input, GString *err);
/* JUnit XML at path: one testcase per expectation (a <failure>, or
 * <skipped> when it could not be evaluated) and per recorded command (an
 * <error> when it did not end as the scenario expects); with `bad_input`,
 * one testcase with its <error>. `time` attributes are simulated seconds, so
 * the file is as reproducible as the run. 0 or 2 + err. */
int output_write_junit(struct world *w, const char *path, const struct scn_error *bad_input,
		       GString *err);

#endif
