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
	struct pci_msix_vector vec[PCI_MSIX_MAX_VECTORS];
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

#endif
