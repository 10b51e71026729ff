/* output.c - the run's text outputs: kernel.log, conntrack-events.log,
 * command output, the packet walk, summary.json and JUnit XML.
 *
 * Design: every line is stamped with simulated time only (never the wall
 * clock), and every list is written in declaration or file order, so a
 * scenario and a seed fix these files byte for byte. JSON and XML are
 * written by hand with GString (stable key order, proper escaping) rather
 * than through a library whose output might change.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "expect.h"
#include "scenario.h"
#include "world.h"

/* dmesg's stamp: seconds right-aligned in 5 columns, then microseconds. */
static void klog_stamp(sim_time t, char buf[48])
{
	long long us = (long long)(t / SIM_US);
	snprintf(buf, 48, "[%5lld.%06lld]", us / 1000000, us % 1000000);
}

void world_klog(struct world *w, struct node *n, sim_time t, const char *text)
{
	char stamp[48];
	klog_stamp(t, stamp);
	if (w->kernel_log)
		fprintf(w->kernel_log, "%s %s: %s\n", stamp, n->name, text);
	if (!n->klog)
		n->klog = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(n->klog, g_strdup(text));
	if (!n->klog_time)
		n->klog_time = g_array_new(FALSE, FALSE, sizeof(sim_time));
	g_array_append_val(n->klog_time, t);
}

/* True if a running `conntrack -E` on n shows this event line
 * ("    [NEW] udp      17 30 ..."), given its -p filter. */
static bool ct_event_listened(struct node *n, const char *line)
{
	GString *filter = n->files ? g_hash_table_lookup(n->files, CT_EVENTS_LISTENER) : NULL;
	if (!filter)
		return false;
	if (filter->len == 0)
		return true;
	const char *p = strchr(line, ']');
	if (!p)
		return false;
	p++;
	while (*p == ' ')
		p++;
	return g_ascii_strncasecmp(p, filter->str, filter->len) == 0 && p[filter->len] == ' ';
}

void world_ct_event(struct world *w, struct node *n, sim_time t, const char *line)
{
	char ts[32];
	sim_time_format(t, ts);
	if (w->events_log)
		fprintf(w->events_log, "[%s] %s: %s\n", ts, n->name, line);
	if (ct_event_listened(n, line)) {
		n->ct_events_shown++;
		world_cmd_output(w, n, t, line);
	}
}

void world_ct_events_listener_end(struct world *w, struct node *n)
{
	(void)w;
	if (!n->files || !g_hash_table_lookup(n->files, CT_EVENTS_LISTENER))
		return;
	fflush(stdout);
	fprintf(stderr, "conntrack v1.4.7 (conntrack-tools): %llu flow events have been shown.\n",
		(unsigned long long)n->ct_events_shown);
	n->ct_events_shown = 0;
}

/* Each line of text gets the prefix; a trailing newline ends the last one. */
void world_cmd_output(struct world *w, struct node *n, sim_time t, const char *text)
{
	char ts[32];
	if (w->opt.quiet)
		return;
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

/* Lines longer than the terminal are broken at a space and continue at
 * the text column (a word longer than the room left is never cut). */
void world_trace(struct world *w, const char *line)
{
	static const char indent[TRACE_TEXT_COLUMN + 1] = "                         ";
	char buf[TRACE_COLUMNS + 1];
	if (!w->opt.trace)
		return;
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

/* ----- summary.json ----- */

static void json_str(GString *o, const char *s)
{
	g_string_append_c(o, '"');
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"': g_string_append(o, "\\\""); break;
		case '\\': g_string_append(o, "\\\\"); break;
		case '\n': g_string_append(o, "\\n"); break;
		case '\r': g_string_append(o, "\\r"); break;
		case '\t': g_string_append(o, "\\t"); break;
		default:
			if (*p < 0x20)
				g_string_append_printf(o, "\\u%04x", *p);
			else
				g_string_append_c(o, (char)*p);
		}
	}
	g_string_append_c(o, '"');
}

static const char *kind_name(enum node_kind k)
{
	return k == NODE_ROUTER ? "router" : k == NODE_SWITCH ? "switch" : "host";
}

static const char *expect_result(const struct expect *e)
{
	return e->passed ? "pass" : "fail";
}

static void summary_node(struct world *w, struct node *n, GString *o)
{
	g_string_append(o, "    {\"name\": ");
	json_str(o, n->name);
	g_string_append(o, ", \"kind\": ");
	json_str(o, kind_name(n->kind));
	transport_summary(n, o);
	if (n->kind != NODE_SWITCH)
		ip_mib_summary(n, o);
	if (n->nf) {
		g_string_append_printf(o, ", \"conntrack_count\": %u, \"conntrack_stats\": {",
				       nf_ct_count(n->nf, w->now));
		bool first = true;
		for (const char *const *nm = nf_ct_stat_names(); *nm; nm++) {
			uint64_t v = 0;
			nf_ct_stat(n->nf, *nm, &v);
			g_string_append_printf(o, "%s\"%s\": %" G_GUINT64_FORMAT, first ? "" : ", ",
					       *nm, v);
			first = false;
		}
		g_string_append(o, "}");
	}
	g_string_append(o, ", \"interfaces\": [");
	for (unsigned i = 0; i < n->ifaces->len; i++) {
		struct iface *ifc = g_ptr_array_index(n->ifaces, i);
		g_string_append_printf(o, "%s{\"name\": ", i ? ", " : "");
		json_str(o, ifc->name);
		g_string_append_printf(o, ", \"tx_packets\": %" G_GUINT64_FORMAT
				       ", \"rx_packets\": %" G_GUINT64_FORMAT
				       ", \"tx_dropped\": %" G_GUINT64_FORMAT
				       ", \"rx_dropped\": %" G_GUINT64_FORMAT "}",
				       ifc->tx_packets, ifc->rx_packets, ifc->tx_dropped,
				       ifc->rx_dropped);
	}
	g_string_append(o, "]}");
}

int output_write_summary(struct world *w, GString *err)
{
	struct scenario *s = w->scn;
	GString *o = g_string_new("{\n  \"scenario\": ");
	char t[32];
	sim_time_format(w->end_time, t);
	json_str(o, s ? s->name : "");
	g_string_append(o, ",\n  \"file\": ");
	json_str(o, s ? s->path : "");
	g_string_append_printf(o, ",\n  \"seed\": %" G_GUINT64_FORMAT, w->opt.seed);
	g_string_append_printf(o, ",\n  \"end_time\": \"%s\",\n  \"end_time_ns\": %lld", t,
			       (long long)w->end_time);
	g_string_append_printf(o, ",\n  \"events\": %" G_GUINT64_FORMAT, w->events);
	g_string_append_printf(o, ",\n  \"exit_status\": %d", w->exit_status);
	g_string_append(o, ",\n  \"nodes\": [\n");
	for (unsigned i = 0; w->nodes && i < w->nodes->len; i++) {
		struct node *n = g_ptr_array_index(w->nodes, i);
		summary_node(w, n, o);
		g_string_append(o, i + 1 < w->nodes->len ? ",\n" : "\n");
	}
	g_string_append(o, "  ],\n  \"expectations\": [\n");
	unsigned np = 0, nf = 0;
	for (unsigned i = 0; s && i < s->expects->len; i++) {
		struct expect *e = g_ptr_array_index(s->expects, i);
		e->passed ? np++ : nf++;
		g_string_append_printf(o, "    {\"line\": %d, \"text\": ", e->line);
		json_str(o, e->text);
		g_string_append(o, ", \"result\": ");
		json_str(o, expect_result(e));
		g_string_append(o, ", \"expected\": ");
		json_str(o, e->expected);
		g_string_append(o, ", \"seen\": ");
		json_str(o, e->seen);
		g_string_append(o, "}");
		g_string_append(o, i + 1 < s->expects->len ? ",\n" : "\n");
	}
	g_string_append_printf(o, "  ],\n  \"passed\": %u,\n  \"failed\": %u\n}\n", np, nf);

	char *path = g_build_filename(w->opt.out_dir, "summary.json", NULL);
	int rc = output_write_file(path, o, err);
	g_free(path);
	return rc;
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

/* ----- JUnit ----- */

static void xml_str(GString *o, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '&': g_string_append(o, "&amp;"); break;
		case '<': g_string_append(o, "&lt;"); break;
		case '>': g_string_append(o, "&gt;"); break;
		case '"': g_string_append(o, "&quot;"); break;
		case '\'': g_string_append(o, "&apos;"); break;
		case '\n': g_string_append(o, "&#10;"); break;
		case '\t': g_string_append(o, "&#9;"); break;
		default:
			if (*p < 0x20)
				g_string_append_c(o, ' '); /* not allowed in XML 1.0 */
			else
				g_string_append_c(o, (char)*p);
		}
	}
}

int output_write_junit(struct world *w, const char *path, GString *err)
{
	struct scenario *s = w->scn;
	unsigned n = s ? s->expects->len : 0, failures = 0;
	for (unsigned i = 0; i < n; i++)
		failures += !((struct expect *)g_ptr_array_index(s->expects, i))->passed;
	GString *o = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
	g_string_append(o, "  <testsuite name=\"");
	xml_str(o, s ? s->name : "");
	g_string_append_printf(o, "\" tests=\"%u\" failures=\"%u\" errors=\"%d\">\n", n, failures,
			       w->exit_status == 2 ? 1 : 0);
	for (unsigned i = 0; i < n; i++) {
		struct expect *e = g_ptr_array_index(s->expects, i);
		GString *name = g_string_new(NULL);
		g_string_printf(name, "line %d: %s", e->line, e->text);
		g_string_append(o, "    <testcase classname=\"");
		xml_str(o, s->name);
		g_string_append(o, "\" name=\"");
		xml_str(o, name->str);
		g_string_free(name, TRUE);
		if (e->passed) {
			g_string_append(o, "\"/>\n");
			continue;
		}
		GString *msg = g_string_new(NULL);
		g_string_printf(msg, "expected %s, saw %s", e->expected, e->seen);
		g_string_append(o, "\">\n      <failure message=\"");
		xml_str(o, msg->str);
		g_string_append(o, "\">");
		g_string_printf(msg, "%s:%d: expectation failed: %s: expected %s, saw %s",
				s->path, e->line, e->text, e->expected, e->seen);
		xml_str(o, msg->str);
		g_string_append(o, "</failure>\n    </testcase>\n");
		g_string_free(msg, TRUE);
	}
	g_string_append(o, "  </testsuite>\n</testsuites>\n");
	return output_write_file(path, o, err);
}
