/* nf_hooks.c - the netfilter hooks: which functions run at each hook, in order.
 *
 * Mirrors the kernel's per-hook lists of nf_hook_ops sorted by priority
 * (include/uapi/linux/netfilter_ipv4.h):
 *   PREROUTING   raw (-300), conntrack (-200), mangle (-150), nat DNAT (-100)
 *   INPUT        mangle (-150), filter (0), nat SNAT (100), confirm (last)
 *   FORWARD      mangle (-150), filter (0)
 *   OUTPUT       raw (-300), conntrack (-200), mangle (-150), nat DNAT (-100), filter (0)
 *   POSTROUTING  mangle (-150), nat SNAT (100), confirm (last)
 * Design: one small function per stage and a fixed table of stages per hook,
 * so the packet walk prints the hook as the sequence it is. A table runs only
 * where it exists (iptables-nft creates a table on its first change), the
 * conntrack stages only once conntrack is loaded, the nat stage only once the
 * nat table is (nf_nat_ipv4_fn / nf_nat_inet_fn). The first verdict other
 * than ACCEPT ends the hook. Also here: the skb's release (an unconfirmed
 * entry dies with its packet), MASQUERADE's address/device events, modprobe.
 */
#include <stdio.h>
#include <string.h>
#include "nat/core/nf_inet.h"
#include "nat/core/nf_ns.h"

/* The kernel release natsim's routers pretend to run (modprobe's messages). */
#define NF_KERNEL_RELEASE "6.1.0"

enum nf_stage {
	NF_ST_END,
	NF_ST_RAW,
	NF_ST_CT_IN,
	NF_ST_MANGLE,
	NF_ST_NAT,
	NF_ST_FILTER,
	NF_ST_CONFIRM,
};

static const uint8_t nf_hook_stages[NF_INET_NUMHOOKS][7] = {
	[NF_INET_PRE_ROUTING] = { NF_ST_RAW, NF_ST_CT_IN, NF_ST_MANGLE, NF_ST_NAT, NF_ST_END },
	[NF_INET_LOCAL_IN] = { NF_ST_MANGLE, NF_ST_FILTER, NF_ST_NAT, NF_ST_CONFIRM, NF_ST_END },
	[NF_INET_FORWARD] = { NF_ST_MANGLE, NF_ST_FILTER, NF_ST_END },
	[NF_INET_LOCAL_OUT] = { NF_ST_RAW, NF_ST_CT_IN, NF_ST_MANGLE, NF_ST_NAT, NF_ST_FILTER,
				NF_ST_END },
	[NF_INET_POST_ROUTING] = { NF_ST_MANGLE, NF_ST_NAT, NF_ST_CONFIRM, NF_ST_END },
};

/* ----- packet-walk text (only built when tracing) ----- */

/* A tuple in the walk's compact form: "tcp 192.168.1.2:40000 -> 1.2.3.4:80",
 * "icmp 10.0.0.1 -> 10.0.0.2 type 8 code 0 id 7", "proto 47 a -> b". */
static void nf_fmt_tuple(char *buf, size_t n, const struct ct_tuple *t)
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

/* The two tuple lines of an entry, each with its hash bucket, aligned. */
static void nf_trace_tuples(struct nf_ns *ns, const struct ct_entry *ct, bool reply_only)
{
	char o[96];
	enum ct_dir d;

	for (d = reply_only ? CT_DIR_REPLY : CT_DIR_ORIGINAL; d < CT_DIR_MAX; d++) {
		nf_fmt_tuple(o, sizeof(o), &ct->tuplehash[d].t);
		nf_trace(ns, NF_TRACE_MORE "%-8s %-50s bucket %u",
			 d == CT_DIR_ORIGINAL ? "ORIGINAL" : "REPLY", o,
			 ct_hash_bucket(ns, &ct->tuplehash[d].t));
	}
}

static const char *nf_ctinfo_name(uint8_t ctinfo)
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
			 ns->stats.insert_failed != before->insert_failed ? "tuple clash"
			 : ns->stats.invalid != before->invalid ? "tracker says drop"
			 : "table full (nf_conntrack_max reached)");
		return;
	}
	if (!ct) {
		if (skb->ctinfo == IP_CT_UNTRACKED)
			nf_trace(ns, NF_TRACE_STEP "UNTRACKED (raw NOTRACK): no entry", h, "conntrack");
		else if (ns->stats.error != before->error)
			nf_trace(ns, NF_TRACE_STEP "INVALID: ICMP error quoting no known entry "
				 "(error +1)", h, "conntrack");
		else
			nf_trace(ns, NF_TRACE_STEP "INVALID: not trackable or out of state, no entry "
				 "(invalid +1)", h, "conntrack");
		return;
	}
	if (skb->ct_borrowed)
		nf_trace(ns, NF_TRACE_STEP "%s: carries the entry of the packet it answers "
			 "(nf_ct_attach), no lookup", h, "conntrack", nf_ctinfo_name(skb->ctinfo));
	else if (ct->status & IPS_CONFIRMED)
		nf_trace(ns, NF_TRACE_STEP "%s: entry found%s", h, "conntrack",
			 nf_ctinfo_name(skb->ctinfo),
			 (skb->ctinfo == IP_CT_RELATED || skb->ctinfo == IP_CT_RELATED_REPLY)
				 ? " (the ICMP error quotes it)" : "");
	else
		nf_trace(ns, NF_TRACE_STEP "%s: entry created (unconfirmed), table %u/%u", h,
			 "conntrack", nf_ctinfo_name(skb->ctinfo), ns->ct_count, ns->sysctl.ct_max);
	nf_trace_tuples(ns, ct, false);
}

/* The manip address (and port) of a tuple: source for SNAT, destination
 * for DNAT, as "a.b.c.d:port" ("a.b.c.d id N" for ICMP). */
static void nf_fmt_manip(char *buf, size_t n, const struct ct_tuple *t, bool src)
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
static void nf_trace_from_entry(struct nf_ns *ns, enum nf_hook hook, const struct nf_skb *skb)
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
	nf_fmt_manip(before, sizeof(before), mine, src);
	if (!ct_invert_tuple(other, &inv))
		inv = *other;
	nf_fmt_manip(after, sizeof(after), &inv, src);
	nf_trace(ns, NF_TRACE_STEP "%s: %s from entry, %s %s -> %s, no nat rule traversed",
		 nf_hook_name(hook), "nat", nf_ctinfo_name(skb->ctinfo),
		 dir == CT_DIR_REPLY ? "de-NAT" : "NAT", src ? "src" : "dst", before, after);
}

/* ----- the stages ----- */

/* A table's chain for this hook, if the table exists (iptables-nft makes a
 * table on its first change): ipt_do_table counts and applies the policy of
 * an empty chain itself, cheaply. */
static int nf_stage_table(struct nf_ns *ns, enum ipt_table_id t, enum nf_hook hook,
			  struct nf_skb *skb, const char *in, const char *out, nf_time now)
{
	if (!ns->tables[t].touched || !ns->tables[t].hook_chain[hook])
		return NF_ACCEPT;
	return ipt_do_table(ns, t, hook, skb, in, out, now);
}

/* nf_nat_oif_changed: a MASQUERADE entry whose packets now leave by another
 * interface is killed and the packet dropped. */
static bool nf_nat_oif_changed(struct nf_ns *ns, enum nf_hook hook, const struct nf_skb *skb,
			       const char *out)
{
	const struct ct_entry *ct = skb->ct;

	return hook == NF_INET_POST_ROUTING && out && ct->masq_if >= 0 &&
	       (unsigned)ct->masq_if < ns->masq_nifnames &&
	       ct_info_dir(skb->ctinfo) == CT_DIR_ORIGINAL &&
	       strncmp(ns->masq_ifnames[ct->masq_if], out, sizeof(ns->masq_ifnames[0])) != 0;
}

/* nf_nat_ipv4_fn + nf_nat_inet_fn. */
static int nf_stage_nat(struct nf_ns *ns, enum nf_hook hook, struct nf_skb *skb,
			const char *in, const char *out, nf_time now)
{
	struct ct_entry *ct = skb->ct;
	enum nat_manip manip = nat_hook_manip(hook);
	int v;

	if (!ns->nat_loaded || !ct)
		return NF_ACCEPT;

	if ((skb->ctinfo == IP_CT_RELATED || skb->ctinfo == IP_CT_RELATED_REPLY) &&
	    skb->len >= 20 && skb->ip[9] == 1) {
		v = nat_packet(ns, skb, hook);	/* nf_nat_icmp_reply_translation */
		if (ns->env.trace) {
			enum ct_dir dir = ct_info_dir(skb->ctinfo);
			unsigned long bit = manip == NAT_MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT;

			if (dir == CT_DIR_REPLY)
				bit ^= IPS_NAT_MASK;
			if (v != NF_ACCEPT && skb->ip[(skb->ip[0] & 0x0f) * 4] == 5)
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
					 nf_ctinfo_name(skb->ctinfo));
		}
		return v;
	}

	switch (skb->ctinfo) {
	case IP_CT_RELATED:
	case IP_CT_RELATED_REPLY:
	case IP_CT_NEW:
		if (!nat_initialized(ct, manip)) {
			v = nf_stage_table(ns, IPT_NAT, hook, skb, in, out, now);
			if (v != NF_ACCEPT)
				return v;
			ct = skb->ct;	/* still ours: a target never frees it */
			if (!nat_initialized(ct, manip)) {
				v = nat_setup_null_binding(ns, ct, manip, now);
				if (v != NF_ACCEPT)
					return v;
			}
			return nat_packet(ns, skb, hook);
		}
		break;
	default:
		break;
	}
	if (nf_nat_oif_changed(ns, hook, skb, out)) {
		if (ns->env.trace)
			nf_trace(ns, NF_TRACE_STEP "MASQUERADE entry leaves by %s now: entry "
				 "killed, DROP", nf_hook_name(hook), "nat", out);
		ct_entry_kill(ns, ct, now);
		skb->ct = NULL;
		return NF_DROP;
	}
	if (ns->env.trace)
		nf_trace_from_entry(ns, hook, skb);
	return nat_packet(ns, skb, hook);
}

static int nf_stage_ct_in(struct nf_ns *ns, enum nf_hook hook, struct nf_skb *skb, nf_time now)
{
	struct nf_ct_stats before;
	int v;

	if (!ns->ct_loaded)
		return NF_ACCEPT;
	if (!ns->env.trace)
		return ct_in(ns, skb, hook, now);
	before = ns->stats;
	v = ct_in(ns, skb, hook, now);
	nf_trace_ct_in(ns, hook, skb, v, &before);
	return v;
}

static int nf_stage_confirm(struct nf_ns *ns, enum nf_hook hook, struct nf_skb *skb, nf_time now)
{
	struct ct_entry *ct = skb->ct, *mine = ct;
	const char *h = nf_hook_name(hook);
	int v;

	if (!ns->ct_loaded || !ct || (ct->status & IPS_CONFIRMED))
		return NF_ACCEPT;
	v = ct_confirm(ns, skb, now);
	if (ns->env.trace) {
		ct = skb->ct;
		if (v == NF_ACCEPT && ct && ct != mine)
			nf_trace(ns, NF_TRACE_STEP "clash resolved: an identical entry was confirmed "
				 "first, the packet uses it (clash_resolve +1)", h, "conntrack");
		if (v == NF_ACCEPT && ct && (ct->status & IPS_CONFIRMED)) {
			nf_trace(ns, NF_TRACE_STEP "confirmed: in the table, ORIGINAL bucket %u, "
				 "REPLY bucket %u", h, "conntrack",
				 ct_hash_bucket(ns, &ct->tuplehash[CT_DIR_ORIGINAL].t),
				 ct_hash_bucket(ns, &ct->tuplehash[CT_DIR_REPLY].t));
			if (ct->status & IPS_NAT_MASK)
				nf_trace_tuples(ns, ct, true);
		} else if (v != NF_ACCEPT) {
			nf_trace(ns, NF_TRACE_STEP "confirm failed: tuple clash with an entry in the "
				 "table, DROP (insert_failed +1)", h, "conntrack");
		}
	}
	return v;
}

int nf_hook(struct nf_ns *ns, enum nf_hook hook, struct nf_skb *skb,
	    const char *in, const char *out, nf_time now)
{
	const uint8_t *st;
	int v = NF_ACCEPT;

	if ((unsigned)hook >= NF_INET_NUMHOOKS)
		return NF_ACCEPT;
	ns->cur_hook = hook;
	for (st = nf_hook_stages[hook]; *st != NF_ST_END; st++) {
		switch (*st) {
		case NF_ST_RAW:
			v = nf_stage_table(ns, IPT_RAW, hook, skb, in, out, now);
			break;
		case NF_ST_CT_IN:
			v = nf_stage_ct_in(ns, hook, skb, now);
			break;
		case NF_ST_MANGLE:
			v = nf_stage_table(ns, IPT_MANGLE, hook, skb, in, out, now);
			break;
		case NF_ST_NAT:
			v = nf_stage_nat(ns, hook, skb, in, out, now);
			break;
		case NF_ST_FILTER:
			v = nf_stage_table(ns, IPT_FILTER, hook, skb, in, out, now);
			break;
		case NF_ST_CONFIRM:
			v = nf_stage_confirm(ns, hook, skb, now);
			break;
		}
		if (v != NF_ACCEPT)
			return v;
	}
	return NF_ACCEPT;
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

/* ----- MASQUERADE's notifiers ----- */

struct nf_masq_gone {
	int ifindex;
	uint32_t addr;
	nf_time now;
};

/* device_cmp / inet_cmp: the entry masqueraded through this interface (and,
 * for an address event, to that address: the REPLY tuple's destination). */
static void nf_masq_flush_one(struct nf_ns *ns, struct ct_entry *ct, void *arg)
{
	const struct nf_masq_gone *g = arg;

	if (ct->masq_if != g->ifindex)
		return;
	if (g->addr && ct->tuplehash[CT_DIR_REPLY].t.dst != g->addr)
		return;
	ct_entry_kill(ns, ct, g->now);
}

void nf_iface_addr_gone(struct nf_ns *ns, const char *ifname, uint32_t addr, nf_time now)
{
	struct nf_masq_gone g = { .addr = addr, .now = now };

	if (!ns->ct_loaded || !ifname)
		return;
	g.ifindex = nat_masquerade_ifindex(ns, ifname);
	if (g.ifindex < 0)
		return;		/* no MASQUERADE entry ever used it */
	ct_table_foreach(ns, nf_masq_flush_one, &g);
}

/* ----- modprobe ----- */

/* Modules natsim knows, with what loading them turns on. */
struct nf_module {
	const char *name;
	bool ct, nat;	/* ct: loads nf_conntrack, which registers its hooks only
			 * with enable_hooks=1 (a rule needing them does too:
			 * nf_ct_netns_get; loading alone tracks nothing, 4.10+) */
};

static const struct nf_module nf_modules[] = {
	{ "nf_conntrack", true, false },
	{ "nf_conntrack_ipv4", true, false },
	{ "nf_defrag_ipv4", false, false },
	{ "nf_nat", true, false },
	{ "nf_nat_ipv4", true, false },
	{ "iptable_nat", true, true },
	{ "iptable_filter", false, false },
	{ "iptable_mangle", false, false },
	{ "iptable_raw", false, false },
	{ "ip_tables", false, false },
	{ "x_tables", false, false },
	{ "xt_state", true, false },
	{ "xt_conntrack", true, false },
	{ "xt_nat", true, false },
	{ "xt_MASQUERADE", true, false },
	{ "ipt_MASQUERADE", true, false },
	{ "nf_nat_masquerade_ipv4", true, false },
	{ "xt_REDIRECT", true, false },
	{ "nf_nat_redirect", true, false },
	{ "xt_tcpudp", false, false },
	{ "xt_multiport", false, false },
	{ "xt_comment", false, false },
	{ "xt_mark", false, false },
	{ "xt_MARK", false, false },
	{ "xt_CT", true, false },
	{ "xt_LOG", false, false },
	{ "nf_log_syslog", false, false },
	{ "ipt_REJECT", false, false },
	{ "nf_reject_ipv4", false, false },
	{ "nf_tables", false, false },
	{ "nft_compat", false, false },
	{ "nfnetlink", false, false },
	{ "nf_conntrack_netlink", true, false },
	{ "nft_chain_nat", true, false },
};

/* modprobe treats '-' and '_' alike in module names. */
static bool nf_module_name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char ca = *a == '-' ? '_' : *a, cb = *b == '-' ? '_' : *b;

		if (ca != cb)
			return false;
	}
	return *a == *b;
}

int nf_cmd_modprobe(struct nf_ns *ns, const char *module, bool enable_hooks, GString *err,
		    bool dry_run)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(nf_modules); i++) {
		if (!nf_module_name_eq(module, nf_modules[i].name))
			continue;
		if (!dry_run) {
			if (nf_modules[i].ct && enable_hooks)
				ns->ct_loaded = true;
			if (nf_modules[i].nat)
				ns->nat_loaded = true;
		}
		return 0;
	}
	/* kmod's text; Linux exits with status 1, natsim reports bad input */
	g_string_append_printf(err, "modprobe: FATAL: Module %s not found in directory "
			       "/lib/modules/" NF_KERNEL_RELEASE "\n", module);
	return 2;
}
