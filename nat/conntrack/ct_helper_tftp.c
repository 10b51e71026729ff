/* ct_helper_tftp.c - the TFTP helper (nf_conntrack_tftp.c, Linux 6.x).
 *
 * A read or write request (opcode 1 or 2) from the client to the server's
 * port announces the transfer, which the server answers from a new port
 * of its own: the helper expects a UDP flow from the server's address
 * (any port) to the client's address and port as the request's reply
 * tuple has them (after NAT: the router's), class 0, max_expected 1, 300
 * s. DATA, ACK, ERROR and anything else are let through untouched. On a
 * NATed entry with nf_nat_tftp loaded, NAT registers the expectation
 * instead (nf_nat_tftp: the data flow is NATed back to the client).
 */
#include <string.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_helper.h"
#include "nat/core/nf_ns.h"

const struct nf_ct_expect_policy tftp_exp_policy = { .max_expected = 1, .timeout = 5 * 60 };

enum { TFTP_OPCODE_READ = 1, TFTP_OPCODE_WRITE = 2 };

/* tftp_help */
int nf_ct_tftp_help(struct nf_ns *ns, struct nf_skb *skb, unsigned protoff, struct ct_entry *ct,
		    uint8_t ctinfo, nf_time now)
{
	const struct ct_tuple *r = &ct->tuplehash[CT_DIR_REPLY].t;
	uint32_t tot = rd16(skb->ip + 2);
	uint16_t opcode;
	int ret = NF_ACCEPT;

	if (tot > skb->len)
		tot = skb->len;
	if (protoff + 8 + 2 > tot)
		return NF_ACCEPT;	/* no opcode */
	opcode = rd16(skb->ip + protoff + 8);
	if (opcode != TFTP_OPCODE_READ && opcode != TFTP_OPCODE_WRITE)
		return NF_ACCEPT;
	{
		struct nf_ct_expect exp = {
			.tuple = { .src = r->src, .dst = r->dst, .sport = 0, .dport = r->dport,
				   .proto = 17 },
			.mask_src = 0xffffffffu, .mask_sport = 0, .master = ct,
		};
		nf_nat_tftp_hook_fn nat_tftp = ns->ct->help->nat_tftp;
		char a[16], b[16];

		if (ns->env.trace) {
			nf_inet_ntop4(exp.tuple.src, a);
			nf_inet_ntop4(exp.tuple.dst, b);
			nf_trace(ns, NF_TRACE_STEP "tftp: %s request: expect %s:any -> %s:%u udp",
				 nf_hook_name(ns->cur_hook), "helper",
				 opcode == TFTP_OPCODE_READ ? "read" : "write", a, b,
				 exp.tuple.dport);
		}
		if (nat_tftp && (ct->status & IPS_NAT_MASK))
			ret = nat_tftp(ns, skb, ctinfo, &exp, now);
		else if (nf_ct_expect_related(ns, &exp, now) != 0) {
			if (ns->env.trace)
				nf_trace(ns, NF_TRACE_STEP "tftp: cannot add expectation: DROP",
					 nf_hook_name(ns->cur_hook), "helper");
			skb->drop_reason = NF_DROP_REASON_HOOK;
			ret = NF_DROP;
		}
	}
	return ret;
}
