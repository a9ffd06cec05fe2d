/* pmem_fixed.c: lib/pmem.h's allocator over a fixed RAM range (CONF_PMEM_BASE..END): no e820 map after firmware boot. */
#include "os.h"
#include "lib/pmem.h"

static uint64_t pmem_next, pmem_end;

uint64_t pmem_init(void)
{
	pmem_next = CONF_PMEM_BASE;
	pmem_end = CONF_PMEM_END;
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
	/* rep stosq: one emulated iteration per 8 bytes at CPL0 on PVM hosts. */
	size_t q = n / 8, r = n % 8;
	void *d = p;
	__asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(0ull) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(r) : "a"(0) : "memory");
}

uint64_t pmem_left(void)
{
	return pmem_end - pmem_next;
}
