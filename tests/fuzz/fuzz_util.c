/* fuzz_util.c - scratch files and world runs for the fuzz harnesses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
