/* longmode.h: the boot GDT; boot_longmode_regs (boot.h) loads the same segments. */
#ifndef VMM_BOOT_LONGMODE_H
#define VMM_BOOT_LONGMODE_H

#include "core/error.h"
#include "core/memory.h"

/* The flat GDT described in boot.h (BOOT_SEL_*), at LAYOUT_BOOT_GDT. */
int gdt_write(struct guest_mem *m, struct err *e);

#endif
