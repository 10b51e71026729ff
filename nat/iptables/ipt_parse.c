/* ipt_parse.c - the iptables command line: argv -> struct ipt_cmd.
 *
 * Mirrors iptables 1.8.9 (nf_tables backend) do_parse() in xshared.c, with
 * its error texts as the real tool prints them (checked against iptables
 * v1.8.9 in network namespaces). The extensions' own options are parsed
 * by their ops (nat/iptables/xt/, found through xt_registry.c).
 *
 * Design: long options are resolved the way getopt_long does it over the
 * option table iptables has at that moment: the main options, then the
 * target's options once -j was seen, then the options of each match
 * instance loaded so far, newest first (-m, or the -p protocol's match
 * loaded lazily at the first option nothing else knows). Every -m makes a
 * new instance, also of a match already loaded, and an option goes to the
 * newest instance that has it, so `-m conntrack --ctstate NEW -m conntrack
 * --ctstate DNAT` is two instances and each keeps its own "only once"
 * checks. Exact names win; a unique prefix (or prefixes that all name the
 * same option of the same instance) is accepted; anything else is `unknown
 * option`.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "nat/iptables/ipt.h"
#include "nat/iptables/xt.h"
#include "nat/core/unimpl.h"


/* iptables' own long options; the ids are the short letters, and
 * IPT_OPT_LINENUM for --line-numbers. */
enum { IPT_OPT_LINENUM = 256 };

static const struct xt_option ipt_main_opts[] = {
	{ "append", 1, 'A' }, { "delete", 1, 'D' }, { "check", 1, 'C' }, { "insert", 1, 'I' },
	{ "replace", 1, 'R' }, { "list", 2, 'L' }, { "list-rules", 2, 'S' }, { "flush", 2, 'F' },
	{ "zero", 2, 'Z' }, { "new-chain", 1, 'N' }, { "delete-chain", 2, 'X' },
	{ "rename-chain", 1, 'E' }, { "policy", 1, 'P' }, { "source", 1, 's' },
	{ "destination", 1, 'd' }, { "src", 1, 's' }, { "dst", 1, 'd' }, { "protocol", 1, 'p' },
	{ "in-interface", 1, 'i' }, { "jump", 1, 'j' }, { "table", 1, 't' }, { "match", 1, 'm' },
	{ "numeric", 0, 'n' }, { "out-interface", 1, 'o' }, { "verbose", 0, 'v' },
	{ "wait", 2, 'w' }, { "wait-interval", 2, 'W' }, { "exact", 0, 'x' },
	{ "fragments", 0, 'f' }, { "version", 0, 'V' }, { "help", 2, 'h' },
	{ "line-numbers", 0, IPT_OPT_LINENUM }, { "modprobe", 1, 'M' }, { "set-counters", 1, 'c' },
	{ "goto", 1, 'g' }, { "ipv4", 0, '4' }, { "ipv6", 0, '6' }, { NULL, 0, 0 },
};
/* Names a user chain may not take (-N): the standard targets and the
 * extensions Debian's iptables ships as targets. */
static const char *const ipt_target_names[] = {
	"ACCEPT", "DROP", "RETURN", "QUEUE", "REJECT", "LOG", "SNAT", "DNAT", "MASQUERADE",
	"REDIRECT", "CT", "NOTRACK", "MARK", "NFLOG", "NFQUEUE", "TCPMSS", "CONNMARK", "TRACE",
	"CLASSIFY", "DSCP", "TOS", "TTL", "NETMAP", "TEE", "AUDIT", "CHECKSUM", "SET", "TPROXY",
	"CONNSECMARK", "SECMARK", "HMARK", "IDLETIMER", "LED", "RATEEST", "SYNPROXY", "ECN",
	"CLUSTERIP", "TCPOPTSTRIP", "NFLOG", NULL,
};


/* Parse state: what do_parse keeps between options. */
struct ipt_pstate {
	struct ipt_cmd *cmd;
	struct ipt_rule *r;
	GString *msg;
	bool *noprefix;
	bool invert;
	unsigned options;	/* OPT_* seen */
	bool target_seen;	/* -j/-g given: the target's options join the table */
	bool proto_loaded;
	/* the options each match instance was given (bit per option id): the
	 * "can only be used once" checks are per instance (x6 mflags) */
	unsigned seen_once[IPT_MAX_MATCHES];
	unsigned target_once;
	bool xlate;		/* ipt_parse_xlate: -f and address lists are read */
};

enum {
	OPT_NUMERIC = 1 << 0, OPT_SOURCE = 1 << 1, OPT_DESTINATION = 1 << 2, OPT_PROTOCOL = 1 << 3,
	OPT_JUMP = 1 << 4, OPT_VERBOSE = 1 << 5, OPT_EXPANDED = 1 << 6, OPT_VIANAMEIN = 1 << 7,
	OPT_VIANAMEOUT = 1 << 8, OPT_LINENUMBERS = 1 << 9, OPT_COUNTERS = 1 << 10,
	OPT_FRAGMENT = 1 << 11,
};
static const char ipt_optflags[] = "nsdpjvxio0cf";

static int perr(struct ipt_pstate *ps, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static int perr(struct ipt_pstate *ps, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_string_vprintf(ps->msg, fmt, ap);
	va_end(ap);
	return 2;
}

/* Something real iptables accepts and natsim lacks: natsim's own message,
 * printed as it is (ipt_err_param). */
static int perr_unimpl(struct ipt_pstate *ps, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static int perr_unimpl(struct ipt_pstate *ps, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	int rc = natsim_unimpl(ps->msg, "%s", what);
	g_free(what);
	return rc;
}

/* ----- value parsers (libxtables) ----- */

static bool ipt_strtoul(const char *s, unsigned long max, unsigned long *out)
{
	if (!*s || !isdigit((unsigned char)*s))
		return false;
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

/* xtables_numeric_to_ipaddr: 1 to 4 dotted decimal components, missing
 * trailing ones are 0 ("10" = 10.0.0.0, as iptables reads it). */
static bool ipt_parse_ip(const char *s, uint32_t *out)
{
	uint32_t a = 0;
	int n = 0;
	const char *p = s;
	if (!*p)
		return false;
	while (*p) {
		if (n == 4 || !isdigit((unsigned char)*p))
			return false;
		unsigned v = 0;
		int digits = 0;
		while (isdigit((unsigned char)*p)) {
			v = v * 10 + (unsigned)(*p - '0');
			if (v > 255 || ++digits > 3)
				return false;
			p++;
		}
		a |= v << (24 - 8 * n);
		n++;
		if (*p == '.') {
			p++;
			if (!*p)
				return false;
		} else if (*p) {
			return false;
		}
	}
	*out = a;
	return true;
}

/* xtables_ipparse_any: ADDR[/MASK], MASK a prefix length or dotted. */
static int ipt_parse_addr(struct ipt_pstate *ps, const char *arg, uint32_t *addr, uint32_t *mask)
{
	char buf[256];
	g_strlcpy(buf, arg, sizeof(buf));
	char *slash = strchr(buf, '/');
	uint32_t m = 0xffffffffu;
	if (slash) {
		*slash++ = '\0';
		if (strchr(slash, '.')) {
			if (!ipt_parse_ip(slash, &m))
				return perr(ps, "host/network `%s' not found", slash);
		} else {
			unsigned long bits;
			if (!ipt_strtoul(slash, 32, &bits))
				return perr(ps, "invalid mask `%s' specified", slash);
			m = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
		}
	}
	uint32_t a;
	if (!ipt_parse_ip(buf, &a))
		return perr(ps, "host/network `%s' not found", buf);
	*addr = a & m;
	*mask = m;
	return 0;
}

/* xtables_ipparse_multiple, for iptables-translate: comma-separated
 * ADDR[/MASK], each kept as an address, mask pair. */
static int ipt_parse_addr_list(struct ipt_pstate *ps, const char *arg, GArray **out)
{
	gchar **parts = g_strsplit(arg, ",", -1);
	int rc = 0;
	*out = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	for (unsigned i = 0; parts[i] && !rc; i++) {
		uint32_t a = 0, m = 0;
		rc = ipt_parse_addr(ps, parts[i], &a, &m);
		g_array_append_val(*out, a);
		g_array_append_val(*out, m);
	}
	g_strfreev(parts);
	return rc;
}

/* xtables_parse_port with getservbyname for the rule's protocol. */
/* xtables_parse_port with getservbyname for the rule's protocol. */
static bool ipt_port_value(const char *s, uint8_t proto, uint16_t *out)
{
	unsigned long v;
	if (ipt_strtoul(s, 65535, &v)) {
		*out = (uint16_t)v;
		return true;
	}
	int p = ipt_service_port(s, proto);
	if (p < 0)
		return false;
	*out = (uint16_t)p;
	return true;
}

static int ipt_parse_iface(struct ipt_pstate *ps, const char *arg, char name[16], uint8_t *cmp)
{
	size_t n = strlen(arg);
	if (n > 15)
		return perr(ps, "interface name `%s' must be shorter than IFNAMSIZ (15)", arg);
	memset(name, 0, 16);
	memcpy(name, arg, n);
	if (n && arg[n - 1] == '+')
		*cmp = (uint8_t)(n - 1);
	else
		*cmp = (uint8_t)(n + 1);
	return 0;
}

/* ----- option machinery ----- */


/* ----- helpers for the extensions (xt.h) ----- */

int xt_err(struct xt_parse *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	g_string_vprintf(p->msg, fmt, ap);
	va_end(ap);
	return 2;
}

int xt_unimpl(GString *msg, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	int rc = natsim_unimpl(msg, "%s", what);
	g_free(what);
	return rc;
}

int xt_once(struct xt_parse *p, const char *canon, int id)
{
	unsigned bit = 1u << id;
	if (*p->once & bit)
		return xt_err(p, "%s: option \"--%s\" can only be used once.\n", p->ops->name, canon);
	*p->once |= bit;
	return 0;
}

int xt_noinvert(struct xt_parse *p, const char *canon)
{
	if (p->invert)
		return xt_err(p, "%s: option \"--%s\" cannot be inverted.\n", p->ops->name, canon);
	return 0;
}

bool xt_strtoul(const char *s, unsigned long max, unsigned long *out)
{
	return ipt_strtoul(s, max, out);
}

bool xt_strtoul0(const char *s, unsigned long max, unsigned long *out)
{
	const char *q = s;
	while (isspace((unsigned char)*q))
		q++;
	if (*q == '-')
		return false;
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 0);
	if (end == s || *end || errno || v > max)
		return false;
	*out = v;
	return true;
}

bool xt_parse_ip(const char *s, uint32_t *out)
{
	return ipt_parse_ip(s, out);
}

bool xt_port_value(const char *s, uint8_t proto, uint16_t *out)
{
	return ipt_port_value(s, proto, out);
}

/* ----- option machinery ----- */

/* A new instance of a match (xtables_find_match clones a match already
 * loaded: `-m conntrack ... -m conntrack ...` is two instances). */
static int ipt_load_match(struct ipt_pstate *ps, const struct xt_ops *ops)
{
	struct ipt_rule *r = ps->r;
	if (r->nmatches >= IPT_MAX_MATCHES)
		return perr(ps, "natsim: more than %d matches in one rule are not supported",
			    IPT_MAX_MATCHES);
	ps->seen_once[r->nmatches] = 0;
	ipt_rule_add_match(r, ops);
	return 0;
}

/* Who owns an option: the main options, a match instance, or the target. */
#define IPT_SLOT_MAIN (-1)
#define IPT_SLOT_TARGET (-2)

static const struct xt_option *ipt_slot_opts(const struct ipt_pstate *ps, int slot)
{
	if (slot == IPT_SLOT_MAIN)
		return ipt_main_opts;
	if (slot == IPT_SLOT_TARGET)
		return ps->r->t.ops ? ps->r->t.ops->opts : NULL;
	return ps->r->m[slot].ops->opts;
}

/* getopt_long's lookup over the current option set, in the order
 * xtables_merge_options builds it: the main options, then the target's,
 * then the newest loaded match first (so an option goes to the latest
 * instance of its match), and an abbreviation naming options of two
 * instances is ambiguous. *slot: IPT_SLOT_MAIN, IPT_SLOT_TARGET or a match
 * instance. */
static bool ipt_find_long(const struct ipt_pstate *ps, const char *name, size_t len,
			  int *slot, const struct xt_option **opt)
{
	int slots[IPT_MAX_MATCHES + 2];
	unsigned n = 0;
	slots[n++] = IPT_SLOT_MAIN;
	if (ps->target_seen)
		slots[n++] = IPT_SLOT_TARGET;
	for (int i = ps->r->nmatches - 1; i >= 0; i--)
		slots[n++] = i;
	const struct xt_option *found = NULL;
	int fslot = IPT_SLOT_MAIN;
	bool ambig = false;
	for (unsigned k = 0; k < n; k++) {
		const struct xt_option *o = ipt_slot_opts(ps, slots[k]);
		for (; o && o->name; o++) {
			if (strncmp(o->name, name, len) != 0)
				continue;
			if (strlen(o->name) == len) {
				*slot = slots[k];
				*opt = o;
				return true;
			}
			if (!found) {
				found = o;
				fslot = slots[k];
			} else if (fslot != slots[k] || found->id != o->id ||
				   found->has_arg != o->has_arg) {
				ambig = true;
			}
		}
	}
	if (!found || ambig)
		return false;
	*slot = fslot;
	*opt = found;
	return true;
}

static const struct { char c; int has_arg; } ipt_short_opts[] = {
	{ 'A', 1 }, { 'C', 1 }, { 'D', 1 }, { 'R', 1 }, { 'I', 1 }, { 'L', 2 }, { 'S', 2 },
	{ 'F', 2 }, { 'Z', 2 }, { 'N', 1 }, { 'X', 2 }, { 'E', 1 }, { 'P', 1 }, { 'V', 0 },
	{ 'h', 2 }, { 'o', 1 }, { 'p', 1 }, { 's', 1 }, { 'd', 1 }, { 'j', 1 }, { 'i', 1 },
	{ 'f', 0 }, { 'b', 0 }, { 'n', 0 }, { 't', 1 }, { 'v', 0 }, { 'w', 2 }, { 'W', 2 },
	{ 'x', 0 }, { 'm', 1 }, { 'c', 1 }, { 'g', 1 }, { '4', 0 }, { '6', 0 }, { 'M', 1 },
};

static bool ipt_is_number(const char *s, long *out)
{
	unsigned long v;
	if (!ipt_strtoul(s, 0x7fffffff, &v))
		return false;
	*out = (long)v;
	return true;
}

static int ipt_add_command(struct ipt_pstate *ps, char c)
{
	struct ipt_cmd *cmd = ps->cmd;
	if (cmd->cmd && !((cmd->cmd == 'L' && c == 'Z') || (cmd->cmd == 'Z' && c == 'L')))
		return perr(ps, "Cannot use -%c with -%c", c, cmd->cmd);
	if (cmd->cmd == 'Z' && c == 'L') {
		cmd->cmd = 'L';
		cmd->zero_too = true;
	} else if (cmd->cmd == 'L' && c == 'Z') {
		cmd->zero_too = true;
	} else {
		cmd->cmd = c;
	}
	if (ps->invert)
		return perr(ps, "unexpected ! flag before --%s", "command");
	return 0;
}

static int ipt_set_option(struct ipt_pstate *ps, unsigned opt, char letter)
{
	if (ps->options & opt)
		return perr(ps, "multiple -%c flags not allowed", letter);
	ps->options |= opt;
	if (ps->invert && !strchr("sdpiof", letter))
		return perr(ps, "cannot have ! before -%c", letter);
	return 0;
}


/* The parse context of one extension instance. */
static void ipt_xt_parse_init(struct ipt_pstate *ps, struct xt_parse *p, const struct xt_ops *ops,
			      unsigned *once, int argc, char **argv, int *next)
{
	*p = (struct xt_parse){ .ops = ops, .rule = ps->r, .invert = ps->invert, .msg = ps->msg,
				.argc = argc, .argv = argv, .next = next, .once = once };
}

/* One extension option (x6_parse of the libxt_* module) for the match
 * instance `slot` (or the target: IPT_SLOT_TARGET). */
static int ipt_ext_option(struct ipt_pstate *ps, int slot, const struct xt_option *o,
			  const char *arg, int argc, char **argv, int *next)
{
	struct xt_entry *e = slot >= 0 ? &ps->r->m[slot] : &ps->r->t;
	if (o->id >= XT_OPT_UNIMPL)
		return perr_unimpl(ps, "%s %s --%s", e->ops->kind == XT_TARGET ? "-j" : "-m",
				   e->ops->name, o->name);
	struct xt_parse p;
	ipt_xt_parse_init(ps, &p, e->ops, slot >= 0 ? &ps->seen_once[slot] : &ps->target_once,
			  argc, argv, next);
	return e->ops->parse(&p, o->id, arg, e->data);
}

/* The -j TARGET option. */
static int ipt_set_target(struct ipt_pstate *ps, const char *name, bool is_goto)
{
	struct ipt_rule *r = ps->r;
	int rc = ipt_set_option(ps, OPT_JUMP, is_goto ? 'g' : 'j');
	if (rc) {
		if (strstr(ps->msg->str, "multiple"))
			g_string_printf(ps->msg, "multiple -j flags not allowed");
		return rc;
	}
	ps->target_seen = true;
	/* xt_parse_target: XT_EXTENSION_MAXNAMELEN */
	if (strlen(name) >= 29)
		return perr(ps, "Invalid target name `%s' (28 chars max)", name);
	const struct xt_ops *ops = is_goto ? NULL : xt_find(name, XT_TARGET);
	if (ops) {
		ipt_rule_set_target(r, ops);
		if (ps->cmd->table == IPT_NAT && r->target == IPT_T_DROP)
			return perr(ps, "\nThe \"nat\" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n");
		return 0;
	}
	/* an extension target of Debian's iptables: loaded as one, never a chain */
	if (!is_goto && ipt_ext_is_target(name))
		return perr_unimpl(ps, "-j %s", name);
	r->target = is_goto ? IPT_T_GOTO : IPT_T_JUMP;
	g_free(ps->cmd->jump_name);
	ps->cmd->jump_name = g_strdup(name);
	return 0;
}

/* The extensions' final_check (x6_fcheck): the target's, then each
 * match instance's in order. */
static int ipt_ext_final(struct ipt_pstate *ps)
{
	struct ipt_rule *r = ps->r;
	struct xt_parse p;
	int rc;
	if (r->t.ops && r->t.ops->final_check) {
		ipt_xt_parse_init(ps, &p, r->t.ops, &ps->target_once, 0, NULL, NULL);
		if ((rc = r->t.ops->final_check(&p, r->t.data)))
			return rc;
	}
	for (unsigned i = 0; i < r->nmatches; i++) {
		const struct xt_entry *e = &r->m[i];
		if (!e->ops->final_check)
			continue;
		ipt_xt_parse_init(ps, &p, e->ops, &ps->seen_once[i], 0, NULL, NULL);
		if ((rc = e->ops->final_check(&p, e->data)))
			return rc;
	}
	return 0;
}

/* iptables-nft's refusals when it translates the matches (nft_check). */
static int ipt_ext_nft_check(struct ipt_pstate *ps)
{
	const struct ipt_rule *r = ps->r;
	for (unsigned i = 0; i < r->nmatches; i++) {
		const struct xt_entry *e = &r->m[i];
		int rc = e->ops->nft_check ? e->ops->nft_check(r, e->data, ps->msg) : 0;
		if (rc)
			return rc;
	}
	return 0;
}

static int ipt_protocol(struct ipt_pstate *ps, const char *arg)
{
	struct ipt_rule *r = ps->r;
	char low[64];
	g_strlcpy(low, arg, sizeof(low));
	for (char *p = low; *p; p++)
		*p = (char)g_ascii_tolower(*p);
	unsigned long v;
	if (strcmp(low, "all") == 0) {
		r->proto = 0;
	} else if (ipt_strtoul(low, 255, &v)) {
		r->proto = (uint8_t)v;
	} else {
		int n = ipt_proto_number(low);
		if (n < 0)
			return perr(ps, "unknown protocol \"%s\" specified", arg);
		r->proto = (uint8_t)n;
	}
	r->proto_inv = ps->invert;
	return 0;
}

static int ipt_main_option(struct ipt_pstate *ps, int val, const char *arg, const char *optname,
			   int argc, char **argv, int *next)
{
	struct ipt_cmd *cmd = ps->cmd;
	struct ipt_rule *r = ps->r;
	int rc;
	long num;
	switch (val) {
	case 'A': case 'C': case 'D': case 'I': case 'R': case 'N': case 'E': case 'P':
		if ((rc = ipt_add_command(ps, (char)val)))
			return rc;
		g_free(cmd->chain);
		cmd->chain = g_strdup(arg);
		if (val == 'D' && *next < argc && ipt_is_number(argv[*next], &num)) {
			cmd->rulenum = num;
			cmd->cmd = 'd'; /* delete by number */
			(*next)++;
			if (num == 0)
				return perr(ps, "Invalid rule number `%s'", argv[*next - 1]);
		} else if (val == 'I' && *next < argc && argv[*next][0] != '-' && argv[*next][0] != '!') {
			if (!ipt_is_number(argv[*next], &num) || num == 0)
				return perr(ps, "Invalid rule number `%s'", argv[*next]);
			cmd->rulenum = num;
			(*next)++;
		} else if (val == 'R') {
			if (*next >= argc || argv[*next][0] == '-' || argv[*next][0] == '!')
				return perr(ps, "-R requires a rule number");
			if (!ipt_is_number(argv[*next], &num) || num == 0)
				return perr(ps, "Invalid rule number `%s'", argv[*next]);
			cmd->rulenum = num;
			(*next)++;
		} else if (val == 'E' || val == 'P') {
			if (*next >= argc || argv[*next][0] == '-' || argv[*next][0] == '!') {
				if (val == 'E')
					return perr(ps, "-E requires old-chain-name and new-chain-name");
				return perr(ps, "-P requires a chain and a policy");
			}
			g_free(cmd->arg2);
			cmd->arg2 = g_strdup(argv[(*next)++]);
		}
		if (val == 'N' || val == 'E') {
			const char *name = val == 'N' ? arg : cmd->arg2;
			if (strlen(name) >= 29)
				return perr(ps, "chain name `%s' too long (must be under 29 chars)", name);
			if (name[0] == '-')
				return perr(ps, "chain name not allowed to start with `-'");
			for (unsigned i = 0; ipt_target_names[i]; i++)
				if (strcmp(name, ipt_target_names[i]) == 0)
					return perr(ps, "chain name may not clash with target name");
			for (const char *p = name; *p; p++)
				if (isspace((unsigned char)*p) || !isprint((unsigned char)*p))
					return perr(ps, "Invalid chain name `%s'", name);
		}
		return 0;
	case 'L': case 'S': case 'F': case 'Z': case 'X':
		if ((rc = ipt_add_command(ps, (char)val)))
			return rc;
		if (!arg && *next < argc && argv[*next][0] != '-' && argv[*next][0] != '!')
			arg = argv[(*next)++];
		if (arg) {
			g_free(cmd->chain);
			cmd->chain = g_strdup(arg);
			if ((val == 'L' || val == 'S' || val == 'Z') && *next < argc &&
			    argv[*next][0] != '-' && argv[*next][0] != '!') {
				if (!ipt_is_number(argv[*next], &num))
					return perr(ps, "Invalid rule number `%s'", argv[*next]);
				cmd->rulenum = num;
				(*next)++;
			}
		}
		return 0;
	case 'V':
		cmd->cmd = 'V';
		return 0;
	case 'h':
		cmd->cmd = 'h';
		return 0;
	case 's':
		if ((rc = ipt_set_option(ps, OPT_SOURCE, 's')))
			return rc;
		r->src_inv = ps->invert;
		if (ps->xlate && strchr(arg, ','))
			return ipt_parse_addr_list(ps, arg, &cmd->xlate_addrs[0]);
		return ipt_parse_addr(ps, arg, &r->src.ip, &r->smsk.ip);
	case 'd':
		if ((rc = ipt_set_option(ps, OPT_DESTINATION, 'd')))
			return rc;
		r->dst_inv = ps->invert;
		if (ps->xlate && strchr(arg, ','))
			return ipt_parse_addr_list(ps, arg, &cmd->xlate_addrs[1]);
		return ipt_parse_addr(ps, arg, &r->dst.ip, &r->dmsk.ip);
	case 'p':
		if ((rc = ipt_set_option(ps, OPT_PROTOCOL, 'p')))
			return rc;
		return ipt_protocol(ps, arg);
	case 'i':
		if ((rc = ipt_set_option(ps, OPT_VIANAMEIN, 'i')))
			return rc;
		r->in_inv = ps->invert;
		return ipt_parse_iface(ps, arg, r->in, &r->in_cmp);
	case 'o':
		if ((rc = ipt_set_option(ps, OPT_VIANAMEOUT, 'o')))
			return rc;
		r->out_inv = ps->invert;
		return ipt_parse_iface(ps, arg, r->out, &r->out_cmp);
	case 'f':
		if (ps->xlate) {
			if ((rc = ipt_set_option(ps, OPT_FRAGMENT, 'f')))
				return rc;
			cmd->frag = true;
			cmd->frag_inv = ps->invert;
			return 0;
		}
		return perr_unimpl(ps, "-f (second and further fragments)");
	case 'j':
	case 'g':
		if (ps->invert)
			return perr(ps, "cannot have ! before -%c", val);
		return ipt_set_target(ps, arg, val == 'g');
	case 'm': {
		if (ps->invert)
			return perr(ps, "unexpected ! flag before --match");
		const struct xt_ops *ops = xt_find(arg, XT_MATCH);
		if (ops) {
			if (ops->proto)
				ps->proto_loaded = true;
			return ipt_load_match(ps, ops);
		}
		if (ipt_ext_is_match(arg))
			return perr_unimpl(ps, "-m %s", arg);
		return perr(ps, "Couldn't load match `%s':No such file or directory\n", arg);
	}
	case 't':
		if (ps->invert)
			return perr(ps, "unexpected ! flag before --table");
		if (ipt_table_by_name(arg) < 0 && ipt_table_is_real(arg))
			return perr_unimpl(ps, "-t %s", arg);
		g_free(cmd->table_name); /* -t twice: the last one wins, as in iptables */
		cmd->table_name = g_strdup(arg);
		cmd->table = ipt_table_by_name(arg);
		return 0;
	case 'n':
		ps->options |= OPT_NUMERIC;
		cmd->numeric = true;
		return 0;
	case 'v':
		ps->options |= OPT_VERBOSE;
		cmd->verbose = true;
		return 0;
	case 'x':
		ps->options |= OPT_EXPANDED;
		cmd->exact = true;
		return 0;
	case IPT_OPT_LINENUM:
		ps->options |= OPT_LINENUMBERS;
		cmd->linenum = true;
		return 0;
	case 'w':
	case 'W':
		if (!arg && *next < argc && argv[*next][0] != '-' && argv[*next][0] != '!')
			(*next)++;
		return 0;
	case 'c':
		ps->options |= OPT_COUNTERS;
		if (*next >= argc)
			return perr(ps, "-c requires packet and byte counter");
		{
			unsigned long long p, b;
			char *e1, *e2;
			p = strtoull(arg, &e1, 10);
			b = strtoull(argv[*next], &e2, 10);
			if (*e1)
				return perr(ps, "-c packet counter not numeric");
			if (*e2)
				return perr(ps, "-c byte counter not numeric");
			r->packets = p;
			r->bytes = b;
			(*next)++;
		}
		return 0;
	case '4':
	case 'M':
		return 0;
	case '6':
		/* iptables-nft 1.8.9 refuses -6 with no text, only the "Try" line */
		*ps->noprefix = true;
		g_string_truncate(ps->msg, 0);
		return 2;
	default:
		(void)optname;
		return perr(ps, "unknown option \"%s\"", optname);
	}
}

/* Load the -p protocol's match when an option is unknown (command_default's
 * load_proto). Returns true if a new match was loaded. */
static bool ipt_load_proto(struct ipt_pstate *ps)
{
	if (ps->proto_loaded || !(ps->options & OPT_PROTOCOL))
		return false;
	const struct xt_ops *ops = xt_find_proto_match(ps->r->proto);
	if (!ops)
		return false;
	ps->proto_loaded = true;
	return ipt_load_match(ps, ops) == 0;
}

/* generic_opt_check: which options each command takes. */
static int ipt_opt_check(struct ipt_pstate *ps)
{
	static const char *const cmds = "IDdRALFZNXEPSC";
	static const char *const table[] = {
		/*   -n  -s  -d  -p  -j  -v  -x  -i  -o --line -c -f */
		"x     x  x  ",	/* I */
		"x     x  xx ",	/* D */
		"xxxxx xxxxxx",	/* d */
		"x     x  x  ",	/* R */
		"x     x  x  ",	/* A */
		" xxxx  xx xx",	/* L */
		"xxxxx xxxxxx",	/* F */
		"xxxxx xxxxxx",	/* Z */
		"xxxxx xxxxxx",	/* N */
		"xxxxx xxxxxx",	/* X */
		"xxxxx xxxxxx",	/* E */
		"xxxxx xxxx x",	/* P */
		"xxxxx xxxxxx",	/* S */
		"x     x  xx ",	/* C */
	};
	const char *pos = strchr(cmds, ps->cmd->cmd);
	if (!pos)
		return 0;
	const char *row = table[pos - cmds];
	for (unsigned i = 0; i < 12; i++) {
		if (!(ps->options & (1u << i)) || row[i] != 'x')
			continue;
		if (ps->cmd->cmd == 'L' && ps->cmd->zero_too && i == 5)
			continue;
		if (ipt_optflags[i] == '0')
			return perr(ps, "Illegal option `--line-numbers' with this command");
		return perr(ps, "Illegal option `-%c' with this command", ipt_optflags[i]);
	}
	return 0;
}

void ipt_cmd_clear(struct ipt_cmd *cmd)
{
	g_free(cmd->chain);
	g_free(cmd->arg2);
	g_free(cmd->jump_name);
	g_free(cmd->table_name);
	for (unsigned i = 0; i < 2; i++)
		if (cmd->xlate_addrs[i])
			g_array_free(cmd->xlate_addrs[i], TRUE);
	ipt_rule_free(cmd->rule);
	memset(cmd, 0, sizeof(*cmd));
}

static int ipt_parse_mode(int argc, char **argv, int default_table, struct ipt_cmd *cmd,
			  GString *msg, bool *noprefix, bool xlate)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->table = default_table;
	cmd->rule = g_new0(struct ipt_rule, 1);
	*noprefix = false;
	struct ipt_pstate ps = { .cmd = cmd, .r = cmd->rule, .msg = msg, .noprefix = noprefix,
				 .xlate = xlate };
	int rc = 0;
	int i = 1;
	while (i < argc && !rc) {
		const char *a = argv[i++];
		if (strcmp(a, "!") == 0) {
			if (ps.invert)
				return perr(&ps, "multiple consecutive ! not allowed");
			ps.invert = true;
			continue;
		}
		if (a[0] == '-' && a[1] == '-' && a[2]) {
			char name[64];
			const char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			g_strlcpy(name, a + 2, MIN(len + 1, sizeof(name)));
			int slot;
			const struct xt_option *o;
			bool found = ipt_find_long(&ps, name, strlen(name), &slot, &o);
			if (!found && ipt_load_proto(&ps))
				found = ipt_find_long(&ps, name, strlen(name), &slot, &o);
			if (!found)
				return perr(&ps, "unknown option \"%s\"", a);
			const char *arg = eq ? eq + 1 : NULL;
			if (o->has_arg == 1 && !arg) {
				if (i >= argc)
					return perr(&ps, "option \"%s\" requires an argument", a);
				arg = argv[i++];
			}
			if (arg && strcmp(arg, "!") == 0 && o->has_arg == 1 && i < argc) {
				/* `--option ! value`: the old intrapositioned negation,
				 * refused since iptables 1.6: the value is a stray argument */
				g_string_printf(msg, "Bad argument `%s'", argv[i]);
				*noprefix = true;
				return 2;
			}
			if (slot == IPT_SLOT_MAIN)
				rc = ipt_main_option(&ps, o->id, arg, a, argc, argv, &i);
			else
				rc = ipt_ext_option(&ps, slot, o, arg, argc, argv, &i);
			ps.invert = false;
			continue;
		}
		if (a[0] == '-' && a[1]) {
			for (int j = 1; a[j] && !rc; j++) {
				char c = a[j];
				int has_arg = -1;
				for (unsigned k = 0; k < G_N_ELEMENTS(ipt_short_opts); k++)
					if (ipt_short_opts[k].c == c)
						has_arg = ipt_short_opts[k].has_arg;
				if (has_arg < 0) {
					char opt[3] = { '-', c, 0 };
					return perr(&ps, "unknown option \"%s\"", opt);
				}
				const char *arg = NULL;
				if (has_arg && a[j + 1]) {
					/* iptables reads -s/-d from argv[optind-1]: the whole word */
					arg = (c == 's' || c == 'd') ? a : a + j + 1;
				} else if (has_arg == 1) {
					if (i >= argc)
						return perr(&ps, "option \"-%c\" requires an argument", c);
					arg = argv[i++];
				}
				if (arg && strcmp(arg, "!") == 0 && has_arg == 1 && strchr("sdpio", c)) {
					if (i < argc) {
						g_string_printf(msg, "Bad argument `%s'", argv[i]);
						*noprefix = true;
						return 2;
					}
				}
				char optname[3] = { '-', c, 0 };
				rc = ipt_main_option(&ps, c, arg, optname, argc, argv, &i);
				if (arg)
					break;
			}
			ps.invert = false;
			continue;
		}
		g_string_printf(msg, "Bad argument `%s'", a);
		*noprefix = true;
		return 2;
	}
	if (rc)
		return rc;
	if (ps.invert)
		return perr(&ps, "unexpected ! flag");
	if (!cmd->cmd)
		return perr(&ps, "no command specified");
	if (cmd->cmd == 'V' || cmd->cmd == 'h')
		return 0;
	if ((cmd->xlate_addrs[0] || cmd->xlate_addrs[1]) && (cmd->rule->src_inv || cmd->rule->dst_inv))
		return perr(&ps, "! not allowed with multiple source or destination IP addresses");
	if ((rc = ipt_opt_check(&ps)))
		return rc;
	if (cmd->cmd == 'P' && cmd->table == IPT_NAT && strcmp(cmd->arg2, "DROP") == 0)
		return perr(&ps, "\nThe \"nat\" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n");
	if (cmd->chain && cmd->cmd != 'N' && cmd->cmd != 'E' && strlen(cmd->chain) >= 29 &&
	    cmd->cmd != 'L' && cmd->cmd != 'S')
		return perr(&ps, "chain name `%s' too long (must be under 29 chars)", cmd->chain);
	if (strchr("ACDIRd", cmd->cmd)) {
		if ((rc = ipt_ext_final(&ps)))
			return rc;
		/* -i with OUTPUT/POSTROUTING, -o with INPUT/PREROUTING */
		if (cmd->rule->in[0] && cmd->chain &&
		    (strcmp(cmd->chain, "OUTPUT") == 0 || strcmp(cmd->chain, "POSTROUTING") == 0))
			return perr(&ps, "Can't use -i with %s\n", cmd->chain);
		if (cmd->rule->out[0] && cmd->chain &&
		    (strcmp(cmd->chain, "INPUT") == 0 || strcmp(cmd->chain, "PREROUTING") == 0))
			return perr(&ps, "Can't use -o with %s\n", cmd->chain);
		if (!xlate && (rc = ipt_ext_nft_check(&ps)))
			return rc;
		if (!(ps.options & OPT_SOURCE))
			cmd->rule->src.ip = cmd->rule->smsk.ip = 0;
		if (!(ps.options & OPT_DESTINATION))
			cmd->rule->dst.ip = cmd->rule->dmsk.ip = 0;
	}
	return 0;
}

int ipt_parse(int argc, char **argv, int default_table, struct ipt_cmd *cmd,
	      GString *msg, bool *noprefix)
{
	return ipt_parse_mode(argc, argv, default_table, cmd, msg, noprefix, false);
}

int ipt_parse_xlate(int argc, char **argv, int default_table, struct ipt_cmd *cmd,
		    GString *msg, bool *noprefix)
{
	return ipt_parse_mode(argc, argv, default_table, cmd, msg, noprefix, true);
}
