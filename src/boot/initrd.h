/* initrd.h: place the initial ramdisk high in low RAM, above the kernel
 * (boot.rst: initrd_addr_max, "placed high"). */
#ifndef VMM_BOOT_INITRD_H
#define VMM_BOOT_INITRD_H

#include <stdint.h>

#include "boot/image.h"
#include "core/error.h"
#include "core/memory.h"

/* The page-aligned address as high as possible such that [gpa, gpa+size)
 * ends at or below initrd_addr_max + 1, MEM_LOW_TOP and the end of low RAM,
 * and starts at or above img->end. Errors name path. */
int initrd_place(const struct guest_mem *m, const char *path, uint64_t size,
		 const struct boot_image *img, uint64_t *gpa, struct err *e);

/* Read the file at path straight into guest RAM at the place above. */
int initrd_load(struct guest_mem *m, const char *path, const struct boot_image *img,
		uint64_t *gpa, uint64_t *size, struct err *e);

#endif
