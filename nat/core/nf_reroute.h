/* nf_reroute.h - the routing key a locally generated packet's hooks may
 * change, and the note that it changed.
 *
 * Mirrors iptable_mangle.c's ipt_mangle_out and nft_chain_route.c's
 * nf_route_table_hook4: the mangle table at OUTPUT and an nft chain of
 * type route at hook output save the source, destination, mark and TOS
 * before their rules and compare after; a change means the packet is
 * routed again (ip_route_me_harder). netfilter does not route: it leaves
 * skb->reroute set and the stack (sim/inet/ip.c's ip_local_out) routes
 * again after OUTPUT. A mark set in any other table or chain type does
 * not re-route, as in the kernel.
 */
#ifndef NAT_CORE_NF_REROUTE_H
#define NAT_CORE_NF_REROUTE_H

#include "nat/core/nf_inet.h"
#include "nat/core/nf_types.h"

struct nf_route_key {
	uint32_t saddr, daddr, mark;
	uint8_t tos;
};

static inline struct nf_route_key nf_route_key_of(const struct nf_skb *skb)
{
	return (struct nf_route_key){ .saddr = rd32(skb->ip + 12), .daddr = rd32(skb->ip + 16),
				      .mark = skb->mark, .tos = skb->ip[1] };
}

/* After the rules: note a changed key unless the packet was dropped. */
static inline void nf_route_key_check(struct nf_skb *skb, const struct nf_route_key *before,
				      unsigned verdict)
{
	struct nf_route_key now = nf_route_key_of(skb);
	if (verdict == NF_ACCEPT &&
	    (now.saddr != before->saddr || now.daddr != before->daddr ||
	     now.mark != before->mark || now.tos != before->tos))
		skb->reroute = 1;
}

#endif
