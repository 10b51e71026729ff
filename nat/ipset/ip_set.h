/* ip_set.h - ipset's sets inside nat/: the namespace's store, the set
 * types, and what the `ipset` command and the set match/target call.
 *
 * Mirrors the kernel's net/netfilter/ipset/: ip_set_core.c (the sets of a
 * namespace by index, references, swap, rename, the timeout and counter
 * extensions), one type family per file (ip_set_hash.c: hash:ip, hash:net,
 * hash:ip,port, hash:net,port, hash:net,iface; ip_set_bitmap_port.c;
 * ip_set_list_set.c), and ipset 7.17's userspace (ip_set_cmd.c: the
 * command's parser, its list/save texts and messages).
 *
 * Design: a set is a slot (struct ip_set: name and reference count, as
 * the kernel's ip_set_list[index]) holding a body (type, options and
 * elements). A rule refers to the slot, so `ipset swap`, which exchanges
 * bodies and keeps names and references in place, redirects rules as the
 * kernel's index swap does. Elements are kept in the order they were added
 * (the kernel lists a hash in bucket order, which depends on the set's
 * random initval: no order is stable there); lookups are linear, which the
 * small sets of a simulation afford. Element fields are host order.
 */
#ifndef NAT_IP_SET_H
#define NAT_IP_SET_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "nat/core/nf_types.h"

#define IPSET_MAXNAMELEN 32
#define IPSET_VERSION "v7.17"

struct nf_ns;
struct ip_set;

/* One element: the key fields a type uses, its extensions. */
struct ip_set_elem {
	uint32_t ip;
	uint8_t cidr;		/* hash:net*: prefix length; others 32 */
	uint8_t proto;		/* *,port: the protocol (tcp 6, udp 17, icmp 1, ...) */
	uint16_t port;		/* a port; icmp: type << 8 | code */
	bool physdev;		/* hash:net,iface: physdev:IFACE */
	bool nomatch;		/* hash:net*: a "nomatch" exception */
	char iface[16];
	struct ip_set *member;	/* list:set: the member set */
	/* extensions (kernel's ip_set_ext) */
	nf_time expires;	/* 0: no timeout */
	uint64_t packets, bytes;
	char *comment;
};

/* Create options as parsed (ip_set_create's attributes). */
struct ip_set_create_opts {
	bool has_timeout, counters, comment, inet6;
	uint32_t timeout;		/* default timeout of the set's elements */
	uint32_t hashsize, maxelem;	/* hash: after the kernel's rounding */
	uint32_t bucketsize;		/* hash: even, 2 to 12 */
	bool has_initval;		/* hash: initval given (ipset save prints it) */
	uint32_t initval;
	uint16_t first, last;		/* bitmap:port range */
	uint32_t size;			/* list:set */
};

/* What a packet offers a set (the kernel reads the skb; here the match
 * hands what ipt_do_table parsed). */
struct ip_set_pkt {
	uint32_t src, dst, len;
	uint16_t frag;
	uint8_t proto;
	const uint8_t *l4;
	uint32_t l4len;
	const char *in, *out;
	nf_time now;
};

/* Flags of a kernel-side lookup (struct ip_set_adt_opt). */
enum {
	IPSET_DIM_SRC_SHIFT = 0,	/* bit i: dimension i+1 is src (else dst) */
	IPSET_F_RETURN_NOMATCH = 1u << 8,
	IPSET_F_SKIP_COUNTER = 1u << 9,
	IPSET_F_SKIP_SUBCOUNTER = 1u << 10,
	IPSET_F_MATCH_COUNTERS = 1u << 11,
	IPSET_F_EXIST = 1u << 12,
};

/* Counter comparisons of -m set (IPSET_COUNTER_*). */
enum ip_set_counter_op { IPSET_CNT_NONE, IPSET_CNT_EQ, IPSET_CNT_NE, IPSET_CNT_LT, IPSET_CNT_GT };

struct ip_set_adt_opt {
	uint8_t dim;		/* dimensions given (src,dst,...) */
	unsigned flags;		/* dimension bits and IPSET_F_* */
	uint32_t timeout;	/* -j SET --timeout; UINT32_MAX: the set's default */
	enum ip_set_counter_op packets_op, bytes_op;
	uint64_t packets, bytes;
};

/* A type (struct ip_set_type): its element's text, from a packet, its
 * header. The family file defines the table; ip_set_core.c finds it. */
struct ip_set_type {
	const char *name;
	uint8_t revision;
	uint8_t dimension;		/* IPSET_DIM_ONE.. of the type */
	/* The elements an `add/del/test` argument means (ranges expand),
	 * appended to `out` (struct ip_set_elem, key fields only); 0, or 1
	 * with ipset's message in err. For test, a single element. */
	int (*parse)(struct nf_ns *ns, const struct ip_set *set, const char *arg, bool test,
		     GArray *out, GString *err);
	void (*print)(GString *o, const struct ip_set_elem *e);
	/* The element a packet shows for the dimensions of opt (kadt); false:
	 * none (a fragment, a missing header). */
	bool (*kadt)(const struct ip_set *set, const struct ip_set_pkt *p,
		     const struct ip_set_adt_opt *opt, struct ip_set_elem *e);
	/* "Header: " text and the kernel's size in memory (mtype_head). */
	void (*header)(GString *o, const struct ip_set *set);
	size_t (*memsize)(const struct ip_set *set);
	bool hash;		/* hash family: family/hashsize/maxelem options */
	bool nets;		/* elements carry a cidr (longest prefix first) */
	bool list;		/* list:set: elements are sets */
};

/* The body of a set: everything `ipset swap` exchanges. */
struct ip_set_body {
	const struct ip_set_type *type;
	struct ip_set_create_opts o;
	uint32_t initval;
	GArray *elems;		/* struct ip_set_elem, in the order added */
	size_t ext_size;	/* comments' memory (set->ext_size) */
};

struct ip_set {
	char name[IPSET_MAXNAMELEN];
	unsigned ref;		/* rules and list:set sets naming it */
	unsigned index;
	struct ip_set_body *b;
};

/* ----- the namespace's store (ip_set_core.c) ----- */
void ip_set_net_init(struct nf_ns *ns);
void ip_set_net_exit(struct nf_ns *ns);
/* The set of that name, or NULL (ip_set_get_byname without the ref). */
struct ip_set *ip_set_lookup(struct nf_ns *ns, const char *name);
/* Every set by index (holes NULL), for list and save. */
GPtrArray *ip_set_all(struct nf_ns *ns);
const struct ip_set_type *ip_set_type_find(const char *name);
/* References a rule or a list:set holds (ip_set_get_byindex / ip_set_put_byindex). */
void ip_set_get(struct ip_set *set);
void ip_set_put(struct ip_set *set);

/* The ipset command's operations: 0 or an IPSET_ERR_* text in err. */
int ip_set_create(struct nf_ns *ns, const char *name, const struct ip_set_type *t,
		  const struct ip_set_create_opts *o, bool exist, GString *err);
int ip_set_destroy(struct nf_ns *ns, const char *name, GString *err);
int ip_set_flush(struct nf_ns *ns, const char *name, GString *err);
int ip_set_rename(struct nf_ns *ns, const char *from, const char *to, GString *err);
int ip_set_swap(struct nf_ns *ns, const char *from, const char *to, GString *err);

/* Drop the elements whose timeout passed (the kernel's gc and its
 * expired-element checks); every reader calls it first. */
void ip_set_expire(struct ip_set *set, nf_time now);
/* The element equal to e (the type's key fields), or -1. */
int ip_set_find(const struct ip_set *set, const struct ip_set_elem *e);
/* uadt/kadt's add: 0, or -EEXIST, -ERANGE (full); `exist` updates. */
int ip_set_elem_add(struct ip_set *set, const struct ip_set_elem *e, bool exist, nf_time now);
/* 0 or -ENOENT. */
int ip_set_elem_del(struct ip_set *set, const struct ip_set_elem *e);
/* The element that matches e for a test: exact, or for a host address of
 * a hash:net* the longest prefix holding it (mtype_test_cidrs); -1 none. */
int ip_set_elem_lookup(const struct ip_set *set, const struct ip_set_elem *e);
/* Seconds left of an element's timeout as ipset shows them. */
uint32_t ip_set_timeout_left(nf_time expires, nf_time now);

/* ----- the kernel side for -m set and -j SET (ip_set_core.c) ----- */
/* ip_set_test: the packet's element in the set (counters updated). */
bool ip_set_test(struct ip_set *set, const struct ip_set_pkt *p, const struct ip_set_adt_opt *opt);
void ip_set_add(struct ip_set *set, const struct ip_set_pkt *p, const struct ip_set_adt_opt *opt);
void ip_set_del(struct ip_set *set, const struct ip_set_pkt *p, const struct ip_set_adt_opt *opt);

/* ----- shared by the types ----- */
/* "a.b.c.d" (ipset's own IPv4 parser: 4 dotted decimal parts). */
bool ip_set_parse_ip(const char *s, uint32_t *out);
/* An IP, an IP/cidr or from-to, with ipset's messages. */
int ip_set_parse_ip_range(const char *s, bool cidr_ok, uint32_t *from, uint32_t *to,
			  uint8_t *cidr, bool *has_cidr, GString *err);
/* [proto:]port[-port] of the *,port types (tcp when no protocol). */
int ip_set_parse_proto_port(const char *s, uint8_t *proto, uint16_t *from, uint16_t *to,
			    GString *err);
void ip_set_print_proto_port(GString *o, uint8_t proto, uint16_t port);
/* The kernel's ip_set_get_ip4_port: the packet's port (src or dst) and protocol. */
bool ip_set_get_ip4_port(const struct ip_set_pkt *p, bool src, uint16_t *port, uint8_t *proto);
/* The per-element size of the extensions (ip_set_elem_len) over an element of len bytes. */
size_t ip_set_dsize(const struct ip_set *set, size_t len);

extern const struct ip_set_type ip_set_hash_ip, ip_set_hash_net, ip_set_hash_ipport,
	ip_set_hash_netport, ip_set_hash_netiface, ip_set_bitmap_port, ip_set_list_set;

#endif
