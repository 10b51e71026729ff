/* xt_set.c - `-m set`: is the packet's address (port, interface) in an
 * ipset set.
 *
 * Mirrors libxt_set.c revision 4 (--match-set NAME src|dst[,...] with
 * its "requires two args" and "src/dst" refusals, --return-nomatch,
 * ! --update-counters, ! --update-subcounters, --packets-eq/lt/gt and
 * --bytes-eq/lt/gt, the name looked up when the rule is made: "Set NAME
 * doesn't exist.", its -L and -S texts) and the kernel's xt_set.c
 * set_match_v4 over ip_set_test (nat/ipset/ip_set_core.c).
 *
 * Design: the rule holds the set's slot and a reference on it (the
 * kernel's index and ip_set_get_byindex), taken when the rule is bound to
 * the namespace (xt_ops.bind) and by each copy, dropped by each free; so
 * `ipset destroy` refuses a set a rule names, and a swap is seen at once.
 * The helpers shared with -j SET (xt_SET.c) are here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nat/ipset/ip_set.h"
#include "nat/iptables/xt.h"

#define IPSET_DIM_MAX 6

struct xt_set_info_match {
	struct xt_set_ref ref;
	bool invert;
	unsigned flags;		/* IPSET_F_RETURN_NOMATCH, _SKIP_COUNTER, _SKIP_SUBCOUNTER */
	enum ip_set_counter_op packets_op, bytes_op;
	uint64_t packets, bytes;
};

enum {
	O_MATCH_SET, O_RETURN_NOMATCH, O_UPDATE_COUNTERS, O_UPDATE_SUBCOUNTERS,
	O_PACKETS_EQ, O_PACKETS_LT, O_PACKETS_GT, O_BYTES_EQ, O_BYTES_LT, O_BYTES_GT,
};

static const struct xt_option set_opts[] = {
	{ "match-set", 1, O_MATCH_SET }, { "return-nomatch", 0, O_RETURN_NOMATCH },
	{ "update-counters", 0, O_UPDATE_COUNTERS }, { "update-subcounters", 0, O_UPDATE_SUBCOUNTERS },
	{ "packets-eq", 1, O_PACKETS_EQ }, { "packets-lt", 1, O_PACKETS_LT },
	{ "packets-gt", 1, O_PACKETS_GT }, { "bytes-eq", 1, O_BYTES_EQ }, { "bytes-lt", 1, O_BYTES_LT },
	{ "bytes-gt", 1, O_BYTES_GT }, { "set", 1, XT_OPT_UNIMPL },
	{ NULL, 0, 0 },
};

/* --match-set / --add-set NAME FLAGS: the name, then the dimensions in
 * the next word (libxt_set's parse_dirs and its messages) */
int xt_set_parse_ref(struct xt_parse *p, const char *opt, const char *name, struct xt_set_ref *r)
{
	if (*p->next >= p->argc || p->argv[*p->next][0] == '-' || p->argv[*p->next][0] == '!')
		return xt_err(p, "--%s requires two args.", opt);
	if (strlen(name) > IPSET_MAXNAMELEN - 1)
		return xt_err(p, "setname `%s' too long, max %d characters.", name, IPSET_MAXNAMELEN - 1);
	const char *dirs = p->argv[(*p->next)++];
	g_strlcpy(r->name, name, sizeof(r->name));
	r->dim = 0;
	r->src = 0;
	gchar **parts = g_strsplit(dirs, ",", -1);
	int rc = 0;
	for (unsigned i = 0; parts[i]; i++) {
		if (r->dim >= IPSET_DIM_MAX) {
			rc = xt_err(p, "Can't be more src/dst options than %i.", IPSET_DIM_MAX);
			break;
		}
		if (strcmp(parts[i], "src") == 0)
			r->src |= 1u << r->dim;
		else if (strcmp(parts[i], "dst") != 0) {
			rc = xt_err(p, "You must spefify (the comma separated list of) 'src' or 'dst'.");
			break;
		}
		r->dim++;
	}
	g_strfreev(parts);
	return rc;
}

/* get_set_byname when the rule is made: the slot, with a reference */
int xt_set_bind_ref(struct nf_ns *ns, struct xt_set_ref *r, GString *msg)
{
	if (!r->name[0] || r->set)
		return 0;
	r->set = ip_set_lookup(ns, r->name);
	if (!r->set) {
		g_string_printf(msg, "Set %s doesn't exist.\n", r->name);
		return 2;
	}
	ip_set_get(r->set);
	return 0;
}

void xt_set_ref_copy(struct xt_set_ref *r)
{
	if (r->set)
		ip_set_get(r->set);
}

void xt_set_ref_put(struct xt_set_ref *r)
{
	if (r->set)
		ip_set_put(r->set);
	r->set = NULL;
}

/* print_match / print_target: " PREFIX NAME src,dst" (the slot's name) */
void xt_set_print_ref(GString *o, const char *prefix, const struct xt_set_ref *r)
{
	g_string_append_printf(o, " %s %s", prefix, r->set ? r->set->name : r->name);
	for (unsigned i = 0; i < r->dim; i++)
		g_string_append_printf(o, "%s%s", i ? "," : " ", (r->src & (1u << i)) ? "src" : "dst");
}

void xt_set_pkt(const struct xt_action_param *par, struct ip_set_pkt *p)
{
	*p = (struct ip_set_pkt){ .src = par->pkt->src, .dst = par->pkt->dst, .len = par->pkt->len,
				  .frag = par->pkt->frag, .proto = par->pkt->proto,
				  .l4 = par->pkt->l4, .l4len = par->pkt->l4len, .in = par->in,
				  .out = par->out, .now = par->now };
}

static int set_counter(struct xt_parse *p, const char *arg, const char *opt, uint64_t *v)
{
	char *end;
	if (!*arg || arg[0] == '-')
		return xt_err(p, "Cannot parse %s as a number", arg);
	unsigned long long x = strtoull(arg, &end, 10);
	if (*end)
		return xt_err(p, "Cannot parse %s as a number for --%s", arg, opt);
	*v = x;
	return 0;
}

static int set_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_set_info_match *info = data;
	switch (id) {
	case O_MATCH_SET:
		if (info->ref.name[0])
			return xt_err(p, "--match-set can be specified only once");
		info->invert = p->invert;
		return xt_set_parse_ref(p, "match-set", arg, &info->ref);
	case O_RETURN_NOMATCH:
		info->flags |= IPSET_F_RETURN_NOMATCH;
		return 0;
	case O_UPDATE_COUNTERS:
		if (p->invert)
			info->flags |= IPSET_F_SKIP_COUNTER;
		return 0;
	case O_UPDATE_SUBCOUNTERS:
		if (p->invert)
			info->flags |= IPSET_F_SKIP_SUBCOUNTER;
		return 0;
	case O_PACKETS_EQ: case O_PACKETS_LT: case O_PACKETS_GT:
		if (info->packets_op != IPSET_CNT_NONE)
			return xt_err(p, "only one of the --packets-[eq|lt|gt] is allowed");
		info->packets_op = id == O_PACKETS_EQ ? (p->invert ? IPSET_CNT_NE : IPSET_CNT_EQ)
				   : id == O_PACKETS_LT ? IPSET_CNT_LT : IPSET_CNT_GT;
		return set_counter(p, arg, set_opts[id].name, &info->packets);
	default:
		if (info->bytes_op != IPSET_CNT_NONE)
			return xt_err(p, "only one of the --bytes-[eq|lt|gt] is allowed");
		info->bytes_op = id == O_BYTES_EQ ? (p->invert ? IPSET_CNT_NE : IPSET_CNT_EQ)
				 : id == O_BYTES_LT ? IPSET_CNT_LT : IPSET_CNT_GT;
		return set_counter(p, arg, set_opts[id].name, &info->bytes);
	}
}

static int set_final_check(struct xt_parse *p, const void *data)
{
	const struct xt_set_info_match *info = data;
	if (!info->ref.name[0])
		return xt_err(p, "You must specify `--match-set' with proper arguments");
	return 0;
}

static void set_print_counter(GString *o, enum ip_set_counter_op op, uint64_t v, const char *name,
			      const char *sep)
{
	static const char *const ops[] = { "", "eq", "eq", "lt", "gt" };
	if (op == IPSET_CNT_NONE)
		return;
	g_string_append_printf(o, " %s%s%s-%s %" G_GUINT64_FORMAT, op == IPSET_CNT_NE ? "! " : "", sep,
			       name, ops[op], v);
}

static void set_print_common(GString *o, const struct xt_set_info_match *info, const char *sep)
{
	if (info->invert)
		g_string_append(o, " !");
	GString *pre = g_string_new(sep);
	g_string_append(pre, "match-set");
	xt_set_print_ref(o, pre->str, &info->ref);
	g_string_free(pre, TRUE);
	if (info->flags & IPSET_F_RETURN_NOMATCH)
		g_string_append_printf(o, " %sreturn-nomatch", sep);
	if (info->flags & IPSET_F_SKIP_COUNTER)
		g_string_append_printf(o, " ! %supdate-counters", sep);
	if (info->flags & IPSET_F_SKIP_SUBCOUNTER)
		g_string_append_printf(o, " ! %supdate-subcounters", sep);
	set_print_counter(o, info->packets_op, info->packets, "packets", sep);
	set_print_counter(o, info->bytes_op, info->bytes, "bytes", sep);
}

static void set_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	(void)proto;
	(void)numeric;
	set_print_common(o, data, "");
}

static void set_save(GString *o, const void *data)
{
	set_print_common(o, data, "--");
}

static int set_bind(struct nf_ns *ns, void *data, GString *msg)
{
	return xt_set_bind_ref(ns, &((struct xt_set_info_match *)data)->ref, msg);
}

static void set_copy(void *dst, const void *src)
{
	(void)src;
	xt_set_ref_copy(&((struct xt_set_info_match *)dst)->ref);
}

static void set_destroy(void *data)
{
	xt_set_ref_put(&((struct xt_set_info_match *)data)->ref);
}

/* set_match_v4: ip_set_test, inverted by `!` */
static bool set_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_set_info_match *info = data;
	if (!info->ref.set)
		return info->invert;
	struct ip_set_pkt p;
	xt_set_pkt(par, &p);
	struct ip_set_adt_opt opt = { .dim = info->ref.dim, .flags = info->ref.src | info->flags,
				      .timeout = UINT32_MAX, .packets_op = info->packets_op,
				      .bytes_op = info->bytes_op, .packets = info->packets,
				      .bytes = info->bytes };
	if (info->packets_op != IPSET_CNT_NONE || info->bytes_op != IPSET_CNT_NONE)
		opt.flags |= IPSET_F_MATCH_COUNTERS;
	return ip_set_test(info->ref.set, &p, &opt) != info->invert;
}

const struct xt_ops xt_set_ops = {
	.name = "set", .kind = XT_MATCH, .size = sizeof(struct xt_set_info_match),
	.no_xlate = true,	/* iptables 1.8.9 has no xlate for it */
	.opts = set_opts, .parse = set_parse, .final_check = set_final_check,
	.print = set_print, .save = set_save, .bind = set_bind, .copy = set_copy,
	.destroy = set_destroy, .match = set_mt,
};
