/* nat_hooks.c - NAT's hook ops and its list of rule lookups.
 *
 * Mirrors nf_nat_proto.c (nf_nat_ipv4_ops, nf_nat_ipv4_fn) and
 * nf_nat_core.c (nf_nat_register_fn, nf_nat_inet_fn): the NAT core owns the
 * nat hook ops, NAT_DST (-100) at PREROUTING and OUTPUT, NAT_SRC (100) at
 * POSTROUTING and INPUT, and keeps per hook its own priority-sorted list of
 * rule lookups (iptables' nat table registers one per hook, an nft nat
 * chain would register another). Its ops are registered with the first
 * lookup and go with the last. For a new entry the op runs the lookups until
 * one binds, then the null binding, then nf_nat_packet; for a known one,
 * nf_nat_packet from the entry alone. Also here: MASQUERADE's device and
 * address notifiers.
 */
#include <stdio.h>
#include <string.h>
#include "nat/conntrack/ct_ext.h"
#include "nat/core/nf_hook_ops.h"
#include "nat/core/nf_inet.h"
#include "nat/core/nf_ns.h"
#include "nat/nf_nat/nat.h"

/* ----- packet-walk text (only built when tracing) ----- */

/* The manip address (and port) of a tuple: source for SNAT, destination
 * for DNAT, as "a.b.c.d:port" ("a.b.c.d id N" for ICMP). */
static void nat_fmt_manip(char *buf, size_t n, const struct ct_tuple *t, bool src)
{
	char a[16];

	nf_inet_ntop4(src ? t->src : t->dst, a);
	if (t->proto == 1)
		snprintf(buf, n, "%s id %u", a, t->sport);
	else if (t->sport || t->dport)
		snprintf(buf, n, "%s:%u", a, src ? t->sport : t->dport);
	else
		snprintf(buf, n, "%s", a);
}

/* "de-NAT from entry" line of nf_nat_packet for an entry already bound:
 * the packet's address before and after, taken from the entry's tuples
 * (the packet's own tuple, and the inverse of the other direction's). */
static __attribute__((noinline)) void nat_trace_from_entry(struct nf_ns *ns, enum nf_hook hook, const struct nf_skb *skb)
{
	const struct ct_entry *ct = skb->ct;
	enum ct_dir dir = ct_info_dir(skb->ctinfo);
	enum nat_manip manip = nat_hook_manip(hook);
	unsigned long bit = manip == NAT_MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT;
	const struct ct_tuple *mine = &ct->tuplehash[dir].t, *other = &ct->tuplehash[!dir].t;
	bool src = manip == NAT_MANIP_SRC;
	char before[40], after[40];
	struct ct_tuple inv;

	if (dir == CT_DIR_REPLY)
		bit ^= IPS_NAT_MASK;
	if (!(ct->status & bit))
		return;
	nat_fmt_manip(before, sizeof(before), mine, src);
	if (!ct_invert_tuple(other, &inv))
		inv = *other;
	nat_fmt_manip(after, sizeof(after), &inv, src);
	nf_trace(ns, NF_TRACE_STEP "%s: %s from entry, %s %s -> %s, no nat rule traversed",
		 nf_hook_name(hook), "nat", ct_info_name(skb->ctinfo),
		 dir == CT_DIR_REPLY ? "de-NAT" : "NAT", src ? "src" : "dst", before, after);
}

/* ----- the op ----- */

/* nat_oif_changed (nf_nat_oif_changed): a MASQUERADE entry whose packets
 * now leave by another interface is killed and the packet dropped. Only a
 * namespace where MASQUERADE has bound an entry reads the entry's NAT data
 * (out of line: the per-packet op stays a leaf with tail calls). */
static __attribute__((noinline)) bool nat_masq_oif_changed(const struct nf_ns *ns,
							    const struct nf_skb *skb, const char *out)
{
	const struct nf_conn_nat *nat = nf_ct_nat_ext(skb->ct);

	return nat && nat->masq_if >= 0 && (unsigned)nat->masq_if < ns->nat->masq_nifnames &&
	       strncmp(ns->nat->masq_ifnames[nat->masq_if], out,
		       sizeof(ns->nat->masq_ifnames[0])) != 0;
}

static inline bool nat_oif_changed(struct nf_ns *ns, enum nf_hook hook, const struct nf_skb *skb,
				   const char *out)
{
	if (hook != NF_INET_POST_ROUTING || !out || !ns->nat->masq_nifnames ||
	    ct_info_dir(skb->ctinfo) != CT_DIR_ORIGINAL)
		return false;
	return nat_masq_oif_changed(ns, skb, out);
}

/* The drop of a packet whose MASQUERADE entry changed interface. */
static __attribute__((noinline)) int nat_masq_kill(struct nf_ns *ns, struct nf_skb *skb,
						    const struct nf_hook_state *st)
{
	if (ns->env.trace)
		nf_trace(ns, NF_TRACE_STEP "MASQUERADE entry leaves by %s now: entry "
			 "killed, DROP", nf_hook_name(st->hook), "nat", st->out);
	ct_entry_kill(ns, skb->ct, st->now);
	skb->ct = NULL;
	return NF_DROP;
}

/* A known entry's rewrite with its walk line first (--trace only). */
static __attribute__((noinline)) int nat_trace_and_packet(struct nf_ns *ns, struct nf_skb *skb,
							   const struct nf_hook_state *st)
{
	nat_trace_from_entry(ns, st->hook, skb);
	return nf_nat_packet(ns, skb, st);
}

/* An ICMP error about a known entry (nf_nat_icmp_reply_translation), with
 * its walk line. Out of line, like the other rare cases below: the op's
 * common path (a known entry) then keeps its registers and stack small. */
static __attribute__((noinline)) int nat_icmp_error_fn(struct nf_ns *ns, struct nf_skb *skb,
							const struct nf_hook_state *st,
							struct ct_entry *ct, enum nat_manip manip)
{
	enum nf_hook hook = st->hook;
	int v;

	v = nf_nat_packet(ns, skb, st);	/* nf_nat_icmp_reply_translation */
	if (ns->env.trace) {
		enum ct_dir dir = ct_info_dir(skb->ctinfo);
		unsigned long bit = manip == NAT_MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT;

		if (dir == CT_DIR_REPLY)
			bit ^= IPS_NAT_MASK;
		if (v != NF_ACCEPT && skb->ip[st->pkt.thoff] == 5)
			nf_trace(ns, NF_TRACE_STEP "ICMP redirect about a flow %s: DROP",
				 nf_hook_name(hook), "nat",
				 (ct->status & IPS_NAT_DONE_MASK) != IPS_NAT_DONE_MASK
					 ? "whose NAT is not complete (its first packet)"
					 : "that is NATed");
		else if (v != NF_ACCEPT)
			nf_trace(ns, NF_TRACE_STEP "ICMP error translation failed: DROP",
				 nf_hook_name(hook), "nat");
		else if (ct->status & bit)
			nf_trace(ns, NF_TRACE_STEP "%s ICMP error: outer and embedded "
				 "headers translated from entry", nf_hook_name(hook), "nat",
				 ct_info_name(skb->ctinfo));
	}
	return v;
}

/* A packet whose entry has no binding for this manip yet: the rule lookups
 * in priority order until one binds, else the null binding; then the
 * rewrite. Once per entry and manip, so out of line. */
static __attribute__((noinline)) int nat_bind_new(struct nf_ns *ns, struct nf_skb *skb,
						   const struct nf_hook_state *st, enum nat_manip manip)
{
	const struct nf_hook_entries *e = &ns->nat->lookups[st->hook];
	struct ct_entry *ct = skb->ct;
	int v;

	for (unsigned i = 0; i < e->num; i++) {
		v = (int)e->ops[i]->fn(e->ops[i]->priv, skb, st);
		if (v != NF_ACCEPT)
			return v;
		ct = skb->ct;	/* still ours: a target never frees it */
		if (nat_initialized(ct, manip))
			break;
	}
	if (!nat_initialized(ct, manip)) {
		v = nat_setup_null_binding(ns, ct, manip, st->now);
		if (v != NF_ACCEPT)
			return v;
	}
	return nf_nat_packet(ns, skb, st);
}

/* nf_nat_ipv4_fn + nf_nat_inet_fn. */
static int nat_inet_fn(struct nf_ns *ns, struct nf_skb *skb, const struct nf_hook_state *st)
{
	enum nf_hook hook = st->hook;
	struct ct_entry *ct = skb->ct;
	enum nat_manip manip = nat_hook_manip(hook);

	if (!ct)
		return NF_ACCEPT;

	if ((skb->ctinfo == IP_CT_RELATED || skb->ctinfo == IP_CT_RELATED_REPLY) &&
	    (st->pkt.flags & NF_PKTINFO_L3) && st->pkt.l4proto == 1)
		return nat_icmp_error_fn(ns, skb, st, ct, manip);

	switch (skb->ctinfo) {
	case IP_CT_RELATED:
	case IP_CT_RELATED_REPLY:
	case IP_CT_NEW:
		if (!nat_initialized(ct, manip))
			return nat_bind_new(ns, skb, st, manip);
		break;
	default:
		break;
	}
	if (nat_oif_changed(ns, hook, skb, st->out))
		return nat_masq_kill(ns, skb, st);
	/* nf_nat_packet's own first test, made before the call: a known entry
	 * with nothing to rewrite in this direction (an SNAT flow at
	 * PREROUTING) returns here. Not an ICMP error: those left above. */
	if (!(ct->status & nat_statusbit(manip, ct_info_dir(skb->ctinfo))))
		return NF_ACCEPT;
	if (ns->env.trace)
		return nat_trace_and_packet(ns, skb, st);
	return nf_nat_packet(ns, skb, st);
}

/* NAT's hook op (nf_nat_ipv4_in/out/local_fn): a drop not decided by a
 * rule is NAT's. */
static unsigned nat_hook_fn(void *priv, struct nf_skb *skb, const struct nf_hook_state *st)
{
	int v;

	(void)priv;
	v = nat_inet_fn(st->net, skb, st);

	if (v != NF_ACCEPT && !skb->drop_reason)
		skb->drop_reason = NF_DROP_REASON_NAT;
	return v;
}


static const struct nf_hook_ops nat_ipv4_ops[] = {
	{ NF_INET_PRE_ROUTING, NF_IP_PRI_NAT_DST, nat_hook_fn, NULL, "nat dst" },
	{ NF_INET_LOCAL_OUT, NF_IP_PRI_NAT_DST, nat_hook_fn, NULL, "nat dst" },
	{ NF_INET_POST_ROUTING, NF_IP_PRI_NAT_SRC, nat_hook_fn, NULL, "nat src" },
	{ NF_INET_LOCAL_IN, NF_IP_PRI_NAT_SRC, nat_hook_fn, NULL, "nat src" },
};

/* nf_nat_register_fn: a rule lookup for ops->hook, called at ops->priority
 * among the others (its hook must be one NAT runs at); the first lookup
 * registers NAT's own ops. Returns 0 or -1. */
int nf_nat_ipv4_register_fn(struct nf_ns *ns, const struct nf_hook_ops *ops)
{
	struct nf_hook_entries *e;
	unsigned i;

	if ((unsigned)ops->hook >= NF_INET_NUMHOOKS || ops->hook == NF_INET_FORWARD)
		return -1;
	e = &ns->nat->lookups[ops->hook];
	if (e->num >= NF_HOOK_MAX_OPS)
		return -1;
	for (i = 0; i < e->num; i++)
		if (e->ops[i] == ops)
			return -1;
	if (ns->nat->lookup_count == 0 &&
	    nf_register_net_hooks(ns, nat_ipv4_ops, G_N_ELEMENTS(nat_ipv4_ops)) != 0)
		return -1;
	/* as nf_register_net_hook: before the lookups of equal priority
	 * (nf_nat_register_fn inserts with nf_hook_entries_grow) */
	for (i = 0; i < e->num && e->ops[i]->priority < ops->priority; i++)
		;
	memmove(&e->ops[i + 1], &e->ops[i], (e->num - i) * sizeof(e->ops[0]));
	e->ops[i] = ops;
	e->num++;
	ns->nat->lookup_count++;
	return 0;
}

/* nf_nat_unregister_fn: the last lookup gone, NAT's ops go too. */
void nf_nat_ipv4_unregister_fn(struct nf_ns *ns, const struct nf_hook_ops *ops)
{
	struct nf_hook_entries *e;

	if ((unsigned)ops->hook >= NF_INET_NUMHOOKS)
		return;
	e = &ns->nat->lookups[ops->hook];
	for (unsigned i = 0; i < e->num; i++) {
		if (e->ops[i] != ops)
			continue;
		memmove(&e->ops[i], &e->ops[i + 1], (e->num - i - 1) * sizeof(e->ops[0]));
		e->num--;
		if (--ns->nat->lookup_count == 0)
			nf_unregister_net_hooks(ns, nat_ipv4_ops, G_N_ELEMENTS(nat_ipv4_ops));
		return;
	}
}

/* ----- MASQUERADE's notifiers ----- */

struct nat_masq_gone {
	int ifindex;
	uint32_t addr;
	nf_time now;
};

/* device_cmp / inet_cmp: the entry masqueraded through this interface (and,
 * for an address event, to that address: the REPLY tuple's destination). */
static void nat_masq_flush_one(struct nf_ns *ns, struct ct_entry *ct, void *arg)
{
	const struct nat_masq_gone *g = arg;
	const struct nf_conn_nat *nat = nf_ct_nat_ext(ct);

	if (!nat || nat->masq_if != g->ifindex)
		return;
	if (g->addr && ct->tuplehash[CT_DIR_REPLY].t.dst != g->addr)
		return;
	ct_entry_kill(ns, ct, g->now);
}

void nf_iface_addr_gone(struct nf_ns *ns, const char *ifname, uint32_t addr, nf_time now)
{
	struct nat_masq_gone g = { .addr = addr, .now = now };

	if (!ns->ct_loaded || !ifname)
		return;
	g.ifindex = nat_masquerade_ifindex(ns, ifname);
	if (g.ifindex < 0)
		return;		/* no MASQUERADE entry ever used it */
	ct_table_foreach(ns, nat_masq_flush_one, &g);
}

/* ----- per namespace ----- */

/* NAT's conntrack extension (nf_nat_init's nat_extend): an entry leaving
 * the table leaves the bysource chain. Its data, struct nf_conn_nat (nat.h:
 * MASQUERADE interface, bound ranges, bysource link), has a slot in the
 * entry's extension area. */
static const struct nf_ct_ext_type nat_ct_ext = {
	.id = NF_CT_EXT_NAT,
	.name = "nat",
	.size = sizeof(struct nf_conn_nat),
	.align = 1,
	.destroy = nat_ct_destroy,
};

static void nat_net_init(struct nf_ns *ns)
{
	ns->nat = g_new0(struct nf_nat_net, 1);
	/* fails only if the area has no room for it: a build error in truth */
	if (nf_ct_extend_register(ns, &nat_ct_ext) != 0)
		g_error("nf_nat: no room for struct nf_conn_nat in the conntrack entry");
	ns->ct->new_hint = nat_prefetch_new;
}

static void nat_net_exit(struct nf_ns *ns)
{
	nat_ns_free(ns);
	g_free(ns->nat);
	ns->nat = NULL;
}

const struct nf_pernet_ops nat_pernet_ops = {
	.name = "nf_nat",
	.init = nat_net_init,
	.exit = nat_net_exit,
};
