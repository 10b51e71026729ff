/* traffic_cmd.c - the traffic commands of a node: parsing, what they print,
 * and their registration in the node command table.
 *
 * Parses `ping`, `udp send`, `tcp connect|segment`, `listen`, `flows` and
 * `replay` (README: The scenario language, Traffic) and hands them to the
 * sockets (sim/sock/sock.h), ping.c and replay.c. Every command is first
 * run with dry_run (syntax only): the parse here is complete before
 * anything is scheduled. A socket call's error comes back as a negative
 * errno and is said here in the tool's words; a TCP connection that fails
 * later is reported through tcp_set_fail_report.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "sim/apps/apps.h"

/* ----- common helpers ----- */

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

bool tr_unescape(const char *s, GString *out)
{
	for (; *s; s++) {
		if (*s != '\\') {
			g_string_append_c(out, *s);
			continue;
		}
		switch (*++s) {
		case 'r': g_string_append_c(out, '\r'); break;
		case 'n': g_string_append_c(out, '\n'); break;
		case 't': g_string_append_c(out, '\t'); break;
		case '\\': g_string_append_c(out, '\\'); break;
		case '"': g_string_append_c(out, '"'); break;
		case '0': g_string_append_c(out, '\0'); break;
		case 'x': {
			unsigned v = 0, nd = 0;

			while (nd < 2 && g_ascii_isxdigit(s[1])) {
				v = v * 16 + (unsigned)g_ascii_xdigit_value(*++s);
				nd++;
			}
			if (!nd)
				return false;
			g_string_append_c(out, (char)v);
			break;
		}
		default: return false; /* unknown, or a lone trailing backslash */
		}
	}
	return true;
}

void tr_output(struct world *w, struct node *n, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	probe_fire_output(&w->probes, n, w->now, buf, PROBE_STDOUT);
}

/* The applications' node state goes with the node's sockets. */
static void apps_node_free(struct node *n)
{
	struct app_node *t = n->apps;
	if (!t)
		return;
	for (unsigned i = 0; i < t->pings->len; i++)
		ping_sess_free(n, g_ptr_array_index(t->pings, i));
	for (unsigned i = 0; i < t->replays->len; i++)
		replay_job_free(g_ptr_array_index(t->replays, i));
	g_ptr_array_free(t->pings, true);
	g_ptr_array_free(t->replays, true);
	ftp_node_free(t->ftp);
	tftp_node_free(t->tftp);
	g_free(t);
	n->apps = NULL;
}

struct app_node *app_node_get(struct node *n)
{
	if (!n->apps) {
		struct app_node *t = g_new0(struct app_node, 1);
		t->pings = g_ptr_array_new();
		t->replays = g_ptr_array_new();
		n->apps = t;
	}
	return n->apps;
}

/* ----- flows ----- */

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
	unsigned naddrs;
	if (!flows_start(c->w, c->node, tcp, nflows, dst, dport, (uint16_t)lo, (uint16_t)hi, rate,
			 packets, &naddrs)) {
		g_string_append_printf(c->err,
				       "flows: %u flows need more source ports than %u-%u on %u address%s",
				       nflows, lo, hi, naddrs, naddrs == 1 ? "" : "es");
		return 2;
	}
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
		"udp: usage: udp send DEST:PORT [sport P] [count N] [interval T] [size B | text TEXT]\n"
		"                     [broadcast] [parallel]";
	if (argc < 3 || strcmp(argv[1], "send")) {
		g_string_append(c->err, usage);
		return 2;
	}
	uint32_t dst, sport = 0, count = 1, size = 64;
	uint16_t dport;
	g_autoptr(GString) text = NULL;	/* text's bytes; NULL: size zeros */
	sim_time interval = SIM_S;
	bool parallel = false;
	bool broadcast = false;	/* SO_BROADCAST */
	if (!tr_parse_hostport(c->w, argv[2], &dst, &dport)) {
		g_string_append_printf(c->err, "udp: bad destination '%s' (want ADDR:PORT)", argv[2]);
		return 2;
	}
	for (int k = 3; k < argc; k += 2) {
		if (!strcmp(argv[k], "broadcast")) {
			broadcast = true;
			k--;
			continue;
		}
		const char *v = k + 1 < argc ? argv[k + 1] : NULL;
		if (!strcmp(argv[k], "parallel")) {	/* a flag: no value */
			parallel = true;
			k--;
			continue;
		}
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
		} else if (!strcmp(argv[k], "size")) {	/* the last of size and text wins */
			if (!tr_parse_u32(v, 0, 65507, &size)) {
				g_string_append_printf(c->err, "udp: bad size '%s' (0-65507)", v);
				return 2;
			}
			if (text) {
				g_string_free(text, TRUE);
				text = NULL;
			}
		} else if (!strcmp(argv[k], "text")) {
			if (!text)
				text = g_string_new(NULL);
			g_string_truncate(text, 0);
			if (!tr_unescape(v, text)) {
				g_string_append_printf(c->err, "udp: bad escape in '%s' (\\r \\n "
						       "\\t \\\\ \\\" \\0 \\xHH)", v);
				return 2;
			}
			if (text->len > 65507) {
				g_string_append_printf(c->err, "udp: text of %zu bytes is too long "
						       "(0-65507)", text->len);
				return 2;
			}
			size = (uint32_t)text->len;
		} else {
			g_string_append_printf(c->err, "udp: unknown option '%s'\n%s", argv[k], usage);
			return 2;
		}
	}
	if (c->dry_run)
		return 0;
	if (tr_unresolved(c, "udp", dst, argv[2]))
		return 2;
	int port = udp_send_job(c->w, c->node, dst, dport, sport ? (int)sport : -1, count,
				 interval, text ? (const uint8_t *)text->str : NULL, size, parallel);
	if (port < 0) {
		g_string_append(c->err, "udp: bind: Address already in use (no free port)");
		return 2;
	}
	if (broadcast)
		udp_set_broadcast(c->node, (uint16_t)port);
	/* the first sendto's error as the sender prints it (stdout, status 0,
	 * as tcp's); each datagram of the job is refused alike */
	if (udp_broadcast_denied(c->node, (uint16_t)port, dst))
		g_string_append(c->out, "udp: sendto: Permission denied\n");
	return 0;
}

/* A TCP call's error as the client prints it (on stdout, exit status 0):
 * "tcp: connect: Network is unreachable", "tcp: bind: ...". */
static void tcp_say(struct cmd_ctx *c, const char *call, int err)
{
	if (!err)
		return;
	const char *what = err == -ENETUNREACH ? "Network is unreachable" :
		err == -EADDRNOTAVAIL ? "Cannot assign requested address" : "Address already in use";
	if (!call)
		call = err == -EADDRINUSE ? "bind" : "connect";
	g_string_append_printf(c->out, "tcp: %s: %s\n", call, what);
}

static int tcp_cmd(struct cmd_ctx *c, int argc, char **argv)
{
	static const char usage[] =
		"tcp: usage: tcp connect DEST:PORT [sport P] [send BYTES | send-text TEXT]\n"
		"                   [close|reset|hold]\n"
		"       tcp segment DEST:PORT sport P flags F [seq N] [ack N] [size B]";
	if (argc < 3 || (strcmp(argv[1], "connect") && strcmp(argv[1], "segment"))) {
		g_string_append(c->err, usage);
		return 2;
	}
	bool segment = !strcmp(argv[1], "segment");
	uint32_t dst, sport = 0, seq = 0, ack = 0, size = 0;
	uint16_t dport;
	uint64_t bytes = 0;
	GString *text = NULL;	/* send-text's bytes */
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
			(!segment && (!strcmp(o, "send") || !strcmp(o, "send-text"))) ||
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
		} else if (!strcmp(o, "send-text")) {
			if (text)
				g_string_free(text, TRUE);
			text = g_string_new(NULL);
			if (!tr_unescape(v, text)) {
				g_string_append_printf(c->err, "tcp: bad escape in '%s' (\\r \\n "
						       "\\t \\\\ \\\" \\0 \\xHH)", v);
				g_string_free(text, TRUE);
				return 2;
			}
			bytes = text->len;
		} else if (!strcmp(o, "send")) {
			if (text) {
				g_string_free(text, TRUE);
				text = NULL;
			}
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
	int rc = 0;
	if (c->dry_run)
		;
	else if (tr_unresolved(c, "tcp", dst, argv[2]))
		rc = 2;
	else if (segment)
		tcp_say(c, "sendto", tcp_segment(c->w, c->node, dst, dport, (uint16_t)sport, flags,
						 have_seq, seq, ack, size));
	else
		tcp_say(c, NULL, tcp_connect(c->w, c->node, dst, dport, sport ? (int)sport : -1,
					     bytes, text ? (const uint8_t *)text->str : NULL, mode));
	if (text)
		g_string_free(text, TRUE);
	return rc;
}

static int listen_cmd(struct cmd_ctx *c, int argc, char **argv)
{
	uint32_t port, size = 1024;
	bool udp = argc >= 3 && !strcmp(argv[1], "udp");
	bool tcp = argc >= 3 && !strcmp(argv[1], "tcp");
	bool echo = udp && argc == 4 && !strcmp(argv[3], "echo");
	bool ftp = tcp && argc >= 4 && !strcmp(argv[3], "ftp");
	bool tftp = udp && argc >= 4 && !strcmp(argv[3], "tftp");
	if (ftp && (argc == 5 || (argc == 6 && strcmp(argv[4], "size")) || argc > 6))
		ftp = false;
	if (tftp && (argc == 5 || (argc == 6 && strcmp(argv[4], "size")) || argc > 6))
		tftp = false;
	if (!(udp || tcp) || (!ftp && !tftp && argc > (udp ? 4 : 3)) ||
	    (argc == 4 && !echo && !ftp && !tftp)) {
		g_string_append(c->err, "listen: usage: listen udp PORT [echo | tftp [size BYTES]] | "
					"listen tcp PORT [ftp [size BYTES]]");
		return 2;
	}
	if (!parse_port_opt(c, "listen", argv[2], &port))
		return 2;
	if ((ftp || tftp) && argc == 6 && !tr_parse_u32(argv[5], 0, 16u << 20, &size)) {
		g_string_append_printf(c->err, "listen: bad size '%s' (0-%u)", argv[5], 16u << 20);
		return 2;
	}
	if (c->dry_run)
		return 0;
	if (ftp)
		ftp_server_start(c->node, (uint16_t)port, size);
	else if (tftp)
		tftp_server_start(c->node, (uint16_t)port, size);
	else if (udp)
		udp_listen(c->node, (uint16_t)port, echo);
	else
		tcp_listen(c->node, (uint16_t)port);
	return 0;
}

/* ----- the public entry points ----- */

static int traffic_cmd(struct cmd_ctx *c, int argc, char **argv)
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
	if (!strcmp(name, "ftp"))
		return ftp_cmd(c, argc, argv);
	if (!strcmp(name, "tftp"))
		return tftp_cmd(c, argc, argv);
	g_string_append_printf(c->err, "%s: not a traffic command", name);
	return 2;
}

void apps_summary(struct node *n, GString *json)
{
	ping_summary(n, json);
	flows_summary(n, json);
}

/* A client's TCP connection failed: the line nc-like tools print. */
static void tcp_fail_report(struct world *w, struct node *n, uint32_t raddr, uint16_t rport,
			    bool connecting, const char *why)
{
	char a[16];
	nf_inet_ntop4(raddr, a);
	if (connecting)
		tr_output(w, n, "tcp: connect to %s port %u failed: %s", a, rport, why);
	else
		tr_output(w, n, "tcp: connection to %s port %u: %s", a, rport, why);
}

/* The traffic commands in the node command table (sim/shell/cmd.h). */
static const struct cmd_def traffic_cmds[] = {
	{ "ping", traffic_cmd, 0 }, { "udp", traffic_cmd, 0 }, { "tcp", traffic_cmd, 0 },
	{ "listen", traffic_cmd, 0 }, { "flows", traffic_cmd, 0 }, { "replay", traffic_cmd, 0 },
	{ "ftp", traffic_cmd, 0 }, { "tftp", traffic_cmd, 0 },
};

void traffic_register_cmds(void)
{
	cmd_register(traffic_cmds, G_N_ELEMENTS(traffic_cmds));
	sock_add_free_hook(apps_node_free);
	tcp_set_fail_report(tcp_fail_report);
}
