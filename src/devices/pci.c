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
	return *gsi != PCI_INTX_NONE;
}

/* Several slots share a GSI (the swizzle folds 32 slots x 4 pins onto a few
 * lines) and KVM keeps one level per GSI for userspace: the line is the OR of
 * every device driving it, as wired-OR open-drain INTx# lines are. */
static void pci_bus_drive_gsi(struct pci_bus *b, unsigned gsi)
{
	int level = 0;
	for (unsigned s = 0; s < PCI_MAX_DEVFN; s++) {
		const struct pci_dev *o = b->fns[s];
		unsigned g;
		if (o && o->intx_driven && pci_dev_intx_gsi(b, o, &g) && g == gsi)
			level = 1;
	}
	b->host.intx_set(b->host.ctx, gsi, level);
}

void pci_bus_intx_resync(struct pci_bus *b, unsigned gsi)
{
	if (gsi == PCI_INTX_NONE || !b->host.intx_set)
		return;
	pthread_mutex_lock(&b->lock);
	pci_bus_drive_gsi(b, gsi);
	pthread_mutex_unlock(&b->lock);
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
	for (unsigned s = 0; s < PCI_MAX_DEVFN; s++) {
		struct pci_dev *d = b->fns[s];
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
	for (unsigned s = 0; s < PCI_MAX_DEVFN; s++) {
		struct pci_dev *d = b->fns[s];
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

uint32_t pci_dev_cfg_load(struct pci_dev *d, unsigned off, unsigned size)
{
	struct pci_bus *b = d->bus;
	if (b)
		pthread_mutex_lock(&b->lock);
	uint32_t v = pci_cfg_get(d, off, size);
	if (b)
		pthread_mutex_unlock(&b->lock);
	return v;
}

void pci_dev_cfg_store(struct pci_dev *d, unsigned off, unsigned size, uint32_t val)
{
	struct pci_bus *b = d->bus;
	if (b)
		pthread_mutex_lock(&b->lock);
	pci_cfg_set(d, off, size, val);
	if (b)
		pthread_mutex_unlock(&b->lock);
}

/* Bus lock held, and dropped around the device's cfg_access hook: the hook
 * takes device locks that are held while pci_dev_set_intx takes the bus lock,
 * so calling it under the bus lock would be an ABBA deadlock. Devices never
 * leave the bus, so d stays valid. */
static void pci_dev_cfg_hook(struct pci_bus *b, struct pci_dev *d, unsigned off, unsigned size,
			     bool write)
{
	if (!d->ops || !d->ops->cfg_access || !d->cfg_hook_len ||
	    !pci_overlaps(off, size, d->cfg_hook_off, d->cfg_hook_len))
		return;
	pthread_mutex_unlock(&b->lock);
	d->ops->cfg_access(d, off, size, write);
	pthread_mutex_lock(&b->lock);
}

/* Bus lock held: the hook first, so a read sees what it refreshed. */
static uint32_t pci_dev_cfg_read(struct pci_bus *b, struct pci_dev *d, unsigned off,
				 unsigned size)
{
	pci_dev_cfg_hook(b, d, off, size, false);
	return pci_cfg_get(d, off, size);
}

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
	pci_dev_cfg_hook(b, d, off, size, true);
}

static bool pci_cfg_access_ok(unsigned off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && off < PCI_CFG_SIZE && size <= PCI_CFG_SIZE - off;
}

/* Bus lock held: the function at slot/fn, or NULL (also for a function
 * above 0 of a slot with no function 0, which the guest must not see). */
static struct pci_dev *pci_bus_fn(const struct pci_bus *b, unsigned slot, unsigned fn)
{
	if (slot >= PCI_MAX_SLOTS || fn >= PCI_MAX_FUNCS || !b->fns[PCI_DEVFN(slot, 0)])
		return NULL;
	return b->fns[PCI_DEVFN(slot, fn)];
}

uint32_t pci_bus_cfg_read_fn(struct pci_bus *b, unsigned slot, unsigned fn, unsigned off,
			     unsigned size)
{
	pthread_mutex_lock(&b->lock);
	uint32_t v = pci_all_ones(size);
	struct pci_dev *d = pci_bus_fn(b, slot, fn);
	if (!pci_cfg_access_ok(off, size))
		b->bad_accesses++;
	else if (d)
		v = pci_dev_cfg_read(b, d, off, size);
	pthread_mutex_unlock(&b->lock);
	return v;
}

void pci_bus_cfg_write_fn(struct pci_bus *b, unsigned slot, unsigned fn, unsigned off,
			  unsigned size, uint32_t val)
{
	pthread_mutex_lock(&b->lock);
	struct pci_dev *d = pci_bus_fn(b, slot, fn);
	if (!pci_cfg_access_ok(off, size))
		b->bad_accesses++;
	else if (d)
		pci_dev_cfg_write(b, d, off, size, val);
	pthread_mutex_unlock(&b->lock);
}

uint32_t pci_bus_cfg_read(struct pci_bus *b, unsigned slot, unsigned off, unsigned size)
{
	return pci_bus_cfg_read_fn(b, slot, 0, off, size);
}

void pci_bus_cfg_write(struct pci_bus *b, unsigned slot, unsigned off, unsigned size,
		       uint32_t val)
{
	pci_bus_cfg_write_fn(b, slot, 0, off, size, val);
}

int pci_bus_add(struct pci_bus *b, struct pci_dev *d, int slot, struct err *e)
{
	if (slot < 0) {
		pthread_mutex_lock(&b->lock);
		slot = 0;
		while (slot < PCI_MAX_SLOTS && b->fns[PCI_DEVFN(slot, 0)])
			slot++;
		pthread_mutex_unlock(&b->lock);
	}
	if (slot >= PCI_MAX_SLOTS)
		return err_set(e, ERR_HOST, "%s: no free PCI slot", d->name ? d->name : "PCI device");
	return pci_bus_add_fn(b, d, (unsigned)slot, 0, e);
}

int pci_bus_add_fn(struct pci_bus *b, struct pci_dev *d, unsigned slot, unsigned fn,
		   struct err *e)
{
	pthread_mutex_lock(&b->lock);
	const char *name = d->name ? d->name : "PCI device";
	struct pci_dev *taken = slot < PCI_MAX_SLOTS && fn < PCI_MAX_FUNCS ?
					b->fns[PCI_DEVFN(slot, fn)] : NULL;
	int rc = 0;
	if (d->bus)
		rc = err_set(e, ERR_HOST, "%s: already on a PCI bus", name);
	else if (slot >= PCI_MAX_SLOTS || fn >= PCI_MAX_FUNCS)
		rc = err_set(e, ERR_HOST, "%s: no PCI slot %u function %u", name, slot, fn);
	else if (taken)
		rc = err_set(e, ERR_HOST, "%s: PCI slot %u function %u is taken by %s", name, slot,
			     fn, taken->name ? taken->name : "another device");
	else if (fn > 0 && !b->fns[PCI_DEVFN(slot, 0)])
		rc = err_set(e, ERR_HOST, "%s: PCI slot %u function %u needs function 0 first", name,
			     slot, fn);
	if (!rc) {
		b->fns[PCI_DEVFN(slot, fn)] = d;
		d->bus = b;
		d->slot = slot;
		d->fn = fn;
		if (fn > 0)
			b->fns[PCI_DEVFN(slot, 0)]->cfg[PCI_HEADER_TYPE] |= PCI_HEADER_MULTIFUNCTION;
		/* What firmware would write; direct-boot guests find it there. */
		unsigned gsi, pin = d->cfg[PCI_INTERRUPT_PIN];
		if (pci_dev_intx_gsi(b, d, &gsi))
			d->cfg[PCI_INTERRUPT_LINE] = (uint8_t)(gsi < 0xFF ? gsi : 0xFF);
		else if (pin >= 1 && pin <= 4 && b->host.intx_gsi)
			d->cfg[PCI_INTERRUPT_LINE] = 0xFF; /* "unknown or no connection" on x86 */
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

/* The function CONFIG_ADDRESS selects, and the register offset of an access
 * at 0xCFC + off. Only bus 0 exists; anything else is absent. */
static struct pci_dev *pci_config_target(struct pci_bus *b, uint64_t off, unsigned size,
					 unsigned *reg)
{
	uint32_t a = b->config_address;
	if (!(a & PCI_CONFIG_ENABLE) || PCI_CONFIG_BUS(a) != 0)
		return NULL;
	if (off >= 4 || size > 4 - off)
		return NULL;
	*reg = PCI_CONFIG_REG(a) + (unsigned)off;
	return pci_bus_fn(b, PCI_CONFIG_SLOT(a), PCI_CONFIG_FUNC(a));
}

static uint64_t pci_config_data_read(void *opaque, uint64_t off, unsigned size)
{
	struct pci_bus *b = opaque;
	unsigned reg = 0;
	pthread_mutex_lock(&b->lock);
	struct pci_dev *d = pci_config_target(b, off, size, &reg);
	uint32_t v = d ? pci_dev_cfg_read(b, d, reg, size) : pci_all_ones(size);
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
