/* ip_set_core.c - the namespace's sets: create, destroy, flush, rename,
 * swap, references, elements with their timeout/counter/comment
 * extensions, and the kernel-side test/add/del of a packet.
 *
 * Mirrors net/netfilter/ipset/ip_set_core.c (ip_set_create's name and
 * -exist checks, ip_set_destroy/rename/swap and their refusals while a set
 * is referenced, the first free index for a new set, ip_set_test/add/del
 * with the dimension check) and the generic parts of ip_set_hash_gen.h
 * (mtype_add's -exist update and maxelem, mtype_test_cidrs' longest
 * prefix first, the nomatch exception), ip_set_timeout.h and the counter
 * extension (ip_set_match_extensions: update, then compare).
 *
 * Design: slots in an array indexed as the kernel's ip_set_list (holes
 * after destroy are reused first); the texts of errors are ipset's, which
 * the command prefixes with "ipset v7.17: ". Time is the simulated clock.
 */
#include <errno.h>
#include <string.h>

#include "nat/core/nf_ns.h"
#include "nat/ipset/ip_set.h"

#define NSEC_PER_SEC 1000000000LL

struct ip_set_net {
	GPtrArray *sets;	/* struct ip_set *, by index; NULL holes */
};

static const struct ip_set_type *const ip_set_types[] = {
	&ip_set_hash_ip, &ip_set_hash_net, &ip_set_hash_ipport, &ip_set_hash_netport,
	&ip_set_hash_netiface, &ip_set_bitmap_port, &ip_set_list_set,
};

const struct ip_set_type *ip_set_type_find(const char *name)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(ip_set_types); i++)
		if (strcmp(ip_set_types[i]->name, name) == 0)
			return ip_set_types[i];
	return NULL;
}

static void ip_set_elem_clear(struct ip_set_elem *e)
{
	g_free(e->comment);
	e->comment = NULL;
	if (e->member)
		ip_set_put(e->member);
	e->member = NULL;
}

static void ip_set_body_flush(struct ip_set_body *b)
{
	for (unsigned i = 0; i < b->elems->len; i++)
		ip_set_elem_clear(&g_array_index(b->elems, struct ip_set_elem, i));
	g_array_set_size(b->elems, 0);
	b->ext_size = 0;
}

static void ip_set_body_free(struct ip_set_body *b)
{
	ip_set_body_flush(b);
	g_array_free(b->elems, TRUE);
	g_free(b);
}

void ip_set_net_init(struct nf_ns *ns)
{
	ns->ipset = g_new0(struct ip_set_net, 1);
	ns->ipset->sets = g_ptr_array_new();
}

/* Sets are freed in reverse index order after their users (the list:set
 * sets release their members as they go). */
void ip_set_net_exit(struct nf_ns *ns)
{
	struct ip_set_net *sn = ns->ipset;
	if (!sn)
		return;
	for (unsigned i = 0; i < sn->sets->len; i++) {
		struct ip_set *s = sn->sets->pdata[i];
		if (s)
			ip_set_body_flush(s->b);
	}
	for (unsigned i = 0; i < sn->sets->len; i++) {
		struct ip_set *s = sn->sets->pdata[i];
		if (s) {
			ip_set_body_free(s->b);
			g_free(s);
		}
	}
	g_ptr_array_free(sn->sets, TRUE);
	g_free(sn);
	ns->ipset = NULL;
}

GPtrArray *ip_set_all(struct nf_ns *ns)
{
	return ns->ipset->sets;
}

struct ip_set *ip_set_lookup(struct nf_ns *ns, const char *name)
{
	if (!ns->ipset)
		return NULL;
	GPtrArray *a = ns->ipset->sets;
	for (unsigned i = 0; i < a->len; i++) {
		struct ip_set *s = a->pdata[i];
		if (s && strcmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

void ip_set_get(struct ip_set *set)
{
	set->ref++;
}

void ip_set_put(struct ip_set *set)
{
	if (set->ref)
		set->ref--;
}

static int ip_set_nosuch(GString *err)
{
	g_string_assign(err, "The set with the given name does not exist");
	return 1;
}

/* ip_set_create: an existing name is an error unless -exist and the same
 * type and options (the kernel's "compatible" check) */
int ip_set_create(struct nf_ns *ns, const char *name, const struct ip_set_type *t,
		  const struct ip_set_create_opts *o, bool exist, GString *err)
{
	struct ip_set *old = ip_set_lookup(ns, name);
	if (old) {
		if (exist && old->b->type == t && memcmp(&old->b->o, o, sizeof(*o)) == 0)
			return 0;
		g_string_assign(err, "Set cannot be created: set with the same name already exists");
		return 1;
	}
	GPtrArray *a = ns->ipset->sets;
	unsigned idx = 0;
	while (idx < a->len && a->pdata[idx])
		idx++;
	struct ip_set *s = g_new0(struct ip_set, 1);
	g_strlcpy(s->name, name, sizeof(s->name));
	s->index = idx;
	s->b = g_new0(struct ip_set_body, 1);
	s->b->type = t;
	s->b->o = *o;
	/* the hash's initval: get_random_u32() at create, from the run's generator */
	if (t->hash && o->has_initval)
		s->b->initval = o->initval;
	else if (t->hash)
		s->b->initval = ns->env.random_u32 ? ns->env.random_u32(ns->env.ctx) : 0;
	s->b->elems = g_array_new(FALSE, TRUE, sizeof(struct ip_set_elem));
	if (idx == a->len)
		g_ptr_array_add(a, s);
	else
		a->pdata[idx] = s;
	return 0;
}

static void ip_set_free_slot(struct nf_ns *ns, struct ip_set *s)
{
	ns->ipset->sets->pdata[s->index] = NULL;
	ip_set_body_free(s->b);
	g_free(s);
}

/* ip_set_destroy: one set, or all (name NULL) when none is referenced */
int ip_set_destroy(struct nf_ns *ns, const char *name, GString *err)
{
	GPtrArray *a = ns->ipset->sets;
	if (name) {
		struct ip_set *s = ip_set_lookup(ns, name);
		if (!s)
			return ip_set_nosuch(err);
		if (s->ref) {
			g_string_assign(err, "Set cannot be destroyed: it is in use by a kernel component");
			return 1;
		}
		ip_set_free_slot(ns, s);
		return 0;
	}
	for (unsigned i = 0; i < a->len; i++) {
		struct ip_set *s = a->pdata[i];
		if (s && s->ref) {
			g_string_assign(err, "Set cannot be destroyed: it is in use by a kernel component");
			return 1;
		}
	}
	/* list:set sets first release their members */
	for (unsigned i = 0; i < a->len; i++)
		if (a->pdata[i])
			ip_set_body_flush(((struct ip_set *)a->pdata[i])->b);
	for (unsigned i = 0; i < a->len; i++)
		if (a->pdata[i])
			ip_set_free_slot(ns, a->pdata[i]);
	g_ptr_array_set_size(a, 0);
	return 0;
}

int ip_set_flush(struct nf_ns *ns, const char *name, GString *err)
{
	GPtrArray *a = ns->ipset->sets;
	if (name) {
		struct ip_set *s = ip_set_lookup(ns, name);
		if (!s)
			return ip_set_nosuch(err);
		ip_set_body_flush(s->b);
		return 0;
	}
	for (unsigned i = 0; i < a->len; i++)
		if (a->pdata[i])
			ip_set_body_flush(((struct ip_set *)a->pdata[i])->b);
	return 0;
}

int ip_set_rename(struct nf_ns *ns, const char *from, const char *to, GString *err)
{
	struct ip_set *s = ip_set_lookup(ns, from);
	if (!s)
		return ip_set_nosuch(err);
	if (s->ref) {
		g_string_assign(err, "Set cannot be renamed: it is in use by another system");
		return 1;
	}
	if (ip_set_lookup(ns, to)) {
		g_string_assign(err, "Set cannot be renamed: a set with the new name already exists");
		return 1;
	}
	g_strlcpy(s->name, to, sizeof(s->name));
	return 0;
}

/* ip_set_swap: the bodies change places; names and references stay with
 * the index, so rules now see the other set's contents */
int ip_set_swap(struct nf_ns *ns, const char *from, const char *to, GString *err)
{
	struct ip_set *a = ip_set_lookup(ns, from);
	if (!a)
		return ip_set_nosuch(err);
	struct ip_set *b = ip_set_lookup(ns, to);
	if (!b) {
		g_string_assign(err, "Sets cannot be swapped: the second set does not exist");
		return 1;
	}
	if (a->b->type != b->b->type) {
		g_string_assign(err, "The sets cannot be swapped: their type does not match");
		return 1;
	}
	if (a->b->o.inet6 != b->b->o.inet6) {
		g_string_assign(err, "The sets cannot be swapped: their family does not match");
		return 1;
	}
	struct ip_set_body *t = a->b;
	a->b = b->b;
	b->b = t;
	return 0;
}

/* ----- elements ----- */

static bool ip_set_key_equal(const struct ip_set_elem *a, const struct ip_set_elem *b)
{
	return a->ip == b->ip && a->cidr == b->cidr && a->proto == b->proto && a->port == b->port &&
	       a->physdev == b->physdev && strcmp(a->iface, b->iface) == 0 && a->member == b->member;
}

/* ip_set_timeout_expired: past its time (jiffies after the stamp) */
static bool ip_set_expired(const struct ip_set_elem *e, nf_time now)
{
	return e->expires && now > e->expires;
}

void ip_set_expire(struct ip_set *set, nf_time now)
{
	GArray *a = set->b->elems;
	for (unsigned i = 0; i < a->len;) {
		struct ip_set_elem *e = &g_array_index(a, struct ip_set_elem, i);
		if (ip_set_expired(e, now)) {
			if (e->comment)
				set->b->ext_size -= 16 + strlen(e->comment) + 1;
			ip_set_elem_clear(e);
			g_array_remove_index(a, i);
		} else {
			i++;
		}
	}
}

uint32_t ip_set_timeout_left(nf_time expires, nf_time now)
{
	int64_t ms = (expires - now) / 1000000;
	uint32_t t = (uint32_t)(ms / 1000);
	return t == 0 ? 1 : t;
}

int ip_set_find(const struct ip_set *set, const struct ip_set_elem *e)
{
	GArray *a = set->b->elems;
	for (unsigned i = 0; i < a->len; i++)
		if (ip_set_key_equal(&g_array_index(a, struct ip_set_elem, i), e))
			return (int)i;
	return -1;
}

static uint32_t ip_set_netmask(uint8_t cidr)
{
	return cidr ? 0xffffffffu << (32 - cidr) : 0;
}

/* mtype_test_cidrs: the prefixes the set holds, longest first */
int ip_set_elem_lookup(const struct ip_set *set, const struct ip_set_elem *e)
{
	if (!set->b->type->nets || e->cidr != 32)
		return ip_set_find(set, e);
	GArray *a = set->b->elems;
	int best = -1;
	for (unsigned i = 0; i < a->len; i++) {
		const struct ip_set_elem *x = &g_array_index(a, struct ip_set_elem, i);
		if ((e->ip & ip_set_netmask(x->cidr)) != x->ip || x->proto != e->proto ||
		    x->port != e->port || strcmp(x->iface, e->iface) || x->physdev != e->physdev)
			continue;
		if (best < 0 || x->cidr > g_array_index(a, struct ip_set_elem, best).cidr)
			best = (int)i;
	}
	return best;
}

static void ip_set_comment_set(struct ip_set *set, struct ip_set_elem *dst, const char *c)
{
	if (dst->comment)
		set->b->ext_size -= 16 + strlen(dst->comment) + 1;
	g_free(dst->comment);
	dst->comment = c ? g_strdup(c) : NULL;
	if (c)
		set->b->ext_size += 16 + strlen(c) + 1;
}

/* mtype_add: an existing element is refused unless `exist`, which
 * refreshes its extensions; a full set refuses new ones. e->expires
 * holds the timeout in seconds here (UINT32_MAX: the set's default). */
int ip_set_elem_add(struct ip_set *set, const struct ip_set_elem *e, bool exist, nf_time now)
{
	struct ip_set_body *b = set->b;
	ip_set_expire(set, now);
	nf_time expires = 0;
	if (b->o.has_timeout) {
		uint64_t secs = e->expires == UINT32_MAX ? b->o.timeout : (uint64_t)e->expires;
		expires = secs ? now + (nf_time)secs * NSEC_PER_SEC : 0;
	}
	int i = ip_set_find(set, e);
	if (i >= 0) {
		if (!exist)
			return -EEXIST;
		struct ip_set_elem *x = &g_array_index(b->elems, struct ip_set_elem, i);
		x->expires = expires;
		x->nomatch = e->nomatch;
		if (b->o.counters) {
			x->packets = e->packets;
			x->bytes = e->bytes;
		}
		if (b->o.comment)
			ip_set_comment_set(set, x, e->comment);
		return 0;
	}
	uint32_t max = b->type->hash ? b->o.maxelem : b->type->list ? b->o.size : UINT32_MAX;
	if (b->elems->len >= max)
		return -ERANGE;
	struct ip_set_elem n = *e;
	n.expires = expires;
	n.comment = NULL;
	if (!b->o.counters)
		n.packets = n.bytes = 0;
	if (n.member)
		ip_set_get(n.member);
	g_array_append_val(b->elems, n);
	if (b->o.comment && e->comment)
		ip_set_comment_set(set, &g_array_index(b->elems, struct ip_set_elem, b->elems->len - 1),
				   e->comment);
	return 0;
}

int ip_set_elem_del(struct ip_set *set, const struct ip_set_elem *e)
{
	int i = ip_set_find(set, e);
	if (i < 0)
		return -ENOENT;
	struct ip_set_elem *x = &g_array_index(set->b->elems, struct ip_set_elem, i);
	ip_set_comment_set(set, x, NULL);
	ip_set_elem_clear(x);
	g_array_remove_index(set->b->elems, (unsigned)i);
	return 0;
}

size_t ip_set_dsize(const struct ip_set *set, size_t len)
{
	const struct ip_set_create_opts *o = &set->b->o;
	if (!o->has_timeout && !o->counters && !o->comment)
		return len;
	return ((len + 7) & ~(size_t)7) + (o->has_timeout ? 8 : 0) + (o->counters ? 16 : 0) +
	       (o->comment ? 8 : 0);
}

/* ----- the kernel side (ip_set_test, ip_set_add, ip_set_del) ----- */

static bool ip_set_counter_match(uint64_t v, enum ip_set_counter_op op, uint64_t want)
{
	switch (op) {
	case IPSET_CNT_EQ: return v == want;
	case IPSET_CNT_NE: return v != want;
	case IPSET_CNT_LT: return v < want;
	case IPSET_CNT_GT: return v > want;
	default: return true;
	}
}

/* The packet can be looked up: enough dimensions, an IPv4 set. */
static bool ip_set_usable(const struct ip_set *set, const struct ip_set_adt_opt *opt)
{
	return opt->dim >= set->b->type->dimension && !set->b->o.inet6;
}

bool ip_set_test(struct ip_set *set, const struct ip_set_pkt *p, const struct ip_set_adt_opt *opt)
{
	struct ip_set_body *b = set->b;
	if (b->type->list) {
		/* list_set_ktest: the members in order, the first hit wins */
		ip_set_expire(set, p->now);
		struct ip_set_adt_opt sub = *opt;
		if (opt->flags & IPSET_F_SKIP_SUBCOUNTER)
			sub.flags |= IPSET_F_SKIP_COUNTER;
		for (unsigned i = 0; i < b->elems->len; i++) {
			struct ip_set_elem *x = &g_array_index(b->elems, struct ip_set_elem, i);
			if (ip_set_test(x->member, p, &sub)) {
				if (b->o.counters && !(opt->flags & IPSET_F_SKIP_COUNTER)) {
					x->packets++;
					x->bytes += p->len;
				}
				return true;
			}
		}
		return false;
	}
	if (!ip_set_usable(set, opt))
		return false;
	struct ip_set_elem e = { 0 };
	if (!b->type->kadt(set, p, opt, &e))
		return false;
	ip_set_expire(set, p->now);
	int i = ip_set_elem_lookup(set, &e);
	if (i < 0)
		return false;
	struct ip_set_elem *x = &g_array_index(b->elems, struct ip_set_elem, i);
	/* ip_set_match_extensions: the counters count and are compared
	 * first, a nomatch element's too */
	if (b->o.counters) {
		if (!(opt->flags & IPSET_F_SKIP_COUNTER)) {
			x->packets++;
			x->bytes += p->len;
		}
		if ((opt->flags & IPSET_F_MATCH_COUNTERS) &&
		    !(ip_set_counter_match(x->packets, opt->packets_op, opt->packets) &&
		      ip_set_counter_match(x->bytes, opt->bytes_op, opt->bytes)))
			return false;
	}
	/* mtype_do_data_match: a nomatch element answers "no" (-ENOTEMPTY);
	 * ip_set_test's --return-nomatch turns both answers round for a type
	 * with nomatch elements */
	bool hit = !x->nomatch;
	if ((opt->flags & IPSET_F_RETURN_NOMATCH) && b->type->nets)
		return !hit;
	return hit;
}

void ip_set_add(struct ip_set *set, const struct ip_set_pkt *p, const struct ip_set_adt_opt *opt)
{
	struct ip_set_body *b = set->b;
	if (b->type->list) {
		/* list_set_kadd: the first member that takes it */
		for (unsigned i = 0; i < b->elems->len; i++) {
			struct ip_set *m = g_array_index(b->elems, struct ip_set_elem, i).member;
			unsigned before = m->b->elems->len;
			ip_set_add(m, p, opt);
			if (m->b->elems->len != before)
				return;
		}
		return;
	}
	if (!ip_set_usable(set, opt))
		return;
	struct ip_set_elem e = { 0 };
	if (!b->type->kadt(set, p, opt, &e))
		return;
	/* IP_SET_INIT_KEXT: the packet is the element's first count, also
	 * when --exist overwrites an element's extensions */
	e.expires = opt->timeout;
	e.packets = 1;
	e.bytes = p->len;
	ip_set_elem_add(set, &e, (opt->flags & IPSET_F_EXIST) != 0, p->now);
}

void ip_set_del(struct ip_set *set, const struct ip_set_pkt *p, const struct ip_set_adt_opt *opt)
{
	struct ip_set_body *b = set->b;
	if (b->type->list) {
		for (unsigned i = 0; i < b->elems->len; i++)
			ip_set_del(g_array_index(b->elems, struct ip_set_elem, i).member, p, opt);
		return;
	}
	if (!ip_set_usable(set, opt))
		return;
	struct ip_set_elem e = { 0 };
	if (b->type->kadt(set, p, opt, &e)) {
		ip_set_expire(set, p->now);
		ip_set_elem_del(set, &e);
	}
}
