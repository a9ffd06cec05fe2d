/* usermode_hash.h: the integer loop usermode.c runs at CPL3; shared so its result can be checked on the host. */
#ifndef USERMODE_HASH_H
#define USERMODE_HASH_H

#include <stdint.h>

#define USERMODE_DEFAULT_ITERS 200000000ULL

/* A multiply-xorshift chain: each step depends on the last, so the compiler
 * can neither vectorise nor fold it, and every iteration really executes. */
static inline uint64_t usermode_hash(uint64_t iters)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL;
	for (uint64_t i = 0; i < iters; i++) {
		h ^= i;
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 29;
	}
	return h;
}

#endif
