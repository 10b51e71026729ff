/* nf_conncount.c - the list walk of net/netfilter/nf_conncount.c.
 *
 * Each packet the counting rule sees walks its list (__nf_conncount_add):
 * a tuple whose entry is gone, or a TCP entry in TIME_WAIT or CLOSE
 * (already_closed), is dropped (at most 8 drops a walk:
 * CONNCOUNT_GC_MAX_NODES), the packet's own connection is added unless it
 * is there already, and the count includes it. natsim has one CPU, so a
 * tuple not found in the table is always stale (find_or_evict's "this cpu
 * added it"); the kernel's background garbage collector only frees memory
 * early and is not modelled.
 */
#include "nat/conntrack/nf_conncount.h"

#define CONNCOUNT_GC_MAX_NODES 8

GArray *nf_conncount_list_new(void)
{
	return g_array_new(FALSE, FALSE, sizeof(struct ct_tuple));
}

GArray *nf_conncount_list_copy(const GArray *l)
{
	GArray *c = g_array_sized_new(FALSE, FALSE, sizeof(struct ct_tuple), l->len);
	g_array_append_vals(c, l->data, l->len);
	return c;
}

/* already_closed: a TCP connection past its use. */
static bool conncount_closed(const struct ct_entry *ct)
{
	return ct->tuplehash[CT_DIR_ORIGINAL].t.proto == 6 &&
	       (ct->proto.tcp.state == TCP_CONNTRACK_TIME_WAIT ||
		ct->proto.tcp.state == TCP_CONNTRACK_CLOSE);
}

unsigned nf_conncount_add(struct nf_ns *ns, GArray *l, const struct ct_tuple *t, nf_time now)
{
	unsigned collect = 0;
	for (unsigned i = 0; i < l->len;) {
		if (collect > CONNCOUNT_GC_MAX_NODES)
			break;
		struct ct_tuple c = g_array_index(l, struct ct_tuple, i);
		struct ct_tuple_node *found = ct_table_find(ns, &c, now);
		if (!found) {	/* find_or_evict: gone */
			g_array_remove_index(l, i);
			collect++;
			continue;
		}
		if (ct_tuple_equal(&c, t))
			return l->len;	/* counted already */
		if (conncount_closed(ct_of_node(found))) {
			g_array_remove_index(l, i);
			collect++;
			continue;
		}
		i++;
	}
	g_array_append_val(l, *t);
	return l->len;
}
