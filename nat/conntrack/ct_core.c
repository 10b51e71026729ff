/* ct_core.c - the conntrack core: attach a packet to its entry, confirm it.
 *
 * Mirrors nf_conntrack_core.c: nf_conntrack_in (ICMP errors first, then
 * resolve_normal_ct: tuple, lookup, init_conntrack with the table-full
 * early drop, then the protocol tracker), __nf_conntrack_confirm with clash
 * resolution (nf_ct_resolve_clash and, for UDP, nf_ct_resolve_clash_harder:
 * reached when two CPUs race, ct_race.c), the event cache, and the entry's
 * text for conntrack -L/-E.
 * Counters move where the kernel moves them: `invalid` for packets that
 * cannot be tracked, `error` for broken or unknown ICMP errors, `drop` and
 * `insert_failed` for failed confirms, `early_drop` per evicted entry;
 * `found` only in ct_tuple_taken and `insert` never (ctnetlink -I only).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_ecache.h"
#include "nat/conntrack/ct_ext.h"
#include "nat/conntrack/ct_gc.h"
#include "nat/conntrack/ct_helper.h"
#include "nat/conntrack/ct_timeout.h"
#include "nat/conntrack/ct_proto.h"
#include "nat/conntrack/ct_zone.h"
#include "nat/core/nf_hook_ops.h"
#include "nat/core/nf_ns.h"

#define NS_PER_S 1000000000LL

void ct_refresh(struct nf_ns *ns, struct ct_entry *ct, nf_time now, int32_t seconds)
{
	if (ct->status & IPS_FIXED_TIMEOUT)
		return;
	ct_set_timeout(ns, ct, now + (int64_t)seconds * NS_PER_S);
}

void ct_refresh_acct(struct nf_ns *ns, struct ct_entry *ct, const struct ct_pkt *p,
		     uint8_t ctinfo, int32_t seconds)
{
	ct_refresh(ns, ct, p->now, seconds);
	if (ct->ext & CT_EXT_ACCT)	/* the common case pays one bit test */
		ct_acct_update(ns, ct, ct_info_dir(ctinfo), p->len);
}

int64_t ct_entry_remaining(const struct ct_entry *ct, nf_time now)
{
	nf_time left = ct->timeout - now;

	return left > 0 ? left / NS_PER_S : 0;
}

void ct_log_invalid(struct nf_ns *ns, uint8_t proto, nf_time now, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (ns->ct->sysctl.ct_log_invalid != proto && ns->ct->sysctl.ct_log_invalid != 255)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	nf_klog(ns, now, "nf_ct_proto_%u: %s", proto, buf);
}

/* nf_checksum for IPv4: TCP and UDP with the pseudo header, ICMP without. */
bool ct_l4_csum_ok(const struct ct_pkt *p, uint8_t proto)
{
	const uint8_t *l4 = p->ip + p->l4off;
	uint32_t n = p->len - p->l4off;
	uint64_t sum = 0;
	uint32_t i = 0;

	if (proto == 17 && n >= 8 && rd16(l4 + 6) == 0)
		return true;
	if (proto != 1) {
		sum += rd16(p->ip + 12) + rd16(p->ip + 14);
		sum += rd16(p->ip + 16) + rd16(p->ip + 18);
		sum += proto + n;
	}
	/* 32-bit big-endian words: congruent modulo 0xffff to their halves */
	for (; i + 8 <= n; i += 8)
		sum += (uint64_t)rd32(l4 + i) + rd32(l4 + i + 4);
	for (; i + 1 < n; i += 2)
		sum += (uint32_t)(l4[i] << 8 | l4[i + 1]);
	if (n & 1)
		sum += (uint32_t)l4[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* net_warn_ratelimited (net_ratelimit: 10 messages per 5 s, then one
 * "N callbacks suppressed" line at the first call after the interval). */
static void ct_table_full_log(struct nf_ns *ns, nf_time now)
{
	if (ns->ct->ratelimit_begin == 0 && ns->ct->ratelimit_printed == 0 && ns->ct->ratelimit_missed == 0)
		ns->ct->ratelimit_begin = now;
	if (now > ns->ct->ratelimit_begin + 5 * NS_PER_S) {
		if (ns->ct->ratelimit_missed)
			nf_klog(ns, now, "net_ratelimit: %u callbacks suppressed",
				ns->ct->ratelimit_missed);
		ns->ct->ratelimit_missed = 0;
		ns->ct->ratelimit_begin = now;
		ns->ct->ratelimit_printed = 0;
	}
	if (ns->ct->ratelimit_printed < 10) {
		ns->ct->ratelimit_printed++;
		nf_klog(ns, now, "nf_conntrack: nf_conntrack: table full, dropping packet");
	} else {
		ns->ct->ratelimit_missed++;
	}
}

/* The packet walk's table-full line: early_drop's result (victims killed
 * in the first bucket holding unassured entries, searched from the new
 * tuple's bucket over NF_CT_EVICTION_RANGE buckets), or the drop. */
static void ct_trace_table_full(struct nf_ns *ns, const struct ct_tuple *t, unsigned victims)
{
	uint32_t b = ct_hash_bucket(ns, t);

	if (victims)
		nf_trace(ns, NF_TRACE_STEP "table full (max %u): early-dropped %u unassured "
			 "entr%s, searched from bucket %u", nf_hook_name(ns->cur_hook), "conntrack",
			 ns->ct->sysctl.ct_max, victims, victims == 1 ? "y" : "ies", b);
	else
		nf_trace(ns, NF_TRACE_STEP "table full (max %u): no unassured entry in buckets "
			 "%u-%u to early-drop", nf_hook_name(ns->cur_hook), "conntrack",
			 ns->ct->sysctl.ct_max, b, (b + 7) % ns->ct->sysctl.ct_buckets);
}

/* init_conntrack + __nf_conntrack_alloc. NULL with *drop false: not
 * trackable (no inverse tuple); NULL with *drop true: table full. */
static struct ct_entry *ct_init_conntrack(struct nf_ns *ns, const struct ct_tuple *t,
					  nf_time now, bool *drop)
{
	struct ct_tuple repl;
	struct ct_entry *ct;

	*drop = false;
	if (!ct_invert_tuple(t, &repl))
		return NULL;
	if (ns->ct->sysctl.ct_max && ns->ct->count + ns->ct->held_dead >= ns->ct->sysctl.ct_max) {
		unsigned victims = ct_table_early_drop(ns, t, now);

		if (ns->env.trace)
			ct_trace_table_full(ns, t, victims);
		if (!victims) {
			ns->ct->gc_early_drop = true;
			ct_table_full_log(ns, now);
			*drop = true;
			return NULL;
		}
	}
	if (ns->ct->new_hint)	/* NAT's prefetch of the chains it and confirm walk */
		ns->ct->new_hint(ns, t);
	ct = ct_entry_alloc();	/* zeroed, from the entry slabs */
	if (!ct) {
		*drop = true;
		return NULL;
	}
	ct->tuplehash[CT_DIR_ORIGINAL].t = *t;
	ct->tuplehash[CT_DIR_ORIGINAL].t.dir = CT_DIR_ORIGINAL;
	ct->tuplehash[CT_DIR_REPLY].t = repl;
	ct->tuplehash[CT_DIR_REPLY].t.dir = CT_DIR_REPLY;
	ct->start = now;
	ct->timeout = now;
	ct_acct_ext_add(ns, ct);
	ct_set_unconfirmed_next(ct, ns->ct->unconfirmed);
	ns->ct->unconfirmed = ct;
	return ct;
}

void ct_entry_kill_held(struct nf_ns *ns, struct ct_entry *ct, nf_time now)
{
	if (!(ct->status & IPS_CONFIRMED) || (ct->status & IPS_DYING))
		return;
	if (ns->ct->sysctl.ct_events && ns->env.ct_event && nf_ct_ecache_wants(ns, ct, IPCT_DESTROY)) {
		GString *line = g_string_sized_new(200);

		ct_entry_format(ns, ct, now, "DESTROY", line);
		ns->env.ct_event(ns->env.ctx, now, line->str);
		g_string_free(line, TRUE);
	}
	ct_table_unlink(ns, ct);
	ct->status &= ~IPS_CONFIRMED;
	ct->status |= IPS_DYING;
	ct_set_unconfirmed_next(ct, ns->ct->unconfirmed);
	ns->ct->unconfirmed = ct;
}

int ct_in(struct nf_ns *ns, struct nf_skb *skb, enum nf_hook hook, nf_time now)
{
	struct nf_hook_state st;

	nf_hook_state_init(&st, ns, hook, skb, NULL, NULL, now);
	return nf_conntrack_in(ns, skb, &st);
}

int nf_conntrack_in(struct nf_ns *ns, struct nf_skb *skb, const struct nf_hook_state *st)
{
	const struct nf_pktinfo *pkt = &st->pkt;
	const uint8_t *ip = skb->ip;
	enum nf_hook hook = st->hook;
	nf_time now = st->now;
	struct ct_pkt p;
	struct ct_tuple t;
	uint16_t zid[CT_DIR_MAX];
	unsigned ihl;
	uint32_t len;

	if (!ns->ct_loaded)
		return NF_ACCEPT;
	if (skb->ct || skb->ctinfo == IP_CT_UNTRACKED)
		return NF_ACCEPT;	/* seen before (loopback) or NOTRACK */

	/* ipv4_get_l4proto, on the record nf_hook() parsed */
	if (!(pkt->flags & NF_PKTINFO_L4PROTO) || pkt->fragoff) {
		ns->ct->stats.invalid++;
		return NF_ACCEPT;
	}
	ihl = pkt->thoff;
	len = pkt->tot_len;
	if (len > skb->len)
		len = skb->len;
	if (ihl > len) {
		ns->ct->stats.invalid++;
		return NF_ACCEPT;
	}
	p.ip = ip;
	p.len = len;
	p.l4off = ihl;
	p.hook = hook;
	p.now = now;

	if (pkt->l4proto == 1) {
		int r = ct_icmp_error(ns, skb, &p);

		if (r < 0) {
			ns->ct->stats.error++;
			return NF_ACCEPT;
		}
		if (r == 0)
			return NF_ACCEPT;	/* RELATED */
	}

	for (;;) {
		struct ct_tuple_node *h;
		struct ct_entry *ct;
		const struct ct_l4proto *l4;
		uint8_t ctinfo;
		enum ct_l4_verdict v;

		if (!ct_tuple_from_l4(ip, ihl, len, &t)) {
			ns->ct->stats.invalid++;
			return NF_ACCEPT;
		}
		if (__builtin_expect(skb->ct_zone_flags & NF_CT_DEFAULT_ZONE_DIR, 0)) {
			nf_ct_zone_tmpl_ids(skb, zid);	/* a CT --zone template */
			t.zone = zid[CT_DIR_ORIGINAL];
			h = ct_table_find_zone(ns, &t, zid, now);
		} else {
			h = ct_table_find(ns, &t, now);
		}
		if (!h) {
			bool drop;

			ct = ct_init_conntrack(ns, &t, now, &drop);
			if (!ct) {
				if (drop) {
					ns->ct->stats.drop++;
					skb->drop_reason = NF_DROP_REASON_CT_TABLE_FULL;
					return NF_DROP;
				}
				ns->ct->stats.invalid++;
				return NF_ACCEPT;
			}
			if (skb->ct_zone_flags & NF_CT_DEFAULT_ZONE_DIR)	/* nf_ct_zone_add */
				ct->tuplehash[CT_DIR_REPLY].t.zone = zid[CT_DIR_REPLY];
			if (ns->ct->help) {
				/* init_conntrack: an expectation makes it RELATED;
				 * else the CT template's helper, if any */
				ns->ct->help->now = now;
				if (!nf_ct_expect_apply(ns, ct, &t, now) && skb->ct_helper)
					nf_ct_helper_assign(ns, ct, skb->ct_helper);
			}
			skb->ct_helper = NULL;
			if (skb->ct_timeout)	/* init_conntrack: the template's policy */
				nf_ct_timeout_attach(ns, ct, skb->ct_timeout);
			ctinfo = (ct->status & IPS_EXPECTED) ? IP_CT_RELATED : IP_CT_NEW;
		} else {
			ct = ct_of_node(h);
			if (h->t.dir == CT_DIR_REPLY)
				ctinfo = IP_CT_ESTABLISHED_REPLY;
			else if (ct->status & IPS_SEEN_REPLY)
				ctinfo = IP_CT_ESTABLISHED;
			else if (ct->status & IPS_EXPECTED)
				ctinfo = IP_CT_RELATED;
			else
				ctinfo = IP_CT_NEW;
		}
		skb->ct = ct;
		skb->ctinfo = ctinfo;

		l4 = ct_l4proto_find(t.proto);
		v = l4->packet(ns, ct, &p, ctinfo);
		switch (v) {
		case CT_L4_ACCEPT:
			if (ctinfo == IP_CT_ESTABLISHED_REPLY && !(ct->status & IPS_SEEN_REPLY)) {
				ct->status |= IPS_SEEN_REPLY;
				ct_event_cache(ct, IPCT_REPLY);
			}
			/* Linux delivers the cached events at confirm time (the
			 * same simulated instant for a packet's walk); natsim
			 * delivers them here already, so an UPDATE does not
			 * depend on the packet surviving the filter chains. */
			ct_deliver_cached_events(ns, ct, now);
			return NF_ACCEPT;
		case CT_L4_REPEAT:
			skb->ct = NULL;	/* the tracker killed it: start over */
			skb->ctinfo = 0;
			continue;
		case CT_L4_INVALID:
		case CT_L4_DROP:
			skb->ct = NULL;
			skb->ctinfo = 0;
			if (!(ct->status & IPS_CONFIRMED))
				ct_entry_kill(ns, ct, now);
			ns->ct->stats.invalid++;
			if (v == CT_L4_DROP) {
				ns->ct->stats.drop++;
				skb->drop_reason = NF_DROP_REASON_CT_TRACKER;
				return NF_DROP;
			}
			return NF_ACCEPT;
		}
	}
}

/* The first node of the bucket holding a confirmed tuple equal to t (no
 * expiry check, as __nf_conntrack_confirm's walk). */
static struct ct_tuple_node *ct_find_raw_in(struct nf_ns *ns, uint32_t bucket,
					    const struct ct_tuple *t)
{
	for (struct ct_tuple_node *n = ns->ct->buckets[bucket]; n; n = n->next)
		if (ct_tuple_equal(&n->t, t) && n->t.zone == t->zone)
			return n;
	return NULL;
}

static struct ct_tuple_node *ct_find_raw(struct nf_ns *ns, const struct ct_tuple *t)
{
	return ct_find_raw_in(ns, ct_hash_bucket(ns, t), t);
}

static bool ct_match(const struct ct_entry *a, const struct ct_entry *b)
{
	return ct_tuple_equal(&a->tuplehash[0].t, &b->tuplehash[0].t) &&
	       ct_tuple_equal(&a->tuplehash[1].t, &b->tuplehash[1].t) &&
	       a->tuplehash[0].t.zone == b->tuplehash[0].t.zone &&	/* nf_ct_zone_equal */
	       a->tuplehash[1].t.zone == b->tuplehash[1].t.zone;
}

/* __nf_ct_resolve_clash: the winner has no NAT, or both entries are the
 * same flow with the same NAT result: drop the loser, use the winner. */
static bool ct_resolve_clash_one(struct nf_ns *ns, struct nf_skb *skb,
				 struct ct_entry *winner, nf_time now)
{
	struct ct_entry *loser = skb->ct;

	if (winner->status & IPS_DYING)
		return false;
	if ((winner->status & IPS_NAT_DONE_MASK) == 0 || ct_match(winner, loser)) {
		ct_acct_merge(ns, winner, ct_info_dir(skb->ctinfo), loser);
		ct_entry_kill(ns, loser, now);
		skb->ct = winner;
		ns->ct->stats.clash_resolve++;
		return true;
	}
	return false;
}

/* nf_ct_resolve_clash_harder (Linux 5.6+): the winner took the loser's
 * ORIGINAL tuple with another NAT result (two CPUs' packets of one UDP
 * socket DNATed to two endpoints). If the loser's REPLY tuple is free, the
 * loser goes in by that tuple only, for 1 s, fixed, never ASSURED
 * (IPS_NAT_CLASH): its packet passes with its own NAT and the answer finds
 * it; lookups in the ORIGINAL direction keep finding the winner. */
static bool ct_resolve_clash_harder(struct nf_ns *ns, struct nf_skb *skb, uint32_t reply_bucket,
				    nf_time now)
{
	struct ct_entry *loser = skb->ct;

	if (ct_find_raw_in(ns, reply_bucket, &loser->tuplehash[CT_DIR_REPLY].t))
		return false;
	ct_set_timeout(ns, loser, now + NS_PER_S);
	loser->status |= IPS_FIXED_TIMEOUT | IPS_NAT_CLASH;
	ct_table_unlink(ns, loser);	/* off the unconfirmed list */
	ct_table_insert_reply(ns, loser, reply_bucket);
	ns->ct->stats.clash_resolve++;
	return true;
}

/* nf_ct_resolve_clash: the winner's entry is used (__nf_ct_resolve_clash),
 * else the loser goes in by its REPLY tuple (nf_ct_resolve_clash_harder),
 * else drop with insert_failed. Protocols without allow_clash (TCP) drop. */
static int ct_resolve_clash(struct nf_ns *ns, struct nf_skb *skb, struct ct_tuple_node *h,
			    uint32_t reply_bucket, nf_time now)
{
	struct ct_entry *loser = skb->ct;
	const struct ct_l4proto *l4 = ct_l4proto_find(loser->tuplehash[0].t.proto);

	if (l4->allow_clash) {
		struct ct_tuple_node *r;

		if (ct_resolve_clash_one(ns, skb, ct_of_node(h), now))
			return NF_ACCEPT;
		r = ct_find_raw(ns, &loser->tuplehash[CT_DIR_REPLY].t);
		if (r && ct_resolve_clash_one(ns, skb, ct_of_node(r), now))
			return NF_ACCEPT;
		if (ct_resolve_clash_harder(ns, skb, reply_bucket, now))
			return NF_ACCEPT;
	}
	ns->ct->stats.drop++;
	ns->ct->stats.insert_failed++;
	ct_entry_kill(ns, loser, now);
	skb->ct = NULL;
	skb->ctinfo = 0;
	skb->drop_reason = NF_DROP_REASON_CT_CLASH;
	return NF_DROP;
}

int ct_confirm(struct nf_ns *ns, struct nf_skb *skb, nf_time now)
{
	struct ct_entry *ct = skb->ct;

	if (!ct || (ct->status & IPS_DYING))
		return NF_ACCEPT;
	if (!(ct->status & IPS_CONFIRMED)) {
		struct ct_tuple_node *h;

		/* REJECT's answers are attached in the other direction */
		if (ct_info_dir(skb->ctinfo) != CT_DIR_ORIGINAL)
			return NF_ACCEPT;
		ct->tuplehash[CT_DIR_ORIGINAL].t.dir = CT_DIR_ORIGINAL;
		ct->tuplehash[CT_DIR_REPLY].t.dir = CT_DIR_REPLY;
		uint32_t b[CT_DIR_MAX] = {
			ct_hash_bucket(ns, &ct->tuplehash[CT_DIR_ORIGINAL].t),
			ct_hash_bucket(ns, &ct->tuplehash[CT_DIR_REPLY].t),
		};
		h = ct_find_raw_in(ns, b[CT_DIR_ORIGINAL], &ct->tuplehash[CT_DIR_ORIGINAL].t);
		if (!h)
			h = ct_find_raw_in(ns, b[CT_DIR_REPLY], &ct->tuplehash[CT_DIR_REPLY].t);
		if (h) {
			int ret = ct_resolve_clash(ns, skb, h, b[CT_DIR_REPLY], now);

			if (ret == NF_ACCEPT && skb->ct == ct && ns->ct->race)
				ct_race_note(ns, ct);	/* inserted by its REPLY tuple */
			if (ret == NF_ACCEPT)
				ct_deliver_cached_events(ns, skb->ct, now);
			return ret;
		}
		ct_table_unlink(ns, ct);	/* off the unconfirmed list */
		ct_table_insert_at(ns, ct, b);
		ct_event_cache(ct, IPCT_NEW);
		if (ns->ct->race)
			ct_race_note(ns, ct);
	}
	ct_deliver_cached_events(ns, ct, now);
	return NF_ACCEPT;
}

void ct_deliver_cached_events(struct nf_ns *ns, struct ct_entry *ct, nf_time now)
{
	unsigned events = ct->ecache;
	GString *line;

	if (!events || !(ct->status & IPS_CONFIRMED) || (ct->status & IPS_DYING))
		return;
	ct->ecache = 0;
	if (!ns->ct->sysctl.ct_events || !ns->env.ct_event || !nf_ct_ecache_wants(ns, ct, events))
		return;
	line = g_string_sized_new(200);
	ct_entry_format(ns, ct, now, (events & IPCT_NEW) ? "NEW" : "UPDATE", line);
	ns->env.ct_event(ns->env.ctx, now, line->str);
	g_string_free(line, TRUE);
}

/* libnetfilter_conntrack's protocol names (others print "unknown"). */
static const char *ct_proto_name(uint8_t proto)
{
	switch (proto) {
	case 1: return "icmp";
	case 6: return "tcp";
	case 17: return "udp";
	case 33: return "dccp";
	case 47: return "gre";
	case 58: return "icmpv6";
	case 132: return "sctp";
	case 136: return "udplite";
	default: return "unknown";
	}
}

/* Decimal text of v into out, then `sep` (printf("%llu") without the
 * format parsing: -E lines are written for every new and dying entry, so a
 * table-full storm formats millions of them). */
static void ct_fmt_u(GString *out, uint64_t v, char sep)
{
	char buf[24];
	char *p = buf + sizeof(buf);

	*--p = sep;
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	g_string_append_len(out, p, buf + sizeof(buf) - p);
}

/* "key=a.b.c.d " */
static void ct_fmt_addr(GString *out, const char *key, uint32_t a)
{
	g_string_append(out, key);
	nf_inet_append4(out, a);
	g_string_append_c(out, ' ');
}

static void ct_tuple_format(const struct ct_tuple *t, GString *out)
{
	ct_fmt_addr(out, "src=", t->src);
	ct_fmt_addr(out, "dst=", t->dst);
	switch (t->proto) {
	case 6: case 17: case 33: case 132: case 136:
		g_string_append(out, "sport=");
		ct_fmt_u(out, t->sport, ' ');
		g_string_append(out, "dport=");
		ct_fmt_u(out, t->dport, ' ');
		break;
	case 1:
		g_string_append(out, "type=");
		ct_fmt_u(out, ct_tuple_icmp_type(t), ' ');
		g_string_append(out, "code=");
		ct_fmt_u(out, ct_tuple_icmp_code(t), ' ');
		g_string_append(out, "id=");
		ct_fmt_u(out, t->sport, ' ');
		break;
	case 47:
		g_string_append_printf(out, "srckey=0x%x dstkey=0x%x ", t->sport, t->dport);
		break;
	default:
		break;
	}
}

/* "zone-orig=N " after the ORIGINAL tuple, "zone-reply=N " after the
 * REPLY one, "zone=N " (dir CT_DIR_MAX) after the mark: what
 * libnetfilter_conntrack prints of the zone ctnetlink dumps (none for the
 * default zone). */
static void ct_zone_format(const struct ct_entry *ct, enum ct_dir dir, GString *out)
{
	uint16_t z = dir == CT_DIR_MAX ? nf_ct_zone_both(ct) : nf_ct_zone_only(ct, dir);

	if (__builtin_expect(z != 0, 0)) {
		g_string_append(out, dir == CT_DIR_MAX ? "zone=" : dir == CT_DIR_ORIGINAL ?
				"zone-orig=" : "zone-reply=");
		ct_fmt_u(out, z, ' ');
	}
}

/* conntrack-tools 1.4.7 plain output (-L), or event output (-E) when
 * `event` is set: -E lines have no mark/use, and DESTROY shows the
 * timeout only while some whole second is left (ctnetlink skips a zero).
 * The registered extensions add their text after each tuple (accounting's
 * counters, ct_acct.c). */
void ct_entry_format(struct nf_ns *ns, const struct ct_entry *ct, nf_time now,
		     const char *event, GString *out)
{
	const struct ct_tuple *o = &ct->tuplehash[CT_DIR_ORIGINAL].t;
	int64_t left = ct_entry_remaining(ct, now);

	if (event) {			/* "%9s " of "[EVENT]" */
		size_t n = strlen(event) + 2;

		if (n < 9)
			g_string_append_len(out, "         ", (gssize)(9 - n));
		g_string_append_c(out, '[');
		g_string_append(out, event);
		g_string_append(out, "] ");
	}
	{
		const char *name = ct_proto_name(o->proto);
		size_t n = strlen(name);

		g_string_append(out, name);	/* "%-8s " */
		g_string_append_len(out, "         ", n < 8 ? (gssize)(9 - n) : 1);
	}
	ct_fmt_u(out, o->proto, ' ');
	if (!event || strcmp(event, "DESTROY") != 0 || left > 0) {
		if (left < 0)
			g_string_append_c(out, '-');
		ct_fmt_u(out, left < 0 ? (uint64_t)-left : (uint64_t)left, ' ');
	}
	{
		const struct ct_l4proto *l4 = ct_l4proto_find(o->proto);

		if (l4->print)
			l4->print(ct, out);
	}
	ct_tuple_format(o, out);
	ct_zone_format(ct, CT_DIR_ORIGINAL, out);
	nf_ct_ext_print(ns, ct, CT_DIR_ORIGINAL, event, out);
	if (!(ct->status & IPS_SEEN_REPLY))
		g_string_append(out, "[UNREPLIED] ");
	ct_tuple_format(&ct->tuplehash[CT_DIR_REPLY].t, out);
	ct_zone_format(ct, CT_DIR_REPLY, out);
	nf_ct_ext_print(ns, ct, CT_DIR_REPLY, event, out);
	if (ct->status & IPS_OFFLOAD)	/* libnetfilter_conntrack: one or the other */
		g_string_append(out, "[OFFLOAD] ");
	else if (ct->status & IPS_ASSURED)
		g_string_append(out, "[ASSURED] ");
	if (!event) {
		g_string_append(out, "mark=");
		ct_fmt_u(out, ct->mark, ' ');
	}
	ct_zone_format(ct, CT_DIR_MAX, out);
	if (ct->ext & CT_EXT_HELPER) {	/* "helper=ftp", -L and -E alike */
		const struct nf_conn_help *help = nfct_help(ns, ct);

		if (help && help->helper)
			g_string_append_printf(out, "helper=%s ", help->helper->name);
	}
	if (!event) {
		g_string_append(out, "use=");
		ct_fmt_u(out, 1u + ct->held + nf_ct_master_refs(ns, ct), ' ');
	}
	if (out->len && out->str[out->len - 1] == ' ')
		g_string_truncate(out, out->len - 1);
}
