/* pci_msix.h: MSI-X for a pci_dev (PCI 3.0 §6.8.2).
 *
 * The table (16 bytes per vector: address lo/hi, data, vector control) and the
 * pending-bit array live in one of the device's BARs; the device's BAR ops
 * forward accesses in those windows to pci_msix_table_* / pci_msix_pba_*.
 * Each vector owns an MSI route + irqfd from the bus host; a table write or a
 * mask change re-routes it. pci_msix_notify() fires a vector from any thread
 * (an eventfd write, no VM exit) or, when masked, sets its pending bit, which
 * fires on unmask.
 */
#ifndef VMM_DEVICES_PCI_MSIX_H
#define VMM_DEVICES_PCI_MSIX_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/pci.h"

#define PCI_MSIX_MAX_VECTORS 64
#define PCI_MSIX_ENTRY_SIZE  16
#define PCI_MSIX_NO_VECTOR   0xFFFF /* virtio's VIRTIO_MSI_NO_VECTOR too */

/* Capability layout (PCI 3.0 §6.8.2.1-3): message control at +2 (table size
 * N-1 in bits 10:0, function mask bit 14, enable bit 15), table offset/BIR at
 * +4, PBA offset/BIR at +8; 12 bytes in all. */
#define PCI_MSIX_FLAGS        2
#define PCI_MSIX_FLAGS_QSIZE  0x07FF
#define PCI_MSIX_FLAGS_MASKALL 0x4000
#define PCI_MSIX_FLAGS_ENABLE 0x8000
#define PCI_MSIX_TABLE        4
#define PCI_MSIX_PBA          8
#define PCI_MSIX_BIR_MASK     0x7
#define PCI_MSIX_CAP_SIZE     12
/* Table entry fields (§6.8.2.6-9); only the mask bit of vector control exists. */
#define PCI_MSIX_ENTRY_ADDR_LO 0
#define PCI_MSIX_ENTRY_ADDR_HI 4
#define PCI_MSIX_ENTRY_DATA    8
#define PCI_MSIX_ENTRY_CTRL    12
#define PCI_MSIX_ENTRY_MASKED  0x1
#define PCI_MSIX_PBA_SIZE      8 /* one qword holds 64 pending bits */

struct pci_msix_vector {
	uint64_t addr;
	uint32_t data;
	uint32_t ctrl;   /* bit 0: masked */
	bool pending;
	int gsi;         /* -1 until allocated */
	int efd;
};

struct pci_msix {
	struct pci_dev *dev;
	pthread_mutex_t lock;
	unsigned nvec;
	int cap;         /* config offset of the capability */
	/* Message control as last written, mirrored here under lock so the I/O
	 * thread never reads config space (the bus lock guards that). */
	bool enabled, func_masked;
	struct pci_msix_vector vec[PCI_MSIX_MAX_VECTORS];
	/* Counted, never fatal: notifies that reached no vector (out of range,
	 * MSI-X disabled, no route from the host), route changes the host
	 * refused, table accesses of a wrong size or alignment. */
	unsigned long undelivered, route_failures, bad_accesses;
};

/* Add the capability (table in bar at table_off, PBA in bar at pba_off, both
 * 8-byte aligned) and allocate every vector's route. Call before pci_bus_add
 * is fine: routes are allocated lazily on first unmasked use if the bus is not
 * known yet. */
int pci_msix_init(struct pci_msix *m, struct pci_dev *d, unsigned nvec, int bar,
		  uint32_t table_off, uint32_t pba_off, struct err *e);
void pci_msix_destroy(struct pci_msix *m);

/* The device's BAR ops call these for offsets inside the windows (off is
 * relative to the window start). */
uint64_t pci_msix_table_read(struct pci_msix *m, uint64_t off, unsigned size);
void pci_msix_table_write(struct pci_msix *m, uint64_t off, unsigned size, uint64_t val);
uint64_t pci_msix_pba_read(struct pci_msix *m, uint64_t off, unsigned size);

/* True when MSI-X is enabled in the capability's message control. */
bool pci_msix_enabled(struct pci_msix *m);
/* Fire vector v (ignored when out of range or MSI-X disabled). */
void pci_msix_notify(struct pci_msix *m, unsigned v);

/* For the bus, not devices: the message control was written (bus lock held);
 * the device joined a bus, so its vectors can get their routes. */
void pci_msix_ctrl_written(struct pci_msix *m);
void pci_msix_bus_attached(struct pci_msix *m);

#endif
