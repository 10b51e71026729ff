/* xt_owner.c - `-m owner [!] --uid-owner U[-U] [!] --gid-owner G[-G]
 * [--suppl-groups] [!] --socket-exists`: who sent a locally made packet.
 *
 * Mirrors libxt_owner.c (revision 1: a name from the node's /etc/passwd or
 * /etc/group, else a number or range, base 0, up to 4294967294; -L prints
 * a single id by its name unless -n, and the socket test first) and the
 * kernel's net/netfilter/xt_owner.c (OUTPUT and POSTROUTING only;
 * owner_check refuses a range whose end is below its start; owner_mt).
 *
 * Design: natsim's nodes have no users. The packet carries only which
 * kind of socket sent it (nf_skb.sk): an application's (every natsim
 * application runs as root: uid 0, gid 0, supplementary groups {0}), one of
 * the stack's own (ICMP, a closed port's RST: a socket without a file, so
 * only --socket-exists can match), or none (forwarded). The names are
 * those of a fresh Debian 12 (base-passwd, and apt's _apt).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nat/iptables/xt.h"

enum {
	XT_OWNER_UID = 1 << 0,
	XT_OWNER_GID = 1 << 1,
	XT_OWNER_SOCKET = 1 << 2,
	XT_OWNER_SUPPL_GROUPS = 1 << 3,
};

/* struct xt_owner_match_info */
struct xt_owner {
	uint32_t uid_min, uid_max, gid_min, gid_max;
	uint8_t match, invert;
};

enum { O_USER, O_GROUP, O_SOCK_EXISTS, O_SUPPL_GROUPS };

static const struct xt_option owner_opts[] = {
	{ "uid-owner", 1, O_USER }, { "gid-owner", 1, O_GROUP },
	{ "socket-exists", 0, O_SOCK_EXISTS }, { "suppl-groups", 0, O_SUPPL_GROUPS },
	{ NULL, 0, 0 },
};

struct owner_name { const char *name; uint32_t id; };

/* Debian 12's /etc/passwd and /etc/group as installed (base-passwd 3.6). */
static const struct owner_name owner_users[] = {
	{ "root", 0 }, { "daemon", 1 }, { "bin", 2 }, { "sys", 3 }, { "sync", 4 },
	{ "games", 5 }, { "man", 6 }, { "lp", 7 }, { "mail", 8 }, { "news", 9 },
	{ "uucp", 10 }, { "proxy", 13 }, { "www-data", 33 }, { "backup", 34 },
	{ "list", 38 }, { "irc", 39 }, { "_apt", 42 }, { "nobody", 65534 },
};
static const struct owner_name owner_groups[] = {
	{ "root", 0 }, { "daemon", 1 }, { "bin", 2 }, { "sys", 3 }, { "adm", 4 },
	{ "tty", 5 }, { "disk", 6 }, { "lp", 7 }, { "mail", 8 }, { "news", 9 },
	{ "uucp", 10 }, { "man", 12 }, { "proxy", 13 }, { "kmem", 15 }, { "dialout", 20 },
	{ "fax", 21 }, { "voice", 22 }, { "cdrom", 24 }, { "floppy", 25 }, { "tape", 26 },
	{ "sudo", 27 }, { "audio", 29 }, { "dip", 30 }, { "www-data", 33 }, { "backup", 34 },
	{ "operator", 37 }, { "list", 38 }, { "irc", 39 }, { "src", 40 }, { "shadow", 42 },
	{ "utmp", 43 }, { "video", 44 }, { "sasl", 45 }, { "plugdev", 46 }, { "staff", 50 },
	{ "games", 60 }, { "users", 100 }, { "nogroup", 65534 },
};

static const struct owner_name *owner_by_name(bool group, const char *name)
{
	const struct owner_name *t = group ? owner_groups : owner_users;
	unsigned n = group ? G_N_ELEMENTS(owner_groups) : G_N_ELEMENTS(owner_users);
	for (unsigned i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

static const char *owner_name_of(bool group, uint32_t id)
{
	const struct owner_name *t = group ? owner_groups : owner_users;
	unsigned n = group ? G_N_ELEMENTS(owner_groups) : G_N_ELEMENTS(owner_users);
	for (unsigned i = 0; i < n; i++)
		if (t[i].id == id)
			return t[i].name;
	return NULL;
}

/* xtables_strtoui(s, &end, v, 0, UINT32_MAX - 1): base 0, stops anywhere. */
static bool owner_strtoui(const char *s, const char **end, uint32_t *v)
{
	char *e;
	errno = 0;
	unsigned long long x = strtoull(s, &e, 0);
	if (e == s || errno || x > 0xfffffffeULL)
		return false;
	*v = (uint32_t)x;
	*end = e;
	return true;
}

/* owner_parse_range: N, N-M or N:M. */
static bool owner_parse_range(const char *s, uint32_t *from, uint32_t *to)
{
	const char *end;
	if (!owner_strtoui(s, &end, from))
		return false;
	*to = *from;
	if ((*end == '-' || *end == ':') && !owner_strtoui(end + 1, &end, to))
		return false;
	return *end == '\0';
}

static int owner_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_owner *o = data;
	static const char *const canon[] = { "uid-owner", "gid-owner", "socket-exists",
					      "suppl-groups" };
	int rc = xt_once(p, canon[id], id);
	if (!rc && id == O_SUPPL_GROUPS)
		rc = xt_noinvert(p, canon[id]);
	if (rc)
		return rc;
	switch (id) {
	case O_USER:
	case O_GROUP: {
		bool group = id == O_GROUP;
		const struct owner_name *nm = owner_by_name(group, arg);
		uint32_t from, to;
		if (nm)
			from = to = nm->id;
		else if (!owner_parse_range(arg, &from, &to))
			return xt_err(p, "owner: Bad value for \"--%s\" option: \"%s\"", canon[id], arg);
		uint8_t bit = group ? XT_OWNER_GID : XT_OWNER_UID;
		if (p->invert)
			o->invert |= bit;
		o->match |= bit;
		if (group) {
			o->gid_min = from;
			o->gid_max = to;
		} else {
			o->uid_min = from;
			o->uid_max = to;
		}
		break;
	}
	case O_SUPPL_GROUPS:
		if (!(o->match & XT_OWNER_GID))
			return xt_err(p, "owner: Bad value for \"--suppl-groups\" option: "
				      "\"you need to use --gid-owner first\"");
		o->match |= XT_OWNER_SUPPL_GROUPS;
		break;
	case O_SOCK_EXISTS:
		if (p->invert)
			o->invert |= XT_OWNER_SOCKET;
		o->match |= XT_OWNER_SOCKET;
		break;
	}
	return 0;
}

static int owner_final_check(struct xt_parse *p, const void *data)
{
	const struct xt_owner *o = data;
	if (!o->match)
		return xt_err(p, "owner: At least one of --uid-owner, --gid-owner or "
			      "--socket-exists is required");
	return 0;
}

/* owner_mt_print_item */
static void owner_item(GString *s, const struct xt_owner *o, const char *label, uint8_t flag,
		       bool numeric)
{
	if (!(o->match & flag))
		return;
	if (o->invert & flag)
		g_string_append(s, " !");
	g_string_append_printf(s, " %s", label);
	if (flag != XT_OWNER_UID && flag != XT_OWNER_GID)
		return;
	bool group = flag == XT_OWNER_GID;
	uint32_t lo = group ? o->gid_min : o->uid_min, hi = group ? o->gid_max : o->uid_max;
	if (lo != hi) {
		g_string_append_printf(s, " %u-%u", lo, hi);
		return;
	}
	const char *name = numeric ? NULL : owner_name_of(group, lo);
	if (name)
		g_string_append_printf(s, " %s", name);
	else
		g_string_append_printf(s, " %u", lo);
}

static void owner_print(GString *s, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_owner *o = data;
	(void)proto;
	owner_item(s, o, "owner socket exists", XT_OWNER_SOCKET, numeric);
	owner_item(s, o, "owner UID match", XT_OWNER_UID, numeric);
	owner_item(s, o, "owner GID match", XT_OWNER_GID, numeric);
	owner_item(s, o, "incl. suppl. groups", XT_OWNER_SUPPL_GROUPS, numeric);
}

static void owner_save(GString *s, const void *data)
{
	const struct xt_owner *o = data;
	owner_item(s, o, "--socket-exists", XT_OWNER_SOCKET, true);
	owner_item(s, o, "--uid-owner", XT_OWNER_UID, true);
	owner_item(s, o, "--gid-owner", XT_OWNER_GID, true);
	owner_item(s, o, "--suppl-groups", XT_OWNER_SUPPL_GROUPS, true);
}

/* owner_check: a range must not end below its start (no log line). */
static int owner_checkentry(const struct xt_check_param *par, const void *data, GString *klog)
{
	const struct xt_owner *o = data;
	(void)par;
	(void)klog;
	if ((o->match & XT_OWNER_UID) && o->uid_max < o->uid_min)
		return EINVAL;
	if ((o->match & XT_OWNER_GID) && o->gid_max < o->gid_min)
		return EINVAL;
	return 0;
}

/* owner_mt with natsim's one user: root, in group root only. */
static bool owner_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_owner *o = data;
	uint8_t sk = par->skb->sk;
	if (sk == NF_SK_NONE)
		return (o->match ^ o->invert) == 0;
	if (o->match & o->invert & XT_OWNER_SOCKET)
		return false;	/* a socket, and ! --socket-exists */
	if (sk == NF_SK_KERNEL)	/* no file; NF_SK_REQUEST: the listener's */
		return ((o->match ^ o->invert) & (XT_OWNER_UID | XT_OWNER_GID)) == 0;
	const uint32_t uid = 0, gid = 0;
	if (o->match & XT_OWNER_UID) {
		bool in = uid >= o->uid_min && uid <= o->uid_max;
		if (in ^ !(o->invert & XT_OWNER_UID))
			return false;
	}
	if (o->match & XT_OWNER_GID) {
		/* fsgid, or with --suppl-groups the groups {0}: the same */
		bool in = gid >= o->gid_min && gid <= o->gid_max;
		if (in ^ !(o->invert & XT_OWNER_GID))
			return false;
	}
	return true;
}

/* owner_mt_xlate: a lone --uid-owner or --gid-owner is nft's skuid / skgid
 * (a number or range, never a name); --socket-exists, --suppl-groups or
 * both ids together have no nft form (the rule is a comment). */
static bool owner_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_owner *o = data;
	(void)r;
	if (o->match != XT_OWNER_UID && o->match != XT_OWNER_GID)
		return false;
	bool group = o->match == XT_OWNER_GID;
	uint32_t lo = group ? o->gid_min : o->uid_min, hi = group ? o->gid_max : o->uid_max;
	xt_xlate_add(xl, "sk%sid %s", group ? "g" : "u", o->invert ? "!= " : "");
	if (lo != hi)
		xt_xlate_add(xl, "%u-%u", lo, hi);
	else
		xt_xlate_add(xl, "%u", lo);
	return true;
}

const struct xt_ops xt_owner_ops = {
	.name = "owner", .kind = XT_MATCH, .size = sizeof(struct xt_owner),
	.opts = owner_opts, .parse = owner_parse, .final_check = owner_final_check,
	.print = owner_print, .save = owner_save, .xlate = owner_xlate,
	.match = owner_mt, .checkentry = owner_checkentry,
	.hooks = 1u << NF_INET_LOCAL_OUT | 1u << NF_INET_POST_ROUTING,
};
