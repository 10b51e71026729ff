/* output.c - the run's text outputs: kernel.log, conntrack-events.log,
 * command output and the packet walk, as observers of the run's probes.
 *
 * Design: the stack and the shell never print; they fire probes
 * (sim/core/probe.h) and this file, subscribed at run start, writes what
 * they report. Every line is stamped with simulated time only (never the
 * wall clock), so a scenario and a seed fix these files byte for byte.
 * summary.json and JUnit are the scenario's (sim/scenario/summary.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sim/out/output.h"

/* dmesg's stamp: seconds right-aligned in 5 columns, then microseconds. */
static void klog_stamp(sim_time t, char buf[48])
{
	long long us = (long long)(t / SIM_US);
	snprintf(buf, 48, "[%5lld.%06lld]", us / 1000000, us % 1000000);
}

/* PROBE_KLOG: kernel.log ("[    1.000000] NODE: text"). */
static void output_klog(void *ctx, struct node *n, sim_time t, const char *text)
{
	struct world *w = ctx;
	char stamp[48];
	klog_stamp(t, stamp);
	if (w->kernel_log)
		fprintf(w->kernel_log, "%s %s: %s\n", stamp, n->name, text);
}

/* PROBE_CT_EVENT: conntrack-events.log. */
static void output_ct_event(void *ctx, struct node *n, sim_time t, const char *line)
{
	struct world *w = ctx;
	char ts[32];
	sim_time_format(t, ts);
	if (w->events_log)
		fprintf(w->events_log, "[%s] %s: %s\n", ts, n->name, line);
}

void output_progress_clear(struct world *w)
{
	if (!w->progress_shown)
		return;
	fflush(stdout);
	fputs("\r\033[K", stderr);
	fflush(stderr);
	w->progress_shown = false;
}

/* PROBE_CMD_OUTPUT: on stdout at its simulated time, each line of text as
 * "[SECONDS.MICROS] NODE: line" (a trailing newline ends the last one); on
 * stderr as it is. Nothing with --quiet. */
static void output_cmd(void *ctx, struct node *n, sim_time t, const char *text,
		       enum probe_stream stream)
{
	struct world *w = ctx;
	char ts[32];
	if (w->opt.quiet)
		return;
	if (stream == PROBE_STDERR) {
		fflush(stdout);
		output_progress_clear(w);
		fputs(text, stderr);
		return;
	}
	output_progress_clear(w);
	sim_time_format(t, ts);
	const char *p = text;
	for (;;) {
		const char *nl = strchr(p, '\n');
		if (!nl) {
			if (*p || p == text)
				printf("[%s] %s: %s\n", ts, n->name, p);
			break;
		}
		printf("[%s] %s: %.*s\n", ts, n->name, (int)(nl - p), p);
		p = nl + 1;
		if (!*p)
			break;
	}
}

#define TRACE_COLUMNS 100	/* the terminal the walk is laid out for */
#define TRACE_TEXT_COLUMN 25	/* where a step's text starts (NF_TRACE_STEP) */

static void trace_put(struct world *w, const char *s, size_t n)
{
	fwrite(s, 1, n, stdout);
	fputc('\n', stdout);
	if (w->trace_log) {
		fwrite(s, 1, n, w->trace_log);
		fputc('\n', w->trace_log);
	}
}

/* PROBE_WALK (--trace): stdout and trace.log. Lines longer than the
 * terminal are broken at a space and continue at the text column (a word
 * longer than the room left is never cut). */
static void output_walk(void *ctx, const char *line)
{
	struct world *w = ctx;
	static const char indent[TRACE_TEXT_COLUMN + 1] = "                         ";
	char buf[TRACE_COLUMNS + 1];
	output_progress_clear(w);
	size_t len = strlen(line);
	if (len <= TRACE_COLUMNS) {
		trace_put(w, line, len);
		return;
	}
	const char *p = line;
	size_t pre = 0; /* indentation of the continuation lines */
	while (*p) {
		size_t room = TRACE_COLUMNS - pre, n = strlen(p);
		if (n <= room) {
			memcpy(buf, indent, pre);
			memcpy(buf + pre, p, n);
			trace_put(w, buf, pre + n);
			break;
		}
		size_t cut = room;
		while (cut > 0 && p[cut] != ' ')
			cut--;
		if (cut == 0) { /* one long word: up to its end */
			cut = room;
			while (p[cut] && p[cut] != ' ')
				cut++;
		}
		GString *s = g_string_new_len(indent, (gssize)pre);
		g_string_append_len(s, p, (gssize)cut);
		trace_put(w, s->str, s->len);
		g_string_free(s, TRUE);
		p += cut;
		while (*p == ' ')
			p++;
		pre = TRACE_TEXT_COLUMN;
	}
}

void output_subscribe(struct world *w)
{
	probe_add_line(&w->probes, PROBE_KLOG, output_klog, w);
	probe_add_line(&w->probes, PROBE_CT_EVENT, output_ct_event, w);
	probe_add_output(&w->probes, output_cmd, w);
	if (w->opt.trace)
		probe_add_walk(&w->probes, output_walk, w);
}

int output_write_file(const char *path, GString *o, GString *err)
{
	GError *ge = NULL;
	int rc = 0;
	if (!g_file_set_contents(path, o->str, (gssize)o->len, &ge)) {
		g_string_printf(err, "%s", ge->message);
		g_error_free(ge);
		rc = 2;
	}
	g_string_free(o, TRUE);
	return rc;
}


static int flush_file(struct world *w, FILE *f, const char *name, GString *err)
{
	if (!f)
		return 0;
	if (fflush(f) == 0 && !ferror(f))
		return 0;
	int e = errno ? errno : EIO;
	char *path = g_build_filename(w->opt.out_dir, name, NULL);
	g_string_append_printf(err, "%s%s: %s", err->len ? "\n" : "", path, g_strerror(e));
	g_free(path);
	return 2;
}

int output_flush(struct world *w, GString *err)
{
	int rc = 0;
	rc |= flush_file(w, w->kernel_log, "kernel.log", err);
	rc |= flush_file(w, w->events_log, "conntrack-events.log", err);
	rc |= flush_file(w, w->trace_log, "trace.log", err);
	for (unsigned i = 0; w->nodes && i < w->nodes->len; i++) {
		struct node *n = g_ptr_array_index(w->nodes, i);
		for (unsigned k = 0; k < n->ifaces->len; k++) {
			struct iface *ifc = g_ptr_array_index(n->ifaces, k);
			if (!ifc->pcap)
				continue;
			GString *e = g_string_new(NULL);
			if (pcapw_flush(ifc->pcap, e)) {
				g_string_append_printf(err, "%s%s", err->len ? "\n" : "", e->str);
				rc = 2;
			}
			g_string_free(e, TRUE);
		}
	}
	return rc ? 2 : 0;
}
