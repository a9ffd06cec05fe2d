/* virtio_blk.c: set-up and synchronous requests for a virtio-blk device (virtio 1.2 §5.2). */
#include "guest.h"
#include "virtio_blk.h"

/* Header, up to this many data buffers, status. */
#define VBLK_MAX_BUFS 64

int vblk_init(struct vblk *b, uint64_t want, uint16_t qsize, uint16_t msix_entry, uint8_t vector)
{
	struct virtio_dev *d = &b->dev;
	if (virtio_negotiate(d, want))
		return -1;
	if (msix_entry != VIRTIO_MSI_NO_VECTOR && virtio_msix_route(d, msix_entry, vector))
		return -1;
	if (virtq_setup(d, &b->q, 0, qsize, msix_entry))
		return -1;
	d->err = NULL;
	b->capacity = virtio_cfg_read64(d, VIRTIO_BLK_CFG_CAPACITY);
	b->seg_max = (d->features & VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX)) ? virtio_cfg_read32(d, VIRTIO_BLK_CFG_SEG_MAX) : 0;
	b->size_max = (d->features & VIRTIO_BIT(VIRTIO_BLK_F_SIZE_MAX)) ? virtio_cfg_read32(d, VIRTIO_BLK_CFG_SIZE_MAX) : 0;
	b->ro = d->offered & VIRTIO_BIT(VIRTIO_BLK_F_RO);
	if (d->err)
		return -1;
	virtio_driver_ok(d);
	return 0;
}

int vblk_queue(struct vblk *b, struct vblk_req *r, uint32_t type, uint64_t sector,
	       const struct virtq_buf *data, unsigned n, struct virtq_desc *indirect)
{
	struct virtq_buf bufs[VBLK_MAX_BUFS + 2];
	if (n > VBLK_MAX_BUFS)
		return -1;
	bool dev_writes = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
	r->hdr = (struct virtio_blk_req_hdr){ type, 0, sector };
	r->status = VBLK_STATUS_UNSET;
	bufs[0] = (struct virtq_buf){ (uintptr_t)&r->hdr, sizeof(r->hdr), false };
	for (unsigned i = 0; i < n; i++)
		bufs[1 + i] = (struct virtq_buf){ data[i].addr, data[i].len, dev_writes };
	bufs[n + 1] = (struct virtq_buf){ (uintptr_t)&r->status, 1, true };
	return indirect ? virtq_add_indirect(&b->q, indirect, bufs, n + 2) : virtq_add(&b->q, bufs, n + 2);
}

int vblk_run(struct vblk *b, struct vblk_req *r, uint32_t type, uint64_t sector,
	     const struct virtq_buf *data, unsigned n, struct virtq_desc *indirect, uint64_t timeout)
{
	int head = vblk_queue(b, r, type, sector, data, n, indirect);
	if (head < 0)
		return VBLK_NO_SPACE;
	virtq_publish(&b->q, (uint16_t)head);
	virtq_kick(&b->q);
	uint32_t id, len;
	if (!virtq_wait(&b->q, timeout, &id, &len))
		return VBLK_TIMEOUT;
	if (id != (uint32_t)head)
		return VBLK_WRONG_ID;
	return r->status;
}
