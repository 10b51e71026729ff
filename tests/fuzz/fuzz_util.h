/* fuzz_util.h - what the natsim fuzz harnesses share: a private output
 * directory, loading a scenario from text, and running a world to its end.
 *
 * Design: each harness is a libFuzzer target (LLVMFuzzerTestOneInput) built
 * twice: with clang -fsanitize=fuzzer for `make fuzz`, and with the project's
 * compiler plus driver.c (a main() that feeds files) for the regression run in
 * `make test`, so every input in tests/fuzz/corpus and tests/fuzz/regress is
 * replayed on every build, sanitized under `make asan`.
 */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "sim/scenario/scenario.h"
#include "sim/sock/sock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A per-process scratch directory (created once, under $TMPDIR or /tmp). */
const char *fz_dir(void);
/* Write size bytes to fz_dir()/name; returns the path (static buffer). */
const char *fz_write_file(const char *name, const uint8_t *data, size_t size);
/* A world (no pcaps, quiet, --check unless the harness turns it off) loaded
 * from scenario text; NULL if the text is bad input (2). */
struct world *fz_world_load(const char *text, size_t len, bool trace);
/* The whole run as `natsim run` does it (commands, events, expectations,
 * summary.json in fz_dir()), then world_free. Aborts if --check saw a broken
 * conntrack invariant: that is a bug, whatever the input was. */
void fz_world_run_free(struct world *w);
/* The rule harnesses' world: router r between host a (r:eth0, 192.168.1.1/24)
 * and host b (r:eth1, 203.0.113.1/24); it aborts if that fixed text fails. */
struct world *fz_router_world(void);
/* Four packets through PREROUTING, FORWARD and POSTROUTING of ns, as the
 * forward path calls the hooks: a TCP SYN and a UDP datagram and an ICMP echo
 * from the LAN (eth0 -> eth1), and a TCP SYN back from the outside. */
void fz_walk_forward(struct nf_ns *ns);
/* Send stdout to /dev/null (the packet walk and command output). */
void fz_quiet_stdout(void);
/* Defined once in fuzz_util.c for every harness: quiets stdout. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif
