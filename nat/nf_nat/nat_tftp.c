/* nat_tftp.c - the TFTP NAT helper (nf_nat_tftp.c, Linux 6.x).
 *
 * A TFTP request carries no address, so nothing is rewritten: on a NATed
 * entry the expectation (the server's reply from its new port to the
 * client's address and port as the router shows them) is registered with
 * the client's real port saved and nf_nat_follow_master, so the data flow
 * is NATed back to the client as its master is.
 */
#include "nat/conntrack/ct_helper.h"
#include "nat/core/nf_ns.h"
#include "nat/nf_nat/nat_helper.h"

/* help() of nf_nat_tftp.c */
static int nf_nat_tftp(struct nf_ns *ns, struct nf_skb *skb, uint8_t ctinfo,
		       struct nf_ct_expect *exp, nf_time now)
{
	const struct ct_entry *ct = exp->master;

	(void)ctinfo;
	exp->saved_port = ct->tuplehash[CT_DIR_ORIGINAL].t.sport;
	exp->dir = CT_DIR_REPLY;
	exp->expectfn = nf_nat_follow_master;
	if (nf_ct_expect_related(ns, exp, now) != 0) {
		/* nf_ct_helper_log: "nf_nat_tftp: cannot add expectation" */
		if (ns->env.trace)
			nf_trace(ns, NF_TRACE_STEP "nf_nat_tftp: cannot add expectation: DROP",
				 nf_hook_name(ns->cur_hook), "helper");
		skb->drop_reason = NF_DROP_REASON_HOOK;
		return NF_DROP;
	}
	if (ns->env.trace)
		nf_trace(ns, NF_TRACE_STEP "nf_nat_tftp: expectation NATed to follow its master "
			 "(to port %u)", nf_hook_name(ns->cur_hook), "helper", exp->saved_port);
	return NF_ACCEPT;
}

void nf_nat_tftp_load(struct nf_ns *ns)
{
	GString *err = g_string_new(NULL);

	nf_ct_helper_load(ns, "nf_conntrack_tftp", NULL, err);
	g_string_free(err, TRUE);
	nf_ct_helper_set_nat_tftp(ns, nf_nat_tftp);
}
