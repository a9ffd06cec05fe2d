/* elf.h: load an ELF64 x86-64 executable (Linux vmlinux or a purpose-built
 * guest) from a buffer into guest RAM at its segments' physical addresses. */
#ifndef VMM_BOOT_ELF_H
#define VMM_BOOT_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/image.h"
#include "core/error.h"
#include "core/memory.h"

/* Linux's default initrd_addr_max (arch/x86/boot/header.S: 2 GiB "to avoid
 * possible bootloader bugs"); ELF images carry no header that says otherwise. */
#define ELF_INITRD_ADDR_MAX 0x7FFFFFFFULL

/* True when buf starts with the ELF magic "\x7fELF". */
bool elf_is_elf(const uint8_t *buf, size_t len);

/* Check every header against len and guest RAM, copy each PT_LOAD to its
 * p_paddr (>= LAYOUT_KERNEL_MIN), zero its bss, and fill img. Errors (ERR_INPUT)
 * read "kernel <path>: <what is wrong>". */
int elf_load(struct guest_mem *m, const uint8_t *buf, size_t len, const char *path,
	     struct boot_image *img, struct err *e);

#endif
