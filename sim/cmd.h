/* cmd.h - node commands: what an administrator types on a node.
 *
 * A scenario line `NODE: COMMAND ...` (or `at TIME NODE: ...`) is split into
 * argv as a shell would (quotes, backslashes; redirections `>`, `>>`, `<` are
 * handled by cmd.c with the node's file store) and dispatched by name:
 *   ip                          ipcmd.c
 *   sysctl, echo > /proc/sys/.. cmd.c (net.ipv4.*) or nf_sysctl_*() (net.netfilter.*)
 *   iptables*, conntrack, modprobe   nf_cmd_*()
 *   ping udp tcp listen flows replay  traffic.c
 *   cat, systemctl, service, reboot   cmd.c
 * Every command is first run with dry_run = true at parse time (syntax only,
 * no state change), so bad input is reported before anything is simulated.
 */
#ifndef SIM_CMD_H
#define SIM_CMD_H

#include <glib.h>
#include <stdbool.h>
#include "world.h"

struct cmd_ctx {
	struct world *w;
	struct node *node;
	bool dry_run;
	const char *file;	/* scenario file, for messages */
	int line;
	GString *out;		/* what the command prints (stdout) */
	GString *err;		/* error text when returning 2 (no FILE:LINE prefix) */
	const char *stdin_text;	/* `< FILE` redirection content, or NULL */
};

/* Run (or check) one command. 0 ok; 2 bad input (message in c->err). */
int cmd_run(struct cmd_ctx *c, int argc, char **argv);

/* ipcmd.c: `ip addr|route|link ...`. */
int ipcmd_run(struct cmd_ctx *c, int argc, char **argv);

/* traffic.c: ping, udp send, tcp connect|segment, listen, flows, replay. */
int traffic_cmd(struct cmd_ctx *c, int argc, char **argv);
/* True if argv[0] is one of traffic.c's commands. */
bool traffic_cmd_owns(const char *name);

#endif
