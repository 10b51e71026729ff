/* scenario.c - reading a *.scn file, and running it.
 *
 * Design: parsing is total and happens before anything is simulated. The
 * file becomes logical lines (comments stripped, `\` continuations joined,
 * each remembering its first physical line), then two passes: declarations
 * (nodes, then links) build the topology, so a command may name an
 * interface whatever the order of the lines; then commands, expectations and
 * `end`. Every command is split once (cmd_split) and dry-run (cmd_exec with
 * dry_run) so its own error text is reported as FILE:LINE: error: ...
 * Running is one event per command and per timed expectation, one repeating
 * garbage-collection tick per router, and the event loop.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "expect.h"
#include "paste.h"
#include "scenario.h"

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
	if (n != 2)
		return perr(ps, l->line, "expected `%s NAME`", v[0]);
	if (!scn_name_valid(v[1], NODENAME_MAX - 1))
		return perr(ps, l->line, "bad node name \"%s\": use letters, digits, '_', '.', '-' "
			    "(not first), at most %d characters", v[1], NODENAME_MAX - 1);
	if (node_find(ps->w, v[1]))
		return perr(ps, l->line, "duplicate node \"%s\"", v[1]);
	if (!node_new(ps->w, v[1], kind))
		return perr(ps, l->line, "cannot create node \"%s\"", v[1]);
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
		return perr(ps, l->line, "expected `link A:IF B:IF [rate R] [delay D] [loss P%%] [queue N]`");
	uint64_t rate = 0;
	sim_time delay = 0;
	double loss = 0;
	unsigned queue = 1000;
	for (int i = 3; i < n; i += 2) {
		const char *k = v[i], *val = i + 1 < n ? v[i + 1] : NULL;
		if (strcmp(k, "rate") && strcmp(k, "delay") && strcmp(k, "loss") && strcmp(k, "queue"))
			return perr(ps, l->line, "unexpected \"%s\" in link (rate, delay, loss or queue)", k);
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
	return s;
}

int scenario_load(struct world *w, const char *path, struct scn_error *err)
{
	struct parser ps = { .w = w, .err = err, .path = path };
	char *content = NULL;
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
	GPtrArray *lines = scn_split_lines(content);
	g_free(content);

	int rc = 0;
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
	if (rc == 0)
		g_ptr_array_sort(ps.s->cmds, cmd_order);
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
	g_ptr_array_free(s->cmds, TRUE);
	g_ptr_array_free(s->expects, TRUE);
	g_hash_table_destroy(s->saw_by_iface);
	g_free(s->path);
	g_free(s->name);
	g_free(s->dir);
	g_free(s);
}

/* ----- running ----- */

/* The conntrack garbage collector's tick (gc_worker), once a second. */
static void gc_tick(struct world *w, void *arg, uint64_t u)
{
	struct node *n = arg;
	(void)u;
	nf_gc(n->nf, w->now);
	world_at(w, w->now + SIM_S, gc_tick, n, 0);
}

static void cmd_event(struct world *w, void *arg, uint64_t u)
{
	struct scn_cmd *sc = arg;
	(void)u;
	if (w->stopping)
		return;
	if (!w->opt.quiet) {
		char ts[32];
		sim_time_format(w->now, ts);
		printf("[%s] %s# %s\n", ts, sc->node->name, sc->text);
	}
	GString *out = g_string_new(NULL), *err = g_string_new(NULL);
	struct cmd_ctx c = {
		.w = w, .node = sc->node, .dry_run = false, .file = w->scn->path,
		.line = sc->line, .out = out, .err = err,
	};
	char **argv = g_strdupv(sc->argv);
	int rc = cmd_exec(&c, sc->argc, argv, &sc->redir);
	g_strfreev(argv);
	if (!w->opt.quiet && out->len) {
		fputs(out->str, stdout);
		if (out->str[out->len - 1] != '\n')
			fputc('\n', stdout);
	}
	if (rc || err->len) {
		fflush(stdout);
		if (rc) {
			g_strchomp(err->str);
			fprintf(stderr, "%s:%d: error: %s\n", w->scn->path, sc->line,
				*err->str ? err->str : "command failed");
			w->exit_status = 2;
			w->stopping = true;
		} else {
			fputs(err->str, stderr);
			if (err->str[err->len - 1] != '\n')
				fputc('\n', stderr);
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

/* Progress on a terminal: simulated time and events per wall-clock second,
 * after the first second. The wall clock feeds this display only. */
struct progress {
	bool tty, shown;
	gint64 start, last;
	uint64_t last_events;
};

static void progress_tick(struct world *w, struct progress *pg)
{
	gint64 now = g_get_monotonic_time();
	if (now - pg->start < G_USEC_PER_SEC || now - pg->last < G_USEC_PER_SEC / 4)
		return;
	double rate = (double)(w->events - pg->last_events) * G_USEC_PER_SEC /
		      (double)(now - pg->last);
	char ts[32];
	sim_time_format(w->now, ts);
	fprintf(stderr, "\r\033[Knatsim: %s s simulated, %.0f events/s", ts, rate);
	pg->shown = true;
	pg->last = now;
	pg->last_events = w->events;
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

	size_t n_gc = 0;
	for (unsigned i = 0; i < w->nodes->len; i++) {
		struct node *n = g_ptr_array_index(w->nodes, i);
		if (n->nf) {
			world_at(w, SIM_S, gc_tick, n, 0);
			n_gc++;
		}
	}

	struct progress pg = { .tty = isatty(2) };
	pg.start = pg.last = pg.tty ? g_get_monotonic_time() : 0;
	struct event ev;
	while (!w->stopping && !scenario_signal) {
		/* without an end, stop once only the gc ticks are left */
		if (end == SIM_TIME_NEVER && evq_len(&w->q) <= n_gc)
			break;
		sim_time t = evq_peek_time(&w->q);
		if (t == SIM_TIME_NEVER || t > end)
			break;
		evq_pop(&w->q, &ev);
		w->now = ev.time;
		w->events++;
		ev.fn(w, ev.arg, ev.u);
		if (pg.tty && (w->events & 4095) == 0)
			progress_tick(w, &pg);
	}
	if (pg.shown)
		fprintf(stderr, "\r\033[K");

	if (!w->stopping && !scenario_signal && end != SIM_TIME_NEVER)
		w->now = end;
	w->end_time = w->now;

	/* end-of-run expectations, and timed ones the run never reached */
	bool failed = false;
	for (unsigned i = 0; i < s->expects->len; i++) {
		struct expect *e = g_ptr_array_index(s->expects, i);
		if (e->at == SIM_TIME_NEVER)
			expect_check(w, e);
		else if (!e->checked)
			expect_not_reached(w, e);
		failed = failed || !e->passed;
	}
	if (w->exit_status != 2 && failed)
		w->exit_status = 1;
	if (scenario_signal && !w->output_failed)
		w->exit_status = 128 + scenario_signal;

	/* the end of the run stops every running conntrack -E */
	for (unsigned i = 0; i < w->nodes->len; i++)
		world_ct_events_listener_end(w, g_ptr_array_index(w->nodes, i));

	GString *err = g_string_new(NULL);
	if (world_flush_outputs(w, err)) {
		/* every file that could not be written, by name; exit 2 */
		char **lines = g_strsplit(err->str, "\n", -1);
		for (char **l = lines; *l; l++)
			fprintf(stderr, "natsim: error: cannot write %s\n", *l);
		g_strfreev(lines);
		w->exit_status = 2;
		g_string_truncate(err, 0);
	}
	if (output_write_summary(w, err)) {
		fprintf(stderr, "natsim: error: %s\n", err->str);
		w->exit_status = 2;
	}
	if (w->opt.junit) {
		g_string_truncate(err, 0);
		if (output_write_junit(w, w->opt.junit, err)) {
			fprintf(stderr, "natsim: error: %s\n", err->str);
			w->exit_status = 2;
		}
	}
	g_string_free(err, TRUE);
	fflush(stdout);
}
