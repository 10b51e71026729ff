/* ipcmd.c - the `ip` command (iproute2 6.1 subset): addr, route, link
 * (rule: iprule.c).
 *
 * Design: one parser per object, each in two phases: parse and validate the
 * words (all a dry run does: syntax and the static device names), then
 * apply the change with the kernel's checks and messages, as observed on
 * Linux 6.18 with iproute2 6.1. Output copies iproute2's layout, trailing
 * spaces included. natsim nodes have no IPv6, so no inet6 lines are shown
 * (as on a machine with IPv6 disabled). Exit statuses are iproute2's: 255
 * where it calls exit(-1) on bad usage, 1 where a command gives up itself,
 * 2 where the kernel refused the netlink request.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/shell/cmd.h"
#include "nat/nf.h"
#include "sim/sock/sock.h"

static inline uint32_t ipc_mask(unsigned plen)
{
	return plen ? 0xffffffffu << (32 - plen) : 0;
}

/* iproute2's matches(): `word` is a non-empty prefix of `full`. */
static bool ipc_matches(const char *word, const char *full)
{
	size_t l = strlen(word);
	return l > 0 && strncmp(word, full, l) == 0;
}

static void ipc_addr(uint32_t a, char buf[16])
{
	nf_inet_ntop4(a, buf);
}

/* iproute2's exit statuses: usage errors exit(-1) (invarg, duparg,
 * incomplete_command), a command's own `return -1` becomes 1, a refused
 * netlink request (rtnl_talk) 2. */
enum { IPC_FAIL = 1, IPC_KERNEL = 2, IPC_USAGE = 255 };

static int ipc_fail(struct cmd_ctx *c, int status, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static int ipc_fail(struct cmd_ctx *c, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_string_append_vprintf(c->err, fmt, ap);
	va_end(ap);
	return status; /* no trailing newline: the runner ends the line */
}

/* A verb natsim does not have: natsim's voice if iproute2 6.1 has it (its
 * do_ipaddr/do_iplink/do_iproute verbs), else ip's own error. */
static int ipc_unknown_verb(struct cmd_ctx *c, const char *obj, const char *sub)
{
	static const struct { const char *obj, *verbs[16]; } real[] = {
		{ "address", { "change", "chg", "replace", "flush", "save", "restore", "showdump",
			       "help", NULL } },
		{ "link", { "add", "replace", "delete", "xstats", "afstats", "property", "help",
			    NULL } },
		{ "route", { "change", "chg", "prepend", "append", "test", "flush", "save",
			     "restore", "showdump", "help", NULL } },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(real); i++) {
		if (strcmp(real[i].obj, obj) != 0)
			continue;
		for (int k = 0; real[i].verbs[k]; k++)
			if (ipc_matches(sub, real[i].verbs[k]))
				return natsim_unimpl(c->err, "ip %s %s", obj, real[i].verbs[k]);
	}
	return ipc_fail(c, IPC_USAGE, "Command \"%s\" is unknown, try \"ip %s help\".", sub, obj);
}

/* The device named `name`: an interface, or lo (created on first use
 * unless this is a dry run, where *exists alone is answered). */
static struct iface *ipc_dev(struct cmd_ctx *c, const char *name, bool *exists)
{
	if (strcmp(name, "lo") == 0) {
		*exists = true;
		return c->dry_run ? c->node->ipv4->lo : ip_lo(c->node);
	}
	struct iface *ifc = iface_find(c->node, name);
	*exists = ifc != NULL;
	return ifc;
}

static bool ipc_is_secondary(const struct iface *ifc, unsigned k)
{
	uint32_t m = ipc_mask(ifc->addrs[k].plen);
	for (unsigned j = 0; j < k; j++)
		if (ifc->addrs[j].plen == ifc->addrs[k].plen &&
		    (ifc->addrs[j].addr & m) == (ifc->addrs[k].addr & m))
			return true;
	return false;
}

/* ----- ip link / ip addr show ----- */

/* iproute2's group name: "default" for 0 (/etc/iproute2/group), else the
 * number. */
static const char *ipc_group(const struct iface *ifc, char buf[16])
{
	if (!ifc->group)
		return "default";
	snprintf(buf, 16, "%u", ifc->group);
	return buf;
}

static void ipc_link_line(struct cmd_ctx *c, const struct iface *ifc, unsigned index,
			  bool link_mode)
{
	GString *o = c->out;
	char g[16];
	if (ifc == c->node->ipv4->lo) {
		g_string_append_printf(o, "%u: lo: <LOOPBACK%s> mtu %u qdisc noqueue state %s%s "
				       "group %s qlen 1000\n",
				       index, ifc->up ? ",UP,LOWER_UP" : "", ifc->mtu,
				       ifc->up ? "UNKNOWN" : "DOWN", link_mode ? " mode DEFAULT" : "",
				       ipc_group(ifc, g));
		return;
	}
	const char *flags, *state;
	if (!ifc->up) {
		flags = "BROADCAST,MULTICAST";
		state = "DOWN";
	} else if (!ifc->link) {
		flags = "NO-CARRIER,BROADCAST,MULTICAST,UP";
		state = "DOWN";
	} else {
		flags = "BROADCAST,MULTICAST,UP,LOWER_UP";
		state = "UP";
	}
	g_string_append_printf(o, "%u: %s: <%s> mtu %u qdisc pfifo_fast state %s%s group %s "
			       "qlen %u\n",
			       index, ifc->name, flags, ifc->mtu, state,
			       link_mode ? " mode DEFAULT" : "", ipc_group(ifc, g),
			       ifc->link ? ifc->link->queue_limit : 1000);
}

static void ipc_ether_line(struct cmd_ctx *c, const struct iface *ifc)
{
	if (ifc == c->node->ipv4->lo) {
		g_string_append(c->out, "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n");
		return;
	}
	const uint8_t *m = ifc->mac.b;
	g_string_append_printf(c->out,
			       "    link/ether %02x:%02x:%02x:%02x:%02x:%02x brd ff:ff:ff:ff:ff:ff\n",
			       m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void ipc_inet_lines(struct cmd_ctx *c, const struct iface *ifc)
{
	for (unsigned k = 0; k < ifc->naddrs; k++) {
		char a[16];
		ipc_addr(ifc->addrs[k].addr, a);
		bool host = ifc == c->node->ipv4->lo && (ifc->addrs[k].addr >> 24) == 127;
		g_string_append_printf(c->out, "    inet %s/%u scope %s %s%s\n"
				       "       valid_lft forever preferred_lft forever\n",
				       a, ifc->addrs[k].plen, host ? "host" : "global",
				       ipc_is_secondary(ifc, k) ? "secondary " : "", ifc->name);
	}
}

/* All devices in index order: lo (1), then the interfaces (2, 3, ...). */
static unsigned ipc_ndevs(struct cmd_ctx *c)
{
	return 1 + c->node->ifaces->len;
}

static const struct iface *ipc_dev_at(struct cmd_ctx *c, unsigned i)
{
	return i == 0 ? ip_lo(c->node) : g_ptr_array_index(c->node->ifaces, i - 1);
}

/* `ip [-4] addr show [dev] [IF]` / `ip link show [dev] [IF]` */
static int ipc_show_devs(struct cmd_ctx *c, int argc, char **argv, bool link_mode, bool only4)
{
	const char *want = NULL;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "dev") == 0) {
			if (++i >= argc)
				return ipc_fail(c, IPC_USAGE, "Command line is not complete. Try option \"help\"");
			want = argv[i];
		} else if (!want) {
			want = argv[i];
		} else {
			return ipc_fail(c, IPC_USAGE, "Error: either \"dev\" is duplicate, or \"%s\" is a garbage.",
					argv[i]);
		}
	}
	bool exists = true;
	if (want)
		ipc_dev(c, want, &exists);
	if (!exists)
		return ipc_fail(c, IPC_FAIL, "Device \"%s\" does not exist.", want);
	if (c->dry_run)
		return 0;
	for (unsigned i = 0; i < ipc_ndevs(c); i++) {
		const struct iface *ifc = ipc_dev_at(c, i);
		if (want && strcmp(ifc->name, want) != 0)
			continue;
		if (only4 && !link_mode && ifc->naddrs == 0)
			continue;
		ipc_link_line(c, ifc, i + 1, link_mode);
		if (!only4 || link_mode)
			ipc_ether_line(c, ifc);
		if (!link_mode)
			ipc_inet_lines(c, ifc);
	}
	return 0;
}

/* ----- ip addr add|del ----- */

struct ipc_addr_args {
	uint32_t addr;
	unsigned plen;
	bool has_plen;
	const char *dev;
	const char *text;
};

static int ipc_addr_parse(struct cmd_ctx *c, int argc, char **argv, struct ipc_addr_args *a)
{
	memset(a, 0, sizeof *a);
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		if (strcmp(w, "dev") == 0 || strcmp(w, "local") == 0 || strcmp(w, "brd") == 0 ||
		    strcmp(w, "broadcast") == 0) {
			if (++i >= argc)
				return ipc_fail(c, IPC_USAGE, "Command line is not complete. Try option \"help\"");
			if (strcmp(w, "dev") == 0) {
				a->dev = argv[i];
				continue;
			}
			if (w[0] == 'b') {
				/* natsim keeps no broadcast field: accepted, not shown */
				uint32_t b;
				if (strcmp(argv[i], "+") && strcmp(argv[i], "-") && !ip_parse(argv[i], &b))
					return ipc_fail(c, IPC_FAIL, "Error: inet address is expected rather than \"%s\".",
							argv[i]);
				continue;
			}
			w = argv[i]; /* `local ADDR` */
		}
		if (a->text)
			return ipc_fail(c, IPC_USAGE, "Error: either \"local\" is duplicate, or \"%s\" is a garbage.", w);
		a->text = w;
		if (!prefix_parse(w, &a->addr, &a->plen))
			return ipc_fail(c, IPC_FAIL, "Error: any valid prefix is expected rather than \"%s\".", w);
		a->has_plen = strchr(w, '/') != NULL;
	}
	if (!a->dev)
		return ipc_fail(c, IPC_FAIL, "Not enough information: \"dev\" argument is required.");
	if (!a->text)
		return ipc_fail(c, IPC_KERNEL, "RTNETLINK answers: Operation not supported");
	return 0;
}

/* The start of `ip addr add|del`: the arguments, then the device (NULL in a
 * dry run when it is declared but not built yet). */
static int ipc_addr_begin(struct cmd_ctx *c, int argc, char **argv, struct ipc_addr_args *a,
			  struct iface **ifc)
{
	bool exists;
	int rc = ipc_addr_parse(c, argc, argv, a);
	if (rc)
		return rc;
	*ifc = ipc_dev(c, a->dev, &exists);
	if (!exists)
		return ipc_fail(c, IPC_FAIL, "Cannot find device \"%s\"", a->dev);
	return 0;
}

/* inet_insert_ifa: a new primary goes after the last primary, a
 * secondary (same subnet and length as an address already there) at the
 * end; fib_add_ifaddr adds its prefix route if the device is up. */
static int ipc_addr_add(struct cmd_ctx *c, int argc, char **argv)
{
	struct ipc_addr_args a;
	struct iface *ifc;
	int rc = ipc_addr_begin(c, argc, argv, &a, &ifc);
	if (rc)
		return rc;
	if (c->dry_run)
		return 0;
	uint32_t m = ipc_mask(a.plen);
	bool secondary = false;
	unsigned last_primary = 0;
	for (unsigned k = 0; k < ifc->naddrs; k++) {
		if (ifc->addrs[k].addr == a.addr && ifc->addrs[k].plen == a.plen)
			return ipc_fail(c, IPC_KERNEL, "Error: ipv4: Address already assigned.");
		if (ifc->addrs[k].plen == a.plen && (ifc->addrs[k].addr & m) == (a.addr & m))
			secondary = true;
		if (!ipc_is_secondary(ifc, k))
			last_primary = k + 1;
	}
	if (ifc->naddrs >= IFACE_MAX_ADDRS)
		return ipc_fail(c, IPC_KERNEL, "Error: natsim: at most %d addresses per interface.",
				IFACE_MAX_ADDRS);
	unsigned at = secondary ? ifc->naddrs : last_primary;
	memmove(&ifc->addrs[at + 1], &ifc->addrs[at], (ifc->naddrs - at) * sizeof ifc->addrs[0]);
	ifc->addrs[at].addr = a.addr;
	ifc->addrs[at].plen = (uint8_t)a.plen;
	ifc->naddrs++;
	devconf_iface_setall(ifc);
	if (ifc->up && ifc != c->node->ipv4->lo && !secondary)
		route_add_connected(c->node, ifc, a.addr, (uint8_t)a.plen);
	return 0;
}

static void ipc_addr_remove_at(struct cmd_ctx *c, struct iface *ifc, unsigned k)
{
	struct iface_addr gone = ifc->addrs[k];
	memmove(&ifc->addrs[k], &ifc->addrs[k + 1], (ifc->naddrs - k - 1) * sizeof ifc->addrs[0]);
	ifc->naddrs--;
	if (ifc != c->node->ipv4->lo)
		route_del_connected(c->node, ifc, gone.addr, gone.plen);
	if (c->node->nf)
		nf_iface_addr_gone(c->node->nf, ifc->name, gone.addr, c->w->now);
}

/* inet_rtm_deladdr -> __inet_del_ifa: without promote_secondaries (the
 * default 0) the secondaries of a deleted primary go with it; the last
 * address of a device takes every route through it (fib_disable_ip). */
static int ipc_addr_del(struct cmd_ctx *c, int argc, char **argv)
{
	struct ipc_addr_args a;
	struct iface *ifc;
	int rc = ipc_addr_begin(c, argc, argv, &a, &ifc);
	if (rc)
		return rc;
	if (!a.has_plen) {
		char t[16];
		ipc_addr(a.addr, t);
		g_string_append_printf(c->err,
			"Warning: Executing wildcard deletion to stay compatible with old scripts.\n"
			"         Explicitly specify the prefix length (%s/32) to avoid this warning.\n"
			"         This special behaviour is likely to disappear in further releases,\n"
			"         fix your scripts!", t);
	}
	if (c->dry_run)
		return 0;
	unsigned k;
	for (k = 0; k < ifc->naddrs; k++)
		if (ifc->addrs[k].addr == a.addr && (!a.has_plen || ifc->addrs[k].plen == a.plen))
			break;
	if (k == ifc->naddrs) {
		g_string_truncate(c->err, 0);
		return ipc_fail(c, IPC_KERNEL, "Error: ipv4: Address not found.");
	}
	if (ifc == c->node->ipv4->lo && k == 0)
		return ipc_fail(c, IPC_KERNEL, "Error: natsim: 127.0.0.1/8 on lo cannot be removed.");
	struct iface_addr del = ifc->addrs[k];
	bool primary = !ipc_is_secondary(ifc, k);
	ipc_addr_remove_at(c, ifc, k);
	if (primary) {
		uint32_t m = ipc_mask(del.plen);
		for (unsigned j = ifc->naddrs; j-- > 0;)
			if (ifc->addrs[j].plen == del.plen && (ifc->addrs[j].addr & m) == (del.addr & m))
				ipc_addr_remove_at(c, ifc, j);
	}
	if (ifc->naddrs == 0 && ifc != c->node->ipv4->lo)
		route_flush_dev(c->node, ifc);
	return 0;
}

static int ipc_addr_cmd(struct cmd_ctx *c, int argc, char **argv, bool only4)
{
	if (argc == 0)
		return ipc_show_devs(c, 0, argv, false, only4);
	const char *sub = argv[0];
	if (ipc_matches(sub, "add"))
		return ipc_addr_add(c, argc - 1, argv + 1);
	if (ipc_matches(sub, "delete"))
		return ipc_addr_del(c, argc - 1, argv + 1);
	if (ipc_matches(sub, "list") || ipc_matches(sub, "show") || ipc_matches(sub, "lst"))
		return ipc_show_devs(c, argc - 1, argv + 1, false, only4);
	return ipc_unknown_verb(c, "address", sub);
}

/* ----- ip link set|show ----- */

/* do_set: several settings may follow one device. Down: every route
 * through the device goes (fib_disable_ip), queued packets are dropped,
 * MASQUERADE entries are flushed; up: the prefix routes come back. */
static int ipc_link_set(struct cmd_ctx *c, int argc, char **argv)
{
	const char *dev = NULL;
	int up = -1;
	long mtu = -1;
	long group = -1;
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		if (strcmp(w, "group") == 0) {
			/* rtnl_group_a2n: "default" or a number */
			if (++i >= argc)
				return ipc_fail(c, IPC_USAGE, "Command line is not complete. Try option \"help\"");
			char *end;
			group = strcmp(argv[i], "default") == 0 ? 0 : strtol(argv[i], &end, 0);
			if (strcmp(argv[i], "default") != 0 &&
			    (*argv[i] == '\0' || *end || group < 0 || group > 0x7fffffff))
				return ipc_fail(c, IPC_USAGE, "Error: argument \"%s\" is wrong: Invalid \"group\" value",
						argv[i]);
		} else if (strcmp(w, "up") == 0) {
			up = 1;
		} else if (strcmp(w, "down") == 0) {
			up = 0;
		} else if (strcmp(w, "mtu") == 0) {
			if (++i >= argc)
				return ipc_fail(c, IPC_USAGE, "Command line is not complete. Try option \"help\"");
			char *end;
			mtu = strtol(argv[i], &end, 0);
			if (*argv[i] == '\0' || *end || mtu < 0 || mtu > 0x7fffffff)
				return ipc_fail(c, IPC_USAGE, "Error: argument \"%s\" is wrong: Invalid \"mtu\" value",
						argv[i]);
		} else if (strcmp(w, "dev") == 0) {
			if (++i >= argc)
				return ipc_fail(c, IPC_USAGE, "Command line is not complete. Try option \"help\"");
			if (dev)
				return ipc_fail(c, IPC_USAGE, "Error: either \"dev\" is duplicate, or \"%s\" is a garbage.",
						argv[i]);
			dev = argv[i];
		} else if (!dev) {
			dev = w;
		} else {
			return ipc_fail(c, IPC_USAGE, "Error: either \"dev\" is duplicate, or \"%s\" is a garbage.", w);
		}
	}
	if (!dev)
		return ipc_fail(c, IPC_USAGE, "Not enough information: \"dev\" argument is required.");
	bool exists;
	struct iface *ifc = ipc_dev(c, dev, &exists);
	if (!exists)
		return ipc_fail(c, IPC_FAIL, "Cannot find device \"%s\"", dev);
	if (mtu >= 0 && mtu < 68)
		return ipc_fail(c, IPC_KERNEL, "Error: mtu less than device minimum.");
	if (mtu > (strcmp(dev, "lo") == 0 ? 65536 : 65535))
		return ipc_fail(c, IPC_KERNEL, "Error: mtu greater than device maximum.");
	if (c->dry_run)
		return 0;
	struct node *n = c->node;
	if (mtu >= 0)
		ifc->mtu = (unsigned)mtu;
	if (group >= 0)
		ifc->group = (unsigned)group;
	if (up == 0 && ifc->up) {
		ifc->up = false;
		if (ifc != n->ipv4->lo) {
			route_flush_dev(n, ifc);
			ip_iface_down(n, ifc);
		}
		if (n->nf)
			nf_iface_addr_gone(n->nf, ifc->name, 0, c->w->now);
	} else if (up == 1 && !ifc->up) {
		ifc->up = true;
		if (ifc != n->ipv4->lo)
			for (unsigned k = 0; k < ifc->naddrs; k++)
				if (!ipc_is_secondary(ifc, k))
					route_add_connected(n, ifc, ifc->addrs[k].addr, ifc->addrs[k].plen);
	}
	return 0;
}

static int ipc_link(struct cmd_ctx *c, int argc, char **argv)
{
	if (argc == 0)
		return ipc_show_devs(c, 0, argv, true, false);
	const char *sub = argv[0];
	if (ipc_matches(sub, "set") || ipc_matches(sub, "change"))
		return ipc_link_set(c, argc - 1, argv + 1);
	if (ipc_matches(sub, "show") || ipc_matches(sub, "list") || ipc_matches(sub, "lst"))
		return ipc_show_devs(c, argc - 1, argv + 1, true, false);
	return ipc_unknown_verb(c, "link", sub);
}

/* ----- ip route ----- */

struct ipc_route_args {
	bool has_prefix, has_gw, has_metric, onlink, has_table;
	uint32_t prefix, gw, metric, table;	/* table: main unless has_table */
	unsigned plen;
	const char *dev;
};

static int ipc_route_parse(struct cmd_ctx *c, int argc, char **argv, struct ipc_route_args *r,
			   bool need_prefix)
{
	memset(r, 0, sizeof *r);
	r->table = RT_TABLE_MAIN;
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		bool value = strcmp(w, "via") == 0 || strcmp(w, "dev") == 0 || strcmp(w, "oif") == 0 ||
			     strcmp(w, "metric") == 0 || strcmp(w, "priority") == 0 ||
			     strcmp(w, "preference") == 0 || strcmp(w, "to") == 0 ||
			     strcmp(w, "table") == 0;
		if (value && ++i >= argc)
			return ipc_fail(c, IPC_USAGE, "Command line is not complete. Try option \"help\"");
		const char *v = value ? argv[i] : NULL;
		if (strcmp(w, "table") == 0) {
			if (strcmp(v, "all") == 0 || strcmp(v, "local") == 0)
				return natsim_unimpl(c->err, "ip route table %s", v);
			if (!ip_table_parse(v, &r->table))
				return ipc_fail(c, IPC_USAGE, "Error: argument \"%s\" is wrong: \"table\" value is invalid", v);
			if (r->table == 0)
				return natsim_unimpl(c->err, "ip route table 0");
			r->has_table = true;
		} else if (strcmp(w, "via") == 0) {
			if (strcmp(v, "inet") == 0) {
				if (++i >= argc)
					return ipc_fail(c, IPC_USAGE, "Command line is not complete. Try option \"help\"");
				v = argv[i];
			}
			if (!ip_parse(v, &r->gw))
				return ipc_fail(c, IPC_FAIL, "Error: inet address is expected rather than \"%s\".", v);
			r->has_gw = true;
		} else if (strcmp(w, "dev") == 0 || strcmp(w, "oif") == 0) {
			r->dev = v;
		} else if (strcmp(w, "metric") == 0 || strcmp(w, "priority") == 0 ||
			   strcmp(w, "preference") == 0) {
			char *end;
			unsigned long m = strtoul(v, &end, 0);
			if (!*v || *end || m > 0xffffffffUL)
				return ipc_fail(c, IPC_USAGE, "Error: argument \"%s\" is wrong: \"metric\" value is invalid", v);
			r->metric = (uint32_t)m;
			r->has_metric = true;
		} else if (strcmp(w, "onlink") == 0) {
			r->onlink = true;
		} else if (!r->has_prefix || (strcmp(w, "to") == 0 && !r->has_prefix)) {
			const char *p = v ? v : w;
			if (strcmp(p, "default") == 0 || strcmp(p, "all") == 0 || strcmp(p, "any") == 0) {
				r->prefix = 0;
				r->plen = 0;
			} else if (!prefix_parse(p, &r->prefix, &r->plen)) {
				return ipc_fail(c, IPC_FAIL, "Error: any valid prefix is expected rather than \"%s\".", p);
			}
			r->has_prefix = true;
		} else {
			return ipc_fail(c, IPC_USAGE, "Error: either \"to\" is duplicate, or \"%s\" is a garbage.", w);
		}
	}
	if (need_prefix && !r->has_prefix)
		return ipc_fail(c, IPC_USAGE, "Command line is not complete. Try option \"help\"");
	if (r->has_prefix && (r->prefix & ~ipc_mask(r->plen)))
		return ipc_fail(c, IPC_KERNEL, "Error: Invalid prefix for given prefix length.");
	if (r->dev) {
		bool exists;
		ipc_dev(c, r->dev, &exists);
		if (!exists)
			return ipc_fail(c, IPC_FAIL, "Cannot find device \"%s\"", r->dev);
	}
	return 0;
}

/* fib_check_nh_v4_gw: the gateway must be on a scope-link route (or be a
 * local address), through `dev` if one was given. */
static struct iface *ipc_gw_dev(struct node *n, uint32_t gw, struct iface *dev)
{
	for (unsigned i = 0; i < n->ifaces->len; i++) {
		struct iface *ifc = g_ptr_array_index(n->ifaces, i);
		if ((!dev || ifc == dev) && ifc->up)
			for (unsigned k = 0; k < ifc->naddrs; k++)
				if (ifc->addrs[k].addr == gw)
					return ifc;
	}
	const struct route *best = NULL;
	for (unsigned i = 0; i < n->ipv4->fib.routes->len; i++) {
		const struct route *r = &g_array_index(n->ipv4->fib.routes, struct route, i);
		if (r->gw || !r->dev || !r->dev->up || (gw & ipc_mask(r->plen)) != r->prefix)
			continue;
		if (!best || r->plen > best->plen)
			best = r;
	}
	if (!best || (dev && best->dev != dev))
		return NULL;
	return best->dev;
}

static int ipc_route_add(struct cmd_ctx *c, int argc, char **argv, bool replace)
{
	struct ipc_route_args a;
	int rc = ipc_route_parse(c, argc, argv, &a, true);
	if (rc)
		return rc;
	if (a.onlink && !a.dev)
		return ipc_fail(c, IPC_KERNEL, "Error: Nexthop device required for onlink.");
	if (!a.dev && !a.has_gw)
		return ipc_fail(c, IPC_KERNEL, "RTNETLINK answers: No such device");
	if (c->dry_run)
		return 0;
	struct node *n = c->node;
	bool exists;
	struct iface *dev = a.dev ? ipc_dev(c, a.dev, &exists) : NULL;
	if (dev == n->ipv4->lo && dev)
		return ipc_fail(c, IPC_KERNEL, "Error: natsim: routes through lo are not supported.");
	struct route r = { .prefix = a.prefix, .plen = (uint8_t)a.plen, .gw = a.has_gw ? a.gw : 0,
			   .onlink = a.onlink, .metric = a.metric };
	if (!a.has_gw) {
		if (!dev->up)
			return ipc_fail(c, IPC_KERNEL, "Error: Device for nexthop is not up.");
		r.dev = dev;
	} else if (a.onlink) {
		if (!dev->up)
			return ipc_fail(c, IPC_KERNEL, "Error: Nexthop device is not up.");
		r.dev = dev;
	} else {
		r.dev = ipc_gw_dev(n, a.gw, dev);
		if (!r.dev)
			return ipc_fail(c, IPC_KERNEL, "Error: Nexthop has invalid gateway.");
	}
	GArray *routes = fib_table_routes(n, a.table, true); /* fib_new_table */
	for (unsigned i = 0; i < routes->len; i++) {
		struct route *o = &g_array_index(routes, struct route, i);
		if (o->prefix == r.prefix && o->plen == r.plen && o->metric == r.metric) {
			if (!replace)
				return ipc_fail(c, IPC_KERNEL, "RTNETLINK answers: File exists");
			*o = r;
			return 0;
		}
	}
	g_array_append_val(routes, r);
	return 0;
}

static int ipc_route_del(struct cmd_ctx *c, int argc, char **argv)
{
	struct ipc_route_args a;
	int rc = ipc_route_parse(c, argc, argv, &a, true);
	if (rc)
		return rc;
	if (c->dry_run)
		return 0;
	struct node *n = c->node;
	bool exists;
	struct iface *dev = a.dev ? ipc_dev(c, a.dev, &exists) : NULL;
	GArray *routes = fib_table_routes(n, a.table, false);
	if (!routes)
		return ipc_fail(c, IPC_KERNEL, "Error: FIB table does not exist.");
	for (unsigned i = 0; i < routes->len; i++) {
		const struct route *o = &g_array_index(routes, struct route, i);
		if (o->prefix != a.prefix || o->plen != a.plen)
			continue;
		if ((a.has_metric && o->metric != a.metric) || (a.has_gw && o->gw != a.gw) ||
		    (dev && route_out_dev(n, o) != dev))
			continue;
		g_array_remove_index(routes, i);
		return 0;
	}
	return ipc_fail(c, IPC_KERNEL, "RTNETLINK answers: No such process");
}

/* The dump order of the main table's trie: by prefix, longer first. */
static gint ipc_route_cmp(gconstpointer x, gconstpointer y)
{
	const struct route *a = *(const struct route *const *)x;
	const struct route *b = *(const struct route *const *)y;
	if (a->prefix != b->prefix)
		return a->prefix < b->prefix ? -1 : 1;
	if (a->plen != b->plen)
		return a->plen > b->plen ? -1 : 1;
	if (a->metric != b->metric)
		return a->metric < b->metric ? -1 : 1;
	/* both point into one table's array: address order is insertion order */
	return a < b ? -1 : (a > b);
}

static void ipc_route_line(struct cmd_ctx *c, const struct route *r, bool show_dev)
{
	GString *o = c->out;
	char a[16];
	if (r->plen == 0) {
		g_string_append(o, "default ");
	} else {
		ipc_addr(r->prefix, a);
		g_string_append_printf(o, r->plen == 32 ? "%s " : "%s/%u ", a, r->plen);
	}
	if (r->gw) {
		ipc_addr(r->gw, a);
		g_string_append_printf(o, "via %s ", a);
	}
	struct iface *dev = route_out_dev(c->node, r);
	if (show_dev && dev)
		g_string_append_printf(o, "dev %s ", dev->name);
	if (r->kernel) {
		uint32_t src = 0;
		for (unsigned k = 0; dev && k < dev->naddrs && !src; k++)
			if ((dev->addrs[k].addr & ipc_mask(r->plen)) == r->prefix &&
			    dev->addrs[k].plen == r->plen)
				src = dev->addrs[k].addr;
		ipc_addr(src, a);
		g_string_append_printf(o, "proto kernel scope link src %s ", a);
	} else if (!r->gw) {
		g_string_append(o, "scope link ");
	}
	if (r->metric)
		g_string_append_printf(o, "metric %u ", r->metric);
	if (r->onlink)
		g_string_append(o, "onlink ");
	g_string_append_c(o, '\n'); /* after iproute2's trailing space */
}

static int ipc_route_show(struct cmd_ctx *c, int argc, char **argv)
{
	struct ipc_route_args a;
	int rc = ipc_route_parse(c, argc, argv, &a, false);
	if (rc)
		return rc;
	if (c->dry_run)
		return 0;
	struct node *n = c->node;
	bool exists;
	struct iface *dev = a.dev ? ipc_dev(c, a.dev, &exists) : NULL;
	GArray *routes = fib_table_routes(n, a.table, false);
	if (!routes) /* the kernel's error, then iproute2's */
		return ipc_fail(c, IPC_KERNEL, "Error: ipv4: FIB table does not exist.\nDump terminated");
	GPtrArray *v = g_ptr_array_new();
	for (unsigned i = 0; i < routes->len; i++) {
		struct route *r = &g_array_index(routes, struct route, i);
		if (a.has_prefix && (r->prefix != a.prefix || r->plen != a.plen))
			continue;
		if (dev && route_out_dev(n, r) != dev)
			continue;
		if (a.has_gw && r->gw != a.gw)
			continue;
		g_ptr_array_add(v, r);
	}
	g_ptr_array_sort(v, ipc_route_cmp);
	for (unsigned i = 0; i < v->len; i++)
		ipc_route_line(c, g_ptr_array_index(v, i), !dev);
	g_ptr_array_free(v, TRUE);
	return 0;
}

/* `ip route get [to] ADDR [from ADDR] [mark M]`: the output route the
 * node's stack would take (ip_route_output_key through the rules), printed
 * as inet_rtm_getroute answers: the table unless main (the local table
 * shows once the rules are custom: the kernel unmerges it then), no src
 * with a from, the mark in decimal below 16, else in hex. */
static int ipc_route_get(struct cmd_ctx *c, int argc, char **argv)
{
	static const char *const lacks[] = {
		"iif", "oif", "tos", "dsfield", "vrf", "sport", "dport", "ipproto", "connected",
		"fibmatch", "uid", "as", NULL,
	};
	uint32_t dst = 0, from = 0, mark = 0;
	bool has_dst = false, has_from = false;
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		for (int k = 0; lacks[k]; k++)
			if (strcmp(w, lacks[k]) == 0)
				return natsim_unimpl(c->err, "ip route get %s", w);
		bool value = strcmp(w, "to") == 0 || strcmp(w, "from") == 0 || strcmp(w, "mark") == 0;
		if (value && ++i >= argc)
			return ipc_fail(c, IPC_USAGE, "Command line is not complete. Try option \"help\"");
		const char *v = value ? argv[i] : w;
		if (strcmp(w, "mark") == 0) {
			char *end;
			unsigned long m = strtoul(v, &end, 0);
			if (!*v || *end || *v == '-' || m > 0xffffffffUL)
				return ipc_fail(c, IPC_USAGE, "Error: argument \"%s\" is wrong: invalid mark value", v);
			mark = (uint32_t)m;
		} else if (strcmp(w, "from") == 0) {
			if (!ip_parse(v, &from))
				return ipc_fail(c, IPC_FAIL, "Error: inet prefix is expected rather than \"%s\".", v);
			has_from = true;
		} else if (has_dst) {
			return ipc_fail(c, IPC_USAGE, "Error: either \"to\" is duplicate, or \"%s\" is a garbage.", w);
		} else {
			if (!ip_parse(v, &dst))
				return ipc_fail(c, IPC_FAIL, "Error: inet prefix is expected rather than \"%s\".", v);
			has_dst = true;
		}
	}
	if (!has_dst)
		return ipc_fail(c, IPC_USAGE, "Command line is not complete. Try option \"help\"");
	if (c->dry_run)
		return 0;
	struct node *n = c->node;
	if (has_from && !ip_addr_is_local(n, from))
		return natsim_unimpl(c->err, "ip route get from a foreign address");
	const struct fib_rules *fr = n->ipv4->rules;
	char d[16], s[16], g[16], t[12], m[24] = "";
	if (mark >= 16)
		snprintf(m, sizeof m, "mark %#x ", mark);
	else if (mark)
		snprintf(m, sizeof m, "mark %u ", mark);
	ipc_addr(dst, d);
	ipc_addr(from, s);
	if (ip_addr_is_local(n, dst)) {
		const char *tl = fr && fr->custom ? "table local " : "";
		if (has_from)
			g_string_append_printf(c->out, "local %s from %s dev lo %s%suid 0 \n"
					       "    cache <local> \n", d, s, tl, m);
		else
			g_string_append_printf(c->out, "local %s dev lo %ssrc %s %suid 0 \n"
					       "    cache <local> \n", d, tl, d, m);
		return 0;
	}
	struct flowi4 fl = { .daddr = dst, .saddr = from, .mark = mark, .iif = "lo" };
	uint32_t table;
	const struct route *r = fib_lookup(n, &fl, &table);
	if (!r)
		return ipc_fail(c, IPC_KERNEL, "RTNETLINK answers: Network is unreachable");
	g_string_append_printf(c->out, "%s ", d);
	if (has_from)
		g_string_append_printf(c->out, "from %s ", s);
	if (r->gw) {
		ipc_addr(r->gw, g);
		g_string_append_printf(c->out, "via %s ", g);
	}
	g_string_append_printf(c->out, "dev %s ", route_out_dev(n, r)->name);
	if (table != RT_TABLE_MAIN)
		g_string_append_printf(c->out, "table %s ", ip_table_name(table, t));
	if (!has_from) {
		ipc_addr(route_select_src(n, r, dst), s);
		g_string_append_printf(c->out, "src %s ", s);
	}
	g_string_append_printf(c->out, "%suid 0 \n    cache \n", m);
	return 0;
}

static int ipc_route(struct cmd_ctx *c, int argc, char **argv)
{
	if (argc == 0)
		return ipc_route_show(c, 0, argv);
	const char *sub = argv[0];
	if (ipc_matches(sub, "add"))
		return ipc_route_add(c, argc - 1, argv + 1, false);
	if (ipc_matches(sub, "replace"))
		return ipc_route_add(c, argc - 1, argv + 1, true);
	if (ipc_matches(sub, "delete"))
		return ipc_route_del(c, argc - 1, argv + 1);
	if (ipc_matches(sub, "list") || ipc_matches(sub, "show") || ipc_matches(sub, "lst"))
		return ipc_route_show(c, argc - 1, argv + 1);
	if (ipc_matches(sub, "get"))
		return ipc_route_get(c, argc - 1, argv + 1);
	return ipc_unknown_verb(c, "route", sub);
}

/* ----- entry ----- */

int ipcmd_run(struct cmd_ctx *c, int argc, char **argv)
{
	int i = 1;
	bool only4 = false;
	/* ip's global options (ip.c main): natsim has -4 and no other */
	static const char *const ip_options[] = {
		"Version", "statistics", "details", "resolve", "human-readable", "human", "iec",
		"json", "pretty", "family", "4", "6", "0", "M", "B", "loops", "brief", "oneline",
		"timestamp", "tshort", "batch", "rcvbuf", "netns", "Numeric", "all", "color",
		"force", "help", NULL,
	};
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i];
		if (strcmp(o, "-4") == 0 || strcmp(o, "-family=inet") == 0) {
			only4 = true;
			continue;
		}
		const char *name = o + (o[1] == '-' ? 2 : 1);
		for (int k = 0; *name && ip_options[k]; k++)
			if (ipc_matches(name, ip_options[k]))
				return natsim_unimpl(c->err, "ip %s", o);
		return ipc_fail(c, IPC_USAGE, "Option \"%s\" is unknown, try \"ip -help\".", o);
	}
	if (c->node->kind == NODE_SWITCH)
		return ipc_fail(c, IPC_KERNEL, "natsim: switches take no commands");
	if (i >= argc)
		return ipc_fail(c, IPC_USAGE, "Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }");
	const char *obj = argv[i];
	int rest = argc - i - 1;
	char **rargv = argv + i + 1;
	/* iproute2 6.1's object table (ip.c cmds[]): its order decides what an
	 * abbreviation means (`ip n` is neigh, `ip r` route, `ip s` sr) */
	static const char *const ip_objects[] = {
		"address", "addrlabel", "maddress", "route", "rule", "neighbor", "neighbour",
		"ntable", "ntbl", "link", "l2tp", "fou", "ila", "macsec", "tunnel", "tunl",
		"tuntap", "tap", "token", "tcpmetrics", "tcp_metrics", "monitor", "xfrm", "mroute",
		"mrule", "netns", "netconf", "vrf", "sr", "nexthop", "mptcp", "ioam", "help",
		"stats", NULL,
	};
	for (int k = 0; ip_objects[k]; k++) {
		if (!ipc_matches(obj, ip_objects[k]))
			continue;
		if (strcmp(ip_objects[k], "address") == 0)
			return ipc_addr_cmd(c, rest, rargv, only4);
		if (strcmp(ip_objects[k], "link") == 0)
			return ipc_link(c, rest, rargv);
		if (strcmp(ip_objects[k], "route") == 0)
			return ipc_route(c, rest, rargv);
		if (strcmp(ip_objects[k], "rule") == 0)
			return iprule_run(c, rest, rargv);
		return natsim_unimpl(c->err, "ip %s", ip_objects[k]);
	}
	return ipc_fail(c, IPC_FAIL, "Object \"%s\" is unknown, try \"ip help\".", obj);
}
