/* collect.c - the outputs of many runs: one JUnit file, sweep.csv,
 * sweep.json, and the summary table on stdout.
 *
 * Design: every file is a pure function of the runs' output directories,
 * taken in key order, so natsim test (any -j, any shard split) and natsim
 * merge write the same bytes. The JUnit file is the runs' own junit.xml
 * files, each <testsuite> copied whole and renamed to its run key (its
 * testcases' classname too, so seeds and sweep points stay apart in a CI
 * view); `time` is the simulated time natsim writes, never wall time, which
 * goes only to the stdout table. A run that left no readable junit.xml
 * becomes a suite with one <error>. The <testsuites> element carries only
 * the attributes the Jenkins JUnit schema allows (tests/junit/junit.xsd).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/runner/run.h"

static const char *const FIGURES[] = {
	"exit_status", "passed", "failed", "not_evaluated", "forwarded", "drop",
	"insert_failed", "early_drop", "conntrack_count", "conntrack_peak",
};
#define N_FIGURES (sizeof FIGURES / sizeof FIGURES[0])

static long long figure(const struct run *r, unsigned i)
{
	if (!r->have_summary)
		return -1;
	const long long v[N_FIGURES] = {
		r->exit_status, r->passed, r->failed, r->not_evaluated, r->forwarded, r->drop,
		r->insert_failed, r->early_drop, r->conntrack_count, r->conntrack_peak,
	};
	return v[i];
}

static gint param_name_cmp(gconstpointer a, gconstpointer b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	bool sx = strcmp(x, "seed") == 0, sy = strcmp(y, "seed") == 0;
	if (sx != sy)
		return sx ? 1 : -1;
	return strcmp(x, y);
}

char **collect_params(GPtrArray *runs)
{
	GPtrArray *names = g_ptr_array_new();
	for (unsigned i = 0; i < runs->len; i++) {
		const struct run *r = g_ptr_array_index(runs, i);
		for (unsigned j = 0; r->params[j]; j++) {
			char *n = g_strndup(r->params[j], strcspn(r->params[j], "="));
			bool seen = false;
			for (unsigned k = 0; k < names->len && !seen; k++)
				seen = strcmp(g_ptr_array_index(names, k), n) == 0;
			if (seen)
				g_free(n);
			else
				g_ptr_array_add(names, n);
		}
	}
	g_ptr_array_sort(names, param_name_cmp);
	g_ptr_array_add(names, NULL);
	return (char **)g_ptr_array_free(names, FALSE);
}

static void csv_field(GString *o, const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		g_string_append(o, s);
		return;
	}
	g_string_append_c(o, '"');
	for (; *s; s++) {
		if (*s == '"')
			g_string_append_c(o, '"');
		g_string_append_c(o, *s);
	}
	g_string_append_c(o, '"');
}

static void json_str(GString *o, const char *s)
{
	g_string_append_c(o, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			g_string_append_printf(o, "\\%c", c);
		else if (c < 0x20)
			g_string_append_printf(o, "\\u%04x", c);
		else
			g_string_append_c(o, (char)c);
	}
	g_string_append_c(o, '"');
}

static void xml_str(GString *o, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': g_string_append(o, "&amp;"); break;
		case '<': g_string_append(o, "&lt;"); break;
		case '>': g_string_append(o, "&gt;"); break;
		case '"': g_string_append(o, "&quot;"); break;
		default: g_string_append_c(o, *s);
		}
	}
}

static int write_file(const char *path, GString *o, GString *err)
{
	GError *ge = NULL;
	int rc = 0;
	if (!g_file_set_contents(path, o->str, (gssize)o->len, &ge)) {
		g_string_append_printf(err, "%s", ge->message);
		g_error_free(ge);
		rc = 2;
	}
	g_string_free(o, TRUE);
	return rc;
}

static int write_csv(GPtrArray *runs, char **params, const char *path, GString *err)
{
	GString *o = g_string_new("run,scenario");
	for (unsigned j = 0; params[j]; j++) {
		g_string_append_c(o, ',');
		csv_field(o, params[j]);
	}
	for (unsigned f = 0; f < N_FIGURES; f++)
		g_string_append_printf(o, ",%s", FIGURES[f]);
	g_string_append_c(o, '\n');
	for (unsigned i = 0; i < runs->len; i++) {
		const struct run *r = g_ptr_array_index(runs, i);
		csv_field(o, r->key);
		g_string_append_c(o, ',');
		csv_field(o, r->name);
		for (unsigned j = 0; params[j]; j++) {
			const char *v = run_param(r, params[j]);
			g_string_append_c(o, ',');
			csv_field(o, v ? v : "");
		}
		for (unsigned f = 0; f < N_FIGURES; f++) {
			long long v = figure(r, f);
			if (v >= 0)
				g_string_append_printf(o, ",%lld", v);
			else
				g_string_append_c(o, ',');
		}
		g_string_append_c(o, '\n');
	}
	return write_file(path, o, err);
}

static int write_json(GPtrArray *runs, char **params, const char *path, GString *err)
{
	GString *o = g_string_new("{\n  \"parameters\": [");
	for (unsigned j = 0; params[j]; j++) {
		if (j)
			g_string_append(o, ", ");
		json_str(o, params[j]);
	}
	g_string_append(o, "],\n  \"runs\": [\n");
	for (unsigned i = 0; i < runs->len; i++) {
		const struct run *r = g_ptr_array_index(runs, i);
		g_string_append(o, "    {\"run\": ");
		json_str(o, r->key);
		g_string_append(o, ", \"scenario\": ");
		json_str(o, r->name);
		g_string_append(o, ", \"params\": {");
		for (unsigned j = 0; r->params[j]; j++) {
			size_t n = strcspn(r->params[j], "=");
			char *name = g_strndup(r->params[j], n);
			g_string_append(o, j ? ", " : "");
			json_str(o, name);
			g_string_append(o, ": ");
			json_str(o, r->params[j] + n + 1);
			g_free(name);
		}
		g_string_append(o, "}");
		for (unsigned f = 0; f < N_FIGURES; f++) {
			long long v = figure(r, f);
			g_string_append_printf(o, ", \"%s\": ", FIGURES[f]);
			if (v >= 0)
				g_string_append_printf(o, "%lld", v);
			else
				g_string_append(o, "null");
		}
		g_string_append_printf(o, "}%s\n", i + 1 < runs->len ? "," : "");
	}
	g_string_append(o, "  ]\n}\n");
	return write_file(path, o, err);
}

/* The value of attribute `name` in the tag starting at `tag`, or NULL. */
static char *tag_attr(const char *tag, const char *name)
{
	const char *end = strchr(tag, '>');
	char *pat = g_strdup_printf(" %s=\"", name);
	const char *p = strstr(tag, pat);
	char *v = NULL;
	if (p && end && p < end) {
		p += strlen(pat);
		const char *q = strchr(p, '"');
		if (q && q < end)
			v = g_strndup(p, (size_t)(q - p));
	}
	g_free(pat);
	return v;
}

/* "20.000000" -> microseconds; false if it is not natsim's format. */
static bool parse_time_us(const char *s, unsigned long long *us)
{
	char *end;
	unsigned long long sec = strtoull(s, &end, 10);
	if (end == s || *end != '.' || strlen(end + 1) != 6 || strspn(end + 1, "0123456789") != 6)
		return false;
	*us = sec * 1000000ULL + strtoull(end + 1, NULL, 10);
	return true;
}

struct totals {
	unsigned long long tests, failures, errors, skipped, us;
};

/* One run's <testsuite>, renamed to its key, appended to o. */
static void junit_suite(GString *o, const struct run *r, struct totals *t)
{
	char *path = g_build_filename(r->dir, "junit.xml", NULL);
	char *text = NULL;
	const char *open = NULL, *close = NULL;
	char *a[5] = { 0 };
	guint64 n[4];
	unsigned long long us = 0;
	bool ok = g_file_get_contents(path, &text, NULL, NULL) &&
		  (open = strstr(text, "<testsuite ")) && (close = strstr(open, "</testsuite>"));
	static const char *const attrs[] = { "tests", "failures", "errors", "skipped", "time" };
	for (unsigned i = 0; ok && i < 5; i++) {
		a[i] = tag_attr(open, attrs[i]);
		if (!a[i])
			ok = false;
		else if (i < 4)
			ok = g_ascii_string_to_unsigned(a[i], 10, 0, G_MAXUINT32, &n[i], NULL);
		else
			ok = parse_time_us(a[i], &us);
	}
	char *old = ok ? tag_attr(open, "name") : NULL;
	if (!old)
		ok = false;
	GString *key = g_string_new(NULL);
	xml_str(key, r->key);
	if (ok) {
		/* copy the suite, its name and classnames replaced by the key */
		char *from_name = g_strdup_printf(" name=\"%s\"", old);
		char *from_class = g_strdup_printf(" classname=\"%s\"", old);
		const char *name_at = strstr(open, from_name);
		const char *p = open;
		const char *end = close + strlen("</testsuite>");
		g_string_append(o, "  ");
		while (p < end) {
			if (p == name_at) {
				g_string_append_printf(o, " name=\"%s\"", key->str);
				p += strlen(from_name);
			} else if (strncmp(p, from_class, strlen(from_class)) == 0) {
				g_string_append_printf(o, " classname=\"%s\"", key->str);
				p += strlen(from_class);
			} else {
				g_string_append_c(o, *p++);
			}
		}
		g_string_append_c(o, '\n');
		g_free(from_name);
		g_free(from_class);
		t->tests += n[0];
		t->failures += n[1];
		t->errors += n[2];
		t->skipped += n[3];
		t->us += us;
	} else {
		g_string_append_printf(o, "  <testsuite name=\"%s\" tests=\"1\" failures=\"0\" "
				       "errors=\"1\" skipped=\"0\" time=\"0.000000\">\n"
				       "    <testcase classname=\"%s\" name=\"run\" time=\"0\">\n"
				       "      <error message=\"the run left no readable junit.xml\" "
				       "type=\"no report\">", key->str, key->str);
		xml_str(o, path);
		g_string_append(o, "</error>\n    </testcase>\n  </testsuite>\n");
		t->tests++;
		t->errors++;
	}
	for (unsigned i = 0; i < 5; i++)
		g_free(a[i]);
	g_string_free(key, TRUE);
	g_free(old);
	g_free(text);
	g_free(path);
}

static int write_junit(GPtrArray *runs, const char *path, GString *err)
{
	GString *suites = g_string_new(NULL);
	struct totals t = { 0 };
	for (unsigned i = 0; i < runs->len; i++)
		junit_suite(suites, g_ptr_array_index(runs, i), &t);
	GString *o = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	g_string_append_printf(o, "<testsuites name=\"natsim test\" tests=\"%llu\" "
			       "failures=\"%llu\" errors=\"%llu\" time=\"%llu.%06llu\">\n",
			       t.tests, t.failures, t.errors, t.us / 1000000, t.us % 1000000);
	g_string_append_len(o, suites->str, (gssize)suites->len);
	g_string_append(o, "</testsuites>\n");
	g_string_free(suites, TRUE);
	return write_file(path, o, err);
}

int collect_write(GPtrArray *runs, const char *out, const char *junit, bool report,
		  GString *err)
{
	char **params = collect_params(runs);
	char *csv = g_build_filename(out, "sweep.csv", NULL);
	char *json = g_build_filename(out, "sweep.json", NULL);
	char *html = g_build_filename(out, "sweep.html", NULL);
	int rc = 0;
	if (g_mkdir_with_parents(out, 0777) != 0) {
		g_string_append_printf(err, "%s: cannot create the directory", out);
		rc = 2;
	}
	if (!rc)
		rc = write_csv(runs, params, csv, err);
	if (!rc)
		rc = write_json(runs, params, json, err);
	if (!rc && junit)
		rc = write_junit(runs, junit, err);
	if (!rc && report)
		rc = plot_write(runs, html, err);
	g_free(csv);
	g_free(json);
	g_free(html);
	g_strfreev(params);
	return rc;
}

int collect_table(GPtrArray *runs, bool wall)
{
	int width = 3, status = 0;
	unsigned ok = 0, failed = 0, broken = 0;
	for (unsigned i = 0; i < runs->len; i++) {
		const struct run *r = g_ptr_array_index(runs, i);
		width = MAX(width, (int)strlen(r->key));
	}
	printf("%-*s  %-6s  %-12s%s\n", width, "RUN", "RESULT", "EXPECTATIONS",
	       wall ? "  WALL" : "");
	for (unsigned i = 0; i < runs->len; i++) {
		const struct run *r = g_ptr_array_index(runs, i);
		int s = r->status;
		const char *res = s == 0 ? "ok" : s == 1 ? "FAILED" : "ERROR";
		char exp[48] = "-";
		if (r->have_summary && s != 2)
			snprintf(exp, sizeof exp, "%lld/%lld", r->passed,
				 r->passed + r->failed + r->not_evaluated);
		printf("%-*s  %-6s  %-12s", width, r->key, res, exp);
		if (wall)
			printf("  %.2fs", r->wall);
		printf("\n");
		if (s == 0)
			ok++;
		else if (s == 1)
			failed++;
		else
			broken++;
		status = MAX(status, s == 0 ? 0 : s == 1 ? 1 : 2);
	}
	printf("natsim: %u runs: %u ok, %u failed, %u could not run\n", runs->len, ok, failed,
	       broken);
	return status;
}
