/* packet.h - frames on the wire: Ethernet II + IPv4 + UDP/TCP/ICMP.
 *
 * A packet owns one contiguous frame buffer (Ethernet header first), as it
 * would appear in a pcap. Parsing never copies: it records offsets. Building
 * helpers fill headers with correct checksums. Packets come from a free-list
 * pool: the event loop allocates and frees millions of them.
 */
#ifndef SIM_PACKET_H
#define SIM_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "nat/nf.h"

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define ETH_P_8021Q 0x8100
#define ETH_P_IPV6 0x86dd
#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20

#define ICMP_ECHOREPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_SOURCE_QUENCH 4
#define ICMP_REDIRECT 5
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12
#define ICMP_REDIR_HOST 1
#define ICMP_NET_UNREACH 0
#define ICMP_HOST_UNREACH 1
#define ICMP_PROT_UNREACH 2
#define ICMP_PORT_UNREACH 3
#define ICMP_FRAG_NEEDED 4
#define ICMP_NET_ANO 9
#define ICMP_HOST_ANO 10
#define ICMP_PKT_FILTERED 13

struct packet {
	struct packet *next;	/* queue / free-list link */
	uint8_t *data;		/* the frame, Ethernet header first */
	uint32_t len;		/* frame length */
	uint32_t cap;		/* allocated bytes at data */
	uint16_t l3;		/* offset of the IPv4 header (0: not IPv4) */
	uint16_t l4;		/* offset of the transport header (0: none) */
	uint64_t id;		/* run-wide serial number, for the packet walk */
	uint16_t frag_max;	/* IPCB frag_max_size: largest fragment of a datagram
				 * conntrack's defrag reassembled (0: none) */
	uint16_t cpu;		/* the CPU that made it or last received it (sim/net/cpu.c) */
	struct nf_skb nf;	/* netfilter view (valid while in a router) */
};

/* The CPU running the node code now: 0 but in a round of a node of several
 * CPUs (sim/net/cpu.c sets it); a new frame carries it in packet.cpu. One
 * for the process, as the pool: the engine is single-threaded. */
extern uint16_t packet_cur_cpu;

/* Allocate a zeroed frame of `len` bytes. */
struct packet *packet_new(uint32_t len);
/* A copy (a switch flooding, a pcap replay). */
struct packet *packet_clone(const struct packet *p);
void packet_free(struct packet *p);
/* Free the whole pool at the end of a run. */
void packet_pool_drain(void);

/* Parse the frame: set l3/l4 if it holds an IPv4 packet whose header and
 * transport header are complete. Returns true for a well-formed IPv4 packet
 * (IHL >= 5, total length within the frame, header checksum correct). */
bool packet_parse(struct packet *p);

/* Header access (valid after packet_parse() succeeded). */
static inline uint8_t *pkt_eth(struct packet *p) { return p->data; }
static inline uint8_t *pkt_ip(struct packet *p) { return p->data + p->l3; }
static inline uint8_t *pkt_l4(struct packet *p) { return p->data + p->l4; }

/* Big-endian loads and stores: rd16, rd32, wr16, wr32 of nat/core/nf_inet.h
 * (through nat/nf.h). */

/* IPv4 header fields (ip points at the header). */
static inline unsigned ip_ihl(const uint8_t *ip) { return (ip[0] & 0x0f) * 4u; }
static inline uint16_t ip_tot_len(const uint8_t *ip) { return rd16(ip + 2); }
static inline uint8_t ip_ttl(const uint8_t *ip) { return ip[8]; }
static inline uint8_t ip_proto(const uint8_t *ip) { return ip[9]; }
static inline uint32_t ip_src(const uint8_t *ip) { return rd32(ip + 12); }
static inline uint32_t ip_dst(const uint8_t *ip) { return rd32(ip + 16); }

/* Internet checksum (RFC 1071) of a buffer, folded, not inverted, starting
 * from `sum`. */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum);
/* As the kernel's csum_fold(): fold a sum to 16 bits and complement it (the
 * value to store in a checksum field; 0 when verifying a correct one). */
uint16_t csum_fold(uint32_t sum);
/* Recompute the IPv4 header checksum in place. */
void ip_csum_set(uint8_t *ip);
/* Recompute the TCP/UDP/ICMP checksum of the datagram at ip in place (UDP: a
 * computed 0 is sent as 0xffff). */
void l4_csum_set(uint8_t *ip);
/* Verify the checksums: IP header, and L4 (UDP checksum 0 = none). */
bool ip_csum_ok(const uint8_t *ip);
bool l4_csum_ok(const uint8_t *ip, uint32_t len);

/* Builders: a frame with Ethernet (MACs zero, filled at transmit) and an IPv4
 * header (TTL 64, id from `ip_id`, DF as Linux sets it: on TCP, UDP and echo
 * requests (PMTU discovery on by default); not on the kernel's own ICMP echo
 * replies and errors, whose socket uses IP_PMTUDISC_DONT), and the transport
 * header; `payload` bytes of zeros follow. All checksums are set. l3 and l4
 * are set. NULL if the IP datagram would exceed 65535 bytes. */
struct packet *build_udp(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
			 uint32_t payload, uint16_t ip_id);
struct packet *build_tcp(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
			 uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
			 const uint8_t *opts, uint32_t optlen, uint32_t payload, uint16_t ip_id);
struct packet *build_icmp_echo(uint32_t src, uint32_t dst, uint8_t type, uint16_t id,
			       uint16_t seq, uint32_t payload, uint16_t ip_id);
/* An ICMP error about `orig` (an IPv4 packet at orig_ip, orig_len bytes) from
 * src: quotes the IP header + 8 bytes... up to 576 bytes total, as Linux's
 * icmp_send does. */
struct packet *build_icmp_error(uint32_t src, uint8_t type, uint8_t code,
				const uint8_t *orig_ip, uint32_t orig_len, uint16_t ip_id);
/* The same with the 4 bytes after the ICMP checksum set to `info` (host
 * order): the next-hop MTU in the low 16 bits for ICMP_FRAG_NEEDED, the
 * pointer in the top byte for ICMP_PARAMETERPROB; build_icmp_error passes 0. */
struct packet *build_icmp_error_info(uint32_t src, uint8_t type, uint8_t code, uint32_t info,
				     const uint8_t *orig_ip, uint32_t orig_len, uint16_t ip_id);

/* Ethernet addresses. */
typedef struct { uint8_t b[6]; } mac_addr;
/* Deterministic MAC of node:iface: 02:xx:xx:xx:xx:xx from a hash of the names. */
mac_addr mac_for(const char *node, const char *iface);

/* "a.b.c.d" -> host order (the other way: nf_inet_ntop4 of nat/core/nf_inet.h) */
bool ip_parse(const char *text, uint32_t *addr);
/* "a.b.c.d/p" */
bool prefix_parse(const char *text, uint32_t *addr, unsigned *plen);

#endif
