/* test_ct_alone.c - conntrack stands alone: this test is linked with the
 * nat/core and nat/conntrack objects only (no NAT, no iptables, no archive,
 * no stubs; see the Makefile), so any call from conntrack into a higher layer
 * is a link error. It builds a namespace with conntrack's pernet ops alone,
 * loads conntrack (its hook ops), walks a TCP handshake and a UDP exchange
 * through nf_hook() as a forwarding router does, and lists the table.
 */
#include "tests/unit/ct_test_util.h"

static const struct nf_pernet_ops *const ct_only[] = { &ct_pernet_ops };

/* A forwarded packet: PREROUTING (conntrack in), POSTROUTING (confirm). */
static int fwd(struct nf_ns *ns, struct t_pkt *p, nf_time now)
{
	int v = nf_hook(ns, NF_INET_PRE_ROUTING, &p->skb, "eth0", NULL, now);

	if (v == NF_ACCEPT)
		v = nf_hook(ns, NF_INET_FORWARD, &p->skb, "eth0", "eth1", now);
	if (v == NF_ACCEPT)
		v = nf_hook(ns, NF_INET_POST_ROUTING, &p->skb, NULL, "eth1", now);
	nf_skb_release(ns, &p->skb);
	return v;
}

int main(void)
{
	struct nf_env env = { .ct_event = t_ct_event, .klog = t_klog_cb };
	struct nf_ns *ns;
	struct t_pkt p;
	GString *out = g_string_new(NULL);

	t_events = g_ptr_array_new_with_free_func(g_free);
	t_klog = g_ptr_array_new_with_free_func(g_free);
	ns = nf_ns_create(&env, 12345, ct_only, G_N_ELEMENTS(ct_only));
	CHECK(ns != NULL);
	CHECK(!nf_ct_enabled(ns));
	nf_ct_load(ns);
	CHECK(nf_ct_enabled(ns) && ns->ct_users == 1);

	/* TCP handshake 10.0.0.1:40000 -> 192.0.2.1:80 */
	t_tcp(&p, "10.0.0.1", 40000, "192.0.2.1", 80, 1000, 0, 0x02, 0);
	CHECK(fwd(ns, &p, 1 * S_) == NF_ACCEPT);
	t_tcp(&p, "192.0.2.1", 80, "10.0.0.1", 40000, 5000, 1001, 0x12, 0);
	CHECK(fwd(ns, &p, 1 * S_) == NF_ACCEPT);
	t_tcp(&p, "10.0.0.1", 40000, "192.0.2.1", 80, 1001, 5001, 0x10, 0);
	CHECK(fwd(ns, &p, 1 * S_) == NF_ACCEPT);
	/* UDP 10.0.0.1:5353 -> 192.0.2.2:53 and its answer */
	t_udp(&p, "10.0.0.1", 5353, "192.0.2.2", 53);
	CHECK(fwd(ns, &p, 2 * S_) == NF_ACCEPT);
	t_udp(&p, "192.0.2.2", 53, "10.0.0.1", 5353);
	CHECK(fwd(ns, &p, 2 * S_) == NF_ACCEPT);

	CHECK(nf_ct_count(ns, 3 * S_) == 2, "count %u", nf_ct_count(ns, 3 * S_));
	CHECK(nf_ct_list(ns, 3 * S_, out) == 2);
	CHECK(strstr(out->str, "tcp      6 431998 ESTABLISHED src=10.0.0.1 dst=192.0.2.1 "
			       "sport=40000 dport=80 src=192.0.2.1 dst=10.0.0.1 sport=80 "
			       "dport=40000 [ASSURED] mark=0 use=1\n") != NULL, "%s", out->str);
	CHECK(strstr(out->str, "udp      17 29 src=10.0.0.1 dst=192.0.2.2 sport=5353 dport=53 "
			       "src=192.0.2.2 dst=10.0.0.1 sport=53 dport=5353 mark=0 use=1\n")
	      != NULL, "%s", out->str);
	CHECK(t_events->len >= 2 && strncmp(t_event(0), "    [NEW] tcp", 13) == 0,
	      "%s", t_event(0));

	nf_ns_destroy(ns);
	g_string_free(out, TRUE);
	g_ptr_array_free(t_events, TRUE);
	g_ptr_array_free(t_klog, TRUE);
	printf("test_ct_alone: %s\n", failures ? "FAILED" : "ok");
	return failures != 0;
}
