/* queue.h: split virtqueues in guest memory (virtio 1.2 §2.7), device side.
 *
 * The driver (guest) runs concurrently on other CPUs and is not trusted. The
 * rings are checked whole when the queue is set up (vq_setup) and reached
 * through the host pointers gpa_to_hva gave then; every index read from them
 * is reduced modulo the queue size, every descriptor is copied into a local
 * before it is checked, and every buffer goes through gpa_to_hva as a whole
 * range. A malformed chain never crashes: vq_pop reports it through the
 * queue's error callback (the transport sets DEVICE_NEEDS_RESET, §2.1.2),
 * counts it, and the queue stops serving requests until it is reset.
 *
 * Not thread-safe: the owner serialises calls (virtio_dev's lock).
 */
#ifndef VMM_VIRTIO_QUEUE_H
#define VMM_VIRTIO_QUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "core/memory.h"

/* Largest queue a device offers: SeaBIOS shrinks bigger ones to what it can
 * handle, Linux takes what is offered. A power of two (§2.7). */
#define VQ_MAX_SIZE 256

/* Descriptor flags (§2.7.5). */
#define VIRTQ_DESC_F_NEXT     1
#define VIRTQ_DESC_F_WRITE    2
#define VIRTQ_DESC_F_INDIRECT 4
/* Available ring flags (§2.7.6) and used ring flags (§2.7.8). */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY     1

/* Ring layout (§2.7: alignment 16/2/4; sizes include the event fields). */
#define VIRTQ_DESC_SIZE        16
#define VIRTQ_DESC_ALIGN       16
#define VIRTQ_AVAIL_ALIGN      2
#define VIRTQ_USED_ALIGN       4
#define VIRTQ_AVAIL_BYTES(n)   (6ULL + 2ULL * (n))
#define VIRTQ_USED_BYTES(n)    (6ULL + 8ULL * (n))
#define VIRTQ_USED_ELEM_SIZE   8

/* One popped chain: device-readable segments first (iov[0..nout)), then the
 * device-writable ones (iov[nout..nout+nin)). Zero-length descriptors are
 * accepted and leave no segment. */
struct vq_elem {
	uint16_t head;
	unsigned nout, nin;
	uint64_t out_bytes, in_bytes;
	struct iovec iov[VQ_MAX_SIZE];
};

struct vq;
typedef void vq_error_fn_t(void *ctx, struct vq *q, const char *why);

struct vq {
	const struct guest_mem *mem;
	uint16_t size;          /* entries; a power of two <= VQ_MAX_SIZE */
	bool ready;             /* set up and not reset since */
	bool event_idx;         /* VIRTIO_F_RING_EVENT_IDX negotiated */
	bool indirect;          /* VIRTIO_F_INDIRECT_DESC negotiated */
	bool broken;            /* a bad chain was seen: serve nothing until reset */

	uint8_t *desc, *avail, *used; /* host views of the three areas */

	uint16_t last_avail;    /* next available ring slot to take */
	uint16_t used_idx;      /* our copy of used->idx */
	uint16_t signalled_used;/* used_idx when the driver was last interrupted */
	bool signalled_valid;
	bool notify_on;         /* driver notifications wanted (§2.7.10) */

	unsigned long errors;   /* bad chains and bad setups, ever */
	const char *last_error;
	vq_error_fn_t *on_error;
	void *err_ctx;
};

/* A queue with no rings, reporting errors to on_error(ctx, q, why). */
void vq_init(struct vq *q, const struct guest_mem *mem, vq_error_fn_t *on_error, void *ctx);
/* Check and map the rings (size a power of two <= VQ_MAX_SIZE, areas aligned
 * and wholly in RAM); 0, or -EINVAL with q->last_error set (the queue stays
 * not ready; on_error is not called: the transport decides). */
int vq_setup(struct vq *q, uint16_t size, uint64_t desc, uint64_t avail, uint64_t used,
	     bool event_idx, bool indirect);
/* Forget the rings and every index (device reset). Counters stay. */
void vq_reset(struct vq *q);

/* Take the next available chain: 1 with el filled, 0 when there is none (or
 * the queue is not ready or broken), -1 for a malformed chain (counted,
 * reported, queue broken). */
int vq_pop(struct vq *q, struct vq_elem *el);
/* Return a chain: len = bytes the device wrote into its writable part. */
void vq_push(struct vq *q, uint16_t head, uint32_t len);
/* After pushes: should the driver be interrupted now (§2.7.7, §2.7.10)? */
bool vq_should_interrupt(struct vq *q);

/* Ask the driver not to notify while the device is draining the queue, and
 * again to notify; vq_enable_notify returns true when chains arrived in
 * between (the caller then drains again). */
void vq_disable_notify(struct vq *q);
bool vq_enable_notify(struct vq *q);
/* True when the available ring holds chains not yet taken. */
bool vq_has_avail(struct vq *q);

/* §2.7.10: with event index new_idx passed since old, does `event` ask for a
 * notification? (the used_event / avail_event rule, modulo 2^16) */
bool vq_need_event(uint16_t event, uint16_t new_idx, uint16_t old);

#endif
