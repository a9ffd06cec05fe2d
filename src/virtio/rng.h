/* rng.h: virtio-rng (virtio 1.2 §5.4): one request queue whose device-writable
 * buffers are filled from getrandom(2). No features, no config. */
#ifndef VMM_VIRTIO_RNG_H
#define VMM_VIRTIO_RNG_H

#include "virtio/pci.h"
#include "virtio/virtio.h"

/* Bytes given per request at most: a huge buffer does not hold the I/O
 * thread; the driver asks again (§5.4.6.1 lets the device fill less). */
#define VIRTIO_RNG_MAX_PER_REQ (64 * 1024)

struct virtio_rng {
	struct virtio_dev vdev;
	struct virtio_pci pci;
	bool vdev_ready;
	struct vq_elem el;
	unsigned long bytes;
};

int virtio_rng_create(struct virtio_rng **out, const struct guest_mem *mem, struct evloop *loop,
		      struct pci_bus *bus, struct err *e);
/* After the I/O thread stopped. */
void virtio_rng_destroy(struct virtio_rng *r);

#endif
