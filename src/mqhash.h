/*
 * mqhash.h — the one copy of minqing's portable hashes and its small
 * deterministic random generator.  Everything here is computed byte by byte
 * or on uint64, so it gives the same numbers on every machine (states and
 * seeded draws travel between nodes and must not depend on endianness).
 *
 * How to use it:
 *   a seeded stream        uint64 st = seed;  x = mq_splitmix64_next(&st);
 *                          k = mq_random_below(&st, n);   -- uniform in [0, n)
 *   a counter-based draw   x = mq_splitmix64(key + i * MQ_GOLDEN64);
 *   mixing a 64-bit value  h = mq_mix64(h)          -- bijective, full avalanche
 *   hashing bytes          h = mq_fnv1a(p, len);    -- or continue an FNV-1a
 *                          h = mq_fnv1a_extend(h, p, len)
 * A feature that needs its own stream seeds it from the user's seed and a
 * constant of its own (mq_splitmix64(seed ^ MY_CONSTANT)), so streams of
 * different features never overlap by accident.
 */
#ifndef MINQING_MQHASH_H
#define MINQING_MQHASH_H

#include "c.h"

/* 2^64 / golden ratio: splitmix64's increment (Weyl sequence) */
#define MQ_GOLDEN64			UINT64CONST(0x9E3779B97F4A7C15)
/* FNV-1a, 64-bit: offset basis and prime */
#define MQ_FNV1A_INIT		UINT64CONST(0xCBF29CE484222325)
#define MQ_FNV1A_PRIME		UINT64CONST(0x100000001B3)

/*
 * splitmix64's finaliser (Stafford's variant 13, as in Steele, Lea & Flood
 * 2014 and Vigna's splitmix64.c): a bijective 64-bit mix.
 */
static inline uint64
mq_mix64(uint64 z)
{
	z = (z ^ (z >> 30)) * UINT64CONST(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

/* splitmix64 as a function: the output for state z (z advanced once). */
static inline uint64
mq_splitmix64(uint64 z)
{
	return mq_mix64(z + MQ_GOLDEN64);
}

/* splitmix64 as a stream: advance *state and return the next output. */
static inline uint64
mq_splitmix64_next(uint64 *state)
{
	*state += MQ_GOLDEN64;
	return mq_mix64(*state);
}

/*
 * A uniform integer in [0, range) from the stream (range < 2^32;
 * multiply-shift on the top 32 bits, bias below range / 2^32).
 */
static inline uint32
mq_random_below(uint64 *state, uint32 range)
{
	return (uint32) (((mq_splitmix64_next(state) >> 32) * (uint64) range) >> 32);
}

/* A uniform double in [0, 1) with 53 random bits of x. */
static inline double
mq_unit_double(uint64 x)
{
	return (double) (x >> 11) * (1.0 / 9007199254740992.0);
}

/* FNV-1a over len bytes, continuing from hash h (start with MQ_FNV1A_INIT). */
static inline uint64
mq_fnv1a_extend(uint64 h, const void *p, Size len)
{
	const unsigned char *b = (const unsigned char *) p;

	for (Size i = 0; i < len; i++)
	{
		h ^= b[i];
		h *= MQ_FNV1A_PRIME;
	}
	return h;
}

/* FNV-1a over len bytes. */
static inline uint64
mq_fnv1a(const void *p, Size len)
{
	return mq_fnv1a_extend(MQ_FNV1A_INIT, p, len);
}

#endif							/* MINQING_MQHASH_H */
