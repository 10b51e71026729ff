/* plot.c - sweep.html: each figure of the runs plotted against the swept
 * parameter, one line per value of the other parameters, and the table of
 * every run.
 *
 * Design: one self-contained page of inline SVG written in C, like the run
 * report (sim/out/report.c), and as deterministic as the CSV: coordinates
 * are printed to 0.1 px from the runs in key order, so natsim test and
 * natsim merge write the same bytes. The x parameter is the one with the
 * most distinct values (ties: the first by name; seed only when it is the
 * only one); its values are placed by number when every one is a number,
 * else evenly in key order. A line is one scenario and one value of every
 * other parameter (seed included). A short script only checks, in the
 * browser, that every plot drew its lines, and says so on <html> (the
 * Chromium test reads it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/runner/run.h"

#define W 560
#define H 300
#define ML 60
#define MR 20
#define MT 20
#define MB 40

static const char *const PLOTTED[] = {
	"drop", "insert_failed", "early_drop", "forwarded", "conntrack_count", "conntrack_peak",
	"passed", "failed",
};
static const char *const COLORS[] = {
	"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
	"#bcbd22", "#17becf",
};

static long long fig(const struct run *r, const char *name)
{
	if (!r->have_summary)
		return -1;
	if (!strcmp(name, "drop"))
		return r->drop;
	if (!strcmp(name, "insert_failed"))
		return r->insert_failed;
	if (!strcmp(name, "early_drop"))
		return r->early_drop;
	if (!strcmp(name, "forwarded"))
		return r->forwarded;
	if (!strcmp(name, "conntrack_count"))
		return r->conntrack_count;
	if (!strcmp(name, "conntrack_peak"))
		return r->conntrack_peak;
	if (!strcmp(name, "passed"))
		return r->passed;
	return r->failed;
}

static void esc(GString *o, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': g_string_append(o, "&amp;"); break;
		case '<': g_string_append(o, "&lt;"); break;
		case '>': g_string_append(o, "&gt;"); break;
		case '"': g_string_append(o, "&quot;"); break;
		default: g_string_append_c(o, *s);
		}
	}
}

static gint str_key_cmp(gconstpointer a, gconstpointer b)
{
	return run_key_cmp(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct values of param over runs, in key order. */
static GPtrArray *values_of(GPtrArray *runs, const char *param)
{
	GPtrArray *v = g_ptr_array_new();
	for (unsigned i = 0; i < runs->len; i++) {
		const char *x = run_param(g_ptr_array_index(runs, i), param);
		bool seen = !x;
		for (unsigned j = 0; j < v->len && !seen; j++)
			seen = strcmp(g_ptr_array_index(v, j), x) == 0;
		if (!seen)
			g_ptr_array_add(v, (char *)x);
	}
	g_ptr_array_sort(v, str_key_cmp);
	return v;
}

static bool number(const char *s, double *v)
{
	char *end;
	*v = g_ascii_strtod(s, &end);
	return *s && !*end;
}

/* The line a run belongs to: its scenario and every parameter but x. */
static char *series_of(const struct run *r, const char *x)
{
	GString *s = g_string_new(r->name);
	for (unsigned i = 0; r->params[i]; i++) {
		size_t n = strcspn(r->params[i], "=");
		if (strlen(x) == n && strncmp(r->params[i], x, n) == 0)
			continue;
		g_string_append_printf(s, ",%s", r->params[i]);
	}
	return g_string_free(s, FALSE);
}

/* A "nice" step (1, 2 or 5 times a power of ten, at least 1) for about 5
 * ticks over [0, max]. */
static double tick_step(double max)
{
	double raw = max / 5, p = 1;
	while (p * 10 <= raw)
		p *= 10;
	while (p > raw && p > 1e-9)
		p /= 10;
	double m = raw / p, step = p * (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10);
	return step < 1 ? 1 : step; /* the figures are counts */
}

static void plot_one(GString *o, GPtrArray *runs, const char *xname, GPtrArray *xs, bool numeric,
		     double xmin, double xmax, GPtrArray *series, const char *figname)
{
	double ymax = 0;
	for (unsigned i = 0; i < runs->len; i++) {
		const struct run *r = g_ptr_array_index(runs, i);
		if (run_param(r, xname))
			ymax = MAX(ymax, (double)fig(r, figname));
	}
	double step = tick_step(ymax > 0 ? ymax : 1);
	double ytop = step * (double)(long long)((ymax > 0 ? ymax : 1) / step + 0.999999);
	g_string_append_printf(o, "<figure><figcaption>%s against %s</figcaption>\n"
			       "<svg class=\"plot\" data-figure=\"%s\" data-series=\"%u\" "
			       "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n",
			       figname, xname, figname, series->len, W, H, W, H);
	int pw = W - ML - MR, ph = H - MT - MB;
	g_string_append_printf(o, "<path class=\"axis\" d=\"M%d %d V%d H%d\"/>\n", ML, MT, MT + ph,
			       ML + pw);
	for (double y = 0; y <= ytop + step / 2; y += step) {
		double py = MT + ph - y / ytop * ph;
		g_string_append_printf(o, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" "
				       "y2=\"%.1f\"/><text class=\"yt\" x=\"%d\" y=\"%.1f\">%g</text>\n",
				       ML, py, ML + pw, py, ML - 6, py + 4, y);
	}
	double px_of[64];
	for (unsigned i = 0; i < xs->len && i < 64; i++) {
		double v = 0;
		if (numeric)
			number(g_ptr_array_index(xs, i), &v);
		double f = numeric ? (xmax > xmin ? (v - xmin) / (xmax - xmin) : 0.5)
				   : (xs->len > 1 ? (double)i / (xs->len - 1) : 0.5);
		px_of[i] = ML + 10 + f * (pw - 20);
		g_string_append_printf(o, "<text class=\"xt\" x=\"%.1f\" y=\"%d\">", px_of[i],
				       MT + ph + 16);
		esc(o, g_ptr_array_index(xs, i));
		g_string_append(o, "</text>\n");
	}
	g_string_append_printf(o, "<text class=\"xl\" x=\"%d\" y=\"%d\">", ML + pw / 2, H - 4);
	esc(o, xname);
	g_string_append(o, "</text>\n");
	for (unsigned s = 0; s < series->len; s++) {
		const char *name = g_ptr_array_index(series, s);
		GString *pts = g_string_new(NULL);
		for (unsigned i = 0; i < xs->len && i < 64; i++) {
			for (unsigned k = 0; k < runs->len; k++) {
				const struct run *r = g_ptr_array_index(runs, k);
				const char *xv = run_param(r, xname);
				if (!xv || strcmp(xv, g_ptr_array_index(xs, i)) != 0)
					continue;
				char *sn = series_of(r, xname);
				bool mine = strcmp(sn, name) == 0;
				g_free(sn);
				long long y = mine ? fig(r, figname) : -1;
				if (y >= 0)
					g_string_append_printf(pts, "%s%.1f,%.1f", pts->len ? " " : "",
							       px_of[i], MT + ph - (double)y / ytop * ph);
			}
		}
		const char *c = COLORS[s % G_N_ELEMENTS(COLORS)];
		g_string_append_printf(o, "<polyline class=\"series\" stroke=\"%s\" points=\"%s\">"
				       "<title>", c, pts->str);
		esc(o, name);
		g_string_append(o, "</title></polyline>\n");
		char **pv = g_strsplit(pts->str, " ", -1);
		for (unsigned i = 0; pts->len && pv[i]; i++) {
			char *comma = strchr(pv[i], ',');
			*comma = '\0';
			g_string_append_printf(o, "<circle cx=\"%s\" cy=\"%s\" r=\"3\" fill=\"%s\"/>",
					       pv[i], comma + 1, c);
		}
		g_strfreev(pv);
		g_string_append(o, "\n");
		g_string_free(pts, TRUE);
	}
	g_string_append(o, "</svg></figure>\n");
}

int plot_write(GPtrArray *runs, const char *path, GString *err)
{
	char **params = collect_params(runs);
	const char *xname = NULL;
	unsigned best = 0;
	for (unsigned j = 0; params[j]; j++) {
		GPtrArray *v = values_of(runs, params[j]);
		bool seed = strcmp(params[j], "seed") == 0;
		if (v->len > best && (!seed || !xname)) {
			best = v->len;
			xname = params[j];
		}
		g_ptr_array_free(v, TRUE);
	}
	GString *o = g_string_new("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		"<meta charset=\"utf-8\">\n<title>natsim sweep</title>\n<style>\n"
		"body{font-family:sans-serif;margin:1em 2em;color:#222}\n"
		"figure{display:inline-block;margin:0 1em 1em 0;vertical-align:top}\n"
		"figcaption{font-weight:bold;margin-bottom:.3em}\n"
		".axis{stroke:#444;fill:none}.grid{stroke:#ddd}\n"
		".yt{font-size:11px;text-anchor:end}.xt{font-size:11px;text-anchor:middle}\n"
		".xl{font-size:12px;text-anchor:middle}\n"
		".series{fill:none;stroke-width:2}\n"
		"table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;"
		"padding:2px 6px;text-align:right}td:first-child{text-align:left}\n"
		".legend span{display:inline-block;margin-right:1.2em}"
		".legend i{display:inline-block;width:14px;height:3px;margin-right:4px;"
		"vertical-align:middle}\n"
		"</style>\n</head>\n<body>\n<h1>natsim sweep</h1>\n");
	g_string_append_printf(o, "<p>%u runs.", runs->len);
	GPtrArray *series = g_ptr_array_new_with_free_func(g_free);
	if (xname) {
		GPtrArray *xs = values_of(runs, xname);
		bool numeric = true;
		double xmin = 0, xmax = 0;
		for (unsigned i = 0; i < xs->len; i++) {
			double v;
			numeric = numeric && number(g_ptr_array_index(xs, i), &v);
			if (numeric) {
				xmin = i ? MIN(xmin, v) : v;
				xmax = i ? MAX(xmax, v) : v;
			}
		}
		for (unsigned i = 0; i < runs->len; i++) {
			const struct run *r = g_ptr_array_index(runs, i);
			if (!run_param(r, xname))
				continue;
			char *s = series_of(r, xname);
			bool seen = false;
			for (unsigned j = 0; j < series->len && !seen; j++)
				seen = strcmp(g_ptr_array_index(series, j), s) == 0;
			if (seen)
				g_free(s);
			else
				g_ptr_array_add(series, s);
		}
		g_ptr_array_sort(series, str_key_cmp);
		g_string_append(o, " Each figure against ");
		esc(o, xname);
		g_string_append_printf(o, "%s; one line per scenario and value of the other "
				       "parameters.</p>\n<p class=\"legend\">",
				       numeric ? " (by value)" : "");
		for (unsigned s = 0; s < series->len; s++) {
			g_string_append_printf(o, "<span><i style=\"background:%s\"></i>",
					       COLORS[s % G_N_ELEMENTS(COLORS)]);
			esc(o, g_ptr_array_index(series, s));
			g_string_append(o, "</span>");
		}
		g_string_append(o, "</p>\n");
		for (unsigned f = 0; f < G_N_ELEMENTS(PLOTTED); f++)
			plot_one(o, runs, xname, xs, numeric, xmin, xmax, series, PLOTTED[f]);
		g_ptr_array_free(xs, TRUE);
	} else {
		g_string_append(o, " No swept parameter: nothing to plot.</p>\n");
	}
	g_string_append(o, "<h2>Runs</h2>\n<table>\n<tr><th>run</th>");
	for (unsigned f = 0; f < G_N_ELEMENTS(PLOTTED); f++)
		g_string_append_printf(o, "<th>%s</th>", PLOTTED[f]);
	g_string_append(o, "<th>exit status</th></tr>\n");
	for (unsigned i = 0; i < runs->len; i++) {
		const struct run *r = g_ptr_array_index(runs, i);
		g_string_append(o, "<tr><td>");
		esc(o, r->key);
		g_string_append(o, "</td>");
		for (unsigned f = 0; f < G_N_ELEMENTS(PLOTTED); f++) {
			long long v = fig(r, PLOTTED[f]);
			if (v >= 0)
				g_string_append_printf(o, "<td>%lld</td>", v);
			else
				g_string_append(o, "<td></td>");
		}
		if (r->have_summary)
			g_string_append_printf(o, "<td>%lld</td></tr>\n", r->exit_status);
		else
			g_string_append(o, "<td>no summary</td></tr>\n");
	}
	g_string_append(o, "</table>\n<script>\n"
		"// every plot must draw each of its lines: say so on <html> for the test\n"
		"(function () {\n"
		"  var plots = document.querySelectorAll('svg.plot'), drawn = 0, lines = 0;\n"
		"  plots.forEach(function (svg) {\n"
		"    var ok = true;\n"
		"    svg.querySelectorAll('polyline.series').forEach(function (pl) {\n"
		"      var b = pl.getBBox();\n"
		"      if (pl.points.length === 0 || (b.width === 0 && pl.points.length > 1)) ok = false;\n"
		"      else lines++;\n"
		"    });\n"
		"    if (ok) drawn++; else console.error('plot ' + svg.dataset.figure + ' drew no line');\n"
		"  });\n"
		"  document.documentElement.setAttribute('data-plots', String(plots.length));\n"
		"  document.documentElement.setAttribute('data-plots-drawn', String(drawn));\n"
		"  document.documentElement.setAttribute('data-lines-drawn', String(lines));\n"
		"})();\n</script>\n</body>\n</html>\n");
	g_ptr_array_free(series, TRUE);
	g_strfreev(params);
	GError *ge = NULL;
	int rc = 0;
	if (!g_file_set_contents(path, o->str, (gssize)o->len, &ge)) {
		g_string_append(err, ge->message);
		g_error_free(ge);
		rc = 2;
	}
	g_string_free(o, TRUE);
	return rc;
}
