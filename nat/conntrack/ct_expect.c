/* ct_expect.c - expectations (nf_conntrack_expect.c): created by helpers,
 * consumed by the connection they announce, removed with their master, on
 * timeout, by `conntrack -D/-F expect`. Each creation and removal is an
 * expectation event (`conntrack -E expect`: "[NEW] 300 proto=6 ...",
 * "[DESTROY] ...") and moves the counters of `conntrack -S expect`
 * (expect_create, expect_delete; expect_new when one is matched).
 */
#include <errno.h>
#include <string.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_helper.h"
#include "nat/conntrack/ct_zone.h"
#include "nat/core/nf_ns.h"

#define NS_PER_S 1000000000LL

/* nf_ct_tuple_mask_cmp: t matches the expectation's tuple under its mask
 * (source masked, destination and protocol exact). */
static bool nf_ct_exp_equal(const struct ct_tuple *t, const struct nf_ct_expect *e)
{
	return ((t->src ^ e->tuple.src) & e->mask_src) == 0 &&
	       ((t->sport ^ e->tuple.sport) & e->mask_sport) == 0 &&
	       t->dst == e->tuple.dst && t->dport == e->tuple.dport &&
	       t->proto == e->tuple.proto;
}

static void nf_ct_expect_event(struct nf_ns *ns, const struct nf_ct_expect *exp,
			       const char *event, nf_time now)
{
	GString *line;

	if (!ns->ct->sysctl.ct_events || !ns->env.ct_event)
		return;
	line = g_string_sized_new(240);
	nf_ct_expect_format(ns, exp, now, event, line);
	ns->env.ct_event(ns->env.ctx, now, line->str);
	g_string_free(line, TRUE);
}

void nf_ct_unlink_expect(struct nf_ns *ns, struct nf_ct_expect *exp, nf_time now)
{
	struct nf_ct_helper_net *h = ns->ct->help;
	struct nf_conn_help *mh = nfct_help(ns, exp->master);

	g_ptr_array_remove(h->expects, exp);
	if (mh && mh->expecting)
		mh->expecting--;
	h->expect_delete++;
	nf_ct_expect_event(ns, exp, "DESTROY", now);
}

struct nf_ct_expect *nf_ct_find_expectation(struct nf_ns *ns, const struct ct_tuple *t,
					    nf_time now)
{
	struct nf_ct_helper_net *h = ns->ct->help;

	for (unsigned i = 0; h && i < h->expects->len; i++) {
		struct nf_ct_expect *e = g_ptr_array_index(h->expects, i);

		if (e->timeout <= now || !nf_ct_exp_equal(t, e) ||
		    nf_ct_zone_raw_id(e->master) != t->zone)	/* nf_ct_exp_zone_equal_any */
			continue;
		if (!(e->master->status & IPS_CONFIRMED) || (e->master->status & IPS_DYING))
			return NULL;
		nf_ct_unlink_expect(ns, e, now);
		return e;
	}
	return NULL;
}

void nf_ct_remove_expectations(struct nf_ns *ns, struct ct_entry *master, nf_time now)
{
	struct nf_ct_helper_net *h = ns->ct->help;

	for (unsigned i = 0; h && i < h->expects->len;) {
		struct nf_ct_expect *e = g_ptr_array_index(h->expects, i);

		if (e->master != master) {
			i++;
			continue;
		}
		nf_ct_unlink_expect(ns, e, now);
		g_free(e);
	}
}

/* expect_clash: the two overlap under the intersection of their masks. */
static bool expect_clash(const struct nf_ct_expect *a, const struct nf_ct_expect *b)
{
	uint32_t m = a->mask_src & b->mask_src;
	uint16_t mp = a->mask_sport & b->mask_sport;

	return ((a->tuple.src ^ b->tuple.src) & m) == 0 &&
	       ((a->tuple.sport ^ b->tuple.sport) & mp) == 0 &&
	       a->tuple.dst == b->tuple.dst && a->tuple.dport == b->tuple.dport &&
	       a->tuple.proto == b->tuple.proto;
}

static bool expect_matches(const struct nf_ct_expect *a, const struct nf_ct_expect *b)
{
	return a->tuple.src == b->tuple.src && a->tuple.dst == b->tuple.dst &&
	       a->tuple.sport == b->tuple.sport && a->tuple.dport == b->tuple.dport &&
	       a->tuple.proto == b->tuple.proto && a->mask_src == b->mask_src &&
	       a->mask_sport == b->mask_sport;
}

/* evict_oldest_expect: the master's oldest expectation of the class. */
static void evict_oldest_expect(struct nf_ns *ns, const struct nf_ct_expect *exp, nf_time now)
{
	struct nf_ct_helper_net *h = ns->ct->help;

	for (unsigned i = 0; i < h->expects->len; i++) {
		struct nf_ct_expect *e = g_ptr_array_index(h->expects, i);

		if (e->master == exp->master && e->class == exp->class) {
			nf_ct_unlink_expect(ns, e, now);
			g_free(e);
			return;
		}
	}
}

/* nf_ct_expect_related_report: __nf_ct_expect_check, then the insert
 * (timeout from the helper's policy, expect_create, the NEW event). A
 * master with the helper extension but no helper (nft's ct expectation
 * object) has no limit and keeps the timeout the caller set. */
int nf_ct_expect_related(struct nf_ns *ns, const struct nf_ct_expect *exp, nf_time now)
{
	struct nf_ct_helper_net *h = ns->ct->help;
	struct nf_conn_help *mh = nfct_help(ns, exp->master);
	const struct nf_ct_expect_policy *p;
	struct nf_ct_expect *e;

	if (!h || !mh)
		return -ESHUTDOWN;
	for (unsigned i = 0; i < h->expects->len; i++) {
		e = g_ptr_array_index(h->expects, i);
		if (e->master == exp->master && expect_matches(e, exp)) {
			if (e->class != exp->class)
				return -EALREADY;
			nf_ct_unlink_expect(ns, e, now);	/* replaced by the new one */
			g_free(e);
			break;
		} else if (expect_clash(e, exp)) {
			return -EBUSY;
		}
	}
	p = mh->helper ? mh->helper->policy : NULL;
	if (p && p->max_expected && mh->expecting >= p->max_expected) {
		evict_oldest_expect(ns, exp, now);
		if (mh->expecting >= p->max_expected)
			return -EMFILE;
	}
	if (h->expects->len >= (unsigned)ns->ct->sysctl.other[0]) {
		nf_klog(ns, now, "nf_conntrack: expectation table full");
		return -EMFILE;
	}
	e = g_memdup2(exp, sizeof(*exp));
	if (p)
		e->timeout = now + (nf_time)p->timeout * NS_PER_S;
	g_ptr_array_add(h->expects, e);
	mh->expecting++;
	h->expect_create++;
	nf_ct_expect_event(ns, e, "NEW", now);
	return 0;
}

void nf_ct_expect_gc(struct nf_ns *ns, nf_time now)
{
	struct nf_ct_helper_net *h = ns->ct->help;

	if (!h)
		return;
	h->now = now;
	for (unsigned i = 0; i < h->expects->len;) {
		struct nf_ct_expect *e = g_ptr_array_index(h->expects, i);

		if (e->timeout > now) {
			i++;
			continue;
		}
		nf_ct_unlink_expect(ns, e, now);
		g_free(e);
	}
}

nf_time nf_ct_expect_next(const struct nf_ns *ns)
{
	const struct nf_ct_helper_net *h = ns->ct->help;
	nf_time next = NF_TIME_NEVER;

	for (unsigned i = 0; h && i < h->expects->len; i++) {
		const struct nf_ct_expect *e = g_ptr_array_index(h->expects, i);

		if (e->timeout < next)
			next = e->timeout;
	}
	return next;
}

static void exp_addr(GString *out, const char *key, uint32_t a)
{
	g_string_append(out, key);
	nf_inet_append4(out, a);
	g_string_append_c(out, ' ');
}

/* libnetfilter_conntrack's expectation text (conntrack-tools 1.4.7, seen on
 * Linux 6.18): timeout, proto, tuple, mask (the destination's all ones, as
 * ctnetlink_exp_dump_mask fills it), master tuple, class, helper. */
void nf_ct_expect_format(const struct nf_ns *ns, const struct nf_ct_expect *exp, nf_time now,
			 const char *event, GString *out)
{
	const struct ct_tuple *m = &exp->master->tuplehash[CT_DIR_ORIGINAL].t;
	const struct nf_conn_help *mh = nfct_help(ns, exp->master);
	nf_time left = exp->timeout - now;

	if (event) {
		size_t n = strlen(event) + 2;

		if (n < 9)
			g_string_append_len(out, "         ", (gssize)(9 - n));
		g_string_append_printf(out, "[%s] ", event);
	}
	g_string_append_printf(out, "%lld proto=%u ", left > 0 ? (long long)(left / NS_PER_S) : 0LL,
			       exp->tuple.proto);
	exp_addr(out, "src=", exp->tuple.src);
	exp_addr(out, "dst=", exp->tuple.dst);
	g_string_append_printf(out, "sport=%u dport=%u ", exp->tuple.sport, exp->tuple.dport);
	exp_addr(out, "mask-src=", exp->mask_src);
	exp_addr(out, "mask-dst=", 0xffffffffu);
	g_string_append_printf(out, "sport=%u dport=65535 ", exp->mask_sport);
	exp_addr(out, "master-src=", m->src);
	exp_addr(out, "master-dst=", m->dst);
	g_string_append_printf(out, "sport=%u dport=%u class=%u", m->sport, m->dport, exp->class);
	if (mh && mh->helper)
		g_string_append_printf(out, " helper=%s", mh->helper->name);
}
