/* nf_trace_id.h - the id nf_tables' trace events give a packet (nf_trace_id.c). */
#ifndef NAT_CORE_NF_TRACE_ID_H
#define NAT_CORE_NF_TRACE_ID_H

#include <stdint.h>

#include "nat/core/nf_ns.h"

/* One id for every hook and base chain skb passes, shared by `nft monitor
 * trace` and `xtables-monitor --trace`. */
uint32_t nf_trace_id(const struct nf_ns *ns, const struct nf_skb *skb);

#endif
