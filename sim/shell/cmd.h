/* cmd.h - node commands: what an administrator types on a node.
 *
 * A scenario line `NODE: COMMAND ...` (or `at TIME NODE: ...`) is split into
 * argv as a shell would (quotes, backslashes; redirections `>`, `>>`, `<` are
 * handled by cmd.c with the node's file store) and dispatched by name through
 * the command table (struct cmd_def: cmd.c's own, plus the traffic commands
 * registered from above with cmd_register):
 *   ip                          sim/shell/ipcmd.c
 *   sysctl, echo > /proc/sys/.. sim/shell/cmd.c (net.ipv4.*) or nf_sysctl_*()
 *                               (net.netfilter.*, nat/conntrack/ct_sysctl.c)
 *   iptables*, conntrack        nf_cmd_*() (nat/iptables/ipt_cmd.c,
 *                               nat/conntrack/ct_cmd.c)
 *   modprobe                    sim/shell/modprobe.c (then nf_cmd_modprobe)
 *   nstat                       sim/shell/nstat.c
 *   ping udp tcp listen flows replay  sim/apps/traffic_cmd.c (ping.c, replay.c),
 *                               registered by scenario_load
 *   cat, systemctl, service, reboot   sim/shell/cmd.c
 *   dmesg, journalctl           sim/shell/journal.c
 * Pasted prompts, typographic quotes and `sudo` are read by sim/shell/paste.c;
 * what natsim lacks is refused with natsim_unimpl() (nat/core/unimpl.h, through
 * nat/nf.h).
 * Every command is first run with dry_run = true at parse time (syntax only,
 * no state change), so bad input is reported before anything is simulated.
 *
 * A command returns its exit status as Linux's tool (or bash) would: 0 for
 * success, else the tool's own code (iptables 1 for a runtime error, 2 for
 * a parameter problem, 4 for what the kernel refused; ip 1, 2 or 255; bash
 * 127 for an unknown command; ...). What it prints on stderr, success or
 * not, is in c->err without a FILE:LINE prefix: the runner prints it as is.
 */
#ifndef SIM_CMD_H
#define SIM_CMD_H

#include <glib.h>
#include <stdbool.h>
#include "sim/sock/sock.h"

struct cmd_ctx {
	struct world *w;
	struct node *node;
	bool dry_run;
	const char *file;	/* scenario file, for messages */
	int line;
	GString *out;		/* what the command prints (stdout) */
	GString *err;		/* what the command prints on stderr (no FILE:LINE prefix) */
	const char *stdin_text;	/* `< FILE` redirection content, or NULL */
};

/* Run (or check) one command: its exit status (0 ok), with what it prints
 * on stderr in c->err, failure or not (conntrack's "N flow entries have
 * been shown." comes with 0). */
int cmd_run(struct cmd_ctx *c, int argc, char **argv);

/* `sudo [-OPTIONS] CMD...` from copied instructions: the scenario already
 * runs as root, so argv moves past the sudo words. */
void cmd_skip_sudo(int *argc, char ***argv);

/* True if a failed command's message is natsim refusing what it does not
 * implement (its own voice names natsim), not a failure Linux would show:
 * such a command is bad input even when the scenario expects it to fail. */
bool cmd_refused(const char *err);

/* Redirections of one command line, as the shell would apply them. */
struct cmd_redir {
	char *in;		/* `< FILE`, or NULL */
	char *out;		/* `> FILE` / `>> FILE` (also `1>`), or NULL */
	bool append;		/* `>>` */
	char *err_out;		/* `2> FILE` (its text is dropped), or NULL */
};

/* Split a command line into words as bash does: blanks separate words;
 * '...' is literal; "..." keeps \ \" \$ \` escapes; a backslash outside
 * quotes escapes the next character. With `redir` non-NULL, unquoted `>`,
 * `>>`, `<`, `1>`, `2>` are redirections; with redir NULL they are ordinary
 * characters (expectation lines: `count >= 3`). Pipes and lists (| ; & and
 * $(...)) are refused. A typographic dash (U+2013, U+2014, U+2212) starting
 * an unquoted word is read as "--"; with `warnings` non-NULL a message is
 * appended for each. Words are appended to argv (g_strdup'd, no NULL end).
 * Returns 0, or 2 with bash's message in err. */
int cmd_split(const char *text, GPtrArray *argv, struct cmd_redir *redir,
	      GPtrArray *warnings, GString *err);
void cmd_redir_clear(struct cmd_redir *r);

/* Run one command line with its redirections: `< FILE` from the node's file
 * store (else, for a relative path, from the real file next to the scenario),
 * then cmd_run(), then `>`/`>>` of c->out into the file store or a
 * /proc/sys knob. The exit status as bash reports it (1 when a redirection
 * fails), with the message in c->err. */
int cmd_exec(struct cmd_ctx *c, int argc, char **argv, const struct cmd_redir *r);

/* File-store marker of a running `conntrack -E` on a router; its content is
 * the -p protocol filter ("" for all). Set by cmd.c, read by ct_events.c. */
#define CT_EVENTS_LISTENER "/run/natsim/conntrack-E"
/* the marker's content for `conntrack -E expect` (else: its -p filter) */
#define CT_EVENTS_EXPECT "@expect"
/* ct_events.c: show a router's conntrack events to its running `conntrack
 * -E` (subscribed at run start), and its closing line "conntrack v1.4.7
 * (conntrack-tools): N flow events have been shown." on stderr when it is
 * stopped (end of the run, reboot), as conntrack prints it. */
void ct_events_subscribe(struct world *w);
void ct_events_listener_end(struct world *w, struct node *n);

/* File-store marker of a running `nft monitor trace` on a router. Set by
 * cmd.c, read by nft_monitor.c (which shows the router's trace lines to it,
 * subscribed at run start). */
#define NFT_MONITOR_TRACE "/run/natsim/nft-monitor-trace"
/* File-store marker of the running event monitors (`nft monitor [new|
 * destroy] [OBJECT]`), one line each (nft_monitor.c). */
#define NFT_MONITOR_EVENTS "/run/natsim/nft-monitor-events"
/* nft_monitor.c: an event monitor starts (event: any, new, destroy;
 * object: any or one of nft_monitor_object's words). */
void nft_monitor_start(struct cmd_ctx *c, const char *event, const char *object, bool handles);
bool nft_monitor_object(const char *w);
/* Around a command that may change nf_tables (nft, iptables-nft): begin
 * snapshots the namespace when an event monitor runs or echo (nft -e) is
 * asked (else NULL); end prints the events to the monitors and, with
 * echo, what was added on c->out, and counts the generation (a command
 * nobody watched counts when rc is 0 and changing says it changes); comm
 * names the program, argv its words (iptables' batches, nft_monitor.c). */
struct nf_nft_snap;
struct nf_nft_snap *nft_events_begin(struct cmd_ctx *c, bool echo);
void nft_events_end(struct cmd_ctx *c, struct nf_nft_snap *before, int rc, bool changing,
		    bool echo, bool handles, const char *comm, int argc, char **argv);
void nft_monitor_subscribe(struct world *w);
/* xtables_monitor.c: `xtables-monitor --trace`, its marker (the lines of
 * iptables-nft's traced rules go to it, subscribed at run start). */
#define XT_MONITOR_TRACE "/run/natsim/xtables-monitor-trace"
#define XT_MONITOR_NFT_NOTE "/run/natsim/xtables-monitor-trace-nft-noted"
int cmd_xtables_monitor(struct cmd_ctx *c, int argc, char **argv);
void xt_monitor_subscribe(struct world *w);

/* nstat.c: `nstat [-asznrj] [PATTERN...]` over the node's IPv4 counters. */
int nstat_cmd(struct cmd_ctx *c, int argc, char **argv);

/* nfacct.c: `nfacct`, the accounting objects of -m nfacct. */
int nfacct_cmd(struct cmd_ctx *c, int argc, char **argv);
/* nfct.c: `nfct timeout`, the timeout objects of nfnetlink_cttimeout. */
int nfct_cmd(struct cmd_ctx *c, int argc, char **argv);

/* ipcmd.c: `ip addr|route|link ...`. */
int ipcmd_run(struct cmd_ctx *c, int argc, char **argv);
/* iprule.c: `ip rule ...`; a routing table's id from its name or number
 * (rt_tables' local, main, default, unspec) and back. */
int iprule_run(struct cmd_ctx *c, int argc, char **argv);
bool ip_table_parse(const char *s, uint32_t *id);
const char *ip_table_name(uint32_t id, char buf[12]);

/* modprobe.c: `modprobe [OPTIONS] MODULE [PARAM=VALUE...]`. */
int cmd_modprobe(struct cmd_ctx *c, int argc, char **argv);

/* The command table: a name, its function (exit status as above, argv[0]
 * the name) and flags. cmd_run() looks a command up after skipping sudo;
 * names it does not find are natsim's "not implemented" when Linux has
 * them, else bash's "command not found". */
enum {
	CMD_NEEDS_NF = 1 << 0,	/* a router's tool: a host says it has no netfilter */
};
struct cmd_def {
	const char *name;
	int (*fn)(struct cmd_ctx *c, int argc, char **argv);
	unsigned flags;
};
/* Add a table of commands from a layer above the shell (the traffic
 * commands, registered at start-up by sim/scenario). The table must live
 * as long as the process; registering the same table again does nothing. */
void cmd_register(const struct cmd_def *defs, size_t n);
/* The entry of a command name, or NULL. */
const struct cmd_def *cmd_lookup(const char *name);

#endif
