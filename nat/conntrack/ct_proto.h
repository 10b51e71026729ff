/* ct_proto.h - the protocol trackers behind one small table of operations.
 *
 * Mirrors struct nf_conntrack_l4proto: the core (ct_core.c) parses the tuple,
 * finds or creates the entry and hands the packet to its tracker; the tracker
 * judges it (valid, invalid, "kill and look up again") and sets the timeout.
 * One file per tracker, in nat/conntrack/proto/: ct_proto_tcp.c,
 * ct_proto_udp.c, ct_proto_icmp.c, ct_proto_generic.c (also GRE).
 */
#ifndef NAT_CT_PROTO_H
#define NAT_CT_PROTO_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "nat/conntrack/ct.h"
#include "nat/core/nf_inet.h"

struct nf_ns;

/* The packet as a tracker sees it: the IPv4 datagram (len bytes, trimmed to
 * the IP total length) and where its transport header starts. */
struct ct_pkt {
	const uint8_t *ip;
	uint32_t len;
	uint32_t l4off;
	enum nf_hook hook;
	nf_time now;
};

/* What a tracker's packet() says (the kernel's return values: NF_ACCEPT,
 * -NF_ACCEPT for "invalid, let it go untracked", NF_DROP, -NF_REPEAT). */
enum ct_l4_verdict {
	CT_L4_ACCEPT,	/* valid: the packet belongs to ct */
	CT_L4_INVALID,	/* invalid: untracked, `invalid` counted */
	CT_L4_DROP,	/* drop the packet (`invalid` and `drop` counted) */
	CT_L4_REPEAT,	/* the tracker killed ct: look the packet up again */
};

struct ct_l4proto {
	uint8_t proto;
	/* Clash resolution at confirm may attach the packet to the winner. */
	bool allow_clash;
	/* Judge the packet for entry ct (new, i.e. unconfirmed, or found) in
	 * the direction ctinfo says; refresh ct->timeout. */
	enum ct_l4_verdict (*packet)(struct nf_ns *ns, struct ct_entry *ct,
				     const struct ct_pkt *p, uint8_t ctinfo);
	/* gc_worker's early drop may take this ASSURED entry (NULL: never). */
	bool (*can_early_drop)(const struct ct_entry *ct);
	/* The protocol's part of a `conntrack -L` line before the tuples
	 * (print_conntrack: TCP's state name and a space); NULL: none. */
	void (*print)(const struct ct_entry *ct, GString *out);
};

extern const struct ct_l4proto ct_l4proto_tcp;
extern const struct ct_l4proto ct_l4proto_udp;
extern const struct ct_l4proto ct_l4proto_icmp;
extern const struct ct_l4proto ct_l4proto_gre;
extern const struct ct_l4proto ct_l4proto_generic;

/* The tracker of an IP protocol number (nf_ct_l4proto_find). */
const struct ct_l4proto *ct_l4proto_find(uint8_t proto);

/* Refresh: the entry now expires `seconds` (a sysctl value, may be
 * negative as Linux allows) after `now` (nf_ct_refresh). */
void ct_refresh(struct nf_ns *ns, struct ct_entry *ct, nf_time now, int32_t seconds);
/* What the trackers call for a packet they accept (nf_ct_refresh_acct):
 * the refresh, and the packet counted in its direction if the entry has
 * counters. */
void ct_refresh_acct(struct nf_ns *ns, struct ct_entry *ct, const struct ct_pkt *p,
		     uint8_t ctinfo, int32_t seconds);

/* Counters (ct_acct.c, nf_conntrack_acct.c). ct_acct_ext_add gives a new
 * entry counters when nf_conntrack_acct is 1; ct_acct_find is NULL for an
 * entry without. */
void ct_acct_ext_add(struct nf_ns *ns, struct ct_entry *ct);
const struct ct_acct *ct_acct_find(const struct nf_ns *ns, const struct ct_entry *ct);
void ct_acct_update(struct nf_ns *ns, struct ct_entry *ct, enum ct_dir dir, uint64_t bytes);
void ct_acct_merge(struct nf_ns *ns, struct ct_entry *winner, enum ct_dir dir,
		   const struct ct_entry *loser);
/* Zero an entry's counters (conntrack -L -z). */
void ct_acct_zero(struct nf_ns *ns, struct ct_entry *ct);
/* Drop an entry's counters (before the entry is freed), or all of them. */
void ct_acct_destroy(struct nf_ns *ns, struct ct_entry *ct);
void ct_acct_free_all(struct nf_ns *ns);
/* The counters' extension type (registered by ct_net_init). */
extern const struct nf_ct_ext_type ct_acct_ext;

/* ICMP (ct_proto_icmp.c): nf_conntrack_icmpv4_error for every ICMP packet.
 * Returns 1 if it is not an error (track it as a query), 0 if it is an
 * error RELATED to an entry (skb->ct and ctinfo set), -1 if it is broken or
 * quotes no known entry (the caller counts `error`). */
int ct_icmp_error(struct nf_ns *ns, struct nf_skb *skb, const struct ct_pkt *p);

/* TCP (ct_proto_tcp.c) */
enum ct_tcp_index { TCP_SYN_SET, TCP_SYNACK_SET, TCP_FIN_SET, TCP_ACK_SET, TCP_RST_SET,
		    TCP_NONE_SET, TCP_INDEX_MAX };
/* The kernel's tcp_conntracks[dir][index][state] cell (TCP_CONNTRACK_MAX
 * means invalid, TCP_CONNTRACK_IGNORE ignored). */
uint8_t ct_tcp_table(enum ct_dir dir, enum ct_tcp_index index, enum tcp_ct_state state);
/* get_conntrack_index: the flag class of a TCP flags byte. */
enum ct_tcp_index ct_tcp_flag_index(uint8_t flags);
/* Name of a TCP state as conntrack prints it ("ESTABLISHED"). */
const char *ct_tcp_state_name(unsigned state);

/* Window tracking flags (IP_CT_TCP_FLAG_*) in ct_tcp_dir.flags. */
enum {
	CT_TCP_FLAG_WINDOW_SCALE = 0x01,
	CT_TCP_FLAG_SACK_PERM = 0x02,
	CT_TCP_FLAG_CLOSE_INIT = 0x04,
	CT_TCP_FLAG_BE_LIBERAL = 0x08,
	CT_TCP_FLAG_DATA_UNACKNOWLEDGED = 0x10,
	CT_TCP_FLAG_MAXACK_SET = 0x20,
	CT_TCP_EXP_CHALLENGE_ACK = 0x40,
	CT_TCP_SIMULTANEOUS_OPEN = 0x80,
};

/* Checksum of the transport segment with the IPv4 pseudo header; true if
 * correct (UDP checksum 0: no checksum). nf_checksum(). */
bool ct_l4_csum_ok(const struct ct_pkt *p, uint8_t proto);

/* nf_ct_l4proto_log_invalid: a kernel log line about an invalid packet when
 * nf_conntrack_log_invalid names its protocol (or is 255). */
void ct_log_invalid(struct nf_ns *ns, uint8_t proto, nf_time now, const char *fmt, ...)
	G_GNUC_PRINTF(4, 5);

/* The tracker killed an entry a packet still holds (nf_ct_kill while the
 * skb has a reference): DESTROY now, out of the table at once, memory freed
 * when the packet is released (the entry is put back on ns->ct->unconfirmed,
 * flagged IPS_DYING, so nf_skb_release frees it like an unconfirmed one). */
void ct_entry_kill_held(struct nf_ns *ns, struct ct_entry *ct, nf_time now);

/* ----- table internals shared by ct_core.c, ct_cmd.c, nf_ns.c (ct_table.c) ----- */

void ct_table_set_seed(struct nf_ns *ns, uint32_t seed);
/* A zeroed entry from the slabs (kmem_cache_zalloc of nf_conntrack_cachep),
 * NULL when out of memory; ct_entry_free gives it back. */
struct ct_entry *ct_entry_alloc(void);
void ct_entry_free(struct ct_entry *ct);
/* The unscaled keyed hash of a tuple (hash_conntrack_raw). */
uint32_t ct_hash_raw_of(const struct nf_ns *ns, const struct ct_tuple *t);
/* Hash both tuples, set IPS_CONFIRMED, count it (the caller has taken the
 * entry off ns->ct->unconfirmed). */
void ct_table_insert(struct nf_ns *ns, struct ct_entry *ct);
void ct_table_insert_at(struct nf_ns *ns, struct ct_entry *ct, const uint32_t bucket[CT_DIR_MAX]);
/* Take an entry out of the table or off the unconfirmed list, no event. */
void ct_table_unlink(struct nf_ns *ns, struct ct_entry *ct);
void ct_table_free_all(struct nf_ns *ns);
unsigned ct_table_reap_bucket(struct nf_ns *ns, uint32_t bucket, nf_time now);
/* Kill the expired entries of buckets [first, first + n), in order; returns
 * the earliest timeout left there (NF_TIME_NEVER: none). */
nf_time ct_table_reap_range(struct nf_ns *ns, uint32_t first, uint32_t n, nf_time now);
void ct_table_reap_all(struct nf_ns *ns, nf_time now);
bool ct_table_resize(struct nf_ns *ns, uint32_t size);
unsigned ct_table_early_drop(struct nf_ns *ns, const struct ct_tuple *orig, nf_time now);

#endif
