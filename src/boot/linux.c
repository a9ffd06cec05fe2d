/* linux.c: direct kernel boot: read the image, load it (ELF or bzImage), and
 * lay out everything the 64-bit entry expects (boot.h has the contract). */
#include <stdlib.h>
#include <unistd.h>

#include "boot/boot.h"
#include "boot/bootfile.h"
#include "boot/bzimage.h"
#include "boot/e820.h"
#include "boot/elf.h"
#include "boot/initrd.h"
#include "boot/longmode.h"
#include "boot/mptable.h"
#include "boot/pagetables.h"
#include "boot/zeropage.h"
#include "core/layout.h"

/* Read the whole kernel file into a malloc'd buffer; a kernel larger than
 * guest RAM could never load, so that also caps the allocation. */
static int linux_read_kernel(const struct guest_mem *m, const char *path, uint8_t **buf,
			     size_t *len, struct err *e)
{
	int fd = -1;
	uint64_t size = 0;
	if (bootfile_open("kernel", path, m->ram_size, &fd, &size, e))
		return -1;
	uint8_t *p = malloc(size);
	if (!p) {
		close(fd);
		return err_set(e, ERR_HOST, "kernel %s: cannot allocate %llu bytes to read it", path,
			       (unsigned long long)size);
	}
	int rc = bootfile_read("kernel", path, fd, p, size, e);
	close(fd);
	if (rc) {
		free(p);
		return -1;
	}
	*buf = p;
	*len = size;
	return 0;
}

/* Dispatch on the format's magic; bp receives the setup header. */
static int linux_load_image(struct guest_mem *m, const char *path, uint8_t *bp,
			    struct boot_image *img, struct err *e)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	if (linux_read_kernel(m, path, &buf, &len, e))
		return -1;
	int rc;
	if (elf_is_elf(buf, len)) {
		rc = elf_load(m, buf, len, path, img, e);
		zeropage_init_elf(bp);
	} else if (bzimage_is_bzimage(buf, len)) {
		rc = bzimage_load(m, buf, len, path, bp, img, e);
	} else {
		rc = err_set(e, ERR_INPUT,
			     "kernel %s: neither an ELF file nor a bzImage (no \"HdrS\" at 0x202)", path);
	}
	free(buf);
	return rc;
}

static int linux_add_initrd(struct guest_mem *m, const char *path, const struct boot_image *img,
			    uint8_t *bp, struct err *e)
{
	uint64_t gpa = 0, size = 0;
	if (initrd_load(m, path, img, &gpa, &size, e))
		return -1;
	zeropage_set_ramdisk(bp, gpa, size);
	return 0;
}

/* Everything below 1 MiB the entry relies on: zero page, tables, GDT. */
static int linux_write_platform(struct guest_mem *m, const uint8_t *bp,
				const struct boot_request *req, struct err *e)
{
	if (mem_write(m, LAYOUT_BOOT_PARAMS, bp, BP_SIZE))
		return err_set(e, ERR_HOST, "zero page at 0x%llx is not guest RAM",
			       LAYOUT_BOOT_PARAMS);
	if (pagetables_write(m, e) || gdt_write(m, e) || mptable_write(m, req->ncpus, req->pci, e))
		return -1;
	return 0;
}

int boot_load_kernel(struct guest_mem *m, const struct boot_request *req,
		     struct boot_entry *out, struct err *e)
{
	uint8_t bp[BP_SIZE] = { 0 };
	struct boot_image img;
	struct e820_entry map[E820_BUILD_MAX];

	if (!req->kernel_path)
		return err_set(e, ERR_INPUT, "no kernel given");
	if (req->ncpus < 1 || req->ncpus > MPTABLE_MAX_CPUS)
		return err_set(e, ERR_INPUT, "%u CPUs: direct boot describes 1 to %u", req->ncpus,
			       MPTABLE_MAX_CPUS);
	if (linux_load_image(m, req->kernel_path, bp, &img, e) ||
	    zeropage_write_cmdline(m, bp, req->cmdline, img.cmdline_max, e))
		return -1;
	if (req->initrd_path && linux_add_initrd(m, req->initrd_path, &img, bp, e))
		return -1;
	zeropage_set_e820(bp, map, e820_build(m, map, E820_BUILD_MAX));
	if (linux_write_platform(m, bp, req, e))
		return -1;
	out->rip = img.entry;
	out->rsp = LAYOUT_BOOT_STACK_TOP;
	out->rsi = LAYOUT_BOOT_PARAMS;
	return 0;
}

/* Open each named file once, so a missing or unusable one is reported (as
 * ERR_INPUT) before any KVM resource exists. boot_load_kernel checks again. */
int boot_check_files(const struct boot_request *req, uint64_t ram_size, struct err *e)
{
	const char *what[2] = { "kernel", "initrd" };
	const char *path[2] = { req->kernel_path, req->initrd_path };
	for (int i = 0; i < 2; i++) {
		int fd = -1;
		uint64_t size = 0;
		if (!path[i])
			continue;
		if (bootfile_open(what[i], path[i], ram_size, &fd, &size, e))
			return -1;
		close(fd);
	}
	return 0;
}
