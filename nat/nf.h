/* nf.h - the narrow interface between the simulator and the netfilter layer.
 *
 * A router owns one `struct nf_ns` (a network namespace's netfilter state:
 * sysctls, conntrack table, iptables tables, NAT state). The simulator calls
 * nf_hook() at each hook in kernel order (PREROUTING, INPUT, FORWARD, OUTPUT,
 * POSTROUTING) and obeys the verdict; it runs the administrator's commands
 * through nf_cmd_*(). nat/ never schedules events or writes files: it reaches
 * the outside world only through the callbacks of `struct nf_env`.
 *
 * Addresses and ports in this interface are in host byte order (the byte
 * and address helpers are nat/core/nf_inet.h's; the shared types, struct
 * nf_skb among them, nat/core/nf_types.h's; natsim's voice for what it lacks,
 * natsim_unimpl, nat/core/unimpl.h's: all included here). Where it is
 * implemented: the namespace in nat/core/nf_ns.c; nf_hook(), the walk of
 * the hook users registered per hook by priority, in nat/core/nf_hook_ops.c
 * (the users: conntrack in nat/conntrack/ct_hooks.c, NAT and its rule
 * lookups in nat/nf_nat/nat_hooks.c, iptables' tables in
 * nat/iptables/ipt_hooks.c; docs/ARCHITECTURE.md lists them); the skb's
 * release, hold and attach in ct_hooks.c; modprobe in nat/nf_modprobe.c;
 * the net.netfilter knobs in nat/conntrack/ct_sysctl.c; the conntrack command,
 * queries and gc in nat/conntrack/ (ct_cmd.c, nf_peek.c, ct_gc.c); the
 * iptables commands, rule counters and service in nat/iptables/ (ipt_cmd.c,
 * ipt_table.c, ipt_service.c); MASQUERADE's interface events in nat_hooks.c; --check in
 * nat/nf_check.c.
 */
#ifndef NAT_NF_H
#define NAT_NF_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "nat/core/nf_types.h"
#include "nat/core/unimpl.h"

struct nf_ns;

/* A fresh namespace: conntrack not loaded, empty tables, default sysctls.
 * `hash_seed` keys the conntrack hash (drawn from the run's generator). */
struct nf_ns *nf_ns_new(const struct nf_env *env, uint32_t hash_seed);
void nf_ns_free(struct nf_ns *ns);
/* `reboot`: drop every rule, entry and sysctl change (back to nf_ns_new state). */
void nf_ns_reset(struct nf_ns *ns);

/* True once conntrack is loaded (modprobe, or a rule that needs it). */
bool nf_ct_enabled(const struct nf_ns *ns);

/* Run one hook on a packet. `in`/`out` are interface names or NULL.
 * Returns an enum nf_verdict. */
int nf_hook(struct nf_ns *ns, enum nf_hook hook, struct nf_skb *skb,
	    const char *in, const char *out, nf_time now);

/* The packet is leaving the router's stack (sent, delivered or dropped): an
 * unconfirmed entry still attached is freed, as the kernel frees it with the
 * skb. Always call it once per packet that went through nf_hook(). */
void nf_skb_release(struct nf_ns *ns, struct nf_skb *skb);

/* The packet is parked for a while (a neighbour queue, the loopback): like
 * the kernel's skb it keeps a reference on its entry until nf_skb_release,
 * so `conntrack -L` shows use=2 meanwhile, and an entry that expires or is
 * deleted in between leaves the table but stays usable by the packet (and by
 * an ICMP error about it, nf_ct_attach) until it is released. */
void nf_skb_hold(struct nf_ns *ns, struct nf_skb *skb);

/* nf_ct_attach: an ICMP error the router builds about packet `skb` carries
 * skb's entry, RELATED in the other direction, so conntrack does not look it
 * up again at OUTPUT (icmp_glue_bits). `nskb` only borrows the entry. */
void nf_ct_attach(struct nf_skb *nskb, const struct nf_skb *skb);

/* nf_send_reset's nf_ct_set_closing: the TCP entry of a segment the router
 * answered with a RST (REJECT --reject-with tcp-reset) moves to CLOSE with
 * the close timeout (nf_conntrack_tcp_set_closing; confirmed TCP entries
 * only; an [UPDATE] event). */
void nf_ct_set_closing(struct nf_ns *ns, const struct nf_skb *skb, nf_time now);

/* The garbage collector on the simulated clock (gc_worker): it ticks at
 * every whole simulated second from 1 s; a tick scans a slice of the table,
 * reaping expired entries (DESTROY events). nf_gc runs the ticks up to `now`
 * not yet run, in order: those with work (nf_gc_next) are run, the others
 * only move the scan cursor, in one step however many they are. Returns how
 * many ticks had work. The caller must have run the ticks that precede an
 * event before handing the namespace that event (a packet, a command). */
unsigned nf_gc(struct nf_ns *ns, nf_time now);
/* The first tick not yet run that has work (a reap or the early drop), with
 * the table as it is; NF_TIME_NEVER if none. Ticks before it reap nothing. */
nf_time nf_gc_next(struct nf_ns *ns);
/* Simulated nanoseconds between two ticks. */
#define NF_GC_INTERVAL 1000000000LL

/* An interface lost an address or went down: MASQUERADE entries using it are
 * flushed (masq_inet_event / masq_device_event). addr 0: every address. */
void nf_iface_addr_gone(struct nf_ns *ns, const char *ifname, uint32_t addr,
			nf_time now);

/* Commands. argv[0] is the command name ("iptables", "conntrack", ...).
 * Output a Linux user would see on stdout goes to `out`, on stderr to `err`.
 * Each returns the real tool's exit status: 0 on success, else its own code
 * (iptables 1 runtime error, 2 parameter problem, 3 unknown table, 4 refused
 * by the kernel; conntrack 2 for a parameter problem, 1 when -D deleted
 * nothing) with its own text in `err`. `dry_run` only validates syntax (used
 * by `natsim check` and at parse time) and must not change any state. */
int nf_cmd_iptables(struct nf_ns *ns, int argc, char **argv, GString *out,
		    GString *err, bool dry_run, nf_time now);
/* What `natsim check` knows before the run about a router's chains: the
 * built-in ones and the names its earlier commands may have created (-N,
 * -E; any name at all after iptables-restore or the iptables service).
 * Names are only ever added, so a reference is refused only when no earlier
 * command could have made it, never in a valid scenario. */
struct nf_chain_names;
struct nf_chain_names *nf_chain_names_new(void);
void nf_chain_names_free(struct nf_chain_names *names);
/* From now on any chain may exist. */
void nf_chain_names_any(struct nf_chain_names *names);
/* Check one iptables command line (argv[0] is the program) against the
 * chains that may exist (`-A FORWRD`, `-j NOPE`, `-P` of a user chain, a bad
 * policy), then record the chains it creates. 0, or iptables' exit status
 * with its message in err. A line that does not parse is left to the dry
 * run of nf_cmd_iptables. */
int nf_cmd_iptables_chains(struct nf_chain_names *names, int argc, char **argv, GString *err);
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

/* nft (nat/nftables/): `nft -f FILE`, `nft -f -` (stdin_text), `nft list
 * ruleset`, ... as nft 1.0.6 prints them; read_file gives a file's text
 * (g_malloc'ed) or NULL. The ruleset is not applied to packets yet: the
 * first load of a base chain appends natsim's notice to err, once per run.
 * dry_run checks only what natsim lacks (a table's existence depends on the
 * commands before). Exit status 0 or 1, as nft's. */
typedef char *(*nf_read_file_fn)(void *priv, const char *path);
int nf_cmd_nft(struct nf_ns *ns, int argc, char **argv, const char *stdin_text,
	       nf_read_file_fn read_file, void *priv, GString *out, GString *err, bool dry_run);
int nf_cmd_conntrack(struct nf_ns *ns, int argc, char **argv, GString *out,
		     GString *err, bool dry_run, nf_time now);
/* modprobe nf_conntrack (and nf_nat, iptable_nat... accepted); conntrack
 * tracks only with enable_hooks (nf_conntrack enable_hooks=1). */
int nf_cmd_modprobe(struct nf_ns *ns, const char *module, bool enable_hooks, GString *err,
		    bool dry_run);

/* sysctl knobs under net.netfilter. (and net.nf_conntrack_max).
 * Returns 0, or 2 with "sysctl: cannot stat /proc/sys/...: No such file or
 * directory" style text in err for an unknown name, or an invalid value. */
bool nf_sysctl_owns(const char *name);
int nf_sysctl_set(struct nf_ns *ns, const char *name, const char *value,
		  GString *err, bool dry_run, nf_time now);
int nf_sysctl_get(struct nf_ns *ns, const char *name, GString *value, nf_time now);

/* Queries for expectations and summary.json. */
unsigned nf_ct_count(struct nf_ns *ns, nf_time now);
/* `conntrack -L` lines into out (one per entry, newline-terminated). */
unsigned nf_ct_list(struct nf_ns *ns, nf_time now, GString *out);
/* A `conntrack -S` counter by name; false if no such counter. */
bool nf_ct_stat(struct nf_ns *ns, const char *name, uint64_t *value);
/* Names of all conntrack -S counters, NULL-terminated, in -S order. */
const char *const *nf_ct_stat_names(void);
/* Packet counter of rule number `rule` (1-based) in table/chain. */
bool nf_ipt_rule_packets(struct nf_ns *ns, const char *table, const char *chain,
			 unsigned rule, uint64_t *packets);

/* A side-effect-free look at a router's conntrack numbers for the report
 * (--report): no reaping, no events, so watching never changes the run. */
struct nf_ct_peek {
	uint32_t count;		/* nf_conntrack_count (expired, unreaped included) */
	uint32_t peak;		/* the highest count since the namespace started */
	uint32_t max;		/* nf_conntrack_max */
	uint64_t drop, early_drop, insert_failed, invalid;
};
void nf_ct_peek(const struct nf_ns *ns, struct nf_ct_peek *out);

/* --check: verify the invariants nf_check.c lists. Returns true if they hold; on a
 * violation appends a message naming the broken invariant to `why`. */
bool nf_check_invariants(struct nf_ns *ns, nf_time now, GString *why);
/* --check's last point: the packet a router sends (after POSTROUTING) matches
 * its entry's tuple for its direction. */
bool nf_check_packet(struct nf_ns *ns, const struct nf_skb *skb, GString *why);

#endif
