/* fuzz_util.c - scratch files and world runs for the fuzz harnesses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/net/packet.h"
#include "tests/fuzz/fuzz_util.h"

static char *dir;

/* The scratch directory goes when the process ends normally. */
static void fz_dir_remove(void)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *e;
	while (d && (e = g_dir_read_name(d))) {
		char *p = g_build_filename(dir, e, NULL);
		remove(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	remove(dir);
}

const char *fz_dir(void)
{
	if (!dir) {
		GError *ge = NULL;
		dir = g_dir_make_tmp("natsim-fuzz-XXXXXX", &ge);
		if (!dir) {
			fprintf(stderr, "fuzz: %s\n", ge->message);
			abort();
		}
		atexit(fz_dir_remove);
	}
	return dir;
}

const char *fz_write_file(const char *name, const uint8_t *data, size_t size)
{
	static char path[4096];
	snprintf(path, sizeof path, "%s/%s", fz_dir(), name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
		perror(path);
		abort();
	}
	return path;
}

void fz_quiet_stdout(void)
{
	if (!getenv("FUZZ_VERBOSE") && !freopen("/dev/null", "w", stdout))
		abort();
}

/* libFuzzer's (and driver.c's) start-up hook, the same for every harness. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_quiet_stdout();
	return 0;
}

struct world *fz_world_load(const char *text, size_t len, bool trace)
{
	char *path = g_strdup(fz_write_file("input.scn", (const uint8_t *)text, len));
	struct run_opts o = {
		.scenario_path = path,
		.out_dir = (char *)fz_dir(),
		.seed = 1,
		.until = SIM_TIME_NEVER,
		.trace = trace,
		.check = true,
		.pcap = false,
		.quiet = true,
	};
	struct world *w = world_new(&o);
	struct scn_error err = { 0 };
	int rc = scenario_load(w, path, &err);
	scn_error_clear(&err);
	g_free(path);
	if (rc || w->exit_status == 2) {
		world_free(w);
		return NULL;
	}
	return w;
}

void fz_world_run_free(struct world *w)
{
	scenario_run(w);
	/* exit status 1 without a failed command: --check found a violation */
	int status = w->scn->cmd_failures ? 0 : w->exit_status;
	world_free(w);
	if (status == 1 && !getenv("FUZZ_NO_CHECK")) {
		fprintf(stderr, "fuzz: --check found a broken invariant\n");
		abort();
	}
}

struct world *fz_router_world(void)
{
	static const char topo[] = "router r\nhost a\nhost b\n"
				   "link a:eth0 r:eth0\nlink r:eth1 b:eth0\n"
				   "r: ip addr add 192.168.1.1/24 dev eth0\n"
				   "r: ip addr add 203.0.113.1/24 dev eth1\n";
	struct world *w = fz_world_load(topo, sizeof topo - 1, false);
	if (!w)
		__builtin_trap(); /* the fixed topology must load */
	return w;
}

void fz_walk_forward(struct nf_ns *ns)
{
	struct packet *p[4];
	p[0] = build_tcp(0xc0a8010a, 0xcb007114, 40000, 80, 1, 0, TCP_SYN, 64240, NULL, 0, 0, 1);
	p[1] = build_udp(0xc0a8010a, 0x08080808, 5353, 53, 20, 2);
	p[2] = build_icmp_echo(0xc0a8010a, 0xcb007114, ICMP_ECHO, 7, 1, 56, 3);
	p[3] = build_tcp(0xcb007114, 0xcb007101, 33000, 8080, 9, 0, TCP_SYN, 64240, NULL, 0, 0, 4);
	for (unsigned i = 0; i < 4; i++) {
		const char *in = i == 3 ? "eth1" : "eth0", *out = i == 3 ? "eth0" : "eth1";
		nf_time now = (nf_time)i * 1000000;
		if (nf_hook(ns, NF_INET_PRE_ROUTING, &p[i]->nf, in, NULL, now) == NF_ACCEPT &&
		    nf_hook(ns, NF_INET_FORWARD, &p[i]->nf, in, out, now) == NF_ACCEPT)
			nf_hook(ns, NF_INET_POST_ROUTING, &p[i]->nf, NULL, out, now);
		nf_skb_release(ns, &p[i]->nf);
		packet_free(p[i]);
	}
}
