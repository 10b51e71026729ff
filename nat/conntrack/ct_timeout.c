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
 * Design: the table of protocols and their state names (libnetfilter_
 * cttimeout's, the order of the CTA_TIMEOUT_* attributes) is here, so
 * the tool and the kernel side read one list. SCTP, DCCP and ICMPv6, which
 * natsim does not track, have no policy (0 states: the tool refuses them).
 */
#include <errno.h>
#include <string.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/nf_conntrack.h"
#include "nat/core/nf_ns.h"

#define CTTIMEOUT_HZ 250u	/* Debian 12's CONFIG_HZ */

struct ctnl_timeout {
	char name[NF_CT_TIMEOUT_NAME_MAX];
	uint16_t l3num;
	uint8_t l4num;
	unsigned refcnt;	/* rules using it (nf_ct_timeout_find_get) */
	uint32_t jiffies[NF_CT_TIMEOUT_STATES_MAX];
};

struct nf_cttimeout_net {
	GPtrArray *list;	/* struct ctnl_timeout *, in the order added */
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
	for (unsigned i = 0; i < p->n; i++) {
		uint32_t v = (set & (1u << i)) ? secs[i] : cttimeout_default(&ns->ct->sysctl, l4num, i);

		t->jiffies[i] = v * CTTIMEOUT_HZ;	/* ntohl(attr) * HZ, wrapping */
	}
	g_ptr_array_add(ns->cttimeout->list, t);
	return 0;
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
		for (unsigned i = l->len; i-- > 0;)
			if (!((struct ctnl_timeout *)g_ptr_array_index(l, i))->refcnt)
				g_ptr_array_remove_index(l, i);
		return 0;
	}
	t = cttimeout_find(ns, name, &at);
	if (!t)
		return ENOENT;
	if (t->refcnt)
		return EBUSY;
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

static void cttimeout_net_init(struct nf_ns *ns)
{
	ns->cttimeout = g_new0(struct nf_cttimeout_net, 1);
	ns->cttimeout->list = g_ptr_array_new_with_free_func(g_free);
}

static void cttimeout_net_exit(struct nf_ns *ns)
{
	g_ptr_array_free(ns->cttimeout->list, TRUE);
	g_free(ns->cttimeout);
	ns->cttimeout = NULL;
}

const struct nf_pernet_ops cttimeout_pernet_ops = {
	.name = "nfnetlink_cttimeout",
	.init = cttimeout_net_init,
	.exit = cttimeout_net_exit,
};
