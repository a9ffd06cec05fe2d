/* virtio.h: a virtio device, whatever its transport (virtio 1.2 §2, §3).
 *
 * A device (blk, console, rng) embeds struct virtio_dev, fills its ops and
 * config bytes and calls virtio_dev_init; a transport (pci.c) decodes the
 * guest's register accesses into the virtio_dev_* calls below and delivers
 * the interrupts the device asks for through struct virtio_transport.
 *
 * Threads: register accesses arrive on vCPU threads, queue work runs on the
 * VM's I/O thread (virtio_dev_kick), block completions too. d->lock guards
 * everything in struct virtio_dev and the transport's registers; ops are
 * called with it held. A device's reset may wait for its in-flight work with
 * virtio_dev_wait (the lock is released while waiting).
 *
 * Lock order: virtio_dev lock, then the PCI bus lock, then an MSI-X lock.
 */
#ifndef VMM_VIRTIO_VIRTIO_H
#define VMM_VIRTIO_VIRTIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/memory.h"
#include "virtio/queue.h"

/* Device status (§2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01
#define VIRTIO_STATUS_DRIVER      0x02
#define VIRTIO_STATUS_DRIVER_OK   0x04
#define VIRTIO_STATUS_FEATURES_OK 0x08
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED      0x80

/* Reserved feature bits (§6). */
#define VIRTIO_F_INDIRECT_DESC  28
#define VIRTIO_F_RING_EVENT_IDX 29
#define VIRTIO_F_VERSION_1      32
#define VIRTIO_BIT(n)           (1ULL << (n))
/* What every device here offers on top of its own bits. */
#define VIRTIO_TRANSPORT_FEATURES \
	(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX) | \
	 VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC))

/* Device types (§5). */
#define VIRTIO_ID_BLOCK   2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG     4

#define VIRTIO_MAX_QUEUES 8

struct virtio_dev;

struct virtio_dev_ops {
	/* The driver notified queue q (I/O thread). Only called while the
	 * device is live (DRIVER_OK, no NEEDS_RESET) and q is enabled. */
	void (*queue_notify)(struct virtio_dev *d, unsigned q);
	/* Optional: the driver wrote len bytes (1, 2 or 4) at off in the
	 * device-specific config; off + len <= config_len. */
	void (*config_write)(struct virtio_dev *d, unsigned off, unsigned len, uint32_t val);
	/* Optional: DRIVER_OK was just set. */
	void (*driver_ok)(struct virtio_dev *d);
	/* Optional: the device is being reset (§2.4); queues are already
	 * disabled. Must not return while requests still touch guest memory. */
	void (*reset)(struct virtio_dev *d);
};

/* What the transport does for the device. */
struct virtio_transport {
	void *ctx;
	void (*notify_queue)(void *ctx, unsigned q); /* used buffers on q */
	void (*notify_config)(void *ctx);            /* config change / NEEDS_RESET */
	void (*reset)(void *ctx);                    /* transport registers to reset values */
	void (*schedule)(void *ctx, unsigned q);     /* serve q soon on the I/O thread */
};

/* The driver's view of one queue before it enables it (§4.1.4.3). */
struct virtio_queue_cfg {
	uint16_t size;
	uint64_t desc, driver, device;
	bool enabled;
};

struct virtio_dev {
	const char *name;
	uint16_t id;
	uint64_t features;        /* offered */
	uint64_t driver_features; /* written by the driver */
	uint8_t status;
	uint8_t config_generation;
	unsigned nqueues;
	struct vq queues[VIRTIO_MAX_QUEUES];
	struct virtio_queue_cfg qcfg[VIRTIO_MAX_QUEUES];
	const uint8_t *config;    /* device-specific config, little-endian */
	unsigned config_len;
	const struct virtio_dev_ops *ops;
	struct virtio_transport transport;
	pthread_mutex_t lock;
	pthread_cond_t cond;      /* virtio_dev_wait / virtio_dev_wake */
	/* Counted, never fatal. */
	unsigned long bad_chains;    /* queue errors that set NEEDS_RESET */
	unsigned long bad_requests;  /* well-formed chains the device refused */
	unsigned long bad_accesses;  /* register accesses that meant nothing */
};

/* dev_features are the device's own bits; the transport bits are added. */
int virtio_dev_init(struct virtio_dev *d, const char *name, uint16_t id, uint64_t dev_features,
		    unsigned nqueues, const struct guest_mem *mem, const void *config,
		    unsigned config_len, const struct virtio_dev_ops *ops);
void virtio_dev_destroy(struct virtio_dev *d);

/* ---- for devices (lock held) ---- */

bool virtio_dev_has(const struct virtio_dev *d, unsigned bit); /* negotiated */
bool virtio_dev_live(const struct virtio_dev *d);
/* After vq_push()es on q: interrupt the driver unless it asked not to be. */
void virtio_dev_used(struct virtio_dev *d, unsigned q);
/* Something the device cannot recover from: DEVICE_NEEDS_RESET (§2.1.2) and a
 * configuration change interrupt. */
void virtio_dev_fail(struct virtio_dev *d, const char *why);
void virtio_dev_wait(struct virtio_dev *d);  /* cond wait on d->lock */
void virtio_dev_wake(struct virtio_dev *d);
/* Tell the driver the device-specific config changed (§2.5.1). */
void virtio_dev_config_changed(struct virtio_dev *d);

/* ---- for transports (lock held unless said) ---- */

uint32_t virtio_dev_features_read(const struct virtio_dev *d, uint32_t select);
void virtio_dev_features_write(struct virtio_dev *d, uint32_t select, uint32_t val);
/* The status state machine (§2.1, §3.1.1); 0 resets the device. */
void virtio_dev_status_write(struct virtio_dev *d, uint8_t val);
void virtio_dev_reset(struct virtio_dev *d);
/* queue_enable written with 1: check and map the rings. */
void virtio_dev_queue_enable(struct virtio_dev *d, unsigned q);
/* The I/O thread's handler for a notification of queue q (takes the lock). */
void virtio_dev_kick(struct virtio_dev *d, unsigned q);

#endif
