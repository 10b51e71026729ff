/* journal.h - a node's journal, dmesg and journalctl (journal.c). */
#ifndef SIM_JOURNAL_H
#define SIM_JOURNAL_H

#include <glib.h>
#include "sim/core/world.h"

struct cmd_ctx;

/* One journal entry: IDENT[PID]: TEXT at time t, belonging to `unit`
 * ("iptables.service") or NULL. */
void journal_log(struct node *n, sim_time t, const char *ident, int pid, const char *unit,
		 const char *text);
/* A fresh PID for a process the node starts (deterministic). */
int journal_new_pid(struct node *n);
/* A boot at time t: dmesg and the journal start over. */
void journal_boot(struct node *n, sim_time t);
/* The last `max` entries of a unit in journalctl's format (systemctl status). */
void journal_unit_tail(const struct node *n, const char *unit, unsigned max, GString *out);
/* " since Thu 1970-01-01 00:00:01 UTC; 3s ago" as systemctl status writes it. */
void journal_since(sim_time since, sim_time now, GString *out);

int cmd_dmesg(struct cmd_ctx *c, int argc, char **argv);
int cmd_journalctl(struct cmd_ctx *c, int argc, char **argv);

#endif
