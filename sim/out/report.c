/* report.c - `--report`: record a run compactly, then write DIR/report.html.
 *
 * Design: recording is bounded by construction, so a run of millions of
 * packets costs a few hundred kilobytes. A packet is admitted to the ladder
 * when it gets its id (its flow has shown fewer than REPORT_FLOW_PACKETS and
 * the report fewer than REPORT_MAX_PACKETS); only admitted packets leave
 * records (one row per hop: sent, received, NAT rewrite, drop), the others
 * are counted per flow as elided. Each router's conntrack count is a series
 * of (time, count, max) points kept only when something changed; when full,
 * the series is thinned by doubling the count step it keeps (the peak is
 * stored apart). The page is written in one pass with inline CSS, SVG and a
 * few lines of JS (no network, no external file), in declaration and record
 * order only: same scenario and seed, same bytes. It must never show a wrong
 * number: each NAT rewrite is named by the direction conntrack applied it
 * in (SNAT/DNAT, de-SNAT/de-DNAT on replies), and every SVG text states its
 * width, so the layout places each one whole, inside its SVG and apart from
 * every other, with all the ladder's lanes in a 1400 px window.
 */
#include <stdio.h>
#include <string.h>

#include "sim/inet/drop.h"
#include "sim/out/output.h"
#include "sim/out/report.h"

/* ----- the record ----- */

struct rep_tuple {
	uint32_t src, dst;
	uint16_t sport, dport;	/* TCP/UDP ports; an ICMP query's id in both */
	uint8_t proto;
	bool ports;		/* TCP/UDP with its ports */
	bool id;		/* ICMP echo or timestamp, with its id */
	bool seqs;		/* TCP with its sequence numbers */
	uint32_t seq, ack;
	uint16_t tot;		/* IP total length */
};

/* A flow: the packets between two endpoints, both directions. */
struct rep_flow_key {
	uint32_t a, b;
	uint16_t pa, pb;
	uint8_t proto;
};

struct rep_flow {
	struct rep_flow_key key;
	unsigned shown, elided;
};

/* One admitted packet: its flow, the row of its last transmission and
 * where and how it was last received (a NAT rewrite shows at the next
 * transmission from the same node). */
struct rep_pkt {
	unsigned flow;
	int last_tx_row;
	int rx_node;
	struct rep_tuple rx;
};

enum rep_row_kind { ROW_HOP, ROW_DROP };

/* A row of the ladder: a hop (from -> to; to -1 while in flight) or a drop
 * at `from`. */
struct rep_row {
	enum rep_row_kind kind;
	uint64_t id;
	unsigned flow;
	int from, to;
	sim_time t, t_rx;
	char *label;	/* packet summary as sent, or the drop reason */
	char *nat;	/* the rewrite at `from` ("SNAT 10.0.0.1:5 -> 1.2.3.4:9"), or NULL */
};

struct rep_point {
	sim_time t;
	uint32_t count, max;
};

struct rep_mark {
	sim_time t;
	uint32_t count;
	uint32_t n;
	bool early;	/* early drop (else: a packet dropped by conntrack) */
};

struct rep_router {
	int node;
	GArray *pts;		/* struct rep_point */
	uint32_t step;		/* count change a kept point needs (thinning) */
	struct rep_point last, peak;
	bool have_last;
	GArray *marks;		/* struct rep_mark */
	uint64_t marks_elided, early_total, drop_total;
};

struct rep_snap {
	sim_time t;
	int node;
	char *cmd;
	GPtrArray *lines;	/* char *, at most REPORT_SNAPSHOT_ROWS */
	unsigned total;
};

struct report {
	GArray *flows;		/* struct rep_flow */
	GHashTable *flow_idx;	/* struct rep_flow_key * (in flows... copied) -> index+1 */
	GHashTable *pkts;	/* uint64 id -> struct rep_pkt * (admitted only) */
	GArray *rows;		/* struct rep_row */
	GPtrArray *routers;	/* struct rep_router *, by node index (NULL holes) */
	GPtrArray *snaps;	/* struct rep_snap * */
	unsigned shown;		/* packets admitted */
	uint64_t elided, unflowed, total, snaps_elided;
};

static guint rep_key_hash(gconstpointer k)
{
	const struct rep_flow_key *f = k;
	uint32_t h = f->a * 2654435761u ^ f->b * 40503u;
	h ^= ((uint32_t)f->pa << 16 | f->pb) * 2246822519u;
	return h ^ f->proto;
}

static gboolean rep_key_equal(gconstpointer x, gconstpointer y)
{
	const struct rep_flow_key *a = x, *b = y;
	return a->a == b->a && a->b == b->b && a->pa == b->pa && a->pb == b->pb &&
	       a->proto == b->proto;
}

/* The listeners (below) of the probes the recorder subscribes to. */
static void report_packet_new(void *ctx, struct node *n, struct iface *ifc,
			      const struct packet *p);
static void report_tx(void *ctx, struct node *n, struct iface *ifc, const struct packet *p);
static void report_rx(void *ctx, struct node *n, struct iface *ifc, const struct packet *p);
static void report_drop(void *ctx, struct node *n, const struct packet *p,
			const struct ip_drop *drop);
static void report_ct_sample(void *ctx, struct node *n, const struct nf_ct_peek *before);
static void report_ct_snapshot(void *ctx, struct node *n, char **argv, int argc);

void report_init(struct world *w)
{
	struct report *r = g_new0(struct report, 1);
	r->flows = g_array_new(FALSE, FALSE, sizeof(struct rep_flow));
	r->flow_idx = g_hash_table_new_full(rep_key_hash, rep_key_equal, g_free, NULL);
	r->pkts = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	r->rows = g_array_new(FALSE, FALSE, sizeof(struct rep_row));
	r->routers = g_ptr_array_new();
	r->snaps = g_ptr_array_new();
	w->report = r;
	probe_add_packet(&w->probes, PROBE_PACKET_NEW, report_packet_new, r);
	probe_add_packet(&w->probes, PROBE_TX, report_tx, r);
	probe_add_packet(&w->probes, PROBE_RX, report_rx, r);
	probe_add_drop(&w->probes, report_drop, r);
	probe_add_hook(&w->probes, report_ct_sample, r);
	probe_add_argv(&w->probes, PROBE_CT_SNAPSHOT, report_ct_snapshot, r);
}

/* The IPv4 header of a frame (l3 set, or a plain Ethernet frame before
 * ip_rcv parsed it); NULL if none. */
static const uint8_t *rep_ip(const struct packet *p, uint32_t *len)
{
	uint32_t l3 = p->l3;
	if (!l3) {
		if (p->len < 14 + 20 || rd16(p->data + 12) != 0x0800)
			return NULL;
		l3 = 14;
	}
	if (p->len < l3 + 20)
		return NULL;
	*len = p->len - l3;
	return p->data + l3;
}

static bool rep_tuple_of(const struct packet *p, struct rep_tuple *t)
{
	uint32_t len;
	const uint8_t *ip = rep_ip(p, &len);
	memset(t, 0, sizeof *t);
	if (!ip || (ip[0] >> 4) != 4)
		return false;
	unsigned ihl = (ip[0] & 15) * 4u;
	t->src = rd32(ip + 12);
	t->dst = rd32(ip + 16);
	t->proto = ip[9];
	t->tot = rd16(ip + 2);
	bool first = (rd16(ip + 6) & 0x1fff) == 0;
	if (first && ihl >= 20 && len >= ihl + 8) {
		const uint8_t *l4 = ip + ihl;
		if (t->proto == 6 || t->proto == 17) {
			t->sport = rd16(l4);
			t->dport = rd16(l4 + 2);
			t->ports = true;
			if (t->proto == 6 && len >= ihl + 20) {
				t->seq = rd32(l4 + 4);
				t->ack = rd32(l4 + 8);
				t->seqs = true;
			}
		} else if (t->proto == 1 && (l4[0] == 0 || l4[0] == 8 || l4[0] == 13 ||
					     l4[0] == 14)) {
			t->sport = t->dport = rd16(l4 + 4); /* echo id */
			t->id = true;
		}
	}
	return true;
}

static struct rep_pkt *rep_pkt_find(struct report *r, uint64_t id)
{
	gint64 k = (gint64)id;
	return g_hash_table_lookup(r->pkts, &k);
}

static void report_packet_new(void *ctx, struct node *n, struct iface *ifc, const struct packet *p)
{
	(void)ifc;
	(void)n;
	struct report *r = ctx;
	struct rep_tuple t;
	r->total++;
	if (!rep_tuple_of(p, &t)) {
		r->unflowed++;
		return;
	}
	struct rep_flow_key k = { .proto = t.proto };
	/* both directions of a flow share the key: the smaller endpoint first */
	uint64_t ea = (uint64_t)t.src << 16 | t.sport, eb = (uint64_t)t.dst << 16 | t.dport;
	if (ea > eb) {
		uint64_t x = ea;
		ea = eb;
		eb = x;
	}
	k.a = (uint32_t)(ea >> 16);
	k.pa = (uint16_t)ea;
	k.b = (uint32_t)(eb >> 16);
	k.pb = (uint16_t)eb;
	gpointer v = g_hash_table_lookup(r->flow_idx, &k);
	unsigned fi;
	if (v) {
		fi = GPOINTER_TO_UINT(v) - 1;
	} else {
		if (r->flows->len >= REPORT_MAX_FLOWS) {
			r->unflowed++;
			return;
		}
		struct rep_flow f = { .key = k };
		g_array_append_val(r->flows, f);
		fi = r->flows->len - 1;
		g_hash_table_insert(r->flow_idx, g_memdup2(&k, sizeof k), GUINT_TO_POINTER(fi + 1));
	}
	struct rep_flow *f = &g_array_index(r->flows, struct rep_flow, fi);
	if (f->shown >= REPORT_FLOW_PACKETS || r->shown >= REPORT_MAX_PACKETS) {
		f->elided++;
		r->elided++;
		return;
	}
	f->shown++;
	r->shown++;
	struct rep_pkt *rp = g_new0(struct rep_pkt, 1);
	rp->flow = fi;
	rp->last_tx_row = -1;
	rp->rx_node = -1;
	gint64 *key = g_new(gint64, 1);
	*key = (gint64)p->id;
	g_hash_table_insert(r->pkts, key, rp);
}

/* One end of a tuple as the report prints it: 10.0.0.1:5000, an ICMP
 * query's address with its id (10.0.0.1 id 7), or the address alone. */
static void rep_fmt_end(GString *s, uint32_t a, uint16_t port, const struct rep_tuple *t,
			bool with_id)
{
	nf_inet_append4(s, a);
	if (t->ports)
		g_string_append_printf(s, ":%u", port);
	else if (t->id && with_id)
		g_string_append_printf(s, " id %u", port);
}

static void rep_fmt_change(GString *s, const char *what, uint32_t a, uint16_t pa, uint32_t b,
			   uint16_t pb, const struct rep_tuple *in, const struct rep_tuple *out,
			   bool with_id)
{
	g_string_append_printf(s, "%s%s ", s->len ? ", " : "", what);
	rep_fmt_end(s, a, pa, in, with_id);
	g_string_append(s, " \xe2\x86\x92 ");
	rep_fmt_end(s, b, pb, out, with_id);
}

/* What a router changed between receiving a packet and sending it, named as
 * conntrack's NAT does it. In the original direction a new source is SNAT
 * and a new destination DNAT. A reply (ctinfo IP_CT_IS_REPLY or
 * IP_CT_RELATED_REPLY) gets the inverse mapping, nf_nat_packet() applying
 * the entry's tuples the other way round: its destination is de-SNATed (the
 * client's own address back) and its source de-DNATed. An ICMP query's id
 * is rewritten by either mapping (icmp_manip_pkt): a changed id is shown
 * with the mapping that changed an address, with (de-)SNAT when both or
 * neither did. */
static char *rep_rewrite(const struct rep_tuple *in, const struct rep_tuple *out, bool reply)
{
	bool src_addr = in->src != out->src, dst_addr = in->dst != out->dst;
	bool src = src_addr || (in->ports && in->sport != out->sport);
	bool dst = dst_addr || (in->ports && in->dport != out->dport);
	bool id = in->id && out->id && in->sport != out->sport;
	bool id_on_src = reply ? (src_addr && !dst_addr) : !(dst_addr && !src_addr);
	if (id) {
		src = src || id_on_src;
		dst = dst || !id_on_src;
	}
	/* a NAT helper's payload rewrite and the sequence adjustment it
	 * brings (seqadj): the length and seq/ack differences */
	bool len = in->seqs && out->seqs && in->tot != out->tot;
	bool seq = in->seqs && out->seqs && in->seq != out->seq;
	bool ack = in->seqs && out->seqs && in->ack != out->ack;
	if (!src && !dst && !len && !seq && !ack)
		return NULL;
	GString *s = g_string_new(NULL);
	/* in the order the hooks apply them: the destination at PREROUTING
	 * (or OUTPUT), the source at POSTROUTING */
	if (dst)
		rep_fmt_change(s, reply ? "de-SNAT" : "DNAT", in->dst, in->dport, out->dst,
			       out->dport, in, out, id && !id_on_src);
	if (src)
		rep_fmt_change(s, reply ? "de-DNAT" : "SNAT", in->src, in->sport, out->src,
			       out->sport, in, out, id && id_on_src);
	if (len)
		g_string_append_printf(s, "%spayload %+d bytes", s->len ? ", " : "",
				       (int)out->tot - (int)in->tot);
	if (seq)
		g_string_append_printf(s, "%sseq %+d", s->len ? ", " : "",
				       (int32_t)(out->seq - in->seq));
	if (ack)
		g_string_append_printf(s, "%sack %+d", s->len ? ", " : "",
				       (int32_t)(out->ack - in->ack));
	return g_string_free(s, FALSE);
}

static void report_tx(void *ctx, struct node *n, struct iface *ifc, const struct packet *p)
{
	(void)ifc;
	struct world *w = n->w;
	struct report *r = ctx;
	struct rep_pkt *rp = rep_pkt_find(r, p->id);
	if (!rp)
		return;
	struct rep_row row = {
		.kind = ROW_HOP, .id = p->id, .flow = rp->flow, .from = (int)n->index, .to = -1,
		.t = w->now,
	};
	GString *s = g_string_new(NULL);
	packet_summary(p, s);
	row.label = g_string_free(s, FALSE);
	struct rep_tuple t;
	/* conntrack set ctinfo at this router's first hook (ip_rcv reset it)
	 * and nf_skb_release keeps it: the direction the packet had here */
	if (rp->rx_node == (int)n->index && n->nf && rep_tuple_of(p, &t))
		row.nat = rep_rewrite(&rp->rx, &t, p->nf.ctinfo >= IP_CT_IS_REPLY);
	g_array_append_val(r->rows, row);
	rp->last_tx_row = (int)r->rows->len - 1;
}

static void report_rx(void *ctx, struct node *n, struct iface *ifc, const struct packet *p)
{
	(void)ifc;
	struct world *w = n->w;
	struct report *r = ctx;
	struct rep_pkt *rp = rep_pkt_find(r, p->id);
	if (!rp)
		return;
	rp->rx_node = (int)n->index;
	rep_tuple_of(p, &rp->rx);
	if (rp->last_tx_row < 0) {
		/* injected on a wire (replay): an arrow from nowhere */
		GString *s = g_string_new(NULL);
		packet_summary(p, s);
		struct rep_row row = {
			.kind = ROW_HOP, .id = p->id, .flow = rp->flow, .from = -1,
			.to = (int)n->index, .t = w->now, .t_rx = w->now,
			.label = g_string_free(s, FALSE),
		};
		g_array_append_val(r->rows, row);
		return;
	}
	struct rep_row *tx = &g_array_index(r->rows, struct rep_row, rp->last_tx_row);
	if (tx->to < 0) {
		tx->to = (int)n->index;
		tx->t_rx = w->now;
		return;
	}
	/* a second receiver of one transmission (a flooded frame) */
	struct rep_row row = *tx;
	row.to = (int)n->index;
	row.t_rx = w->now;
	row.label = g_strdup(tx->label);
	row.nat = tx->nat ? g_strdup(tx->nat) : NULL;
	g_array_append_val(r->rows, row);
}

static void report_drop(void *ctx, struct node *n, const struct packet *p,
			const struct ip_drop *drop)
{
	struct world *w = n->w;
	struct report *r = ctx;
	struct rep_pkt *rp = rep_pkt_find(r, p->id);
	if (!rp)
		return;
	struct rep_row row = {
		.kind = ROW_DROP, .id = p->id, .flow = rp->flow, .from = (int)n->index,
		.to = (int)n->index, .t = w->now,
	};
	GString *why = g_string_new(NULL);
	ip_drop_text(drop, why);
	row.label = g_string_free(why, FALSE);
	g_array_append_val(r->rows, row);
}

static struct rep_router *rep_router(struct report *r, struct node *n)
{
	while (r->routers->len <= n->index)
		g_ptr_array_add(r->routers, NULL);
	struct rep_router *rr = g_ptr_array_index(r->routers, n->index);
	if (!rr) {
		rr = g_new0(struct rep_router, 1);
		rr->node = (int)n->index;
		rr->pts = g_array_new(FALSE, FALSE, sizeof(struct rep_point));
		rr->marks = g_array_new(FALSE, FALSE, sizeof(struct rep_mark));
		rr->step = 1;
		r->routers->pdata[n->index] = rr;
	}
	return rr;
}

/* Thin a full series: keep a point only when the count moved by at least
 * the (doubled) step since the last kept one, or the maximum changed. */
static void rep_thin(struct rep_router *rr)
{
	rr->step *= 2;
	GArray *a = rr->pts;
	unsigned k = 1;
	for (unsigned i = 1; i < a->len; i++) {
		struct rep_point *p = &g_array_index(a, struct rep_point, i);
		struct rep_point *q = &g_array_index(a, struct rep_point, k - 1);
		uint32_t d = p->count > q->count ? p->count - q->count : q->count - p->count;
		if (d >= rr->step || p->max != q->max || i + 1 == a->len)
			g_array_index(a, struct rep_point, k++) = *p;
	}
	g_array_set_size(a, k);
}

static void rep_point_add(struct rep_router *rr, const struct rep_point *pt)
{
	if (rr->pts->len) {
		struct rep_point *q = &g_array_index(rr->pts, struct rep_point, rr->pts->len - 1);
		uint32_t d = pt->count > q->count ? pt->count - q->count : q->count - pt->count;
		if (d < rr->step && pt->max == q->max)
			return;
	}
	g_array_append_val(rr->pts, *pt);
	if (rr->pts->len >= REPORT_MAX_SERIES)
		rep_thin(rr);
}

static void rep_mark_add(struct rep_router *rr, sim_time t, uint32_t count, uint64_t n, bool early)
{
	if (rr->marks->len >= REPORT_MAX_MARKS) {
		rr->marks_elided++;
		return;
	}
	struct rep_mark m = { .t = t, .count = count, .n = (uint32_t)n, .early = early };
	g_array_append_val(rr->marks, m);
}

static void report_ct_sample(void *ctx, struct node *n, const struct nf_ct_peek *before)
{
	struct world *w = n->w;
	(void)ctx;
	struct nf_ct_peek now;
	nf_ct_peek(n->nf, &now);
	struct rep_router *rr = rep_router(w->report, n);
	struct rep_point pt = { .t = w->now, .count = now.count, .max = now.max };
	if (now.early_drop > before->early_drop) {
		rr->early_total += now.early_drop - before->early_drop;
		rep_mark_add(rr, w->now, now.count, now.early_drop - before->early_drop, true);
	}
	if (now.drop > before->drop) {
		rr->drop_total += now.drop - before->drop;
		rep_mark_add(rr, w->now, now.count, now.drop - before->drop, false);
	}
	if (!rr->have_last || pt.count > rr->peak.count)
		rr->peak = pt;
	if (rr->have_last && rr->last.count == pt.count && rr->last.max == pt.max)
		return;
	/* a step plot: the old value holds until just now */
	rr->have_last = true;
	rr->last = pt;
	rep_point_add(rr, &pt);
}

static void report_ct_snapshot(void *ctx, struct node *n, char **argv, int argc)
{
	struct world *w = n->w;
	struct report *r = ctx;
	if (!n->nf)
		return;
	if (r->snaps->len >= REPORT_MAX_SNAPSHOTS) {
		r->snaps_elided++;
		return;
	}
	struct rep_snap *s = g_new0(struct rep_snap, 1);
	s->t = w->now;
	s->node = (int)n->index;
	GString *cmd = g_string_new(NULL);
	for (int i = 0; i < argc; i++)
		g_string_append_printf(cmd, "%s%s", i ? " " : "", argv[i]);
	s->cmd = g_string_free(cmd, FALSE);
	s->lines = g_ptr_array_new_with_free_func(g_free);
	/* `conntrack -L` has just reaped the expired entries at this instant:
	 * listing again changes nothing */
	GString *out = g_string_new(NULL);
	s->total = nf_ct_list(n->nf, w->now, out);
	char **lines = g_strsplit(out->str, "\n", -1);
	for (char **l = lines; *l; l++)
		if (**l && s->lines->len < REPORT_SNAPSHOT_ROWS)
			g_ptr_array_add(s->lines, g_strdup(*l));
	g_strfreev(lines);
	g_string_free(out, TRUE);
	g_ptr_array_add(r->snaps, s);
	/* the count the snapshot saw is a point of the plot too */
	struct rep_router *rr = rep_router(r, n);
	struct nf_ct_peek pk;
	nf_ct_peek(n->nf, &pk);
	struct rep_point pt = { .t = w->now, .count = pk.count, .max = pk.max };
	if (!rr->have_last || rr->last.count != pt.count || rr->last.max != pt.max) {
		if (!rr->have_last || pt.count > rr->peak.count)
			rr->peak = pt;
		rr->have_last = true;
		rr->last = pt;
		rep_point_add(rr, &pt);
	}
}

void report_free(struct world *w)
{
	struct report *r = w->report;
	if (!r)
		return;
	probe_remove_ctx(&w->probes, r);
	for (unsigned i = 0; i < r->rows->len; i++) {
		struct rep_row *row = &g_array_index(r->rows, struct rep_row, i);
		g_free(row->label);
		g_free(row->nat);
	}
	g_array_free(r->rows, TRUE);
	g_array_free(r->flows, TRUE);
	g_hash_table_destroy(r->flow_idx);
	g_hash_table_destroy(r->pkts);
	for (unsigned i = 0; i < r->routers->len; i++) {
		struct rep_router *rr = g_ptr_array_index(r->routers, i);
		if (!rr)
			continue;
		g_array_free(rr->pts, TRUE);
		g_array_free(rr->marks, TRUE);
		g_free(rr);
	}
	g_ptr_array_free(r->routers, TRUE);
	for (unsigned i = 0; i < r->snaps->len; i++) {
		struct rep_snap *s = g_ptr_array_index(r->snaps, i);
		g_free(s->cmd);
		g_ptr_array_free(s->lines, TRUE);
		g_free(s);
	}
	g_ptr_array_free(r->snaps, TRUE);
	g_free(r);
	w->report = NULL;
}

/* ----- the page ----- */

static void esc(GString *o, const char *s)
{
	for (const char *p = s ? s : ""; *p; p++) {
		switch (*p) {
		case '&': g_string_append(o, "&amp;"); break;
		case '<': g_string_append(o, "&lt;"); break;
		case '>': g_string_append(o, "&gt;"); break;
		case '"': g_string_append(o, "&quot;"); break;
		default: g_string_append_c(o, *p);
		}
	}
}

static const char *tstr(sim_time t, char buf[32])
{
	sim_time_format(t, buf);
	return buf;
}

static const char rep_css[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fff}"
	"h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.6em 0 .4em;"
	"border-bottom:1px solid #ccc}h3{font-size:1em;margin:1.2em 0 .3em}"
	"table{border-collapse:collapse;font:12px monospace}td,th{border:1px solid #ccc;"
	"padding:2px 6px;text-align:left;vertical-align:top}th{background:#f3f3f3}"
	".pass{color:#176a17}.fail{color:#b00;font-weight:bold}.note{color:#666;font-size:12px}"
	".scroll{overflow:auto;max-height:80vh;border:1px solid #ddd}"
	"svg text{font:11px monospace;white-space:pre;paint-order:stroke;stroke:#fff;"
	"stroke-width:3px;stroke-linejoin:round}.lane{stroke:#999;stroke-width:1}"
	".lane.switch{stroke-dasharray:4 4}.lanehead{font-weight:bold}.lanekind{fill:#666}"
	".hop{stroke:#2a5db0;stroke-width:1.3}.hop.lost{stroke:#999;stroke-dasharray:3 3}"
	".hop.nat{stroke:#c06000}.lbl{fill:#123}.natlbl{fill:#c06000}.droplbl{fill:#b00}"
	".dropx{stroke:#b00;stroke-width:2}.tlbl{fill:#666}.sel .hop{stroke-width:2.5}"
	".maxline{stroke:#b00;stroke-dasharray:6 3}.count{fill:none;stroke:#2a5db0;"
	"stroke-width:1.5}.axis{stroke:#444}.early{fill:#e08000}.ctdrop{stroke:#b00;"
	"stroke-width:1.5}.grid{stroke:#eee}.tuple{white-space:nowrap}.maxlbl{fill:#b00}";

/* The JS: records any error on <html data-js-errors>, marks the page ready,
 * and highlights every row of a flow when one of its arrows is clicked. */
static const char rep_js_head[] =
	"window.addEventListener('error',function(e){var h=document.documentElement;"
	"h.setAttribute('data-js-errors',(h.getAttribute('data-js-errors')||'')+e.message+';');});";
static const char rep_js_tail[] =
	"(function(){var svg=document.getElementById('ladder');if(svg){svg.addEventListener("
	"'click',function(e){var g=e.target.closest('g.row');var f=g?g.getAttribute("
	"'data-flow'):null;svg.querySelectorAll('g.row').forEach(function(r){r.classList."
	"toggle('sel',f!==null&&r.getAttribute('data-flow')===f);});});}"
	"var h=document.documentElement;h.setAttribute('data-load-ms',String(Math.round("
	"performance.now())));h.setAttribute('data-ready','1');})();";

/* ----- text boxes -----
 * Every SVG text is 11 px monospace and states its width (textLength, the
 * glyphs scaled to it), so the layout knows each label's box whatever font
 * the browser picks: TXT_CW100 hundredths of a px per character, the
 * advance of DejaVu Sans Mono and Liberation Mono (0.6 em); its height
 * is the font's ascent + descent, under LINE_H for the usual monospace
 * fonts (1.16 em for DejaVu Sans Mono, 1.36 em for Noto Sans Mono).
 */
#define TXT_CW100 662
#define LINE_H 16	/* a text line */
#define LINE_BASE 12	/* its baseline, below the line's top */

static int txt_w(const char *s)
{
	unsigned n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += (*p & 0xc0) != 0x80;	/* UTF-8 code points */
	return (int)((n * TXT_CW100 + 99) / 100);
}

/* A <text> whose box spans [x, x + txt_w(s)] on the line of baseline y. */
static void svg_text(GString *o, const char *cls, int x, int y, const char *s)
{
	g_string_append_printf(o, "<text class=\"%s\" x=\"%d\" y=\"%d\"", cls, x, y);
	if (*s)
		g_string_append_printf(o, " textLength=\"%d\" lengthAdjust=\"spacingAndGlyphs\"",
				       txt_w(s));
	g_string_append_c(o, '>');
	esc(o, s);
	g_string_append(o, "</text>");
}

/* ----- the ladder -----
 * Laid out to be read whole in a 1400 px window (LADDER_FIT wide): the
 * lanes share that width but LABEL_ROOM (at most LANE_W_MAX apart; below
 * LANE_W_MIN, past about a hundred nodes, the ladder scrolls sideways
 * instead). No two texts can touch, by construction: lane names sit on
 * header lines packed greedily (a name goes on the first line where it
 * clears the previous name by HEAD_GAP); below them each row owns a band
 * of text lines (its time at the left and its packet or drop on the first
 * line, the NAT rewrite on the second) with its arrow under them, and the
 * time column is as wide as the longest time. A label that would pass the
 * right edge moves left, never left of the lanes (a drop's text goes to
 * the other side of its cross first); one wider than the whole ladder
 * widens the page.
 */
#define LADDER_FIT 1320	/* a 1400 px window less the margins and two scrollbars */
#define LANE_W_MAX 250
#define LANE_W_MIN 12
#define LABEL_ROOM 240	/* right of the lanes: most labels of the last lanes start at their arrow */
#define HEAD_GAP 10
#define ARROW_H 12	/* the band of a hop's arrow, under its text */
#define DROP_H 4	/* the space under a drop's line */
#define PAD 8

struct ladder {
	int left;		/* left edge of the first lane's slot */
	int lane_w;		/* distance between lanes */
	int right;		/* where labels end: LADDER_FIT, or further when the lanes are */
	int head_h;		/* height of the lane names */
	int width, height;
	int *head_line;		/* per lane: its header line */
	int *head_x;		/* per lane: left edge of its name block */
};

/* One row's boxes: its text lines, the arrow's ends (a drop's cross at
 * x1), where its label and its NAT note start. */
struct ladder_row {
	int lines, height;
	int x1, x2;
	int text_x, note_x;
	GString *text, *note;
};

static int lane_x(const struct ladder *g, int node)
{
	return g->left + node * g->lane_w + g->lane_w / 2;
}

static const char *node_kind(const struct node *n)
{
	return n->kind == NODE_ROUTER ? "router" : n->kind == NODE_SWITCH ? "switch" : "host";
}

/* Where a label w wide starts: at `want` if it ends left of g->right,
 * else at `alt` if that fits, else as far right as fits, never left of
 * the lanes. */
static int ladder_place(const struct ladder *g, int want, int alt, int w)
{
	if (want + w <= g->right)
		return want;
	if (alt >= g->left && alt + w <= g->right)
		return alt;
	return g->right - w > g->left ? g->right - w : g->left;
}

static void ladder_row(const struct ladder *g, struct world *w, const struct rep_row *row,
		       struct ladder_row *b)
{
	unsigned nn = w->nodes->len;
	b->text = g_string_new(NULL);
	b->note = NULL;
	if (row->kind == ROW_DROP) {
		g_string_printf(b->text, "dropped: %s", row->label);
		b->x1 = b->x2 = lane_x(g, row->from);
		int tw = txt_w(b->text->str);
		b->text_x = ladder_place(g, b->x1 + 10, b->x1 - 10 - tw, tw);
		b->lines = 1;
		b->height = LINE_H + DROP_H;
		return;
	}
	b->x1 = row->from >= 0 ? lane_x(g, row->from) : lane_x(g, row->to) - g->lane_w / 2;
	if (row->to >= 0)
		b->x2 = lane_x(g, row->to);
	else	/* lost: half a lane towards the middle */
		b->x2 = b->x1 + (row->from + 1 < (int)nn ? g->lane_w / 2 : -g->lane_w / 2);
	int lx = (b->x1 < b->x2 ? b->x1 : b->x2) + 6;
	g_string_assign(b->text, row->label);
	b->text_x = ladder_place(g, lx, lx, txt_w(b->text->str));
	b->lines = 1;
	if (row->nat) {
		const struct node *n = g_ptr_array_index(w->nodes, row->from);
		b->note = g_string_new(NULL);
		g_string_printf(b->note, "%s: %s", n->name, row->nat);
		b->note_x = ladder_place(g, lx, lx, txt_w(b->note->str));
		b->lines = 2;
	}
	b->height = b->lines * LINE_H + ARROW_H;
}

static void ladder_row_free(struct ladder_row *b)
{
	g_string_free(b->text, TRUE);
	if (b->note)
		g_string_free(b->note, TRUE);
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

/* The geometry: time column, lane spacing, header lines, then the size
 * of the whole (each row measured as rep_ladder will draw it). */
static void ladder_layout(struct ladder *g, struct world *w, struct report *r)
{
	unsigned nn = w->nodes->len;
	char tb[32];
	int tw = 0;
	for (unsigned i = 0; i < r->rows->len; i++)
		tw = max_int(tw, txt_w(tstr(g_array_index(r->rows, struct rep_row, i).t, tb)));
	g->left = 4 + tw + 10;
	g->lane_w = nn ? (LADDER_FIT - PAD - LABEL_ROOM - g->left) / (int)nn : LANE_W_MAX;
	g->lane_w = g->lane_w > LANE_W_MAX ? LANE_W_MAX : max_int(g->lane_w, LANE_W_MIN);
	g->width = g->left + (int)nn * g->lane_w + PAD;
	g->right = max_int(LADDER_FIT, g->width + LABEL_ROOM) - PAD;
	/* header: each name block on the first line it clears */
	g->head_line = g_new0(int, nn ? nn : 1);
	g->head_x = g_new0(int, nn ? nn : 1);
	GArray *ends = g_array_new(FALSE, FALSE, sizeof(int));
	for (unsigned i = 0; i < nn; i++) {
		const struct node *n = g_ptr_array_index(w->nodes, i);
		int bw = max_int(txt_w(n->name), txt_w(node_kind(n)));
		int x = max_int(lane_x(g, (int)i) - bw / 2, 2);
		unsigned k = 0;
		while (k < ends->len && g_array_index(ends, int, k) + HEAD_GAP > x)
			k++;
		if (k == ends->len)
			g_array_append_val(ends, x);
		g_array_index(ends, int, k) = x + bw;
		g->head_line[i] = (int)k;
		g->head_x[i] = x;
		g->width = max_int(g->width, x + bw + PAD);
	}
	g->head_h = (int)ends->len * 2 * LINE_H + 4;
	g_array_free(ends, TRUE);
	int y = g->head_h;
	for (unsigned i = 0; i < r->rows->len; i++) {
		struct ladder_row b;
		ladder_row(g, w, &g_array_index(r->rows, struct rep_row, i), &b);
		g->width = max_int(g->width, b.text_x + txt_w(b.text->str) + PAD);
		if (b.note)
			g->width = max_int(g->width, b.note_x + txt_w(b.note->str) + PAD);
		y += b.height;
		ladder_row_free(&b);
	}
	g->height = y + PAD;
}

static void rep_ladder(struct world *w, struct report *r, GString *o)
{
	unsigned nn = w->nodes->len, nrows = r->rows->len;
	struct ladder g;
	char tb[32];
	ladder_layout(&g, w, r);
	g_string_append(o, "<h2>Ladder diagram</h2>\n<p class=\"note\">Nodes as columns, "
			"simulated time downwards (one row per hop, in the order things happened). "
			"Blue: a frame from sender to receiver; orange: a router rewrote it (NAT, "
			"before \xe2\x86\x92 after: SNAT and DNAT on a connection's first direction, "
			"de-SNAT and de-DNAT where conntrack undoes them on the replies); red cross: "
			"dropped, with the reason; grey dashed: never received (lost, queued or the "
			"run ended). Click an arrow to highlight its flow.</p>\n");
	g_string_append_printf(o, "<p class=\"note\">Shown: %u packets of %" G_GUINT64_FORMAT
			       " (first %d per flow, %u flows", r->shown, r->total,
			       REPORT_FLOW_PACKETS, r->flows->len);
	if (r->elided)
		g_string_append_printf(o, "; %" G_GUINT64_FORMAT " later packets of these flows "
				       "elided", r->elided);
	if (r->unflowed)
		g_string_append_printf(o, "; %" G_GUINT64_FORMAT " packets of further flows (over "
				       "%d) or non-IP frames not shown", r->unflowed, REPORT_MAX_FLOWS);
	g_string_append(o, ").</p>\n");
	g_string_append_printf(o, "<div class=\"scroll\"><svg id=\"ladder\" width=\"%d\" "
			       "height=\"%d\" data-rows=\"%u\" data-lanes=\"%u\">\n",
			       g.width, g.height, nrows, nn);
	g_string_append(o, "<defs><marker id=\"arr\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
			"markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">"
			"<path d=\"M0,0L10,5L0,10z\" fill=\"#2a5db0\"/></marker></defs>\n");
	for (unsigned i = 0; i < nn; i++) {
		const struct node *n = g_ptr_array_index(w->nodes, i);
		const char *kind = node_kind(n);
		int x = lane_x(&g, (int)i), top = g.head_line[i] * 2 * LINE_H;
		int wn = txt_w(n->name), wk = txt_w(kind), bw = max_int(wn, wk);
		g_string_append(o, "<g class=\"lanegrp\" data-node=\"");
		esc(o, n->name);
		g_string_append(o, "\">");
		svg_text(o, "lanehead", g.head_x[i] + (bw - wn) / 2, top + LINE_BASE, n->name);
		svg_text(o, "lanekind", g.head_x[i] + (bw - wk) / 2, top + LINE_H + LINE_BASE, kind);
		g_string_append_printf(o, "<line class=\"lane %s\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
				       "y2=\"%d\"/></g>\n", kind, x, top + 2 * LINE_H + 2, x,
				       g.height - PAD);
	}
	sim_time last_t = -1;
	int top = g.head_h;
	for (unsigned i = 0; i < nrows; i++) {
		struct rep_row *row = &g_array_index(r->rows, struct rep_row, i);
		struct ladder_row b;
		ladder_row(&g, w, row, &b);
		int base = top + LINE_BASE;
		g_string_append_printf(o, "<g class=\"row\" data-flow=\"%u\" data-pkt=\"%"
				       G_GUINT64_FORMAT "\">", row->flow, row->id);
		if (row->t != last_t) {
			svg_text(o, "tlbl", 4, base, tstr(row->t, tb));
			last_t = row->t;
		}
		if (row->kind == ROW_DROP) {
			g_string_append_printf(o, "<path class=\"dropx\" d=\"M%d,%dl10,-10m0,10l-10,-10\"/>",
					       b.x1 - 5, base);
			svg_text(o, "droplbl", b.text_x, base, b.text->str);
		} else {
			bool lost = row->to < 0;
			int ya = top + b.lines * LINE_H + 3;
			g_string_append_printf(o, "<line class=\"hop%s%s\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
					       "y2=\"%d\"%s><title>", lost ? " lost" : "",
					       row->nat ? " nat" : "", b.x1, ya, b.x2, ya + 6,
					       lost ? "" : " marker-end=\"url(#arr)\"");
			g_string_append_printf(o, "#%" G_GUINT64_FORMAT " sent %s", row->id,
					       tstr(row->t, tb));
			if (!lost)
				g_string_append_printf(o, ", received %s", tstr(row->t_rx, tb));
			g_string_append(o, ": ");
			esc(o, row->label);
			g_string_append(o, "</title></line>");
			svg_text(o, "lbl", b.text_x, base, b.text->str);
			if (b.note) {
				g_string_append_printf(o, "<circle cx=\"%d\" cy=\"%d\" r=\"4\" "
						       "class=\"early\"/>", b.x1, ya);
				svg_text(o, "natlbl", b.note_x, base + LINE_H, b.note->str);
			}
		}
		g_string_append(o, "</g>\n");
		top += b.height;
		ladder_row_free(&b);
	}
	g_string_append(o, "</svg></div>\n");
	g_free(g.head_line);
	g_free(g.head_x);
}

/* One conntrack -L line as table cells: proto, timeout, state, ORIGINAL,
 * flags, REPLY, flags. */
static void rep_ct_row(GString *o, const char *line)
{
	char **tok = g_strsplit(line, " ", -1);
	GString *orig = g_string_new(NULL), *repl = g_string_new(NULL);
	GString *f1 = g_string_new(NULL), *f2 = g_string_new(NULL);
	const char *proto = NULL, *timeout = NULL, *state = "";
	int nsrc = 0, k = 0;
	for (char **t = tok; *t; t++) {
		if (!**t)
			continue;
		int idx = k++;
		if (idx == 0) {
			proto = *t;
			continue;
		}
		if (idx == 1)
			continue;	/* the protocol number */
		if (idx == 2 && !strchr(*t, '=')) {
			timeout = *t;
			continue;
		}
		if (idx <= 3 && !strchr(*t, '=') && **t != '[') {
			state = *t;
			continue;
		}
		if (!strncmp(*t, "src=", 4))
			nsrc++;
		if (!strncmp(*t, "mark=", 5) || !strncmp(*t, "use=", 4))
			continue;
		GString *dst = **t == '[' ? (nsrc <= 1 ? f1 : f2) : (nsrc <= 1 ? orig : repl);
		g_string_append_printf(dst, "%s%s", dst->len ? " " : "", *t);
	}
	g_string_append(o, "<tr><td>");
	esc(o, proto);
	g_string_append(o, "</td><td>");
	esc(o, timeout);
	g_string_append(o, "</td><td>");
	esc(o, state);
	g_string_append(o, "</td><td class=\"tuple\">");
	esc(o, orig->str);
	g_string_append(o, "</td><td>");
	esc(o, f1->str);
	g_string_append(o, "</td><td class=\"tuple\">");
	esc(o, repl->str);
	g_string_append(o, "</td><td>");
	esc(o, f2->str);
	g_string_append(o, "</td></tr>\n");
	g_string_free(orig, TRUE);
	g_string_free(repl, TRUE);
	g_string_free(f1, TRUE);
	g_string_free(f2, TRUE);
	g_strfreev(tok);
}

static void rep_snapshots(struct world *w, struct report *r, GString *o)
{
	char tb[32];
	g_string_append(o, "<h2>conntrack -L snapshots</h2>\n");
	if (!r->snaps->len)
		g_string_append(o, "<p class=\"note\">The scenario runs no <code>conntrack -L</code>."
				"</p>\n");
	for (unsigned i = 0; i < r->snaps->len; i++) {
		struct rep_snap *s = g_ptr_array_index(r->snaps, i);
		struct node *n = g_ptr_array_index(w->nodes, s->node);
		g_string_append_printf(o, "<h3>[%s] ", tstr(s->t, tb));
		esc(o, n->name);
		g_string_append(o, "# ");
		esc(o, s->cmd);
		g_string_append_printf(o, " \xe2\x80\x94 %u entr%s</h3>\n", s->total,
				       s->total == 1 ? "y" : "ies");
		g_string_append(o, "<table class=\"snap\"><tr><th>proto</th><th>timeout</th>"
				"<th>state</th><th>ORIGINAL</th><th></th><th>REPLY</th><th></th></tr>\n");
		for (unsigned k = 0; k < s->lines->len; k++)
			rep_ct_row(o, g_ptr_array_index(s->lines, k));
		g_string_append(o, "</table>\n");
		if (s->total > s->lines->len)
			g_string_append_printf(o, "<p class=\"note\">%u more entries not shown (all "
					       "entries listed, whatever the command's filters).</p>\n",
					       s->total - s->lines->len);
	}
	if (r->snaps_elided)
		g_string_append_printf(o, "<p class=\"note\">%" G_GUINT64_FORMAT " later snapshots "
				       "not shown.</p>\n", r->snaps_elided);
}

/* The plot area is PLOT_IW x PLOT_IH; the margins are as wide as the axis
 * labels (texts of known width, as in the ladder), so none is clipped. */
#define PLOT_IW 640
#define PLOT_IH 170
#define PLOT_T 20	/* above the plot area: the max line's label */
#define PLOT_B 30	/* below: the time labels */

static void rep_plot(struct world *w, struct rep_router *rr, GString *o)
{
	struct node *n = g_ptr_array_index(w->nodes, rr->node);
	sim_time end = w->end_time > 0 ? w->end_time : 1;
	uint32_t max = rr->last.max, top = rr->peak.count ? rr->peak.count : 1;
	bool max_on_scale = max && max <= 10u * top + 10u;
	if (max_on_scale && max > top)
		top = max;
	top = top + top / 10 + 1;
	const int iw = PLOT_IW, ih = PLOT_IH;
	char tb[32], num[16];
	/* margins: the widest count label left of the axis, half the last
	 * time label right of the plot */
	int wy = 0;
	for (int k = 0; k <= 4; k++) {
		snprintf(num, sizeof num, "%u", (uint32_t)((uint64_t)top * k / 4));
		wy = max_int(wy, txt_w(num));
	}
	int pl = max_int(60, wy + 12), pr = max_int(20, txt_w(tstr(end, tb)) / 2 + 4);
#define PX(t) (pl + (int)((double)(t) * iw / (double)end))
#define PY(c) (PLOT_T + ih - (int)((double)(c) * ih / (double)top))
	g_string_append(o, "<h3>");
	esc(o, n->name);
	g_string_append_printf(o, ": conntrack count (peak %u at %s s; nf_conntrack_max %u; "
			       "%" G_GUINT64_FORMAT " early drops, %" G_GUINT64_FORMAT " drops)</h3>\n",
			       rr->peak.count, tstr(rr->peak.t, tb), max, rr->early_total,
			       rr->drop_total);
	g_string_append_printf(o, "<svg class=\"ctplot\" data-node=\"");
	esc(o, n->name);
	g_string_append_printf(o, "\" width=\"%d\" height=\"%d\">", pl + iw + pr,
			       PLOT_T + ih + PLOT_B);
	g_string_append_printf(o, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
			       "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>",
			       pl, PLOT_T + ih, pl + iw, PLOT_T + ih, pl, PLOT_T, pl, PLOT_T + ih);
	/* five ticks on each axis; a small count or a short run rounds
	 * some to the same value, drawn once */
	char last_t[32] = "";
	for (int k = 0; k <= 4; k++) {
		uint32_t c = (uint32_t)((uint64_t)top * k / 4);
		sim_time t = end * k / 4;
		if (k == 0 || c != (uint32_t)((uint64_t)top * (k - 1) / 4)) {
			g_string_append_printf(o, "<line class=\"grid\" x1=\"%d\" y1=\"%d\" "
					       "x2=\"%d\" y2=\"%d\"/>", pl + 1, PY(c), pl + iw, PY(c));
			snprintf(num, sizeof num, "%u", c);
			svg_text(o, "tick", pl - 6 - txt_w(num), PY(c) + 4, num);
		}
		/* on a line below the count labels' */
		if (strcmp(tstr(t, tb), last_t)) {
			svg_text(o, "tick", max_int(PX(t) - txt_w(tb) / 2, 2), PLOT_T + ih + 20, tb);
			strcpy(last_t, tb);
		}
	}
	/* the count, as a step line from 0 at time 0 to the end of the run */
	g_string_append_printf(o, "<polyline class=\"count\" points=\"%d,%d", PX(0), PY(0));
	uint32_t cur = 0;
	for (unsigned i = 0; i < rr->pts->len; i++) {
		struct rep_point *p = &g_array_index(rr->pts, struct rep_point, i);
		g_string_append_printf(o, " %d,%d %d,%d", PX(p->t), PY(cur), PX(p->t), PY(p->count));
		cur = p->count;
	}
	g_string_append_printf(o, " %d,%d\"/>", PX(end), PY(cur));
	/* nf_conntrack_max: a dashed line with its label above it, right of
	 * the axis (the count labels are left of it) */
	int my = max_on_scale ? PY(max) : PLOT_T - 4;
	g_string_append_printf(o, "<line class=\"maxline\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
			       "y2=\"%d\"/>", pl, my, pl + iw, my);
	GString *ml = g_string_new(NULL);
	g_string_printf(ml, "nf_conntrack_max %u%s", max, max_on_scale ? "" : max ? " (far above the plot)"
			: " (no limit)");
	svg_text(o, "maxlbl", pl + 6, my - 4, ml->str);
	g_string_free(ml, TRUE);
	for (unsigned i = 0; i < rr->marks->len; i++) {
		struct rep_mark *m = &g_array_index(rr->marks, struct rep_mark, i);
		int x = PX(m->t), y = PY(m->count);
		if (m->early)
			g_string_append_printf(o, "<path class=\"early mark\" d=\"M%d,%dl4,7h-8z\">"
					       "<title>%s s: %u early-dropped</title></path>", x, y - 9,
					       tstr(m->t, tb), m->n);
		else
			g_string_append_printf(o, "<path class=\"ctdrop mark\" d=\"M%d,%dl8,8m0,-8l-8,8\">"
					       "<title>%s s: packet dropped by conntrack</title></path>",
					       x - 4, y - 4, tstr(m->t, tb));
	}
	g_string_append(o, "</svg>\n");
	if (rr->marks_elided)
		g_string_append_printf(o, "<p class=\"note\">%" G_GUINT64_FORMAT " more drop marks "
				       "not drawn.</p>\n", rr->marks_elided);
	g_string_append(o, "<p class=\"note\">Blue: entries in the table (sampled after every "
			"packet the router handles); red dashed: nf_conntrack_max; orange triangles: "
			"early drops; red crosses: packets dropped by conntrack.</p>\n");
#undef PX
#undef PY
}

static void rep_expectations(const struct report_scenario *s, GString *o)
{
	g_string_append(o, "<h2>Expectations</h2>\n<table><tr><th>line</th><th>expectation</th>"
			"<th>result</th><th>expected</th><th>seen</th></tr>\n");
	for (unsigned i = 0; i < s->n_expects; i++) {
		const struct report_expect *e = &s->expects[i];
		g_string_append_printf(o, "<tr><td>%d</td><td>", e->line);
		esc(o, e->text);
		g_string_append_printf(o, "</td><td class=\"%s\">%s</td><td>", e->passed ? "pass" : "fail",
				       e->passed ? "pass" : "FAIL");
		esc(o, e->expected);
		g_string_append(o, "</td><td>");
		esc(o, e->seen);
		g_string_append(o, "</td></tr>\n");
	}
	g_string_append(o, "</table>\n");
}

int report_write(struct world *w, const struct report_scenario *s, GString *err)
{
	struct report *r = w->report;
	char tb[32];
	GString *o = g_string_sized_new(64 * 1024);
	g_string_append(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
			"<title>natsim report: ");
	esc(o, s->name ? s->name : "");
	g_string_append_printf(o, "</title>\n<style>%s</style>\n<script>%s</script>\n</head><body>\n",
			       rep_css, rep_js_head);
	g_string_append(o, "<h1>natsim report: ");
	esc(o, s->name ? s->name : "");
	g_string_append(o, "</h1>\n<p>");
	esc(o, s->path ? s->path : "");
	g_string_append_printf(o, " \xe2\x80\x94 seed %" G_GUINT64_FORMAT ", simulated until %s s, "
			       "%" G_GUINT64_FORMAT " events, exit status %d</p>\n", w->opt.seed,
			       tstr(w->end_time, tb), w->events, w->exit_status);
	rep_expectations(s, o);
	rep_ladder(w, r, o);
	rep_snapshots(w, r, o);
	g_string_append(o, "<h2>Conntrack count per router</h2>\n");
	unsigned nplots = 0;
	for (unsigned i = 0; i < r->routers->len; i++) {
		struct rep_router *rr = g_ptr_array_index(r->routers, i);
		if (rr) {
			rep_plot(w, rr, o);
			nplots++;
		}
	}
	if (!nplots)
		g_string_append(o, "<p class=\"note\">No router handled a packet.</p>\n");
	g_string_append_printf(o, "<script>%s</script>\n</body></html>\n", rep_js_tail);

	char *path = g_build_filename(w->opt.out_dir, "report.html", NULL);
	int rc = output_write_file(path, o, err);
	g_free(path);
	return rc;
}
