/* summary.c - the run's verdict as files: DIR/summary.json and the JUnit
 * XML of --junit (declared in scenario.h).
 *
 * Design: JSON and XML are written by hand with GString (stable key order,
 * proper escaping) rather than through a library whose output might
 * change; every list is in declaration or file order and every time is
 * simulated, so a scenario and a seed fix these files byte for byte. They
 * live with the scenario because they report its expectations and its
 * commands' outcomes.
 */
#include <stdio.h>
#include <string.h>

#include "sim/out/output.h"
#include "sim/scenario/expect.h"
#include "sim/apps/apps.h"
#include "sim/scenario/scenario.h"

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

/* The scenario's name (its file name without .scn) even when it could not
 * be read or parsed. */
static char *scenario_name(const struct world *w)
{
	if (w->scn)
		return g_strdup(w->scn->name);
	char *base = g_path_get_basename(w->opt.scenario_path ? w->opt.scenario_path : "");
	if (g_str_has_suffix(base, ".scn") && strlen(base) > 4)
		base[strlen(base) - 4] = '\0';
	return base;
}

/* Physical line `line` of the scenario file, trimmed, or NULL. */
static char *scenario_line_text(const char *path, int line)
{
	char *content = NULL;
	if (!path || line <= 0 || !g_file_get_contents(path, &content, NULL, NULL))
		return NULL;
	char **lines = g_strsplit(content, "\n", -1);
	char *text = (unsigned)line <= g_strv_length(lines) ? g_strstrip(g_strdup(lines[line - 1]))
							    : NULL;
	g_strfreev(lines);
	g_free(content);
	return text;
}

/* How the run stopped early, as a JSON value (null if it did not). */
static void summary_stopped(const struct world *w, GString *o)
{
	const struct scenario *s = w->scn;
	if (s && s->stopped_line)
		g_string_append_printf(o, "{\"reason\": \"strict\", \"line\": %d}", s->stopped_line);
	else if (w->exit_status > 128)
		g_string_append_printf(o, "{\"reason\": \"signal\", \"signal\": %d}",
				       w->exit_status - 128);
	else if (w->stopping)
		g_string_append(o, "{\"reason\": \"output error\"}");
	else
		g_string_append(o, "null");
}

static void summary_node(struct world *w, struct node *n, GString *o)
{
	g_string_append(o, "    {\"name\": ");
	json_str(o, n->name);
	g_string_append(o, ", \"kind\": ");
	json_str(o, kind_name(n->kind));
	transport_summary(n, o);
	apps_summary(n, o);
	if (n->kind != NODE_SWITCH)
		ip_mib_summary(n, o);
	if (n->nf) {
		struct nf_ct_peek pk;
		unsigned count = nf_ct_count(n->nf, w->now);
		nf_ct_peek(n->nf, &pk);
		g_string_append_printf(o, ", \"conntrack_count\": %u, \"conntrack_peak\": %u, "
				       "\"conntrack_stats\": {", count, pk.peak);
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

int output_write_summary(struct world *w, const struct scn_error *bad_input, GString *err)
{
	struct scenario *s = bad_input ? NULL : w->scn;
	GString *o = g_string_new("{\n  \"scenario\": ");
	char t[32];
	sim_time_format(w->end_time, t);
	char *name = scenario_name(w);
	json_str(o, name);
	g_free(name);
	g_string_append(o, ",\n  \"file\": ");
	json_str(o, w->scn ? w->scn->path : w->opt.scenario_path);
	g_string_append_printf(o, ",\n  \"seed\": %" G_GUINT64_FORMAT, w->opt.seed);
	g_string_append_printf(o, ",\n  \"end_time\": \"%s\",\n  \"end_time_ns\": %lld", t,
			       (long long)w->end_time);
	g_string_append_printf(o, ",\n  \"events\": %" G_GUINT64_FORMAT, w->events);
	g_string_append_printf(o, ",\n  \"exit_status\": %d", bad_input ? 2 : w->exit_status);
	/* bad input (nothing ran), or an output that could not be written */
	g_string_append(o, ",\n  \"error\": ");
	if (bad_input) {
		g_string_append_printf(o, "{\"line\": %d, \"message\": ", bad_input->line);
		json_str(o, bad_input->msg);
		g_string_append(o, "}");
	} else if (s && s->run_error) {
		g_string_append(o, "{\"line\": 0, \"message\": ");
		json_str(o, s->run_error);
		g_string_append(o, "}");
	} else {
		g_string_append(o, "null");
	}
	g_string_append(o, ",\n  \"stopped\": ");
	if (bad_input)
		g_string_append(o, "null");
	else
		summary_stopped(w, o);
	g_string_append(o, ",\n  \"nodes\": [\n");
	for (unsigned i = 0; s && w->nodes && i < w->nodes->len; i++) {
		struct node *n = g_ptr_array_index(w->nodes, i);
		summary_node(w, n, o);
		g_string_append(o, i + 1 < w->nodes->len ? ",\n" : "\n");
	}
	/* commands that failed, and every `! CMD`, in the order they ran */
	g_string_append(o, "  ],\n  \"commands\": [\n");
	for (unsigned i = 0; s && i < s->cmd_results->len; i++) {
		const struct scn_cmd_result *r = g_ptr_array_index(s->cmd_results, i);
		char at[32];
		sim_time_format(r->at, at);
		g_string_append_printf(o, "    {\"line\": %d, \"time\": \"%s\", \"node\": ",
				       r->cmd->line, at);
		json_str(o, r->cmd->node->name);
		g_string_append(o, ", \"command\": ");
		json_str(o, r->cmd->text);
		g_string_append_printf(o, ", \"exit_status\": %d, \"expected_to_fail\": %s, "
				       "\"result\": \"%s\", \"message\": ", r->status,
				       r->cmd->negate ? "true" : "false", r->ok ? "pass" : "fail");
		json_str(o, r->message);
		g_string_append(o, i + 1 < s->cmd_results->len ? "},\n" : "}\n");
	}
	g_string_append(o, "  ],\n  \"expectations\": [\n");
	unsigned np = 0, nf = 0, nn = 0;
	for (unsigned i = 0; s && i < s->expects->len; i++) {
		struct expect *e = g_ptr_array_index(s->expects, i);
		e->not_evaluated ? nn++ : e->passed ? np++ : nf++;
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
	g_string_append_printf(o, "  ],\n  \"passed\": %u,\n  \"failed\": %u,\n"
			       "  \"not_evaluated\": %u,\n  \"command_failures\": %u\n}\n",
			       np, nf, nn, s ? s->cmd_failures : 0);

	char *path = g_build_filename(w->opt.out_dir, "summary.json", NULL);
	int rc = output_write_file(path, o, err);
	g_free(path);
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

/* One <testcase>; `child` is its <failure>, <error> or <skipped> element
 * (NULL: it passed). Time is simulated: 0 for what is checked at an
 * instant. */
static void junit_case(GString *o, const char *suite, const char *name, const char *child)
{
	g_string_append(o, "    <testcase classname=\"");
	xml_str(o, suite);
	g_string_append(o, "\" name=\"");
	xml_str(o, name);
	if (!child) {
		g_string_append(o, "\" time=\"0\"/>\n");
		return;
	}
	g_string_append_printf(o, "\" time=\"0\">\n      %s\n    </testcase>\n", child);
}

/* <KIND message="MSG" type="TYPE">TEXT</KIND>, escaped. */
static char *junit_element(const char *kind, const char *msg, const char *type, const char *text)
{
	GString *e = g_string_new(NULL);
	g_string_append_printf(e, "<%s message=\"", kind);
	xml_str(e, msg);
	g_string_append_printf(e, "\" type=\"%s\">", type);
	xml_str(e, text);
	g_string_append_printf(e, "</%s>", kind);
	return g_string_free(e, FALSE);
}

/* A testcase of the run: an expectation or a recorded command, by line. */
struct junit_item {
	int line;
	const struct expect *e;
	const struct scn_cmd_result *r;
};

static gint junit_item_order(gconstpointer a, gconstpointer b)
{
	const struct junit_item *x = a, *y = b;
	return x->line - y->line;
}

int output_write_junit(struct world *w, const char *path, const struct scn_error *bad_input,
		       GString *err)
{
	struct scenario *s = bad_input ? NULL : w->scn;
	char *suite = scenario_name(w);
	unsigned tests = 0, failures = 0, errors = 0, skipped = 0;
	GString *cases = g_string_new(NULL);
	GString *name = g_string_new(NULL), *msg = g_string_new(NULL);

	if (bad_input) {
		/* nothing ran: the bad input is the one testcase */
		char *text = scenario_line_text(bad_input->file, bad_input->line);
		if (bad_input->line > 0)
			g_string_printf(name, "line %d: %s", bad_input->line, text ? text : "");
		else
			g_string_assign(name, "scenario");
		if (bad_input->line > 0)
			g_string_printf(msg, "%s:%d: error: %s", bad_input->file, bad_input->line,
					bad_input->msg);
		else
			g_string_printf(msg, "%s: error: %s", bad_input->file ? bad_input->file : "natsim",
					bad_input->msg);
		char *el = junit_element("error", bad_input->msg, "bad input", msg->str);
		junit_case(cases, suite, name->str, el);
		g_free(el);
		g_free(text);
		tests = errors = 1;
	}
	GArray *items = g_array_new(FALSE, FALSE, sizeof(struct junit_item));
	for (unsigned i = 0; s && i < s->expects->len; i++) {
		const struct expect *e = g_ptr_array_index(s->expects, i);
		struct junit_item it = { .line = e->line, .e = e };
		g_array_append_val(items, it);
	}
	for (unsigned i = 0; s && i < s->cmd_results->len; i++) {
		const struct scn_cmd_result *r = g_ptr_array_index(s->cmd_results, i);
		struct junit_item it = { .line = r->cmd->line, .r = r };
		g_array_append_val(items, it);
	}
	g_array_sort(items, junit_item_order); /* a stable merge sort */
	for (unsigned i = 0; i < items->len; i++) {
		const struct junit_item *it = &g_array_index(items, struct junit_item, i);
		char *el = NULL;
		tests++;
		if (it->e) {
			const struct expect *e = it->e;
			g_string_printf(name, "line %d: %s", e->line, e->text);
			if (e->not_evaluated) {
				GString *x = g_string_new("<skipped message=\"not evaluated: ");
				xml_str(x, e->seen);
				g_string_append(x, "\"/>");
				el = g_string_free(x, FALSE);
				skipped++;
			} else if (!e->passed) {
				g_string_printf(msg, "%s:%d: expectation failed: %s: expected %s, saw %s",
						s->path, e->line, e->text, e->expected, e->seen);
				char *m = g_strdup_printf("expected %s, saw %s", e->expected, e->seen);
				el = junit_element("failure", m, "expectation failed", msg->str);
				g_free(m);
				failures++;
			}
		} else {
			const struct scn_cmd_result *r = it->r;
			g_string_printf(name, "line %d: %s: %s", r->cmd->line, r->cmd->node->name,
					r->cmd->text);
			if (!r->ok) {
				char at[32];
				sim_time_format(r->at, at);
				const char *m = r->cmd->negate ? "expected to fail, but exit status 0"
							       : r->message;
				g_string_printf(msg, "%s:%d: [%s] %s# %s: exit status %d%s%s", s->path,
						r->cmd->line, at, r->cmd->node->name, r->cmd->text,
						r->status, *r->message ? "\n" : "", r->message);
				el = junit_element("error", *m ? m : "exit status", "command failed",
						   msg->str);
				errors++;
			}
		}
		junit_case(cases, suite, name->str, el);
		g_free(el);
	}
	g_array_free(items, TRUE);
	if (s && s->run_error) {
		char *el = junit_element("error", s->run_error, "output error", s->run_error);
		junit_case(cases, suite, "outputs", el);
		g_free(el);
		tests++;
		errors++;
	}

	char t[32];
	sim_time_format(bad_input ? 0 : w->end_time, t);
	GString *o = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	g_string_append_printf(o, "<testsuites tests=\"%u\" failures=\"%u\" errors=\"%u\" "
			       "skipped=\"%u\" time=\"%s\">\n  <testsuite name=\"", tests, failures,
			       errors, skipped, t);
	xml_str(o, suite);
	g_string_append_printf(o, "\" tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"%u\" "
			       "time=\"%s\">\n", tests, failures, errors, skipped, t);
	g_string_append_len(o, cases->str, (gssize)cases->len);
	g_string_append(o, "  </testsuite>\n</testsuites>\n");
	g_string_free(cases, TRUE);
	g_string_free(name, TRUE);
	g_string_free(msg, TRUE);
	g_free(suite);
	return output_write_file(path, o, err);
}
