/* hc_block.c: block info/read/write/flush/discard on the VM's disks, through
 * the same io_uring backend virtio-blk uses (backends/block.h). */
#include <errno.h>
#include <sys/uio.h>

#include "backends/block.h"
#include "modes/para/hypercall.h"

static const struct hc_disk *hc_disk_get(const struct hypercall *h, uint32_t index)
{
	return index < h->env.ndisks ? &h->env.disks[index] : NULL;
}

/* [sector, sector + len bytes) must lie inside the disk; *off gets the byte
 * offset. Sector first, so sector * VMM_HC_SECTOR_SIZE cannot overflow. */
static int32_t hc_block_range(const struct hc_disk *d, uint64_t sector, uint64_t len,
			      uint64_t *off)
{
	if (sector > d->bytes / VMM_HC_SECTOR_SIZE)
		return VMM_HC_ERANGE;
	*off = sector * VMM_HC_SECTOR_SIZE;
	return len > d->bytes - *off ? VMM_HC_ERANGE : VMM_HC_OK;
}

static int32_t hc_block_result(int64_t res, int64_t want)
{
	if (res == want)
		return VMM_HC_OK;
	return res == -EROFS ? VMM_HC_EROFS : VMM_HC_EIO;
}

static int32_t hc_block_info(struct hypercall *h, void *args)
{
	struct vmm_hc_block_info *a = args;
	const struct hc_disk *d = hc_disk_get(h, a->disk);
	a->sectors = 0;
	a->sector_size = VMM_HC_SECTOR_SIZE;
	a->flags = 0;
	if (!d)
		return VMM_HC_ENODEV;
	a->sectors = d->bytes / VMM_HC_SECTOR_SIZE;
	a->flags = d->readonly ? VMM_HC_BLOCK_RO : 0;
	return VMM_HC_OK;
}

static int32_t hc_block_rw(struct hypercall *h, const struct vmm_hc_block *a, enum blk_op op)
{
	const struct hc_disk *d = hc_disk_get(h, a->disk);
	uint64_t off;
	if (!d)
		return VMM_HC_ENODEV;
	if (a->len == 0 || a->len > VMM_HC_BLOCK_MAX || a->len % VMM_HC_SECTOR_SIZE)
		return VMM_HC_EINVAL;
	if (op == BLK_WRITE && d->readonly)
		return VMM_HC_EROFS;
	int32_t rc = hc_block_range(d, a->sector, a->len, &off);
	if (rc)
		return rc;
	/* The backend moves data straight between the image and guest RAM:
	 * the whole buffer is checked here, once. */
	void *buf = hc_guest_buf(h, a->buf, a->len);
	if (!buf)
		return VMM_HC_EFAULT;
	struct iovec iov = { .iov_base = buf, .iov_len = a->len };
	struct blk_req r = { .op = op, .offset = off, .iov = &iov, .iovcnt = 1 };
	return hc_block_result(d->submit_wait(d->backend, &r), (int64_t)a->len);
}

static int32_t hc_block_read(struct hypercall *h, void *args)
{
	return hc_block_rw(h, args, BLK_READ);
}

static int32_t hc_block_write(struct hypercall *h, void *args)
{
	return hc_block_rw(h, args, BLK_WRITE);
}

static int32_t hc_block_flush(struct hypercall *h, void *args)
{
	const struct vmm_hc_block *a = args;
	const struct hc_disk *d = hc_disk_get(h, a->disk);
	if (!d)
		return VMM_HC_ENODEV;
	if (a->sector || a->buf || a->len)
		return VMM_HC_EINVAL;
	struct blk_req r = { .op = BLK_FLUSH };
	return hc_block_result(d->submit_wait(d->backend, &r), 0);
}

static int32_t hc_block_discard(struct hypercall *h, void *args)
{
	const struct vmm_hc_block *a = args;
	const struct hc_disk *d = hc_disk_get(h, a->disk);
	uint64_t off;
	if (!d)
		return VMM_HC_ENODEV;
	if (a->buf || a->len == 0 || a->len % VMM_HC_SECTOR_SIZE)
		return VMM_HC_EINVAL;
	if (d->readonly)
		return VMM_HC_EROFS;
	int32_t rc = hc_block_range(d, a->sector, a->len, &off);
	if (rc)
		return rc;
	struct blk_req r = { .op = BLK_DISCARD, .offset = off, .len = a->len };
	return hc_block_result(d->submit_wait(d->backend, &r), 0);
}

int hc_register_block(struct hypercall *h)
{
	const uint32_t sz = sizeof(struct vmm_hc_block);
	return hypercall_register(h, VMM_HC_BLOCK_INFO, "block_info",
				  sizeof(struct vmm_hc_block_info), hc_block_info) ||
	       hypercall_register(h, VMM_HC_BLOCK_READ, "block_read", sz, hc_block_read) ||
	       hypercall_register(h, VMM_HC_BLOCK_WRITE, "block_write", sz, hc_block_write) ||
	       hypercall_register(h, VMM_HC_BLOCK_FLUSH, "block_flush", sz, hc_block_flush) ||
	       hypercall_register(h, VMM_HC_BLOCK_DISCARD, "block_discard", sz, hc_block_discard) ?
		       -1 :
		       0;
}
