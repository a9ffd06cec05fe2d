/* fw_cfg.h: QEMU's firmware configuration interface, as SeaBIOS reads it.
 *
 * Items are byte strings selected by a 16-bit key. Port 0x510 (16-bit write)
 * selects an item and rewinds it; each byte read from 0x511 returns the next
 * byte (0 past the end, and for unknown keys). The DMA interface at 0x514
 * takes the guest-physical address of a descriptor {be32 control, be32 length,
 * be64 address}: a 32-bit write of the address's low half (big-endian) at
 * 0x518 runs it at once; the high half, written at 0x514, defaults to 0.
 * Control bits: SELECT (key in bits 31:16), READ, SKIP, WRITE (refused: no
 * item here is writable), ERROR (set in the written-back control on failure;
 * success writes back 0). A read past the item's end zero-fills. Every guest
 * address (descriptor, buffer) is checked against RAM; a bad one is an error.
 *
 * Named files (key 0x20 + n) are listed in the directory item 0x19:
 * be32 count, then per file {be32 size, be16 key, u16 reserved, name[56]}.
 *
 * Source: QEMU docs/specs/fw_cfg.rst; SeaBIOS src/fw/paravirt.c.
 */
#ifndef VMM_DEVICES_FW_CFG_H
#define VMM_DEVICES_FW_CFG_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/bus.h"
#include "core/error.h"
#include "core/memory.h"

#define FW_CFG_PORT_SEL   0x510 /* selector (16-bit); data at +1 (8-bit) */
#define FW_CFG_PORTS      2
#define FW_CFG_PORT_DMA   0x514 /* DMA address: high half here, low half at +4 */
#define FW_CFG_DMA_PORTS  8

/* Keys (QEMU include/standard-headers/linux/qemu_fw_cfg.h). */
#define FW_CFG_SIGNATURE  0x00 /* "QEMU" */
#define FW_CFG_ID         0x01 /* le32 feature bits */
#define FW_CFG_NB_CPUS    0x05 /* le16 */
#define FW_CFG_BOOT_MENU  0x0E /* le16: 0 = no boot menu (no 2.5 s wait) */
#define FW_CFG_MAX_CPUS   0x0F /* le16 */
#define FW_CFG_FILE_DIR   0x19
#define FW_CFG_FILE_FIRST 0x20
#define FW_CFG_ENTRY_MASK 0x3FFF /* bit 14: write channel, bit 15: arch-local */
#define FW_CFG_ARCH_LOCAL 0x8000
#define FW_CFG_IRQ0_OVERRIDE (FW_CFG_ARCH_LOCAL + 2) /* left out: reads 0 */

#define FW_CFG_ID_TRADITIONAL 0x1
#define FW_CFG_ID_DMA         0x2

#define FW_CFG_DMA_CTL_ERROR  0x01
#define FW_CFG_DMA_CTL_READ   0x02
#define FW_CFG_DMA_CTL_SKIP   0x04
#define FW_CFG_DMA_CTL_SELECT 0x08
#define FW_CFG_DMA_CTL_WRITE  0x10
#define FW_CFG_DMA_SIGNATURE  "QEMU CFG" /* what the DMA register reads as */

#define FW_CFG_NAME_LEN   56 /* including the NUL */
#define FW_CFG_DIR_ENTRY  64 /* bytes per directory entry */
#define FW_CFG_MAX_FILES  32
#define FW_CFG_MAX_ITEMS  (8 + FW_CFG_MAX_FILES)

struct fw_cfg_item {
	uint16_t key;
	uint32_t len;
	uint8_t *data; /* owned */
};

struct fw_cfg {
	pthread_mutex_t lock;
	const struct guest_mem *mem; /* DMA target; NULL disables DMA */
	struct fw_cfg_item items[FW_CFG_MAX_ITEMS];
	unsigned nitems;
	char files[FW_CFG_MAX_FILES][FW_CFG_NAME_LEN];
	unsigned nfiles;
	int cur;             /* selected item index, -1 when the key is unknown */
	uint32_t cur_off;
	uint64_t dma_addr;   /* high half latched at 0x514 */
	atomic_ulong bad_accesses; /* wrong port width, data writes */
	atomic_ulong dma_errors;   /* descriptors failed with the error bit */
};

/* Signature and ID (with the DMA bit when mem is given) are present. */
int fw_cfg_init(struct fw_cfg *f, const struct guest_mem *mem, struct err *e);
void fw_cfg_destroy(struct fw_cfg *f);

/* Add or replace item key with a copy of data. */
int fw_cfg_add_bytes(struct fw_cfg *f, uint16_t key, const void *data, uint32_t len,
		     struct err *e);
int fw_cfg_add_u16(struct fw_cfg *f, uint16_t key, uint16_t v, struct err *e);
/* A named file (name shorter than FW_CFG_NAME_LEN, unique); updates the directory. */
int fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data, uint32_t len,
		    struct err *e);

/* Selector + data at FW_CFG_PORT_SEL (len FW_CFG_PORTS); DMA at
 * FW_CFG_PORT_DMA (len FW_CFG_DMA_PORTS). opaque = the struct fw_cfg. */
extern const struct bus_ops fw_cfg_io_ops;
extern const struct bus_ops fw_cfg_dma_ops;

#endif
