/* nft_cmd.c - the `nft` command line: options, `-f FILE`, `-f -`, and a
 * command given as words.
 *
 * Design: words after the options are joined with spaces and parsed as one
 * line of nft input, as nft does (so errors show the joined line and its
 * marks without a file name). -f reads the node's file store; `-f -` reads
 * the scenario's heredoc, named /dev/stdin in messages as nft names it.
 * -I DIR (--includepath) adds to `include`'s search path (nft_include.c).
 */
#include <string.h>

#include "nat/nftables/nft_int.h"

int nft_cmd(struct nft_ruleset *rs, int argc, char **argv, const char *stdin_text,
	    nft_read_file_fn read_file, nft_glob_fn glob, void *priv, GString *out, GString *err)
{
	struct nft_print_opts o = { 0 };
	bool check = false;
	const char *file = NULL;
	/* the include search path: nft 1.0.6 puts its default first */
	GPtrArray *paths = g_ptr_array_new();
	g_ptr_array_add(paths, (char *)"/etc");
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-a") || !strcmp(a, "--handle"))
			o.handles = true;
		else if (!strcmp(a, "-n") || !strcmp(a, "--numeric"))
			o.numeric = true;
		else if (!strcmp(a, "-s") || !strcmp(a, "--stateless"))
			o.stateless = true;
		else if (!strcmp(a, "-c") || !strcmp(a, "--check"))
			check = true;
		else if (!strcmp(a, "-f") || !strcmp(a, "--file")) {
			if (++i >= argc) {
				g_string_append(err, "nft: option requires an argument -- 'f'\n");
				return 1;
			}
			file = argv[i];
		} else if (!strcmp(a, "-I") || !strcmp(a, "--includepath")) {
			if (++i >= argc) {
				g_string_append_printf(err, a[1] == 'I'
						       ? "nft: option requires an argument -- 'I'\n"
						       : "nft: option '%s' requires an argument\n", a);
				g_ptr_array_free(paths, TRUE);
				return 1;
			}
			g_ptr_array_add(paths, argv[i]);
		} else if (!strncmp(a, "-I", 2) || !strncmp(a, "--includepath=", 14)) {
			g_ptr_array_add(paths, (char *)(a[1] == 'I' ? a + 2 : a + 14));
		} else if (!strcmp(a, "-v") || !strcmp(a, "--version")) {
			g_string_append(out, "nftables v1.0.6 (Lester Gooch #5)\n");
			return 0;
		} else {
			g_string_append_printf(err, "natsim: nft option %s is not implemented\n", a);
			g_ptr_array_free(paths, TRUE);
			return 1;
		}
	}
	/* the set GC (nft_settimeout.c) before anything sees the sets */
	o.now = rs->now;
	nft_sets_gc(rs, rs->now);
	/* nft_run_text works on a pointer it may replace: swap the contents */
	struct nft_ruleset *cur = nft_ruleset_clone(rs);
	struct nft_files files = { read_file, glob, priv, (const char *const *)paths->pdata,
				   paths->len };
	int rc;
	if (file) {
		char *text = NULL;
		const char *name = file;
		if (!strcmp(file, "-")) {
			text = g_strdup(stdin_text ? stdin_text : "");
			name = "/dev/stdin";
		} else {
			text = read_file ? read_file(priv, file) : NULL;
		}
		if (!text) {
			g_string_append_printf(err, "internal:0:0-0: Error: Could not open file \"%s\": "
					       "No such file or directory\n\n\n", file);
			nft_ruleset_free(cur);
			g_ptr_array_free(paths, TRUE);
			return 1;
		}
		rc = nft_run_text(&cur, name, text, &files, check, &o, out, err);
		g_free(text);
	} else {
		if (i >= argc) {
			nft_ruleset_free(cur);
			g_ptr_array_free(paths, TRUE);
			return 0;
		}
		char *line = g_strjoinv(" ", argv + i);
		rc = nft_run_text(&cur, NULL, line, &files, check, &o, out, err);
		g_free(line);
	}
	if (rc != 0) {
		/* handles a refused batch took stay taken (nft_parse.c's
		 * keep_handles marked them on cur's tables) */
		for (unsigned t = 0; t < rs->tables->len; t++) {
			struct nft_table *x = rs->tables->pdata[t];
			struct nft_table *y = nft_table_find(cur, x->family, x->name);
			if (y && y->handle == x->handle && x->next_handle < y->next_handle)
				x->next_handle = y->next_handle;
		}
	}
	if (rc == 0) {
		/* the ruleset object stays the caller's: move cur's tables in */
		GPtrArray *old = rs->tables;
		rs->tables = cur->tables;
		rs->table_handle = cur->table_handle;
		rs->xt_deleted = cur->xt_deleted;
		memcpy(rs->xt_flushed, cur->xt_flushed, sizeof(rs->xt_flushed));
		rs->n_xt_flushed = cur->n_xt_flushed;
		if (rs->xt_added)
			g_ptr_array_free(rs->xt_added, TRUE);
		rs->xt_added = cur->xt_added;
		cur->xt_added = NULL;
		cur->tables = old;
		nft_sets_arm(rs, rs->now);
	}
	nft_ruleset_free(cur);
	g_ptr_array_free(paths, TRUE);
	return rc;
}
