/* pagetables.c: identity map for long-mode entry (Intel SDM vol. 3A §4.5,
 * 4-level paging with 2 MiB pages: PML4E -> PDPTE -> PDE with PS set). */
#include "boot/pagetables.h"

#include <string.h>

#include "boot/bytes.h"
#include "core/layout.h"

#define PT_PAGE     4096ULL
#define PT_ENTRIES  512ULL
#define PTE_PRESENT (1ULL << 0)
#define PTE_RW      (1ULL << 1)
#define PTE_PS      (1ULL << 7) /* in a PDE: maps a 2 MiB page */
#define PAGE_2M     (2 * MiB)

_Static_assert(LAYOUT_PD_PAGES <= PT_ENTRIES, "one PDPT holds every page directory");
_Static_assert(LAYOUT_CMDLINE + LAYOUT_CMDLINE_MAX <= LAYOUT_PD, "command line ends below the PDs");
_Static_assert(LAYOUT_PD + LAYOUT_PD_PAGES * PT_PAGE <= LAYOUT_MPTABLE_START,
	       "page directories end below the MP table");

uint64_t pagetables_map_size(const struct guest_mem *m)
{
	uint64_t top = (mem_top(m) + GiB - 1) & ~(GiB - 1);
	if (top < 4 * GiB)
		top = 4 * GiB;
	if (top > LAYOUT_PD_PAGES * GiB)
		top = LAYOUT_PD_PAGES * GiB;
	return top;
}

int pagetables_write(struct guest_mem *m, struct err *e)
{
	uint8_t *pml4 = gpa_to_hva(m, LAYOUT_PML4, PT_PAGE);
	uint8_t *pdpt = gpa_to_hva(m, LAYOUT_PDPT, PT_PAGE);
	uint8_t *pd = gpa_to_hva(m, LAYOUT_PD, LAYOUT_PD_PAGES * PT_PAGE);
	if (!pml4 || !pdpt || !pd)
		return err_set(e, ERR_HOST, "page tables at 0x%llx..0x%llx are not guest RAM",
			       LAYOUT_PML4, LAYOUT_PD + LAYOUT_PD_PAGES * PT_PAGE);
	/* Whole pages are rewritten: RAM may hold a previous boot's tables. */
	memset(pml4, 0, PT_PAGE);
	memset(pdpt, 0, PT_PAGE);
	le_put64(pml4, LAYOUT_PDPT | PTE_PRESENT | PTE_RW);

	uint64_t ngib = pagetables_map_size(m) / GiB;
	for (uint64_t g = 0; g < ngib; g++) {
		uint64_t pd_gpa = LAYOUT_PD + g * PT_PAGE;
		le_put64(pdpt + g * 8, pd_gpa | PTE_PRESENT | PTE_RW);
		for (uint64_t i = 0; i < PT_ENTRIES; i++) {
			uint64_t pa = (g * PT_ENTRIES + i) * PAGE_2M;
			le_put64(pd + g * PT_PAGE + i * 8, pa | PTE_PRESENT | PTE_RW | PTE_PS);
		}
	}
	return 0;
}
