/* traffic.c - the traffic commands of a node, and the flows load generator.
 *
 * Parses `ping`, `udp send`, `tcp connect|segment`, `listen`, `flows` and
 * `replay` (README: The scenario language, Traffic) and hands them to udp.c,
 * tcp.c, ping.c and sim/apps/replay.c. Every command is first run with dry_run
 * (syntax only): the parse here is complete before anything is scheduled.
 *
 * `flows` is a load generator: N flows from ascending source ports (then the
 * node's next address), started at `rate` per second. Starting is lazy (one
 * pending event per generator that starts the flows due and reschedules
 * itself) and per-flow state is a small array slot, never a socket, so a
 * million flows stay cheap. Flow i starts at t0 + floor(i / rate seconds),
 * computed from i (no accumulated drift).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "sim/sock/traffic.h"

/* ----- common helpers ----- */

uint64_t tr_serial(struct world *w)
{
	g_assert(w->next_serial < (1ull << 32) - 1);
	return ++w->next_serial;
}

void tr_send(struct world *w, struct node *n, struct packet *p)
{
	p->l3 = ETH_HLEN;
	p->l4 = (uint16_t)(ETH_HLEN + ip_ihl(p->data + ETH_HLEN));
	ip_local_out(w, n, p);
}

unsigned tr_route_mtu(const struct node *n, uint32_t dst)
{
	const struct route *r = route_lookup(n, dst);
	if (r && !r->dev && r->gw)
		r = route_lookup(n, r->gw);
	if (r && r->dev && r->dev->mtu >= 68)
		return r->dev->mtu;
	return 1500;
}

uint16_t tr_ephemeral(struct node *n, bool (*in_use)(struct node *, uint16_t, void *),
		      void *arg)
{
	for (unsigned tries = 0; tries < 60999 - 32768 + 1; tries++) {
		if (n->next_ephemeral < 32768 || n->next_ephemeral > 60999)
			n->next_ephemeral = 32768;
		uint16_t port = n->next_ephemeral++;
		if (!in_use || !in_use(n, port, arg))
			return port;
	}
	return 0;
}

bool tr_parse_addr(struct world *w, const char *text, uint32_t *addr)
{
	if (ip_parse(text, addr))
		return true;
	struct node *peer = w ? node_find(w, text) : NULL;
	if (!peer)
		return false;
	*addr = 0; /* a node without an address yet: resolved when run */
	for (unsigned i = 0; i < peer->ifaces->len && !*addr; i++)
		*addr = iface_primary_addr(g_ptr_array_index(peer->ifaces, i));
	return true;
}

/* At run time: a destination given as a node name that has no address. */
static bool tr_unresolved(struct cmd_ctx *c, const char *cmd, uint32_t addr, const char *text)
{
	if (addr)
		return false;
	g_string_append_printf(c->err, "%s: %s: Name or service not known (no IPv4 address)",
			       cmd, text);
	return true;
}

bool tr_parse_u32(const char *text, uint32_t min, uint32_t max, uint32_t *out)
{
	if (!text || !*text || *text == '-' || *text == '+')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (*end || errno || v < min || v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

bool tr_parse_hostport(struct world *w, const char *text, uint32_t *addr, uint16_t *port)
{
	const char *colon = strrchr(text, ':');
	if (!colon || colon == text)
		return false;
	char host[128];
	size_t hl = (size_t)(colon - text);
	if (hl >= sizeof host)
		return false;
	memcpy(host, text, hl);
	host[hl] = 0;
	uint32_t p;
	if (!tr_parse_u32(colon + 1, 1, 65535, &p))
		return false;
	if (!tr_parse_addr(w, host, addr))
		return false;
	*port = (uint16_t)p;
	return true;
}

void tr_output(struct world *w, struct node *n, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	world_cmd_output(w, n, w->now, buf);
}

struct tr_node *tr_node_get(struct node *n)
{
	if (!n->ping) {
		struct tr_node *t = g_new0(struct tr_node, 1);
		t->pings = g_ptr_array_new();
		t->flows = g_ptr_array_new();
		t->replays = g_ptr_array_new();
		n->ping = t;
	}
	return n->ping;
}

/* ----- flows ----- */

static sim_time flows_start_time(const struct flows_gen *g, uint32_t i)
{
	return g->t0 + (sim_time)floor((double)i * (double)SIM_S / g->rate);
}

int64_t flows_index(const struct flows_gen *g, uint32_t laddr, uint16_t lport)
{
	if (lport < g->lo || lport > g->hi)
		return -1;
	uint32_t nports = (uint32_t)g->hi - g->lo + 1;
	for (unsigned a = 0; a < g->naddrs; a++) {
		if (g->addrs[a] != laddr)
			continue;
		uint64_t i = (uint64_t)a * nports + (lport - g->lo);
		return i < g->started ? (int64_t)i : -1;
	}
	return -1;
}

void flows_at(struct world *w, struct flows_gen *g, uint32_t i, sim_time t, event_fn fn)
{
	world_at(w, t, fn, g->n, g->serial << 32 | i);
}

struct flows_gen *flows_from_event(struct node *n, uint64_t u, uint32_t *i)
{
	struct tr_node *t = tr_node_peek(n);
	if (!t)
		return NULL;
	uint64_t serial = u >> 32;
	for (unsigned k = 0; k < t->flows->len; k++) {
		struct flows_gen *g = g_ptr_array_index(t->flows, k);
		if (g->serial == serial) {
			*i = (uint32_t)u;
			return *i < g->started ? g : NULL;
		}
	}
	return NULL;
}

bool flows_udp_reply(struct node *n, const struct packet *p)
{
	struct tr_node *t = tr_node_peek(n);
	if (!t)
		return false;
	const uint8_t *ip = p->data + p->l3, *uh = p->data + p->l4;
	for (unsigned k = 0; k < t->flows->len; k++) {
		struct flows_gen *g = g_ptr_array_index(t->flows, k);
		if (g->tcp || ip_src(ip) != g->dst || rd16(uh) != g->dport)
			continue;
		if (flows_index(g, ip_dst(ip), rd16(uh + 2)) >= 0) {
			g->rx++;
			return true;
		}
	}
	return false;
}

bool flows_err(struct node *n, uint8_t proto, uint32_t laddr, uint16_t lport,
	       uint32_t raddr, uint16_t rport)
{
	struct tr_node *t = tr_node_peek(n);
	if (!t)
		return false;
	for (unsigned k = 0; k < t->flows->len; k++) {
		struct flows_gen *g = g_ptr_array_index(t->flows, k);
		if (g->tcp != (proto == IPPROTO_TCP_) || raddr != g->dst || rport != g->dport)
			continue;
		if (flows_index(g, laddr, lport) >= 0) {
			g->errors++;
			return true;
		}
	}
	return false;
}

/* The j-th datagram (j >= 0) of UDP flow i: 64 bytes of payload. */
static void flows_udp_send(struct world *w, struct flows_gen *g, uint32_t i)
{
	struct packet *p = build_udp(flows_src_addr(g, i), g->dst, flows_src_port(g, i),
				     g->dport, 64, node_next_ip_id(g->n));
	if (!p)
		return;
	g->tx++;
	tr_send(w, g->n, p);
}

/* UDP flows keep no per-flow state: packet j of flow i is scheduled with j
 * encoded as the event time's distance from the flow's start. */
static void flows_udp_next_ev(struct world *w, void *arg, uint64_t u)
{
	uint32_t i;
	struct flows_gen *g = flows_from_event(arg, u, &i);
	if (!g)
		return;
	sim_time start = flows_start_time(g, i);
	uint64_t j = (uint64_t)((w->now - start) / SIM_MS);
	flows_udp_send(w, g, i);
	if (j + 1 < g->packets)
		flows_at(w, g, i, start + (sim_time)(j + 1) * SIM_MS, flows_udp_next_ev);
}

static struct flows_gen *flows_find(struct node *n, uint64_t serial)
{
	struct tr_node *t = tr_node_peek(n);
	if (!t)
		return NULL;
	for (unsigned k = 0; k < t->flows->len; k++) {
		struct flows_gen *g = g_ptr_array_index(t->flows, k);
		if (g->serial == serial)
			return g;
	}
	return NULL;
}

/* The generator's one pending event: start every flow due now, then sleep
 * until the next one is due. */
static void flows_start_ev(struct world *w, void *arg, uint64_t u)
{
	struct flows_gen *g = flows_find(arg, u);
	if (!g)
		return;
	while (g->started < g->nflows && flows_start_time(g, g->started) <= w->now) {
		uint32_t i = g->started++;
		if (g->tcp) {
			tcp_flow_start(w, g, i);
		} else {
			flows_udp_send(w, g, i);
			if (g->packets > 1)
				flows_at(w, g, i, w->now + SIM_MS, flows_udp_next_ev);
		}
	}
	if (g->started < g->nflows)
		world_at(w, flows_start_time(g, g->started), flows_start_ev, g->n, g->serial);
}

static void flows_gen_free(struct flows_gen *g)
{
	g_free(g->addrs);
	g_free(g->tflows);
	g_free(g);
}

/* "1000", "10kpps", "1.5Mpps", "200pps": new flows per second. */
static bool flows_parse_rate(const char *text, double *rate)
{
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (end == text || errno || !(v > 0) || !isfinite(v))
		return false;
	if (!strcmp(end, "") || !strcmp(end, "pps") || !strcmp(end, "/s"))
		;
	else if (!strcmp(end, "kpps"))
		v *= 1e3;
	else if (!strcmp(end, "Mpps"))
		v *= 1e6;
	else
		return false;
	*rate = v;
	return true;
}

static int flows_cmd(struct cmd_ctx *c, int argc, char **argv)
{
	static const char usage[] =
		"flows: usage: flows udp|tcp N DEST:PORT [sport LO-HI] [rate R] [packets K]";
	if (argc < 4) {
		g_string_append(c->err, usage);
		return 2;
	}
	bool tcp;
	if (!strcmp(argv[1], "udp"))
		tcp = false;
	else if (!strcmp(argv[1], "tcp"))
		tcp = true;
	else {
		g_string_append_printf(c->err, "flows: unknown protocol '%s' (udp or tcp)", argv[1]);
		return 2;
	}
	uint32_t nflows, packets = 1, lo = 1024, hi = 65535;
	double rate = 1000;
	uint32_t dst;
	uint16_t dport;
	if (!tr_parse_u32(argv[2], 1, 1u << 26, &nflows)) {
		g_string_append_printf(c->err, "flows: bad flow count '%s' (1 to %u)", argv[2], 1u << 26);
		return 2;
	}
	if (!tr_parse_hostport(c->w, argv[3], &dst, &dport)) {
		g_string_append_printf(c->err, "flows: bad destination '%s' (want ADDR:PORT)", argv[3]);
		return 2;
	}
	for (int k = 4; k < argc; k += 2) {
		if (k + 1 >= argc) {
			g_string_append_printf(c->err, "flows: '%s' needs a value", argv[k]);
			return 2;
		}
		const char *v = argv[k + 1];
		if (!strcmp(argv[k], "sport")) {
			char *dash = strchr(v, '-');
			char a[16], b[16];
			if (dash && (size_t)(dash - v) < sizeof a && strlen(dash + 1) < sizeof b) {
				memcpy(a, v, (size_t)(dash - v));
				a[dash - v] = 0;
				strcpy(b, dash + 1);
			} else if (!dash && strlen(v) < sizeof a) {
				strcpy(a, v);
				strcpy(b, "65535");
			} else {
				a[0] = b[0] = 0;
			}
			if (!tr_parse_u32(a, 1, 65535, &lo) || !tr_parse_u32(b, lo, 65535, &hi)) {
				g_string_append_printf(c->err, "flows: bad port range '%s' (want LO-HI)", v);
				return 2;
			}
		} else if (!strcmp(argv[k], "rate")) {
			if (!flows_parse_rate(v, &rate)) {
				g_string_append_printf(c->err, "flows: bad rate '%s' (e.g. 1000, 10kpps, 1Mpps)", v);
				return 2;
			}
		} else if (!strcmp(argv[k], "packets")) {
			if (!tr_parse_u32(v, 1, 1000000, &packets)) {
				g_string_append_printf(c->err, "flows: bad packet count '%s'", v);
				return 2;
			}
		} else {
			g_string_append_printf(c->err, "flows: unknown option '%s'\n%s", argv[k], usage);
			return 2;
		}
	}
	uint64_t nports = (uint64_t)hi - lo + 1;
	unsigned nifaces = c->node && c->node->ifaces->len ? c->node->ifaces->len : 1;
	if (nflows > nports * IFACE_MAX_ADDRS * nifaces) {
		g_string_append_printf(c->err, "flows: %u flows exceed the source ports %u-%u", nflows,
				       lo, hi);
		return 2;
	}
	if (c->dry_run)
		return 0;
	if (tr_unresolved(c, "flows", dst, argv[3]))
		return 2;

	/* Source addresses: the one routing picks first, then the others in
	 * interface order. */
	struct node *n = c->node;
	GArray *addrs = g_array_new(false, false, sizeof(uint32_t));
	uint32_t first = route_source_addr(n, dst);
	if (first)
		g_array_append_val(addrs, first);
	for (unsigned i = 0; i < n->ifaces->len; i++) {
		struct iface *ifc = g_ptr_array_index(n->ifaces, i);
		for (unsigned a = 0; a < ifc->naddrs; a++) {
			uint32_t x = ifc->addrs[a].addr;
			bool dup = false;
			for (unsigned k = 0; k < addrs->len; k++)
				dup |= g_array_index(addrs, uint32_t, k) == x;
			if (!dup)
				g_array_append_val(addrs, x);
		}
	}
	if (addrs->len == 0 || nflows > nports * addrs->len) {
		g_string_append_printf(c->err,
				       "flows: %u flows need more source ports than %u-%u on %u address%s",
				       nflows, lo, hi, addrs->len, addrs->len == 1 ? "" : "es");
		g_array_free(addrs, true);
		return 2;
	}
	struct flows_gen *g = g_new0(struct flows_gen, 1);
	g->serial = tr_serial(c->w);
	g->n = n;
	g->tcp = tcp;
	g->nflows = nflows;
	g->dst = dst;
	g->dport = dport;
	g->lo = (uint16_t)lo;
	g->hi = (uint16_t)hi;
	g->naddrs = addrs->len;
	g->addrs = (uint32_t *)g_array_free(addrs, false);
	g->rate = rate;
	g->packets = packets;
	g->t0 = c->w->now;
	if (tcp)
		g->tflows = g_new0(struct tcp_flow, nflows);
	g_ptr_array_add(tr_node_get(n)->flows, g);
	world_at(c->w, g->t0, flows_start_ev, n, g->serial);
	return 0;
}

/* ----- ping ----- */

/* iputils' option letters we take, each with an argument, possibly glued
 * ("-c3"). */
static int ping_cmd(struct cmd_ctx *c, int argc, char **argv)
{
	uint32_t count = 0, size = 56, id = 0;
	bool have_id = false;
	sim_time interval = SIM_S;
	const char *dest = NULL;
	for (int k = 1; k < argc; k++) {
		const char *a = argv[k];
		if (a[0] != '-' || !a[1]) {
			if (dest) {
				g_string_append(c->err, "ping: usage error: only one destination");
				return 2;
			}
			dest = a;
			continue;
		}
		char opt = a[1];
		if (!strchr("ciseq", opt) || (opt == 'q' && a[2])) {
			g_string_append_printf(c->err, "ping: invalid option -- '%c'", opt);
			return 2;
		}
		if (opt == 'q')
			continue; /* quiet: accepted, output unchanged */
		const char *v = a[2] ? a + 2 : (k + 1 < argc ? argv[++k] : NULL);
		if (!v) {
			g_string_append_printf(c->err, "ping: option requires an argument -- '%c'", opt);
			return 2;
		}
		switch (opt) {
		case 'c':
			if (!tr_parse_u32(v, 1, UINT32_MAX, &count)) {
				g_string_append_printf(c->err,
					"ping: invalid argument: '%s': out of range: 1 <= value <= 4294967295", v);
				return 2;
			}
			break;
		case 'i':
			if (!sim_time_parse_seconds(v, &interval) || interval < 0) {
				g_string_append_printf(c->err, "ping: bad timing interval: %s", v);
				return 2;
			}
			break;
		case 's':
			if (!tr_parse_u32(v, 0, 65507, &size)) {
				g_string_append_printf(c->err,
					"ping: invalid argument: '%s': out of range: 0 <= value <= 65507", v);
				return 2;
			}
			break;
		case 'e':
			if (!tr_parse_u32(v, 0, 65535, &id)) {
				g_string_append_printf(c->err,
					"ping: invalid argument: '%s': out of range: 0 <= value <= 65535", v);
				return 2;
			}
			have_id = true;
			break;
		}
	}
	if (!dest) {
		g_string_append(c->err, "ping: usage error: Destination address required");
		return 2;
	}
	if (interval == 0 && count == 0) {
		g_string_append(c->err, "ping: -i 0 needs -c (it would flood forever)");
		return 2;
	}
	uint32_t dst;
	if (!tr_parse_addr(c->w, dest, &dst)) {
		g_string_append_printf(c->err, "ping: %s: Name or service not known", dest);
		return 2;
	}
	if (c->dry_run)
		return 0;
	if (tr_unresolved(c, "ping", dst, dest))
		return 2;
	return ping_cmd_start(c, dest, dst, count, interval, size, have_id ? (int)id : -1);
}

/* ----- udp, tcp, listen ----- */

static bool parse_port_opt(struct cmd_ctx *c, const char *cmd, const char *v, uint32_t *port)
{
	if (tr_parse_u32(v, 1, 65535, port))
		return true;
	g_string_append_printf(c->err, "%s: bad port '%s'", cmd, v);
	return false;
}

static int udp_cmd(struct cmd_ctx *c, int argc, char **argv)
{
	static const char usage[] =
		"udp: usage: udp send DEST:PORT [sport P] [count N] [interval T] [size B]";
	if (argc < 3 || strcmp(argv[1], "send")) {
		g_string_append(c->err, usage);
		return 2;
	}
	uint32_t dst, sport = 0, count = 1, size = 64;
	uint16_t dport;
	sim_time interval = SIM_S;
	if (!tr_parse_hostport(c->w, argv[2], &dst, &dport)) {
		g_string_append_printf(c->err, "udp: bad destination '%s' (want ADDR:PORT)", argv[2]);
		return 2;
	}
	for (int k = 3; k < argc; k += 2) {
		const char *v = k + 1 < argc ? argv[k + 1] : NULL;
		if (!v) {
			g_string_append_printf(c->err, "udp: '%s' needs a value", argv[k]);
			return 2;
		}
		if (!strcmp(argv[k], "sport")) {
			if (!parse_port_opt(c, "udp", v, &sport))
				return 2;
		} else if (!strcmp(argv[k], "count")) {
			if (!tr_parse_u32(v, 1, UINT32_MAX, &count)) {
				g_string_append_printf(c->err, "udp: bad count '%s'", v);
				return 2;
			}
		} else if (!strcmp(argv[k], "interval")) {
			if (!sim_time_parse_seconds(v, &interval) || interval < 0) {
				g_string_append_printf(c->err, "udp: bad interval '%s'", v);
				return 2;
			}
		} else if (!strcmp(argv[k], "size")) {
			if (!tr_parse_u32(v, 0, 65507, &size)) {
				g_string_append_printf(c->err, "udp: bad size '%s' (0-65507)", v);
				return 2;
			}
		} else {
			g_string_append_printf(c->err, "udp: unknown option '%s'\n%s", argv[k], usage);
			return 2;
		}
	}
	if (c->dry_run)
		return 0;
	if (tr_unresolved(c, "udp", dst, argv[2]))
		return 2;
	return udp_cmd_send(c, dst, dport, sport ? (int)sport : -1, count, interval, size);
}

static int tcp_cmd(struct cmd_ctx *c, int argc, char **argv)
{
	static const char usage[] =
		"tcp: usage: tcp connect DEST:PORT [sport P] [send BYTES] [close|reset|hold]\n"
		"       tcp segment DEST:PORT sport P flags F [seq N] [ack N] [size B]";
	if (argc < 3 || (strcmp(argv[1], "connect") && strcmp(argv[1], "segment"))) {
		g_string_append(c->err, usage);
		return 2;
	}
	bool segment = !strcmp(argv[1], "segment");
	uint32_t dst, sport = 0, seq = 0, ack = 0, size = 0;
	uint16_t dport;
	uint64_t bytes = 0;
	bool have_seq = false, have_flags = false;
	uint8_t flags = 0;
	enum tcp_close_mode mode = TCP_MODE_CLOSE;
	if (!tr_parse_hostport(c->w, argv[2], &dst, &dport)) {
		g_string_append_printf(c->err, "tcp: bad destination '%s' (want ADDR:PORT)", argv[2]);
		return 2;
	}
	for (int k = 3; k < argc; k++) {
		const char *o = argv[k];
		if (!segment && (!strcmp(o, "close") || !strcmp(o, "reset") || !strcmp(o, "hold"))) {
			mode = o[0] == 'c' ? TCP_MODE_CLOSE : o[0] == 'r' ? TCP_MODE_RESET : TCP_MODE_HOLD;
			continue;
		}
		const char *v = k + 1 < argc ? argv[k + 1] : NULL;
		bool known = !strcmp(o, "sport") ||
			(!segment && !strcmp(o, "send")) ||
			(segment && (!strcmp(o, "flags") || !strcmp(o, "seq") || !strcmp(o, "ack") ||
				     !strcmp(o, "size")));
		if (!known) {
			g_string_append_printf(c->err, "tcp: unknown option '%s'\n%s", o, usage);
			return 2;
		}
		if (!v) {
			g_string_append_printf(c->err, "tcp: '%s' needs a value", o);
			return 2;
		}
		k++;
		if (!strcmp(o, "sport")) {
			if (!parse_port_opt(c, "tcp", v, &sport))
				return 2;
		} else if (!strcmp(o, "send")) {
			char *end;
			errno = 0;
			unsigned long long b = strtoull(v, &end, 10);
			if (!*v || *v == '-' || *end || errno || b > (1ull << 31)) {
				g_string_append_printf(c->err, "tcp: bad byte count '%s' (0-2147483648)", v);
				return 2;
			}
			bytes = b;
		} else if (!strcmp(o, "flags")) {
			for (const char *f = v; *f; f++) {
				const char *letters = "FSRPAU";
				const char *at = strchr(letters, *f);
				if (!at) {
					g_string_append_printf(c->err,
						"tcp: bad flag '%c' in '%s' (letters S A F R P U)", *f, v);
					return 2;
				}
				flags |= (uint8_t)(1u << (at - letters));
			}
			have_flags = true;
		} else if (!strcmp(o, "seq") || !strcmp(o, "ack")) {
			uint32_t x;
			if (!tr_parse_u32(v, 0, UINT32_MAX, &x)) {
				g_string_append_printf(c->err, "tcp: bad %s number '%s'", o, v);
				return 2;
			}
			if (o[0] == 's') {
				seq = x;
				have_seq = true;
			} else {
				ack = x;
			}
		} else if (!strcmp(o, "size")) {
			if (!tr_parse_u32(v, 0, 65495, &size)) {
				g_string_append_printf(c->err, "tcp: bad size '%s'", v);
				return 2;
			}
		}
	}
	if (segment && (!sport || !have_flags)) {
		g_string_append(c->err, "tcp: segment needs sport P and flags F");
		return 2;
	}
	if (c->dry_run)
		return 0;
	if (tr_unresolved(c, "tcp", dst, argv[2]))
		return 2;
	if (segment)
		return tcp_cmd_segment(c, dst, dport, (uint16_t)sport, flags, have_seq, seq, ack, size);
	return tcp_cmd_connect(c, dst, dport, sport ? (int)sport : -1, bytes, mode);
}

static int listen_cmd(struct cmd_ctx *c, int argc, char **argv)
{
	uint32_t port;
	bool udp = argc >= 3 && !strcmp(argv[1], "udp");
	bool tcp = argc >= 3 && !strcmp(argv[1], "tcp");
	bool echo = udp && argc == 4 && !strcmp(argv[3], "echo");
	if (!(udp || tcp) || argc > (udp ? 4 : 3) || (argc == 4 && !echo)) {
		g_string_append(c->err, "listen: usage: listen udp PORT [echo] | listen tcp PORT");
		return 2;
	}
	if (!parse_port_opt(c, "listen", argv[2], &port))
		return 2;
	if (c->dry_run)
		return 0;
	return udp ? udp_cmd_listen(c, (uint16_t)port, echo) : tcp_cmd_listen(c, (uint16_t)port);
}

/* ----- the public entry points ----- */

bool traffic_cmd_owns(const char *name)
{
	static const char *const names[] = { "ping", "udp", "tcp", "listen", "flows", "replay" };
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

int traffic_cmd(struct cmd_ctx *c, int argc, char **argv)
{
	if (argc < 1)
		return 2;
	if (c->node && c->node->kind == NODE_SWITCH) {
		g_string_append_printf(c->err, "%s: a switch has no IP stack", argv[0]);
		return 2;
	}
	const char *name = argv[0];
	if (!strcmp(name, "ping"))
		return ping_cmd(c, argc, argv);
	if (!strcmp(name, "udp"))
		return udp_cmd(c, argc, argv);
	if (!strcmp(name, "tcp"))
		return tcp_cmd(c, argc, argv);
	if (!strcmp(name, "listen"))
		return listen_cmd(c, argc, argv);
	if (!strcmp(name, "flows"))
		return flows_cmd(c, argc, argv);
	if (!strcmp(name, "replay"))
		return replay_cmd(c, argc, argv);
	g_string_append_printf(c->err, "%s: not a traffic command", name);
	return 2;
}

void transport_free(struct node *n)
{
	udp_free(n);
	tcp_free(n);
	struct tr_node *t = n->ping;
	if (!t)
		return;
	for (unsigned i = 0; i < t->pings->len; i++)
		ping_sess_free(g_ptr_array_index(t->pings, i));
	for (unsigned i = 0; i < t->flows->len; i++)
		flows_gen_free(g_ptr_array_index(t->flows, i));
	for (unsigned i = 0; i < t->replays->len; i++)
		replay_job_free(g_ptr_array_index(t->replays, i));
	g_ptr_array_free(t->pings, true);
	g_ptr_array_free(t->flows, true);
	g_ptr_array_free(t->replays, true);
	g_free(t);
	n->ping = NULL;
}

void transport_summary(struct node *n, GString *json)
{
	udp_summary(n, json);
	tcp_summary(n, json);
	ping_summary(n, json);
	struct tr_node *t = tr_node_peek(n);
	if (!t || !t->flows->len)
		return;
	uint64_t tx = 0, rx = 0, err = 0, est = 0, n_flows = 0;
	for (unsigned k = 0; k < t->flows->len; k++) {
		struct flows_gen *g = g_ptr_array_index(t->flows, k);
		n_flows += g->started;
		tx += g->tx;
		rx += g->rx;
		err += g->errors;
		est += g->established;
	}
	g_string_append_printf(json,
		", \"flows_started\": %" G_GUINT64_FORMAT ", \"flows_tx\": %" G_GUINT64_FORMAT
		", \"flows_rx\": %" G_GUINT64_FORMAT ", \"flows_icmp_errors\": %" G_GUINT64_FORMAT
		", \"flows_established\": %" G_GUINT64_FORMAT, n_flows, tx, rx, err, est);
}
