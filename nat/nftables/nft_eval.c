/* nft_eval.c - nf_tables' rule evaluation on a packet (nft_do_chain).
 *
 * Mirrors nf_tables_core.c (nft_do_chain: rules in order, expressions in
 * order, NFT_BREAK ends a rule, NFT_CONTINUE goes on, jump/goto/return on
 * a stack of 16, the base chain's policy at the end) and the expressions'
 * eval functions: nft_payload.c, nft_meta.c, nft_ct.c, nft_cmp.c,
 * nft_range.c, nft_bitwise.c + nft_cmp.c (masks), nft_lookup.c (sets,
 * verdict maps), nft_counter.c, nft_log.c, nft_reject_ipv4.c, nft_nat.c,
 * nft_masq.c, nft_redir.c, nft_ct.c's set and nft_ct_notrack,
 * nft_fib_ipv4.c (type), nft_numgen.c, nft_bitwise.c (mark or|xor|and),
 * nft_dynset.c (add|update @set, without timeouts), nft_objref.c (the
 * object or the map's object; nft_limit.c, nft_quota.c and the counter
 * objects are nft_stateful.c's).
 * Design: the model's expressions are evaluated as they are (a selector
 * with its values), not compiled to registers: a selector loads a 32-bit
 * value (or an interface name) and the comparison follows; a rule's
 * leading matches are compiled (nft_rule_prepare) and scanned first
 * (nft_skip_rules). --trace prints each rule that reaches a
 * verdict or its end, and the policy, as iptables' walk does.
 * `meta nftrace set 1` marks the packet (skb->nf_trace); from then on the
 * same events are `nft monitor trace` lines (nft_trace.c), as
 * nft_trace_packet is called from nft_do_chain.
 */
#include <string.h>

#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_helper.h"
#include "nat/nftables/nft_ct.h"
#include "nat/nftables/nft_cttimeout.h"
#include "nat/core/nf_inet.h"
#include "nat/core/nf_ns.h"
#include "nat/core/nf_pktinfo.h"
#include "nat/iptables/nf_log.h"
#include "nat/nf_nat/nat.h"
#include "nat/nftables/nft_eval.h"
#include "nat/nftables/nft_fib.h"
#include "nat/nftables/nft_hash.h"
#include "nat/nftables/nft_int.h"
#include "nat/nftables/nft_payload.h"
#include "nat/nftables/nft_mark_expr.h"
#include "nat/nftables/nft_meta_keys.h"
#include "nat/nftables/nft_trace.h"

/* nft_pktinfo: the packet's offsets, found once per chain walk
 * (nft_set_pktinfo_ipv4). */
struct nft_pktinfo {
	struct nf_skb *skb;
	const struct nf_hook_state *st;
	struct nft_table *table;
	uint32_t len;		/* the IP datagram's length (skb->len at L3) */
	const uint8_t *l4;	/* the transport header, NULL for a later fragment */
	uint32_t l4len;
	uint8_t proto;
	bool trace;
	bool nat_chain;		/* the base chain is a nat chain (a NAT rule lookup) */
	/* the chain being walked, for the walk's line */
	const struct nft_chain *chain;
};

/* The verdict of one rule (enum nft_verdicts' role). */
enum nft_rule_res { RES_BREAK, RES_NEXT, RES_ACCEPT, RES_DROP, RES_REJECT, RES_JUMP,
		    RES_GOTO, RES_RETURN };

struct nft_regs {
	enum nft_rule_res res;
	const char *chain;	/* jump/goto target */
	bool traced;		/* the rule's walk line is written */
};

/* ----- selectors ----- */

/* nf_ct_get + the state bits of nft_ct_get_eval (NF_CT_STATE_BIT). */
static uint32_t ct_state_bits(const struct nf_skb *skb)
{
	if (!skb->ct)
		return skb->ctinfo == IP_CT_UNTRACKED ? 64u : 1u;
	return 1u << (skb->ctinfo % IP_CT_IS_REPLY + 1);
}

/* meta pkttype at L3: the kernel's skb->pkt_type is the link layer's;
 * the simulator's frames reach the stack addressed to the host unless the
 * destination is a broadcast or multicast address (nft_meta's loopback
 * rule, which reads the address, gives the same). */
static uint32_t pkttype(const uint8_t *ip)
{
	uint32_t d = rd32(ip + 16);

	if (d == 0xffffffffu)
		return 1;
	if ((d >> 28) == 0xe)
		return 2;
	return 0;
}

/* Load the selector's value: false when the packet has no such field
 * (NFT_BREAK: a transport field of another protocol or of a later
 * fragment, a ct field without an entry). */
static bool nft_load(const struct nft_pktinfo *pkt, const struct nft_key *k, uint32_t *v,
		     const char **name)
{
	const struct nf_skb *skb = pkt->skb;
	const uint8_t *ip = skb->ip;
	const struct ct_entry *ct = skb->ct;

	if (k->l4proto >= 0 && (pkt->proto != k->l4proto || !pkt->l4))
		return false;
	switch (k->id) {
	case NFT_K_IP_SADDR: *v = rd32(ip + 12); return true;
	case NFT_K_IP_DADDR: *v = rd32(ip + 16); return true;
	case NFT_K_IP_PROTOCOL: case NFT_K_L4PROTO: *v = pkt->proto; return true;
	case NFT_K_IP_TTL: *v = ip[8]; return true;
	case NFT_K_IP_LENGTH: *v = rd16(ip + 2); return true;
	case NFT_K_TCP_SPORT: case NFT_K_UDP_SPORT: case NFT_K_TH_SPORT:
		if (!pkt->l4 || pkt->l4len < 2)
			return false;
		*v = rd16(pkt->l4);
		return true;
	case NFT_K_TCP_DPORT: case NFT_K_UDP_DPORT: case NFT_K_TH_DPORT:
		if (!pkt->l4 || pkt->l4len < 4)
			return false;
		*v = rd16(pkt->l4 + 2);
		return true;
	case NFT_K_TCP_FLAGS:
		if (pkt->l4len < 14)
			return false;
		*v = pkt->l4[13];
		return true;
	case NFT_K_ICMP_TYPE:
		if (pkt->l4len < 1)
			return false;
		*v = pkt->l4[0];
		return true;
	case NFT_K_CT_STATE: *v = ct_state_bits(skb); return true;
	case NFT_K_PAYLOAD: return nft_payload_load(k, ip, pkt->len, pkt->l4, pkt->l4len, v);
	case NFT_K_IIFNAME: *name = pkt->st->in ? pkt->st->in : ""; return true;
	case NFT_K_OIFNAME: *name = pkt->st->out ? pkt->st->out : ""; return true;
	case NFT_K_CT_HELPER: {
		/* nft_ct_get_eval NFT_CT_HELPER: the entry's helper's name;
		 * none (a RELATED child, an entry without helper) is a break */
		const struct nf_conn_help *help = ct ? nfct_help(pkt->st->net, ct) : NULL;
		if (!help || !help->helper)
			return false;
		*name = help->helper->name;
		return true;
	}
	case NFT_K_NFPROTO: *v = 2; return true;
	case NFT_K_MARK: *v = skb->mark; return true;
	case NFT_K_PKTTYPE: *v = pkttype(ip); return true;
	case NFT_K_LENGTH: *v = pkt->len; return true;
	case NFT_K_SKUID: case NFT_K_SKGID: case NFT_K_CPU: case NFT_K_IIFTYPE: case NFT_K_OIFTYPE:
	case NFT_K_RANDOM: case NFT_K_PRIORITY: case NFT_K_SECPATH: case NFT_K_SDIF:
	case NFT_K_SDIFNAME: case NFT_K_PROTOCOL: case NFT_K_IIFGROUP: case NFT_K_OIFGROUP:
	case NFT_K_TIME: case NFT_K_DAY: case NFT_K_HOUR: case NFT_K_IIFKIND: case NFT_K_OIFKIND:
		return nft_meta_key_load(skb, pkt->st, k->id, v, name);
	case NFT_K_FIB_SADDR_OIF: case NFT_K_FIB_SADDR_IIF_OIF:
		*v = nft_fib_oif_eval(k, pkt->st, ip);
		return true;
	case NFT_K_FIB_DADDR_TYPE: case NFT_K_FIB_SADDR_TYPE: {
		/* nft_fib4_eval_type without iif/oif: inet_dev_addr_type(net,
		 * NULL, addr), the address's type in the local table */
		const struct nf_env *env = &pkt->st->net->env;
		uint32_t a = rd32(ip + (k->id == NFT_K_FIB_DADDR_TYPE ? 16 : 12));
		*v = env->addr_type ? env->addr_type(env->ctx, NULL, a) : NF_RTN_UNICAST;
		return true;
	}
	default:
		break;
	}
	if (!ct)
		return false;
	const struct ct_tuple *o = &ct->tuplehash[CT_DIR_ORIGINAL].t;
	const struct ct_tuple *r = &ct->tuplehash[CT_DIR_REPLY].t;
	switch (k->id) {
	case NFT_K_CT_STATUS: *v = ct->status; return true;
	case NFT_K_CT_MARK: *v = ct->mark; return true;
	case NFT_K_CT_DIRECTION: *v = ct_info_dir(skb->ctinfo); return true;
	case NFT_K_CT_ORIG_SADDR: *v = o->src; return true;
	case NFT_K_CT_ORIG_DADDR: *v = o->dst; return true;
	case NFT_K_CT_REPL_SADDR: *v = r->src; return true;
	case NFT_K_CT_REPL_DADDR: *v = r->dst; return true;
	case NFT_K_CT_ORIG_PSRC: *v = o->sport; return true;
	case NFT_K_CT_ORIG_PDST: *v = o->dport; return true;
	case NFT_K_CT_REPL_PSRC: *v = r->sport; return true;
	case NFT_K_CT_REPL_PDST: *v = r->dport; return true;
	default: return nft_ct_load(pkt->st->net, ct, skb->ctinfo, k, v, pkt->st->now);
	}
}

/* An interface name against a value: "eth*" matches by prefix, as nft's
 * wildcard compares only the bytes before the star. */
static bool ifname_eq(const char *pat, const char *name)
{
	size_t n = strlen(pat);

	if (n && pat[n - 1] == '*')
		return strncmp(pat, name, n - 1) == 0;
	return strcmp(pat, name) == 0;
}

static bool elem_has(const struct nft_elem *e, uint32_t v, const char *name)
{
	if (name)
		return e->str && ifname_eq(e->str, name);
	return e->lo <= v && v <= e->hi;
}

/* A named set or map of the table (nft_lookup_init resolved it at load;
 * a transaction keeps the name valid). */
static const struct nft_set *set_of(const struct nft_pktinfo *pkt, const struct nft_expr *e)
{
	return e->anon ? e->anon : nft_set_find(pkt->table, e->set_ref);
}

/* nft_lookup_eval on a one-type set: the element holding the value. */
static const struct nft_setelem *set_lookup(const struct nft_set *s, uint32_t v, const char *name,
					     int64_t now)
{
	if (!s || s->key_types->len != 1)
		return NULL;	/* concatenations: said at load */
	for (unsigned i = 0; i < s->elems->len; i++) {
		const struct nft_setelem *se = s->elems->pdata[i];
		if (se->expires_at && nft_setelem_expired(se, now))
			continue;	/* nft_set_elem_expired */
		if (se->key->len && elem_has(&g_array_index(se->key, struct nft_elem, 0), v, name))
			return se;
	}
	return NULL;
}

/* nft_ng_inc_gen / nft_ng_random_eval: inc steps a counter kept by the
 * expression (0, 1, .. N-1, 0, ..); random scales 32 bits of the run's
 * seeded generator to [0, N) (reciprocal_scale), as -m statistic draws. */
static uint32_t numgen(const struct nft_pktinfo *pkt, struct nft_expr *e)
{
	if (e->ng_mode == NFT_NG_INC) {
		e->ng_counter = e->ng_counter + 1 < e->ng_mod ? e->ng_counter + 1 : 0;
		return e->ng_counter + e->ng_off;
	}
	const struct nf_env *env = &pkt->st->net->env;
	uint32_t r = env->random_u32 ? env->random_u32(env->ctx) : 0;
	return (uint32_t)(((uint64_t)r * e->ng_mod) >> 32) + e->ng_off;
}

/* nft_jhash_eval / nft_symhash_eval: the hash of the selectors' register
 * bytes (jhash), or of the flow in either direction (symhash, see
 * nft_hash.c), scaled to [0, mod) (reciprocal_scale) plus the offset;
 * false: a selector the packet lacks (NFT_BREAK). An unseeded hash draws
 * its seed once, as nft_jhash_init's get_random_bytes. */
static bool hash_eval(const struct nft_pktinfo *pkt, struct nft_expr *e, const struct nft_key *k,
		      uint32_t *v)
{
	uint8_t buf[4 * 16];
	unsigned len = 0;

	if (!e->hash_seed_set && !e->hash_seeded) {
		const struct nf_env *env = &pkt->st->net->env;
		e->hash_seed = env->random_u32 ? env->random_u32(env->ctx) : 0;
		e->hash_seeded = true;
	}
	if (k->id == NFT_K_SYMHASH) {
		/* the flow dissector's symmetric keys: the addresses and the
		 * ports each in ascending order, and the protocol */
		uint32_t s = rd32(pkt->skb->ip + 12), d = rd32(pkt->skb->ip + 16), sp = 0, dp = 0;
		if ((pkt->proto == 6 || pkt->proto == 17) && pkt->l4 && pkt->l4len >= 4)
			sp = rd16(pkt->l4), dp = rd16(pkt->l4 + 2);
		uint32_t w[5] = { MIN(s, d), MAX(s, d), MIN(sp, dp), MAX(sp, dp), pkt->proto };
		for (unsigned i = 0; i < 5; i++)
			for (unsigned b = 0; b < 4; b++)
				buf[len++] = (uint8_t)(w[i] >> (8 * b));
	} else {
		for (unsigned i = 0; i < e->n_hash_keys; i++) {
			uint32_t x = 0;
			const char *name = NULL;
			if (!nft_load(pkt, e->hash_keys[i], &x, &name))
				return false;
			nft_hash_put_key(buf, &len, e->hash_keys[i], x, name, e->n_hash_keys > 1);
		}
	}
	uint32_t h = nft_jhash(buf, len, e->hash_seed);
	*v = (uint32_t)(((uint64_t)h * e->ng_mod) >> 32) + e->ng_off;
	return true;
}

/* One key of e's concatenation into v (or name); false: the packet lacks
 * it (NFT_BREAK). */
static bool load_key(const struct nft_pktinfo *pkt, struct nft_expr *e, const struct nft_key *k,
		     uint32_t *v, const char **name)
{
	if (k->id == NFT_K_JHASH || k->id == NFT_K_SYMHASH)
		return hash_eval(pkt, e, k, v);
	if (k->id == NFT_K_NUMGEN) {
		*v = numgen(pkt, e);
		return true;
	}
	return nft_load(pkt, k, v, name);
}

/* nft_lookup_eval on concatenated registers (or numgen's): the element of
 * s whose key tuple holds the packet's values of e's keys; NULL: none, or
 * a key the packet lacks (NFT_BREAK). */
static const struct nft_setelem *map_lookup(const struct nft_pktinfo *pkt, const struct nft_set *s,
					    struct nft_expr *e)
{
	uint32_t v[G_N_ELEMENTS(e->map_keys)];
	const char *name[G_N_ELEMENTS(v)];
	unsigned n = e->n_map_keys;

	if (!s || n > G_N_ELEMENTS(v) || s->key_types->len != n)
		return NULL;
	for (unsigned i = 0; i < n; i++) {
		name[i] = NULL;
		if (!load_key(pkt, e, e->map_keys[i], &v[i], &name[i]))
			return NULL;
		if (e->key_masked & (1u << i))
			v[i] &= e->key_mask[i];	/* a dynset's `KEY and MASK` */
	}
	for (unsigned i = 0; i < s->elems->len; i++) {
		const struct nft_setelem *se = s->elems->pdata[i];
		unsigned k = 0;
		if (se->expires_at && nft_setelem_expired(se, pkt->st->now))
			continue;	/* nft_set_elem_expired */
		while (k < n && k < se->key->len &&
		       elem_has(&g_array_index(se->key, struct nft_elem, k), v[k], name[k]))
			k++;
		if (k == n)
			return se;
	}
	return NULL;
}

/* The common matches without a call, as nft_do_chain calls
 * nft_payload_fast_eval and nft_cmp_fast_eval without the ops table: a
 * header field at a fixed offset (or the ct state bits) compared with a
 * value, range, bits, mask or a small anonymous set, or an interface name
 * with one name (nft_meta_get_eval's name against nft_cmp's 16 bytes;
 * "eth*" compares the bytes before the star). 1: match, 0: NFT_BREAK,
 * -1: not such a match (nft_match's general path). */
static inline __attribute__((always_inline)) int nft_match_fast(const struct nft_pktinfo *pkt, const struct nft_expr *e)
{
	uint32_t v;
	bool hit = false;

	/* the transport ports first: most rules start with one */
	if (e->fast == NFT_FAST_TH16) {
		if ((e->fast_l4 >= 0 && pkt->proto != e->fast_l4) ||
		    pkt->l4len < (uint32_t)e->fast_off + 2)
			return 0;	/* l4len is 0 without a transport header */
		v = rd16(pkt->l4 + e->fast_off);
		goto cmp;
	}
	switch (e->fast) {
	case NFT_FAST_NONE:
		return -1;
	case NFT_FAST_IFNAME: {
		const char *dev = e->key->id == NFT_K_IIFNAME ? pkt->st->in : pkt->st->out;
		const char *pat = g_array_index(e->elems, struct nft_elem, 0).str;
		if (!dev)
			dev = "";
		hit = e->op_hi ? strncmp(pat, dev, e->op_lo) == 0 : strcmp(pat, dev) == 0;
		return hit != e->neq;
	}
	case NFT_FAST_NH32:
		v = rd32(pkt->skb->ip + e->fast_off);
		break;
	case NFT_FAST_NH8:
		v = pkt->skb->ip[e->fast_off];
		break;
	case NFT_FAST_PROTO:
		v = pkt->proto;
		break;
	case NFT_FAST_CTSTATE:
		v = ct_state_bits(pkt->skb);
		break;
	default:
		return -1;
	}
cmp:
	if (e->op == NFT_OP_RANGE)
		return (v - e->op_lo <= e->op_hi - e->op_lo) != e->neq;
	switch (e->op) {
	case NFT_OP_BITS:
		hit = (v & e->op_lo) != 0;
		break;
	case NFT_OP_MASK:
		hit = (v & e->mask) == e->op_lo;
		break;
	default: {	/* NFT_OP_ANY (nft_expr_prepare sets fast for no other) */
		const struct nft_elem *el = (const struct nft_elem *)(void *)e->elems->data;
		for (unsigned i = 0; i < e->elems->len && !hit; i++)
			hit = el[i].lo <= v && v <= el[i].hi;
		break;
	}
	}
	return hit != e->neq;
}

/* nft_set_elem_update_expr: the element's counter, limit, quota on the
 * packet (nft_setelem_expr.c); false breaks the rule. */
static inline bool elem_exprs(const struct nft_pktinfo *pkt, const struct nft_setelem *se)
{
	return !se->stmts.n ||
	       nft_stateful_list_eval((struct nft_stateful_list *)&se->stmts, pkt->len, pkt->st->now,
				      pkt->st->net, pkt->skb);
}

/* nft_dynset_eval: the packet's key is found in the set (`update`
 * restarts its timeout) or added to it in nft's listing order, with the
 * statement's or the set's timeout (nft_settimeout.c); false (break) when
 * the key cannot be loaded or the set is full (nft_dynset_new). Expired
 * elements are collected before an insert, so a key is never twice. */
static bool nft_dynset_eval(const struct nft_pktinfo *pkt, struct nft_expr *e)
{
	struct nft_set *s = nft_set_find(pkt->table, e->set_ref);
	uint32_t v[G_N_ELEMENTS(e->map_keys)];
	const char *name[G_N_ELEMENTS(v)];

	if (!s || s->map || s->key_types->len != e->n_map_keys)
		return false;
	struct nft_setelem *old = (struct nft_setelem *)map_lookup(pkt, s, e);
	if (old) {
		if (e->dyn_update)
			nft_dynset_timeout(s, old, e->dyn_timeout_ms, true, pkt->st->now);
		return elem_exprs(pkt, old);
	}
	nft_set_gc(s, pkt->st->now);
	if (s->size && s->elems->len >= s->size)
		return false;
	for (unsigned i = 0; i < e->n_map_keys; i++) {
		name[i] = NULL;
		if (!load_key(pkt, e, e->map_keys[i], &v[i], &name[i]))
			return false;
		if (e->key_masked & (1u << i))
			v[i] &= e->key_mask[i];
	}
	struct nft_setelem *se = g_new0(struct nft_setelem, 1);
	se->key = g_array_new(FALSE, TRUE, sizeof(struct nft_elem));
	for (unsigned i = 0; i < e->n_map_keys; i++) {
		struct nft_elem x = { v[i], v[i], -1, g_strdup(name[i]), false };
		g_array_append_val(se->key, x);
	}
	nft_dynset_timeout(s, se, e->dyn_timeout_ms, false, pkt->st->now);
	/* nft_dynset_new: the dynset's expressions (the set's, when it
	 * gives none) */
	se->stmts = e->dyn_stmts.n ? e->dyn_stmts : s->stmts;
	g_ptr_array_add(s->elems, se);
	nft_set_sort(s);
	return elem_exprs(pkt, se);
}

/* A selector and its comparison (nft_cmp, nft_range, nft_bitwise + cmp,
 * nft_lookup, a verdict map); false is NFT_BREAK. */
static __attribute__((noinline)) bool nft_match(const struct nft_pktinfo *pkt, struct nft_expr *e,
						 struct nft_regs *regs)
{
	uint32_t v = 0;
	const char *name = NULL;
	bool hit = false;

	if (!e->n_map_keys && !load_key(pkt, e, e->key, &v, &name))
		return false;
	switch (e->op) {
	case NFT_OP_RANGE:
		hit = v - e->op_lo <= e->op_hi - e->op_lo;
		break;
	case NFT_OP_VMAP: {
		const struct nft_setelem *se = e->n_map_keys ? map_lookup(pkt, set_of(pkt, e), e) :
					       set_lookup(set_of(pkt, e), v, name, pkt->st->now);
		if (!se || !elem_exprs(pkt, se))
			return false;
		static const enum nft_rule_res res[] = {
			[NFT_ACCEPT] = RES_ACCEPT, [NFT_DROP] = RES_DROP, [NFT_RETURN] = RES_RETURN,
			[NFT_CONTINUE] = RES_NEXT, [NFT_JUMP] = RES_JUMP, [NFT_GOTO] = RES_GOTO,
		};
		regs->res = res[se->verdict];
		regs->chain = se->chain;
		return true;
	}
	case NFT_OP_LOOKUP: {
		const struct nft_setelem *se = e->n_map_keys ? map_lookup(pkt, set_of(pkt, e), e) :
					       set_lookup(set_of(pkt, e), v, name, pkt->st->now);
		/* nft_lookup_eval: a found element's expressions run (a
		 * limit or quota of it may break the rule), not when `!=` */
		if (se && !e->neq && !elem_exprs(pkt, se))
			return false;
		hit = se != NULL;
		break;
	}
	case NFT_OP_MASK:
		/* tcp flags syn / fin,syn,rst,ack: (flags & mask) == value */
		hit = (v & e->mask) == e->op_lo;
		break;
	case NFT_OP_BITS:
		/* ct state established,related: any of the bits */
		hit = (v & e->op_lo) != 0;
		break;
	default:	/* NFT_OP_ANY, NFT_OP_IFNAME: an anonymous set, names */
		for (unsigned i = 0; i < e->elems->len && !hit; i++)
			hit = elem_has(&g_array_index(e->elems, struct nft_elem, i), v, name);
		break;
	}
	return hit != e->neq;
}

/* ----- the walk's lines ----- */

static const char *res_text(enum nft_rule_res res)
{
	static const char *const t[] = { "break", "continue", "accept", "drop", "reject",
					 "jump", "goto", "return" };
	return t[res];
}

/* A rule's verdict as `nft monitor trace` names it (a reject is the
 * kernel's NF_DROP). */
static const char *monitor_verdict(enum nft_rule_res res)
{
	static const char *const t[] = { "break", "continue", "accept", "drop", "drop",
					 "jump", "goto", "return" };
	return t[res];
}

/* "  FORWARD     nft        ip filter forward rule 2: tcp dport 22 accept => accept" */
static void trace_rule(const struct nft_pktinfo *pkt, const struct nft_rule *r, const char *res,
		       const char *target)
{
	const struct nft_chain *c = pkt->chain;
	unsigned num = 1;	/* the rule's position, 1-based (looked up: tracing is rare) */
	while (num <= c->rules->len && c->rules->pdata[num - 1] != r)
		num++;
	struct nf_ns *ns = pkt->st->net;
	static const struct nft_print_opts o = { .stateless = true };
	GString *s = g_string_new(NULL);

	nft_print_rule(s, r, &o);
	nf_trace(ns, NF_TRACE_STEP "%s %s %s rule %u: %s => %s%s%s", nf_hook_name(pkt->st->hook),
		 "nft", nft_family_name(pkt->table->family), pkt->table->name, c->name, num, s->str,
		 res, target ? " " : "", target ? target : "");
	g_string_free(s, TRUE);
}

static void trace_policy(const struct nft_pktinfo *pkt, const struct nft_chain *c, bool decided)
{
	nf_trace(pkt->st->net, NF_TRACE_STEP "%s %s %s policy %s (%s)",
		 nf_hook_name(pkt->st->hook), "nft", nft_family_name(pkt->table->family),
		 pkt->table->name, c->name, c->policy_drop ? "drop" : "accept",
		 decided ? "no rule decided" : "no rules");
}

/* ----- statements ----- */

static uint8_t reject_with(const char *how)
{
	static const struct { const char *n; uint8_t with; } map[] = {
		{ "icmp net-unreachable", NF_REJECT_ICMP_NET_UNREACH },
		{ "icmp host-unreachable", NF_REJECT_ICMP_HOST_UNREACH },
		{ "icmp prot-unreachable", NF_REJECT_ICMP_PROTO_UNREACH },
		{ "icmp port-unreachable", NF_REJECT_ICMP_PORT_UNREACH },
		{ "icmp net-prohibited", NF_REJECT_ICMP_NET_PROHIBITED },
		{ "icmp host-prohibited", NF_REJECT_ICMP_HOST_PROHIBITED },
		{ "icmp admin-prohibited", NF_REJECT_ICMP_ADMIN_PROHIBITED },
		{ "icmpx no-route", NF_REJECT_ICMP_NET_UNREACH },
		{ "icmpx port-unreachable", NF_REJECT_ICMP_PORT_UNREACH },
		{ "icmpx host-unreachable", NF_REJECT_ICMP_HOST_UNREACH },
		{ "icmpx admin-prohibited", NF_REJECT_ICMP_ADMIN_PROHIBITED },
		{ "tcp reset", NF_REJECT_TCP_RESET },
	};
	for (unsigned i = 0; how && i < G_N_ELEMENTS(map); i++)
		if (!strcmp(how, map[i].n))
			return map[i].with;
	return NF_REJECT_ICMP_PORT_UNREACH;
}

/* nft_nat_eval / nft_masq_ipv4_eval / nft_redir_ipv4_eval: bind the new
 * entry through the NAT core, as iptables' targets do; the verdict is
 * final (accept, or drop when no binding is possible). */
static enum nft_rule_res nft_nat(const struct nft_pktinfo *pkt, struct nft_expr *e)
{
	struct nf_ns *ns = pkt->st->net;
	struct ct_entry *ct = pkt->skb->ct;
	struct nf_nat_range2 range = { 0 };
	enum nat_manip manip = e->nat == NFT_SNAT || e->nat == NFT_MASQ ? NAT_MANIP_SRC : NAT_MANIP_DST;
	int v;
	bool mapped = e->n_map_keys > 0;

	if (mapped) {
		/* `dnat to KEY map { ... }|@map`: the map's lookup comes first */
		const struct nft_setelem *se = map_lookup(pkt, set_of(pkt, e), e);
		if (!se || !se->data || !se->data->len)
			return RES_BREAK;
		const struct nft_elem *a = &g_array_index(se->data, struct nft_elem, 0);
		range.flags |= NF_NAT_RANGE_MAP_IPS;
		range.min_addr.ip = range.max_addr.ip = a->lo;
		if (se->data->len > 1) {
			const struct nft_elem *port = &g_array_index(se->data, struct nft_elem, 1);
			range.flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
			range.min_port = range.max_port = (uint16_t)port->lo;
		}
		struct nft_expr *pm = e->nat_port;
		if (pm && pm->anon) {
			/* `: KEY map { K : PORT }`: a second lookup, no element: break */
			const struct nft_setelem *ps = map_lookup(pkt, pm->anon, pm);
			if (!ps || !ps->data || !ps->data->len)
				return RES_BREAK;
			range.flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
			range.min_port = range.max_port =
				(uint16_t)g_array_index(ps->data, struct nft_elem, 0).lo;
		} else if (pm) {
			range.flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
			range.min_port = pm->port_lo;
			range.max_port = pm->port_hi;
		}
	}
	if (!ct)
		return RES_ACCEPT;
	/* the kernel binds only from a nat chain, at its manip's hook, for an
	 * entry not bound yet (nft_nat_validate refuses the rest at load; a
	 * regular chain jumped to from a filter chain is not checked there
	 * here): anything else binds nothing */
	if (!pkt->nat_chain || nat_hook_manip(pkt->st->hook) != manip || nat_initialized(ct, manip))
		return RES_ACCEPT;
	if (e->has_addr && !mapped) {
		range.flags |= NF_NAT_RANGE_MAP_IPS;
		range.min_addr.ip = e->addr_lo;
		range.max_addr.ip = e->addr_hi;
	}
	if (e->has_port && !mapped) {
		range.flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
		range.min_port = e->port_lo;
		range.max_port = e->port_hi;
	}
	if (e->nat_flags & NFT_NAT_RANDOM)
		range.flags |= NF_NAT_RANGE_PROTO_RANDOM;
	if (e->nat_flags & NFT_NAT_FULLY_RANDOM)
		range.flags |= NF_NAT_RANGE_PROTO_RANDOM_FULLY;
	if (e->nat_flags & NFT_NAT_PERSISTENT)
		range.flags |= NF_NAT_RANGE_PERSISTENT;
	switch (e->nat) {
	case NFT_MASQ:
		v = nat_masquerade(ns, ct, &range, pkt->st->out, pkt->st->now);
		break;
	case NFT_REDIR:
		v = nat_redirect(ns, ct, &range, pkt->st->in, pkt->st->hook, pkt->st->now);
		break;
	default:
		v = nat_setup_info(ns, ct, &range, manip, pkt->st->now);
		break;
	}
	if (v != NF_ACCEPT) {
		pkt->skb->drop_reason = NF_DROP_REASON_NAT;
		return RES_DROP;
	}
	return RES_ACCEPT;
}

/* The value a `meta|ct mark set` (`meta priority set`) gives: a value, a
 * selector through nft_bitwise (nft_mark_expr.c), the data of the map element
 * the packet's key finds or a hash's value (nft_datamap.c); false: no
 * element, or a selector the packet lacks (NFT_BREAK of nft_lookup). */
static bool mark_value(const struct nft_pktinfo *pkt, struct nft_expr *e, uint32_t *m)
{
	if (!e->n_map_keys) {
		*m = e->value;
		return true;
	}
	if (!e->anon && !e->set_ref) {
		/* nft_meta_set / nft_ct_set from the register a selector
		 * loaded, through its nft_bitwise steps */
		const char *name = NULL;
		if (!load_key(pkt, e, e->map_keys[0], m, &name))
			return false;
		*m = nft_mark_bitwise_eval(e, *m);
		return true;
	}
	const struct nft_setelem *se = map_lookup(pkt, set_of(pkt, e), e);
	if (!se || !se->data || !se->data->len)
		return false;
	*m = g_array_index(se->data, struct nft_elem, 0).lo;
	return true;
}

/* nft_ct_helper_obj_eval: the object's helper goes to a new entry (not
 * yet confirmed, without a helper): the same attachment as the CT
 * target's template (nf_ct_helper_assign). The object holds its helper
 * from its creation (nft_obj.c loads the module); it is looked up here by
 * the object's type and protocol. An entry already confirmed, an untracked
 * packet, a chain before conntrack (no entry yet) are left alone, as the
 * kernel leaves them. */
static void nft_ct_helper_obj_eval(const struct nft_pktinfo *pkt, const struct nft_expr *e)
{
	struct nf_ns *ns = pkt->st->net;
	struct ct_entry *ct = pkt->skb->ct;
	const struct nft_obj *o = nft_obj_find(pkt->table, e->obj);
	const struct nf_conn_help *help;
	const struct nf_ct_helper *h;

	if (!o || !ct || (ct->status & IPS_CONFIRMED))
		return;
	help = nfct_help(ns, ct);
	if (help && help->helper)
		return;		/* IPS_HELPER set: one assignment only */
	if (ct->tuplehash[CT_DIR_ORIGINAL].t.proto != o->l4proto)
		return;		/* nf_ct_protonum(ct) must be the object's */
	h = nf_ct_helper_get(ns, o->type, o->l4proto);
	if (h)
		nf_ct_helper_assign(ns, ct, h);
}

/* One rule's expressions in order (nft_do_chain's inner loop). */
static enum nft_rule_res nft_rule_eval(const struct nft_pktinfo *pkt, struct nft_rule *r,
				       struct nft_regs *regs, unsigned start)
{
	struct nf_skb *skb = pkt->skb;
	static const enum nft_rule_res verdicts[] = {
		[NFT_ACCEPT] = RES_ACCEPT, [NFT_DROP] = RES_DROP, [NFT_RETURN] = RES_RETURN,
		[NFT_CONTINUE] = RES_NEXT, [NFT_JUMP] = RES_JUMP, [NFT_GOTO] = RES_GOTO,
	};

	struct nft_expr *const *ex = (struct nft_expr *const *)r->exprs->pdata;
	const unsigned n = r->exprs->len;

	for (unsigned i = start; i < n; i++) {
		struct nft_expr *e = ex[i];
		if (e->kind == NFT_EXPR_MATCH) {
			/* most expressions: a header field compared with one
			 * value or range (nft_payload_fast_eval + nft_cmp_fast_eval,
			 * which nft_do_chain also calls without the ops table) */
			int m = nft_match_fast(pkt, e);
			if (m == 0)
				return RES_BREAK;
			if (m > 0)
				continue;
			regs->res = RES_NEXT;
			if (!nft_match(pkt, e, regs))
				return RES_BREAK;
			if (regs->res != RES_NEXT)
				return regs->res;	/* a verdict map's */
			continue;
		}
		switch (e->kind) {
		case NFT_EXPR_MATCH:
			break;	/* above */
		case NFT_EXPR_VERDICT:
			regs->chain = e->chain;
			return verdicts[e->verdict];
		case NFT_EXPR_COUNTER:
			e->packets++;
			e->bytes += pkt->len;
			break;
		case NFT_EXPR_LOG:
			nft_log_eval(e, pkt->st->net, skb, pkt->st->in, pkt->st->out, pkt->st->now);
			break;
		case NFT_EXPR_LIMIT:
			if (!nft_limit_eval(&e->limit, pkt->len, pkt->st->now))
				return RES_BREAK;
			break;
		case NFT_EXPR_QUOTA:
			if (!nft_quota_eval(&e->quota, pkt->len))
				return RES_BREAK;
			break;
		case NFT_EXPR_DYNSET:
			if (!nft_dynset_eval(pkt, e))
				return RES_BREAK;
			break;
		case NFT_EXPR_OBJREF: {
			/* nft_objref_eval, nft_objref_map_eval (no element: break) */
			const char *name = e->obj;
			if (e->anon) {
				const struct nft_setelem *se = map_lookup(pkt, e->anon, e);
				if (!se || !se->data || !se->data->len)
					return RES_BREAK;
				name = g_array_index(se->data, struct nft_elem, 0).str;
			}
			if (!name || !nft_objref_eval(pkt->table, e->obj_type, name, pkt->len, pkt->st->now))
				return RES_BREAK;
			break;
		}
		case NFT_EXPR_NAT: {
			/* the rule's line before NAT's own (the binding) */
			static const char *const nat_names[] = { "snat", "dnat", "masquerade", "redirect" };
			if (pkt->trace)
				trace_rule(pkt, r, nat_names[e->nat], NULL);
			regs->traced = true;
			return nft_nat(pkt, e);
		}
		case NFT_EXPR_REJECT:
			skb->reject_with = reject_with(e->reject);
			return RES_REJECT;
		case NFT_EXPR_META_SET: {
			uint32_t m;
			if (!mark_value(pkt, e, &m))
				return RES_BREAK;
			skb->mark = m;
			break;
		}
		case NFT_EXPR_PRIORITY_SET: {
			uint32_t m;
			if (!mark_value(pkt, e, &m))
				return RES_BREAK;
			skb->priority = m;
			break;
		}
		case NFT_EXPR_CT_SET: {
			uint32_t m;
			if (skb->ct && !mark_value(pkt, e, &m))
				return RES_BREAK;
			if (skb->ct && skb->ct->mark != m) {
				skb->ct->mark = m;
				ct_event_cache(skb->ct, IPCT_MARK);
			}
			break;
		}
		case NFT_EXPR_FLOW_OFFLOAD:
			/* nft_flow_offload_eval: not offloaded, NFT_BREAK */
			if (!nft_flow_offload_add(pkt->table, e->set_ref, skb, pkt->st, pkt->l4,
						  pkt->l4len))
				return RES_BREAK;
			break;
		case NFT_EXPR_NOTRACK:
			/* nft_notrack_eval: only a packet conntrack has not seen */
			if (!skb->ct) {
				skb->ctinfo = IP_CT_UNTRACKED;
			}
			break;
		case NFT_EXPR_MSS_RTMTU:
			if (!nft_tcp_mss_set_rtmtu(pkt->st->net, skb,
						   pkt->proto == 6 ? (uint8_t *)pkt->l4 : NULL, pkt->l4len))
				return RES_BREAK;
			break;
		case NFT_EXPR_CT_HELPER_SET:
			nft_ct_helper_obj_eval(pkt, e);
			break;
		case NFT_EXPR_CT_TIMEOUT_SET:
			nft_ct_timeout_obj_eval(pkt->table, e->obj, pkt->st->net, skb->ct,
						pkt->proto, pkt->st->now);
			break;
		case NFT_EXPR_CT_EXPECT_SET:
			switch (nft_ct_expect_obj_eval(pkt->table, e->obj, pkt->st->net, skb->ct,
						       skb->ctinfo, pkt->st->now)) {
			case NFT_CT_OBJ_BREAK:
				return RES_BREAK;
			case NFT_CT_OBJ_DROP:
				return RES_DROP;
			}
			break;
		case NFT_EXPR_PAYLOAD_SET:
			if (!nft_payload_set_eval(e, skb->ip, pkt->len, (uint8_t *)pkt->l4, pkt->l4len,
						  pkt->proto))
				return RES_BREAK;
			break;
		case NFT_EXPR_CT_COUNT:
			if (!nft_ct_count_eval(pkt->st->net, skb, e, pkt->st->now))
				return RES_BREAK;
			break;
		case NFT_EXPR_CT_ZONE_SET:
			nft_ct_zone_set_eval(skb, e);
			break;
		case NFT_EXPR_CT_EVENT_SET:
			nft_ct_event_set_eval(pkt->st->net, skb, e);
			break;
		case NFT_EXPR_CT_LABEL:
			if (!nft_ct_label_eval(pkt->st->net, skb, e))
				return RES_BREAK;
			break;
		case NFT_EXPR_CT_LABEL_SET:
			nft_ct_label_set_eval(pkt->st->net, skb, e);
			break;
		case NFT_EXPR_NFTRACE:
			/* nft_meta_set_eval: NFT_META_NFTRACE */
			skb->nf_trace = e->value ? 1 : 0;
			break;
		}
	}
	return RES_NEXT;
}

void nft_expr_prepare(struct nft_expr *e)
{
	if (e->kind != NFT_EXPR_MATCH || !e->key)
		return;
	const struct nft_elem *v0 = e->elems && e->elems->len ? &g_array_index(e->elems, struct nft_elem, 0)
							    : NULL;
	if (e->vmap)
		e->op = NFT_OP_VMAP;
	else if (e->set_ref || e->anon)
		e->op = NFT_OP_LOOKUP;
	else if (!v0 || e->key->dtype == NFT_DT_IFNAME)
		e->op = NFT_OP_IFNAME;
	else if (e->has_mask)
		e->op = NFT_OP_MASK;
	else if (!e->is_set && nft_dtype_bitmask(e->key->dtype) && !e->exact)
		e->op = NFT_OP_BITS;
	else if (e->elems->len == 1)
		e->op = NFT_OP_RANGE;
	else
		e->op = NFT_OP_ANY;
	if (v0) {
		e->op_lo = v0->lo;
		e->op_hi = v0->hi;
	}
	if (e->cmp_op) {
		/* nft_cmp's lt, gt, lte, gte: the range of values that pass */
		e->op = NFT_OP_RANGE;
		nft_payload_cmp_range(e, &e->op_lo, &e->op_hi);
	}
	if (e->op == NFT_OP_IFNAME && e->elems && e->elems->len == 1 && v0->str &&
	    (e->key->id == NFT_K_IIFNAME || e->key->id == NFT_K_OIFNAME)) {
		size_t n = strlen(v0->str);
		e->op = NFT_OP_IFNAME1;
		e->op_hi = n && v0->str[n - 1] == '*';
		e->op_lo = (uint32_t)(e->op_hi ? n - 1 : n);
	}
	/* the fast loads: fixed-offset header fields (never concatenations) */
	static const struct { uint8_t fast, off; } fast[] = {
		[NFT_K_IP_SADDR] = { NFT_FAST_NH32, 12 }, [NFT_K_IP_DADDR] = { NFT_FAST_NH32, 16 },
		[NFT_K_IP_TTL] = { NFT_FAST_NH8, 8 },
		[NFT_K_IP_PROTOCOL] = { NFT_FAST_PROTO, 0 }, [NFT_K_L4PROTO] = { NFT_FAST_PROTO, 0 },
		[NFT_K_TCP_SPORT] = { NFT_FAST_TH16, 0 }, [NFT_K_UDP_SPORT] = { NFT_FAST_TH16, 0 },
		[NFT_K_TH_SPORT] = { NFT_FAST_TH16, 0 }, [NFT_K_TCP_DPORT] = { NFT_FAST_TH16, 2 },
		[NFT_K_UDP_DPORT] = { NFT_FAST_TH16, 2 }, [NFT_K_TH_DPORT] = { NFT_FAST_TH16, 2 },
		[NFT_K_CT_STATE] = { NFT_FAST_CTSTATE, 0 },
	};
	e->fast = NFT_FAST_NONE;
	if (e->op == NFT_OP_IFNAME1)
		e->fast = NFT_FAST_IFNAME;
	else if (!e->n_map_keys && (unsigned)e->key->id < G_N_ELEMENTS(fast) && e->key->dtype != NFT_DT_IFNAME &&
	    (e->op == NFT_OP_RANGE || e->op == NFT_OP_BITS || e->op == NFT_OP_MASK || e->op == NFT_OP_ANY)) {
		e->fast = fast[e->key->id].fast;
		e->fast_off = fast[e->key->id].off;
		e->fast_l4 = (int16_t)e->key->l4proto;
		if (e->fast != NFT_FAST_TH16 && e->fast_l4 >= 0)
			e->fast = NFT_FAST_NONE;	/* nft_load's protocol test */
	}
}

void nft_rule_prepare(struct nft_rule *r)
{
	for (unsigned i = 0; i < r->exprs->len; i++)
		nft_expr_prepare(r->exprs->pdata[i]);
	unsigned n = 0;
	while (n < r->exprs->len) {
		const struct nft_expr *e = r->exprs->pdata[n];
		if (e->kind != NFT_EXPR_MATCH || !e->fast)
			break;
		n++;
	}
	g_free(r->fast);
	r->fast = g_new0(struct nft_fast_match, n ? n : 1);
	r->n_fast = n;
	for (unsigned k = 0; k < n; k++) {
		const struct nft_expr *e = r->exprs->pdata[k];
		struct nft_fast_match *f = &r->fast[k];
		*f = (struct nft_fast_match){ .code = NFT_FM_EXPR, .off = e->fast_off, .neq = e->neq,
					      .lo = e->op_lo, .span = e->op_hi - e->op_lo, .e = e };
		if (e->fast == NFT_FAST_CTSTATE && e->op == NFT_OP_BITS) {
			f->code = NFT_FM_CTSTATE_BITS;
			continue;
		}
		if (e->op != NFT_OP_RANGE)
			continue;
		switch (e->fast) {
		case NFT_FAST_TH16:
			f->code = e->fast_l4 >= 0 ? NFT_FM_L4_RANGE : NFT_FM_TH_RANGE;
			f->l4 = (uint8_t)e->fast_l4;
			break;
		case NFT_FAST_NH32: f->code = NFT_FM_NH32_RANGE; break;
		case NFT_FAST_NH8: f->code = NFT_FM_NH8_RANGE; break;
		case NFT_FAST_PROTO: f->code = NFT_FM_PROTO_RANGE; break;
		default: break;
		}
	}
}

bool nft_expr_needs_ct(const struct nft_expr *e)
{
	/* flow add: nft_flow_offload_init takes conntrack (nf_ct_netns_get) */
	if (e->kind == NFT_EXPR_CT_SET || e->kind == NFT_EXPR_NAT ||
	    e->kind == NFT_EXPR_CT_HELPER_SET || e->kind == NFT_EXPR_FLOW_OFFLOAD ||
	    e->kind == NFT_EXPR_CT_TIMEOUT_SET || e->kind == NFT_EXPR_CT_EXPECT_SET ||
	    e->kind == NFT_EXPR_CT_COUNT || e->kind == NFT_EXPR_CT_ZONE_SET ||
	    e->kind == NFT_EXPR_CT_EVENT_SET || e->kind == NFT_EXPR_CT_LABEL ||
	    e->kind == NFT_EXPR_CT_LABEL_SET)
		return true;
	/* a ct selector as a map's key or hashed (nft_datamap.c, nft_hash.c) */
	for (unsigned i = 0; i < e->n_map_keys; i++)
		if (!strncmp(e->map_keys[i]->name, "ct ", 3))
			return true;
	if (nft_hash_needs_ct(e))
		return true;
	return e->kind == NFT_EXPR_MATCH && !strncmp(e->key->name, "ct ", 3);
}

/* ----- the chain walk ----- */

/* The first of rules[i..n) whose leading fast matches (n_fast of them,
 * nft_match_fast) all hold: the rules before it end in one of those, as
 * most rules do, so this loop, with its own registers, is the walk's hot
 * part; the rule found goes on from expression n_fast. */
static __attribute__((noinline)) unsigned nft_skip_rules(const struct nft_pktinfo *pkt,
							 struct nft_rule *const *rules, unsigned i,
							 unsigned n)
{
	const uint32_t ctstate = ct_state_bits(pkt->skb);

	for (; i < n; i++) {
		const struct nft_rule *r = rules[i];
		const struct nft_fast_match *f = r->fast, *end = f + r->n_fast;
		for (; f < end; f++) {
			uint32_t v;
			switch (f->code) {
			case NFT_FM_L4_RANGE:
				if (pkt->proto != f->l4 || pkt->l4len < (uint32_t)f->off + 2u)
					goto next;
				v = rd16(pkt->l4 + f->off);
				break;
			case NFT_FM_TH_RANGE:	/* l4len is 0 without a transport header */
				if (pkt->l4len < (uint32_t)f->off + 2u)
					goto next;
				v = rd16(pkt->l4 + f->off);
				break;
			case NFT_FM_NH32_RANGE:
				v = rd32(pkt->skb->ip + f->off);
				break;
			case NFT_FM_NH8_RANGE:
				v = pkt->skb->ip[f->off];
				break;
			case NFT_FM_PROTO_RANGE:
				v = pkt->proto;
				break;
			case NFT_FM_CTSTATE_BITS:
				if (((ctstate & f->lo) != 0) == f->neq)
					goto next;
				continue;
			default:	/* NFT_FM_EXPR */
				if (!nft_match_fast(pkt, f->e))
					goto next;
				continue;
			}
			if ((v - f->lo <= f->span) == f->neq)
				goto next;
		}
		break;	/* every fast match holds: the rule goes on */
next:;
	}
	return i;
}

#define NFT_JUMP_STACK_SIZE 16

unsigned nft_do_chain(struct nft_table *t, struct nft_chain *base, struct nf_skb *skb,
		      const struct nf_hook_state *st)
{
	struct nft_pktinfo pkt = { .skb = skb, .st = st, .table = t,
				   .trace = st->net->env.trace != NULL,
				   /* types: filter, nat, route */
				   .nat_chain = base->type && base->type[0] == 'n' };
	struct { struct nft_chain *c; unsigned next; } stack[NFT_JUMP_STACK_SIZE];
	unsigned sp = 0, i = 0;
	struct nft_chain *c = base;
	struct nft_traceinfo tr;

	nft_trace_begin(&tr, skb, st, t, base);

	/* the header as nf_hook() parsed it once (st->pkt, nf_pktinfo.h) */
	const struct nf_pktinfo *pi = &st->pkt;
	if (!(pi->flags & NF_PKTINFO_L3))
		return NF_ACCEPT;
	pkt.len = nf_pktinfo_end(pi);
	pkt.proto = pi->l4proto;
	if ((pi->flags & NF_PKTINFO_L4PROTO) && !pi->fragoff && pkt.len > pi->thoff) {
		pkt.l4 = skb->ip + pi->thoff;
		pkt.l4len = pkt.len - pi->thoff;
	}

	/* loops are refused at load (nft_parse.c, EMLINK); a bound on the
	 * jumps and gotos anyway */
	unsigned hops = 0;
	struct nft_rule *const *rules = (struct nft_rule *const *)c->rules->pdata;
	unsigned nrules = c->rules->len;
	for (;;) {
		i = nft_skip_rules(&pkt, rules, i, nrules);
		if (i >= nrules) {
			if (sp == 0)
				break;		/* the base chain's end: its policy */
			sp--;
			c = stack[sp].c;
			i = stack[sp].next;
			rules = (struct nft_rule *const *)c->rules->pdata;
			nrules = c->rules->len;
			continue;
		}
		struct nft_rule *r = rules[i++];
		struct nft_regs regs = { RES_NEXT, NULL, false };
		pkt.chain = c;
		enum nft_rule_res res = nft_rule_eval(&pkt, r, &regs, r->n_fast);
		if (res == RES_BREAK)
			continue;
		struct nft_chain *to = NULL;
		if (res == RES_JUMP || res == RES_GOTO)
			to = regs.chain ? nft_chain_find(t, regs.chain) : NULL;
		if (pkt.trace && !regs.traced)
			trace_rule(&pkt, r, res_text(res), to ? to->name : NULL);
		if (nft_trace_enabled(&tr))
			nft_trace_rule(&tr, c, r, monitor_verdict(res),
				       res == RES_JUMP || res == RES_GOTO ? regs.chain : NULL);
		switch (res) {
		case RES_BREAK:
		case RES_NEXT:
			break;
		case RES_ACCEPT:
			return NF_ACCEPT;
		case RES_DROP:
			return NF_DROP;
		case RES_REJECT:
			return NF_REJECT;
		case RES_RETURN:
			if (sp == 0)
				goto policy;
			sp--;
			c = stack[sp].c;
			i = stack[sp].next;
			rules = (struct nft_rule *const *)c->rules->pdata;
			nrules = c->rules->len;
			break;
		case RES_JUMP:
			if (!to)
				break;
			if (sp >= NFT_JUMP_STACK_SIZE || ++hops > (1u << 20))
				return NF_DROP;
			stack[sp].c = c;
			stack[sp].next = i;
			sp++;
			c = to;
			i = 0;
			rules = (struct nft_rule *const *)c->rules->pdata;
			nrules = c->rules->len;
			break;
		case RES_GOTO:
			if (!to)
				break;
			if (++hops > (1u << 20))
				return NF_DROP;
			c = to;
			i = 0;
			rules = (struct nft_rule *const *)c->rules->pdata;
			nrules = c->rules->len;
			break;
		}
	}
policy:
	if (pkt.trace)
		trace_policy(&pkt, base, base->rules->len != 0);
	if (nft_trace_enabled(&tr))
		nft_trace_policy(&tr, base->policy_drop);
	return base->policy_drop ? NF_DROP : NF_ACCEPT;
}
