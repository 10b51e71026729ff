/* xt_standard.c - the standard verdicts: -j ACCEPT, DROP, RETURN.
 *
 * Mirrors the kernel's standard target (XT_STANDARD_TARGET, a verdict
 * ipt_do_table acts on itself) and iptables' built-in names. They have no
 * options and no data; the traversal reads the rule's verdict kind, so no
 * call is made for them. A jump to a user chain (-j CHAIN, -g CHAIN) has no
 * ops: the rule holds the chain.
 */
#include "nat/iptables/xt.h"

const struct xt_ops xt_ACCEPT_ops = {
	.name = "ACCEPT", .kind = XT_TARGET, .verdict = IPT_T_ACCEPT,
};

const struct xt_ops xt_DROP_ops = {
	.name = "DROP", .kind = XT_TARGET, .verdict = IPT_T_DROP,
};

const struct xt_ops xt_RETURN_ops = {
	.name = "RETURN", .kind = XT_TARGET, .verdict = IPT_T_RETURN,
};
