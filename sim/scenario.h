/* scenario.h - parsing a *.scn file into statements, and running them.
 *
 * Parsing is total: every line is checked (node names, addresses, times,
 * commands by dry-run) and the first error is returned as FILE:LINE: message.
 */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H

#include <glib.h>
#include "world.h"

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
	int line;
};

enum expect_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

struct scenario {
	char *path;
	char *name;		/* basename without .scn */
	char *dir;		/* directory of the file (for iptables-restore < FILE) */
	GPtrArray *cmds;	/* struct scn_cmd * in (time, file order) */
	GPtrArray *expects;	/* struct expect * (expect.c) */
	sim_time end;		/* `end TIME`, or SIM_TIME_NEVER */
};

/* Parse path into w (nodes and links are created in w). Returns 0, or 2 with
 * *err filled. Warnings (typographic dashes...) go to stderr as
 * FILE:LINE: warning: ... */
int scenario_load(struct world *w, const char *path, struct scn_error *err);
void scn_error_clear(struct scn_error *e);
void scenario_free(struct scenario *s);

/* Schedule every command and timed expectation, then run the event loop
 * until `end`, --until, or no events remain. */
void scenario_run(struct world *w);

#endif
