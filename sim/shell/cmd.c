/* cmd.c - the node's shell: word splitting, redirections, and dispatch.
 *
 * Design: a command line is split once, at parse time, into argv plus its
 * redirections (struct cmd_redir), exactly as bash would split it. Running it
 * is then cmd_exec(): `<` feeds c->stdin_text, cmd_run() dispatches by name
 * and fills c->out, and `>`/`>>` send c->out to the node's file store or to a
 * /proc/sys knob - so `echo 1 > /proc/sys/net/ipv4/ip_forward` and
 * `iptables-save > /etc/sysconfig/iptables` need no special cases. The node's
 * own knobs (net.ipv4.*), the file store, `cat`, `echo`, systemd's side of
 * the iptables service (the init script is nat/iptables/ipt_service.c),
 * `reboot` and the command table live here; everything else is another
 * module's.
 */
#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/shell/cmd.h"
#include "sim/shell/shell_state.h"
#include "sim/shell/journal.h"
#include "sim/shell/linux_names.h"
#include "nat/nf.h"
#include "sim/shell/paste.h"

/* ----- word splitting ----- */

/* Bytes of a typographic dash (en dash, em dash, minus sign) at p, or 0. */
static int typo_dash_len(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;
	if (u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0x93 || u[2] == 0x94))
		return 3;
	if (u[0] == 0xe2 && u[1] == 0x88 && u[2] == 0x92)
		return 3;
	return 0;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

enum pending_redir { PR_NONE, PR_OUT, PR_APPEND, PR_IN, PR_ERR };

struct splitter {
	GPtrArray *argv;
	struct cmd_redir *redir;
	GString *word;
	bool have_word;		/* a word is in progress (possibly "" quoted) */
	bool quoted;		/* some part of the word was quoted or escaped */
	bool typo;		/* a typographic dash was replaced in this word */
	const char *start;	/* where the word began, for the warning */
	enum pending_redir pending;
};

static void split_deliver(struct splitter *s, const char *end, GPtrArray *warnings)
{
	if (!s->have_word)
		return;
	if (s->typo && warnings) {
		char *raw = g_strndup(s->start, (size_t)(end - s->start));
		g_ptr_array_add(warnings, g_strdup_printf(
			"typographic dash in \"%s\" read as \"%s\"", raw, s->word->str));
		g_free(raw);
	}
	char *w = g_strdup(s->word->str);
	switch (s->pending) {
	case PR_NONE:
		g_ptr_array_add(s->argv, w);
		break;
	case PR_OUT:
	case PR_APPEND:
		g_free(s->redir->out);
		s->redir->out = w;
		s->redir->append = s->pending == PR_APPEND;
		break;
	case PR_IN:
		g_free(s->redir->in);
		s->redir->in = w;
		break;
	case PR_ERR:
		g_free(s->redir->err_out);
		s->redir->err_out = w;
		break;
	}
	s->pending = PR_NONE;
	g_string_truncate(s->word, 0);
	s->have_word = s->quoted = s->typo = false;
}

int cmd_split(const char *text, GPtrArray *argv, struct cmd_redir *redir,
	      GPtrArray *warnings, GString *err)
{
	struct splitter s = { .argv = argv, .redir = redir, .word = g_string_new(NULL) };
	char *unquoted = paste_quotes(text, warnings); /* “1” -> "1" */
	const char *p = unquoted ? unquoted : text;
	int rc = 0;

	for (;;) {
		char ch = *p;
		if (ch == '\0' || is_blank(ch)) {
			split_deliver(&s, p, warnings);
			if (ch == '\0')
				break;
			p++;
			continue;
		}
		if (!s.have_word) {
			s.start = p;
			/* A run of dashes opening the word with a typographic one in
			 * it is where `--` belongs (text copied from a web page). */
			const char *q = p;
			bool typo = false;
			while (*q == '-' || typo_dash_len(q)) {
				if (*q == '-') {
					q++;
				} else {
					typo = true;
					q += typo_dash_len(q);
				}
			}
			if (typo) {
				g_string_append(s.word, "--");
				s.have_word = s.typo = true;
				p = q;
				continue;
			}
		}
		if (ch == '\'') {
			const char *close = strchr(p + 1, '\'');
			if (!close) {
				g_string_assign(err, "bash: unexpected EOF while looking for matching `''");
				rc = 2;
				break;
			}
			g_string_append_len(s.word, p + 1, close - (p + 1));
			s.have_word = s.quoted = true;
			p = close + 1;
			continue;
		}
		if (ch == '"') {
			const char *q = p + 1;
			while (*q && *q != '"') {
				if (*q == '\\' && q[1] && strchr("\\\"$`\n", q[1])) {
					if (q[1] != '\n')
						g_string_append_c(s.word, q[1]);
					q += 2;
					continue;
				}
				g_string_append_c(s.word, *q++);
			}
			if (*q != '"') {
				g_string_assign(err, "bash: unexpected EOF while looking for matching `\"'");
				rc = 2;
				break;
			}
			s.have_word = s.quoted = true;
			p = q + 1;
			continue;
		}
		if (ch == '\\') {
			if (p[1] == '\0') { /* a lone trailing backslash stays literal */
				g_string_append_c(s.word, '\\');
				s.have_word = true;
				p++;
				continue;
			}
			g_string_append_c(s.word, p[1]);
			s.have_word = s.quoted = true;
			p += 2;
			continue;
		}
		if (redir && (ch == '>' || ch == '<')) {
			enum pending_redir kind;
			int fd = -1;
			/* bash: a word of digits right before the operator is its fd */
			if (s.have_word && !s.quoted && !s.typo &&
			    (strcmp(s.word->str, "1") == 0 || strcmp(s.word->str, "2") == 0)) {
				fd = s.word->str[0] - '0';
				g_string_truncate(s.word, 0);
				s.have_word = false;
			} else {
				split_deliver(&s, p, warnings);
			}
			if (s.pending != PR_NONE) {
				g_string_printf(err, "bash: syntax error near unexpected token `%c'", ch);
				rc = 2;
				break;
			}
			if (ch == '<') {
				if (fd >= 0) {
					g_string_assign(err, "bash: input redirection of a numbered descriptor is not supported");
					rc = 2;
					break;
				}
				kind = PR_IN;
				p++;
			} else if (p[1] == '>') {
				kind = PR_APPEND;
				p += 2;
			} else if (p[1] == '&' && p[2] == '1' && fd == 2) {
				/* 2>&1: stderr joins stdout; the runner prints both */
				p += 3;
				continue;
			} else {
				kind = PR_OUT;
				p++;
			}
			if (fd == 2 && kind != PR_IN)
				kind = PR_ERR;
			s.pending = kind;
			continue;
		}
		if (ch == '|' || ch == ';' || ch == '&' || ch == '`' || (ch == '$' && p[1] == '(')) {
			g_string_printf(err, "natsim: `%c' is not supported: one command per line "
				       "(no pipes, lists or substitutions)", ch);
			rc = 2;
			break;
		}
		g_string_append_c(s.word, ch);
		s.have_word = true;
		p++;
	}
	if (rc == 0 && s.pending != PR_NONE) {
		g_string_assign(err, "bash: syntax error near unexpected token `newline'");
		rc = 2;
	}
	g_string_free(s.word, TRUE);
	g_free(unquoted);
	return rc;
}

void cmd_redir_clear(struct cmd_redir *r)
{
	if (!r)
		return;
	g_free(r->in);
	g_free(r->out);
	g_free(r->err_out);
	memset(r, 0, sizeof *r);
}

/* ----- the node's file store (n->shell->files, shell_state.h) ----- */

static GString *file_get(struct node *n, const char *path)
{
	return n->shell ? g_hash_table_lookup(n->shell->files, path) : NULL;
}

static void file_put(struct node *n, const char *path, const char *text, bool append)
{
	GString *f = file_get(n, path);
	if (!f) {
		f = g_string_new(NULL);
		g_hash_table_insert(shell_state(n)->files, g_strdup(path), f);
	}
	if (!append)
		g_string_truncate(f, 0);
	g_string_append(f, text);
}

static void file_remove(struct node *n, const char *path)
{
	if (n->shell)
		g_hash_table_remove(n->shell->files, path);
}

/* ----- knobs: /proc/sys ----- */

#define PROC_SYS "/proc/sys/"

/* "net/ipv4/ip_forward" or "net.ipv4.ip_forward" -> "net.ipv4.ip_forward",
 * as procps' sysctl reads either form. */
static char *knob_name(const char *text)
{
	char *s = g_strdup(text);
	for (char *p = s; *p; p++)
		if (*p == '/')
			*p = '.';
	return s;
}

static void knob_no_such(GString *err, const char *name)
{
	char *path = g_strdup(name);
	for (char *p = path; *p; p++)
		if (*p == '.')
			*p = '/';
	g_string_printf(err, "sysctl: cannot stat /proc/sys/%s: No such file or directory", path);
	g_free(path);
}

/* A knob natsim does not have: natsim's voice if Linux has it (an
 * interface's own knob only for an interface the node has), else
 * procps' "cannot stat". Returns the command's status. */
static int knob_missing(struct node *n, GString *err, const char *name)
{
	char *norm = g_strdup(name);
	bool iface_ok = true;
	const char *pre[] = { "net.ipv4.conf.", "net.ipv6.conf.", "net.ipv4.neigh.", "net.ipv6.neigh." };
	for (size_t k = 0; k < G_N_ELEMENTS(pre); k++) {
		size_t l = strlen(pre[k]);
		const char *dot = strncmp(name, pre[k], l) == 0 ? strchr(name + l, '.') : NULL;
		if (!dot)
			continue;
		char *ifname = g_strndup(name + l, (size_t)(dot - (name + l)));
		if (strcmp(ifname, "all") && strcmp(ifname, "default")) {
			iface_ok = strcmp(ifname, "lo") == 0 || iface_find(n, ifname);
			g_free(norm);
			norm = g_strdup_printf("%.*s*%s", (int)l, name, dot);
		}
		g_free(ifname);
		break;
	}
	bool linux_has = iface_ok && linux_sysctl_exists(norm);
	g_free(norm);
	if (linux_has)
		return natsim_unimpl(err, "sysctl %s", name);
	knob_no_such(err, name);
	return 2;
}

/* The node's own knobs (the IPv4 stack's, not netfilter's). */
static bool knob_is_forward(const char *name)
{
	return strcmp(name, "net.ipv4.ip_forward") == 0 ||
	       strcmp(name, "net.ipv4.conf.all.forwarding") == 0;
}

/* The TCP knobs the hosts' TCP follows (tcp.c), with the ranges their proc
 * handlers accept on Linux 6.18 (proc_dointvec_minmax, proc_dou8vec_minmax:
 * a value outside is "Invalid argument"). */
static const struct tcp_knob {
	const char *name;
	size_t off;
	long long min, max;
} tcp_knobs[] = {
	{ "net.ipv4.tcp_syn_retries", offsetof(struct tcp_sysctl, syn_retries), 1, 127 },
	{ "net.ipv4.tcp_synack_retries", offsetof(struct tcp_sysctl, synack_retries), 0, 255 },
	{ "net.ipv4.tcp_syn_linear_timeouts", offsetof(struct tcp_sysctl, syn_linear_timeouts),
	  0, 127 },
	{ "net.ipv4.tcp_retries2", offsetof(struct tcp_sysctl, retries2), 0, 255 },
	{ "net.ipv4.tcp_rto_min_us", offsetof(struct tcp_sysctl, rto_min_us), 1, INT32_MAX },
	{ "net.ipv4.tcp_rto_max_ms", offsetof(struct tcp_sysctl, rto_max_ms), 1000, 120000 },
};

static const struct tcp_knob *tcp_knob_find(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(tcp_knobs); i++)
		if (strcmp(name, tcp_knobs[i].name) == 0)
			return &tcp_knobs[i];
	return NULL;
}

static uint32_t *tcp_knob_ptr(struct node *n, const struct tcp_knob *k)
{
	return (uint32_t *)((char *)sock_tcp_sysctl(n) + k->off);
}

/* proc_dointvec: an optionally signed decimal integer with blanks around it. */
static bool knob_parse_int(const char *value, long long *out)
{
	while (is_blank(*value))
		value++;
	char *end;
	errno = 0;
	long long v = strtoll(value, &end, 10);
	if (end == value || errno)
		return false;
	while (is_blank(*end))
		end++;
	if (*end)
		return false;
	*out = v;
	return true;
}

/* Read a knob: 0 with its value, or 2 with sysctl's message. */
static int knob_get(struct cmd_ctx *c, const char *name, GString *val, GString *err)
{
	struct node *n = c->node;
	g_string_truncate(val, 0);
	if (nf_sysctl_owns(name)) {
		if (!n->nf) {
			knob_no_such(err, name);
			return 2;
		}
		if (nf_sysctl_get(n->nf, name, val, c->w->now) != 0)
			return knob_missing(n, err, name);
		return 0;
	}
	if (knob_is_forward(name)) {
		g_string_printf(val, "%d", n->ipv4->ip_forward ? 1 : 0);
		return 0;
	}
	switch (devconf_get(n, name, val)) {
	case 0:
		return 0;
	case 2:
		knob_no_such(err, name);
		return 2;
	default:
		break;
	}
	if (strcmp(name, "net.ipv4.ipfrag_time") == 0) {
		g_string_printf(val, "%u", n->ipv4->ipfrag_time);
		return 0;
	}
	const struct tcp_knob *tk = tcp_knob_find(name);
	if (tk) {
		g_string_printf(val, "%u", *tcp_knob_ptr(n, tk));
		return 0;
	}
	return knob_missing(n, err, name);
}

/* Write a knob (dry run: check only): 0, or 2 with sysctl's message. */
static int knob_set(struct cmd_ctx *c, const char *name, const char *value, GString *err)
{
	struct node *n = c->node;
	long long v;
	if (nf_sysctl_owns(name)) {
		if (!n->nf) {
			knob_no_such(err, name);
			return 2;
		}
		if (nf_sysctl_set(n->nf, name, value, err, c->dry_run, c->w->now) == 0)
			return 0;
		if (g_str_has_prefix(err->str, "sysctl: cannot stat"))
			return knob_missing(n, err, name);
		return 2;
	}
	if (knob_is_forward(name)) {
		if (!knob_parse_int(value, &v) || (v != 0 && v != 1)) {
			g_string_printf(err, "sysctl: setting key \"%s\": Invalid argument", name);
			return 2;
		}
		if (!c->dry_run) {
			n->ipv4->ip_forward = v == 1;
			devconf_forward_change(n);
		}
		return 0;
	}
	switch (devconf_set(n, name, value, err, c->dry_run)) {
	case 0:
		return 0;
	case 2:
		knob_no_such(err, name);
		return 2;
	case 3:
		return 2;
	default:
		break;
	}
	if (strcmp(name, "net.ipv4.ipfrag_time") == 0) {
		if (!knob_parse_int(value, &v) || v < 0 || v > INT32_MAX) {
			g_string_printf(err, "sysctl: setting key \"%s\": Invalid argument", name);
			return 2;
		}
		if (!c->dry_run)
			n->ipv4->ipfrag_time = (unsigned)v;
		return 0;
	}
	const struct tcp_knob *tk = tcp_knob_find(name);
	if (tk) {
		if (!knob_parse_int(value, &v) || v < tk->min || v > tk->max) {
			g_string_printf(err, "sysctl: setting key \"%s\": Invalid argument", name);
			return 2;
		}
		if (!c->dry_run)
			*tcp_knob_ptr(n, tk) = (uint32_t)v;
		return 0;
	}
	return knob_missing(n, err, name);
}

static bool is_proc_sys(const char *path)
{
	return g_str_has_prefix(path, PROC_SYS);
}

/* ----- reading a file for `<`, sysctl -p, iptables-restore FILE ----- */

/* Content of `path` as node n sees it: a /proc/sys knob, the file store,
 * or, for a relative path, the real file beside the scenario. NULL if it
 * does not exist (reason in why). */
static char *file_load(struct cmd_ctx *c, const char *path, GString *why)
{
	if (is_proc_sys(path)) {
		char *name = knob_name(path + strlen(PROC_SYS));
		GString *v = g_string_new(NULL);
		GString *e = g_string_new(NULL);
		char *res = NULL;
		if (knob_get(c, name, v, e) == 0) {
			g_string_append_c(v, '\n');
			res = g_strdup(v->str);
		} else {
			g_string_printf(why, "%s: No such file or directory", path);
		}
		g_string_free(v, TRUE);
		g_string_free(e, TRUE);
		g_free(name);
		return res;
	}
	if (g_str_has_prefix(path, "/proc/net/xt_recent/")) {
		/* -m recent's lists, while a rule names them */
		GString *o = g_string_new(NULL);
		if (c->node->nf &&
		    nf_proc_xt_recent_read(c->node->nf, path + strlen("/proc/net/xt_recent/"), o) == 0)
			return g_string_free(o, FALSE);
		g_string_free(o, TRUE);
		g_string_printf(why, "%s: No such file or directory", path);
		return NULL;
	}
	if (g_str_has_prefix(path, "/proc/net/ipt_hashlimit/")) {
		/* -m hashlimit's tables, once a rule has used them */
		GString *o = g_string_new(NULL);
		if (c->node->nf && nf_proc_ipt_hashlimit_read(c->node->nf,
				path + strlen("/proc/net/ipt_hashlimit/"), c->w->now, o) == 0)
			return g_string_free(o, FALSE);
		g_string_free(o, TRUE);
		g_string_printf(why, "%s: No such file or directory", path);
		return NULL;
	}
	GString *f = file_get(c->node, path);
	if (f)
		return g_strdup(f->str);
	if (!g_path_is_absolute(path)) {
		const char *dir = c->w->files_dir ? c->w->files_dir : ".";
		char *real = g_build_filename(dir, path, NULL);
		char *text = NULL;
		GError *ge = NULL;
		if (g_file_get_contents(real, &text, NULL, &ge)) {
			g_free(real);
			return text;
		}
		g_string_printf(why, "%s: %s", path,
				ge->code == G_FILE_ERROR_NOENT ? "No such file or directory"
							       : ge->message);
		g_error_free(ge);
		g_free(real);
		return NULL;
	}
	g_string_printf(why, "%s: No such file or directory", path);
	return NULL;
}

/* At parse time the file store is still empty (files are written by earlier
 * commands at run time): a missing absolute path cannot be judged yet. */
static bool file_missing_is_deferred(struct cmd_ctx *c, const char *path)
{
	return c->dry_run && g_path_is_absolute(path) && !is_proc_sys(path);
}

/* nft -f FILE reads the node's files as `<` does (nf_read_file_fn). */
static char *nft_file_load(void *priv, const char *path)
{
	GString *why = g_string_new(NULL);
	char *text = file_load(priv, path, why);
	g_string_free(why, TRUE);
	return text;
}

/* nft's include patterns over the node's files, as glob(3) with GLOB_MARK
 * sees them: the file store's paths, and for a relative pattern also the
 * real files beside the scenario (a directory marked with '/'). Sorted,
 * without duplicates. */
static gint path_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **nft_file_glob(void *priv, const char *pattern)
{
	struct cmd_ctx *c = priv;
	GPtrArray *m = g_ptr_array_new();
	if (c->node->shell) {
		GHashTableIter it;
		gpointer key;
		g_hash_table_iter_init(&it, c->node->shell->files);
		while (g_hash_table_iter_next(&it, &key, NULL))
			if (!fnmatch(pattern, key, FNM_PATHNAME | FNM_PERIOD))
				g_ptr_array_add(m, g_strdup(key));
	}
	if (!g_path_is_absolute(pattern)) {
		const char *dir = c->w->files_dir ? c->w->files_dir : ".";
		char *full = g_strconcat(dir, "/", pattern, NULL);
		size_t skip = strlen(dir) + 1;
		glob_t g;
		if (glob(full, GLOB_MARK | GLOB_NOESCAPE, NULL, &g) == 0)
			for (size_t i = 0; i < g.gl_pathc; i++)
				if (strlen(g.gl_pathv[i]) > skip)
					g_ptr_array_add(m, g_strdup(g.gl_pathv[i] + skip));
		globfree(&g);
		g_free(full);
	}
	g_ptr_array_sort(m, path_cmp);
	GPtrArray *out = g_ptr_array_new();
	for (unsigned i = 0; i < m->len; i++) {
		char *x = m->pdata[i];
		if (out->len && !strcmp(out->pdata[out->len - 1], x))
			g_free(x);
		else
			g_ptr_array_add(out, x);
	}
	g_ptr_array_free(m, TRUE);
	g_ptr_array_add(out, NULL);
	return (char **)g_ptr_array_free(out, FALSE);
}

/* ----- host/router checks ----- */

static int need_netfilter(struct cmd_ctx *c, const char *cmd)
{
	if (c->node->nf)
		return 0;
	g_string_printf(c->err, "natsim: %s: %s is a host and has no netfilter "
			"(declare it with `router %s`)", cmd, c->node->name, c->node->name);
	return 2;
}

/* ----- sysctl ----- */

/* One "name = value" line of a sysctl.conf, applied as procps' sysctl -p
 * does: blanks trimmed, '#' and ';' comments, a leading '-' ignores errors.
 * Every line is tried. Returns 0, or 1 (procps' exit status) after
 * appending the messages to errs. */
static int sysctl_conf_apply(struct cmd_ctx *c, const char *text, bool quiet, GString *errs)
{
	int rc = 0;
	char **lines = g_strsplit(text, "\n", -1);
	GString *e = g_string_new(NULL);
	for (char **l = lines; *l; l++) {
		char *line = g_strstrip(*l);
		if (!*line || *line == '#' || *line == ';')
			continue;
		bool ignore = false;
		if (*line == '-') {
			ignore = true;
			line++;
		}
		char *eq = strchr(line, '=');
		if (!eq) {
			g_string_append_printf(errs, "%ssysctl: line is not of the form name=value: %s",
					       errs->len ? "\n" : "", line);
			rc = 1;
			continue;
		}
		*eq = '\0';
		char *name = knob_name(g_strstrip(line));
		char *value = g_strstrip(eq + 1);
		g_string_truncate(e, 0);
		if (knob_set(c, name, value, e) != 0) {
			if (!ignore) {
				g_string_append_printf(errs, "%s%s", errs->len ? "\n" : "", e->str);
				rc = 1;
			}
		} else if (!quiet) {
			g_string_append_printf(c->out, "%s = %s\n", name, value);
		}
		g_free(name);
	}
	g_string_free(e, TRUE);
	g_strfreev(lines);
	return rc;
}

static gint str_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* systemd-sysctl / `sysctl --system`: /etc/sysctl.d/NAME.conf in name order,
 * then /etc/sysctl.conf. */
static int sysctl_system(struct cmd_ctx *c, bool quiet, GString *errs)
{
	int rc = 0;
	GPtrArray *paths = g_ptr_array_new();
	if (c->node->shell) {
		GHashTableIter it;
		gpointer k;
		g_hash_table_iter_init(&it, c->node->shell->files);
		while (g_hash_table_iter_next(&it, &k, NULL)) {
			const char *p = k;
			if (g_str_has_prefix(p, "/etc/sysctl.d/") && g_str_has_suffix(p, ".conf") &&
			    !strchr(p + strlen("/etc/sysctl.d/"), '/'))
				g_ptr_array_add(paths, (gpointer)p);
		}
	}
	g_ptr_array_sort(paths, str_cmp);
	g_ptr_array_add(paths, "/etc/sysctl.conf");
	for (unsigned i = 0; i < paths->len; i++) {
		GString *f = file_get(c->node, g_ptr_array_index(paths, i));
		if (!f)
			continue;
		if (!quiet)
			g_string_append_printf(c->out, "* Applying %s ...\n",
					       (const char *)g_ptr_array_index(paths, i));
		char *copy = g_strdup(f->str); /* a knob write cannot touch the store, but be safe */
		if (sysctl_conf_apply(c, copy, quiet, errs))
			rc = 1;
		g_free(copy);
	}
	g_ptr_array_free(paths, TRUE);
	return rc;
}

/* procps-ng sysctl: -w NAME=VALUE, NAME=VALUE, NAME, -n, -q, -e, -p [FILE],
 * --system. Prints "name = value" as procps does (the value as given); every
 * name is tried, and a failure of any makes the exit status 1. */
static int cmd_sysctl(struct cmd_ctx *c, int argc, char **argv)
{
	bool write = false, names_only_values = false, quiet = false, ignore = false;
	bool load = false, system_ = false;
	const char *load_file = NULL;
	int i;
	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "--write") == 0) { write = true; continue; }
		if (strcmp(a, "--values") == 0) { names_only_values = true; continue; }
		if (strcmp(a, "--quiet") == 0) { quiet = true; continue; }
		if (strcmp(a, "--ignore") == 0) { ignore = true; continue; }
		if (strcmp(a, "--system") == 0) { system_ = true; continue; }
		if (g_str_has_prefix(a, "--load")) {
			load = true;
			if (a[6] == '=')
				load_file = a + 7;
			continue;
		}
		if (a[1] == '-') {
			/* procps-ng 4.0.2's other long options */
			static const char *const other[] = {
				"--all", "--deprecated", "--dry-run", "--binary", "--names", "--pattern",
				"--help", "--version", NULL,
			};
			for (int k = 0; other[k]; k++)
				if (strncmp(a, other[k], strlen(other[k])) == 0 &&
				    (!a[strlen(other[k])] || a[strlen(other[k])] == '='))
					return natsim_unimpl(c->err, "sysctl %s", other[k]);
			g_string_printf(c->err, "sysctl: unrecognized option '%s'", a);
			return 1;
		}
		for (const char *f = a + 1; *f; f++) {
			switch (*f) {
			case 'w': write = true; break;
			case 'n': names_only_values = true; break;
			case 'q': quiet = true; break;
			case 'e': ignore = true; break;
			case 'p': case 'f': load = true; break;
			case 'o': case 'x': break;	/* "does nothing" (sysctl --help) */
			case 'a': case 'A': case 'X': case 'b': case 'N': case 'r':
			case 'd': case 'h': case 'V':
				return natsim_unimpl(c->err, "sysctl -%c", *f);
			default:
				g_string_printf(c->err, "sysctl: invalid option -- '%c'", *f);
				return 1;
			}
		}
	}
	if (system_)
		return sysctl_system(c, quiet, c->err);
	if (load) {
		if (!load_file && i < argc)
			load_file = argv[i++];
		if (!load_file)
			load_file = "/etc/sysctl.conf";
		GString *why = g_string_new(NULL);
		char *text = file_load(c, load_file, why);
		g_string_free(why, TRUE);
		if (!text) {
			if (file_missing_is_deferred(c, load_file))
				return 0;
			g_string_printf(c->err, "sysctl: cannot open \"%s\": No such file or directory",
					load_file);
			return 1;
		}
		int rc = sysctl_conf_apply(c, text, quiet, c->err);
		g_free(text);
		return rc;
	}
	if (i >= argc) {
		g_string_assign(c->err, "sysctl: no variables specified\n"
				"Try `sysctl --help' for more information.");
		return 1;
	}
	GString *val = g_string_new(NULL);
	GString *e = g_string_new(NULL);
	int rc = 0;
	for (; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		g_string_truncate(e, 0);
		if (write || eq) {
			if (!eq) {
				g_string_append_printf(c->err, "%ssysctl: command line(0): invalid syntax, "
						       "continuing...", c->err->len ? "\n" : "");
				rc = 1;
				continue;
			}
			char *raw = g_strndup(argv[i], (size_t)(eq - argv[i]));
			char *name = knob_name(g_strstrip(raw));
			char *value = g_strstrip(g_strdup(eq + 1));
			if (knob_set(c, name, value, e) != 0) {
				if (!(ignore && g_str_has_prefix(e->str, "sysctl: cannot stat"))) {
					g_string_append_printf(c->err, "%s%s", c->err->len ? "\n" : "", e->str);
					rc = 1;
				}
			} else if (!quiet) {
				if (names_only_values)
					g_string_append_printf(c->out, "%s\n", value);
				else
					g_string_append_printf(c->out, "%s = %s\n", name, value);
			}
			g_free(raw);
			g_free(name);
			g_free(value);
		} else {
			char *name = knob_name(argv[i]);
			if (knob_get(c, name, val, e) != 0) {
				if (!ignore) {
					g_string_append_printf(c->err, "%s%s", c->err->len ? "\n" : "", e->str);
					rc = 1;
				}
			} else if (names_only_values) {
				g_string_append_printf(c->out, "%s\n", val->str);
			} else {
				g_string_append_printf(c->out, "%s = %s\n", name, val->str);
			}
			g_free(name);
		}
	}
	g_string_free(val, TRUE);
	g_string_free(e, TRUE);
	return rc;
}

/* ----- echo, cat ----- */

/* bash's builtin echo: -n (no newline), -e (backslash escapes), -E. */
static int cmd_echo(struct cmd_ctx *c, int argc, char **argv)
{
	bool newline = true, escapes = false;
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || !a[1] || strspn(a + 1, "neE") != strlen(a + 1))
			break;
		for (const char *f = a + 1; *f; f++) {
			if (*f == 'n')
				newline = false;
			else if (*f == 'e')
				escapes = true;
			else
				escapes = false;
		}
	}
	for (int first = i; i < argc; i++) {
		if (i > first)
			g_string_append_c(c->out, ' ');
		if (!escapes) {
			g_string_append(c->out, argv[i]);
			continue;
		}
		for (const char *p = argv[i]; *p; p++) {
			if (*p != '\\' || !p[1]) {
				g_string_append_c(c->out, *p);
				continue;
			}
			p++;
			switch (*p) {
			case 'n': g_string_append_c(c->out, '\n'); break;
			case 't': g_string_append_c(c->out, '\t'); break;
			case '\\': g_string_append_c(c->out, '\\'); break;
			case 'c': return 0; /* produce no further output */
			default:
				g_string_append_c(c->out, '\\');
				g_string_append_c(c->out, *p);
			}
		}
	}
	if (newline)
		g_string_append_c(c->out, '\n');
	return 0;
}

/* cat FILE...: a missing file is reported on stderr as cat does, the other
 * files are still shown, and the exit status is 1. At parse time the file
 * store is still empty, so nothing can be judged. */
static int cmd_cat(struct cmd_ctx *c, int argc, char **argv)
{
	if (argc == 1) {
		if (c->stdin_text)
			g_string_append(c->out, c->stdin_text);
		return 0;
	}
	if (c->dry_run)
		return 0;
	GString *why = g_string_new(NULL);
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		g_string_truncate(why, 0);
		char *text = file_load(c, argv[i], why);
		if (text) {
			g_string_append(c->out, text);
			g_free(text);
		} else {
			g_string_append_printf(c->err, "%scat: %s", c->err->len ? "\n" : "", why->str);
			rc = 1;
		}
	}
	g_string_free(why, TRUE);
	return rc;
}

/* ----- iptables-restore ----- */

static int cmd_iptables_restore(struct cmd_ctx *c, int argc, char **argv)
{
	const char *file = NULL;
	GPtrArray *opts = g_ptr_array_new();	/* for nf_cmd_iptables_restore_args */
	char *text = NULL;
	int rc = 0;
	g_ptr_array_add(opts, "iptables-restore");
	for (int i = 1; i < argc && rc == 0; i++) {
		const char *a = argv[i];
		/* iptables-restore 1.8.9's options natsim lacks */
		static const char *const other[] = {
			"-V", "--version", "-h", "--help", "-W", "--wait-interval", "-M",
			"--modprobe", "-T", "--table", NULL,
		};
		if (a[0] != '-') {
			if (file) {
				g_string_assign(c->err, "iptables-restore: Unknown arguments found on commandline");
				rc = 2;
			}
			file = a;
			continue;
		}
		for (int k = 0; other[k] && rc == 0; k++)
			if (strncmp(a, other[k], strlen(other[k])) == 0)
				rc = natsim_unimpl(c->err, "iptables-restore %s", other[k]);
		g_ptr_array_add(opts, (gpointer)a); /* -t -n -c -v -w, or its error */
	}
	if (rc == 0 && file) {
		GString *why = g_string_new(NULL);
		text = file_load(c, file, why);
		if (!text && !file_missing_is_deferred(c, file)) {
			g_string_printf(c->err, "Can't open %s: No such file or directory", file);
			rc = 1;
		}
		g_string_free(why, TRUE);
		if (!text)
			goto out;
	} else if (rc == 0 && c->stdin_text) {
		text = g_strdup(c->stdin_text);
	} else if (rc == 0 && !c->dry_run) {
		g_string_assign(c->err, "iptables-restore: no input: use iptables-restore < FILE");
		rc = 2;
	}
	if (rc == 0 && (text || c->dry_run)) {
		/* at parse time without the text: the options alone are checked */
		bool nft_backend = strcmp(argv[0], "iptables-legacy-restore") != 0;
		struct nf_nft_snap *before = nft_backend ? nft_events_begin(c, false) : NULL;
		rc = (strcmp(argv[0], "iptables-legacy-restore") == 0
		      ? nf_cmd_iptables_legacy_restore_args : nf_cmd_iptables_restore_args)(
			c->node->nf, (int)opts->len, (char **)opts->pdata, text ? text : "", c->out,
			c->err, c->dry_run, c->w->now);
		rc = rc && natsim_unimpl_msg(c->err->str) ? NATSIM_EXIT_UNIMPL : rc;
		if (nft_backend)
			nft_events_end(c, before, rc, true, false, false, "iptables-restore", argc,
				       argv);
	}
out:
	g_free(text);
	g_ptr_array_free(opts, TRUE);
	return rc;
}

/* ----- iptables-translate, iptables-restore-translate (nat/iptables/ipt_xlate.c) ----- */

static int cmd_iptables_translate(struct cmd_ctx *c, int argc, char **argv)
{
	return nf_cmd_iptables_translate(argc, argv, c->out, c->err);
}

/* The real tool reads only -f FILE (stdin gets its usage text). */
static int cmd_iptables_restore_translate(struct cmd_ctx *c, int argc, char **argv)
{
	const char *file;
	int rc = nf_cmd_iptables_restore_translate_file(argc, argv, &file, c->out, c->err);
	if (rc >= 0)
		return rc;
	GString *why = g_string_new(NULL);
	char *text = file_load(c, file, why);
	g_string_free(why, TRUE);
	if (!text) {
		if (file_missing_is_deferred(c, file))
			return 0;
		g_string_append_printf(c->err, "Cannot open file %s\n", file);
		return 1;
	}
	rc = nf_cmd_iptables_restore_translate(argv[0], text, c->w->now, c->out, c->err);
	g_free(text);
	return rc;
}

/* ----- the iptables service: systemd's side (the script is
 * nat/iptables/ipt_service.c's) ----- */

#define IPT_SAVE_FILE NF_IPT_SERVICE_CONFIG
#define IPT_WANTS "/etc/systemd/system/multi-user.target.wants/iptables.service"
#define IPT_UNIT NF_IPT_SERVICE_UNIT
/* Whether the oneshot unit is active: kept under /run, a tmpfs that a reboot
 * empties, as systemd keeps its runtime state. */
#define IPT_ACTIVE "/run/systemd/natsim/iptables.service.active"

/* The unit's last run, for `systemctl status`: "STATE SINCE_NS PID STATUS". */
#define IPT_LAST "/run/systemd/natsim/iptables.service.last"
#define IPT_NAME NF_IPT_SERVICE_DESCRIPTION

static bool ipt_service_enabled(struct node *n) { return file_get(n, IPT_WANTS) != NULL; }
static bool ipt_service_active(struct node *n) { return file_get(n, IPT_ACTIVE) != NULL; }

/* systemd's and iptables.init's journal lines for one start or stop; `status`
 * is the init script's exit status (0, 1, 6). Returns the PID. */
static int ipt_service_journal(struct cmd_ctx *c, bool start, const char *init_out, int status)
{
	struct node *n = c->node;
	sim_time t = c->w->now;
	int pid = journal_new_pid(n);
	static const char *const names[] = { "SUCCESS", "FAILURE", "", "", "", "", "NOTCONFIGURED" };
	journal_log(n, t, "systemd", 1, "iptables.service",
		    start ? "Starting " IPT_NAME "..." : "Stopping " IPT_NAME "...");
	char **lines = g_strsplit(init_out, "\n", -1);
	for (char **l = lines; *l; l++)
		if (**l)
			journal_log(n, t, "iptables.init", pid, "iptables.service", *l);
	g_strfreev(lines);
	char *last;
	if (status == 0) {
		journal_log(n, t, "systemd", 1, "iptables.service",
			    start ? "Finished " IPT_NAME "." : "iptables.service: Deactivated successfully.");
		if (!start)
			journal_log(n, t, "systemd", 1, "iptables.service", "Stopped " IPT_NAME ".");
		last = g_strdup_printf("%s %lld %d 0/SUCCESS", start ? "active" : "inactive",
				       (long long)t, pid);
	} else {
		char *m = g_strdup_printf("iptables.service: Main process exited, code=exited, status=%d/%s",
					  status, names[status]);
		journal_log(n, t, "systemd", 1, "iptables.service", m);
		g_free(m);
		journal_log(n, t, "systemd", 1, "iptables.service",
			    "iptables.service: Failed with result 'exit-code'.");
		journal_log(n, t, "systemd", 1, "iptables.service",
			    start ? "Failed to start " IPT_NAME "." : "Stopped " IPT_NAME ".");
		last = g_strdup_printf("failed %lld %d %d/%s", (long long)t, pid, status, names[status]);
	}
	file_put(n, IPT_LAST, last, false);
	g_free(last);
	return pid;
}

/* systemctl start: iptables.init start (nf_ipt_service_start) with the
 * config file's content; its lines go to the journal. Without the file the
 * script exits 6 and systemctl reports the failed job (exit 1). */
static int ipt_service_start(struct cmd_ctx *c)
{
	GString *f = file_get(c->node, IPT_SAVE_FILE);
	GString *init = g_string_new(NULL);
	int status = nf_ipt_service_start(c->node->nf, f ? f->str : NULL, c->out, init, c->w->now);
	ipt_service_journal(c, true, init->str, status);
	if (status == 6)
		g_string_append_printf(c->err, "%sJob for iptables.service failed because the control "
				       "process exited with error code.\n"
				       "See \"systemctl status iptables.service\" and "
				       "\"journalctl -xeu iptables.service\" for details.",
				       c->err->len ? "\n" : "");
	else if (status)
		g_string_printf(c->err, "iptables.service: iptables-restore %s: %s", IPT_SAVE_FILE,
				init->str);
	else
		file_put(c->node, IPT_ACTIVE, "", false);
	g_string_free(init, TRUE);
	return status ? 1 : 0;
}

/* systemctl stop: iptables.init stop (nf_ipt_service_stop). */
static int ipt_service_stop(struct cmd_ctx *c)
{
	GString *init = g_string_new(NULL);
	int status = nf_ipt_service_stop(c->node->nf, c->out, init, c->w->now);
	if (status)
		g_string_printf(c->err, "iptables.service: stop: %s", init->str);
	ipt_service_journal(c, false, init->str, status);
	file_remove(c->node, IPT_ACTIVE);
	g_string_free(init, TRUE);
	return status;
}

/* service iptables save: the script's iptables-save into the file store. */
static int ipt_service_save(struct cmd_ctx *c)
{
	GString *file = g_string_new(NULL);
	int rc = nf_ipt_service_save(c->node->nf, file, c->out, c->err, c->w->now);
	if (rc == 0)
		file_put(c->node, IPT_SAVE_FILE, file->str, false);
	g_string_free(file, TRUE);
	return rc;
}

/* systemctl status iptables, as systemd 252 prints a oneshot unit with
 * RemainAfterExit: the state since when, the init script's process and
 * exit status, then the unit's last 10 journal lines. */
static void ipt_service_status(struct cmd_ctx *c)
{
	bool en = ipt_service_enabled(c->node);
	GString *lastf = file_get(c->node, IPT_LAST);
	char state[16] = "inactive", exit_status[32] = "";
	long long since = 0;
	int pid = 0;
	if (lastf && sscanf(lastf->str, "%15s %lld %d %31s", state, &since, &pid, exit_status) != 4)
		g_strlcpy(state, "inactive", sizeof state);
	bool act = strcmp(state, "active") == 0, failed = strcmp(state, "failed") == 0;
	g_string_append_printf(c->out,
		"%s iptables.service - " IPT_NAME "\n"
		"     Loaded: loaded (" IPT_UNIT "; %s; preset: disabled)\n"
		"     Active: %s",
		act ? "\u25cf" : failed ? "\u00d7" : "\u25cb", en ? "enabled" : "disabled",
		act ? "active (exited)" : failed ? "failed (Result: exit-code)" : "inactive (dead)");
	if (lastf)
		journal_since((sim_time)since, c->w->now, c->out);
	g_string_append_c(c->out, '\n');
	if (lastf) {
		g_string_append_printf(c->out,
			"    Process: %d ExecStart=" NF_IPT_SERVICE_EXEC " start "
			"(code=exited, status=%s)\n"
			"   Main PID: %d (code=exited, status=%s)\n",
			pid, exit_status, pid, exit_status);
		g_string_append_c(c->out, '\n');
		journal_unit_tail(c->node, "iptables.service", 10, c->out);
	}
}

static bool unit_is_iptables(const char *unit)
{
	return strcmp(unit, "iptables") == 0 || strcmp(unit, "iptables.service") == 0;
}

/* One action on the iptables unit (systemctl semantics: start of an active
 * oneshot does nothing; stop of an inactive one neither). Exit statuses as
 * systemctl's: 1 a failed job or an unknown verb; status and is-active 3
 * when the unit is inactive, is-enabled 1 when it is disabled. */
static int ipt_service_action(struct cmd_ctx *c, const char *action, bool now)
{
	struct node *n = c->node;
	bool known = strcmp(action, "start") == 0 || strcmp(action, "stop") == 0 ||
		     strcmp(action, "restart") == 0 || strcmp(action, "reload") == 0 ||
		     strcmp(action, "enable") == 0 || strcmp(action, "disable") == 0 ||
		     strcmp(action, "status") == 0 || strcmp(action, "is-enabled") == 0 ||
		     strcmp(action, "is-active") == 0 || strcmp(action, "save") == 0;
	if (!known) {
		g_string_printf(c->err, "Unknown command verb '%s'.", action);
		return 1;
	}
	if (c->dry_run)
		return 0;
	if (strcmp(action, "start") == 0)
		return ipt_service_active(n) ? 0 : ipt_service_start(c);
	if (strcmp(action, "stop") == 0)
		return ipt_service_active(n) ? ipt_service_stop(c) : 0;
	if (strcmp(action, "restart") == 0 || strcmp(action, "reload") == 0) {
		if (ipt_service_active(n) && ipt_service_stop(c))
			return 1;
		return ipt_service_start(c);
	}
	if (strcmp(action, "save") == 0)
		return ipt_service_save(c);
	if (strcmp(action, "enable") == 0) {
		if (!ipt_service_enabled(n)) {
			file_put(n, IPT_WANTS, IPT_UNIT, false);
			g_string_append_printf(c->err, "%sCreated symlink " IPT_WANTS " \u2192 " IPT_UNIT ".",
					       c->err->len ? "\n" : "");
		}
		return now && !ipt_service_active(n) ? ipt_service_start(c) : 0;
	}
	if (strcmp(action, "disable") == 0) {
		if (ipt_service_enabled(n)) {
			file_remove(n, IPT_WANTS);
			g_string_append_printf(c->err, "%sRemoved \"" IPT_WANTS "\".",
					       c->err->len ? "\n" : "");
		}
		return now && ipt_service_active(n) ? ipt_service_stop(c) : 0;
	}
	if (strcmp(action, "status") == 0) {
		ipt_service_status(c);
		return ipt_service_active(n) ? 0 : 3;
	}
	if (strcmp(action, "is-enabled") == 0) {
		g_string_append(c->out, ipt_service_enabled(n) ? "enabled\n" : "disabled\n");
		return ipt_service_enabled(n) ? 0 : 1;
	}
	GString *lastf = file_get(n, IPT_LAST);
	g_string_append(c->out, ipt_service_active(n) ? "active\n"
				: lastf && g_str_has_prefix(lastf->str, "failed") ? "failed\n"
				: "inactive\n");
	return ipt_service_active(n) ? 0 : 3;
}

static int cmd_reboot(struct cmd_ctx *c);

/* systemctl [--now] [-q] ACTION UNIT... (only iptables.service exists). */
static int cmd_systemctl(struct cmd_ctx *c, int argc, char **argv)
{
	bool now = false;
	const char *action = NULL;
	GPtrArray *units = g_ptr_array_new();
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--now") == 0)
			now = true;
		else if (argv[i][0] == '-')
			; /* -q, --no-pager, --quiet: nothing to change here */
		else if (!action)
			action = argv[i];
		else
			g_ptr_array_add(units, argv[i]);
	}
	if (!action) {
		rc = natsim_unimpl(c->err, "systemctl without a command (list-units)");
	} else if (strcmp(action, "reboot") == 0) {
		rc = cmd_reboot(c);
	} else if (units->len == 0) {
		g_string_printf(c->err, "Too few arguments.");
		rc = 1;
	}
	for (unsigned i = 0; rc == 0 && action && strcmp(action, "reboot") && i < units->len; i++) {
		const char *unit = g_ptr_array_index(units, i);
		if (strcmp(action, "save") == 0) {
			g_string_printf(c->err, "Unknown command verb '%s'.", action);
			rc = 1;
		} else if (!unit_is_iptables(unit) || !c->node->nf) {
			/* systemctl: 4 "no such unit" for status, 5 "not loaded" for a job */
			char *full = g_str_has_suffix(unit, ".service") ? g_strdup(unit)
								       : g_strdup_printf("%s.service", unit);
			if (strncmp(action, "is-", 3) == 0 || strcmp(action, "status") == 0) {
				g_string_printf(c->err, "Unit %s could not be found.", full);
				rc = 4;
			} else if (strcmp(action, "enable") == 0 || strcmp(action, "disable") == 0) {
				g_string_printf(c->err, "Failed to %s unit: Unit file %s does not exist.",
						action, full);
				rc = 1;
			} else {
				g_string_printf(c->err, "Failed to %s %s: Unit %s not found.", action, full, full);
				rc = 5;
			}
			g_free(full);
		} else {
			rc = ipt_service_action(c, action, now);
		}
	}
	g_ptr_array_free(units, TRUE);
	return rc;
}

/* service iptables ACTION: `save` is the legacy action; the rest redirect to
 * systemctl as on RHEL 7+. */
static int cmd_service(struct cmd_ctx *c, int argc, char **argv)
{
	if (argc < 3) {
		g_string_assign(c->err, "Usage: service < option > | --status-all | [ service_name [ command | --full-restart ] ]");
		return 1;
	}
	if (!unit_is_iptables(argv[1]) || !c->node->nf) {
		g_string_printf(c->err, "Redirecting to /bin/systemctl %s %s.service\n"
				"Failed to %s %s.service: Unit %s.service not found.",
				argv[2], argv[1], argv[2], argv[1], argv[1]);
		return 5;
	}
	if (strcmp(argv[2], "save") == 0)
		return ipt_service_action(c, "save", false);
	if (strcmp(argv[2], "enable") == 0 || strcmp(argv[2], "disable") == 0 ||
	    strncmp(argv[2], "is-", 3) == 0) {
		g_string_printf(c->err, "The service command supports only basic LSB actions "
				"(start, stop, restart, try-restart, reload, force-reload, status).");
		return 2;
	}
	if (!c->dry_run)
		g_string_append_printf(c->err, "Redirecting to /bin/systemctl %s iptables.service",
				       argv[2]);
	return ipt_service_action(c, argv[2], false);
}

/* ----- reboot ----- */

static gboolean is_run_file(gpointer key, gpointer value, gpointer data)
{
	(void)value;
	(void)data;
	return g_str_has_prefix(key, "/run/");
}

/* reboot: runtime state is lost (netfilter rules, conntrack, sockets,
 * net.ipv4 knobs, /run), the persistent configuration stays: interface
 * addresses, routes and MTUs (as ifupdown/networkd would set them again) and
 * the file store. Then the boot: systemd-sysctl applies /etc/sysctl.d/ *.conf
 * and /etc/sysctl.conf, and an enabled iptables.service restores
 * /etc/sysconfig/iptables. */
static int cmd_reboot(struct cmd_ctx *c)
{
	if (c->dry_run)
		return 0;
	struct node *n = c->node;
	node_klog(n, c->w->now, "reboot: Restarting system");
	ip_node_flush(n);
	if (n->nf)
		nf_ns_reset(n->nf);
	inet_sysctl_reset(n);
	memset(&n->ipv4->net_rl, 0, sizeof n->ipv4->net_rl);
	if (n->ipv4->fib.route_exceptions)
		g_array_set_size(n->ipv4->fib.route_exceptions, 0); /* the routing cache */
	tcp_sysctl_defaults(sock_tcp_sysctl(n));
	transport_free(n);
	ct_events_listener_end(c->w, n); /* the reboot stops conntrack -E */
	if (n->shell)
		g_hash_table_foreach_remove(n->shell->files, is_run_file, NULL);

	/* boot */
	journal_boot(n, c->w->now);
	GString *boot_out = c->out;
	GString *quiet_out = g_string_new(NULL);
	GString *errs = g_string_new(NULL);
	c->out = quiet_out; /* systemd-sysctl prints nothing on the console */
	sysctl_system(c, true, errs);
	if (n->nf && ipt_service_enabled(n))
		ipt_service_start(c);
	c->out = boot_out;
	if (errs->len)
		g_string_append_printf(c->err, "%s%s", c->err->len ? "\n" : "", errs->str);
	g_string_free(quiet_out, TRUE);
	g_string_free(errs, TRUE);
	return 0;
}

/* `conntrack -E [-p PROTO]`: from now on the router's events are also shown
 * on stdout (ct_events.c reads this marker). The marker lives under /run:
 * a reboot ends the listening process. */
static void conntrack_event_listen(struct cmd_ctx *c, int argc, char **argv)
{
	bool events = false;
	const char *proto = "";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-E") == 0 || strcmp(argv[i], "--event") == 0) {
			events = true;
			if (i + 1 < argc && strcmp(argv[i + 1], "expect") == 0)
				proto = CT_EVENTS_EXPECT;	/* the expectation table */
		} else if ((strcmp(argv[i], "-p") == 0 || strcmp(argv[i], "--proto") == 0 ||
			  strcmp(argv[i], "--protonum") == 0) && i + 1 < argc)
			proto = argv[++i];
	}
	if (events)
		file_put(c->node, CT_EVENTS_LISTENER, proto, false);
}

/* ----- dispatch ----- */

void cmd_skip_sudo(int *argc, char ***argv)
{
	/* `sudo` from copied instructions: the scenario is already root */
	int skip = paste_sudo_skip(*argc, *argv);
	*argc -= skip;
	*argv += skip;
}

/* natsim's own voice always names natsim ("natsim: -m u32 is not
 * implemented yet"); no Linux tool's message does, unless the user's own
 * words (a file or chain name) contain it, and then the command is refused
 * as bad input, which the user sees. */
bool cmd_refused(const char *err)
{
	return err && strstr(err, "natsim") != NULL;
}

/* ----- the command table ----- */

static int cmd_true(struct cmd_ctx *c, int argc, char **argv)
{
	(void)c;
	(void)argc;
	(void)argv;
	return 0;
}

static int cmd_ip(struct cmd_ctx *c, int argc, char **argv)
{
	return ipcmd_run(c, argc, argv);
}

static int cmd_nstat(struct cmd_ctx *c, int argc, char **argv)
{
	return nstat_cmd(c, argc, argv);
}

/* Whether an iptables command line changes its table (iptables-nft
 * commits a batch: a generation). */
static bool ipt_changing(int argc, char **argv)
{
	static const char *const ops[] = { "-A", "-I", "-D", "-R", "-N", "-X", "-P", "-F", "-Z",
					   "-E", "--append", "--insert", "--delete", "--replace",
					   "--new-chain", "--delete-chain", "--policy", "--flush",
					   "--zero", "--rename-chain" };
	for (int i = 1; i < argc; i++)
		for (unsigned k = 0; k < G_N_ELEMENTS(ops); k++)
			if (!strcmp(argv[i], ops[k]))
				return true;
	return false;
}

static int cmd_iptables(struct cmd_ctx *c, int argc, char **argv)
{
	if (!c->dry_run)
		nf_iptables_legacy_warning(c->node->nf, argc, argv, false, c->err);
	/* iptables-nft's changes are nf_tables events (nft monitor) */
	struct nf_nft_snap *before = nft_events_begin(c, false);
	int rc = nf_cmd_iptables(c->node->nf, argc, argv, c->out, c->err, c->dry_run, c->w->now);
	nft_events_end(c, before, rc, ipt_changing(argc, argv), false, false, "iptables", argc,
		       argv);
	return rc;
}
static int cmd_iptables_legacy(struct cmd_ctx *c, int argc, char **argv)
{
	return nf_cmd_iptables_legacy(c->node->nf, argc, argv, c->out, c->err, c->dry_run,
				      c->w->now);
}
static int cmd_iptables_legacy_save(struct cmd_ctx *c, int argc, char **argv)
{
	if (c->dry_run)
		return 0;
	return nf_cmd_iptables_legacy_save_at(c->node->nf, argc, argv, c->out, c->err, c->w->now);
}

static int cmd_iptables_save(struct cmd_ctx *c, int argc, char **argv)
{
	struct nf_ns *nf = c->node->nf;
	if (c->dry_run) {
		/* only what natsim lacks is known before the run: whether a
		 * table exists depends on the commands before this one */
		GString *scratch = g_string_new(NULL);
		int rc = nf_cmd_iptables_save_at(nf, argc, argv, scratch, c->err, c->w->now);
		g_string_free(scratch, TRUE);
		if (rc && natsim_unimpl_msg(c->err->str))
			return rc;
		g_string_truncate(c->err, 0);
		return 0;
	}
	nf_iptables_legacy_warning(nf, argc, argv, true, c->err);
	return nf_cmd_iptables_save_at(nf, argc, argv, c->out, c->err, c->w->now);
}

static int cmd_conntrack(struct cmd_ctx *c, int argc, char **argv)
{
	int rc = nf_cmd_conntrack(c->node->nf, argc, argv, c->out, c->err, c->dry_run, c->w->now);
	if (rc)
		return rc;
	if (!c->dry_run)
		conntrack_event_listen(c, argc, argv);
	if (!c->dry_run && probe_on(&c->w->probes, PROBE_CT_SNAPSHOT))
		for (int i = 1; i < argc; i++)
			if (!strcmp(argv[i], "-L") || !strcmp(argv[i], "--dump")) {
				probe_fire_argv(&c->w->probes, PROBE_CT_SNAPSHOT, c->node, argv, argc);
				break;
			}
	return 0;
}

/* `nft [-a] monitor [new|destroy] [tables|chains|sets|rules|elements|
 * ruleset|trace]`: from now on the router's trace lines, or its ruleset's
 * changes, are shown on stdout (nft_monitor.c reads the markers, under
 * /run: a reboot ends the process). A plain `nft monitor` shows both.
 * xml and json formats are not implemented. */
static int nft_monitor(struct cmd_ctx *c, int argc, char **argv)
{
	int i = 1;
	bool handles = false;
	for (; i < argc && argv[i][0] == '-'; i++)
		if (!strcmp(argv[i], "-a") || !strcmp(argv[i], "--handle"))
			handles = true;
	if (i >= argc || strcmp(argv[i], "monitor"))
		return -1;
	const char *event = "any", *object = "any";
	int k = i + 1;
	if (k < argc && (!strcmp(argv[k], "new") || !strcmp(argv[k], "destroy")))
		event = argv[k++];
	if (k < argc && (nft_monitor_object(argv[k]) || !strcmp(argv[k], "trace")))
		object = argv[k++];
	if (k < argc && (!strcmp(argv[k], "xml") || !strcmp(argv[k], "json"))) {
		g_string_append_printf(c->err, "natsim: nft monitor %s is not implemented\n", argv[k]);
		return 1;
	}
	if (k < argc) {
		/* nft's: the word after `monitor` is read as an event name,
		 * anything later is a syntax error; the line and its marks */
		char *line = g_strjoinv(" ", argv + i);
		size_t col = 0;
		for (int w = i; w < k; w++)
			col += strlen(argv[w]) + 1;
		if (k == i + 1)
			g_string_append_printf(c->err, "Error: invalid event %s\n", argv[k]);
		else
			g_string_append(c->err, "Error: syntax error, unexpected string, expecting end "
					"of file or newline or semicolon\n");
		g_string_append_printf(c->err, "%s\n%*s", line, (int)col, "");
		for (size_t n = strlen(argv[k]); n; n--)
			g_string_append_c(c->err, '^');
		g_string_append_c(c->err, '\n');
		g_free(line);
		return 1;
	}
	if (c->dry_run)
		return 0;
	if (!strcmp(object, "trace") || (!strcmp(object, "any") && !strcmp(event, "any"))) {
		file_put(c->node, NFT_MONITOR_TRACE, "", false);
		nf_nft_trace_cache(c->node->nf);	/* the rules as nft reads them now */
	}
	if (strcmp(object, "trace"))
		nft_monitor_start(c, event, object, handles);
	return 0;
}

/* Whether an nft command line changes the ruleset (a generation). */
static bool nft_changing(int argc, char **argv)
{
	static const char *const verbs[] = { "add", "insert", "create", "delete", "flush",
					     "replace", "rename", "table", "chain", "rule" };
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--file"))
			return true;
		if (argv[i][0] == '-')
			continue;
		for (unsigned v = 0; v < G_N_ELEMENTS(verbs); v++)
			if (!strcmp(argv[i], verbs[v]))
				return true;
		return false;
	}
	return false;
}

static int cmd_nft(struct cmd_ctx *c, int argc, char **argv)
{
	int rc = nft_monitor(c, argc, argv);
	if (rc >= 0)
		return rc;
	/* -e/--echo (nft_monitor.c prints what the batch added); -a also
	 * gives the echoed lines their handles */
	bool echo = false, handles = false;
	char **args = g_new0(char *, argc + 1);
	int n = 0;
	bool opts = true;
	for (int i = 0; i < argc; i++) {
		if (i == 0 || !opts || argv[i][0] != '-' || !argv[i][1]) {
			opts = i == 0;
			args[n++] = argv[i];
			continue;
		}
		if (!strcmp(argv[i], "-e") || !strcmp(argv[i], "--echo")) {
			echo = true;
			continue;
		}
		if (!strcmp(argv[i], "-a") || !strcmp(argv[i], "--handle"))
			handles = true;
		args[n++] = argv[i];
		if ((!strcmp(argv[i], "-f") || !strcmp(argv[i], "--file") || !strcmp(argv[i], "-I") ||
		     !strcmp(argv[i], "--includepath")) && i + 1 < argc)
			args[n++] = argv[++i];
	}
	struct nf_nft_snap *before = nft_events_begin(c, echo);
	rc = nf_cmd_nft_at(c->node->nf, n, args, c->stdin_text, nft_file_load, nft_file_glob, c, c->out,
			   c->err, c->dry_run, c->w->now);
	nft_events_end(c, before, rc, nft_changing(n, args), echo, handles, "nft", n, args);
	g_free(args);
	return rc;
}

/* ipset: restore reads `< FILE`, a heredoc or -file FILE from the node's files. */
static int cmd_ipset(struct cmd_ctx *c, int argc, char **argv)
{
	return nf_cmd_ipset(c->node->nf, argc, argv, c->stdin_text, nft_file_load, c, c->out,
			    c->err, c->dry_run, c->w->now);
}

static int cmd_reboot_argv(struct cmd_ctx *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cmd_reboot(c);
}

static int cmd_shutdown(struct cmd_ctx *c, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-r") == 0 || strcmp(argv[i], "--reboot") == 0)
			return cmd_reboot(c);
	return natsim_unimpl(c->err, "shutdown without -r (natsim nodes only reboot)");
}

/* The shell's own commands and the tools it runs; sim/apps adds the
 * traffic commands with cmd_register(). */
static const struct cmd_def cmd_builtin[] = {
	{ "ip", cmd_ip, 0 },
	{ "sysctl", cmd_sysctl, 0 },
	{ "echo", cmd_echo, 0 },
	{ "cat", cmd_cat, 0 },
	{ "nstat", cmd_nstat, 0 },
	{ "true", cmd_true, 0 },
	{ ":", cmd_true, 0 },
	{ "modprobe", cmd_modprobe, CMD_NEEDS_NF },
	{ "iptables", cmd_iptables, CMD_NEEDS_NF },
	{ "iptables-save", cmd_iptables_save, CMD_NEEDS_NF },
	{ "iptables-restore", cmd_iptables_restore, CMD_NEEDS_NF },
	{ "iptables-legacy", cmd_iptables_legacy, CMD_NEEDS_NF },
	{ "iptables-legacy-save", cmd_iptables_legacy_save, CMD_NEEDS_NF },
	{ "iptables-legacy-restore", cmd_iptables_restore, CMD_NEEDS_NF },
	{ "iptables-translate", cmd_iptables_translate, 0 },
	{ "iptables-restore-translate", cmd_iptables_restore_translate, 0 },
	{ "conntrack", cmd_conntrack, CMD_NEEDS_NF },
	{ "nft", cmd_nft, CMD_NEEDS_NF },
	{ "xtables-monitor", cmd_xtables_monitor, CMD_NEEDS_NF },
	{ "nfacct", nfacct_cmd, CMD_NEEDS_NF },
	{ "nfct", nfct_cmd, CMD_NEEDS_NF },
	{ "ipset", cmd_ipset, CMD_NEEDS_NF },
	{ "systemctl", cmd_systemctl, 0 },
	{ "service", cmd_service, 0 },
	{ "reboot", cmd_reboot_argv, 0 },
	{ "dmesg", cmd_dmesg, 0 },
	{ "journalctl", cmd_journalctl, 0 },
	{ "shutdown", cmd_shutdown, 0 },
};

/* Tables registered from above (process-wide, like the built-in one: a
 * table is code, not run state). */
static GPtrArray *cmd_tables;	/* const struct cmd_def * of each table */
static GArray *cmd_table_sizes;	/* size_t */

void cmd_register(const struct cmd_def *defs, size_t n)
{
	if (!cmd_tables) {
		cmd_tables = g_ptr_array_new();
		cmd_table_sizes = g_array_new(FALSE, FALSE, sizeof(size_t));
	}
	for (unsigned i = 0; i < cmd_tables->len; i++)
		if (cmd_tables->pdata[i] == defs)
			return;
	g_ptr_array_add(cmd_tables, (gpointer)defs);
	g_array_append_val(cmd_table_sizes, n);
}

const struct cmd_def *cmd_lookup(const char *name)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cmd_builtin); i++)
		if (strcmp(cmd_builtin[i].name, name) == 0)
			return &cmd_builtin[i];
	for (unsigned t = 0; cmd_tables && t < cmd_tables->len; t++) {
		const struct cmd_def *defs = cmd_tables->pdata[t];
		size_t n = g_array_index(cmd_table_sizes, size_t, t);
		for (size_t i = 0; i < n; i++)
			if (strcmp(defs[i].name, name) == 0)
				return &defs[i];
	}
	return NULL;
}

/* sudo is skipped; a switch takes nothing; a known command runs (a router's
 * tool on a host gets natsim's "no netfilter"); a Linux command natsim lacks
 * is said so; anything else is bash's "command not found". */
int cmd_run(struct cmd_ctx *c, int argc, char **argv)
{
	cmd_skip_sudo(&argc, &argv);
	if (argc == 0)
		return 0;
	const char *name = argv[0];
	struct node *n = c->node;

	if (n->kind == NODE_SWITCH) {
		g_string_printf(c->err, "%s is a switch: switches take no commands", n->name);
		return 2;
	}
	const struct cmd_def *d = cmd_lookup(name);
	if (d) {
		if ((d->flags & CMD_NEEDS_NF) && need_netfilter(c, name))
			return 2;
		return d->fn(c, argc, argv);
	}
	if (linux_command_exists(name))
		return natsim_unimpl(c->err, "the command %s", name);
	g_string_printf(c->err, "bash: %s: command not found", name);
	return 127;
}

/* ----- redirections ----- */

/* Output of a command into a /proc/sys knob, as bash's write(2) to the proc
 * file: a missing knob fails the open, a bad value the write (bash's exit
 * status 1 either way). */
static int redirect_to_knob(struct cmd_ctx *c, const char *path, const char *text,
			    bool validate_value)
{
	char *name = knob_name(path + strlen(PROC_SYS));
	GString *v = g_string_new(NULL), *e = g_string_new(NULL);
	int rc = 0;
	if (knob_get(c, name, v, e) != 0) {
		g_string_printf(c->err, "bash: %s: No such file or directory", path);
		rc = 1;
	} else if (validate_value) {
		char *value = g_strstrip(g_strdup(text));
		if (knob_set(c, name, value, e) != 0) {
			g_string_printf(c->err, "bash: echo: write error: Invalid argument");
			rc = 1;
		}
		g_free(value);
	}
	g_free(name);
	g_string_free(v, TRUE);
	g_string_free(e, TRUE);
	return rc;
}

int cmd_exec(struct cmd_ctx *c, int argc, char **argv, const struct cmd_redir *r)
{
	char *in_text = NULL;
	const char *saved_stdin = c->stdin_text;
	if (r && r->in) {
		GString *why = g_string_new(NULL);
		in_text = file_load(c, r->in, why);
		if (!in_text && !file_missing_is_deferred(c, r->in)) {
			g_string_printf(c->err, "bash: %s", why->str);
			g_string_free(why, TRUE);
			return 1;
		}
		g_string_free(why, TRUE);
		c->stdin_text = in_text;
	}
	/* bash opens `> FILE` before running the command: a missing knob (or
	 * any other file under /proc and /sys) means the command does not run. */
	bool bad_out = false;
	if (r && r->out && is_proc_sys(r->out)) {
		bad_out = redirect_to_knob(c, r->out, NULL, false) != 0;
	} else if (r && r->out && (g_str_has_prefix(r->out, "/proc/") ||
				   g_str_has_prefix(r->out, "/sys/"))) {
		g_string_printf(c->err, "bash: %s: No such file or directory", r->out);
		bad_out = true;
	}
	if (bad_out) {
		g_free(in_text);
		c->stdin_text = saved_stdin;
		return 1;
	}
	size_t out_start = c->out->len;
	int rc = cmd_run(c, argc, argv);
	c->stdin_text = saved_stdin;
	g_free(in_text);
	if (r && r->err_out && c->err->len)
		g_string_truncate(c->err, 0); /* 2> FILE: the text goes there, not to the screen */
	if (rc) {
		/* what a failing command printed still lands in `> FILE` */
		if (r && r->out && !c->dry_run && !is_proc_sys(r->out) &&
		    strcmp(r->out, "/dev/null") != 0)
			file_put(c->node, r->out, c->out->str + out_start, r->append);
		if (r && r->out)
			g_string_truncate(c->out, out_start);
		return rc;
	}
	if (r && r->out) {
		char *text = g_strdup(c->out->str + out_start);
		g_string_truncate(c->out, out_start);
		if (strcmp(r->out, "/dev/null") == 0) {
			; /* discarded */
		} else if (is_proc_sys(r->out)) {
			/* at parse time only an echo's text is known for sure */
			bool validate = !c->dry_run || strcmp(argv[0], "echo") == 0;
			rc = validate ? redirect_to_knob(c, r->out, text, true) : 0;
		} else if (!c->dry_run) {
			file_put(c->node, r->out, text, r->append);
		}
		g_free(text);
	}
	return rc;
}
