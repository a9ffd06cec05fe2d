/* blk.h: virtio-blk (virtio 1.2 §5.2) on a block backend (backends/block.h).
 *
 * One request queue. Requests run asynchronously: the I/O thread pops a
 * chain, checks its shape (a device-readable 16-byte header first, a
 * device-writable status byte last; §5.2.6), hands the data segments to the
 * backend and, when done() comes back on the I/O thread, writes the status,
 * returns the chain and interrupts. A device reset waits for requests in
 * flight, so none touches guest memory afterwards.
 */
#ifndef VMM_VIRTIO_BLK_H
#define VMM_VIRTIO_BLK_H

#include "backends/block.h"
#include "virtio/pci.h"
#include "virtio/virtio.h"

/* Feature bits (§5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX     1
#define VIRTIO_BLK_F_SEG_MAX      2
#define VIRTIO_BLK_F_GEOMETRY     4
#define VIRTIO_BLK_F_RO           5
#define VIRTIO_BLK_F_BLK_SIZE     6
#define VIRTIO_BLK_F_FLUSH        9
#define VIRTIO_BLK_F_TOPOLOGY     10
#define VIRTIO_BLK_F_CONFIG_WCE   11
#define VIRTIO_BLK_F_MQ           12
#define VIRTIO_BLK_F_DISCARD      13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

/* struct virtio_blk_config (§5.2.4), up to write_zeroes_may_unmap. */
#define VIRTIO_BLK_CFG_CAPACITY            0  /* le64, 512-byte sectors */
#define VIRTIO_BLK_CFG_SIZE_MAX            8
#define VIRTIO_BLK_CFG_SEG_MAX             12
#define VIRTIO_BLK_CFG_BLK_SIZE            20
#define VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS 36
#define VIRTIO_BLK_CFG_MAX_DISCARD_SEG     40
#define VIRTIO_BLK_CFG_DISCARD_ALIGN       44
#define VIRTIO_BLK_CFG_MAX_WZ_SECTORS      48
#define VIRTIO_BLK_CFG_MAX_WZ_SEG          52
#define VIRTIO_BLK_CFG_WZ_MAY_UNMAP        56
#define VIRTIO_BLK_CONFIG_LEN              60

/* Request types and status (§5.2.6). */
#define VIRTIO_BLK_T_IN           0
#define VIRTIO_BLK_T_OUT          1
#define VIRTIO_BLK_T_FLUSH        4
#define VIRTIO_BLK_T_GET_ID       8
#define VIRTIO_BLK_T_DISCARD      11
#define VIRTIO_BLK_T_WRITE_ZEROES 13
#define VIRTIO_BLK_S_OK     0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2
#define VIRTIO_BLK_HDR_SIZE 16 /* le32 type, le32 reserved, le64 sector */
#define VIRTIO_BLK_ID_BYTES 20
/* struct virtio_blk_discard_write_zeroes: le64 sector, le32 num_sectors,
 * le32 flags (bit 0: unmap). */
#define VIRTIO_BLK_DWZ_SIZE 16
#define VIRTIO_BLK_DWZ_F_UNMAP 1

/* What the device offers. */
#define VIRTIO_BLK_SECTOR      512
#define VIRTIO_BLK_SEG_MAX     (VQ_MAX_SIZE - 2) /* the header and status take two */
#define VIRTIO_BLK_MAX_DWZ_SECTORS (1u << 21)    /* 1 GiB per discard/write-zeroes */
#define VIRTIO_BLK_DISCARD_ALIGN   8             /* sectors: 4 KiB, file system blocks */

struct virtio_blk_req;

struct virtio_blk {
	struct virtio_dev vdev;
	struct virtio_pci pci;
	struct blk_backend *backend;
	uint8_t config[VIRTIO_BLK_CONFIG_LEN];
	char serial[VIRTIO_BLK_ID_BYTES];
	struct virtio_blk_req *reqs;   /* VQ_MAX_SIZE of them */
	struct virtio_blk_req *free;
	unsigned inflight;             /* handed to the backend, not completed */
	unsigned gen;                  /* bumped by reset: older completions are dropped */
	bool stalled;                  /* every request slot busy: resume on a completion */
	bool vdev_ready;
};

/* A virtio-blk PCI function on bus for backend (taken over: destroy closes
 * it; read-only when blk_readonly). serial is the GET_ID string (at most 20
 * bytes are used). The backend is attached to loop here. */
int virtio_blk_create(struct virtio_blk **out, struct blk_backend *backend, const char *serial,
		      const struct guest_mem *mem, struct evloop *loop, struct pci_bus *bus,
		      struct err *e);
/* After the I/O thread stopped. */
void virtio_blk_destroy(struct virtio_blk *b);

#endif
