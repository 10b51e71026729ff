/* apps.h - the traffic commands of a node (sim/apps): `ping`, `udp send`,
 * `tcp connect|segment`, `listen`, `flows` and `replay`, the applications
 * a host runs on top of its sockets (iputils ping, a netcat-like client,
 * tcpreplay).
 *
 * Shared by traffic_cmd.c (the commands' parsing and registration, common
 * helpers, the applications' node state), ping.c (iputils ping) and
 * replay.c (pcap replay). The rest of the simulator sees the commands
 * through the node command table (sim/shell/cmd.h, where
 * traffic_register_cmds puts them) and their counters through
 * apps_summary. The applications drive the sockets through
 * sim/sock/sock.h and hear back through its callbacks; the sockets never
 * name a command.
 *
 * Node state: n->apps is a struct app_node holding the node's running
 * applications (ping sessions, replays), created on first use and freed
 * with the node's sockets (a free hook of sim/sock: end of run, reboot).
 * Events carry the node and a serial (tr_serial), never a pointer, as the
 * sockets' do (sim/sock/sock_int.h).
 */
#ifndef SIM_APPS_H
#define SIM_APPS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "sim/shell/cmd.h"
#include "sim/sock/sock.h"

/* Put ping, udp, tcp, listen, flows and replay into the node command
 * table (cmd_register); called once at start-up from above the shell
 * (scenario_load), so the shell never names the traffic commands. */
void traffic_register_cmds(void);

/* summary.json: the applications' counters of a node (ping's, then the
 * flows generators'), as transport_summary appends them. */
void apps_summary(struct node *n, GString *json_obj);

/* ----- common helpers (traffic_cmd.c) ----- */

/* "a.b.c.d" or a node name: its first address, 0 if it has none yet (the
 * dry run comes before `ip addr add` runs). */
bool tr_parse_addr(struct world *w, const char *text, uint32_t *addr);
/* "DEST:PORT" */
bool tr_parse_hostport(struct world *w, const char *text, uint32_t *addr, uint16_t *port);
/* Unsigned decimal within [min, max]. */
bool tr_parse_u32(const char *text, uint32_t min, uint32_t max, uint32_t *out);
/* C-style escapes of a text argument (\r \n \t \\ \" \0 and \xHH, one
 * or two hex digits, as printf(1) reads them: binary protocols such as
 * TFTP need NUL bytes), read after the shell's quoting, appended to out;
 * false on any other escape. */
bool tr_unescape(const char *s, GString *out);
/* A line of asynchronous command output at the current time. */
void tr_output(struct world *w, struct node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ----- running applications of a node (n->apps) ----- */

struct ping_sess;
struct replay_job;
struct ftp_node;
struct tftp_node;

struct app_node {
	GPtrArray *pings;	/* struct ping_sess *, start order */
	GPtrArray *replays;	/* struct replay_job *, start order */
	unsigned ping_started;	/* pings started on this node (default ids) */
	struct ftp_node *ftp;	/* FTP servers and sessions (ftp.c), or NULL */
	struct tftp_node *tftp;	/* TFTP servers and transfers (tftp.c), or NULL */
};

struct app_node *app_node_get(struct node *n);	/* created on first use */
static inline struct app_node *app_node_peek(struct node *n) { return n->apps; }

/* ----- ping (ping.c) ----- */
int ping_cmd_start(struct cmd_ctx *c, const char *dest_text, uint32_t dst, uint32_t count,
		   sim_time interval, uint32_t size, int id);
void ping_sess_free(struct node *n, struct ping_sess *s);
void ping_summary(struct node *n, GString *json);

/* ----- replay (replay.c) ----- */
int replay_cmd(struct cmd_ctx *c, int argc, char **argv);
void replay_job_free(struct replay_job *r);

/* ----- FTP (ftp.c) ----- */
/* `ftp get ...` */
int ftp_cmd(struct cmd_ctx *c, int argc, char **argv);
/* `listen tcp PORT ftp [size N]`: 0, or -EADDRNOTAVAIL */
int ftp_server_start(struct node *n, uint16_t port, uint32_t size);
void ftp_node_free(struct ftp_node *f);

/* ----- TFTP (tftp.c) ----- */
/* `tftp get DEST FILE [port P]` */
int tftp_cmd(struct cmd_ctx *c, int argc, char **argv);
/* `listen udp PORT tftp [size N]` */
int tftp_server_start(struct node *n, uint16_t port, uint32_t size);
void tftp_node_free(struct tftp_node *t);

#endif
