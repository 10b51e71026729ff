/* nft_trace.h - `nft monitor trace`'s lines for nft_eval.c (nft_trace.c). */
#ifndef NAT_NFTABLES_NFT_TRACE_H
#define NAT_NFTABLES_NFT_TRACE_H

#include "nat/core/nf_hook_ops.h"
#include "nat/nftables/nft.h"

/* NFT_TRACETYPE_TRANSPORT_HSIZE: the transport bytes a trace event dumps. */
#define NFT_TRACE_TRANSPORT_HSIZE 20

/* struct nft_traceinfo: one base chain's walk of one packet. */
struct nft_traceinfo {
	struct nf_skb *skb;
	const struct nf_hook_state *st;
	const struct nft_table *table;
	const struct nft_chain *base;
	uint32_t id;
	bool dumped;		/* the packet line is out */
};

void nft_trace_begin(struct nft_traceinfo *tr, struct nf_skb *skb, const struct nf_hook_state *st,
		     const struct nft_table *t, const struct nft_chain *base);
/* The packet is marked (skb->nf_trace) and someone listens. */
bool nft_trace_enabled(const struct nft_traceinfo *tr);
/* "rule RULE (verdict VERDICT[ TARGET])" of chain c, after the packet line
 * if it is the walk's first event. */
void nft_trace_rule(struct nft_traceinfo *tr, const struct nft_chain *c, const struct nft_rule *r,
		    const char *verdict, const char *target);
/* "policy accept|drop [meta mark 0x...]" of the base chain. */
void nft_trace_policy(struct nft_traceinfo *tr, bool drop);

/* The packet line from "packet: " on (devices, link layer on the
 * receive side, IPv4 and transport fields; inet: an inet table's, with
 * `ip protocol`), as nft's trace_print_packet prints it. */
void nft_trace_packet(GString *s, struct nf_skb *skb, const struct nf_hook_state *st, bool inet);
/* ns->xt_nft_trace (nft_trace_xt.c): an iptables-nft rule's event. */
void nft_trace_xt(void *tr, const void *chain, const void *rule, unsigned verdict);

/* nft_trace_cache.c: a trace monitor starts (the rules' counters now, as
 * nft's cache holds them), and a rule's cached counters (packets, bytes
 * of each counter in order), NULL: not cached (0). */
void nft_trace_cache_fill(struct nft_ruleset *rs);
const GArray *nft_trace_cached(const struct nft_ruleset *rs, const char *family, const char *table,
			       uint64_t thandle, uint64_t rhandle);

#endif
