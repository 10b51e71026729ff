/* ct_timeout.h - timeout policies on conntrack entries (nf_conntrack_timeout.h).
 *
 * `-j CT --timeout NAME` (nat/iptables/xt/xt_CT.c) takes a reference on a
 * policy of `nfct timeout` (ct_timeout.c) when the rule is made and puts
 * it on the packets it sees (skb->ct_timeout); the entry such a packet
 * creates gets the policy (the NF_CT_EXT_TIMEOUT extension, kept in a side
 * table), and its tracker reads its timeouts from it instead of the
 * sysctls (nf_ct_timeout_lookup). nft's ct timeout objects
 * (nat/nftables/nft_cttimeout.c) have policies of their own, in no list
 * (nf_ct_timeout_new), given to entries by `ct timeout set`. The arrays are in the kernel's layout:
 * TCP's indexed by state (plus RETRANS and UNACK), UDP's and GRE's
 * [unreplied, replied], ICMP's and generic's [timeout]; in seconds.
 */
#ifndef NAT_CT_TIMEOUT_H
#define NAT_CT_TIMEOUT_H

#include <glib.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_ext.h"

struct ctnl_timeout;

/* nf_ct_set_timeout's lookup for xt_ct_tg_check: the policy NAME with a
 * reference, or NULL (no such policy). */
struct ctnl_timeout *nf_ct_timeout_find_get(struct nf_ns *ns, const char *name);
void nf_ct_timeout_get(struct ctnl_timeout *t);
void nf_ct_timeout_put(struct ctnl_timeout *t);
/* An nft ct timeout object's policy (nft_ct_timeout_obj_init): in no
 * list, secs[] every value in attribute order; NULL without conntrack or
 * for a protocol natsim has no policy for. Released by its last holder
 * (nft_ct_timeout_obj_destroy: its entries fall back to the sysctls). */
struct ctnl_timeout *nf_ct_timeout_new(struct nf_ns *ns, uint16_t l3num, uint8_t l4num,
				       const uint32_t *secs);
void nf_ct_timeout_release(struct ctnl_timeout *t);
/* The policy's timeout for a new entry (values[0] of nf_ct_timeout_data:
 * TCP's NONE, that is SYN_SENT's; UDP's UNREPLIED), in seconds. */
uint32_t nf_ct_timeout_first(const struct ctnl_timeout *t);
uint8_t nf_ct_timeout_l4num(const struct ctnl_timeout *t);

/* nf_ct_set_timeout's checks: 0, or EINVAL with the kernel's log line in
 * klog when the policy is for another layer 3 or layer 4 protocol than
 * the rule's (l4num: the rule's -p, its tracker's number). */
int nf_ct_timeout_check(const struct ctnl_timeout *t, const char *name, uint16_t l3num,
			uint8_t l4num, GString *klog);

/* init_conntrack: the new entry gets the template's policy. */
void nf_ct_timeout_attach(struct nf_ns *ns, struct ct_entry *ct, struct ctnl_timeout *t);

/* The policy's timeouts of an entry that has one for protocol l4num. */
const uint32_t *nf_ct_timeout_data(const struct nf_ns *ns, const struct ct_entry *ct,
				   uint8_t l4num);

/* nf_ct_timeout_lookup: the entry's policy timeouts, NULL for the sysctls'
 * (one bit test for an entry without a policy). */
static inline const uint32_t *nf_ct_timeout_lookup(const struct nf_ns *ns,
						   const struct ct_entry *ct, uint8_t l4num)
{
	if (__builtin_expect(!(ct->ext & (1u << NF_CT_EXT_TIMEOUT)), 1))
		return NULL;
	return nf_ct_timeout_data(ns, ct, l4num);
}

#endif
