/* pmem_e820.c: pmem_init for loader-booted guests: the arena is the part of
 * the e820 RAM range holding PMEM_ARENA_BASE below PMEM_ARENA_MAX. */
#include "guest.h"
#include "pmem.h"

#define E820_RAM 1 /* address range type 1, AddressRangeMemory (ACPI 6.4 ch. 15) */

uint64_t pmem_init(void)
{
	struct e820_entry e;
	int n = boot_e820(0, NULL);
	for (int i = 0; i < n; i++) {
		boot_e820(i, &e);
		if (e.type != E820_RAM || e.addr > PMEM_ARENA_BASE || e.addr + e.size <= PMEM_ARENA_BASE)
			continue;
		uint64_t end = e.addr + e.size;
		if (end > PMEM_ARENA_MAX)
			end = PMEM_ARENA_MAX;
		return pmem_init_range(PMEM_ARENA_BASE, end);
	}
	return pmem_init_range(0, 0);
}
