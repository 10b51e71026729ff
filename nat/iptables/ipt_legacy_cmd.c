/* ipt_legacy_cmd.c - the iptables-legacy, iptables-legacy-save and
 * iptables-legacy-restore commands, and iptables-nft's warning about them.
 *
 * Mirrors iptables 1.8.9's legacy programs (xtables-legacy-multi) and
 * nft_check_xt_legacy. Design: each command swaps the legacy set of tables
 * in as ns->ipt (ipt_legacy.c) and runs iptables-nft's code (ipt_cmd.c),
 * then rewrites the version in its texts; a legacy table exists from the
 * first command that names it, a listing included.
 */
#include <stdio.h>
#include <string.h>

#include "nat/core/nf_ns.h"
#include "nat/iptables/ipt.h"
#include "nat/iptables/nf_iptables.h"

#define LEGACY_WARN "# Warning: iptables-legacy tables present, use iptables-legacy%s to see them\n"

/* The legacy set, made at its first use. */
struct ipt_net *ipt_legacy_net(struct nf_ns *ns)
{
	struct ipt_net *n = ns->ipt;

	if (n->legacy)
		return n;
	if (!n->legacy_net) {
		struct ipt_net *l = g_new0(struct ipt_net, 1);
		for (int i = 0; i < IPT_NTABLES; i++)
			ipt_table_init(&l->tables[i], (enum ipt_table_id)i);
		l->legacy = true;
		l->nft_net = n;
		n->legacy_net = l;
	}
	return n->legacy_net;
}

void ipt_legacy_free(struct nf_ns *ns)
{
	struct ipt_net *l = ns->ipt ? ns->ipt->legacy_net : NULL;

	if (!l)
		return;
	for (int i = 0; i < IPT_NTABLES; i++)
		ipt_table_clear(&l->tables[i]);
	g_free(l);
	ns->ipt->legacy_net = NULL;
}

/* The legacy tool's version in what the shared code wrote from `from` on. */
static void ipt_legacy_texts(GString *s, gsize from)
{
	static const char *const pairs[][2] = {
		{ "iptables-save v1.8.9 (nf_tables) on", "iptables-save v1.8.9 on" },
		{ "v1.8.9 (nf_tables)", "v1.8.9 (legacy)" },
	};
	if (!s || s->len <= from)
		return;
	GString *tail = g_string_new(s->str + from);
	for (unsigned k = 0; k < G_N_ELEMENTS(pairs); k++)
		g_string_replace(tail, pairs[k][0], pairs[k][1], 0);
	g_string_truncate(s, from);
	g_string_append_len(s, tail->str, (gssize)tail->len);
	g_string_free(tail, TRUE);
}

/* What iptables-legacy says where iptables-nft's words differ (measured
 * with iptables 1.8.9 on Linux 6.x): a missing chain to list, a rule number
 * past the end, a built-in chain to delete, an unknown jump target, what
 * the kernel refuses (legacy's libiptc: "Invalid argument. Run `dmesg'...",
 * exit 1, where nf_tables' batch error is exit 4). err from `from` on is
 * rewritten; returns the exit status. */
static int ipt_legacy_errors(struct ipt_net *l, const struct ipt_cmd *cmd, int rc, GString *err,
			     gsize from)
{
	static const char nochain[] = "iptables: No chain/target/match by that name.\n";
	const char *tail = err->str + from;
	const char *p;
	char name[64];
	const struct ipt_chain *c = NULL;

	if (rc == 0 || err->len <= from)
		return rc;
	if (cmd->chain && cmd->table >= 0)
		c = ipt_chain_find(&l->tables[cmd->table], cmd->chain);
	if (strstr(tail, "' is incompatible, use 'nft' tool.")) {
		g_string_truncate(err, from);
		g_string_append(err, nochain);
		return 1;
	}
	if ((p = strstr(tail, ": Chain '")) && sscanf(p, ": Chain '%63[^']' does not exist", name) == 1) {
		g_string_truncate(err, from);
		g_string_append_printf(err, "iptables v1.8.9 (legacy): Couldn't load target `%s':"
				       "No such file or directory\n\n"
				       "Try `iptables -h' or 'iptables --help' for more information.\n",
				       name);
		return 2;
	}
	if (rc == 4 && strstr(tail, " failed (Invalid argument)")) {
		g_string_truncate(err, from);
		g_string_append(err, "iptables: Invalid argument. Run `dmesg' for more information.\n");
		return 1;
	}
	if (strcmp(tail, nochain) == 0 && c && cmd->rulenum > 0 &&
	    (cmd->cmd == 'D' || cmd->cmd == 'R')) {
		g_string_truncate(err, from);
		g_string_append_printf(err, "iptables: Index of %s too big.\n",
				       cmd->cmd == 'D' ? "deletion" : "replacement");
		return 1;
	}
	/* libiptc's iptc_delete_chain: EMLINK while jumps point at the chain,
	 * then ENOTEMPTY while it has rules (nf_tables: EBUSY for both) */
	if (rc == 4 && c && cmd->cmd == 'X' && strstr(tail, " CHAIN_DEL failed (Device or resource busy)")) {
		g_string_truncate(err, from);
		g_string_append(err, c->refs ? "iptables: Too many links.\n"
					     : "iptables: Directory not empty.\n");
		return 1;
	}
	if (strcmp(tail, nochain) == 0 && c && c->builtin && cmd->cmd == 'X') {
		g_string_truncate(err, from);
		g_string_append(err, "iptables: Invalid argument. Run `dmesg' for more information.\n");
		return 1;
	}
	return rc;
}

/* A table x_tables does not know: libiptc's iptc_init fails (ENOENT) and
 * iptables-legacy says so in its words (measured: `-t foo -L`, exit 3). */
static void ipt_legacy_no_table(GString *err, gsize from)
{
	static const char perhaps[] = "\nPerhaps iptables or your kernel needs to be upgraded.\n";
	char name[64];

	if (err->len <= from ||
	    sscanf(err->str + from, "iptables v1.8.9 (legacy): table '%63[^']' does not exist", name) != 1 ||
	    !strstr(err->str + from, perhaps))
		return;
	g_string_truncate(err, from);
	g_string_append_printf(err, "iptables v1.8.9 (legacy): can't initialize iptables table `%s': "
			       "Table does not exist (do you need to insmod?)%s", name, perhaps);
}

int nf_cmd_iptables_legacy(struct nf_ns *ns, int argc, char **argv, GString *out, GString *err,
			   bool dry_run, nf_time now)
{
	struct ipt_net *l = ipt_legacy_net(ns);
	gsize o = out->len, e = err->len;
	struct ipt_cmd cmd;
	GString *msg = g_string_new(NULL);
	bool noprefix = false, parsed;
	int rc;

	/* a legacy table exists from the command's first use of it, -L included */
	memset(&cmd, 0, sizeof(cmd));
	parsed = ipt_parse(argc, argv, IPT_FILTER, &cmd, msg, &noprefix) == 0;
	if (parsed && !dry_run && cmd.table >= 0 && cmd.cmd != 'V' && cmd.cmd != 'h')
		l->tables[cmd.table].touched = true;
	ipt_legacy_enter(ns, l);
	rc = nf_cmd_iptables(ns, argc, argv, out, err, dry_run, now);
	ipt_tables_sync_ops(ns);
	ipt_legacy_leave(ns, l);
	ipt_legacy_texts(out, o);
	ipt_legacy_texts(err, e);
	if (rc == 3)
		ipt_legacy_no_table(err, e);
	if (parsed && !dry_run)
		rc = ipt_legacy_errors(l, &cmd, rc, err, e);
	ipt_cmd_clear(&cmd);
	g_string_free(msg, TRUE);
	return rc;
}

int nf_cmd_iptables_legacy_restore_args(struct nf_ns *ns, int argc, char **argv, const char *text,
					GString *out, GString *err, bool dry_run, nf_time now)
{
	struct ipt_net *l = ipt_legacy_net(ns);
	gsize o = out->len, e = err->len;
	int rc;

	ipt_legacy_enter(ns, l);
	rc = nf_cmd_iptables_restore_args(ns, argc, argv, text, out, err, dry_run, now);
	ipt_tables_sync_ops(ns);
	ipt_legacy_leave(ns, l);
	ipt_legacy_texts(out, o);
	ipt_legacy_texts(err, e);
	return rc;
}

/* The table `-t NAME` or `-tNAME` names in iptables-legacy-save's
 * arguments, -1 if none or not one of ours. */
static int ipt_legacy_save_table(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "-t") == 0 || strcmp(argv[i], "--table") == 0) && i + 1 < argc)
			return ipt_table_by_name(argv[i + 1]);
		if (strncmp(argv[i], "-t", 2) == 0 && argv[i][2])
			return ipt_table_by_name(argv[i] + 2);
	}
	return -1;
}

/* iptables-legacy-save: the blocks iptables-save prints, newest table
 * first (the order of /proc/net/ip_tables_names). `-t TABLE` asks libiptc
 * for the table, which makes it (xt_find_table_lock instantiates its
 * template, as for any command naming it): a table never used prints its
 * empty built-in chains, and is there from then on (measured: a fresh
 * namespace's `iptables-legacy-save -t mangle`). A table x_tables does not
 * know: iptc_init's ENOENT in legacy's words. */
int nf_cmd_iptables_legacy_save_at(struct nf_ns *ns, int argc, char **argv, GString *out,
				   GString *err, nf_time now)
{
	struct ipt_net *l = ipt_legacy_net(ns);
	GString *all = g_string_new(NULL);
	gsize e = err->len;
	int only = ipt_legacy_save_table(argc, argv);
	int rc;

	ipt_legacy_enter(ns, l);
	if (only >= 0 && !l->tables[only].touched) {
		l->tables[only].touched = true;
		ipt_tables_sync_ops(ns);
	}
	rc = nf_cmd_iptables_save_at(ns, argc, argv, all, err, now);
	ipt_legacy_leave(ns, l);
	ipt_legacy_texts(all, 0);
	ipt_legacy_texts(err, e);
	if (rc == 1 && err->len > e && g_str_has_prefix(err->str + e, "Table `") &&
	    strstr(err->str + e, "' does not exist\n")) {
		g_string_truncate(err, e);
		g_string_append(err, "iptables-save v1.8.9 (legacy): Cannot initialize: "
				     "Table does not exist (do you need to insmod?)\n");
	}
	if (rc == 0) {
		/* one block per table: "# Generated ...", "*name", ..., "# Completed ..." */
		gchar **blocks = g_strsplit(all->str, "# Generated by ", -1);
		unsigned best_seq = G_MAXUINT;
		for (;;) {
			int pick = -1;
			unsigned pick_seq = 0;
			for (int t = 0; t < IPT_NTABLES; t++)
				if (l->made_seq[t] < best_seq && l->made_seq[t] > pick_seq) {
					pick = t;
					pick_seq = l->made_seq[t];
				}
			if (pick < 0)
				break;
			best_seq = pick_seq;
			char *star = g_strdup_printf("\n*%s\n", ipt_table_name((enum ipt_table_id)pick));
			for (unsigned b = 0; blocks[b]; b++)
				if (strstr(blocks[b], star))
					g_string_append_printf(out, "# Generated by %s", blocks[b]);
			g_free(star);
		}
		g_strfreev(blocks);
	}
	g_string_free(all, TRUE);
	return rc;
}

/* iptables-nft's nft_check_xt_legacy: its listings (-L, -S) and
 * iptables-save say on stderr when legacy tables exist. */
void nf_iptables_legacy_warning(struct nf_ns *ns, int argc, char **argv, bool save, GString *err)
{
	struct ipt_net *l = ns->ipt ? ns->ipt->legacy_net : NULL;
	bool any = false;

	for (int t = 0; l && t < IPT_NTABLES; t++)
		any = any || l->tables[t].touched;
	if (!any)
		return;
	if (!save) {
		struct ipt_cmd cmd;
		GString *msg = g_string_new(NULL);
		bool noprefix = false, list;
		memset(&cmd, 0, sizeof(cmd));
		list = ipt_parse(argc, argv, IPT_FILTER, &cmd, msg, &noprefix) == 0 &&
		       (cmd.cmd == 'L' || cmd.cmd == 'S');
		ipt_cmd_clear(&cmd);
		g_string_free(msg, TRUE);
		if (!list)
			return;
	}
	g_string_append_printf(err, LEGACY_WARN, save ? "-save" : "");
}
