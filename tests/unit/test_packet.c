/* test_packet.c - sim/net/packet.c, sim/core/sim_time.c and nat/core/nf_inet.c:
 * checksums (RFC 1071 vector, values cross-checked with scapy), builders,
 * packet_parse accept/reject, ICMP error quoting, the pool, MACs, address
 * parsing and formatting, big-endian loads and stores, time parsing. */
#include <stdio.h>
#include <string.h>

#include "sim/net/packet.h"
#include "sim/core/sim_time.h"

#include "tests/unit/check.h"

#define A(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static void test_csum(void)
{
	/* RFC 1071 section 3 example: the folded sum is 0xddf2. */
	const uint8_t v[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint32_t s = csum_partial(v, sizeof v, 0);
	CHECK((s & 0xffff) == 0xddf2, "rfc1071 sum %#x", s);
	CHECK(csum_fold(s) == 0x220d, "rfc1071 fold %#x", csum_fold(s));
	/* chaining over an even split equals the whole */
	CHECK(csum_fold(csum_partial(v + 4, 4, csum_partial(v, 4, 0))) == 0x220d, "chained");
	/* odd trailing byte is padded with zero */
	const uint8_t odd[] = { 0x12, 0x34, 0x56 };
	CHECK(csum_partial(odd, 3, 0) == 0x1234 + 0x5600, "odd %#x", csum_partial(odd, 3, 0));
	/* big buffer: no overflow in the accumulator */
	static uint8_t big[70000];
	memset(big, 0xff, sizeof big);
	CHECK(csum_partial(big, sizeof big, 0) == 0xffff, "all ones");
}

/* Values computed with /usr/bin/python3 and scapy:
 * IP(src='10.0.0.1',dst='10.0.0.2',id=1,flags='DF')/UDP(sport=1234,dport=80)/(4 zero bytes)
 *   -> ip chksum 0x26ca, udp chksum 0xe6b1
 * IP(src='192.168.1.2',dst='8.8.8.8',id=0x1234,flags='DF')/TCP(sport=40000,dport=443,
 *   seq=1000,flags='S',window=64240,options=[('MSS',1460)]) -> ip 0x56de, tcp 0x2998
 * IP(src='10.0.0.1',dst='10.0.0.2',id=5,flags='DF')/ICMP(type=8,id=0x77,seq=1)/(8 zeros)
 *   -> ip 0x26d2, icmp 0xf787 */
static void test_builders(void)
{
	struct packet *p = build_udp(A(10, 0, 0, 1), A(10, 0, 0, 2), 1234, 80, 4, 1);
	uint8_t *ip = pkt_ip(p);
	CHECK(p->len == 14 + 20 + 8 + 4, "udp len %u", p->len);
	CHECK(rd16(p->data + 12) == ETH_P_IP, "ethertype");
	CHECK(ip[0] == 0x45 && ip[1] == 0 && ip_ttl(ip) == 64 && rd16(ip + 6) == 0x4000,
	      "udp ip header fields");
	CHECK(rd16(ip + 10) == 0x26ca, "udp ip csum %#x", rd16(ip + 10));
	CHECK(rd16(pkt_l4(p) + 6) == 0xe6b1, "udp csum %#x", rd16(pkt_l4(p) + 6));
	CHECK(ip_csum_ok(ip) && l4_csum_ok(ip, p->len - 14), "udp csums ok");
	pkt_l4(p)[8] ^= 1;
	CHECK(!l4_csum_ok(ip, p->len - 14), "udp corrupt detected");
	wr16(pkt_l4(p) + 6, 0);
	CHECK(l4_csum_ok(ip, p->len - 14), "udp csum 0 = none");
	packet_free(p);

	const uint8_t mss[] = { 2, 4, 0x05, 0xb4 };
	p = build_tcp(A(192, 168, 1, 2), A(8, 8, 8, 8), 40000, 443, 1000, 0, TCP_SYN, 64240,
		      mss, 4, 0, 0x1234);
	const char *want_hex = "4500002c12344000400656dec0a80102080808089c4001bb000003e8"
			       "000000006002faf029980000020405b4";
	char hex[200] = "";
	for (unsigned i = 14; i < p->len && i < 14 + 44; i++)
		sprintf(hex + strlen(hex), "%02x", p->data[i]);
	CHECK(strcmp(hex, want_hex) == 0, "tcp bytes\n  got  %s\n  want %s", hex, want_hex);
	CHECK(l4_csum_ok(pkt_ip(p), p->len - 14), "tcp csum ok");
	CHECK(p->l4 == 34, "tcp l4");
	packet_free(p);

	p = build_icmp_echo(A(10, 0, 0, 1), A(10, 0, 0, 2), ICMP_ECHO, 0x77, 1, 8, 5);
	ip = pkt_ip(p);
	CHECK(rd16(ip + 10) == 0x26d2, "icmp ip csum %#x", rd16(ip + 10));
	CHECK(rd16(pkt_l4(p) + 2) == 0xf787, "icmp csum %#x", rd16(pkt_l4(p) + 2));
	CHECK(l4_csum_ok(ip, p->len - 14), "icmp ok");
	packet_free(p);
	p = build_icmp_echo(A(10, 0, 0, 2), A(10, 0, 0, 1), ICMP_ECHOREPLY, 0x77, 1, 8, 5);
	CHECK(rd16(pkt_ip(p) + 6) == 0, "echo reply without DF");
	CHECK(l4_csum_ok(pkt_ip(p), p->len - 14), "echo reply csum");
	packet_free(p);

	/* a computed UDP checksum of 0 is sent as 0xffff: find a port giving it */
	int found = 0;
	for (unsigned port = 1; port < 65536 && !found; port++) {
		p = build_udp(A(10, 0, 0, 1), A(10, 0, 0, 2), (uint16_t)port, 80, 0, 1);
		if (rd16(pkt_l4(p) + 6) == 0xffff) {
			found = 1;
			CHECK(l4_csum_ok(pkt_ip(p), p->len - 14), "0xffff verifies");
		}
		CHECK(rd16(pkt_l4(p) + 6) != 0, "udp csum never 0");
		packet_free(p);
	}
	CHECK(found, "no port gave a 0xffff checksum");
}

static void test_icmp_error(void)
{
	struct packet *o = build_udp(A(192, 168, 1, 2), A(10, 0, 0, 9), 5000, 53, 1400, 7);
	uint8_t *oip = pkt_ip(o);
	oip[1] = 0x10; /* TOS low delay */
	ip_csum_set(oip);
	struct packet *e = build_icmp_error(A(10, 0, 0, 1), ICMP_DEST_UNREACH, ICMP_PORT_UNREACH,
					    oip, o->len - 14, 99);
	uint8_t *ip = pkt_ip(e);
	CHECK(ip_tot_len(ip) == 576, "error tot_len %u", ip_tot_len(ip));
	CHECK(ip[1] == 0xd0, "error tos %#x", ip[1]);
	CHECK(rd16(ip + 6) == 0, "error DF clear");
	CHECK(ip_dst(ip) == A(192, 168, 1, 2) && ip_src(ip) == A(10, 0, 0, 1), "error addrs");
	CHECK(rd16(ip + 4) == 99, "error id");
	uint8_t *ic = pkt_l4(e);
	CHECK(ic[0] == 3 && ic[1] == 3 && rd32(ic + 4) == 0, "error type/code/unused");
	CHECK(memcmp(ic + 8, oip, 576 - 28) == 0, "quote");
	CHECK(l4_csum_ok(ip, e->len - 14), "error csum");
	CHECK(packet_parse(e) && e->l4 == 34, "error parses");
	packet_free(e);
	e = build_icmp_error_info(A(10, 0, 0, 1), ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 1400,
				  oip, o->len - 14, 1);
	CHECK(rd32(pkt_l4(e) + 4) == 1400, "frag needed mtu");
	packet_free(e);
	packet_free(o);

	/* a small original is quoted whole, without link padding */
	o = build_udp(A(192, 168, 1, 2), A(10, 0, 0, 9), 5000, 53, 0, 7);
	e = build_icmp_error(A(10, 0, 0, 1), ICMP_DEST_UNREACH, ICMP_PORT_UNREACH,
			     pkt_ip(o), 46 /* padded to 60-byte frame */, 1);
	CHECK(ip_tot_len(pkt_ip(e)) == 20 + 8 + 28, "small quote %u", ip_tot_len(pkt_ip(e)));
	packet_free(e);
	packet_free(o);
}

static void test_parse(void)
{
	struct packet *p = build_udp(A(1, 2, 3, 4), A(5, 6, 7, 8), 1, 2, 10, 3);
	CHECK(packet_parse(p) && p->l3 == 14 && p->l4 == 34, "valid udp");
	CHECK(p->nf.ip == p->data + 14, "nf.ip");
	uint8_t *ip = pkt_ip(p);

	ip[0] = 0x44; ip_csum_set(ip);
	CHECK(!packet_parse(p) && p->l3 == 0, "IHL 4 rejected");
	ip[0] = 0x65; ip_csum_set(ip);
	CHECK(!packet_parse(p), "version 6 rejected");
	ip[0] = 0x45; wr16(ip + 2, 20 + 8 + 11); ip_csum_set(ip);
	CHECK(!packet_parse(p), "tot_len > frame rejected");
	wr16(ip + 2, 19); ip_csum_set(ip);
	CHECK(!packet_parse(p), "tot_len < IHL rejected");
	wr16(ip + 2, 38); ip_csum_set(ip);
	ip[10] ^= 0xff;
	CHECK(!packet_parse(p), "bad header checksum rejected");
	ip_csum_set(ip);
	CHECK(packet_parse(p), "restored");
	/* tot_len shorter than the frame (link padding) is fine */
	wr16(ip + 2, 30); ip_csum_set(ip);
	CHECK(packet_parse(p) && p->l4 == 34, "padding ok");
	/* UDP header not complete within tot_len */
	wr16(ip + 2, 27); ip_csum_set(ip);
	CHECK(packet_parse(p) && p->l4 == 0, "short udp: valid ip, no l4");
	wr16(ip + 2, 38);
	/* non-first fragment */
	wr16(ip + 6, 0x0001); ip_csum_set(ip);
	CHECK(packet_parse(p) && p->l4 == 0, "fragment: no l4");
	wr16(ip + 6, 0x2000); ip_csum_set(ip);
	CHECK(packet_parse(p) && p->l4 == 34, "first fragment (MF): l4");
	wr16(ip + 6, 0x4000);
	ip[9] = 47; ip_csum_set(ip);
	CHECK(packet_parse(p) && p->l4 == 0, "GRE: valid, no l4");
	packet_free(p);

	/* not IPv4 / truncated */
	p = packet_new(60);
	wr16(p->data + 12, ETH_P_ARP);
	CHECK(!packet_parse(p), "ARP rejected");
	packet_free(p);
	p = packet_new(20);
	wr16(p->data + 12, ETH_P_IP);
	CHECK(!packet_parse(p), "truncated rejected");
	packet_free(p);

	/* 802.1Q tagged */
	struct packet *u = build_udp(A(1, 2, 3, 4), A(5, 6, 7, 8), 1, 2, 10, 3);
	p = packet_new(u->len + 4);
	memcpy(p->data, u->data, 12);
	wr16(p->data + 12, ETH_P_8021Q);
	wr16(p->data + 14, 100);
	memcpy(p->data + 16, u->data + 12, u->len - 12);
	CHECK(packet_parse(p) && p->l3 == 18 && p->l4 == 38, "vlan: l3 %u l4 %u", p->l3, p->l4);
	packet_free(p);
	packet_free(u);

	/* TCP: doff < 5, doff beyond the datagram */
	p = build_tcp(A(1, 2, 3, 4), A(5, 6, 7, 8), 1, 2, 0, 0, TCP_SYN, 100, NULL, 0, 0, 1);
	CHECK(packet_parse(p) && p->l4 == 34, "tcp ok");
	p->data[34 + 12] = 4 << 4;
	CHECK(packet_parse(p) && p->l4 == 0, "doff 4: no l4");
	p->data[34 + 12] = 6 << 4;
	CHECK(packet_parse(p) && p->l4 == 0, "doff beyond: no l4");
	packet_free(p);
}

static void test_pool(void)
{
	struct packet *p = packet_new(100);
	memset(p->data, 0xab, 100);
	p->l3 = 14;
	packet_free(p);
	struct packet *q = packet_new(200);
	CHECK(q == p, "pool reuses");
	int zero = 1;
	for (unsigned i = 0; i < 200; i++)
		zero &= q->data[i] == 0;
	CHECK(zero && q->l3 == 0 && q->len == 200 && q->cap == 2048, "reused packet zeroed");
	struct packet *c = packet_clone(q);
	CHECK(c != q && c->len == 200 && memcmp(c->data, q->data, 200) == 0, "clone");
	packet_free(c);
	packet_free(q);
	struct packet *big = packet_new(9000);
	CHECK(big->cap == 9000 && big->len == 9000 && big->data[8999] == 0, "big exact");
	packet_free(big);
	packet_pool_drain();
}

static void test_addr(void)
{
	uint32_t a;
	unsigned pl;
	CHECK(ip_parse("10.1.2.3", &a) && a == A(10, 1, 2, 3), "ip ok");
	CHECK(ip_parse("0.0.0.0", &a) && a == 0, "zero");
	CHECK(ip_parse("255.255.255.255", &a) && a == 0xffffffff, "bcast");
	const char *bad[] = { "1.2.3", "1.2.3.256", " 1.2.3.4", "x1.2.3.4", "1.2.3.4x",
			      "1.2.3.4.5", "1..2.3", "", "01.2.3.4", "1.2.3.-4", "1.2.3.4/24" };
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(!ip_parse(bad[i], &a), "ip_parse accepted \"%s\"", bad[i]);
	char buf[NF_INET_ADDRSTRLEN];
	CHECK(nf_inet_ntop4(A(192, 168, 100, 254), buf) == 15 &&
	      strcmp(buf, "192.168.100.254") == 0, "format %s", buf);
	/* nf_inet_ntop4 is printf's "%u.%u.%u.%u": every octet value in every
	 * position, and a spread of whole addresses */
	for (uint32_t i = 0; i < 256 * 4 + 100000; i++) {
		uint32_t x = i < 1024 ? (i & 255) << (8 * (i >> 8)) | (i & 1 ? 0x01000000 : 0)
				      : i * 2654435761u;
		char want[32];
		size_t n = nf_inet_ntop4(x, buf);
		snprintf(want, sizeof want, "%u.%u.%u.%u", x >> 24, (x >> 16) & 255,
			 (x >> 8) & 255, x & 255);
		CHECK(strcmp(buf, want) == 0 && n == strlen(want), "format %s, want %s", buf, want);
	}
	GString *g = g_string_new("a=");
	nf_inet_append4(g, A(10, 0, 0, 1));
	nf_inet_append4(g, 0xffffffff);
	CHECK(strcmp(g->str, "a=10.0.0.1255.255.255.255") == 0, "append %s", g->str);
	g_string_free(g, TRUE);
	/* the loads and stores: big-endian, unaligned */
	uint8_t b[7] = { 0 };
	wr16(b + 1, 0x1234);
	wr32(b + 3, 0x89abcdef);
	CHECK(b[1] == 0x12 && b[2] == 0x34 && b[3] == 0x89 && b[6] == 0xef, "wr16/wr32");
	CHECK(rd16(b + 1) == 0x1234 && rd32(b + 3) == 0x89abcdef && rd32(b + 2) == 0x3489abcd,
	      "rd16/rd32");
	CHECK(prefix_parse("10.0.0.0/8", &a, &pl) && a == A(10, 0, 0, 0) && pl == 8, "prefix");
	CHECK(prefix_parse("10.0.0.1/32", &a, &pl) && pl == 32, "/32");
	CHECK(prefix_parse("0.0.0.0/0", &a, &pl) && pl == 0, "/0");
	CHECK(prefix_parse("10.0.0.7", &a, &pl) && pl == 32 && a == A(10, 0, 0, 7), "bare");
	const char *badp[] = { "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "10.0.0/8",
			       "10.0.0.0/8x", "10.0.0.0/-1" };
	for (unsigned i = 0; i < sizeof badp / sizeof badp[0]; i++)
		CHECK(!prefix_parse(badp[i], &a, &pl), "prefix_parse accepted \"%s\"", badp[i]);

	mac_addr m1 = mac_for("r1", "eth0"), m2 = mac_for("r1", "eth0");
	mac_addr m3 = mac_for("r1", "eth1"), m4 = mac_for("r1e", "th0");
	CHECK(memcmp(&m1, &m2, 6) == 0, "mac deterministic");
	CHECK(memcmp(&m1, &m3, 6) != 0 && memcmp(&m1, &m4, 6) != 0, "mac distinct");
	CHECK(m1.b[0] == 0x02 && m3.b[0] == 0x02, "locally administered unicast");
}

static void test_time(void)
{
	struct { const char *s; sim_time v; } ok[] = {
		{ "1.5ms", 1500000 }, { "3s", 3 * SIM_S }, { "250us", 250000 }, { "10ns", 10 },
		{ "0.1s", 100000000 }, { "0.000000001s", 1 }, { "1.0000000019s", 1000000001 },
		{ ".5s", 500000000 }, { "2.s", 2 * SIM_S }, { "0ns", 0 }, { "86400s", 86400 * SIM_S },
	};
	for (unsigned i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		sim_time t = -1;
		CHECK(sim_time_parse(ok[i].s, &t) && t == ok[i].v, "parse %s = %lld", ok[i].s,
		      (long long)t);
	}
	const char *bad[] = { "1.5", "ms", "", "-1s", "1.5 ms", "1m", "1.5msx", "1e3s", ".s",
			      "99999999999999999999s", "10000000000s" };
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		sim_time t;
		CHECK(!sim_time_parse(bad[i], &t), "sim_time_parse accepted \"%s\"", bad[i]);
	}
	sim_time t;
	CHECK(sim_time_parse_seconds("0.2", &t) && t == 200000000, "seconds 0.2");
	CHECK(sim_time_parse_seconds("1", &t) && t == SIM_S, "seconds 1");
	CHECK(sim_time_parse_seconds("200ms", &t) && t == 200000000, "seconds with unit");
	CHECK(!sim_time_parse_seconds("abc", &t), "seconds junk");
	char buf[32];
	sim_time_format(0, buf);
	CHECK(strcmp(buf, "0.000000") == 0, "format 0: %s", buf);
	sim_time_format(12 * SIM_S + 345678, buf);
	CHECK(strcmp(buf, "12.000345") == 0, "format: %s", buf);
}

/* RFC 1071 the slow way: big-endian 16-bit words, end-around carry. */
static uint32_t ref_csum(const uint8_t *b, size_t len, uint32_t sum)
{
	uint64_t acc = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (i < len)
		acc += (uint32_t)b[i] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}

/* csum_partial sums in machine byte order: it must agree with the plain
 * definition at every length, alignment and starting sum. */
static void test_csum_against_reference(void)
{
	static uint8_t buf[400];
	uint32_t x = 12345;

	for (size_t i = 0; i < sizeof buf; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (size_t off = 0; off < 4; off++)
		for (size_t len = 0; len + off <= sizeof buf; len++) {
			uint32_t start = (uint32_t)(len * 2654435761u) & 0x1ffff;
			uint32_t got = csum_partial(buf + off, len, start);
			uint32_t want = ref_csum(buf + off, len, start);
			if (got != want) {
				CHECK(got == want, "off %zu len %zu start %#x: %#x, want %#x", off, len,
				      start, got, want);
				return;
			}
		}
	memset(buf, 0xff, sizeof buf);
	CHECK(csum_partial(buf, sizeof buf, 0xffff) == ref_csum(buf, sizeof buf, 0xffff),
	      "all ones with a carry in");
}

int main(void)
{
	test_csum();
	test_csum_against_reference();
	test_builders();
	test_icmp_error();
	test_parse();
	test_pool();
	test_addr();
	test_time();
	if (failures) {
		printf("test_packet: %d failure(s)\n", failures);
		return 1;
	}
	printf("test_packet: ok\n");
	return 0;
}
