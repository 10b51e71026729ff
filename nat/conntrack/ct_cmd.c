/* ct_cmd.c - the `conntrack` command (conntrack-tools 1.4.7) and the queries
 * expectations and summary.json use.
 *
 * Texts are the real tool's, observed on Linux 6.18 with conntrack 1.4.7:
 * entries on stdout, the "N flow entries have been shown." summary and
 * errors on stderr. Listing order is the kernel dump's: bucket order of the
 * ORIGINAL tuple, newest first within a chain; expired entries are reaped
 * (DESTROY) before anything is listed or counted. `-E` prints nothing:
 * natsim writes every event to conntrack-events.log from the start.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_helper.h"
#include "nat/conntrack/ct_proto.h"
#include "nat/conntrack/ct_zone.h"
#include "nat/core/nf_ns.h"
#include "nat/core/unimpl.h"

#define CT_TOOL "conntrack v1.4.7 (conntrack-tools): "
#define CT_TRY "Try `conntrack -h' or 'conntrack --help' for more information.\n"

static const char *const ct_stat_names[] = {
	"found", "invalid", "insert", "insert_failed", "drop", "early_drop", "error",
	"search_restart", "clash_resolve", "chaintoolong", NULL,
};

const char *const *nf_ct_stat_names(void)
{
	return ct_stat_names;
}

bool nf_ct_stat(struct nf_ns *ns, const char *name, uint64_t *value)
{
	const uint64_t v[] = {
		ns->ct->stats.found, ns->ct->stats.invalid, ns->ct->stats.insert, ns->ct->stats.insert_failed,
		ns->ct->stats.drop, ns->ct->stats.early_drop, ns->ct->stats.error, ns->ct->stats.search_restart,
		ns->ct->stats.clash_resolve, ns->ct->stats.chaintoolong,
	};

	for (unsigned i = 0; ct_stat_names[i]; i++) {
		if (strcmp(name, ct_stat_names[i]) == 0) {
			*value = v[i];
			return true;
		}
	}
	return false;
}

unsigned nf_ct_count(struct nf_ns *ns, nf_time now)
{
	ct_table_reap_all(ns, now);
	return ns->ct->count + ns->ct->held_dead;
}

/* What -L/-D select (conntrack's filter options). 0 fields match all. */
struct ct_filter {
	int proto;			/* -1 any */
	bool has[8];
	uint32_t addr[4];		/* orig src, orig dst, reply src, reply dst */
	uint16_t port[4];		/* orig sport, dport, reply sport, dport */
	bool extended;			/* -o extended */
	bool zero;			/* -z: zero the counters of what is listed */
	bool ipv6;			/* -f ipv6: natsim has no IPv6 entries */
	bool has_mark;			/* -m MARK[/MASK] */
	uint32_t mark, mark_mask;
	uint32_t mark_value;		/* MARK as given: -U's new value */
	bool has_zone[3];		/* -w, --orig-zone, --reply-zone */
	uint16_t zone[3];
};

static bool ct_filter_match(const struct ct_filter *f, const struct ct_entry *ct)
{
	const struct ct_tuple *o = &ct->tuplehash[CT_DIR_ORIGINAL].t;
	const struct ct_tuple *r = &ct->tuplehash[CT_DIR_REPLY].t;
	const uint32_t a[4] = { o->src, o->dst, r->src, r->dst };
	const uint16_t p[4] = { o->sport, o->dport, r->sport, r->dport };

	if (f->ipv6)
		return false;
	if (f->has_mark && (ct->mark & f->mark_mask) != f->mark)
		return false;
	if (f->proto >= 0 && o->proto != f->proto)
		return false;
	if ((f->has_zone[0] && nf_ct_zone_both(ct) != f->zone[0]) ||
	    (f->has_zone[1] && nf_ct_zone_only(ct, CT_DIR_ORIGINAL) != f->zone[1]) ||
	    (f->has_zone[2] && nf_ct_zone_only(ct, CT_DIR_REPLY) != f->zone[2]))
		return false;	/* the zone attributes the dump has, 0 when absent */
	for (int i = 0; i < 4; i++) {
		if (f->has[i] && a[i] != f->addr[i])
			return false;
		if (f->has[4 + i] && p[i] != f->port[i])
			return false;
	}
	return true;
}

struct ct_list_ctx {
	const struct ct_filter *f;
	GString *out;
	nf_time now;
	unsigned n;
	bool kill;
};

static void ct_list_one(struct nf_ns *ns, struct ct_entry *ct, void *arg)
{
	struct ct_list_ctx *c = arg;

	if (c->f && !ct_filter_match(c->f, ct))
		return;
	if (c->out) {
		if (c->f && c->f->extended)
			g_string_append(c->out, "ipv4     2 ");
		ct_entry_format(ns, ct, c->now, NULL, c->out);
		g_string_append_c(c->out, '\n');
	}
	if (c->f && c->f->zero)
		ct_acct_zero(ns, ct);	/* IPCTNL_MSG_CT_GET_CTRZERO: after the dump */
	c->n++;
	if (c->kill)
		ct_entry_kill(ns, ct, c->now);
}

/* conntrack -U: the entries the filters select (-m is the new mark there,
 * not a filter: update_cb's copy_mark, (mark & ~mask) ^ value); an entry
 * the update leaves as it was is skipped. Debian 12's conntrack-tools 1.4.7
 * sends an update the kernel refuses with EOPNOTSUPP whenever it would
 * change an entry (checked on Linux 6.1 in UML and on 6.18; OpenWrt issue
 * 13307; fixed in 1.4.8), so the first entry to change stops the command. */
struct ct_update_ctx {
	const struct ct_filter *f;
	bool refused;
};

static void ct_update_one(struct nf_ns *ns, struct ct_entry *ct, void *arg)
{
	struct ct_update_ctx *c = arg;
	struct ct_filter sel = *c->f;
	uint32_t mark = ct->mark;

	(void)ns;
	sel.has_mark = false;
	if (c->refused || !ct_filter_match(&sel, ct))
		return;
	if (c->f->has_mark)
		mark = (ct->mark & ~c->f->mark_mask) ^ c->f->mark_value;
	if (mark != ct->mark)
		c->refused = true;
}

unsigned nf_ct_list(struct nf_ns *ns, nf_time now, GString *out)
{
	struct ct_list_ctx c = { .f = NULL, .out = out, .now = now };

	ct_table_reap_all(ns, now);
	ct_table_foreach(ns, ct_list_one, &c);
	return c.n;
}

static const char ct_usage[] =
	"Command line interface for the connection tracking system. Version 1.4.7\n"
	"Usage: conntrack [commands] [options]\n"
	"\n"
	"Commands:\n"
	"  -L [table] [options]\t\tList conntrack or expectation table\n"
	"  -G [table] parameters\t\tGet conntrack or expectation\n"
	"  -D [table] parameters\t\tDelete conntrack or expectation\n"
	"  -I [table] parameters\t\tCreate a conntrack or expectation\n"
	"  -U [table] parameters\t\tUpdate a conntrack\n"
	"  -E [table] [options]\t\tShow events\n"
	"  -F [table]\t\t\tFlush table\n"
	"  -C [table]\t\t\tShow counter\n"
	"  -S\t\t\t\tShow statistics\n"
	"\n"
	"Tables: conntrack, expect, dying, unconfirmed\n"
	"\n"
	"Conntrack parameters and options:\n"
	"  -n, --src-nat ip\t\t\tsource NAT ip\n"
	"  -g, --dst-nat ip\t\t\tdestination NAT ip\n"
	"  -j, --any-nat ip\t\t\tsource or destination NAT ip\n"
	"  -m, --mark mark\t\t\tSet mark\n"
	"  -c, --secmark secmark\t\t\tSet selinux secmark\n"
	"  -e, --event-mask eventmask\t\tEvent mask, eg. NEW,DESTROY\n"
	"  -z, --zero \t\t\t\tZero counters while listing\n"
	"  -o, --output type[,...]\t\tOutput format, eg. xml\n"
	"  -l, --label label[,...]\t\tconntrack labels\n"
	"\n"
	"Expectation parameters and options:\n"
	"  --tuple-src ip\tSource address in expect tuple\n"
	"  --tuple-dst ip\tDestination address in expect tuple\n"
	"\n"
	"Updating parameters and options:\n"
	"  --label-add label\tAdd label\n"
	"  --label-del label\tDelete label\n"
	"\n"
	"Common parameters and options:\n"
	"  -s, --src, --orig-src ip\t\tSource address from original direction\n"
	"  -d, --dst, --orig-dst ip\t\tDestination address from original direction\n"
	"  -r, --reply-src ip\t\tSource addres from reply direction\n"
	"  -q, --reply-dst ip\t\tDestination address from reply direction\n"
	"  -p, --protonum proto\t\tLayer 4 Protocol, eg. 'tcp'\n"
	"  -f, --family proto\t\tLayer 3 Protocol, eg. 'ipv6'\n"
	"  -t, --timeout timeout\t\tSet timeout\n"
	"  -u, --status status\t\tSet status, eg. ASSURED\n"
	"  -w, --zone value\t\tSet conntrack zone\n"
	"  --orig-zone value\t\tSet zone for original direction\n"
	"  --reply-zone value\t\tSet zone for reply direction\n"
	"  -b, --buffer-size\t\tNetlink socket buffer size\n"
	"  --mask-src ip\t\t\tSource mask address\n"
	"  --mask-dst ip\t\t\tDestination mask address\n"
	"\n";

static int ct_fail(GString *err, const char *fmt, const char *arg)
{
	g_string_append(err, CT_TOOL);
	g_string_append_printf(err, fmt, arg);
	g_string_append(err, "\n" CT_TRY);
	return 2;
}

static bool ct_parse_ip(const char *s, uint32_t *a)
{
	unsigned b[4];
	char tail;

	if (sscanf(s, "%u.%u.%u.%u%c", &b[0], &b[1], &b[2], &b[3], &tail) != 4)
		return false;
	for (int i = 0; i < 4; i++)
		if (b[i] > 255)
			return false;
	*a = b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
	return true;
}

static int ct_parse_proto(const char *s)
{
	static const struct { const char *n; int p; } names[] = {
		{ "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "udplite", 136 }, { "sctp", 132 },
		{ "dccp", 33 }, { "gre", 47 }, { "icmpv6", 58 }, { "ipv6-icmp", 58 },
	};
	char *end;
	long v;

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (strcmp(s, names[i].n) == 0)
			return names[i].p;
	v = strtol(s, &end, 10);
	if (*s && !*end && v >= 0 && v <= 255)
		return (int)v;
	return -1;
}

enum ct_command { CMD_NONE, CMD_LIST, CMD_DELETE, CMD_FLUSH, CMD_COUNT, CMD_STATS,
		  CMD_EVENT, CMD_UPDATE, CMD_OTHER };

static const struct { const char *s, *l; enum ct_command c; } ct_cmds[] = {
	{ "-L", "--dump", CMD_LIST }, { "-D", "--delete", CMD_DELETE },
	{ "-F", "--flush", CMD_FLUSH }, { "-C", "--count", CMD_COUNT },
	{ "-S", "--stats", CMD_STATS }, { "-E", "--event", CMD_EVENT },
	{ "-G", "--get", CMD_OTHER }, { "-I", "--create", CMD_OTHER },
	{ "-U", "--update", CMD_UPDATE },
};

/* Options taking an argument; idx: filter slot (0-7), -1 protocol, -2
 * accepted without effect, -3 output format, -4 family, -5 mark, -6 not
 * implemented in natsim, -11..-13 zone (CTA_ZONE, the ORIGINAL tuple's,
 * the REPLY tuple's). `port` ones exist only after -p tcp/udp/...;
 * `filter` ones select entries (conntrack refuses them with -L -z). */
static const struct { const char *s, *l, *l2; int idx; bool port, filter; } ct_opts[] = {
	{ "-p", "--protonum", NULL, -1, false, true },
	{ "-s", "--src", "--orig-src", 0, false, true },
	{ "-d", "--dst", "--orig-dst", 1, false, true },
	{ "-r", "--reply-src", NULL, 2, false, true },
	{ "-q", "--reply-dst", NULL, 3, false, true },
	{ NULL, "--sport", "--orig-port-src", 4, true, true },
	{ NULL, "--dport", "--orig-port-dst", 5, true, true },
	{ NULL, "--reply-port-src", NULL, 6, true, true },
	{ NULL, "--reply-port-dst", NULL, 7, true, true },
	{ "-o", "--output", NULL, -3, false, false },
	{ "-f", "--family", NULL, -4, false, false },
	{ "-m", "--mark", NULL, -5, false, true },
	{ "-b", "--buffer-size", NULL, -2, false, false },	/* a netlink socket's size */
	{ "-u", "--status", NULL, -6, false, true },
	{ "-n", "--src-nat", NULL, -6, false, true },
	{ "-g", "--dst-nat", NULL, -6, false, true },
	{ "-j", "--any-nat", NULL, -6, false, true },
	{ "-w", "--zone", NULL, -11, false, true },
	{ NULL, "--orig-zone", NULL, -12, false, true },
	{ NULL, "--reply-zone", NULL, -13, false, true },
	{ "-e", "--event-mask", NULL, -6, false, false },
	{ "-c", "--secmark", NULL, -6, false, true },
	{ "-l", "--label", NULL, -6, false, true },
	{ NULL, "--label-add", NULL, -6, false, false },
	{ NULL, "--label-del", NULL, -6, false, false },
	{ "-t", "--timeout", NULL, -6, false, false },
	{ NULL, "--tuple-src", NULL, -6, false, true },
	{ NULL, "--tuple-dst", NULL, -6, false, true },
	{ NULL, "--mask-src", NULL, -6, false, true },
	{ NULL, "--mask-dst", NULL, -6, false, true },
	{ NULL, "--mask-port-src", NULL, -6, true, true },
	{ NULL, "--mask-port-dst", NULL, -6, true, true },
	{ NULL, "--tuple-port-src", NULL, -6, true, true },
	{ NULL, "--tuple-port-dst", NULL, -6, true, true },
	{ NULL, "--state", NULL, -7, false, true },		/* -p tcp / sctp */
	{ NULL, "--icmp-type", NULL, -8, false, true },	/* -p icmp */
	{ NULL, "--icmp-code", NULL, -8, false, true },
	{ NULL, "--icmp-id", NULL, -8, false, true },
	{ NULL, "--orig-vtag", NULL, -9, false, true },	/* -p sctp */
	{ NULL, "--reply-vtag", NULL, -9, false, true },
	{ NULL, "--srckey", NULL, -10, false, true },		/* -p gre */
	{ NULL, "--dstkey", NULL, -10, false, true },
};

/* -o's formats (conntrack-tools' output_type): natsim prints `extended`. */
static const char *const ct_output_types[] = {
	"xml", "extended", "timestamp", "id", "ktimestamp", "labels", "userspace", "save",
};

/* -o TYPE[,TYPE]: conntrack's "Bad parameter" for an unknown one, natsim's
 * voice for one it does not print. */
static int ct_parse_output(const char *arg, struct ct_filter *f, GString *err)
{
	char **v = g_strsplit(arg, ",", -1);
	int rc = 0;
	for (char **t = v; *t && !rc; t++) {
		size_t k;
		for (k = 0; k < G_N_ELEMENTS(ct_output_types); k++)
			if (strcmp(*t, ct_output_types[k]) == 0)
				break;
		if (k == G_N_ELEMENTS(ct_output_types))
			rc = ct_fail(err, "Bad parameter `%s'", *t);
		else if (strcmp(*t, "extended") == 0)
			f->extended = true;
		else
			rc = natsim_unimpl(err, "conntrack -o %s", *t);
	}
	g_strfreev(v);
	return rc;
}

/* -m MARK[/MASK] (conntrack-tools' parse_u32_mask). */
static int ct_parse_mark(const char *arg, struct ct_filter *f, GString *err)
{
	char *end;
	unsigned long long v = strtoull(arg, &end, 0), m = 0xffffffffull;
	if (end == arg || (*end && *end != '/') || v > 0xffffffffull)
		return ct_fail(err, "Bad parameter `%s'", arg);
	if (*end == '/') {
		const char *ms = end + 1;
		m = strtoull(ms, &end, 0);
		if (end == ms || *end || m > 0xffffffffull)
			return ct_fail(err, "Bad parameter `%s'", arg);
	}
	f->has_mark = true;
	f->mark_value = (uint32_t)v;
	f->mark_mask = (uint32_t)m;
	f->mark = (uint32_t)(v & m);
	return 0;
}

/* The expectation table (`conntrack -L|-C|-F|-S|-D expect`), as 1.4.7 shows
 * it on Linux 6.18: -L lists the live ones oldest first; -D wants the
 * expectation's whole tuple plus the reply ports (the tool's own demand),
 * and even when it deletes one says "0 expectations have been shown." and
 * exits 1, or "Operation failed: No such file or directory" when none
 * matches. -E shows nothing here: expectation events go to
 * conntrack-events.log with the others. */
static int ct_cmd_expect(struct nf_ns *ns, enum ct_command cmd, const struct ct_filter *f,
			 GString *out, GString *err, nf_time now)
{
	struct nf_ct_helper_net *h = ns->ct->help;
	unsigned n = 0;

	if (h)
		h->now = now;
	switch (cmd) {
	case CMD_LIST:
		for (unsigned i = 0; h && i < h->expects->len; i++) {
			const struct nf_ct_expect *e = g_ptr_array_index(h->expects, i);

			if (e->timeout <= now)
				continue;
			nf_ct_expect_format(ns, e, now, NULL, out);
			g_string_append_c(out, '\n');
			n++;
		}
		g_string_append_printf(err, CT_TOOL "%u expectations have been shown.\n", n);
		return 0;
	case CMD_COUNT:
		for (unsigned i = 0; h && i < h->expects->len; i++)
			n += ((const struct nf_ct_expect *)g_ptr_array_index(h->expects, i))->timeout > now;
		g_string_append_printf(out, "%u\n", n);
		return 0;
	case CMD_FLUSH:
		while (h && h->expects->len) {
			struct nf_ct_expect *e = g_ptr_array_index(h->expects, 0);

			nf_ct_unlink_expect(ns, e, now);
			g_free(e);
		}
		g_string_append(err, CT_TOOL "expectation table has been emptied.\n");
		return 0;
	case CMD_STATS:
		g_string_append_printf(out, "cpu=%-4u\texpect_new=%llu expect_create=%llu "
				       "expect_delete=%llu \n", 0u,
				       (unsigned long long)(h ? h->expect_new : 0),
				       (unsigned long long)(h ? h->expect_create : 0),
				       (unsigned long long)(h ? h->expect_delete : 0));
		return 0;
	case CMD_DELETE: {
		static const char *const need[] = { "--src", "--dst", NULL, NULL, "--sport",
						     "--dport", "--reply-port-src", "--reply-port-dst" };
		static const int order[] = { 0, 1, 4, 5, 6, 7 };

		for (unsigned k = 0; k < G_N_ELEMENTS(order); k++)
			if (!f->has[order[k]])
				return ct_fail(err, "You need to supply the `%s' option for this command",
					       need[order[k]]);
		for (unsigned i = 0; h && i < h->expects->len; i++) {
			struct nf_ct_expect *e = g_ptr_array_index(h->expects, i);

			if (e->timeout <= now || e->tuple.src != f->addr[0] ||
			    e->tuple.dst != f->addr[1] || e->tuple.sport != f->port[0] ||
			    e->tuple.dport != f->port[1] || (f->proto >= 0 && e->tuple.proto != f->proto))
				continue;
			nf_ct_unlink_expect(ns, e, now);
			g_free(e);
			g_string_append(err, CT_TOOL "0 expectations have been shown.\n");
			return 1;
		}
		g_string_append(err, CT_TOOL "Operation failed: No such file or directory\n");
		return 1;
	}
	default:
		return 0;
	}
}

int nf_cmd_conntrack(struct nf_ns *ns, int argc, char **argv, GString *out,
		     GString *err, bool dry_run, nf_time now)
{
	struct ct_filter f = { .proto = -1 };
	enum ct_command cmd = CMD_NONE;
	const char *table = "conntrack";
	bool any_option = false, any_filter = false;
	const char *first_option = NULL;
	const char *other_cmd = NULL;	/* -G, -I: not in natsim */

	if (argc <= 1) {
		g_string_append(out, ct_usage);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool found = false;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			g_string_append(out, ct_usage);
			return 0;
		}
		for (size_t c = 0; c < G_N_ELEMENTS(ct_cmds); c++) {
			if (strcmp(a, ct_cmds[c].s) == 0 || strcmp(a, ct_cmds[c].l) == 0) {
				if (cmd != CMD_NONE)
					return ct_fail(err, "%s", "Invalid commands combination");
				cmd = ct_cmds[c].c;
				if (cmd == CMD_OTHER)
					other_cmd = a;
				found = true;
				/* optional table name */
				if (i + 1 < argc && argv[i + 1][0] != '-')
					table = argv[++i];
			}
		}
		if (found)
			continue;
		if (strcmp(a, "-z") == 0 || strcmp(a, "--zero") == 0) {
			f.zero = true;
			continue;
		}
		for (size_t o = 0; o < G_N_ELEMENTS(ct_opts) && !found; o++) {
			const char *arg;
			int rc;
			bool is_port_proto = f.proto == 6 || f.proto == 17 || f.proto == 132 ||
					     f.proto == 33 || f.proto == 136;

			if (!((ct_opts[o].s && strcmp(a, ct_opts[o].s) == 0) ||
			      strcmp(a, ct_opts[o].l) == 0 ||
			      (ct_opts[o].l2 && strcmp(a, ct_opts[o].l2) == 0)))
				continue;
			if (ct_opts[o].port && !is_port_proto)
				break;	/* unknown option without a port protocol */
			if ((ct_opts[o].idx == -7 && f.proto != 6 && f.proto != 132) ||
			    (ct_opts[o].idx == -8 && f.proto != 1) ||
			    (ct_opts[o].idx == -9 && f.proto != 132) ||
			    (ct_opts[o].idx == -10 && f.proto != 47))
				break;	/* exists only after its -p */
			found = true;
			if (i + 1 >= argc)
				return ct_fail(err, "option `%s' requires an argument", a);
			arg = argv[++i];
			any_option = true;
			any_filter |= ct_opts[o].filter;
			if (!first_option)
				first_option = ct_opts[o].l;
			switch (ct_opts[o].idx) {
			case -1:
				f.proto = ct_parse_proto(arg);
				if (f.proto < 0)
					return ct_fail(err, "`%s' unsupported protocol", arg);
				break;
			case -2:
				break;
			case -3:
				rc = ct_parse_output(arg, &f, err);
				if (rc)
					return rc;
				break;
			case -4:
				if (strcmp(arg, "ipv6") == 0)
					f.ipv6 = true;
				else if (strcmp(arg, "ipv4") != 0)
					return ct_fail(err, "`%s' unsupported protocol", arg);
				break;
			case -5:
				if (ct_parse_mark(arg, &f, err))
					return 2;
				break;
			case -6: case -7: case -8: case -9: case -10:
				return natsim_unimpl(err, "conntrack %s", a);
			case -11: case -12: case -13:
				/* conntrack-tools: strtoul(optarg, NULL, 0) into a
				 * u16, unchecked ("abc" is zone 0) */
				f.has_zone[-11 - ct_opts[o].idx] = true;
				f.zone[-11 - ct_opts[o].idx] = (uint16_t)strtoul(arg, NULL, 0);
				break;
			default:
				if (ct_opts[o].idx < 4) {
					if (!ct_parse_ip(arg, &f.addr[ct_opts[o].idx]))
						return ct_fail(err, "Invalid IP address `%s'", arg);
				} else {
					f.port[ct_opts[o].idx - 4] = (uint16_t)strtoul(arg, NULL, 10);
				}
				f.has[ct_opts[o].idx] = true;
				break;
			}
		}
		if (!found)
			return ct_fail(err, "unknown option `%s'", a);
	}
	if ((cmd == CMD_STATS || cmd == CMD_COUNT || cmd == CMD_FLUSH) && any_option)
		return ct_fail(err, "Illegal option `%s' with this command", first_option);
	if (cmd == CMD_UPDATE && f.zero)
		return ct_fail(err, "Illegal option `%s' with this command", "--zero");
	if (cmd == CMD_NONE)
		return ct_fail(err, "%s", "no command specified");
	if (cmd == CMD_OTHER)
		return natsim_unimpl(err, "conntrack %s", other_cmd);
	if (f.zero && (cmd != CMD_LIST || strcmp(table, "conntrack") != 0))
		return ct_fail(err, "Illegal option `%s' with this command", "--zero");
	if (f.zero && any_filter)
		return ct_fail(err, "%s", "Can't use -z with filtering parameters");
	if (strcmp(table, "conntrack") != 0 && strcmp(table, "expect") != 0 &&
	    strcmp(table, "dying") != 0 && strcmp(table, "unconfirmed") != 0)
		return ct_fail(err, "unknown option `%s'", table);
	if (dry_run)
		return 0;

	if (strcmp(table, "expect") == 0)
		return ct_cmd_expect(ns, cmd, &f, out, err, now);
	if (strcmp(table, "conntrack") != 0) {
		/* nothing lingers dying or unconfirmed between two packets */
		if (cmd == CMD_LIST)
			g_string_append(err, strcmp(table, "expect") == 0 ?
				CT_TOOL "0 expectations have been shown.\n" :
				CT_TOOL "0 flow entries have been shown.\n");
		else if (cmd == CMD_COUNT)
			g_string_append(out, "0\n");
		else if (cmd == CMD_FLUSH)
			g_string_append(err, CT_TOOL "expectation table has been emptied.\n");
		return 0;
	}

	switch (cmd) {
	case CMD_LIST:
	case CMD_DELETE: {
		struct ct_list_ctx c = { .f = &f, .out = out, .now = now, .kill = cmd == CMD_DELETE };

		ct_table_reap_all(ns, now);
		ct_table_foreach(ns, ct_list_one, &c);
		g_string_append_printf(err, CT_TOOL "%u flow entries have been %s.\n", c.n,
				       cmd == CMD_LIST ? "shown" : "deleted");
		/* conntrack -D exits 1 when it deleted nothing */
		return cmd == CMD_DELETE && c.n == 0 ? 1 : 0;
	}
	case CMD_UPDATE: {
		struct ct_update_ctx c = { .f = &f };

		ct_table_reap_all(ns, now);
		ct_table_foreach(ns, ct_update_one, &c);
		if (c.refused) {
			g_string_append(err, "Operation failed: Operation not supported\n"
					CT_TOOL "Operation failed: Operation not supported\n");
			return 1;
		}
		/* nothing changed: "0 ... updated", and exit 1 as -D's none */
		g_string_append(err, CT_TOOL "0 flow entries have been updated.\n");
		return 1;
	}
	case CMD_FLUSH: {
		struct ct_list_ctx c = { .f = NULL, .out = NULL, .now = now, .kill = true };

		ct_table_reap_all(ns, now);
		ct_table_foreach(ns, ct_list_one, &c);
		ct_table_foreach_clash(ns, ct_list_one, &c);
		g_string_append(err, CT_TOOL "connection tracking table has been emptied.\n");
		return 0;
	}
	case CMD_COUNT:
		g_string_append_printf(out, "%u\n", nf_ct_count(ns, now));
		return 0;
	case CMD_STATS:
		g_string_append_printf(out,
			"cpu=%-4u\tfound=%llu invalid=%llu insert=%llu insert_failed=%llu "
			"drop=%llu early_drop=%llu error=%llu search_restart=%llu "
			"clash_resolve=%llu chaintoolong=%llu \n", 0u,
			(unsigned long long)ns->ct->stats.found, (unsigned long long)ns->ct->stats.invalid,
			(unsigned long long)ns->ct->stats.insert,
			(unsigned long long)ns->ct->stats.insert_failed,
			(unsigned long long)ns->ct->stats.drop, (unsigned long long)ns->ct->stats.early_drop,
			(unsigned long long)ns->ct->stats.error,
			(unsigned long long)ns->ct->stats.search_restart,
			(unsigned long long)ns->ct->stats.clash_resolve,
			(unsigned long long)ns->ct->stats.chaintoolong);
		return 0;
	case CMD_EVENT:
		/* events go to conntrack-events.log from the start of the run */
		return 0;
	default:
		return 0;
	}
}
