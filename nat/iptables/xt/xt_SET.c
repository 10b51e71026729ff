/* xt_SET.c - `-j SET`: add the packet's address (port, interface) to an
 * ipset set, or delete it, and go on.
 *
 * Mirrors libxt_SET.c revision 3 (--add-set NAME FLAGS, --del-set NAME
 * FLAGS, --exist, --timeout N; "You must specify either `--add-set' or
 * `--del-set' or `--map-set'"; -L and -S texts) and the kernel's xt_set.c
 * set_target_v3 (ip_set_add with the rule's timeout or the set's default,
 * ip_set_del; XT_CONTINUE). --map-set is not implemented.
 *
 * Design: as -m set, the rule holds references to the slots of its sets.
 */
#include <stdlib.h>
#include <string.h>

#include "nat/ipset/ip_set.h"
#include "nat/iptables/xt.h"

struct xt_set_info_target {
	struct xt_set_ref add, del;
	bool exist;
	uint32_t timeout;	/* UINT32_MAX: none given */
};

enum { O_ADD_SET, O_DEL_SET, O_EXIST, O_TIMEOUT };

static const struct xt_option SET_opts[] = {
	{ "add-set", 1, O_ADD_SET }, { "del-set", 1, O_DEL_SET }, { "exist", 0, O_EXIST },
	{ "timeout", 1, O_TIMEOUT }, { "map-set", 1, XT_OPT_UNIMPL },
	{ "map-mark", 0, XT_OPT_UNIMPL }, { "map-prio", 0, XT_OPT_UNIMPL },
	{ "map-queue", 0, XT_OPT_UNIMPL },
	{ NULL, 0, 0 },
};

static void SET_init(void *data)
{
	((struct xt_set_info_target *)data)->timeout = UINT32_MAX;
}

static int SET_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_set_info_target *info = data;
	switch (id) {
	case O_ADD_SET:
		return xt_set_parse_ref(p, "add-set", arg, &info->add);
	case O_DEL_SET:
		return xt_set_parse_ref(p, "del-set", arg, &info->del);
	case O_EXIST:
		info->exist = true;
		return 0;
	default: {
		unsigned long v;
		if (!xt_strtoul(arg, 0xfffffffeu, &v))
			return xt_err(p, "SET: bad value for option \"--timeout\", or out of range (0-4294967294).\n");
		info->timeout = (uint32_t)v;
		return 0;
	}
	}
}

static int SET_final_check(struct xt_parse *p, const void *data)
{
	const struct xt_set_info_target *info = data;
	if (!info->add.name[0] && !info->del.name[0])
		return xt_err(p, "You must specify either `--add-set' or `--del-set' or `--map-set'");
	return 0;
}

static void SET_print_common(GString *o, const struct xt_set_info_target *info, const char *sep)
{
	GString *pre = g_string_new(NULL);
	if (info->add.name[0]) {
		g_string_printf(pre, "%sadd-set", sep);
		xt_set_print_ref(o, pre->str, &info->add);
	}
	if (info->exist)
		g_string_append_printf(o, " %sexist", sep);
	if (info->timeout != UINT32_MAX)
		g_string_append_printf(o, " %stimeout %u", sep, info->timeout);
	if (info->del.name[0]) {
		g_string_printf(pre, "%sdel-set", sep);
		xt_set_print_ref(o, pre->str, &info->del);
	}
	g_string_free(pre, TRUE);
}

static void SET_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	(void)proto;
	(void)numeric;
	SET_print_common(o, data, "");
}

static void SET_save(GString *o, const void *data)
{
	SET_print_common(o, data, "--");
}

static int SET_bind(struct nf_ns *ns, void *data, GString *msg)
{
	struct xt_set_info_target *info = data;
	int rc = xt_set_bind_ref(ns, &info->add, msg);
	if (!rc)
		rc = xt_set_bind_ref(ns, &info->del, msg);
	return rc;
}

static void SET_copy(void *dst, const void *src)
{
	(void)src;
	struct xt_set_info_target *info = dst;
	xt_set_ref_copy(&info->add);
	xt_set_ref_copy(&info->del);
}

static void SET_destroy(void *data)
{
	struct xt_set_info_target *info = data;
	xt_set_ref_put(&info->add);
	xt_set_ref_put(&info->del);
}

/* set_target_v3 */
static unsigned SET_tg(struct xt_action_param *par, const void *data)
{
	const struct xt_set_info_target *info = data;
	struct ip_set_pkt p;
	xt_set_pkt(par, &p);
	if (info->add.set) {
		struct ip_set_adt_opt opt = { .dim = info->add.dim, .flags = info->add.src,
					      .timeout = info->timeout };
		if (info->exist)
			opt.flags |= IPSET_F_EXIST;
		/* the kernel's cap (IPSET_MAX_TIMEOUT) */
		if (opt.timeout != UINT32_MAX && opt.timeout > 2147483)
			opt.timeout = 2147483;
		ip_set_add(info->add.set, &p, &opt);
	}
	if (info->del.set) {
		struct ip_set_adt_opt opt = { .dim = info->del.dim, .flags = info->del.src,
					      .timeout = UINT32_MAX };
		ip_set_del(info->del.set, &p, &opt);
	}
	return XT_CONTINUE;
}

const struct xt_ops xt_SET_ops = {
	.name = "SET", .kind = XT_TARGET, .size = sizeof(struct xt_set_info_target),
	.no_xlate = true,	/* iptables 1.8.9 has no xlate for it */
	.opts = SET_opts, .init = SET_init, .parse = SET_parse, .final_check = SET_final_check,
	.print = SET_print, .save = SET_save, .bind = SET_bind, .copy = SET_copy,
	.destroy = SET_destroy, .target = SET_tg, .verdict = IPT_T_EXT,
};
