/* xt_nfacct.c - `-m nfacct --nfacct-name NAME`, and the namespace's
 * extended accounting objects it counts into (nfnetlink_acct).
 *
 * Mirrors libxt_nfacct.c (one mandatory option, not invertible, the name
 * cut to NFACCT_NAME_MAX - 1 = 31 characters; -L ` nfacct-name ` and -S
 * ` --nfacct-name ` followed by xtables_save_string's own space, hence the
 * two spaces iptables prints), the kernel's net/netfilter/xt_nfacct.c
 * (nfacct_mt_checkentry: ENOENT and "xt_nfacct: accounting object `NAME'
 * does not exist" when no object has the name; nfacct_mt: every packet
 * reaching the match is added to the object, its IPv4 total length to the
 * bytes, and the match holds: an object without a quota is never under
 * one) and nfnetlink_acct.c's object list as the `nfacct` tool sees it
 * (sim/shell/nfacct.c): add (EBUSY when the name exists), get, list in the
 * order added, reset, delete (ENOENT, or EBUSY while a rule uses it), flush
 * (every object no rule uses).
 *
 * Design: the objects are the namespace's (ns->ipt->nfacct), kept until
 * reboot; a rule holds the name, not the object, and finds it by name when
 * a packet reaches the match (only rules that use -m nfacct pay for it).
 * "In use" is what the kernel's reference count says: some rule of some
 * table names the object. Quotas (`nfacct add NAME bytes|pkts N`) are not
 * implemented. The kernel's log line is rate limited there (10 per 5 s);
 * natsim logs each refusal.
 */
#include <errno.h>
#include <string.h>

#include "nat/core/nf_ns.h"
#include "nat/iptables/nf_iptables.h"
#include "nat/iptables/xt.h"

#define NFACCT_NAME_MAX 32

struct xt_nfacct_match_info {
	char name[NFACCT_NAME_MAX];
};

enum { O_NAME };

static const struct xt_option nfacct_opts[] = { { "nfacct-name", 1, O_NAME }, { NULL, 0, 0 } };

static int nfacct_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_nfacct_match_info *info = data;
	int rc = xt_once(p, "nfacct-name", id);
	if (rc)
		return rc;
	if (p->invert)
		return xt_noinvert(p, "nfacct-name");
	g_strlcpy(info->name, arg, sizeof(info->name));	/* XTOPT_PUT: cut, no error */
	return 0;
}

static int nfacct_final_check(struct xt_parse *p, const void *data)
{
	(void)data;
	if (!(*p->once & 1u))
		return xt_err(p, "nfacct: option \"--nfacct-name\" must be specified\n");
	return 0;
}

static void nfacct_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	(void)proto;
	(void)numeric;
	g_string_append(o, " nfacct-name ");
	xt_save_string(o, ((const struct xt_nfacct_match_info *)data)->name);
}

static void nfacct_save(GString *o, const void *data)
{
	g_string_append(o, " --nfacct-name ");
	xt_save_string(o, ((const struct xt_nfacct_match_info *)data)->name);
}

/* ----- the namespace's objects (nfnl_acct_net) ----- */

struct nf_acct {
	char name[NFACCT_NAME_MAX];
	uint64_t pkts, bytes;
};

struct xt_nfacct_net {
	GPtrArray *list;	/* struct nf_acct *, in the order added */
};

void xt_nfacct_net_exit(struct nf_ns *ns)
{
	struct xt_nfacct_net *an = ns->ipt ? ns->ipt->nfacct : NULL;
	if (!an)
		return;
	g_ptr_array_free(an->list, TRUE);
	g_free(an);
	ns->ipt->nfacct = NULL;
}

/* nfnl_acct_find_get, without the reference (see the file's design) */
static struct nf_acct *nfacct_find(struct nf_ns *ns, const char *name)
{
	struct xt_nfacct_net *an = ns && ns->ipt ? ns->ipt->nfacct : NULL;
	if (!an)
		return NULL;
	for (unsigned i = 0; i < an->list->len; i++) {
		struct nf_acct *a = an->list->pdata[i];
		if (strcmp(a->name, name) == 0)
			return a;
	}
	return NULL;
}

/* nfacct_mt_checkentry. Without a namespace (a dry run's scratch table)
 * there is no object list to ask. */
static int nfacct_check(const struct xt_check_param *par, const void *data, GString *klog)
{
	const struct xt_nfacct_match_info *info = data;
	if (!par->ns || nfacct_find(par->ns, info->name))
		return 0;
	g_string_printf(klog, "xt_nfacct: accounting object `%s' does not exist", info->name);
	return ENOENT;
}

/* nfacct_mt: nfnl_acct_update, then nfnl_acct_overquota is NFACCT_NO_QUOTA */
static bool nfacct_mt(struct xt_action_param *par, const void *data)
{
	struct nf_acct *a = nfacct_find(par->ns, ((const struct xt_nfacct_match_info *)data)->name);
	if (a) {
		a->pkts++;
		a->bytes += par->pkt->len;
	}
	return true;
}

const struct xt_ops xt_nfacct_ops = {
	.name = "nfacct", .kind = XT_MATCH, .size = sizeof(struct xt_nfacct_match_info),
	.no_xlate = true,	/* iptables 1.8.9 has no xlate for it */
	.opts = nfacct_opts, .parse = nfacct_parse, .final_check = nfacct_final_check,
	.print = nfacct_print, .save = nfacct_save,
	.match = nfacct_mt, .checkentry = nfacct_check,
};

/* Some rule of some table names the object (the kernel's refcnt > 1). */
static bool nfacct_in_use(struct nf_ns *ns, const char *name)
{
	for (unsigned t = 0; t < IPT_NTABLES; t++) {
		const struct ipt_table *tb = &ns->ipt->tables[t];
		for (unsigned i = 0; tb->chains && i < tb->chains->len; i++) {
			const struct ipt_chain *c = tb->chains->pdata[i];
			for (unsigned j = 0; j < c->rules->len; j++) {
				const struct ipt_rule *r = c->rules->pdata[j];
				for (unsigned k = 0; k < r->nmatches; k++)
					if (r->m[k].ops == &xt_nfacct_ops &&
					    strcmp(((const struct xt_nfacct_match_info *)r->m[k].data)->name,
						   name) == 0)
						return true;
			}
		}
	}
	return false;
}

/* nfnl_acct_new: a new object, or EBUSY when the name exists (the name
 * cut as the netlink attribute is, NFACCT_NAME_MAX - 1). */
int nf_nfacct_add(struct nf_ns *ns, const char *name)
{
	char n[NFACCT_NAME_MAX];
	g_strlcpy(n, name, sizeof(n));
	if (nfacct_find(ns, n))
		return EBUSY;
	struct xt_nfacct_net *an = ns->ipt->nfacct;
	if (!an) {
		an = ns->ipt->nfacct = g_new0(struct xt_nfacct_net, 1);
		an->list = g_ptr_array_new_with_free_func(g_free);
	}
	struct nf_acct *a = g_new0(struct nf_acct, 1);
	memcpy(a->name, n, sizeof(a->name));
	g_ptr_array_add(an->list, a);
	return 0;
}

/* nfnl_acct_del: one object (ENOENT, EBUSY while used), or with name NULL
 * every object no rule uses (always 0). */
int nf_nfacct_del(struct nf_ns *ns, const char *name)
{
	struct xt_nfacct_net *an = ns->ipt->nfacct;
	int rc = name ? ENOENT : 0;
	for (unsigned i = 0; an && i < an->list->len;) {
		struct nf_acct *a = an->list->pdata[i];
		if (name && strncmp(a->name, name, NFACCT_NAME_MAX - 1) != 0) {
			i++;
			continue;
		}
		if (nfacct_in_use(ns, a->name)) {
			if (name)
				return EBUSY;
			i++;
			continue;
		}
		g_ptr_array_remove_index(an->list, i);
		if (name)
			return 0;
	}
	return rc;
}

/* nfnl_acct_get / nfnl_acct_dump: the objects in the order added (or the
 * one named: ENOENT when none), each handed to fn with its counters as
 * they were; `reset` zeroes them after (NFNL_MSG_ACCT_GET_CTRZERO). */
int nf_nfacct_walk(struct nf_ns *ns, const char *name, bool reset,
		   void (*fn)(void *ctx, const char *name, uint64_t pkts, uint64_t bytes), void *ctx)
{
	struct xt_nfacct_net *an = ns->ipt->nfacct;
	bool found = false;
	for (unsigned i = 0; an && i < an->list->len; i++) {
		struct nf_acct *a = an->list->pdata[i];
		if (name && strncmp(a->name, name, NFACCT_NAME_MAX - 1) != 0)
			continue;
		found = true;
		fn(ctx, a->name, a->pkts, a->bytes);
		if (reset)
			a->pkts = a->bytes = 0;
	}
	return name && !found ? ENOENT : 0;
}
