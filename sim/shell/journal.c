/* journal.c - the node's logs as a learner reads them: dmesg, journalctl,
 * and the log tail and times of `systemctl status`.
 *
 * The kernel log (node_klog) already exists for kernel.log and `expect NODE
 * log`; dmesg prints the lines of the current boot with the time since boot,
 * as the kernel's ring buffer does. The journal holds what systemd and the
 * services it runs print (the iptables service, in cmd.c), so that
 * `systemctl start iptables` failing can be explained the RHEL way: `systemctl
 * status iptables` and `journalctl -u iptables` show why. Texts follow
 * systemd 252 (RHEL 9) and util-linux's dmesg.
 *
 * Design: entries carry the simulated time; dates are the simulated time
 * counted from the Unix epoch in UTC (as natsim's iptables-save header), so
 * output stays deterministic. The journal and the ring buffer both start
 * empty at each boot (journald's volatile storage).
 */
#include <stdio.h>
#include <string.h>

#include "sim/shell/cmd.h"
#include "sim/shell/journal.h"
#include "sim/shell/shell_state.h"
#include "nat/nf.h"

struct journal_entry {
	sim_time t;
	char *ident;	/* "systemd", "iptables.init" */
	int pid;
	char *unit;	/* the unit it belongs to, or NULL */
	char *text;
};

static void journal_entry_free(gpointer p)
{
	struct journal_entry *e = p;
	g_free(e->ident);
	g_free(e->unit);
	g_free(e->text);
	g_free(e);
}

void journal_log(struct node *n, sim_time t, const char *ident, int pid, const char *unit,
		 const char *text)
{
	struct shell_state *sh = shell_state(n);
	if (!sh->journal)
		sh->journal = g_ptr_array_new_with_free_func(journal_entry_free);
	struct journal_entry *e = g_new0(struct journal_entry, 1);
	e->t = t;
	e->ident = g_strdup(ident);
	e->pid = pid;
	e->unit = g_strdup(unit);
	e->text = g_strdup(text);
	g_ptr_array_add(sh->journal, e);
}

int journal_new_pid(struct node *n)
{
	struct shell_state *sh = shell_state(n);
	if (sh->next_pid == 0)
		sh->next_pid = 700; /* where services started after boot land on RHEL 9 */
	return sh->next_pid++;
}

void journal_boot(struct node *n, sim_time t)
{
	struct shell_state *sh = shell_state(n);
	sh->boot_time = t;
	sh->klog_boot = n->klog ? n->klog->len : 0;
	if (sh->journal)
		g_ptr_array_set_size(sh->journal, 0);
	sh->next_pid = 0;
	sh->nft_gen = 0;	/* a new kernel */
}

static struct tm journal_tm(sim_time t)
{
	time_t secs = (time_t)(t / SIM_S);
	struct tm tm;
	gmtime_r(&secs, &tm);
	return tm;
}

/* journalctl's short format: "Jan 01 00:00:01 HOST IDENT[PID]: TEXT". */
static void journal_format(const struct node *n, const struct journal_entry *e, GString *out)
{
	struct tm tm = journal_tm(e->t);
	char date[32];
	strftime(date, sizeof date, "%b %d %H:%M:%S", &tm);
	g_string_append_printf(out, "%s %s %s[%d]: %s\n", date, n->name, e->ident, e->pid, e->text);
}

static bool journal_for_unit(const struct journal_entry *e, const char *unit)
{
	return !unit || (e->unit && strcmp(e->unit, unit) == 0);
}

void journal_unit_tail(const struct node *n, const char *unit, unsigned max, GString *out)
{
	const GPtrArray *journal = n->shell ? n->shell->journal : NULL;
	if (!journal)
		return;
	unsigned total = 0, seen = 0;
	for (unsigned i = 0; i < journal->len; i++)
		total += journal_for_unit(g_ptr_array_index(journal, i), unit);
	unsigned skip = total > max ? total - max : 0;
	for (unsigned i = 0; i < journal->len; i++) {
		const struct journal_entry *e = g_ptr_array_index(journal, i);
		if (journal_for_unit(e, unit) && seen++ >= skip)
			journal_format(n, e, out);
	}
}

/* systemd's format_timestamp_relative: the largest two units that matter. */
static void systemd_ago(sim_time d, GString *out)
{
	uint64_t us = (uint64_t)(d / SIM_US);
	const uint64_t S = 1000000, M = 60 * S, H = 60 * M, D = 24 * H;
	if (us >= 2 * D)
		g_string_append_printf(out, "%llu days", (unsigned long long)(us / D));
	else if (us >= 25 * H)
		g_string_append_printf(out, "1 day %lluh", (unsigned long long)((us - D) / H));
	else if (us >= 6 * H)
		g_string_append_printf(out, "%lluh", (unsigned long long)(us / H));
	else if (us >= H)
		g_string_append_printf(out, "%lluh %llumin", (unsigned long long)(us / H),
				       (unsigned long long)((us % H) / M));
	else if (us >= 5 * M)
		g_string_append_printf(out, "%llumin", (unsigned long long)(us / M));
	else if (us >= M)
		g_string_append_printf(out, "%llumin %llus", (unsigned long long)(us / M),
				       (unsigned long long)((us % M) / S));
	else if (us >= S)
		g_string_append_printf(out, "%llus", (unsigned long long)(us / S));
	else if (us >= 1000)
		g_string_append_printf(out, "%llums", (unsigned long long)(us / 1000));
	else if (us > 0)
		g_string_append_printf(out, "%lluus", (unsigned long long)us);
	else {
		g_string_append(out, "now");
		return;
	}
	g_string_append(out, " ago");
}

void journal_since(sim_time since, sim_time now, GString *out)
{
	struct tm tm = journal_tm(since);
	char date[48];
	strftime(date, sizeof date, "%a %Y-%m-%d %H:%M:%S UTC", &tm);
	g_string_append_printf(out, " since %s; ", date);
	systemd_ago(now - since, out);
}

/* dmesg [-T is not here]: "[    1.234567] text" since boot. */
int cmd_dmesg(struct cmd_ctx *c, int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		return natsim_unimpl(c->err, "dmesg %s", argv[i]);
	if (c->dry_run)
		return 0;
	struct node *n = c->node;
	unsigned from = n->shell ? n->shell->klog_boot : 0;
	sim_time boot = n->shell ? n->shell->boot_time : 0;
	for (unsigned i = from; n->klog && i < n->klog->len; i++) {
		const struct printk_record *r = &g_array_index(n->klog, struct printk_record, i);
		sim_time t = r->t - boot;
		long long us = (long long)(t / SIM_US);
		g_string_append_printf(c->out, "[%5lld.%06lld] %s\n", us / 1000000, us % 1000000,
				       r->text);
	}
	return 0;
}

/* journalctl [-u UNIT] [-k] [-b] [-e] [-x] [--no-pager] [-n N]. */
int cmd_journalctl(struct cmd_ctx *c, int argc, char **argv)
{
	const char *unit = NULL;
	bool kernel = false, explain = false;
	long lines = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-u") == 0 || strcmp(a, "--unit") == 0) {
			if (++i >= argc) {
				g_string_printf(c->err, "journalctl: option '%s' requires an argument", a);
				return 1;
			}
			unit = argv[i];
			continue;
		}
		if (g_str_has_prefix(a, "--unit=")) {
			unit = a + 7;
			continue;
		}
		if (strcmp(a, "-n") == 0 || strcmp(a, "--lines") == 0) {
			if (++i >= argc || !g_ascii_string_to_signed(argv[i], 10, 0, 1000000, NULL, NULL)) {
				g_string_printf(c->err, "Failed to parse lines '%s'", i < argc ? argv[i] : "");
				return 1;
			}
			lines = strtol(argv[i], NULL, 10);
			continue;
		}
		if (a[0] == '-' && a[1] != '-') {
			/* clustered short flags: -xeu UNIT, -kb */
			bool need_unit = false;
			for (const char *f = a + 1; *f; f++) {
				switch (*f) {
				case 'x': explain = true; break;
				case 'e': break;	/* jump to the end of the pager: no pager */
				case 'b': break;	/* this boot: the journal holds only this boot */
				case 'k': kernel = true; break;
				case 'q': break;
				case 'u':
					if (f[1]) {
						unit = f + 1;
						f += strlen(f) - 1;
					} else {
						need_unit = true;
					}
					break;
				default:
					return natsim_unimpl(c->err, "journalctl -%c", *f);
				}
			}
			if (need_unit) {
				if (++i >= argc) {
					g_string_assign(c->err, "journalctl: option requires an argument -- 'u'");
					return 1;
				}
				unit = argv[i];
			}
			continue;
		}
		if (strcmp(a, "--no-pager") == 0 || strcmp(a, "--boot") == 0 ||
		    strcmp(a, "--pager-end") == 0 || strcmp(a, "--quiet") == 0)
			continue;
		if (strcmp(a, "--dmesg") == 0) {
			kernel = true;
			continue;
		}
		if (strcmp(a, "--catalog") == 0) {
			explain = true;
			continue;
		}
		return natsim_unimpl(c->err, "journalctl %s", a);
	}
	if (c->dry_run)
		return 0;
	struct node *n = c->node;
	GString *all = g_string_new(NULL);
	if (kernel) {
		const GArray *klog = n->klog;
		for (unsigned i = n->shell ? n->shell->klog_boot : 0; klog && i < klog->len; i++) {
			const struct printk_record *r = &g_array_index(klog, struct printk_record, i);
			struct journal_entry e = { .t = r->t, .ident = "kernel", .text = r->text };
			struct tm tm = journal_tm(e.t);
			char date[32];
			strftime(date, sizeof date, "%b %d %H:%M:%S", &tm);
			g_string_append_printf(all, "%s %s kernel: %s\n", date, n->name, e.text);
		}
	} else {
		char *full = unit && !strchr(unit, '.') ? g_strdup_printf("%s.service", unit)
							: g_strdup(unit);
		journal_unit_tail(n, full, G_MAXUINT, all);
		g_free(full);
	}
	if (all->len == 0) {
		g_string_append(c->out, "-- No entries --\n");
	} else if (lines >= 0) {
		/* the last N lines */
		char **v = g_strsplit(all->str, "\n", -1);
		guint nv = g_strv_length(v) - 1; /* the empty string after the last \n */
		for (guint i = nv > (guint)lines ? nv - (guint)lines : 0; i < nv; i++)
			g_string_append_printf(c->out, "%s\n", v[i]);
		g_strfreev(v);
	} else {
		g_string_append(c->out, all->str);
	}
	g_string_free(all, TRUE);
	if (explain)
		g_string_append(c->err, "natsim: journalctl -x (the message catalog's explanations) "
				"is not implemented yet: entries are shown without them");
	return 0;
}
