/* ipt_table.c - iptables tables and chains, and the packet traversal.
 *
 * Mirrors net/ipv4/netfilter/ip_tables.c: ipt_do_table walks the built-in
 * chain of a hook with a jump stack (user chains, RETURN, goto), counting
 * packets and bytes per rule, and falls back to the chain policy. The
 * kernel-side checks of a table (xt_check_match / xt_check_target: table and
 * hook masks, loops) live here too: commands apply a change, run
 * ipt_table_check() and undo the change when the kernel would refuse it.
 *
 * Design: rules are parsed once (ipt_parse.c); the traversal reads the IPv4
 * header once, compares the rule's ipt_ip part inline and calls the match
 * functions of the instances a rule has (none for a rule without -m), then
 * acts on a standard verdict itself or calls the target's ops (xt.h). No
 * allocation on the packet path.
 */
#include <errno.h>
#include <string.h>

#include "nat/core/nf_hook_ops.h"
#include "nat/core/nf_inet.h"
#include "nat/core/nf_ns.h"
#include "nat/iptables/ipt.h"
#include "nat/iptables/ipt_trace.h"
#include "nat/iptables/xt.h"
#include "nat/nf_nat/nat.h"

static const char *const ipt_table_names[IPT_NTABLES] = { "filter", "nat", "mangle", "raw",
								     "security" };

static const char *const ipt_hook_names[NF_INET_NUMHOOKS] = {
	"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING",
};

/* Built-in chains of each table, in the kernel's hook order. */
static const unsigned ipt_table_hooks[IPT_NTABLES] = {
	[IPT_FILTER] = 1u << NF_INET_LOCAL_IN | 1u << NF_INET_FORWARD | 1u << NF_INET_LOCAL_OUT,
	[IPT_NAT] = 1u << NF_INET_PRE_ROUTING | 1u << NF_INET_LOCAL_IN | 1u << NF_INET_LOCAL_OUT |
		    1u << NF_INET_POST_ROUTING,
	[IPT_MANGLE] = 0x1f,
	[IPT_RAW] = 1u << NF_INET_PRE_ROUTING | 1u << NF_INET_LOCAL_OUT,
	/* iptable_security: the LSM's table (SECMARK, CONNSECMARK), after filter */
	[IPT_SECURITY] = 1u << NF_INET_LOCAL_IN | 1u << NF_INET_FORWARD | 1u << NF_INET_LOCAL_OUT,
};

const char *ipt_table_name(enum ipt_table_id t)
{
	return t < IPT_NTABLES ? ipt_table_names[t] : "?";
}

int ipt_table_by_name(const char *name)
{
	for (int i = 0; i < IPT_NTABLES; i++)
		if (strcmp(name, ipt_table_names[i]) == 0)
			return i;
	return -1;
}

static struct ipt_chain *ipt_chain_new(const char *name, bool builtin, int hook)
{
	struct ipt_chain *c = g_new0(struct ipt_chain, 1);
	c->name = g_strdup(name);
	c->builtin = builtin;
	c->policy = NF_ACCEPT;
	c->rules = g_ptr_array_new();
	c->hook = hook;
	return c;
}

void ipt_table_init(struct ipt_table *t, enum ipt_table_id id)
{
	t->id = id;
	t->chains = g_ptr_array_new();
	memset(t->hook_chain, 0, sizeof(t->hook_chain));
	for (int h = 0; h < NF_INET_NUMHOOKS; h++) {
		if (!(ipt_table_hooks[id] & (1u << h)))
			continue;
		struct ipt_chain *c = ipt_chain_new(ipt_hook_names[h], true, h);
		g_ptr_array_add(t->chains, c);
		t->hook_chain[h] = c;
	}
}

void ipt_tables_init(struct nf_ns *ns)
{
	ns->ipt = g_new0(struct ipt_net, 1);
	for (int i = 0; i < IPT_NTABLES; i++) {
		ipt_table_init(&ns->ipt->tables[i], i);
		ns->ipt->tables[i].touched = false;
		ns->ipt->tables[i].table_hgen = &ns->ipt->table_hgen;
	}
}

/* An instance's data: zeroed, then the extension's defaults. */
static void *ipt_entry_data_new(const struct xt_ops *ops)
{
	if (!ops->size)
		return NULL;
	void *data = g_malloc0(ops->size);
	if (ops->init)
		ops->init(data);
	return data;
}

static void ipt_entry_clear(struct xt_entry *e)
{
	if (e->ops && e->ops->destroy)
		e->ops->destroy(e->data);
	g_free(e->data);
	e->ops = NULL;
	e->data = NULL;
}

static void ipt_entry_copy(struct xt_entry *dst, const struct xt_entry *src)
{
	dst->ops = src->ops;
	dst->data = src->data ? g_memdup2(src->data, src->ops->size) : NULL;
	if (src->data && src->ops->copy)
		src->ops->copy(dst->data, src->data);
}

struct xt_entry *ipt_rule_add_match(struct ipt_rule *r, const struct xt_ops *ops)
{
	if (r->nmatches >= IPT_MAX_MATCHES)
		return NULL;
	r->m = g_renew(struct xt_entry, r->m, r->nmatches + 1u);
	struct xt_entry *e = &r->m[r->nmatches++];
	e->ops = ops;
	e->data = ipt_entry_data_new(ops);
	return e;
}

void ipt_rule_set_target(struct ipt_rule *r, const struct xt_ops *ops)
{
	ipt_entry_clear(&r->t);
	r->t.ops = ops;
	r->t.data = ipt_entry_data_new(ops);
	r->target = ops->verdict;
}

void ipt_rule_free(struct ipt_rule *r)
{
	if (!r)
		return;
	for (unsigned i = 0; i < r->nmatches; i++)
		ipt_entry_clear(&r->m[i]);
	g_free(r->m);
	ipt_entry_clear(&r->t);
	g_free(r);
}

static void ipt_chain_free(struct ipt_chain *c)
{
	for (unsigned i = 0; i < c->rules->len; i++)
		ipt_rule_free(c->rules->pdata[i]);
	g_ptr_array_free(c->rules, TRUE);
	g_free(c->name);
	g_free(c);
}

void ipt_table_clear(struct ipt_table *t)
{
	if (!t->chains)
		return;
	for (unsigned i = 0; i < t->chains->len; i++)
		ipt_chain_free(t->chains->pdata[i]);
	g_ptr_array_free(t->chains, TRUE);
	t->chains = NULL;
}

void ipt_tables_free(struct nf_ns *ns)
{
	ipt_legacy_free(ns);
	xt_recent_net_exit(ns);
	xt_nfacct_net_exit(ns);
	xt_hashlimit_net_exit(ns);
	for (int i = 0; i < IPT_NTABLES; i++)
		ipt_table_clear(&ns->ipt->tables[i]);
	g_free(ns->ipt);
	ns->ipt = NULL;
}

struct ipt_chain *ipt_chain_find(struct ipt_table *t, const char *name)
{
	for (unsigned i = 0; i < t->chains->len; i++) {
		struct ipt_chain *c = t->chains->pdata[i];
		if (strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

struct ipt_chain *ipt_chain_add(struct ipt_table *t, const char *name)
{
	struct ipt_chain *c = ipt_chain_new(name, false, -1);
	unsigned pos = 0;
	while (pos < t->chains->len) {
		struct ipt_chain *o = t->chains->pdata[pos];
		if (!o->builtin && strcmp(o->name, name) > 0)
			break;
		pos++;
	}
	g_ptr_array_insert(t->chains, pos, c);
	return c;
}

void ipt_chain_flush(struct ipt_chain *c)
{
	while (c->rules->len)
		ipt_rule_free(ipt_rule_remove(c, c->rules->len - 1));
}

void ipt_chain_del(struct ipt_table *t, struct ipt_chain *c)
{
	ipt_chain_flush(c);
	g_ptr_array_remove(t->chains, c);
	ipt_chain_free(c);
}

void ipt_chain_nft_make(struct ipt_table *t, struct ipt_chain *c)
{
	/* the table itself first, on its first chain (nf_tables_newtable) */
	if (!t->nft_handle && t->table_hgen)
		t->nft_handle = ++*t->table_hgen;
	if (!c->handle)
		c->handle = ++t->hgen;
}

void ipt_table_nft_reset(struct ipt_table *t)
{
	t->hgen = 0;
	t->nft_handle = 0;
	for (unsigned i = 0; i < t->chains->len; i++)
		((struct ipt_chain *)t->chains->pdata[i])->handle = 0;
}

void ipt_table_nft_delete(struct ipt_table *t)
{
	uint64_t *gen = t->table_hgen;
	enum ipt_table_id id = t->id;
	ipt_table_clear(t);
	ipt_table_init(t, id);
	t->touched = false;
	t->hgen = 0;
	t->nft_handle = 0;
	t->table_hgen = gen;
}

void ipt_rule_insert(struct ipt_chain *c, unsigned pos, struct ipt_rule *r)
{
	if (r->jump)
		r->jump->refs++;
	g_ptr_array_insert(c->rules, pos, r);
}

struct ipt_rule *ipt_rule_remove(struct ipt_chain *c, unsigned pos)
{
	struct ipt_rule *r = g_ptr_array_remove_index(c->rules, pos);
	if (r->jump)
		r->jump->refs--;
	return r;
}

struct ipt_rule *ipt_rule_dup(const struct ipt_rule *r)
{
	struct ipt_rule *n = g_memdup2(r, sizeof(*r));
	n->m = r->nmatches ? g_new(struct xt_entry, r->nmatches) : NULL;
	for (unsigned i = 0; i < r->nmatches; i++)
		ipt_entry_copy(&n->m[i], &r->m[i]);
	ipt_entry_copy(&n->t, &r->t);
	n->jump = NULL;
	return n;
}

void ipt_table_copy(struct ipt_table *dst, const struct ipt_table *src)
{
	dst->id = src->id;
	dst->touched = src->touched;
	dst->hgen = src->hgen;
	dst->nft_handle = src->nft_handle;
	dst->table_hgen = src->table_hgen;
	dst->chains = g_ptr_array_new();
	memset(dst->hook_chain, 0, sizeof(dst->hook_chain));
	for (unsigned i = 0; i < src->chains->len; i++) {
		const struct ipt_chain *s = src->chains->pdata[i];
		struct ipt_chain *c = ipt_chain_new(s->name, s->builtin, s->hook);
		c->policy = s->policy;
		c->packets = s->packets;
		c->bytes = s->bytes;
		c->handle = s->handle;
		c->stats = s->stats;
		g_ptr_array_add(dst->chains, c);
		if (s->builtin)
			dst->hook_chain[s->hook] = c;
	}
	for (unsigned i = 0; i < src->chains->len; i++) {
		const struct ipt_chain *s = src->chains->pdata[i];
		struct ipt_chain *c = dst->chains->pdata[i];
		for (unsigned j = 0; j < s->rules->len; j++) {
			const struct ipt_rule *sr = s->rules->pdata[j];
			struct ipt_rule *r = ipt_rule_dup(sr);
			if (sr->jump)
				r->jump = ipt_chain_find(dst, sr->jump->name);
			ipt_rule_insert(c, c->rules->len, r);
		}
	}
}

/* ----- kernel-side checks (translate_table, mark_source_chains,
 * xt_check_match, xt_check_target) ----- */

/* Propagate the hooks reaching chain c into the chains it jumps to; a jump
 * back into a chain on the current path is a loop (-ELOOP in the kernel,
 * reported by nf_tables as EMLINK "Too many links"). */
static bool ipt_mark_chains(struct ipt_chain *c, unsigned mask)
{
	if (c->mark == 1)
		return false;
	if ((c->hookmask | mask) == c->hookmask && c->mark == 2)
		return true;
	c->hookmask |= mask;
	c->mark = 1;
	for (unsigned i = 0; i < c->rules->len; i++) {
		struct ipt_rule *r = c->rules->pdata[i];
		if (r->jump && !ipt_mark_chains(r->jump, c->hookmask)) {
			c->mark = 0;
			return false;
		}
	}
	c->mark = 2;
	return true;
}

static void ipt_textify_hooks(unsigned mask, GString *out)
{
	bool first = true;
	for (int h = 0; h < NF_INET_NUMHOOKS; h++) {
		if (!(mask & (1u << h)))
			continue;
		g_string_append_printf(out, "%s%s", first ? "" : "/", ipt_hook_names[h]);
		first = false;
	}
}

/* xt_check_match / xt_check_target, then the extension's checkentry:
 * the protocol a match needs, the table and hooks a target may be used
 * from, with the kernel's log lines. */
static int ipt_rule_check(struct nf_ns *ns, const struct ipt_table *t,
			  const struct ipt_chain *c, const struct ipt_rule *r, GString *klog)
{
	const struct xt_check_param par = { .ns = ns, .rule = r, .table = t->id, .hookmask = c->hookmask,
					    .nft_hookmask = c->builtin ? 1u << c->hook : 0 };
	for (unsigned i = 0; i < r->nmatches; i++) {
		const struct xt_entry *e = &r->m[i];
		/* xt_check_match: the hooks before the protocol */
		if (e->ops->hooks && (c->hookmask & ~e->ops->hooks)) {
			g_string_printf(klog, "x_tables: ip_tables: %s match: used from hooks ",
					e->ops->name);
			ipt_textify_hooks(c->hookmask, klog);
			g_string_append(klog, ", but only valid from ");
			ipt_textify_hooks(e->ops->hooks, klog);
			return EINVAL;
		}
		if (e->ops->proto && r->proto != e->ops->proto) {
			g_string_printf(klog, "x_tables: ip_tables: %s match: only valid for protocol %u",
					e->ops->name, e->ops->proto);
			return EINVAL;
		}
		if (e->ops->checkentry) {
			int rc = e->ops->checkentry(&par, e->data, klog);
			if (rc)
				return rc;
		}
	}
	const struct xt_ops *ops = r->t.ops;
	if (!ops)
		return 0;
	if (ops->table && strcmp(ops->table, ipt_table_names[t->id]) != 0) {
		g_string_printf(klog, "x_tables: ip_tables: %s target: only valid in %s table, not %s",
				ops->name, ops->table, ipt_table_names[t->id]);
		return EINVAL;
	}
	if (ops->hooks && (c->hookmask & ~ops->hooks)) {
		g_string_printf(klog, "x_tables: ip_tables: %s target: used from hooks ", ops->name);
		ipt_textify_hooks(c->hookmask, klog);
		g_string_append(klog, ", but only usable from ");
		ipt_textify_hooks(ops->hooks, klog);
		return EINVAL;
	}
	if (ops->checkentry)
		return ops->checkentry(&par, r->t.data, klog);
	return 0;
}

int ipt_table_check(struct nf_ns *ns, struct ipt_table *t, GString *klog)
{
	for (unsigned i = 0; i < t->chains->len; i++) {
		struct ipt_chain *c = t->chains->pdata[i];
		c->hookmask = 0;
		c->mark = 0;
	}
	for (unsigned i = 0; i < t->chains->len; i++) {
		struct ipt_chain *c = t->chains->pdata[i];
		if (c->builtin && !ipt_mark_chains(c, 1u << c->hook)) {
			g_string_truncate(klog, 0);
			return EMLINK;
		}
	}
	for (unsigned i = 0; i < t->chains->len; i++) {
		struct ipt_chain *c = t->chains->pdata[i];
		for (unsigned j = 0; j < c->rules->len; j++) {
			int rc = ipt_rule_check(ns, t, c, c->rules->pdata[j], klog);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* ----- the packet path ----- */

bool ipt_hook_has_rules(struct nf_ns *ns, enum ipt_table_id table, enum nf_hook hook)
{
	const struct ipt_chain *c = ns->ipt->tables[table].hook_chain[hook];
	return c && c->rules->len > 0;
}

static bool ipt_iface_match(const char *dev, const char *pat, uint8_t n, bool inv)
{
	if (!pat[0])
		return true;
	bool m = strncmp(dev ? dev : "", pat, n) == 0;
	return m != inv;
}

/* ip_packet_match */
static bool ipt_ip_match(const struct ipt_rule *r, const struct xt_pkt *p,
			 const char *in, const char *out)
{
	if (((p->src & r->smsk.ip) != r->src.ip) != r->src_inv)
		return false;
	if (((p->dst & r->dmsk.ip) != r->dst.ip) != r->dst_inv)
		return false;
	if (!ipt_iface_match(in, r->in, r->in_cmp, r->in_inv) ||
	    !ipt_iface_match(out, r->out, r->out_cmp, r->out_inv))
		return false;
	if (r->proto && (p->proto != r->proto) != r->proto_inv)
		return false;
	return true;
}

/* The rule's matches, in order: every instance must match (ipt_do_table's
 * xt_ematch_foreach). A rule without matches costs nothing here. */
static bool ipt_matches(const struct ipt_rule *r, struct xt_action_param *par)
{
	for (unsigned i = 0; i < r->nmatches; i++)
		if (!r->m[i].ops->match(par, r->m[i].data))
			return false;
	return true;
}

static const char *ipt_verdict_text(const struct ipt_rule *r)
{
	switch (r->target) {
	case IPT_T_NONE: return "continue";
	case IPT_T_JUMP: return "jump";
	case IPT_T_GOTO: return "goto";
	default: return r->t.ops->trace ? r->t.ops->trace : r->t.ops->name;
	}
}

/* The walk's line for a matching rule: its number in its chain, its
 * `iptables -S` text and what it does, e.g.
 * "  FORWARD     filter     rule 2: -A FORWARD -i eth0 -j ACCEPT => ACCEPT". */
static void ipt_trace_rule(struct nf_ns *ns, enum ipt_table_id table, enum nf_hook hook,
			   const struct ipt_chain *c, unsigned num, const struct ipt_rule *r)
{
	GString *s = g_string_new(NULL);
	ipt_rule_format_full(c, r, s);
	if (r->jump)
		nf_trace(ns, NF_TRACE_STEP "rule %u: %s => %s %s", nf_hook_name(hook),
			 ipt_table_names[table], num, s->str, ipt_verdict_text(r), r->jump->name);
	else
		nf_trace(ns, NF_TRACE_STEP "rule %u: %s => %s", nf_hook_name(hook),
			 ipt_table_names[table], num, s->str, ipt_verdict_text(r));
	g_string_free(s, TRUE);
}

/* The walk's line for a built-in chain's policy. */
static void ipt_trace_policy(struct nf_ns *ns, enum ipt_table_id table, enum nf_hook hook,
			     const struct ipt_chain *base)
{
	nf_trace(ns, NF_TRACE_STEP "policy %s (chain %s, %s)", nf_hook_name(hook),
		 ipt_table_names[table], base->policy == NF_DROP ? "DROP" : "ACCEPT", base->name,
		 base->rules->len ? "no rule decided" : "no rules");
}

#define IPT_STACK_MAX 64

int ipt_do_table(struct nf_ns *ns, enum ipt_table_id table, enum nf_hook hook,
		 struct nf_skb *skb, const char *in, const char *out, nf_time now)
{
	struct nf_hook_state st;

	nf_hook_state_init(&st, ns, hook, skb, in, out, now);
	return ipt_do_table_state(ns, table, skb, &st);
}

/* ipt_do_table: ip_packet_match's view (xt_pkt) from the record nf_hook()
 * parsed; the addresses from the bytes, as an earlier op may have NATed
 * them. */
/* Whether the policy of base counts the packet: always in iptables-legacy
 * (ipt_do_table: the chain's stats are set for every built-in chain); in
 * nf_tables once the base chain has stats (nft_update_chain_stats). */
static bool ipt_policy_counts(const struct nf_ns *ns, enum ipt_table_id table,
			      const struct ipt_chain *base)
{
	(void)ns;
	(void)table;
	return base->stats;
}

int ipt_do_table_state(struct nf_ns *ns, enum ipt_table_id table, struct nf_skb *skb,
		       const struct nf_hook_state *st)
{
	const struct nf_pktinfo *pkt = &st->pkt;
	enum nf_hook hook = st->hook;
	const char *in = st->in, *out = st->out;
	nf_time now = st->now;
	struct ipt_chain *base = ns->ipt->tables[table].hook_chain[hook];
	if (!base)
		return NF_ACCEPT;
	const uint8_t *ip = skb->ip;
	uint16_t totlen = pkt->tot_len;
	struct ipt_traceinfo tr;
	ipt_nftrace_begin(&tr, skb, st, table, base);
	if (base->rules->len == 0) {
		if (ipt_policy_counts(ns, table, base)) {
			base->packets++;
			base->bytes += totlen;
		}
		if (ns->env.trace)
			ipt_trace_policy(ns, table, hook, base);
		ipt_nftrace_policy(&tr);
		if (skb->nf_trace && ns->ipt->legacy)
			ipt_legacy_trace(ns, skb, st, table, base, 1, NULL);
		return base->policy;
	}
	/* iptables-legacy's trace_packet, for a packet traced (from any rule on) */
	const bool legacy = ns->ipt->legacy;
	struct xt_pkt p = { 0 };
	if (pkt->flags & NF_PKTINFO_L3) {
		unsigned ihl = pkt->thoff;
		p.src = rd32(ip + 12);
		p.dst = rd32(ip + 16);
		p.proto = pkt->l4proto;
		p.frag = pkt->fragoff;
		uint32_t end = nf_pktinfo_end(pkt);
		p.l4 = ip + ihl;
		p.l4len = end > ihl ? end - ihl : 0;
	}
	p.len = totlen;
	struct xt_action_param par = { .ns = ns, .skb = skb, .pkt = &p, .in = in, .out = out,
				       .hook = hook, .now = now };

	struct { struct ipt_chain *c; unsigned next; } stack[IPT_STACK_MAX];
	unsigned sp = 0;
	struct ipt_chain *c = base;
	unsigned i = 0;
	for (;;) {
		if (i >= c->rules->len) {
			/* fell off the end: RETURN, or the policy of a built-in chain */
			if (__builtin_expect(legacy && skb->nf_trace, 0) && !c->builtin)
				ipt_legacy_trace(ns, skb, st, table, c, c->rules->len + 1, NULL);
			if (c->builtin || sp == 0)
				break;
			sp--;
			c = stack[sp].c;
			i = stack[sp].next;
			continue;
		}
		struct ipt_rule *r = c->rules->pdata[i++];
		if (!ipt_ip_match(r, &p, in, out))
			continue;
		/* only a rule whose ipt_ip part matched calls its matches */
		if (r->nmatches && !ipt_matches(r, &par)) {
			if (par.hotdrop) {
				if (ns->env.trace)
					nf_trace(ns, NF_TRACE_STEP "rule %u of %s: truncated header, "
						 "DROP", nf_hook_name(hook), ipt_table_names[table], i,
						 c->name);
				skb->drop_reason = NF_DROP_REASON_RULE_HOTDROP;
				return NF_DROP;
			}
			continue;
		}
		r->packets++;
		r->bytes += totlen;
		if (__builtin_expect(legacy && skb->nf_trace, 0))
			ipt_legacy_trace(ns, skb, st, table, c, i, r);
		if (ns->env.trace)
			ipt_trace_rule(ns, table, hook, c, i, r);
		if (r->target != IPT_T_EXT)
			ipt_nftrace_rule(&tr, c, r, XT_CONTINUE);
		switch (r->target) {
		case IPT_T_NONE:
			break;
		case IPT_T_ACCEPT:
			return NF_ACCEPT;
		case IPT_T_DROP:
			return NF_DROP;
		case IPT_T_RETURN:
			if (c->builtin || sp == 0)
				goto policy;
			sp--;
			c = stack[sp].c;
			i = stack[sp].next;
			break;
		case IPT_T_JUMP:
			if (sp >= IPT_STACK_MAX)
				return NF_DROP;
			stack[sp].c = c;
			stack[sp].next = i;
			sp++;
			c = r->jump;
			i = 0;
			break;
		case IPT_T_GOTO:
			c = r->jump;
			i = 0;
			break;
		case IPT_T_EXT: {
			uint32_t skblen = skb->len;
			unsigned v = r->t.ops->target(&par, r->t.data);
			ipt_nftrace_rule(&tr, c, r, v);
			if (v != XT_CONTINUE)
				return (int)v;
			if (skb->len != skblen && skb->len >= 4) {
				/* the target grew the packet (TCPMSS adding its
				 * option): later rules and the policy count and
				 * read skb->len as the kernel's do */
				uint16_t nl = rd16(skb->ip + 2);
				p.l4len += (uint32_t)(nl - totlen);
				totlen = nl;
				p.len = totlen;
			}
			break;
		}
		}
	}
policy:
	if (ipt_policy_counts(ns, table, base)) {
		base->packets++;
		base->bytes += totlen;
	}
	if (ns->env.trace)
		ipt_trace_policy(ns, table, hook, base);
	ipt_nftrace_policy(&tr);
	if (skb->nf_trace && ns->ipt->legacy)
		ipt_legacy_trace(ns, skb, st, table, base, base->rules->len + 1, NULL);
	return base->policy;
}

bool nf_ipt_rule_packets(struct nf_ns *ns, const char *table, const char *chain,
			 unsigned rule, uint64_t *packets)
{
	int t = ipt_table_by_name(table);
	if (t < 0)
		return false;
	struct ipt_chain *c = ipt_chain_find(&ns->ipt->tables[t], chain);
	if (!c || rule == 0 || rule > c->rules->len)
		return false;
	*packets = ((struct ipt_rule *)c->rules->pdata[rule - 1])->packets;
	return true;
}
