/* pci.h: guest-side PCI: type-1 configuration access, enumeration of bus 0, BAR assignment. */
#ifndef GUEST_PCI_H
#define GUEST_PCI_H

#include <stdbool.h>
#include <stdint.h>

/* Configuration mechanism #1 (PCI Local Bus 3.0 §3.2.2.3.2). */
#define PCI_PORT_ADDRESS 0xCF8
#define PCI_PORT_DATA    0xCFC
#define PCI_ADDRESS_ENABLE 0x80000000u

/* Type 0 header (PCI 3.0 §6.1). */
#define PCI_VENDOR_ID   0x00
#define PCI_DEVICE_ID   0x02
#define PCI_COMMAND     0x04
#define PCI_STATUS      0x06
#define PCI_REVISION    0x08
#define PCI_CLASS_PROG  0x09
#define PCI_CLASS_BASE  0x0B
#define PCI_HEADER_TYPE 0x0E
#define PCI_BAR0        0x10
#define PCI_SUBSYS_ID   0x2E
#define PCI_CAP_PTR     0x34

#define PCI_CMD_IO     0x0001
#define PCI_CMD_MEMORY 0x0002
#define PCI_CMD_MASTER 0x0004
#define PCI_CMD_INTX_DISABLE 0x0400
#define PCI_STATUS_CAP_LIST 0x0010
#define PCI_HEADER_MULTIFUNCTION 0x80
#define PCI_HEADER_TYPE_MASK 0x7F
#define PCI_CLASS_BRIDGE 0x06 /* base class: host, ISA, PCI-PCI... bridges */

/* BAR low bits (PCI 3.0 §6.2.5.1). */
#define PCI_BAR_IO        0x1
#define PCI_BAR_MEM_TYPE  0x6
#define PCI_BAR_MEM_64    0x4
#define PCI_BAR_IO_MASK   0xFFFFFFFCu
#define PCI_BAR_MEM_MASK  0xFFFFFFF0u
#define PCI_NUM_BARS 6

#define PCI_CAP_ID_MSIX 0x11
#define PCI_CAP_ID_VNDR 0x09

/* Where pci_assign_bars places BARs nobody assigned (vmm's direct boot has no
 * firmware): the 32-bit PCI hole below the IOAPIC, and I/O from 0xC000 as
 * PC firmware does. Addresses firmware already used are left alone. */
#define PCI_MEM_WINDOW_BASE 0xC0000000ull
#define PCI_MEM_WINDOW_END  0xFEC00000ull /* exclusive */
#define PCI_IO_WINDOW_BASE  0xC000u
#define PCI_IO_WINDOW_END   0x10000u      /* exclusive */

#define PCI_MAX_DEVS 32
#define PCI_MAX_FNS  8

/* One function on bus 0. */
struct pci_fn {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
};

uint8_t pci_read8(const struct pci_fn *f, unsigned off);
uint16_t pci_read16(const struct pci_fn *f, unsigned off);
uint32_t pci_read32(const struct pci_fn *f, unsigned off);
void pci_write8(const struct pci_fn *f, unsigned off, uint8_t v);
void pci_write16(const struct pci_fn *f, unsigned off, uint16_t v);
void pci_write32(const struct pci_fn *f, unsigned off, uint32_t v);

/* Up to max present functions on bus 0 into out, in slot order; returns how
 * many there are (which may exceed max). */
int pci_scan(struct pci_fn *out, int max);

/* The index-th function on bus 0 with these IDs (0xFFFF matches any device);
 * true and *out filled when found. */
bool pci_find(uint16_t vendor, uint16_t device, unsigned index, struct pci_fn *out);

/* Size every BAR of every function on bus 0; give the unassigned ones (zero,
 * or a 64-bit BAR above the 4 GiB our page tables reach) an address in the
 * windows above, avoiding the ones firmware assigned, and turn on I/O and
 * memory decoding of each function that has BARs. Returns how many BARs it
 * assigned (0 under firmware that did it all), or -1 when a window is full. */
int pci_assign_bars(void);

/* Turn f's decoding off and zero its BARs, as if no firmware had run (lets
 * a guest on firmware-booted QEMU exercise pci_assign_bars). */
void pci_unassign_bars(const struct pci_fn *f);

/* Base address of BAR bar (64-bit BARs combined), 0 when absent or
 * unassigned; *io says whether it is I/O space. *size gets its size when
 * size is not NULL (the BAR is sized with decoding briefly off). */
uint64_t pci_bar_base(const struct pci_fn *f, int bar, bool *io, uint64_t *size);

/* Config offset of the first capability with this ID after offset after (0
 * starts at the list head); 0 when there is none. The walk is bounded, so a
 * looping list cannot hang the guest. */
unsigned pci_cap_find(const struct pci_fn *f, uint8_t id, unsigned after);

#endif
