/* initrd.c: load the initial ramdisk where Linux accepts it. */
#include "boot/initrd.h"

#include <unistd.h>

#include "boot/bootfile.h"
#include "core/layout.h"

#define INITRD_ALIGN 4096ULL /* Linux frees the initrd by pages */

static uint64_t initrd_limit(const struct guest_mem *m, const struct boot_image *img)
{
	uint64_t limit = m->regions[0].gpa + m->regions[0].size;
	/* initrd_addr_max is the last byte it may occupy; without
	 * XLF_CAN_BE_LOADED_ABOVE_4G it stays in 32-bit space below the hole. */
	if (img->initrd_addr_max < limit - 1)
		limit = img->initrd_addr_max + 1;
	if (limit > MEM_LOW_TOP)
		limit = MEM_LOW_TOP;
	return limit;
}

int initrd_place(const struct guest_mem *m, const char *path, uint64_t size,
		 const struct boot_image *img, uint64_t *gpa, struct err *e)
{
	uint64_t limit = initrd_limit(m, img);
	uint64_t floor = (img->end + INITRD_ALIGN - 1) & ~(INITRD_ALIGN - 1);
	if (size == 0 || size > limit || ((limit - size) & ~(INITRD_ALIGN - 1)) < floor)
		return err_set(e, ERR_INPUT,
			       "initrd %s: %llu bytes do not fit between the kernel's end 0x%llx and 0x%llx",
			       path, (unsigned long long)size, (unsigned long long)floor,
			       (unsigned long long)limit);
	*gpa = (limit - size) & ~(INITRD_ALIGN - 1);
	return 0;
}

int initrd_load(struct guest_mem *m, const char *path, const struct boot_image *img,
		uint64_t *gpa, uint64_t *size, struct err *e)
{
	int fd = -1;
	if (bootfile_open("initrd", path, m->ram_size, &fd, size, e))
		return -1;
	int rc = initrd_place(m, path, *size, img, gpa, e);
	if (rc == 0) {
		void *dst = gpa_to_hva(m, *gpa, *size);
		rc = dst ? bootfile_read("initrd", path, fd, dst, *size, e)
			 : err_set(e, ERR_INPUT, "initrd %s: placement 0x%llx is not guest RAM",
				   path, (unsigned long long)*gpa);
	}
	close(fd);
	return rc;
}
