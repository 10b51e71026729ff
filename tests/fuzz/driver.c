/* driver.c - main() for a fuzz harness built without libFuzzer: runs
 * LLVMFuzzerTestOneInput once on each file named (directories: each regular
 * file inside, in name order), as `make test` replays the corpora. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_util.h"

static int run_file(const char *path)
{
	gchar *data;
	gsize len;
	GError *ge = NULL;
	if (!g_file_get_contents(path, &data, &len, &ge)) {
		fprintf(stderr, "%s\n", ge->message);
		g_error_free(ge);
		return 1;
	}
	/* an exact-size copy, so ASan sees a read past the input */
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, data, len);
	g_free(data);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	return 0;
}

static gint by_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	LLVMFuzzerInitialize(&argc, &argv);
	int bad = 0, runs = 0;
	for (int i = 1; i < argc; i++) {
		if (!g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
			bad |= run_file(argv[i]);
			runs++;
			continue;
		}
		GDir *d = g_dir_open(argv[i], 0, NULL);
		GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
		const char *e;
		while (d && (e = g_dir_read_name(d)))
			g_ptr_array_add(names, g_build_filename(argv[i], e, NULL));
		if (d)
			g_dir_close(d);
		g_ptr_array_sort(names, by_name);
		for (unsigned k = 0; k < names->len; k++)
			if (g_file_test(names->pdata[k], G_FILE_TEST_IS_REGULAR)) {
				bad |= run_file(names->pdata[k]);
				runs++;
			}
		g_ptr_array_free(names, TRUE);
	}
	fprintf(stderr, "%s: %d inputs run\n", argv[0], runs);
	return bad;
}
