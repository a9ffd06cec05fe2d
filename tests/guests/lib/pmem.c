/* pmem.c: bump allocation of guest-physical memory for device buffers, from the e820 map. */
#include "guest.h"
#include "pmem.h"

#define E820_RAM 1

static uint64_t pmem_next, pmem_end;

uint64_t pmem_init(void)
{
	struct e820_entry e;
	int n = boot_e820(0, NULL);
	pmem_next = pmem_end = 0;
	for (int i = 0; i < n; i++) {
		boot_e820(i, &e);
		if (e.type != E820_RAM || e.addr > PMEM_ARENA_BASE || e.addr + e.size <= PMEM_ARENA_BASE)
			continue;
		uint64_t end = e.addr + e.size;
		if (end > PMEM_ARENA_MAX)
			end = PMEM_ARENA_MAX;
		pmem_next = PMEM_ARENA_BASE;
		pmem_end = end;
		break;
	}
	return pmem_end - pmem_next;
}

void *pmem_alloc(uint64_t size, uint64_t align)
{
	uint64_t a = (pmem_next + align - 1) & ~(align - 1);
	if (!pmem_end || a < pmem_next || a + size > pmem_end || a + size < a)
		return NULL;
	pmem_next = a + size;
	return phys((uintptr_t)a);
}

void pmem_zero(void *p, size_t n)
{
	size_t q = n / 8, r = n % 8;
	void *d = p;
	__asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(0ull) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(r) : "a"(0) : "memory");
}

uint64_t pmem_left(void)
{
	return pmem_end - pmem_next;
}
