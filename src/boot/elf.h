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

/* Search one note area (the contents of a PT_NOTE segment; gABI "Note
 * Section"): entries of namesz, descsz and type (4 bytes each), then the name
 * and the descriptor, each padded to align (8 when the segment's p_align is
 * 8, else 4). Returns 1 and sets *desc / *desc_len for the first entry whose
 * type and NUL-terminated name match, 0 when none does. An entry that runs
 * past len ends the search: a malformed area holds no note. */
int elf_find_note(const uint8_t *area, size_t len, uint64_t align, const char *name,
		  uint32_t type, const uint8_t **desc, uint32_t *desc_len);

/* The same over the PT_NOTE segments of the ELF64 file open on fd (size
 * bytes), reading only its headers and note segments (a segment larger than
 * ELF_NOTE_AREA_MAX is skipped). Copies up to desc_max bytes of the
 * descriptor to desc and sets *desc_len to its full length. Returns 1 when
 * found, 0 when not (also for a file that is no ELF64 image or whose headers
 * do not fit in it: elf_load reports those), -1 (ERR_INPUT naming path) when
 * reading fails. */
#define ELF_NOTE_AREA_MAX (64 * 1024)
int elf_file_find_note(int fd, uint64_t size, const char *path, const char *name, uint32_t type,
		       void *desc, size_t desc_max, uint32_t *desc_len, struct err *e);

#endif
