/* nf_modprobe.c - `modprobe MODULE`: which netfilter modules natsim knows
 * and what loading one turns on.
 *
 * At the top of nat/ because a module is an assembly decision. As on Linux
 * 6.x (4.10+), loading a module registers no hook: conntrack's hooks come
 * with the first user that needs them (a nat-table command, -m state or
 * conntrack, CT: nf_ct_netns_get, i.e. nf_ct_load), or at once with
 * `modprobe nf_conntrack enable_hooks=1`; iptable_nat's table, with its
 * lookups in the NAT core (ipt_nat_load), is made by the first command that
 * uses it, as the kernel instantiates tables lazily per namespace.
 */
#include <string.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/ct_helper.h"
#include "nat/core/nf_ns.h"
#include "nat/iptables/ipt.h"
#include "nat/nf.h"
#include "nat/nf_nat/nat.h"
#include "nat/nf_nat/nat_helper.h"

/* The kernel release natsim's routers pretend to run (modprobe's messages). */
#define NF_KERNEL_RELEASE "6.1.0"

/* Modules natsim knows. ct: the module is, or pulls in, nf_conntrack, so
 * enable_hooks=1 applies to it. nat: it brings NAT (kept as data: loading it
 * turns nothing on by itself). */
struct nf_module {
	const char *name;
	bool ct, nat;
};

static const struct nf_module nf_modules[] = {
	{ "nf_conntrack", true, false },
	{ "nf_conntrack_ipv4", true, false },
	{ "nf_defrag_ipv4", false, false },
	{ "nf_nat", true, false },
	{ "nf_nat_ipv4", true, false },
	{ "iptable_nat", true, true },
	{ "iptable_filter", false, false },
	{ "iptable_mangle", false, false },
	{ "iptable_raw", false, false },
	{ "ip_tables", false, false },
	{ "x_tables", false, false },
	{ "xt_state", true, false },
	{ "xt_conntrack", true, false },
	{ "xt_nat", true, false },
	{ "xt_MASQUERADE", true, false },
	{ "ipt_MASQUERADE", true, false },
	{ "nf_nat_masquerade_ipv4", true, false },
	{ "xt_REDIRECT", true, false },
	{ "nf_nat_redirect", true, false },
	{ "xt_tcpudp", false, false },
	{ "xt_multiport", false, false },
	{ "xt_comment", false, false },
	{ "xt_mark", false, false },
	{ "xt_MARK", false, false },
	{ "xt_CT", true, false },
	{ "xt_LOG", false, false },
	{ "nf_log_syslog", false, false },
	{ "ipt_REJECT", false, false },
	{ "nf_reject_ipv4", false, false },
	{ "nf_tables", false, false },
	{ "nft_compat", false, false },
	{ "nfnetlink", false, false },
	{ "nf_conntrack_netlink", true, false },
	{ "nft_chain_nat", true, false },
	{ "nf_conntrack_ftp", true, false },
	/* modules.dep: nf_nat_ftp needs nf_conntrack_ftp (nf_nat_ftp_hook),
	 * nf_nat and nf_conntrack; modprobe loads them first */
	{ "nf_nat_ftp", true, false },
	{ "nf_conntrack_tftp", true, false },
	{ "nf_nat_tftp", true, false },
	/* ipset (nat/ipset/): the sets exist per namespace without a load */
	{ "ip_set", false, false },
	{ "ip_set_hash_ip", false, false },
	{ "ip_set_hash_net", false, false },
	{ "ip_set_hash_ipport", false, false },
	{ "ip_set_hash_netport", false, false },
	{ "ip_set_hash_netiface", false, false },
	{ "ip_set_bitmap_port", false, false },
	{ "ip_set_list_set", false, false },
	{ "xt_set", false, false },
};

/* modprobe treats '-' and '_' alike in module names. */
static bool nf_module_name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char ca = *a == '-' ? '_' : *a, cb = *b == '-' ? '_' : *b;

		if (ca != cb)
			return false;
	}
	return *a == *b;
}

int nf_cmd_modprobe(struct nf_ns *ns, const char *module, bool enable_hooks, GString *err,
		    bool dry_run)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(nf_modules); i++) {
		if (!nf_module_name_eq(module, nf_modules[i].name))
			continue;
		if (!dry_run && nf_modules[i].ct && enable_hooks)
			nf_ct_load(ns);
		if (!dry_run && nf_ct_helper_module_known(nf_modules[i].name))
			nf_ct_helper_load(ns, nf_modules[i].name, NULL, err);
		if (!dry_run && !strcmp(nf_modules[i].name, "nf_nat_ftp"))
			nf_nat_ftp_load(ns);
		if (!dry_run && !strcmp(nf_modules[i].name, "nf_nat_tftp"))
			nf_nat_tftp_load(ns);
		return 0;
	}
	/* kmod's text; Linux exits with status 1, natsim reports bad input */
	g_string_append_printf(err, "modprobe: FATAL: Module %s not found in directory "
			       "/lib/modules/" NF_KERNEL_RELEASE "\n", module);
	return 2;
}

int nf_cmd_modprobe_param(struct nf_ns *ns, const char *module, const char *param,
			  GString *err, bool dry_run)
{
	GString *e;
	int rc;

	bool tftp = nf_module_name_eq(module, "nf_conntrack_tftp");

	if ((!tftp && !nf_module_name_eq(module, "nf_conntrack_ftp")) ||
	    strncmp(param, "ports=", 6) != 0)
		return -1;
	if (dry_run && strspn(param + 6, "0123456789,") == strlen(param + 6) && param[6])
		return 0;
	e = g_string_new(NULL);
	rc = nf_ct_helper_load(ns, tftp ? "nf_conntrack_tftp" : "nf_conntrack_ftp", param + 6, e);
	if (rc)
		g_string_append(err, e->str);
	g_string_free(e, TRUE);
	return rc ? 1 : 0;
}
