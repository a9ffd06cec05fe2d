/* layout.h: the conformance disk's layout, shared by the MBR (assembly), the test OS and the host tool.
 * Only #defines here: mbr.S includes it. */
#ifndef CONF_LAYOUT_H
#define CONF_LAYOUT_H

/* Disk image: LBA 0 MBR, LBA 1 config sector, LBA 2.. the OS as a flat image. */
#define CONF_SECTOR          512
#define CONF_CONFIG_LBA      1
#define CONF_OS_LBA          2

/* The MBR loads LBA 1..N with INT 13h AH=42h into conventional memory at
 * CONF_LOAD_PA (real-mode segment CONF_LOAD_SEG), below the EBDA at ~0x9FC00,
 * then copies the OS part to the address it was linked at (1 MiB: real-mode
 * INT 13h cannot reach it). */
#define CONF_LOAD_SEG        0x1000
#define CONF_LOAD_PA         0x10000
#define CONF_LOAD_MAX_SECTORS 1024 /* 512 KiB: 0x10000..0x8FFFF */
#define CONF_CONFIG_PA       CONF_LOAD_PA
#define CONF_OS_LOAD_PA      (CONF_LOAD_PA + CONF_SECTOR)
#define CONF_READ_CHUNK      64 /* sectors per INT 13h call: 32 KiB, never crosses a 64 KiB segment */

/* Page tables the MBR builds: PML4 at 0x1000, PDPT at 0x2000, four PDs at
 * 0x3000-0x6FFF mapping 0-4 GiB with 2 MiB pages (free conventional memory
 * between the BDA and the boot sector). */
#define CONF_PT_PML4         0x1000
#define CONF_PT_PDPT         0x2000
#define CONF_PT_PD           0x3000
#define CONF_PT_END          0x7000

/* Fields the host tool patches into the MBR (byte offsets in sector 0). */
/* (0x1B4-0x1BD: where other MBRs keep a disk signature; SeaBIOS reads none.) */
#define CONF_MBR_ENTRY_OFF   0x1B4 /* u32: the OS's 64-bit entry point */
#define CONF_MBR_DEST_OFF    0x1B8 /* u32: where the OS image is copied */
#define CONF_MBR_COUNT_OFF   0x1BC /* u16: sectors to load from LBA 1 (config + OS); the tool keeps it
				    * within CONF_LOAD_MAX_SECTORS */
#define CONF_MBR_PART_OFF    0x1BE /* partition table: 4 x 16 bytes */
#define CONF_MBR_SIG_OFF     0x1FE /* 0x55 0xAA */

/* Exit-port (0xF4) codes from the MBR when it cannot start the OS. */
#define CONF_EXIT_MBR_NO_EXT   0x21 /* INT 13h AH=41h: no extensions */
#define CONF_EXIT_MBR_READ     0x22 /* INT 13h AH=42h failed */

#endif
