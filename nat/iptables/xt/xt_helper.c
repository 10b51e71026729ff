/* xt_helper.c - `-m helper --helper NAME`.
 *
 * Mirrors libxt_helper.c (one mandatory, invertible --helper of at most 29
 * bytes; -L `helper match "ftp"`, `helper match ! "ftp"`) and the kernel's
 * net/netfilter/xt_helper.c: the packet's entry must have a master (a
 * RELATED connection an expectation made), and the master's helper must be
 * NAME (compared over the helper name's length, as helper_mt's strncmp
 * does; an empty NAME matches any helper). A packet of the control
 * connection itself does not match. Loads conntrack (nf_ct_netns_get).
 */
#include <string.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_helper.h"
#include "nat/iptables/xt.h"

struct xt_helper_info {
	bool invert;
	char name[30];
};

enum { O_HELPER };

static const struct xt_option helper_opts[] = { { "helper", 1, O_HELPER }, { NULL, 0, 0 } };

static int helper_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_helper_info *h = data;
	int rc = xt_once(p, "helper", id);

	if (rc)
		return rc;
	h->invert = p->invert;
	g_strlcpy(h->name, arg, sizeof(h->name));
	return 0;
}

static int helper_final_check(struct xt_parse *p, const void *data)
{
	(void)data;
	if (!(*p->once & (1u << O_HELPER)))
		return xt_err(p, "helper: option \"--helper\" must be specified\n");
	return 0;
}

static void helper_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_helper_info *h = data;

	(void)proto;
	(void)numeric;
	g_string_append_printf(o, " helper match %s\"%s\"", h->invert ? "! " : "", h->name);
}

static void helper_save(GString *o, const void *data)
{
	const struct xt_helper_info *h = data;

	g_string_append(o, h->invert ? " ! --helper" : " --helper");
	xt_save_string(o, h->name);
}

/* helper_mt */
static bool helper_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_helper_info *h = data;
	const struct ct_entry *ct = par->skb->ct;
	const struct nf_conn_help *mh;
	bool ret = h->invert;

	if (!ct || !ct->master)
		return ret;
	mh = nfct_help(par->ns, ct->master);
	if (!mh || !mh->helper)
		return ret;
	if (h->name[0] == '\0')
		return !ret;
	return ret ^ (strncmp(mh->helper->name, h->name, strlen(mh->helper->name)) == 0);
}

/* helper_xlate: `ct helper [!= ]"NAME"`. */
static bool helper_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_helper_info *h = data;
	(void)r;
	xt_xlate_add(xl, "ct helper%s \"%s\"", h->invert ? " !=" : "", h->name);
	return true;
}

const struct xt_ops xt_helper_ops = {
	.name = "helper", .kind = XT_MATCH, .size = sizeof(struct xt_helper_info),
	.xlate = helper_xlate,
	.opts = helper_opts, .parse = helper_parse, .final_check = helper_final_check,
	.print = helper_print, .save = helper_save, .match = helper_mt, .needs_ct = true,
};
