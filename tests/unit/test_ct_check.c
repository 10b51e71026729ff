/* test_ct_check.c - `--check`: a sound table passes; each corruption made
 * on purpose fails and the message names the broken invariant. */
#include "tests/unit/ct_test_util.h"

static bool check_fails_with(struct nf_ns *ns, const char *what)
{
	GString *why = g_string_new("");
	bool ok = nf_check_invariants(ns, S_, why);
	bool named = strstr(why->str, what) != NULL;

	if (ok || !named)
		fprintf(stderr, "want failure naming [%s], got ok=%d [%s]\n", what, ok, why->str);
	g_string_free(why, TRUE);
	return !ok && named;
}

static bool check_ok(struct nf_ns *ns)
{
	GString *why = g_string_new("");
	bool ok = nf_check_invariants(ns, S_, why);

	if (!ok)
		fprintf(stderr, "unexpected: %s", why->str);
	g_string_free(why, TRUE);
	return ok;
}

static struct ct_entry *flow(struct nf_ns *ns, uint16_t sport)
{
	struct t_pkt p;

	t_udp(&p, "10.0.0.1", sport, "10.0.0.2", 53);
	t_forward(ns, &p, 0);
	return p.skb.ct;
}

int main(void)
{
	struct nf_ns *ns = t_ns_new();
	struct ct_entry *a, *b;
	struct t_pkt p;
	GString *why = g_string_new("");

	a = flow(ns, 1000);
	b = flow(ns, 1001);
	CHECK(a && b);
	CHECK(check_ok(ns));

	/* 1. REPLY not the inverse of ORIGINAL (no NAT status) */
	a->tuplehash[CT_DIR_REPLY].t.dport = 9999;
	CHECK(check_fails_with(ns, "REPLY tuple not the inverse of ORIGINAL"));
	/* ... but with IPS_SRC_NAT the reply's destination port may differ */
	a->status |= IPS_SRC_NAT;
	CHECK(check_fails_with(ns, "in wrong bucket"));	/* it was hashed with 1000 */
	/* rehash it properly: unlink with the old tuple, change, insert */
	a->tuplehash[CT_DIR_REPLY].t.dport = 1000;
	ct_table_unlink(ns, a);
	a->tuplehash[CT_DIR_REPLY].t.dport = 9999;
	ct_table_insert(ns, a);
	CHECK(check_ok(ns));
	/* 5. NATed tuple outside the rule's range */
	struct nf_conn_nat *nat = nf_ct_ext_add(a, NF_CT_EXT_NAT);	/* as nat_setup */
	CHECK(nat != NULL);
	nat->masq_if = -1;
	nat->range[NAT_MANIP_SRC] = (struct ct_nat_range){
		.flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED,
		.min_addr = t_ip("10.0.0.1"), .max_addr = t_ip("10.0.0.1"),
		.min_port = 2000, .max_port = 3000 };
	CHECK(check_fails_with(ns, "SNAT port outside the rule's range"));
	nat->range[NAT_MANIP_SRC].max_port = 10000;
	CHECK(check_ok(ns));

	/* 2. a tuple in the wrong bucket */
	{
		struct ct_tuple_node *n = &b->tuplehash[CT_DIR_ORIGINAL];
		uint32_t right = ct_hash_bucket(ns, &n->t), wrong = (right + 1) % ns->ct->sysctl.ct_buckets;
		struct ct_tuple_node **pp = &ns->ct->buckets[right];

		while (*pp != n)
			pp = &(*pp)->next;
		*pp = n->next;
		n->next = ns->ct->buckets[wrong];
		ns->ct->buckets[wrong] = n;
		CHECK(check_fails_with(ns, "tuple in wrong bucket"));
		/* put it back */
		ns->ct->buckets[wrong] = n->next;
		n->next = ns->ct->buckets[right];
		ns->ct->buckets[right] = n;
		CHECK(check_ok(ns));
	}

	/* 4. count != entries */
	ns->ct->count++;
	CHECK(check_fails_with(ns, "entries in the table"));
	ns->ct->count--;
	/* count over the maximum (the maximum was lowered after these entries
	 * were made: Linux keeps them, no violation) */
	CHECK(nf_sysctl_set(ns, "net.netfilter.nf_conntrack_max", "1", why, false, 0) == 0);
	CHECK(check_ok(ns));
	ns->ct->max_set_at = -1;		/* pretend the entries came after it */
	CHECK(check_fails_with(ns, "exceeds nf_conntrack_max"));
	ns->ct->max_set_at = 0;
	ns->ct->sysctl.ct_max = 262144;

	/* 3. one tuple in two entries */
	{
		struct ct_entry *c = flow(ns, 1002);

		ct_table_unlink(ns, c);
		c->tuplehash[CT_DIR_ORIGINAL].t = b->tuplehash[CT_DIR_ORIGINAL].t;
		ct_table_insert(ns, c);
		CHECK(check_fails_with(ns, "tuple also belongs to another entry"));
		ct_entry_kill(ns, c, S_);
		CHECK(check_ok(ns));
	}

	/* 6. a timeout lowered behind the gc's back (not through
	 * ct_set_timeout): the bounds of its blocks no longer hold */
	{
		nf_time was = b->timeout;

		b->timeout = -S_;
		CHECK(check_fails_with(ns, "expires before its gc index bound"));
		b->timeout = was;
		CHECK(check_ok(ns));
		ns->ct->gc_next_bucket = 1;
		CHECK(check_fails_with(ns, "gc cursor 1 not at a unit"));
		ns->ct->gc_next_bucket = 0;
	}

	/* the per-packet check: a packet of b in the ORIGINAL direction */
	t_udp(&p, "10.0.0.1", 1001, "10.0.0.2", 53);
	t_forward(ns, &p, S_);
	g_string_truncate(why, 0);
	CHECK(nf_check_packet(ns, &p.skb, why));
	/* ... that leaves with a port the entry does not know */
	p.buf[21] = 0x42;
	CHECK(!nf_check_packet(ns, &p.skb, why));
	CHECK(strstr(why->str, "does not carry the entry's tuple") != NULL);

	g_string_free(why, TRUE);
	nf_ns_free(ns);
	if (failures) {
		fprintf(stderr, "test_ct_check: %d failures\n", failures);
		return 1;
	}
	printf("test_ct_check: ok\n");
	return 0;
}
