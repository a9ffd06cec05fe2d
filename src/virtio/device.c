/* device.c: transport-independent virtio device state: features, status,
 * queues, reset and interrupts (virtio 1.2 §2, §3.1; virtio.h). */
#include "virtio/virtio.h"

#include <errno.h>
#include <string.h>

static void virtio_on_queue_error(void *ctx, struct vq *q, const char *why)
{
	struct virtio_dev *d = ctx;
	(void)q;
	d->bad_chains++;
	virtio_dev_fail(d, why);
}

static void virtio_qcfg_reset(struct virtio_dev *d)
{
	for (unsigned q = 0; q < d->nqueues; q++)
		d->qcfg[q] = (struct virtio_queue_cfg){ .size = VQ_MAX_SIZE };
}

int virtio_dev_init(struct virtio_dev *d, const char *name, uint16_t id, uint64_t dev_features,
		    unsigned nqueues, const struct guest_mem *mem, const void *config,
		    unsigned config_len, const struct virtio_dev_ops *ops)
{
	if (nqueues == 0 || nqueues > VIRTIO_MAX_QUEUES || !ops || !ops->queue_notify)
		return -EINVAL;
	memset(d, 0, sizeof(*d));
	d->name = name;
	d->id = id;
	d->features = dev_features | VIRTIO_TRANSPORT_FEATURES;
	d->nqueues = nqueues;
	d->config = config;
	d->config_len = config_len;
	d->ops = ops;
	for (unsigned q = 0; q < nqueues; q++)
		vq_init(&d->queues[q], mem, virtio_on_queue_error, d);
	virtio_qcfg_reset(d);
	int rc = pthread_mutex_init(&d->lock, NULL);
	if (rc)
		return -rc;
	rc = pthread_cond_init(&d->cond, NULL);
	if (rc) {
		pthread_mutex_destroy(&d->lock);
		return -rc;
	}
	return 0;
}

void virtio_dev_destroy(struct virtio_dev *d)
{
	pthread_cond_destroy(&d->cond);
	pthread_mutex_destroy(&d->lock);
}

bool virtio_dev_has(const struct virtio_dev *d, unsigned bit)
{
	return bit < 64 && (d->driver_features & VIRTIO_BIT(bit)) &&
	       (d->status & VIRTIO_STATUS_FEATURES_OK);
}

bool virtio_dev_live(const struct virtio_dev *d)
{
	return (d->status & VIRTIO_STATUS_DRIVER_OK) && !(d->status & VIRTIO_STATUS_NEEDS_RESET);
}

void virtio_dev_used(struct virtio_dev *d, unsigned q)
{
	if (q < d->nqueues && vq_should_interrupt(&d->queues[q]) && d->transport.notify_queue)
		d->transport.notify_queue(d->transport.ctx, q);
}

void virtio_dev_fail(struct virtio_dev *d, const char *why)
{
	(void)why; /* the queue keeps the reason (vq.last_error) for debugging */
	if (d->status & VIRTIO_STATUS_NEEDS_RESET)
		return;
	d->status |= VIRTIO_STATUS_NEEDS_RESET;
	/* §2.1.2: a device setting NEEDS_RESET after DRIVER_OK sends a
	 * configuration change notification. Before it the driver reads status. */
	if ((d->status & VIRTIO_STATUS_DRIVER_OK) && d->transport.notify_config)
		d->transport.notify_config(d->transport.ctx);
}

void virtio_dev_config_changed(struct virtio_dev *d)
{
	d->config_generation++;
	if ((d->status & VIRTIO_STATUS_DRIVER_OK) && d->transport.notify_config)
		d->transport.notify_config(d->transport.ctx);
}

void virtio_dev_wait(struct virtio_dev *d)
{
	pthread_cond_wait(&d->cond, &d->lock);
}

void virtio_dev_wake(struct virtio_dev *d)
{
	pthread_cond_broadcast(&d->cond);
}

uint32_t virtio_dev_features_read(const struct virtio_dev *d, uint32_t select)
{
	if (select > 1)
		return 0;
	return (uint32_t)(d->features >> (32 * select));
}

void virtio_dev_features_write(struct virtio_dev *d, uint32_t select, uint32_t val)
{
	/* §2.2.2 / §3.1.1: features are settled once FEATURES_OK is set. */
	if (select > 1 || (d->status & VIRTIO_STATUS_FEATURES_OK)) {
		d->bad_accesses++;
		return;
	}
	unsigned shift = 32 * select;
	d->driver_features = (d->driver_features & ~(0xFFFFFFFFULL << shift)) |
			     ((uint64_t)val << shift);
}

void virtio_dev_reset(struct virtio_dev *d)
{
	/* Not live any more: kicks and completions stop touching the rings. */
	d->status = 0;
	for (unsigned q = 0; q < d->nqueues; q++)
		vq_reset(&d->queues[q]);
	if (d->ops->reset)
		d->ops->reset(d);
	d->status = 0; /* a write during the device's drain does not survive it */
	d->driver_features = 0;
	virtio_qcfg_reset(d);
	for (unsigned q = 0; q < d->nqueues; q++)
		vq_reset(&d->queues[q]);
	if (d->transport.reset)
		d->transport.reset(d->transport.ctx);
}

/* §2.2.2 and §6.1: the device accepts a feature set it offered, and only
 * with VERSION_1 (this is a modern-only device, §7.2.2). */
static bool virtio_features_acceptable(const struct virtio_dev *d)
{
	return !(d->driver_features & ~d->features) &&
	       (d->driver_features & VIRTIO_BIT(VIRTIO_F_VERSION_1));
}

void virtio_dev_status_write(struct virtio_dev *d, uint8_t val)
{
	if (val == 0) {
		virtio_dev_reset(d);
		return;
	}
	uint8_t old = d->status;
	/* NEEDS_RESET is the device's to set; the driver cannot clear it. */
	uint8_t s = (uint8_t)((val & ~VIRTIO_STATUS_NEEDS_RESET) | (old & VIRTIO_STATUS_NEEDS_RESET));
	if ((s & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK) &&
	    !virtio_features_acceptable(d))
		s &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK; /* the driver reads it back (§3.1.1) */
	if ((s & VIRTIO_STATUS_DRIVER_OK) && !(s & VIRTIO_STATUS_FEATURES_OK)) {
		s &= (uint8_t)~VIRTIO_STATUS_DRIVER_OK;
		d->bad_accesses++;
	}
	d->status = s;
	if ((s & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK)) {
		if (d->ops->driver_ok)
			d->ops->driver_ok(d);
		/* Chains made available before DRIVER_OK were kicked while the
		 * device ignored kicks: serve them now, on the I/O thread. */
		for (unsigned q = 0; q < d->nqueues && d->transport.schedule; q++)
			if (d->queues[q].ready)
				d->transport.schedule(d->transport.ctx, q);
	}
}

void virtio_dev_queue_enable(struct virtio_dev *d, unsigned q)
{
	if (q >= d->nqueues || d->qcfg[q].enabled) {
		d->bad_accesses++;
		return;
	}
	if (!(d->status & VIRTIO_STATUS_FEATURES_OK)) {
		d->bad_accesses++; /* ring features are not known yet */
		return;
	}
	struct virtio_queue_cfg *c = &d->qcfg[q];
	if (vq_setup(&d->queues[q], c->size, c->desc, c->driver, c->device,
		     virtio_dev_has(d, VIRTIO_F_RING_EVENT_IDX),
		     virtio_dev_has(d, VIRTIO_F_INDIRECT_DESC))) {
		d->bad_chains++;
		virtio_dev_fail(d, d->queues[q].last_error);
		return;
	}
	c->enabled = true;
}

void virtio_dev_kick(struct virtio_dev *d, unsigned q)
{
	pthread_mutex_lock(&d->lock);
	if (q < d->nqueues && virtio_dev_live(d) && d->queues[q].ready && !d->queues[q].broken)
		d->ops->queue_notify(d, q);
	pthread_mutex_unlock(&d->lock);
}
