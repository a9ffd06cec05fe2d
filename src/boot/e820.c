/* e820.c: the memory map vmm reports to its guests. */
#include "boot/e820.h"

#include <string.h>

#include "core/layout.h"

unsigned e820_build(const struct guest_mem *m, struct e820_entry *out, unsigned max)
{
	struct e820_entry t[E820_BUILD_MAX];
	unsigned n = 0;
	/* mem_plan guarantees region 0 starts at 0 and reaches past 1 MiB. */
	uint64_t low_top = m->regions[0].gpa + m->regions[0].size;

	/* Below 640 KiB: plain RAM up to the MP table. */
	t[n++] = (struct e820_entry){ 0, LAYOUT_MPTABLE_START, E820_TYPE_RAM };
	/* MP table, EBDA, VGA hole and BIOS area: what a PC reserves below 1 MiB,
	 * so the guest never reuses the MP table as free memory. */
	t[n++] = (struct e820_entry){ LAYOUT_MPTABLE_START, LAYOUT_HIMEM_START - LAYOUT_MPTABLE_START,
				      E820_TYPE_RESERVED };
	t[n++] = (struct e820_entry){ LAYOUT_HIMEM_START, low_top - LAYOUT_HIMEM_START, E820_TYPE_RAM };
	/* KVM's identity-map and TSS pages live in the hole; a guest must not
	 * place MMIO there (api.rst 4.41, 4.48). */
	t[n++] = (struct e820_entry){ LAYOUT_KVM_IDENTITY_MAP, LAYOUT_KVM_PRIVATE_SIZE,
				      E820_TYPE_RESERVED };
	for (unsigned i = 1; i < m->nregions; i++)
		t[n++] = (struct e820_entry){ m->regions[i].gpa, m->regions[i].size, E820_TYPE_RAM };

	if (n > max)
		n = max;
	memcpy(out, t, n * sizeof(t[0]));
	return n;
}
