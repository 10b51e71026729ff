/* nf_ns.h - the whole netfilter state of one router (internal to nat/).
 *
 * The kernel spreads this over struct net (net->ct, net->nf, net->ipv4...);
 * we keep one plain struct per router, filled by the modules the assembly
 * lists (struct nf_pernet_ops, nat/nf_pernet.c), with the hook users'
 * lists (nf_hook_ops.h) and conntrack's extension types. Everything here is
 * reset by reboot. Still to do: each module's state behind its own pointer,
 * so this header stops including conntrack, NAT and iptables.
 */
#ifndef NAT_NF_NS_H
#define NAT_NF_NS_H

#include <glib.h>
#include "nat/core/nf_hook_ops.h"
#include "nat/conntrack/ct.h"
#include "nat/iptables/ipt.h"
#include "nat/nf_nat/nat.h"
#include "nat/nf.h"

/* Timeouts and knobs, each under its Linux sysctl name (see nat/conntrack/ct_sysctl.c).
 * Timeouts are in seconds, as the sysctls read. */
struct nf_sysctl {
	uint32_t ct_max;		/* nf_conntrack_max */
	uint32_t ct_buckets;		/* nf_conntrack_buckets (as rounded) */
	uint32_t ct_checksum;		/* nf_conntrack_checksum */
	uint32_t ct_log_invalid;	/* nf_conntrack_log_invalid */
	uint32_t ct_acct, ct_timestamp, ct_events;
	uint32_t tcp_timeout[TCP_CONNTRACK_TIMEOUT_MAX]; /* indexed by state, plus RETRANS/UNACK */
	uint32_t tcp_loose, tcp_be_liberal, tcp_max_retrans, tcp_ignore_invalid_rst;
	uint32_t udp_timeout, udp_timeout_stream;
	uint32_t icmp_timeout, generic_timeout;
	uint32_t gre_timeout, gre_timeout_stream;
	/* knobs Linux has that natsim stores and shows but does not simulate
	 * (sctp, icmpv6, frag6, expect_max, ...): see ct_sysctl.c */
	int32_t other[24];
};

/* The garbage collector's expiry index (ct_gc.c): the table cut into
 * units (the slices gc_worker scans are whole units) and blocks (a unit is
 * whole blocks), each with a lower bound of the timeouts of the entries
 * with a tuple in it. NF_TIME_NEVER: nothing there. */
struct ct_gc_index {
	uint32_t batch;		/* buckets scanned per tick */
	uint32_t unit;		/* buckets per unit: gcd(batch, buckets) */
	uint32_t nunits, step;	/* units in the table; units per tick */
	uint32_t block_shift;	/* a block is 1 << block_shift buckets */
	uint32_t nblocks;
	nf_time *block_min;	/* [nblocks] */
	nf_time *unit_min;	/* [nunits] */
};

/* conntrack -S counters (struct ip_conntrack_stat). */
struct nf_ct_stats {
	uint64_t found, invalid, insert, insert_failed, drop, early_drop, error,
		search_restart, clash_resolve, chaintoolong;
};

/* A module's per-namespace state (struct pernet_operations): init on a new
 * namespace and after reboot's wipe, exit before the wipe and at free. The
 * assembly (nat/nf_pernet.c) lists which modules a router has. */
struct nf_pernet_ops {
	const char *name;
	void (*init)(struct nf_ns *ns);
	void (*exit)(struct nf_ns *ns);
};

/* Room for conntrack extension types (enum nf_ct_ext_id, ct_ext.h). */
#define NF_CT_EXT_MAX_TYPES 4
struct nf_ct_ext_type;

struct nf_ns {
	struct nf_env env;
	const struct nf_pernet_ops *const *pernet;	/* the assembly's modules */
	unsigned npernet;
	bool ct_loaded;		/* nf_conntrack loaded (modprobe, nat table, state match):
				 * holds one of ct_users (nf_ct_load) */
	bool nat_loaded;	/* iptable_nat loaded: any `-t nat` command (its rule
				 * lookups registered with NAT, ipt_nat_load) */
	unsigned ct_users;	/* nf_ct_netns_get users: conntrack's ops registered */
	/* the hook users, one priority-sorted list per hook (nf_hook_ops.c) */
	struct nf_hook_entries hooks[NF_INET_NUMHOOKS];
	/* NAT's rule lookups per hook (nat_hooks.c), and how many in all */
	struct nf_hook_entries nat_lookups[NF_INET_NUMHOOKS];
	unsigned nat_lookup_count;
	struct nf_sysctl sysctl;
	struct nf_ct_stats stats;

	/* conntrack table (ct_table.c) */
	uint32_t hash_seed;
	uint64_t hash_key[2];		/* derived from hash_seed (ct_table.c) */
	struct ct_tuple_node **buckets;	/* sysctl.ct_buckets chain heads */
	uint32_t ct_count;		/* entries in the table, expired included */
	uint32_t ct_count_peak;		/* the most nf_conntrack_count has been since
					 * the namespace started (summary.json) */
	uint32_t ct_held_dead;		/* killed while held, not yet freed (IPS_HELD_DEAD):
					 * nf_conntrack_count includes them */
	struct ct_entry *unconfirmed;	/* created, not yet confirmed */
	GHashTable *acct;		/* struct ct_entry * -> struct ct_acct * (ct_acct.c) */
	/* registered conntrack extension types, by id (ct_ext.c) */
	const struct nf_ct_ext_type *ct_ext_types[NF_CT_EXT_MAX_TYPES];
	/* a hint at each new entry's creation (NAT's prefetch); NULL: none */
	void (*ct_new_hint)(const struct nf_ns *ns, const struct ct_tuple *t);

	/* table full warning rate limit (net_ratelimit: 10 per 5 s) */
	nf_time ratelimit_begin;
	unsigned ratelimit_printed, ratelimit_missed;

	/* gc_worker state (ct_gc.c): next bucket to scan, and the early drop
	 * a failed allocation asked for (conntrack_gc_work.early_drop) */
	uint32_t gc_next_bucket;
	bool gc_early_drop;
	/* the next tick not yet run (kept across reboot: the clock goes on),
	 * and the first tick with work (nf_gc_next) while gc_wake_valid */
	bool gc_wake_valid;
	nf_time gc_tick, gc_wake;
	struct ct_gc_index gc_index;
	/* when nf_conntrack_max was last set (--check: an older table may
	 * legitimately hold more entries than a lowered maximum) */
	nf_time ct_max_set_at;

	/* NAT (nat_core.c): nf_nat_bysource hash, sized like the ct table */
	struct ct_entry **nat_bysource;
	uint32_t nat_bysource_size;
	char masq_ifnames[16][16];	/* interfaces used by MASQUERADE entries */
	unsigned masq_nifnames;
	/* the range of the last SNAT binding that chose an address: a prefetch
	 * hint for the next new entry (nat_prefetch_new), never a decision */
	struct nat_range nat_hint_range;
	bool nat_hint_valid;
	enum nf_hook cur_hook;		/* hook nf_hook() is running (trace lines) */

	/* iptables (ipt_*.c) */
	struct ipt_table tables[IPT_NTABLES];

	/* conntrack -E listeners: events are always written to the event log;
	 * this counts what a `conntrack -E` has shown, for its summary line. */
	uint64_t events_shown;

	/* the nft ruleset (nat/nftables/, through nat/nf_nft.c), opaque to
	 * the core, freed with the namespace */
	void *nft;
	void (*nft_free)(void *nft);
};

/* A namespace with the modules `pernet` lists (their init in order): what
 * nf_ns_new (nat/nf_pernet.c) makes with all of them, and a test with only
 * conntrack's. nf_ns_destroy runs their exits in reverse order and frees;
 * nf_ns_reinit is reboot: exits, a wipe keeping env, the hash seed and the
 * gc clock, inits. */
struct nf_ns *nf_ns_create(const struct nf_env *env, uint32_t hash_seed,
			   const struct nf_pernet_ops *const *pernet, unsigned n);
void nf_ns_destroy(struct nf_ns *ns);
void nf_ns_reinit(struct nf_ns *ns);

/* One line of the packet walk, printf-style; free when tracing is off. */
void nf_trace(struct nf_ns *ns, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Packet-walk layout (the simulator prints the same columns): a step line is
 * "  HOOK        STAGE      text" (hook in 11 columns, stage in 10: raw,
 * conntrack, mangle, nat, filter), continuation lines start at the text
 * column, so a block reads down in a 100-column terminal. Use as
 *   nf_trace(ns, NF_TRACE_STEP "NEW: ...", nf_hook_name(hook), "conntrack");
 *   nf_trace(ns, NF_TRACE_MORE "ORIGINAL ...");  */
#define NF_TRACE_STEP "  %-11s %-10s "
#define NF_TRACE_MORE "                         "

static inline const char *nf_hook_name(enum nf_hook h)
{
	static const char *const names[NF_INET_NUMHOOKS] = {
		"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING",
	};
	return (unsigned)h < NF_INET_NUMHOOKS ? names[h] : "?";
}
/* A kernel log line, printf-style. */
void nf_klog(struct nf_ns *ns, nf_time now, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Default values of every knob (Linux 6.x). */
void nf_sysctl_defaults(struct nf_sysctl *s);

#endif
