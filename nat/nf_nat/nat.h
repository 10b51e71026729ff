/* nat.h - NAT: binding an entry to a unique tuple and rewriting packets.
 *
 * Mirrors net/netfilter/nf_nat_core.c, nf_nat_proto.c, nf_nat_masquerade.c,
 * nf_nat_redirect.c. A binding is decided once per entry and manip type, on
 * its first packet; every later packet, both directions, is translated from
 * the entry alone (nf_nat_packet). NAT only touches tuples and packet bytes.
 */
#ifndef NAT_NAT_H
#define NAT_NAT_H

#include <stdbool.h>
#include <stdint.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_ext.h"
#include "nat/core/nf_hook_ops.h"

enum nat_manip { NAT_MANIP_SRC = 0, NAT_MANIP_DST = 1 };

/* Range flags, as the kernel's NF_NAT_RANGE_*. */
enum {
	NF_NAT_RANGE_MAP_IPS = 1 << 0,
	NF_NAT_RANGE_PROTO_SPECIFIED = 1 << 1,
	NF_NAT_RANGE_PROTO_RANDOM = 1 << 2,
	NF_NAT_RANGE_PERSISTENT = 1 << 3,
	NF_NAT_RANGE_PROTO_RANDOM_FULLY = 1 << 4,
	NF_NAT_RANGE_PROTO_OFFSET = 1 << 5,
	NF_NAT_RANGE_NETMAP = 1 << 6,
	NF_NAT_RANGE_PROTO_RANDOM_ALL = NF_NAT_RANGE_PROTO_RANDOM | NF_NAT_RANGE_PROTO_RANDOM_FULLY,
};

/* The kernel's struct nf_nat_range2 (include/uapi/linux/netfilter/
 * nf_nat.h), host byte order: NF_NAT_RANGE_* flags, the address range as
 * union nf_inet_addr (IPv4 in .ip today), the port (or ICMP id) range as
 * union nf_conntrack_man_proto (nf_conntrack_tuple.h), and base_proto,
 * the base of NF_NAT_RANGE_PROTO_OFFSET (natsim does not implement
 * --to-ports offsets, so it is 0). min_port and max_port are natsim's
 * older names of min_proto.all and max_proto.all, kept so code written
 * before this type keeps compiling. */
struct nf_nat_range2 {
	uint32_t flags;
	union nf_inet_addr min_addr, max_addr;
	union {
		union nf_conntrack_man_proto min_proto;
		uint16_t min_port;
	};
	union {
		union nf_conntrack_man_proto max_proto;
		uint16_t max_port;
	};
	union nf_conntrack_man_proto base_proto;
};

/* Which manip a hook performs (HOOK2MANIP): SRC at POSTROUTING and INPUT,
 * DST at PREROUTING and OUTPUT. */
static inline enum nat_manip nat_hook_manip(enum nf_hook h)
{
	return (h == NF_INET_POST_ROUTING || h == NF_INET_LOCAL_IN) ? NAT_MANIP_SRC : NAT_MANIP_DST;
}

/* True if the binding for this manip type was already made. */
/* The NAT range an entry was bound with, for --check ("NATed tuples lie in
 * the rule's range"); flags 0 = null binding. */
struct __attribute__((packed)) ct_nat_range {
	uint32_t min_addr, max_addr;
	uint16_t min_port, max_port;
	uint8_t flags;		/* NF_NAT_RANGE_* (all below 1 << 8) */
};

/* NAT's per-entry data (the kernel's struct nf_conn_nat), a conntrack
 * extension (NF_CT_EXT_NAT) in the entry's extension area: added by the
 * first binding (nat_setup) or MASQUERADE, found with nf_ct_nat_ext.
 * Packed to the area's 36 bytes (ct.h): the link is the last 8, which sit
 * 8-aligned in the entry (area at 132, link at 160). */
struct __attribute__((packed)) nf_conn_nat {
	int8_t masq_if;		/* MASQUERADE: index into ns->nat->masq_ifnames, -1 none */
	struct ct_nat_range range[2]; /* [NAT_MANIP_SRC], [NAT_MANIP_DST] */
	uint8_t pad;
	struct ct_entry *bysource_next;	/* the nf_nat_bysource chain */
};

/* nfct_nat: the entry's NAT data, NULL if it was never bound. */
static inline struct nf_conn_nat *nf_ct_nat_ext(const struct ct_entry *ct)
{
	return nf_ct_ext_find(ct, NF_CT_EXT_NAT);
}

/* The bysource chain's next entry (every entry on a chain has the data). */
static inline struct ct_entry *nat_bysource_next(const struct ct_entry *ct)
{
	return nf_ct_nat_ext(ct)->bysource_next;
}

static inline bool nat_initialized(const struct ct_entry *ct, enum nat_manip m)
{
	return ct->status & (m == NAT_MANIP_SRC ? IPS_SRC_NAT_DONE : IPS_DST_NAT_DONE);
}

/* The status bit that says a packet of direction `dir` gets this manip
 * (nf_nat_packet's statusbit): IPS_SRC_NAT/IPS_DST_NAT, swapped for replies. */
static inline unsigned long nat_statusbit(enum nat_manip manip, enum ct_dir dir)
{
	unsigned long bit = manip == NAT_MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT;

	return dir == CT_DIR_REPLY ? bit ^ IPS_NAT_MASK : bit;
}

/* nf_nat_setup_info: choose a unique tuple within range (get_unique_tuple),
 * set the unconfirmed entry's REPLY tuple, set IPS_SRC_NAT/IPS_DST_NAT if it
 * changed and the *_DONE bit. Returns NF_ACCEPT (also when no unique tuple
 * exists: the clash is found at confirm, as in the kernel). */
int nat_setup_info(struct nf_ns *ns, struct ct_entry *ct, const struct nf_nat_range2 *range,
		   enum nat_manip manip, nf_time now);
/* nf_nat_alloc_null_binding: no rule matched; bind to the current address
 * (which may still change the port to make the reply tuple unique). */
int nat_setup_null_binding(struct nf_ns *ns, struct ct_entry *ct, enum nat_manip manip,
			   nf_time now);
/* MASQUERADE (nf_nat_masquerade_ipv4): the address of `out`, range ports. */
int nat_masquerade(struct nf_ns *ns, struct ct_entry *ct, const struct nf_nat_range2 *range,
		   const char *out, nf_time now);
/* REDIRECT (nf_nat_redirect_ipv4): the primary address of `in`, 127.0.0.1 for
 * locally generated packets (in == NULL). */
int nat_redirect(struct nf_ns *ns, struct ct_entry *ct, const struct nf_nat_range2 *range,
		 const char *in, enum nf_hook hook, nf_time now);

/* nf_nat_packet: apply the entry's manipulations for this hook and the
 * packet's direction, with incremental checksum updates (RFC 1624). Also
 * handles ICMP errors RELATED to a NATed entry (nf_nat_icmp_reply_translation).
 * Returns NF_ACCEPT or NF_DROP. */
int nat_packet(struct nf_ns *ns, struct nf_skb *skb, enum nf_hook hook);
/* The same on the hook's packet-info record (st->pkt), what NAT's hook op
 * calls; nat_packet parses a record of its own. */
struct nf_hook_state;
int nf_nat_packet(struct nf_ns *ns, struct nf_skb *skb, const struct nf_hook_state *st);

/* NAT's rule lookups (nf_nat_ipv4_register_fn, nat_hooks.c): `ops` runs
 * for a new entry at ops->hook, in ops->priority order among the lookups of
 * that hook, until one binds; the first registered brings NAT's own hook
 * ops, the last unregistered takes them away. 0 or -1. */
struct nf_pernet_ops;
/* NAT's per-namespace state (the kernel's nat_net and nf_nat_bysource):
 * ns->nat, made by nat_pernet_ops' init (with NAT's conntrack extension and
 * the prefetch hint), freed by its exit. */
struct nf_nat_net {
	/* nf_nat_bysource hash, sized like the ct table (nat_core.c) */
	struct ct_entry **bysource;
	uint32_t bysource_size;
	char masq_ifnames[16][16];	/* interfaces used by MASQUERADE entries */
	unsigned masq_nifnames;
	/* the range of the last SNAT binding that chose an address: a prefetch
	 * hint for the next new entry (nat_prefetch_new), never a decision */
	struct nf_nat_range2 hint_range;
	bool hint_valid;
	/* the rule lookups per hook (nat_hooks.c), and how many in all */
	struct nf_hook_entries lookups[NF_INET_NUMHOOKS];
	unsigned lookup_count;
};
extern const struct nf_pernet_ops nat_pernet_ops;
int nf_nat_ipv4_register_fn(struct nf_ns *ns, const struct nf_hook_ops *ops);
void nf_nat_ipv4_unregister_fn(struct nf_ns *ns, const struct nf_hook_ops *ops);

/* Buckets of a new packet's chains, for nat_prefetch_flow's later depths. */
struct nat_prefetch {
	uint32_t bucket[3];	/* original, its inverse, the likely SNAT reply */
	uint32_t bysource;
};
void nat_prefetch_flow(const struct nf_ns *ns, const struct ct_tuple *orig,
		       struct nat_prefetch *pf, unsigned depth);
/* For one new entry: bring in the chains NAT and confirm walk first, side
 * by side so their misses overlap. A pure hint (nat_core.c; conntrack calls it through ns->ct->new_hint). */
void nat_prefetch_new(const struct nf_ns *ns, const struct ct_tuple *orig);

/* The entry is being freed: drop it from the bysource hash. ct_entry_kill()
 * (and any other path that frees an entry) must call it. */
void nat_ct_destroy(struct nf_ns *ns, struct ct_entry *ct);
/* Free NAT's per-namespace state (the bysource hash, MASQUERADE interface
 * names): call from nf_ns_free() and nf_ns_reset() after the entries are gone. */
void nat_ns_free(struct nf_ns *ns);
/* Index of `ifname` in ns->nat->masq_ifnames (what nf_conn_nat's masq_if holds), -1 if no
 * MASQUERADE entry ever used it. */
int nat_masquerade_ifindex(struct nf_ns *ns, const char *ifname);

/* Jenkins hash jhash2 of `k` words with initval (include/linux/jhash.h),
 * unseeded, as find_best_ips_proto uses it to pick a pool address. */
uint32_t nat_jhash2(const uint32_t *k, uint32_t length, uint32_t initval);

#endif
