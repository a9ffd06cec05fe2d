/* full.h: the parts of the full machine (an i440FX/PIIX3 PC), for full.c. */
#ifndef VMM_MODES_FULL_FULL_H
#define VMM_MODES_FULL_FULL_H

#include "core/error.h"
#include "vmm/vmm.h"

struct vm;

/* cfg->disks on the PIIX3 IDE channels at the legacy ports (at most 4). */
int piix_ide_attach(struct vm *vm, const struct vmm_config *cfg, struct err *e);

#endif
