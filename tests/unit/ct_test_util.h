/* ct_test_util.h - helpers for the conntrack unit tests: a namespace with a
 * recording environment, hand-made IPv4 packets with correct checksums. */
#ifndef CT_TEST_UTIL_H
#define CT_TEST_UTIL_H

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_proto.h"
#include "nat/core/nf_ns.h"
#include "nat/iptables/ipt.h"
#include "nat/nf.h"
#include "nat/nf_nat/nat.h"

#include "tests/unit/check.h"

/* CHECK and the failure count come from check.h; CHECK_STR shows both texts. */
#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); if (strcmp(a_, b_) != 0) { \
	failures++; fprintf(stderr, "%s:%d: got\n  [%s]\nwant\n  [%s]\n", __FILE__, __LINE__, \
	a_, b_); } } while (0)

static GPtrArray *t_events, *t_klog;

static inline void t_ct_event(void *ctx, nf_time now, const char *line)
{
	(void)ctx; (void)now;
	g_ptr_array_add(t_events, g_strdup(line));
}
static inline void t_klog_cb(void *ctx, nf_time now, const char *text)
{
	(void)ctx; (void)now;
	g_ptr_array_add(t_klog, g_strdup(text));
}

static inline struct nf_ns *t_ns_new(void)
{
	struct nf_env env = { .ct_event = t_ct_event, .klog = t_klog_cb };
	struct nf_ns *ns;

	if (!t_events) {
		t_events = g_ptr_array_new_with_free_func(g_free);
		t_klog = g_ptr_array_new_with_free_func(g_free);
	}
	g_ptr_array_set_size(t_events, 0);
	g_ptr_array_set_size(t_klog, 0);
	ns = nf_ns_new(&env, 12345);
	nf_ct_load(ns);
	return ns;
}

#define S_ (1000000000LL)

static inline uint32_t t_ip(const char *s)
{
	unsigned a, b, c, d;

	sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d);
	return a << 24 | b << 16 | c << 8 | d;
}


static inline uint16_t t_csum(const uint8_t *b, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* A packet buffer and its skb. */
struct t_pkt {
	uint8_t buf[256];
	struct nf_skb skb;
};

static inline void t_ip_hdr(struct t_pkt *p, uint8_t proto, uint32_t src, uint32_t dst, uint32_t l4len)
{
	uint8_t *ip = p->buf;

	memset(p, 0, sizeof(*p));
	ip[0] = 0x45;
	wr16(ip + 2, (uint16_t)(20 + l4len));
	ip[8] = 64;
	ip[9] = proto;
	wr32(ip + 12, src);
	wr32(ip + 16, dst);
	wr16(ip + 10, t_csum(ip, 20, 0));
	p->skb.ip = ip;
	p->skb.len = 20 + l4len;
}

static inline void t_l4_csum(struct t_pkt *p, int off)
{
	uint8_t *ip = p->buf, *l4 = ip + 20;
	uint32_t n = p->skb.len - 20, sum = 0;

	if (ip[9] != 1) {
		sum = (uint32_t)(ip[12] << 8 | ip[13]) + (uint32_t)(ip[14] << 8 | ip[15]) +
		      (uint32_t)(ip[16] << 8 | ip[17]) + (uint32_t)(ip[18] << 8 | ip[19]) + ip[9] + n;
	}
	wr16(l4 + off, 0);
	wr16(l4 + off, t_csum(l4, n, sum));
}

static inline void t_udp(struct t_pkt *p, const char *src, uint16_t sport, const char *dst,
		  uint16_t dport)
{
	t_ip_hdr(p, 17, t_ip(src), t_ip(dst), 8 + 4);
	wr16(p->buf + 20, sport);
	wr16(p->buf + 22, dport);
	wr16(p->buf + 24, 12);
	t_l4_csum(p, 6);
}

static inline void t_tcp(struct t_pkt *p, const char *src, uint16_t sport, const char *dst,
		  uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint32_t payload)
{
	t_ip_hdr(p, 6, t_ip(src), t_ip(dst), 20 + payload);
	wr16(p->buf + 20, sport);
	wr16(p->buf + 22, dport);
	wr32(p->buf + 24, seq);
	wr32(p->buf + 28, ack);
	p->buf[32] = 5 << 4;
	p->buf[33] = flags;
	wr16(p->buf + 34, 64240);
	t_l4_csum(p, 16);
}

static inline void t_icmp(struct t_pkt *p, const char *src, const char *dst, uint8_t type,
		   uint16_t id, uint16_t seq)
{
	t_ip_hdr(p, 1, t_ip(src), t_ip(dst), 8);
	p->buf[20] = type;
	wr16(p->buf + 24, id);
	wr16(p->buf + 26, seq);
	t_l4_csum(p, 2);
}

/* A forwarded packet's walk as far as conntrack is concerned: PRE_ROUTING
 * ct_in, POST_ROUTING confirm. Returns the final verdict. */
static inline int t_forward(struct nf_ns *ns, struct t_pkt *p, nf_time now)
{
	int v = ct_in(ns, &p->skb, NF_INET_PRE_ROUTING, now);

	if (v != NF_ACCEPT)
		return v;
	v = ct_confirm(ns, &p->skb, now);
	/* nf_skb_release */
	if (p->skb.ct && !(p->skb.ct->status & IPS_CONFIRMED))
		ct_entry_kill(ns, p->skb.ct, now);
	return v;
}

static inline const char *t_event(unsigned i)
{
	return i < t_events->len ? g_ptr_array_index(t_events, i) : "(none)";
}

#endif
