/* run.c - one run of many: its key and the figures of its summary.json.
 *
 * Design: the key is the run's identity (run.h), so natsim test, --list and
 * natsim merge agree on it without any other file. summary.json is natsim's
 * own output, so its figures are read by key ("ForwDatagrams": N, summed
 * over the nodes) rather than by a general JSON parser; a missing or
 * truncated file leaves have_summary false and the run counts as one that
 * could not run.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/runner/run.h"

bool run_value_valid(const char *v)
{
	if (!*v || strlen(v) > 64)
		return false;
	for (const char *p = v; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr("_.:+-", *p))
			return false;
	return true;
}

struct run *run_from_key(const char *key, const char *dir)
{
	char **parts = g_strsplit(key, ",", -1);
	if (!parts[0] || !*parts[0]) {
		g_strfreev(parts);
		return NULL;
	}
	for (unsigned i = 1; parts[i]; i++) {
		char *eq = strchr(parts[i], '=');
		if (!eq || eq == parts[i] || !run_value_valid(eq + 1)) {
			g_strfreev(parts);
			return NULL;
		}
	}
	struct run *r = g_new0(struct run, 1);
	r->key = g_strdup(key);
	r->name = g_strdup(parts[0]);
	r->params = g_new0(char *, g_strv_length(parts));
	for (unsigned i = 1; parts[i]; i++)
		r->params[i - 1] = g_strdup(parts[i]);
	r->dir = g_strdup(dir);
	r->status = -1;
	g_strfreev(parts);
	return r;
}

void run_free(gpointer p)
{
	struct run *r = p;
	g_free(r->key);
	g_free(r->name);
	g_free(r->scenario);
	g_strfreev(r->params);
	g_free(r->dir);
	g_free(r);
}

const char *run_param(const struct run *r, const char *param)
{
	size_t n = strlen(param);
	for (unsigned i = 0; r->params[i]; i++)
		if (strncmp(r->params[i], param, n) == 0 && r->params[i][n] == '=')
			return r->params[i] + n + 1;
	return NULL;
}

/* Natural order: digit runs compare by value (16 < 128), the rest bytewise. */
int run_key_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (g_ascii_isdigit(*a) && g_ascii_isdigit(*b)) {
			while (*a == '0' && g_ascii_isdigit(a[1]))
				a++;
			while (*b == '0' && g_ascii_isdigit(b[1]))
				b++;
			size_t la = strspn(a, "0123456789"), lb = strspn(b, "0123456789");
			if (la != lb)
				return la < lb ? -1 : 1;
			int c = strncmp(a, b, la);
			if (c)
				return c;
			a += la;
			b += lb;
			continue;
		}
		/* ',' sorts first: "x" and its parameters before "x-y" */
		int ca = *a == ',' ? 1 : (unsigned char)*a + 1, cb = *b == ',' ? 1 : (unsigned char)*b + 1;
		if (ca != cb)
			return ca < cb ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

gint run_ptr_cmp(gconstpointer a, gconstpointer b)
{
	const struct run *x = *(struct run *const *)a, *y = *(struct run *const *)b;
	return run_key_cmp(x->key, y->key);
}

/* The sum of every integer value of "key" in text (-1 if there is none). */
static long long json_sum(const char *text, const char *key)
{
	char *pat = g_strdup_printf("\"%s\": ", key);
	long long sum = -1;
	for (const char *p = strstr(text, pat); p; p = strstr(p + 1, pat)) {
		char *end;
		long long v = strtoll(p + strlen(pat), &end, 10);
		if (end == p + strlen(pat))
			continue;
		sum = (sum < 0 ? 0 : sum) + v;
	}
	g_free(pat);
	return sum;
}

/* The first integer value of "key" in text (-1 if there is none): the
 * run's own, before the per-command lists that repeat the key. */
static long long json_first(const char *text, const char *key)
{
	char *pat = g_strdup_printf("\"%s\": ", key);
	long long v = -1;
	for (const char *p = strstr(text, pat); p; p = strstr(p + 1, pat)) {
		char *end;
		long long x = strtoll(p + strlen(pat), &end, 10);
		if (end != p + strlen(pat)) {
			v = x;
			break;
		}
	}
	g_free(pat);
	return v;
}

void run_read_summary(struct run *r)
{
	char *path = g_build_filename(r->dir, "summary.json", NULL);
	char *text = NULL;
	r->have_summary = false;
	/* a whole file ends with its closing brace */
	if (g_file_get_contents(path, &text, NULL, NULL) && g_str_has_suffix(text, "}\n")) {
		r->have_summary = true;
		/* every command's entry has an exit_status too (a `!` command's
		 * is not 0): the run's is the top-level one, written first */
		r->exit_status = json_first(text, "exit_status");
		r->passed = json_sum(text, "passed");
		r->failed = json_sum(text, "failed");
		r->not_evaluated = json_sum(text, "not_evaluated");
		r->forwarded = json_sum(text, "ForwDatagrams");
		r->drop = json_sum(text, "drop");
		r->insert_failed = json_sum(text, "insert_failed");
		r->early_drop = json_sum(text, "early_drop");
		r->conntrack_count = json_sum(text, "conntrack_count");
		r->conntrack_peak = json_sum(text, "conntrack_peak");
		if (r->exit_status < 0 || r->passed < 0)
			r->have_summary = false;
	}
	g_free(text);
	g_free(path);
}
