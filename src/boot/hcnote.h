/* hcnote.h: does a direct-boot kernel declare the para hypercall ABI?
 * (include/vmm/hypercall.h: the ELF note VMM_HC_NOTE_NAME / VMM_HC_NOTE_TYPE). */
#ifndef VMM_BOOT_HCNOTE_H
#define VMM_BOOT_HCNOTE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

/* Open the kernel at path (as boot_check_files does, at most max bytes) and
 * look for the note. Sets *found and *abi (the declared version). Errors
 * (ERR_INPUT) name the file: unreadable, or a note whose descriptor is not
 * exactly 4 bytes. A bzImage or any non-ELF file has no note. */
int hcnote_read(const char *path, uint64_t max, bool *found, uint32_t *abi, struct err *e);

#endif
