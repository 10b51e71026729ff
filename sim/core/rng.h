/* rng.h - the run's seeded random generator (xoshiro256**, seeded by splitmix64).
 *
 * Every random choice a run makes (link loss, NAT port offsets, hash keys) draws
 * from one generator owned by the run, so a seed fixes the whole outcome.
 */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_u64(struct rng *r);
uint32_t rng_u32(struct rng *r);
/* Uniform in [0, n), n > 0, without modulo bias. */
uint32_t rng_below(struct rng *r, uint32_t n);
/* Uniform double in [0, 1). */
double rng_double(struct rng *r);

#endif
