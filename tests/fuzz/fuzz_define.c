/* fuzz_define.c - the text `natsim test`/`merge` and `run -D` read besides
 * the scenario: the first line of the input is a list of -D overrides
 * separated by ';' and also a run key (a directory name `natsim merge`
 * reads, run_from_key); the rest is scenario text whose `define` lines and
 * ${NAME} are expanded (scn_expand_defines). Nothing may crash or leak.
 */
#include <string.h>

#include "sim/runner/run.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	char *text = g_strndup((const char *)data, size);
	char *nl = strchr(text, '\n');
	const char *body = nl ? nl + 1 : "";
	if (nl)
		*nl = '\0';
	char **overrides = g_strsplit(text, ";", 16);
	struct run *r = run_from_key(text, "dir");
	if (r) {
		for (unsigned i = 0; r->params[i]; i++)
			run_param(r, r->params[i]);
		(void)run_key_cmp(r->key, body);
		run_free(r);
	}
	if (g_utf8_validate(body, -1, NULL)) {
		GPtrArray *lines = scn_split_lines(body);
		struct scn_error err = { 0 };
		scn_expand_defines(lines, *text ? (const char *const *)overrides : NULL, "input.scn",
				   &err);
		scn_error_clear(&err);
		g_ptr_array_free(lines, TRUE);
	}
	g_strfreev(overrides);
	g_free(text);
	return 0;
}
