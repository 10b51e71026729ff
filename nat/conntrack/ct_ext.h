/* ct_ext.h - conntrack extensions: per-entry data other modules attach.
 *
 * Mirrors nf_conntrack_extend.h (struct nf_ct_ext_type, nf_ct_ext_add,
 * nf_ct_ext_find, nf_ct_ext_destroy): conntrack does not know NAT, helpers
 * or counters; each registers an extension type {id, name, size, align,
 * destroy, print} with the namespace. The entry carries one presence bit
 * per id (ct->ext, as the kernel's ext->offset[id] != 0); destroy runs when
 * an entry is freed, print adds the type's text after each tuple of a
 * `conntrack -L` line or event.
 * Design: a type with a size gets a slot in the entry's fixed extension
 * area (ct->ext_area, CT_EXT_AREA bytes, ct.h says why fixed): its offset
 * is given at the type's first registration in the process and kept (every
 * namespace registers the same types in the same order, nf_pernet.c), so
 * nf_ct_ext_find is a bit test and an add, with no namespace and no
 * lookup: NAT's per-packet MASQUERADE check reads it. A type of size 0
 * keeps its data with its owner (accounting: a side table keyed by the
 * entry), so an entry stays small and a known flow's packet never reads an
 * extension it does not use.
 */
#ifndef NAT_CT_EXT_H
#define NAT_CT_EXT_H

#include <glib.h>
#include "nat/conntrack/ct.h"

/* Extension ids (enum nf_ct_ext_id); bit (1 << id) of ct->ext. */
enum nf_ct_ext_id {
	NF_CT_EXT_ACCT = 0,	/* == CT_EXT_ACCT's bit (ct_acct.c) */
	NF_CT_EXT_NAT = 1,	/* nat/nf_nat: struct nf_conn_nat, in ct->ext_area */
	NF_CT_EXT_HELPER = 2,	/* == CT_EXT_HELPER's bit (ct_helper.c) */
	NF_CT_EXT_SEQADJ = 3,	/* == CT_EXT_SEQADJ's bit (ct_seqadj.c) */
	NF_CT_EXT_TIMEOUT = 4,	/* CT --timeout's policy (ct_timeout.c, a side table) */
	NF_CT_EXT_ECACHE = 5,	/* an event mask set by a rule (ct_ecache.c, a side table) */
	NF_CT_EXT_LABELS = 6,	/* connection labels (ct_labels.c, a side table) */
	NF_CT_EXT_NUM,
};

struct nf_ct_ext_type {
	enum nf_ct_ext_id id;
	const char *name;
	/* bytes of per-entry data in ct->ext_area (0: none, the owner keeps
	 * its data elsewhere) and their alignment (a power of two) */
	uint8_t size, align;
	/* The entry is being freed (killed, reaped, the table torn down):
	 * let go of its data. Called for every entry while the type is
	 * registered; it does nothing for an entry without the type's data. */
	void (*destroy)(struct nf_ns *ns, struct ct_entry *ct);
	/* Text after the tuple of direction `dir` in a `conntrack -L` line
	 * (event NULL) or a -E line (event "NEW", "UPDATE", "DESTROY"). */
	void (*print)(const struct nf_ns *ns, const struct ct_entry *ct, enum ct_dir dir,
		      const char *event, GString *out);
	/* The namespace goes: free whatever the type keeps for it. */
	void (*net_exit)(struct nf_ns *ns);
};

/* nf_ct_extend_register: 0, or -1 if the id is taken or out of range, or
 * the type's data does not fit in what is left of the area (or differs in
 * size from the slot its id got before). */
int nf_ct_extend_register(struct nf_ns *ns, const struct nf_ct_ext_type *type);
void nf_ct_extend_unregister(struct nf_ns *ns, const struct nf_ct_ext_type *type);

/* Each id's offset in ct->ext_area (ct_ext.c), for nf_ct_ext_find. */
extern uint8_t nf_ct_ext_offset[NF_CT_EXT_NUM];

/* nf_ct_ext_find: the entry's data of type id, NULL if it has none. */
static inline void *nf_ct_ext_find(const struct ct_entry *ct, enum nf_ct_ext_id id)
{
	if (!(ct->ext & (1u << id)))
		return NULL;
	return (void *)(ct->ext_area + nf_ct_ext_offset[id]);
}

/* nf_ct_ext_add: give the entry the type's data, zeroed (kept as it is if
 * the entry has it already), and return it; NULL if the type has no slot
 * (never registered, or size 0). */
void *nf_ct_ext_add(struct ct_entry *ct, enum nf_ct_ext_id id);

/* nf_ct_ext_destroy: every registered type's destroy, in id order. */
void nf_ct_ext_destroy(struct nf_ns *ns, struct ct_entry *ct);
/* The print of every registered type that has one, in id order. */
void nf_ct_ext_print(const struct nf_ns *ns, const struct ct_entry *ct, enum ct_dir dir,
		     const char *event, GString *out);
/* Every registered type's net_exit (table teardown). */
void nf_ct_ext_net_exit(struct nf_ns *ns);

#endif
