/* pvpanic_attach.c: wire a pvpanic device into the para machine: its panic report stops the VM. */
#include "modes/para/pvpanic_attach.h"

#include <stdlib.h>

#include "core/vm.h"
#include "devices/pvpanic.h"

static void para_on_panic(void *vm)
{
	vm_request_stop(vm, VMM_EXIT_PANIC, 0, "guest kernel panic (pvpanic)");
}

int para_pvpanic_attach(struct vm *vm, struct pci_bus *bus, struct err *e)
{
	struct pvpanic *p = calloc(1, sizeof(*p));
	if (!p)
		return err_set(e, ERR_HOST, "pvpanic: out of memory");
	if (vm_on_teardown(vm, free, p, e)) {
		free(p);
		return -1;
	}
	if (pvpanic_init(p, para_on_panic, vm))
		return err_set(e, ERR_HOST, "pvpanic: BAR setup failed");
	return pci_bus_add(bus, &p->pci, -1, e);
}
