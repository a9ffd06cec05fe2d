/* zeropage.c: fill Linux's boot_params (zero-page.rst, boot.rst). */
#include "boot/zeropage.h"

#include <string.h>

#include "boot/bytes.h"
#include "core/layout.h"

/* The protocol version claimed for ELF guests: 2.15, the current one
 * (boot.rst), so the kernel reads every field vmm fills. */
#define ELF_HDR_VERSION 0x020F
/* Linux's own default (arch/x86/boot/header.S kernel_alignment with
 * CONFIG_PHYSICAL_ALIGN 16 MiB); must be non-zero, Firecracker writes the same. */
#define ELF_KERNEL_ALIGNMENT 0x1000000

_Static_assert(BP_E820_TABLE + BP_E820_MAX * sizeof(struct e820_entry) <= BP_SIZE,
	       "e820 table fits the zero page");
_Static_assert(LAYOUT_CMDLINE + LAYOUT_CMDLINE_MAX <= 0x100000000ULL,
	       "command line below 4 GiB: ext_cmd_line_ptr stays 0");

void zeropage_init_elf(uint8_t *bp)
{
	le_put16(bp + HDR_BOOT_FLAG, HDR_BOOT_FLAG_MAGIC);
	le_put32(bp + HDR_HEADER, HDR_HEADER_MAGIC);
	le_put16(bp + HDR_VERSION, ELF_HDR_VERSION);
	bp[HDR_TYPE_OF_LOADER] = HDR_LOADER_UNDEFINED;
	bp[HDR_LOADFLAGS] = LOADFLAG_LOADED_HIGH;
	le_put32(bp + HDR_KERNEL_ALIGNMENT, ELF_KERNEL_ALIGNMENT);
	le_put32(bp + HDR_CMDLINE_SIZE, (uint32_t)(LAYOUT_CMDLINE_MAX - 1));
}

int zeropage_write_cmdline(struct guest_mem *m, uint8_t *bp, const char *cmdline,
			   uint64_t max, struct err *e)
{
	if (!cmdline)
		cmdline = "";
	size_t len = strlen(cmdline);
	if (max > LAYOUT_CMDLINE_MAX - 1)
		max = LAYOUT_CMDLINE_MAX - 1;
	if (len > max)
		return err_set(e, ERR_INPUT,
			       "kernel command line: %zu bytes, longer than the limit of %llu",
			       len, (unsigned long long)max);
	if (mem_write(m, LAYOUT_CMDLINE, cmdline, len + 1))
		return err_set(e, ERR_HOST, "command line area 0x%llx is not guest RAM",
			       LAYOUT_CMDLINE);
	le_put32(bp + HDR_CMD_LINE_PTR, (uint32_t)LAYOUT_CMDLINE);
	le_put32(bp + BP_EXT_CMD_LINE_PTR, (uint32_t)(LAYOUT_CMDLINE >> 32));
	return 0;
}

void zeropage_set_ramdisk(uint8_t *bp, uint64_t gpa, uint64_t size)
{
	le_put32(bp + HDR_RAMDISK_IMAGE, (uint32_t)gpa);
	le_put32(bp + HDR_RAMDISK_SIZE, (uint32_t)size);
	le_put32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(gpa >> 32));
	le_put32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)(size >> 32));
}

void zeropage_set_e820(uint8_t *bp, const struct e820_entry *t, unsigned n)
{
	if (n > BP_E820_MAX)
		n = BP_E820_MAX;
	memcpy(bp + BP_E820_TABLE, t, n * sizeof(*t));
	bp[BP_E820_ENTRIES] = (uint8_t)n;
}
