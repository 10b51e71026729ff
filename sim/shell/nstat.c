/* nstat.c - `nstat`, iproute2's view of the kernel's SNMP counters, over the
 * IPv4 counters a node keeps (sim/inet/ip.c's MIB).
 *
 * Design: what nstat prints for a counter natsim keeps is nstat's own text
 * ("#kernel", then "%-32s%-16llu%6.1f" lines in the kernel's file order:
 * /proc/net/snmp's Ip:, then /proc/net/netstat's TcpExt: and IpExt:), so a
 * scenario's `nstat -asz NAME...` compares line for line with Linux. The
 * history nstat keeps between runs lives where nstat keeps it, in a file
 * (/tmp/.nstat.u0, the node's file store), in nstat's format: without -a
 * the output is the increase since the last run that updated it. Patterns
 * match as nstat's (fnmatch, case-insensitive). Counters natsim does not
 * keep are simply absent; a pattern that is a plain counter name natsim
 * does not keep, or no pattern at all, gets a note on stderr saying so.
 * Rates (the last column) need nstat's daemon and are always 0.0, as
 * without one.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/shell/cmd.h"
#include "sim/shell/shell_state.h"
#include "sim/sock/sock.h"

#define NSTAT_HISTORY "/tmp/.nstat.u0"	/* P_tmpdir/.nstat.u<uid>, as root */

/* The counters, nstat's names in the kernel's order, with ip.c's names. */
static const struct {
	const char *nstat, *mib;
} nstat_counters[] = {
	{ "IpInReceives", "InReceives" },
	{ "IpInHdrErrors", "InHdrErrors" },
	{ "IpInAddrErrors", "InAddrErrors" },
	{ "IpForwDatagrams", "ForwDatagrams" },
	{ "IpInDiscards", "InDiscards" },
	{ "IpInDelivers", "InDelivers" },
	{ "IpOutNoRoutes", "OutNoRoutes" },
	{ "IpReasmTimeout", "ReasmTimeout" },
	{ "IpReasmReqds", "ReasmReqds" },
	{ "IpReasmOKs", "ReasmOKs" },
	{ "IpReasmFails", "ReasmFails" },
	{ "IpFragOKs", "FragOKs" },
	{ "IpFragFails", "FragFails" },
	{ "IpFragCreates", "FragCreates" },
	{ "TcpExtIPReversePathFilter", "IPReversePathFilter" },
	{ "IpExtInTruncatedPkts", "InTruncatedPkts" },
	{ "IpExtInCsumErrors", "InCsumErrors" },
	{ "IpExtReasmOverlaps", "ReasmOverlaps" },
};

#define NSTAT_N G_N_ELEMENTS(nstat_counters)

/* load_good_table: "name value rate" lines after "#kernel"; -1 if absent. */
static void nstat_load_history(GString *text, long long hist[NSTAT_N])
{
	gchar **lines = g_strsplit(text->str, "\n", -1);
	for (gchar **l = lines; *l; l++) {
		char name[64];
		unsigned long long v;
		if (sscanf(*l, "%63s %llu", name, &v) != 2)
			continue;
		for (unsigned i = 0; i < NSTAT_N; i++)
			if (strcmp(name, nstat_counters[i].nstat) == 0)
				hist[i] = (long long)v;
	}
	g_strfreev(lines);
}

static bool nstat_match(char **patterns, int npatterns, const char *id)
{
	if (npatterns == 0)
		return true;
	for (int i = 0; i < npatterns; i++)
		if (fnmatch(patterns[i], id, FNM_CASEFOLD) == 0)
			return true;
	return false;
}

static int nstat_usage(struct cmd_ctx *c, const char *first)
{
	if (first)
		g_string_append(c->err, first);
	g_string_append(c->err,
		"Usage: nstat [OPTION] [ PATTERN [ PATTERN ] ]\n"
		"   -h, --help          this message\n"
		"   -a, --ignore        ignore history\n"
		"   -d, --scan=SECS     sample every statistics every SECS\n"
		"   -j, --json          format output in JSON\n"
		"   -n, --nooutput      do history only\n"
		"   -p, --pretty        pretty print\n"
		"   -r, --reset         reset history\n"
		"   -s, --noupdate      don't update history\n"
		"   -t, --interval=SECS report average over the last SECS\n"
		"   -V, --version       output version information\n"
		"   -z, --zeros         show entries with zero activity");
	return 2;
}

int nstat_cmd(struct cmd_ctx *c, int argc, char **argv)
{
	static const struct {
		const char *lng;
		char shrt;
	} longs[] = {
		{ "--ignore", 'a' }, { "--json", 'j' }, { "--nooutput", 'n' }, { "--reset", 'r' },
		{ "--noupdate", 's' }, { "--zeros", 'z' }, { "--help", 'h' }, { "--version", 'V' },
		{ "--pretty", 'p' }, { "--scan", 'd' }, { "--interval", 't' },
	};
	bool ignore = false, json = false, no_output = false, reset = false, no_update = false,
	     zeros = false;
	char **patterns = g_new0(char *, (size_t)argc + 1);
	int npatterns = 0, rc = 0;
	for (int i = 1; i < argc && rc == 0; i++) {
		const char *a = argv[i];
		char opts[2] = { 0, 0 };
		const char *flags = NULL;
		if (a[0] == '-' && a[1] == '-') {
			for (unsigned k = 0; k < G_N_ELEMENTS(longs); k++)
				if (strcmp(a, longs[k].lng) == 0 ||
				    (g_str_has_prefix(a, longs[k].lng) && a[strlen(longs[k].lng)] == '='))
					opts[0] = longs[k].shrt;
			if (!opts[0]) {
				char *m = g_strdup_printf("nstat: unrecognized option '%s'\n", a);
				rc = nstat_usage(c, m);
				g_free(m);
				break;
			}
			flags = opts;
		} else if (a[0] == '-' && a[1]) {
			flags = a + 1;
		} else {
			patterns[npatterns++] = argv[i];
			continue;
		}
		for (const char *f = flags; *f && rc == 0; f++) {
			switch (*f) {
			case 'a': ignore = true; break;
			case 'j': json = true; break;
			case 'n': no_output = true; break;
			case 'r': reset = true; break;
			case 's': no_update = true; break;
			case 'z': zeros = true; break;
			case 'h':
				rc = nstat_usage(c, NULL);
				break;
			case 'V':
				g_string_append(c->out, "nstat utility, iproute2-6.1.0\n");
				g_free(patterns);
				return 0;
			case 'p':
			case 'd':
			case 't':
				g_string_printf(c->err, "natsim: nstat -%c is not implemented", *f);
				rc = 2;
				break;
			default: {
				char *m = g_strdup_printf("nstat: invalid option -- '%c'\n", *f);
				rc = nstat_usage(c, m);
				g_free(m);
			}
			}
		}
	}
	if (rc || c->dry_run) {
		g_free(patterns);
		return rc;
	}
	struct node *n = c->node;
	if (reset)
		g_hash_table_remove(shell_state(n)->files, NSTAT_HISTORY);
	long long hist[NSTAT_N];
	bool have_hist = false;
	for (unsigned i = 0; i < NSTAT_N; i++)
		hist[i] = -1;
	GString *h = g_hash_table_lookup(shell_state(n)->files, NSTAT_HISTORY);
	if (!ignore && h && h->len) {
		nstat_load_history(h, hist);
		have_hist = true;
	}
	if (!no_output) {
		bool first = true;
		g_string_append(c->out, json ? "{\"kernel\":{" : "#kernel\n");
		for (unsigned i = 0; i < NSTAT_N; i++) {
			unsigned long long v = ip_mib_get(n, nstat_counters[i].mib);
			if (have_hist && hist[i] >= 0)
				v = v >= (unsigned long long)hist[i] ? v - (unsigned long long)hist[i] : 0;
			if ((!zeros && !v) || !nstat_match(patterns, npatterns, nstat_counters[i].nstat))
				continue;
			if (json)
				g_string_append_printf(c->out, "%s\"%s\":%llu", first ? "" : ",",
						       nstat_counters[i].nstat, v);
			else
				g_string_append_printf(c->out, "%-32s%-16llu%6.1f\n",
						       nstat_counters[i].nstat, v, 0.0);
			first = false;
		}
		if (json)
			g_string_append(c->out, "}}\n");
	}
	if (!no_update) {
		GString *t = g_string_new("#kernel\n");
		for (unsigned i = 0; i < NSTAT_N; i++)
			g_string_append_printf(t, "%-32s%-16llu%6.1f\n", nstat_counters[i].nstat,
					       (unsigned long long)ip_mib_get(n, nstat_counters[i].mib),
					       0.0);
		g_hash_table_replace(shell_state(n)->files, g_strdup(NSTAT_HISTORY), t);
	}
	/* counters Linux has and natsim does not keep: said, not hidden */
	GString *note = g_string_new(NULL);
	for (int p = 0; p < npatterns; p++) {
		if (strpbrk(patterns[p], "*?[") != NULL)
			continue;
		bool known = false;
		for (unsigned i = 0; i < NSTAT_N && !known; i++)
			known = g_ascii_strcasecmp(patterns[p], nstat_counters[i].nstat) == 0;
		if (!known)
			g_string_append_printf(note, "%snatsim: nstat: %s is not a counter natsim keeps",
					       note->len ? "\n" : "", patterns[p]);
	}
	if (npatterns == 0)
		g_string_append(note, "natsim: nstat shows only the counters natsim keeps (Ip, "
			        "IpExt, TcpExtIPReversePathFilter)");
	if (note->len)
		g_string_append_printf(c->err, "%s%s", c->err->len ? "\n" : "", note->str);
	g_string_free(note, TRUE);
	g_free(patterns);
	return 0;
}
