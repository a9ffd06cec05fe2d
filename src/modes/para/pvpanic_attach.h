/* pvpanic_attach.h: the para machine's panic reporter (devices/pvpanic.h). */
#ifndef VMM_MODES_PARA_PVPANIC_ATTACH_H
#define VMM_MODES_PARA_PVPANIC_ATTACH_H

#include "core/error.h"

struct pci_bus;
struct vm;

/* Put a pvpanic device on bus (first free slot); a guest's "panicked" report
 * ends the run as VMM_EXIT_PANIC (exit status 121). Freed at VM teardown. */
int para_pvpanic_attach(struct vm *vm, struct pci_bus *bus, struct err *e);

#endif
