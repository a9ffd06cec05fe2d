/* para_virtio.h: the virtio devices a para VM gets on its PCI bus. */
#ifndef VMM_MODES_PARA_PARA_VIRTIO_H
#define VMM_MODES_PARA_PARA_VIRTIO_H

#include "core/error.h"
#include "vmm/vmm.h"

struct pci_bus;
struct vm;

/* virtio-rng always; virtio-console when cfg->console is VMM_CONSOLE_VIRTIO
 * (the recipe then leaves COM1 unconnected); one virtio-blk per cfg->disks[i]
 * in order, read-only when asked or when the file is not writable. Torn down
 * with the VM. Image errors are ERR_INPUT naming the path. */
int para_virtio_attach(struct vm *vm, struct pci_bus *bus, const struct vmm_config *cfg,
		       struct err *e);

#endif
