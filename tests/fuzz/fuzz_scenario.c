/* fuzz_scenario.c - the scenario parser (`natsim check`): arbitrary text as
 * a *.scn file. Every statement, node command (dry run), expectation and
 * redirection is parsed; nothing may crash, leak or hang, whatever the text.
 */
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	struct world *w = fz_world_load((const char *)data, size, false);
	if (w)
		world_free(w);
	packet_pool_drain();
	return 0;
}
