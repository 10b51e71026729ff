/* ct_ext.h - conntrack extensions: per-entry data other modules attach.
 *
 * Mirrors nf_conntrack_extend.h (struct nf_ct_ext_type, nf_ct_ext_add,
 * nf_ct_ext_destroy): conntrack does not know NAT, helpers or counters; each
 * registers an extension type {id, name, destroy, print} with the namespace
 * and keeps its per-entry data itself. The entry carries one presence bit
 * per id (ct->ext, as the kernel's ext->offset[id] != 0); destroy runs when
 * an entry is freed, print adds the type's text after each tuple of a
 * `conntrack -L` line or event.
 * Design: the data lives with its owner (accounting: a side table keyed by
 * the entry; NAT: the bysource chain, bound ranges and MASQUERADE interface
 * still in struct ct_entry's tail, see ct.h), so an entry stays small and a
 * known flow's packet never reads an extension it does not use.
 */
#ifndef NAT_CT_EXT_H
#define NAT_CT_EXT_H

#include <glib.h>
#include "nat/conntrack/ct.h"

/* Extension ids (enum nf_ct_ext_id); bit (1 << id) of ct->ext. */
enum nf_ct_ext_id {
	NF_CT_EXT_ACCT = 0,	/* == CT_EXT_ACCT's bit (ct_acct.c) */
	NF_CT_EXT_NAT = 1,	/* nat/nf_nat: bysource chain, bound ranges */
	NF_CT_EXT_HELPER = 2,	/* == CT_EXT_HELPER's bit (ct_helper.c) */
	NF_CT_EXT_SEQADJ = 3,	/* == CT_EXT_SEQADJ's bit (ct_seqadj.c) */
	NF_CT_EXT_NUM,
};

struct nf_ct_ext_type {
	enum nf_ct_ext_id id;
	const char *name;
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

/* nf_ct_extend_register: 0, or -1 if the id is taken or out of range. */
int nf_ct_extend_register(struct nf_ns *ns, const struct nf_ct_ext_type *type);
void nf_ct_extend_unregister(struct nf_ns *ns, const struct nf_ct_ext_type *type);

/* nf_ct_ext_destroy: every registered type's destroy, in id order. */
void nf_ct_ext_destroy(struct nf_ns *ns, struct ct_entry *ct);
/* The print of every registered type that has one, in id order. */
void nf_ct_ext_print(const struct nf_ns *ns, const struct ct_entry *ct, enum ct_dir dir,
		     const char *event, GString *out);
/* Every registered type's net_exit (table teardown). */
void nf_ct_ext_net_exit(struct nf_ns *ns);

#endif
