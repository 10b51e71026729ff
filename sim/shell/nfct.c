/* nfct.c - `nfct timeout`, conntrack-tools 1.4.7's tool for the timeout
 * objects of nfnetlink_cttimeout (nat/conntrack/ct_timeout.c).
 *
 * Design: the tool's words, texts and exit statuses, checked against the
 * real nfct (Debian 12) in a namespace: `timeout list`, `get NAME`,
 * `add NAME inet|inet6 PROTO STATE SECS ...`, `delete NAME`, `flush`.
 * nfct has no -V or help: anything it does not know prints its usage line
 * (status 1). A kernel refusal is "nfct v1.4.7: netlink error: " and
 * strerror; everything goes to stderr. The `helper` subsystem and
 * `timeout default-set/default-get` are refused in natsim's voice, as are
 * the protocols natsim does not track (sctp, dccp, icmpv6).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nat/nf.h"
#include "sim/net/node.h"
#include "sim/shell/cmd.h"

#define NFCT_V "nfct v1.4.7: "

static const char nfct_usage[] = "Usage: nfct command subsystem [parameters]...";

static int nfct_fail(struct cmd_ctx *c, const char *text)
{
	g_string_append_printf(c->err, NFCT_V "%s", text);
	return 1;
}

static int nfct_errno(struct cmd_ctx *c, int e)
{
	g_string_append_printf(c->err, NFCT_V "netlink error: %s", g_strerror(e));
	return 1;
}

/* nfct_timeout_snprintf's default (text) form */
static void nfct_timeout_text(void *ctx, const char *name, uint16_t l3num, uint8_t l4num,
			      const uint32_t *secs, unsigned n)
{
	GString *o = ctx;

	g_string_append_printf(o, ".%s = {\n\t.l3proto = %u,\n\t.l4proto = %u,\n\t.policy = {\n",
			       name, l3num, l4num);
	for (unsigned i = 0; i < n; i++)
		g_string_append_printf(o, "\t\t.%s = %u,\n", nf_cttimeout_state_name(l4num, i),
				       secs[i]);
	g_string_append(o, "\t},\n};\n");
}

/* nfct's protocol names (the l4proto table of libnetfilter_cttimeout's
 * users): 0 when unknown; *tracked false for one natsim has no policy for. */
static uint8_t nfct_l4num(const char *s, bool *tracked)
{
	static const struct { const char *name; uint8_t num; } protos[] = {
		{ "tcp", 6 }, { "udp", 17 }, { "udplite", 136 }, { "icmp", 1 },
		{ "icmpv6", 58 }, { "sctp", 132 }, { "dccp", 33 }, { "gre", 47 },
		{ "generic", 255 },
	};

	for (unsigned i = 0; i < G_N_ELEMENTS(protos); i++)
		if (strcasecmp(s, protos[i].name) == 0) {
			*tracked = nf_cttimeout_nstates(protos[i].num) > 0;
			return protos[i].num;
		}
	return 0;
}

/* nfct_cmd_timeout_add: name (cut to 31 bytes as nfct copies it), family,
 * protocol, then STATE SECS pairs: a state without a value is checked
 * before its name; a later value of a state replaces an earlier one; a
 * value is strtoul's, cut to 32 bits. */
static int nfct_timeout_add(struct cmd_ctx *c, int argc, char **argv)
{
	uint32_t secs[NF_CT_TIMEOUT_STATES_MAX] = { 0 };
	char name[NF_CT_TIMEOUT_NAME_MAX];
	uint32_t set = 0;
	uint16_t l3num;
	uint8_t l4num;
	bool tracked;
	unsigned n;

	if (argc < 6) {
		g_string_append(c->err, NFCT_V "missing parameters\n"
			"syntax: nfct add timeout name family protocol state1 timeout1 ...");
		return 1;
	}
	if (strcmp(argv[4], "inet") == 0)
		l3num = 2;
	else if (strcmp(argv[4], "inet6") == 0)
		l3num = 10;
	else
		return nfct_fail(c, "unknown layer 3 protocol");
	l4num = nfct_l4num(argv[5], &tracked);
	if (!l4num)
		return nfct_fail(c, "unknown layer 4 protocol");
	if (!tracked)
		return natsim_unimpl(c->err, "an nfct timeout policy for %s", argv[5]);
	n = nf_cttimeout_nstates(l4num);
	for (int i = 6; i < argc; i += 2) {
		unsigned j;

		if (i + 1 >= argc)
			return nfct_fail(c, "missing value for this timeout");
		for (j = 0; j < n; j++)
			if (strcasecmp(argv[i], nf_cttimeout_state_name(l4num, j)) == 0)
				break;
		if (j == n) {
			g_string_append_printf(c->err, NFCT_V "Wrong state name: `%s' for protocol `%s'",
					       argv[i], argv[5]);
			return 1;
		}
		secs[j] = (uint32_t)strtoul(argv[i + 1], NULL, 10);
		set |= 1u << j;
	}
	if (c->dry_run)
		return 0;
	g_strlcpy(name, argv[3], sizeof(name));
	int rc = nf_cttimeout_add(c->node->nf, name, l3num, l4num, secs, set);
	return rc ? nfct_errno(c, rc) : 0;
}

static int nfct_timeout(struct cmd_ctx *c, int argc, char **argv)
{
	const char *w = argv[2];
	struct nf_ns *ns = c->node->nf;
	int rc;

	if (strcmp(w, "list") == 0) {
		if (argc > 3)
			return nfct_fail(c, "too many arguments");
		if (!c->dry_run)
			nf_cttimeout_walk(ns, NULL, nfct_timeout_text, c->out);
		return 0;
	}
	if (strcmp(w, "add") == 0)
		return nfct_timeout_add(c, argc, argv);
	if (strcmp(w, "get") == 0 || strcmp(w, "delete") == 0) {
		if (argc < 4)
			return nfct_fail(c, "missing timeout policy name");
		if (argc > 4)
			return nfct_fail(c, "too many arguments");
		if (c->dry_run)
			return 0;
		rc = w[0] == 'g' ? nf_cttimeout_walk(ns, argv[3], nfct_timeout_text, c->out) :
				   nf_cttimeout_del(ns, argv[3]);
		return rc ? nfct_errno(c, rc) : 0;
	}
	if (strcmp(w, "flush") == 0) {
		if (argc > 3)
			return nfct_fail(c, "too many arguments");
		if (!c->dry_run)
			nf_cttimeout_del(ns, NULL);
		return 0;
	}
	if (strcmp(w, "default-set") == 0 || strcmp(w, "default-get") == 0)
		return natsim_unimpl(c->err, "nfct timeout %s", w);
	g_string_append_printf(c->err, NFCT_V "Unknown command: %s\n%s", argv[1], nfct_usage);
	return 1;
}

int nfct_cmd(struct cmd_ctx *c, int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "timeout") == 0)
		return nfct_timeout(c, argc, argv);
	if (argc >= 3 && strcmp(argv[1], "helper") == 0)
		return natsim_unimpl(c->err, "nfct helper");
	g_string_append(c->err, nfct_usage);
	return 1;
}
