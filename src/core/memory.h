/* memory.h: guest RAM (memfd-backed) and the one checked way to reach it. */
#ifndef VMM_CORE_MEMORY_H
#define VMM_CORE_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define MEM_MAX_REGIONS 2
#define MEM_MAX_SLOTS (MEM_MAX_REGIONS + 1) /* a hole splits one region in two */

struct mem_region {
	uint64_t gpa;  /* guest-physical start */
	uint64_t size; /* bytes */
	uint8_t *hva;  /* host mapping of the whole region */
};

struct guest_mem {
	struct mem_region regions[MEM_MAX_REGIONS];
	unsigned nregions;
	uint64_t ram_size; /* total bytes of RAM over all regions */
	int memfd;
};

/* Lay out ram_size bytes per layout.h and map them (MAP_SHARED|MAP_NORESERVE on
 * one memfd). ram_size must be a multiple of 2 MiB within MEM_MIN/MAX_SIZE. */
int mem_init(struct guest_mem *m, uint64_t ram_size, struct err *e);
void mem_destroy(struct guest_mem *m);

/* The region split alone, without mapping anything (unit-testable). */
int mem_plan(struct guest_mem *m, uint64_t ram_size, struct err *e);

/* The RAM's KVM slots: m's regions with [hole_gpa, hole_gpa + hole_len) left
 * out (hole_len 0: none), each piece's hva following its region's (NULL
 * before mem_init). The hole must be page-aligned and inside one region.
 * Returns the count, up to MEM_MAX_SLOTS; 0 for a bad hole. The RAM in the
 * hole stays allocated: gpa_to_hva still reaches it. */
unsigned mem_slot_plan(const struct guest_mem *m, uint64_t hole_gpa, uint64_t hole_len,
		       struct mem_region out[MEM_MAX_SLOTS]);

/* Host pointer for [gpa, gpa+len) or NULL unless the whole range lies inside
 * one RAM region (len 0 is refused; overflow is refused). Every guest address
 * the VMM dereferences goes through here. */
void *gpa_to_hva(const struct guest_mem *m, uint64_t gpa, uint64_t len);

/* True when [gpa, gpa+len) is RAM. */
bool mem_is_ram(const struct guest_mem *m, uint64_t gpa, uint64_t len);

/* Checked copies; return 0 or -1 when the range is not RAM. */
int mem_write(const struct guest_mem *m, uint64_t gpa, const void *src, uint64_t len);
int mem_read(const struct guest_mem *m, uint64_t gpa, void *dst, uint64_t len);

/* Highest guest-physical address of RAM + 1. */
uint64_t mem_top(const struct guest_mem *m);

#endif
