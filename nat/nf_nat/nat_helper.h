/* nat_helper.h - what NAT helpers share (nf_nat_helper.c) and the NAT
 * helpers natsim has (nf_nat_ftp.c).
 *
 * A NAT helper rewrites an address inside a payload (nf_nat_mangle_tcp_
 * packet: the bytes, the lengths, the checksums, and, when the length
 * changes, a sequence adjustment for the rest of the connection), picks
 * the port the expectation will be on (nf_nat_exp_find_port), and has the
 * expected connection NATed as its master is (nf_nat_follow_master).
 */
#ifndef NAT_NF_NAT_HELPER_H
#define NAT_NF_NAT_HELPER_H

#include <stdbool.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_helper.h"

/* nf_nat_mangle_tcp_packet: replace match_len bytes at match_offset of
 * the TCP payload by rep (rep_len bytes); false if the frame has no room
 * (the kernel's enlarge_skb fails past 65535 bytes; natsim's frame has
 * nf_skb_tailroom). */
bool nf_nat_mangle_tcp_packet(struct nf_ns *ns, struct nf_skb *skb, struct ct_entry *ct,
			      uint8_t ctinfo, unsigned protoff, unsigned match_offset,
			      unsigned match_len, const char *rep, unsigned rep_len);
/* nf_nat_exp_find_port: register exp on `port`, or on random ports above
 * it while they clash (128 tries). The port, or 0. */
uint16_t nf_nat_exp_find_port(struct nf_ns *ns, struct nf_ct_expect *exp, uint16_t port,
			      nf_time now);
/* nf_nat_follow_master: the expectfn of NATed expectations. */
void nf_nat_follow_master(struct nf_ns *ns, struct ct_entry *ct, const struct nf_ct_expect *exp,
			  nf_time now);

/* `modprobe nf_nat_ftp`: nf_conntrack_ftp (its dependency) and the hook. */
void nf_nat_ftp_load(struct nf_ns *ns);
/* `modprobe nf_nat_tftp`: nf_conntrack_tftp and the hook. */
void nf_nat_tftp_load(struct nf_ns *ns);

#endif
