/* fuzz_ipset.c - the ipset command's parser, restore, and sets in rules.
 *
 * Input: the first byte picks the mode, the rest is text.
 *   even: one command per line (words split as bash splits them): ipset
 *         lines are checked (dry run) and then run, iptables lines run, so
 *         -m set and -j SET rules hold the sets;
 *   odd:  the text is an `ipset restore` input.
 * Then every set is listed and saved, a few packets walk the hooks (the
 * rules test and add), and what `ipset save` printed must restore, once the
 * rules are flushed and the sets destroyed, to the same save text.
 */
#include <string.h>

#include "sim/shell/cmd.h"
#include "tests/fuzz/fuzz_util.h"

static int ipset_argv(struct nf_ns *ns, int argc, char **v, const char *in, GString *out,
		      GString *err, bool dry)
{
	char **copy = g_strdupv(v);
	int rc = nf_cmd_ipset(ns, argc, copy, in, NULL, NULL, out, err, dry, 0);
	g_strfreev(copy);
	return rc;
}

static void run_line(struct nf_ns *ns, const char *line, GString *out, GString *err)
{
	GPtrArray *av = g_ptr_array_new_with_free_func(g_free);
	struct cmd_redir r = { 0 };
	if (cmd_split(line, av, &r, NULL, err) == 0 && av->len > 0) {
		g_ptr_array_add(av, NULL);
		char **v = (char **)av->pdata;
		int argc = (int)av->len - 1;
		if (strcmp(v[0], "ipset") == 0) {
			ipset_argv(ns, argc, v, NULL, out, err, true);
			ipset_argv(ns, argc, v, NULL, out, err, false);
		} else if (strcmp(v[0], "iptables") == 0) {
			char **copy = g_strdupv(v);
			nf_cmd_iptables(ns, argc, copy, out, err, false, 0);
			g_strfreev(copy);
		}
	}
	cmd_redir_clear(&r);
	g_ptr_array_free(av, TRUE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 16384)
		return 0;
	struct world *w = fz_router_world();
	struct nf_ns *ns = node_find(w, "r")->nf;
	char *text = g_strndup((const char *)data + 1, size - 1);
	GString *out = g_string_new(NULL), *err = g_string_new(NULL);
	char *restore[] = { "ipset", "restore", NULL };
	if (data[0] & 1) {
		ipset_argv(ns, 2, restore, text, out, err, true);
		ipset_argv(ns, 2, restore, text, out, err, false);
	} else {
		char **lines = g_strsplit(text, "\n", 64);
		for (char **l = lines; *l; l++)
			run_line(ns, *l, out, err);
		g_strfreev(lines);
	}
	char *list[] = { "ipset", "list", NULL };
	char *terse[] = { "ipset", "list", "-t", NULL };
	ipset_argv(ns, 2, list, NULL, out, err, false);
	ipset_argv(ns, 3, terse, NULL, out, err, false);
	fz_walk_forward(ns);
	/* what save printed must restore to the same sets */
	char *save[] = { "ipset", "save", NULL };
	GString *s1 = g_string_new(NULL), *s2 = g_string_new(NULL);
	ipset_argv(ns, 2, save, NULL, s1, err, false);
	char *flush[] = { "iptables", "-F", NULL };
	char *nat_flush[] = { "iptables", "-t", "nat", "-F", NULL };
	char *mangle_flush[] = { "iptables", "-t", "mangle", "-F", NULL };
	char *raw_flush[] = { "iptables", "-t", "raw", "-F", NULL };
	nf_cmd_iptables(ns, 2, flush, out, err, false, 0);
	nf_cmd_iptables(ns, 4, nat_flush, out, err, false, 0);
	nf_cmd_iptables(ns, 4, mangle_flush, out, err, false, 0);
	nf_cmd_iptables(ns, 4, raw_flush, out, err, false, 0);
	char *destroy[] = { "ipset", "destroy", NULL };
	g_string_truncate(err, 0);
	int drc = ipset_argv(ns, 2, destroy, NULL, out, err, false);
	if (drc == 0) {
		g_string_truncate(err, 0);
		int rc = ipset_argv(ns, 2, restore, s1->str, out, err, false);
		ipset_argv(ns, 2, save, NULL, s2, err, false);
		if ((rc != 0 || !g_string_equal(s1, s2)) && !getenv("FUZZ_NO_ROUNDTRIP")) {
			fprintf(stderr, "fuzz_ipset: ipset save output does not restore: %s\n---\n%s---\n%s---\n",
				err->str, s1->str, s2->str);
			abort();
		}
	}
	g_string_free(s1, TRUE);
	g_string_free(s2, TRUE);
	g_string_free(out, TRUE);
	g_string_free(err, TRUE);
	g_free(text);
	world_free(w);
	packet_pool_drain();
	return 0;
}
