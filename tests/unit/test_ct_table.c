/* test_ct_table.c - the conntrack table and core: insert, find, kill, expiry,
 * early drop, table full, resize, and the -L / -E texts against what a real
 * Linux 6.18 + conntrack 1.4.7 printed for the same exchanges. */
#include "tests/unit/ct_test_util.h"
#include "nat/conntrack/ct_zone.h"

static unsigned list_count(struct nf_ns *ns, nf_time now, GString *out)
{
	g_string_truncate(out, 0);
	return nf_ct_list(ns, now, out);
}

/* UDP: request, reply, a packet 2.2 s later (observed on Linux: NEW 30
 * UNREPLIED, UPDATE 30, UPDATE 120 ASSURED; -L 118 two seconds later). */
static void test_udp_stream(void)
{
	struct nf_ns *ns = t_ns_new();
	struct t_pkt p;
	GString *out = g_string_new("");
	nf_time t0 = 10 * S_;

	t_udp(&p, "10.99.1.2", 40000, "10.99.2.2", 5353);
	CHECK(t_forward(ns, &p, t0) == NF_ACCEPT);
	CHECK(p.skb.ctinfo == IP_CT_NEW);
	CHECK(nf_ct_count(ns, t0) == 1);
	CHECK_STR(t_event(0), "    [NEW] udp      17 30 src=10.99.1.2 dst=10.99.2.2 sport=40000 "
		  "dport=5353 [UNREPLIED] src=10.99.2.2 dst=10.99.1.2 sport=5353 dport=40000");
	t_udp(&p, "10.99.2.2", 5353, "10.99.1.2", 40000);
	CHECK(t_forward(ns, &p, t0 + S_ / 1000) == NF_ACCEPT);
	CHECK(p.skb.ctinfo == IP_CT_ESTABLISHED_REPLY);
	CHECK_STR(t_event(1), " [UPDATE] udp      17 30 src=10.99.1.2 dst=10.99.2.2 sport=40000 "
		  "dport=5353 src=10.99.2.2 dst=10.99.1.2 sport=5353 dport=40000");
	t_udp(&p, "10.99.1.2", 40000, "10.99.2.2", 5353);
	CHECK(t_forward(ns, &p, t0 + 2200 * S_ / 1000) == NF_ACCEPT);
	CHECK(p.skb.ctinfo == IP_CT_ESTABLISHED);
	CHECK_STR(t_event(2), " [UPDATE] udp      17 120 src=10.99.1.2 dst=10.99.2.2 sport=40000 "
		  "dport=5353 src=10.99.2.2 dst=10.99.1.2 sport=5353 dport=40000 [ASSURED]");
	CHECK(t_events->len == 3);
	CHECK(list_count(ns, t0 + 4200 * S_ / 1000, out) == 1);
	CHECK_STR(out->str, "udp      17 118 src=10.99.1.2 dst=10.99.2.2 sport=40000 dport=5353 "
		  "src=10.99.2.2 dst=10.99.1.2 sport=5353 dport=40000 [ASSURED] mark=0 use=1\n");
	/* stats: ordinary traffic moves no counter */
	CHECK(ns->ct->stats.found == 0 && ns->ct->stats.insert == 0 && ns->ct->stats.invalid == 0);
	g_string_free(out, TRUE);
	nf_ns_free(ns);
}

/* A DNS-like pair stays unassured; the entry expires after 30 s, and the
 * DESTROY event has no timeout field (observed with conntrack -E). */
static void test_udp_expiry(void)
{
	struct nf_ns *ns = t_ns_new();
	struct t_pkt p;
	GString *out = g_string_new("");

	t_udp(&p, "10.0.0.1", 1111, "10.0.0.2", 53);
	t_forward(ns, &p, 0);
	t_udp(&p, "10.0.0.2", 53, "10.0.0.1", 1111);
	t_forward(ns, &p, S_ / 100);
	CHECK(list_count(ns, 29 * S_, out) == 1);
	CHECK(strstr(out->str, "udp      17 1 src=") == out->str);
	CHECK(strstr(out->str, "[ASSURED]") == NULL);
	CHECK(nf_ct_count(ns, 30 * S_ + S_ / 100) == 0);
	CHECK_STR(t_event(t_events->len - 1), "[DESTROY] udp      17 src=10.0.0.1 dst=10.0.0.2 "
		  "sport=1111 dport=53 src=10.0.0.2 dst=10.0.0.1 sport=53 dport=1111");
	g_string_free(out, TRUE);
	nf_ns_free(ns);
}

/* TCP handshake and close, the observed event sequence. */
static void test_tcp_events(void)
{
	struct nf_ns *ns = t_ns_new();
	struct t_pkt p;
	const char *c = "10.99.1.2", *s = "10.99.2.2";

	t_tcp(&p, c, 41000, s, 8080, 1000, 0, 0x02, 0);
	t_forward(ns, &p, 0);
	t_tcp(&p, s, 8080, c, 41000, 5000, 1001, 0x12, 0);
	t_forward(ns, &p, S_ / 1000);
	t_tcp(&p, c, 41000, s, 8080, 1001, 5001, 0x10, 0);
	t_forward(ns, &p, 2 * S_ / 1000);
	CHECK_STR(t_event(0), "    [NEW] tcp      6 120 SYN_SENT src=10.99.1.2 dst=10.99.2.2 "
		  "sport=41000 dport=8080 [UNREPLIED] src=10.99.2.2 dst=10.99.1.2 sport=8080 "
		  "dport=41000");
	CHECK_STR(t_event(1), " [UPDATE] tcp      6 60 SYN_RECV src=10.99.1.2 dst=10.99.2.2 "
		  "sport=41000 dport=8080 src=10.99.2.2 dst=10.99.1.2 sport=8080 dport=41000");
	CHECK_STR(t_event(2), " [UPDATE] tcp      6 432000 ESTABLISHED src=10.99.1.2 "
		  "dst=10.99.2.2 sport=41000 dport=8080 src=10.99.2.2 dst=10.99.1.2 sport=8080 "
		  "dport=41000 [ASSURED]");
	/* data, then FIN from the client, ACK, FIN from the server, last ACK */
	t_tcp(&p, c, 41000, s, 8080, 1001, 5001, 0x18, 2);
	t_forward(ns, &p, 3 * S_ / 1000);
	t_tcp(&p, s, 8080, c, 41000, 5001, 1003, 0x10, 0);
	t_forward(ns, &p, 4 * S_ / 1000);
	t_tcp(&p, c, 41000, s, 8080, 1003, 5001, 0x11, 0);
	t_forward(ns, &p, 5 * S_ / 1000);
	t_tcp(&p, s, 8080, c, 41000, 5001, 1004, 0x10, 0);
	t_forward(ns, &p, 6 * S_ / 1000);
	t_tcp(&p, s, 8080, c, 41000, 5001, 1004, 0x11, 0);
	t_forward(ns, &p, 7 * S_ / 1000);
	t_tcp(&p, c, 41000, s, 8080, 1004, 5002, 0x10, 0);
	t_forward(ns, &p, 8 * S_ / 1000);
	CHECK(t_events->len == 7);
	CHECK(strstr(t_event(3), " [UPDATE] tcp      6 120 FIN_WAIT ") == t_event(3));
	CHECK(strstr(t_event(4), " [UPDATE] tcp      6 60 CLOSE_WAIT ") == t_event(4));
	CHECK(strstr(t_event(5), " [UPDATE] tcp      6 30 LAST_ACK ") == t_event(5));
	CHECK(strstr(t_event(6), " [UPDATE] tcp      6 120 TIME_WAIT ") == t_event(6));
	/* a new SYN on the TIME_WAIT entry: destroyed and started afresh */
	t_tcp(&p, c, 41000, s, 8080, 90000, 0, 0x02, 0);
	CHECK(t_forward(ns, &p, 10 * S_) == NF_ACCEPT);
	CHECK(strstr(t_event(7), "[DESTROY] tcp      6 110 TIME_WAIT ") == t_event(7));
	CHECK(strstr(t_event(8), "    [NEW] tcp      6 120 SYN_SENT ") == t_event(8));
	CHECK(nf_ct_count(ns, 10 * S_) == 1);
	nf_ns_free(ns);
}

/* RST answering a SYN kills the entry at once (observed: DESTROY with the
 * SYN_SENT timeout left, state CLOSE); bare FIN and SYN+FIN are invalid. */
static void test_tcp_rst_and_invalid(void)
{
	struct nf_ns *ns = t_ns_new();
	struct t_pkt p;

	t_tcp(&p, "10.0.0.1", 51728, "10.0.0.2", 80, 777, 0, 0x02, 0);
	t_forward(ns, &p, 0);
	t_tcp(&p, "10.0.0.2", 80, "10.0.0.1", 51728, 0, 778, 0x14, 0);
	CHECK(t_forward(ns, &p, S_ / 1000) == NF_ACCEPT);
	CHECK(nf_ct_count(ns, S_) == 0);
	CHECK_STR(t_event(1), "[DESTROY] tcp      6 119 CLOSE src=10.0.0.1 dst=10.0.0.2 "
		  "sport=51728 dport=80 [UNREPLIED] src=10.0.0.2 dst=10.0.0.1 sport=80 "
		  "dport=51728");
	t_tcp(&p, "10.0.0.1", 5000, "10.0.0.2", 80, 1, 0, 0x01, 0);
	t_forward(ns, &p, S_);
	CHECK(p.skb.ct == NULL);
	t_tcp(&p, "10.0.0.1", 5001, "10.0.0.2", 80, 1, 0, 0x03, 0);
	t_forward(ns, &p, S_);
	CHECK(ns->ct->stats.invalid == 2);
	/* loose pick-up: a bare ACK makes ESTABLISHED, 300 s, not ASSURED */
	t_tcp(&p, "10.0.0.1", 5002, "10.0.0.2", 80, 1, 1, 0x10, 0);
	t_forward(ns, &p, S_);
	CHECK(p.skb.ct && p.skb.ct->proto.tcp.state == TCP_CONNTRACK_ESTABLISHED);
	CHECK(p.skb.ct && !(p.skb.ct->status & IPS_ASSURED));
	CHECK(p.skb.ct && ct_entry_remaining(p.skb.ct, S_) == 300);
	/* without tcp_loose, no entry and `invalid` */
	nf_sysctl_set(ns, "net.netfilter.nf_conntrack_tcp_loose", "0", NULL, false, S_);
	t_tcp(&p, "10.0.0.1", 5003, "10.0.0.2", 80, 1, 1, 0x10, 0);
	t_forward(ns, &p, S_);
	CHECK(p.skb.ct == NULL && ns->ct->stats.invalid == 3);
	/* a retransmitted SYN does not refresh the SYN_SENT timeout */
	t_tcp(&p, "10.0.0.1", 6000, "10.0.0.2", 80, 50, 0, 0x02, 0);
	t_forward(ns, &p, S_);
	t_tcp(&p, "10.0.0.1", 6000, "10.0.0.2", 80, 50, 0, 0x02, 0);
	t_forward(ns, &p, 4 * S_);
	CHECK(p.skb.ct && ct_entry_remaining(p.skb.ct, 4 * S_) == 117);
	nf_ns_free(ns);
}

/* ICMP: echo entries; errors RELATED through the embedded header; an
 * error quoting nothing known counts `error`, not `invalid`. */
static void test_icmp(void)
{
	struct nf_ns *ns = t_ns_new();
	struct t_pkt p, q;
	GString *out = g_string_new("");

	t_icmp(&p, "10.99.1.2", "10.99.2.2", 8, 4660, 1);
	t_forward(ns, &p, 0);
	t_icmp(&p, "10.99.2.2", "10.99.1.2", 0, 4660, 1);
	t_forward(ns, &p, S_ / 1000);
	CHECK(p.skb.ctinfo == IP_CT_ESTABLISHED_REPLY);
	list_count(ns, S_, out);
	CHECK_STR(out->str, "icmp     1 29 src=10.99.1.2 dst=10.99.2.2 type=8 code=0 id=4660 "
		  "src=10.99.2.2 dst=10.99.1.2 type=0 code=0 id=4660 mark=0 use=1\n");
	/* echo reply without an entry: invalid */
	t_icmp(&p, "10.99.2.2", "10.99.1.2", 0, 999, 1);
	t_forward(ns, &p, S_);
	CHECK(p.skb.ct == NULL && ns->ct->stats.invalid == 1);

	/* port unreachable about a UDP datagram we track */
	t_udp(&q, "10.99.1.2", 40001, "10.99.2.2", 6000);
	t_forward(ns, &q, S_);
	t_ip_hdr(&p, 1, t_ip("10.99.2.2"), t_ip("10.99.1.2"), 8 + 28);
	p.buf[20] = 3;
	p.buf[21] = 3;
	memcpy(p.buf + 28, q.buf, 28);
	t_l4_csum(&p, 2);
	t_forward(ns, &p, S_);
	CHECK(p.skb.ct != NULL && p.skb.ctinfo == IP_CT_RELATED_REPLY);
	/* the same error about an unknown flow */
	t_udp(&q, "10.99.1.2", 40002, "10.99.2.2", 6000);
	memcpy(p.buf + 28, q.buf, 28);
	t_l4_csum(&p, 2);
	p.skb.ct = NULL;
	t_forward(ns, &p, S_);
	CHECK(p.skb.ct == NULL && ns->ct->stats.error == 1 && ns->ct->stats.invalid == 1);
	g_string_free(out, TRUE);
	nf_ns_free(ns);
}

/* Make a confirmed UDP entry; `reply` makes it SEEN_REPLY, `assured` too. */
static struct ct_entry *mk_udp(struct nf_ns *ns, uint32_t src, uint16_t sport, bool assured,
			       nf_time now)
{
	struct t_pkt p;
	char s[16];

	snprintf(s, sizeof(s), "%u.%u.%u.%u", src >> 24, (src >> 16) & 255, (src >> 8) & 255,
		 src & 255);
	t_udp(&p, s, sport, "192.0.2.1", 53);
	t_forward(ns, &p, now);
	if (assured && p.skb.ct)
		p.skb.ct->status |= IPS_ASSURED | IPS_SEEN_REPLY;
	return p.skb.ct;
}

static uint32_t bucket_of_udp(struct nf_ns *ns, uint32_t src, uint16_t sport)
{
	struct ct_tuple t = { .src = src, .dst = t_ip("192.0.2.1"), .sport = sport,
			      .dport = 53, .proto = 17 };

	return ct_hash_bucket(ns, &t);
}

/* reply tuple bucket of such an entry */
static uint32_t rbucket_of_udp(struct nf_ns *ns, uint32_t src, uint16_t sport)
{
	struct ct_tuple t = { .src = t_ip("192.0.2.1"), .dst = src, .sport = 53,
			      .dport = sport, .proto = 17, .dir = 1 };

	return ct_hash_bucket(ns, &t);
}

static uint32_t bdist(uint32_t from, uint32_t to, uint32_t size)
{
	return (to + size - from) % size;
}

/* early_drop: only non-ASSURED entries, only in the first of 8 buckets
 * from the new tuple's bucket that holds victims. */
static void test_early_drop(void)
{
	struct nf_ns *ns = t_ns_new();
	uint32_t src = t_ip("10.1.0.1"), size, b0;
	uint16_t victim = 0, assured = 0, far = 0, next = 0;
	struct t_pkt p;
	GString *err = g_string_new("");

	CHECK(nf_sysctl_set(ns, "net.netfilter.nf_conntrack_buckets", "512", err, false, 0) == 0);
	size = ns->ct->sysctl.ct_buckets;
	CHECK(size == 512);
	b0 = bucket_of_udp(ns, src, 1000);
	/* a victim 3 buckets on (both tuples at least 3 on), an ASSURED entry in
	 * the new tuple's own bucket, an unassured one far away */
	for (uint16_t s = 2000; s < 60000 && !(victim && assured && far); s++) {
		uint32_t d = bdist(b0, bucket_of_udp(ns, src, s), size);
		uint32_t dr = bdist(b0, rbucket_of_udp(ns, src, s), size);

		if (!victim && d == 3 && dr >= 3)
			victim = s;
		else if (!assured && d == 0 && dr > 8)
			assured = s;
		else if (!far && d > 8 && dr > 8)
			far = s;
	}
	CHECK(victim && assured && far);
	mk_udp(ns, src, far, false, 0);
	mk_udp(ns, src, assured, true, 0);
	mk_udp(ns, src, victim, false, 0);
	CHECK(nf_ct_count(ns, 0) == 3);
	CHECK(nf_sysctl_set(ns, "net.netfilter.nf_conntrack_max", "3", err, false, 0) == 0);
	t_udp(&p, "10.1.0.1", 1000, "192.0.2.1", 53);
	CHECK(t_forward(ns, &p, S_) == NF_ACCEPT);
	CHECK(ns->ct->stats.early_drop == 1);
	CHECK(nf_ct_count(ns, S_) == 3);
	{	/* the victim is gone, the ASSURED and the far entry stay */
		struct ct_tuple t = { .src = src, .dst = t_ip("192.0.2.1"), .sport = victim,
				      .dport = 53, .proto = 17 };

		CHECK(ct_table_find(ns, &t, S_) == NULL);
		t.sport = assured;
		CHECK(ct_table_find(ns, &t, S_) != NULL);
		t.sport = far;
		CHECK(ct_table_find(ns, &t, S_) != NULL);
	}
	/* now no victim near a new tuple: pick one whose 8 buckets hold only
	 * the ASSURED entry -> table full, drop, kernel message */
	for (uint16_t s = 3000; s < 60000 && !next; s++) {
		bool ok = true;

		for (uint16_t e = 0; e < 3 && ok; e++) {
			uint16_t port = e == 0 ? far : e == 1 ? 1000 : assured;
			uint32_t nb = bucket_of_udp(ns, src, s);

			if (e == 2)
				continue;	/* the ASSURED one may be near: never a victim */
			if (bdist(nb, bucket_of_udp(ns, src, port), size) < 8 ||
			    bdist(nb, rbucket_of_udp(ns, src, port), size) < 8)
				ok = false;
		}
		if (ok)
			next = s;
	}
	CHECK(next);
	for (int i = 0; i < 12; i++) {
		t_udp(&p, "10.1.0.1", next, "192.0.2.1", 53);
		CHECK(t_forward(ns, &p, 2 * S_) == NF_DROP);
	}
	CHECK(ns->ct->stats.drop == 12 && ns->ct->stats.early_drop == 1);
	CHECK(t_klog->len == 10);
	CHECK_STR(g_ptr_array_index(t_klog, 0), "nf_conntrack: nf_conntrack: table full, dropping packet");
	t_udp(&p, "10.1.0.1", next, "192.0.2.1", 53);
	t_forward(ns, &p, 8 * S_);
	CHECK(t_klog->len == 12);
	CHECK_STR(g_ptr_array_index(t_klog, 10), "net_ratelimit: 2 callbacks suppressed");
	/* the failed early drop asked the gc for its own: it takes the
	 * non-ASSURED entries while the table is >= 95 % full (max >= 100 only:
	 * here max 3 -> max95 is 0, nothing happens) */
	CHECK(ns->ct->gc_early_drop);
	nf_gc(ns, 8 * S_);
	CHECK(nf_ct_count(ns, 8 * S_) == 3);
	g_string_free(err, TRUE);
	nf_ns_free(ns);
}

/* buckets: rounded up to 512; resizing keeps every entry findable; both
 * tuples of an entry are in the ONE table. */
static void test_buckets(void)
{
	struct nf_ns *ns = t_ns_new();
	GString *v = g_string_new(""), *err = g_string_new("");
	struct t_pkt p;

	CHECK(nf_sysctl_set(ns, "net.netfilter.nf_conntrack_buckets", "64", err, false, 0) == 0);
	nf_sysctl_get(ns, "net.netfilter.nf_conntrack_buckets", v, 0);
	CHECK_STR(v->str, "512");
	for (int i = 0; i < 100; i++)
		mk_udp(ns, t_ip("10.2.0.1"), (uint16_t)(1000 + i), false, 0);
	CHECK(nf_sysctl_set(ns, "net.netfilter.nf_conntrack_buckets", "1000", err, false, 0) == 0);
	CHECK(ns->ct->sysctl.ct_buckets == 1024);
	for (int i = 0; i < 100; i++) {
		struct ct_tuple t = { .src = t_ip("10.2.0.1"), .dst = t_ip("192.0.2.1"),
				      .sport = (uint16_t)(1000 + i), .dport = 53, .proto = 17 };
		struct ct_tuple r = { .src = t_ip("192.0.2.1"), .dst = t_ip("10.2.0.1"),
				      .sport = 53, .dport = (uint16_t)(1000 + i), .proto = 17 };
		struct ct_tuple_node *a = ct_table_find(ns, &t, 0), *b = ct_table_find(ns, &r, 0);

		CHECK(a && b && ct_of_node(a) == ct_of_node(b) && b->t.dir == CT_DIR_REPLY);
	}
	CHECK(nf_ct_count(ns, 0) == 100);
	/* the reply direction finds the entry: ESTABLISHED_REPLY */
	t_udp(&p, "192.0.2.1", 53, "10.2.0.1", 1005);
	t_forward(ns, &p, 0);
	CHECK(p.skb.ctinfo == IP_CT_ESTABLISHED_REPLY);
	/* bad values: procps' messages */
	g_string_truncate(err, 0);
	CHECK(nf_sysctl_set(ns, "net.netfilter.nf_conntrack_max", "abc", err, false, 0) == 2);
	CHECK_STR(err->str, "sysctl: setting key \"net.netfilter.nf_conntrack_max\": Invalid argument");
	g_string_truncate(err, 0);
	CHECK(nf_sysctl_set(ns, "net.netfilter.nf_conntrack_bogus", "1", err, false, 0) == 2);
	CHECK_STR(err->str, "sysctl: cannot stat /proc/sys/net/netfilter/nf_conntrack_bogus: "
		  "No such file or directory");
	CHECK(nf_sysctl_set(ns, "net.netfilter.nf_conntrack_tcp_loose", "2", err, false, 0) == 2);
	CHECK(nf_sysctl_set(ns, "net.netfilter.nf_conntrack_udp_timeout", "-5", err, false, 0) == 0);
	CHECK(nf_sysctl_set(ns, "net.nf_conntrack_max", "1000", err, false, 0) == 0);
	g_string_truncate(v, 0);
	nf_sysctl_get(ns, "net.netfilter.nf_conntrack_max", v, 0);
	CHECK_STR(v->str, "1000");
	g_string_free(v, TRUE);
	g_string_free(err, TRUE);
	nf_ns_free(ns);
}

/* conntrack -S / -C / -D / -F texts (observed). */
static void test_cmd(void)
{
	struct nf_ns *ns = t_ns_new();
	GString *out = g_string_new(""), *err = g_string_new("");
	char *argv_s[] = { "conntrack", "-S", NULL };
	char *argv_d[] = { "conntrack", "-D", "-p", "udp", "--dport", "6000", NULL };
	char *argv_f[] = { "conntrack", "-F", NULL };
	char *argv_x[] = { "conntrack", "-X", NULL };
	char *argv_p[] = { "conntrack", "-D", "--dport", "80", NULL };

	CHECK(nf_cmd_conntrack(ns, 2, argv_s, out, err, false, 0) == 0);
	CHECK_STR(out->str, "cpu=0   \tfound=0 invalid=0 insert=0 insert_failed=0 drop=0 "
		  "early_drop=0 error=0 search_restart=0 clash_resolve=0 chaintoolong=0 \n");
	mk_udp(ns, t_ip("10.3.0.1"), 6000, false, 0);
	mk_udp(ns, t_ip("10.3.0.1"), 6001, false, 0);
	g_string_truncate(out, 0);
	{	/* -D matches the ORIGINAL destination port */
		struct t_pkt p;

		t_udp(&p, "10.3.0.1", 40001, "192.0.2.1", 6000);
		t_forward(ns, &p, 0);
	}
	CHECK(nf_cmd_conntrack(ns, 6, argv_d, out, err, false, S_) == 0);
	CHECK(nf_ct_count(ns, S_) == 2);
	CHECK_STR(err->str, "conntrack v1.4.7 (conntrack-tools): 1 flow entries have been deleted.\n");
	CHECK(strstr(out->str, "udp      17 29 src=10.3.0.1 dst=192.0.2.1 sport=40001 dport=6000 "
		     "[UNREPLIED]") == out->str);
	g_string_truncate(err, 0);
	CHECK(nf_cmd_conntrack(ns, 2, argv_f, out, err, false, S_) == 0);
	CHECK_STR(err->str, "conntrack v1.4.7 (conntrack-tools): connection tracking table has "
		  "been emptied.\n");
	CHECK(nf_ct_count(ns, S_) == 0);
	g_string_truncate(err, 0);
	CHECK(nf_cmd_conntrack(ns, 2, argv_x, out, err, false, S_) == 2);
	CHECK_STR(err->str, "conntrack v1.4.7 (conntrack-tools): unknown option `-X'\n"
		  "Try `conntrack -h' or 'conntrack --help' for more information.\n");
	g_string_truncate(err, 0);
	CHECK(nf_cmd_conntrack(ns, 4, argv_p, out, err, true, S_) == 2);
	CHECK(strstr(err->str, "unknown option `--dport'") != NULL);
	g_string_free(out, TRUE);
	g_string_free(err, TRUE);
	nf_ns_free(ns);
}

/* Conntrack zones (a CT --zone template on the packet): one tuple in
 * zones 1, 2 and 0 is three entries; each packet finds its own zone's;
 * a --zone-orig entry's REPLY tuple is in zone 0, where a reply without a
 * template finds it; -L prints zone=N / zone-orig=N as conntrack 1.4.7. */
static void t_zone(struct t_pkt *p, uint16_t id, uint8_t dir)
{
	p->skb.ct_zone = id;
	p->skb.ct_zone_flags = NF_CT_TMPL_ATTACHED | dir;
}

static void test_zones(void)
{
	struct nf_ns *ns = t_ns_new();
	struct t_pkt p;
	struct ct_entry *e[4];
	GString *out = g_string_new("");

	for (int z = 0; z < 3; z++) {
		t_udp(&p, "10.0.0.1", 1000, "10.0.0.2", 53);
		if (z)
			t_zone(&p, (uint16_t)z, NF_CT_DEFAULT_ZONE_DIR);
		CHECK(t_forward(ns, &p, S_) == NF_ACCEPT && p.skb.ctinfo == IP_CT_NEW);
		e[z] = p.skb.ct;
	}
	CHECK(nf_ct_count(ns, S_) == 3 && e[0] != e[1] && e[1] != e[2] && e[0] != e[2]);
	t_udp(&p, "10.0.0.1", 1000, "10.0.0.2", 53);
	t_zone(&p, 2, NF_CT_DEFAULT_ZONE_DIR);
	CHECK(t_forward(ns, &p, S_) == NF_ACCEPT && p.skb.ct == e[2]);
	t_udp(&p, "10.0.0.2", 53, "10.0.0.1", 1000);
	CHECK(t_forward(ns, &p, S_) == NF_ACCEPT && p.skb.ct == e[0] &&
	      p.skb.ctinfo == IP_CT_ESTABLISHED_REPLY);
	t_udp(&p, "10.0.0.2", 53, "10.0.0.1", 1000);
	t_zone(&p, 1, NF_CT_DEFAULT_ZONE_DIR);
	CHECK(t_forward(ns, &p, S_) == NF_ACCEPT && p.skb.ct == e[1] &&
	      p.skb.ctinfo == IP_CT_ESTABLISHED_REPLY);
	/* --zone-orig 7: the reply (no template) finds it in zone 0 */
	t_udp(&p, "10.0.0.3", 1000, "10.0.0.2", 53);
	t_zone(&p, 7, NF_CT_ZONE_DIR_ORIG);
	CHECK(t_forward(ns, &p, S_) == NF_ACCEPT && p.skb.ctinfo == IP_CT_NEW);
	e[3] = p.skb.ct;
	t_udp(&p, "10.0.0.2", 53, "10.0.0.3", 1000);
	CHECK(t_forward(ns, &p, S_) == NF_ACCEPT && p.skb.ct == e[3] &&
	      p.skb.ctinfo == IP_CT_ESTABLISHED_REPLY);
	/* --zone mark: the id is the packet's mark (low 16 bits) */
	t_udp(&p, "10.0.0.4", 1000, "10.0.0.2", 53);
	t_zone(&p, 0, NF_CT_DEFAULT_ZONE_DIR | NF_CT_ZONE_FLAG_MARK);
	p.skb.mark = 0x30009;
	CHECK(t_forward(ns, &p, S_) == NF_ACCEPT && p.skb.ct &&
	      p.skb.ct->tuplehash[CT_DIR_ORIGINAL].t.zone == 9 &&
	      p.skb.ct->tuplehash[CT_DIR_REPLY].t.zone == 9);
	CHECK(list_count(ns, 2 * S_, out) == 5);
	CHECK(strstr(out->str, "udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport=1000 dport=53 [UNREPLIED] "
		     "src=10.0.0.2 dst=10.0.0.1 sport=53 dport=1000 mark=0 zone=2 use=1\n"));
	CHECK(strstr(out->str, "src=10.0.0.3 dst=10.0.0.2 sport=1000 dport=53 zone-orig=7 "
		     "src=10.0.0.2 dst=10.0.0.3 sport=53 dport=1000 mark=0 use=1\n"));
	CHECK(strstr(out->str, "sport=53 dport=1000 mark=0 use=1\n"));	/* zone 0 */
	g_string_free(out, TRUE);
	nf_ns_free(ns);
}

int main(void)
{
	printf("sizeof(struct ct_entry) = %zu\n", sizeof(struct ct_entry));
	CHECK(sizeof(struct ct_entry) <= 192);
	test_udp_stream();
	test_udp_expiry();
	test_tcp_events();
	test_tcp_rst_and_invalid();
	test_icmp();
	test_early_drop();
	test_buckets();
	test_cmd();
	test_zones();
	if (failures) {
		fprintf(stderr, "test_ct_table: %d failures\n", failures);
		return 1;
	}
	printf("test_ct_table: ok\n");
	return 0;
}
