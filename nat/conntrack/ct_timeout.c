/* ct_timeout.c - the timeout objects of `nfct timeout` (nfnetlink_cttimeout).
 *
 * Mirrors net/netfilter/nfnetlink_cttimeout.c: a namespace's list of named
 * policies, each for one layer 4 protocol (struct ctnl_timeout: name, l3num,
 * the protocol's timeouts, a use count). A new policy starts from the
 * namespace's sysctl timeouts of that moment (the l4proto's
 * nlattr_to_obj copies tn->timeouts before applying the attributes) and
 * keeps them in jiffies: the kernel multiplies each value by HZ in 32 bits,
 * so a huge value wraps as it does on Debian's kernel (CONFIG_HZ=250).
 * A name in use (a new object of that name, or a delete while a rule uses
 * it) is EBUSY; flush deletes the unused ones and keeps the others.
 * A rule of `-j CT --timeout` holds a reference (ct_timeout.h); the
 * entries its packets create point at the policy (NF_CT_EXT_TIMEOUT) and
 * lose it when it is deleted (nf_ct_untimeout: they fall back to the
 * sysctls).
 * nft's ct timeout objects make policies of no list (nf_ct_timeout_new,
 * nft_ct_timeout_obj_init's): every value given, held by references of
 * the nft ruleset's copies, untimeouted and freed with the last one.
 * Design: the table of protocols and their state names (libnetfilter_
 * cttimeout's, the order of the CTA_TIMEOUT_* attributes) is here, so
 * the tool and the kernel side read one list. SCTP, DCCP and ICMPv6, which
 * natsim does not track, have no policy (0 states: the tool refuses them).
 * An entry's policy lives in a side table (ct -> policy), not in the
 * entry: only entries of a CT --timeout rule pay, and a tracker without
 * the extension's bit pays one bit test.
 */
#include <errno.h>
#include <string.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_ext.h"
#include "nat/conntrack/ct_timeout.h"
#include "nat/conntrack/nf_conntrack.h"
#include "nat/core/nf_ns.h"

#define CTTIMEOUT_HZ 250u	/* Debian 12's CONFIG_HZ */

struct ctnl_timeout {
	char name[NF_CT_TIMEOUT_NAME_MAX];
	uint16_t l3num;
	uint8_t l4num;
	unsigned refcnt;	/* rules using it (nf_ct_timeout_find_get) */
	struct nf_ns *ns;	/* an nft object's (nf_ct_timeout_new): in no list */
	uint32_t jiffies[NF_CT_TIMEOUT_STATES_MAX];	/* by attribute, as stored */
	uint32_t secs[TCP_CONNTRACK_TIMEOUT_MAX];	/* the trackers' layout */
};

struct nf_cttimeout_net {
	GPtrArray *list;	/* struct ctnl_timeout *, in the order added */
	GHashTable *entries;	/* struct ct_entry * -> its struct ctnl_timeout * */
};

struct cttimeout_proto {
	uint8_t l4num;
	unsigned n;
	const char *const *names;
};

static const char *const tcp_states[] = {
	"SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK",
	"TIME_WAIT", "CLOSE", "SYN_SENT2", "RETRANS", "UNACKNOWLEDGED",
};
static const char *const udp_states[] = { "UNREPLIED", "REPLIED" };
static const char *const one_state[] = { "TIMEOUT" };

static const struct cttimeout_proto cttimeout_protos[] = {
	{ 6, G_N_ELEMENTS(tcp_states), tcp_states },
	{ 17, G_N_ELEMENTS(udp_states), udp_states },
	{ 136, G_N_ELEMENTS(udp_states), udp_states },	/* udplite: UDP's */
	{ 47, G_N_ELEMENTS(udp_states), udp_states },	/* gre */
	{ 1, 1, one_state },
	{ 255, 1, one_state },				/* generic */
};

static const struct cttimeout_proto *cttimeout_proto(uint8_t l4num)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(cttimeout_protos); i++)
		if (cttimeout_protos[i].l4num == l4num)
			return &cttimeout_protos[i];
	return NULL;
}

unsigned nf_cttimeout_nstates(uint8_t l4num)
{
	const struct cttimeout_proto *p = cttimeout_proto(l4num);

	return p ? p->n : 0;
}

const char *nf_cttimeout_state_name(uint8_t l4num, unsigned i)
{
	const struct cttimeout_proto *p = cttimeout_proto(l4num);

	return p && i < p->n ? p->names[i] : NULL;
}

/* The sysctl value each attribute starts from (tcp/udp/icmp/gre/generic
 * _timeout_nlattr_to_obj): TCP's attributes are its states SYN_SENT ..
 * SYN_SENT2, then RETRANS and UNACK. */
static uint32_t cttimeout_default(const struct nf_sysctl *s, uint8_t l4num, unsigned i)
{
	switch (l4num) {
	case 6:
		return s->tcp_timeout[i < 9 ? TCP_CONNTRACK_SYN_SENT + i :
				      i == 9 ? TCP_CONNTRACK_RETRANS : TCP_CONNTRACK_UNACK];
	case 17:
	case 136:
		return i ? s->udp_timeout_stream : s->udp_timeout;
	case 47:
		return i ? s->gre_timeout_stream : s->gre_timeout;
	case 1:
		return s->icmp_timeout;
	default:
		return s->generic_timeout;
	}
}

static struct ctnl_timeout *cttimeout_find(struct nf_ns *ns, const char *name, unsigned *at)
{
	GPtrArray *l = ns->cttimeout->list;

	for (unsigned i = 0; i < l->len; i++) {
		struct ctnl_timeout *t = g_ptr_array_index(l, i);

		if (strncmp(t->name, name, NF_CT_TIMEOUT_NAME_MAX) == 0) {
			if (at)
				*at = i;
			return t;
		}
	}
	return NULL;
}

/* The l4proto's nlattr_to_obj: the values (attribute order) given by set,
 * the others from the sysctls, in jiffies as the kernel stores them. */
static void cttimeout_fill(struct ctnl_timeout *t, const struct nf_sysctl *s,
			   const struct cttimeout_proto *p, const uint32_t *secs, uint32_t set)
{
	uint8_t l4num = t->l4num;

	if (l4num == 6)		/* every state from tn->timeouts first */
		memcpy(t->secs, s->tcp_timeout, sizeof(t->secs));
	for (unsigned i = 0; i < p->n; i++) {
		uint32_t v = (set & (1u << i)) ? secs[i] : cttimeout_default(s, l4num, i);

		t->jiffies[i] = v * CTTIMEOUT_HZ;	/* ntohl(attr) * HZ, wrapping */
		t->secs[l4num != 6 ? i : i < 9 ? TCP_CONNTRACK_SYN_SENT + i :
			i == 9 ? TCP_CONNTRACK_RETRANS : TCP_CONNTRACK_UNACK] =
			t->jiffies[i] / CTTIMEOUT_HZ;
	}
	if (l4num == 6)		/* timeouts[TCP_CONNTRACK_NONE] = SYN_SENT's */
		t->secs[TCP_CONNTRACK_NONE] = t->secs[TCP_CONNTRACK_SYN_SENT];
}

/* cttimeout_new_timeout: nfct sends IPCTNL_MSG_TIMEOUT_NEW without
 * NLM_F_EXCL; an existing name is busy for it. */
int nf_cttimeout_add(struct nf_ns *ns, const char *name, uint16_t l3num, uint8_t l4num,
		     const uint32_t *secs, uint32_t set)
{
	const struct cttimeout_proto *p = cttimeout_proto(l4num);
	struct ctnl_timeout *t;

	if (!ns->cttimeout || !ns->ct || !p)
		return EOPNOTSUPP;
	if (cttimeout_find(ns, name, NULL))
		return EBUSY;
	if (!set)
		return EINVAL;	/* no CTA_TIMEOUT_DATA */
	t = g_new0(struct ctnl_timeout, 1);
	g_strlcpy(t->name, name, sizeof(t->name));
	t->l3num = l3num;
	t->l4num = l4num;
	cttimeout_fill(t, &ns->ct->sysctl, p, secs, set);
	g_ptr_array_add(ns->cttimeout->list, t);
	return 0;
}

/* nf_ct_untimeout: the entries of a policy being deleted lose it. */
static void cttimeout_untimeout(struct nf_ns *ns, const struct ctnl_timeout *t)
{
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, ns->cttimeout->entries);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (v == t) {
			((struct ct_entry *)k)->ext &= (uint8_t)~(1u << NF_CT_EXT_TIMEOUT);
			g_hash_table_iter_remove(&it);
		}
}

/* cttimeout_del_timeout / ctnl_timeout_try_del */
int nf_cttimeout_del(struct nf_ns *ns, const char *name)
{
	GPtrArray *l;
	unsigned at;
	struct ctnl_timeout *t;

	if (!ns->cttimeout)
		return EOPNOTSUPP;
	l = ns->cttimeout->list;
	if (!name) {
		for (unsigned i = l->len; i-- > 0;) {
			t = g_ptr_array_index(l, i);
			if (!t->refcnt) {
				cttimeout_untimeout(ns, t);
				g_ptr_array_remove_index(l, i);
			}
		}
		return 0;
	}
	t = cttimeout_find(ns, name, &at);
	if (!t)
		return ENOENT;
	if (t->refcnt)
		return EBUSY;
	cttimeout_untimeout(ns, t);
	g_ptr_array_remove_index(l, at);
	return 0;
}

/* cttimeout_get_timeout / ctnl_timeout_dump: the values in seconds again. */
int nf_cttimeout_walk(struct nf_ns *ns, const char *name,
		      void (*fn)(void *ctx, const char *name, uint16_t l3num, uint8_t l4num,
				 const uint32_t *secs, unsigned n), void *ctx)
{
	GPtrArray *l;
	bool found = false;

	if (!ns->cttimeout)
		return EOPNOTSUPP;
	l = ns->cttimeout->list;
	for (unsigned i = 0; i < l->len; i++) {
		const struct ctnl_timeout *t = g_ptr_array_index(l, i);
		uint32_t secs[NF_CT_TIMEOUT_STATES_MAX];
		unsigned n = nf_cttimeout_nstates(t->l4num);

		if (name && strncmp(t->name, name, NF_CT_TIMEOUT_NAME_MAX) != 0)
			continue;
		for (unsigned j = 0; j < n; j++)
			secs[j] = t->jiffies[j] / CTTIMEOUT_HZ;
		fn(ctx, t->name, t->l3num, t->l4num, secs, n);
		found = true;
	}
	return name && !found ? ENOENT : 0;
}

struct ctnl_timeout *nf_ct_timeout_find_get(struct nf_ns *ns, const char *name)
{
	struct ctnl_timeout *t = ns->cttimeout ? cttimeout_find(ns, name, NULL) : NULL;

	if (t)
		t->refcnt++;
	return t;
}

void nf_ct_timeout_get(struct ctnl_timeout *t)
{
	t->refcnt++;
}

void nf_ct_timeout_put(struct ctnl_timeout *t)
{
	t->refcnt--;
}

/* nft_ct_timeout_obj_init: a policy of no list, every value given (nft
 * sends them all), held by its nft object (one reference). */
struct ctnl_timeout *nf_ct_timeout_new(struct nf_ns *ns, uint16_t l3num, uint8_t l4num,
				       const uint32_t *secs)
{
	const struct cttimeout_proto *p = cttimeout_proto(l4num);
	struct ctnl_timeout *t;

	if (!ns->cttimeout || !ns->ct || !p)
		return NULL;
	t = g_new0(struct ctnl_timeout, 1);
	t->ns = ns;
	t->l3num = l3num;
	t->l4num = l4num;
	t->refcnt = 1;
	cttimeout_fill(t, &ns->ct->sysctl, p, secs, (1u << p->n) - 1);
	return t;
}

/* nft_ct_timeout_obj_destroy with the last holder gone: the entries lose
 * the policy (nf_ct_untimeout) and it is freed. */
void nf_ct_timeout_release(struct ctnl_timeout *t)
{
	if (!t || --t->refcnt)
		return;
	if (t->ns->cttimeout)
		cttimeout_untimeout(t->ns, t);
	g_free(t);
}

/* nf_ct_set_timeout: the policy's family, then its protocol against the
 * tracker nf_ct_l4proto_find gives the rule's (generic for one Linux has
 * no tracker for). */
int nf_ct_timeout_check(const struct ctnl_timeout *t, const char *name, uint16_t l3num,
			uint8_t l4num, GString *klog)
{
	static const uint8_t trackers[] = { 6, 17, 136, 1, 47, 132, 33, 58 };
	uint8_t l4 = 255;

	for (unsigned i = 0; i < G_N_ELEMENTS(trackers); i++)
		if (trackers[i] == l4num)
			l4 = l4num;
	if (t->l3num != l3num) {
		g_string_printf(klog, "Timeout policy `%s' can only be used by L3 protocol number %u",
				name, t->l3num);
		return EINVAL;
	}
	if (t->l4num != l4) {
		g_string_printf(klog, "Timeout policy `%s' can only be used by L4 protocol number %u",
				name, t->l4num);
		return EINVAL;
	}
	return 0;
}

uint32_t nf_ct_timeout_first(const struct ctnl_timeout *t)
{
	return t->secs[0];
}

uint8_t nf_ct_timeout_l4num(const struct ctnl_timeout *t)
{
	return t->l4num;
}

void nf_ct_timeout_attach(struct nf_ns *ns, struct ct_entry *ct, struct ctnl_timeout *t)
{
	if (!ns->cttimeout)
		return;
	g_hash_table_replace(ns->cttimeout->entries, ct, t);
	ct->ext |= 1u << NF_CT_EXT_TIMEOUT;
}

const uint32_t *nf_ct_timeout_data(const struct nf_ns *ns, const struct ct_entry *ct,
				   uint8_t l4num)
{
	const struct ctnl_timeout *t;

	if (!ns->cttimeout)
		return NULL;
	t = g_hash_table_lookup(ns->cttimeout->entries, ct);
	return t && t->l4num == l4num ? t->secs : NULL;
}

/* The entry is freed: it lets go of its policy. */
static void cttimeout_ext_destroy(struct nf_ns *ns, struct ct_entry *ct)
{
	if ((ct->ext & (1u << NF_CT_EXT_TIMEOUT)) && ns->cttimeout)
		g_hash_table_remove(ns->cttimeout->entries, ct);
}

static const struct nf_ct_ext_type cttimeout_ext = {
	.id = NF_CT_EXT_TIMEOUT, .name = "timeout", .destroy = cttimeout_ext_destroy,
};

static void cttimeout_net_init(struct nf_ns *ns)
{
	ns->cttimeout = g_new0(struct nf_cttimeout_net, 1);
	ns->cttimeout->list = g_ptr_array_new_with_free_func(g_free);
	ns->cttimeout->entries = g_hash_table_new(g_direct_hash, g_direct_equal);
	if (ns->ct)
		nf_ct_extend_register(ns, &cttimeout_ext);
}

/* Before conntrack's exit (the assembly's reverse order): the entries'
 * bits stay, but no one reads them any more. */
static void cttimeout_net_exit(struct nf_ns *ns)
{
	if (ns->ct)
		nf_ct_extend_unregister(ns, &cttimeout_ext);
	g_hash_table_destroy(ns->cttimeout->entries);
	g_ptr_array_free(ns->cttimeout->list, TRUE);
	g_free(ns->cttimeout);
	ns->cttimeout = NULL;
}

const struct nf_pernet_ops cttimeout_pernet_ops = {
	.name = "nfnetlink_cttimeout",
	.init = cttimeout_net_init,
	.exit = cttimeout_net_exit,
};
