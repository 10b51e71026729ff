/* expect.c - parsing and checking scenario expectations (README: The scenario
 * language, Expectations).
 *
 * Design: each expectation is parsed once into a struct expect whose check is
 * a plain comparison. `saw` expectations are indexed by interface in the
 * scenario (saw_by_iface, whose lists the interfaces point to: iface.saw)
 * and counted as frames are captured (expect_observe), so the per-frame cost
 * is a pointer test, and a pass over the list when an interface is watched; the other kinds query the router's
 * netfilter layer (nf_ct_count, nf_ct_list, nf_ct_stat, nf_ipt_rule_packets)
 * or the node's kernel log at check time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/out/output.h"
#include "sim/scenario/expect.h"

static const char *const op_texts[] = { "==", "!=", "<", "<=", ">", ">=" };

const char *expect_op_text(enum expect_op op)
{
	return op_texts[op];
}

static bool op_parse(const char *s, enum expect_op *op)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(op_texts); i++)
		if (strcmp(s, op_texts[i]) == 0) {
			*op = (enum expect_op)i;
			return true;
		}
	return false;
}

static bool op_holds(enum expect_op op, uint64_t seen, uint64_t n)
{
	switch (op) {
	case OP_EQ: return seen == n;
	case OP_NE: return seen != n;
	case OP_LT: return seen < n;
	case OP_LE: return seen <= n;
	case OP_GT: return seen > n;
	case OP_GE: return seen >= n;
	}
	return false;
}

static bool u64_parse(const char *s, uint64_t *out)
{
	guint64 v;
	if (!s || !g_ascii_string_to_unsigned(s, 10, 0, G_MAXUINT64, &v, NULL))
		return false;
	*out = v;
	return true;
}

/* "[OP] N" at argv[*i]; OP defaults to ==. */
static int cmp_parse(int argc, char **argv, int *i, struct expect *e, GString *err)
{
	e->op = OP_EQ;
	if (*i < argc && op_parse(argv[*i], &e->op))
		(*i)++;
	if (*i >= argc || !u64_parse(argv[*i], &e->n)) {
		g_string_printf(err, "expected a number%s%s%s", *i < argc ? " instead of \"" : "",
				*i < argc ? argv[*i] : "", *i < argc ? "\"" : " at the end");
		return 2;
	}
	(*i)++;
	return 0;
}

/* ADDR[/PLEN][:PORTS], PORTS a port or LO-HI. */
static int end_parse(const char *text, struct expect_end *end, bool ports_ok, GString *err)
{
	char *s = g_strdup(text);
	char *colon = strchr(s, ':');
	int rc = 0;
	if (colon) {
		*colon = '\0';
		const char *ports = colon + 1;
		const char *dash = strchr(ports, '-');
		guint64 lo, hi;
		bool ok;
		if (dash) {
			char *l = g_strndup(ports, (size_t)(dash - ports));
			ok = g_ascii_string_to_unsigned(l, 10, 0, 65535, &lo, NULL) &&
			     g_ascii_string_to_unsigned(dash + 1, 10, 0, 65535, &hi, NULL) && lo <= hi;
			g_free(l);
		} else {
			ok = g_ascii_string_to_unsigned(ports, 10, 0, 65535, &lo, NULL);
			hi = lo;
		}
		if (!ok) {
			g_string_printf(err, "bad port or port range \"%s\"", ports);
			rc = 2;
			goto out;
		}
		if (!ports_ok) {
			g_string_printf(err, "ports in \"%s\" need protocol tcp or udp", text);
			rc = 2;
			goto out;
		}
		end->ports = true;
		end->lo = (uint16_t)lo;
		end->hi = (uint16_t)hi;
	}
	unsigned plen = 32;
	uint32_t addr;
	if (strchr(s, '/') ? !prefix_parse(s, &addr, &plen) : !ip_parse(s, &addr)) {
		g_string_printf(err, "bad address \"%s\"", s);
		rc = 2;
		goto out;
	}
	end->set = true;
	end->mask = plen == 0 ? 0 : 0xffffffffu << (32 - plen);
	end->addr = addr & end->mask;
out:
	g_free(s);
	return rc;
}

static int parse_saw(struct world *w, int argc, char **argv, struct expect *e, GString *err)
{
	char *spec = argv[0];
	char *colon = strchr(spec, ':');
	char *node_name = g_strndup(spec, (size_t)(colon - spec));
	const char *if_name = colon + 1;
	e->node = node_find(w, node_name);
	if (!e->node) {
		g_string_printf(err, "unknown node \"%s\"", node_name);
		g_free(node_name);
		return 2;
	}
	g_free(node_name);
	if (e->node->kind == NODE_SWITCH) {
		g_string_printf(err, "%s is a switch: its interfaces are not captured", e->node->name);
		return 2;
	}
	e->ifc = iface_find(e->node, if_name);
	if (!e->ifc) {
		g_string_printf(err, "%s has no interface \"%s\" (interfaces are created by `link`)",
				e->node->name, if_name);
		return 2;
	}
	if (argc < 3 || strcmp(argv[1], "saw") != 0) {
		g_string_assign(err, "expected `expect NODE:IF saw PROTO ...`");
		return 2;
	}
	const char *proto = argv[2];
	if (strcmp(proto, "tcp") == 0) e->proto = IPPROTO_TCP_;
	else if (strcmp(proto, "udp") == 0) e->proto = IPPROTO_UDP_;
	else if (strcmp(proto, "icmp") == 0) e->proto = IPPROTO_ICMP_;
	else if (strcmp(proto, "ip") == 0) e->proto = EXPECT_PROTO_IP;
	else if (strcmp(proto, "any") == 0) e->proto = EXPECT_PROTO_ANY;
	else {
		g_string_printf(err, "unknown protocol \"%s\" (tcp, udp, icmp, ip or any)", proto);
		return 2;
	}
	bool ports_ok = e->proto == IPPROTO_TCP_ || e->proto == IPPROTO_UDP_;
	/* `saw PROTO` alone, or `count` alone: at least one frame */
	e->op = OP_GE;
	e->n = 1;
	for (int i = 3; i < argc;) {
		const char *k = argv[i++];
		if (strcmp(k, "src") == 0 || strcmp(k, "dst") == 0) {
			struct expect_end *end = k[0] == 's' ? &e->src : &e->dst;
			if (i >= argc) {
				g_string_printf(err, "`%s` needs an address", k);
				return 2;
			}
			if (end->set) {
				g_string_printf(err, "`%s` given twice", k);
				return 2;
			}
			if (end_parse(argv[i++], end, ports_ok, err))
				return 2;
		} else if (strcmp(k, "count") == 0) {
			if (i >= argc)
				continue;
			if (cmp_parse(argc, argv, &i, e, err))
				return 2;
		} else {
			g_string_printf(err, "unexpected \"%s\" (src, dst or count)", k);
			return 2;
		}
	}
	g_string_printf(err, "count %s %" G_GUINT64_FORMAT, expect_op_text(e->op), e->n);
	e->expected = g_strdup(err->str);
	g_string_truncate(err, 0);
	return 0;
}

static int need_router(struct expect *e, const char *what, GString *err)
{
	if (e->node->nf)
		return 0;
	g_string_printf(err, "%s is a %s: %s needs a router", e->node->name,
			e->node->kind == NODE_SWITCH ? "switch" : "host", what);
	return 2;
}

static int regex_compile(const char *text, GRegex **re, GString *err)
{
	GError *ge = NULL;
	*re = g_regex_new(text, 0, 0, &ge);
	if (!*re) {
		g_string_printf(err, "bad regular expression \"%s\": %s", text, ge->message);
		g_error_free(ge);
		return 2;
	}
	return 0;
}

static int end_of_args(int i, int argc, char **argv, GString *err)
{
	if (i >= argc)
		return 0;
	g_string_printf(err, "unexpected \"%s\" at the end of the expectation", argv[i]);
	return 2;
}

int expect_parse(struct world *w, int argc, char **argv, const char *text, int line,
		 sim_time at, struct expect **out, GString *err)
{
	struct expect *e = g_new0(struct expect, 1);
	e->line = line;
	e->text = g_strdup(text);
	e->at = at;
	int rc = 2;
	int i;

	if (argc < 2) {
		g_string_assign(err, "incomplete expectation");
		goto fail;
	}
	if (strchr(argv[0], ':')) {
		e->kind = EXPECT_SAW;
		if (parse_saw(w, argc, argv, e, err))
			goto fail;
		*out = e;
		return 0;
	}
	e->node = node_find(w, argv[0]);
	if (!e->node) {
		g_string_printf(err, "unknown node \"%s\"", argv[0]);
		goto fail;
	}
	const char *what = argv[1];
	i = 2;
	if (strcmp(what, "conntrack") == 0) {
		if (need_router(e, "conntrack", err))
			goto fail;
		if (i < argc && strcmp(argv[i], "count") == 0) {
			e->kind = EXPECT_CT_COUNT;
			i++;
			if (cmp_parse(argc, argv, &i, e, err))
				goto fail;
			e->expected = g_strdup_printf("count %s %" G_GUINT64_FORMAT,
						      expect_op_text(e->op), e->n);
		} else if (i < argc && strcmp(argv[i], "match") == 0) {
			e->kind = EXPECT_CT_MATCH;
			i++;
			if (i >= argc) {
				g_string_assign(err, "`conntrack match` needs a \"REGEX\"");
				goto fail;
			}
			if (regex_compile(argv[i], &e->re, err))
				goto fail;
			e->expected = g_strdup_printf("an entry matching \"%s\"", argv[i]);
			i++;
		} else {
			g_string_assign(err, "expected `conntrack count OP N` or `conntrack match \"REGEX\"`");
			goto fail;
		}
	} else if (strcmp(what, "stat") == 0) {
		e->kind = EXPECT_STAT;
		if (need_router(e, "stat", err))
			goto fail;
		if (i >= argc) {
			g_string_assign(err, "`stat` needs a counter name");
			goto fail;
		}
		bool known = false;
		for (const char *const *nm = nf_ct_stat_names(); *nm; nm++)
			known = known || strcmp(*nm, argv[i]) == 0;
		if (!known) {
			GString *names = g_string_new(NULL);
			for (const char *const *nm = nf_ct_stat_names(); *nm; nm++)
				g_string_append_printf(names, "%s%s", names->len ? ", " : "", *nm);
			g_string_printf(err, "unknown conntrack counter \"%s\" (%s)", argv[i], names->str);
			g_string_free(names, TRUE);
			goto fail;
		}
		e->name = g_strdup(argv[i++]);
		if (cmp_parse(argc, argv, &i, e, err))
			goto fail;
		e->expected = g_strdup_printf("%s %s %" G_GUINT64_FORMAT, e->name,
					      expect_op_text(e->op), e->n);
	} else if (strcmp(what, "log") == 0) {
		e->kind = EXPECT_LOG;
		if (i >= argc) {
			g_string_assign(err, "`log` needs a \"REGEX\"");
			goto fail;
		}
		if (regex_compile(argv[i], &e->re, err))
			goto fail;
		e->expected = g_strdup_printf("a kernel log line matching \"%s\"", argv[i]);
		i++;
	} else if (strcmp(what, "iptables") == 0) {
		e->kind = EXPECT_IPT_PACKETS;
		if (need_router(e, "iptables", err))
			goto fail;
		if (argc - i < 4) {
			g_string_assign(err, "expected `iptables TABLE CHAIN RULE packets OP N`");
			goto fail;
		}
		const char *table = argv[i++];
		if (strcmp(table, "filter") && strcmp(table, "nat") && strcmp(table, "mangle") &&
		    strcmp(table, "raw")) {
			g_string_printf(err, "unknown table \"%s\" (filter, nat, mangle or raw)", table);
			goto fail;
		}
		e->name = g_strdup(table);
		e->chain = g_strdup(argv[i++]);
		guint64 rule;
		if (!g_ascii_string_to_unsigned(argv[i], 10, 1, G_MAXUINT32, &rule, NULL)) {
			g_string_printf(err, "bad rule number \"%s\" (rules count from 1)", argv[i]);
			goto fail;
		}
		e->rule = (unsigned)rule;
		i++;
		if (strcmp(argv[i], "packets") != 0) {
			g_string_printf(err, "expected `packets` instead of \"%s\"", argv[i]);
			goto fail;
		}
		i++;
		if (cmp_parse(argc, argv, &i, e, err))
			goto fail;
		e->expected = g_strdup_printf("packets %s %" G_GUINT64_FORMAT,
					      expect_op_text(e->op), e->n);
	} else {
		g_string_printf(err, "unknown expectation \"%s\" (conntrack, stat, log, iptables, "
				"or NODE:IF saw)", what);
		goto fail;
	}
	if (end_of_args(i, argc, argv, err))
		goto fail;
	*out = e;
	return 0;
fail:
	expect_free(e);
	return rc;
}

void expect_free(struct expect *e)
{
	if (!e)
		return;
	if (e->re)
		g_regex_unref(e->re);
	g_free(e->text);
	g_free(e->name);
	g_free(e->chain);
	g_free(e->expected);
	g_free(e->seen);
	g_free(e);
}

/* ----- counting captured frames ----- */

static bool end_match(const struct expect_end *end, uint32_t addr, bool has_ports, uint16_t port)
{
	if (!end->set)
		return true;
	if ((addr & end->mask) != end->addr)
		return false;
	if (!end->ports)
		return true;
	return has_ports && port >= end->lo && port <= end->hi;
}

/* PROBE_CAPTURE: count the frame for the interface's `saw` expectations. */
static void expect_observe(void *ctx, struct node *n, struct iface *ifc, const struct packet *p)
{
	(void)ctx;
	(void)n;
	GPtrArray *list = ifc->saw; /* scenario.c's saw_by_iface entry */
	if (!list)
		return;

	/* Parse the frame once: Ethernet (one 802.1Q tag allowed), IPv4,
	 * the ports of an unfragmented (or first-fragment) TCP/UDP header. */
	const uint8_t *d = p->data;
	uint32_t len = p->len, off = ETH_HLEN;
	bool is_ip = false, has_ports = false;
	uint8_t proto = 0;
	uint32_t src = 0, dst = 0;
	uint16_t sport = 0, dport = 0;
	if (len >= ETH_HLEN) {
		uint16_t type = rd16(d + 12);
		if (type == ETH_P_8021Q && len >= ETH_HLEN + 4) {
			type = rd16(d + 16);
			off += 4;
		}
		if (type == ETH_P_IP && len >= off + 20 && (d[off] >> 4) == 4) {
			const uint8_t *ip = d + off;
			unsigned ihl = ip_ihl(ip);
			is_ip = ihl >= 20;
			proto = ip_proto(ip);
			src = ip_src(ip);
			dst = ip_dst(ip);
			bool first_frag = (rd16(ip + 6) & 0x1fff) == 0;
			if (is_ip && first_frag && (proto == IPPROTO_TCP_ || proto == IPPROTO_UDP_) &&
			    len >= off + ihl + 4) {
				has_ports = true;
				sport = rd16(ip + ihl);
				dport = rd16(ip + ihl + 2);
			}
		}
	}
	for (unsigned i = 0; i < list->len; i++) {
		struct expect *e = g_ptr_array_index(list, i);
		if (e->checked)
			continue;
		if (e->proto != EXPECT_PROTO_ANY) {
			if (!is_ip)
				continue;
			if (e->proto != EXPECT_PROTO_IP && e->proto != proto)
				continue;
		} else if ((e->src.set || e->dst.set) && !is_ip) {
			continue;
		}
		if (!end_match(&e->src, src, has_ports, sport) ||
		    !end_match(&e->dst, dst, has_ports, dport))
			continue;
		e->frames++;
	}
}

/* ----- checking ----- */

static void record(struct world *w, struct expect *e, bool passed, char *seen)
{
	e->checked = true;
	e->passed = passed;
	e->checked_at = w->now;
	g_free(e->seen);
	e->seen = seen;
	if (!passed) {
		fflush(stdout);
		output_progress_clear(w);
		fprintf(stderr, "%s:%d: expectation failed: %s: expected %s, saw %s\n",
			w->scn ? w->scn->path : "?", e->line, e->text, e->expected, e->seen);
	}
}

/* Lines of text matching re: true if any does; *lines counts them all. */
static bool lines_match(GRegex *re, const char *text, unsigned *lines)
{
	bool found = false;
	char **v = g_strsplit(text, "\n", -1);
	*lines = 0;
	for (char **l = v; *l; l++) {
		if (!**l)
			continue;
		(*lines)++;
		if (!found && g_regex_match(re, *l, 0, NULL))
			found = true;
	}
	g_strfreev(v);
	return found;
}

void expect_check(struct world *w, struct expect *e)
{
	uint64_t v = 0;
	switch (e->kind) {
	case EXPECT_SAW:
		record(w, e, op_holds(e->op, e->frames, e->n),
		       g_strdup_printf("%" G_GUINT64_FORMAT, e->frames));
		break;
	case EXPECT_CT_COUNT:
		v = nf_ct_count(e->node->nf, w->now);
		record(w, e, op_holds(e->op, v, e->n), g_strdup_printf("%" G_GUINT64_FORMAT, v));
		break;
	case EXPECT_STAT:
		if (!nf_ct_stat(e->node->nf, e->name, &v)) {
			record(w, e, false, g_strdup_printf("no counter \"%s\"", e->name));
			break;
		}
		record(w, e, op_holds(e->op, v, e->n), g_strdup_printf("%" G_GUINT64_FORMAT, v));
		break;
	case EXPECT_IPT_PACKETS:
		if (!nf_ipt_rule_packets(e->node->nf, e->name, e->chain, e->rule, &v)) {
			record(w, e, false, g_strdup_printf("no rule %u in chain %s of table %s",
							    e->rule, e->chain, e->name));
			break;
		}
		record(w, e, op_holds(e->op, v, e->n), g_strdup_printf("%" G_GUINT64_FORMAT, v));
		break;
	case EXPECT_CT_MATCH: {
		GString *list = g_string_new(NULL);
		nf_ct_list(e->node->nf, w->now, list);
		unsigned lines;
		bool ok = lines_match(e->re, list->str, &lines);
		g_string_free(list, TRUE);
		record(w, e, ok, ok ? g_strdup("a matching entry")
				    : lines ? g_strdup_printf("none of %u entries", lines)
					    : g_strdup("no entries"));
		break;
	}
	case EXPECT_LOG: {
		bool ok = false;
		const GArray *klog = e->node->klog;
		unsigned lines = klog ? klog->len : 0;
		for (unsigned i = 0; i < lines && !ok; i++)
			ok = g_regex_match(e->re, g_array_index(klog, struct printk_record, i).text,
					   0, NULL);
		record(w, e, ok, ok ? g_strdup("a matching line")
				    : lines ? g_strdup_printf("none of %u lines", lines)
					    : g_strdup("an empty kernel log"));
		break;
	}
	}
}

void expect_not_reached(struct world *w, struct expect *e)
{
	char t[32], end[32];
	sim_time_format(e->at, t);
	sim_time_format(w->end_time, end);
	record(w, e, false, g_strdup_printf("nothing (the run ended at %s s, before %s s)", end, t));
}

void expect_not_evaluated(struct expect *e, const char *why)
{
	e->checked = false;
	e->passed = false;
	e->not_evaluated = true;
	g_free(e->seen);
	e->seen = g_strdup(why);
}

const char *expect_result(const struct expect *e)
{
	return e->not_evaluated ? "not evaluated" : e->passed ? "pass" : "fail";
}

void expect_subscribe(struct world *w)
{
	probe_add_packet(&w->probes, PROBE_CAPTURE, expect_observe, NULL);
}
