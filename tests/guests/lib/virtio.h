/* virtio.h: a small virtio 1.2 driver for test guests: modern PCI transport, MSI-X, split virtqueues, blk/console/rng constants.
 *
 * Written from the virtio 1.2 specification (OASIS, csd01), not from vmm's
 * device code, so the guests check the devices against the spec. Section
 * numbers below are the spec's.
 */
#ifndef GUEST_VIRTIO_H
#define GUEST_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "pci.h"

/* PCI IDs (§4.1.2): a modern-only device is 0x1040 + its virtio device ID (§5). */
#define VIRTIO_PCI_VENDOR_ID    0x1AF4
#define VIRTIO_PCI_MODERN_BASE  0x1040
#define VIRTIO_ID_BLOCK   2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_ENTROPY 4
#define VIRTIO_PCI_DEVICE(id) (VIRTIO_PCI_MODERN_BASE + (id))

/* Device status (§2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01
#define VIRTIO_STATUS_DRIVER      0x02
#define VIRTIO_STATUS_DRIVER_OK   0x04
#define VIRTIO_STATUS_FEATURES_OK 0x08
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED      0x80

/* Reserved feature bits (§6). */
#define VIRTIO_F_INDIRECT_DESC   28
#define VIRTIO_F_EVENT_IDX       29
#define VIRTIO_F_VERSION_1       32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_BIT(b) (1ull << (b))

/* struct virtio_pci_cap and virtio_pci_notify_cap (§4.1.4), byte offsets. */
#define VIRTIO_PCI_CAP_LEN      2
#define VIRTIO_PCI_CAP_CFG_TYPE 3
#define VIRTIO_PCI_CAP_BAR      4
#define VIRTIO_PCI_CAP_OFFSET   8
#define VIRTIO_PCI_CAP_LENGTH   12
#define VIRTIO_PCI_CAP_SIZE     16 /* sizeof(struct virtio_pci_cap) */
#define VIRTIO_PCI_NOTIFY_MULT  16 /* notify_off_multiplier */
#define VIRTIO_PCI_NOTIFY_CAP_SIZE 20
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG    3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define VIRTIO_PCI_CAP_PCI_CFG    5
/* struct virtio_pci_cfg_cap (§4.1.4.9): the common layout plus pci_cfg_data[4]. */
#define VIRTIO_PCI_CFG_DATA       16
#define VIRTIO_PCI_CFG_CAP_SIZE   20

/* struct virtio_pci_common_cfg (§4.1.4.3), byte offsets. */
#define VIRTIO_COMMON_DFSELECT    0x00
#define VIRTIO_COMMON_DF          0x04
#define VIRTIO_COMMON_GFSELECT    0x08
#define VIRTIO_COMMON_GF          0x0C
#define VIRTIO_COMMON_MSIX        0x10
#define VIRTIO_COMMON_NUMQ        0x12
#define VIRTIO_COMMON_STATUS      0x14
#define VIRTIO_COMMON_CFGGEN      0x15
#define VIRTIO_COMMON_Q_SELECT    0x16
#define VIRTIO_COMMON_Q_SIZE      0x18
#define VIRTIO_COMMON_Q_MSIX      0x1A
#define VIRTIO_COMMON_Q_ENABLE    0x1C
#define VIRTIO_COMMON_Q_NOFF      0x1E
#define VIRTIO_COMMON_Q_DESCLO    0x20
#define VIRTIO_COMMON_Q_DESCHI    0x24
#define VIRTIO_COMMON_Q_AVAILLO   0x28
#define VIRTIO_COMMON_Q_AVAILHI   0x2C
#define VIRTIO_COMMON_Q_USEDLO    0x30
#define VIRTIO_COMMON_Q_USEDHI    0x34
#define VIRTIO_COMMON_CFG_MIN_LEN 0x38 /* the virtio 1.0 layout; 1.2 appends fields we do not use */
#define VIRTIO_MSI_NO_VECTOR      0xFFFF
#define VIRTIO_ISR_QUEUE          0x1
#define VIRTIO_ISR_CONFIG         0x2

/* MSI-X capability and table (PCI 3.0 §6.8.2). */
#define MSIX_CAP_CTRL      2
#define MSIX_CAP_TABLE     4
#define MSIX_CAP_PBA       8
#define MSIX_CTRL_ENABLE   0x8000
#define MSIX_CTRL_MASKALL  0x4000
#define MSIX_CTRL_SIZE     0x07FF /* table size - 1 */
#define MSIX_BIR_MASK      0x7
#define MSIX_ENTRY_SIZE    16
#define MSIX_ENTRY_ADDR_LO 0
#define MSIX_ENTRY_ADDR_HI 4
#define MSIX_ENTRY_DATA    8
#define MSIX_ENTRY_CTRL    12
#define MSIX_ENTRY_MASKED  0x1

/* Split virtqueues (§2.7). */
#define VIRTQ_DESC_F_NEXT     1
#define VIRTQ_DESC_F_WRITE    2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY     1
#define VIRTQ_DESC_ALIGN  16
#define VIRTQ_AVAIL_ALIGN 2
#define VIRTQ_USED_ALIGN  4
#define VIRTQ_MAX_SIZE    32768

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

/* virtio-blk (§5.2). */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX  2
#define VIRTIO_BLK_F_RO       5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH    9
#define VIRTIO_BLK_CFG_CAPACITY 0  /* le64, 512-byte sectors */
#define VIRTIO_BLK_CFG_SIZE_MAX 8  /* le32 */
#define VIRTIO_BLK_CFG_SEG_MAX  12 /* le32 */
#define VIRTIO_BLK_CFG_BLK_SIZE 20 /* le32 */
#define VIRTIO_BLK_T_IN     0
#define VIRTIO_BLK_T_OUT    1
#define VIRTIO_BLK_T_FLUSH  4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_S_OK     0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2
#define VIRTIO_BLK_ID_BYTES 20
#define VIRTIO_BLK_SECTOR   512

struct virtio_blk_req_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* virtio-console (§5.3): without VIRTIO_CONSOLE_F_MULTIPORT, port 0 only. */
#define VIRTIO_CONSOLE_Q_RX0 0
#define VIRTIO_CONSOLE_Q_TX0 1
/* virtio-rng (§5.4): one request queue. */
#define VIRTIO_RNG_Q_REQ 0

/* A window of a BAR: MMIO or I/O space (§4.1.4 lets either hold a structure). */
struct vio_region {
	uint64_t base;
	uint32_t len;
	bool io;
	bool present;
};

struct virtio_dev {
	struct pci_fn pci;
	struct vio_region common, notify, isr, device;
	uint32_t notify_mult;
	unsigned msix_cap;      /* config offset, 0 when the device has none */
	unsigned cfg_cap;       /* the PCI_CFG capability's config offset, 0: none */
	uint8_t common_bar;     /* where the common config capability points */
	uint32_t common_off;
	uint64_t msix_table;    /* MMIO address of entry 0 */
	uint16_t msix_entries;
	uint64_t offered;       /* device features */
	uint64_t features;      /* negotiated */
	uint16_t num_queues;
	const char *err;        /* what failed last, for the report */
};

struct virtq {
	struct virtio_dev *dev;
	uint16_t index, size;
	volatile struct virtq_desc *desc;
	volatile uint16_t *avail;   /* flags, idx, ring[size], used_event */
	volatile uint16_t *used;    /* flags, idx, then ring elements, avail_event */
	uint32_t alloc_size;        /* the size the memory was allocated for */
	uint64_t notify_addr;
	bool notify_io, event_idx;
	uint16_t avail_idx;         /* our copy of avail->idx */
	uint16_t kicked_idx;        /* avail idx at the last notification check */
	uint16_t last_used;
	uint16_t free_head, num_free;
	uint16_t msix_entry;
	bool irq_on;                /* used-buffer interrupts wanted */
};

/* One buffer of a chain: write = device-writable. */
struct virtq_buf {
	uint64_t addr;
	uint32_t len;
	bool write;
};

/* Transport (virtio.c). All return 0 on success, -1 with d->err set. */
int virtio_probe(struct virtio_dev *d, const struct pci_fn *f);
uint8_t virtio_status(struct virtio_dev *d);
/* Write 0 and wait for a read of 0 (§4.1.4.3.2). */
int virtio_reset(struct virtio_dev *d);
/* Reset, ACKNOWLEDGE, DRIVER, accept offered & want (VERSION_1 required),
 * FEATURES_OK and check it stuck (§3.1.1). */
int virtio_negotiate(struct virtio_dev *d, uint64_t want);
void virtio_driver_ok(struct virtio_dev *d);
/* Enable MSI-X at the PCI level and point table entry at vector on this CPU. */
int virtio_msix_route(struct virtio_dev *d, uint16_t entry, uint8_t vector);
/* msix_config := entry, read back (§4.1.5.1.2). */
int virtio_config_vector(struct virtio_dev *d, uint16_t entry);
/* Device configuration, read with the config_generation retry (§2.5.1). */
uint32_t virtio_cfg_read32(struct virtio_dev *d, unsigned off);
uint64_t virtio_cfg_read64(struct virtio_dev *d, unsigned off);
uint8_t virtio_isr_read(struct virtio_dev *d);
/* len (1, 2, 4) bytes at off in the common config, read through the PCI_CFG
 * capability (§4.1.4.9) instead of the BAR; -1 when the device has none. */
int virtio_pci_cfg_common_read(struct virtio_dev *d, unsigned off, unsigned len, uint32_t *val);

/* Transport internals shared with virtqueue.c. */
uint16_t virtio_common_read16(struct virtio_dev *d, unsigned off);
void virtio_common_write16(struct virtio_dev *d, unsigned off, uint16_t v);
void virtio_common_write32(struct virtio_dev *d, unsigned off, uint32_t v);
/* The notification address for a queue's queue_notify_off (§4.1.4.4). */
int virtio_notify_addr(struct virtio_dev *d, uint16_t notify_off, uint64_t *addr, bool *io);

/* Queues (virtqueue.c). */
/* Set up queue index with at most max_size entries (power of two), its
 * rings zeroed in pmem (reused on a later setup of the same q), vector
 * msix_entry (VIRTIO_MSI_NO_VECTOR: none), then queue_enable (§4.1.5.1.3). */
int virtq_setup(struct virtio_dev *d, struct virtq *q, uint16_t index, uint16_t max_size, uint16_t msix_entry);
/* Chain n buffers from the free list (readable ones first, as §2.7.4.2
 * requires of the caller); returns the head or -1 when too few are free. */
int virtq_add(struct virtq *q, const struct virtq_buf *b, unsigned n);
/* One INDIRECT descriptor pointing at table, filled with the n buffers (§2.7.5.3). */
int virtq_add_indirect(struct virtq *q, struct virtq_desc *table, const struct virtq_buf *b, unsigned n);
/* Put head in the available ring and advance idx (no notification). */
void virtq_publish(struct virtq *q, uint16_t head);
/* Notify the device if it asked for it: avail_event with EVENT_IDX
 * (§2.7.10), VIRTQ_USED_F_NO_NOTIFY otherwise. */
void virtq_kick(struct virtq *q);
/* Notify unconditionally (§4.1.4.4: the 16-bit queue index). */
void virtq_notify(struct virtq *q);
/* Take the next used element; false when there is none. */
bool virtq_pop(struct virtq *q, uint32_t *id, uint32_t *len);
bool virtq_has_used(const struct virtq *q);
/* Return a chain the device used to the free list. */
void virtq_free(struct virtq *q, uint16_t head);
/* Ask for (or stop asking for) used-buffer interrupts. */
void virtq_want_irq(struct virtq *q, bool on);
/* Poll for the next used element for up to timeout cycles; frees its chain.
 * false on timeout. */
bool virtq_wait(struct virtq *q, uint64_t timeout, uint32_t *id, uint32_t *len);

/* Full barrier: a locked add, which PVM's CPL0 emulator handles (mfence is SSE2). */
static inline void virtio_mb(void)
{
	__asm__ volatile("lock orq $0, (%%rsp)" ::: "memory", "cc");
}

#endif
