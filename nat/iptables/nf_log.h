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

/* logflags (linux/netfilter/nf_log.h NF_LOG_*, = IPT_LOG_*): the LOG
 * target's --log-* options and nft's `log flags` */
enum {
	NF_LOG_TCPSEQ = 0x01,
	NF_LOG_TCPOPT = 0x02,
	NF_LOG_IPOPT = 0x04,
	NF_LOG_UID = 0x08,
	NF_LOG_MACDECODE = 0x20,
	NF_LOG_MASK = 0x2f,
};

/* "PREFIXIN=.. OUT=.. MAC=.. SRC=.. ..." to the node's kernel log, default
 * logflags (no TCP sequence, options or uid). prefix may be NULL. */
void nf_log_ip_packet(struct nf_ns *ns, const struct nf_skb *skb, const char *in,
		      const char *out, const char *prefix, nf_time now);
/* The same with the LOG target's logflags (NF_LOG_TCPSEQ, _TCPOPT, _IPOPT,
 * _MACDECODE). */
void nf_log_ip_packet_flags(struct nf_ns *ns, const struct nf_skb *skb, const char *in,
			    const char *out, const char *prefix, unsigned logflags, nf_time now);

#endif
