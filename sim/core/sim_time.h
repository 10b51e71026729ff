/* sim_time.h - simulated time.
 *
 * Time is an integer count of nanoseconds since the start of the run (ns-3's
 * choice): exact, totally ordered, and free of floating-point drift, so two runs
 * of one scenario compute the same instants bit for bit.
 */
#ifndef SIM_TIME_H
#define SIM_TIME_H

#include <stdbool.h>
#include <stdint.h>

typedef int64_t sim_time;

#define SIM_NS 1LL
#define SIM_US 1000LL
#define SIM_MS 1000000LL
#define SIM_S 1000000000LL
#define SIM_TIME_NEVER INT64_MAX

/* Parse "1.5ms", "3s", "250us", "10ns" (a unit is required). Returns false on a
 * malformed value, a missing unit or a negative time. */
bool sim_time_parse(const char *text, sim_time *out);

/* Parse a duration that may also be a bare number of seconds ("0.2"), as
 * iputils' ping -i takes it. */
bool sim_time_parse_seconds(const char *text, sim_time *out);

/* "SECONDS.MICROS" (e.g. "12.000345"), truncated to the microsecond. */
void sim_time_format(sim_time t, char buf[32]);

#endif
