/* shell_state.h - what the node's shell keeps between commands: the file
 * store, the journal and the boot, a running `conntrack -E`'s count
 * (shell_state.c).
 *
 * Design: the shell is above the node subsystem table (sim/sock/net_stack.c
 * cannot name it), so it registers its own struct node_subsys the first
 * time it needs a node's state; node_free then frees n->shell with the
 * node. The state is made on first use: a node nobody typed a command on
 * has none, and readers treat a NULL n->shell as empty.
 */
#ifndef SIM_SHELL_STATE_H
#define SIM_SHELL_STATE_H

#include <glib.h>
#include <stdint.h>
#include "sim/sock/sock.h"

struct shell_state {
	/* the node's small file store (`>`, `>>`, `<`, `cat`, /etc/sysctl.d,
	 * the markers of running `conntrack -E` and `nft monitor`): path ->
	 * GString */
	GHashTable *files;
	/* events a running `conntrack -E` has shown, for its closing line */
	uint64_t ct_events_shown;
	/* journal.c: the journal's entries (systemd's and the services'), the
	 * next PID, the time of the current boot and its first kernel log line
	 * (dmesg prints from there, with the time since boot) */
	GPtrArray *journal;
	int next_pid;
	/* nft_monitor.c: nf_tables' generation (0: the first, 1) */
	unsigned nft_gen;
	sim_time boot_time;
	unsigned klog_boot;
};

/* n's shell state, made (empty) on first use. */
struct shell_state *shell_state(struct node *n);

#endif
