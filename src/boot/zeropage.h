/* zeropage.h: Linux's struct boot_params ("zero page"), built in a host buffer
 * and copied to LAYOUT_BOOT_PARAMS; RSI points there at entry.
 *
 * Offsets from Linux Documentation/arch/x86/zero-page.rst (BP_*) and
 * Documentation/arch/x86/boot.rst "The Real-Mode Kernel Header" (HDR_*). */
#ifndef VMM_BOOT_ZEROPAGE_H
#define VMM_BOOT_ZEROPAGE_H

#include <stdint.h>

#include "boot/e820.h"
#include "core/error.h"
#include "core/memory.h"

#define BP_SIZE 4096

/* boot_params fields outside the setup header (zero-page.rst). */
#define BP_EXT_RAMDISK_IMAGE 0x0C0 /* u32: ramdisk_image bits 63:32 */
#define BP_EXT_RAMDISK_SIZE  0x0C4 /* u32: ramdisk_size bits 63:32 */
#define BP_EXT_CMD_LINE_PTR  0x0C8 /* u32: cmd_line_ptr bits 63:32 */
#define BP_E820_ENTRIES      0x1E8 /* u8 */
#define BP_E820_TABLE        0x2D0 /* 128 x struct e820_entry */
#define BP_E820_MAX          128

/* The setup header, at 0x1F1 in both the bzImage file and boot_params. */
#define HDR_START            0x1F1
#define HDR_SETUP_SECTS      0x1F1 /* u8: 0 means 4 */
#define HDR_VID_MODE         0x1FA /* u16 */
#define HDR_BOOT_FLAG        0x1FE /* u16: 0xAA55 */
#define HDR_JUMP             0x200 /* u16: EB xx, xx = header length past 0x202 */
#define HDR_HEADER           0x202 /* u32: "HdrS" */
#define HDR_VERSION          0x206 /* u16: protocol (major << 8) | minor */
#define HDR_TYPE_OF_LOADER   0x210 /* u8 */
#define HDR_LOADFLAGS        0x211 /* u8 */
#define HDR_RAMDISK_IMAGE    0x218 /* u32 */
#define HDR_RAMDISK_SIZE     0x21C /* u32 */
#define HDR_HEAP_END_PTR     0x224 /* u16 */
#define HDR_CMD_LINE_PTR     0x228 /* u32 */
#define HDR_INITRD_ADDR_MAX  0x22C /* u32, 2.03+ */
#define HDR_KERNEL_ALIGNMENT 0x230 /* u32, 2.05+ */
#define HDR_RELOCATABLE      0x234 /* u8, 2.05+ */
#define HDR_XLOADFLAGS       0x236 /* u16, 2.12+ */
#define HDR_CMDLINE_SIZE     0x238 /* u32, 2.06+ */
#define HDR_PREF_ADDRESS     0x258 /* u64, 2.10+ */
#define HDR_INIT_SIZE        0x260 /* u32, 2.10+ */

#define HDR_BOOT_FLAG_MAGIC  0xAA55
#define HDR_HEADER_MAGIC     0x53726448 /* "HdrS" read as a little-endian u32 */
#define HDR_LOADER_UNDEFINED 0xFF       /* type_of_loader: no assigned id */
#define HDR_VID_MODE_NORMAL  0xFFFF     /* boot.rst "vga=normal" */
#define LOADFLAG_LOADED_HIGH  0x01      /* protected-mode code at 0x100000 */
#define LOADFLAG_CAN_USE_HEAP 0x80      /* heap_end_ptr is valid */
#define XLF_KERNEL_64         0x0001    /* 64-bit entry at load address + 0x200 */

/* Setup header for an ELF guest, which brings none of its own: what Linux
 * checks (boot_flag, "HdrS", a 2.02+ version so cmd_line_ptr is read) plus
 * the loader fields, as Firecracker's configure_system writes for vmlinux. */
void zeropage_init_elf(uint8_t *bp);

/* Copy the command line (NUL-terminated) to LAYOUT_CMDLINE and point
 * cmd_line_ptr at it; refuse one longer than max bytes (without the NUL). */
int zeropage_write_cmdline(struct guest_mem *m, uint8_t *bp, const char *cmdline,
			   uint64_t max, struct err *e);

void zeropage_set_ramdisk(uint8_t *bp, uint64_t gpa, uint64_t size);

/* At most BP_E820_MAX entries are kept; e820_build makes far fewer. */
void zeropage_set_e820(uint8_t *bp, const struct e820_entry *t, unsigned n);

#endif
