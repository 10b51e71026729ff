/* test_nat_helper.c - the payload rewrite NAT helpers share
 * (nf_nat_mangle_tcp_packet, nat/nf_nat/nat_helper.c): a longer and a
 * shorter replacement move the rest of the payload, set the IP total
 * length and header checksum and the TCP checksum again, and record the
 * length change for seqadj; a replacement the frame has no room for, or a
 * match outside the payload, changes nothing and says so (false).
 */
#include "tests/unit/ct_test_util.h"
#include "nat/conntrack/ct_seqadj.h"
#include "nat/nf_nat/nat_helper.h"

static const char line[] = "PORT 10,0,0,2,128,1\r\nNOOP\r\n";

/* A 20-byte-header TCP segment carrying `line`, with `room` bytes of
 * tailroom. */
static void mk(struct t_pkt *p, uint32_t room)
{
	t_ip_hdr(p, 6, t_ip("10.0.0.2"), t_ip("203.0.113.10"), 20 + (uint32_t)strlen(line));
	wr16(p->buf + 20, 40000);
	wr16(p->buf + 22, 21);
	wr32(p->buf + 24, 1001);
	wr32(p->buf + 28, 5001);
	p->buf[32] = 5 << 4;
	p->buf[33] = 0x18;
	wr16(p->buf + 34, 64240);
	memcpy(p->buf + 40, line, strlen(line));
	t_l4_csum(p, 16);
	p->skb.end = p->buf + p->skb.len + room;
}

static bool csums_ok(const struct t_pkt *p)
{
	const uint8_t *ip = p->buf;
	uint32_t n = rd16(ip + 2) - 20;
	uint32_t sum = (uint32_t)(ip[12] << 8 | ip[13]) + (uint32_t)(ip[14] << 8 | ip[15]) +
		       (uint32_t)(ip[16] << 8 | ip[17]) + (uint32_t)(ip[18] << 8 | ip[19]) + 6 + n;

	return t_csum(ip, 20, 0) == 0 && t_csum(ip + 20, n, sum) == 0;
}

int main(void)
{
	struct nf_ns *ns = t_ns_new();
	struct t_pkt p, syn;
	struct ct_entry *ct;
	struct nf_conn_seqadj *sa;
	uint8_t before[256];

	t_tcp(&syn, "10.0.0.2", 40000, "203.0.113.10", 21, 1000, 0, 0x02, 0);
	CHECK(ct_in(ns, &syn.skb, NF_INET_PRE_ROUTING, 1 * S_) == NF_ACCEPT && syn.skb.ct);
	ct = syn.skb.ct;
	sa = nfct_seqadj_ext_add(ns, ct);

	/* longer: "10,0,0,2,128,1" (14) -> "203,0,113,1,128,1" (17) */
	mk(&p, 100);
	CHECK(nf_nat_mangle_tcp_packet(ns, &p.skb, ct, IP_CT_ESTABLISHED, 20, 5, 14,
				       "203,0,113,1,128,1", 17));
	CHECK(rd16(p.buf + 2) == 20 + 20 + strlen(line) + 3 && p.skb.len == rd16(p.buf + 2));
	CHECK(nf_skb_tailroom(&p.skb) == 97, "tailroom %u", nf_skb_tailroom(&p.skb));
	CHECK(memcmp(p.buf + 40, "PORT 203,0,113,1,128,1\r\nNOOP\r\n", strlen(line) + 3) == 0);
	CHECK(csums_ok(&p), "checksums after growing");
	CHECK(sa->seq[CT_DIR_ORIGINAL].correction_pos == 1001 &&
	      sa->seq[CT_DIR_ORIGINAL].offset_after == 3 && (ct->status & IPS_SEQ_ADJUST));

	/* shorter, in the other direction: the rest moves back */
	mk(&p, 0);
	CHECK(nf_nat_mangle_tcp_packet(ns, &p.skb, ct, IP_CT_ESTABLISHED_REPLY, 20, 5, 14,
				       "1,2,3,4,0,1", 11));
	CHECK(rd16(p.buf + 2) == 20 + 20 + strlen(line) - 3 && nf_skb_tailroom(&p.skb) == 3);
	CHECK(memcmp(p.buf + 40, "PORT 1,2,3,4,0,1\r\nNOOP\r\n", strlen(line) - 3) == 0);
	CHECK(csums_ok(&p), "checksums after shrinking");
	CHECK(sa->seq[CT_DIR_REPLY].offset_after == -3);

	/* the same length: bytes and checksum change, no offset */
	mk(&p, 0);
	CHECK(nf_nat_mangle_tcp_packet(ns, &p.skb, ct, IP_CT_ESTABLISHED, 20, 5, 14,
				       "10,0,0,9,128,1", 14));
	CHECK(csums_ok(&p) && sa->seq[CT_DIR_ORIGINAL].offset_after == 3);

	/* no room for 3 more bytes: nothing changes */
	mk(&p, 2);
	memcpy(before, p.buf, sizeof(before));
	CHECK(!nf_nat_mangle_tcp_packet(ns, &p.skb, ct, IP_CT_ESTABLISHED, 20, 5, 14,
					"203,0,113,1,128,1", 17));
	CHECK(memcmp(before, p.buf, sizeof(before)) == 0 && nf_skb_tailroom(&p.skb) == 2);

	/* a match past the payload's end, a header past the packet */
	mk(&p, 100);
	CHECK(!nf_nat_mangle_tcp_packet(ns, &p.skb, ct, IP_CT_ESTABLISHED, 20, 20, 14, "x", 1));
	mk(&p, 100);
	CHECK(!nf_nat_mangle_tcp_packet(ns, &p.skb, ct, IP_CT_ESTABLISHED, 60, 0, 1, "x", 1));
	mk(&p, 100);
	wr16(p.buf + 2, 300);	/* total length beyond the frame */
	CHECK(!nf_nat_mangle_tcp_packet(ns, &p.skb, ct, IP_CT_ESTABLISHED, 20, 5, 14, "x", 1));

	nf_skb_release(ns, &syn.skb);
	nf_ns_free(ns);
	if (!failures)
		printf("test_nat_helper: ok\n");
	return failures != 0;
}
