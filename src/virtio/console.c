/* console.c: virtio-console, one port, on host fds (virtio 1.2 §5.3). */
#include "virtio/console.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static struct virtio_console *vcon_of(struct virtio_dev *d)
{
	return (struct virtio_console *)(void *)((char *)d - offsetof(struct virtio_console, vdev));
}

/* May host input go to the guest now? Lock held. Only once the driver has
 * sent something on the port: Linux fills the receive queue before it marks
 * the port connected (virtio_console.c add_port, then init_port_console) and
 * throws away what arrives in between; it writes to the console only after. */
static bool vcon_rx_allowed(const struct virtio_console *c)
{
	const struct virtio_dev *d = &c->vdev;
	return virtio_dev_live(d) && d->queues[VIRTIO_CONSOLE_RXQ].ready && c->tx_seen;
}

/* console_fd's push: host input into receive buffers (I/O thread). Returns
 * how much was taken; the rest waits in the console_fd until the driver gives
 * buffers (or opens the port) and vcon_rx_resume lets it come. */
static size_t vcon_push(void *opaque, const uint8_t *buf, size_t len)
{
	struct virtio_console *c = opaque;
	struct virtio_dev *d = &c->vdev;
	struct vq *q = &d->queues[VIRTIO_CONSOLE_RXQ];
	size_t taken = 0;
	pthread_mutex_lock(&d->lock);
	while (taken < len && vcon_rx_allowed(c)) {
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

/* Let held-back input come (lock held). */
static void vcon_rx_resume(struct virtio_console *c)
{
	if (c->rx_waiting && vcon_rx_allowed(c)) {
		c->rx_waiting = false;
		console_fd_room(&c->fd);
	}
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
			c->tx_seen |= c->el.out_bytes > 0;
			vq_push(q, c->el.head, 0);
		}
	} while (vq_enable_notify(q));
	virtio_dev_used(d, VIRTIO_CONSOLE_TXQ);
	vcon_rx_resume(c);
}

/* ---- device ops ---- */

static void vcon_queue_notify(struct virtio_dev *d, unsigned q)
{
	struct virtio_console *c = vcon_of(d);
	switch (q) {
	case VIRTIO_CONSOLE_TXQ:
		vcon_tx(c);
		break;
	case VIRTIO_CONSOLE_RXQ:
		vcon_rx_resume(c); /* new receive buffers */
		break;
	default:
		break;
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
	struct virtio_console *c = vcon_of(d);
	/* Held-back input waits for the next driver's buffers. */
	c->rx_waiting = true;
	c->tx_seen = false;
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
	uint64_t features = VIRTIO_BIT(VIRTIO_CONSOLE_F_EMERG_WRITE);
	if (virtio_dev_init(&c->vdev, "virtio-console", VIRTIO_ID_CONSOLE, features,
			    VIRTIO_CONSOLE_NQUEUES, mem, c->config, sizeof(c->config), &vcon_ops)) {
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
