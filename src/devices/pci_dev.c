/* pci_dev.c: a PCI function's config header, BARs and capability list, as the device declares them (see pci.h). */
#include <errno.h>
#include <string.h>

#include "devices/pci.h"

static bool pci_cfg_range_ok(unsigned off, unsigned size)
{
	return size >= 1 && size <= 4 && off < PCI_CFG_SIZE && size <= PCI_CFG_SIZE - off;
}

static void pci_bytes_set(uint8_t *bytes, unsigned off, unsigned size, uint32_t val)
{
	if (!pci_cfg_range_ok(off, size))
		return;
	for (unsigned i = 0; i < size; i++)
		bytes[off + i] = (uint8_t)(val >> (8 * i));
}

uint32_t pci_cfg_get(const struct pci_dev *d, unsigned off, unsigned size)
{
	uint32_t v = 0;
	if (!pci_cfg_range_ok(off, size))
		return 0;
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)d->cfg[off + i] << (8 * i);
	return v;
}

void pci_cfg_set(struct pci_dev *d, unsigned off, unsigned size, uint32_t val)
{
	pci_bytes_set(d->cfg, off, size, val);
}

/* Everything not named here is read-only: IDs, class, header type, the
 * capability pointer and the capabilities themselves, the expansion ROM BAR
 * (none) and INTERRUPT_PIN. Cache line size is writable as on QEMU's devices
 * (Linux writes it and does not care what it reads back). */
void pci_dev_init(struct pci_dev *d, const char *name, uint16_t vendor, uint16_t device,
		  uint32_t class_code, uint8_t revision, uint16_t subsys_vendor,
		  uint16_t subsys_id, uint8_t intx_pin, const struct pci_dev_ops *ops)
{
	memset(d, 0, sizeof(*d));
	d->name = name;
	d->ops = ops;
	d->cap_next = PCI_CFG_HEADER_SIZE;
	pci_cfg_set(d, PCI_VENDOR_ID, 2, vendor);
	pci_cfg_set(d, PCI_DEVICE_ID, 2, device);
	pci_cfg_set(d, PCI_REVISION_ID, 1, revision);
	pci_cfg_set(d, PCI_CLASS_PROG, 1, class_code & 0xFF);
	pci_cfg_set(d, PCI_CLASS_DEVICE, 2, (class_code >> 8) & 0xFFFF);
	pci_cfg_set(d, PCI_HEADER_TYPE, 1, 0); /* type 0, single function */
	pci_cfg_set(d, PCI_SUBSYS_VENDOR, 2, subsys_vendor);
	pci_cfg_set(d, PCI_SUBSYS_ID, 2, subsys_id);
	/* Pins are 1 (INTA#) to 4 (INTD#); anything else means none. */
	pci_cfg_set(d, PCI_INTERRUPT_PIN, 1, intx_pin <= 4 ? intx_pin : 0);

	pci_bytes_set(d->wmask, PCI_COMMAND, 2,
		      PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		      PCI_COMMAND_INTX_DISABLE);
	pci_bytes_set(d->w1cmask, PCI_STATUS, 2, PCI_STATUS_W1C);
	pci_bytes_set(d->wmask, PCI_CACHE_LINE_SIZE, 1, 0xFF);
	pci_bytes_set(d->wmask, PCI_INTERRUPT_LINE, 1, 0xFF);
}

void pci_host_bridge_init(struct pci_dev *d, uint16_t vendor, uint16_t device)
{
	pci_dev_init(d, "PCI host bridge", vendor, device, PCI_CLASS_BRIDGE_HOST, 0, 0, 0, 0, NULL);
}

static bool pci_bar_size_ok(uint64_t size, unsigned flags)
{
	if (size == 0 || (size & (size - 1)))
		return false;
	if (flags & PCI_BAR_IO)
		return size >= 4 && size <= PCI_IO_SPACE_END;
	if (size < 16)
		return false;
	/* A 32-bit BAR's address mask must leave bit 31 to the guest. */
	return (flags & PCI_BAR_MEM64) ? size <= (1ULL << 62) : size <= (1ULL << 31);
}

/* The address bits above the size are writable, the flag bits below are not:
 * writing all ones then reads back ~(size - 1) | flags, the sizing protocol of
 * PCI 3.0 §6.2.5.1. */
int pci_dev_set_bar(struct pci_dev *d, int idx, uint64_t size, unsigned flags,
		    const struct bus_ops *ops, void *opaque)
{
	const unsigned known = PCI_BAR_IO | PCI_BAR_MEM64 | PCI_BAR_PREFETCH;
	bool io = flags & PCI_BAR_IO, mem64 = flags & PCI_BAR_MEM64;
	if (idx < 0 || idx >= PCI_NUM_BARS || (flags & ~known) || !ops)
		return -EINVAL;
	if (io && (flags & (PCI_BAR_MEM64 | PCI_BAR_PREFETCH)))
		return -EINVAL;
	if (!pci_bar_size_ok(size, flags))
		return -EINVAL;
	if (d->bars[idx].size || (d->bars[idx].flags & PCI_BAR_UPPER_HALF))
		return -EEXIST;
	if (mem64 && (idx + 1 >= PCI_NUM_BARS || d->bars[idx + 1].size ||
		      (d->bars[idx + 1].flags & PCI_BAR_UPPER_HALF)))
		return -EINVAL;

	d->bars[idx] = (struct pci_bar){ .size = size, .flags = flags, .ops = ops, .opaque = opaque };
	unsigned off = PCI_BAR0 + 4 * (unsigned)idx;
	uint64_t addr_mask = ~(size - 1);
	if (io) {
		pci_cfg_set(d, off, 4, PCI_BASE_ADDRESS_SPACE_IO);
		pci_bytes_set(d->wmask, off, 4, (uint32_t)addr_mask & PCI_BASE_ADDRESS_IO_MASK);
		return 0;
	}
	uint32_t low = (mem64 ? PCI_BASE_ADDRESS_MEM_64 : 0) |
		       ((flags & PCI_BAR_PREFETCH) ? PCI_BASE_ADDRESS_MEM_PREF : 0);
	pci_cfg_set(d, off, 4, low);
	pci_bytes_set(d->wmask, off, 4, (uint32_t)addr_mask & PCI_BASE_ADDRESS_MEM_MASK);
	if (mem64) {
		d->bars[idx + 1] = (struct pci_bar){ .flags = PCI_BAR_UPPER_HALF };
		pci_cfg_set(d, off + 4, 4, 0);
		pci_bytes_set(d->wmask, off + 4, 4, (uint32_t)(addr_mask >> 32));
	}
	return 0;
}

/* Capabilities are dword aligned after the header and linked through their
 * second byte (PCI 3.0 §6.7). */
int pci_dev_add_cap(struct pci_dev *d, uint8_t id, const void *body, unsigned len)
{
	unsigned off = ((unsigned)d->cap_next + 3) & ~3u;
	if (off < PCI_CFG_HEADER_SIZE)
		off = PCI_CFG_HEADER_SIZE;
	if (off >= PCI_CFG_SIZE || len > PCI_CFG_SIZE - off - 2)
		return -1;
	d->cfg[off] = id;
	d->cfg[off + 1] = 0;
	if (len)
		memcpy(&d->cfg[off + 2], body, len);

	uint8_t *link = &d->cfg[PCI_CAP_PTR];
	for (unsigned n = 0; *link && *link < PCI_CFG_SIZE - 1 && n < PCI_CAP_LIST_MAX; n++)
		link = &d->cfg[*link + 1];
	*link = (uint8_t)off;
	pci_cfg_set(d, PCI_STATUS, 2, pci_cfg_get(d, PCI_STATUS, 2) | PCI_STATUS_CAP_LIST);

	/* 0xFF marks "full": it rounds up past config space. */
	unsigned end = off + 2 + len;
	d->cap_next = (uint8_t)(end > 0xFF ? 0xFF : end);
	return (int)off;
}
