/* fuzz_nft.c - the nft parser, evaluator and printer (nat/nftables/).
 *
 * Input: text. It is loaded twice as `nft -f -` (the second batch on the
 * ruleset the first one left, so adds, flushes and deletes meet existing
 * objects), then each of its lines runs as an `nft` command line (words
 * split on blanks), and the ruleset is listed with -a and -s. Nothing may
 * crash, leak or read outside the input, and an error must never leave a
 * half-applied batch: the listing after a failed batch equals the one before.
 */
#include <stdlib.h>
#include <string.h>

#include "nat/nftables/nft.h"
#include "tests/fuzz/fuzz_util.h"

static char *no_file(void *priv, const char *path)
{
	(void)priv;
	(void)path;
	return NULL;
}

static void list(struct nft_ruleset *rs, GString *out, const char *opt)
{
	char *argv[] = { "nft", (char *)opt, "list", "ruleset", NULL };
	GString *err = g_string_new(NULL);
	g_string_truncate(out, 0);
	nft_cmd(rs, 4, argv, NULL, no_file, NULL, out, err);
	g_string_free(err, TRUE);
}

static void batch(struct nft_ruleset *rs, const char *text)
{
	GString *before = g_string_new(NULL), *after = g_string_new(NULL);
	GString *out = g_string_new(NULL), *err = g_string_new(NULL);
	list(rs, before, "-a");
	char *argv[] = { "nft", "-f", "-", NULL };
	if (nft_cmd(rs, 3, argv, text, no_file, NULL, out, err) != 0) {
		list(rs, after, "-a");
		if (strcmp(before->str, after->str) != 0)
			abort();	/* a failed batch changed the ruleset */
	}
	g_string_free(before, TRUE);
	g_string_free(after, TRUE);
	g_string_free(out, TRUE);
	g_string_free(err, TRUE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = g_strndup((const char *)data, size);
	struct nft_ruleset *rs = nft_ruleset_new();
	batch(rs, text);
	batch(rs, text);
	gchar **lines = g_strsplit(text, "\n", 64);
	for (unsigned i = 0; lines[i]; i++) {
		gchar **words = g_strsplit_set(lines[i], " \t", 64);
		GPtrArray *av = g_ptr_array_new();
		g_ptr_array_add(av, "nft");
		for (unsigned k = 0; words[k]; k++)
			if (*words[k])
				g_ptr_array_add(av, words[k]);
		g_ptr_array_add(av, NULL);
		GString *out = g_string_new(NULL), *err = g_string_new(NULL);
		nft_cmd(rs, (int)av->len - 1, (char **)av->pdata, NULL, no_file, NULL, out, err);
		g_string_free(out, TRUE);
		g_string_free(err, TRUE);
		g_ptr_array_free(av, TRUE);
		g_strfreev(words);
	}
	g_strfreev(lines);
	GString *out = g_string_new(NULL);
	list(rs, out, "-a");
	list(rs, out, "-s");
	g_string_free(out, TRUE);
	nft_ruleset_free(rs);
	g_free(text);
	return 0;
}
