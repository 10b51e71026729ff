/* nf_iptables.h - iptables' part of the simulator's interface (nat/nf.h
 * includes it): iptables-save/-restore and the iptables service.
 *
 * A header of its own so that iptables' files, which may not include the
 * assembled nat/nf.h (a higher layer), see the prototypes they define.
 * Implemented in ipt_cmd.c and ipt_service.c.
 */
#ifndef NAT_NF_IPTABLES_H
#define NAT_NF_IPTABLES_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "nat/core/nf_types.h"

struct nf_ns;

/* `cat /proc/net/xt_recent/NAME`: the list's lines into out, 0; -1 when no
 * rule names the list (no such file). */
int nf_proc_xt_recent_read(struct nf_ns *ns, const char *name, GString *out);
/* `cat /proc/net/ipt_hashlimit/NAME` at time now: one line per entry; -1
 * when no table has that name (no such file). */
int nf_proc_ipt_hashlimit_read(struct nf_ns *ns, const char *name, nf_time now, GString *out);

/* The `nfacct` tool's requests (nfnetlink_acct, xt_nfacct.c): add (EBUSY
 * when the name exists); delete one (ENOENT, EBUSY while a rule uses it) or,
 * with name NULL, every unused one; walk one (ENOENT) or, with name NULL,
 * all in the order added, zeroing each after fn when reset. */
int nf_nfacct_add(struct nf_ns *ns, const char *name);
int nf_nfacct_del(struct nf_ns *ns, const char *name);
int nf_nfacct_walk(struct nf_ns *ns, const char *name, bool reset,
		   void (*fn)(void *ctx, const char *name, uint64_t pkts, uint64_t bytes), void *ctx);

/* iptables-save (output) and iptables-restore (input text). */
int nf_cmd_iptables_save(struct nf_ns *ns, int argc, char **argv, GString *out,
			 GString *err);
/* The same with the simulated time, shown as the date in the header and
 * footer lines (`Thu Jan  1 00:00:00 1970` + now); nf_cmd_iptables_save uses 0. */
int nf_cmd_iptables_save_at(struct nf_ns *ns, int argc, char **argv, GString *out,
			    GString *err, nf_time now);
int nf_cmd_iptables_restore(struct nf_ns *ns, const char *text, GString *out,
			    GString *err, bool dry_run, nf_time now);
/* The same with iptables-restore's own options in argv (argv[0] is
 * "iptables-restore"): -n/--noflush, -c/--counters, -t/--test, -w, -v. */
int nf_cmd_iptables_restore_args(struct nf_ns *ns, int argc, char **argv, const char *text,
				 GString *out, GString *err, bool dry_run, nf_time now);
/* The iptables command (also declared by nat/nf.h, the assembly). */
int nf_cmd_iptables(struct nf_ns *ns, int argc, char **argv, GString *out,
		    GString *err, bool dry_run, nf_time now);
/* iptables-legacy, iptables-legacy-save, iptables-legacy-restore: the
 * same commands on the second, x_tables set of tables (ipt_legacy.c). */
int nf_cmd_iptables_legacy(struct nf_ns *ns, int argc, char **argv, GString *out, GString *err,
			   bool dry_run, nf_time now);
int nf_cmd_iptables_legacy_save_at(struct nf_ns *ns, int argc, char **argv, GString *out,
				   GString *err, nf_time now);
int nf_cmd_iptables_legacy_restore_args(struct nf_ns *ns, int argc, char **argv, const char *text,
					GString *out, GString *err, bool dry_run, nf_time now);
/* iptables-nft's warning on stderr when legacy tables exist: for a listing
 * (-L, -S) of `iptables` argv, or for iptables-save (save true). */
void nf_iptables_legacy_warning(struct nf_ns *ns, int argc, char **argv, bool save, GString *err);
/* iptables-services (RHEL's iptables.service, nat/iptables/ipt_service.c):
 * the facts of its unit and the init script's start, stop and save. The
 * simulator keeps the files and systemd's side (journal, unit state). */
#define NF_IPT_SERVICE_CONFIG "/etc/sysconfig/iptables"
#define NF_IPT_SERVICE_UNIT "/usr/lib/systemd/system/iptables.service"
#define NF_IPT_SERVICE_DESCRIPTION "IPv4 firewall with iptables"
#define NF_IPT_SERVICE_EXEC "/usr/libexec/iptables/iptables.init"
/* iptables.init start: restore `config` (the content of
 * NF_IPT_SERVICE_CONFIG, NULL when there is none). Returns the script's exit
 * status (0; 1 when iptables-restore fails; 6 without a config file) with
 * what it prints, one line each, in init_out (the journal's lines). */
int nf_ipt_service_start(struct nf_ns *ns, const char *config, GString *out, GString *init_out,
			 nf_time now);
/* iptables.init stop: every loaded table flushed, its user chains deleted,
 * built-in policies ACCEPT. Returns 0 or 1, what it prints in init_out. */
int nf_ipt_service_stop(struct nf_ns *ns, GString *out, GString *init_out, nf_time now);
/* `service iptables save`: the new content of NF_IPT_SERVICE_CONFIG in
 * `file` and the script's line on out; 0, or 1 with the error in err. */
int nf_ipt_service_save(struct nf_ns *ns, GString *file, GString *out, GString *err, nf_time now);

#endif
