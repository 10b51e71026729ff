/* iprule.c - `ip rule add|del|show|list|flush` (iproute2 6.1's iprule.c
 * subset) and the routing table names shared with `ip route ... table T`.
 *
 * Design: the words are parsed into a struct fib_rule and the set of fields
 * given (fib_nl_delrule matches only those); sim/inet/fib_rules.c keeps the
 * list and decides. Texts and exit statuses as observed with iproute2 6.1 on
 * Linux 6.18: 255 for bad usage, 1 for a bad prefix or a missing argument to
 * del, 2 where the kernel refused. Selectors and actions natsim lacks (not,
 * tos, goto, nat, realms, uidrange, ipproto, ports, suppress_*, the
 * unreachable/blackhole/prohibit types, table 0) say so in natsim's voice.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/shell/cmd.h"
#include "nat/nf.h"

enum { IPR_FAIL = 1, IPR_KERNEL = 2, IPR_USAGE = 255 };

static int ipr_fail(struct cmd_ctx *c, int status, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static int ipr_fail(struct cmd_ctx *c, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_string_append_vprintf(c->err, fmt, ap);
	va_end(ap);
	return status;
}

static bool ipr_matches(const char *word, const char *full)
{
	size_t l = strlen(word);
	return l > 0 && strncmp(word, full, l) == 0;
}

/* rtnl_rttable_a2n: rt_tables' names (Debian's: local, main, default,
 * unspec), else a number in C notation. */
bool ip_table_parse(const char *s, uint32_t *id)
{
	static const struct { const char *name; uint32_t id; } names[] = {
		{ "local", RT_TABLE_LOCAL }, { "main", RT_TABLE_MAIN },
		{ "default", RT_TABLE_DEFAULT }, { "unspec", 0 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (strcmp(s, names[i].name) == 0) {
			*id = names[i].id;
			return true;
		}
	char *end;
	unsigned long v = strtoul(s, &end, 0);
	if (!*s || *end || *s == '-' || v > 0xffffffffUL)
		return false;
	*id = (uint32_t)v;
	return true;
}

/* rtnl_rttable_n2a */
const char *ip_table_name(uint32_t id, char buf[12])
{
	switch (id) {
	case RT_TABLE_LOCAL: return "local";
	case RT_TABLE_MAIN: return "main";
	case RT_TABLE_DEFAULT: return "default";
	case 0: return "unspec";
	}
	snprintf(buf, 12, "%u", id);
	return buf;
}

static bool ipr_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long x = strtoul(s, &end, 0);
	if (!*s || *end || *s == '-' || x > 0xffffffffUL)
		return false;
	*v = (uint32_t)x;
	return true;
}

/* iprule_modify's words into a rule and the set of fields given. */
static int ipr_parse(struct cmd_ctx *c, int argc, char **argv, struct fib_rule *r,
		     unsigned *given)
{
	static const char *const lacks[] = {
		"not", "tos", "dsfield", "realms", "goto", "nat", "map-to",
		"suppress_prefixlength", "suppress_ifgroup", "uidrange", "ipproto", "sport",
		"dport", "l3mdev", "protocol", "proto", "flowid", "classid", NULL,
	};
	static const char *const types[] = {
		"unicast", "blackhole", "unreachable", "prohibit", "nat", NULL,
	};
	memset(r, 0, sizeof *r);
	*given = 0;
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		for (int k = 0; lacks[k]; k++)
			if (strcmp(w, lacks[k]) == 0)
				return natsim_unimpl(c->err, "ip rule %s", w);
		bool value = strcmp(w, "from") == 0 || strcmp(w, "to") == 0 ||
			     strcmp(w, "fwmark") == 0 || strcmp(w, "iif") == 0 ||
			     strcmp(w, "dev") == 0 || strcmp(w, "oif") == 0 ||
			     ipr_matches(w, "preference") || ipr_matches(w, "priority") ||
			     ipr_matches(w, "order") || strcmp(w, "table") == 0 ||
			     strcmp(w, "lookup") == 0;
		if (!value) {
			for (int k = 0; types[k]; k++)
				if (ipr_matches(w, types[k]))
					return natsim_unimpl(c->err, "ip rule type %s", types[k]);
			return ipr_fail(c, IPR_USAGE,
					"Error: argument \"%s\" is wrong: Failed to parse rule type", w);
		}
		if (++i >= argc)
			return ipr_fail(c, IPR_USAGE, "Command line is not complete. Try option \"help\"");
		const char *v = argv[i];
		if (strcmp(w, "from") == 0 || strcmp(w, "to") == 0) {
			uint32_t a = 0;
			unsigned len = 0;
			if (strcmp(v, "all") != 0 && !prefix_parse(v, &a, &len))
				return ipr_fail(c, IPR_FAIL,
						"Error: any valid prefix is expected rather than \"%s\".", v);
			if (w[0] == 'f') {
				r->src = a;
				r->src_len = (uint8_t)len;
				*given |= FIB_RULE_SRC;
			} else {
				r->dst = a;
				r->dst_len = (uint8_t)len;
				*given |= FIB_RULE_DST;
			}
		} else if (strcmp(w, "fwmark") == 0) {
			char *slash = strchr(v, '/');
			char *mark = g_strndup(v, slash ? (size_t)(slash - v) : strlen(v));
			bool ok = ipr_u32(mark, &r->mark);
			g_free(mark);
			if (!ok)
				return ipr_fail(c, IPR_USAGE,
						"Error: argument \"%s\" is wrong: fwmark value is invalid", v);
			r->mark_mask = 0xffffffffu;
			if (slash && !ipr_u32(slash + 1, &r->mark_mask))
				return ipr_fail(c, IPR_USAGE,
						"Error: argument \"%s\" is wrong: fwmask value is invalid",
						slash + 1);
			*given |= FIB_RULE_MARK;
		} else if (strcmp(w, "iif") == 0 || strcmp(w, "dev") == 0 || strcmp(w, "oif") == 0) {
			if (strlen(v) >= sizeof r->iif)
				return ipr_fail(c, IPR_USAGE,
						"Error: argument \"%s\" is wrong: \"%s\" not a valid ifname",
						v, w);
			g_strlcpy(w[0] == 'o' ? r->oif : r->iif, v, sizeof r->iif);
			*given |= w[0] == 'o' ? FIB_RULE_OIF : FIB_RULE_IIF;
		} else if (strcmp(w, "table") == 0 || strcmp(w, "lookup") == 0) {
			if (!ip_table_parse(v, &r->table))
				return ipr_fail(c, IPR_USAGE,
						"Error: argument \"%s\" is wrong: invalid table ID", v);
			if (r->table == 0)
				return natsim_unimpl(c->err, "ip rule table 0 (a new table's id)");
			*given |= FIB_RULE_TABLE;
		} else {
			if (!ipr_u32(v, &r->pref))
				return ipr_fail(c, IPR_USAGE,
						"Error: argument \"%s\" is wrong: preference value is invalid", v);
			*given |= FIB_RULE_PREF;
		}
	}
	return 0;
}

static int ipr_modify(struct cmd_ctx *c, int argc, char **argv, bool add)
{
	if (!add && argc == 0)
		return ipr_fail(c, IPR_FAIL, "\"ip rule del\" requires arguments.");
	struct fib_rule r;
	unsigned given;
	int rc = ipr_parse(c, argc, argv, &r, &given);
	if (rc)
		return rc;
	if (c->dry_run)
		return 0;
	if (add) {
		if (!(given & FIB_RULE_TABLE))
			r.table = RT_TABLE_MAIN;
		if (fib_rule_add(c->node, &r, given & FIB_RULE_PREF) < 0)
			return ipr_fail(c, IPR_KERNEL, "RTNETLINK answers: File exists");
		return 0;
	}
	if (fib_rule_del(c->node, &r, given) < 0)
		return ipr_fail(c, IPR_KERNEL, "RTNETLINK answers: No such file or directory");
	return 0;
}

static void ipr_prefix(GString *o, const char *word, uint32_t a, unsigned len)
{
	char t[16];
	nf_inet_ntop4(a, t);
	if (len == 32)
		g_string_append_printf(o, "%s %s ", word, t);
	else
		g_string_append_printf(o, "%s %s/%u ", word, t, len);
}

/* print_rule: "PRIO:\tfrom all [to P] [fwmark M[/MASK]] [iif D [detached]]
 * [oif D [detached]] lookup T" (the device is detached while the node has
 * no such device). */
static void ipr_line(struct cmd_ctx *c, const struct fib_rule *r)
{
	GString *o = c->out;
	g_string_append_printf(o, "%u:\t", r->pref);
	if (r->src_len || r->src)
		ipr_prefix(o, "from", r->src, r->src_len);
	else
		g_string_append(o, "from all ");
	if (r->dst_len || r->dst)
		ipr_prefix(o, "to", r->dst, r->dst_len);
	if (r->mark || r->mark_mask) {
		if (r->mark_mask == 0xffffffffu)
			g_string_append_printf(o, "fwmark %#x ", r->mark);
		else
			g_string_append_printf(o, "fwmark %#x/%#x ", r->mark, r->mark_mask);
	}
	const char *dev[2] = { r->iif, r->oif };
	for (int k = 0; k < 2; k++) {
		if (!dev[k][0])
			continue;
		bool there = strcmp(dev[k], "lo") == 0 || iface_find(c->node, dev[k]);
		g_string_append_printf(o, "%s %s %s", k ? "oif" : "iif", dev[k],
				       there ? "" : "[detached] ");
	}
	char b[12];
	g_string_append_printf(o, "lookup %s\n", ip_table_name(r->table, b));
}

static int ipr_show(struct cmd_ctx *c, int argc)
{
	if (argc > 0)
		return natsim_unimpl(c->err, "ip rule show with a selector");
	if (c->dry_run)
		return 0;
	static const struct fib_rule defaults[] = {
		{ .pref = 0, .table = RT_TABLE_LOCAL },
		{ .pref = 32766, .table = RT_TABLE_MAIN },
		{ .pref = 32767, .table = RT_TABLE_DEFAULT },
	};
	const struct fib_rules *fr = c->node->ipv4->rules;
	const struct fib_rule *rules = fr ? (const struct fib_rule *)(void *)fr->rules->data : defaults;
	unsigned n = fr ? fr->rules->len : G_N_ELEMENTS(defaults);
	for (unsigned i = 0; i < n; i++)
		ipr_line(c, &rules[i]);
	return 0;
}

int iprule_run(struct cmd_ctx *c, int argc, char **argv)
{
	if (argc == 0)
		return ipr_show(c, 0);
	const char *sub = argv[0];
	if (ipr_matches(sub, "add"))
		return ipr_modify(c, argc - 1, argv + 1, true);
	if (ipr_matches(sub, "delete"))
		return ipr_modify(c, argc - 1, argv + 1, false);
	if (ipr_matches(sub, "list") || ipr_matches(sub, "show") || ipr_matches(sub, "lst"))
		return ipr_show(c, argc - 1);
	if (ipr_matches(sub, "flush")) {
		if (argc > 1)
			return natsim_unimpl(c->err, "ip rule flush with a selector");
		if (!c->dry_run)
			fib_rules_flush(c->node);
		return 0;
	}
	if (ipr_matches(sub, "save") || ipr_matches(sub, "restore") || ipr_matches(sub, "help"))
		return natsim_unimpl(c->err, "ip rule %s", sub);
	return ipr_fail(c, IPR_USAGE, "Command \"%s\" is unknown, try \"ip rule help\".", sub);
}
