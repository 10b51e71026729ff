/* nft_trace.c - the lines of `nft monitor trace` for packets marked with
 * `meta nftrace set 1`, as nft 1.0.6 prints the kernel's trace events.
 *
 * Mirrors nf_tables_trace.c (nft_trace_notify: one event per rule that
 * reaches its end or a verdict, one for the base chain's policy; the
 * packet's headers are sent with the first event of a chain walk, the
 * mark with the policy's) and nft's netlink_events_trace_cb (the packet
 * line decoded from the dumped headers: at most 20 bytes of link layer,
 * 40 of network and 20 of transport header, NFT_TRACETYPE_*_HSIZE).
 * Design: the lines are text handed to the namespace's env (nft_trace);
 * the simulator shows them to a running `nft monitor trace`. The kernel's
 * trace id is derived from the skb's address; natsim derives it from the
 * packet's run-wide serial and the namespace's seed (a hash), so a run is
 * deterministic and every chain and hook of one packet shares the id, as
 * in the kernel (nat/core/nf_trace_id.c).
 */
#include <stdio.h>
#include <string.h>

#include "nat/core/nf_inet.h"
#include "nat/core/nf_ns.h"
#include "nat/core/nf_trace_id.h"
#include "nat/nftables/nft_int.h"
#include "nat/nftables/nft_trace.h"

void nft_trace_begin(struct nft_traceinfo *tr, struct nf_skb *skb, const struct nf_hook_state *st,
		     const struct nft_table *t, const struct nft_chain *base)
{
	/* per chain walk of every packet: only pointers, the id comes with
	 * the first line */
	tr->skb = skb;
	tr->st = st;
	tr->table = t;
	tr->base = base;
	tr->id = 0;
	tr->dumped = false;
}

static void prefix(GString *s, const struct nft_traceinfo *tr, const struct nft_chain *c)
{
	g_string_append_printf(s, "trace id %08x %s %s %s ", tr->id,
			       nft_family_name(tr->table->family), tr->table->name, c->name);
}

/* nft's dscp symbols (dscp_type_tbl), else the number. */
static void print_dscp(GString *s, unsigned d)
{
	static const struct { unsigned v; const char *n; } t[] = {
		{ 0x00, "cs0" }, { 0x08, "cs1" }, { 0x10, "cs2" }, { 0x18, "cs3" },
		{ 0x20, "cs4" }, { 0x28, "cs5" }, { 0x30, "cs6" }, { 0x38, "cs7" },
		{ 0x01, "lephb" }, { 0x0a, "af11" }, { 0x0c, "af12" }, { 0x0e, "af13" },
		{ 0x12, "af21" }, { 0x14, "af22" }, { 0x16, "af23" }, { 0x1a, "af31" },
		{ 0x1c, "af32" }, { 0x1e, "af33" }, { 0x22, "af41" }, { 0x24, "af42" },
		{ 0x26, "af43" }, { 0x2c, "va" }, { 0x2e, "ef" },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(t); i++)
		if (t[i].v == d) {
			g_string_append_printf(s, "ip dscp %s ", t[i].n);
			return;
		}
	g_string_append_printf(s, "ip dscp 0x%02x ", d);
}

static void print_hex(GString *s, const uint8_t *b, unsigned n)
{
	unsigned i = 0;

	while (i + 1 < n && b[i] == 0)
		i++;		/* a number: no leading zero bytes */
	g_string_append_printf(s, "0x%x", b[i]);
	for (i++; i < n; i++)
		g_string_append_printf(s, "%02x", b[i]);
}

/* tcp flags as nft prints the dumped value: one flag by its name, a
 * combination as a number (0x12 for syn,ack). */
static void print_tcp_flags(GString *s, uint8_t f)
{
	static const char *const names[] = { "fin", "syn", "rst", "psh", "ack", "urg", "ecn", "cwr" };

	for (unsigned b = 0; b < 8; b++)
		if (f == (1u << b)) {
			g_string_append_printf(s, "tcp flags == %s ", names[b]);
			return;
		}
	g_string_append_printf(s, "tcp flags == 0x%x ", f);
}

/* icmp code as nft's icmp_code_type names it (0 is net-unreachable, an
 * echo's too). */
static void print_icmp_code(GString *s, uint8_t code)
{
	static const struct { uint8_t v; const char *n; } t[] = {
		{ 0, "net-unreachable" }, { 1, "host-unreachable" }, { 2, "prot-unreachable" },
		{ 3, "port-unreachable" }, { 4, "frag-needed" }, { 9, "net-prohibited" },
		{ 10, "host-prohibited" }, { 13, "admin-prohibited" },
	};
	for (unsigned i = 0; i < G_N_ELEMENTS(t); i++)
		if (t[i].v == code) {
			g_string_append_printf(s, "icmp code %s ", t[i].n);
			return;
		}
	g_string_append_printf(s, "icmp code %u ", code);
}

/* The packet line: devices, link layer (on the receive side), the IPv4
 * header's fields, the transport header's (nft's trace_print_packet). */
static void print_packet(GString *s, const struct nft_traceinfo *tr)
{
	nft_trace_packet(s, tr->skb, tr->st, tr->table->family == NFT_FAMILY_INET);
}

void nft_trace_packet(GString *s, struct nf_skb *skb, const struct nf_hook_state *st, bool inet)
{
	const struct nf_env *env = &st->net->env;
	const uint8_t *ip = skb->ip;
	const struct nf_pktinfo *pi = &st->pkt;
	uint8_t mac[14];

	g_string_append(s, "packet: ");
	if (st->in)
		g_string_append_printf(s, "iif \"%s\" ", st->in);
	if (st->out)
		g_string_append_printf(s, "oif \"%s\" ", st->out);
	if (st->in && st->hook != NF_INET_LOCAL_OUT &&
	    env->skb_mac && env->skb_mac(env->ctx, skb, mac)) {
		if (!strcmp(st->in, "lo")) {
			g_string_append(s, "@ll,0,112 ");
			print_hex(s, mac, 14);
			g_string_append_c(s, ' ');
		} else {
			g_string_append_printf(s, "ether saddr %02x:%02x:%02x:%02x:%02x:%02x ",
					       mac[6], mac[7], mac[8], mac[9], mac[10], mac[11]);
			g_string_append_printf(s, "ether daddr %02x:%02x:%02x:%02x:%02x:%02x ",
					       mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
		}
	}
	GString *a = g_string_new(NULL);
	nft_print_ipv4(a, rd32(ip + 12));
	g_string_append_printf(s, "ip saddr %s ", a->str);
	g_string_truncate(a, 0);
	nft_print_ipv4(a, rd32(ip + 16));
	g_string_append_printf(s, "ip daddr %s ", a->str);
	g_string_free(a, TRUE);
	print_dscp(s, ip[1] >> 2);
	static const char *const ecn[] = { "not-ect", "ect1", "ect0", "ce" };
	g_string_append_printf(s, "ip ecn %s ip ttl %u ip id %u ", ecn[ip[1] & 3], ip[8],
			       rd16(ip + 4));
	if (inet) {
		/* no transport selector implies it in an inet table's line */
		struct nft_elem proto = { .lo = ip[9], .hi = ip[9], .plen = -1 };
		g_string_append(s, "ip protocol ");
		nft_print_elem(s, NFT_DT_PROTO, &proto, false);
		g_string_append_c(s, ' ');
	}
	g_string_append_printf(s, "ip length %u ", rd16(ip + 2));

	uint32_t end = nf_pktinfo_end(pi);
	if (!(pi->flags & NF_PKTINFO_L4PROTO) || pi->fragoff || end <= pi->thoff)
		return;
	const uint8_t *l4 = ip + pi->thoff;
	uint32_t n = end - pi->thoff;
	if (n > NFT_TRACE_TRANSPORT_HSIZE)
		n = NFT_TRACE_TRANSPORT_HSIZE;
	if (pi->l4proto == 17 && n >= 8) {
		g_string_append_printf(s, "udp sport %u udp dport %u udp length %u ", rd16(l4),
				       rd16(l4 + 2), rd16(l4 + 4));
	} else if (pi->l4proto == 6 && n >= 20) {
		g_string_append_printf(s, "tcp sport %u tcp dport %u ", rd16(l4), rd16(l4 + 2));
		print_tcp_flags(s, l4[13]);
		g_string_append_printf(s, "tcp window %u ", rd16(l4 + 14));
	} else if (pi->l4proto == 1 && n >= 8) {
		struct nft_elem type = { .lo = l4[0], .hi = l4[0], .plen = -1 };
		g_string_append(s, "icmp type ");
		nft_print_elem(s, NFT_DT_ICMPTYPE, &type, false);
		g_string_append_c(s, ' ');
		print_icmp_code(s, l4[1]);
		/* nft decodes bytes 4-7 as an echo's, whatever the type */
		g_string_append_printf(s, "icmp id %u icmp sequence %u ", rd16(l4 + 4), rd16(l4 + 6));
	}
	if ((pi->l4proto == 17 || pi->l4proto == 1) && n > 8) {
		g_string_append_printf(s, "@th,64,%u ", (n - 8) * 8);
		print_hex(s, l4 + 8, n - 8);
		g_string_append_c(s, ' ');
	}
}

static void emit(struct nft_traceinfo *tr, GString *s)
{
	const struct nf_env *env = &tr->st->net->env;

	g_string_append_c(s, '\n');
	env->nft_trace(env->ctx, tr->st->now, s->str);
	g_string_truncate(s, 0);
}

/* The packet line goes before a walk's first event (packet_dumped). */
static void dump_once(struct nft_traceinfo *tr, GString *s)
{
	if (tr->dumped)
		return;
	tr->dumped = true;
	tr->id = nf_trace_id(tr->st->net, tr->skb);
	prefix(s, tr, tr->base);
	print_packet(s, tr);
	emit(tr, s);
}

bool nft_trace_enabled(const struct nft_traceinfo *tr)
{
	return tr->skb->nf_trace && tr->st->net->env.nft_trace;
}

void nft_trace_rule(struct nft_traceinfo *tr, const struct nft_chain *c, const struct nft_rule *r,
		    const char *verdict, const char *target)
{
	static const struct nft_print_opts zero = { 0 };
	GString *s = g_string_new(NULL);

	dump_once(tr, s);
	prefix(s, tr, c);
	g_string_append(s, "rule ");
	/* the rule as the kernel sends it: counters of the rule's expressions
	 * are not dumped with it... */
	struct nft_rule copy = *r;
	GPtrArray *exprs = g_ptr_array_new_with_free_func(g_free);
	/* ...but nft prints them from the cache it loaded at its start
	 * (nft_trace_cache.c) */
	const GArray *cached = nft_trace_cached(tr->st->net->nft, nft_family_name(tr->table->family),
						tr->table->name, tr->table->handle, r->handle);
	unsigned n = 0;
	for (unsigned i = 0; i < r->exprs->len; i++) {
		struct nft_expr *e = g_memdup2(r->exprs->pdata[i], sizeof(struct nft_expr));
		e->packets = e->bytes = 0;
		if (e->kind == NFT_EXPR_COUNTER && cached && n + 1 < cached->len) {
			e->packets = g_array_index(cached, uint64_t, n);
			e->bytes = g_array_index(cached, uint64_t, n + 1);
			n += 2;
		}
		g_ptr_array_add(exprs, e);
	}
	copy.exprs = exprs;
	nft_print_rule(s, &copy, &zero);
	g_ptr_array_free(exprs, TRUE);
	g_string_append_printf(s, " (verdict %s%s%s)", verdict, target ? " " : "",
			       target ? target : "");
	emit(tr, s);
	g_string_free(s, TRUE);
}

void nft_trace_policy(struct nft_traceinfo *tr, bool drop)
{
	GString *s = g_string_new(NULL);

	dump_once(tr, s);
	prefix(s, tr, tr->base);
	g_string_append_printf(s, "policy %s ", drop ? "drop" : "accept");
	if (tr->skb->mark)
		g_string_append_printf(s, "meta mark 0x%08x ", tr->skb->mark);
	emit(tr, s);
	g_string_free(s, TRUE);
}
