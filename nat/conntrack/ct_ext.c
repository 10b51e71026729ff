/* ct_ext.c - the namespace's registered conntrack extension types (see
 * ct_ext.h; nf_conntrack_extend.c). A fixed array indexed by id: a type is
 * found in one load, and calls run in id order, deterministically. */
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_ext.h"
#include "nat/core/nf_ns.h"

int nf_ct_extend_register(struct nf_ns *ns, const struct nf_ct_ext_type *type)
{
	if ((unsigned)type->id >= NF_CT_EXT_NUM || ns->ct->ext_types[type->id])
		return -1;
	ns->ct->ext_types[type->id] = type;
	return 0;
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
