/* nft_ct.c - the ct keys beyond state/status/mark/addresses (nft_ct.c's
 * nft_ct_get_eval), `ct zone set` (nft_ct_set_zone_eval) and `ct count`
 * (nft_connlimit.c).
 *
 * Design: the keys are one table (key word, direction: the kernel's
 * NFT_CT_* key and priv->dir), loaded from natsim's conntrack entry: the
 * zone from the id each stored tuple carries (ct_zone.h), the counters
 * from the acct extension (ct_acct.c; an entry without it reads 0, as
 * nft_ct_get_eval's count = 0), the expiration from the entry's absolute
 * timeout. A ct count rule owns its connection list (nf_conncount.c,
 * shared with xt_connlimit). None of it costs a packet anything unless a
 * rule uses it: the keys are reached only from nft_load's general switch.
 */
#include <string.h>

#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_ecache.h"
#include "nat/conntrack/ct_labels.h"
#include "nat/conntrack/ct_proto.h"
#include "nat/conntrack/ct_zone.h"
#include "nat/conntrack/nf_conncount.h"
#include "nat/nftables/nft_ct.h"

#define NOPROTO -1
/* nft's ct_templates: the word, its direction forms, the printed key */
static const struct ct_key {
	const char *word;
	struct nft_key key[3];	/* none, original, reply */
} ct_keys[] = {
	{ "zone", { { "ct zone", NFT_DT_INTEGER, NOPROTO, false, NFT_K_CT_ZONE },
		    { "ct original zone", NFT_DT_INTEGER, NOPROTO, false, NFT_K_CT_ZONE_ORIG },
		    { "ct reply zone", NFT_DT_INTEGER, NOPROTO, false, NFT_K_CT_ZONE_REPL } } },
	/* l3proto and protocol are the same both ways: nft lists them bare */
	{ "l3proto", { { "ct l3proto", NFT_DT_NFPROTO, NOPROTO, false, NFT_K_CT_L3PROTO },
		       { "ct l3proto", NFT_DT_NFPROTO, NOPROTO, false, NFT_K_CT_L3PROTO },
		       { "ct l3proto", NFT_DT_NFPROTO, NOPROTO, false, NFT_K_CT_L3PROTO } } },
	{ "protocol", { { "ct protocol", NFT_DT_PROTO, NOPROTO, false, NFT_K_CT_PROTOCOL },
			{ "ct protocol", NFT_DT_PROTO, NOPROTO, false, NFT_K_CT_PROTOCOL },
			{ "ct protocol", NFT_DT_PROTO, NOPROTO, false, NFT_K_CT_PROTOCOL } } },
	{ "bytes", { { "ct bytes", NFT_DT_INTEGER, NOPROTO, false, NFT_K_CT_BYTES },
		     { "ct original bytes", NFT_DT_INTEGER, NOPROTO, false, NFT_K_CT_BYTES_ORIG },
		     { "ct reply bytes", NFT_DT_INTEGER, NOPROTO, false, NFT_K_CT_BYTES_REPL } } },
	{ "packets", { { "ct packets", NFT_DT_INTEGER, NOPROTO, false, NFT_K_CT_PKTS },
		       { "ct original packets", NFT_DT_INTEGER, NOPROTO, false, NFT_K_CT_PKTS_ORIG },
		       { "ct reply packets", NFT_DT_INTEGER, NOPROTO, false, NFT_K_CT_PKTS_REPL } } },
	{ "avgpkt", { { "ct avgpkt", NFT_DT_INTEGER, NOPROTO, false, NFT_K_CT_AVGPKT },
		      { "ct original avgpkt", NFT_DT_INTEGER, NOPROTO, false, NFT_K_CT_AVGPKT_ORIG },
		      { "ct reply avgpkt", NFT_DT_INTEGER, NOPROTO, false, NFT_K_CT_AVGPKT_REPL } } },
	/* no direction form */
	{ "expiration", { { "ct expiration", NFT_DT_TIME, NOPROTO, false, NFT_K_CT_EXPIRATION },
			  { NULL, 0, 0, false, 0 }, { NULL, 0, 0, false, 0 } } },
};

uint32_t nft_ct_key_max(const struct nft_key *k)
{
	/* the zone is 16 bits (nft's ct_templates: 2 bytes) */
	return k->id >= NFT_K_CT_ZONE && k->id <= NFT_K_CT_ZONE_REPL ? 65535 : 0;
}

static int ct_dir_word(const struct nft_token *t)
{
	return nft_is_word(t, "original") ? 1 : nft_is_word(t, "reply") ? 2 : 0;
}

const struct nft_key *nft_ct_parse_key(struct nft_parse *p)
{
	if (!nft_is_word(nft_peek(p, 0), "ct"))
		return NULL;
	int dir = ct_dir_word(nft_peek(p, 1));
	const struct nft_token *w = nft_peek(p, dir ? 2 : 1);
	for (unsigned i = 0; i < G_N_ELEMENTS(ct_keys); i++) {
		if (!nft_is_word(w, ct_keys[i].word) || !ct_keys[i].key[dir].name)
			continue;
		/* `ct zone set`: a statement (nft_ct_parse_stmt) */
		if (nft_is_word(nft_peek(p, dir ? 3 : 2), "set"))
			return NULL;
		for (int n = dir ? 3 : 2; n > 0; n--)
			nft_next(p);
		return &ct_keys[i].key[dir];
	}
	return NULL;
}

static bool parse_u32(struct nft_parse *p, uint32_t max, uint32_t *v)
{
	const struct nft_token *t = nft_peek(p, 0);
	struct nft_elem e;
	const char *why;
	if (t->type != NFT_T_WORD) {
		nft_error_unexpected(p, t);
		return false;
	}
	if (!nft_parse_value(NFT_DT_INTEGER, t->text, &e, &why) || e.range) {
		nft_error(p, t, NULL, "natsim: nft this value here is not implemented");
		return false;
	}
	if (e.lo > max) {
		nft_error(p, t, NULL, "Value %u exceeds valid range 0-%u", e.lo, max);
		return false;
	}
	nft_next(p);
	*v = e.lo;
	return true;
}

/* `ct label [==|!=] N` and `ct label set N` (the parser after `label`):
 * a bit of the entry's labels (nft_ct's NFT_CT_LABELS with a bitwise and
 * a compare to 0; nft_ct_set_eval's nf_connlabels_replace). Numbers only:
 * natsim has no /etc/connlabel.conf. */
static bool parse_label(struct nft_parse *p, struct nft_rule *r)
{
	struct nft_expr *e = g_new0(struct nft_expr, 1);
	e->kind = NFT_EXPR_CT_LABEL;
	e->level = -1;
	g_ptr_array_add(r->exprs, e);
	const struct nft_token *t = nft_peek(p, 0);
	if (nft_is_word(t, "set")) {
		e->kind = NFT_EXPR_CT_LABEL_SET;
		nft_next(p);
	} else if (nft_is_word(t, "!=")) {
		e->neq = true;
		nft_next(p);
	} else if (nft_is_word(t, "==")) {
		e->ct_dir = 1;
		nft_next(p);
	}
	t = nft_peek(p, 0);
	if (t->type == NFT_T_LBRACE || t->type != NFT_T_WORD || !g_ascii_isdigit(t->text[0]) ||
	    strchr(t->text, '-')) {
		if (t->type == NFT_T_WORD && !g_ascii_isdigit(t->text[0]) && !nft_is_word(t, "set") &&
		    t->text[0] != '@' && t->text[0] != '$') {
			nft_error(p, t, NULL, "/etc/connlabel.conf: could not parse conntrack label \"%s\"",
				  t->text);
			return false;
		}
		nft_error(p, t, NULL, "natsim: nft ct label with other than one label number is not "
			  "implemented");
		return false;
	}
	struct nft_elem v;
	const char *why;
	if (!nft_parse_value(NFT_DT_INTEGER, t->text, &v, &why) || v.range) {
		nft_error(p, t, NULL, "natsim: nft ct label with other than one label number is not "
			  "implemented");
		return false;
	}
	if (v.lo >= NF_CT_LABELS_MAX_BITS) {
		nft_error(p, t, NULL, "%s: bit %u out of range (%u max)", t->text, v.lo,
			  NF_CT_LABELS_MAX_BITS);
		return false;
	}
	nft_next(p);
	e->value = v.lo;
	return true;
}

void nft_ct_label_set_eval(struct nf_ns *ns, struct nf_skb *skb, const struct nft_expr *e)
{
	if (skb->ct)
		nf_ct_label_set(ns, skb->ct, e->value);
}

bool nft_ct_label_eval(struct nf_ns *ns, const struct nf_skb *skb, const struct nft_expr *e)
{
	if (!skb->ct)
		return false;	/* nft_ct_get_eval without an entry: NFT_BREAK */
	/* nft's bitmask type: `ct label N` tests the bit; `== N` and `!= N`
	 * compare all 128 bits with that one (measured: an entry labelled 3
	 * and 100 is `!= 3`) */
	if (e->neq || e->ct_dir)
		return nf_ct_label_only(ns, skb->ct, e->value) != e->neq;
	return nf_ct_label_test(ns, skb->ct, e->value);
}

/* nft's ct_events_tbl: the kernel's enum ip_conntrack_events bits */
static const char *const ct_events[] = { "new", "related", "destroy", "reply", "assured",
					 "protoinfo", "helper", "mark", "seqadj", "secmark", "label" };

/* `ct event set NAME[,NAME]...|NUMBER` (the parser after `set`). */
static bool parse_event_set(struct nft_parse *p, struct nft_rule *r)
{
	static const char *const exprs[] = { "mark", "meta", "ct", "numgen", "jhash", "symhash" };
	const struct nft_token *t = nft_peek(p, 0);
	for (unsigned i = 0; i < G_N_ELEMENTS(exprs); i++)
		if (nft_is_word(t, exprs[i]) && nft_peek(p, 1)->type != NFT_T_COMMA) {
			nft_error(p, t, NULL, "natsim: nft ct event set from an expression is not implemented");
			return false;
		}
	struct nft_expr *e = g_new0(struct nft_expr, 1);
	e->kind = NFT_EXPR_CT_EVENT_SET;
	e->level = -1;
	g_ptr_array_add(r->exprs, e);
	for (;;) {
		t = nft_peek(p, 0);
		/* `helper` is a keyword of nft's scanner: not a bit's name there */
		if (t->type != NFT_T_WORD || nft_is_word(t, "helper")) {
			nft_error_unexpected(p, t);
			return false;
		}
		unsigned i = 0;
		while (i < G_N_ELEMENTS(ct_events) && !nft_is_word(t, ct_events[i]))
			i++;
		if (i < G_N_ELEMENTS(ct_events)) {
			e->value |= 1u << i;
			nft_next(p);
		} else if (g_ascii_isdigit(t->text[0])) {
			uint32_t v;
			if (!parse_u32(p, UINT32_MAX, &v))
				return false;
			e->value |= v;
		} else {
			nft_error(p, t, NULL, "Could not parse conntrack event bits");
			return false;
		}
		if (nft_peek(p, 0)->type != NFT_T_COMMA)
			return true;
		nft_next(p);
	}
}

bool nft_ct_parse_stmt(struct nft_parse *p, struct nft_rule *r, bool *done)
{
	*done = false;
	if (!nft_is_word(nft_peek(p, 0), "ct"))
		return true;
	if (nft_is_word(nft_peek(p, 1), "count")) {
		/* nft_connlimit: `ct count [over] N` */
		*done = true;
		nft_next(p);
		nft_next(p);
		struct nft_expr *e = g_new0(struct nft_expr, 1);
		e->kind = NFT_EXPR_CT_COUNT;
		e->level = -1;
		g_ptr_array_add(r->exprs, e);
		if (nft_is_word(nft_peek(p, 0), "over")) {
			nft_next(p);
			e->neq = true;
		}
		if (!parse_u32(p, UINT32_MAX, &e->value))
			return false;
		e->conncount = nf_conncount_list_new();
		return true;
	}
	if (nft_is_word(nft_peek(p, 1), "label")) {
		*done = true;
		nft_next(p);
		nft_next(p);
		return parse_label(p, r);
	}
	if (nft_is_word(nft_peek(p, 1), "event") && nft_is_word(nft_peek(p, 2), "set")) {
		*done = true;
		for (int n = 3; n > 0; n--)
			nft_next(p);
		return parse_event_set(p, r);
	}
	int dir = ct_dir_word(nft_peek(p, 1));
	if (!nft_is_word(nft_peek(p, dir ? 2 : 1), "zone") ||
	    !nft_is_word(nft_peek(p, dir ? 3 : 2), "set"))
		return true;
	*done = true;
	for (int n = dir ? 4 : 3; n > 0; n--)
		nft_next(p);
	const struct nft_token *v = nft_peek(p, 0);
	if (v->type == NFT_T_WORD && !g_ascii_isdigit(v->text[0])) {
		nft_error(p, v, NULL, "natsim: nft ct zone set from an expression is not implemented");
		return false;
	}
	struct nft_expr *e = g_new0(struct nft_expr, 1);
	e->kind = NFT_EXPR_CT_ZONE_SET;
	e->level = -1;
	e->ct_dir = (uint8_t)dir;
	g_ptr_array_add(r->exprs, e);
	return parse_u32(p, 65535, &e->value);
}

void nft_ct_print_stmt(GString *s, const struct nft_expr *e)
{
	static const char *const dirs[] = { "", "original ", "reply " };
	if (e->kind == NFT_EXPR_CT_EVENT_SET) {
		/* a bitmask type: the names of its bits, else the number */
		g_string_append(s, "ct event set ");
		bool first = true;
		for (unsigned i = 0; i < G_N_ELEMENTS(ct_events); i++)
			if (e->value & (1u << i)) {
				g_string_append_printf(s, "%s%s", first ? "" : ",", ct_events[i]);
				first = false;
			}
		if (first)
			g_string_append_printf(s, "0x%x", e->value);
		return;
	}
	if (e->kind == NFT_EXPR_CT_LABEL) {
		g_string_append_printf(s, "ct label %s%u", e->neq ? "!= " : e->ct_dir ? "== " : "",
				       e->value);
		return;
	}
	if (e->kind == NFT_EXPR_CT_LABEL_SET) {
		g_string_append_printf(s, "ct label set %u", e->value);
		return;
	}
	if (e->kind == NFT_EXPR_CT_COUNT)
		g_string_append_printf(s, "ct count %s%u", e->neq ? "over " : "", e->value);
	else
		g_string_append_printf(s, "ct %szone set %u", dirs[e->ct_dir], e->value);
}

/* nft_ct_get_eval_counter: one direction, or both summed. */
static uint64_t acct_counter(const uint64_t c[CT_DIR_MAX], int dir)
{
	return dir < CT_DIR_MAX ? c[dir] : c[CT_DIR_ORIGINAL] + c[CT_DIR_REPLY];
}

/* The 64-bit counters load saturated: natsim's values are 32 bits, so a
 * comparison with any value natsim accepts gives the kernel's answer. */
static uint32_t sat32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

bool nft_ct_load(struct nf_ns *ns, const struct ct_entry *ct, enum ct_info ctinfo,
		 const struct nft_key *k, uint32_t *v, nf_time now)
{
	if (!ct)
		return false;
	switch (k->id) {
	case NFT_K_CT_ZONE:
		/* nf_ct_zone_id(zone, CTINFO2DIR(ctinfo)) */
		*v = ct->tuplehash[ct_info_dir(ctinfo)].t.zone;
		return true;
	case NFT_K_CT_ZONE_ORIG: *v = ct->tuplehash[CT_DIR_ORIGINAL].t.zone; return true;
	case NFT_K_CT_ZONE_REPL: *v = ct->tuplehash[CT_DIR_REPLY].t.zone; return true;
	case NFT_K_CT_L3PROTO: *v = 2; return true;	/* NFPROTO_IPV4: IPv4 entries only */
	case NFT_K_CT_PROTOCOL: *v = ct->tuplehash[CT_DIR_ORIGINAL].t.proto; return true;
	case NFT_K_CT_EXPIRATION: {
		/* nf_ct_expires in jiffies (HZ 250), as milliseconds; an
		 * unconfirmed entry's timeout is relative in the kernel, so
		 * (timeout - jiffies) is below 0 on any host up for more than
		 * minutes: 0 */
		nf_time left = (ct->status & IPS_CONFIRMED) ? ct->timeout - now : 0;
		*v = left > 0 ? (uint32_t)(left / 4000000 * 4) : 0;
		return true;
	}
	default:
		break;
	}
	/* bytes, packets, avgpkt: in groups of three (none, original, reply) */
	const struct ct_acct *a = ct_acct_find(ns, ct);
	int dir;
	uint64_t pk, by;
	switch (k->id) {
	case NFT_K_CT_BYTES: case NFT_K_CT_BYTES_ORIG: case NFT_K_CT_BYTES_REPL:
		dir = k->id == NFT_K_CT_BYTES ? CT_DIR_MAX : (int)(k->id - NFT_K_CT_BYTES_ORIG);
		*v = a ? sat32(acct_counter(a->bytes, dir)) : 0;
		return true;
	case NFT_K_CT_PKTS: case NFT_K_CT_PKTS_ORIG: case NFT_K_CT_PKTS_REPL:
		dir = k->id == NFT_K_CT_PKTS ? CT_DIR_MAX : (int)(k->id - NFT_K_CT_PKTS_ORIG);
		*v = a ? sat32(acct_counter(a->packets, dir)) : 0;
		return true;
	case NFT_K_CT_AVGPKT: case NFT_K_CT_AVGPKT_ORIG: case NFT_K_CT_AVGPKT_REPL:
		dir = k->id == NFT_K_CT_AVGPKT ? CT_DIR_MAX : (int)(k->id - NFT_K_CT_AVGPKT_ORIG);
		pk = a ? acct_counter(a->packets, dir) : 0;
		by = a ? acct_counter(a->bytes, dir) : 0;
		*v = pk ? sat32(by / pk) : 0;
		return true;
	default:
		return false;
	}
}

/* nft_connlimit_do_eval: the packet's connection (or, untracked, its
 * tuple) is counted in the rule's list; `ct count N` goes on while the
 * count is at most N, `over N` once it is above. */
bool nft_connlimit_eval(struct nf_ns *ns, const struct nf_skb *skb, GArray *list, uint32_t limit,
			bool over, nf_time now)
{
	struct ct_tuple t;
	if (skb->ct)
		t = skb->ct->tuplehash[CT_DIR_ORIGINAL].t;
	else if (!ct_tuple_from_ip(skb->ip, skb->len, &t))
		return false;	/* nf_ct_get_tuplepr failed: NFT_BREAK */
	unsigned n = nf_conncount_add(ns, list, &t, now);
	return !((n > limit) ^ over);
}

bool nft_ct_count_eval(struct nf_ns *ns, const struct nf_skb *skb, struct nft_expr *e, nf_time now)
{
	return nft_connlimit_eval(ns, skb, e->conncount, e->value, e->neq, now);
}

void nft_ct_event_set_eval(struct nf_ns *ns, struct nf_skb *skb, const struct nft_expr *e)
{
	if (!skb->ct)
		return;
	/* the kernel's bits as natsim's IPCT_*: the first six are the same,
	 * mark and label are natsim's bits 6 and 7; natsim has no helper,
	 * seqadj or secmark events */
	unsigned m = (e->value & 0x3f) | ((e->value & (1u << 7)) ? IPCT_MARK : 0) |
		     ((e->value & (1u << 10)) ? IPCT_LABEL : 0);
	nf_ct_ecache_set_mask(ns, skb->ct, m);
}

void nft_ct_zone_set_eval(struct nf_skb *skb, const struct nft_expr *e)
{
	/* a packet with an nfct (an entry, the untracked one, a template)
	 * is left alone */
	if (skb->ct || skb->ctinfo == IP_CT_UNTRACKED || (skb->ct_zone_flags & NF_CT_TMPL_ATTACHED))
		return;
	static const uint8_t dirs[] = { NF_CT_DEFAULT_ZONE_DIR, NF_CT_ZONE_DIR_ORIG,
					NF_CT_ZONE_DIR_REPL };
	skb->ct_zone = (uint16_t)e->value;
	skb->ct_zone_flags = NF_CT_TMPL_ATTACHED | dirs[e->ct_dir];
}

static bool reads_acct(const struct nft_expr *e, const void *arg)
{
	(void)arg;
	const struct nft_key *ks[5] = { e->key };
	unsigned n = 1;
	for (unsigned i = 0; i < e->n_map_keys && n < 5; i++)
		ks[n++] = e->map_keys[i];
	for (unsigned i = 0; i < n; i++)
		if (ks[i] && ks[i]->id >= NFT_K_CT_BYTES && ks[i]->id <= NFT_K_CT_AVGPKT_REPL)
			return true;
	return false;
}

bool nft_ct_wants_acct(const struct nft_ruleset *rs)
{
	for (unsigned i = 0; i < rs->tables->len; i++)
		if (nft_table_any_expr(rs->tables->pdata[i], reads_acct, NULL))
			return true;
	return false;
}

/* A match nft's proto context counts as above the network layer: a
 * payload field, `meta l4proto`, `ct protocol`. */
static bool above_network(const struct nft_key *k)
{
	return k->ip_payload || k->l4proto >= 0 || nft_key_ip6(k) || !strncmp(k->name, "th ", 3) ||
	       !strcmp(k->name, "meta l4proto") || k->id == NFT_K_CT_PROTOCOL;
}

/* Measured with nft 1.0.6 (the kernel keeps these, `nft list` leaves them
 * out): `ct l3proto X` right before a payload match, `meta l4proto` or `ct
 * protocol` (either family); `meta nfproto X` before `ct protocol` (inet);
 * `ct protocol P` before a field of P in an ip table, or in an inet table
 * after an implicit `ct l3proto`. */
void nft_ct_kill_dependency(struct nft_parse *p, struct nft_rule *r)
{
	struct nft_expr *cur = r->exprs->pdata[r->exprs->len - 1];
	struct nft_expr *prev = r->exprs->pdata[r->exprs->len - 2];
	const struct nft_key *pk = prev->key;
	uint32_t v = g_array_index(prev->elems, struct nft_elem, 0).lo;
	if (prev->has_mask || prev->cmp_op)
		return;
	if (pk->id == NFT_K_CT_L3PROTO && above_network(cur->key))
		prev->implicit = true;
	if (!strcmp(pk->name, "meta nfproto") && cur->key->id == NFT_K_CT_PROTOCOL)
		prev->implicit = true;
	if (pk->id == NFT_K_CT_PROTOCOL && cur->key->l4proto >= 0 && (uint32_t)cur->key->l4proto == v) {
		const struct nft_expr *before = r->exprs->len >= 3 ? r->exprs->pdata[r->exprs->len - 3] : NULL;
		if (p->family == NFT_FAMILY_IP ||
		    (before && before->implicit && before->kind == NFT_EXPR_MATCH &&
		     before->key->id == NFT_K_CT_L3PROTO))
			prev->implicit = true;
	}
}
