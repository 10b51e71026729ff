/* scenario.c - reading a *.scn file, and running it.
 *
 * Design: parsing is total and happens before anything is simulated. The
 * file becomes logical lines (comments stripped, `\` continuations joined,
 * each remembering its first physical line), then two passes: declarations
 * (nodes, then links) build the topology, so a command may name an
 * interface whatever the order of the lines; then commands, expectations and
 * `end`. Every command is split once (cmd_split) and dry-run (cmd_exec with
 * dry_run) so its own error text is reported as FILE:LINE: error: ...; then
 * the iptables commands are checked against the chains that may exist by
 * then, in the order they will run (check_chains). A line `NODE: ! CMD`
 * expects CMD to fail, as bash's `!`: a failure found before the run is
 * then no error (unless it is natsim refusing what it does not implement).
 * Running is one event per command and per timed expectation, one repeating
 * garbage-collection tick per router, and the event loop. A command that
 * fails at run time behaves as in a shell: its message, then the next
 * command; the outcome is recorded for summary.json and JUnit.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/out/output.h"
#include "sim/shell/cmd.h"
#include "sim/scenario/expect.h"
#include "sim/shell/paste.h"
#include "sim/scenario/scenario.h"
#include "sim/apps/apps.h"

volatile sig_atomic_t scenario_signal;

/* ----- logical lines ----- */

static void scn_line_free(gpointer p)
{
	struct scn_line *l = p;
	g_free(l->text);
	g_free(l);
}

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* bash's reading of a script, reduced to what a scenario needs: `#` at the
 * start of a word (outside quotes) comments out the rest of the line; a
 * backslash-newline (outside single quotes) joins the next line. Quotes do
 * not span lines: an unterminated one is left for cmd_split to report. */
GPtrArray *scn_split_lines(const char *content)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(scn_line_free);
	GString *cur = g_string_new(NULL);
	const char *p = content;
	int line = 1, start_line = 1;
	bool sq = false, dq = false;

	if ((unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb && (unsigned char)p[2] == 0xbf)
		p += 3; /* UTF-8 byte order mark */
	for (;;) {
		char c = *p;
		if (c == '\0' || c == '\n') {
			char *t = g_strstrip(g_strdup(cur->str));
			if (*t) {
				struct scn_line *l = g_new0(struct scn_line, 1);
				l->line = start_line;
				l->text = t;
				g_ptr_array_add(out, l);
			} else {
				g_free(t);
			}
			g_string_truncate(cur, 0);
			sq = dq = false;
			if (c == '\0')
				break;
			p++;
			line++;
			start_line = line;
			continue;
		}
		if (sq) {
			if (c == '\'')
				sq = false;
			g_string_append_c(cur, c);
			p++;
			continue;
		}
		if (c == '\\') {
			/* backslash, optional trailing blanks, newline: continuation */
			const char *q = p + 1;
			while (blank(*q))
				q++;
			if (*q == '\n') {
				p = q + 1;
				line++;
				continue;
			}
			if (*q == '\0' && q != p + 1) {
				p = q;
				continue;
			}
			g_string_append_c(cur, c);
			if (p[1] && p[1] != '\n') {
				g_string_append_c(cur, p[1]);
				p += 2;
			} else {
				p++;
			}
			continue;
		}
		if (dq) {
			if (c == '"')
				dq = false;
			g_string_append_c(cur, c);
			p++;
			continue;
		}
		if (c == '#' && (cur->len == 0 || blank(cur->str[cur->len - 1])) &&
		    !paste_hash_is_prompt(cur->str, p)) {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (c == '\'')
			sq = true;
		else if (c == '"')
			dq = true;
		g_string_append_c(cur, c);
		p++;
	}
	g_string_free(cur, TRUE);
	return out;
}

/* ----- values ----- */

bool scn_name_valid(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max || s[0] == '.' || s[0] == '-')
		return false;
	for (const char *p = s; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '_' && *p != '.' && *p != '-')
			return false;
	return true;
}

/* A decimal number: digits with an optional fraction; *end after it. */
static bool decimal_prefix(const char *s, double *v, const char **end)
{
	const char *p = s;
	while (g_ascii_isdigit(*p))
		p++;
	if (*p == '.') {
		p++;
		while (g_ascii_isdigit(*p))
			p++;
	}
	if (p == s || (p == s + 1 && *s == '.'))
		return false;
	char *num = g_strndup(s, (size_t)(p - s));
	*v = g_ascii_strtod(num, NULL);
	g_free(num);
	*end = p;
	return true;
}

/* tc's bit rates: bit, kbit, Mbit, Gbit, Tbit (SI multiples, any case). */
bool scn_parse_rate(const char *text, uint64_t *bps)
{
	static const struct { const char *unit; double mult; } units[] = {
		{ "bit", 1 }, { "kbit", 1e3 }, { "mbit", 1e6 }, { "gbit", 1e9 }, { "tbit", 1e12 },
	};
	double v;
	const char *end;
	if (!decimal_prefix(text, &v, &end))
		return false;
	for (size_t i = 0; i < G_N_ELEMENTS(units); i++) {
		if (g_ascii_strcasecmp(end, units[i].unit) == 0) {
			double r = v * units[i].mult;
			if (r < 1 || r > 1e15)
				return false;
			*bps = (uint64_t)(r + 0.5);
			return true;
		}
	}
	return false;
}

/* "P%", 0 <= P <= 100, as a probability. */
bool scn_parse_loss(const char *text, double *loss)
{
	double v;
	const char *end;
	if (!decimal_prefix(text, &v, &end) || strcmp(end, "%") != 0 || v > 100)
		return false;
	*loss = v / 100.0;
	return true;
}

/* ----- the parser ----- */

struct parser {
	struct world *w;
	struct scenario *s;
	struct scn_error *err;
	const char *path;
};

static int perr(struct parser *ps, int line, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static int perr(struct parser *ps, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	scn_error_clear(ps->err);
	ps->err->file = g_strdup(ps->path);
	ps->err->line = line;
	ps->err->msg = g_strchomp(g_strdup_vprintf(fmt, ap)); /* commands' texts end in \n */
	va_end(ap);
	return 2;
}

/* Whitespace-separated words of a statement (quotes are not special in
 * declarations: names cannot hold them). */
static char **words(const char *text, int *n)
{
	char **v = g_strsplit_set(text, " \t", -1);
	int k = 0;
	for (int i = 0; v[i]; i++) {
		if (*v[i])
			v[k++] = v[i];
		else
			g_free(v[i]);
	}
	v[k] = NULL;
	*n = k;
	return v;
}

/* The text after the first `count` words of line (blanks skipped). */
static const char *after_words(const char *text, int count)
{
	const char *p = text;
	for (int i = 0; i < count; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static bool is_decl(const char *w0)
{
	return strcmp(w0, "host") == 0 || strcmp(w0, "router") == 0 || strcmp(w0, "switch") == 0;
}

static int parse_node(struct parser *ps, struct scn_line *l, char **v, int n)
{
	enum node_kind kind = v[0][0] == 'h' ? NODE_HOST : v[0][0] == 'r' ? NODE_ROUTER : NODE_SWITCH;
	guint64 cpus = 1;
	if (kind != NODE_SWITCH && n == 4 && strcmp(v[2], "cpus") == 0) {
		if (!g_ascii_string_to_unsigned(v[3], 10, 1, 256, &cpus, NULL))
			return perr(ps, l->line, "bad cpus \"%s\" (1 to 256)", v[3]);
	} else if (n != 2) {
		return perr(ps, l->line, kind == NODE_SWITCH ? "expected `%s NAME`"
			    : "expected `%s NAME [cpus N]`", v[0]);
	}
	if (!scn_name_valid(v[1], NODENAME_MAX - 1))
		return perr(ps, l->line, "bad node name \"%s\": use letters, digits, '_', '.', '-' "
			    "(not first), at most %d characters", v[1], NODENAME_MAX - 1);
	if (node_find(ps->w, v[1]))
		return perr(ps, l->line, "duplicate node \"%s\"", v[1]);
	struct node *nd = node_new(ps->w, v[1], kind);
	if (!nd)
		return perr(ps, l->line, "cannot create node \"%s\"", v[1]);
	if (cpus > 1)
		node_set_cpus(ps->w, nd, (unsigned)cpus);
	return 0;
}

/* "NODE:IF" of a link: the node must exist, the interface must be free. */
static int link_end(struct parser *ps, struct scn_line *l, const char *spec, struct iface **out)
{
	const char *colon = strchr(spec, ':');
	if (!colon)
		return perr(ps, l->line, "expected NODE:IF instead of \"%s\"", spec);
	char *node_name = g_strndup(spec, (size_t)(colon - spec));
	const char *if_name = colon + 1;
	struct node *n = node_find(ps->w, node_name);
	int rc = 0;
	if (!n)
		rc = perr(ps, l->line, "unknown node \"%s\"", node_name);
	else if (!scn_name_valid(if_name, IFNAME_MAX - 1))
		rc = perr(ps, l->line, "bad interface name \"%s\": use letters, digits, '_', '.', "
			  "'-' (not first), at most %d characters", if_name, IFNAME_MAX - 1);
	g_free(node_name);
	if (rc)
		return rc;
	struct iface *ifc = iface_get_or_create(ps->w, n, if_name);
	if (!ifc)
		return perr(ps, l->line, "cannot create interface %s", spec);
	if (ifc->link)
		return perr(ps, l->line, "interface %s is already linked (line %d)", spec,
			    ifc->link->line);
	*out = ifc;
	return 0;
}

static int parse_link(struct parser *ps, struct scn_line *l, char **v, int n)
{
	struct iface *a, *b;
	if (n < 3)
		return perr(ps, l->line, "expected `link A:IF B:IF [rate R] [delay D] [loss P%%] [queue N] [veth]`");
	uint64_t rate = 0;
	sim_time delay = 0;
	double loss = 0;
	unsigned queue = 1000;
	bool veth = false;
	for (int i = 3; i < n; i += 2) {
		const char *k = v[i], *val = i + 1 < n ? v[i + 1] : NULL;
		if (strcmp(k, "veth") == 0) {	/* a flag: no value */
			veth = true;
			i--;
			continue;
		}
		if (strcmp(k, "rate") && strcmp(k, "delay") && strcmp(k, "loss") && strcmp(k, "queue"))
			return perr(ps, l->line, "unexpected \"%s\" in link (rate, delay, loss, queue or veth)", k);
		if (!val)
			return perr(ps, l->line, "`%s` needs a value", k);
		if (strcmp(k, "rate") == 0) {
			if (!scn_parse_rate(val, &rate)) {
				const char *u = val + strspn(val, "0123456789.");
				if (g_ascii_strcasecmp(u, "bps") == 0 || g_ascii_strcasecmp(u, "kbps") == 0 ||
				    g_ascii_strcasecmp(u, "mbps") == 0 || g_ascii_strcasecmp(u, "gbps") == 0)
					return perr(ps, l->line, "bad rate \"%s\": write bits as tc does "
						    "(bit, kbit, Mbit, Gbit); tc's \"%s\" means bytes per second",
						    val, u);
				return perr(ps, l->line, "bad rate \"%s\" (a number with bit, kbit, Mbit or Gbit)",
					    val);
			}
		} else if (strcmp(k, "delay") == 0) {
			if (!sim_time_parse(val, &delay))
				return perr(ps, l->line, "bad time \"%s\" (a number with a unit: s, ms, us, ns)", val);
		} else if (strcmp(k, "loss") == 0) {
			if (!scn_parse_loss(val, &loss))
				return perr(ps, l->line, "bad loss \"%s\" (a percentage from 0%% to 100%%, like 0.5%%)",
					    val);
		} else {
			guint64 q;
			if (!g_ascii_string_to_unsigned(val, 10, 1, 1000000, &q, NULL))
				return perr(ps, l->line, "bad queue \"%s\" (packets, 1 or more)", val);
			queue = (unsigned)q;
		}
	}
	if (link_end(ps, l, v[1], &a))
		return 2;
	if (link_end(ps, l, v[2], &b))
		return 2;
	if (a == b)
		return perr(ps, l->line, "a link needs two different interfaces");
	struct link *lk = link_new(ps->w, a, b);
	if (!lk)
		return perr(ps, l->line, "cannot link %s and %s", v[1], v[2]);
	lk->rate_bps = rate;
	lk->delay = delay;
	lk->loss = loss;
	lk->queue_limit = queue;
	lk->veth = veth;
	lk->line = l->line;
	return 0;
}

static void scn_cmd_free(gpointer p)
{
	struct scn_cmd *c = p;
	g_free(c->text);
	g_strfreev(c->argv);
	cmd_redir_clear(&c->redir);
	g_free(c);
}

static void expect_free_cb(gpointer p)
{
	expect_free(p);
}

static void scn_cmd_result_free(gpointer p)
{
	struct scn_cmd_result *r = p;
	g_free(r->message);
	g_free(r);
}

/* "NODE: COMMAND ..." (or "NODE:COMMAND") at time `at`. */
static int parse_command(struct parser *ps, struct scn_line *l, const char *text, sim_time at)
{
	const char *colon = strchr(text, ':');
	char *node_name = g_strstrip(g_strndup(text, (size_t)(colon - text)));
	struct node *n = node_find(ps->w, node_name);
	if (!n) {
		int rc = perr(ps, l->line, "unknown node \"%s\"", node_name);
		g_free(node_name);
		return rc;
	}
	g_free(node_name);
	const char *cmd_text = colon + 1;
	while (*cmd_text == ' ' || *cmd_text == '\t')
		cmd_text++;
	if (!*cmd_text)
		return perr(ps, l->line, "empty command for %s", n->name);
	if (n->kind == NODE_SWITCH)
		return perr(ps, l->line, "%s is a switch: switches take no commands", n->name);

	GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
	cmd_text = paste_strip_prompt(cmd_text, warnings); /* "root@gw:~# iptables ..." */
	struct scn_cmd *sc = g_new0(struct scn_cmd, 1);
	sc->at = at;
	sc->node = n;
	sc->text = g_strdup(cmd_text);
	sc->line = l->line;
	/* bash's `!` word before a command: its status is inverted, so the
	 * scenario says the command must fail */
	if (cmd_text[0] == '!' && (cmd_text[1] == ' ' || cmd_text[1] == '\t' || !cmd_text[1])) {
		sc->negate = true;
		cmd_text++;
		while (*cmd_text == ' ' || *cmd_text == '\t')
			cmd_text++;
	}
	GPtrArray *argv = g_ptr_array_new();
	GString *err = g_string_new(NULL);
	int rc = cmd_split(cmd_text, argv, &sc->redir, warnings, err);
	for (unsigned i = 0; i < warnings->len; i++)
		fprintf(stderr, "%s:%d: warning: %s\n", ps->path, l->line,
			(const char *)g_ptr_array_index(warnings, i));
	g_ptr_array_free(warnings, TRUE);
	sc->argc = (int)argv->len;
	g_ptr_array_add(argv, NULL);
	sc->argv = (char **)g_ptr_array_free(argv, FALSE);
	if (rc == 0 && sc->argc == 0) {
		g_string_assign(err, "empty command");
		rc = 2;
	}
	if (rc == 0) {
		GString *out = g_string_new(NULL);
		struct cmd_ctx c = {
			.w = ps->w, .node = n, .dry_run = true, .file = ps->path,
			.line = l->line, .out = out, .err = err,
		};
		char **copy = g_strdupv(sc->argv);
		g_string_truncate(err, 0);
		rc = cmd_exec(&c, sc->argc, copy, &sc->redir);
		g_strfreev(copy);
		g_string_free(out, TRUE);
		if (rc && sc->negate && !cmd_refused(err->str)) {
			sc->static_fail = true; /* fails as the scenario says it must */
			rc = 0;
		}
		if (rc && err->len == 0)
			g_string_assign(err, "command rejected");
	}
	if (rc) {
		rc = perr(ps, l->line, "%s", err->str);
		scn_cmd_free(sc);
	} else {
		g_ptr_array_add(ps->s->cmds, sc);
	}
	g_string_free(err, TRUE);
	return rc;
}

static int parse_expect(struct parser *ps, struct scn_line *l, const char *rest, sim_time at)
{
	GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
	GString *err = g_string_new(NULL);
	struct expect *e = NULL;
	int rc = cmd_split(rest, argv, NULL, NULL, err);
	if (rc == 0)
		rc = expect_parse(ps->w, (int)argv->len, (char **)argv->pdata, l->text, l->line,
				  at, &e, err);
	if (rc) {
		rc = perr(ps, l->line, "%s", err->str);
	} else {
		g_ptr_array_add(ps->s->expects, e);
		if (e->kind == EXPECT_SAW) {
			GPtrArray *list = g_hash_table_lookup(ps->s->saw_by_iface, e->ifc);
			if (!list) {
				list = g_ptr_array_new();
				g_hash_table_insert(ps->s->saw_by_iface, e->ifc, list);
				e->ifc->saw = list;
			}
			g_ptr_array_add(list, e);
		}
	}
	g_ptr_array_free(argv, TRUE);
	g_string_free(err, TRUE);
	return rc;
}

static int parse_time(struct parser *ps, struct scn_line *l, const char *text, sim_time *t)
{
	if (!text || !sim_time_parse(text, t))
		return perr(ps, l->line, "bad time \"%s\" (a number with a unit: s, ms, us, ns)",
			    text ? text : "");
	return 0;
}

/* A statement that is not a declaration: commands, expectations, `at`, `end`. */
static int parse_statement(struct parser *ps, struct scn_line *l, char **v, int n)
{
	sim_time at = 0;
	int skip = 0;
	if (strcmp(v[0], "end") == 0) {
		if (n != 2)
			return perr(ps, l->line, "expected `end TIME`");
		if (ps->s->end != SIM_TIME_NEVER)
			return perr(ps, l->line, "`end` given twice");
		return parse_time(ps, l, v[1], &ps->s->end);
	}
	if (strcmp(v[0], "at") == 0) {
		if (n < 3)
			return perr(ps, l->line, "expected `at TIME NODE: COMMAND` or `at TIME expect ...`");
		if (parse_time(ps, l, v[1], &at))
			return 2;
		skip = 2;
	}
	const char *first = v[skip];
	const char *rest = after_words(l->text, skip);
	if (strcmp(first, "expect") == 0)
		return parse_expect(ps, l, after_words(l->text, skip + 1),
				    skip ? at : SIM_TIME_NEVER);
	if (strchr(first, ':') || (skip + 1 < n && v[skip + 1][0] == ':'))
		return parse_command(ps, l, rest, at);
	if (skip == 0 && (strcmp(first, "link") == 0 || is_decl(first)))
		return 0; /* handled by the first pass */
	return perr(ps, l->line, "unknown statement \"%s\"", first);
}

/* iptables refuses a reference to a chain that does not exist (`-A FORWRD`,
 * `-j NOPE`, `-P` of a user chain): whether it exists depends on the
 * commands before, so the check walks the commands in the order they will
 * run (time, then line) with each router's set of chains that may exist by
 * then (nf_chain_names): built-ins, names created by -N or -E, and any name
 * once iptables-restore, the iptables service or a reboot (which restores
 * it) may have loaded a ruleset. Chains are never taken out of the set, so
 * a scenario that may work is never refused; one that cannot is refused
 * before anything runs, with iptables' own text. (An iptables-restore file
 * read at parse time is checked by its own dry run: it flushes the table,
 * so it alone says which chains exist.) */
static int check_chains(struct parser *ps)
{
	/* nft too: `nft add chain ip filter NAME` makes a chain iptables-nft
	 * sees (one table for both, nat/nftables/nft_xt_share.c) */
	static const char *const loaders[] = {
		"iptables-restore", "systemctl", "service", "reboot", "shutdown", "nft",
	};
	GHashTable *names = g_hash_table_new_full(NULL, NULL, NULL,
						  (GDestroyNotify)nf_chain_names_free);
	GString *err = g_string_new(NULL);
	int rc = 0;
	for (unsigned i = 0; i < ps->s->cmds->len && rc == 0; i++) {
		struct scn_cmd *sc = g_ptr_array_index(ps->s->cmds, i);
		if (!sc->node->nf || sc->static_fail)
			continue;
		char **copy = g_strdupv(sc->argv);
		int argc = sc->argc;
		char **argv = copy;
		cmd_skip_sudo(&argc, &argv);
		struct nf_chain_names *nn = g_hash_table_lookup(names, sc->node);
		if (!nn) {
			nn = nf_chain_names_new();
			g_hash_table_insert(names, sc->node, nn);
		}
		if (argc > 0 && strcmp(argv[0], "iptables") == 0) {
			g_string_truncate(err, 0);
			if (nf_cmd_iptables_chains(nn, argc, argv, err) && !sc->negate)
				rc = perr(ps, sc->line, "%s", err->str);
		}
		for (size_t k = 0; argc > 0 && k < G_N_ELEMENTS(loaders); k++)
			if (strcmp(argv[0], loaders[k]) == 0)
				nf_chain_names_any(nn);
		g_strfreev(copy);
	}
	g_string_free(err, TRUE);
	g_hash_table_destroy(names);
	return rc;
}

static gint cmd_order(gconstpointer a, gconstpointer b)
{
	const struct scn_cmd *x = *(struct scn_cmd *const *)a, *y = *(struct scn_cmd *const *)b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->line - y->line;
}

static struct scenario *scenario_new(const char *path)
{
	struct scenario *s = g_new0(struct scenario, 1);
	s->path = g_strdup(path);
	char *base = g_path_get_basename(path);
	if (g_str_has_suffix(base, ".scn"))
		base[strlen(base) - 4] = '\0';
	s->name = base;
	s->dir = g_path_get_dirname(path);
	s->cmds = g_ptr_array_new_with_free_func(scn_cmd_free);
	s->expects = g_ptr_array_new_with_free_func(expect_free_cb);
	s->end = SIM_TIME_NEVER;
	s->saw_by_iface = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
						(GDestroyNotify)g_ptr_array_unref);
	s->cmd_results = g_ptr_array_new_with_free_func(scn_cmd_result_free);
	return s;
}

/* world_free's: the run's scenario goes with it. */
static void scenario_free_run(struct world *w)
{
	scenario_free(w->scn);
	w->scn = NULL;
}

int scenario_load(struct world *w, const char *path, struct scn_error *err)
{
	struct parser ps = { .w = w, .err = err, .path = path };
	char *content = NULL;
	net_stack_init();
	traffic_register_cmds();
	GError *ge = NULL;
	if (!g_file_get_contents(path, &content, NULL, &ge)) {
		scn_error_clear(err);
		err->file = g_strdup(path);
		err->line = 0;
		err->msg = g_strdup_printf("cannot read: %s", ge->message);
		g_error_free(ge);
		return 2;
	}
	if (!g_utf8_validate(content, -1, NULL)) {
		g_free(content);
		return perr(&ps, 0, "not UTF-8 text");
	}
	world_on_free(w, scenario_free_run);
	/* the run's observers: logs, command output, walk, `saw`, conntrack -E */
	output_subscribe(w);
	expect_subscribe(w);
	ct_events_subscribe(w);
	nft_monitor_subscribe(w);
	xt_monitor_subscribe(w);
	ps.s = scenario_new(path);
	if (w->scn) {
		/* the interfaces' `saw` lists belong to the old scenario */
		for (unsigned i = 0; w->nodes && i < w->nodes->len; i++) {
			struct node *n = g_ptr_array_index(w->nodes, i);
			for (unsigned j = 0; j < n->ifaces->len; j++)
				((struct iface *)g_ptr_array_index(n->ifaces, j))->saw = NULL;
		}
		scenario_free(w->scn);
	}
	w->scn = ps.s;
	g_free(w->files_dir);
	w->files_dir = g_strdup(ps.s->dir);
	GPtrArray *lines = scn_split_lines(content);
	g_free(content);

	int rc = scn_expand_defines(lines, w->opt.defines, path, err);
	/* pass 1: nodes, then links */
	for (int pass = 0; pass < 2 && rc == 0; pass++) {
		for (unsigned i = 0; i < lines->len && rc == 0; i++) {
			struct scn_line *l = g_ptr_array_index(lines, i);
			int n;
			char **v = words(l->text, &n);
			if (pass == 0 && is_decl(v[0]))
				rc = parse_node(&ps, l, v, n);
			else if (pass == 1 && strcmp(v[0], "link") == 0)
				rc = parse_link(&ps, l, v, n);
			g_strfreev(v);
		}
	}
	if (rc == 0)
		l2_compute_segments(w);
	/* pass 2: everything else, in file order */
	for (unsigned i = 0; i < lines->len && rc == 0; i++) {
		struct scn_line *l = g_ptr_array_index(lines, i);
		int n;
		char **v = words(l->text, &n);
		rc = parse_statement(&ps, l, v, n);
		g_strfreev(v);
	}
	g_ptr_array_free(lines, TRUE);
	if (rc == 0) {
		g_ptr_array_sort(ps.s->cmds, cmd_order);
		rc = check_chains(&ps);
	}
	return rc;
}

void scn_error_clear(struct scn_error *e)
{
	g_free(e->file);
	g_free(e->msg);
	e->file = e->msg = NULL;
	e->line = 0;
}

void scenario_free(struct scenario *s)
{
	if (!s)
		return;
	g_ptr_array_free(s->cmd_results, TRUE); /* before cmds: results point at them */
	g_ptr_array_free(s->cmds, TRUE);
	g_ptr_array_free(s->expects, TRUE);
	g_hash_table_destroy(s->saw_by_iface);
	g_free(s->run_error);
	g_free(s->path);
	g_free(s->name);
	g_free(s->dir);
	g_free(s);
}

/* ----- running ----- */

/* ----- the routers' garbage collectors ----- */

/* Every router's conntrack gc ticks at each whole second from 1 s (nf_gc).
 * Most ticks reap nothing, and an event per router per second made five
 * idle days cost 432000 events; so ticks are not events. Before each event
 * the run loop runs the ticks due before it (gc_catch_up): each router says
 * which tick is its next with work (nf_gc_next), and the idle ticks up to
 * there pass in one nf_gc call.
 *
 * The order of a tick and the events of its instant stays that of a chain
 * of tick events, each scheduled by the tick before (as natsim used to run
 * them): a tick comes after the events of its instant already pending when
 * the previous tick ran, and before those scheduled later. So when a tick
 * runs with an event pending within the next second, the next tick becomes
 * a real event (gc_tick_event), scheduled then; otherwise nothing is
 * pending at the next tick's instant and it simply runs before anything at
 * or after that instant. */
struct gc_clock {
	struct world *w;
	GPtrArray *routers;	/* nodes with a netfilter namespace */
	sim_time tick;		/* the next tick */
	sim_time end;		/* the run's end: no tick after it */
	bool event;		/* a gc_tick_event for `tick` is pending */
};

static void gc_tick_event(struct world *w, void *arg, uint64_t u);

static struct nf_ns *gc_router(const struct gc_clock *c, unsigned i)
{
	return ((struct node *)g_ptr_array_index(c->routers, i))->nf;
}

/* Where the tick at c->tick goes, decided when the tick before it runs (or
 * when the run starts, for the first). */
static void gc_place_tick(struct gc_clock *c)
{
	struct world *w = c->w;

	if (c->tick <= c->end && evq_len(&w->q) && evq_peek_time(&w->q) <= c->tick) {
		world_at(w, c->tick, gc_tick_event, c, 0);
		c->event = true;
	}
}

/* The tick at c->tick on every router (the routers with no work at it
 * only move their cursor), then the next one's placement. */
static void gc_run_tick(struct gc_clock *c)
{
	struct world *w = c->w;
	sim_time t = c->tick;

	w->now = t;
	for (unsigned i = 0; i < c->routers->len; i++)
		w->events += nf_gc(gc_router(c, i), t);
	c->tick = t + SIM_S;
	gc_place_tick(c);
}

static void gc_tick_event(struct world *w, void *arg, uint64_t u)
{
	struct gc_clock *c = arg;
	(void)u;
	c->event = false;
	if (!w->stopping)
		gc_run_tick(c);
}

/* Run the ticks due before the next event, at `next` (at the same instant:
 * the tick first, see above). */
static void gc_catch_up(struct gc_clock *c, sim_time next)
{
	sim_time end = c->end;

	while (!c->event && c->tick <= next && c->tick <= end) {
		/* the ticks before `upto` pass in one step: no router has work
		 * at them, and each is more than a second before the next
		 * event (its successor's placement is plain) and not after
		 * the end */
		sim_time upto = SIM_TIME_NEVER;
		for (unsigned i = 0; i < c->routers->len; i++)
			upto = MIN(upto, nf_gc_next(gc_router(c, i)));
		if (next != SIM_TIME_NEVER)
			upto = MIN(upto, next <= SIM_S ? 0 : (next - 1) / SIM_S * SIM_S);
		if (end != SIM_TIME_NEVER)
			upto = MIN(upto, end / SIM_S * SIM_S + SIM_S);
		if (upto > c->tick) {
			for (unsigned i = 0; i < c->routers->len; i++)
				nf_gc(gc_router(c, i), upto - SIM_S);
			c->tick = upto;
		} else {
			gc_run_tick(c);
		}
	}
}

/* What a failed command printed, as stderr shows it (one final newline). */
static void print_stderr_text(const char *text)
{
	size_t n = strlen(text);
	if (!n)
		return;
	fputs(text, stderr);
	if (text[n - 1] != '\n')
		fputc('\n', stderr);
}

/* One command at its time, as a shell runs a script line: it prints what it
 * prints, and a failure does not stop the script. The outcome is recorded
 * when the command failed or was marked `!`; a failure the scenario did not
 * expect makes the run exit 1, and with --strict ends it. Under --quiet only
 * such a failure is shown, with the line it comes from. */
static void cmd_event(struct world *w, void *arg, uint64_t u)
{
	struct scn_cmd *sc = arg;
	struct scenario *s = w->scn;
	(void)u;
	if (w->stopping)
		return;
	output_progress_clear(w);
	if (!w->opt.quiet) {
		char ts[32];
		sim_time_format(w->now, ts);
		printf("[%s] %s# %s\n", ts, sc->node->name, sc->text);
	}
	GString *out = g_string_new(NULL), *err = g_string_new(NULL);
	struct cmd_ctx c = {
		.w = w, .node = sc->node, .dry_run = false, .file = s->path,
		.line = sc->line, .out = out, .err = err,
	};
	char **argv = g_strdupv(sc->argv);
	int rc = cmd_exec(&c, sc->argc, argv, &sc->redir);
	g_strfreev(argv);
	bool ok = sc->negate ? rc != 0 : rc == 0;
	if (!w->opt.quiet && out->len) {
		fputs(out->str, stdout);
		if (out->str[out->len - 1] != '\n')
			fputc('\n', stdout);
	}
	if (!ok && w->opt.quiet) {
		fflush(stdout);
		fprintf(stderr, "%s:%d: %s# %s: exit status %d%s\n", s->path, sc->line,
			sc->node->name, sc->text, rc, sc->negate ? ", expected to fail" : "");
		print_stderr_text(err->str);
	} else if (err->len && !w->opt.quiet) {
		fflush(stdout);
		print_stderr_text(err->str);
	}
	if (rc || sc->negate) {
		struct scn_cmd_result *r = g_new0(struct scn_cmd_result, 1);
		r->cmd = sc;
		r->at = w->now;
		r->status = rc;
		r->ok = ok;
		r->message = g_strdup(g_strchomp(err->str));
		g_ptr_array_add(s->cmd_results, r);
	}
	if (!ok) {
		s->cmd_failures++;
		if (w->exit_status == 0)
			w->exit_status = 1;
		if (w->opt.strict) {
			s->stopped_line = sc->line;
			w->stopping = true;
		}
	}
	g_string_free(out, TRUE);
	g_string_free(err, TRUE);
}

static gint expect_order(gconstpointer a, gconstpointer b)
{
	const struct expect *x = *(struct expect *const *)a, *y = *(struct expect *const *)b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->line - y->line;
}

static void expect_event(struct world *w, void *arg, uint64_t u)
{
	(void)u;
	if (!w->stopping)
		expect_check(w, arg);
}

/* Progress on a terminal, after the first wall-clock second: one line on
 * stderr, redrawn at most 4 times a second, with the simulated time reached
 * and the end, the packets sent so far and the wall time. The wall clock
 * feeds this display only (never a file, never what the run computes), and
 * nothing is shown when stderr is not a terminal. */
struct progress {
	bool tty;
	gint64 start, last;
};

static void progress_tick(struct world *w, struct progress *pg, sim_time end)
{
	gint64 now = g_get_monotonic_time();
	if (now - pg->start < G_USEC_PER_SEC || now - pg->last < G_USEC_PER_SEC / 4)
		return;
	char ts[32], te[48] = "";
	sim_time_format(w->now, ts);
	if (end != SIM_TIME_NEVER) {
		char e[32];
		sim_time_format(end, e);
		snprintf(te, sizeof te, " of %s s", e);
	}
	fprintf(stderr, "\r\033[Knatsim: %s s%s simulated, %" G_GUINT64_FORMAT " packets, "
		"%.1f s wall", ts, te, w->next_packet_id, (double)(now - pg->start) / G_USEC_PER_SEC);
	fflush(stderr);
	w->progress_shown = true;
	pg->last = now;
}

void scenario_run(struct world *w)
{
	struct scenario *s = w->scn;
	sim_time end = s->end < w->opt.until ? s->end : w->opt.until;

	/* commands and timed expectations, merged in (time, line) order */
	unsigned ci = 0;
	GPtrArray *timed = g_ptr_array_new();
	for (unsigned i = 0; i < s->expects->len; i++) {
		struct expect *e = g_ptr_array_index(s->expects, i);
		if (e->at != SIM_TIME_NEVER)
			g_ptr_array_add(timed, e);
	}
	g_ptr_array_sort(timed, expect_order);
	unsigned ei = 0;
	while (ci < s->cmds->len || ei < timed->len) {
		struct scn_cmd *c = ci < s->cmds->len ? g_ptr_array_index(s->cmds, ci) : NULL;
		struct expect *e = ei < timed->len ? g_ptr_array_index(timed, ei) : NULL;
		if (c && (!e || c->at < e->at || (c->at == e->at && c->line < e->line))) {
			world_at(w, c->at, cmd_event, c, 0);
			ci++;
		} else {
			world_at(w, e->at, expect_event, e, 0);
			ei++;
		}
	}
	g_ptr_array_free(timed, TRUE);

	struct gc_clock gc = { .w = w, .routers = g_ptr_array_new(), .tick = SIM_S, .end = end };
	for (unsigned i = 0; i < w->nodes->len; i++) {
		struct node *n = g_ptr_array_index(w->nodes, i);
		if (n->nf)
			g_ptr_array_add(gc.routers, n);
	}
	if (gc.routers->len)
		gc_place_tick(&gc);
	else
		gc.tick = SIM_TIME_NEVER;

	struct progress pg = { .tty = isatty(2) };
	pg.start = pg.last = pg.tty ? g_get_monotonic_time() : 0;
	struct event ev;
	while (!w->stopping && !scenario_signal) {
		/* without an end, stop once only the gc is left */
		if (end == SIM_TIME_NEVER && evq_len(&w->q) <= (size_t)gc.event)
			break;
		sim_time t = evq_peek_time(&w->q);
		if (!gc.event) {
			gc_catch_up(&gc, t);
			t = evq_peek_time(&w->q);
		}
		if (t == SIM_TIME_NEVER || t > end)
			break;
		evq_pop(&w->q, &ev);
		w->now = ev.time;
		/* events: what ran; a gc tick counts in nf_gc's return, as
		 * one per router whose tick had work */
		if (ev.fn != gc_tick_event)
			w->events++;
		ev.fn(w, ev.arg, ev.u);
		if (pg.tty && (w->events & 4095) == 0)
			progress_tick(w, &pg, end);
	}
	g_ptr_array_free(gc.routers, TRUE);
	output_progress_clear(w);

	if (!w->stopping && !scenario_signal && end != SIM_TIME_NEVER)
		w->now = end;
	w->end_time = w->now;

	/* end-of-run expectations, and timed ones the run never reached; a run
	 * cut short (--strict, a signal, an output error) cannot judge those */
	char *cut = NULL, ts[32];
	sim_time_format(w->end_time, ts);
	if (s->stopped_line)
		cut = g_strdup_printf("--strict stopped the run at line %d (%s s)",
				      s->stopped_line, ts);
	else if (scenario_signal)
		cut = g_strdup_printf("the run was %s at %s s",
				      scenario_signal == SIGINT ? "interrupted" : "terminated", ts);
	else if (w->stopping)
		cut = g_strdup_printf("the run stopped at %s s, when an output "
				      "could not be written", ts);
	bool failed = false;
	for (unsigned i = 0; i < s->expects->len; i++) {
		struct expect *e = g_ptr_array_index(s->expects, i);
		if (e->at != SIM_TIME_NEVER && e->checked)
			;
		else if (cut)
			expect_not_evaluated(e, cut);
		else if (e->at == SIM_TIME_NEVER)
			expect_check(w, e);
		else
			expect_not_reached(w, e);
		failed = failed || (e->checked && !e->passed);
	}
	g_free(cut);
	if (w->exit_status != 2 && (failed || s->cmd_failures))
		w->exit_status = 1;
	if (scenario_signal && !w->output_failed)
		w->exit_status = 128 + scenario_signal;

	/* the end of the run stops every running conntrack -E */
	for (unsigned i = 0; i < w->nodes->len; i++)
		ct_events_listener_end(w, g_ptr_array_index(w->nodes, i));

	GString *err = g_string_new(NULL);
	if (w->output_failed)
		s->run_error = g_strdup("an output file could not be written (reported above)");
	if (output_flush(w, err)) {
		/* every file that could not be written, by name; exit 2 */
		char **lines = g_strsplit(err->str, "\n", -1);
		GString *all = g_string_new(NULL);
		for (char **l = lines; *l; l++) {
			fprintf(stderr, "natsim: error: cannot write %s\n", *l);
			g_string_append_printf(all, "%scannot write %s", all->len ? "\n" : "", *l);
		}
		g_strfreev(lines);
		g_free(s->run_error);
		s->run_error = g_string_free(all, FALSE);
		w->exit_status = 2;
		g_string_truncate(err, 0);
	}
	if (output_write_summary(w, NULL, err)) {
		fprintf(stderr, "natsim: error: %s\n", err->str);
		if (!s->run_error)
			s->run_error = g_strdup(err->str);
		w->exit_status = 2;
	}
	if (w->opt.junit) {
		g_string_truncate(err, 0);
		if (output_write_junit(w, w->opt.junit, NULL, err)) {
			fprintf(stderr, "natsim: error: %s\n", err->str);
			w->exit_status = 2;
		}
	}
	g_string_free(err, TRUE);
	fflush(stdout);
}

/* "12, 15 and 20" for up to five lines, then "and N more". */
static void line_list(GString *o, const GArray *lines)
{
	unsigned shown = MIN(lines->len, 5u);
	for (unsigned i = 0; i < shown; i++) {
		const char *sep = i == 0 ? "" : (i + 1 == shown && shown == lines->len) ? " and " : ", ";
		g_string_append_printf(o, "%s%d", sep, g_array_index(lines, int, i));
	}
	if (lines->len > shown)
		g_string_append_printf(o, " and %u more", lines->len - shown);
}

void scenario_print_verdict(struct world *w)
{
	struct scenario *s = w->scn;
	if (!s)
		return;
	unsigned held = 0, failed = 0, skipped = 0;
	for (unsigned i = 0; i < s->expects->len; i++) {
		const struct expect *e = g_ptr_array_index(s->expects, i);
		if (e->not_evaluated)
			skipped++;
		else if (e->passed)
			held++;
		else
			failed++;
	}
	GString *o = g_string_new("natsim: ");
	if (s->expects->len == 0)
		g_string_append(o, "no expectations");
	else
		g_string_append_printf(o, "%u of %u expectation%s held", held, s->expects->len,
				       s->expects->len == 1 ? "" : "s");
	if (failed)
		g_string_append_printf(o, ", %u failed", failed);
	if (skipped)
		g_string_append_printf(o, ", %u not evaluated", skipped);
	if (s->cmd_failures) {
		GArray *lines = g_array_new(FALSE, FALSE, sizeof(int));
		for (unsigned i = 0; i < s->cmd_results->len; i++) {
			const struct scn_cmd_result *r = g_ptr_array_index(s->cmd_results, i);
			if (!r->ok)
				g_array_append_val(lines, r->cmd->line);
		}
		g_string_append_printf(o, "; %u command%s failed unexpectedly (line%s ",
				       s->cmd_failures, s->cmd_failures == 1 ? "" : "s",
				       s->cmd_failures == 1 ? "" : "s");
		line_list(o, lines);
		g_string_append_c(o, ')');
		g_array_free(lines, TRUE);
	}
	if (s->stopped_line)
		g_string_append_printf(o, "; --strict stopped the run at line %d", s->stopped_line);
	fflush(stdout);
	fprintf(stderr, "%s\n", o->str);
	g_string_free(o, TRUE);
}
