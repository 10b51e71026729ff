/* ct_hooks.c - conntrack's hook ops, the packet's reference on its entry.
 *
 * Mirrors nf_conntrack_proto.c's ipv4_conntrack_ops: nf_conntrack_in at
 * PREROUTING and OUTPUT (NF_IP_PRI_CONNTRACK, -200), the confirm last of
 * INPUT and POSTROUTING (NF_IP_PRI_CONNTRACK_CONFIRM). They are registered
 * while conntrack has users (nf_ct_netns_get / nf_ct_netns_put, counted);
 * loading the module (modprobe, a rule or table that needs conntrack) takes
 * one reference for good: nf_ct_load, the one line of policy. Each op
 * prints its own lines of the packet walk. Also here: the skb's release
 * (an unconfirmed entry dies with its packet), hold and attach.
 */
#include <stdio.h>
#include <string.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_helper.h"
#include "nat/conntrack/ct_seqadj.h"
#include "nat/core/nf_hook_ops.h"
#include "nat/core/nf_inet.h"
#include "nat/core/nf_ns.h"

/* ----- packet-walk text (only built when tracing) ----- */

/* A tuple in the walk's compact form: "tcp 192.168.1.2:40000 -> 1.2.3.4:80",
 * "icmp 10.0.0.1 -> 10.0.0.2 type 8 code 0 id 7", "proto 47 a -> b". */
static void ct_fmt_tuple(char *buf, size_t n, const struct ct_tuple *t)
{
	char s[16], d[16];

	nf_inet_ntop4(t->src, s);
	nf_inet_ntop4(t->dst, d);
	if (t->proto == 1)
		snprintf(buf, n, "icmp %s -> %s type %u code %u id %u", s, d,
			 ct_tuple_icmp_type(t), ct_tuple_icmp_code(t), t->sport);
	else if (t->proto == 6 || t->proto == 17)
		snprintf(buf, n, "%s %s:%u -> %s:%u", t->proto == 6 ? "tcp" : "udp", s, t->sport,
			 d, t->dport);
	else if (t->sport || t->dport)
		snprintf(buf, n, "proto %u %s:%u -> %s:%u", t->proto, s, t->sport, d, t->dport);
	else
		snprintf(buf, n, "proto %u %s -> %s", t->proto, s, d);
}

void ct_trace_tuples(struct nf_ns *ns, const struct ct_entry *ct, bool reply_only)
{
	char o[96];
	enum ct_dir d;

	for (d = reply_only ? CT_DIR_REPLY : CT_DIR_ORIGINAL; d < CT_DIR_MAX; d++) {
		ct_fmt_tuple(o, sizeof(o), &ct->tuplehash[d].t);
		nf_trace(ns, NF_TRACE_MORE "%-8s %-50s bucket %u",
			 d == CT_DIR_ORIGINAL ? "ORIGINAL" : "REPLY", o,
			 ct_hash_bucket(ns, &ct->tuplehash[d].t));
	}
}

const char *ct_info_name(uint8_t ctinfo)
{
	switch (ctinfo) {
	case IP_CT_ESTABLISHED: return "ESTABLISHED";
	case IP_CT_RELATED: return "RELATED";
	case IP_CT_NEW: return "NEW";
	case IP_CT_ESTABLISHED_REPLY: return "ESTABLISHED reply";
	case IP_CT_RELATED_REPLY: return "RELATED reply";
	default: return "?";
	}
}

/* The conntrack verdict of nf_conntrack_in: NEW/ESTABLISHED/RELATED/INVALID,
 * whether the entry was created or found, both tuples with their buckets.
 * `before` are the counters as they were before ct_in (which one moved tells
 * why a packet has no entry). */
static void nf_trace_ct_in(struct nf_ns *ns, enum nf_hook hook, const struct nf_skb *skb,
			   int verdict, const struct nf_ct_stats *before)
{
	const struct ct_entry *ct = skb->ct;
	const char *h = nf_hook_name(hook);

	if (verdict != NF_ACCEPT) {
		nf_trace(ns, NF_TRACE_STEP "DROP: %s", h, "conntrack",
			 ns->ct->stats.insert_failed != before->insert_failed ? "tuple clash"
			 : ns->ct->stats.invalid != before->invalid ? "tracker says drop"
			 : "table full (nf_conntrack_max reached)");
		return;
	}
	if (!ct) {
		if (skb->ctinfo == IP_CT_UNTRACKED)
			nf_trace(ns, NF_TRACE_STEP "UNTRACKED (raw NOTRACK): no entry", h, "conntrack");
		else if (ns->ct->stats.error != before->error)
			nf_trace(ns, NF_TRACE_STEP "INVALID: ICMP error quoting no known entry "
				 "(error +1)", h, "conntrack");
		else
			nf_trace(ns, NF_TRACE_STEP "INVALID: not trackable or out of state, no entry "
				 "(invalid +1)", h, "conntrack");
		return;
	}
	if (skb->ct_borrowed)
		nf_trace(ns, NF_TRACE_STEP "%s: carries the entry of the packet it answers "
			 "(nf_ct_attach), no lookup", h, "conntrack", ct_info_name(skb->ctinfo));
	else if (ct->status & IPS_CONFIRMED)
		nf_trace(ns, NF_TRACE_STEP "%s: entry found%s", h, "conntrack",
			 ct_info_name(skb->ctinfo),
			 (skb->ctinfo == IP_CT_RELATED || skb->ctinfo == IP_CT_RELATED_REPLY)
				 ? " (the ICMP error quotes it)" : "");
	else
		nf_trace(ns, NF_TRACE_STEP "%s: entry created (unconfirmed), table %u/%u", h,
			 "conntrack", ct_info_name(skb->ctinfo), ns->ct->count, ns->ct->sysctl.ct_max);
	ct_trace_tuples(ns, ct, false);
}

/* ----- the ops ----- */

/* nf_conntrack_in with its walk lines (--trace only). Out of line, as is
 * the confirm's work below: the ops' common path is then a tail call or a
 * return, with no registers saved and no frame. */
static __attribute__((noinline)) int ct_hook_in_traced(struct nf_ns *ns, struct nf_skb *skb,
							const struct nf_hook_state *st)
{
	struct nf_ct_stats before = ns->ct->stats;
	int v = nf_conntrack_in(ns, skb, st);

	nf_trace_ct_in(ns, st->hook, skb, v, &before);
	return v;
}

/* ipv4_conntrack_in / ipv4_conntrack_local: nf_conntrack_in. */
static unsigned ct_hook_in(void *priv, struct nf_skb *skb, const struct nf_hook_state *st)
{
	struct nf_ns *ns = st->net;

	(void)priv;
	if (!ns->env.trace)
		return nf_conntrack_in(ns, skb, st);
	return ct_hook_in_traced(ns, skb, st);
}

/* ipv4_confirm's work for an entry with a helper, a sequence adjustment or
 * not yet confirmed. */
static __attribute__((noinline)) unsigned ct_hook_confirm_entry(struct nf_skb *skb,
								 const struct nf_hook_state *st)
{
	struct nf_ns *ns = st->net;
	nf_time now = st->now;
	struct ct_entry *ct = skb->ct, *mine = ct;
	const char *h = nf_hook_name(st->hook);
	int v;

	if (ct && (ct->ext & CT_EXT_HELPER)) {
		/* nf_confirm: the helper reads every packet of its entries */
		v = nf_ct_helper_run(ns, skb, now);
		if (v != NF_ACCEPT)
			return v;
	}
	if (ct && (ct->status & IPS_SEQ_ADJUST) && skb->ctinfo != IP_CT_RELATED_REPLY &&
	    skb->len >= 20 && skb->ip[9] == 6 && (skb->ip[0] & 0x0f) * 4u <= skb->len &&
	    !nf_ct_seq_adjust(ns, skb, ct, skb->ctinfo, (skb->ip[0] & 0x0f) * 4u)) {
		/* nf_confirm: the payload's shift carried to seq, ack, SACK */
		ns->ct->stats.drop++;
		skb->drop_reason = NF_DROP_REASON_HOOK;
		return NF_DROP;
	}
	if (!ct || (ct->status & IPS_CONFIRMED))
		return NF_ACCEPT;
	v = ct_confirm(ns, skb, now);
	if (ns->env.trace) {
		ct = skb->ct;
		if (v == NF_ACCEPT && ct && ct != mine)
			nf_trace(ns, NF_TRACE_STEP "clash resolved: an identical entry was confirmed "
				 "first, the packet uses it (clash_resolve +1)", h, "conntrack");
		if (v == NF_ACCEPT && ct == mine && (ct->status & IPS_NAT_CLASH)) {
			nf_trace(ns, NF_TRACE_STEP "clash resolved: the entry confirmed first has "
				 "another NAT result; this one goes in by its REPLY tuple only, for 1 s "
				 "(clash_resolve +1), REPLY bucket %u", h, "conntrack",
				 ct_hash_bucket(ns, &ct->tuplehash[CT_DIR_REPLY].t));
			ct_trace_tuples(ns, ct, true);
		} else if (v == NF_ACCEPT && ct && (ct->status & IPS_CONFIRMED)) {
			nf_trace(ns, NF_TRACE_STEP "confirmed: in the table, ORIGINAL bucket %u, "
				 "REPLY bucket %u", h, "conntrack",
				 ct_hash_bucket(ns, &ct->tuplehash[CT_DIR_ORIGINAL].t),
				 ct_hash_bucket(ns, &ct->tuplehash[CT_DIR_REPLY].t));
			if (ct->status & IPS_NAT_MASK)
				ct_trace_tuples(ns, ct, true);
		} else if (v != NF_ACCEPT) {
			nf_trace(ns, NF_TRACE_STEP "confirm failed: tuple clash with an entry in the "
				 "table, DROP (insert_failed +1)", h, "conntrack");
		}
	}
	return v;
}

/* ipv4_confirm: nf_conntrack_confirm, last of INPUT and POSTROUTING. A
 * confirmed entry with no helper and no sequence adjustment (nearly every
 * packet) has nothing to do here. */
static unsigned ct_hook_confirm(void *priv, struct nf_skb *skb, const struct nf_hook_state *st)
{
	const struct ct_entry *ct = skb->ct;

	(void)priv;
	if (!ct || (!(ct->ext & CT_EXT_HELPER) && !(ct->status & IPS_SEQ_ADJUST) &&
		    (ct->status & IPS_CONFIRMED)))
		return NF_ACCEPT;
	return ct_hook_confirm_entry(skb, st);
}


static const struct nf_hook_ops ct_ipv4_ops[] = {
	{ NF_INET_PRE_ROUTING, NF_IP_PRI_CONNTRACK, ct_hook_in, NULL, "conntrack in" },
	{ NF_INET_LOCAL_OUT, NF_IP_PRI_CONNTRACK, ct_hook_in, NULL, "conntrack in" },
	{ NF_INET_POST_ROUTING, NF_IP_PRI_CONNTRACK_CONFIRM, ct_hook_confirm, NULL,
	  "conntrack confirm" },
	{ NF_INET_LOCAL_IN, NF_IP_PRI_CONNTRACK_CONFIRM, ct_hook_confirm, NULL,
	  "conntrack confirm" },
};

/* nf_ct_netns_get: one more user needs conntrack; the first registers the
 * ops. Returns 0, or -1 if a hook's list is full. */
int nf_ct_netns_get(struct nf_ns *ns)
{
	if (ns->ct_users++ == 0 &&
	    nf_register_net_hooks(ns, ct_ipv4_ops, G_N_ELEMENTS(ct_ipv4_ops)) != 0) {
		ns->ct_users--;
		return -1;
	}
	return 0;
}

/* nf_ct_netns_put: the last user gone, the ops are unregistered. */
void nf_ct_netns_put(struct nf_ns *ns)
{
	if (ns->ct_users && --ns->ct_users == 0)
		nf_unregister_net_hooks(ns, ct_ipv4_ops, G_N_ELEMENTS(ct_ipv4_ops));
}

/* The module is loaded (modprobe nf_conntrack, a nat table, a state match,
 * CT): today's policy is that loading it makes natsim track, so the module
 * itself holds a reference it never drops. Linux 6.x only tracks for users
 * (a later issue): drop the nf_ct_netns_get line then. */
void nf_ct_load(struct nf_ns *ns)
{
	if (ns->ct_loaded)
		return;
	ns->ct_loaded = true;
	nf_ct_netns_get(ns);
}

/* nf_conntrack_put: a packet lets go of its entry. An unconfirmed entry
 * dies with the packet that created it (nothing was announced), unless
 * parked packets still hold it; then it is marked dying and the last of them
 * frees it, as it frees an entry killed off the table while held. A
 * borrowed entry belongs to the packet it was attached from. */
void nf_skb_release(struct nf_ns *ns, struct nf_skb *skb)
{
	struct ct_entry *ct = skb->ct;

	if (ct && skb->ct_held) {
		ct->held--;
		if (!skb->ct_borrowed && !(ct->status & IPS_CONFIRMED))
			ct->status |= IPS_DYING;	/* its creator is gone */
		if (!ct->held && (ct->status & (IPS_CONFIRMED | IPS_DYING)) == IPS_DYING)
			ct_entry_kill(ns, ct, 0);
	} else if (ct && !skb->ct_borrowed && !(ct->status & IPS_CONFIRMED)) {
		if (ct->held)
			ct->status |= IPS_DYING;
		else
			ct_entry_kill(ns, ct, 0);
	}
	skb->ct = NULL;
	skb->ct_borrowed = 0;
	skb->ct_held = 0;
	skb->ct_helper = NULL;
	skb->ct_timeout = NULL;
	skb->ct_zone_flags = 0;
}

void nf_skb_hold(struct nf_ns *ns, struct nf_skb *skb)
{
	(void)ns;
	if (!skb->ct || skb->ct_held)
		return;
	skb->ct->held++;
	skb->ct_held = 1;
}

void nf_ct_attach(struct nf_skb *nskb, const struct nf_skb *skb)
{
	if (!skb->ct)
		return;
	nskb->ct = skb->ct;
	nskb->ctinfo = ct_info_dir(skb->ctinfo) == CT_DIR_ORIGINAL ? IP_CT_RELATED_REPLY
								    : IP_CT_RELATED;
	nskb->ct_borrowed = 1;
}

