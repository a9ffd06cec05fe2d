/* pmem.h: a bump allocator over guest RAM for device-visible buffers (rings, requests, data). */
#ifndef GUEST_PMEM_H
#define GUEST_PMEM_H

#include <stddef.h>
#include <stdint.h>

/* The arena starts at 16 MiB, clear of the image at 1 MiB and its NOBITS
 * stacks and page tables, and ends where the e820 RAM range holding it ends
 * (capped at 3 GiB, the bottom of the PCI hole, and at what our 4 GiB
 * identity map covers). */
#define PMEM_ARENA_BASE 0x1000000ull
#define PMEM_ARENA_MAX  0xC0000000ull

/* Find the arena in the memory map (pmem_e820.c; the conformance OS has its
 * own). Returns its size in bytes, 0 when the map has no RAM at
 * PMEM_ARENA_BASE. */
uint64_t pmem_init(void);
/* Use [base, end) as the arena (pmem.c); returns its size in bytes. */
uint64_t pmem_init_range(uint64_t base, uint64_t end);
/* align (a power of two) aligned, NOT zeroed; NULL when the arena is exhausted. */
void *pmem_alloc(uint64_t size, uint64_t align);
/* Zero n bytes with rep stosq (8 bytes per emulated iteration at CPL0), the
 * tail with rep stosb. */
void pmem_zero(void *p, size_t n);
/* Bytes left in the arena. */
uint64_t pmem_left(void);

#endif
