/* nft_xt_share.c - one nf_tables table `ip filter` (nat, mangle, raw,
 * security) for nft and iptables-nft.
 *
 * On Linux iptables-nft's tables are nf_tables tables like any other
 * (measured with nft 1.0.6 and iptables 1.8.9 on Linux 6.18): when nft
 * made `table ip filter` first, iptables-nft finds it and adds its chains
 * there (one table: nft's handle, nft's place in `nft list ruleset`), and
 * iptables-save and -L show it, built-in chains and all, even while it is
 * empty; when iptables-nft made it, `nft add table ip filter` changes
 * nothing, and `nft add chain ip filter NAME` makes a chain iptables-nft
 * lists as one of its user chains (`Chain NAME (0 references)`, `-N NAME`,
 * `:NAME - [0:0]`); `nft delete table ip filter` takes iptables' rules too.
 *
 * Design: natsim keeps such a table in one of its two representations:
 * nft's (struct nft_table, evaluated by nft_eval.c) while only nft has
 * used it, iptables-nft's (struct ipt_table, shown to nft by
 * nft_list_xt.c) once iptables-nft has. The hand-over happens when an
 * iptables-nft command first names the table (nft_xt_claim, called
 * through ns->xt_claim, which nf_nft.c sets) and is possible while nft's
 * table holds nothing (no chain, set, object, flowtable or comment): the
 * table keeps its handle and its chain handle counter. What one
 * representation cannot hold is natsim's refusal, never a silent second
 * table: iptables-nft changing a table that holds nft's chains (Linux puts
 * its chains beside them, and its listings may call the table
 * "incompatible"), and nft base chains, rules, sets in iptables-nft's
 * table (nft_list_xt.c's refusals). `nft add chain` of a regular chain in
 * iptables-nft's table is made when the batch succeeds (nft_xt_commit).
 */
#include <string.h>

#include "nat/core/nf_ns.h"
#include "nat/core/unimpl.h"
#include "nat/iptables/ipt.h"
#include "nat/nftables/nft_int.h"
#include "nat/nftables/nft_list_xt.h"

static bool nft_table_empty(const struct nft_table *nt)
{
	return !nt->chains->len && !nt->sets->len && !nt->objs->len && !nt->flowtables->len &&
	       !nt->comment;
}

int nft_xt_claim(struct nf_ns *ns, int id, bool modify, GString *err)
{
	struct nft_ruleset *rs = ns->nft;
	struct ipt_net *n = ns->ipt;

	if (!rs || !n || n->legacy || id < 0 || id >= IPT_NTABLES || n->tables[id].nft_handle)
		return 0;
	const char *name = ipt_table_name((enum ipt_table_id)id);
	struct nft_table *nt = nft_table_find(rs, NFT_FAMILY_IP, name);
	if (!nt)
		return 0;
	if (nft_table_empty(nt)) {
		/* iptables-nft's table from now on, with nft's handles */
		struct ipt_table *t = &n->tables[id];
		t->nft_handle = nt->handle;
		t->hgen = nt->next_handle;
		t->touched = true;
		g_ptr_array_remove(rs->tables, nt);	/* frees it */
		return 0;
	}
	if (!modify) {
		g_string_append_printf(err, "natsim: iptables-nft does not show nft's table ip %s, "
				       "which holds nft chains or sets (one table for both is not "
				       "implemented)\n", name);
		return 0;
	}
	GString *m = g_string_new(NULL);
	int rc = natsim_unimpl(m, "iptables-nft in nft's table ip %s, which holds nft chains or "
			       "sets,", name);
	g_string_append(err, m->str);
	g_string_append_c(err, '\n');
	g_string_free(m, TRUE);
	return rc;
}

bool nft_xt_add_chain(struct nft_parse *p, struct nft_ruleset *rs, const char *v,
		      const struct nft_token *cn, int xid)
{
	struct ipt_table *t = &rs->ns->ipt->tables[xid];
	struct ipt_chain *c = ipt_chain_find(t, cn->text);

	if (c && c->handle) {
		if (!strcmp(v, "create")) {
			nft_error(p, cn, NULL, "Could not process rule: File exists");
			return false;
		}
		return true;	/* add: it exists, nothing to do */
	}
	if (c || nft_peek(p, 0)->type == NFT_T_LBRACE) {
		/* a built-in chain's name iptables-nft has not made, a hook */
		nft_error(p, cn, NULL, "natsim: nft %s chain %s in iptables-nft's table ip %s is "
			  "not implemented", v, cn->text, ipt_table_name(xid));
		return false;
	}
	if (!rs->xt_added)
		rs->xt_added = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(rs->xt_added, g_strdup_printf("%d:%s", xid, cn->text));
	return true;
}

void nft_xt_commit_added(struct nf_ns *ns, struct nft_ruleset *rs, bool ok)
{
	for (unsigned i = 0; ok && ns->ipt && rs->xt_added && i < rs->xt_added->len; i++) {
		const char *s = rs->xt_added->pdata[i];
		int id = s[0] - '0';
		struct ipt_table *t = &ns->ipt->tables[id];
		if (ipt_chain_find(t, s + 2))
			continue;
		ipt_chain_nft_make(t, ipt_chain_add(t, s + 2));
		t->touched = true;
	}
	if (rs->xt_added)
		g_ptr_array_set_size(rs->xt_added, 0);
}
