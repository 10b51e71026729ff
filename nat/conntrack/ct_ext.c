/* ct_ext.c - the namespace's registered conntrack extension types (see
 * ct_ext.h; nf_conntrack_extend.c). A fixed array indexed by id: a type is
 * found in one load, and calls run in id order, deterministically.
 * The slots of the entry's extension area are process-wide, as the
 * kernel's registered type lengths are: an id's offset is fixed at its
 * first registration (first fit after the slots already given, aligned),
 * and every later registration of that id must ask for the same size. */
#include <string.h>

#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_ext.h"
#include "nat/core/nf_ns.h"

uint8_t nf_ct_ext_offset[NF_CT_EXT_NUM];
static uint8_t nf_ct_ext_len[NF_CT_EXT_NUM];	/* 0: no slot */
static unsigned nf_ct_ext_used;			/* bytes of the area given */

/* The id's slot: kept if it has one of the type's size, else placed. */
static int nf_ct_ext_place(const struct nf_ct_ext_type *type)
{
	unsigned align = type->align ? type->align : 1, off;

	if (!type->size)
		return 0;
	if (nf_ct_ext_len[type->id])
		return nf_ct_ext_len[type->id] == type->size ? 0 : -1;
	/* aligned from the entry's start, not the area's */
	off = (unsigned)offsetof(struct ct_entry, ext_area) + nf_ct_ext_used;
	off = (off + align - 1) & ~(align - 1);
	off -= (unsigned)offsetof(struct ct_entry, ext_area);
	if (off + type->size > CT_EXT_AREA)
		return -1;
	nf_ct_ext_offset[type->id] = (uint8_t)off;
	nf_ct_ext_len[type->id] = type->size;
	nf_ct_ext_used = off + type->size;
	return 0;
}

int nf_ct_extend_register(struct nf_ns *ns, const struct nf_ct_ext_type *type)
{
	if ((unsigned)type->id >= NF_CT_EXT_NUM || ns->ct->ext_types[type->id])
		return -1;
	if (nf_ct_ext_place(type) != 0)
		return -1;
	ns->ct->ext_types[type->id] = type;
	return 0;
}

void *nf_ct_ext_add(struct ct_entry *ct, enum nf_ct_ext_id id)
{
	if ((unsigned)id >= NF_CT_EXT_NUM || !nf_ct_ext_len[id])
		return NULL;
	if (!(ct->ext & (1u << id))) {
		memset(ct->ext_area + nf_ct_ext_offset[id], 0, nf_ct_ext_len[id]);
		ct->ext |= (uint8_t)(1u << id);
	}
	return ct->ext_area + nf_ct_ext_offset[id];
}

void nf_ct_extend_unregister(struct nf_ns *ns, const struct nf_ct_ext_type *type)
{
	if ((unsigned)type->id < NF_CT_EXT_NUM && ns->ct->ext_types[type->id] == type)
		ns->ct->ext_types[type->id] = NULL;
}

void nf_ct_ext_destroy(struct nf_ns *ns, struct ct_entry *ct)
{
	for (unsigned id = 0; id < NF_CT_EXT_NUM; id++) {
		const struct nf_ct_ext_type *t = ns->ct->ext_types[id];

		if (t && t->destroy)
			t->destroy(ns, ct);
	}
}

void nf_ct_ext_print(const struct nf_ns *ns, const struct ct_entry *ct, enum ct_dir dir,
		     const char *event, GString *out)
{
	for (unsigned id = 0; id < NF_CT_EXT_NUM; id++) {
		const struct nf_ct_ext_type *t = ns->ct->ext_types[id];

		if (t && t->print)
			t->print(ns, ct, dir, event, out);
	}
}

void nf_ct_ext_net_exit(struct nf_ns *ns)
{
	for (unsigned id = 0; id < NF_CT_EXT_NUM; id++) {
		const struct nf_ct_ext_type *t = ns->ct->ext_types[id];

		if (t && t->net_exit)
			t->net_exit(ns);
	}
}
