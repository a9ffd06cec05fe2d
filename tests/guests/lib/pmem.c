/* pmem.c: bump allocation of guest-physical memory for device buffers, from a
 * range the OS names: pmem_e820.c finds it in a boot loader's e820 map, the
 * conformance OS (tests/conformance/pmem_fixed.c) gives a fixed one. */
#include "guest.h"
#include "pmem.h"

static uint64_t pmem_next, pmem_end;

uint64_t pmem_init_range(uint64_t base, uint64_t end)
{
	pmem_next = base;
	pmem_end = end;
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
