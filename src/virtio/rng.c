/* rng.c: virtio-rng from getrandom(2) (virtio 1.2 §5.4). */
#include "virtio/rng.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/random.h>

static struct virtio_rng *vrng_of(struct virtio_dev *d)
{
	return (struct virtio_rng *)(void *)((char *)d - offsetof(struct virtio_rng, vdev));
}

/* Fill len bytes; returns how many (short only if the kernel fails us). */
static size_t vrng_fill(uint8_t *p, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = getrandom(p + done, len - done, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	return done;
}

static void vrng_queue_notify(struct virtio_dev *d, unsigned qi)
{
	struct virtio_rng *r = vrng_of(d);
	struct vq *q = &d->queues[qi];
	do {
		vq_disable_notify(q);
		while (vq_pop(q, &r->el) > 0) {
			size_t budget = VIRTIO_RNG_MAX_PER_REQ, given = 0;
			/* Only device-writable buffers take data (§5.4.6). */
			for (unsigned i = 0; i < r->el.nin && budget; i++) {
				struct iovec *v = &r->el.iov[r->el.nout + i];
				size_t want = v->iov_len < budget ? v->iov_len : budget;
				size_t got = vrng_fill(v->iov_base, want);
				given += got;
				budget -= want;
				if (got < want)
					break;
			}
			r->bytes += given;
			vq_push(q, r->el.head, (uint32_t)given);
		}
	} while (vq_enable_notify(q));
	virtio_dev_used(d, qi);
}

static const struct virtio_dev_ops vrng_ops = {
	.queue_notify = vrng_queue_notify,
};

int virtio_rng_create(struct virtio_rng **out, const struct guest_mem *mem, struct evloop *loop,
		      struct pci_bus *bus, struct err *e)
{
	*out = NULL;
	struct virtio_rng *r = calloc(1, sizeof(*r));
	if (!r)
		return err_set(e, ERR_HOST, "out of memory");
	if (virtio_dev_init(&r->vdev, "virtio-rng", VIRTIO_ID_RNG, 0, 1, mem, NULL, 0, &vrng_ops)) {
		free(r);
		return err_set(e, ERR_HOST, "virtio-rng: init failed");
	}
	r->vdev_ready = true;
	if (virtio_pci_init(&r->pci, &r->vdev, loop, e) || (bus && virtio_pci_attach(&r->pci, bus, e))) {
		virtio_rng_destroy(r);
		return -1;
	}
	*out = r;
	return 0;
}

void virtio_rng_destroy(struct virtio_rng *r)
{
	if (!r)
		return;
	if (r->vdev_ready) {
		virtio_pci_destroy(&r->pci);
		virtio_dev_destroy(&r->vdev);
	}
	free(r);
}
