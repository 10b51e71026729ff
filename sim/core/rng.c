/* rng.c - the run's random generator: xoshiro256** seeded by splitmix64.
 *
 * Design: one small, fast, well-studied generator (Blackman and Vigna) whose
 * whole state is four words, so a run is reproducible from its seed alone.
 * Bounded draws use Lemire's multiply-and-reject method (no modulo bias).
 */
#include "sim/core/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void rng_seed(struct rng *r, uint64_t seed)
{
	uint64_t x = seed;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

uint64_t rng_u64(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint32_t rng_u32(struct rng *r)
{
	return (uint32_t)(rng_u64(r) >> 32);
}

/* Lemire, "Fast Random Integer Generation in an Interval" (2019). */
uint32_t rng_below(struct rng *r, uint32_t n)
{
	uint64_t m = (uint64_t)rng_u32(r) * n;
	uint32_t low = (uint32_t)m;
	if (low < n) {
		uint32_t threshold = -n % n;
		while (low < threshold) {
			m = (uint64_t)rng_u32(r) * n;
			low = (uint32_t)m;
		}
	}
	return (uint32_t)(m >> 32);
}

double rng_double(struct rng *r)
{
	return (double)(rng_u64(r) >> 11) * 0x1.0p-53;
}
