/* ipt_table.c - iptables tables and chains, and the packet traversal.
 *
 * Mirrors net/ipv4/netfilter/ip_tables.c: ipt_do_table walks the built-in
 * chain of a hook with a jump stack (user chains, RETURN, goto), counting
 * packets and bytes per rule, and falls back to the chain policy. The
 * kernel-side checks of a table (xt_check_match / xt_check_target: table and
 * hook masks, loops) live here too: commands apply a change, run
 * ipt_table_check() and undo the change when the kernel would refuse it.
 *
 * Design: rules are parsed once (ipt_parse.c) into flat structs; matching
 * reads the IPv4 header once per traversal and compares integers and short
 * fixed strings only. No allocation on the packet path.
 */
#include <errno.h>
#include <string.h>

#include "nat/core/nf_inet.h"
#include "nat/iptables/ipt.h"
#include "nat/nf_nat/nat.h"
#include "nat/core/nf_ns.h"

static const char *const ipt_table_names[IPT_NTABLES] = { "filter", "nat", "mangle", "raw" };

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
	for (int i = 0; i < IPT_NTABLES; i++) {
		ipt_table_init(&ns->tables[i], i);
		ns->tables[i].touched = false;
	}
}

void ipt_rule_free(struct ipt_rule *r)
{
	if (!r)
		return;
	for (unsigned i = 0; i < r->nmatches; i++)
		if (r->m[i].id == IPT_M_COMMENT)
			g_free(r->m[i].u.comment);
	g_free(r->log_prefix);
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
	for (int i = 0; i < IPT_NTABLES; i++)
		ipt_table_clear(&ns->tables[i]);
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

static struct ipt_rule *ipt_rule_dup(const struct ipt_rule *r)
{
	struct ipt_rule *n = g_memdup2(r, sizeof(*r));
	for (unsigned i = 0; i < n->nmatches; i++)
		if (n->m[i].id == IPT_M_COMMENT)
			n->m[i].u.comment = g_strdup(r->m[i].u.comment);
	n->log_prefix = g_strdup(r->log_prefix);
	n->jump = NULL;
	return n;
}

void ipt_table_copy(struct ipt_table *dst, const struct ipt_table *src)
{
	dst->id = src->id;
	dst->touched = src->touched;
	dst->chains = g_ptr_array_new();
	memset(dst->hook_chain, 0, sizeof(dst->hook_chain));
	for (unsigned i = 0; i < src->chains->len; i++) {
		const struct ipt_chain *s = src->chains->pdata[i];
		struct ipt_chain *c = ipt_chain_new(s->name, s->builtin, s->hook);
		c->policy = s->policy;
		c->packets = s->packets;
		c->bytes = s->bytes;
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

struct ipt_target_rule {
	enum ipt_verdict_kind kind;
	const char *name;
	int table;		/* -1: any */
	unsigned hooks;		/* 0: any */
};

static const struct ipt_target_rule ipt_target_rules[] = {
	{ IPT_T_REJECT, "REJECT", IPT_FILTER,
	  1u << NF_INET_LOCAL_IN | 1u << NF_INET_FORWARD | 1u << NF_INET_LOCAL_OUT },
	{ IPT_T_SNAT, "SNAT", IPT_NAT, 1u << NF_INET_POST_ROUTING | 1u << NF_INET_LOCAL_IN },
	{ IPT_T_DNAT, "DNAT", IPT_NAT, 1u << NF_INET_PRE_ROUTING | 1u << NF_INET_LOCAL_OUT },
	{ IPT_T_MASQUERADE, "MASQUERADE", IPT_NAT, 1u << NF_INET_POST_ROUTING },
	{ IPT_T_REDIRECT, "REDIRECT", IPT_NAT, 1u << NF_INET_PRE_ROUTING | 1u << NF_INET_LOCAL_OUT },
	{ IPT_T_NOTRACK, "CT", IPT_RAW, 0 },
};

static bool ipt_has_match(const struct ipt_rule *r, enum ipt_match_id m)
{
	for (unsigned i = 0; i < r->nmatches; i++)
		if (r->m[i].id == m)
			return true;
	return false;
}

static int ipt_rule_check(const struct ipt_table *t, const struct ipt_chain *c,
			  const struct ipt_rule *r, GString *klog)
{
	static const struct { enum ipt_match_id m; const char *name; uint8_t proto; } pm[] = {
		{ IPT_M_TCP, "tcp", 6 }, { IPT_M_UDP, "udp", 17 }, { IPT_M_ICMP, "icmp", 1 },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(pm); i++) {
		if (ipt_has_match(r, pm[i].m) && r->proto != pm[i].proto) {
			g_string_printf(klog, "x_tables: ip_tables: %s match: only valid for protocol %u",
					pm[i].name, pm[i].proto);
			return EINVAL;
		}
	}
	for (unsigned i = 0; i < G_N_ELEMENTS(ipt_target_rules); i++) {
		const struct ipt_target_rule *tr = &ipt_target_rules[i];
		if (tr->kind != r->target)
			continue;
		if (tr->table >= 0 && tr->table != (int)t->id) {
			g_string_printf(klog, "x_tables: ip_tables: %s target: only valid in %s table, not %s",
					r->target == IPT_T_NOTRACK && !r->notrack_ct ? "NOTRACK" : tr->name,
					ipt_table_names[tr->table], ipt_table_names[t->id]);
			return EINVAL;
		}
		if (tr->hooks && (c->hookmask & ~tr->hooks)) {
			g_string_printf(klog, "x_tables: ip_tables: %s target: used from hooks ", tr->name);
			ipt_textify_hooks(c->hookmask, klog);
			g_string_append(klog, ", but only usable from ");
			ipt_textify_hooks(tr->hooks, klog);
			return EINVAL;
		}
	}
	if (r->target == IPT_T_REJECT && r->reject_with == NF_REJECT_TCP_RESET &&
	    (r->proto != 6 || r->proto_inv)) {
		g_string_assign(klog, "ipt_REJECT: TCP_RESET invalid for non-tcp");
		return EINVAL;
	}
	return 0;
}

int ipt_table_check(struct ipt_table *t, GString *klog)
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
			int rc = ipt_rule_check(t, c, c->rules->pdata[j], klog);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* ----- the packet path ----- */

bool ipt_hook_has_rules(struct nf_ns *ns, enum ipt_table_id table, enum nf_hook hook)
{
	const struct ipt_chain *c = ns->tables[table].hook_chain[hook];
	return c && c->rules->len > 0;
}

/* What ipt_do_table needs of a packet, read once. */
struct ipt_pkt {
	uint32_t src, dst;
	uint16_t len, frag;
	uint8_t proto;
	const uint8_t *l4;
	uint32_t l4len;
};

static bool ipt_port_in(uint16_t p, uint16_t lo, uint16_t hi)
{
	return p >= lo && p <= hi;
}

static bool ipt_iface_match(const char *dev, const char *pat, uint8_t n, bool inv)
{
	if (!pat[0])
		return true;
	bool m = strncmp(dev ? dev : "", pat, n) == 0;
	return m != inv;
}

/* ip_packet_match */
static bool ipt_ip_match(const struct ipt_rule *r, const struct ipt_pkt *p,
			 const char *in, const char *out)
{
	if (((p->src & r->src_mask) != r->src) != r->src_inv)
		return false;
	if (((p->dst & r->dst_mask) != r->dst) != r->dst_inv)
		return false;
	if (!ipt_iface_match(in, r->in, r->in_cmp, r->in_inv) ||
	    !ipt_iface_match(out, r->out, r->out_cmp, r->out_inv))
		return false;
	if (r->proto && (p->proto != r->proto) != r->proto_inv)
		return false;
	return true;
}

/* Conntrack state bit of the packet (state_mt / conntrack_mt). */
static unsigned ipt_ct_statebit(const struct nf_skb *skb)
{
	if (skb->ct)
		return 1u << (skb->ctinfo % IP_CT_IS_REPLY + 1);
	if (skb->ctinfo == IP_CT_UNTRACKED)
		return IPT_STATE_UNTRACKED;
	return IPT_STATE_INVALID;
}

/* One match instance (tcp_mt, udp_mt, icmp_match, state_mt, conntrack_mt,
 * multiport_mt). *hotdrop is set when a header the match needs is
 * truncated, as the kernel's par->hotdrop. */
static bool ipt_match_one(const struct ipt_match *m, const struct ipt_pkt *p,
			  const struct nf_skb *skb, bool *hotdrop)
{
	switch (m->id) {
	case IPT_M_TCP:
	case IPT_M_UDP: {
		const struct ipt_m_tcp *t = &m->u.tcp;
		bool tcp = m->id == IPT_M_TCP;
		if (p->frag)
			return false;
		if (p->l4len < (tcp ? 20u : 8u)) {
			*hotdrop = true;
			return false;
		}
		uint16_t sp = rd16(p->l4), dp = rd16(p->l4 + 2);
		if (t->sport_set && ipt_port_in(sp, t->sport_min, t->sport_max) == t->sport_inv)
			return false;
		if (t->dport_set && ipt_port_in(dp, t->dport_min, t->dport_max) == t->dport_inv)
			return false;
		if (tcp && t->flags_set &&
		    ((p->l4[13] & t->flags_mask) == t->flags_cmp) == t->flags_inv)
			return false;
		return true;
	}
	case IPT_M_ICMP: {
		const struct ipt_m_icmp *ic = &m->u.icmp;
		if (p->frag)
			return false;
		if (p->l4len < 8) {
			*hotdrop = true;
			return false;
		}
		uint8_t type = p->l4[0], code = p->l4[1];
		bool hit = ic->type == 0xff ||
			   (type == ic->type && code >= ic->code_min && code <= ic->code_max);
		return hit != ic->inv;
	}
	case IPT_M_STATE:
		return ((m->u.state.mask & ipt_ct_statebit(skb)) != 0) != m->u.state.inv;
	case IPT_M_CONNTRACK: {
		unsigned bit = ipt_ct_statebit(skb);
		if (!m->u.state.set)
			return true;
		if (skb->ct) {
			if (skb->ct->status & IPS_SRC_NAT)
				bit |= IPT_STATE_SNAT;
			if (skb->ct->status & IPS_DST_NAT)
				bit |= IPT_STATE_DNAT;
		}
		return ((m->u.state.mask & bit) != 0) != m->u.state.inv;
	}
	case IPT_M_MULTIPORT: {
		const struct ipt_m_multiport *mp = &m->u.mport;
		if (p->frag)
			return false;
		if (p->l4len < 4) {
			*hotdrop = true;
			return false;
		}
		uint16_t sp = rd16(p->l4), dp = rd16(p->l4 + 2);
		bool hit = false;
		for (unsigned k = 0; k < mp->n && !hit; k++) {
			uint16_t lo = mp->min[k], hi = mp->max[k];
			if (mp->kind == 1)
				hit = ipt_port_in(sp, lo, hi);
			else if (mp->kind == 2)
				hit = ipt_port_in(dp, lo, hi);
			else
				hit = ipt_port_in(sp, lo, hi) || ipt_port_in(dp, lo, hi);
		}
		return hit != mp->inv;
	}
	case IPT_M_COMMENT:
	default:
		return true;
	}
}

/* The rule's matches, in order: every instance must match (ipt_do_table's
 * xt_ematch_foreach). */
static bool ipt_matches(const struct ipt_rule *r, const struct ipt_pkt *p,
			const struct nf_skb *skb, bool *hotdrop)
{
	for (unsigned i = 0; i < r->nmatches; i++)
		if (!ipt_match_one(&r->m[i], p, skb, hotdrop))
			return false;
	return true;
}

/* The LOG target's text, as nf_log_ip_packet / dump_ipv4_packet print it
 * (default logflags: no TCP sequence, options or uid). The kernel line ends
 * with a space; so does ours. */
static void ipt_log_ipv4(GString *m, const uint8_t *ip, uint32_t len, bool inner)
{
	if (len < 20) {
		g_string_append(m, "TRUNCATED");
		return;
	}
	unsigned ihl = (ip[0] & 0x0f) * 4u;
	uint16_t frag = rd16(ip + 6);
	g_string_append(m, "SRC=");
	nf_inet_append4(m, rd32(ip + 12));
	g_string_append(m, " DST=");
	nf_inet_append4(m, rd32(ip + 16));
	g_string_append_c(m, ' ');
	g_string_append_printf(m, "LEN=%u TOS=0x%02X PREC=0x%02X TTL=%u ID=%u ", rd16(ip + 2),
			       ip[1] & 0x1e, ip[1] & 0xe0, ip[8], rd16(ip + 4));
	if (frag & 0x8000)
		g_string_append(m, "CE ");
	if (frag & 0x4000)
		g_string_append(m, "DF ");
	if (frag & 0x2000)
		g_string_append(m, "MF ");
	if (frag & 0x1fff)
		g_string_append_printf(m, "FRAG:%u ", frag & 0x1fff);
	const uint8_t *l4 = ip + ihl;
	uint32_t l4len = len > ihl ? len - ihl : 0;
	bool fragment = (frag & 0x1fff) != 0;
	switch (ip[9]) {
	case 6:
		g_string_append(m, "PROTO=TCP ");
		if (fragment)
			break;
		if (l4len < 20) {
			g_string_append_printf(m, "INCOMPLETE [%u bytes] ", l4len);
			return;
		}
		g_string_append_printf(m, "SPT=%u DPT=%u ", rd16(l4), rd16(l4 + 2));
		g_string_append_printf(m, "WINDOW=%u ", rd16(l4 + 14));
		g_string_append_printf(m, "RES=0x%02x ", (unsigned)((l4[12] & 0x0f) << 2));
		{
			static const char *const fl[8] = { "FIN ", "SYN ", "RST ", "PSH ",
							   "ACK ", "URG ", "ECE ", "CWR " };
			for (int b = 7; b >= 0; b--) {
				/* kernel order: CWR ECE URG ACK PSH RST SYN FIN */
				if (l4[13] & (1u << b))
					g_string_append(m, fl[b]);
			}
		}
		g_string_append_printf(m, "URGP=%u ", rd16(l4 + 18));
		break;
	case 17:
		g_string_append(m, "PROTO=UDP ");
		if (fragment)
			break;
		if (l4len < 8) {
			g_string_append_printf(m, "INCOMPLETE [%u bytes] ", l4len);
			return;
		}
		g_string_append_printf(m, "SPT=%u DPT=%u LEN=%u ", rd16(l4), rd16(l4 + 2),
				       rd16(l4 + 4));
		break;
	case 1: {
		static const uint8_t required[19] = { [0] = 4, [3] = 28, [4] = 28, [5] = 28, [8] = 4,
						      [11] = 28, [12] = 28, [13] = 20, [14] = 20,
						      [17] = 12, [18] = 12 };
		g_string_append(m, "PROTO=ICMP ");
		if (fragment)
			break;
		if (l4len < 8) {
			g_string_append_printf(m, "INCOMPLETE [%u bytes] ", l4len);
			break;
		}
		uint8_t type = l4[0], code = l4[1];
		g_string_append_printf(m, "TYPE=%u CODE=%u ", type, code);
		if (type <= 18 && required[type] && l4len < required[type]) {
			g_string_append_printf(m, "INCOMPLETE [%u bytes] ", l4len);
			break;
		}
		switch (type) {
		case 0:
		case 8:
			g_string_append_printf(m, "ID=%u SEQ=%u ", rd16(l4 + 4), rd16(l4 + 6));
			break;
		case 12:
			g_string_append_printf(m, "PARAMETER=%u ", l4[4]);
			break;
		case 5:
			g_string_append(m, "GATEWAY=");
			nf_inet_append4(m, rd32(l4 + 4));
			g_string_append_c(m, ' ');
			/* fall through */
		case 3:
		case 4:
		case 11:
			if (!inner) {
				g_string_append(m, "[");
				ipt_log_ipv4(m, l4 + 8, l4len - 8, true);
				g_string_append(m, "] ");
			}
			if (type == 3 && code == 4)
				g_string_append_printf(m, "MTU=%u ", rd16(l4 + 6));
			break;
		default:
			break;
		}
		break;
	}
	default:
		g_string_append_printf(m, "PROTO=%u ", ip[9]);
		break;
	}
}

/* The MAC= field: the frame's Ethernet header sits right before the IPv4
 * header (dev->hard_header_len = 14), only for packets that came in. */
static void ipt_log(struct nf_ns *ns, const struct ipt_rule *r, const struct nf_skb *skb,
		    const char *in, const char *out, nf_time now)
{
	GString *m = g_string_sized_new(256);
	g_string_append_printf(m, "%sIN=%s OUT=%s ", r->log_prefix ? r->log_prefix : "",
			       in ? in : "", out ? out : "");
	if (in) {
		const uint8_t *mac = skb->ip - 14;
		g_string_append(m, "MAC=");
		for (int i = 0; i < 14; i++)
			g_string_append_printf(m, i ? ":%02x" : "%02x", mac[i]);
		g_string_append_c(m, ' ');
	}
	uint32_t len = skb->len;
	if (len >= 4 && rd16(skb->ip + 2) < len)
		len = rd16(skb->ip + 2);
	ipt_log_ipv4(m, skb->ip, len, false);
	if (skb->mark)
		g_string_append_printf(m, "MARK=0x%x ", skb->mark);
	nf_klog(ns, now, "%s", m->str);
	g_string_free(m, TRUE);
}

static const char *ipt_verdict_text(const struct ipt_rule *r)
{
	switch (r->target) {
	case IPT_T_NONE: return "continue";
	case IPT_T_ACCEPT: return "ACCEPT";
	case IPT_T_DROP: return "DROP";
	case IPT_T_RETURN: return "RETURN";
	case IPT_T_JUMP: return "jump";
	case IPT_T_GOTO: return "goto";
	case IPT_T_REJECT: return "REJECT";
	case IPT_T_LOG: return "LOG, continue";
	case IPT_T_SNAT: return "SNAT";
	case IPT_T_DNAT: return "DNAT";
	case IPT_T_MASQUERADE: return "MASQUERADE";
	case IPT_T_REDIRECT: return "REDIRECT";
	case IPT_T_NOTRACK: return "NOTRACK, continue";
	case IPT_T_MARK: return "MARK, continue";
	}
	return "?";
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

/* ipt_do_table */
int ipt_do_table(struct nf_ns *ns, enum ipt_table_id table, enum nf_hook hook,
		 struct nf_skb *skb, const char *in, const char *out, nf_time now)
{
	struct ipt_chain *base = ns->tables[table].hook_chain[hook];
	if (!base)
		return NF_ACCEPT;
	const uint8_t *ip = skb->ip;
	uint16_t totlen = skb->len >= 4 ? rd16(ip + 2) : 0;
	if (base->rules->len == 0) {
		base->packets++;
		base->bytes += totlen;
		if (ns->env.trace)
			ipt_trace_policy(ns, table, hook, base);
		return base->policy;
	}
	struct ipt_pkt p = { 0 };
	if (skb->len >= 20) {
		unsigned ihl = (ip[0] & 0x0f) * 4u;
		p.src = rd32(ip + 12);
		p.dst = rd32(ip + 16);
		p.proto = ip[9];
		p.frag = rd16(ip + 6) & 0x1fff;
		uint32_t end = totlen && totlen < skb->len ? totlen : skb->len;
		p.l4 = ip + ihl;
		p.l4len = end > ihl ? end - ihl : 0;
	}
	p.len = totlen;

	struct { struct ipt_chain *c; unsigned next; } stack[IPT_STACK_MAX];
	unsigned sp = 0;
	struct ipt_chain *c = base;
	unsigned i = 0;
	for (;;) {
		if (i >= c->rules->len) {
			/* fell off the end: RETURN, or the policy of a built-in chain */
			if (c->builtin || sp == 0)
				break;
			sp--;
			c = stack[sp].c;
			i = stack[sp].next;
			continue;
		}
		struct ipt_rule *r = c->rules->pdata[i++];
		bool hotdrop = false;
		if (!ipt_ip_match(r, &p, in, out) || !ipt_matches(r, &p, skb, &hotdrop)) {
			if (hotdrop) {
				if (ns->env.trace)
					nf_trace(ns, NF_TRACE_STEP "rule %u of %s: truncated header, "
						 "DROP", nf_hook_name(hook), ipt_table_names[table], i,
						 c->name);
				return NF_DROP;
			}
			continue;
		}
		r->packets++;
		r->bytes += totlen;
		if (ns->env.trace)
			ipt_trace_rule(ns, table, hook, c, i, r);
		switch (r->target) {
		case IPT_T_NONE:
			break;
		case IPT_T_ACCEPT:
			return NF_ACCEPT;
		case IPT_T_DROP:
			return NF_DROP;
		case IPT_T_REJECT:
			skb->reject_with = r->reject_with;
			return NF_REJECT;
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
		case IPT_T_LOG:
			ipt_log(ns, r, skb, in, out, now);
			break;
		case IPT_T_NOTRACK:
			skb->ct = NULL;
			skb->ctinfo = IP_CT_UNTRACKED;
			break;
		case IPT_T_MARK:
			skb->mark = (skb->mark & ~r->mark_mask) ^ r->mark_value;
			break;
		case IPT_T_SNAT:
		case IPT_T_DNAT:
			if (!skb->ct)
				return NF_ACCEPT;
			return nat_setup_info(ns, skb->ct, &r->range, nat_hook_manip(hook), now);
		case IPT_T_MASQUERADE:
			if (!skb->ct)
				return NF_ACCEPT;
			return nat_masquerade(ns, skb->ct, &r->range, out, now);
		case IPT_T_REDIRECT:
			if (!skb->ct)
				return NF_ACCEPT;
			return nat_redirect(ns, skb->ct, &r->range, in, hook, now);
		}
	}
policy:
	base->packets++;
	base->bytes += totlen;
	if (ns->env.trace)
		ipt_trace_policy(ns, table, hook, base);
	return base->policy;
}

bool nf_ipt_rule_packets(struct nf_ns *ns, const char *table, const char *chain,
			 unsigned rule, uint64_t *packets)
{
	int t = ipt_table_by_name(table);
	if (t < 0)
		return false;
	struct ipt_chain *c = ipt_chain_find(&ns->tables[t], chain);
	if (!c || rule == 0 || rule > c->rules->len)
		return false;
	*packets = ((struct ipt_rule *)c->rules->pdata[rule - 1])->packets;
	return true;
}
