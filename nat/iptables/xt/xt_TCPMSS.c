/* xt_TCPMSS.c - `-j TCPMSS --set-mss N | --clamp-mss-to-pmtu`: parsed only.
 *
 * Mirrors libxt_TCPMSS.c's options and errors, so a wrong command gets
 * iptables' own message first; a well-formed one is then refused in
 * natsim's voice (natsim does not rewrite the MSS option). No kernel side.
 */
#include "nat/iptables/xt.h"

struct xt_tcpmss {
	bool given;		/* one of the options */
};

enum { O_CLAMP_MSS, O_SET_MSS };

static const struct xt_option tcpmss_opts[] = {
	{ "set-mss", 1, O_SET_MSS }, { "clamp-mss-to-pmtu", 0, O_CLAMP_MSS }, { NULL, 0, 0 },
};

/* Each option once; the two together are accepted (iptables 1.8.9). */
static int tcpmss_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	const char *canon = tcpmss_opts[id == O_SET_MSS ? 0 : 1].name;
	int rc = xt_once(p, canon, id);
	if (!rc)
		rc = xt_noinvert(p, canon);
	if (rc)
		return rc;
	unsigned long v;
	/* XTTYPE_UINT16 up to 65535 minus the IPv4 header */
	if (id == O_SET_MSS && !xt_strtoul(arg, 65515, &v))
		return xt_err(p, "TCPMSS: bad value for option \"--set-mss\", or out of range (0-65515).\n");
	((struct xt_tcpmss *)data)->given = true;
	return 0;
}

static int tcpmss_final_check(struct xt_parse *p, const void *data)
{
	if (!((const struct xt_tcpmss *)data)->given)
		return xt_err(p, "TCPMSS target: At least one parameter is required");
	return xt_unimpl(p->msg, "-j TCPMSS");
}

const struct xt_ops xt_TCPMSS_ops = {
	.name = "TCPMSS", .kind = XT_TARGET, .size = sizeof(struct xt_tcpmss),
	.opts = tcpmss_opts, .parse = tcpmss_parse, .final_check = tcpmss_final_check,
	.verdict = IPT_T_EXT,
};
