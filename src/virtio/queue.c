/* queue.c: split virtqueue, device side (virtio 1.2 §2.7; queue.h).
 *
 * Ring fields live in memory the guest writes concurrently, so they are read
 * and written with single atomic accesses (the areas are aligned, checked at
 * setup) and ordered with fences where §2.7.13 asks for barriers:
 *   read avail->idx, then acquire, then the ring entries and descriptors;
 *   write used elements, release, then used->idx;
 *   write used->idx or avail_event, full fence, then read the driver's
 *   suppression fields (used_event, avail->flags, avail->idx).
 */
#include "virtio/queue.h"

#include <errno.h>
#include <string.h>

/* Offsets inside the areas (§2.7.5, §2.7.6, §2.7.8). */
#define AVAIL_FLAGS   0
#define AVAIL_IDX     2
#define AVAIL_RING    4
#define USED_FLAGS    0
#define USED_IDX      2
#define USED_RING     4

struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static uint16_t ld16(const uint8_t *p)
{
	return __atomic_load_n((const uint16_t *)(const void *)p, __ATOMIC_RELAXED);
}

static void st16(uint8_t *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)(void *)p, v, __ATOMIC_RELAXED);
}

static void st32(uint8_t *p, uint32_t v)
{
	__atomic_store_n((uint32_t *)(void *)p, v, __ATOMIC_RELAXED);
}

/* Copy one descriptor out of guest memory. Bytewise: indirect tables need
 * not be aligned, and the copy is validated before use anyway. */
static struct vq_desc desc_load(const uint8_t *base, unsigned i)
{
	const uint8_t *p = base + (size_t)i * VIRTQ_DESC_SIZE;
	struct vq_desc d;
	memcpy(&d.addr, p, 8);
	memcpy(&d.len, p + 8, 4);
	memcpy(&d.flags, p + 12, 2);
	memcpy(&d.next, p + 14, 2);
	return d;
}

static uint8_t *used_event_ptr(struct vq *q)
{
	return q->avail + AVAIL_RING + 2 * (size_t)q->size; /* §2.7.6 used_event */
}

static uint8_t *avail_event_ptr(struct vq *q)
{
	return q->used + USED_RING + VIRTQ_USED_ELEM_SIZE * (size_t)q->size; /* §2.7.8 */
}

void vq_init(struct vq *q, const struct guest_mem *mem, vq_error_fn_t *on_error, void *ctx)
{
	memset(q, 0, sizeof(*q));
	q->mem = mem;
	q->on_error = on_error;
	q->err_ctx = ctx;
	q->notify_on = true;
}

void vq_reset(struct vq *q)
{
	q->ready = q->broken = false;
	q->event_idx = q->indirect = false;
	q->size = 0;
	q->desc = q->avail = q->used = NULL;
	q->last_avail = q->used_idx = q->signalled_used = 0;
	q->signalled_valid = false;
	q->notify_on = true;
}

static uint8_t *vq_map(struct vq *q, uint64_t gpa, uint64_t len, uint64_t align, const char *what)
{
	if (gpa % align) {
		q->last_error = what;
		return NULL;
	}
	uint8_t *p = gpa_to_hva(q->mem, gpa, len);
	if (!p)
		q->last_error = what;
	return p;
}

int vq_setup(struct vq *q, uint16_t size, uint64_t desc, uint64_t avail, uint64_t used,
	     bool event_idx, bool indirect)
{
	vq_reset(q);
	if (size == 0 || size > VQ_MAX_SIZE || (size & (size - 1))) {
		q->last_error = "queue size is not a power of two up to the maximum";
		q->errors++;
		return -EINVAL;
	}
	q->desc = vq_map(q, desc, (uint64_t)size * VIRTQ_DESC_SIZE, VIRTQ_DESC_ALIGN,
			 "descriptor table misaligned or not in RAM");
	q->avail = vq_map(q, avail, VIRTQ_AVAIL_BYTES(size), VIRTQ_AVAIL_ALIGN,
			  "available ring misaligned or not in RAM");
	q->used = vq_map(q, used, VIRTQ_USED_BYTES(size), VIRTQ_USED_ALIGN,
			 "used ring misaligned or not in RAM");
	if (!q->desc || !q->avail || !q->used) {
		q->errors++;
		q->desc = q->avail = q->used = NULL;
		return -EINVAL;
	}
	q->size = size;
	q->event_idx = event_idx;
	q->indirect = indirect;
	q->ready = true;
	return 0;
}

static int vq_fail(struct vq *q, const char *why)
{
	q->broken = true;
	q->errors++;
	q->last_error = why;
	if (q->on_error)
		q->on_error(q->err_ctx, q, why);
	return -1;
}

/* Walk state for one chain. */
struct vq_walk {
	struct vq_elem *el;
	unsigned count;         /* buffer descriptors taken, capped at q->size */
	bool seen_writable;
};

/* Add one buffer descriptor to the element. NULL, or why it is bad. */
static const char *vq_take(struct vq *q, struct vq_walk *w, const struct vq_desc *d)
{
	if (++w->count > q->size)
		return "descriptor chain longer than the queue";
	bool writable = d->flags & VIRTQ_DESC_F_WRITE;
	if (!writable && w->seen_writable)
		return "device-readable descriptor after a device-writable one";
	w->seen_writable |= writable;
	if (d->len == 0)
		return NULL; /* nothing to map; harmless */
	void *hva = gpa_to_hva(q->mem, d->addr, d->len);
	if (!hva)
		return "descriptor buffer not in RAM";
	struct vq_elem *el = w->el;
	/* count <= size <= VQ_MAX_SIZE, so the array has room. */
	el->iov[el->nout + el->nin] = (struct iovec){ hva, d->len };
	if (writable) {
		el->nin++;
		el->in_bytes += d->len;
	} else {
		el->nout++;
		el->out_bytes += d->len;
	}
	return NULL;
}

/* §2.7.5.3: a table of len/16 descriptors chained from entry 0. */
static const char *vq_walk_indirect(struct vq *q, struct vq_walk *w, const struct vq_desc *ind)
{
	if (!q->indirect)
		return "indirect descriptor without VIRTIO_F_INDIRECT_DESC";
	if (ind->flags & VIRTQ_DESC_F_NEXT)
		return "indirect descriptor with NEXT set";
	if (ind->len == 0 || ind->len % VIRTQ_DESC_SIZE)
		return "indirect table length not a multiple of 16";
	unsigned n = ind->len / VIRTQ_DESC_SIZE;
	if (n > q->size)
		return "indirect table longer than the queue";
	/* No alignment rule for indirect tables (§2.7.5.3): Linux's kmalloc
	 * hands out 8-byte aligned ones. Entries are read bytewise. */
	const uint8_t *table = gpa_to_hva(q->mem, ind->addr, ind->len);
	if (!table)
		return "indirect table not in RAM";
	uint8_t visited[VQ_MAX_SIZE / 8] = { 0 };
	unsigned i = 0;
	for (;;) {
		if (visited[i / 8] & (1u << (i % 8)))
			return "loop in indirect table";
		visited[i / 8] |= (uint8_t)(1u << (i % 8));
		struct vq_desc d = desc_load(table, i);
		if (d.flags & VIRTQ_DESC_F_INDIRECT)
			return "nested indirect descriptor";
		const char *bad = vq_take(q, w, &d);
		if (bad)
			return bad;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return NULL;
		if (d.next >= n)
			return "indirect NEXT outside the table";
		i = d.next;
	}
}

static const char *vq_walk_chain(struct vq *q, struct vq_walk *w, uint16_t head)
{
	uint8_t visited[VQ_MAX_SIZE / 8] = { 0 };
	unsigned i = head;
	for (;;) {
		if (visited[i / 8] & (1u << (i % 8)))
			return "loop in descriptor chain";
		visited[i / 8] |= (uint8_t)(1u << (i % 8));
		struct vq_desc d = desc_load(q->desc, i);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			/* Only as the whole chain: a table behind a head descriptor. */
			if (i != head)
				return "indirect descriptor inside a chain";
			return vq_walk_indirect(q, w, &d);
		}
		const char *bad = vq_take(q, w, &d);
		if (bad)
			return bad;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return NULL;
		if (d.next >= q->size)
			return "NEXT index outside the descriptor table";
		i = d.next;
	}
}

bool vq_has_avail(struct vq *q)
{
	if (!q->ready || q->broken)
		return false;
	return ld16(q->avail + AVAIL_IDX) != q->last_avail;
}

int vq_pop(struct vq *q, struct vq_elem *el)
{
	if (!q->ready || q->broken)
		return 0;
	uint16_t avail_idx = ld16(q->avail + AVAIL_IDX);
	uint16_t pending = (uint16_t)(avail_idx - q->last_avail);
	if (pending == 0)
		return 0;
	if (pending > q->size)
		return vq_fail(q, "available index ran more than a queue ahead");
	/* The ring entry and descriptors were written before avail->idx. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	unsigned slot = q->last_avail & (q->size - 1);
	uint16_t head = ld16(q->avail + AVAIL_RING + 2 * slot);
	if (head >= q->size)
		return vq_fail(q, "available ring names a descriptor outside the table");
	el->head = head;
	el->nout = el->nin = 0;
	el->out_bytes = el->in_bytes = 0;
	struct vq_walk w = { .el = el };
	const char *bad = vq_walk_chain(q, &w, head);
	if (bad)
		return vq_fail(q, bad);
	q->last_avail++;
	if (q->event_idx && q->notify_on)
		st16(avail_event_ptr(q), q->last_avail); /* kick me for the next one */
	return 1;
}

void vq_push(struct vq *q, uint16_t head, uint32_t len)
{
	if (!q->ready)
		return;
	uint8_t *e = q->used + USED_RING + VIRTQ_USED_ELEM_SIZE * (size_t)(q->used_idx & (q->size - 1));
	st32(e, head);
	st32(e + 4, len);
	q->used_idx++;
	/* The element must be visible before the index that publishes it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	st16(q->used + USED_IDX, q->used_idx);
}

bool vq_need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

bool vq_should_interrupt(struct vq *q)
{
	if (!q->ready)
		return false;
	uint16_t old = q->signalled_used;
	bool valid = q->signalled_valid;
	if (old == q->used_idx)
		return false; /* nothing used since the last decision (or ever) */
	q->signalled_used = q->used_idx;
	q->signalled_valid = true;
	/* Our used->idx store before the driver's suppression fields. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!q->event_idx)
		return !(ld16(q->avail + AVAIL_FLAGS) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	if (!valid)
		return true;
	return vq_need_event(ld16(used_event_ptr(q)), q->used_idx, old);
}

void vq_disable_notify(struct vq *q)
{
	q->notify_on = false;
	if (q->ready && !q->event_idx)
		st16(q->used + USED_FLAGS, VIRTQ_USED_F_NO_NOTIFY);
	/* With EVENT_IDX, avail_event simply stops moving. */
}

bool vq_enable_notify(struct vq *q)
{
	q->notify_on = true;
	if (!q->ready || q->broken)
		return false;
	if (q->event_idx)
		st16(avail_event_ptr(q), q->last_avail);
	else
		st16(q->used + USED_FLAGS, 0);
	/* Publish the request for notifications before looking again. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return ld16(q->avail + AVAIL_IDX) != q->last_avail;
}
