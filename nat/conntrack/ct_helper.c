/* ct_helper.c - the namespace's conntrack helpers and each entry's helper
 * data (nf_conntrack_helper.c, and init_conntrack's expectation step of
 * nf_conntrack_core.c). See ct_helper.h for the design.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_ext.h"
#include "nat/conntrack/ct_helper.h"
#include "nat/conntrack/ct_zone.h"
#include "nat/core/nf_ns.h"

#define FTP_PORT 21
#define TFTP_PORT 69
#define MAX_PORTS 8

static struct nf_ct_helper_net *nf_ct_helper_net_get(struct nf_ns *ns)
{
	if (!ns->ct->help) {
		struct nf_ct_helper_net *h = g_new0(struct nf_ct_helper_net, 1);

		h->helpers = g_ptr_array_new_with_free_func(g_free);
		h->expects = g_ptr_array_new();
		h->help = g_hash_table_new(g_direct_hash, g_direct_equal);
		ns->ct->help = h;
	}
	return ns->ct->help;
}

bool nf_ct_helper_module_known(const char *module)
{
	return strcmp(module, "nf_conntrack_ftp") == 0 || strcmp(module, "nf-conntrack-ftp") == 0 ||
	       strcmp(module, "nf_conntrack_tftp") == 0 || strcmp(module, "nf-conntrack-tftp") == 0;
}

const struct nf_ct_helper *nf_ct_helper_find(struct nf_ns *ns, const char *name, uint8_t proto)
{
	const struct nf_ct_helper_net *h = ns->ct->help;

	for (unsigned i = 0; h && i < h->helpers->len; i++) {
		const struct nf_ct_helper *x = g_ptr_array_index(h->helpers, i);

		if (strcmp(x->name, name) == 0 && x->proto == proto)
			return x;
	}
	return NULL;
}

/* nf_conntrack_helper_try_module_get: the helper of that name and
 * protocol, loading its module when it is one of the base names
 * (request_module("nfct-helper-%s"), the modules' alias) and not loaded
 * yet. The CT target and nft's ct helper object both attach through it. */
const struct nf_ct_helper *nf_ct_helper_get(struct nf_ns *ns, const char *name, uint8_t proto)
{
	const struct nf_ct_helper *h = nf_ct_helper_find(ns, name, proto);
	const char *module = NULL;

	if (h)
		return h;
	if (proto == 6 && strcmp(name, "ftp") == 0)
		module = "nf_conntrack_ftp";
	else if (proto == 17 && strcmp(name, "tftp") == 0)
		module = "nf_conntrack_tftp";
	if (!module || nf_ct_helper_load(ns, module, NULL, NULL) != 0)
		return NULL;
	return nf_ct_helper_find(ns, name, proto);
}

/* nf_conntrack_ftp_init / nf_conntrack_tftp_init: one helper per port of
 * ports=, named by nf_ct_helper_init: the bare name for the default port,
 * else "NAME-ID", where nf_conntrack_ftp passes the port as ID ("ftp-2121")
 * and nf_conntrack_tftp the port's index in the list (ports=69,1069 makes
 * "tftp" and "tftp-1"). Loading again changes nothing, as a loaded module
 * keeps its parameters. */
int nf_ct_helper_load(struct nf_ns *ns, const char *module, const char *ports, GString *err)
{
	uint16_t list[MAX_PORTS];
	unsigned n = 0;
	bool tftp = strstr(module, "tftp") != NULL;
	const char *base = tftp ? "tftp" : "ftp", *mod = tftp ? "nf_conntrack_tftp"
							       : "nf_conntrack_ftp";

	if (!nf_ct_helper_module_known(module)) {
		g_string_append_printf(err, "natsim: the module %s is not implemented yet", module);
		return -1;
	}
	if (ports && *ports) {
		char *dup = g_strdup(ports), *save = NULL;

		for (char *tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			char *end;
			unsigned long v = strtoul(tok, &end, 10);

			if (*end || !*tok || v > 65535 || n == MAX_PORTS) {
				/* the kernel: "nf_conntrack_ftp: `ports' invalid" and EINVAL */
				g_string_append_printf(err, "modprobe: ERROR: could not insert '%s': "
						       "Invalid argument", mod);
				g_free(dup);
				return -1;
			}
			list[n++] = (uint16_t)v;
		}
		g_free(dup);
	}
	if (!n)
		list[n++] = tftp ? TFTP_PORT : FTP_PORT;
	/* the module is loaded (with whatever ports it was given) */
	for (unsigned i = 0; ns->ct->help && i < ns->ct->help->helpers->len; i++) {
		const struct nf_ct_helper *x = g_ptr_array_index(ns->ct->help->helpers, i);
		size_t bl = strlen(base);

		if (x->proto == (tftp ? 17 : 6) && !strncmp(x->name, base, bl) &&
		    (!x->name[bl] || x->name[bl] == '-'))
			return 0;
	}
	for (unsigned i = 0; i < n; i++) {
		struct nf_ct_helper *x = g_new0(struct nf_ct_helper, 1);

		if (list[i] == (tftp ? TFTP_PORT : FTP_PORT))
			snprintf(x->name, sizeof(x->name), "%s", base);
		else
			snprintf(x->name, sizeof(x->name), "%s-%u", base, tftp ? i : list[i]);
		x->proto = tftp ? 17 : 6;
		x->port = list[i];
		x->policy = tftp ? &tftp_exp_policy : &ftp_exp_policy;
		x->help = tftp ? nf_ct_tftp_help : nf_ct_ftp_help;
		g_ptr_array_add(nf_ct_helper_net_get(ns)->helpers, x);
	}
	return 0;
}

void nf_ct_helper_set_nat_ftp(struct nf_ns *ns, nf_nat_ftp_hook_fn fn)
{
	nf_ct_helper_net_get(ns)->nat_ftp = fn;
}

void nf_ct_helper_set_nat_tftp(struct nf_ns *ns, nf_nat_tftp_hook_fn fn)
{
	nf_ct_helper_net_get(ns)->nat_tftp = fn;
}

struct nf_conn_help *nfct_help(const struct nf_ns *ns, const struct ct_entry *ct)
{
	if (!(ct->ext & CT_EXT_HELPER) || !ns->ct->help)
		return NULL;
	return g_hash_table_lookup(ns->ct->help->help, ct);
}

struct nf_conn_help *nf_ct_helper_assign(struct nf_ns *ns, struct ct_entry *ct,
					 const struct nf_ct_helper *helper)
{
	struct nf_conn_help *help = nfct_help(ns, ct);

	if (!help) {
		help = g_new0(struct nf_conn_help, 1);
		g_hash_table_insert(nf_ct_helper_net_get(ns)->help, ct, help);
		ct->ext |= CT_EXT_HELPER;
	}
	help->helper = helper;
	return help;
}

unsigned nf_ct_master_refs(const struct nf_ns *ns, const struct ct_entry *ct)
{
	const struct nf_conn_help *help = nfct_help(ns, ct);

	return help && help->children ? help->children->len : 0;
}

/* init_conntrack with an expectation found: the new entry is its master's
 * (a reference on the master: nf_conntrack_get(&ct->master->ct_general)),
 * EXPECTED, with the master's mark; expect_new counted. */
bool nf_ct_expect_apply(struct nf_ns *ns, struct ct_entry *ct, const struct ct_tuple *t,
			nf_time now)
{
	struct nf_ct_expect *exp;
	struct nf_conn_help *mh;

	if (!ns->ct->help || !ns->ct->help->expects->len)
		return false;
	{
		struct ct_tuple tz = *t;	/* in the new entry's zone id */

		tz.zone = nf_ct_zone_raw_id(ct);
		exp = nf_ct_find_expectation(ns, &tz, now);
	}
	if (!exp)
		return false;
	mh = nfct_help(ns, exp->master);
	if (!mh) {	/* an expectation always has a helped master */
		g_free(exp);
		return false;
	}
	ct->master = exp->master;
	ct->status |= IPS_EXPECTED;
	ct->mark = exp->master->mark;
	if (!mh->children)
		mh->children = g_ptr_array_new();
	g_ptr_array_add(mh->children, ct);
	ns->ct->help->expect_new++;
	if (ns->env.trace) {
		char a[16], b[16];

		nf_inet_ntop4(exp->master->tuplehash[CT_DIR_ORIGINAL].t.src, a);
		nf_inet_ntop4(exp->master->tuplehash[CT_DIR_ORIGINAL].t.dst, b);
		nf_trace(ns, NF_TRACE_STEP "expectation matched: RELATED to %s:%u -> %s:%u",
			 nf_hook_name(ns->cur_hook), "helper", a,
			 exp->master->tuplehash[CT_DIR_ORIGINAL].t.sport, b,
			 exp->master->tuplehash[CT_DIR_ORIGINAL].t.dport);
	}
	if (exp->expectfn)	/* init_conntrack: NAT follows the master */
		exp->expectfn(ns, ct, exp, now);
	g_free(exp);
	return true;
}

/* nf_confirm's helper call: helpers do not see ICMP errors (RELATED_REPLY)
 * nor entries without a helper. */
int nf_ct_helper_run(struct nf_ns *ns, struct nf_skb *skb, nf_time now)
{
	struct ct_entry *ct = skb->ct;
	struct nf_conn_help *help;
	unsigned protoff;

	if (!ct || !(ct->ext & CT_EXT_HELPER) || skb->ctinfo == IP_CT_RELATED_REPLY)
		return NF_ACCEPT;
	help = nfct_help(ns, ct);
	if (!help || !help->helper || skb->len < 20)
		return NF_ACCEPT;
	protoff = (skb->ip[0] & 0x0f) * 4u;
	if (skb->ip[9] != help->helper->proto || protoff > skb->len)
		return NF_ACCEPT;
	return help->helper->help(ns, skb, protoff, ct, skb->ctinfo, now);
}

/* The entry goes: its expectations go (nf_ct_remove_expectations), its
 * children forget it, and it lets go of its master. */
static void ct_helper_destroy(struct nf_ns *ns, struct ct_entry *ct)
{
	struct nf_ct_helper_net *h = ns->ct->help;
	struct nf_conn_help *help;

	if (!h)
		return;
	if (ct->master) {
		struct nf_conn_help *mh = nfct_help(ns, ct->master);

		if (mh && mh->children)
			g_ptr_array_remove(mh->children, ct);
		ct->master = NULL;
	}
	help = nfct_help(ns, ct);
	if (!help)
		return;
	nf_ct_remove_expectations(ns, ct, h->now);
	if (help->children) {
		for (unsigned i = 0; i < help->children->len; i++)
			((struct ct_entry *)g_ptr_array_index(help->children, i))->master = NULL;
		g_ptr_array_free(help->children, TRUE);
	}
	g_hash_table_remove(h->help, ct);
	g_free(help);
	ct->ext &= (uint8_t)~CT_EXT_HELPER;
}

/* The type has no print: "helper=NAME" comes once, after the flags and
 * the mark, not after each tuple (ct_core.c's ct_entry_format reads
 * nfct_help itself). */
static void ct_helper_net_exit(struct nf_ns *ns)
{
	nf_ct_helper_net_free(ns);
}

void nf_ct_helper_net_free(struct nf_ns *ns)
{
	struct nf_ct_helper_net *h = ns->ct->help;

	if (!h)
		return;
	for (unsigned i = 0; i < h->expects->len; i++)
		g_free(g_ptr_array_index(h->expects, i));
	g_ptr_array_free(h->expects, TRUE);
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, h->help);
	while (g_hash_table_iter_next(&it, &k, &v)) { /* freeing only: order-free */
		struct nf_conn_help *help = v;

		if (help->children)
			g_ptr_array_free(help->children, TRUE);
		g_free(help);
	}
	g_hash_table_destroy(h->help);
	g_ptr_array_free(h->helpers, TRUE);
	g_free(h);
	ns->ct->help = NULL;
}

const struct nf_ct_ext_type ct_helper_ext = {
	.id = NF_CT_EXT_HELPER,
	.name = "helper",
	.destroy = ct_helper_destroy,
	.net_exit = ct_helper_net_exit,
};
