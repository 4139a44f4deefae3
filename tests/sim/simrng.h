/*
 * simrng.h - the simulators' random numbers: splitmix64 over one state
 * word, so that a seed names a run and a run can be replayed.
 */
#ifndef SENTINEL_SIMRNG_H
#define SENTINEL_SIMRNG_H

#include <stdint.h>

static inline uint64_t
simrng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); 0 when n <= 0. */
static inline int64_t
simrng_below(uint64_t *state, int64_t n)
{
	return n > 0 ? (int64_t)(simrng_next(state) % (uint64_t)n) : 0;
}

/* Uniform in [0, 1). */
static inline double
simrng_unit(uint64_t *state)
{
	return (double)(simrng_next(state) >> 11) / 9007199254740992.0;
}

#endif
