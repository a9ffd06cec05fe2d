/* console.c: virtio-console, one port, on host fds (virtio 1.2 §5.3). */
#include "virtio/console.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static struct virtio_console *vcon_of(struct virtio_dev *d)
{
	return (struct virtio_console *)(void *)((char *)d - offsetof(struct virtio_console, vdev));
}

/* console_fd's push: host input into receive buffers (I/O thread). Returns
 * how much was taken; the rest waits in the console_fd until vcon_rx_room. */
static size_t vcon_push(void *opaque, const uint8_t *buf, size_t len)
{
	struct virtio_console *c = opaque;
	struct virtio_dev *d = &c->vdev;
	struct vq *q = &d->queues[VIRTIO_CONSOLE_RXQ];
	size_t taken = 0;
	pthread_mutex_lock(&d->lock);
	while (taken < len && virtio_dev_live(d) && q->ready) {
		if (vq_pop(q, &c->el) <= 0)
			break;
		uint32_t n = 0;
		struct vq_elem *el = &c->el;
		for (unsigned i = 0; i < el->nin && taken < len; i++) {
			struct iovec *v = &el->iov[el->nout + i];
			size_t k = v->iov_len < len - taken ? v->iov_len : len - taken;
			memcpy(v->iov_base, buf + taken, k);
			taken += k;
			n += (uint32_t)k;
		}
		vq_push(q, el->head, n);
	}
	if (taken < len)
		c->rx_waiting = true;
	c->rx_bytes += taken;
	virtio_dev_used(d, VIRTIO_CONSOLE_RXQ);
	pthread_mutex_unlock(&d->lock);
	return taken;
}

static void vcon_tx(struct virtio_console *c)
{
	struct virtio_dev *d = &c->vdev;
	struct vq *q = &d->queues[VIRTIO_CONSOLE_TXQ];
	do {
		vq_disable_notify(q);
		while (vq_pop(q, &c->el) > 0) {
			for (unsigned i = 0; i < c->el.nout; i++)
				console_sink_write(&c->out, c->el.iov[i].iov_base, c->el.iov[i].iov_len);
			c->tx_bytes += c->el.out_bytes;
			vq_push(q, c->el.head, 0);
		}
	} while (vq_enable_notify(q));
	virtio_dev_used(d, VIRTIO_CONSOLE_TXQ);
}

static void vcon_queue_notify(struct virtio_dev *d, unsigned q)
{
	struct virtio_console *c = vcon_of(d);
	if (q == VIRTIO_CONSOLE_TXQ) {
		vcon_tx(c);
	} else if (c->rx_waiting) {
		/* New receive buffers: let the held-back input come. */
		c->rx_waiting = false;
		console_fd_room(&c->fd);
	}
}

static void vcon_config_write(struct virtio_dev *d, unsigned off, unsigned len, uint32_t val)
{
	struct virtio_console *c = vcon_of(d);
	if (off != VIRTIO_CONSOLE_CFG_EMERG_WR || !(d->features & VIRTIO_BIT(VIRTIO_CONSOLE_F_EMERG_WRITE))) {
		d->bad_accesses++;
		return;
	}
	(void)len;
	uint8_t ch = (uint8_t)val; /* §5.3.4: the low byte is the character */
	console_sink_write(&c->out, &ch, 1);
}

static void vcon_reset(struct virtio_dev *d)
{
	/* Held-back input waits for the next driver's buffers. */
	vcon_of(d)->rx_waiting = true;
}

static const struct virtio_dev_ops vcon_ops = {
	.queue_notify = vcon_queue_notify,
	.config_write = vcon_config_write,
	.reset = vcon_reset,
};

int virtio_console_create(struct virtio_console **out, const struct vmm_config *cfg,
			  const struct guest_mem *mem, struct evloop *loop, struct pci_bus *bus,
			  struct err *e)
{
	*out = NULL;
	struct virtio_console *c = calloc(1, sizeof(*c));
	if (!c)
		return err_set(e, ERR_HOST, "out of memory");
	c->rx_waiting = true;
	c->fd.room_efd = -1;
	if (console_fd_open(&c->fd, cfg, e))
		goto fail;
	c->fd_ready = true;
	c->out = console_fd_sink(&c->fd);
	if (virtio_dev_init(&c->vdev, "virtio-console", VIRTIO_ID_CONSOLE,
			    VIRTIO_BIT(VIRTIO_CONSOLE_F_EMERG_WRITE), 2, mem, c->config,
			    sizeof(c->config), &vcon_ops)) {
		err_set(e, ERR_HOST, "virtio-console: init failed");
		goto fail;
	}
	c->vdev_ready = true;
	if (virtio_pci_init(&c->pci, &c->vdev, loop, e) ||
	    (bus && virtio_pci_attach(&c->pci, bus, e)) ||
	    (loop && console_fd_attach(&c->fd, loop, vcon_push, c, e)))
		goto fail;
	*out = c;
	return 0;
fail:
	virtio_console_destroy(c);
	return -1;
}

void virtio_console_destroy(struct virtio_console *c)
{
	if (!c)
		return;
	if (c->vdev_ready) {
		virtio_pci_destroy(&c->pci);
		virtio_dev_destroy(&c->vdev);
	}
	if (c->fd_ready)
		console_fd_destroy(&c->fd);
	free(c);
}
