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
#include "nf_ns.h"

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

static const char *const nf_hook_names[NF_INET_NUMHOOKS] = {
	"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING",
};

/* ----- packet-walk text (only built when tracing) ----- */

static void nf_fmt_addr(char *buf, size_t n, uint32_t a)
{
	snprintf(buf, n, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

static void nf_fmt_tuple(char *buf, size_t n, const struct ct_tuple *t)
{
	char s[16], d[16];

	nf_fmt_addr(s, sizeof(s), t->src);
	nf_fmt_addr(d, sizeof(d), t->dst);
	if (t->proto == 1)
		snprintf(buf, n, "src=%s dst=%s type=%u code=%u id=%u", s, d,
			 ct_tuple_icmp_type(t), ct_tuple_icmp_code(t), t->sport);
	else if (t->sport || t->dport)
		snprintf(buf, n, "src=%s dst=%s sport=%u dport=%u", s, d, t->sport, t->dport);
	else
		snprintf(buf, n, "src=%s dst=%s proto=%u", s, d, t->proto);
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

static void nf_trace_ct_in(struct nf_ns *ns, enum nf_hook hook, const struct nf_skb *skb,
			   int verdict)
{
	const struct ct_entry *ct = skb->ct;
	char o[96], r[96];

	if (verdict != NF_ACCEPT) {
		nf_trace(ns, "  %s conntrack: DROP", nf_hook_names[hook]);
		return;
	}
	if (!ct) {
		nf_trace(ns, "  %s conntrack: %s", nf_hook_names[hook],
			 skb->ctinfo == IP_CT_UNTRACKED ? "UNTRACKED" : "INVALID (no entry)");
		return;
	}
	nf_fmt_tuple(o, sizeof(o), &ct->tuplehash[CT_DIR_ORIGINAL].t);
	nf_fmt_tuple(r, sizeof(r), &ct->tuplehash[CT_DIR_REPLY].t);
	nf_trace(ns, "  %s conntrack: %s, %s ORIGINAL %s REPLY %s buckets %u/%u",
		 nf_hook_names[hook], nf_ctinfo_name(skb->ctinfo),
		 ct->status & IPS_CONFIRMED ? "found" : "created (unconfirmed)", o, r,
		 ct_hash_bucket(ns, &ct->tuplehash[CT_DIR_ORIGINAL].t),
		 ct_hash_bucket(ns, &ct->tuplehash[CT_DIR_REPLY].t));
}

/* "de-NAT from entry" line: what the packet's address becomes. */
static void nf_trace_from_entry(struct nf_ns *ns, enum nf_hook hook, const struct nf_skb *skb)
{
	const struct ct_entry *ct = skb->ct;
	enum ct_dir dir = ct_info_dir(skb->ctinfo);
	enum nat_manip manip = nat_hook_manip(hook);
	const struct ct_tuple *o = &ct->tuplehash[!dir].t;
	unsigned long bit = manip == NAT_MANIP_SRC ? IPS_SRC_NAT : IPS_DST_NAT;
	uint32_t addr = manip == NAT_MANIP_SRC ? o->dst : o->src;
	uint16_t port = manip == NAT_MANIP_SRC ? (o->proto == 1 ? o->sport : o->dport) : o->sport;
	char a[16];

	if (dir == CT_DIR_REPLY)
		bit ^= IPS_NAT_MASK;
	if (!(ct->status & bit))
		return;
	nf_fmt_addr(a, sizeof(a), addr);
	if (o->proto == 1 || o->sport || o->dport)
		nf_trace(ns, "  %s nat: %s: %s from entry, %s -> %s:%u, no nat rule traversed",
			 nf_hook_names[hook], nf_ctinfo_name(skb->ctinfo),
			 dir == CT_DIR_REPLY ? "de-NAT" : "NAT",
			 manip == NAT_MANIP_SRC ? "source" : "destination", a, port);
	else
		nf_trace(ns, "  %s nat: %s: %s from entry, %s -> %s, no nat rule traversed",
			 nf_hook_names[hook], nf_ctinfo_name(skb->ctinfo),
			 dir == CT_DIR_REPLY ? "de-NAT" : "NAT",
			 manip == NAT_MANIP_SRC ? "source" : "destination", a);
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
			if (v != NF_ACCEPT)
				nf_trace(ns, "  %s nat: ICMP error translation failed: DROP",
					 nf_hook_names[hook]);
			else if (ct->status & bit)
				nf_trace(ns, "  %s nat: %s ICMP error: outer and embedded headers "
					 "translated from entry", nf_hook_names[hook],
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
			nf_trace(ns, "  %s nat: MASQUERADE entry leaves by %s now: entry killed, DROP",
				 nf_hook_names[hook], out);
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
	int v;

	if (!ns->ct_loaded)
		return NF_ACCEPT;
	v = ct_in(ns, skb, hook, now);
	if (ns->env.trace)
		nf_trace_ct_in(ns, hook, skb, v);
	return v;
}

static int nf_stage_confirm(struct nf_ns *ns, enum nf_hook hook, struct nf_skb *skb, nf_time now)
{
	struct ct_entry *ct = skb->ct;
	int v;

	if (!ns->ct_loaded || !ct || (ct->status & IPS_CONFIRMED))
		return NF_ACCEPT;
	v = ct_confirm(ns, skb, now);
	if (ns->env.trace) {
		ct = skb->ct;
		if (v == NF_ACCEPT && ct && (ct->status & IPS_CONFIRMED))
			nf_trace(ns, "  %s conntrack: confirmed, buckets %u/%u", nf_hook_names[hook],
				 ct_hash_bucket(ns, &ct->tuplehash[CT_DIR_ORIGINAL].t),
				 ct_hash_bucket(ns, &ct->tuplehash[CT_DIR_REPLY].t));
		else if (v != NF_ACCEPT)
			nf_trace(ns, "  %s conntrack: confirm failed (tuple clash): DROP",
				 nf_hook_names[hook]);
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

void nf_skb_release(struct nf_ns *ns, struct nf_skb *skb)
{
	/* an unconfirmed entry dies with its packet; nothing was announced */
	if (skb->ct && !(skb->ct->status & IPS_CONFIRMED))
		ct_entry_kill(ns, skb->ct, 0);
	skb->ct = NULL;
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
	bool ct, nat;
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

int nf_cmd_modprobe(struct nf_ns *ns, const char *module, GString *err, bool dry_run)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(nf_modules); i++) {
		if (!nf_module_name_eq(module, nf_modules[i].name))
			continue;
		if (!dry_run) {
			if (nf_modules[i].ct)
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
