/* nf_nft.c - the nft command behind nat/nf.h: the namespace's ruleset
 * (created on first use), put on the hook ops after every change
 * (nft_hooks_sync), and natsim's notice of what it does not evaluate.
 *
 * Design: nat/nftables/ knows nothing of the namespace; this file owns the
 * link, so the core keeps an opaque pointer and the layers stay clean.
 */
#include "nat/nf.h"
#include "nat/core/nf_ns.h"
#include "nat/iptables/ipt.h"
#include "nat/nftables/nft.h"
#include "nat/nftables/nft_event.h"
#include "nat/nftables/nft_hash.h"
#include "nat/nftables/nft_list_xt.h"
#include "nat/nftables/nft_trace.h"

static void ruleset_free(void *rs)
{
	nft_ruleset_free(rs);
}

/* The ruleset goes with the namespace and with reboot (the assembly lists
 * this after iptables, nf_pernet.c). */
static void nf_nft_net_exit(struct nf_ns *ns)
{
	if (ns->nft)
		nft_flows_free(ns, ns->nft);	/* their conntrack references */
	nft_hooks_detach(ns, ns->nft);
	if (ns->nft_free)
		ns->nft_free(ns->nft);
	ns->nft = NULL;
	ns->nft_free = NULL;
	ns->flow_gc_next = NULL;
	ns->flow_gc = NULL;
	ns->xt_claim = NULL;
}

/* iptables-nft's rules are nf_tables rules: their trace events are
 * `nft monitor trace` lines too (nft_trace_xt.c). */
static void nf_nft_net_init(struct nf_ns *ns)
{
	ns->xt_nft_trace = nft_trace_xt;
}

const struct nf_pernet_ops nf_nft_pernet_ops = {
	.name = "nf_tables",
	.init = nf_nft_net_init,
	.exit = nf_nft_net_exit,
};

bool nf_flow_offload_ip_hook(struct nf_ns *ns, uint8_t *ip, uint32_t len, const char *in,
			     nf_time now, const char **out)
{
	return ns->nft && nft_flow_offload_ip_hook(ns, ip, len, in, now, out);
}

bool nf_flow_offload_any(const struct nf_ns *ns)
{
	const struct nft_ruleset *rs = ns->nft;
	return rs && rs->flows;
}

/* The namespace's ruleset, made on first use. */
static struct nft_ruleset *ruleset_of(struct nf_ns *ns)
{
	if (!ns->nft) {
		struct nft_ruleset *made = nft_ruleset_new();

		made->ns = ns;	/* ct helper objects name its helpers */
		ns->nft = made;
		ns->nft_free = ruleset_free;
		ns->flow_gc_next = nft_flow_offload_gc_next;
		ns->flow_gc = nft_flow_offload_gc;
		ns->xt_claim = nft_xt_claim;
	}
	return ns->nft;
}

void nf_nft_trace_cache(struct nf_ns *ns)
{
	nft_trace_cache_fill(ruleset_of(ns));
}

/* Without a clock: the time of the namespace's last nft command. */
int nf_cmd_nft(struct nf_ns *ns, int argc, char **argv, const char *stdin_text,
	       nf_read_file_fn read_file, void *priv, GString *out, GString *err, bool dry_run)
{
	struct nft_ruleset *rs = ns->nft;
	return nf_cmd_nft_at(ns, argc, argv, stdin_text, read_file, NULL, priv, out, err, dry_run,
			     rs ? rs->now : 0);
}

int nf_cmd_nft_at(struct nf_ns *ns, int argc, char **argv, const char *stdin_text,
		  nf_read_file_fn read_file, nf_glob_fn glob, void *priv, GString *out, GString *err, bool dry_run,
		  nf_time now)
{
	if (dry_run) {
		/* check on a scratch ruleset: only natsim's refusals count */
		struct nft_ruleset *scratch = nft_ruleset_new();
		GString *o = g_string_new(NULL), *e = g_string_new(NULL);
		int rc = nft_cmd(scratch, argc, argv, stdin_text, read_file, glob, priv, o, e);
		if (rc && g_strstr_len(e->str, -1, "natsim"))
			g_string_append(err, e->str);
		else
			rc = 0;
		g_string_free(o, TRUE);
		g_string_free(e, TRUE);
		nft_ruleset_free(scratch);
		return rc;
	}
	struct nft_ruleset *rs = ruleset_of(ns);
	rs->now = now;	/* element timeouts (nft_settimeout.c) */
	/* one table handle counter with iptables-nft's tables */
	if (ns->ipt && rs->table_handle < ns->ipt->table_hgen)
		rs->table_handle = ns->ipt->table_hgen;
	int rc = nft_cmd(rs, argc, argv, stdin_text, read_file, glob, priv, out, err);
	if (ns->ipt && ns->ipt->table_hgen < rs->table_handle)
		ns->ipt->table_hgen = rs->table_handle;
	/* what the batch did to iptables-nft's tables (nft_list_xt.c) */
	nft_xt_commit(ns, rs, rc == 0);
	if (rc == 0) {
		nft_anon_names_update(rs);	/* the names nft monitor reports */
		nft_hooks_sync(ns, rs, err);
		nft_flows_sync(ns);	/* flows of a deleted flowtable */
		nft_hash_say(rs, err);
		nft_obj_say(rs, err);
		nft_flowtable_say(rs, err);
	}
	return rc;
}
