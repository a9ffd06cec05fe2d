/* pvpanic.h: QEMU's pvpanic PCI device, which Linux's pvpanic-pci driver
 * uses to report a kernel panic to the host (QEMU docs/specs/pvpanic.rst).
 *
 * PCI 1b36:0011 (Red Hat, QEMU's ID for it), revision 1, class "other system
 * peripheral", no interrupt, and BAR0: memory, of which byte 0 matters. A
 * read of byte 0 returns the events the device supports; a write reports
 * events: bit 0 "panicked" (the host handles it: the device calls panic(),
 * which ends the VM), bit 1 "crash loaded" (the guest handles it with its
 * crash kernel: only counted). Unsupported bits and other bytes are ignored
 * and counted. No mutable state besides atomic counters, so no lock.
 */
#ifndef VMM_DEVICES_PVPANIC_H
#define VMM_DEVICES_PVPANIC_H

#include <stdatomic.h>

#include "core/bus.h"
#include "devices/pci.h"

#define PVPANIC_PCI_DEVICE_ID 0x0011   /* with PCI_VENDOR_ID_REDHAT */
#define PVPANIC_PCI_REVISION  1
#define PVPANIC_PCI_CLASS     0x088000 /* base 08 system peripheral, sub 80 other */
#define PVPANIC_BAR           0
#define PVPANIC_BAR_SIZE      16       /* the smallest memory BAR (PCI 3.0 §6.2.5.1) */

/* Event bits (pvpanic.rst "Bit Definition"). */
#define PVPANIC_PANICKED      0x1
#define PVPANIC_CRASH_LOADED  0x2
#define PVPANIC_SUPPORTED     (PVPANIC_PANICKED | PVPANIC_CRASH_LOADED)

struct pvpanic {
	struct pci_dev pci;  /* first: the bus hands back this pointer */
	void (*panic)(void *ctx);
	void *ctx;
	atomic_ulong panics;        /* "panicked" writes */
	atomic_ulong crash_loaded;  /* "crash loaded" writes */
	atomic_ulong ignored;       /* other bits, other bytes */
};

/* Fill the config header and BAR0; then pci_bus_add(&p->pci). panic may be NULL. */
int pvpanic_init(struct pvpanic *p, void (*panic)(void *ctx), void *ctx);

/* BAR0's ops, opaque = the struct pvpanic (exposed for unit tests). */
extern const struct bus_ops pvpanic_bar_ops;

#endif
