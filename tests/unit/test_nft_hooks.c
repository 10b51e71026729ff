/* test_nft_hooks.c - nft base chains on the hook ops (nat/nftables/
 * nft_hooks.c) and the evaluator behind them (nft_eval.c).
 *
 * A base chain is registered at its hook and priority when added, stays at
 * its place in the list while the ruleset changes around it (a transaction
 * replaces the objects), and leaves when deleted or flushed; a nat chain is
 * a rule lookup on the NAT core's list; conntrack is taken while a ct
 * expression or a nat chain exists. Then packets: an nft chain at -5 runs
 * before iptables' filter at 0 and one at 10 after it, verdicts, counters,
 * jump/return, sets, verdict maps, marks and the policy.
 */
#include "tests/unit/ct_test_util.h"
#include "nat/core/nf_hook_ops.h"

static GString *walk;

static void t_trace(void *ctx, const char *line)
{
	(void)ctx;
	g_string_append(walk, line);
	g_string_append_c(walk, '\n');
}

static int nft(struct nf_ns *ns, const char *line)
{
	gchar **argv = g_strsplit(line, " ", -1);
	GString *o = g_string_new(NULL), *e = g_string_new(NULL);
	int rc = nf_cmd_nft(ns, (int)g_strv_length(argv), argv, NULL, NULL, NULL, o, e, false);

	if (rc)
		printf("%s: %s", line, e->str);
	g_strfreev(argv);
	g_string_free(o, TRUE);
	g_string_free(e, TRUE);
	return rc;
}

static int ipt(struct nf_ns *ns, const char *line)
{
	gchar **argv = g_strsplit(line, " ", -1);
	GString *o = g_string_new(NULL), *e = g_string_new(NULL);
	int rc = nf_cmd_iptables(ns, (int)g_strv_length(argv), argv, o, e, false, 0);

	g_strfreev(argv);
	g_string_free(o, TRUE);
	g_string_free(e, TRUE);
	return rc;
}

static char *list(struct nf_ns *ns)
{
	gchar *argv[] = { "nft", "list", "ruleset", NULL };
	GString *o = g_string_new(NULL), *e = g_string_new(NULL);

	nf_cmd_nft(ns, 3, argv, NULL, NULL, NULL, o, e, false);
	g_string_free(e, TRUE);
	return g_string_free(o, FALSE);
}

/* Position of the op called `name` in the hook's list, -1 if absent. */
static int pos(const struct nf_ns *ns, enum nf_hook h, const char *name)
{
	for (unsigned i = 0; i < ns->hooks[h].num; i++)
		if (!strcmp(ns->hooks[h].ops[i]->name, name))
			return (int)i;
	return -1;
}

static const struct nf_hook_ops *op(const struct nf_ns *ns, enum nf_hook h, const char *name)
{
	int i = pos(ns, h, name);
	return i < 0 ? NULL : ns->hooks[h].ops[i];
}

static bool nat_lookup(const struct nf_ns *ns, enum nf_hook h, const char *name)
{
	const struct nf_hook_entries *e = &ns->nat->lookups[h];

	for (unsigned i = 0; i < e->num; i++)
		if (!strcmp(e->ops[i]->name, name))
			return true;
	return false;
}

static void test_registration(void)
{
	struct nf_env env = { .ct_event = t_ct_event, .klog = t_klog_cb };
	struct nf_ns *ns = nf_ns_new(&env, 1);
	const struct nf_hook_ops *before;

	/* iptables' filter table joins the hooks when it comes to exist (its
	 * first change), as the kernel's tables do on first use; of two ops
	 * of one priority the later registered runs first
	 * (nf_hook_entries_grow) */
	CHECK(pos(ns, NF_INET_FORWARD, "filter") < 0, "no filter op before the table exists");
	CHECK(nft(ns, "nft add table ip t0") == 0);
	CHECK(nft(ns, "nft add chain ip t0 same { type filter hook forward priority 0 ; }") == 0);
	CHECK(ipt(ns, "iptables -P FORWARD ACCEPT") == 0);
	CHECK(pos(ns, NF_INET_FORWARD, "filter") >= 0);
	CHECK(pos(ns, NF_INET_FORWARD, "filter") < pos(ns, NF_INET_FORWARD, "nft ip t0 same"),
	      "of equal priorities the later registered runs first");
	CHECK(nft(ns, "nft delete table ip t0") == 0);
	CHECK(nft(ns, "nft add table ip t") == 0);
	CHECK(nft(ns, "nft add chain ip t early { type filter hook forward priority -5 ; }") == 0);
	CHECK(nft(ns, "nft add chain ip t late { type filter hook forward priority 10 ; }") == 0);
	CHECK(nft(ns, "nft add chain ip t plain") == 0);
	CHECK(pos(ns, NF_INET_FORWARD, "nft ip t early") >= 0);
	CHECK(pos(ns, NF_INET_FORWARD, "nft ip t early") < pos(ns, NF_INET_FORWARD, "filter"));
	CHECK(pos(ns, NF_INET_FORWARD, "nft ip t late") > pos(ns, NF_INET_FORWARD, "filter"));
	CHECK(pos(ns, NF_INET_FORWARD, "nft ip t plain") < 0, "a regular chain is no hook user");
	CHECK(ns->ct_users == 0, "no ct expression yet: %u users", ns->ct_users);

	/* a later command keeps the registration in place */
	before = op(ns, NF_INET_FORWARD, "nft ip t early");
	CHECK(nft(ns, "nft add rule ip t early udp dport 53 accept") == 0);
	CHECK(op(ns, NF_INET_FORWARD, "nft ip t early") == before);

	/* a ct expression takes conntrack (loaded, and one reference) */
	CHECK(nft(ns, "nft add rule ip t late ct state new accept") == 0);
	CHECK(ns->ct_loaded && ns->ct_users == 2, "%u users", ns->ct_users);

	/* deleted, the chain leaves its hook; the other stays */
	CHECK(nft(ns, "nft delete chain ip t early") == 0);
	CHECK(pos(ns, NF_INET_FORWARD, "nft ip t early") < 0);
	CHECK(pos(ns, NF_INET_FORWARD, "nft ip t late") >= 0);

	/* a nat chain is a rule lookup of the NAT core, not a hook op */
	CHECK(nft(ns, "nft add table inet n") == 0);
	CHECK(nft(ns, "nft add chain inet n post { type nat hook postrouting priority srcnat ; }") == 0);
	CHECK(nat_lookup(ns, NF_INET_POST_ROUTING, "nft inet n post"));
	CHECK(pos(ns, NF_INET_POST_ROUTING, "nft inet n post") < 0);
	CHECK(pos(ns, NF_INET_POST_ROUTING, "nat src") >= 0);
	CHECK(ns->ct_users == 3, "%u users", ns->ct_users);

	/* flush ruleset: every chain leaves, the references go */
	CHECK(nft(ns, "nft flush ruleset") == 0);
	CHECK(pos(ns, NF_INET_FORWARD, "nft ip t late") < 0);
	CHECK(!nat_lookup(ns, NF_INET_POST_ROUTING, "nft inet n post"));
	CHECK(pos(ns, NF_INET_POST_ROUTING, "nat src") < 0, "NAT's ops went with the last lookup");
	CHECK(ns->ct_users == 1, "only the module's own reference: %u", ns->ct_users);
	nf_ns_free(ns);
}

/* One UDP packet through FORWARD; the verdict. */
static int forward_udp(struct nf_ns *ns, const char *src, uint16_t dport, uint32_t *mark)
{
	struct t_pkt p;
	int v;

	t_udp(&p, src, 40000, "192.0.2.1", dport);
	v = nf_hook(ns, NF_INET_FORWARD, &p.skb, "eth0", "eth1", 0);
	if (mark)
		*mark = p.skb.mark;
	nf_skb_release(ns, &p.skb);
	return v;
}

static void test_packets(void)
{
	struct nf_env env = { .ct_event = t_ct_event, .klog = t_klog_cb, .trace = t_trace };
	struct nf_ns *ns = nf_ns_new(&env, 1);
	uint32_t mark = 0;
	char *l;

	if (!t_events) {
		t_events = g_ptr_array_new_with_free_func(g_free);
		t_klog = g_ptr_array_new_with_free_func(g_free);
	}
	walk = g_string_new(NULL);
	CHECK(ipt(ns, "iptables -A FORWARD -p udp --dport 9 -j DROP") == 0);
	CHECK(nft(ns, "nft add table ip t") == 0);
	CHECK(nft(ns, "nft add chain ip t sub") == 0);
	CHECK(nft(ns, "nft add chain ip t forward { type filter hook forward priority -5 ; policy drop ; }") == 0);
	CHECK(nft(ns, "nft add rule ip t forward ip saddr 10.0.1.0/24 counter drop") == 0);
	CHECK(nft(ns, "nft add rule ip t forward udp dport { 7 , 9 , 100-200 } counter accept") == 0);
	CHECK(nft(ns, "nft add rule ip t forward udp dport 53 jump sub") == 0);
	CHECK(nft(ns, "nft add rule ip t forward udp dport vmap { 54 : accept , 55 : drop }") == 0);
	CHECK(nft(ns, "nft add rule ip t sub meta mark set 7") == 0);
	CHECK(nft(ns, "nft add rule ip t sub iifname != eth0 drop") == 0);
	CHECK(nft(ns, "nft add rule ip t sub return") == 0);
	CHECK(nft(ns, "nft add rule ip t forward meta mark 7 accept") == 0);

	CHECK(forward_udp(ns, "10.0.1.5", 7, NULL) == NF_DROP, "prefix drop");
	/* accepted by nft at -5, then dropped by iptables' filter at 0 */
	g_string_truncate(walk, 0);
	CHECK(forward_udp(ns, "10.0.0.5", 9, NULL) == NF_DROP);
	CHECK(strstr(walk->str, "nft") && strstr(walk->str, "filter") &&
	      strstr(walk->str, "nft") < strstr(walk->str, "filter"), "walk:\n%s", walk->str);
	CHECK(forward_udp(ns, "10.0.0.5", 150, NULL) == NF_ACCEPT, "range in a set");
	CHECK(forward_udp(ns, "10.0.0.5", 201, NULL) == NF_DROP, "policy drop");
	CHECK(forward_udp(ns, "10.0.0.5", 53, &mark) == NF_ACCEPT && mark == 7, "jump, mark, return");
	CHECK(forward_udp(ns, "10.0.0.5", 54, NULL) == NF_ACCEPT, "vmap accept");
	CHECK(forward_udp(ns, "10.0.0.5", 55, NULL) == NF_DROP, "vmap drop");

	l = list(ns);
	CHECK(strstr(l, "ip saddr 10.0.1.0/24 counter packets 1 bytes 32 drop") != NULL, "%s", l);
	CHECK(strstr(l, "udp dport { 7, 9, 100-200 } counter packets 2 bytes 64 accept") != NULL,
	      "%s", l);
	g_free(l);
	nf_ns_free(ns);
	g_string_free(walk, TRUE);
}

int main(void)
{
	test_registration();
	test_packets();
	printf("test_nft_hooks: %s\n", failures ? "FAILED" : "ok");
	return failures != 0;
}
