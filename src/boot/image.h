/* image.h: what a kernel loader (ELF or bzImage) tells the rest of direct boot. */
#ifndef VMM_BOOT_IMAGE_H
#define VMM_BOOT_IMAGE_H

#include <stdint.h>

struct boot_image {
	uint64_t entry;           /* 64-bit entry point, guest-physical */
	uint64_t end;             /* first byte above all memory the kernel claims;
				   * the initrd must go at or above it */
	uint64_t initrd_addr_max; /* highest byte the initrd may occupy */
	uint64_t cmdline_max;     /* longest command line, without the NUL */
};

#endif
