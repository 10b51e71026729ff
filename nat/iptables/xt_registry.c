/* xt_registry.c - the extensions natsim has: one line each.
 *
 * Mirrors the lists iptables and the kernel keep of loaded extensions
 * (xtables_matches / xtables_targets, xt_register_match). Every match and
 * target is one file in nat/iptables/xt/ defining one `const struct xt_ops
 * xt_NAME_ops` (xt.h); naming it in XT_EXTENSIONS below is all it takes to
 * make `-m NAME` / `-j NAME` work. A name that is not here falls back to
 * ipt_ext_names.c: "not implemented" for Debian's extensions, iptables'
 * own "Couldn't load" otherwise.
 *
 * Design: a static table, not constructor-time registration, so the set is
 * visible in one place and the same in every run; lookups happen while a
 * command is parsed, never on the packet path.
 */
#include <string.h>

#include "nat/iptables/xt.h"

#define XT_EXTENSIONS(X) \
	X(tcp) \
	X(udp) \
	X(icmp) \
	X(state) \
	X(conntrack) \
	X(multiport) \
	X(comment) \
	X(addrtype) \
	X(mark) \
	X(statistic) \
	X(recent) \
	X(nfacct) \
	X(connmark) \
	X(limit) \
	X(length) \
	X(ttl) \
	X(iprange) \
	X(helper) \
	X(pkttype) \
	X(mac) \
	X(tos) \
	X(dscp) \
	X(set) \
	X(owner) \
	X(rpfilter) \
	X(connlimit) \
	X(hashlimit) \
	X(tcpmss) \
	X(ACCEPT) \
	X(DROP) \
	X(RETURN) \
	X(REJECT) \
	X(LOG) \
	X(SNAT) \
	X(DNAT) \
	X(MASQUERADE) \
	X(REDIRECT) \
	X(CT) \
	X(NOTRACK) \
	X(MARK) \
	X(TCPMSS) \
	X(CONNMARK) \
	X(TTL) \
	X(DSCP) \
	X(TOS) \
	X(SET) \
	X(NETMAP) \
	X(TRACE)

#define XT_DECLARE(n) extern const struct xt_ops xt_##n##_ops;
XT_EXTENSIONS(XT_DECLARE)

static const struct xt_ops *const xt_registry[] = {
#define XT_ENTRY(n) &xt_##n##_ops,
	XT_EXTENSIONS(XT_ENTRY)
};

const struct xt_ops *xt_find(const char *name, enum xt_kind kind)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(xt_registry); i++)
		if (xt_registry[i]->kind == kind && strcmp(xt_registry[i]->name, name) == 0)
			return xt_registry[i];
	return NULL;
}

/* load_proto: the match named as the protocol (-p tcp loads -m tcp). */
const struct xt_ops *xt_find_proto_match(uint8_t proto)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(xt_registry); i++)
		if (xt_registry[i]->kind == XT_MATCH && xt_registry[i]->proto == proto && proto)
			return xt_registry[i];
	return NULL;
}
