/* virtio_blk.h: virtio-blk requests (virtio 1.2 §5.2) on top of the guest virtio driver. */
#ifndef GUEST_VIRTIO_BLK_H
#define GUEST_VIRTIO_BLK_H

#include "virtio.h"

/* Status byte value before the device writes it: any value the device could
 * legally return is < 3, so a request that still holds this was not
 * completed with a status. */
#define VBLK_STATUS_UNSET 0xFF
/* vblk_run results besides a status byte. */
#define VBLK_TIMEOUT  (-1)
#define VBLK_NO_SPACE (-2)
#define VBLK_WRONG_ID (-3)

struct vblk {
	struct virtio_dev dev;
	struct virtq q;
	uint64_t capacity; /* 512-byte sectors */
	uint32_t seg_max;  /* 0: not offered */
	uint32_t size_max; /* 0: not offered */
	bool ro;
};

/* Header and status of one request, in device-visible memory (pmem). */
struct vblk_req {
	struct virtio_blk_req_hdr hdr;
	volatile uint8_t status;
};

/* Negotiate (want | VERSION_1), route MSI-X entry msix_entry to vector
 * (VIRTIO_MSI_NO_VECTOR: polling only), set up request queue 0 with up to
 * qsize entries, read the configuration, DRIVER_OK. 0, or -1 with b->dev.err. */
int vblk_init(struct vblk *b, uint64_t want, uint16_t qsize, uint16_t msix_entry, uint8_t vector);
/* Chain hdr, the data buffers (device-writable for IN and GET_ID) and the
 * status byte, through indirect when it is not NULL (n + 2 entries). Presets
 * the status to VBLK_STATUS_UNSET. Returns the head, or -1 when the queue is full. */
int vblk_queue(struct vblk *b, struct vblk_req *r, uint32_t type, uint64_t sector,
	       const struct virtq_buf *data, unsigned n, struct virtq_desc *indirect);
/* vblk_queue, publish, kick, wait up to timeout cycles: the status byte, or VBLK_*. */
int vblk_run(struct vblk *b, struct vblk_req *r, uint32_t type, uint64_t sector,
	     const struct virtq_buf *data, unsigned n, struct virtq_desc *indirect, uint64_t timeout);

#endif
