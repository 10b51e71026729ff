/* test_hook_ops.c - the hook ops registry (nat/core/nf_hook_ops.c): a hook
 * user registered at a chosen priority runs in the kernel's order between
 * the existing ones, and prints its step of the packet walk there.
 *
 * Two dummy users: one at -250 (between raw and conntrack) at PREROUTING,
 * one at 50 (NF_IP_PRI_SECURITY: between filter and NAT_SRC) at FORWARD and
 * POSTROUTING. A router namespace with every table touched and a nat rule
 * forwards one UDP packet; the walk's (hook, stage) columns must read in
 * priority order. Also: equal priorities keep registration order, and
 * unregistering takes a user out.
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

/* A test-only hook user: counts its calls, prints its step, accepts. */
static unsigned dummy_calls;
static unsigned dummy_fn(void *priv, struct nf_skb *skb, const struct nf_hook_state *st)
{
	(void)skb;
	dummy_calls++;
	nf_trace(st->net, NF_TRACE_STEP "dummy at %d", nf_hook_name(st->hook), "test",
		 *(const int *)priv);
	return NF_ACCEPT;
}

static const int pri_250 = -250, pri_50 = NF_IP_PRI_SECURITY;
static const struct nf_hook_ops dummy_ops[] = {
	{ NF_INET_PRE_ROUTING, -250, dummy_fn, (void *)&pri_250, "dummy -250" },
	{ NF_INET_FORWARD, NF_IP_PRI_SECURITY, dummy_fn, (void *)&pri_50, "dummy 50" },
	{ NF_INET_POST_ROUTING, NF_IP_PRI_SECURITY, dummy_fn, (void *)&pri_50, "dummy 50" },
};

static int ipt(struct nf_ns *ns, const char *line)
{
	gchar **argv = g_strsplit(line, " ", -1);
	GString *o = g_string_new(NULL), *e = g_string_new(NULL);
	int rc = nf_cmd_iptables(ns, (int)g_strv_length(argv), argv, o, e, false, 0);

	if (rc)
		printf("%s: %s", line, e->str);
	g_strfreev(argv);
	g_string_free(o, TRUE);
	g_string_free(e, TRUE);
	return rc;
}

/* The walk's step lines as "HOOK/stage" words, one per run of lines of the
 * same step (continuation lines left out). */
static char *walk_steps(void)
{
	GString *s = g_string_new(NULL);
	gchar **lines = g_strsplit(walk->str, "\n", -1);
	char last[40] = "";

	for (gchar **l = lines; *l; l++) {
		char hook[16], stage[16], word[40];

		if (strncmp(*l, "  ", 2) != 0 || (*l)[2] == ' ')
			continue;
		if (sscanf(*l, "%15s %15s", hook, stage) != 2)
			continue;
		snprintf(word, sizeof(word), "%s/%s", hook, stage);
		if (strcmp(word, last) != 0)
			g_string_append_printf(s, "%s%s", s->len ? " " : "", word);
		snprintf(last, sizeof(last), "%s", word);
	}
	g_strfreev(lines);
	return g_string_free(s, FALSE);
}

static void test_walk_order(void)
{
	struct nf_env env = { .ct_event = t_ct_event, .klog = t_klog_cb, .trace = t_trace };
	struct nf_ns *ns;
	struct t_pkt p;
	char *steps;

	if (!t_events) {
		t_events = g_ptr_array_new_with_free_func(g_free);
		t_klog = g_ptr_array_new_with_free_func(g_free);
	}
	walk = g_string_new(NULL);
	ns = nf_ns_new(&env, 12345);
	CHECK(ipt(ns, "iptables -t raw -A PREROUTING -p udp") == 0);
	CHECK(ipt(ns, "iptables -t mangle -A PREROUTING -p udp") == 0);
	CHECK(ipt(ns, "iptables -t mangle -A FORWARD -p udp") == 0);
	CHECK(ipt(ns, "iptables -t mangle -A POSTROUTING -p udp") == 0);
	CHECK(ipt(ns, "iptables -A FORWARD -p udp") == 0);
	CHECK(ipt(ns, "iptables -t nat -A PREROUTING -p udp") == 0);
	CHECK(ipt(ns, "iptables -t nat -A POSTROUTING -p udp -j SNAT --to-source 1.2.3.4") == 0);
	CHECK(nf_register_net_hooks(ns, dummy_ops, G_N_ELEMENTS(dummy_ops)) == 0);

	t_udp(&p, "10.0.0.1", 40000, "192.0.2.1", 53);
	CHECK(nf_hook(ns, NF_INET_PRE_ROUTING, &p.skb, "eth0", NULL, 0) == NF_ACCEPT);
	CHECK(nf_hook(ns, NF_INET_FORWARD, &p.skb, "eth0", "eth1", 0) == NF_ACCEPT);
	CHECK(nf_hook(ns, NF_INET_POST_ROUTING, &p.skb, NULL, "eth1", 0) == NF_ACCEPT);
	nf_skb_release(ns, &p.skb);
	CHECK(dummy_calls == 3, "%u calls", dummy_calls);

	steps = walk_steps();
	CHECK(strcmp(steps,
		     "PREROUTING/raw PREROUTING/test PREROUTING/conntrack PREROUTING/mangle "
		     "PREROUTING/nat "
		     "FORWARD/mangle FORWARD/filter FORWARD/test "
		     "POSTROUTING/mangle POSTROUTING/test POSTROUTING/nat "
		     "POSTROUTING/conntrack") == 0, "walk:\n%s\nsteps: %s", walk->str, steps);
	g_free(steps);

	/* unregistered, the dummy is gone from the walk */
	nf_unregister_net_hooks(ns, dummy_ops, G_N_ELEMENTS(dummy_ops));
	g_string_truncate(walk, 0);
	t_udp(&p, "10.0.0.1", 40001, "192.0.2.1", 53);
	nf_hook(ns, NF_INET_PRE_ROUTING, &p.skb, "eth0", NULL, 0);
	nf_skb_release(ns, &p.skb);
	CHECK(dummy_calls == 3 && !strstr(walk->str, "dummy"));

	nf_ns_free(ns);
	g_string_free(walk, TRUE);
}

/* Of two ops of one priority the later registered runs first:
 * nf_hook_entries_grow inserts a new op before the first whose priority is
 * not lower than its own. */
static char order[8];
static unsigned order_fn(void *priv, struct nf_skb *skb, const struct nf_hook_state *st)
{
	(void)skb; (void)st;
	size_t n = strlen(order);

	order[n] = *(const char *)priv;
	return NF_ACCEPT;
}

static void test_equal_priority(void)
{
	struct nf_ns *ns = g_new0(struct nf_ns, 1);
	struct nf_skb skb = { 0 };
	static const struct nf_hook_ops a = { NF_INET_FORWARD, 0, order_fn, (void *)"a", "a" };
	static const struct nf_hook_ops b = { NF_INET_FORWARD, 0, order_fn, (void *)"b", "b" };
	static const struct nf_hook_ops c = { NF_INET_FORWARD, -10, order_fn, (void *)"c", "c" };
	static const struct nf_hook_ops d = { NF_INET_FORWARD, 10, order_fn, (void *)"d", "d" };

	CHECK(nf_register_net_hook(ns, &a) == 0);
	CHECK(nf_register_net_hook(ns, &d) == 0);
	CHECK(nf_register_net_hook(ns, &b) == 0);
	CHECK(nf_register_net_hook(ns, &c) == 0);
	CHECK(nf_register_net_hook(ns, &c) == -1, "registered twice");
	nf_hook(ns, NF_INET_FORWARD, &skb, NULL, NULL, 0);
	CHECK(strcmp(order, "cbad") == 0, "order %s", order);
	nf_unregister_net_hook(ns, &a);
	memset(order, 0, sizeof(order));
	nf_hook(ns, NF_INET_FORWARD, &skb, NULL, NULL, 0);
	CHECK(strcmp(order, "cbd") == 0, "order %s", order);
	g_free(ns);
}

int main(void)
{
	test_walk_order();
	test_equal_priority();
	printf("test_hook_ops: %s\n", failures ? "FAILED" : "ok");
	return failures != 0;
}
