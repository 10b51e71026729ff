/* test_nat.c - unit tests of nat/nf_nat/nat_core.c, nat/nf_nat/nat_packet.c and
 * nat/nf_nat/nat_hooks.c (the nat hook op).
 *
 * The pool-address tables below were observed on a Linux 6.18 router
 * (network namespaces, iptables 1.8.9 nf_tables, conntrack-tools 1.4.7):
 *   iptables -t nat -A POSTROUTING -o IF -j SNAT --to 1.2.3.4-1.2.3.6 [--persistent]
 * with one UDP (or TCP) flow per client/server pair, each from its own source
 * port (so no earlier mapping of the same source could be reused), read back
 * with `conntrack -L`. natsim must pick the same address for every pair.
 *
 * Conntrack, iptables and the namespace helpers are stubbed here (weak, so
 * the real ones win if something else pulls them into the link): the stub
 * table is a plain array of "confirmed" entries.
 */
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nat/conntrack/ct.h"
#include "nat/core/nf_ns.h"
#include "nat/iptables/ipt.h"
#include "nat/nf.h"
#include "nat/nf_nat/nat.h"

static int failures, checks;
#define CHECK(cond) do { checks++; if (!(cond)) { failures++; \
	fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_EQ(a, b) do { long long _a = (long long)(a), _b = (long long)(b); checks++; \
	if (_a != _b) { failures++; fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", \
	__FILE__, __LINE__, #a, _a, #b, _b); } } while (0)

/* ----- kernel observations: SNAT --to 1.2.3.4-1.2.3.6 ----- */

struct pool_case { const char *client, *server, *mapped; };

/* UDP, one flow per pair */
static const struct pool_case kernel_udp[] = {
	{ "10.66.1.2", "10.66.2.2", "1.2.3.5" },
	{ "10.66.1.2", "10.66.2.3", "1.2.3.5" },
	{ "10.66.1.2", "10.66.2.4", "1.2.3.6" },
	{ "10.66.1.2", "10.66.2.5", "1.2.3.5" },
	{ "10.66.1.2", "10.66.2.6", "1.2.3.6" },
	{ "10.66.1.2", "10.66.2.7", "1.2.3.5" },
	{ "10.66.1.2", "10.66.2.8", "1.2.3.5" },
	{ "10.66.1.2", "10.66.2.9", "1.2.3.5" },
	{ "10.66.1.3", "10.66.2.2", "1.2.3.5" },
	{ "10.66.1.3", "10.66.2.3", "1.2.3.5" },
	{ "10.66.1.3", "10.66.2.4", "1.2.3.6" },
	{ "10.66.1.3", "10.66.2.5", "1.2.3.4" },
	{ "10.66.1.3", "10.66.2.6", "1.2.3.6" },
	{ "10.66.1.3", "10.66.2.7", "1.2.3.5" },
	{ "10.66.1.3", "10.66.2.8", "1.2.3.4" },
	{ "10.66.1.3", "10.66.2.9", "1.2.3.4" },
	{ "10.66.1.4", "10.66.2.2", "1.2.3.6" },
	{ "10.66.1.4", "10.66.2.3", "1.2.3.4" },
	{ "10.66.1.4", "10.66.2.4", "1.2.3.5" },
	{ "10.66.1.4", "10.66.2.5", "1.2.3.4" },
	{ "10.66.1.4", "10.66.2.6", "1.2.3.4" },
	{ "10.66.1.4", "10.66.2.7", "1.2.3.4" },
	{ "10.66.1.4", "10.66.2.8", "1.2.3.5" },
	{ "10.66.1.4", "10.66.2.9", "1.2.3.4" },
	{ "10.66.1.5", "10.66.2.2", "1.2.3.6" },
	{ "10.66.1.5", "10.66.2.3", "1.2.3.6" },
	{ "10.66.1.5", "10.66.2.4", "1.2.3.5" },
	{ "10.66.1.5", "10.66.2.5", "1.2.3.6" },
	{ "10.66.1.5", "10.66.2.6", "1.2.3.5" },
	{ "10.66.1.5", "10.66.2.7", "1.2.3.5" },
	{ "10.66.1.5", "10.66.2.8", "1.2.3.5" },
	{ "10.66.1.5", "10.66.2.9", "1.2.3.5" },
	{ "10.66.1.6", "10.66.2.2", "1.2.3.5" },
	{ "10.66.1.6", "10.66.2.3", "1.2.3.6" },
	{ "10.66.1.6", "10.66.2.4", "1.2.3.6" },
	{ "10.66.1.6", "10.66.2.5", "1.2.3.4" },
	{ "10.66.1.6", "10.66.2.6", "1.2.3.4" },
	{ "10.66.1.6", "10.66.2.7", "1.2.3.4" },
	{ "10.66.1.6", "10.66.2.8", "1.2.3.6" },
	{ "10.66.1.6", "10.66.2.9", "1.2.3.5" },
	{ "10.66.1.7", "10.66.2.2", "1.2.3.6" },
	{ "10.66.1.7", "10.66.2.3", "1.2.3.6" },
	{ "10.66.1.7", "10.66.2.4", "1.2.3.4" },
	{ "10.66.1.7", "10.66.2.5", "1.2.3.6" },
	{ "10.66.1.7", "10.66.2.6", "1.2.3.5" },
	{ "10.66.1.7", "10.66.2.7", "1.2.3.4" },
	{ "10.66.1.7", "10.66.2.8", "1.2.3.5" },
	{ "10.66.1.7", "10.66.2.9", "1.2.3.6" },
	{ "10.66.1.8", "10.66.2.2", "1.2.3.4" },
	{ "10.66.1.8", "10.66.2.3", "1.2.3.4" },
	{ "10.66.1.8", "10.66.2.4", "1.2.3.6" },
	{ "10.66.1.8", "10.66.2.5", "1.2.3.6" },
	{ "10.66.1.8", "10.66.2.6", "1.2.3.6" },
	{ "10.66.1.8", "10.66.2.7", "1.2.3.4" },
	{ "10.66.1.8", "10.66.2.8", "1.2.3.5" },
	{ "10.66.1.8", "10.66.2.9", "1.2.3.4" },
	{ "10.66.1.9", "10.66.2.2", "1.2.3.4" },
	{ "10.66.1.9", "10.66.2.3", "1.2.3.4" },
	{ "10.66.1.9", "10.66.2.4", "1.2.3.5" },
	{ "10.66.1.9", "10.66.2.5", "1.2.3.4" },
	{ "10.66.1.9", "10.66.2.6", "1.2.3.4" },
	{ "10.66.1.9", "10.66.2.7", "1.2.3.4" },
	{ "10.66.1.9", "10.66.2.8", "1.2.3.5" },
	{ "10.66.1.9", "10.66.2.9", "1.2.3.6" },
};

/* TCP (handshake to a listener), one flow per pair */
static const struct pool_case kernel_tcp[] = {
	{ "10.66.1.2", "10.66.2.3", "1.2.3.5" },
	{ "10.66.1.2", "10.66.2.6", "1.2.3.6" },
	{ "10.66.1.2", "10.66.2.8", "1.2.3.5" },
	{ "10.66.1.5", "10.66.2.3", "1.2.3.6" },
	{ "10.66.1.5", "10.66.2.6", "1.2.3.5" },
	{ "10.66.1.5", "10.66.2.8", "1.2.3.5" },
	{ "10.66.1.9", "10.66.2.3", "1.2.3.4" },
	{ "10.66.1.9", "10.66.2.6", "1.2.3.4" },
	{ "10.66.1.9", "10.66.2.8", "1.2.3.5" },
};

/* UDP with --persistent (the hash seeded with 0: the source alone decides) */
static const struct pool_case kernel_persistent[] = {
	{ "10.66.1.2", "10.66.2.2", "1.2.3.4" },
	{ "10.66.1.2", "10.66.2.5", "1.2.3.4" },
	{ "10.66.1.3", "10.66.2.2", "1.2.3.4" },
	{ "10.66.1.3", "10.66.2.5", "1.2.3.4" },
	{ "10.66.1.4", "10.66.2.2", "1.2.3.4" },
	{ "10.66.1.4", "10.66.2.5", "1.2.3.4" },
	{ "10.66.1.5", "10.66.2.2", "1.2.3.4" },
	{ "10.66.1.5", "10.66.2.5", "1.2.3.4" },
	{ "10.66.1.6", "10.66.2.2", "1.2.3.5" },
	{ "10.66.1.6", "10.66.2.5", "1.2.3.5" },
	{ "10.66.1.7", "10.66.2.2", "1.2.3.6" },
	{ "10.66.1.7", "10.66.2.5", "1.2.3.6" },
	{ "10.66.1.8", "10.66.2.2", "1.2.3.4" },
	{ "10.66.1.8", "10.66.2.5", "1.2.3.4" },
	{ "10.66.1.9", "10.66.2.2", "1.2.3.4" },
	{ "10.66.1.9", "10.66.2.5", "1.2.3.4" },
};

/* ----- stubs of the other modules ----- */

#define STUB __attribute__((weak))
#define MAX_TABLE 64

static struct ct_entry *table[MAX_TABLE];	/* "confirmed" entries */
static unsigned ntable;
static bool all_taken;				/* every tuple clashes */
static unsigned taken_calls;
static struct ct_entry *killed[MAX_TABLE];
static unsigned nkilled;
static GString *trace_log;

STUB bool ct_invert_tuple(const struct ct_tuple *o, struct ct_tuple *inv)
{
	inv->src = o->dst;
	inv->dst = o->src;
	inv->proto = o->proto;
	inv->dir = (uint8_t)!o->dir;
	inv->zone = o->zone;
	if (o->proto == 1) {
		uint8_t type = ct_tuple_icmp_type(o);
		int it = type == 8 ? 0 : type == 0 ? 8 : -1;

		if (it < 0)
			return false;
		inv->sport = o->sport;
		inv->dport = (uint16_t)(it << 8 | ct_tuple_icmp_code(o));
		return true;
	}
	inv->sport = o->dport;
	inv->dport = o->sport;
	return true;
}

STUB bool ct_tuple_taken(struct nf_ns *ns, const struct ct_tuple *t,
			 const struct ct_entry *ignored, nf_time now)
{
	(void)ns; (void)now;
	taken_calls++;
	if (all_taken)
		return true;
	for (unsigned i = 0; i < ntable; i++) {
		if (table[i] == ignored)
			continue;
		if (ct_tuple_equal(&table[i]->tuplehash[0].t, t) ||
		    ct_tuple_equal(&table[i]->tuplehash[1].t, t))
			return true;
	}
	return false;
}

STUB void ct_entry_kill(struct nf_ns *ns, struct ct_entry *ct, nf_time now)
{
	(void)now;
	for (unsigned i = 0; i < ntable; i++)
		if (table[i] == ct)
			table[i] = table[--ntable];
	nat_ct_destroy(ns, ct);
	killed[nkilled++ % MAX_TABLE] = ct;
}

STUB void ct_table_foreach(struct nf_ns *ns, void (*fn)(struct nf_ns *, struct ct_entry *, void *),
			   void *arg)
{
	struct ct_entry *copy[MAX_TABLE];
	unsigned n = ntable;

	memcpy(copy, table, sizeof(copy));
	for (unsigned i = 0; i < n; i++)
		fn(ns, copy[i], arg);
}

STUB uint32_t ct_hash_bucket(const struct nf_ns *ns, const struct ct_tuple *t)
{
	(void)ns;
	return (t->src ^ t->dst ^ t->sport ^ t->dport) % 512;
}

/* conntrack's entry point stub: attach the entry the test prepared. */
static struct ct_entry *next_ct;
static uint8_t next_ctinfo;
STUB int nf_conntrack_in(struct nf_ns *ns, struct nf_skb *skb, const struct nf_hook_state *st)
{
	(void)ns; (void)st;
	skb->ct = next_ct;
	skb->ctinfo = next_ctinfo;
	return NF_ACCEPT;
}

STUB int ct_confirm(struct nf_ns *ns, struct nf_skb *skb, nf_time now)
{
	(void)ns; (void)now;
	skb->ct->status |= IPS_CONFIRMED;
	table[ntable++] = skb->ct;
	return NF_ACCEPT;
}

/* ipt_do_table_state stub: the nat table holds one rule `nat_rule` (kind 0 none,
 * 1 SNAT/DNAT by hook, 2 MASQUERADE); the filter table answers filter_verdict. */
static int nat_rule_kind;
static struct nf_nat_range2 nat_rule;
static int filter_verdict = NF_ACCEPT;
static char stage_log[256];
STUB int ipt_do_table_state(struct nf_ns *ns, enum ipt_table_id t, struct nf_skb *skb,
			    const struct nf_hook_state *st)
{
	static const char *names[] = { "filter", "nat", "mangle", "raw" };
	enum nf_hook hook = st->hook;
	const char *out = st->out;
	nf_time now = st->now;

	g_strlcat(stage_log, names[t], sizeof(stage_log));
	g_strlcat(stage_log, " ", sizeof(stage_log));
	if (t == IPT_FILTER)
		return filter_verdict;
	if (t != IPT_NAT || !nat_rule_kind)
		return NF_ACCEPT;
	if (nat_rule_kind == 2)
		return nat_masquerade(ns, skb->ct, &nat_rule, out, now);
	return nat_setup_info(ns, skb->ct, &nat_rule, nat_hook_manip(hook), now);
}

STUB bool ipt_hook_has_rules(struct nf_ns *ns, enum ipt_table_id t, enum nf_hook hook)
{
	(void)ns; (void)t; (void)hook;
	return nat_rule_kind != 0;
}

STUB void nf_trace(struct nf_ns *ns, const char *fmt, ...)
{
	va_list ap;

	if (!ns->env.trace)
		return;
	va_start(ap, fmt);
	g_string_append_vprintf(trace_log, fmt, ap);
	va_end(ap);
	g_string_append_c(trace_log, '\n');
}

STUB void nf_klog(struct nf_ns *ns, nf_time now, const char *fmt, ...)
{
	(void)ns; (void)now; (void)fmt;
}

/* ----- environment ----- */

static uint32_t rnd_values[16];
static unsigned rnd_n, rnd_calls;
static uint32_t test_random(void *ctx)
{
	(void)ctx;
	return rnd_values[rnd_calls++ % (rnd_n ? rnd_n : 1)];
}

static uint32_t if_addr_value;
static uint32_t test_if_addr(void *ctx, const char *ifname)
{
	(void)ctx; (void)ifname;
	return if_addr_value;
}

static void test_trace(void *ctx, const char *line)
{
	(void)ctx; (void)line;
}

static uint32_t A(const char *s)
{
	unsigned a, b, c, d;

	if (sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d) != 4)
		abort();
	return a << 24 | b << 16 | c << 8 | d;
}

static struct nf_ns *ns_new(void)
{
	struct nf_ns *ns = g_new0(struct nf_ns, 1);

	ns->ct = g_new0(struct nf_conntrack_net, 1);
	nat_pernet_ops.init(ns);	/* ns->nat, NAT's conntrack extension */
	ns->ipt = g_new0(struct ipt_net, 1);
	ns->env.random_u32 = test_random;
	ns->env.if_addr = test_if_addr;
	ns->ct->sysctl.ct_buckets = 512;
	ns->hash_seed = 12345;
	for (int t = 0; t < IPT_NTABLES; t++)
		ns->ipt->tables[t].touched = false;
	/* conntrack and iptable_nat loaded; a table's ops join the hooks
	 * once a test makes it exist (ipt_tables_sync_ops) */
	ipt_nat_load(ns);
	ntable = 0; nkilled = 0; all_taken = false; taken_calls = 0;
	rnd_n = 0; rnd_calls = 0;
	return ns;
}

static void ns_free(struct nf_ns *ns)
{
	nat_ns_free(ns);
	g_free(ns->ct);
	g_free(ns->nat);
	g_free(ns->ipt);
	g_free(ns);
}

static struct ct_entry *ct_new(uint8_t proto, const char *src, uint16_t sport,
			       const char *dst, uint16_t dport)
{
	struct ct_entry *ct = g_new0(struct ct_entry, 1);
	struct ct_tuple *o = &ct->tuplehash[CT_DIR_ORIGINAL].t;

	o->src = A(src); o->dst = A(dst); o->proto = proto;
	o->sport = sport; o->dport = dport; o->dir = CT_DIR_ORIGINAL;
	ct_invert_tuple(o, &ct->tuplehash[CT_DIR_REPLY].t);
	ct->tuplehash[CT_DIR_REPLY].t.dir = CT_DIR_REPLY;
	return ct;
}

static void confirm(struct ct_entry *ct)
{
	ct->status |= IPS_CONFIRMED;
	table[ntable++] = ct;
}

static const struct ct_tuple *reply_of(const struct ct_entry *ct)
{
	return &ct->tuplehash[CT_DIR_REPLY].t;
}

/* ----- jhash2 ----- */

static void test_jhash2(void)
{
	/* lookup3's published vectors for the empty key */
	CHECK_EQ(nat_jhash2(NULL, 0, 0), 0xdeadbeefu);
	CHECK_EQ(nat_jhash2(NULL, 0, 0xdeadbeef), 0xbd5b7ddeu);
	/* from a Python copy of include/linux/jhash.h, itself checked against
	 * the kernel's pool choices below */
	uint32_t k[7] = { 1, 2, 3, 4, 5, 6, 7 };
	CHECK_EQ(nat_jhash2(k, 1, 0), 0x72a82a9bu);
	CHECK_EQ(nat_jhash2(k, 2, 0), 0x8b4c7979u);
	CHECK_EQ(nat_jhash2(k, 3, 0), 0xa46158f5u);
	CHECK_EQ(nat_jhash2(k, 4, 0), 0x66491246u);
	CHECK_EQ(nat_jhash2(k, 7, 0x12345678), 0xb673a4dfu);
	/* find_best_ips_proto's key: 10.66.1.2 as the raw __be32 of a 16-byte
	 * nf_inet_addr, seeded with 10.66.2.2 as raw __be32 */
	uint32_t key[4] = { 0x0201420a, 0, 0, 0 };
	CHECK_EQ(nat_jhash2(key, 4, 0x0202420a), 0x815055ecu);
}

/* ----- pool address choice ----- */

static void run_pool(const struct pool_case *cases, size_t n, uint8_t proto, bool persistent)
{
	for (size_t i = 0; i < n; i++) {
		struct nf_ns *ns = ns_new();
		struct ct_entry *ct = ct_new(proto, cases[i].client, 40000 + (uint16_t)i,
					     cases[i].server, 9999);
		struct nf_nat_range2 r = { .flags = NF_NAT_RANGE_MAP_IPS, .min_addr.ip = A("1.2.3.4"),
				       .max_addr.ip = A("1.2.3.6") };

		if (persistent)
			r.flags |= NF_NAT_RANGE_PERSISTENT;
		CHECK_EQ(nat_setup_info(ns, ct, &r, NAT_MANIP_SRC, 0), NF_ACCEPT);
		if (reply_of(ct)->dst != A(cases[i].mapped)) {
			failures++;
			fprintf(stderr, "pool: %s -> %s mapped %08x, kernel chose %s\n",
				cases[i].client, cases[i].server, reply_of(ct)->dst, cases[i].mapped);
		}
		checks++;
		CHECK_EQ(reply_of(ct)->dport, 40000 + i);	/* port kept */
		CHECK(ct->status & IPS_SRC_NAT);
		CHECK(ct->status & IPS_SRC_NAT_DONE);
		CHECK_EQ(rnd_calls, 0);
		nat_ct_destroy(ns, ct);
		g_free(ct);
		ns_free(ns);
	}
}

static void test_pool(void)
{
	run_pool(kernel_udp, G_N_ELEMENTS(kernel_udp), 17, false);
	run_pool(kernel_tcp, G_N_ELEMENTS(kernel_tcp), 6, false);
	run_pool(kernel_persistent, G_N_ELEMENTS(kernel_persistent), 17, true);
}

/* Observed: 10.66.1.3:40000 sent to 10.66.2.2 first (hash: 1.2.3.5), then
 * to 10.66.2.5 (hash alone: 1.2.3.4): the kernel kept 1.2.3.5 for every
 * server (find_appropriate_src), and the port too. */
static void test_same_source_reused(void)
{
	struct nf_ns *ns = ns_new();
	struct nf_nat_range2 r = { .flags = NF_NAT_RANGE_MAP_IPS, .min_addr.ip = A("1.2.3.4"),
			       .max_addr.ip = A("1.2.3.6") };
	struct ct_entry *a = ct_new(17, "10.66.1.3", 40000, "10.66.2.2", 9999);
	struct ct_entry *b = ct_new(17, "10.66.1.3", 40000, "10.66.2.5", 9999);
	struct ct_entry *c = ct_new(17, "10.66.1.3", 40001, "10.66.2.5", 9999);

	nat_setup_info(ns, a, &r, NAT_MANIP_SRC, 0);
	confirm(a);
	CHECK_EQ(reply_of(a)->dst, A("1.2.3.5"));
	nat_setup_info(ns, b, &r, NAT_MANIP_SRC, 0);
	confirm(b);
	CHECK_EQ(reply_of(b)->dst, A("1.2.3.5"));
	CHECK_EQ(reply_of(b)->dport, 40000);
	nat_setup_info(ns, c, &r, NAT_MANIP_SRC, 0);	/* another source port: hashed */
	CHECK_EQ(reply_of(c)->dst, A("1.2.3.4"));
	/* after a is gone the mapping of b is still found */
	ct_entry_kill(ns, a, 0);
	struct ct_entry *d = ct_new(17, "10.66.1.3", 40000, "10.66.2.9", 9999);
	nat_setup_info(ns, d, &r, NAT_MANIP_SRC, 0);
	CHECK_EQ(reply_of(d)->dst, A("1.2.3.5"));
	ct_entry_kill(ns, b, 0);
	nat_ct_destroy(ns, c);
	nat_ct_destroy(ns, d);
	CHECK(ns->nat->bysource != NULL);
	for (uint32_t i = 0; i < ns->nat->bysource_size; i++)
		CHECK(ns->nat->bysource[i] == NULL);
	g_free(a); g_free(b); g_free(c); g_free(d);
	ns_free(ns);
}

/* ----- port search ----- */

/* A confirmed entry that owns public ip:port towards server:9999. */
static struct ct_entry *occupy(struct nf_ns *ns, const char *client, uint16_t sport,
			       const char *pub, uint16_t pport)
{
	struct ct_entry *ct = ct_new(17, client, sport, "10.66.2.2", 9999);
	struct nf_nat_range2 r = { .flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED,
			       .min_addr.ip = A(pub), .max_addr.ip = A(pub),
			       .min_port = pport, .max_port = pport };

	nat_setup_info(ns, ct, &r, NAT_MANIP_SRC, 0);
	confirm(ct);
	return ct;
}

static void free_table(struct nf_ns *ns)
{
	while (ntable) {
		struct ct_entry *ct = table[0];
		ct_entry_kill(ns, ct, 0);
		g_free(ct);
	}
}

/* SNAT --to 1.2.3.4:1000-2000: an in-range port is kept (observed: 1500 and
 * 1999 kept, 5000 -> 1691 on the kernel); an out-of-range one is searched
 * from min + random % size. */
static void test_port_in_range_kept(void)
{
	struct nf_ns *ns = ns_new();
	struct nf_nat_range2 r = { .flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED,
			       .min_addr.ip = A("1.2.3.4"), .max_addr.ip = A("1.2.3.4"),
			       .min_port = 1000, .max_port = 2000 };
	struct ct_entry *a = ct_new(17, "10.66.1.2", 1500, "10.66.2.2", 9999);
	struct ct_entry *b = ct_new(17, "10.66.1.2", 5000, "10.66.2.2", 9999);
	struct ct_entry *c = ct_new(17, "10.66.1.3", 1500, "10.66.2.2", 9999);

	rnd_values[0] = 0xabcd1234; rnd_n = 1;
	nat_setup_info(ns, a, &r, NAT_MANIP_SRC, 0);
	confirm(a);
	CHECK_EQ(reply_of(a)->dport, 1500);
	CHECK_EQ(rnd_calls, 0);
	nat_setup_info(ns, b, &r, NAT_MANIP_SRC, 0);
	confirm(b);
	CHECK_EQ(reply_of(b)->dport, 1000 + 0x1234 % 1001);
	CHECK_EQ(rnd_calls, 1);
	/* same port from another client clashes with a: searched */
	nat_setup_info(ns, c, &r, NAT_MANIP_SRC, 0);
	confirm(c);
	CHECK_EQ(reply_of(c)->dport, 1000 + (0x1234 + 1) % 1001); /* 0x1234's port is b's */
	CHECK_EQ(reply_of(c)->dst, A("1.2.3.4"));
	CHECK_EQ(nf_ct_nat_ext(c)->range[NAT_MANIP_SRC].min_port, 1000);
	CHECK_EQ(nf_ct_nat_ext(c)->range[NAT_MANIP_SRC].max_port, 2000);
	free_table(ns);
	ns_free(ns);
}

/* No port range: the port keeps its class when it must change (observed
 * on the kernel: 100 -> 63/39/108/239/189/141, 700 -> 1008/977/666/727/680/
 * 759, 30000 -> 6480/29002/34035/30502/6261/40961). */
static void test_port_classes(void)
{
	static const struct { uint16_t port, min; unsigned size; } cls[] = {
		{ 100, 1, 511 }, { 511, 1, 511 }, { 512, 600, 424 }, { 700, 600, 424 },
		{ 1023, 600, 424 }, { 1024, 1024, 64512 }, { 30000, 1024, 64512 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cls); i++) {
		struct nf_ns *ns = ns_new();
		struct nf_nat_range2 r = { .flags = NF_NAT_RANGE_MAP_IPS, .min_addr.ip = A("1.2.3.4"),
				       .max_addr.ip = A("1.2.3.4") };
		occupy(ns, "10.66.1.2", cls[i].port, "1.2.3.4", cls[i].port);
		struct ct_entry *ct = ct_new(17, "10.66.1.3", cls[i].port, "10.66.2.2", 9999);

		rnd_values[0] = 0x0001fff7; rnd_n = 1;	/* get_random_u16() = 0xfff7 */
		nat_setup_info(ns, ct, &r, NAT_MANIP_SRC, 0);
		CHECK_EQ(reply_of(ct)->dport, cls[i].min + 0xfff7u % cls[i].size);
		CHECK(ct->status & IPS_SRC_NAT);
		nat_ct_destroy(ns, ct);
		g_free(ct);
		free_table(ns);
		ns_free(ns);
	}
}

/* SNAT --to 1.2.3.4:1000-1001: two flows fit, the third finds nothing (the
 * kernel counted insert_failed + drop at confirm for the 3rd and 4th). */
static void test_port_exhaustion(void)
{
	struct nf_ns *ns = ns_new();
	struct nf_nat_range2 r = { .flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED,
			       .min_addr.ip = A("1.2.3.4"), .max_addr.ip = A("1.2.3.4"),
			       .min_port = 1000, .max_port = 1001 };
	const char *clients[3] = { "10.66.1.2", "10.66.1.3", "10.66.1.4" };
	struct ct_entry *ct[3];

	rnd_values[0] = 1; rnd_values[1] = 0; rnd_values[2] = 7; rnd_n = 3;
	for (int i = 0; i < 3; i++) {
		ct[i] = ct_new(17, clients[i], 5555, "10.66.2.2", 9999);
		taken_calls = 0;
		CHECK_EQ(nat_setup_info(ns, ct[i], &r, NAT_MANIP_SRC, 0), NF_ACCEPT);
		if (i < 2)
			confirm(ct[i]);
	}
	CHECK_EQ(reply_of(ct[0])->dport, 1001);	/* offset 1, as the kernel's first */
	CHECK_EQ(reply_of(ct[1])->dport, 1000);
	/* third: 2 candidates, both taken; one offset only
	 * (attempts == range size ends the search) */
	CHECK_EQ(taken_calls, 2);
	CHECK_EQ(rnd_calls, 3);
	CHECK(reply_of(ct[2])->dport == 1000 || reply_of(ct[2])->dport == 1001);
	nat_ct_destroy(ns, ct[2]);
	g_free(ct[2]);
	free_table(ns);
	ns_free(ns);
}

/* A full range: rounds of 128, 64, 32, 16 and 8 candidates, each from a new
 * random offset after the first. */
static void test_port_rounds(void)
{
	struct nf_ns *ns = ns_new();
	struct nf_nat_range2 r = { .flags = NF_NAT_RANGE_MAP_IPS, .min_addr.ip = A("1.2.3.4"),
			       .max_addr.ip = A("1.2.3.4") };
	struct ct_entry *ct = ct_new(6, "10.66.1.2", 40000, "10.66.2.2", 80);

	rnd_values[0] = 5; rnd_n = 1;
	all_taken = true;
	taken_calls = 0;
	nat_setup_info(ns, ct, &r, NAT_MANIP_SRC, 0);
	CHECK_EQ(taken_calls, 1 + 128 + 64 + 32 + 16 + 8);
	CHECK_EQ(rnd_calls, 5);
	CHECK_EQ(reply_of(ct)->dport, 1024 + 5 + 7);	/* last candidate of the last round */
	nat_ct_destroy(ns, ct);
	g_free(ct);
	ns_free(ns);
}

/* DNAT --to 10.66.2.2:7000-7010: searched from offset 0 without drawing
 * (the kernel gave 7000 to 12 flows of 12); an in-range port is kept. */
static void test_dnat_offset_zero(void)
{
	struct nf_ns *ns = ns_new();
	struct nf_nat_range2 r = { .flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED,
			       .min_addr.ip = A("10.66.2.2"), .max_addr.ip = A("10.66.2.2"),
			       .min_port = 7000, .max_port = 7010 };

	for (uint16_t p = 3001; p <= 3006; p++) {
		struct ct_entry *ct = ct_new(17, "10.66.1.2", p, "10.66.9.9", 5000);

		nat_setup_info(ns, ct, &r, NAT_MANIP_DST, 0);
		confirm(ct);
		CHECK_EQ(reply_of(ct)->src, A("10.66.2.2"));
		CHECK_EQ(reply_of(ct)->sport, 7000);
		CHECK(ct->status & IPS_DST_NAT);
	}
	struct ct_entry *k = ct_new(17, "10.66.1.2", 7000, "10.66.9.9", 7005);
	nat_setup_info(ns, k, &r, NAT_MANIP_DST, 0);
	CHECK_EQ(reply_of(k)->sport, 7005);
	CHECK_EQ(rnd_calls, 0);
	/* DNAT without a port range never changes the port */
	struct nf_nat_range2 r2 = { .flags = NF_NAT_RANGE_MAP_IPS, .min_addr.ip = A("10.66.2.2"),
				.max_addr.ip = A("10.66.2.2") };
	struct ct_entry *m = ct_new(17, "10.66.1.2", 3001, "10.66.9.9", 7000);
	nat_setup_info(ns, m, &r2, NAT_MANIP_DST, 0);	/* same reply as the first: clash */
	CHECK_EQ(reply_of(m)->sport, 7000);
	nat_ct_destroy(ns, k); nat_ct_destroy(ns, m);
	g_free(k); g_free(m);
	free_table(ns);
	ns_free(ns);
}

/* ICMP echo: the id plays the port over the whole 0-65535 range. */
static void test_icmp_id(void)
{
	struct nf_ns *ns = ns_new();
	struct nf_nat_range2 r = { .flags = NF_NAT_RANGE_MAP_IPS, .min_addr.ip = A("1.2.3.4"),
			       .max_addr.ip = A("1.2.3.4") };
	struct ct_entry *a = ct_new(1, "10.66.1.2", 77, "10.66.2.2", 8 << 8);
	struct ct_entry *b = ct_new(1, "10.66.1.3", 77, "10.66.2.2", 8 << 8);

	rnd_values[0] = 0x9999; rnd_n = 1;
	nat_setup_info(ns, a, &r, NAT_MANIP_SRC, 0);
	confirm(a);
	CHECK_EQ(reply_of(a)->sport, 77);
	CHECK_EQ(reply_of(a)->dport, 0 << 8);	/* echo reply */
	nat_setup_info(ns, b, &r, NAT_MANIP_SRC, 0);
	confirm(b);
	CHECK_EQ(reply_of(b)->sport, 0x9999);
	CHECK_EQ(reply_of(b)->dst, A("1.2.3.4"));
	free_table(ns);
	ns_free(ns);
}

/* --to 1.2.3.4:1000: an original port equal to the single port is taken
 * without a uniqueness check (no draw); another port goes through the
 * search, whose one candidate is the same port (the clash shows at confirm). */
static void test_single_port(void)
{
	struct nf_ns *ns = ns_new();
	struct nf_nat_range2 r = { .flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED,
			       .min_addr.ip = A("1.2.3.4"), .max_addr.ip = A("1.2.3.4"),
			       .min_port = 1000, .max_port = 1000 };
	struct ct_entry *a = ct_new(17, "10.66.1.2", 1000, "10.66.2.2", 9999);
	struct ct_entry *b = ct_new(17, "10.66.1.3", 1000, "10.66.2.2", 9999);
	struct ct_entry *c = ct_new(17, "10.66.1.4", 5555, "10.66.2.2", 9999);

	nat_setup_info(ns, a, &r, NAT_MANIP_SRC, 0);
	confirm(a);
	nat_setup_info(ns, b, &r, NAT_MANIP_SRC, 0);
	CHECK_EQ(reply_of(b)->dport, 1000);
	CHECK_EQ(rnd_calls, 0);
	taken_calls = 0;
	nat_setup_info(ns, c, &r, NAT_MANIP_SRC, 0);
	CHECK_EQ(reply_of(c)->dport, 1000);
	CHECK_EQ(rnd_calls, 1);
	CHECK_EQ(taken_calls, 1);
	nat_ct_destroy(ns, b); nat_ct_destroy(ns, c);
	g_free(b); g_free(c);
	free_table(ns);
	ns_free(ns);
}

/* A null binding still makes the reply unique: two DNATed flows from the
 * same client port to the same inside service, the second's source port
 * is rewritten and SRC_NAT set. */
static void test_null_binding(void)
{
	struct nf_ns *ns = ns_new();
	struct nf_nat_range2 d = { .flags = NF_NAT_RANGE_MAP_IPS, .min_addr.ip = A("10.0.0.5"),
			       .max_addr.ip = A("10.0.0.5") };
	struct ct_entry *a = ct_new(6, "198.51.100.7", 40000, "203.0.113.1", 80);
	struct ct_entry *b = ct_new(6, "198.51.100.7", 40000, "203.0.113.2", 80);

	rnd_values[0] = 3; rnd_n = 1;
	nat_setup_info(ns, a, &d, NAT_MANIP_DST, 0);
	nat_setup_null_binding(ns, a, NAT_MANIP_SRC, 0);
	confirm(a);
	CHECK_EQ(a->status & IPS_NAT_MASK, IPS_DST_NAT);
	CHECK_EQ(a->status & IPS_NAT_DONE_MASK, IPS_NAT_DONE_MASK);
	nat_setup_info(ns, b, &d, NAT_MANIP_DST, 0);
	nat_setup_null_binding(ns, b, NAT_MANIP_SRC, 0);
	CHECK_EQ(b->status & IPS_NAT_MASK, IPS_NAT_MASK);
	CHECK_EQ(reply_of(b)->dst, A("198.51.100.7"));
	CHECK_EQ(reply_of(b)->dport, 1024 + 3);
	CHECK_EQ(nf_ct_nat_ext(b)->range[NAT_MANIP_SRC].flags, 0);
	nat_ct_destroy(ns, b);
	g_free(b);
	free_table(ns);
	ns_free(ns);
}

/* MASQUERADE: the out interface's address; none -> DROP; flushed when the
 * address goes (only entries of that interface and address). */
static void test_masquerade(void)
{
	struct nf_ns *ns = ns_new();
	struct nf_nat_range2 r = { 0 };
	struct ct_entry *a = ct_new(17, "10.66.1.2", 4000, "10.66.2.2", 53);
	struct ct_entry *b = ct_new(17, "10.66.1.3", 4000, "10.66.2.2", 53);
	struct ct_entry *s = ct_new(17, "10.66.1.4", 4000, "10.66.2.2", 53);
	struct nf_nat_range2 st = { .flags = NF_NAT_RANGE_MAP_IPS, .min_addr.ip = A("5.5.5.5"),
				.max_addr.ip = A("5.5.5.5") };

	if_addr_value = 0;
	CHECK_EQ(nat_masquerade(ns, a, &r, "eth1", 0), NF_DROP);
	CHECK(!(a->status & IPS_SRC_NAT_DONE));
	if_addr_value = A("203.0.113.9");
	CHECK_EQ(nat_masquerade(ns, a, &r, "eth1", 0), NF_ACCEPT);
	confirm(a);
	CHECK_EQ(reply_of(a)->dst, A("203.0.113.9"));
	CHECK_EQ(nf_ct_nat_ext(a)->masq_if, 0);
	CHECK_EQ(nat_masquerade(ns, b, &r, "eth2", 0), NF_ACCEPT);
	confirm(b);
	CHECK_EQ(nf_ct_nat_ext(b)->masq_if, 1);
	nat_setup_info(ns, s, &st, NAT_MANIP_SRC, 0);
	confirm(s);
	nf_iface_addr_gone(ns, "eth1", A("198.51.100.1"), 0);	/* another address */
	CHECK_EQ(ntable, 3);
	nf_iface_addr_gone(ns, "eth1", A("203.0.113.9"), 0);
	CHECK_EQ(ntable, 2);
	CHECK(killed[0] == a);
	nf_iface_addr_gone(ns, "eth0", 0, 0);		/* never masqueraded */
	CHECK_EQ(ntable, 2);
	nf_iface_addr_gone(ns, "eth2", 0, 0);		/* device down */
	CHECK_EQ(ntable, 1);
	CHECK(table[0] == s);				/* static SNAT stays */
	g_free(a); g_free(b);
	free_table(ns);
	ns_free(ns);
}

static void test_redirect(void)
{
	struct nf_ns *ns = ns_new();
	struct nf_nat_range2 r = { .flags = NF_NAT_RANGE_PROTO_SPECIFIED, .min_port = 3128,
			       .max_port = 3128 };
	struct ct_entry *a = ct_new(6, "10.66.1.2", 4000, "93.184.216.34", 80);
	struct ct_entry *b = ct_new(6, "10.66.1.1", 4000, "93.184.216.34", 80);

	if_addr_value = A("10.66.1.1");
	nat_redirect(ns, a, &r, "eth0", NF_INET_PRE_ROUTING, 0);
	CHECK_EQ(reply_of(a)->src, A("10.66.1.1"));
	CHECK_EQ(reply_of(a)->sport, 3128);
	struct nf_nat_range2 keep = { 0 };
	nat_redirect(ns, b, &keep, NULL, NF_INET_LOCAL_OUT, 0);
	CHECK_EQ(reply_of(b)->src, A("127.0.0.1"));
	CHECK_EQ(reply_of(b)->sport, 80);
	if_addr_value = 0;
	struct ct_entry *c = ct_new(6, "10.66.1.2", 4001, "93.184.216.34", 80);
	CHECK_EQ(nat_redirect(ns, c, &r, "eth0", NF_INET_PRE_ROUTING, 0), NF_DROP);
	g_free(a); g_free(b); g_free(c);
	ns_free(ns);
}

/* ----- packets and checksums ----- */

/* RFC 1071 from scratch */
static uint16_t csum(const uint8_t *b, uint32_t len, uint32_t sum)
{
	for (uint32_t i = 0; i + 1 < len; i += 2)
		sum += rd16(b + i);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint16_t ip_csum(const uint8_t *ip)
{
	uint8_t h[60];
	unsigned ihl = (ip[0] & 15) * 4u;

	memcpy(h, ip, ihl);
	wr16(h + 10, 0);
	return csum(h, ihl, 0);
}

/* The transport checksum the packet should carry (UDP: 0 is sent as 0xffff). */
static uint16_t l4_csum(const uint8_t *ip)
{
	unsigned ihl = (ip[0] & 15) * 4u;
	uint32_t len = rd16(ip + 2) - ihl;
	uint8_t buf[2048];
	unsigned off = ip[9] == 6 ? 16 : ip[9] == 17 ? 6 : 2;
	uint32_t sum = 0;

	memcpy(buf, ip + ihl, len);
	wr16(buf + off, 0);
	if (ip[9] != 1) {
		sum = rd16(ip + 12) + rd16(ip + 14) + rd16(ip + 16) + rd16(ip + 18) + ip[9] + len;
	}
	uint16_t c = csum(buf, len, sum);
	return ip[9] == 17 && c == 0 ? 0xffff : c;
}

static uint16_t l4_field(const uint8_t *ip)
{
	unsigned ihl = (ip[0] & 15) * 4u;
	unsigned off = ip[9] == 6 ? 16 : ip[9] == 17 ? 6 : 2;
	return rd16(ip + ihl + off);
}

static uint32_t lcg = 2463534242u;
static uint32_t rnd32(void)
{
	lcg ^= lcg << 13; lcg ^= lcg >> 17; lcg ^= lcg << 5;
	return lcg;
}

/* An IPv4 packet with a TCP (20 bytes), UDP or ICMP echo header and
 * `payload` random bytes; all checksums right. Returns its length. */
static uint32_t build(uint8_t *ip, uint8_t proto, uint32_t src, uint16_t sport,
		      uint32_t dst, uint16_t dport, uint32_t payload)
{
	uint32_t l4len = (proto == 6 ? 20 : 8) + payload;
	uint32_t len = 20 + l4len;

	memset(ip, 0, len);
	ip[0] = 0x45;
	wr16(ip + 2, (uint16_t)len);
	wr16(ip + 4, (uint16_t)rnd32());
	ip[8] = 64;
	ip[9] = proto;
	wr32(ip + 12, src);
	wr32(ip + 16, dst);
	uint8_t *l4 = ip + 20;
	if (proto == 1) {
		l4[0] = 8;			/* echo request, id = sport */
		wr16(l4 + 4, sport);
		wr16(l4 + 6, dport);		/* seq */
	} else {
		wr16(l4, sport);
		wr16(l4 + 2, dport);
		if (proto == 17)
			wr16(l4 + 4, (uint16_t)l4len);
		else {
			wr32(l4 + 4, rnd32());
			wr32(l4 + 8, rnd32());
			l4[12] = 0x50;
			l4[13] = 0x10;
			wr16(l4 + 14, 64240);
		}
	}
	for (uint32_t i = 0; i < payload; i++)
		l4[l4len - payload + i] = (uint8_t)rnd32();
	wr16(ip + 10, ip_csum(ip));
	wr16(l4 + (proto == 6 ? 16 : proto == 17 ? 6 : 2), l4_csum(ip));
	return len;
}

static int run_nat(struct nf_ns *ns, uint8_t *ip, uint32_t len, struct ct_entry *ct,
		   uint8_t ctinfo, enum nf_hook hook)
{
	struct nf_skb skb = { .ip = ip, .len = len, .ct = ct, .ctinfo = ctinfo };
	return nat_packet(ns, &skb, hook);
}

/* SNAT then de-NAT of random TCP/UDP/ICMP packets: addresses, ports and ids
 * rewritten, and every checksum equal to one computed from scratch. */
static void test_rewrite_checksums(void)
{
	uint8_t pkt[1600];
	static const uint8_t protos[3] = { 6, 17, 1 };

	for (int iter = 0; iter < 3000; iter++) {
		struct nf_ns *ns = ns_new();
		uint8_t proto = protos[iter % 3];
		uint32_t c = rnd32(), s = rnd32(), pub = rnd32();
		uint16_t cport = (uint16_t)rnd32(), sport = (uint16_t)rnd32();
		uint16_t pport = (uint16_t)(rnd32() | 1);
		uint32_t payload = rnd32() % 200;
		struct ct_entry *ct = g_new0(struct ct_entry, 1);
		struct ct_tuple *o = &ct->tuplehash[0].t;

		o->src = c; o->dst = s; o->proto = proto;
		o->sport = cport; o->dport = proto == 1 ? 8 << 8 : sport;
		ct_invert_tuple(o, &ct->tuplehash[1].t);
		struct nf_nat_range2 r = { .flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED,
				       .min_addr.ip = pub, .max_addr.ip = pub,
				       .min_port = pport, .max_port = pport };
		if (cport == pport)
			pport = r.min_port = r.max_port = (uint16_t)(pport + 2);
		nat_setup_info(ns, ct, &r, NAT_MANIP_SRC, 0);
		CHECK(ct->status & IPS_SRC_NAT);

		uint32_t len = build(pkt, proto, c, cport, s, sport, payload);
		if (proto == 17 && iter % 7 == 0)
			wr16(pkt + 26, 0);		/* no UDP checksum */
		bool nocsum = proto == 17 && rd16(pkt + 26) == 0;
		CHECK_EQ(run_nat(ns, pkt, len, ct, IP_CT_NEW, NF_INET_POST_ROUTING), NF_ACCEPT);
		CHECK_EQ(rd32(pkt + 12), pub);
		CHECK_EQ(rd16(pkt + 20 + (proto == 1 ? 4 : 0)), pport);
		CHECK_EQ(rd16(pkt + 10), ip_csum(pkt));
		if (nocsum)
			CHECK_EQ(rd16(pkt + 26), 0);
		else
			CHECK_EQ(l4_field(pkt), l4_csum(pkt));

		/* the reply, de-NATed at PREROUTING */
		len = build(pkt, proto, s, sport, pub, pport, payload);
		if (proto == 1)
			pkt[20] = 0, wr16(pkt + 22, 0), wr16(pkt + 22, l4_csum(pkt));
		CHECK_EQ(run_nat(ns, pkt, len, ct, IP_CT_ESTABLISHED_REPLY, NF_INET_PRE_ROUTING),
			 NF_ACCEPT);
		CHECK_EQ(rd32(pkt + 16), c);
		CHECK_EQ(rd16(pkt + 20 + (proto == 1 ? 4 : 2)), cport);
		CHECK_EQ(rd16(pkt + 10), ip_csum(pkt));
		CHECK_EQ(l4_field(pkt), l4_csum(pkt));
		/* nothing to do at the other hooks */
		uint8_t before[1600];
		memcpy(before, pkt, len);
		run_nat(ns, pkt, len, ct, IP_CT_ESTABLISHED_REPLY, NF_INET_POST_ROUTING);
		CHECK(memcmp(before, pkt, len) == 0);
		nat_ct_destroy(ns, ct);
		g_free(ct);
		ns_free(ns);
	}
}

/* A non-first fragment: only the IP header is rewritten. */
static void test_fragment_ip_only(void)
{
	struct nf_ns *ns = ns_new();
	struct ct_entry *ct = ct_new(17, "10.0.0.2", 4000, "8.8.8.8", 53);
	struct nf_nat_range2 r = { .flags = NF_NAT_RANGE_MAP_IPS, .min_addr.ip = A("1.2.3.4"),
			       .max_addr.ip = A("1.2.3.4") };
	uint8_t pkt[200], before[200];

	nat_setup_info(ns, ct, &r, NAT_MANIP_SRC, 0);
	uint32_t len = build(pkt, 17, A("10.0.0.2"), 4000, A("8.8.8.8"), 53, 40);
	wr16(pkt + 6, 0x0010);		/* offset 128 bytes */
	wr16(pkt + 10, 0);
	wr16(pkt + 10, ip_csum(pkt));
	memcpy(before, pkt, len);
	CHECK_EQ(run_nat(ns, pkt, len, ct, IP_CT_NEW, NF_INET_POST_ROUTING), NF_ACCEPT);
	CHECK_EQ(rd32(pkt + 12), A("1.2.3.4"));
	CHECK_EQ(rd16(pkt + 10), ip_csum(pkt));
	CHECK(memcmp(pkt + 20, before + 20, len - 20) == 0);
	nat_ct_destroy(ns, ct);
	g_free(ct);
	ns_free(ns);
}

/* ICMP error about a SNATed flow, arriving from the server: the outer
 * destination and the quoted header become the client's again, byte for
 * byte what the client sent; ICMP checksum valid. */
static void run_icmp_error(uint8_t proto, uint32_t quote)
{
	struct nf_ns *ns = ns_new();
	struct ct_entry *ct = ct_new(proto, "10.0.0.2", 40000, "8.8.8.8", 53);
	struct nf_nat_range2 r = { .flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED,
			       .min_addr.ip = A("1.2.3.4"), .max_addr.ip = A("1.2.3.4"),
			       .min_port = 1234, .max_port = 1234 };
	uint8_t p0[200], p1[200], e[400];

	nat_setup_info(ns, ct, &r, NAT_MANIP_SRC, 0);
	confirm(ct);
	uint32_t len = build(p0, proto, A("10.0.0.2"), 40000, A("8.8.8.8"), 53, 20);
	memcpy(p1, p0, len);
	run_nat(ns, p1, len, ct, IP_CT_NEW, NF_INET_POST_ROUTING);
	CHECK_EQ(rd16(p1 + 20), 1234);

	if (quote > len)
		quote = len;
	memset(e, 0, sizeof(e));
	e[0] = 0x45;
	wr16(e + 2, (uint16_t)(28 + quote));
	e[8] = 64;
	e[9] = 1;
	wr32(e + 12, A("8.8.8.8"));
	wr32(e + 16, A("1.2.3.4"));
	e[20] = 3; e[21] = 3;		/* port unreachable */
	memcpy(e + 28, p1, quote);
	wr16(e + 10, ip_csum(e));
	wr16(e + 22, csum(e + 20, 8 + quote, 0));

	CHECK_EQ(run_nat(ns, e, 28 + quote, ct, IP_CT_RELATED_REPLY, NF_INET_PRE_ROUTING), NF_ACCEPT);
	CHECK_EQ(rd32(e + 16), A("10.0.0.2"));
	CHECK_EQ(rd32(e + 12), A("8.8.8.8"));
	CHECK_EQ(rd16(e + 10), ip_csum(e));
	CHECK_EQ(csum(e + 20, 8 + quote, 0), 0);
	CHECK(memcmp(e + 28, p0, quote) == 0);	/* the quote is what the client sent */

	/* a corrupted ICMP checksum: dropped */
	e[22] ^= 0x55;
	CHECK_EQ(run_nat(ns, e, 28 + quote, ct, IP_CT_RELATED_REPLY, NF_INET_PRE_ROUTING), NF_DROP);
	free_table(ns);
	ns_free(ns);
}

static void test_icmp_error(void)
{
	run_icmp_error(17, 28);		/* IP header + 8 bytes */
	run_icmp_error(17, 1000);	/* the whole datagram */
	run_icmp_error(6, 28);		/* TCP ports without checksum */
	run_icmp_error(6, 1000);	/* whole segment: checksum too */
}

/* ----- the hook glue ----- */

static void test_hooks(void)
{
	struct nf_ns *ns = ns_new();
	struct ct_entry *ct = ct_new(17, "10.66.1.2", 40000, "10.66.2.2", 9999);
	uint8_t pkt[200];
	uint32_t len;
	struct nf_skb skb;

	trace_log = g_string_new(NULL);
	ns->env.trace = test_trace;
	ns->ipt->tables[IPT_NAT].touched = ns->ipt->tables[IPT_FILTER].touched = true;
	ipt_tables_sync_ops(ns);
	ns->ipt->tables[IPT_NAT].hook_chain[NF_INET_PRE_ROUTING] = (struct ipt_chain *)1;
	ns->ipt->tables[IPT_NAT].hook_chain[NF_INET_POST_ROUTING] = (struct ipt_chain *)1;
	ns->ipt->tables[IPT_FILTER].hook_chain[NF_INET_FORWARD] = (struct ipt_chain *)1;

	/* first packet, forwarded: PREROUTING null DNAT, FORWARD filter,
	 * POSTROUTING SNAT + confirm */
	len = build(pkt, 17, A("10.66.1.2"), 40000, A("10.66.2.2"), 9999, 10);
	skb = (struct nf_skb){ .ip = pkt, .len = len };
	next_ct = ct; next_ctinfo = IP_CT_NEW;
	nat_rule_kind = 0;
	stage_log[0] = 0;
	CHECK_EQ(nf_hook(ns, NF_INET_PRE_ROUTING, &skb, "eth0", NULL, 0), NF_ACCEPT);
	CHECK(skb.ct == ct);
	CHECK_EQ(strcmp(stage_log, "nat "), 0);
	CHECK(ct->status & IPS_DST_NAT_DONE);
	CHECK(!(ct->status & IPS_DST_NAT));
	CHECK(strstr(trace_log->str, "  PREROUTING  conntrack  NEW: entry created (unconfirmed)") != NULL);
	CHECK(strstr(trace_log->str, "                         ORIGINAL udp 10.66.1.2:40000 -> "
			"10.66.2.2:9999 ") != NULL);
	CHECK(strstr(trace_log->str, "  PREROUTING  nat        null DNAT binding (no nat rule bound it): "
			"destination kept\n") != NULL);
	stage_log[0] = 0;
	CHECK_EQ(nf_hook(ns, NF_INET_FORWARD, &skb, "eth0", "eth1", 0), NF_ACCEPT);
	CHECK_EQ(strcmp(stage_log, "filter "), 0);
	nat_rule_kind = 1;
	nat_rule = (struct nf_nat_range2){ .flags = NF_NAT_RANGE_MAP_IPS, .min_addr.ip = A("1.2.3.4"),
				       .max_addr.ip = A("1.2.3.6") };
	stage_log[0] = 0;
	CHECK_EQ(nf_hook(ns, NF_INET_POST_ROUTING, &skb, NULL, "eth1", 0), NF_ACCEPT);
	CHECK_EQ(strcmp(stage_log, "nat "), 0);
	CHECK_EQ(rd32(pkt + 12), A("1.2.3.5"));		/* the kernel's choice */
	CHECK_EQ(rd16(pkt + 20), 40000);
	CHECK_EQ(l4_field(pkt), l4_csum(pkt));
	CHECK(ct->status & IPS_CONFIRMED);
	CHECK_EQ(ntable, 1);
	CHECK(strstr(trace_log->str, "  POSTROUTING nat        SNAT to 1.2.3.5:40000 (port kept)\n"));
	CHECK(strstr(trace_log->str, "  POSTROUTING conntrack  confirmed: in the table, ORIGINAL bucket "));
	nf_skb_release(ns, &skb);
	CHECK_EQ(nkilled, 0);

	/* the reply: de-NAT at PREROUTING from the entry, no nat table */
	len = build(pkt, 17, A("10.66.2.2"), 9999, A("1.2.3.5"), 40000, 10);
	skb = (struct nf_skb){ .ip = pkt, .len = len };
	next_ctinfo = IP_CT_ESTABLISHED_REPLY;
	stage_log[0] = 0;
	CHECK_EQ(nf_hook(ns, NF_INET_PRE_ROUTING, &skb, "eth1", NULL, 0), NF_ACCEPT);
	CHECK_EQ(strcmp(stage_log, ""), 0);
	CHECK_EQ(rd32(pkt + 16), A("10.66.1.2"));
	CHECK_EQ(l4_field(pkt), l4_csum(pkt));
	CHECK(strstr(trace_log->str, "  PREROUTING  nat        ESTABLISHED reply: de-NAT from entry, "
			"dst 1.2.3.5:40000 -> 10.66.1.2:40000, no nat rule traversed\n"));
	CHECK_EQ(nf_hook(ns, NF_INET_POST_ROUTING, &skb, NULL, "eth0", 0), NF_ACCEPT);
	CHECK_EQ(rd16(pkt + 10), ip_csum(pkt));

	/* a new flow dropped by filter: its unconfirmed entry dies with it */
	struct ct_entry *ct2 = ct_new(17, "10.66.1.2", 40001, "10.66.2.2", 9999);
	len = build(pkt, 17, A("10.66.1.2"), 40001, A("10.66.2.2"), 9999, 10);
	skb = (struct nf_skb){ .ip = pkt, .len = len };
	next_ct = ct2; next_ctinfo = IP_CT_NEW;
	nat_rule_kind = 0;
	filter_verdict = NF_DROP;
	CHECK_EQ(nf_hook(ns, NF_INET_PRE_ROUTING, &skb, "eth0", NULL, 0), NF_ACCEPT);
	CHECK_EQ(nf_hook(ns, NF_INET_FORWARD, &skb, "eth0", "eth1", 0), NF_DROP);
	CHECK_EQ(skb.drop_reason, NF_DROP_REASON_RULE);
	nf_skb_release(ns, &skb);
	CHECK_EQ(nkilled, 1);
	CHECK(killed[0] == ct2);
	CHECK(skb.ct == NULL);
	filter_verdict = NF_ACCEPT;
	g_free(ct2);

	/* MASQUERADE entry whose packets now leave by another interface */
	struct ct_entry *ct3 = ct_new(17, "10.66.1.3", 5000, "10.66.2.2", 9999);
	if_addr_value = A("203.0.113.1");
	nat_rule_kind = 2;
	nat_rule = (struct nf_nat_range2){ 0 };
	len = build(pkt, 17, A("10.66.1.3"), 5000, A("10.66.2.2"), 9999, 10);
	skb = (struct nf_skb){ .ip = pkt, .len = len };
	next_ct = ct3; next_ctinfo = IP_CT_NEW;
	nf_hook(ns, NF_INET_PRE_ROUTING, &skb, "eth0", NULL, 0);
	CHECK_EQ(nf_hook(ns, NF_INET_POST_ROUTING, &skb, NULL, "eth1", 0), NF_ACCEPT);
	CHECK_EQ(rd32(pkt + 12), A("203.0.113.1"));
	skb = (struct nf_skb){ .ip = pkt, .len = len };
	next_ctinfo = IP_CT_ESTABLISHED;
	nf_hook(ns, NF_INET_PRE_ROUTING, &skb, "eth0", NULL, 0);
	CHECK_EQ(nf_hook(ns, NF_INET_POST_ROUTING, &skb, NULL, "eth2", 0), NF_DROP);
	CHECK_EQ(skb.drop_reason, NF_DROP_REASON_NAT);
	CHECK(killed[1] == ct3);
	CHECK(skb.ct == NULL);
	g_free(ct3);

	/* conntrack not loaded: nothing attached, nothing translated */
	nf_ct_netns_put(ns);	/* conntrack's ops go with its last user */
	ns->ct_loaded = false;
	skb = (struct nf_skb){ .ip = pkt, .len = len };
	CHECK_EQ(nf_hook(ns, NF_INET_PRE_ROUTING, &skb, "eth0", NULL, 0), NF_ACCEPT);
	CHECK(skb.ct == NULL);

	free_table(ns);
	ns_free(ns);
	g_string_free(trace_log, TRUE);
	trace_log = NULL;
}

static void test_modprobe(void)
{
	struct nf_ns *ns = g_new0(struct nf_ns, 1);	/* nothing loaded, no ops */
	GString *err = g_string_new(NULL);

	ns->ct = g_new0(struct nf_conntrack_net, 1);
	ns->nat = g_new0(struct nf_nat_net, 1);
	ns->ipt = g_new0(struct ipt_net, 1);

	CHECK_EQ(nf_cmd_modprobe(ns, "nf_conntrack", true, err, true), 0);
	CHECK(!ns->ct_loaded);
	CHECK_EQ(ns->hooks[NF_INET_PRE_ROUTING].num, 0);
	/* loading alone registers no hook (Linux 4.10+): nothing is tracked */
	CHECK_EQ(nf_cmd_modprobe(ns, "nf_conntrack", false, err, false), 0);
	CHECK(!ns->ct_loaded);
	CHECK_EQ(ns->hooks[NF_INET_PRE_ROUTING].num, 0);
	CHECK_EQ(nf_cmd_modprobe(ns, "nf-conntrack", true, err, false), 0);
	CHECK(ns->ct_loaded && !ns->nat_loaded);
	/* conntrack's ops: in at PREROUTING/OUTPUT, confirm at INPUT/POSTROUTING */
	CHECK_EQ(ns->hooks[NF_INET_PRE_ROUTING].num, 1);
	CHECK_EQ(ns->hooks[NF_INET_LOCAL_IN].num, 1);
	CHECK_EQ(ns->hooks[NF_INET_FORWARD].num, 0);
	CHECK_EQ(ns->ct_users, 1);
	CHECK_EQ(nf_cmd_modprobe(ns, "nf_conntrack", true, err, false), 0);
	CHECK_EQ(ns->ct_users, 1);	/* the module holds one reference */
	/* iptable_nat's table is made, and its lookups registered, by the first
	 * command that uses it (the kernel's lazy table init), not by loading */
	CHECK_EQ(nf_cmd_modprobe(ns, "iptable_nat", false, err, false), 0);
	CHECK(!ns->nat_loaded);
	ipt_nat_load(ns);
	CHECK(ns->nat_loaded);
	/* NAT's ops came with the nat table's lookups */
	CHECK_EQ(ns->hooks[NF_INET_PRE_ROUTING].num, 2);
	CHECK_EQ(ns->hooks[NF_INET_PRE_ROUTING].ops[1]->priority, NF_IP_PRI_NAT_DST);
	CHECK_EQ(ns->hooks[NF_INET_POST_ROUTING].num, 2);
	CHECK_EQ(ns->hooks[NF_INET_POST_ROUTING].ops[0]->priority, NF_IP_PRI_NAT_SRC);
	CHECK_EQ(ns->nat->lookup_count, 4);
	CHECK_EQ(err->len, 0);
	CHECK_EQ(nf_cmd_modprobe(ns, "bogus_xyz", false, err, false), 2);
	CHECK_EQ(strcmp(err->str, "modprobe: FATAL: Module bogus_xyz not found in directory "
			"/lib/modules/6.1.0\n"), 0);
	g_string_free(err, TRUE);
	ns_free(ns);
}

int main(void)
{
	test_jhash2();
	test_pool();
	test_same_source_reused();
	test_port_in_range_kept();
	test_port_classes();
	test_port_exhaustion();
	test_port_rounds();
	test_dnat_offset_zero();
	test_icmp_id();
	test_single_port();
	test_null_binding();
	test_masquerade();
	test_redirect();
	test_rewrite_checksums();
	test_fragment_ip_only();
	test_icmp_error();
	test_hooks();
	test_modprobe();
	printf("test_nat: %d passed, %d failed\n", checks - failures, failures);
	return failures ? 1 : 0;
}
