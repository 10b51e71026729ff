/* nfacct.c - `nfacct`, the netfilter extended accounting tool (nfacct
 * 1.0.2, Debian 12), over the node's accounting objects (the ones
 * `-m nfacct --nfacct-name` counts into: nat/iptables/xt/xt_nfacct.c).
 *
 * Design: the tool's words, texts and exit statuses (checked against the
 * real nfacct in a namespace): `list [reset]`, `get NAME [reset]`, `add
 * NAME`, `delete NAME`, `flush`, `version`, `help`; a kernel refusal is
 * "nfacct v1.0.2: error: " and strerror. Quotas (`add NAME byte|packet N`,
 * `monitor`), `restore` and the xml/json outputs (they carry the wall
 * clock) are refused in natsim's voice.
 */
#include <string.h>

#include "nat/nf.h"
#include "sim/net/node.h"
#include "sim/shell/cmd.h"

#define NFACCT_V "nfacct v1.0.2: "

static const char nfacct_usage[] = "Usage: nfacct command [parameters]...";

static const char nfacct_banner[] =
	"nfacct v1.0.2: utility for the Netfilter extended accounting infrastructure\n";

static int nfacct_fail(struct cmd_ctx *c, const char *text)
{
	g_string_append_printf(c->err, NFACCT_V "%s", text);
	return 1;
}

static int nfacct_errno(struct cmd_ctx *c, int e)
{
	g_string_append_printf(c->err, NFACCT_V "error: %s", g_strerror(e));
	return 1;
}

/* nfacct_snprintf's plain line */
static void nfacct_line(void *ctx, const char *name, uint64_t pkts, uint64_t bytes)
{
	g_string_append_printf(ctx, "{ pkts = %020" G_GUINT64_FORMAT ", bytes = %020"
			       G_GUINT64_FORMAT " } = %s;\n", pkts, bytes, name);
}

/* The words after `list` or `get NAME`: reset once; xml and json refused. */
static int nfacct_out_opts(struct cmd_ctx *c, int argc, char **argv, int from, bool *reset)
{
	*reset = false;
	for (int i = from; i < argc; i++) {
		if (strcmp(argv[i], "reset") == 0) {
			if (*reset) {
				g_string_append(c->err, "Error: duplicate \"reset\" or collision with another option ");
				return 1;
			}
			*reset = true;
		} else if (strcmp(argv[i], "xml") == 0 || strcmp(argv[i], "json") == 0) {
			return natsim_unimpl(c->err, "nfacct %s %s output (it carries the wall clock)",
					     argv[1], argv[i]);
		} else {
			return nfacct_fail(c, "unknown argument");
		}
	}
	return 0;
}

int nfacct_cmd(struct cmd_ctx *c, int argc, char **argv)
{
	if (argc < 2) {
		g_string_append(c->err, nfacct_usage);
		return 1;
	}
	const char *w = argv[1];
	struct nf_ns *ns = c->node->nf;
	bool reset;
	int rc;
	if (strcmp(w, "list") == 0) {
		if ((rc = nfacct_out_opts(c, argc, argv, 2, &reset)) || c->dry_run)
			return rc;
		nf_nfacct_walk(ns, NULL, reset, nfacct_line, c->out);
		return 0;
	}
	if (strcmp(w, "get") == 0) {
		if (argc < 3)
			return nfacct_fail(c, "missing object name");
		if ((rc = nfacct_out_opts(c, argc, argv, 3, &reset)) || c->dry_run)
			return rc;
		rc = nf_nfacct_walk(ns, argv[2], reset, nfacct_line, c->out);
		return rc ? nfacct_errno(c, rc) : 0;
	}
	if (strcmp(w, "add") == 0) {
		if (argc < 3)
			return nfacct_fail(c, "missing object name");
		if (argc == 4)
			return nfacct_fail(c, "missing quota value");
		if (argc > 4) {
			if (strcmp(argv[3], "byte") != 0 && strcmp(argv[3], "packet") != 0)
				return nfacct_fail(c, "argument must \"byte\" or \"packet\"");
			return natsim_unimpl(c->err, "nfacct quotas (add NAME %s N)", argv[3]);
		}
		if (c->dry_run)
			return 0;
		rc = nf_nfacct_add(ns, argv[2]);
		return rc ? nfacct_errno(c, rc) : 0;
	}
	if (strcmp(w, "delete") == 0) {
		if (argc < 3)
			return nfacct_fail(c, "missing object name");
		if (argc > 3)
			return nfacct_fail(c, "too many arguments");
		if (c->dry_run)
			return 0;
		rc = nf_nfacct_del(ns, argv[2]);
		return rc ? nfacct_errno(c, rc) : 0;
	}
	if (strcmp(w, "flush") == 0) {
		if (argc > 2)
			return nfacct_fail(c, "too many arguments");
		if (!c->dry_run)
			nf_nfacct_del(ns, NULL);
		return 0;
	}
	if (strcmp(w, "version") == 0) {
		g_string_append(c->out, nfacct_banner);
		g_string_append(c->out,
				"Copyright (C) 2011 Pablo Neira Ayuso <pablo@netfilter.org>\n"
				"Copyright (C) 2011 Intra2net AG <http://www.intra2net.com>\n"
				"This program comes with ABSOLUTELY NO WARRANTY.\n"
				"This is free software, and you are welcome to redistribute it under certain \n"
				"conditions; see LICENSE file distributed in this package for details.\n");
		return 0;
	}
	if (strcmp(w, "help") == 0) {
		g_string_append(c->out, nfacct_banner);
		g_string_append_printf(c->out, "%s\n\n", nfacct_usage);
		g_string_append(c->out,
				"Commands:\n"
				"  list [reset]\t\tList the accounting object table (and reset)\n"
				"  add object-name\tAdd new accounting object to table\n"
				"  delete object-name\tDelete existing accounting object\n"
				"  get object-name\tGet existing accounting object\n"
				"  flush\t\t\tFlush accounting object table\n"
				"  restore\t\tRestore accounting object table reading 'list' output from stdin\n"
				"  monitor\t\tListens for quota attainment notifications\n"
				"  version\t\tDisplay version and disclaimer\n"
				"  help\t\t\tDisplay this help message\n");
		return 0;
	}
	if (strcmp(w, "restore") == 0 || strcmp(w, "monitor") == 0)
		return natsim_unimpl(c->err, "nfacct %s", w);
	g_string_append_printf(c->err, NFACCT_V "Unknown command: %s\n%s", w, nfacct_usage);
	return 1;
}
