/* virtio.c: the virtio 1.2 modern PCI transport for test guests: capability walk, status, features, MSI-X, device config. */
#include "guest.h"
#include "irq.h"
#include "virtio.h"

/* Bound on status polls after a reset (each read is an exit to the VMM). */
#define VIRTIO_RESET_POLLS 100000
/* A device whose config_generation changes on every read is broken. */
#define VIRTIO_CFGGEN_TRIES 100

static uint8_t vr_read8(const struct vio_region *r, unsigned off)
{
	return r->io ? inb((uint16_t)(r->base + off)) : mmio_read8((uintptr_t)(r->base + off));
}

static uint16_t vr_read16(const struct vio_region *r, unsigned off)
{
	return r->io ? inw((uint16_t)(r->base + off)) : mmio_read16((uintptr_t)(r->base + off));
}

static uint32_t vr_read32(const struct vio_region *r, unsigned off)
{
	return r->io ? inl((uint16_t)(r->base + off)) : mmio_read32((uintptr_t)(r->base + off));
}

static void vr_write8(const struct vio_region *r, unsigned off, uint8_t v)
{
	if (r->io)
		outb((uint16_t)(r->base + off), v);
	else
		mmio_write8((uintptr_t)(r->base + off), v);
}

static void vr_write16(const struct vio_region *r, unsigned off, uint16_t v)
{
	if (r->io)
		outw((uint16_t)(r->base + off), v);
	else
		mmio_write16((uintptr_t)(r->base + off), v);
}

static void vr_write32(const struct vio_region *r, unsigned off, uint32_t v)
{
	if (r->io)
		outl((uint16_t)(r->base + off), v);
	else
		mmio_write32((uintptr_t)(r->base + off), v);
}

/* Common-config accessors for virtqueue.c, at the field's natural width
 * (§4.1.3.1: 64-bit fields as two 32-bit halves). */

uint16_t virtio_common_read16(struct virtio_dev *d, unsigned off)
{
	return vr_read16(&d->common, off);
}

void virtio_common_write16(struct virtio_dev *d, unsigned off, uint16_t v)
{
	vr_write16(&d->common, off, v);
}

void virtio_common_write32(struct virtio_dev *d, unsigned off, uint32_t v)
{
	vr_write32(&d->common, off, v);
}

static int fail(struct virtio_dev *d, const char *why)
{
	d->err = why;
	return -1;
}

/* Map one virtio_pci_cap onto its BAR; false when it is unusable. */
static bool cap_map(const struct pci_fn *f, unsigned cap, struct vio_region *r)
{
	uint8_t bar = pci_read8(f, cap + VIRTIO_PCI_CAP_BAR);
	uint32_t off = pci_read32(f, cap + VIRTIO_PCI_CAP_OFFSET);
	uint32_t len = pci_read32(f, cap + VIRTIO_PCI_CAP_LENGTH);
	bool io;
	uint64_t size;
	/* §4.1.4: BAR values 0x6-0xff are reserved and such caps ignored. */
	if (bar >= PCI_NUM_BARS)
		return false;
	uint64_t base = pci_bar_base(f, bar, &io, &size);
	if (!base || (uint64_t)off + len > size)
		return false;
	*r = (struct vio_region){ base + off, len, io, true };
	return true;
}

int virtio_probe(struct virtio_dev *d, const struct pci_fn *f)
{
	*d = (struct virtio_dev){ .pci = *f };
	/* Bus mastering: the device reads and writes our rings by DMA. */
	uint16_t cmd = pci_read16(f, PCI_COMMAND);
	pci_write16(f, PCI_COMMAND, cmd | PCI_CMD_IO | PCI_CMD_MEMORY | PCI_CMD_MASTER);

	/* §4.1.4: use the first capability of each type we can use. */
	for (unsigned cap = pci_cap_find(f, PCI_CAP_ID_VNDR, 0); cap; cap = pci_cap_find(f, PCI_CAP_ID_VNDR, cap)) {
		uint8_t type = pci_read8(f, cap + VIRTIO_PCI_CAP_CFG_TYPE);
		uint8_t clen = pci_read8(f, cap + VIRTIO_PCI_CAP_LEN);
		struct vio_region *r = NULL;
		switch (type) {
		case VIRTIO_PCI_CAP_COMMON_CFG: r = &d->common; break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG: r = &d->notify; break;
		case VIRTIO_PCI_CAP_ISR_CFG: r = &d->isr; break;
		case VIRTIO_PCI_CAP_DEVICE_CFG: r = &d->device; break;
		case VIRTIO_PCI_CAP_PCI_CFG:
			if (!d->cfg_cap && clen >= VIRTIO_PCI_CFG_CAP_SIZE)
				d->cfg_cap = cap;
			continue;
		default: continue; /* shared memory, vendor: not needed */
		}
		if (r->present || clen < VIRTIO_PCI_CAP_SIZE)
			continue;
		if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
			if (clen < VIRTIO_PCI_NOTIFY_CAP_SIZE)
				continue;
			d->notify_mult = pci_read32(f, cap + VIRTIO_PCI_NOTIFY_MULT);
		}
		if (cap_map(f, cap, r) && r == &d->common) {
			d->common_bar = pci_read8(f, cap + VIRTIO_PCI_CAP_BAR);
			d->common_off = pci_read32(f, cap + VIRTIO_PCI_CAP_OFFSET);
		}
	}
	if (!d->common.present)
		return fail(d, "no usable common configuration capability");
	if (d->common.len < VIRTIO_COMMON_CFG_MIN_LEN)
		return fail(d, "common configuration window too short");
	if (!d->notify.present)
		return fail(d, "no usable notification capability");
	if (!d->isr.present)
		return fail(d, "no usable ISR capability");

	unsigned mc = pci_cap_find(f, PCI_CAP_ID_MSIX, 0);
	if (mc) {
		uint16_t ctrl = pci_read16(f, mc + MSIX_CAP_CTRL);
		uint32_t t = pci_read32(f, mc + MSIX_CAP_TABLE);
		bool io;
		uint64_t size;
		uint64_t base = pci_bar_base(f, (int)(t & MSIX_BIR_MASK), &io, &size);
		uint16_t n = (uint16_t)((ctrl & MSIX_CTRL_SIZE) + 1);
		uint64_t toff = t & ~(uint32_t)MSIX_BIR_MASK;
		if (base && !io && toff + (uint64_t)n * MSIX_ENTRY_SIZE <= size) {
			d->msix_cap = mc;
			d->msix_table = base + toff;
			d->msix_entries = n;
		}
	}
	d->num_queues = vr_read16(&d->common, VIRTIO_COMMON_NUMQ);
	return 0;
}

uint8_t virtio_status(struct virtio_dev *d)
{
	return vr_read8(&d->common, VIRTIO_COMMON_STATUS);
}

static void status_set(struct virtio_dev *d, uint8_t s)
{
	vr_write8(&d->common, VIRTIO_COMMON_STATUS, s);
}

int virtio_reset(struct virtio_dev *d)
{
	status_set(d, 0);
	for (int i = 0; i < VIRTIO_RESET_POLLS; i++)
		if (virtio_status(d) == 0)
			return 0;
	return fail(d, "device status did not read 0 after reset");
}

int virtio_negotiate(struct virtio_dev *d, uint64_t want)
{
	if (virtio_reset(d))
		return -1;
	status_set(d, VIRTIO_STATUS_ACKNOWLEDGE);
	status_set(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	vr_write32(&d->common, VIRTIO_COMMON_DFSELECT, 0);
	uint64_t lo = vr_read32(&d->common, VIRTIO_COMMON_DF);
	vr_write32(&d->common, VIRTIO_COMMON_DFSELECT, 1);
	uint64_t hi = vr_read32(&d->common, VIRTIO_COMMON_DF);
	d->offered = hi << 32 | lo;
	if (!(d->offered & VIRTIO_BIT(VIRTIO_F_VERSION_1))) {
		status_set(d, VIRTIO_STATUS_FAILED);
		return fail(d, "device does not offer VIRTIO_F_VERSION_1");
	}
	/* §6.1: a device offering ACCESS_PLATFORM may refuse a driver that
	 * declines it; with no IOMMU here, accepting it changes nothing. */
	d->features = d->offered & (want | VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM));
	vr_write32(&d->common, VIRTIO_COMMON_GFSELECT, 0);
	vr_write32(&d->common, VIRTIO_COMMON_GF, (uint32_t)d->features);
	vr_write32(&d->common, VIRTIO_COMMON_GFSELECT, 1);
	vr_write32(&d->common, VIRTIO_COMMON_GF, (uint32_t)(d->features >> 32));
	uint8_t s = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK;
	status_set(d, s);
	if (!(virtio_status(d) & VIRTIO_STATUS_FEATURES_OK)) {
		status_set(d, s | VIRTIO_STATUS_FAILED);
		return fail(d, "device refused FEATURES_OK");
	}
	return 0;
}

void virtio_driver_ok(struct virtio_dev *d)
{
	status_set(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
			      VIRTIO_STATUS_DRIVER_OK);
}

int virtio_msix_route(struct virtio_dev *d, uint16_t entry, uint8_t vector)
{
	if (!d->msix_cap)
		return fail(d, "no MSI-X capability");
	if (entry >= d->msix_entries)
		return fail(d, "MSI-X table too small");
	uint64_t e = d->msix_table + (uint64_t)entry * MSIX_ENTRY_SIZE;
	mmio_write32((uintptr_t)(e + MSIX_ENTRY_CTRL), MSIX_ENTRY_MASKED);
	mmio_write32((uintptr_t)(e + MSIX_ENTRY_ADDR_LO), irq_msi_address());
	mmio_write32((uintptr_t)(e + MSIX_ENTRY_ADDR_HI), 0);
	mmio_write32((uintptr_t)(e + MSIX_ENTRY_DATA), vector); /* fixed delivery, edge */
	mmio_write32((uintptr_t)(e + MSIX_ENTRY_CTRL), 0);
	uint16_t ctrl = pci_read16(&d->pci, d->msix_cap + MSIX_CAP_CTRL);
	uint16_t want = (uint16_t)((ctrl | MSIX_CTRL_ENABLE) & ~MSIX_CTRL_MASKALL);
	if (ctrl != want)
		pci_write16(&d->pci, d->msix_cap + MSIX_CAP_CTRL, want);
	if (mmio_read32((uintptr_t)(e + MSIX_ENTRY_DATA)) != vector)
		return fail(d, "MSI-X table entry did not keep its data");
	return 0;
}

int virtio_config_vector(struct virtio_dev *d, uint16_t entry)
{
	vr_write16(&d->common, VIRTIO_COMMON_MSIX, entry);
	if (vr_read16(&d->common, VIRTIO_COMMON_MSIX) != entry)
		return fail(d, "device did not accept the config MSI-X vector");
	return 0;
}

uint32_t virtio_cfg_read32(struct virtio_dev *d, unsigned off)
{
	if (!d->device.present || off + 4 > d->device.len) {
		d->err = "device configuration field out of its window";
		return 0;
	}
	uint8_t gen;
	uint32_t v;
	int tries = 0;
	do {
		gen = vr_read8(&d->common, VIRTIO_COMMON_CFGGEN);
		v = vr_read32(&d->device, off);
	} while (gen != vr_read8(&d->common, VIRTIO_COMMON_CFGGEN) && ++tries < VIRTIO_CFGGEN_TRIES);
	if (tries == VIRTIO_CFGGEN_TRIES)
		d->err = "config_generation never settled";
	return v;
}

uint64_t virtio_cfg_read64(struct virtio_dev *d, unsigned off)
{
	if (!d->device.present || off + 8 > d->device.len) {
		d->err = "device configuration field out of its window";
		return 0;
	}
	uint8_t gen;
	uint64_t v;
	int tries = 0;
	/* Two 32-bit halves may tear across a change: the generation says so. */
	do {
		gen = vr_read8(&d->common, VIRTIO_COMMON_CFGGEN);
		v = vr_read32(&d->device, off) | (uint64_t)vr_read32(&d->device, off + 4) << 32;
	} while (gen != vr_read8(&d->common, VIRTIO_COMMON_CFGGEN) && ++tries < VIRTIO_CFGGEN_TRIES);
	if (tries == VIRTIO_CFGGEN_TRIES)
		d->err = "config_generation never settled";
	return v;
}

uint8_t virtio_isr_read(struct virtio_dev *d)
{
	return vr_read8(&d->isr, 0);
}

int virtio_notify_addr(struct virtio_dev *d, uint16_t notify_off, uint64_t *addr, bool *io)
{
	uint64_t off = (uint64_t)notify_off * d->notify_mult;
	if (off + 2 > d->notify.len)
		return fail(d, "queue notify address outside the notification window");
	*addr = d->notify.base + off;
	*io = d->notify.io;
	return 0;
}

/* §4.1.4.9: set the window (bar, offset, length), then read pci_cfg_data. */
int virtio_pci_cfg_common_read(struct virtio_dev *d, unsigned off, unsigned len, uint32_t *val)
{
	const struct pci_fn *f = &d->pci;
	unsigned c = d->cfg_cap;
	if (!c || !d->common.present || (len != 1 && len != 2 && len != 4))
		return fail(d, "no PCI_CFG capability");
	pci_write8(f, c + VIRTIO_PCI_CAP_BAR, d->common_bar);
	pci_write32(f, c + VIRTIO_PCI_CAP_OFFSET, d->common_off + off);
	pci_write32(f, c + VIRTIO_PCI_CAP_LENGTH, len);
	*val = len == 1 ? pci_read8(f, c + VIRTIO_PCI_CFG_DATA)
	     : len == 2 ? pci_read16(f, c + VIRTIO_PCI_CFG_DATA)
			: pci_read32(f, c + VIRTIO_PCI_CFG_DATA);
	return 0;
}
