/* modprobe.c - the `modprobe` command (kmod 30, Debian 12).
 *
 * Three kinds of module name, three answers:
 *   - a module natsim implements (nf_conntrack, iptable_nat, xt_state...:
 *     nf_cmd_modprobe knows them) loads, as on Linux;
 *   - a module Debian's kernel has but natsim does not (nf_conntrack_ftp,
 *     xt_recent, br_netfilter, 8021q...) fails in natsim's voice: loading it
 *     quietly would promise behaviour natsim does not have;
 *   - a name no Debian kernel has gets kmod's own error and exit status 1.
 * The list of real names (linux_names.c) is generated from the kernel
 * package by tests/surface/gen_surface.py.
 *
 * Design: kmod's command line is read here (options, `-a`, module
 * parameters); what loading a module turns on is netfilter's business
 * (nf_cmd_modprobe in nat/nf_modprobe.c).
 */
#include <stdlib.h>
#include <string.h>

#include "sim/shell/cmd.h"
#include "nat/nf.h"
#include "sim/shell/linux_names.h"

/* kmod's options: what each does in natsim. */
enum mp_opt { MP_ALL, MP_REMOVE, MP_DRYRUN, MP_QUIET, MP_HARMLESS, MP_UNIMPL };

static const struct {
	char s;
	const char *l;
	bool arg;
	enum mp_opt what;
} mp_opts[] = {
	{ 'a', "--all", false, MP_ALL },
	{ 'r', "--remove", false, MP_REMOVE },
	{ 'n', "--dry-run", false, MP_DRYRUN },
	{ 'n', "--show", false, MP_DRYRUN },
	{ 'q', "--quiet", false, MP_QUIET },
	/* no install/blacklist configuration, no version checks: nothing to change */
	{ 'i', "--ignore-install", false, MP_HARMLESS },
	{ 'i', "--ignore-remove", false, MP_HARMLESS },
	{ 'b', "--use-blacklist", false, MP_HARMLESS },
	{ 'f', "--force", false, MP_HARMLESS },
	{ 0, "--force-modversion", false, MP_HARMLESS },
	{ 0, "--force-vermagic", false, MP_HARMLESS },
	/* the rest would print or change what natsim does not model */
	{ 'v', "--verbose", false, MP_UNIMPL },
	{ 'V', "--version", false, MP_UNIMPL },
	{ 'h', "--help", false, MP_UNIMPL },
	{ 's', "--syslog", false, MP_UNIMPL },
	{ 'R', "--resolve-alias", false, MP_UNIMPL },
	{ 'D', "--show-depends", false, MP_UNIMPL },
	{ 'c', "--showconfig", false, MP_UNIMPL },
	{ 'c', "--show-config", false, MP_UNIMPL },
	{ 0, "--show-modversions", false, MP_UNIMPL },
	{ 0, "--dump-modversions", false, MP_UNIMPL },
	{ 0, "--show-exports", false, MP_UNIMPL },
	{ 0, "--first-time", false, MP_UNIMPL },
	{ 0, "--remove-dependencies", false, MP_UNIMPL },
	{ 0, "--remove-holders", false, MP_UNIMPL },
	{ 'w', "--wait", true, MP_UNIMPL },
	{ 'C', "--config", true, MP_UNIMPL },
	{ 'd', "--dirname", true, MP_UNIMPL },
	{ 'S', "--set-version", true, MP_UNIMPL },
};

/* Module parameters natsim honours: nf_conntrack's enable_hooks=1, which
 * registers conntrack's hooks at once (without it, tracking waits for a rule
 * that needs it, as on Linux 6.x). */
static bool mp_param_ok(const char *module, const char *param)
{
	return (strcmp(module, "nf_conntrack") == 0 || strcmp(module, "nf-conntrack") == 0) &&
	       strcmp(param, "enable_hooks=1") == 0;
}

int cmd_modprobe(struct cmd_ctx *c, int argc, char **argv)
{
	struct nf_ns *nf = c->node->nf;
	bool all = false, dry = false, quiet = false, enable_hooks = false;
	const char *helper_param = NULL;	/* nf_conntrack_ftp ports=... */
	GPtrArray *names = g_ptr_array_new();
	int rc = 0;

	for (int i = 1; i < argc && rc == 0; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || !a[1]) {
			g_ptr_array_add(names, (gpointer)a);
			continue;
		}
		bool found = false;
		for (size_t k = 0; k < G_N_ELEMENTS(mp_opts) && !found; k++) {
			size_t ll = strlen(mp_opts[k].l);
			bool is_long = strncmp(a, mp_opts[k].l, ll) == 0 && (!a[ll] || a[ll] == '=');
			bool is_short = mp_opts[k].s && a[1] == mp_opts[k].s && !a[2];
			if (!is_long && !is_short)
				continue;
			found = true;
			if (mp_opts[k].arg && !strchr(a, '=') && i + 1 < argc)
				i++;
			switch (mp_opts[k].what) {
			case MP_ALL: all = true; break;
			case MP_DRYRUN: dry = true; break;
			case MP_QUIET: quiet = true; break;
			case MP_HARMLESS: break;
			case MP_REMOVE:
			case MP_UNIMPL:
				rc = natsim_unimpl(c->err, "modprobe %s", a);
				break;
			}
		}
		if (!found) {
			/* getopt's text for an option kmod does not have */
			if (a[1] == '-')
				g_string_printf(c->err, "modprobe: unrecognized option '%s'", a);
			else
				g_string_printf(c->err, "modprobe: invalid option -- '%c'", a[1]);
			rc = 1;
		}
	}
	if (rc == 0 && names->len == 0) {
		g_string_assign(c->err, "modprobe: ERROR: missing parameters. See -h.");
		rc = 1;
	}
	/* without -a: MODULE [PARAM=VALUE...] */
	unsigned nmods = all ? names->len : (names->len ? 1 : 0);
	for (unsigned i = nmods; rc == 0 && i < names->len; i++) {
		const char *param = g_ptr_array_index(names, i);
		int prc = nf ? nf_cmd_modprobe_param(nf, g_ptr_array_index(names, 0), param, c->err,
						     true) : -1;
		if (prc == 0) {
			helper_param = param;
			continue;
		}
		if (prc > 0) {
			rc = 1;
			break;
		}
		if (!mp_param_ok(g_ptr_array_index(names, 0), param))
			rc = natsim_unimpl(c->err, "the module parameter %s (modprobe %s)", param,
					   (const char *)g_ptr_array_index(names, 0));
		enable_hooks = true;	/* the one parameter mp_param_ok lets through */
	}
	for (unsigned i = 0; rc == 0 && i < nmods; i++) {
		const char *m = g_ptr_array_index(names, i);
		GString *e = g_string_new(NULL);
		if (nf && nf_cmd_modprobe(nf, m, false, e, true) == 0) {
			if (helper_param && !(c->dry_run || dry) &&
			    nf_cmd_modprobe_param(nf, m, helper_param, c->err, false)) {
				rc = 1;
				g_string_free(e, TRUE);
				break;
			}
			nf_cmd_modprobe(nf, m, enable_hooks, e, c->dry_run || dry);
		} else if (linux_module_exists(m)) {
			rc = natsim_unimpl(c->err, "the module %s", m);
		} else {
			/* kmod: "modprobe: FATAL: Module X not found in directory ..." */
			if (!nf)
				g_string_printf(e, "modprobe: FATAL: Module %s not found in directory "
						"/lib/modules/6.1.0\n", m);
			if (!quiet)
				g_string_assign(c->err, e->str);
			g_strchomp(c->err->str);
			c->err->len = strlen(c->err->str);
			rc = 1;
		}
		g_string_free(e, TRUE);
	}
	g_ptr_array_free(names, TRUE);
	return rc;
}
