/* e820.h: the guest's physical memory map as BIOS INT 15h/E820 reports it.
 *
 * Direct boot puts it in boot_params (zero-page.rst: e820_table at 0x2D0);
 * full mode hands the same entries to SeaBIOS through fw_cfg "etc/e820". */
#ifndef VMM_BOOT_E820_H
#define VMM_BOOT_E820_H

#include <stdint.h>

#include "core/memory.h"

/* Address range types (ACPI 6.5 §15.1 table 15.1; Linux asm/e820/types.h). */
#define E820_TYPE_RAM      1
#define E820_TYPE_RESERVED 2

/* One entry as both boot_params and fw_cfg lay it out: 20 bytes, packed. */
struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));

_Static_assert(sizeof(struct e820_entry) == 20, "e820 entries are 20 bytes");

/* Low RAM, the reserved boot/BIOS area, RAM from 1 MiB, KVM's private pages,
 * and one entry per RAM region above 4 GiB. */
#define E820_BUILD_MAX (4 + MEM_MAX_REGIONS - 1)

/* Fill out[] (sorted by address) from the RAM layout; returns the number of
 * entries written, at most max (pass E820_BUILD_MAX to get them all). */
unsigned e820_build(const struct guest_mem *m, struct e820_entry *out, unsigned max);

#endif
