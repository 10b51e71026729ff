/* define.c - scenario variables: `define NAME VALUE` lines and ${NAME}.
 *
 * Design: a textual pass over the logical lines, before any statement is
 * parsed, as make expands variables before running a recipe: a `define`
 * line is consumed, and every later ${NAME} in any line (quotes included)
 * becomes VALUE. `natsim run -D NAME=VALUE` overrides the scenario's
 * `define NAME` (the scenario stays readable with its default value; a
 * sweep changes it from the command line). Errors are the scenario's:
 * ${NAME} used before or without its define, a define given twice, and a
 * -D whose NAME the scenario never defines (a typo in a sweep must not
 * silently run the default). `$` not followed by `{` stays as written.
 */
#include <string.h>

#include "sim/scenario/scenario.h"

static bool var_name_valid(const char *s, size_t len)
{
	if (len == 0 || len > 64 || !(g_ascii_isalpha(s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 1; i < len; i++)
		if (!(g_ascii_isalnum(s[i]) || s[i] == '_'))
			return false;
	return true;
}

bool scn_define_valid(const char *spec, char **name, char **value)
{
	const char *eq = strchr(spec, '=');
	if (!eq || !var_name_valid(spec, (size_t)(eq - spec)))
		return false;
	if (name)
		*name = g_strndup(spec, (size_t)(eq - spec));
	if (value)
		*value = g_strdup(eq + 1);
	return true;
}

static int derr(struct scn_error *err, const char *path, int line, char *msg)
{
	scn_error_clear(err);
	err->file = g_strdup(path);
	err->line = line;
	err->msg = msg;
	return 2;
}

/* ${NAME} of `text` replaced from `vars`; NULL and *bad = the first name
 * that is not defined. */
static char *expand(const char *text, GHashTable *vars, char **bad)
{
	GString *o = g_string_new(NULL);
	const char *p = text;
	while (*p) {
		const char *close;
		if (p[0] == '$' && p[1] == '{' && (close = strchr(p + 2, '}'))) {
			size_t len = (size_t)(close - (p + 2));
			char *name = g_strndup(p + 2, len);
			const char *v = g_hash_table_lookup(vars, name);
			if (!v) {
				g_string_free(o, TRUE);
				*bad = name;
				return NULL;
			}
			g_free(name);
			g_string_append(o, v);
			p = close + 1;
			continue;
		}
		g_string_append_c(o, *p++);
	}
	return g_string_free(o, FALSE);
}

int scn_expand_defines(GPtrArray *lines, const char *const *overrides, const char *path,
		       struct scn_error *err)
{
	GHashTable *vars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	GHashTable *forced = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	GHashTable *defined = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	int rc = 0;
	for (unsigned i = 0; overrides && overrides[i]; i++) {
		char *n, *v;
		if (!scn_define_valid(overrides[i], &n, &v)) {
			rc = derr(err, path, 0, g_strdup_printf("bad -D \"%s\" (NAME=VALUE, NAME "
					"[A-Za-z_][A-Za-z0-9_]*)", overrides[i]));
			goto out;
		}
		g_hash_table_replace(forced, n, v);
	}
	for (unsigned i = 0; i < lines->len && rc == 0;) {
		struct scn_line *l = g_ptr_array_index(lines, i);
		char *bad = NULL;
		if (strncmp(l->text, "define", 6) == 0 && (l->text[6] == ' ' || l->text[6] == '\t' ||
							    l->text[6] == '\0')) {
			const char *p = l->text + 6;
			while (*p == ' ' || *p == '\t')
				p++;
			size_t nl = strcspn(p, " \t");
			const char *v = p + nl;
			while (*v == ' ' || *v == '\t')
				v++;
			if (!var_name_valid(p, nl) || !*v) {
				rc = derr(err, path, l->line, g_strdup("usage: define NAME VALUE "
						"(NAME [A-Za-z_][A-Za-z0-9_]*)"));
				break;
			}
			char *name = g_strndup(p, nl);
			if (g_hash_table_contains(defined, name)) {
				rc = derr(err, path, l->line,
					  g_strdup_printf("%s is defined twice", name));
				g_free(name);
				break;
			}
			char *value = expand(v, vars, &bad);
			if (!value) {
				rc = derr(err, path, l->line,
					  g_strdup_printf("${%s} is not defined above", bad));
				g_free(bad);
				g_free(name);
				break;
			}
			const char *f = g_hash_table_lookup(forced, name);
			if (f) {
				g_free(value);
				value = g_strdup(f);
			}
			g_hash_table_add(defined, g_strdup(name));
			g_hash_table_replace(vars, name, value);
			g_ptr_array_remove_index(lines, i); /* frees the line */
			continue;
		}
		if (strstr(l->text, "${")) {
			char *t = expand(l->text, vars, &bad);
			if (!t) {
				rc = derr(err, path, l->line,
					  g_strdup_printf("${%s} is not defined above", bad));
				g_free(bad);
				break;
			}
			g_free(l->text);
			l->text = t;
		}
		i++;
	}
	if (rc == 0 && overrides) {
		for (unsigned i = 0; overrides[i]; i++) {
			char *n = NULL;
			scn_define_valid(overrides[i], &n, NULL);
			bool known = g_hash_table_contains(defined, n);
			if (!known)
				rc = derr(err, path, 0, g_strdup_printf(
					"-D %s: the scenario has no `define %s`", n, n));
			g_free(n);
			if (!known)
				break;
		}
	}
out:
	g_hash_table_destroy(vars);
	g_hash_table_destroy(forced);
	g_hash_table_destroy(defined);
	return rc;
}
