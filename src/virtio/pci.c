/* pci.c (virtio): modern virtio-pci transport: capabilities, the BAR's
 * registers, ioeventfd kicks and MSI-X/INTx interrupts (virtio 1.2 §4.1). */
#include "virtio/pci.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "boot/bytes.h"

static uint32_t vp_class(uint16_t id)
{
	switch (id) {
	case VIRTIO_ID_BLOCK:
		return VIRTIO_PCI_CLASS_BLOCK;
	case VIRTIO_ID_CONSOLE:
		return VIRTIO_PCI_CLASS_CONSOLE;
	default:
		return VIRTIO_PCI_CLASS_OTHER;
	}
}

/* ---- interrupts (dev lock held) ---- */

static void vp_signal(struct virtio_pci *vp, uint16_t vector, uint8_t isr_bit)
{
	if (vp->msix_ready && pci_msix_enabled(&vp->msix)) {
		/* §4.1.5.3: with MSI-X on, NO_VECTOR means no interrupt at all. */
		if (vector != VIRTIO_MSI_NO_VECTOR)
			pci_msix_notify(&vp->msix, vector);
		return;
	}
	vp->isr |= isr_bit;
	pci_dev_set_intx(&vp->pci, 1);
}

static void vp_notify_queue(void *ctx, unsigned q)
{
	struct virtio_pci *vp = ctx;
	vp_signal(vp, vp->queue_vector[q], VIRTIO_PCI_ISR_QUEUE);
}

static void vp_notify_config(void *ctx)
{
	struct virtio_pci *vp = ctx;
	vp_signal(vp, vp->config_vector, VIRTIO_PCI_ISR_CONFIG);
}

static void vp_reset(void *ctx)
{
	struct virtio_pci *vp = ctx;
	vp->dfselect = vp->gfselect = 0;
	vp->queue_select = 0;
	vp->config_vector = VIRTIO_MSI_NO_VECTOR;
	for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++)
		vp->queue_vector[q] = VIRTIO_MSI_NO_VECTOR;
	vp->isr = 0;
	pci_dev_set_intx(&vp->pci, 0);
}

static void vp_schedule(void *ctx, unsigned q)
{
	struct virtio_pci *vp = ctx;
	uint64_t one = 1;
	if (q < vp->dev->nqueues && write(vp->kicks[q].efd, &one, sizeof(one)) < 0)
		vp->dev->bad_accesses++; /* counter saturated: a kick is pending anyway */
}

/* ---- common configuration (§4.1.4.3) ---- */

static bool vp_queue_selected(const struct virtio_pci *vp)
{
	return vp->queue_select < vp->dev->nqueues;
}

static void vp_common_image(struct virtio_pci *vp, uint8_t *img)
{
	struct virtio_dev *d = vp->dev;
	memset(img, 0, VIRTIO_PCI_COMMON_LEN);
	le_put32(img + VIRTIO_PCI_COMMON_DFSELECT, vp->dfselect);
	le_put32(img + VIRTIO_PCI_COMMON_DF, (uint32_t)(virtio_dev_features_read(d, vp->dfselect)));
	le_put32(img + VIRTIO_PCI_COMMON_GFSELECT, vp->gfselect);
	if (vp->gfselect <= 1)
		le_put32(img + VIRTIO_PCI_COMMON_GF, (uint32_t)(d->driver_features >> (32 * vp->gfselect)));
	le_put16(img + VIRTIO_PCI_COMMON_MSIX, vp->config_vector);
	le_put16(img + VIRTIO_PCI_COMMON_NUMQ, d->nqueues);
	img[VIRTIO_PCI_COMMON_STATUS] = d->status;
	img[VIRTIO_PCI_COMMON_CFGGEN] = d->config_generation;
	le_put16(img + VIRTIO_PCI_COMMON_Q_SELECT, vp->queue_select);
	if (!vp_queue_selected(vp))
		return; /* §4.1.4.3.2: queue_size reads 0 for a queue that does not exist */
	unsigned q = vp->queue_select;
	const struct virtio_queue_cfg *c = &d->qcfg[q];
	le_put16(img + VIRTIO_PCI_COMMON_Q_SIZE, c->size);
	le_put16(img + VIRTIO_PCI_COMMON_Q_MSIX, vp->queue_vector[q]);
	le_put16(img + VIRTIO_PCI_COMMON_Q_ENABLE, c->enabled);
	le_put16(img + VIRTIO_PCI_COMMON_Q_NOFF, q);
	le_put64(img + VIRTIO_PCI_COMMON_Q_DESC, c->desc);
	le_put64(img + VIRTIO_PCI_COMMON_Q_DRIVER, c->driver);
	le_put64(img + VIRTIO_PCI_COMMON_Q_DEVICE, c->device);
}

static uint64_t vp_common_read(struct virtio_pci *vp, uint64_t off, unsigned size)
{
	uint8_t img[VIRTIO_PCI_COMMON_LEN];
	if (off >= VIRTIO_PCI_COMMON_LEN || size > VIRTIO_PCI_COMMON_LEN - off)
		return 0; /* reserved space past the structure reads as zero */
	vp_common_image(vp, img);
	return le_get_n(img + off, size);
}

/* A vector the MSI-X table has, or NO_VECTOR when it does not (§4.1.5.1.2). */
static uint16_t vp_vector(const struct virtio_pci *vp, uint64_t val)
{
	return val < vp->msix.nvec ? (uint16_t)val : VIRTIO_MSI_NO_VECTOR;
}

/* queue_desc/driver/device: one 64-bit write or two aligned 32-bit halves. */
static bool vp_queue_addr_write(struct virtio_pci *vp, uint64_t off, unsigned size, uint64_t val)
{
	if (off < VIRTIO_PCI_COMMON_Q_DESC || off >= VIRTIO_PCI_COMMON_LEN)
		return false;
	if (!(size == 8 && off % 8 == 0) && !(size == 4 && off % 4 == 0))
		return false;
	if (!vp_queue_selected(vp) || vp->dev->qcfg[vp->queue_select].enabled)
		return false; /* §4.1.4.3.2: not while the queue is enabled */
	struct virtio_queue_cfg *c = &vp->dev->qcfg[vp->queue_select];
	uint64_t base = off & ~7ULL;
	uint64_t *field = base == VIRTIO_PCI_COMMON_Q_DESC   ? &c->desc
			: base == VIRTIO_PCI_COMMON_Q_DRIVER ? &c->driver
							     : &c->device;
	if (size == 8)
		*field = val;
	else if (off % 8 == 0)
		*field = (*field & ~0xFFFFFFFFULL) | (val & 0xFFFFFFFFULL);
	else
		*field = (*field & 0xFFFFFFFFULL) | (val << 32);
	return true;
}

static bool vp_common_write_field(struct virtio_pci *vp, uint64_t off, unsigned size, uint64_t val)
{
	struct virtio_dev *d = vp->dev;
	bool q_ok = vp_queue_selected(vp) && !d->qcfg[vp->queue_select].enabled;
	switch (off) {
	case VIRTIO_PCI_COMMON_DFSELECT:
		if (size != 4)
			return false;
		vp->dfselect = (uint32_t)val;
		return true;
	case VIRTIO_PCI_COMMON_GFSELECT:
		if (size != 4)
			return false;
		vp->gfselect = (uint32_t)val;
		return true;
	case VIRTIO_PCI_COMMON_GF:
		if (size != 4)
			return false;
		virtio_dev_features_write(d, vp->gfselect, (uint32_t)val);
		return true;
	case VIRTIO_PCI_COMMON_MSIX:
		if (size != 2)
			return false;
		vp->config_vector = vp_vector(vp, val);
		return true;
	case VIRTIO_PCI_COMMON_STATUS:
		if (size != 1)
			return false;
		virtio_dev_status_write(d, (uint8_t)val);
		return true;
	case VIRTIO_PCI_COMMON_Q_SELECT:
		if (size != 2)
			return false;
		vp->queue_select = (uint16_t)val;
		return true;
	case VIRTIO_PCI_COMMON_Q_SIZE:
		if (size != 2 || !q_ok)
			return false;
		d->qcfg[vp->queue_select].size = (uint16_t)val; /* checked at enable */
		return true;
	case VIRTIO_PCI_COMMON_Q_MSIX:
		if (size != 2 || !vp_queue_selected(vp))
			return false;
		vp->queue_vector[vp->queue_select] = vp_vector(vp, val);
		return true;
	case VIRTIO_PCI_COMMON_Q_ENABLE:
		/* §4.1.4.3.2: the driver only ever writes 1. */
		if (size != 2 || val != 1 || !vp_queue_selected(vp))
			return false;
		virtio_dev_queue_enable(d, vp->queue_select);
		return true;
	default:
		return vp_queue_addr_write(vp, off, size, val);
	}
}

/* ---- the BAR ---- */

static uint64_t vp_device_read(struct virtio_pci *vp, uint64_t off, unsigned size)
{
	const struct virtio_dev *d = vp->dev;
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++)
		if (off + i < d->config_len)
			v |= (uint64_t)d->config[off + i] << (8 * i);
	return v;
}

static void vp_device_write(struct virtio_pci *vp, uint64_t off, unsigned size, uint64_t val)
{
	struct virtio_dev *d = vp->dev;
	if (size > 4 || off >= d->config_len || size > d->config_len - off || !d->ops->config_write) {
		d->bad_accesses++;
		return;
	}
	d->ops->config_write(d, (unsigned)off, size, (uint32_t)val);
}

static uint8_t vp_isr_read(struct virtio_pci *vp)
{
	/* §4.1.4.5.1: reading clears the status and de-asserts INTx. */
	uint8_t v = vp->isr;
	vp->isr = 0;
	pci_dev_set_intx(&vp->pci, 0);
	return v;
}

static uint64_t vp_bar_read(void *opaque, uint64_t off, unsigned size)
{
	struct virtio_pci *vp = opaque;
	if (off >= VIRTIO_PCI_MSIX_PBA_OFF)
		return pci_msix_pba_read(&vp->msix, off - VIRTIO_PCI_MSIX_PBA_OFF, size);
	if (off >= VIRTIO_PCI_MSIX_TABLE_OFF)
		return pci_msix_table_read(&vp->msix, off - VIRTIO_PCI_MSIX_TABLE_OFF, size);
	struct virtio_dev *d = vp->dev;
	uint64_t v = 0;
	pthread_mutex_lock(&d->lock);
	if (off < VIRTIO_PCI_ISR_OFF)
		v = vp_common_read(vp, off - VIRTIO_PCI_COMMON_OFF, size);
	else if (off < VIRTIO_PCI_DEVICE_OFF)
		v = off == VIRTIO_PCI_ISR_OFF ? vp_isr_read(vp) : 0;
	else if (off < VIRTIO_PCI_NOTIFY_OFF)
		v = vp_device_read(vp, off - VIRTIO_PCI_DEVICE_OFF, size);
	pthread_mutex_unlock(&d->lock);
	return v; /* the notify area reads as zero */
}

static void vp_notify_write(struct virtio_pci *vp, uint64_t off)
{
	/* The slot, not the value written, names the queue (§4.1.4.4). */
	unsigned q = (unsigned)(off / VIRTIO_PCI_NOTIFY_MULT);
	if (off % VIRTIO_PCI_NOTIFY_MULT || q >= vp->dev->nqueues) {
		vp->dev->bad_accesses++;
		return;
	}
	vp_schedule(vp, q); /* served on the I/O thread, as an ioeventfd would */
}

static void vp_bar_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct virtio_pci *vp = opaque;
	if (off >= VIRTIO_PCI_MSIX_PBA_OFF)
		return; /* the PBA is read-only */
	if (off >= VIRTIO_PCI_MSIX_TABLE_OFF) {
		pci_msix_table_write(&vp->msix, off - VIRTIO_PCI_MSIX_TABLE_OFF, size, val);
		return;
	}
	struct virtio_dev *d = vp->dev;
	pthread_mutex_lock(&d->lock);
	if (off < VIRTIO_PCI_ISR_OFF) {
		if (!vp_common_write_field(vp, off - VIRTIO_PCI_COMMON_OFF, size, val))
			d->bad_accesses++;
	} else if (off < VIRTIO_PCI_DEVICE_OFF) {
		d->bad_accesses++; /* ISR is read-only */
	} else if (off < VIRTIO_PCI_NOTIFY_OFF) {
		vp_device_write(vp, off - VIRTIO_PCI_DEVICE_OFF, size, val);
	} else {
		vp_notify_write(vp, off - VIRTIO_PCI_NOTIFY_OFF);
	}
	pthread_mutex_unlock(&d->lock);
}

const struct bus_ops virtio_pci_bar_ops = {
	.read = vp_bar_read,
	.write = vp_bar_write,
};

/* ---- kicks and ioeventfds ---- */

static void vp_on_kick(void *opaque, uint32_t events)
{
	struct virtio_pci_kick *k = opaque;
	uint64_t n;
	(void)events;
	if (read(k->efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	virtio_dev_kick(k->vp->dev, k->q);
}

/* Bus lock held. Each queue's notify slot becomes an ioeventfd while the BAR
 * is mapped; if KVM refuses one, that queue uses the slow path. */
static void vp_ioeventfds(struct virtio_pci *vp, uint64_t bar_addr, bool on)
{
	const struct pci_host *h = vp->pci.bus ? &vp->pci.bus->host : NULL;
	if (!h || !h->ioeventfd || vp->ioeventfds_on == on)
		return;
	vp->notify_base = bar_addr + VIRTIO_PCI_NOTIFY_OFF;
	for (unsigned q = 0; q < vp->dev->nqueues; q++) {
		uint64_t addr = vp->notify_base + (uint64_t)q * VIRTIO_PCI_NOTIFY_MULT;
		if (h->ioeventfd(h->ctx, vp->kicks[q].efd, addr, VIRTIO_PCI_NOTIFY_WIDTH, false, on))
			vp->ioeventfd_failures++;
	}
	vp->ioeventfds_on = on;
}

static void vp_bar_mapped(struct pci_dev *pd, int bar, uint64_t addr, bool mapped)
{
	if (bar == VIRTIO_PCI_BAR)
		vp_ioeventfds(virtio_pci_of(pd), addr, mapped);
}

static const struct pci_dev_ops vp_pci_ops = {
	.bar_mapped = vp_bar_mapped,
	.cfg_access = virtio_pci_cfg_access,
};

/* ---- construction ---- */

static int vp_add_cap(struct virtio_pci *vp, uint8_t type, uint32_t off, uint32_t len)
{
	/* The body starts at cap_len (the bus writes cap_vndr and cap_next). */
	uint8_t body[VIRTIO_PCI_NOTIFY_CAP_LEN - 2] = { 0 };
	bool notify = type == VIRTIO_PCI_CAP_NOTIFY_CFG;
	unsigned cap_len = notify ? VIRTIO_PCI_NOTIFY_CAP_LEN : VIRTIO_PCI_CAP_LEN;
	body[0] = (uint8_t)cap_len;
	body[VIRTIO_PCI_CAP_CFG_TYPE - 2] = type;
	body[VIRTIO_PCI_CAP_BAR - 2] = VIRTIO_PCI_BAR;
	le_put32(body + VIRTIO_PCI_CAP_OFFSET - 2, off);
	le_put32(body + VIRTIO_PCI_CAP_LENGTH - 2, len);
	if (notify)
		le_put32(body + VIRTIO_PCI_CAP_NOTIFY_MULT - 2, VIRTIO_PCI_NOTIFY_MULT);
	return pci_dev_add_cap(&vp->pci, PCI_CAP_ID_VENDOR, body, cap_len - 2) < 0 ? -1 : 0;
}

static int vp_add_caps(struct virtio_pci *vp, struct err *e)
{
	struct virtio_dev *d = vp->dev;
	if (vp_add_cap(vp, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_COMMON_OFF, VIRTIO_PCI_WINDOW) ||
	    vp_add_cap(vp, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_ISR_OFF, VIRTIO_PCI_WINDOW) ||
	    vp_add_cap(vp, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_NOTIFY_OFF,
		       d->nqueues * VIRTIO_PCI_NOTIFY_MULT) ||
	    (d->config_len && vp_add_cap(vp, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_DEVICE_OFF,
					 d->config_len)) ||
	    virtio_pci_cfg_cap_add(vp))
		return err_set(e, ERR_HOST, "%s: no room for the virtio capabilities", d->name);
	return 0;
}

int virtio_pci_init(struct virtio_pci *vp, struct virtio_dev *d, struct evloop *loop,
		    struct err *e)
{
	memset(vp, 0, sizeof(*vp));
	vp->dev = d;
	vp->loop = loop;
	for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++)
		vp->kicks[q] = (struct virtio_pci_kick){ .vp = vp, .q = q, .efd = -1 };
	if (d->config_len > VIRTIO_PCI_DEVICE_MAX)
		return err_set(e, ERR_HOST, "%s: config space too large", d->name);
	pci_dev_init(&vp->pci, d->name, VIRTIO_PCI_VENDOR, (uint16_t)(VIRTIO_PCI_DEVICE_BASE + d->id),
		     vp_class(d->id), VIRTIO_PCI_REVISION, VIRTIO_PCI_SUBSYS_VENDOR,
		     VIRTIO_PCI_SUBSYS_ID, 1 /* INTA# */, &vp_pci_ops);
	vp->pci_ready = true;
	if (pci_dev_set_bar(&vp->pci, VIRTIO_PCI_BAR, VIRTIO_PCI_BAR_SIZE, PCI_BAR_MEM64,
			    &virtio_pci_bar_ops, vp))
		return err_set(e, ERR_HOST, "%s: BAR setup failed", d->name);
	if (vp_add_caps(vp, e))
		return -1;
	if (pci_msix_init(&vp->msix, &vp->pci, d->nqueues + 1, VIRTIO_PCI_BAR,
			  VIRTIO_PCI_MSIX_TABLE_OFF, VIRTIO_PCI_MSIX_PBA_OFF, e))
		return -1;
	vp->msix_ready = true;
	for (unsigned q = 0; q < d->nqueues; q++) {
		vp->kicks[q].efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (vp->kicks[q].efd < 0)
			return err_errno(e, ERR_HOST, errno, "%s: eventfd", d->name);
		if (loop && evloop_add(loop, vp->kicks[q].efd, EPOLLIN, vp_on_kick, &vp->kicks[q], e))
			return -1;
	}
	d->transport = (struct virtio_transport){
		.ctx = vp,
		.notify_queue = vp_notify_queue,
		.notify_config = vp_notify_config,
		.reset = vp_reset,
		.schedule = vp_schedule,
	};
	vp->config_vector = VIRTIO_MSI_NO_VECTOR;
	for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++)
		vp->queue_vector[q] = VIRTIO_MSI_NO_VECTOR;
	return 0;
}

int virtio_pci_attach(struct virtio_pci *vp, struct pci_bus *bus, struct err *e)
{
	return pci_bus_add(bus, &vp->pci, -1, e);
}

void virtio_pci_destroy(struct virtio_pci *vp)
{
	if (!vp->pci_ready)
		return; /* virtio_pci_init never ran */
	if (vp->pci.bus) {
		pthread_mutex_lock(&vp->pci.bus->lock);
		vp_ioeventfds(vp, vp->notify_base - VIRTIO_PCI_NOTIFY_OFF, false);
		pthread_mutex_unlock(&vp->pci.bus->lock);
	}
	for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++) {
		if (vp->kicks[q].efd < 0)
			continue;
		if (vp->loop)
			evloop_remove(vp->loop, vp->kicks[q].efd);
		close(vp->kicks[q].efd);
		vp->kicks[q].efd = -1;
	}
	if (vp->msix_ready)
		pci_msix_destroy(&vp->msix);
	vp->msix_ready = false;
}
