/* test_ct_race.c - conntrack's rounds of several CPUs (ct_race.c): in a
 * round a packet's lookup misses what another CPU confirmed in that round,
 * its confirm meets it (clash_resolve for UDP, insert_failed for TCP); its
 * own CPU's entries and everything outside a round stay visible. */
#include "tests/unit/ct_test_util.h"


/* One packet's conntrack walk on the namespace's current CPU. */
static int t_walk(struct nf_ns *ns, struct t_pkt *p, nf_time now, struct ct_entry **created)
{
	int v = ct_in(ns, &p->skb, NF_INET_PRE_ROUTING, now);

	if (created)
		*created = p->skb.ct;
	if (v != NF_ACCEPT)
		return v;
	v = ct_confirm(ns, &p->skb, now);
	if (p->skb.ct && !(p->skb.ct->status & IPS_CONFIRMED))
		ct_entry_kill(ns, p->skb.ct, now);
	return v;
}

static void test_outside_a_round(void)
{
	struct nf_ns *ns = t_ns_new();
	struct t_pkt a, b;
	struct ct_entry *ea, *eb;

	t_udp(&a, "10.0.0.2", 40000, "10.0.1.53", 53);
	t_udp(&b, "10.0.0.2", 40000, "10.0.1.53", 53);
	CHECK(t_walk(ns, &a, S_, &ea) == NF_ACCEPT);
	CHECK(t_walk(ns, &b, S_, &eb) == NF_ACCEPT);
	CHECK(eb == ea && (ea->status & IPS_CONFIRMED));	/* found, not created */
	CHECK(ns->ct->stats.clash_resolve == 0 && nf_ct_count(ns, S_) == 1);
	nf_ns_free(ns);
}

static void test_udp_round(void)
{
	struct nf_ns *ns = t_ns_new();
	struct t_pkt a, b, c;
	struct ct_entry *ea, *eb, *ec;

	t_udp(&a, "10.0.0.2", 40000, "10.0.1.53", 53);
	t_udp(&b, "10.0.0.2", 40000, "10.0.1.53", 53);
	t_udp(&c, "10.0.0.2", 40000, "10.0.1.53", 53);
	nf_ct_cpu_round(ns);
	nf_ct_cpu_set(ns, 0);
	CHECK(t_walk(ns, &a, S_, &ea) == NF_ACCEPT);
	nf_ct_cpu_set(ns, 1);
	CHECK(t_walk(ns, &b, S_, &eb) == NF_ACCEPT);
	CHECK(eb != ea);			/* a new entry: A's was hidden */
	CHECK(b.skb.ct == ea);			/* the clash resolved onto A's */
	CHECK(ns->ct->stats.clash_resolve == 1 && ns->ct->stats.insert_failed == 0);
	nf_ct_cpu_set(ns, 0);
	CHECK(t_walk(ns, &c, S_, &ec) == NF_ACCEPT);
	CHECK(ec == ea);			/* its own CPU's entry is seen */
	nf_ct_cpu_end(ns);
	CHECK(nf_ct_count(ns, S_) == 1);
	nf_ns_free(ns);
}

static void test_tcp_round_insert_failed(void)
{
	struct nf_ns *ns = t_ns_new();
	struct t_pkt a, b;

	t_tcp(&a, "10.0.0.2", 40000, "10.0.1.80", 80, 1000, 0, 0x02, 0);
	t_tcp(&b, "10.0.0.2", 40000, "10.0.1.80", 80, 1000, 0, 0x02, 0);
	nf_ct_cpu_round(ns);
	nf_ct_cpu_set(ns, 1);
	CHECK(t_walk(ns, &a, S_, NULL) == NF_ACCEPT);
	nf_ct_cpu_set(ns, 0);
	CHECK(t_walk(ns, &b, S_, NULL) == NF_DROP);	/* TCP has no allow_clash */
	CHECK(b.skb.drop_reason == NF_DROP_REASON_CT_CLASH);
	CHECK(ns->ct->stats.insert_failed == 1 && ns->ct->stats.drop == 1);
	nf_ct_cpu_end(ns);
	/* after the round, the next packet finds the entry */
	t_tcp(&b, "10.0.0.2", 40000, "10.0.1.80", 80, 1000, 0, 0x02, 0);
	CHECK(t_walk(ns, &b, S_, NULL) == NF_ACCEPT && (b.skb.ct->status & IPS_CONFIRMED));
	CHECK(ns->ct->stats.insert_failed == 1);
	nf_ns_free(ns);
}

int main(void)
{
	test_outside_a_round();
	test_udp_round();
	test_tcp_round_insert_failed();
	if (failures) {
		fprintf(stderr, "test_ct_race: %d failures\n", failures);
		return 1;
	}
	printf("test_ct_race: ok\n");
	return 0;
}
