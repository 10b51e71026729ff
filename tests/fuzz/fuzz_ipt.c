/* fuzz_ipt.c - the iptables rule parser and the iptables-restore reader.
 *
 * Input: the first byte picks the mode, the rest is text.
 *   even: one iptables command per line (words split as bash splits them),
 *         each checked (dry run) and then run on a router;
 *   odd:  the text is an iptables-restore file (with -n when bit 1 is set).
 * Each line and each restore text also goes through iptables-translate /
 * iptables-restore-translate. Then every table is printed (-S, -L -n -v,
 * iptables-save) and a few packets walk the hooks, so the parsed rules are
 * also matched.
 */
#include <string.h>

#include "sim/shell/cmd.h"
#include "tests/fuzz/fuzz_util.h"

static void run_line(struct nf_ns *ns, const char *line, GString *out, GString *err)
{
	GPtrArray *av = g_ptr_array_new_with_free_func(g_free);
	struct cmd_redir r = { 0 };
	if (cmd_split(line, av, &r, NULL, err) == 0 && av->len > 0) {
		g_ptr_array_add(av, NULL);
		char **v = (char **)av->pdata;
		int argc = (int)av->len - 1;
		if (strcmp(v[0], "iptables") == 0) {
			/* the dry run must accept exactly what the real run accepts */
			char **copy = g_strdupv(v);
			int dry = nf_cmd_iptables(ns, argc, copy, out, err, true, 0);
			g_strfreev(copy);
			copy = g_strdupv(v);
			int real = nf_cmd_iptables(ns, argc, copy, out, err, false, 0);
			g_strfreev(copy);
			(void)dry;
			(void)real;
			/* the same words through iptables-translate (nothing changes) */
			copy = g_strdupv(v);
			nf_cmd_iptables_translate(argc, copy, out, err);
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
	if (data[0] & 1) {
		char *argv[] = { "iptables-restore", (data[0] & 2) ? "-n" : "-c", NULL };
		nf_cmd_iptables_restore_args(ns, 2, argv, text, out, err, true, 0);
		nf_cmd_iptables_restore_args(ns, 2, argv, text, out, err, false, 0);
		nf_cmd_iptables_restore_translate("iptables-restore-translate", text, 0, out, err);
	} else {
		char **lines = g_strsplit(text, "\n", 64);
		for (char **l = lines; *l; l++)
			run_line(ns, *l, out, err);
		g_strfreev(lines);
	}
	static const char *const tables[] = { "filter", "nat", "mangle", "raw" };
	for (unsigned t = 0; t < G_N_ELEMENTS(tables); t++) {
		char *l1[] = { "iptables", "-t", (char *)tables[t], "-S", NULL };
		char *l2[] = { "iptables", "-t", (char *)tables[t], "-L", "-n", "-v", "--line-numbers", NULL };
		nf_cmd_iptables(ns, 4, l1, out, err, false, 0);
		nf_cmd_iptables(ns, 7, l2, out, err, false, 0);
	}
	char *save[] = { "iptables-save", "-c", NULL };
	nf_cmd_iptables_save(ns, 2, save, out, err);
	fz_walk_forward(ns);
	/* what iptables-save printed must restore */
	g_string_truncate(out, 0);
	nf_cmd_iptables_save(ns, 1, save, out, err);
	char *rargv[] = { "iptables-restore", NULL };
	g_string_truncate(err, 0);
	GString *out2 = g_string_new(NULL);
	int rc = nf_cmd_iptables_restore_args(ns, 1, rargv, out->str, out2, err, false, 0);
	if (rc != 0 && !getenv("FUZZ_NO_ROUNDTRIP")) {
		fprintf(stderr, "fuzz_ipt: iptables-save output does not restore: %s\n---\n%s---\n",
			err->str, out->str);
		abort();
	}
	g_string_free(out2, TRUE);
	g_string_free(out, TRUE);
	g_string_free(err, TRUE);
	g_free(text);
	world_free(w);
	packet_pool_drain();
	return 0;
}
