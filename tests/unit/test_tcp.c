/* test_tcp.c - the sockets and traffic generators end to end: small
 * scenarios run in-process, checked through transport_summary()'s counters.
 *
 * Covers: a TCP transfer that completes over a lossy, rate-limited link
 * (retransmission) and ends in TIME_WAIT; RST for a closed port; a TIME_WAIT
 * replaced by a new connect on the same port; `reset` and `hold`; UDP echo
 * and ICMP port unreachable; ping counts; UDP and TCP flows; determinism
 * (same seed, same counters); the bytes of `send-text` reaching the server's
 * receive callback (tcp_set_recv) in order, each once, over the lossy link.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim/scenario/scenario.h"
#include "sim/apps/apps.h"
#include "sim/sock/sock.h"

#include "tests/unit/check.h"

/* Called between scenario_load and scenario_run when set. */
static void (*before_run)(struct world *w);

/* Run scenario text; returns each node's transport summary joined by '\n'. */
static char *run(const char *text, uint64_t seed)
{
	char dir[] = "/tmp/natsim-test-tcp-XXXXXX";
	if (!g_mkdtemp(dir)) {
		failures++;
		return g_strdup("");
	}
	char *path = g_build_filename(dir, "t.scn", NULL);
	g_file_set_contents(path, text, -1, NULL);
	struct run_opts o = { 0 };
	o.scenario_path = path;
	o.out_dir = dir;
	o.seed = seed;
	o.until = SIM_TIME_NEVER;
	o.quiet = true;
	o.pcap = false;
	struct world *w = world_new(&o);
	GString *err = g_string_new(NULL);
	struct scn_error serr = { 0 };
	GString *all = g_string_new(NULL);
	if (world_open_outputs(w, err) || scenario_load(w, path, &serr)) {
		fprintf(stderr, "scenario failed: %s %s\n", err->str, serr.msg ? serr.msg : "");
		failures++;
	} else {
		if (before_run)
			before_run(w);
		scenario_run(w);
		for (unsigned i = 0; i < w->nodes->len; i++) {
			struct node *n = g_ptr_array_index(w->nodes, i);
			g_string_append_printf(all, "%s:", n->name);
			transport_summary(n, all);
			apps_summary(n, all);
			g_string_append_c(all, '\n');
		}
	}
	scn_error_clear(&serr);
	world_close_outputs(w);
	world_free(w);
	g_string_free(err, true);
	char *cmd = g_strdup_printf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		failures++;
	g_free(cmd);
	g_free(path);
	return g_string_free(all, false);
}

/* The value of `"key": N` in node's summary line, or -1. */
static long field(const char *sum, const char *node, const char *key)
{
	char *pfx = g_strdup_printf("%s:", node);
	const char *line = strstr(sum, pfx);
	g_free(pfx);
	if (!line)
		return -1;
	const char *eol = strchr(line, '\n');
	char *k = g_strdup_printf("\"%s\": ", key);
	const char *at = strstr(line, k);
	long v = -1;
	if (at && (!eol || at < eol))
		v = strtol(at + strlen(k), NULL, 10);
	g_free(k);
	return v;
}

static const char topo[] =
	"host h1\nrouter r1\nhost h2\n"
	"link h1:eth0 r1:eth0 delay 1ms\n"
	"link r1:eth1 h2:eth0 delay 5ms rate 10Mbit loss 3%% queue 30\n"
	"h1: ip addr add 10.0.0.1/24 dev eth0\n"
	"h1: ip route add default via 10.0.0.254\n"
	"r1: ip addr add 10.0.0.254/24 dev eth0\n"
	"r1: ip addr add 192.168.0.1/24 dev eth1\n"
	"r1: sysctl -w net.ipv4.ip_forward=1\n"
	"h2: ip addr add 192.168.0.2/24 dev eth0\n"
	"h2: ip route add default via 192.168.0.1\n"
	"%s";

static char *run_topo(const char *cmds, uint64_t seed)
{
	char *text = g_strdup_printf(topo, cmds);
	char *s = run(text, seed);
	g_free(text);
	return s;
}

static void test_transfer_over_loss(void)
{
	char *s = run_topo("h2: listen tcp 80\n"
			   "h1: tcp connect 192.168.0.2:80 sport 40000 send 200000\n"
			   "at 1s h1: tcp connect 192.168.0.2:81\n"
			   "end 100s\n", 7);
	CHECK(field(s, "h2", "tcp_bytes_rx") == 200000);
	CHECK(field(s, "h1", "tcp_established") == 1);
	CHECK(field(s, "h1", "tcp_failed") == 1);	/* port 81: RST */
	CHECK(field(s, "h1", "tcp_resets_rcvd") == 1);
	CHECK(field(s, "h2", "tcp_resets_sent") >= 1);
	CHECK(field(s, "h2", "tcp_open") == 0);	/* LAST_ACK done */
	CHECK(field(s, "h1", "tcp_open") == 0);
	/* TIME_WAIT is 60 s: over by 100 s */
	CHECK(field(s, "h1", "tcp_time_wait") == 0);
	char *again = run_topo("h2: listen tcp 80\n"
			       "h1: tcp connect 192.168.0.2:80 sport 40000 send 200000\n"
			       "at 1s h1: tcp connect 192.168.0.2:81\n"
			       "end 100s\n", 7);
	CHECK(strcmp(s, again) == 0);
	g_free(again);
	g_free(s);
}

static void test_close_modes(void)
{
	char *s = run_topo("h2: listen tcp 80\n"
			   "h1: tcp connect 192.168.0.2:80 sport 1000 send 3000\n"
			   "at 2s h1: tcp connect 192.168.0.2:80 sport 1000 send 10\n"
			   "at 4s h1: tcp connect 192.168.0.2:80 sport 1001 send 10 reset\n"
			   "at 4s h1: tcp connect 192.168.0.2:80 sport 1002 hold\n"
			   "end 10s\n", 1);
	CHECK(field(s, "h1", "tcp_established") == 4);
	CHECK(field(s, "h1", "tcp_time_wait") == 1);	/* replaced, then again */
	CHECK(field(s, "h1", "tcp_open") == 1);	/* hold */
	CHECK(field(s, "h2", "tcp_open") == 1);
	CHECK(field(s, "h2", "tcp_resets_rcvd") == 1);
	CHECK(field(s, "h2", "tcp_bytes_rx") == 3020);
	g_free(s);
}

static void test_udp_and_ping(void)
{
	char *s = run_topo("h2: listen udp 53 echo\n"
			   "h1: udp send 192.168.0.2:53 count 5 interval 10ms\n"
			   "h1: udp send 192.168.0.2:54\n"
			   "h1: ping -c 4 -i 0.5 192.168.0.2\n"
			   "end 20s\n", 3);
	long rx = field(s, "h1", "udp_rx");
	CHECK(field(s, "h1", "udp_tx") == 6);
	CHECK(rx >= 3 && rx <= 5); /* 3% loss each way */
	CHECK(field(s, "h2", "udp_tx") == field(s, "h2", "udp_rx"));
	CHECK(field(s, "h2", "udp_no_socket") == 1 || field(s, "h1", "udp_icmp_errors") == 0);
	CHECK(field(s, "h1", "ping_tx") == 4);
	CHECK(field(s, "h1", "ping_rx") >= 2);
	g_free(s);
}

static void test_flows(void)
{
	char *s = run_topo("h2: listen udp 53 echo\n"
			   "h2: listen tcp 80\n"
			   "h1: flows udp 1000 192.168.0.2:53 sport 2000-2999 rate 2kpps packets 2\n"
			   "at 1s h1: flows tcp 50 192.168.0.2:80 rate 1kpps packets 3\n"
			   "end 30s\n", 5);
	CHECK(field(s, "h1", "flows_started") == 1050);
	CHECK(field(s, "h1", "flows_established") == 50); /* SYN retransmission */
	CHECK(field(s, "h2", "tcp_established") == 50);
	CHECK(field(s, "h2", "udp_rx") > 1800);
	g_free(s);
}

/* ----- the receive callback (sim/sock/sock.h) ----- */
static GString *received;
static unsigned recv_calls;

static void collect(void *ctx, struct node *n, const uint8_t *data, size_t len)
{
	(void)ctx;
	(void)n;
	g_string_append_len(received, (const char *)data, (gssize)len);
	recv_calls++;
}

static void hook_h2_port_80(struct world *w)
{
	tcp_set_recv(node_find(w, "h2"), 80, collect, NULL);
}

static void test_receive_callback(void)
{
	/* "line 00000\r\n" ... : 12 bytes a line, 2000 lines, 24000 bytes over
	 * the 3% loss link: retransmissions and out-of-order segments */
	GString *want = g_string_new(NULL), *arg = g_string_new(NULL);
	for (int i = 0; i < 2000; i++) {
		g_string_append_printf(want, "line %05d\r\n", i);
		g_string_append_printf(arg, "line %05d\\r\\n", i);
	}
	char *cmds = g_strdup_printf("h2: listen tcp 80\n"
				     "h1: tcp connect 192.168.0.2:80 sport 40000 send-text \"%s\"\n"
				     "end 60s\n", arg->str);
	received = g_string_new(NULL);
	recv_calls = 0;
	before_run = hook_h2_port_80;
	char *s = run_topo(cmds, 7);
	before_run = NULL;
	CHECK(field(s, "h2", "tcp_bytes_rx") == 24000);
	CHECK(received->len == want->len && memcmp(received->str, want->str, want->len) == 0);
	CHECK(recv_calls >= 17);	/* at least one call per 1448-byte segment */
	g_string_free(received, TRUE);
	g_string_free(want, TRUE);
	g_string_free(arg, TRUE);
	g_free(cmds);
	g_free(s);
}

int main(void)
{
	test_transfer_over_loss();
	test_close_modes();
	test_udp_and_ping();
	test_flows();
	test_receive_callback();
	if (failures) {
		fprintf(stderr, "test_tcp: %d failure(s)\n", failures);
		return 1;
	}
	printf("test_tcp: ok\n");
	return 0;
}
