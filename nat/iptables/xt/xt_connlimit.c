/* xt_connlimit.c - `-m connlimit --connlimit-upto|--connlimit-above N
 * [--connlimit-mask BITS] [--connlimit-saddr|--connlimit-daddr]`.
 *
 * Mirrors libxt_connlimit.c (revision 1: upto is above inverted, the mask
 * a prefix length or an address, saddr by default; -S always names mask
 * and direction, -L prints "#conn src/32 > N") and the kernel's
 * net/netfilter/xt_connlimit.c over nf_conncount.c: the connections of
 * each key (the source or destination address under the mask) are a list
 * of original tuples, walked on every packet the rule sees
 * (__nf_conncount_add): a tuple whose entry is gone, or a TCP entry in
 * TIME_WAIT or CLOSE, is dropped from the list (at most 8 drops a walk:
 * CONNCOUNT_GC_MAX_NODES), the packet's own connection is added unless it
 * is there already, and the count includes it. It matches when that count
 * is above N (upto: not above).
 *
 * Design: the lists are the rule's own, as the kernel keeps them with the
 * rule (nf_conncount_init in checkentry), carried along when natsim copies
 * the rule; the walk is nf_conncount.c's, shared with nft's `ct count`.
 */
#include <string.h>

#include "nat/conntrack/ct.h"
#include "nat/conntrack/nf_conncount.h"
#include "nat/iptables/xt.h"

enum { XT_CONNLIMIT_INVERT = 1 << 0, XT_CONNLIMIT_DADDR = 1 << 1 };

struct xt_connlimit {
	uint32_t mask;		/* host order */
	uint32_t limit;
	uint32_t flags;
	GHashTable *tree;	/* key -> GArray of struct ct_tuple (nf_conncount_data) */
};

enum { O_UPTO, O_ABOVE, O_MASK, O_SADDR, O_DADDR };

static const struct xt_option connlimit_opts[] = {
	{ "connlimit-upto", 1, O_UPTO }, { "connlimit-above", 1, O_ABOVE },
	{ "connlimit-mask", 1, O_MASK }, { "connlimit-saddr", 0, O_SADDR },
	{ "connlimit-daddr", 0, O_DADDR }, { NULL, 0, 0 },
};

static void conncount_list_free(void *p)
{
	g_array_free(p, TRUE);
}

static GHashTable *conncount_new(void)
{
	return g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, conncount_list_free);
}

static void connlimit_init(void *data)
{
	struct xt_connlimit *c = data;
	c->mask = 0xffffffffu;
	c->tree = conncount_new();
}

static void connlimit_copy(void *dst, const void *src)
{
	const struct xt_connlimit *s = src;
	struct xt_connlimit *d = dst;
	d->tree = conncount_new();
	GHashTableIter it;
	void *k, *v;
	g_hash_table_iter_init(&it, s->tree);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		g_hash_table_insert(d->tree, k, nf_conncount_list_copy(v));
	}
}

static void connlimit_destroy(void *data)
{
	g_hash_table_destroy(((struct xt_connlimit *)data)->tree);
}

static int connlimit_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_connlimit *c = data;
	const char *name = connlimit_opts[id].name;
	int rc = xt_once(p, name, id);
	if (!rc && id >= O_MASK)
		rc = xt_noinvert(p, name);
	if (rc)
		return rc;
	unsigned long v;
	switch (id) {
	case O_UPTO:
	case O_ABOVE:
		if (!xt_strtoul0(arg, 0xffffffffUL, &v))
			return xt_err(p, "connlimit: bad value for option \"--%s\", or out of range "
				      "(0-4294967295).\n", name);
		c->limit = (uint32_t)v;
		/* upto is "not above" */
		if ((id == O_UPTO) != p->invert)
			c->flags |= XT_CONNLIMIT_INVERT;
		else
			c->flags &= ~(uint32_t)XT_CONNLIMIT_INVERT;
		break;
	case O_MASK:
		if (!xt_plenmask_parse(arg, &c->mask, NULL))
			return xt_err(p, "connlimit: bad value for option \"--connlimit-mask\", neither "
				      "a valid network mask nor valid CIDR (0-32).\n");
		break;
	case O_SADDR:
		c->flags &= ~(uint32_t)XT_CONNLIMIT_DADDR;
		break;
	case O_DADDR:
		c->flags |= XT_CONNLIMIT_DADDR;
		break;
	}
	return 0;
}

/* xtables_options_fcheck's exclusions (in the option table's order), then
 * connlimit_check. */
static int connlimit_final_check(struct xt_parse *p, const void *data)
{
	(void)data;
	unsigned given = *p->once;
	if ((given & (1u << O_UPTO)) && (given & (1u << O_ABOVE)))
		return xt_err(p, "connlimit: option \"--connlimit-upto\" cannot be used together "
			      "with \"--connlimit-above\".\n");
	if ((given & (1u << O_SADDR)) && (given & (1u << O_DADDR)))
		return xt_err(p, "connlimit: option \"--connlimit-saddr\" cannot be used together "
			      "with \"--connlimit-daddr\".\n");
	if (!(given & (1u << O_UPTO | 1u << O_ABOVE)))
		return xt_err(p, "You must specify \"--connlimit-above\" or \"--connlimit-upto\".");
	return 0;
}

/* count_bits4 */
static unsigned connlimit_bits(uint32_t mask)
{
	unsigned bits = 0;
	for (mask = ~mask; mask; mask >>= 1)
		bits++;
	return 32 - bits;
}

static void connlimit_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_connlimit *c = data;
	(void)proto;
	(void)numeric;
	g_string_append_printf(o, " #conn %s/%u %s %u", (c->flags & XT_CONNLIMIT_DADDR) ? "dst" : "src",
			       connlimit_bits(c->mask), (c->flags & XT_CONNLIMIT_INVERT) ? "<=" : ">",
			       c->limit);
}

static void connlimit_save(GString *o, const void *data)
{
	const struct xt_connlimit *c = data;
	g_string_append_printf(o, " --connlimit-%s %u --connlimit-mask %u --connlimit-%s",
			       (c->flags & XT_CONNLIMIT_INVERT) ? "upto" : "above", c->limit,
			       connlimit_bits(c->mask), (c->flags & XT_CONNLIMIT_DADDR) ? "daddr" : "saddr");
}

/* count_tree: the key's list (nf_conncount.c walks it). */
static unsigned conncount_count(struct nf_ns *ns, GHashTable *tree, uint32_t key,
				const struct ct_tuple *t, nf_time now)
{
	GArray *l = g_hash_table_lookup(tree, GUINT_TO_POINTER(key));
	if (!l) {
		l = nf_conncount_list_new();
		g_hash_table_insert(tree, GUINT_TO_POINTER(key), l);
	}
	return nf_conncount_add(ns, l, t, now);
}

/* connlimit_mt */
static bool connlimit_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_connlimit *c = data;
	struct ct_tuple t;
	if (par->skb->ct)
		t = par->skb->ct->tuplehash[CT_DIR_ORIGINAL].t;
	else if (!ct_tuple_from_ip(par->skb->ip, par->skb->len, &t)) {
		par->hotdrop = true;
		return false;
	}
	uint32_t key = ((c->flags & XT_CONNLIMIT_DADDR) ? par->pkt->dst : par->pkt->src) & c->mask;
	unsigned n = conncount_count(par->ns, c->tree, key, &t, par->now);
	return (n > c->limit) ^ !!(c->flags & XT_CONNLIMIT_INVERT);
}

/* connlimit_mt4_xlate: a dynamic set connlimitN (N the process's count,
 * taken even when the rule ends as a comment) and `add @connlimitN { KEY
 * ct count [over] LIMIT }`, the key masked unless /32. */
static bool connlimit_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_connlimit *c = data;
	(void)r;
	unsigned id = (*xl->nset)++;
	xt_xlate_set_add(xl, "connlimit%u { type ipv4_addr; flags dynamic; }", id);
	xt_xlate_add(xl, "add @connlimit%u { ip %saddr", id, (c->flags & XT_CONNLIMIT_DADDR) ? "d" : "s");
	if (c->mask != 0xffffffffu)
		xt_xlate_add(xl, " and %u.%u.%u.%u", c->mask >> 24, (c->mask >> 16) & 0xff,
			     (c->mask >> 8) & 0xff, c->mask & 0xff);
	xt_xlate_add(xl, " ct count %s%u }", (c->flags & XT_CONNLIMIT_INVERT) ? "" : "over ", c->limit);
	return true;
}

const struct xt_ops xt_connlimit_ops = {
	.name = "connlimit", .kind = XT_MATCH, .size = sizeof(struct xt_connlimit),
	.opts = connlimit_opts, .init = connlimit_init, .parse = connlimit_parse,
	.final_check = connlimit_final_check, .print = connlimit_print, .save = connlimit_save,
	.copy = connlimit_copy, .destroy = connlimit_destroy, .xlate = connlimit_xlate,
	.match = connlimit_mt, .needs_ct = true,
};
