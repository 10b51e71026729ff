/* nf_trace_id.c - the trace id of a packet, as nf_tables' trace events
 * (nft_trace_init's NFTA_TRACE_ID) carry it.
 *
 * The kernel derives the id from the skb's address: one id for every
 * hook and chain one skb passes, a new one for a new skb. natsim derives
 * it from the packet's run-wide serial (env->skb_id) and the namespace's
 * seed, mixed by murmur3's finaliser: the same run prints the same ids,
 * another seed others. nftables (nft_trace.c) and iptables-nft
 * (ipt_trace.c) share it, so both monitors name one packet alike.
 */
#include "nat/core/nf_trace_id.h"

uint32_t nf_trace_id(const struct nf_ns *ns, const struct nf_skb *skb)
{
	const struct nf_env *env = &ns->env;
	uint64_t serial = env->skb_id ? env->skb_id(env->ctx, skb) : 0;
	uint64_t h = serial * 0x9e3779b97f4a7c15ull ^ ns->hash_seed;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return (uint32_t)h;
}
