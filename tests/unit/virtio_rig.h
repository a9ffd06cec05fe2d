/* virtio_rig.h: a test machine for virtio-pci devices without KVM: guest RAM,
 * PIO/MMIO buses, a PCI bus whose host records INTx levels, MSI eventfds and
 * ioeventfd registrations, an I/O thread, and a small driver that programs the
 * device through config space and its BAR as a guest would. Rings live at
 * fixed guest addresses per queue; tests build descriptors by hand. */
#ifndef VMM_TESTS_VIRTIO_RIG_H
#define VMM_TESTS_VIRTIO_RIG_H

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "core/layout.h"
#include "devices/pci.h"
#include "virtio/pci.h"

#define RIG_RAM        (16 * MiB)
#define RIG_BAR        0xE0000000ULL
#define RIG_RINGS      0x10000ULL   /* queue q: desc +0x4000*q, avail +0x1000, used +0x2000 */
#define RIG_BUF        0x100000ULL  /* free for test buffers */
#define RIG_INTX_GSI   10
#define RIG_MSI_GSI    100
#define RIG_MAX_IOEV   32

struct rig_ioev {
	uint64_t addr;
	unsigned len;
	bool assign;
	int efd;
};

struct rig_dq {           /* the driver's side of a queue */
	uint16_t size;
	uint16_t avail_idx;
	uint16_t next_desc;
};

struct vrig {
	struct guest_mem mem;
	struct bus pio, mmio;
	struct pci_bus bus;
	struct evloop loop;
	bool loop_running;
	pthread_mutex_t lock;     /* fields below, written from other threads */
	int intx_level;
	unsigned intx_sets;
	int msi_efd[PCI_MSIX_MAX_VECTORS];
	unsigned nmsi;
	struct rig_ioev ioev[RIG_MAX_IOEV];
	unsigned nioev;
	unsigned slot;
	struct rig_dq dq[VIRTIO_MAX_QUEUES];
};

static inline int rig_msi_alloc(void *ctx, int *efd)
{
	struct vrig *r = ctx;
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	pthread_mutex_lock(&r->lock);
	r->msi_efd[r->nmsi] = fd;
	int gsi = RIG_MSI_GSI + (int)r->nmsi++;
	pthread_mutex_unlock(&r->lock);
	*efd = fd;
	return gsi;
}

static inline int rig_msi_set(void *ctx, int gsi, bool valid, uint64_t addr, uint32_t data)
{
	(void)ctx, (void)gsi, (void)valid, (void)addr, (void)data;
	return 0;
}

static inline int rig_ioeventfd(void *ctx, int efd, uint64_t addr, unsigned len, bool pio,
				bool assign)
{
	struct vrig *r = ctx;
	ck_assert(!pio);
	pthread_mutex_lock(&r->lock);
	ck_assert_uint_lt(r->nioev, RIG_MAX_IOEV);
	r->ioev[r->nioev++] = (struct rig_ioev){ addr, len, assign, efd };
	pthread_mutex_unlock(&r->lock);
	return 0;
}

static inline unsigned rig_intx_gsi(void *ctx, unsigned slot, unsigned pin)
{
	(void)ctx, (void)slot, (void)pin;
	return RIG_INTX_GSI;
}

static inline void rig_intx_set(void *ctx, unsigned gsi, int level)
{
	struct vrig *r = ctx;
	ck_assert_uint_eq(gsi, RIG_INTX_GSI);
	pthread_mutex_lock(&r->lock);
	r->intx_level = level;
	r->intx_sets++;
	pthread_mutex_unlock(&r->lock);
}

static inline struct vrig *rig_new(void)
{
	struct vrig *r = calloc(1, sizeof(*r));
	struct err e = { 0 };
	ck_assert_ptr_nonnull(r);
	pthread_mutex_init(&r->lock, NULL);
	ck_assert_int_eq(mem_init(&r->mem, RIG_RAM, &e), 0);
	ck_assert_int_eq(bus_init(&r->pio, "pio"), 0);
	ck_assert_int_eq(bus_init(&r->mmio, "mmio"), 0);
	struct pci_host host = {
		.ctx = r, .msi_alloc = rig_msi_alloc, .msi_set = rig_msi_set,
		.ioeventfd = rig_ioeventfd, .intx_gsi = rig_intx_gsi, .intx_set = rig_intx_set,
	};
	ck_assert_int_eq(pci_bus_init(&r->bus, &r->pio, &r->mmio, &host), 0);
	ck_assert_int_eq(evloop_init(&r->loop, &e), 0);
	return r;
}

static inline void rig_start(struct vrig *r)
{
	struct err e = { 0 };
	ck_assert_int_eq(evloop_start(&r->loop, &e), 0);
	r->loop_running = true;
}

/* Stop the I/O thread; the device is destroyed after this, the rig last. */
static inline void rig_stop(struct vrig *r)
{
	evloop_stop(&r->loop);
}

static inline void rig_free(struct vrig *r)
{
	evloop_destroy(&r->loop);
	pci_bus_destroy(&r->bus);
	bus_destroy(&r->pio);
	bus_destroy(&r->mmio);
	for (unsigned i = 0; i < r->nmsi; i++)
		close(r->msi_efd[i]);
	mem_destroy(&r->mem);
	free(r);
}

/* ---- config space and BAR ---- */

static inline uint32_t rig_cfg_rd(struct vrig *r, unsigned off, unsigned size)
{
	return pci_bus_cfg_read(&r->bus, r->slot, off, size);
}

static inline void rig_cfg_wr(struct vrig *r, unsigned off, unsigned size, uint32_t val)
{
	pci_bus_cfg_write(&r->bus, r->slot, off, size, val);
}

/* Find the first virtio function, program its BAR at RIG_BAR, enable decoding. */
static inline void rig_map(struct vrig *r)
{
	for (r->slot = 0; r->slot < PCI_MAX_SLOTS; r->slot++)
		if (rig_cfg_rd(r, PCI_VENDOR_ID, 2) == VIRTIO_PCI_VENDOR)
			break;
	ck_assert_uint_lt(r->slot, PCI_MAX_SLOTS);
	unsigned bar = PCI_BAR0 + 4 * VIRTIO_PCI_BAR;
	rig_cfg_wr(r, bar, 4, (uint32_t)RIG_BAR);
	rig_cfg_wr(r, bar + 4, 4, (uint32_t)(RIG_BAR >> 32));
	rig_cfg_wr(r, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

static inline uint64_t rig_rd(struct vrig *r, uint64_t off, unsigned size)
{
	uint64_t v = 0;
	ck_assert(bus_read(&r->mmio, RIG_BAR + off, size, &v));
	return v;
}

static inline void rig_wr(struct vrig *r, uint64_t off, unsigned size, uint64_t val)
{
	ck_assert(bus_write(&r->mmio, RIG_BAR + off, size, val));
}

static inline uint8_t rig_status(struct vrig *r)
{
	return (uint8_t)rig_rd(r, VIRTIO_PCI_COMMON_STATUS, 1);
}

static inline void rig_set_status(struct vrig *r, uint8_t s)
{
	rig_wr(r, VIRTIO_PCI_COMMON_STATUS, 1, s);
}

static inline uint64_t rig_device_features(struct vrig *r)
{
	rig_wr(r, VIRTIO_PCI_COMMON_DFSELECT, 4, 0);
	uint64_t lo = rig_rd(r, VIRTIO_PCI_COMMON_DF, 4);
	rig_wr(r, VIRTIO_PCI_COMMON_DFSELECT, 4, 1);
	return lo | rig_rd(r, VIRTIO_PCI_COMMON_DF, 4) << 32;
}

static inline void rig_driver_features(struct vrig *r, uint64_t f)
{
	rig_wr(r, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
	rig_wr(r, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)f);
	rig_wr(r, VIRTIO_PCI_COMMON_GFSELECT, 4, 1);
	rig_wr(r, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)(f >> 32));
}

/* ---- queues, driver side ---- */

static inline uint64_t rig_desc(unsigned q) { return RIG_RINGS + 0x4000ULL * q; }
static inline uint64_t rig_avail(unsigned q) { return rig_desc(q) + 0x1000; }
static inline uint64_t rig_used(unsigned q) { return rig_desc(q) + 0x2000; }

static inline void rig_put16(struct vrig *r, uint64_t gpa, uint16_t v)
{
	ck_assert_int_eq(mem_write(&r->mem, gpa, &v, 2), 0);
}

static inline uint16_t rig_get16(struct vrig *r, uint64_t gpa)
{
	uint16_t v = 0;
	ck_assert_int_eq(mem_read(&r->mem, gpa, &v, 2), 0);
	return v;
}

static inline uint32_t rig_get32(struct vrig *r, uint64_t gpa)
{
	uint32_t v = 0;
	ck_assert_int_eq(mem_read(&r->mem, gpa, &v, 4), 0);
	return v;
}

static inline void rig_queue_setup(struct vrig *r, unsigned q, uint16_t size)
{
	/* Fresh rings, as a driver allocates them: zeroed. */
	void *rings = gpa_to_hva(&r->mem, rig_desc(q), 0x4000);
	ck_assert_ptr_nonnull(rings);
	memset(rings, 0, 0x4000);
	rig_wr(r, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
	ck_assert_uint_ge(rig_rd(r, VIRTIO_PCI_COMMON_Q_SIZE, 2), size);
	rig_wr(r, VIRTIO_PCI_COMMON_Q_SIZE, 2, size);
	rig_wr(r, VIRTIO_PCI_COMMON_Q_DESC, 4, (uint32_t)rig_desc(q));
	rig_wr(r, VIRTIO_PCI_COMMON_Q_DESC + 4, 4, 0);
	rig_wr(r, VIRTIO_PCI_COMMON_Q_DRIVER, 8, rig_avail(q));
	rig_wr(r, VIRTIO_PCI_COMMON_Q_DEVICE, 8, rig_used(q));
	rig_wr(r, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
	r->dq[q] = (struct rig_dq){ .size = size };
}

/* The whole §3.1.1 sequence; returns the status read back at the end. */
static inline uint8_t rig_driver_init(struct vrig *r, uint64_t features, unsigned nq, uint16_t size)
{
	rig_set_status(r, 0);
	rig_set_status(r, VIRTIO_STATUS_ACKNOWLEDGE);
	rig_set_status(r, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	rig_driver_features(r, features);
	uint8_t s = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
	rig_set_status(r, s);
	if (!(rig_status(r) & VIRTIO_STATUS_FEATURES_OK))
		return rig_status(r);
	for (unsigned q = 0; q < nq; q++)
		rig_queue_setup(r, q, size);
	rig_set_status(r, s | VIRTIO_STATUS_DRIVER_OK);
	return rig_status(r);
}

/* Write descriptor i of queue q. */
static inline void rig_desc_set(struct vrig *r, uint64_t table, unsigned i, uint64_t addr,
				uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t d[16];
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
	ck_assert_int_eq(mem_write(&r->mem, table + 16ULL * i, d, 16), 0);
}

/* A chain of n buffers (gpa, len, writable) on queue q, made available. */
struct rig_buf {
	uint64_t gpa;
	uint32_t len;
	bool writable;
};

static inline uint16_t rig_offer(struct vrig *r, unsigned q, const struct rig_buf *b, unsigned n)
{
	struct rig_dq *dq = &r->dq[q];
	uint16_t head = dq->next_desc;
	for (unsigned i = 0; i < n; i++) {
		uint16_t idx = (uint16_t)((head + i) % dq->size);
		uint16_t flags = (uint16_t)((b[i].writable ? VIRTQ_DESC_F_WRITE : 0) |
					    (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		rig_desc_set(r, rig_desc(q), idx, b[i].gpa, b[i].len, flags,
			     (uint16_t)((idx + 1) % dq->size));
	}
	dq->next_desc = (uint16_t)((head + n) % dq->size);
	rig_put16(r, rig_avail(q) + 4 + 2ULL * (dq->avail_idx % dq->size), head);
	dq->avail_idx++;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	rig_put16(r, rig_avail(q) + 2, dq->avail_idx);
	return head;
}

static inline void rig_kick(struct vrig *r, unsigned q)
{
	rig_wr(r, VIRTIO_PCI_NOTIFY_OFF + VIRTIO_PCI_NOTIFY_MULT * q, 2, q);
}

static inline uint16_t rig_used_idx(struct vrig *r, unsigned q)
{
	return rig_get16(r, rig_used(q) + 2);
}

/* Wait (up to 5 s) until the device has used n chains on q in all. */
static inline bool rig_wait_used(struct vrig *r, unsigned q, uint16_t n)
{
	for (int i = 0; i < 5000; i++) {
		if ((uint16_t)(rig_used_idx(r, q) - n) < 0x8000)
			return true;
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	return false;
}

/* Used element slot (0-based count of uses) of q: id and len. */
static inline uint32_t rig_used_id(struct vrig *r, unsigned q, uint16_t nth)
{
	return rig_get32(r, rig_used(q) + 4 + 8ULL * (nth % r->dq[q].size));
}

static inline uint32_t rig_used_len(struct vrig *r, unsigned q, uint16_t nth)
{
	return rig_get32(r, rig_used(q) + 8 + 8ULL * (nth % r->dq[q].size));
}

static inline int rig_intx(struct vrig *r)
{
	pthread_mutex_lock(&r->lock);
	int v = r->intx_level;
	pthread_mutex_unlock(&r->lock);
	return v;
}

/* Enable MSI-X in config space and aim vector v at a dummy address, unmasked. */
static inline void rig_msix_enable(struct vrig *r, unsigned nvec)
{
	unsigned cap = rig_cfg_rd(r, PCI_CAP_PTR, 1);
	while (cap && rig_cfg_rd(r, cap, 1) != PCI_CAP_ID_MSIX)
		cap = rig_cfg_rd(r, cap + 1, 1);
	ck_assert_uint_ne(cap, 0);
	for (unsigned v = 0; v < nvec; v++) {
		uint64_t e = VIRTIO_PCI_MSIX_TABLE_OFF + 16ULL * v;
		rig_wr(r, e, 4, 0xFEE00000u);
		rig_wr(r, e + 4, 4, 0);
		rig_wr(r, e + 8, 4, 0x40 + v);
		rig_wr(r, e + 12, 4, 0);
	}
	rig_cfg_wr(r, cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
}

/* Times MSI vector v fired since the last call (the irqfd's counter). */
static inline uint64_t rig_msi_count(struct vrig *r, unsigned v)
{
	uint64_t n = 0;
	pthread_mutex_lock(&r->lock);
	int fd = v < r->nmsi ? r->msi_efd[v] : -1;
	pthread_mutex_unlock(&r->lock);
	if (fd >= 0 && read(fd, &n, sizeof(n)) != sizeof(n))
		n = 0;
	return n;
}

#endif
