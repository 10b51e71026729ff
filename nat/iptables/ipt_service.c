/* ipt_service.c - RHEL's iptables-services: iptables.init start, stop and save.
 *
 * Mirrors /usr/libexec/iptables/iptables.init of the iptables-services
 * package (the unit iptables.service runs it): start restores
 * /etc/sysconfig/iptables ("Applying firewall rules"), or exits 6 without
 * the file; stop flushes every loaded table and sets the built-in
 * policies to ACCEPT ("Flushing firewall rules"); save writes what
 * iptables-save prints to the file ("Saving firewall rules").
 *
 * Design: nat/ never touches the simulator's files or journal: the node's
 * file content comes in as a string, and what the script prints, the new
 * file content and its exit status go out through GStrings and the return
 * value. sim/shell keeps the glue: the file store, and systemd's own lines
 * and state (journal, `systemctl status`, the unit's enablement).
 */
#include <string.h>

#include "nat/core/nf_ns.h"
#include "nat/iptables/ipt.h"
#include "nat/iptables/nf_iptables.h"

int nf_ipt_service_start(struct nf_ns *ns, const char *config, GString *out, GString *init_out,
			 nf_time now)
{
	if (!config) {
		/* iptables.init: "Do not start if there is no config file." */
		g_string_assign(init_out, "iptables: No config file.[WARNING]");
		return 6;
	}
	char *text = g_strdup(config);
	GString *e = g_string_new(NULL);
	int rc = nf_cmd_iptables_restore(ns, text, out, e, false, now);
	g_free(text);
	if (rc) {
		g_string_append(e, "iptables: Applying firewall rules: [FAILED]");
		g_string_assign(init_out, e->str);
		g_string_free(e, TRUE);
		return 1;
	}
	g_string_free(e, TRUE);
	g_string_assign(init_out, "iptables: Applying firewall rules: [  OK  ]");
	return 0;
}

/* Done as an iptables-restore of each table that iptables-save shows, with
 * only its built-in chains (ACCEPT, no rules): user chains go too. */
int nf_ipt_service_stop(struct nf_ns *ns, GString *out, GString *init_out, nf_time now)
{
	GString *saved = g_string_new(NULL), *e = g_string_new(NULL), *flush = g_string_new(NULL);
	char *save_argv[] = { "iptables-save", NULL };
	int rc = nf_cmd_iptables_save_at(ns, 1, save_argv, saved, e, now);
	if (rc == 0) {
		char **lines = g_strsplit(saved->str, "\n", -1);
		for (char **l = lines; *l; l++) {
			const char *line = *l;
			if (line[0] == '*') {
				g_string_append_printf(flush, "%s\n", line);
			} else if (line[0] == ':') {
				/* ":CHAIN POLICY [p:b]": built-ins have a policy, user chains "-" */
				char **f = g_strsplit(line + 1, " ", 3);
				if (f[0] && f[1] && strcmp(f[1], "-") != 0)
					g_string_append_printf(flush, ":%s ACCEPT [0:0]\n", f[0]);
				g_strfreev(f);
			} else if (strcmp(line, "COMMIT") == 0) {
				g_string_append(flush, "COMMIT\n");
			}
		}
		g_strfreev(lines);
		if (flush->len)
			rc = nf_cmd_iptables_restore(ns, flush->str, out, e, false, now);
	}
	g_string_assign(init_out, rc ? e->str : "iptables: Flushing firewall rules: [  OK  ]");
	g_string_free(saved, TRUE);
	g_string_free(e, TRUE);
	g_string_free(flush, TRUE);
	return rc ? 1 : 0;
}

int nf_ipt_service_save(struct nf_ns *ns, GString *file, GString *out, GString *err, nf_time now)
{
	GString *e = g_string_new(NULL);
	char *save_argv[] = { "iptables-save", NULL };
	g_string_truncate(file, 0);
	int rc = nf_cmd_iptables_save_at(ns, 1, save_argv, file, e, now);
	if (rc == 0)
		g_string_append(out, "iptables: Saving firewall rules to " NF_IPT_SERVICE_CONFIG
				": [  OK  ]\n");
	else
		g_string_assign(err, e->str);
	g_string_free(e, TRUE);
	return rc ? 1 : 0;
}
