/* nf_log.h - the kernel log line of a logged packet (nf_log_syslog.c's
 * nf_log_ip_packet), shared by iptables' LOG target and nft's log
 * statement, which the kernel both sends through nf_log_packet.
 *
 * Design: one function, defined beside the LOG target (xt_LOG.c) that
 * has always printed it, so the two write byte-identical lines.
 */
#ifndef NAT_IPTABLES_NF_LOG_H
#define NAT_IPTABLES_NF_LOG_H

#include "nat/core/nf_types.h"

struct nf_ns;

/* "PREFIXIN=.. OUT=.. MAC=.. SRC=.. ..." to the node's kernel log, default
 * logflags (no TCP sequence, options or uid). prefix may be NULL. */
void nf_log_ip_packet(struct nf_ns *ns, const struct nf_skb *skb, const char *in,
		      const char *out, const char *prefix, nf_time now);
/* The same with the LOG target's logflags (NF_LOG_TCPSEQ, _TCPOPT, _IPOPT,
 * _MACDECODE). */
void nf_log_ip_packet_flags(struct nf_ns *ns, const struct nf_skb *skb, const char *in,
			    const char *out, const char *prefix, unsigned logflags, nf_time now);

#endif
