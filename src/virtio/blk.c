/* blk.c: virtio-blk requests (virtio 1.2 §5.2) onto the io_uring block backend. */
#include "virtio/blk.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "boot/bytes.h"

struct virtio_blk_req {
	struct virtio_blk *blk;
	struct blk_req br;
	uint8_t *status;            /* the chain's last writable byte */
	uint32_t used_len;          /* bytes written into the chain on success */
	unsigned gen;
	struct virtio_blk_req *next_free;
	struct vq_elem el;
};

static struct virtio_blk *vblk_of(struct virtio_dev *d)
{
	return (struct virtio_blk *)(void *)((char *)d - offsetof(struct virtio_blk, vdev));
}

/* ---- segments ---- */

/* Copy the first len bytes of iov[0..n) (there are at least len). */
static void iov_gather(const struct iovec *iov, unsigned n, uint8_t *dst, size_t len)
{
	for (unsigned i = 0; i < n && len; i++) {
		size_t k = iov[i].iov_len < len ? iov[i].iov_len : len;
		memcpy(dst, iov[i].iov_base, k);
		dst += k;
		len -= k;
	}
}

/* Drop the first skip bytes of iov[0..*n) in place; returns the new start. */
static struct iovec *iov_skip(struct iovec *iov, unsigned *n, size_t skip)
{
	while (*n && skip >= iov->iov_len) {
		skip -= iov->iov_len;
		iov++;
		(*n)--;
	}
	if (*n && skip) {
		iov->iov_base = (uint8_t *)iov->iov_base + skip;
		iov->iov_len -= skip;
	}
	return iov;
}

/* Fill the writable data segments from src (zero padding past srclen). */
static size_t iov_fill(const struct iovec *iov, unsigned n, const uint8_t *src, size_t srclen)
{
	size_t done = 0;
	for (unsigned i = 0; i < n; i++) {
		size_t k = iov[i].iov_len;
		uint8_t *p = iov[i].iov_base;
		for (size_t j = 0; j < k; j++)
			p[j] = done + j < srclen ? src[done + j] : 0;
		done += k;
	}
	return done;
}

/* ---- requests ---- */

static struct virtio_blk_req *vblk_req_get(struct virtio_blk *b)
{
	struct virtio_blk_req *r = b->free;
	if (r)
		b->free = r->next_free;
	return r;
}

static void vblk_req_put(struct virtio_blk *b, struct virtio_blk_req *r)
{
	r->next_free = b->free;
	b->free = r;
}

/* Finish a request now (lock held): status, used element. */
static void vblk_complete(struct virtio_blk *b, struct virtio_blk_req *r, uint8_t status,
			  uint32_t used_len)
{
	*r->status = status;
	vq_push(&b->vdev.queues[0], r->el.head, status == VIRTIO_BLK_S_OK ? used_len : 1);
	vblk_req_put(b, r);
}

static void vblk_process(struct virtio_blk *b);

/* The backend finished r (I/O thread, no lock held). */
static void vblk_done(struct blk_req *br, int64_t res)
{
	struct virtio_blk_req *r = br->opaque;
	struct virtio_blk *b = r->blk;
	struct virtio_dev *d = &b->vdev;
	pthread_mutex_lock(&d->lock);
	b->inflight--;
	if (r->gen == b->gen && d->queues[0].ready) {
		vblk_complete(b, r, res < 0 ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK, r->used_len);
		virtio_dev_used(d, 0);
	} else {
		vblk_req_put(b, r); /* reset since: the chain is not ours any more */
	}
	if (b->inflight == 0)
		virtio_dev_wake(d);
	if (b->stalled && virtio_dev_live(d)) {
		b->stalled = false;
		vblk_process(b);
	}
	pthread_mutex_unlock(&d->lock);
}

static void vblk_submit(struct virtio_blk *b, struct virtio_blk_req *r)
{
	r->br.done = vblk_done;
	r->br.opaque = r;
	r->gen = b->gen;
	b->inflight++;
	if (blk_submit(b->backend, &r->br)) {
		b->inflight--;
		vblk_complete(b, r, VIRTIO_BLK_S_IOERR, 1);
	}
}

/* [sector, sector + bytes/512) inside the disk, overflow-safe. */
static bool vblk_range_ok(struct virtio_blk *b, uint64_t sector, uint64_t bytes)
{
	uint64_t off, end;
	if (__builtin_mul_overflow(sector, VIRTIO_BLK_SECTOR, &off) ||
	    __builtin_add_overflow(off, bytes, &end))
		return false;
	return end <= blk_size(b->backend);
}

/* DISCARD / WRITE_ZEROES: one segment (max_*_seg is 1), §5.2.6.2 rules. */
static uint8_t vblk_dwz(struct virtio_blk *b, struct virtio_blk_req *r, uint32_t type,
			const struct iovec *out, unsigned nout, uint64_t out_len)
{
	unsigned feature = type == VIRTIO_BLK_T_DISCARD ? VIRTIO_BLK_F_DISCARD : VIRTIO_BLK_F_WRITE_ZEROES;
	if (!(b->vdev.features & VIRTIO_BIT(feature)))
		return VIRTIO_BLK_S_UNSUPP;
	if (out_len != VIRTIO_BLK_DWZ_SIZE)
		return VIRTIO_BLK_S_IOERR; /* none, or more segments than max_*_seg */
	uint8_t seg[VIRTIO_BLK_DWZ_SIZE];
	iov_gather(out, nout, seg, sizeof(seg));
	uint64_t sector = le_get64(seg);
	uint32_t num = le_get32(seg + 8), flags = le_get32(seg + 12);
	uint32_t allowed = type == VIRTIO_BLK_T_WRITE_ZEROES ? VIRTIO_BLK_DWZ_F_UNMAP : 0;
	if (flags & ~allowed)
		return VIRTIO_BLK_S_UNSUPP; /* unmap on discard, reserved bits */
	if (num > VIRTIO_BLK_MAX_DWZ_SECTORS ||
	    !vblk_range_ok(b, sector, (uint64_t)num * VIRTIO_BLK_SECTOR))
		return VIRTIO_BLK_S_IOERR;
	r->br = (struct blk_req){
		.op = type == VIRTIO_BLK_T_DISCARD ? BLK_DISCARD : BLK_WRITE_ZEROES,
		.offset = sector * VIRTIO_BLK_SECTOR,
		.len = (uint64_t)num * VIRTIO_BLK_SECTOR,
	};
	r->used_len = 1;
	return 0xFF; /* submit */
}

/* Decide one request; 0xFF means "submitted to the backend". */
static uint8_t vblk_decode(struct virtio_blk *b, struct virtio_blk_req *r)
{
	struct vq_elem *el = &r->el;
	uint8_t hdr[VIRTIO_BLK_HDR_SIZE] = { 0 }; /* gcc cannot see iov_gather fill it */
	iov_gather(el->iov, el->nout, hdr, sizeof(hdr));
	uint32_t type = le_get32(hdr);
	uint64_t sector = le_get64(hdr + 8);

	unsigned nout = el->nout, nin = el->nin;
	struct iovec *out = iov_skip(el->iov, &nout, VIRTIO_BLK_HDR_SIZE);
	uint64_t out_len = el->out_bytes - VIRTIO_BLK_HDR_SIZE;
	/* The status byte is the last writable byte; data is what precedes it. */
	struct iovec *in = &el->iov[el->nout];
	struct iovec *last = &in[nin - 1];
	last->iov_len--;
	if (last->iov_len == 0)
		nin--;
	uint64_t in_len = el->in_bytes - 1;

	switch (type) {
	case VIRTIO_BLK_T_IN:
		if (in_len % VIRTIO_BLK_SECTOR || !vblk_range_ok(b, sector, in_len))
			return VIRTIO_BLK_S_IOERR;
		r->br = (struct blk_req){ .op = BLK_READ, .offset = sector * VIRTIO_BLK_SECTOR,
					  .iov = in, .iovcnt = nin };
		r->used_len = (uint32_t)in_len + 1;
		return 0xFF;
	case VIRTIO_BLK_T_OUT:
		if (blk_readonly(b->backend))
			return VIRTIO_BLK_S_IOERR; /* §5.2.6.2 with VIRTIO_BLK_F_RO */
		if (out_len % VIRTIO_BLK_SECTOR || !vblk_range_ok(b, sector, out_len))
			return VIRTIO_BLK_S_IOERR;
		r->br = (struct blk_req){ .op = BLK_WRITE, .offset = sector * VIRTIO_BLK_SECTOR,
					  .iov = out, .iovcnt = nout };
		r->used_len = 1;
		return 0xFF;
	case VIRTIO_BLK_T_FLUSH:
		r->br = (struct blk_req){ .op = BLK_FLUSH };
		r->used_len = 1;
		return 0xFF;
	case VIRTIO_BLK_T_GET_ID:
		r->used_len = (uint32_t)iov_fill(in, nin, (const uint8_t *)b->serial,
						 strnlen(b->serial, VIRTIO_BLK_ID_BYTES)) + 1;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		if (blk_readonly(b->backend))
			return VIRTIO_BLK_S_IOERR;
		return vblk_dwz(b, r, type, out, nout, out_len);
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

static void vblk_handle(struct virtio_blk *b, struct virtio_blk_req *r)
{
	struct vq_elem *el = &r->el;
	if (el->in_bytes < 1) {
		/* Nowhere to put a status: the driver cannot learn the outcome. */
		vblk_req_put(b, r);
		b->vdev.bad_chains++;
		virtio_dev_fail(&b->vdev, "virtio-blk request without a writable status byte");
		return;
	}
	struct iovec *last = &el->iov[el->nout + el->nin - 1];
	r->status = (uint8_t *)last->iov_base + last->iov_len - 1;
	if (el->out_bytes < VIRTIO_BLK_HDR_SIZE) {
		b->vdev.bad_requests++;
		vblk_complete(b, r, VIRTIO_BLK_S_IOERR, 1);
		return;
	}
	uint8_t verdict = vblk_decode(b, r);
	if (verdict == 0xFF) {
		vblk_submit(b, r);
		return;
	}
	if (verdict != VIRTIO_BLK_S_OK)
		b->vdev.bad_requests++; /* refused before reaching the disk */
	vblk_complete(b, r, verdict, r->used_len);
}

/* Drain the request queue (I/O thread, lock held). */
static void vblk_process(struct virtio_blk *b)
{
	struct virtio_dev *d = &b->vdev;
	struct vq *q = &d->queues[0];
	uint16_t used_before = q->used_idx;
	blk_plug(b->backend); /* one io_uring_enter for the whole batch */
	do {
		vq_disable_notify(q);
		for (;;) {
			struct virtio_blk_req *r = vblk_req_get(b);
			if (!r) {
				/* Only a driver offering chains it has in flight gets
				 * here; go on when one completes. */
				b->stalled = true;
				break;
			}
			int rc = vq_pop(q, &r->el);
			if (rc <= 0) {
				vblk_req_put(b, r);
				break;
			}
			vblk_handle(b, r);
		}
	} while (!b->stalled && vq_enable_notify(q));
	if (b->stalled)
		vq_enable_notify(q);
	blk_unplug(b->backend);
	if (q->used_idx != used_before)
		virtio_dev_used(d, 0);
}

static void vblk_queue_notify(struct virtio_dev *d, unsigned q)
{
	(void)q;
	vblk_process(vblk_of(d));
}

static void vblk_reset(struct virtio_dev *d)
{
	struct virtio_blk *b = vblk_of(d);
	b->gen++;
	b->stalled = false;
	while (b->inflight)
		virtio_dev_wait(d);
}

static const struct virtio_dev_ops vblk_ops = {
	.queue_notify = vblk_queue_notify,
	.reset = vblk_reset,
};

static uint64_t vblk_features(const struct blk_backend *be)
{
	uint64_t f = VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) |
		     VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);
	if (blk_readonly(be))
		return f | VIRTIO_BIT(VIRTIO_BLK_F_RO);
	return f | VIRTIO_BIT(VIRTIO_BLK_F_DISCARD) | VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES);
}

static void vblk_fill_config(struct virtio_blk *b)
{
	uint8_t *c = b->config;
	memset(c, 0, sizeof(b->config));
	le_put64(c + VIRTIO_BLK_CFG_CAPACITY, blk_size(b->backend) / VIRTIO_BLK_SECTOR);
	le_put32(c + VIRTIO_BLK_CFG_SEG_MAX, VIRTIO_BLK_SEG_MAX);
	le_put32(c + VIRTIO_BLK_CFG_BLK_SIZE, VIRTIO_BLK_SECTOR);
	le_put32(c + VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS, VIRTIO_BLK_MAX_DWZ_SECTORS);
	le_put32(c + VIRTIO_BLK_CFG_MAX_DISCARD_SEG, 1);
	le_put32(c + VIRTIO_BLK_CFG_DISCARD_ALIGN, VIRTIO_BLK_DISCARD_ALIGN);
	le_put32(c + VIRTIO_BLK_CFG_MAX_WZ_SECTORS, VIRTIO_BLK_MAX_DWZ_SECTORS);
	le_put32(c + VIRTIO_BLK_CFG_MAX_WZ_SEG, 1);
	c[VIRTIO_BLK_CFG_WZ_MAY_UNMAP] = 0;
}

int virtio_blk_create(struct virtio_blk **out, struct blk_backend *backend, const char *serial,
		      const struct guest_mem *mem, struct evloop *loop, struct pci_bus *bus,
		      struct err *e)
{
	*out = NULL;
	struct virtio_blk *b = calloc(1, sizeof(*b));
	if (!b) {
		blk_close(backend);
		return err_set(e, ERR_HOST, "out of memory");
	}
	b->backend = backend;
	strncpy(b->serial, serial ? serial : "", sizeof(b->serial));
	b->reqs = calloc(VQ_MAX_SIZE, sizeof(*b->reqs));
	if (!b->reqs) {
		virtio_blk_destroy(b);
		return err_set(e, ERR_HOST, "out of memory");
	}
	for (unsigned i = 0; i < VQ_MAX_SIZE; i++) {
		b->reqs[i].blk = b;
		vblk_req_put(b, &b->reqs[i]);
	}
	vblk_fill_config(b);
	if (virtio_dev_init(&b->vdev, "virtio-blk", VIRTIO_ID_BLOCK, vblk_features(backend), 1, mem,
			    b->config, sizeof(b->config), &vblk_ops)) {
		virtio_blk_destroy(b);
		return err_set(e, ERR_HOST, "virtio-blk: init failed");
	}
	b->vdev_ready = true;
	if ((loop && blk_attach(backend, loop, e)) || virtio_pci_init(&b->pci, &b->vdev, loop, e) ||
	    (bus && virtio_pci_attach(&b->pci, bus, e))) {
		virtio_blk_destroy(b);
		return -1;
	}
	*out = b;
	return 0;
}

void virtio_blk_destroy(struct virtio_blk *b)
{
	if (!b)
		return;
	/* The backend first: it waits for the kernel to finish with guest memory. */
	blk_close(b->backend);
	if (b->vdev_ready) {
		virtio_pci_destroy(&b->pci);
		virtio_dev_destroy(&b->vdev);
	}
	free(b->reqs);
	free(b);
}
