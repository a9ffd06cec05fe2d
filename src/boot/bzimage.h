/* bzimage.h: load a Linux bzImage for its 64-bit entry point (Linux
 * Documentation/arch/x86/boot.rst, "64-bit Boot Protocol"). */
#ifndef VMM_BOOT_BZIMAGE_H
#define VMM_BOOT_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot/image.h"
#include "core/error.h"
#include "core/memory.h"

/* Oldest protocol with xloadflags, which announces the 64-bit entry. */
#define BZIMAGE_MIN_VERSION 0x020C

/* True when buf carries the "HdrS" setup header signature at 0x202. */
bool bzimage_is_bzimage(const uint8_t *buf, size_t len);

/* Check the setup header, load the protected-mode kernel at 1 MiB, copy the
 * setup header into bp (a zeroed BP_SIZE boot_params buffer) and fill the
 * loader's fields there; fill img. Errors (ERR_INPUT) read
 * "kernel <path>: <what is wrong>". */
int bzimage_load(struct guest_mem *m, const uint8_t *buf, size_t len, const char *path,
		 uint8_t *bp, struct boot_image *img, struct err *e);

#endif
