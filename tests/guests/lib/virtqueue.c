/* virtqueue.c: split virtqueues from the driver side (virtio 1.2 §2.7): set-up, chains, indirect tables, kicks, used ring. */
#include "guest.h"
#include "pmem.h"
#include "virtio.h"

/* Offsets in 16-bit units into the rings (§2.7.6, §2.7.8). */
#define AVAIL_FLAGS 0
#define AVAIL_IDX   1
#define AVAIL_RING  2
#define USED_FLAGS  0
#define USED_IDX    1
#define USED_RING_BYTES 4 /* the elements start after flags and idx */
#define PAGE_SIZE 4096

static volatile struct virtq_used_elem *used_elems(const struct virtq *q)
{
	return (volatile struct virtq_used_elem *)((uintptr_t)q->used + USED_RING_BYTES);
}

/* used_event trails the available ring, avail_event the used ring (§2.7.10). */
static volatile uint16_t *used_event(const struct virtq *q)
{
	return &q->avail[AVAIL_RING + q->size];
}

static volatile uint16_t *avail_event(const struct virtq *q)
{
	return &q->used[USED_RING_BYTES / 2 + 4 * (unsigned)q->size];
}

static int fail(struct virtio_dev *d, const char *why)
{
	d->err = why;
	return -1;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int virtq_setup(struct virtio_dev *d, struct virtq *q, uint16_t index, uint16_t max_size, uint16_t msix_entry)
{
	if (index >= d->num_queues)
		return fail(d, "queue index beyond num_queues");
	virtio_common_write16(d, VIRTIO_COMMON_Q_SELECT, index);
	uint16_t dev_max = virtio_common_read16(d, VIRTIO_COMMON_Q_SIZE);
	if (dev_max == 0)
		return fail(d, "queue not available (queue_size 0)");
	/* §2.7: split queue sizes are powers of two; take the largest that
	 * fits both limits. */
	uint16_t size = dev_max < max_size ? dev_max : max_size;
	while (size & (size - 1))
		size &= (uint16_t)(size - 1);
	if (size != dev_max)
		virtio_common_write16(d, VIRTIO_COMMON_Q_SIZE, size);

	/* One block: descriptors, then the available ring, then the used ring
	 * on its own page, each aligned as §2.7 requires. */
	uint64_t desc_bytes = 16ull * size;
	uint64_t avail_off = desc_bytes;
	uint64_t used_off = align_up(avail_off + 6 + 2ull * size, PAGE_SIZE);
	uint64_t total = used_off + align_up(6 + 8ull * size, PAGE_SIZE);
	if (!q->desc || q->alloc_size < size) {
		void *mem = pmem_alloc(total, PAGE_SIZE);
		if (!mem)
			return fail(d, "out of memory for a virtqueue");
		q->desc = mem;
		q->alloc_size = size;
	}
	uintptr_t base = (uintptr_t)q->desc;
	q->avail = (volatile uint16_t *)(base + avail_off);
	q->used = (volatile uint16_t *)(base + used_off);
	/* The rings must start empty; descriptors are written before use. */
	pmem_zero((void *)(base + avail_off), total - avail_off);

	q->dev = d;
	q->index = index;
	q->size = size;
	q->avail_idx = q->kicked_idx = q->last_used = 0;
	q->free_head = 0;
	q->num_free = size;
	q->event_idx = d->features & VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	q->irq_on = msix_entry != VIRTIO_MSI_NO_VECTOR;
	q->msix_entry = msix_entry;
	for (uint16_t i = 0; i < size; i++)
		q->desc[i].next = (uint16_t)(i + 1);

	virtio_common_write16(d, VIRTIO_COMMON_Q_MSIX, msix_entry);
	if (virtio_common_read16(d, VIRTIO_COMMON_Q_MSIX) != msix_entry)
		return fail(d, "device did not accept the queue MSI-X vector");
	uint64_t avail_pa = base + avail_off, used_pa = base + used_off;
	virtio_common_write32(d, VIRTIO_COMMON_Q_DESCLO, (uint32_t)base);
	virtio_common_write32(d, VIRTIO_COMMON_Q_DESCHI, (uint32_t)((uint64_t)base >> 32));
	virtio_common_write32(d, VIRTIO_COMMON_Q_AVAILLO, (uint32_t)avail_pa);
	virtio_common_write32(d, VIRTIO_COMMON_Q_AVAILHI, (uint32_t)(avail_pa >> 32));
	virtio_common_write32(d, VIRTIO_COMMON_Q_USEDLO, (uint32_t)used_pa);
	virtio_common_write32(d, VIRTIO_COMMON_Q_USEDHI, (uint32_t)(used_pa >> 32));
	uint16_t noff = virtio_common_read16(d, VIRTIO_COMMON_Q_NOFF);
	if (virtio_notify_addr(d, noff, &q->notify_addr, &q->notify_io))
		return -1;
	if (!q->irq_on && !q->event_idx)
		q->avail[AVAIL_FLAGS] = VIRTQ_AVAIL_F_NO_INTERRUPT;
	virtio_common_write16(d, VIRTIO_COMMON_Q_ENABLE, 1);
	return 0;
}

int virtq_add(struct virtq *q, const struct virtq_buf *b, unsigned n)
{
	if (n == 0 || n > q->num_free)
		return -1;
	uint16_t head = q->free_head, i = head;
	for (unsigned k = 0; k < n; k++) {
		volatile struct virtq_desc *dsc = &q->desc[i];
		dsc->addr = b[k].addr;
		dsc->len = b[k].len;
		/* Free descriptors are linked through next already: a chain
		 * taken from the head of the list keeps those links. */
		dsc->flags = (uint16_t)((b[k].write ? VIRTQ_DESC_F_WRITE : 0) | (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		if (k + 1 < n)
			i = dsc->next;
	}
	q->free_head = q->desc[i].next;
	q->num_free = (uint16_t)(q->num_free - n);
	return head;
}

int virtq_add_indirect(struct virtq *q, struct virtq_desc *table, const struct virtq_buf *b, unsigned n)
{
	if (n == 0 || q->num_free == 0)
		return -1;
	for (unsigned k = 0; k < n; k++)
		table[k] = (struct virtq_desc){ b[k].addr, b[k].len,
			(uint16_t)((b[k].write ? VIRTQ_DESC_F_WRITE : 0) | (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0)),
			(uint16_t)(k + 1 < n ? k + 1 : 0) };
	uint16_t head = q->free_head;
	volatile struct virtq_desc *dsc = &q->desc[head];
	q->free_head = dsc->next;
	q->num_free--;
	dsc->addr = (uintptr_t)table;
	dsc->len = (uint32_t)(n * sizeof(struct virtq_desc));
	dsc->flags = VIRTQ_DESC_F_INDIRECT;
	return head;
}

void virtq_publish(struct virtq *q, uint16_t head)
{
	q->avail[AVAIL_RING + (q->avail_idx & (q->size - 1))] = head;
	/* x86 keeps stores in order; volatile keeps the compiler from
	 * reordering: the entry is visible before the index that covers it. */
	q->avail_idx++;
	q->avail[AVAIL_IDX] = q->avail_idx;
}

void virtq_notify(struct virtq *q)
{
	if (q->notify_io)
		outw((uint16_t)q->notify_addr, q->index);
	else
		mmio_write16((uintptr_t)q->notify_addr, q->index);
}

void virtq_kick(struct virtq *q)
{
	/* The index store must be visible before we read the device's
	 * suppression state, or both sides may wait (§2.7.13.4). */
	virtio_mb();
	uint16_t old = q->kicked_idx, now = q->avail_idx;
	q->kicked_idx = now;
	bool need;
	if (q->event_idx)
		need = (uint16_t)(now - *avail_event(q) - 1) < (uint16_t)(now - old);
	else
		need = !(q->used[USED_FLAGS] & VIRTQ_USED_F_NO_NOTIFY);
	if (need)
		virtq_notify(q);
}

bool virtq_has_used(const struct virtq *q)
{
	return q->used[USED_IDX] != q->last_used;
}

bool virtq_pop(struct virtq *q, uint32_t *id, uint32_t *len)
{
	if (q->used[USED_IDX] == q->last_used)
		return false;
	/* x86 does not reorder loads; volatile keeps the compiler in order. */
	volatile struct virtq_used_elem *e = &used_elems(q)[q->last_used & (q->size - 1)];
	*id = e->id;
	*len = e->len;
	q->last_used++;
	if (q->event_idx && q->irq_on)
		*used_event(q) = q->last_used;
	return true;
}

void virtq_free(struct virtq *q, uint16_t head)
{
	if (head >= q->size)
		return;
	uint16_t i = head, n = 1;
	while ((q->desc[i].flags & VIRTQ_DESC_F_NEXT) && n < q->size) {
		i = q->desc[i].next;
		if (i >= q->size)
			return; /* not a chain we built: leak it rather than corrupt the list */
		n++;
	}
	q->desc[i].next = q->free_head;
	q->free_head = head;
	q->num_free = (uint16_t)(q->num_free + n);
}

void virtq_want_irq(struct virtq *q, bool on)
{
	q->irq_on = on;
	if (q->event_idx) {
		if (on)
			*used_event(q) = q->last_used;
	} else {
		q->avail[AVAIL_FLAGS] = on ? 0 : VIRTQ_AVAIL_F_NO_INTERRUPT;
	}
	virtio_mb();
}

bool virtq_wait(struct virtq *q, uint64_t timeout, uint32_t *id, uint32_t *len)
{
	uint64_t start = rdtsc();
	for (;;) {
		if (virtq_pop(q, id, len)) {
			virtq_free(q, (uint16_t)*id);
			return true;
		}
		if (rdtsc() - start > timeout)
			return false;
		cpu_relax();
	}
}
