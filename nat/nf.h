/* nf.h - the narrow interface between the simulator and the netfilter layer.
 *
 * A router owns one `struct nf_ns` (a network namespace's netfilter state:
 * core's, and a pointer to each module's: sysctls and conntrack table,
 * NAT state, iptables tables; nat/core/nf_ns.h). The simulator calls
 * nf_hook() at each hook in kernel order (PREROUTING, INPUT, FORWARD, OUTPUT,
 * POSTROUTING) and obeys the verdict; it runs the administrator's commands
 * through nf_cmd_*(). nat/ never schedules events or writes files: it reaches
 * the outside world only through the callbacks of `struct nf_env`.
 *
 * Addresses and ports in this interface are in host byte order (the byte
 * and address helpers are nat/core/nf_inet.h's; the shared types, struct
 * nf_skb among them, nat/core/nf_types.h's; natsim's voice for what it lacks,
 * natsim_unimpl, nat/core/unimpl.h's: all included here). The gc and the
 * conntrack queries are declared in nat/conntrack/nf_conntrack.h,
 * iptables-save/-restore and the iptables service in
 * nat/iptables/nf_iptables.h, both included here: those modules define
 * them and may not include this assembled header. Where it is
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
#include "nat/conntrack/nf_conntrack.h"
#include "nat/core/nf_types.h"
#include "nat/core/unimpl.h"
#include "nat/ipset/nf_ipset.h"
#include "nat/iptables/nf_iptables.h"
#include "nat/nftables/nf_nft_event.h"

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

/* The ingress of device `in`, before ip_rcv (nf_flow_offload_ip_hook), on
 * the IPv4 datagram ip (len bytes from ip to the frame's end): true if an
 * nft flowtable's offloaded flow took it: it is rewritten in place (NAT,
 * TTL - 1) and leaves by *out, skipping PREROUTING..POSTROUTING, with no
 * conntrack entry. False: the usual path. Cheap without flows. */
bool nf_flow_offload_ip_hook(struct nf_ns *ns, uint8_t *ip, uint32_t len, const char *in,
			     nf_time now, const char **out);
/* Whether the namespace has offloaded flows at all: ip_rcv asks this first,
 * so a router without flows pays one small call per packet. */
bool nf_flow_offload_any(const struct nf_ns *ns);

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

/* iptables-translate ARGS and iptables-restore-translate -f FILE
 * (nat/iptables/ipt_xlate.c): the nft form iptables 1.8.9 prints, its
 * untranslatable rules as `nft # ...` comments and its errors; no state is
 * read or changed. restore_translate_file reads the options: -1 with *file
 * set, else the exit status (usage, -V) with its text written. */
int nf_cmd_iptables_translate(int argc, char **argv, GString *out, GString *err);
int nf_cmd_iptables_restore_translate_file(int argc, char **argv, const char **file,
					   GString *out, GString *err);
int nf_cmd_iptables_restore_translate(const char *prog, const char *text, nf_time now,
				      GString *out, GString *err);

/* nft (nat/nftables/): `nft -f FILE`, `nft -f -` (stdin_text), `nft list
 * ruleset`, ... as nft 1.0.6 prints them; read_file gives a file's text
 * (g_malloc'ed) or NULL. The ruleset is not applied to packets yet: the
 * first load of a base chain appends natsim's notice to err, once per run.
 * dry_run checks only what natsim lacks (a table's existence depends on the
 * commands before). Exit status 0 or 1, as nft's. */
typedef char *(*nf_read_file_fn)(void *priv, const char *path);
/* The node's paths a glob(3) pattern matches (nft's `include`), sorted,
 * directories marked with a trailing '/': a g_strfreev list, or NULL. */
typedef char **(*nf_glob_fn)(void *priv, const char *pattern);
int nf_cmd_nft(struct nf_ns *ns, int argc, char **argv, const char *stdin_text,
	       nf_read_file_fn read_file, void *priv, GString *out, GString *err, bool dry_run);
/* The same at the simulated time now: set element timeouts start and
 * expire on it (nf_cmd_nft uses the time of the namespace's last one). */
int nf_cmd_nft_at(struct nf_ns *ns, int argc, char **argv, const char *stdin_text,
		  nf_read_file_fn read_file, nf_glob_fn glob, void *priv, GString *out, GString *err, bool dry_run,
		  nf_time now);
int nf_cmd_conntrack(struct nf_ns *ns, int argc, char **argv, GString *out,
		     GString *err, bool dry_run, nf_time now);
/* modprobe nf_conntrack (and nf_nat, iptable_nat... accepted); conntrack
 * tracks only with enable_hooks (nf_conntrack enable_hooks=1). */
int nf_cmd_modprobe(struct nf_ns *ns, const char *module, bool enable_hooks, GString *err,
		    bool dry_run);
/* A module parameter natsim honours other than enable_hooks (nf_conntrack_ftp
 * ports=21,2121, nf_conntrack_tftp ports=69,1069): 0 once applied (loads the module with it), -1 if natsim
 * does not take that parameter of that module (nothing said), 1 with the
 * error in err (a bad value). */
int nf_cmd_modprobe_param(struct nf_ns *ns, const char *module, const char *param,
			  GString *err, bool dry_run);

/* sysctl knobs under net.netfilter. (and net.nf_conntrack_max).
 * Returns 0, or 2 with "sysctl: cannot stat /proc/sys/...: No such file or
 * directory" style text in err for an unknown name, or an invalid value. */
bool nf_sysctl_owns(const char *name);
int nf_sysctl_set(struct nf_ns *ns, const char *name, const char *value,
		  GString *err, bool dry_run, nf_time now);
int nf_sysctl_get(struct nf_ns *ns, const char *name, GString *value, nf_time now);

/* Packet counter of rule number `rule` (1-based) in table/chain. */
bool nf_ipt_rule_packets(struct nf_ns *ns, const char *table, const char *chain,
			 unsigned rule, uint64_t *packets);


/* --check: verify the invariants nf_check.c lists. Returns true if they hold; on a
 * violation appends a message naming the broken invariant to `why`. */
bool nf_check_invariants(struct nf_ns *ns, nf_time now, GString *why);
/* --check's last point: the packet a router sends (after POSTROUTING) matches
 * its entry's tuple for its direction. */
bool nf_check_packet(struct nf_ns *ns, const struct nf_skb *skb, GString *why);

#endif
