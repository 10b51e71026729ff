/* packet.c - frames: the packet pool, parsing, checksums, builders, addresses.
 *
 * Design: a packet and its frame buffer are one allocation. Frames up to
 * PACKET_POOL_CAP bytes come from a free list of equal-sized buffers and go
 * back to it when freed, so the steady state allocates nothing; a larger frame
 * (a jumbo replay) is allocated at its exact size and freed for real.
 * Parsing records offsets (l3, l4) and never copies. Checksums are computed on
 * big-endian 16-bit words read with rd16(), so the code is endian-neutral.
 */
#include "sim/net/packet.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PACKET_POOL_CAP 2048

static struct packet *pool_free; /* single-threaded engine: one global pool */

uint16_t packet_cur_cpu;

static struct packet *packet_alloc(uint32_t len)
{
	struct packet *p;
	if (len <= PACKET_POOL_CAP && pool_free) {
		p = pool_free;
		pool_free = p->next;
	} else {
		uint32_t cap = len <= PACKET_POOL_CAP ? PACKET_POOL_CAP : len;
		p = g_malloc(sizeof *p + cap);
		p->cap = cap;
	}
	uint32_t cap = p->cap;
	memset(p, 0, sizeof *p);
	p->cap = cap;
	p->data = (uint8_t *)(p + 1);
	p->len = len;
	p->cpu = packet_cur_cpu;
	p->nf.end = p->data + cap;	/* a NAT helper's room (nf_skb_tailroom) */
	return p;
}

struct packet *packet_new(uint32_t len)
{
	struct packet *p = packet_alloc(len);
	memset(p->data, 0, len);
	return p;
}

struct packet *packet_clone(const struct packet *p)
{
	struct packet *c = packet_alloc(p->len);
	memcpy(c->data, p->data, p->len);
	c->l3 = p->l3;
	c->l4 = p->l4;
	c->id = p->id;
	c->cpu = p->cpu;	/* a bridge floods on the CPU it received on */
	/* The netfilter view points into the copy; a conntrack reference is not
	 * duplicated (the clone is a new skb). */
	if (p->nf.ip && p->nf.ip >= p->data && p->nf.ip < p->data + p->len) {
		c->nf.ip = c->data + (p->nf.ip - p->data);
		c->nf.len = p->nf.len;
	}
	c->nf.mark = p->nf.mark;
	c->nf.priority = p->nf.priority;
	return c;
}

void packet_free(struct packet *p)
{
	if (!p)
		return;
	if (p->cap == PACKET_POOL_CAP) {
		p->next = pool_free;
		pool_free = p;
	} else {
		g_free(p);
	}
}

void packet_pool_drain(void)
{
	while (pool_free) {
		struct packet *p = pool_free;
		pool_free = p->next;
		g_free(p);
	}
}

/* ----- checksums (RFC 1071) ----- */

/* Words are summed in the machine's own byte order and the folded result
 * swapped once (RFC 1071 2(B): the one's complement sum is independent of
 * byte order up to a final swap), as the kernel's do_csum does: four plain
 * 32-bit loads an iteration instead of byte assembly. */
uint32_t csum_partial(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *b = buf;
	uint64_t acc = 0;
	uint32_t w;
	uint16_t h;

	while (len >= 16) {
		uint32_t x[4];

		memcpy(x, b, 16);
		acc += (uint64_t)x[0] + x[1] + x[2] + x[3];
		b += 16;
		len -= 16;
	}
	while (len >= 4) {
		memcpy(&w, b, 4);
		acc += w;
		b += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&h, b, 2);
		acc += h;
		b += 2;
		len -= 2;
	}
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (len)
		acc += b[0];	/* odd byte: the high half of a zero-padded word */
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	acc = ((acc & 0xff) << 8) | (acc >> 8);
#else
	if (len)
		acc += (uint32_t)b[0] << 8;
#endif
	acc += sum;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}

/* As the kernel's csum_fold: fold to 16 bits and complement. */
uint16_t csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void ip_csum_set(uint8_t *ip)
{
	wr16(ip + 10, 0);
	wr16(ip + 10, csum_fold(csum_partial(ip, ip_ihl(ip), 0)));
}

bool ip_csum_ok(const uint8_t *ip)
{
	return csum_fold(csum_partial(ip, ip_ihl(ip), 0)) == 0;
}

/* Sum of the TCP/UDP pseudo-header (source, destination, zero, protocol,
 * transport length). */
static uint32_t pseudo_sum(const uint8_t *ip, uint32_t l4len)
{
	uint32_t s = rd16(ip + 12) + rd16(ip + 14) + rd16(ip + 16) + rd16(ip + 18);
	s += ip_proto(ip) + (l4len & 0xffff) + (l4len >> 16);
	return s;
}

/* Offset of the checksum field within the transport header, -1 if none. */
static int l4_csum_off(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP_: return 16;
	case IPPROTO_UDP_: return 6;
	case IPPROTO_ICMP_: return 2;
	default: return -1;
	}
}

void l4_csum_set(uint8_t *ip)
{
	unsigned ihl = ip_ihl(ip);
	uint16_t tot = ip_tot_len(ip);
	uint8_t proto = ip_proto(ip);
	int off = l4_csum_off(proto);
	if (off < 0 || tot < ihl + (unsigned)off + 2)
		return;
	uint8_t *l4 = ip + ihl;
	uint32_t l4len = tot - ihl;
	wr16(l4 + off, 0);
	uint32_t sum = proto == IPPROTO_ICMP_ ? 0 : pseudo_sum(ip, l4len);
	uint16_t c = csum_fold(csum_partial(l4, l4len, sum));
	if (proto == IPPROTO_UDP_ && c == 0)
		c = 0xffff; /* RFC 768: a computed zero is sent as all ones */
	wr16(l4 + off, c);
}

/* As nf_ip_checksum: true when the transport checksum verifies. Fragments
 * cannot be verified alone and pass; a UDP checksum of 0 means "none". */
bool l4_csum_ok(const uint8_t *ip, uint32_t len)
{
	unsigned ihl = ip_ihl(ip);
	uint16_t tot = ip_tot_len(ip);
	uint8_t proto = ip_proto(ip);
	int off = l4_csum_off(proto);
	if (off < 0)
		return true;
	if (tot > len || tot < ihl + (unsigned)off + 2)
		return false;
	if (rd16(ip + 6) & 0x3fff) /* MF or a fragment offset */
		return true;
	const uint8_t *l4 = ip + ihl;
	uint32_t l4len = tot - ihl;
	if (proto == IPPROTO_UDP_ && rd16(l4 + 6) == 0)
		return true;
	uint32_t sum = proto == IPPROTO_ICMP_ ? 0 : pseudo_sum(ip, l4len);
	return csum_fold(csum_partial(l4, l4len, sum)) == 0;
}

/* ----- parsing ----- */

/* Mirrors ip_rcv_core's header checks (version, IHL, total length, checksum),
 * then finds the transport header only if it is complete, as the conntrack
 * trackers' skb_header_pointer() would. */
bool packet_parse(struct packet *p)
{
	p->l3 = 0;
	p->l4 = 0;
	if (p->len < ETH_HLEN)
		return false;
	uint32_t off = ETH_HLEN;
	uint16_t type = rd16(p->data + 12);
	if (type == ETH_P_8021Q) {
		if (p->len < ETH_HLEN + 4)
			return false;
		type = rd16(p->data + 16);
		off += 4;
	}
	if (type != ETH_P_IP)
		return false;
	uint32_t avail = p->len - off;
	const uint8_t *ip = p->data + off;
	if (avail < 20 || (ip[0] >> 4) != 4)
		return false;
	unsigned ihl = ip_ihl(ip);
	uint16_t tot = ip_tot_len(ip);
	if (ihl < 20 || ihl > avail || tot < ihl || tot > avail)
		return false;
	if (!ip_csum_ok(ip))
		return false;
	p->l3 = (uint16_t)off;
	p->nf.ip = p->data + off;
	p->nf.len = avail;

	if (rd16(ip + 6) & 0x1fff) /* non-first fragment: no transport header */
		return true;
	uint32_t l4len = tot - ihl;
	const uint8_t *l4 = ip + ihl;
	bool fits = false;
	switch (ip_proto(ip)) {
	case IPPROTO_UDP_:
		fits = l4len >= 8;
		break;
	case IPPROTO_ICMP_:
		fits = l4len >= 8;
		break;
	case IPPROTO_TCP_:
		if (l4len >= 20) {
			unsigned doff = (l4[12] >> 4) * 4u;
			fits = doff >= 20 && doff <= l4len;
		}
		break;
	default:
		break;
	}
	if (fits)
		p->l4 = (uint16_t)(off + ihl);
	return true;
}

/* ----- builders ----- */

/* Ethernet II (zero MACs) + a 20-byte IPv4 header; the checksum is set by the
 * caller once tot_len is final. NULL if the datagram exceeds 65535 bytes. */
static struct packet *build_ip(uint32_t src, uint32_t dst, uint8_t proto,
			       uint32_t l4len, uint16_t ip_id, bool df, uint8_t tos)
{
	if (l4len > 65535 - 20)
		return NULL;
	struct packet *p = packet_new(ETH_HLEN + 20 + l4len);
	uint8_t *ip = p->data + ETH_HLEN;
	wr16(p->data + 12, ETH_P_IP);
	ip[0] = 0x45;
	ip[1] = tos;
	wr16(ip + 2, (uint16_t)(20 + l4len));
	wr16(ip + 4, ip_id);
	wr16(ip + 6, df ? 0x4000 : 0);
	ip[8] = 64;
	ip[9] = proto;
	wr32(ip + 12, src);
	wr32(ip + 16, dst);
	ip_csum_set(ip);
	p->l3 = ETH_HLEN;
	p->l4 = ETH_HLEN + 20;
	p->nf.ip = ip;
	p->nf.len = 20 + l4len;
	return p;
}

/* A UDP datagram. DF is set: Linux sockets default to IP_PMTUDISC_WANT
 * (net.ipv4.ip_no_pmtu_disc = 0), which sets DF on UDP too. */
struct packet *build_udp(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
			 uint32_t payload, uint16_t ip_id)
{
	struct packet *p = build_ip(src, dst, IPPROTO_UDP_, 8 + payload, ip_id, true, 0);
	if (!p)
		return NULL;
	uint8_t *u = pkt_l4(p);
	wr16(u, sport);
	wr16(u + 2, dport);
	wr16(u + 4, (uint16_t)(8 + payload));
	l4_csum_set(pkt_ip(p));
	return p;
}

/* A TCP segment with options `opts` (padded with zeros, End of Option List,
 * to a multiple of 4; at most 40 bytes). DF set as Linux TCP does. */
struct packet *build_tcp(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
			 uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
			 const uint8_t *opts, uint32_t optlen, uint32_t payload, uint16_t ip_id)
{
	if (optlen > 40)
		return NULL;
	uint32_t hlen = 20 + ((optlen + 3) & ~3u);
	struct packet *p = build_ip(src, dst, IPPROTO_TCP_, hlen + payload, ip_id, true, 0);
	if (!p)
		return NULL;
	uint8_t *t = pkt_l4(p);
	wr16(t, sport);
	wr16(t + 2, dport);
	wr32(t + 4, seq);
	wr32(t + 8, ack);
	t[12] = (uint8_t)((hlen / 4) << 4);
	t[13] = flags;
	wr16(t + 14, win);
	if (optlen)
		memcpy(t + 20, opts, optlen);
	l4_csum_set(pkt_ip(p));
	return p;
}

/* An ICMP echo request or reply. Requests carry DF (iputils ping, PMTU
 * discovery on); the kernel's replies do not (icmp_sk_init sets
 * IP_PMTUDISC_DONT on the ICMP control socket). */
struct packet *build_icmp_echo(uint32_t src, uint32_t dst, uint8_t type, uint16_t id,
			       uint16_t seq, uint32_t payload, uint16_t ip_id)
{
	struct packet *p = build_ip(src, dst, IPPROTO_ICMP_, 8 + payload, ip_id,
				    type == ICMP_ECHO, 0);
	if (!p)
		return NULL;
	uint8_t *ic = pkt_l4(p);
	ic[0] = type;
	ic[1] = 0;
	wr16(ic + 4, id);
	wr16(ic + 6, seq);
	l4_csum_set(pkt_ip(p));
	return p;
}

/* Mirrors icmp_send(): TOS (orig & IPTOS_TOS_MASK) | IPTOS_PREC_INTERNETCONTROL,
 * TTL 64, DF clear (the ICMP socket uses IP_PMTUDISC_DONT), and as much of the
 * original datagram as keeps the error within 576 bytes. */
struct packet *build_icmp_error_info(uint32_t src, uint8_t type, uint8_t code, uint32_t info,
				     const uint8_t *orig_ip, uint32_t orig_len, uint16_t ip_id)
{
	if (orig_len < 20)
		return NULL;
	uint32_t quote = orig_len;
	uint16_t tot = ip_tot_len(orig_ip);
	if (tot >= 20 && tot < quote)
		quote = tot; /* the skb was trimmed to tot_len: no link padding */
	if (quote > 576 - 20 - 8)
		quote = 576 - 20 - 8;
	uint8_t tos = (uint8_t)((orig_ip[1] & 0x1e) | 0xc0);
	struct packet *p = build_ip(src, ip_src(orig_ip), IPPROTO_ICMP_, 8 + quote, ip_id,
				    false, tos);
	uint8_t *ic = pkt_l4(p);
	ic[0] = type;
	ic[1] = code;
	wr32(ic + 4, info);
	memcpy(ic + 8, orig_ip, quote);
	l4_csum_set(pkt_ip(p));
	return p;
}

struct packet *build_icmp_error(uint32_t src, uint8_t type, uint8_t code,
				const uint8_t *orig_ip, uint32_t orig_len, uint16_t ip_id)
{
	return build_icmp_error_info(src, type, code, 0, orig_ip, orig_len, ip_id);
}

/* ----- addresses ----- */

/* 64-bit FNV-1a of "node:iface"; the low 40 bits follow the locally
 * administered unicast prefix 02. */
mac_addr mac_for(const char *node, const char *iface)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const char *parts[3] = { node, ":", iface };
	for (int i = 0; i < 3; i++)
		for (const unsigned char *c = (const unsigned char *)parts[i]; *c; c++) {
			h ^= *c;
			h *= 0x100000001b3ULL;
		}
	mac_addr m;
	m.b[0] = 0x02;
	for (int i = 1; i < 6; i++)
		m.b[i] = (uint8_t)(h >> (8 * (5 - i)));
	return m;
}

/* Strict dotted quad as inet_pton(AF_INET) accepts it: four decimal parts
 * 0..255, no leading zeros, nothing before or after. */
bool ip_parse(const char *text, uint32_t *addr)
{
	uint32_t a = 0;
	const char *p = text;
	if (!p)
		return false;
	for (int part = 0; part < 4; part++) {
		if (part > 0) {
			if (*p != '.')
				return false;
			p++;
		}
		if (*p < '0' || *p > '9')
			return false;
		unsigned v = 0;
		int nd = 0;
		const char *start = p;
		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (unsigned)(*p - '0');
			if (++nd > 3 || v > 255)
				return false;
			p++;
		}
		if (nd > 1 && *start == '0')
			return false;
		a = a << 8 | v;
	}
	if (*p != '\0')
		return false;
	*addr = a;
	return true;
}

/* "a.b.c.d/p" with p 0..32, or a bare address (/32). Host bits are kept. */
bool prefix_parse(const char *text, uint32_t *addr, unsigned *plen)
{
	if (!text)
		return false;
	const char *slash = strchr(text, '/');
	if (!slash) {
		if (!ip_parse(text, addr))
			return false;
		*plen = 32;
		return true;
	}
	char buf[16];
	size_t n = (size_t)(slash - text);
	if (n >= sizeof buf)
		return false;
	memcpy(buf, text, n);
	buf[n] = '\0';
	const char *q = slash + 1;
	if (*q < '0' || *q > '9' || (q[0] == '0' && q[1] != '\0'))
		return false;
	unsigned v = 0;
	for (; *q; q++) {
		if (*q < '0' || *q > '9')
			return false;
		v = v * 10 + (unsigned)(*q - '0');
		if (v > 32)
			return false;
	}
	uint32_t a;
	if (!ip_parse(buf, &a))
		return false;
	*addr = a;
	*plen = v;
	return true;
}
