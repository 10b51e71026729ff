/* nft_flow_offload.c - the flowtable software fast path: `flow add @FT`
 * offloads an established connection, and its later packets bypass the
 * hooks at the ingress of the flowtable's devices (nft_flow_offload.c,
 * nf_flow_table_core.c, nf_flow_table_ip.c).
 *
 * Design: the flows live on the ruleset object (kept across transactions,
 * as the base chains' registrations are), in creation order, with a hash
 * of both directions' tuples for the lookup. A flow holds its conntrack
 * entry with the entry's `held` count (the kernel's reference in
 * flow->ct): `conntrack -F` kills it off the table and the flow tears down
 * at its next packet or the gc's next tick. The route is not cached as
 * the kernel's dst is: the device a direction leaves by is the device the
 * other direction arrived on, and the simulator routes to the next hop
 * when it sends. The gc (nf_flow_offload_gc_step) runs on conntrack's gc
 * ticks (each whole second, ct_gc.c through ns->flow_gc): a flow idle past
 * the flowtable timeout (the sysctls net.netfilter.nf_flowtable_tcp_timeout
 * and nf_flowtable_udp_timeout, 30 s by default) goes back to conntrack.
 * Not kernel-compared: this machine's kernel has no nf_flow_table.
 */
#include <string.h>

#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_gc.h"
#include "nat/conntrack/ct_proto.h"
#include "nat/core/nf_inet.h"
#include "nat/core/nf_ns.h"
#include "nat/nftables/nft_int.h"

#define NF_CT_DAY ((nf_time)86400 * 1000000000)
#define NS_PER_S ((nf_time)1000000000)

struct nft_flow;

/* One direction's lookup key (the kernel's flow_offload_tuple: addresses,
 * ports, protocol; the input device is checked after the lookup). */
struct nft_flow_key {
	uint32_t src, dst;
	uint16_t sport, dport;
	uint8_t proto;
	uint8_t dir;
	struct nft_flow *flow;
};

struct nft_flow {
	struct nft_flow_key key[2];
	struct ct_entry *ct;
	char dev[2][16];		/* direction d arrives on dev[d], leaves by dev[!d] */
	enum nft_family family;
	char *table, *ft;
	nf_time timeout;		/* flow->timeout */
	/* its flowtable was deleted: out of the hash, the entry's
	 * IPS_OFFLOAD cleared, freed at the gc's next tick */
	bool unhashed;
};

struct nft_flows {
	GPtrArray *all;			/* struct nft_flow *, creation order */
	GHashTable *by_key;		/* struct nft_flow_key * -> itself */
};

static guint key_hash(gconstpointer p)
{
	const struct nft_flow_key *k = p;
	uint32_t h = k->src * 0x9e3779b1u;
	h ^= k->dst + 0x7f4a7c15u + (h << 6) + (h >> 2);
	h ^= ((uint32_t)k->sport << 16 | k->dport) + (h << 6) + (h >> 2);
	return h ^ k->proto;
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
	const struct nft_flow_key *x = a, *y = b;
	return x->src == y->src && x->dst == y->dst && x->sport == y->sport &&
	       x->dport == y->dport && x->proto == y->proto;
}

static struct nft_flows *flows_of(struct nft_ruleset *rs)
{
	if (!rs->flows) {
		rs->flows = g_new0(struct nft_flows, 1);
		rs->flows->all = g_ptr_array_new();
		rs->flows->by_key = g_hash_table_new(key_hash, key_equal);
	}
	return rs->flows;
}

/* flow_offload_get_timeout: the flow's idle timeout in ns, the sysctl of
 * its protocol as it is now (nf_tcp_pernet / nf_udp_pernet's
 * offload_timeout; a negative value makes the flow expire at once). */
static int64_t flow_offload_get_timeout(const struct nf_ns *ns, uint8_t proto)
{
	const struct nf_sysctl *sc = &ns->ct->sysctl;
	return (int64_t)(int32_t)(proto == 6 ? sc->flowtable_tcp_timeout
					     : sc->flowtable_udp_timeout) * NS_PER_S;
}

/* flow_offload_fixup_ct: the entry goes back to conntrack with its
 * state's timeout less the flowtable's (never more than it had). */
static void flow_offload_fixup_ct(struct nf_ns *ns, struct ct_entry *ct, nf_time now)
{
	const struct nf_sysctl *sc = &ns->ct->sysctl;
	int64_t timeout;

	if (ct->tuplehash[CT_DIR_ORIGINAL].t.proto == 6) {
		/* flow_offload_fixup_tcp: the windows are learnt again */
		ct->proto.tcp.seen[0].td_maxwin = 0;
		ct->proto.tcp.seen[1].td_maxwin = 0;
		timeout = sc->tcp_timeout[ct->proto.tcp.state];
	} else if (ct->tuplehash[CT_DIR_ORIGINAL].t.proto == 17) {
		timeout = (ct->status & IPS_SEEN_REPLY) ? sc->udp_timeout_stream : sc->udp_timeout;
	} else {
		return;
	}
	timeout = timeout * NS_PER_S -
		  flow_offload_get_timeout(ns, ct->tuplehash[CT_DIR_ORIGINAL].t.proto);
	if (timeout < 0)
		timeout = 0;
	if ((int64_t)(ct->timeout - now) > timeout)
		ct_set_timeout(ns, ct, now + (nf_time)timeout);
}

/* nf_ct_put of the flow's reference: an entry killed off the table while
 * the flow held it (IPS_DYING, no longer confirmed) is freed with the last
 * reference, as nf_skb_release frees one a parked packet held. */
static void nf_ct_put(struct nf_ns *ns, struct ct_entry *ct)
{
	ct->held--;
	if (!ct->held && (ct->status & (IPS_CONFIRMED | IPS_DYING)) == IPS_DYING)
		ct_entry_kill(ns, ct, 0);
}

/* flow_offload_teardown + flow_offload_del: the entry leaves the fast
 * path (IPS_OFFLOAD cleared, timeout fixed up), the flow is freed. */
static void flow_offload_del(struct nf_ns *ns, struct nft_flows *fl, struct nft_flow *f,
			     nf_time now)
{
	/* (an unhashed flow's entry may be another flow's by now) */
	if ((f->ct->status & IPS_CONFIRMED) && !(f->unhashed && (f->ct->status & IPS_OFFLOAD))) {
		f->ct->status &= ~IPS_OFFLOAD;
		flow_offload_fixup_ct(ns, f->ct, now);
	}
	if (!f->unhashed) {
		g_hash_table_remove(fl->by_key, &f->key[0]);
		g_hash_table_remove(fl->by_key, &f->key[1]);
	}
	g_ptr_array_remove(fl->all, f);
	nf_ct_put(ns, f->ct);
	g_free(f->table);
	g_free(f->ft);
	g_free(f);
}

void nft_flows_free(struct nf_ns *ns, struct nft_ruleset *rs)
{
	struct nft_flows *fl = rs->flows;
	if (!fl)
		return;
	while (fl->all->len)
		flow_offload_del(ns, fl, fl->all->pdata[fl->all->len - 1], 0);
	g_ptr_array_free(fl->all, TRUE);
	g_hash_table_destroy(fl->by_key);
	g_free(fl);
	rs->flows = NULL;
}

static const struct nft_flowtable *flow_table_of(const struct nft_ruleset *rs,
						 const struct nft_flow *f)
{
	for (unsigned i = 0; i < rs->tables->len; i++) {
		const struct nft_table *t = rs->tables->pdata[i];
		if (t->family == f->family && !strcmp(t->name, f->table))
			return nft_flowtable_find(t, f->ft);
	}
	return NULL;
}

/* nf_flow_offload_gc_step: flows idle past their timeout, whose entry
 * died, or whose flowtable is gone are torn down and freed. */
void nft_flow_offload_gc(struct nf_ns *ns, nf_time now)
{
	struct nft_ruleset *rs = ns->nft;
	if (!rs || !rs->flows)
		return;
	struct nft_flows *fl = rs->flows;
	for (unsigned i = 0; i < fl->all->len;) {
		struct nft_flow *f = fl->all->pdata[i];
		if (f->timeout <= now || f->unhashed || !(f->ct->status & IPS_CONFIRMED) ||
		    !flow_table_of(rs, f))
			flow_offload_del(ns, fl, f, now);
		else
			i++;
	}
}

/* After a transaction: the flows of a flowtable that is gone
 * (nf_flow_table_free's cleanup) leave the lookup and give their entry
 * back at once; the gc's next tick fixes the entry's timeout up and frees
 * them (the clock is the gc's). */
void nft_flows_sync(struct nf_ns *ns)
{
	struct nft_ruleset *rs = ns->nft;
	for (unsigned i = 0; rs && rs->flows && i < rs->flows->all->len; i++) {
		struct nft_flow *f = rs->flows->all->pdata[i];
		if (f->unhashed || flow_table_of(rs, f))
			continue;
		g_hash_table_remove(rs->flows->by_key, &f->key[0]);
		g_hash_table_remove(rs->flows->by_key, &f->key[1]);
		f->unhashed = true;
		f->ct->status &= ~IPS_OFFLOAD;
		f->timeout = 0;	/* the next tick */
	}
}

/* The first flow timeout to come (NF_TIME_NEVER: no flow), for the gc's
 * schedule (nf_gc_next). A scan: flows are few next to conntrack entries. */
nf_time nft_flow_offload_gc_next(struct nf_ns *ns)
{
	struct nft_ruleset *rs = ns->nft;
	nf_time next = NF_TIME_NEVER;
	for (unsigned i = 0; rs && rs->flows && i < rs->flows->all->len; i++) {
		const struct nft_flow *f = rs->flows->all->pdata[i];
		if (f->timeout < next)
			next = f->timeout;
	}
	return next;
}

/* nft_flow_offload_eval: offload the packet's connection if it is TCP
 * established (and assured) and this is no FIN or RST, or UDP; no helper,
 * no sequence adjustment, no clash; confirmed; not offloaded yet. False:
 * it was not (NFT_BREAK, the rest of the rule is skipped). */
bool nft_flow_offload_add(const struct nft_table *t, const char *ft_name, struct nf_skb *skb,
			  const struct nf_hook_state *st, const uint8_t *l4, uint32_t l4len)
{
	struct nf_ns *ns = st->net;
	struct ct_entry *ct = skb->ct;
	struct nft_ruleset *rs = ns->nft;

	if (!rs || !ct || skb->ctinfo == IP_CT_UNTRACKED || !st->in || !st->out)
		return false;
	if ((skb->ip[0] & 0x0f) != 5)	/* nft_flow_offload_skip: IP options */
		return false;
	switch (ct->tuplehash[CT_DIR_ORIGINAL].t.proto) {
	case 6:
		if (!l4 || l4len < 14 || (l4[13] & 0x05) ||
		    ct->proto.tcp.state != TCP_CONNTRACK_ESTABLISHED || !(ct->status & IPS_ASSURED))
			return false;
		break;
	case 17:
		break;
	default:
		return false;
	}
	if ((ct->ext & CT_EXT_HELPER) || (ct->status & (IPS_SEQ_ADJUST | IPS_NAT_CLASH)))
		return false;
	if (!(ct->status & IPS_CONFIRMED) || (ct->status & IPS_OFFLOAD))
		return false;
	const struct nft_flowtable *ftab = nft_flowtable_find(t, ft_name);
	if (!ftab)
		return false;

	struct nft_flows *fl = flows_of(rs);
	struct nft_flow *f = g_new0(struct nft_flow, 1);
	enum ct_dir dir = ct_info_dir(skb->ctinfo);
	for (int d = 0; d < 2; d++) {
		const struct ct_tuple *tu = &ct->tuplehash[d].t;
		f->key[d] = (struct nft_flow_key){ tu->src, tu->dst, tu->sport, tu->dport,
						   tu->proto, (uint8_t)d, f };
	}
	if (g_hash_table_contains(fl->by_key, &f->key[0]) ||
	    g_hash_table_contains(fl->by_key, &f->key[1])) {
		g_free(f);	/* flow_offload_add: EEXIST */
		return false;
	}
	ct->status |= IPS_OFFLOAD;
	f->ct = ct;
	ct->held++;	/* the flow's reference (flow_offload_alloc's refcount_inc) */
	g_strlcpy(f->dev[dir], st->in, sizeof(f->dev[dir]));
	g_strlcpy(f->dev[!dir], st->out, sizeof(f->dev[!dir]));
	f->family = t->family;
	f->table = g_strdup(t->name);
	f->ft = g_strdup(ft_name);
	f->timeout = st->now + (nf_time)flow_offload_get_timeout(ns, f->key[0].proto);
	if (ct->tuplehash[CT_DIR_ORIGINAL].t.proto == 6) {
		ct->proto.tcp.seen[0].flags |= CT_TCP_FLAG_BE_LIBERAL;
		ct->proto.tcp.seen[1].flags |= CT_TCP_FLAG_BE_LIBERAL;
	}
	g_ptr_array_add(fl->all, f);
	g_hash_table_add(fl->by_key, &f->key[0]);
	g_hash_table_add(fl->by_key, &f->key[1]);
	/* nf_ct_offload_timeout: an offloaded entry does not expire */
	if (ct->timeout - st->now < NF_CT_DAY / 2)
		ct_set_timeout(ns, ct, st->now + NF_CT_DAY);
	return true;
}

/* csum_replace4 on the 16-bit checksum at check (include/net/checksum.h). */
static void csum_replace4(uint8_t *check, uint32_t from, uint32_t to)
{
	uint32_t s = (uint16_t)~rd16(check);
	s += (uint16_t)~(from >> 16);
	s += (uint16_t)~from;
	s += to >> 16;
	s += to & 0xffff;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	wr16(check, (uint16_t)~s);
}

/* nf_flow_nat_ip + nf_flow_nat_port: the header takes the other
 * direction's tuple inverted (the NAT conntrack set up), with the IP and
 * transport checksums updated (UDP's only when it has one). */
static void flow_nat(uint8_t *ip, const struct nft_flow_key *other)
{
	uint8_t *l4 = ip + 20;
	uint8_t proto = ip[9];
	uint8_t *check = proto == 6 ? l4 + 16 : l4 + 6;
	bool l4sum = proto == 6 || rd16(check) != 0;
	const uint32_t addr[2] = { other->dst, other->src };
	const uint16_t port[2] = { other->dport, other->sport };

	for (int i = 0; i < 2; i++) {
		uint32_t old = rd32(ip + 12 + 4 * i);
		if (old != addr[i]) {
			wr32(ip + 12 + 4 * i, addr[i]);
			csum_replace4(ip + 10, old, addr[i]);
			if (l4sum)
				csum_replace4(check, old, addr[i]);
		}
		uint16_t oldp = rd16(l4 + 2 * i);
		if (oldp != port[i]) {
			wr16(l4 + 2 * i, port[i]);
			if (l4sum)
				csum_replace4(check, oldp, port[i]);
		}
	}
	if (proto == 17 && l4sum && !rd16(check))
		wr16(check, 0xffff);	/* CSUM_MANGLED_0 */
}

/* nf_flow_offload_ip_hook at the ingress of device `in`: a packet of an
 * offloaded flow is rewritten (NAT, TTL - 1) and *out names the device it
 * leaves by; anything else (no flow, TTL <= 1, options, a fragment, too big
 * for the route, TCP FIN or RST, which tears the flow down) takes the slow
 * path (false). */
bool nft_flow_offload_ip_hook(struct nf_ns *ns, uint8_t *ip, uint32_t len, const char *in,
			      nf_time now, const char **out)
{
	struct nft_ruleset *rs = ns->nft;
	if (!rs->flows || !rs->flows->all->len)
		return false;
	if (len < 20 || (ip[0] & 0x0f) != 5 || ip[8] <= 1 || (rd16(ip + 6) & 0x3fff))
		return false;
	uint8_t proto = ip[9];
	uint32_t need = proto == 6 ? 40 : proto == 17 ? 28 : 0;
	if (!need || len < need || rd16(ip + 2) < need || rd16(ip + 2) > len)
		return false;
	struct nft_flow_key k = { rd32(ip + 12), rd32(ip + 16), rd16(ip + 20), rd16(ip + 22),
				  proto, 0, NULL };
	struct nft_flows *fl = rs->flows;
	struct nft_flow_key *hit = g_hash_table_lookup(fl->by_key, &k);
	if (!hit)
		return false;
	struct nft_flow *f = hit->flow;
	unsigned dir = hit->dir;
	if (strcmp(f->dev[dir], in))
		return false;	/* the flow's tuple has another iif */
	const struct nft_flowtable *ftab = flow_table_of(rs, f);
	bool on_dev = false;
	for (unsigned i = 0; ftab && i < ftab->devs->len; i++)
		on_dev |= !strcmp(ftab->devs->pdata[i], in);
	if (!on_dev)
		return false;	/* no ingress hook of the flowtable on `in` */
	if (!(f->ct->status & IPS_CONFIRMED)) {
		/* the entry was killed (conntrack -D, -F): the gc's
		 * nf_ct_is_dying, met first by this packet */
		flow_offload_del(ns, fl, f, now);
		return false;
	}
	const struct nft_flow_key *other = &f->key[!dir];
	/* nf_flow_exceeds_mtu: the route's MTU to where it goes */
	unsigned mtu = ns->env.route_mtu ? ns->env.route_mtu(ns->env.ctx, other->src) : 0;
	if (mtu && rd16(ip + 2) > mtu)
		return false;
	if (proto == 6 && (ip[20 + 13] & 0x05)) {	/* nf_flow_state_check */
		nf_trace(ns, NF_TRACE_STEP "flowtable %s: TCP %s, flow torn down, slow path",
			 "ingress", "flowtable", f->ft, (ip[33] & 0x04) ? "RST" : "FIN");
		flow_offload_del(ns, fl, f, now);
		return false;
	}
	/* flow_offload_refresh: a second's slack, as the kernel's HZ */
	nf_time refreshed = now + (nf_time)flow_offload_get_timeout(ns, proto);
	if ((int64_t)(refreshed - f->timeout) > (int64_t)NS_PER_S)
		f->timeout = refreshed;
	/* nf_ct_offload_timeout, which the kernel's conntrack gc applies to
	 * offloaded entries: here, as the flow's packets pass */
	if (f->ct->timeout - now < NF_CT_DAY / 2)
		ct_set_timeout(ns, f->ct, now + NF_CT_DAY);
	flow_nat(ip, other);
	/* ip_decrease_ttl */
	uint32_t check = rd16(ip + 10) + 0x0100u;
	wr16(ip + 10, (uint16_t)(check + (check >= 0xffff)));
	ip[8]--;
	if (ftab->counter)	/* NF_FLOWTABLE_COUNTER: the entry's accounting */
		ct_acct_update(ns, f->ct, (enum ct_dir)dir, rd16(ip + 2));
	*out = f->dev[!dir];
	return true;
}
