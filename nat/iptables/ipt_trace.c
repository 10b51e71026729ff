/* ipt_trace.c - the lines of `xtables-monitor --trace` (iptables-nft
 * 1.8.9) for packets that `-j TRACE` marked, as iptables-nft's rules are
 * nf_tables rules on Debian 12.
 *
 * Mirrors nf_tables_trace.c (nft_trace_notify: an event for each rule
 * that matched, with the verdict it left - NFT_CONTINUE for a rule that
 * ran to its end, NFT_RETURN printed as the number 0xfffffffb - and one
 * for a base chain's policy; nothing when a user chain ends without a
 * verdict; the packet's headers go with the first event of every base
 * chain walk, the mark as it is at that event) and xtables-monitor's
 * trace_cb/trace_print_packet: the PACKET line (devices, link layer on
 * the receive side as ether_ntoa prints it, IPv4 fields, ports, TCP
 * flags, mark) and the rule fetched back by its handle and printed as
 * `iptables -S` does. Events come only while skb->nf_trace is set, so a
 * TRACE rule's own event is the first, and only for chains iptables-nft
 * has made in nf_tables (a handle; ipt_chain_nft_make).
 * Design: a twin of nft_trace.c with iptables' text; lines go to the
 * namespace's env (xt_trace), the simulator shows them to a running
 * `xtables-monitor --trace`. Each event is also `nft monitor trace`'s
 * (nft's decoding of the rule, by the nftables module's
 * ns->xt_nft_trace, nat/nftables/nft_trace_xt.c), handed to the same env.
 * Trace ids are nf_trace_id's.
 */
#include <stdio.h>
#include <string.h>

#include "nat/core/nf_inet.h"
#include "nat/core/nf_ns.h"
#include "nat/core/nf_trace_id.h"
#include "nat/iptables/ipt_trace.h"
#include "nat/iptables/xt.h"

/* NFT_TRACETYPE_TRANSPORT_HSIZE: the transport bytes an event dumps */
#define IPT_TRACE_TRANSPORT_HSIZE 20

void ipt_nftrace_begin(struct ipt_traceinfo *tr, struct nf_skb *skb, const struct nf_hook_state *st,
		     enum ipt_table_id table, const struct ipt_chain *base)
{
	tr->skb = skb;
	tr->st = st;
	tr->table = table;
	tr->base = base;
	tr->dumped = false;
	tr->nft_dumped = false;
}

/* nft_trace_enabled and the chain existing in nf_tables */
static bool ipt_nftrace_on(const struct ipt_traceinfo *tr)
{
	return tr->skb->nf_trace && tr->st->net->env.xt_trace && tr->base->handle;
}

static void emit(const struct ipt_traceinfo *tr, GString *s)
{
	const struct nf_env *env = &tr->st->net->env;

	g_string_append_c(s, '\n');
	env->xt_trace(env->ctx, tr->st->now, s->str);
	g_string_truncate(s, 0);
}

static void print_ipv4(GString *s, const char *key, uint32_t a)
{
	g_string_append_printf(s, "%s=%u.%u.%u.%u ", key, a >> 24, (a >> 16) & 0xff,
			       (a >> 8) & 0xff, a & 0xff);
}

/* trace_print_packet */
static void print_packet(GString *s, const struct ipt_traceinfo *tr, uint32_t id)
{
	const struct nf_hook_state *st = tr->st;
	const struct nf_env *env = &st->net->env;
	const struct nf_pktinfo *pi = &st->pkt;
	const uint8_t *ip = tr->skb->ip;
	uint8_t mac[14];

	g_string_append_printf(s, "PACKET: %d %08x ", NFPROTO_IPV4, id);
	if (st->in)
		g_string_append_printf(s, "IN=%s ", st->in);
	if (st->out)
		g_string_append_printf(s, "OUT=%s ", st->out);
	/* nf_trace_fill_ll_header: the receive side's link layer */
	if (st->in && st->hook != NF_INET_LOCAL_OUT &&
	    env->skb_mac && env->skb_mac(env->ctx, tr->skb, mac)) {
		if (!strcmp(st->in, "lo")) {
			g_string_append_printf(s, "LL=0x%x ", 772u); /* ARPHRD_LOOPBACK */
			for (unsigned i = 0; i < 14; i++)
				g_string_append_printf(s, "%02x", mac[i]);
			g_string_append_c(s, ' ');
		} else {
			g_string_append_printf(s, "MACSRC=%x:%x:%x:%x:%x:%x ", mac[6], mac[7],
					       mac[8], mac[9], mac[10], mac[11]);
			g_string_append_printf(s, "MACDST=%x:%x:%x:%x:%x:%x ", mac[0], mac[1],
					       mac[2], mac[3], mac[4], mac[5]);
			g_string_append_printf(s, "MACPROTO=%04x ", rd16(mac + 12));
		}
	}
	print_ipv4(s, "SRC", rd32(ip + 12));
	print_ipv4(s, "DST", rd32(ip + 16));
	uint16_t frag = rd16(ip + 6);
	g_string_append_printf(s, "LEN=%u TOS=0x%x TTL=%u ID=%u ", rd16(ip + 2), ip[1], ip[8],
			       rd16(ip + 4));
	if (frag & 0x8000)
		g_string_append(s, "CE ");
	if (frag & 0x4000)
		g_string_append(s, "DF ");
	if (frag & 0x2000)
		g_string_append(s, "MF ");
	if (frag & 0x1fff)
		g_string_append_printf(s, "FRAG:%u ", frag & 0x1fff);

	uint32_t end = nf_pktinfo_end(pi);
	if ((pi->flags & NF_PKTINFO_L4PROTO) && !pi->fragoff && end > pi->thoff) {
		const uint8_t *l4 = ip + pi->thoff;
		uint32_t n = end - pi->thoff;
		if (n > IPT_TRACE_TRANSPORT_HSIZE)
			n = IPT_TRACE_TRANSPORT_HSIZE;
		uint8_t p = pi->l4proto;
		if ((p == 17 || p == 33 || p == 132 || p == 136) && n >= 4) {
			g_string_append_printf(s, "SPORT=%u DPORT=%u ", rd16(l4), rd16(l4 + 2));
		} else if (p == 6 && n >= 20) {
			static const struct { uint8_t bit; const char *name; } f[] = {
				{ 0x02, "SYN" }, { 0x10, "ACK" }, { 0x01, "FIN" },
				{ 0x04, "RST" }, { 0x08, "PSH" }, { 0x20, "URG" },
			};
			g_string_append_printf(s, "SPORT=%u DPORT=%u ", rd16(l4), rd16(l4 + 2));
			for (unsigned i = 0; i < G_N_ELEMENTS(f); i++)
				if (l4[13] & f[i].bit)
					g_string_append_printf(s, "%s ", f[i].name);
		}
	}
	if (tr->skb->mark)
		g_string_append_printf(s, "MARK=0x%x ", tr->skb->mark);
}

/* The first event of a walk sends the headers: the PACKET line goes first. */
static uint32_t dump_once(struct ipt_traceinfo *tr, GString *s)
{
	uint32_t id = nf_trace_id(tr->st->net, tr->skb);

	if (!tr->dumped) {
		tr->dumped = true;
		print_packet(s, tr, id);
		emit(tr, s);
	}
	return id;
}

/* xtables-monitor's print_verdict of the event's verdict. */
static void print_verdict(GString *s, const struct ipt_rule *r, unsigned v)
{
	switch (r->target) {
	case IPT_T_NONE:
		g_string_append(s, "CONTINUE");
		break;
	case IPT_T_ACCEPT:
		g_string_append(s, "ACCEPT");
		break;
	case IPT_T_DROP:
		g_string_append(s, "DROP");
		break;
	case IPT_T_JUMP:
		g_string_append_printf(s, "JUMP:%s", r->jump->name);
		break;
	case IPT_T_GOTO:
		g_string_append_printf(s, "GOTO:%s", r->jump->name);
		break;
	case IPT_T_RETURN:
		g_string_append(s, "0xfffffffb");	/* NFT_RETURN, no name */
		break;
	default:
		if (v == XT_CONTINUE)
			g_string_append(s, "CONTINUE");
		else
			/* REJECT's NF_DROP after sending its answer */
			g_string_append(s, v == NF_ACCEPT ? "ACCEPT" : "DROP");
		break;
	}
	g_string_append_c(s, ' ');
}

void ipt_nftrace_rule(struct ipt_traceinfo *tr, const struct ipt_chain *c, const struct ipt_rule *r,
		    unsigned v)
{
	if (!ipt_nftrace_on(tr))
		return;
	GString *s = g_string_new(NULL);
	uint32_t id = dump_once(tr, s);
	const char *t = ipt_table_name(tr->table);

	g_string_append_printf(s, " TRACE: %d %08x %s:%s:rule:0x%llx:", NFPROTO_IPV4, id, t,
			       c->name, (unsigned long long)r->handle);
	print_verdict(s, r, v);
	g_string_append_printf(s, " -4 -t %s ", t);
	ipt_rule_format_full(c, r, s);
	emit(tr, s);
	g_string_free(s, TRUE);
	if (tr->st->net->xt_nft_trace)
		tr->st->net->xt_nft_trace(tr, c, r, v);
}

void ipt_nftrace_policy(struct ipt_traceinfo *tr)
{
	if (!ipt_nftrace_on(tr))
		return;
	GString *s = g_string_new(NULL);
	uint32_t id = dump_once(tr, s);

	g_string_append_printf(s, " TRACE: %d %08x %s:%s:policy:%s ", NFPROTO_IPV4, id,
			       ipt_table_name(tr->table), tr->base->name,
			       tr->base->policy == NF_DROP ? "DROP" : "ACCEPT");
	emit(tr, s);
	g_string_free(s, TRUE);
	if (tr->st->net->xt_nft_trace)
		tr->st->net->xt_nft_trace(tr, tr->base, NULL, 0);
}
