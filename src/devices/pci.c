/* pci.c: PCI bus 0: type-1 config access, config-space masks, BAR mapping onto the PIO/MMIO buses, INTx (see pci.h). */
#include "devices/pci.h"

#include <errno.h>
#include <string.h>

#include "devices/pci_msix.h"

static uint32_t pci_all_ones(unsigned size)
{
	return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

static bool pci_overlaps(unsigned off, unsigned size, unsigned start, unsigned len)
{
	return off < start + len && start < off + size;
}

int pci_bus_init(struct pci_bus *b, struct bus *pio, struct bus *mmio,
		 const struct pci_host *host)
{
	memset(b, 0, sizeof(*b));
	b->pio = pio;
	b->mmio = mmio;
	if (host)
		b->host = *host;
	pthread_mutexattr_t attr;
	int rc = pthread_mutexattr_init(&attr);
	if (!rc)
		rc = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	if (!rc)
		rc = pthread_mutex_init(&b->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	return -rc;
}

void pci_bus_destroy(struct pci_bus *b)
{
	pthread_mutex_destroy(&b->lock);
}

/* ---- INTx ---------------------------------------------------------------- */

static bool pci_dev_intx_gsi(const struct pci_bus *b, const struct pci_dev *d, unsigned *gsi)
{
	unsigned pin = d->cfg[PCI_INTERRUPT_PIN];
	if (pin < 1 || pin > 4 || !b->host.intx_gsi)
		return false;
	*gsi = b->host.intx_gsi(b->host.ctx, d->slot, pin);
	return true;
}

/* Several slots share a GSI (the swizzle folds 32 slots x 4 pins onto a few
 * lines) and KVM keeps one level per GSI for userspace: the line is the OR of
 * every device driving it, as wired-OR open-drain INTx# lines are. */
static void pci_bus_drive_gsi(struct pci_bus *b, unsigned gsi)
{
	int level = 0;
	for (unsigned s = 0; s < PCI_MAX_SLOTS; s++) {
		const struct pci_dev *o = b->slots[s];
		unsigned g;
		if (o && o->intx_driven && pci_dev_intx_gsi(b, o, &g) && g == gsi)
			level = 1;
	}
	b->host.intx_set(b->host.ctx, gsi, level);
}

/* Bus lock held (when on a bus). */
static void pci_dev_update_intx(struct pci_dev *d)
{
	uint16_t cmd = (uint16_t)pci_cfg_get(d, PCI_COMMAND, 2);
	unsigned pin = d->cfg[PCI_INTERRUPT_PIN];
	bool drive = d->intx_level && pin >= 1 && pin <= 4 && !(cmd & PCI_COMMAND_INTX_DISABLE);
	if (drive == d->intx_driven)
		return;
	d->intx_driven = drive;
	struct pci_bus *b = d->bus;
	unsigned gsi;
	if (b && b->host.intx_set && pci_dev_intx_gsi(b, d, &gsi))
		pci_bus_drive_gsi(b, gsi);
}

void pci_dev_set_intx(struct pci_dev *d, int level)
{
	struct pci_bus *b = d->bus;
	if (b)
		pthread_mutex_lock(&b->lock);
	d->intx_level = level != 0;
	/* STATUS.INTERRUPT shows the device's request even while INTX_DISABLE
	 * keeps it off the line (PCI 3.0 §6.2.3). */
	uint16_t status = (uint16_t)pci_cfg_get(d, PCI_STATUS, 2);
	status = level ? status | PCI_STATUS_INTERRUPT : status & ~PCI_STATUS_INTERRUPT;
	pci_cfg_set(d, PCI_STATUS, 2, status);
	pci_dev_update_intx(d);
	if (b)
		pthread_mutex_unlock(&b->lock);
}

/* ---- BAR mapping --------------------------------------------------------- */

/* Where the guest put BAR i, if decoding for its space is on. */
static bool pci_bar_decoded(const struct pci_dev *d, int i, uint64_t *addr)
{
	const struct pci_bar *bar = &d->bars[i];
	uint16_t cmd = (uint16_t)pci_cfg_get(d, PCI_COMMAND, 2);
	uint32_t low = pci_cfg_get(d, PCI_BAR0 + 4 * (unsigned)i, 4);
	if (!bar->size || (bar->flags & PCI_BAR_UPPER_HALF))
		return false;
	if (bar->flags & PCI_BAR_IO) {
		*addr = low & PCI_BASE_ADDRESS_IO_MASK;
		return cmd & PCI_COMMAND_IO;
	}
	*addr = low & PCI_BASE_ADDRESS_MEM_MASK;
	if (bar->flags & PCI_BAR_MEM64)
		*addr |= (uint64_t)pci_cfg_get(d, PCI_BAR0 + 4 * (unsigned)i + 4, 4) << 32;
	return cmd & PCI_COMMAND_MEMORY;
}

/* An address the bus will map a BAR at: not 0 (unprogrammed), not wrapping, an
 * I/O range below 0x10000, and a memory range that does not reach the last
 * byte below 4 GiB or of the 64-bit space, which is where the all-ones sizing
 * probe leaves a BAR (QEMU's pci_bar_address refuses the same). */
static bool pci_bar_addr_ok(const struct pci_bar *bar, uint64_t addr)
{
	uint64_t last;
	if (addr == 0 || __builtin_add_overflow(addr, bar->size - 1, &last))
		return false;
	if (bar->flags & PCI_BAR_IO)
		return last < PCI_IO_SPACE_END;
	if (last == UINT64_MAX)
		return false;
	return !(addr <= UINT32_MAX && last >= UINT32_MAX);
}

static struct bus *pci_bar_bus(struct pci_bus *b, const struct pci_bar *bar)
{
	return (bar->flags & PCI_BAR_IO) ? b->pio : b->mmio;
}

static bool pci_bar_wanted(const struct pci_dev *d, int i, uint64_t *addr)
{
	return pci_bar_decoded(d, i, addr) && pci_bar_addr_ok(&d->bars[i], *addr);
}

/* Bring every BAR on the bus in line with its device's config space: first
 * unmap what moved or stopped decoding (so BARs can trade places), then map
 * what should be mapped. A BAR that cannot be placed (bad address, overlap)
 * stays unmapped until it is reprogrammed, and is retried on every sync, so it
 * appears once whatever held its range moves away. Only the device being
 * written gets its refusals counted. */
static void pci_bus_sync_bars(struct pci_bus *b, const struct pci_dev *written)
{
	for (unsigned s = 0; s < PCI_MAX_SLOTS; s++) {
		struct pci_dev *d = b->slots[s];
		for (int i = 0; d && i < PCI_NUM_BARS; i++) {
			struct pci_bar *bar = &d->bars[i];
			uint64_t addr;
			bool want = pci_bar_wanted(d, i, &addr);
			if (!bar->mapped || (want && addr == bar->mapped_addr))
				continue;
			struct bus *bus = pci_bar_bus(b, bar);
			if (bus)
				bus_unregister(bus, bar->mapped_addr);
			bar->mapped = false;
			if (d->ops && d->ops->bar_mapped)
				d->ops->bar_mapped(d, i, bar->mapped_addr, false);
		}
	}
	for (unsigned s = 0; s < PCI_MAX_SLOTS; s++) {
		struct pci_dev *d = b->slots[s];
		for (int i = 0; d && i < PCI_NUM_BARS; i++) {
			struct pci_bar *bar = &d->bars[i];
			uint64_t addr;
			if (bar->mapped)
				continue;
			if (!pci_bar_decoded(d, i, &addr))
				continue;
			struct bus *bus = pci_bar_bus(b, bar);
			if (!pci_bar_addr_ok(bar, addr) || !bus ||
			    bus_register(bus, addr, bar->size, bar->ops, bar->opaque,
					 d->name ? d->name : "PCI BAR")) {
				if (d == written)
					b->bad_accesses++;
				continue;
			}
			bar->mapped = true;
			bar->mapped_addr = addr;
			if (d->ops && d->ops->bar_mapped)
				d->ops->bar_mapped(d, i, addr, true);
		}
	}
}

/* ---- config space -------------------------------------------------------- */

/* Bus lock held. Masks first (PCI 3.0 §6.1: read-only bits ignore writes,
 * status error bits clear on 1), then the side effects of what changed. */
static void pci_dev_cfg_write(struct pci_bus *b, struct pci_dev *d, unsigned off, unsigned size,
			      uint32_t val)
{
	uint16_t old_cmd = (uint16_t)pci_cfg_get(d, PCI_COMMAND, 2);
	for (unsigned i = 0; i < size; i++) {
		unsigned a = off + i;
		uint8_t byte = (uint8_t)(val >> (8 * i));
		d->cfg[a] = (uint8_t)((d->cfg[a] & ~d->wmask[a]) | (byte & d->wmask[a]));
		d->cfg[a] &= (uint8_t)~(byte & d->w1cmask[a]);
	}
	uint16_t cmd = (uint16_t)pci_cfg_get(d, PCI_COMMAND, 2);
	if (pci_overlaps(off, size, PCI_COMMAND, 2) ||
	    pci_overlaps(off, size, PCI_BAR0, PCI_BAR_END - PCI_BAR0))
		pci_bus_sync_bars(b, d);
	if ((old_cmd ^ cmd) & PCI_COMMAND_INTX_DISABLE)
		pci_dev_update_intx(d);
	if (d->msix && d->msix->cap > 0 &&
	    pci_overlaps(off, size, (unsigned)d->msix->cap + PCI_MSIX_FLAGS, 2))
		pci_msix_ctrl_written(d->msix);
	if (d->ops && d->ops->cfg_write)
		d->ops->cfg_write(d, off, size, val);
}

static bool pci_cfg_access_ok(unsigned off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && off < PCI_CFG_SIZE && size <= PCI_CFG_SIZE - off;
}

uint32_t pci_bus_cfg_read(struct pci_bus *b, unsigned slot, unsigned off, unsigned size)
{
	pthread_mutex_lock(&b->lock);
	uint32_t v = pci_all_ones(size);
	if (!pci_cfg_access_ok(off, size))
		b->bad_accesses++;
	else if (slot < PCI_MAX_SLOTS && b->slots[slot])
		v = pci_cfg_get(b->slots[slot], off, size);
	pthread_mutex_unlock(&b->lock);
	return v;
}

void pci_bus_cfg_write(struct pci_bus *b, unsigned slot, unsigned off, unsigned size,
		       uint32_t val)
{
	pthread_mutex_lock(&b->lock);
	if (!pci_cfg_access_ok(off, size))
		b->bad_accesses++;
	else if (slot < PCI_MAX_SLOTS && b->slots[slot])
		pci_dev_cfg_write(b, b->slots[slot], off, size, val);
	pthread_mutex_unlock(&b->lock);
}

int pci_bus_add(struct pci_bus *b, struct pci_dev *d, int slot, struct err *e)
{
	pthread_mutex_lock(&b->lock);
	if (slot < 0) {
		slot = 0;
		while (slot < PCI_MAX_SLOTS && b->slots[slot])
			slot++;
	}
	const char *name = d->name ? d->name : "PCI device";
	int rc = 0;
	if (d->bus)
		rc = err_set(e, ERR_HOST, "%s: already on a PCI bus", name);
	else if (slot >= PCI_MAX_SLOTS)
		rc = err_set(e, ERR_HOST, "%s: no free PCI slot", name);
	else if (b->slots[slot])
		rc = err_set(e, ERR_HOST, "%s: PCI slot %d is taken by %s", name, slot,
			     b->slots[slot]->name ? b->slots[slot]->name : "another device");
	if (!rc) {
		b->slots[slot] = d;
		d->bus = b;
		d->slot = (unsigned)slot;
		/* What firmware would write; direct-boot guests find it there. */
		unsigned gsi;
		if (pci_dev_intx_gsi(b, d, &gsi))
			d->cfg[PCI_INTERRUPT_LINE] = (uint8_t)(gsi < 0xFF ? gsi : 0xFF);
		if (d->msix)
			pci_msix_bus_attached(d->msix);
		/* A device asserting INTx before it joined now reaches its line. */
		if (d->intx_level) {
			d->intx_driven = false;
			pci_dev_update_intx(d);
		}
	}
	pthread_mutex_unlock(&b->lock);
	return rc;
}

/* ---- type-1 configuration mechanism (0xCF8/0xCFC) ------------------------ */

/* 0xCF9 as a byte, when the machine has a register there. */
static bool pci_config_is_rcr(const struct pci_bus *b, uint64_t off, unsigned size)
{
	return off == PCI_CONFIG_RCR_OFF && size == 1 && b->host.rcr_ops;
}

/* CONFIG_ADDRESS is a dword register; QEMU ignores narrower writes too (Linux's
 * type-1 probe writes a byte to 0xCFB and expects nothing to happen). */
static uint64_t pci_config_address_read(void *opaque, uint64_t off, unsigned size)
{
	struct pci_bus *b = opaque;
	if (pci_config_is_rcr(b, off, size))
		return b->host.rcr_ops->read ? b->host.rcr_ops->read(b->host.rcr_opaque, 0, 1) : 0xFF;
	pthread_mutex_lock(&b->lock);
	uint32_t v = pci_all_ones(size);
	if (off == 0 && size == 4)
		v = b->config_address;
	else
		b->bad_accesses++;
	pthread_mutex_unlock(&b->lock);
	return v;
}

static void pci_config_address_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct pci_bus *b = opaque;
	if (pci_config_is_rcr(b, off, size)) {
		if (b->host.rcr_ops->write)
			b->host.rcr_ops->write(b->host.rcr_opaque, 0, 1, val);
		return;
	}
	pthread_mutex_lock(&b->lock);
	if (off == 0 && size == 4)
		b->config_address = (uint32_t)val & PCI_CONFIG_ADDR_MASK;
	else
		b->bad_accesses++;
	pthread_mutex_unlock(&b->lock);
}

/* The device CONFIG_ADDRESS selects, and the register offset of an access at
 * 0xCFC + off. Only bus 0, function 0 exist; anything else is absent. */
static struct pci_dev *pci_config_target(struct pci_bus *b, uint64_t off, unsigned size,
					 unsigned *reg)
{
	uint32_t a = b->config_address;
	if (!(a & PCI_CONFIG_ENABLE) || PCI_CONFIG_BUS(a) != 0 || PCI_CONFIG_FUNC(a) != 0)
		return NULL;
	if (off >= 4 || size > 4 - off)
		return NULL;
	*reg = PCI_CONFIG_REG(a) + (unsigned)off;
	return b->slots[PCI_CONFIG_SLOT(a)];
}

static uint64_t pci_config_data_read(void *opaque, uint64_t off, unsigned size)
{
	struct pci_bus *b = opaque;
	unsigned reg = 0;
	pthread_mutex_lock(&b->lock);
	struct pci_dev *d = pci_config_target(b, off, size, &reg);
	uint32_t v = d ? pci_cfg_get(d, reg, size) : pci_all_ones(size);
	pthread_mutex_unlock(&b->lock);
	return v;
}

static void pci_config_data_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct pci_bus *b = opaque;
	unsigned reg = 0;
	pthread_mutex_lock(&b->lock);
	struct pci_dev *d = pci_config_target(b, off, size, &reg);
	if (d)
		pci_dev_cfg_write(b, d, reg, size, (uint32_t)val);
	pthread_mutex_unlock(&b->lock);
}

const struct bus_ops pci_config_address_ops = {
	.read = pci_config_address_read,
	.write = pci_config_address_write,
};

const struct bus_ops pci_config_data_ops = {
	.read = pci_config_data_read,
	.write = pci_config_data_write,
};
