/* ip_set_cmd.c - the `ipset` command: ipset 7.17's parser, its list and
 * save texts, restore, and its messages and exit statuses.
 *
 * Mirrors ipset 7.17's src/ipset.c and lib/ (session.c, print.c, parse.c,
 * errcode.c): global options anywhere on the line (-exist/-!, -output
 * plain|save, -quiet, -name, -terse, -sorted, -resolve, -file), the
 * commands with their one-letter and -X aliases, per-type create and add
 * options, "ipset v7.17: " errors (exit 1 for what the kernel refused or a
 * value that does not parse, 2 with "Try `ipset help'" for a command line
 * that is wrong), test's "Warning: X is in set S." (0) and "X is NOT in set
 * S." (1) on stderr, restore's "Error in line N: ".
 *
 * Design: the kernel's side is ip_set_core.c's; this file only reads and
 * writes text. A dry run (the scenario's parse) checks the command line
 * alone: whether a set exists depends on the commands before it.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "nat/core/nf_ns.h"
#include "nat/core/unimpl.h"
#include "nat/ipset/ip_set.h"
#include "nat/ipset/nf_ipset.h"

#define IPSET_PFX "ipset " IPSET_VERSION ": "
#define IPSET_TRY "Try `ipset help' for more information.\n"

enum ipset_cmd_id {
	C_NONE, C_CREATE, C_ADD, C_DEL, C_TEST, C_DESTROY, C_LIST, C_SAVE, C_FLUSH, C_RENAME,
	C_SWAP, C_RESTORE, C_VERSION, C_HELP,
};

static const struct {
	const char *name, *alias, *dash;
	enum ipset_cmd_id id;
} ipset_cmds[] = {
	{ "create", "n", "-N", C_CREATE }, { "add", "a", "-A", C_ADD }, { "del", "d", "-D", C_DEL },
	{ "test", "t", "-T", C_TEST }, { "destroy", "x", "-X", C_DESTROY },
	{ "list", "l", "-L", C_LIST }, { "save", "s", "-S", C_SAVE }, { "flush", "f", "-F", C_FLUSH },
	{ "rename", "e", "-E", C_RENAME }, { "swap", "w", "-W", C_SWAP },
	{ "restore", "r", "-R", C_RESTORE }, { "version", "v", "-V", C_VERSION },
	{ "help", "h", "-H", C_HELP },
};

/* One command line's state (struct ipset_session, reduced). */
struct ipset_run {
	struct nf_ns *ns;
	GString *out, *err;
	bool dry_run, exist, quiet, names, terse, save_mode, sorted;
	nf_time now;
	int line;		/* restore: the line (0: a command line) */
	const char *file;	/* -file */
};

/* "ipset v7.17: MSG" and, for a command-line problem, the hint; in
 * restore, the line of a refused command */
static int ipset_fail(struct ipset_run *r, int rc, const char *msg)
{
	if (r->quiet && rc == 1)
		return rc;
	if (r->line && rc == 1)
		g_string_append_printf(r->err, IPSET_PFX "Error in line %d: %s\n", r->line, msg);
	else
		g_string_append_printf(r->err, IPSET_PFX "%s\n", msg);
	if (rc == 2)
		g_string_append(r->err, IPSET_TRY);
	return rc;
}

static int ipset_failf(struct ipset_run *r, int rc, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static int ipset_failf(struct ipset_run *r, int rc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	rc = ipset_fail(r, rc, m);
	g_free(m);
	return rc;
}

/* A message from the core or a type: natsim's own voice is not prefixed. */
static int ipset_fail_msg(struct ipset_run *r, GString *msg)
{
	if (g_str_has_prefix(msg->str, "natsim:")) {
		g_string_append_printf(r->err, "%s\n", msg->str);
		return 1;
	}
	return ipset_fail(r, 1, msg->str);
}

/* ipset's number options: "'X' is invalid as number", "out of range" */
static int ipset_number(struct ipset_run *r, const char *s, unsigned long max, unsigned long *v)
{
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 0);
	if (!*s || *end || errno || s[0] == '-')
		return ipset_failf(r, 1, "Syntax error: '%s' is invalid as number", s);
	if (x > max)
		return ipset_failf(r, 1, "Syntax error: '%s' is out of range 0-%lu", s, max);
	*v = (unsigned long)x;
	return 0;
}

/* The option's value, or ipset's "Missing mandatory argument of option" */
static int ipset_optarg(struct ipset_run *r, int argc, char **argv, int *i, const char **v)
{
	if (*i + 1 >= argc)
		return ipset_failf(r, 2, "Missing mandatory argument of option `%s'", argv[*i]);
	*v = argv[++*i];
	return 0;
}

/* ----- create ----- */

static int ipset_create(struct ipset_run *r, const char *name, const char *tname, int argc,
			char **argv)
{
	const struct ip_set_type *t = ip_set_type_find(tname);
	if (!t)
		return ipset_failf(r, 1, "Syntax error: typename '%s' is unknown", tname);
	struct ip_set_create_opts o = { .hashsize = 1024, .maxelem = 65536, .size = 8,
					.bucketsize = t->hash ? 12 : 0 };
	bool have_range = false;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		unsigned long n;
		int rc;
		if (strcmp(a, "timeout") == 0) {
			if ((rc = ipset_optarg(r, argc, argv, &i, &v)) || (rc = ipset_number(r, v, 2147483, &n)))
				return rc;
			o.has_timeout = true;
			o.timeout = (uint32_t)n;
		} else if (strcmp(a, "counters") == 0) {
			o.counters = true;
		} else if (strcmp(a, "comment") == 0) {
			o.comment = true;
		} else if (t->hash && strcmp(a, "family") == 0) {
			if ((rc = ipset_optarg(r, argc, argv, &i, &v)))
				return rc;
			if (strcmp(v, "inet") == 0 || strcmp(v, "ipv4") == 0 || strcmp(v, "-4") == 0)
				o.inet6 = false;
			else if (strcmp(v, "inet6") == 0 || strcmp(v, "ipv6") == 0 || strcmp(v, "-6") == 0)
				o.inet6 = true;
			else
				return ipset_failf(r, 1, "Syntax error: unknown INET family %s", v);
		} else if (t->hash && (strcmp(a, "-4") == 0 || strcmp(a, "-6") == 0)) {
			o.inet6 = a[1] == '6';
		} else if (t->hash && strcmp(a, "hashsize") == 0) {
			if ((rc = ipset_optarg(r, argc, argv, &i, &v)) || (rc = ipset_number(r, v, 0xffffffffu, &n)))
				return rc;
			/* the kernel's minimum and htable_bits' power of two */
			uint32_t h = 64;
			while (h < n && h < 0x80000000u)
				h <<= 1;
			o.hashsize = h;
		} else if (t->hash && strcmp(a, "maxelem") == 0) {
			if ((rc = ipset_optarg(r, argc, argv, &i, &v)) || (rc = ipset_number(r, v, 0xffffffffu, &n)))
				return rc;
			o.maxelem = (uint32_t)n;
		} else if (t->list && strcmp(a, "size") == 0) {
			if ((rc = ipset_optarg(r, argc, argv, &i, &v)) || (rc = ipset_number(r, v, 0xffffffffu, &n)))
				return rc;
			o.size = n < 4 ? 4 : (uint32_t)n;	/* IP_SET_LIST_MIN_SIZE */
		} else if (t == &ip_set_bitmap_port && strcmp(a, "range") == 0) {
			if ((rc = ipset_optarg(r, argc, argv, &i, &v)))
				return rc;
			uint8_t proto;
			GString *m = g_string_new(NULL);
			rc = ip_set_parse_proto_port(v, &proto, &o.first, &o.last, m);
			if (rc)
				ipset_fail(r, 1, m->str);
			g_string_free(m, TRUE);
			if (rc)
				return 1;
			have_range = true;
		} else if (t->hash && strcmp(a, "bucketsize") == 0) {
			if ((rc = ipset_optarg(r, argc, argv, &i, &v)) || (rc = ipset_number(r, v, 255, &n)))
				return rc;
			/* the kernel's: even, at least 2, at most AHASH_MAX_SIZE 12 */
			o.bucketsize = n < 2 ? 2 : n > 12 ? 12 : (uint32_t)((n + 1) & ~1ul);
		} else if (t->hash && strcmp(a, "initval") == 0) {
			if ((rc = ipset_optarg(r, argc, argv, &i, &v)) || (rc = ipset_number(r, v, 0xffffffffu, &n)))
				return rc;
			o.has_initval = true;
			o.initval = (uint32_t)n;
		} else if ((t->hash && (strcmp(a, "netmask") == 0 || strcmp(a, "markmask") == 0)) ||
			   strcmp(a, "forceadd") == 0 || strcmp(a, "skbinfo") == 0) {
			g_string_append_printf(r->err, "natsim: ipset create option %s is not implemented\n", a);
			return 1;
		} else {
			return ipset_failf(r, 2, "Unknown argument: `%s'", a);
		}
	}
	if (t == &ip_set_bitmap_port && !have_range)
		return ipset_fail(r, 2, "Mandatory option `range' is missing");
	if (r->dry_run)
		return 0;
	GString *m = g_string_new(NULL);
	int rc = ip_set_create(r->ns, name, t, &o, r->exist, m);
	if (rc)
		ipset_fail(r, 1, m->str);
	g_string_free(m, TRUE);
	return rc;
}

/* ----- add, del, test ----- */

/* The element text of test's messages: the address part as typed, the
 * rest as ipset prints it (10.0.0.5,22 is "10.0.0.5,tcp:22") */
static void ipset_test_text(GString *o, const struct ip_set *set, const char *arg,
			    const struct ip_set_elem *e)
{
	const char *comma = strchr(arg, ',');
	if (!comma || set->b->type == &ip_set_hash_netiface) {
		g_string_append(o, arg);
		return;
	}
	g_string_append_len(o, arg, comma - arg);
	g_string_append_c(o, ',');
	ip_set_print_proto_port(o, e->proto, e->port);
}

/* add's options (timeout, packets, bytes, comment, nomatch) into ext:
 * their syntax does not depend on the set */
struct ipset_adt_opts {
	struct ip_set_elem ext;
	bool has_timeout, has_counters, has_comment, nomatch;
};

static int ipset_adt_options(struct ipset_run *r, enum ipset_cmd_id cmd, int argc, char **argv,
			     struct ipset_adt_opts *o)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = NULL;
		unsigned long n;
		int rc;
		if (cmd == C_ADD && strcmp(a, "timeout") == 0) {
			if ((rc = ipset_optarg(r, argc, argv, &i, &v)) || (rc = ipset_number(r, v, 2147483, &n)))
				return rc;
			o->ext.expires = n;
			o->has_timeout = true;
		} else if (cmd == C_ADD && (strcmp(a, "packets") == 0 || strcmp(a, "bytes") == 0)) {
			if ((rc = ipset_optarg(r, argc, argv, &i, &v)) ||
			    (rc = ipset_number(r, v, ULONG_MAX, &n)))
				return rc;
			if (a[0] == 'p')
				o->ext.packets = n;
			else
				o->ext.bytes = n;
			o->has_counters = true;
		} else if (cmd == C_ADD && strcmp(a, "comment") == 0) {
			if ((rc = ipset_optarg(r, argc, argv, &i, &v)))
				return rc;
			/* ipset_parse_comment */
			if (strchr(v, '"'))
				return ipset_fail(r, 1, "Syntax error: \" character is not permitted in comments");
			if (strlen(v) > 255)
				return ipset_fail(r, 1, "Syntax error: Comment is longer than the maximum allowed 255 characters");
			g_free(o->ext.comment);
			o->ext.comment = g_strdup(v);
			o->has_comment = true;
		} else if (cmd != C_DEL && strcmp(a, "nomatch") == 0) {
			o->nomatch = true;
		} else if (strcmp(a, "before") == 0 || strcmp(a, "after") == 0) {
			g_string_append_printf(r->err, "natsim: ipset list:set %s is not implemented\n", a);
			return 1;
		} else {
			return ipset_failf(r, 2, "Unknown argument: `%s'", a);
		}
	}
	return 0;
}

static int ipset_adt(struct ipset_run *r, enum ipset_cmd_id cmd, const char *name,
		     const char *arg, int argc, char **argv)
{
	struct ipset_adt_opts o = { .ext = { .expires = UINT32_MAX, .packets = UINT64_MAX,
					     .bytes = UINT64_MAX } };
	int orc = ipset_adt_options(r, cmd, argc, argv, &o);
	struct ip_set_elem ext = o.ext;
	bool has_timeout = o.has_timeout, has_counters = o.has_counters,
	     has_comment = o.has_comment, nomatch = o.nomatch;
	if (orc) {
		g_free(ext.comment);
		return orc;
	}
	if (r->dry_run) {
		g_free(ext.comment);
		return 0;
	}
	int rc = 0;
	GString *m = g_string_new(NULL);
	GArray *elems = g_array_new(FALSE, TRUE, sizeof(struct ip_set_elem));
	struct ip_set *set = ip_set_lookup(r->ns, name);
	if (!set) {
		rc = ipset_fail(r, 1, "The set with the given name does not exist");
		goto out;
	}
	const struct ip_set_body *b = set->b;
	if (b->o.inet6) {
		g_string_append(r->err, "natsim: ipset elements of a family inet6 set are not implemented\n");
		rc = 1;
		goto out;
	}
	if (nomatch && !b->type->nets) {
		rc = ipset_fail(r, 2, "Unknown argument: `nomatch'");
		goto out;
	}
	if (b->type->parse(r->ns, set, arg, cmd == C_TEST, elems, m)) {
		rc = ipset_fail_msg(r, m);
		goto out;
	}
	if (has_timeout && !b->o.has_timeout) {
		rc = ipset_fail(r, 1, "Timeout cannot be used: set was created without timeout support");
		goto out;
	}
	if (has_counters && !b->o.counters) {
		rc = ipset_fail(r, 1, "Packet/byte counters cannot be used: set was created without counter support");
		goto out;
	}
	if (has_comment && !b->o.comment) {
		rc = ipset_fail(r, 1, "Comment cannot be used: set was created without comment support");
		goto out;
	}
	if (cmd == C_TEST) {
		struct ip_set_elem *e = &g_array_index(elems, struct ip_set_elem, 0);
		ip_set_expire(set, r->now);
		int i = e->member || !b->type->list ? ip_set_elem_lookup(set, e) : -1;
		bool in = i >= 0 && !g_array_index(b->elems, struct ip_set_elem, i).nomatch;
		if (!r->quiet) {
			GString *t = g_string_new(NULL);
			ipset_test_text(t, set, arg, e);
			if (in)
				g_string_append_printf(r->err, "Warning: %s is in set %s.\n", t->str, name);
			else
				g_string_append_printf(r->err, "%s is NOT in set %s.\n", t->str, name);
			g_string_free(t, TRUE);
		}
		rc = in ? 0 : 1;
		goto out;
	}
	for (unsigned k = 0; k < elems->len && !rc; k++) {
		struct ip_set_elem *e = &g_array_index(elems, struct ip_set_elem, k);
		if (cmd == C_ADD) {
			e->expires = ext.expires;
			e->packets = ext.packets == UINT64_MAX ? 0 : ext.packets;
			e->bytes = ext.bytes == UINT64_MAX ? 0 : ext.bytes;
			e->comment = ext.comment;
			e->nomatch = nomatch;
			int i = ip_set_find(set, e);
			if (i >= 0 && r->exist && !has_counters) {
				/* ip_set_init_counter: counters not given stay */
				const struct ip_set_elem *x = &g_array_index(b->elems, struct ip_set_elem, i);
				e->packets = x->packets;
				e->bytes = x->bytes;
			}
			int err = ip_set_elem_add(set, e, r->exist, r->now);
			e->comment = NULL;
			if (err == -EEXIST)
				rc = ipset_fail(r, 1, "Element cannot be added to the set: it's already added");
			else if (err == -ERANGE)
				rc = ipset_fail(r, 1, b->type->list ? "The list:set is full, more elements cannot be added"
							   : "Hash is full, cannot add more elements");
		} else if (ip_set_elem_del(set, e) && !r->exist) {
			rc = ipset_fail(r, 1, "Element cannot be deleted from the set: it's not added");
		}
	}
out:
	g_free(ext.comment);
	g_array_free(elems, TRUE);
	g_string_free(m, TRUE);
	return rc;
}

/* ----- list and save ----- */

static void ipset_print_elem(GString *o, const struct ip_set *set, const struct ip_set_elem *e,
			     nf_time now)
{
	const struct ip_set_create_opts *c = &set->b->o;
	set->b->type->print(o, e);
	if (c->has_timeout)
		g_string_append_printf(o, " timeout %u", e->expires ? ip_set_timeout_left(e->expires, now) : 0);
	if (e->nomatch)
		g_string_append(o, " nomatch");
	if (c->counters)
		g_string_append_printf(o, " packets %" G_GUINT64_FORMAT " bytes %" G_GUINT64_FORMAT,
				       e->packets, e->bytes);
	if (c->comment && e->comment) {
		g_string_append(o, " comment ");
		g_string_append_c(o, '"');
		g_string_append(o, e->comment);
		g_string_append_c(o, '"');
	}
}

static gint ipset_port_cmp(gconstpointer a, gconstpointer b)
{
	const struct ip_set_elem *x = *(struct ip_set_elem *const *)a, *y = *(struct ip_set_elem *const *)b;
	return (int)x->port - (int)y->port;
}

/* -sorted: by address, then port and protocol; of two prefixes of one
 * address the longer first (as ipset 7.17 printed them) */
static gint ipset_sorted_cmp(gconstpointer a, gconstpointer b)
{
	const struct ip_set_elem *x = *(struct ip_set_elem *const *)a, *y = *(struct ip_set_elem *const *)b;
	if (x->ip != y->ip)
		return x->ip < y->ip ? -1 : 1;
	if (x->port != y->port)
		return (int)x->port - (int)y->port;
	if (x->proto != y->proto)
		return (int)x->proto - (int)y->proto;
	if (x->cidr != y->cidr)
		return (int)y->cidr - (int)x->cidr;
	if (x->member && y->member)
		return strcmp(x->member->name, y->member->name);
	return strcmp(x->iface, y->iface);
}

/* The members in the order Linux lists them: a bitmap by bit, others as
 * added (Linux: bucket order), or -sorted. */
static GPtrArray *ipset_members(const struct ip_set *set, bool sorted)
{
	GPtrArray *m = g_ptr_array_new();
	for (unsigned i = 0; i < set->b->elems->len; i++)
		g_ptr_array_add(m, &g_array_index(set->b->elems, struct ip_set_elem, i));
	if (set->b->type == &ip_set_bitmap_port)
		g_ptr_array_sort(m, ipset_port_cmp);
	else if (sorted && !set->b->type->list)
		g_ptr_array_sort(m, ipset_sorted_cmp);
	return m;
}

static void ipset_list_one(struct ipset_run *r, struct ip_set *set, bool first)
{
	GString *o = r->out;
	ip_set_expire(set, r->now);
	const struct ip_set_body *b = set->b;
	if (r->names) {
		g_string_append_printf(o, "%s\n", set->name);
		return;
	}
	GPtrArray *m = ipset_members(set, r->sorted);
	if (r->save_mode) {
		g_string_append_printf(o, "create %s %s ", set->name, b->type->name);
		b->type->header(o, set);
		g_string_append_c(o, '\n');
		for (unsigned i = 0; i < m->len; i++) {	/* save ignores -terse */
			g_string_append_printf(o, "add %s ", set->name);
			ipset_print_elem(o, set, m->pdata[i], r->now);
			g_string_append_c(o, '\n');
		}
		g_ptr_array_free(m, TRUE);
		return;
	}
	if (!first)
		g_string_append_c(o, '\n');
	g_string_append_printf(o, "Name: %s\nType: %s\nRevision: %u\nHeader: ", set->name,
			       b->type->name, b->type->revision);
	b->type->header(o, set);
	g_string_append_printf(o, "\nSize in memory: %zu\nReferences: %u\nNumber of entries: %u\n",
			       b->type->memsize(set), set->ref, b->elems->len);
	if (!r->terse) {
		g_string_append(o, "Members:\n");
		for (unsigned i = 0; i < m->len; i++) {
			ipset_print_elem(o, set, m->pdata[i], r->now);
			g_string_append_c(o, '\n');
		}
	}
	g_ptr_array_free(m, TRUE);
}

static int ipset_list(struct ipset_run *r, const char *name)
{
	if (r->dry_run)
		return 0;
	if (name) {
		struct ip_set *s = ip_set_lookup(r->ns, name);
		if (!s)
			return ipset_fail(r, 1, "The set with the given name does not exist");
		ipset_list_one(r, s, true);
		return 0;
	}
	/* ip_set_dump_do: by index, the list:set sets in a second pass (what
	 * they name is then restored before them) */
	GPtrArray *all = ip_set_all(r->ns);
	bool first = true;
	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < all->len; i++) {
			struct ip_set *set = all->pdata[i];
			if (set && set->b->type->list == (pass == 1)) {
				ipset_list_one(r, set, first);
				first = false;
			}
		}
	return 0;
}

/* ----- one command line ----- */

static int ipset_restore(struct ipset_run *r, const char *text);

/* The words of a command after the global options are taken out. */
static int ipset_exec(struct ipset_run *r, int argc, char **argv, const char *stdin_text,
		      nf_read_file_fn read_file, void *priv)
{
	GPtrArray *words = g_ptr_array_new();
	int rc = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-exist") == 0 || strcmp(a, "-!") == 0) {
			r->exist = true;
		} else if (strcmp(a, "-quiet") == 0 || strcmp(a, "-q") == 0) {
			r->quiet = true;
		} else if (strcmp(a, "-name") == 0 || strcmp(a, "-n") == 0) {
			r->names = true;
		} else if (strcmp(a, "-terse") == 0 || strcmp(a, "-t") == 0) {
			r->terse = true;
		} else if (strcmp(a, "-sorted") == 0 || strcmp(a, "-s") == 0) {
			r->sorted = true;
		} else if (strcmp(a, "-resolve") == 0 || strcmp(a, "-r") == 0) {
			/* accepted: natsim's addresses have no names to resolve */
		} else if (strcmp(a, "-output") == 0 || strcmp(a, "-o") == 0 ||
			   strcmp(a, "-file") == 0 || strcmp(a, "-f") == 0) {
			const char *v = NULL;
			if ((rc = ipset_optarg(r, argc, argv, &i, &v)))
				goto out;
			if (a[1] == 'f') {
				r->file = v;
			} else if (strcmp(v, "save") == 0) {
				r->save_mode = true;
			} else if (strcmp(v, "plain") == 0) {
				r->save_mode = false;
			} else if (strcmp(v, "xml") == 0) {
				g_string_append(r->err, "natsim: ipset -output xml is not implemented\n");
				rc = 1;
				goto out;
			} else {
				rc = ipset_failf(r, 2, "Syntax error: unknown output mode '%s'", v);
				goto out;
			}
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "-version") == 0) {
			g_ptr_array_add(words, "version");
		} else {
			g_ptr_array_add(words, argv[i]);
		}
	}
	if (words->len == 0) {
		rc = ipset_fail(r, 2, "No command specified.");
		goto out;
	}
	const char *c0 = words->pdata[0];
	enum ipset_cmd_id cmd = C_NONE;
	const char *cname = c0;
	for (unsigned i = 0; i < G_N_ELEMENTS(ipset_cmds); i++)
		if (strcmp(c0, ipset_cmds[i].name) == 0 || strcmp(c0, ipset_cmds[i].alias) == 0 ||
		    strcmp(c0, ipset_cmds[i].dash) == 0) {
			cmd = ipset_cmds[i].id;
			cname = ipset_cmds[i].name;
		}
	if (cmd == C_NONE) {
		rc = ipset_failf(r, 2, "No command specified: unknown argument %s", c0);
		goto out;
	}
	char **w = (char **)words->pdata + 1;
	int n = (int)words->len - 1;
	/* how many names each command needs, and takes at most */
	int need = 0, most = 0;
	switch (cmd) {
	case C_CREATE: case C_ADD: case C_DEL: case C_TEST: case C_RENAME: case C_SWAP:
		need = 2, most = cmd == C_RENAME || cmd == C_SWAP ? 2 : 1000;
		break;
	case C_DESTROY: case C_LIST: case C_SAVE: case C_FLUSH:
		most = 1;
		break;
	default:
		break;
	}
	if (n < need) {
		rc = ipset_failf(r, 2, "Missing %smandatory argument to command %s", n ? "second " : "", cname);
		goto out;
	}
	if (n > most && cmd != C_VERSION && cmd != C_HELP && cmd != C_RESTORE) {
		rc = ipset_failf(r, 2, "Unknown argument %s", w[most]);
		goto out;
	}
	/* every set name given (rename's and swap's second too) */
	for (int k = 0; k < n && k < (cmd == C_RENAME || cmd == C_SWAP ? 2 : 1); k++)
		if (cmd != C_VERSION && cmd != C_HELP && cmd != C_RESTORE &&
		    strlen(w[k]) >= IPSET_MAXNAMELEN) {
			rc = ipset_failf(r, 1, "Syntax error: setname '%s' is longer than 31 characters", w[k]);
			goto out;
		}
	GString *m = g_string_new(NULL);
	switch (cmd) {
	case C_CREATE:
		rc = ipset_create(r, w[0], w[1], n - 2, w + 2);
		break;
	case C_ADD: case C_DEL: case C_TEST:
		rc = ipset_adt(r, cmd, w[0], w[1], n - 2, w + 2);
		break;
	case C_LIST: case C_SAVE:
		if (cmd == C_SAVE)
			r->save_mode = true;
		rc = ipset_list(r, n ? w[0] : NULL);
		break;
	case C_DESTROY: case C_FLUSH: case C_RENAME: case C_SWAP:
		if (r->dry_run)
			break;
		if (cmd == C_DESTROY)
			rc = ip_set_destroy(r->ns, n ? w[0] : NULL, m);
		else if (cmd == C_FLUSH)
			rc = ip_set_flush(r->ns, n ? w[0] : NULL, m);
		else if (cmd == C_RENAME)
			rc = ip_set_rename(r->ns, w[0], w[1], m);
		else
			rc = ip_set_swap(r->ns, w[0], w[1], m);
		if (rc)
			ipset_fail(r, 1, m->str);
		break;
	case C_VERSION:
		g_string_append(r->out, "ipset " IPSET_VERSION ", protocol version: 7\n");
		break;
	case C_HELP:
		g_string_append(r->err, "natsim: ipset help is not implemented\n");
		rc = 1;
		break;
	case C_RESTORE: {
		if (r->line) {
			rc = ipset_fail(r, 2, "Restore command is not supported in restore mode");
			break;
		}
		/* at parse time a file may not exist yet: the options alone */
		if (r->dry_run && (r->file || !stdin_text))
			break;
		char *text = NULL;
		if (r->file)
			text = read_file ? read_file(priv, r->file) : NULL;
		if (r->file && !text) {
			rc = ipset_failf(r, 1, "Cannot open %s for reading: No such file or directory", r->file);
			break;
		}
		if (!r->file && !stdin_text) {
			g_string_append(r->err, "natsim: ipset restore needs its input: use ipset restore < FILE\n");
			rc = 1;
			break;
		}
		rc = ipset_restore(r, text ? text : stdin_text);
		g_free(text);
		break;
	}
	default:
		break;
	}
	g_string_free(m, TRUE);
out:
	g_ptr_array_free(words, TRUE);
	return rc;
}

/* ipset restore: each line a command without "ipset", COMMIT, comments;
 * the first refused line stops it (what came before stays) */
static int ipset_restore(struct ipset_run *r, const char *text)
{
	gchar **lines = g_strsplit(text, "\n", -1);
	int rc = 0;
	for (unsigned i = 0; lines[i] && !rc; i++) {
		char *p = g_strstrip(lines[i]);
		if (!*p || *p == '#' || strcmp(p, "COMMIT") == 0)
			continue;
		int ac;
		char **av;
		if (!g_shell_parse_argv(p, &ac, &av, NULL)) {
			r->line = (int)i + 1;
			rc = ipset_fail(r, 2, "Syntax error in restore line");
			break;
		}
		struct ipset_run sub = *r;
		sub.line = (int)i + 1;
		sub.names = sub.terse = sub.save_mode = false;
		rc = ipset_exec(&sub, ac, av, NULL, NULL, NULL);
		g_strfreev(av);
	}
	g_strfreev(lines);
	return rc;
}

int nf_cmd_ipset(struct nf_ns *ns, int argc, char **argv, const char *stdin_text,
		 nf_read_file_fn read_file, void *priv, GString *out, GString *err, bool dry_run,
		 nf_time now)
{
	struct ipset_run r = { .ns = ns, .out = out, .err = err, .dry_run = dry_run, .now = now };
	if (!dry_run && !ns->ipset) {
		g_string_append(err, "natsim: this router has no ipset\n");
		return 1;
	}
	return ipset_exec(&r, argc - 1, argv + 1, stdin_text, read_file, priv);
}
