/* test_ct_ext.c - the conntrack extension area (nat/conntrack/ct_ext.c):
 * a registered type with a size gets a slot in ct->ext_area, aligned from
 * the entry's start and kept for the process; nf_ct_ext_find is NULL until
 * nf_ct_ext_add, which zeroes the slot once; a type that does not fit, or
 * asks its id's slot for another size, is refused; NAT's struct
 * nf_conn_nat fills the area exactly (ct.h's figures).
 */
#include <string.h>
#include <glib.h>

#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_ext.h"
#include "nat/core/nf_ns.h"
#include "nat/nf_nat/nat.h"
#include "tests/unit/check.h"

static struct nf_ns *bare_ns(void)
{
	struct nf_ns *ns = g_new0(struct nf_ns, 1);

	ns->ct = g_new0(struct nf_conntrack_net, 1);
	return ns;
}

static void bare_ns_free(struct nf_ns *ns)
{
	g_free(ns->ct);
	g_free(ns);
}

int main(void)
{
	struct nf_ns *a = bare_ns(), *b = bare_ns();
	struct ct_entry *ct = g_new0(struct ct_entry, 1);
	/* too big for the area: refused, and takes no room */
	static const struct nf_ct_ext_type huge = {
		.id = NF_CT_EXT_ACCT, .name = "huge", .size = CT_EXT_AREA + 1, .align = 1,
	};
	static const struct nf_ct_ext_type small = {
		.id = NF_CT_EXT_HELPER, .name = "small", .size = 4, .align = 4,
	};
	static const struct nf_ct_ext_type small_other_size = {
		.id = NF_CT_EXT_HELPER, .name = "small2", .size = 8, .align = 4,
	};
	static const struct nf_ct_ext_type nat_like = {
		.id = NF_CT_EXT_NAT, .name = "nat", .size = sizeof(struct nf_conn_nat), .align = 1,
	};
	unsigned char *p;

	CHECK(sizeof(struct nf_conn_nat) == CT_EXT_AREA, "%zu", sizeof(struct nf_conn_nat));
	CHECK(offsetof(struct ct_entry, ext_area) + CT_EXT_AREA <= sizeof(struct ct_entry));
	CHECK((offsetof(struct ct_entry, ext_area) + offsetof(struct nf_conn_nat, bysource_next)) %
	      8 == 0, "the bysource link is not 8-aligned in the entry");

	CHECK(nf_ct_extend_register(a, &huge) == -1);
	CHECK(a->ct->ext_types[NF_CT_EXT_ACCT] == NULL);

	/* NAT's type first: offset 0, the whole area */
	CHECK(nf_ct_extend_register(a, &nat_like) == 0);
	CHECK(nf_ct_extend_register(a, &nat_like) == -1);	/* id taken here */
	CHECK(nf_ct_extend_register(b, &nat_like) == 0);	/* same slot elsewhere */
	CHECK(nf_ct_ext_offset[NF_CT_EXT_NAT] == 0);
	/* no room left for another type with data */
	CHECK(nf_ct_extend_register(a, &small) == -1);

	CHECK(nf_ct_ext_find(ct, NF_CT_EXT_NAT) == NULL);
	CHECK(nf_ct_nat_ext(ct) == NULL);
	memset(ct->ext_area, 0xab, CT_EXT_AREA);
	p = nf_ct_ext_add(ct, NF_CT_EXT_NAT);
	CHECK(p == ct->ext_area);
	CHECK(ct->ext & (1u << NF_CT_EXT_NAT));
	CHECK(p && p[0] == 0 && p[CT_EXT_AREA - 1] == 0, "the slot is zeroed");
	p[0] = 7;
	CHECK(nf_ct_ext_add(ct, NF_CT_EXT_NAT) == p && p[0] == 7, "a second add keeps the data");
	CHECK((void *)nf_ct_nat_ext(ct) == (void *)p);
	/* an id without a slot */
	CHECK(nf_ct_ext_add(ct, NF_CT_EXT_HELPER) == NULL);
	CHECK(!(ct->ext & (1u << NF_CT_EXT_HELPER)));

	/* a size-0 type needs no room */
	static const struct nf_ct_ext_type side = { .id = NF_CT_EXT_HELPER, .name = "side" };
	CHECK(nf_ct_extend_register(b, &side) == 0);
	CHECK(nf_ct_extend_register(a, &small_other_size) == -1);

	g_free(ct);
	bare_ns_free(a);
	bare_ns_free(b);
	printf("test_ct_ext: %s\n", failures ? "FAILED" : "ok");
	return failures != 0;
}
