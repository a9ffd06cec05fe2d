/* pagetables.h: the identity map the 64-bit entry runs on. */
#ifndef VMM_BOOT_PAGETABLES_H
#define VMM_BOOT_PAGETABLES_H

#include <stdint.h>

#include "core/error.h"
#include "core/memory.h"

/* Bytes identity-mapped from 0: max(4 GiB, mem_top rounded up to 1 GiB),
 * capped at LAYOUT_PD_PAGES GiB. 4 GiB at least, so the IOAPIC, the LAPIC and
 * the PCI hole are reachable before a guest builds its own tables. */
uint64_t pagetables_map_size(const struct guest_mem *m);

/* PML4 at LAYOUT_PML4 -> one PDPT at LAYOUT_PDPT -> page directories at
 * LAYOUT_PD of 2 MiB pages, writable, supervisor, cacheable. */
int pagetables_write(struct guest_mem *m, struct err *e);

#endif
