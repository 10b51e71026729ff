/* ip.c - the IPv4 stack of hosts and routers: input, forwarding, local
 * output, loopback, fragmentation and neighbour output, with the netfilter
 * hooks called in kernel order.
 *
 * Design: the path is a visible sequence of small stages, as in Click and in
 * net/ipv4/ip_input.c + ip_forward.c + ip_output.c:
 *   ip_rcv -> PREROUTING -> routing -> ip_local_deliver (INPUT) -> transport
 *                                   -> ip_forward (TTL, MTU, FORWARD)
 *   ip_local_out -> routing -> OUTPUT -> (re-route) -> POSTROUTING
 *   ip_finish_output (--check, fragment) -> ip_neigh_output -> link_transmit
 * Each stage owns the packet it is handed and either passes it on or frees
 * it. Hosts (n->nf == NULL) skip the hooks. Neighbour resolution is a lookup
 * of the interface on the same layer-2 segment owning the next hop, cached
 * per node and validated on each hit (so address changes need no
 * invalidation); a next hop nobody owns is resolved as Linux's ARP fails:
 * packets wait (unres_qlen_bytes) through 3 probes 1 s apart, then each gets
 * ICMP host unreachable (neigh_invalidate -> ipv4_link_failure), including
 * the node's own packets, whose error loops back to their socket as on Linux.
 */
#include <string.h>

#include "sim/inet/drop.h"
#include "sim/inet/protocol.h"
#include "sim/inet/inet.h"

/* Packet-walk columns, the same as nat/'s NF_TRACE_STEP: "  STEP  WHERE  text"
 * (11 and 10 columns), so the stack's and netfilter's lines align. */
#define IP_TRACE_STEP "  %-11s %-10s "

#define NEIGH_QUEUE_BYTES 212992	/* neigh/default/unres_qlen_bytes */
#define NEIGH_PROBES 3			/* mcast_solicit */
#define NEIGH_RETRANS SIM_S		/* retrans_time_ms 1000 */
#define IP_DF 0x4000
#define IP_MF 0x2000
#define IP_OFFSET 0x1fff

/* A neighbour in NUD_INCOMPLETE: its queued packets and probe count. */
struct neigh_pending {
	struct node *n;
	struct iface *out;
	uint32_t nexthop;
	struct packet *head, *tail;
	uint32_t bytes;
	unsigned probes;
};

struct ip_state {
	GHashTable *neigh;	/* (segment << 32 | addr) -> struct iface * */
	GPtrArray *pending;	/* struct neigh_pending *, creation order */
	GPtrArray *frags;	/* struct frag_queue *, creation order */
	uint64_t in_discards, in_hdr_errors, out_no_routes;
	uint64_t frag_mem;	/* truesize of queued fragments (ipfrag_high_thresh) */
	uint64_t mib[IPSTATS_MIB_N]; /* /proc/net/snmp Ip: and IpExt: counters */
};

/* The names of the counters, as /proc/net/snmp and /proc/net/netstat say. */
static const char *const ip_mib_names[IPSTATS_MIB_N] = {
	[IPSTATS_MIB_INRECEIVES] = "InReceives",
	[IPSTATS_MIB_INHDRERRORS] = "InHdrErrors",
	[IPSTATS_MIB_INADDRERRORS] = "InAddrErrors",
	[IPSTATS_MIB_OUTFORWDATAGRAMS] = "ForwDatagrams",
	[IPSTATS_MIB_INDISCARDS] = "InDiscards",
	[IPSTATS_MIB_INDELIVERS] = "InDelivers",
	[IPSTATS_MIB_OUTNOROUTES] = "OutNoRoutes",
	[IPSTATS_MIB_REASMTIMEOUT] = "ReasmTimeout",
	[IPSTATS_MIB_REASMREQDS] = "ReasmReqds",
	[IPSTATS_MIB_REASMOKS] = "ReasmOKs",
	[IPSTATS_MIB_REASMFAILS] = "ReasmFails",
	[IPSTATS_MIB_FRAGOKS] = "FragOKs",
	[IPSTATS_MIB_FRAGFAILS] = "FragFails",
	[IPSTATS_MIB_FRAGCREATES] = "FragCreates",
	[IPSTATS_MIB_INTRUNCATEDPKTS] = "InTruncatedPkts",
	[IPSTATS_MIB_CSUMERRORS] = "InCsumErrors",
	[IPSTATS_MIB_REASM_OVERLAPS] = "ReasmOverlaps",
	[IPSTATS_MIB_INTOOBIGERRORS] = "InTooBigErrors",
	[LINUX_MIB_IPRPFILTER] = "IPReversePathFilter",
};

static struct ip_state *ip_state(struct node *n)
{
	if (!n->ip) {
		struct ip_state *st = g_new0(struct ip_state, 1);
		st->neigh = g_hash_table_new(g_int64_hash, g_int64_equal);
		st->pending = g_ptr_array_new();
		st->frags = g_ptr_array_new();
		n->ip = st;
	}
	return n->ip;
}

static inline void ip_mib_inc(struct node *n, enum ip_mib m)
{
	ip_state(n)->mib[m]++;
}

uint64_t ip_mib_get(struct node *n, const char *name)
{
	for (unsigned i = 0; i < IPSTATS_MIB_N; i++)
		if (strcmp(ip_mib_names[i], name) == 0)
			return n->ip ? ((struct ip_state *)n->ip)->mib[i] : 0;
	return 0;
}

void ip_mib_summary(struct node *n, GString *o)
{
	g_string_append(o, ", \"ip_stats\": {");
	for (unsigned i = 0; i < IPSTATS_MIB_N; i++)
		g_string_append_printf(o, "%s\"%s\": %" G_GUINT64_FORMAT, i ? ", " : "",
				       ip_mib_names[i],
				       n->ip ? ((struct ip_state *)n->ip)->mib[i] : 0);
	g_string_append_c(o, '}');
}

struct iface *ip_lo(struct node *n)
{
	if (!n->ipv4->lo) {
		struct iface *lo = g_new0(struct iface, 1);
		g_strlcpy(lo->name, "lo", sizeof lo->name);
		lo->node = n;
		lo->up = true;
		lo->mtu = 65536;
		lo->addrs[0].addr = 0x7f000001;
		lo->addrs[0].plen = 8;
		lo->naddrs = 1;
		devconf_iface_init(n, lo);
		n->ipv4->lo = lo;
	}
	return n->ipv4->lo;
}

static inline uint32_t ip_mask(unsigned plen)
{
	return plen ? 0xffffffffu << (32 - plen) : 0;
}

bool ip_addr_is_broadcast_slow(const struct node *n, uint32_t addr)
{
	if (addr == 0xffffffffu)
		return true;
	for (unsigned i = 0; i < n->ifaces->len; i++) {
		const struct iface *ifc = g_ptr_array_index(n->ifaces, i);
		for (unsigned k = 0; k < ifc->naddrs; k++) {
			unsigned plen = ifc->addrs[k].plen;
			if (plen < 31 && addr == (ifc->addrs[k].addr | ~ip_mask(plen)))
				return true;
		}
	}
	return false;
}

bool ip_addr_is_local(const struct node *n, uint32_t addr)
{
	if ((addr >> 24) == 127)
		return true;
	if (node_has_addr(n, addr))
		return true;
	const struct iface *lo = n->ipv4->lo;
	if (lo)
		for (unsigned k = 1; k < lo->naddrs; k++)
			if (lo->addrs[k].addr == addr)
				return true;
	return false;
}

/* ----- packet walk text ----- */


static const char *icmp_unreach_name(uint8_t code)
{
	static const char *const names[] = {
		"net unreachable", "host unreachable", "protocol unreachable",
		"port unreachable", "fragmentation needed", "source route failed",
		"net unknown", "host unknown", "source host isolated",
		"net prohibited", "host prohibited", "net unreachable for TOS",
		"host unreachable for TOS", "administratively prohibited",
	};
	return code < G_N_ELEMENTS(names) ? names[code] : "unreachable";
}

/* The transport part of a summary for an IP header at ip with `len` bytes
 * available; `quoted` for the header inside an ICMP error. */
static void summary_ip(const uint8_t *ip, uint32_t len, bool quoted, GString *s)
{
	if (len < 20) {
		g_string_append(s, "IP (truncated)");
		return;
	}
	unsigned ihl = ip_ihl(ip);
	uint32_t tot = ip_tot_len(ip);
	uint32_t src = ip_src(ip), dst = ip_dst(ip);
	uint16_t frag = rd16(ip + 6);
	const uint8_t *l4 = ip + ihl;
	uint32_t l4len = (tot < len ? tot : len) > ihl ? (tot < len ? tot : len) - ihl : 0;
	if (quoted)
		l4len = len > ihl ? len - ihl : 0;
	uint8_t proto = ip_proto(ip);
	if (frag & IP_OFFSET) {
		g_string_append(s, "IP ");
		nf_inet_append4(s, src);
		g_string_append(s, " > ");
		nf_inet_append4(s, dst);
		g_string_append_printf(s, " proto %u frag id %u off %u%s", proto, rd16(ip + 4),
				       (frag & IP_OFFSET) * 8u, (frag & IP_MF) ? "+" : "");
		return;
	}
	if ((proto == IPPROTO_TCP_ || proto == IPPROTO_UDP_) && l4len >= 4) {
		g_string_append(s, proto == IPPROTO_TCP_ ? "TCP " : "UDP ");
		nf_inet_append4(s, src);
		g_string_append_printf(s, ":%u > ", rd16(l4));
		nf_inet_append4(s, dst);
		g_string_append_printf(s, ":%u", rd16(l4 + 2));
		if (proto == IPPROTO_TCP_ && l4len >= 14) {
			uint8_t f = l4[13];
			g_string_append(s, " [");
			if (f & TCP_SYN) g_string_append_c(s, 'S');
			if (f & TCP_FIN) g_string_append_c(s, 'F');
			if (f & TCP_RST) g_string_append_c(s, 'R');
			if (f & TCP_PSH) g_string_append_c(s, 'P');
			if (f & TCP_URG) g_string_append_c(s, 'U');
			if (f & TCP_ACK) g_string_append_c(s, '.');
			g_string_append_c(s, ']');
			if (!quoted && l4len >= 20) {
				unsigned doff = (l4[12] >> 4) * 4u;
				if (tot > ihl + doff)
					g_string_append_printf(s, " len %u", tot - ihl - doff);
			}
		} else if (proto == IPPROTO_UDP_ && !quoted) {
			g_string_append_printf(s, " len %u", tot > ihl + 8 ? tot - ihl - 8 : 0);
		}
		if (frag & IP_MF)
			g_string_append_printf(s, " frag id %u off 0+", rd16(ip + 4));
		return;
	}
	if (proto == IPPROTO_ICMP_ && l4len >= 4) {
		g_string_append(s, "ICMP ");
		nf_inet_append4(s, src);
		g_string_append(s, " > ");
		nf_inet_append4(s, dst);
		uint8_t type = l4[0], code = l4[1];
		bool err = false;
		switch (type) {
		case ICMP_ECHO:
		case ICMP_ECHOREPLY:
			g_string_append(s, type == ICMP_ECHO ? " echo request" : " echo reply");
			if (l4len >= 8)
				g_string_append_printf(s, " id %u seq %u", rd16(l4 + 4), rd16(l4 + 6));
			break;
		case ICMP_DEST_UNREACH:
			g_string_append_printf(s, " %s", icmp_unreach_name(code));
			if (code == ICMP_FRAG_NEEDED && l4len >= 8)
				g_string_append_printf(s, " mtu %u", rd16(l4 + 6));
			err = true;
			break;
		case ICMP_TIME_EXCEEDED:
			g_string_append(s, code ? " fragment reassembly time exceeded"
					      : " time exceeded in transit");
			err = true;
			break;
		case ICMP_REDIRECT:
			g_string_append(s, " redirect");
			if (l4len >= 8) {
				g_string_append(s, code & 1 ? " host, gateway " : ", gateway ");
				nf_inet_append4(s, rd32(l4 + 4));
			}
			err = true;
			break;
		case ICMP_PARAMETERPROB:
			g_string_append(s, " parameter problem");
			err = true;
			break;
		case ICMP_SOURCE_QUENCH:
			g_string_append(s, " source quench");
			err = true;
			break;
		default:
			g_string_append_printf(s, " type %u code %u", type, code);
			break;
		}
		if (err && !quoted && l4len >= 8 + 20) {
			g_string_append(s, " (");
			summary_ip(l4 + 8, l4len - 8, true, s);
			g_string_append_c(s, ')');
		}
		return;
	}
	g_string_append(s, "IP ");
	nf_inet_append4(s, src);
	g_string_append(s, " > ");
	nf_inet_append4(s, dst);
	g_string_append_printf(s, " proto %u len %u", proto, tot);
}

void packet_summary(const struct packet *p, GString *s)
{
	if (!p->l3 || p->l3 >= p->len) {
		g_string_append_printf(s, "frame len %u", p->len);
		return;
	}
	summary_ip(p->data + p->l3, p->len - p->l3, false, s);
}

static bool ip_tracing(const struct world *w, const struct node *n)
{
	return probe_on(&w->probes, PROBE_WALK) && n->nf;
}

static void ip_trace(struct world *w, const struct node *n, const char *fmt, ...)
	G_GNUC_PRINTF(3, 4);
static void ip_trace(struct world *w, const struct node *n, const char *fmt, ...)
{
	if (!ip_tracing(w, n))
		return;
	va_list ap;
	va_start(ap, fmt);
	char *line = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	probe_fire_walk(&w->probes, line);
	g_free(line);
}

/* The walk's first line of a packet at a router: time, node, id, where
 * it comes from, and the packet. */
static void ip_trace_head(struct world *w, const struct node *n, const struct packet *p,
			  const char *from)
{
	char ts[32];
	GString *s = g_string_new(NULL);
	sim_time_format(w->now, ts);
	g_string_append_printf(s, "[%s] %s packet #%" G_GUINT64_FORMAT " %s", ts, n->name, p->id,
			       from);
	if (n->cpus > 1)	/* which of its CPUs runs it (sim/net/cpu.c) */
		g_string_append_printf(s, " on CPU %u", n->cur_cpu);
	g_string_append(s, ": ");
	packet_summary(p, s);
	probe_fire_walk(&w->probes, s->str);
	g_string_free(s, TRUE);
}

/* kfree_skb_reason: the walk's DROP line and the drop probe say why. */
static void ip_drop_why(struct world *w, struct node *n, struct packet *p, struct ip_drop why)
{
	if (ip_tracing(w, n)) {
		GString *s = g_string_new(NULL);
		ip_drop_text(&why, s);
		ip_trace(w, n, IP_TRACE_STEP "%s", "DROP", "", s->str);
		g_string_free(s, TRUE);
	}
	if (probe_on(&w->probes, PROBE_DROP))
		probe_fire_drop(&w->probes, n, p, &why);
	packet_free(p);
}

static void ip_drop(struct world *w, struct node *n, struct packet *p, enum ip_drop_reason r)
{
	ip_drop_why(w, n, p, (struct ip_drop){ .reason = r });
}

/* ----- netfilter hooks ----- */

static void ip_send_reset(struct world *w, struct node *n, const struct packet *p,
			  enum nf_hook hook);

/* The REJECT target's answer (nf_send_unreach / nf_send_reset). */
static void ip_reject(struct world *w, struct node *n, const struct packet *p,
		      enum nf_hook hook)
{
	static const uint8_t codes[] = {
		[NF_REJECT_ICMP_NET_UNREACH] = ICMP_NET_UNREACH,
		[NF_REJECT_ICMP_HOST_UNREACH] = ICMP_HOST_UNREACH,
		[NF_REJECT_ICMP_PORT_UNREACH] = ICMP_PORT_UNREACH,
		[NF_REJECT_ICMP_PROTO_UNREACH] = ICMP_PROT_UNREACH,
		[NF_REJECT_ICMP_NET_PROHIBITED] = ICMP_NET_ANO,
		[NF_REJECT_ICMP_HOST_PROHIBITED] = ICMP_HOST_ANO,
		[NF_REJECT_ICMP_ADMIN_PROHIBITED] = ICMP_PKT_FILTERED,
	};
	uint8_t with = p->nf.reject_with;
	if (with == NF_REJECT_TCP_RESET)
		ip_send_reset(w, n, p, hook);
	else if (with < G_N_ELEMENTS(codes))
		icmp_send_error(w, n, p, ICMP_DEST_UNREACH, codes[with]);
}

/* nf_hook() with the router's conntrack numbers taken before it, for the
 * hook probe's listeners (--report); out of line, as is the drop below, so
 * that ip_hook's common path keeps a small frame. */
static __attribute__((noinline)) int ip_nf_hook_watched(struct world *w, struct node *n,
							 struct packet *p, enum nf_hook hook,
							 const char *in, const char *out)
{
	struct nf_ct_peek before;

	nf_ct_peek(n->nf, &before);
	int v = nf_hook(n->nf, hook, &p->nf, in, out, w->now);
	probe_fire_hook(&w->probes, n, &before);
	return v;
}

/* A verdict other than NF_ACCEPT: the packet is answered (REJECT),
 * released and dropped with netfilter's reason. */
static __attribute__((noinline)) bool ip_hook_drop(struct world *w, struct node *n,
						   struct packet *p, enum nf_hook hook, int v)
{
	if (v == NF_REJECT)
		ip_reject(w, n, p, hook);
	nf_skb_release(n->nf, &p->nf);
	ip_drop_why(w, n, p, (struct ip_drop){ .reason = IP_DROP_NETFILTER,
					       .nf_reason = p->nf.drop_reason,
					       .hook = (uint8_t)hook });
	return false;
}

/* NF_HOOK(): run one hook; on DROP/REJECT the packet is answered (REJECT),
 * released and freed, and false is returned. Why it was dropped is the
 * reason netfilter left in the packet (p->nf.drop_reason). */
static bool ip_hook(struct world *w, struct node *n, struct packet *p, enum nf_hook hook,
		    const char *in, const char *out)
{
	uint32_t nf_len = p->nf.len;
	p->nf.mac = in ? p->data : NULL;
	int v = probe_on(&w->probes, PROBE_HOOK) ? ip_nf_hook_watched(w, n, p, hook, in, out)
						 : nf_hook(n->nf, hook, &p->nf, in, out, w->now);
	if (p->nf.len != nf_len) /* a NAT helper rewrote the payload */
		p->len = p->len + p->nf.len - nf_len;
	if (v == NF_ACCEPT)
		return true;
	return ip_hook_drop(w, n, p, hook, v);
}

/* --check after POSTROUTING: the invariants and the packet's tuple. */
static void ip_check(struct world *w, struct node *n, struct packet *p)
{
	if (!w->opt.check || !n->nf)
		return;
	GString *why = g_string_new(NULL);
	bool ok = nf_check_invariants(n->nf, w->now, why);
	ok = nf_check_packet(n->nf, &p->nf, why) && ok;
	if (!ok) {
		g_printerr("natsim: --check: %s\n", why->str);
		w->exit_status = 1;
	}
	g_string_free(why, TRUE);
}

/* nf_send_reset: a RST from the rejected segment's destination (TTL 64, id
 * 0, DF): seq = the segment's ack if it has ACK, else RST|ACK acking
 * seq + SYN + FIN + payload. It carries the segment's conntrack entry
 * (nf_ct_attach: RELATED in the other direction, not looked up again at
 * OUTPUT), the entry is closed (nf_ct_set_closing: TCP CLOSE), and it is
 * sent with ip_local_out. */
static void ip_send_reset(struct world *w, struct node *n, const struct packet *p,
			  enum nf_hook hook)
{
	(void)hook;
	const uint8_t *ip = p->nf.ip;
	if (!p->l4 || ip_proto(ip) != IPPROTO_TCP_ || (rd16(ip + 6) & IP_OFFSET))
		return;
	if (!l4_csum_ok(ip, ip_tot_len(ip)))
		return;
	const uint8_t *th = p->data + p->l4;
	uint8_t flags = th[13];
	if (flags & TCP_RST)
		return;
	uint32_t dst = ip_dst(ip);
	if (ip_addr_is_broadcast(n, dst) || (dst >> 28) == 14)
		return;
	unsigned ihl = ip_ihl(ip), doff = (th[12] >> 4) * 4u;
	uint32_t seq = 0, ack = 0;
	uint8_t rflags = TCP_RST;
	if (flags & TCP_ACK) {
		seq = rd32(th + 8);
	} else {
		ack = rd32(th + 4) + !!(flags & TCP_SYN) + !!(flags & TCP_FIN) +
		      (ip_tot_len(ip) - ihl - doff);
		rflags |= TCP_ACK;
	}
	struct packet *r = build_tcp(dst, ip_src(ip), rd16(th + 2), rd16(th), seq, ack, rflags, 0,
				     NULL, 0, 0, 0);
	if (!r)
		return;
	if (n->nf) {
		nf_ct_attach(&r->nf, &p->nf);
		nf_ct_set_closing(n->nf, &p->nf, w->now);
	}
	ip_local_out(w, n, r);
}

/* ----- neighbour output ----- */

static bool iface_owns(const struct iface *t, uint32_t addr)
{
	for (unsigned k = 0; k < t->naddrs; k++)
		if (t->addrs[k].addr == addr)
			return true;
	return false;
}

/* The interface on out's layer-2 segment owning addr (the ARP answer), or
 * NULL. First in declaration order if several claim it. */
static struct iface *ip_neigh_resolve(struct world *w, struct node *n, struct iface *out,
				      uint32_t addr)
{
	if (!out->link)
		return NULL;
	uint64_t key = (uint64_t)out->segment << 32 | addr;
	struct iface *t = out->neigh;
	if (t && out->neigh_key == key && t->link && t->segment == out->segment &&
	    iface_owns(t, addr))
		return t;
	struct ip_state *st = ip_state(n);
	t = g_hash_table_lookup(st->neigh, &key);
	if (t && t->link && t->segment == out->segment && iface_owns(t, addr)) {
		out->neigh_key = key;
		out->neigh = t;
		return t;
	}
	t = NULL;
	for (unsigned i = 0; i < w->nodes->len && !t; i++) {
		struct node *m = g_ptr_array_index(w->nodes, i);
		if (m->kind == NODE_SWITCH)
			continue;
		for (unsigned j = 0; j < m->ifaces->len; j++) {
			struct iface *c = g_ptr_array_index(m->ifaces, j);
			if (c != out && c->link && c->segment == out->segment && iface_owns(c, addr)) {
				t = c;
				break;
			}
		}
	}
	if (t) {
		uint64_t *k = g_new(uint64_t, 1);
		*k = key;
		g_hash_table_replace(st->neigh, k, t);
		out->neigh_key = key;
		out->neigh = t;
	}
	return t;
}

bool ip_neigh_valid(struct world *w, struct node *n, struct iface *out, uint32_t addr)
{
	return ip_neigh_resolve(w, n, out, addr) != NULL;
}

/* Move the IP datagram right behind a plain Ethernet header (a received
 * 802.1Q tag is not forwarded: natsim has no VLAN devices). */
static void ip_frame_untag(struct packet *p)
{
	if (p->l3 == ETH_HLEN)
		return;
	uint32_t tot = p->len - p->l3;
	memmove(p->data + ETH_HLEN, p->data + p->l3, tot);
	if (p->l4)
		p->l4 = (uint16_t)(p->l4 - (p->l3 - ETH_HLEN));
	p->l3 = ETH_HLEN;
	p->len = ETH_HLEN + tot;
	wr16(p->data + 12, ETH_P_IP);
	p->nf.ip = p->data + ETH_HLEN;
}

/* The frame leaves: its conntrack reference goes (the kernel's veth scrubs
 * it on transmit). */
static void ip_transmit(struct world *w, struct node *n, struct packet *p, struct iface *out,
			const mac_addr *dst)
{
	if (n->nf)
		nf_skb_release(n->nf, &p->nf);
	memcpy(p->data, dst->b, 6);
	memcpy(p->data + 6, out->mac.b, 6);
	if (ip_tracing(w, n)) {
		GString *s = g_string_new(NULL);
		g_string_append_printf(s, IP_TRACE_STEP, "leaves", out->name);
		packet_summary(p, s);
		probe_fire_walk(&w->probes, s->str);
		g_string_free(s, TRUE);
	}
	if (probe_on(&w->probes, PROBE_TX))
		probe_fire_packet(&w->probes, PROBE_TX, n, out, p);
	link_transmit(w, out, p);
}

/* An skb's truesize for the queue limit: data rounded to 64 bytes plus
 * struct skb_shared_info and struct sk_buff (SKB_TRUESIZE on x86-64). */
static uint32_t ip_truesize(uint32_t len)
{
	return ((len + 64 + 63) & ~63u) + 320 + 256;
}

static void ip_neigh_probe_ev(struct world *w, void *arg, uint64_t u);

/* Free a packet parked in the stack (a neighbour queue, the loopback),
 * letting go of its conntrack entry. */
static void ip_park_drop(struct node *n, struct packet *p)
{
	if (n->nf)
		nf_skb_release(n->nf, &p->nf);
	packet_free(p);
}

static void ip_pending_remove(struct node *n, struct neigh_pending *np)
{
	struct ip_state *st = ip_state(n);
	g_ptr_array_remove(st->pending, np);
	g_free(np);
}

/* __neigh_event_send on an unresolved neighbour: queue within
 * unres_qlen_bytes (the oldest are discarded) and start probing. */
static void ip_neigh_hold(struct world *w, struct node *n, struct packet *p, struct iface *out,
			  uint32_t nexthop)
{
	struct ip_state *st = ip_state(n);
	struct neigh_pending *np = NULL;
	for (unsigned i = 0; i < st->pending->len; i++) {
		struct neigh_pending *c = g_ptr_array_index(st->pending, i);
		if (c->out == out && c->nexthop == nexthop) {
			np = c;
			break;
		}
	}
	if (!np) {
		np = g_new0(struct neigh_pending, 1);
		np->n = n;
		np->out = out;
		np->nexthop = nexthop;
		g_ptr_array_add(st->pending, np);
		world_at(w, w->now + NEIGH_RETRANS, ip_neigh_probe_ev, np, 0);
	}
	uint32_t ts = ip_truesize(p->len);
	while (np->head && np->bytes + ts > NEIGH_QUEUE_BYTES) {
		struct packet *old = np->head;
		np->head = old->next;
		if (!np->head)
			np->tail = NULL;
		np->bytes -= ip_truesize(old->len);
		ip_park_drop(n, old);
	}
	/* the queued skb keeps its conntrack entry (use=2 meanwhile), which
	 * the host unreachable error of a failed resolution carries */
	if (n->nf)
		nf_skb_hold(n->nf, &p->nf);
	p->next = NULL;
	if (np->tail)
		np->tail->next = p;
	else
		np->head = p;
	np->tail = p;
	np->bytes += ts;
	if (ip_tracing(w, n)) {
		char a[16];
		nf_inet_ntop4(nexthop, a);
		ip_trace(w, n, IP_TRACE_STEP "%s unresolved: packet queued (ARP probes)",
			 "neighbour", out->name, a);
	}
}

/* neigh_timer_handler for NUD_INCOMPLETE: each second a probe; an answer
 * (the address appeared on the segment) flushes the queue; after the last
 * probe, neigh_invalidate reports every queued packet. */
static void ip_neigh_probe_ev(struct world *w, void *arg, uint64_t u)
{
	(void)u;
	struct neigh_pending *np = arg;
	struct node *n = np->n;
	np->probes++;
	struct iface *t = np->out->up ? ip_neigh_resolve(w, n, np->out, np->nexthop) : NULL;
	if (t) {
		while (np->head) {
			struct packet *p = np->head;
			np->head = p->next;
			p->next = NULL;
			ip_transmit(w, n, p, np->out, &t->mac);
		}
		ip_pending_remove(n, np);
		return;
	}
	if (np->probes < NEIGH_PROBES) {
		world_at(w, w->now + NEIGH_RETRANS, ip_neigh_probe_ev, np, 0);
		return;
	}
	struct packet *q = np->head;
	struct iface *out = np->out;
	uint32_t nexthop = np->nexthop;
	np->head = np->tail = NULL;
	ip_pending_remove(n, np); /* frees np */
	while (q) {
		struct packet *p = q;
		q = p->next;
		p->next = NULL;
		if (ip_tracing(w, n)) {
			char a[16];
			nf_inet_ntop4(nexthop, a);
			ip_trace_head(w, n, p, "waited 3 s for a neighbour");
			ip_trace(w, n, IP_TRACE_STEP "%s unresolved after %u probes: ICMP host "
				 "unreachable sent", "neighbour", out->name, a, NEIGH_PROBES);
		}
		if (probe_on(&w->probes, PROBE_DROP))
			probe_fire_drop(&w->probes, n, p,
					&(struct ip_drop){ .reason = IP_DROP_NEIGH_FAILED });
		/* ipv4_link_failure -> icmp_send: the error carries the queued
		 * packet's entry (nf_ct_attach), so it is de-NATed back to the
		 * original sender even if the entry expired meanwhile */
		icmp_send_error(w, n, p, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH);
		ip_park_drop(n, p);
	}
}

void ip_iface_down(struct node *n, struct iface *ifc)
{
	if (!n->ip)
		return;
	struct ip_state *st = n->ip;
	for (unsigned i = st->pending->len; i-- > 0;) {
		struct neigh_pending *np = g_ptr_array_index(st->pending, i);
		if (np->out != ifc)
			continue;
		while (np->head) {
			struct packet *p = np->head;
			np->head = p->next;
			ip_park_drop(n, p);
		}
		np->tail = NULL;
		np->bytes = 0;
		/* the probe event stays scheduled and ends the entry */
	}
}

/* ip_finish_output2 -> neigh_output: fill the MACs and transmit, or wait for
 * the neighbour. Broadcasts go to ff:ff:ff:ff:ff:ff. */
static void ip_neigh_output(struct world *w, struct node *n, struct packet *p,
			    struct iface *out, uint32_t nexthop)
{
	ip_frame_untag(p);
	bool bcast = nexthop == 0xffffffffu;
	for (unsigned k = 0; k < out->naddrs && !bcast; k++) {
		unsigned plen = out->addrs[k].plen;
		bcast = plen < 31 && nexthop == (out->addrs[k].addr | ~ip_mask(plen));
	}
	if (bcast) {
		static const mac_addr bc = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
		ip_transmit(w, n, p, out, &bc);
		return;
	}
	struct iface *t = ip_neigh_resolve(w, n, out, nexthop);
	if (t)
		ip_transmit(w, n, p, out, &t->mac);
	else
		ip_neigh_hold(w, n, p, out, nexthop);
}

/* ----- fragmentation (ip_do_fragment, slow path) ----- */

/* ip_options_fragment: options without the copied flag become NOOPs in
 * every fragment after the first. */
static void ip_options_fragment(uint8_t *ip)
{
	unsigned ihl = ip_ihl(ip);
	unsigned i = 20;
	while (i < ihl) {
		uint8_t t = ip[i];
		if (t == 0)
			break;
		if (t == 1) {
			i++;
			continue;
		}
		if (i + 1 >= ihl)
			break;
		unsigned olen = ip[i + 1];
		if (olen < 2 || i + olen > ihl)
			break;
		if (!(t & 0x80))
			memset(ip + i, 1, olen);
		i += olen;
	}
}

static void ip_fragment(struct world *w, struct node *n, struct packet *p, struct iface *out,
			uint32_t nexthop)
{
	uint8_t *ip = pkt_ip(p);
	unsigned hlen = ip_ihl(ip);
	uint32_t tot = ip_tot_len(ip);
	uint16_t frag = rd16(ip + 6);
	uint32_t base = (frag & IP_OFFSET) * 8u;
	bool more = frag & IP_MF;
	uint32_t mtu = out->mtu;
	if (p->frag_max && p->frag_max < mtu)
		mtu = p->frag_max; /* ip_do_fragment: IPCB(skb)->frag_max_size */
	uint32_t left = tot - hlen, ptr = hlen;
	uint8_t hdr[60];
	memcpy(hdr, ip, hlen);
	ip_trace(w, n, IP_TRACE_STEP "%u bytes into fragments for mtu %u", "fragment", out->name,
		 tot, mtu);
	while (left > 0) {
		uint32_t len = left;
		if (len > mtu - hlen)
			len = mtu - hlen;
		if (len < left)
			len &= ~7u;
		struct packet *f = packet_new(ETH_HLEN + hlen + len);
		memcpy(f->data, p->data, 12);
		wr16(f->data + 12, ETH_P_IP);
		uint8_t *fi = f->data + ETH_HLEN;
		memcpy(fi, hdr, hlen);
		memcpy(fi + hlen, ip + ptr, len);
		uint16_t off = (uint16_t)((base + ptr - hlen) >> 3);
		if (left - len > 0 || more)
			off |= IP_MF;
		wr16(fi + 6, (uint16_t)(off | (frag & IP_DF)));
		wr16(fi + 2, (uint16_t)(hlen + len));
		ip_csum_set(fi);
		f->l3 = ETH_HLEN;
		f->l4 = ptr == hlen && (frag & IP_OFFSET) == 0 ? (uint16_t)(ETH_HLEN + hlen) : 0;
		f->id = p->id;
		f->nf.ip = fi;
		f->nf.len = hlen + len;
		/* each fragment carries the datagram's entry (ip_copy_metadata's
		 * nf_copy): a parked one holds it on its own */
		f->nf.ct = p->nf.ct;
		f->nf.ctinfo = p->nf.ctinfo;
		f->nf.ct_borrowed = p->nf.ct != NULL;
		if (ptr == hlen)
			ip_options_fragment(hdr);
		ptr += len;
		left -= len;
		ip_mib_inc(n, IPSTATS_MIB_FRAGCREATES);
		ip_neigh_output(w, n, f, out, nexthop);
	}
	ip_mib_inc(n, IPSTATS_MIB_FRAGOKS);
	if (n->nf)
		nf_skb_release(n->nf, &p->nf);
	packet_free(p);
}

/* ip_finish_output: after POSTROUTING. --check, then fragment (ip_fragment:
 * DF set -> FRAG_NEEDED to the sender, which for the node's own packets
 * loops back to its socket) and hand to the neighbour layer. The packet
 * keeps its conntrack entry until it is transmitted or dropped. */
static void ip_finish_output(struct world *w, struct node *n, struct packet *p,
			     struct iface *out, uint32_t nexthop)
{
	if (n->nf)
		ip_check(w, n, p);
	uint8_t *ip = pkt_ip(p);
	/* a datagram conntrack reassembled leaves as fragments no larger than
	 * the largest one that arrived (ip_finish_output: frag_max_size) */
	if (ip_tot_len(ip) > out->mtu || (p->frag_max && ip_tot_len(ip) > p->frag_max)) {
		if ((rd16(ip + 6) & IP_DF) && !(p->frag_max && p->frag_max <= out->mtu)) {
			ip_mib_inc(n, IPSTATS_MIB_FRAGFAILS);
			icmp_send_error_info(w, n, p, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, out->mtu);
			if (n->nf)
				nf_skb_release(n->nf, &p->nf);
			ip_drop(w, n, p, IP_DROP_FRAG_NEEDED);
			return;
		}
		ip_fragment(w, n, p, out, nexthop);
		return;
	}
	ip_neigh_output(w, n, p, out, nexthop);
}

/* ----- reassembly (ip_defrag, net/ipv4/ip_fragment.c) ----- */

#define IPFRAG_HIGH_THRESH (4u << 20)	/* net.ipv4.ipfrag_high_thresh */

/* Who reassembles (the kernel's enum ip_defrag_users): the local stack
 * before LOCAL_IN, or nf_defrag_ipv4 before conntrack at PREROUTING. Each
 * has its own queues. */
enum frag_user { FRAG_USER_LOCAL_DELIVER, FRAG_USER_CONNTRACK_IN };

/* One datagram being reassembled: fragments kept sorted by offset. */
struct frag_queue {
	struct node *n;
	uint32_t src, dst;
	uint16_t id;
	uint8_t proto;
	uint8_t user;		/* enum frag_user */
	bool done;		/* completed or dropped; freed by its timer */
	bool have_last;
	uint32_t total;		/* payload length, known once the last arrived */
	uint32_t max_size;	/* largest fragment (tot_len), for frag_max_size */
	uint32_t max_df_size;	/* largest fragment with DF set */
	uint32_t mem;		/* truesize of the queued fragments */
	struct packet *head;	/* fragments by offset (p->next) */
};

static uint32_t frag_off_bytes(struct packet *p)
{
	return (rd16(pkt_ip(p) + 6) & IP_OFFSET) * 8u;
}

static uint32_t frag_len(struct packet *p)
{
	uint8_t *ip = pkt_ip(p);
	return ip_tot_len(ip) - ip_ihl(ip);
}

static void frag_queue_clear(struct frag_queue *fq)
{
	while (fq->head) {
		struct packet *p = fq->head;
		fq->head = p->next;
		packet_free(p);
	}
	if (fq->n->ip)
		ip_state(fq->n)->frag_mem -= fq->mem;
	fq->mem = 0;
	fq->done = true;
}

/* inet_frag_kill + ReasmFails: the queue and every fragment in it go. */
static void frag_queue_fail(struct frag_queue *fq)
{
	frag_queue_clear(fq);
	ip_mib_inc(fq->n, IPSTATS_MIB_REASMFAILS);
}

/* ip_expire: after ipfrag_time an incomplete datagram is dropped
 * (ReasmFails, ReasmTimeout), with ICMP time exceeded (fragment
 * reassembly) if its first fragment arrived - but only by its destination:
 * conntrack's defrag on a router drops a forwarded one silently
 * (frag_expire_skip_icmp). */
static void ip_frag_expire_ev(struct world *w, void *arg, uint64_t u)
{
	(void)u;
	struct frag_queue *fq = arg;
	struct node *n = fq->n;
	if (!fq->done) {
		ip_mib_inc(n, IPSTATS_MIB_REASMFAILS);
		ip_mib_inc(n, IPSTATS_MIB_REASMTIMEOUT);
		bool skip = fq->user == FRAG_USER_CONNTRACK_IN && !ip_addr_is_local(n, fq->dst);
		if (fq->head && frag_off_bytes(fq->head) == 0 && !skip)
			icmp_send_error(w, n, fq->head, ICMP_TIME_EXCEEDED, 1);
		char src[NF_INET_ADDRSTRLEN];

		nf_inet_ntop4(fq->src, src);
		ip_trace(w, n, IP_TRACE_STEP "incomplete datagram id %u from %s expired after %u s",
			 "defrag", "", fq->id, src, n->ipv4->ipfrag_time);
	}
	frag_queue_clear(fq);
	g_ptr_array_remove(ip_state(n)->frags, fq);
	g_free(fq);
}

/* Build the datagram from a complete queue (ip_frag_reasm): the first
 * fragment's header, DF set if the largest fragment had it
 * (IPSKB_FRAG_PMTU), frag_max_size the largest fragment. NULL if the
 * result would exceed 65535 bytes ("Oversized IP packet"). */
static struct packet *ip_frag_reasm(struct frag_queue *fq)
{
	struct packet *first = fq->head;
	uint8_t *fip = pkt_ip(first);
	unsigned hlen = ip_ihl(fip);
	if (hlen + fq->total > 65535)
		return NULL;
	struct packet *r = packet_new(ETH_HLEN + hlen + fq->total);
	memcpy(r->data, first->data, 12);
	wr16(r->data + 12, ETH_P_IP);
	uint8_t *ip = r->data + ETH_HLEN;
	memcpy(ip, fip, hlen);
	for (struct packet *f = fq->head; f; f = f->next) {
		uint8_t *x = pkt_ip(f);
		memcpy(ip + hlen + frag_off_bytes(f), x + ip_ihl(x), frag_len(f));
	}
	wr16(ip + 2, (uint16_t)(hlen + fq->total));
	wr16(ip + 6, fq->max_df_size == fq->max_size ? IP_DF : 0);
	ip_csum_set(ip);
	r->id = first->id;
	r->l3 = ETH_HLEN;
	if (!packet_parse(r)) {
		packet_free(r);
		return NULL;
	}
	r->nf.ip = ip;
	r->nf.len = hlen + fq->total;
	r->frag_max = (uint16_t)fq->max_size;
	return r;
}

/* ip_defrag -> ip_frag_queue -> inet_frag_queue_insert: takes the fragment;
 * returns the whole datagram once complete, else NULL. As the kernel:
 * a non-last fragment's payload is cut to a multiple of 8; a last fragment
 * that disagrees with the known end, data past the end, or an empty
 * fragment kills the queue (ReasmFails); a fragment inside data already
 * queued is a duplicate and ignored; any other overlap kills the queue
 * (ReasmOverlaps, RFC 5722 style, since 4.19); past ipfrag_high_thresh of
 * queued memory a fragment is refused (ReasmFails). */
static struct packet *ip_defrag(struct world *w, struct node *n, struct packet *p,
				enum frag_user user)
{
	struct ip_state *st = ip_state(n);
	uint8_t *ip = pkt_ip(p);
	ip_mib_inc(n, IPSTATS_MIB_REASMREQDS);
	struct frag_queue *fq = NULL;
	for (unsigned i = 0; i < st->frags->len; i++) {
		struct frag_queue *c = g_ptr_array_index(st->frags, i);
		if (!c->done && c->src == ip_src(ip) && c->dst == ip_dst(ip) &&
		    c->id == rd16(ip + 4) && c->proto == ip_proto(ip) && c->user == user) {
			fq = c;
			break;
		}
	}
	uint32_t ts = ip_truesize(p->len);
	if (st->frag_mem + ts > IPFRAG_HIGH_THRESH) {
		ip_mib_inc(n, IPSTATS_MIB_REASMFAILS);
		ip_drop(w, n, p, IP_DROP_FRAG_MEM);
		return NULL;
	}
	if (!fq) {
		fq = g_new0(struct frag_queue, 1);
		fq->n = n;
		fq->src = ip_src(ip);
		fq->dst = ip_dst(ip);
		fq->id = rd16(ip + 4);
		fq->proto = ip_proto(ip);
		fq->user = (uint8_t)user;
		g_ptr_array_add(st->frags, fq);
		world_at(w, w->now + (sim_time)n->ipv4->ipfrag_time * SIM_S, ip_frag_expire_ev, fq, 0);
	}
	uint32_t off = frag_off_bytes(p), len = frag_len(p);
	uint16_t fo = rd16(ip + 6);
	bool last = !(fo & IP_MF);
	if (!last && (len & 7)) {
		/* "not a multiple of 8 bytes": the tail is ignored */
		len &= ~7u;
		wr16(ip + 2, (uint16_t)(ip_ihl(ip) + len));
	}
	uint32_t end = off + len;
	if ((last && (end < fq->total || (fq->have_last && end != fq->total))) ||
	    (!last && fq->have_last && end > fq->total) || end == off) {
		frag_queue_fail(fq);
		ip_drop(w, n, p, IP_DROP_FRAG_INCONSISTENT);
		return NULL;
	}
	/* where it goes, and the contiguous run of data around it */
	struct packet **pp = &fq->head;
	while (*pp && frag_off_bytes(*pp) + frag_len(*pp) <= off)
		pp = &(*pp)->next;
	if (*pp && frag_off_bytes(*pp) < end) {
		/* overlaps *pp: a duplicate if [off, end) lies within the run of
		 * contiguous fragments starting at or before it */
		uint32_t run_start = frag_off_bytes(*pp), run_end = run_start + frag_len(*pp);
		for (struct packet *f = (*pp)->next; f && frag_off_bytes(f) == run_end; f = f->next)
			run_end += frag_len(f);
		if (off >= run_start && end <= run_end) {
			ip_drop(w, n, p, IP_DROP_FRAG_DUP);
			return NULL;
		}
		ip_mib_inc(n, IPSTATS_MIB_REASM_OVERLAPS);
		frag_queue_fail(fq);
		ip_drop(w, n, p, IP_DROP_FRAG_OVERLAP);
		return NULL;
	}
	p->next = *pp;
	*pp = p;
	fq->mem += ts;
	st->frag_mem += ts;
	uint32_t size = ip_tot_len(ip);
	if (size > fq->max_size)
		fq->max_size = size;
	if ((fo & IP_DF) && size > fq->max_df_size)
		fq->max_df_size = size;
	if (last) {
		fq->have_last = true;
		fq->total = end;
	} else if (end > fq->total) {
		fq->total = end;
	}
	if (!fq->have_last)
		return NULL;
	uint32_t covered = 0;
	for (struct packet *f = fq->head; f; f = f->next) {
		if (frag_off_bytes(f) != covered)
			return NULL;
		covered += frag_len(f);
	}
	if (covered != fq->total)
		return NULL;
	struct packet *r = ip_frag_reasm(fq);
	frag_queue_clear(fq);
	if (!r) {
		ip_mib_inc(n, IPSTATS_MIB_REASMFAILS);
		ip_trace(w, n, IP_TRACE_STEP "oversized IP packet, dropped", "defrag", "");
		return NULL;
	}
	ip_mib_inc(n, IPSTATS_MIB_REASMOKS);
	return r;
}

/* ----- input ----- */

static void ip_lo_rcv_ev(struct world *w, void *arg, uint64_t u)
{
	struct node *n = g_ptr_array_index(w->nodes, u);
	ip_rcv(w, n, ip_lo(n), arg);
}

/* ip_local_deliver -> ip_local_deliver_finish -> ip_protocol_deliver_rcu. */
static void ip_local_deliver(struct world *w, struct node *n, struct iface *in,
			     struct packet *p)
{
	uint8_t *ip = pkt_ip(p);
	if (rd16(ip + 6) & (IP_MF | IP_OFFSET)) {
		/* ip_defrag comes before LOCAL_IN (fragments that reach it
		 * crossed PREROUTING alone: conntrack is not loaded) */
		if (n->nf)
			nf_skb_release(n->nf, &p->nf);
		p = ip_defrag(w, n, p, FRAG_USER_LOCAL_DELIVER);
		if (!p)
			return;
		ip_trace(w, n, IP_TRACE_STEP "reassembled %u bytes", "defrag", "",
			 ip_tot_len(pkt_ip(p)));
	}
	if (n->nf) {
		if (!ip_hook(w, n, p, NF_INET_LOCAL_IN, in->name, NULL))
			return;
		nf_skb_release(n->nf, &p->nf);
	}
	ip_trace(w, n, IP_TRACE_STEP "to the router's own stack", "delivered", "local");
	ip_mib_inc(n, IPSTATS_MIB_INDELIVERS);
	ip = pkt_ip(p);
	if (ip_proto(ip) == IPPROTO_ICMP_) { /* the stack's own */
		icmp_rcv(w, n, p);
		return;
	}
	/* ip_protocol_deliver_rcu: the registered transport (protocol.h) */
	const struct net_protocol *prot = inet_protocol(ip_proto(ip));
	if (prot && prot->handler) {
		prot->handler(w, n, p);
		return;
	}
	icmp_send_error(w, n, p, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH);
	ip_drop(w, n, p, IP_DROP_PROTO_UNREACH);
}

/* A source fib_validate_source refused (ip_route_input_slow's
 * martian_source): logged with log_martians, counted when rp_filter refused
 * it (IPReversePathFilter), dropped. */
static void ip_martian_source(struct world *w, struct node *n, struct iface *in,
			      struct packet *p, int why)
{
	uint8_t *ip = pkt_ip(p);
	ip_handle_martian_source(w, n, in, p, ip_dst(ip), ip_src(ip));
	if (why == FIB_SRC_RPF)
		ip_mib_inc(n, LINUX_MIB_IPRPFILTER);
	if (n->nf)
		nf_skb_release(n->nf, &p->nf);
	ip_drop(w, n, p, why == FIB_SRC_RPF ? IP_DROP_MARTIAN_SOURCE_RPF
		: ip_addr_is_local(n, ip_src(ip)) ? IP_DROP_MARTIAN_SOURCE_LOCAL
		: IP_DROP_MARTIAN_SOURCE);
}

/* ip_forward: TTL, DF/MTU, TTL decrement, ICMP redirect, FORWARD, ip_output's
 * POSTROUTING. The route (and so `out`) is decided before, with the source
 * check of __mkroute_input (martian source, rp_filter, and whether the
 * sender earns a redirect). */
static void ip_forward(struct world *w, struct node *n, struct iface *in, struct packet *p)
{
	uint8_t *ip = pkt_ip(p);
	uint32_t dst = ip_dst(ip);
	const struct route *r;
	if (__builtin_expect(n->ipv4->rules != NULL, 0)) {
		/* ip_route_input_slow's key: the mark PREROUTING left */
		struct flowi4 fl = { .daddr = dst, .saddr = ip_src(ip), .mark = p->nf.mark,
				     .iif = in->name };
		r = fib_lookup(n, &fl, NULL);
	} else {
		r = route_lookup(n, dst);
	}
	if (!r) {
		ip_trace(w, n, IP_TRACE_STEP "no route to the destination", "routing", "");
		ip_state(n)->out_no_routes++;
		ip_mib_inc(n, IPSTATS_MIB_INADDRERRORS);
		if (icmp_ip_error_allow(w, n, ip_src(ip)))
			icmp_send_error(w, n, p, ICMP_DEST_UNREACH, ICMP_NET_UNREACH);
		nf_skb_release(n->nf, &p->nf);
		ip_drop(w, n, p, IP_DROP_NO_ROUTE_HOST);
		return;
	}
	struct iface *out = route_out_dev(n, r);
	uint32_t gw = route_gateway(n, r, dst, w->now);
	uint32_t nexthop = gw ? gw : dst;
	if (ip_tracing(w, n)) {
		char g[16], pf[16];
		nf_inet_ntop4(r->gw, g);
		nf_inet_ntop4(r->prefix, pf);
		if (r->gw)
			ip_trace(w, n, IP_TRACE_STEP "forward: route %s/%u via %s dev %s", "routing", "",
				 pf, r->plen, g, out->name);
		else
			ip_trace(w, n, IP_TRACE_STEP "forward: route %s/%u dev %s (on link)", "routing",
				 "", pf, r->plen, out->name);
		if (gw != r->gw) {
			nf_inet_ntop4(gw, g);
			ip_trace(w, n, IP_TRACE_STEP "an ICMP redirect said: via %s instead", "routing",
				 "", g);
		}
	}
	int valid = fib_validate_source(n, ip_src(ip), in, out);
	if (valid < 0) {
		ip_martian_source(w, n, in, p, valid);
		return;
	}
	bool redirect = ip_route_do_redirect(n, in, out, valid, ip_src(ip), r->gw);
	if (ip_ttl(ip) <= 1) {
		ip_mib_inc(n, IPSTATS_MIB_INHDRERRORS); /* too_many_hops */
		icmp_send_error(w, n, p, ICMP_TIME_EXCEEDED, 0);
		nf_skb_release(n->nf, &p->nf);
		ip_drop(w, n, p, IP_DROP_TTL);
		return;
	}
	/* ip_exceeds_mtu: a datagram conntrack reassembled is judged by its
	 * largest fragment */
	if (ip_tot_len(ip) > out->mtu && (rd16(ip + 6) & IP_DF) &&
	    (!p->frag_max || p->frag_max > out->mtu)) {
		ip_mib_inc(n, IPSTATS_MIB_FRAGFAILS);
		icmp_send_error_info(w, n, p, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, out->mtu);
		nf_skb_release(n->nf, &p->nf);
		ip_drop(w, n, p, IP_DROP_FRAG_NEEDED);
		return;
	}
	/* ip_decrease_ttl: RFC 1624 incremental update of the checksum */
	uint32_t check = rd16(ip + 10) + 0x0100u;
	wr16(ip + 10, (uint16_t)(check + (check >= 0xffff)));
	ip[8]--;
	if (redirect) {
		/* it leaves by the interface it came in on, to a next hop the
		 * sender could reach itself (IPSKB_DOREDIRECT) */
		if (ip_tracing(w, n)) {
			char s[16], g[16];
			nf_inet_ntop4(ip_src(ip), s);
			nf_inet_ntop4(nexthop, g);
			ip_trace(w, n, IP_TRACE_STEP "back out %s, the way it came: ICMP redirect to "
				 "%s, gateway %s (send_redirects)", "redirect", "", out->name, s, g);
		}
		ip_rt_send_redirect(w, n, p, in, out, nexthop);
		if (ip_tracing(w, n))
			ip_trace_head(w, n, p, "continues");
	}
	/* ip_forward: skb->priority = rt_tos2priority(iph->tos), the
	 * ip_tos2prio table (TC_PRIO_BESTEFFORT 0, BULK 2, INTERACTIVE_BULK
	 * 4, INTERACTIVE 6) by the TOS bits */
	static const uint8_t tos2prio[16] = { 0, 0, 0, 0, 2, 2, 2, 2, 6, 6, 6, 6, 4, 4, 4, 4 };
	p->nf.priority = tos2prio[(ip[1] & 0x1e) >> 1];
	if (!ip_hook(w, n, p, NF_INET_FORWARD, in->name, out->name))
		return;
	ip_mib_inc(n, IPSTATS_MIB_OUTFORWDATAGRAMS);
	if (!ip_hook(w, n, p, NF_INET_POST_ROUTING, in->name, out->name))
		return;
	ip_finish_output(w, n, p, out, nexthop);
}

/* Martian addresses ip_route_input_slow drops (ip_route_input_noref); the
 * loopback ones, which route_localnet allows, are route_localnet.c's. */
static bool ip_martian(uint32_t src, uint32_t dst)
{
	if ((src >> 28) == 14 || src == 0xffffffffu)
		return true;
	if (src == 0 && dst != 0xffffffffu)
		return true;
	if (dst == 0)
		return true;
	return false;
}

/* Which counter ip_rcv_core moves for a frame packet_parse refused: a short
 * or bad header InHdrErrors, a bad checksum InCsumErrors (and
 * InHdrErrors), a total length past the frame InTruncatedPkts. */
static enum ip_mib ip_rcv_bad_counter(const struct packet *p)
{
	uint32_t off = ETH_HLEN;
	if (p->len >= ETH_HLEN + 4 && rd16(p->data + 12) == ETH_P_8021Q)
		off += 4;
	if (p->len < off + 20)
		return IPSTATS_MIB_INHDRERRORS;
	const uint8_t *ip = p->data + off;
	uint32_t avail = p->len - off;
	unsigned ihl = ip_ihl(ip);
	if ((ip[0] >> 4) != 4 || ihl < 20 || ihl > avail)
		return IPSTATS_MIB_INHDRERRORS;
	if (!ip_csum_ok(ip))
		return IPSTATS_MIB_CSUMERRORS;
	if (ip_tot_len(ip) > avail)
		return IPSTATS_MIB_INTRUNCATEDPKTS;
	return IPSTATS_MIB_INHDRERRORS;
}

/* The ingress hook of an nft flowtable (nf_flow_offload_ip_hook, before
 * ip_rcv): a packet of an offloaded flow comes back rewritten (NAT, TTL
 * - 1) with the device it leaves by, and goes to its next hop without
 * ip_rcv's counters and the hooks. Out of line, and called only when the
 * namespace has flows (nf_flow_offload_any). */
static __attribute__((noinline)) bool ip_flow_ingress(struct world *w, struct node *n,
						      struct iface *ifc, struct packet *p)
{
	uint8_t *ip = pkt_ip(p);
	const char *outname = NULL;
	uint8_t before[40];	/* the headers as they came, for the walk */
	size_t hl = ip_tot_len(ip) < sizeof(before) ? ip_tot_len(ip) : sizeof(before);
	bool tracing = ip_tracing(w, n);
	if (tracing)
		memcpy(before, ip, hl);
	if (!nf_flow_offload_ip_hook(n->nf, ip, (uint32_t)(p->len - p->l3), ifc->name, w->now,
				     &outname))
		return false;
	/* a received skb: no conntrack entry, no mark (the flow's own
	 * reference is not the packet's) */
	p->len = p->l3 + ip_tot_len(ip);
	p->nf.ip = ip;
	p->nf.len = ip_tot_len(ip);
	p->nf.ct = NULL;
	p->nf.ctinfo = 0;
	p->nf.ct_borrowed = 0;
	p->nf.ct_held = 0;
	p->nf.mark = 0;
	p->nf.priority = 0;
	p->nf.reject_with = 0;
	p->nf.sk = NF_SK_NONE;
	struct iface *out = iface_find(n, outname);
	if (tracing) {
		char from[48];
		uint8_t after[40];
		memcpy(after, ip, hl);
		memcpy(ip, before, hl);
		snprintf(from, sizeof from, "in %s", ifc->name);
		ip_trace_head(w, n, p, from);
		memcpy(ip, after, hl);
		ip_trace(w, n, IP_TRACE_STEP "flowtable: offloaded flow, out %s (the hooks are "
			 "skipped)", "ingress", "", outname);
	}
	uint32_t dst = ip_dst(ip), nexthop = dst;
	const struct route *r = route_lookup(n, dst);
	if (r && out && route_out_dev(n, r) == out) {
		uint32_t gw = route_gateway(n, r, dst, w->now);
		nexthop = gw ? gw : dst;
	}
	if (!out) {
		packet_free(p);
		return true;
	}
	ip_finish_output(w, n, p, out, nexthop);
	return true;
}

/* ip_rcv + ip_rcv_finish + ip_route_input: header checks, trim to
 * tot_len, PREROUTING, then local delivery or forwarding. */
void ip_rcv(struct world *w, struct node *n, struct iface *ifc, struct packet *p)
{
	if (!p->id) {
		p->id = ++w->next_packet_id;
		if (probe_on(&w->probes, PROBE_PACKET_NEW))
			probe_fire_packet(&w->probes, PROBE_PACKET_NEW, n, NULL, p);
	}
	bool on_lo = ifc == n->ipv4->lo;
	struct nf_skb keep = p->nf;
	if (!ifc->up) {
		ip_park_drop(n, p);
		return;
	}
	/* the flowtable's ingress hook, before ip_rcv's counters (packet_parse
	 * is parsed again below: it only reads the headers) */
	if (!on_lo && n->nf && nf_flow_offload_any(n->nf) && packet_parse(p) &&
	    ip_flow_ingress(w, n, ifc, p))
		return;
	if (!on_lo)
		ip_mib_inc(n, IPSTATS_MIB_INRECEIVES);
	if (!packet_parse(p)) {
		if (on_lo && n->nf)
			nf_skb_release(n->nf, &p->nf);
		ip_state(n)->in_hdr_errors++;
		ip_mib_inc(n, ip_rcv_bad_counter(p));
		if (ip_rcv_bad_counter(p) == IPSTATS_MIB_CSUMERRORS)
			ip_mib_inc(n, IPSTATS_MIB_INHDRERRORS);
		if (ip_tracing(w, n))
			ip_trace_head(w, n, p, "in (malformed IPv4 header, dropped)");
		packet_free(p);
		return;
	}
	uint8_t *ip = pkt_ip(p);
	uint32_t tot = ip_tot_len(ip);
	p->len = p->l3 + tot;
	p->nf.ip = ip;
	p->nf.len = tot;
	if (on_lo) {
		/* the loopback skb keeps its conntrack entry (nf_conntrack_in
		 * returns at once for an skb that has one) */
		p->nf.ct = keep.ct;
		p->nf.ctinfo = keep.ctinfo;
		p->nf.ct_borrowed = keep.ct_borrowed;
		p->nf.ct_held = keep.ct_held;
		p->nf.mark = keep.mark;
		p->nf.priority = keep.priority;
	} else {
		p->nf.ct = NULL;
		p->nf.ctinfo = 0;
		p->nf.ct_borrowed = 0;
		p->nf.ct_held = 0;
		p->nf.mark = 0;
		p->nf.priority = 0;
	}
	p->nf.reject_with = 0;
	p->nf.sk = NF_SK_NONE;	/* received: no local socket (loopback orphans it) */
	if (ip_tracing(w, n)) {
		char from[48];
		snprintf(from, sizeof from, "in %s", ifc->name);
		ip_trace_head(w, n, p, from);
	}
	if (probe_on(&w->probes, PROBE_RX))
		probe_fire_packet(&w->probes, PROBE_RX, n, ifc, p);
	if (ip_martian(ip_src(ip), ip_dst(ip))) {
		ip_state(n)->in_discards++;
		ip_mib_inc(n, IPSTATS_MIB_INADDRERRORS);
		if (n->nf)
			nf_skb_release(n->nf, &p->nf);
		ip_drop(w, n, p, IP_DROP_MARTIAN_ADDR);
		return;
	}
	bool l2_group = !on_lo && (p->data[0] & 1);
	if (n->nf && nf_ct_enabled(n->nf) && (rd16(ip + 6) & (IP_MF | IP_OFFSET))) {
		/* nf_defrag_ipv4 (priority -400, before conntrack): conntrack
		 * and NAT see the whole datagram once */
		p = ip_defrag(w, n, p, FRAG_USER_CONNTRACK_IN);
		if (!p)
			return;
		ip_trace(w, n, IP_TRACE_STEP "reassembled %u bytes before conntrack", "defrag", "",
			 ip_tot_len(pkt_ip(p)));
		ip = pkt_ip(p);
	}
	if (n->nf && !ip_hook(w, n, p, NF_INET_PRE_ROUTING, ifc->name, NULL))
		return;
	ip = pkt_ip(p);
	uint32_t dst = ip_dst(ip);
	/* route_localnet.c only for a 127/8 address off lo: the test here
	 * keeps every other packet from a call */
	int why = 0;
	if (__builtin_expect(!on_lo && ((dst >> 24) == 127 || (ip_src(ip) >> 24) == 127), 0))
		why = ip_route_localnet_input(w, n, ifc, p, dst, ip_src(ip));
	if (why) {
		ip_state(n)->in_discards++;
		if (n->nf)
			nf_skb_release(n->nf, &p->nf);
		ip_drop(w, n, p, (enum ip_drop_reason)why);
		return;
	}
	if (ip_addr_is_local(n, dst) || ip_addr_is_broadcast(n, dst)) {
		ip_trace(w, n, IP_TRACE_STEP "local: the destination is the router's %s", "routing",
			 "", ip_addr_is_local(n, dst) ? "address" : "broadcast");
		/* RTN_LOCAL, or RTN_BROADCAST from a nonzero source */
		uint32_t src = ip_src(ip);
		int valid = on_lo || (!ip_addr_is_local(n, dst) && src == 0)
				    ? 0 : fib_validate_source(n, src, ifc, NULL);
		if (valid < 0) {
			ip_martian_source(w, n, ifc, p, valid);
			return;
		}
		ip_local_deliver(w, n, ifc, p);
		return;
	}
	/* not PACKET_HOST, multicast, from lo, or not a router: no forwarding
	 * (ip_forward drops; with forwarding disabled ip_error only counts) */
	if (l2_group || on_lo || (dst >> 28) == 14 || n->kind != NODE_ROUTER || !n->ipv4->ip_forward) {
		ip_state(n)->in_discards++;
		if (n->nf)
			nf_skb_release(n->nf, &p->nf);
		ip_drop(w, n, p, n->ipv4->ip_forward ? IP_DROP_NOT_FORWARDABLE : IP_DROP_FORWARDING_DISABLED);
		return;
	}
	ip_forward(w, n, ifc, p);
}

/* ----- local output ----- */

/* Routing of a locally generated packet: lo for a local destination, else
 * the route's device and next hop. False if there is no route. With
 * policy routing the key is the packet's (ip_route_me_harder's: source,
 * destination, mark, iif lo). */
static bool ip_route_output(struct node *n, struct packet *p, uint32_t dst,
			    struct iface **out, uint32_t *nexthop)
{
	if (ip_addr_is_local(n, dst)) {
		*out = ip_lo(n);
		*nexthop = dst;
		return true;
	}
	const struct route *r;
	if (__builtin_expect(n->ipv4->rules != NULL, 0)) {
		struct flowi4 fl = { .daddr = dst, .saddr = ip_src(pkt_ip(p)),
				     .mark = p->nf.mark, .iif = "lo" };
		r = fib_lookup(n, &fl, NULL);
	} else {
		r = route_lookup(n, dst);
	}
	if (!r)
		return false;
	*out = route_out_dev(n, r);
	uint32_t gw = route_gateway(n, r, dst, n->w ? n->w->now : 0);
	*nexthop = gw ? gw : dst;
	return true;
}

/* ip_local_out + ip_output: route, OUTPUT (re-route if NAT changed the
 * destination: ip_route_me_harder), POSTROUTING, then the wire or the
 * loopback (an event at the same instant, so a reply is not handled inside
 * the sender's call). */
void ip_local_out(struct world *w, struct node *n, struct packet *p)
{
	if (!p->id) {
		p->id = ++w->next_packet_id;
		if (probe_on(&w->probes, PROBE_PACKET_NEW))
			probe_fire_packet(&w->probes, PROBE_PACKET_NEW, n, NULL, p);
	}
	uint8_t *ip = pkt_ip(p);
	p->nf.ip = ip;
	p->nf.len = ip_tot_len(ip);
	if (!p->nf.ct_borrowed) { /* else an ICMP error carrying its cause's entry */
		p->nf.ct = NULL;
		p->nf.ctinfo = 0;
	}
	p->nf.reject_with = 0;
	if (ip_tracing(w, n))
		ip_trace_head(w, n, p, "locally generated");
	uint32_t dst = ip_dst(ip);
	struct iface *out;
	uint32_t nexthop;
	if (!ip_route_output(n, p, dst, &out, &nexthop)) {
		ip_state(n)->out_no_routes++;
		ip_trace(w, n, IP_TRACE_STEP "no route to the destination", "routing", "");
		ip_drop(w, n, p, IP_DROP_NET_UNREACH);
		return;
	}
	if (ip_tot_len(ip) > out->mtu && ip_proto(ip) != IPPROTO_TCP_ && (rd16(ip + 6) & IP_DF)) {
		/* ip_dont_fragment(): IP_PMTUDISC_WANT sets DF only on a datagram
		 * that fits the route's MTU; a larger one is fragmented */
		wr16(ip + 6, rd16(ip + 6) & ~IP_DF);
		ip_csum_set(ip);
	}
	if (n->nf) {
		p->nf.reroute = 0;
		if (!ip_hook(w, n, p, NF_INET_LOCAL_OUT, NULL, out->name))
			return;
		ip = pkt_ip(p);
		/* ip_route_me_harder: NAT changed the destination, or a route
		 * chain / mangle OUTPUT changed the key (nf.reroute) */
		if (ip_dst(ip) != dst || p->nf.reroute) {
			dst = ip_dst(ip);
			if (!ip_route_output(n, p, dst, &out, &nexthop)) {
				nf_skb_release(n->nf, &p->nf);
				ip_drop(w, n, p, IP_DROP_NET_UNREACH_OUTPUT);
				return;
			}
			/* ip_route_me_harder keeps the local source (127.0.0.1
			 * too): __mkroute_output's -EINVAL, the nat hook's drop */
			if (!ip_route_localnet_output_ok(n, ip_src(ip), out)) {
				nf_skb_release(n->nf, &p->nf);
				ip_drop(w, n, p, IP_DROP_REROUTE_LOOPBACK_SRC);
				return;
			}
		}
		if (ip_tracing(w, n)) {
			char g[16];
			nf_inet_ntop4(nexthop, g);
			if (out == n->ipv4->lo)
				ip_trace(w, n, IP_TRACE_STEP "output: local destination, via lo",
					 "routing", "");
			else if (nexthop != dst)
				ip_trace(w, n, IP_TRACE_STEP "output: via %s dev %s", "routing", "", g,
					 out->name);
			else
				ip_trace(w, n, IP_TRACE_STEP "output: dev %s (on link)", "routing", "",
					 out->name);
		}
		if (!ip_hook(w, n, p, NF_INET_POST_ROUTING, NULL, out->name))
			return;
	}
	if (out == n->ipv4->lo) {
		if (n->nf) {
			ip_check(w, n, p);
			nf_skb_hold(n->nf, &p->nf);	/* parked until the event */
		}
		world_at(w, w->now, ip_lo_rcv_ev, p, n->index);
		return;
	}
	ip_finish_output(w, n, p, out, nexthop);
}

/* ----- teardown ----- */

static void ip_noop_ev(struct world *w, void *arg, uint64_t u)
{
	(void)w;
	(void)arg;
	(void)u;
}

void ip_node_flush(struct node *n)
{
	struct world *w = n->w;
	if (w) {
		struct evq_iter it;
		evq_iter_init(&it, &w->q);
		for (struct evq_item *ev; (ev = evq_iter_next(&it)) != NULL;) {
			if (ev->fn == ip_lo_rcv_ev && ev->u == n->index) {
				ip_park_drop(n, ev->arg);
				ev->fn = ip_noop_ev;
			}
		}
	}
	struct ip_state *st = n->ip;
	if (!st)
		return;
	for (unsigned i = 0; i < st->pending->len; i++) {
		struct neigh_pending *np = g_ptr_array_index(st->pending, i);
		while (np->head) {
			struct packet *p = np->head;
			np->head = p->next;
			ip_park_drop(n, p);
		}
		np->tail = NULL;
		np->bytes = 0;
		/* the probe event stays scheduled and ends the entry */
	}
}

void ip_node_free(struct node *n)
{
	struct world *w = n->w;
	if (w) {
		struct evq_iter it;
		evq_iter_init(&it, &w->q);
		for (struct evq_item *ev; (ev = evq_iter_next(&it)) != NULL;) {
			if (ev->fn == ip_lo_rcv_ev && ev->u == n->index) {
				/* its conntrack entry was confirmed at POSTROUTING
				 * and dies with the namespace */
				packet_free(ev->arg);
				ev->fn = ip_noop_ev;
			} else if (ev->fn == ip_frag_expire_ev &&
				   ((struct frag_queue *)ev->arg)->n == n) {
				ev->fn = ip_noop_ev;
			} else if (ev->fn == ip_neigh_probe_ev &&
				   ((struct neigh_pending *)ev->arg)->n == n) {
				ev->fn = ip_noop_ev;
			}
		}
	}
	struct ip_state *st = n->ip;
	if (st) {
		for (unsigned i = 0; i < st->pending->len; i++) {
			struct neigh_pending *np = g_ptr_array_index(st->pending, i);
			while (np->head) {
				struct packet *p = np->head;
				np->head = p->next;
				packet_free(p);
			}
			g_free(np);
		}
		g_ptr_array_free(st->pending, TRUE);
		for (unsigned i = 0; i < st->frags->len; i++) {
			struct frag_queue *fq = g_ptr_array_index(st->frags, i);
			frag_queue_clear(fq);
			g_free(fq);
		}
		g_ptr_array_free(st->frags, TRUE);
		GHashTableIter it;
		gpointer k;
		g_hash_table_iter_init(&it, st->neigh);
		while (g_hash_table_iter_next(&it, &k, NULL))
			g_free(k);
		g_hash_table_destroy(st->neigh);
		g_free(st);
		n->ip = NULL;
	}
	g_free(n->ipv4->lo);
	n->ipv4->lo = NULL;
	icmp_node_free(n);
}

/* ----- the stack's node operations ----- */

/* The node's netns_ipv4 (the kernel's ipv4 pernet init): the IP id is
 * drawn from the run's generator first thing in node_new's subsystem
 * inits, so every run draws in the same order. */
static void inet_node_init(struct node *n)
{
	struct netns_ipv4 *net = g_new0(struct netns_ipv4, 1);
	net->ip_id = (uint16_t)rng_u32(&n->w->rng);
	net->fib.routes = g_array_new(FALSE, TRUE, sizeof(struct route));
	n->ipv4 = net;
	inet_sysctl_reset(n);
}

void inet_sysctl_reset(struct node *n)
{
	n->ipv4->ip_forward = false;
	n->ipv4->ipfrag_time = 30;
	devconf_node_init(n);
}

static void inet_node_exit(struct node *n)
{
	ip_node_free(n);
	g_array_free(n->ipv4->fib.routes, TRUE);
	fib_rules_free(n);
	if (n->ipv4->fib.route_exceptions)
		g_array_free(n->ipv4->fib.route_exceptions, TRUE);
	g_free(n->ipv4);
	n->ipv4 = NULL;
}

/* Listed first in sim/sock/net_stack.c's table: every node gets the
 * stack's knobs and frees its state with it. */
const struct node_subsys inet_subsys = {
	.name = "inet",
	.node_init = inet_node_init,
	.iface_init = devconf_iface_init,
	.node_exit = inet_node_exit,
};
