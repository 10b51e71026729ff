/* nf_inet.h - what every layer shares about IPv4 on the wire: the kernel's
 * address union, big-endian loads and stores, and the one formatter of an
 * address as text.
 *
 * Design: natsim keeps addresses as host-order integers (10.0.0.1 is
 * 0x0a000001) and touches the bytes of a frame only through rd16/rd32/
 * wr16/wr32 (the kernel's get_unaligned_be16/32, put_unaligned_be16/32), so
 * the code is endian-neutral and never casts a frame pointer. Every address
 * natsim prints - packet walk, kernel log, conntrack lines, iptables
 * listings, the report - goes through nf_inet_ntop4, so they cannot drift
 * apart. sim/ sees this header through nat/nf.h.
 */
#ifndef NAT_NF_INET_H
#define NAT_NF_INET_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The address families of netfilter (enum NFPROTO_*): a tuple's l3num. */
enum {
	NFPROTO_UNSPEC = 0,
	NFPROTO_INET = 1,
	NFPROTO_IPV4 = 2,
	NFPROTO_ARP = 3,
	NFPROTO_BRIDGE = 7,
	NFPROTO_IPV6 = 10,
};

/* natsim's struct in_addr / in6_addr look-alikes (host order words, no
 * libc network header): what the kernel's union calls .in and .in6. */
struct nf_in_addr { uint32_t s_addr; };
struct nf_in6_addr { uint32_t addr32[4]; };	/* s6_addr32 is a libc macro */

/* An address of either family (include/uapi/linux/netfilter.h's union
 * nf_inet_addr): IPv4 in .ip (or .in.s_addr), IPv6 in .ip6 (or
 * .in6.addr32), .all to compare or hash both alike. Unused words are
 * zero. natsim's words are host order, as its other addresses. */
union nf_inet_addr {
	uint32_t all[4];
	uint32_t ip;
	uint32_t ip6[4];
	struct nf_in_addr in;
	struct nf_in6_addr in6;
};

/* Big-endian loads and stores of unaligned wire bytes. */
static inline uint16_t rd16(const uint8_t *b) { return (uint16_t)(b[0] << 8 | b[1]); }
static inline uint32_t rd32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}
static inline void wr16(uint8_t *b, uint16_t v) { b[0] = v >> 8; b[1] = v & 0xff; }
static inline void wr32(uint8_t *b, uint32_t v)
{
	b[0] = v >> 24; b[1] = (v >> 16) & 0xff; b[2] = (v >> 8) & 0xff; b[3] = v & 0xff;
}

/* "255.255.255.255" and its NUL (INET_ADDRSTRLEN). */
#define NF_INET_ADDRSTRLEN 16

/* "a.b.c.d" of a host-order IPv4 address in buf, NUL-terminated, as
 * printf's "%u.%u.%u.%u" (the kernel's %pI4); returns its length, 7 to 15. */
size_t nf_inet_ntop4(uint32_t addr, char buf[NF_INET_ADDRSTRLEN]);
/* The same, appended to s. */
void nf_inet_append4(GString *s, uint32_t addr);

/* inet_aton, as getaddrinfo reads a numeric host (iptables' XTTYPE_HOST):
 * 1 to 4 parts (decimal, 0x hex or 0 octal), the last filling the
 * remaining bytes ("1" is 0.0.0.1, "10.1" 10.0.0.1). Host order in *out. */
bool nf_inet_aton(const char *s, uint32_t *out);

#endif
