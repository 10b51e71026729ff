/* nft_include.c - nft's `include "NAME"`: which files a name stands for,
 * in which order they are read, and nft 1.0.6's errors (scanner.l's
 * scanner_include_file, include_glob and include_file).
 *
 * Measured on nft 1.0.6 (tests/nft/include/): a NAME that starts with '/',
 * "./" or "../" is taken as it is ("./" and "../" from nft's working
 * directory, not from the including file's); any other NAME is looked up
 * in the include search path, /etc first, then each `-I DIR` in order: a
 * plain name is read from the first directory that has it; a pattern
 * (with '*', '?' or '[') is expanded in every directory, and since nft
 * pushes each match on its input stack, the last directory's matches are
 * read first, each directory's in sorted order (glob's; natsim sorts by
 * byte, as glob does in the C locale). A plain name nowhere is
 * "File not found: NAME"; a pattern without a match is no error; a
 * directory is skipped. An included file may include others down to 16
 * inputs ("Include nested too deeply, max 16 levels"). The included tokens
 * simply continue the stream: a file may hold chains inside a table block
 * or half of one.
 *
 * natsim's files are the node's (the file store, and for a relative path
 * the files beside the scenario, which stand for nft's working directory):
 * the caller's nft_files reads them and expands patterns over them.
 * Difference: nft's parser goes on after a failed include and may report
 * further errors; natsim reports the include errors only.
 */
#include <string.h>

#include "nat/nftables/nft_int.h"

#define NFT_MAX_INCLUDE_DEPTH 16	/* MAX_INCLUDE_DEPTH of nft's parser.h */
#define NFT_MAX_INCLUDED 1024		/* natsim's bound on files of one parse */

/* include_file: one file's text lexed in the statement's place. */
static bool include_file(struct nft_parse *p, unsigned src, struct nft_loc at,
			 const char *path, char *text)
{
	const struct nft_src *in = p->srcs->pdata[src];
	if (in->depth == NFT_MAX_INCLUDE_DEPTH) {
		g_free(text);
		nft_error_loc(p, at, "Include nested too deeply, max %u levels",
			      NFT_MAX_INCLUDE_DEPTH);
		return false;
	}
	if (p->srcs->len >= NFT_MAX_INCLUDED) {
		g_free(text);
		nft_error_loc(p, at, "natsim: nft include of more than %u files in one input is "
			      "not implemented", NFT_MAX_INCLUDED);
		return false;
	}
	struct nft_src *s = g_new0(struct nft_src, 1);
	s->name = g_strdup(path);
	s->text = text;
	s->depth = in->depth + 1;
	s->parent = (int)src;
	s->at = at;
	g_ptr_array_add(p->srcs, s);
	unsigned errs = (unsigned)p->nerr;
	nft_lex_source(p, p->srcs->len - 1);
	return (unsigned)p->nerr == errs;
}

static char *read_path(const struct nft_files *f, const char *path)
{
	return f && f->read ? f->read(f->priv, path) : NULL;
}

static char **glob_path(const struct nft_files *f, const char *pattern)
{
	char **m = f && f->glob ? f->glob(f->priv, pattern) : NULL;
	return m ? m : g_new0(char *, 1);
}

bool nft_include(struct nft_parse *p, unsigned src, const struct nft_token *kw,
		 const struct nft_token *name, const struct nft_token *sep)
{
	const struct nft_files *f = p->files;
	const char *pat = name->text;
	/* the statement's location runs to its separator (the end of a
	 * command line counts as one column) */
	struct nft_loc at = { kw->line, kw->col, 0 };
	at.len = (sep ? sep->col : name->col + name->len) - kw->col + 1;
	bool search = strncmp(pat, "./", 2) && strncmp(pat, "../", 3) && pat[0] != '/';
	bool wildcard = strpbrk(pat, "*?[") != NULL;
	GPtrArray *cand = g_ptr_array_new_with_free_func(g_free);
	if (search) {
		static const char *const etc[] = { "/etc" };
		const char *const *dirs = f && f->npaths ? f->paths : etc;
		unsigned n = f && f->npaths ? f->npaths : 1;
		for (unsigned i = 0; i < n; i++)
			g_ptr_array_add(cand, g_strdup_printf("%s/%s", dirs[i], pat));
	} else {
		g_ptr_array_add(cand, g_strdup(pat));
	}
	bool ok = true;
	if (wildcard) {
		/* each directory's matches pushed in reverse: read in order,
		 * the last directory's first */
		for (unsigned i = cand->len; ok && i-- > 0;) {
			char **m = glob_path(f, cand->pdata[i]);
			for (char **x = m; ok && *x; x++) {
				size_t l = strlen(*x);
				if (!l || (*x)[l - 1] == '/')
					continue;	/* a directory */
				char *text = read_path(f, *x);
				if (!text) {
					nft_error_loc(p, at, "Could not open file \"%s\": No such file "
						      "or directory\n", *x);
					ok = false;
				} else {
					ok = include_file(p, src, at, *x, text);
				}
			}
			g_strfreev(m);
		}
		g_ptr_array_free(cand, TRUE);
		return ok;
	}
	for (unsigned i = 0; i < cand->len; i++) {
		const char *path = cand->pdata[i];
		char *text = read_path(f, path);
		if (text) {
			ok = include_file(p, src, at, path, text);
			g_ptr_array_free(cand, TRUE);
			return ok;
		}
		/* an existing directory: glob's marked match, skipped */
		char **m = glob_path(f, path);
		bool dir = m[0] && g_str_has_suffix(m[0], "/");
		g_strfreev(m);
		if (dir) {
			g_ptr_array_free(cand, TRUE);
			return true;
		}
	}
	g_ptr_array_free(cand, TRUE);
	nft_error_loc(p, at, "File not found: %s", pat);
	return false;
}
