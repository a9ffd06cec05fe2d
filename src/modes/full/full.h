/* full.h: the parts of the full machine (an i440FX/PIIX3 PC), for full.c. */
#ifndef VMM_MODES_FULL_FULL_H
#define VMM_MODES_FULL_FULL_H

#include "core/error.h"
#include "vmm/vmm.h"

struct vm;
struct pci_bus;

/* cfg->disks (at most 4) on the PIIX3 IDE channels at the legacy ports, and,
 * when bus is given, the IDE function 00:01.1 with its bus-master BAR (the
 * PIIX3 ISA bridge must already be at 00:01.0). */
int piix_ide_attach(struct vm *vm, const struct vmm_config *cfg, struct pci_bus *bus,
		    struct err *e);

#endif
