/* nf_conntrack_tuple.h - the family-ready tuple, as the kernel spells it,
 * and its conversion to and from the compact IPv4 key the table stores.
 *
 * Mirrors include/net/netfilter/nf_conntrack_tuple.h: struct
 * nf_conntrack_tuple {src {u3, u, l3num}, dst {u3, u, protonum, dir}} with
 * the addresses as union nf_inet_addr and the per-protocol part as union
 * nf_conntrack_man_proto. This is the type for code that must not care
 * about the family (expectations, an nft ct expression, a future IPv6
 * table).
 *
 * Design (measured, see ct.h's comment and docs/ARCHITECTURE.md): the
 * table's stored key stays struct ct_tuple, 16 bytes, IPv4 only (with
 * l3num = NFPROTO_IPV4 in what was padding): with this 40-byte tuple
 * stored instead, the entry would grow from 176 to 224 bytes and the
 * known-flow fields would end at byte 112, breaking both of ct.h's
 * static asserts and the bench's ct_bytes_per_entry_10M <= 192. IPv6
 * entries are to come in a wide variant of the entry with this tuple;
 * nf_ct_tuple_to_ipv4 refuses any other family until then.
 */
#ifndef NAT_CONNTRACK_NF_CONNTRACK_TUPLE_H
#define NAT_CONNTRACK_NF_CONNTRACK_TUPLE_H

#include <stdbool.h>
#include <stdint.h>
#include "nat/core/nf_inet.h"

/* The manipulable part of a tuple (union nf_conntrack_man_proto):
 * ports, the ICMP id, the GRE key; .all for any of them. Host order. */
union nf_conntrack_man_proto {
	uint16_t all;
	struct { uint16_t port; } tcp, udp, dccp, sctp;
	struct { uint16_t id; } icmp;
	struct { uint16_t key; } gre;
};

/* The source half (struct nf_conntrack_man). */
struct nf_conntrack_man {
	union nf_inet_addr u3;
	union nf_conntrack_man_proto u;
	uint16_t l3num;		/* NFPROTO_IPV4, NFPROTO_IPV6 */
};

struct nf_conntrack_tuple {
	struct nf_conntrack_man src;
	struct {
		union nf_inet_addr u3;
		union {
			uint16_t all;
			struct { uint16_t port; } tcp, udp, dccp, sctp;
			struct { uint8_t type, code; } icmp;
			struct { uint16_t key; } gre;
		} u;
		uint8_t protonum;
		uint8_t dir;	/* enum ct_dir */
	} dst;
};

struct ct_tuple;

/* The family-ready tuple of a stored one (l3num NFPROTO_IPV4; an ICMP
 * tuple's id goes to src.u.icmp.id, its type and code to dst.u.icmp). */
void nf_ct_tuple_from_ipv4(const struct ct_tuple *t, struct nf_conntrack_tuple *out);
/* The stored key of a family-ready tuple; false (out untouched) for any
 * family but NFPROTO_IPV4, which the table cannot hold yet. */
bool nf_ct_tuple_to_ipv4(const struct nf_conntrack_tuple *t, struct ct_tuple *out);

#endif
