/* para_virtio.c: wire virtio-rng, virtio-console and virtio-blk into a para VM. */
#include "modes/para/para_virtio.h"

#include <stdio.h>
#include <stdlib.h>

#include "backends/block.h"
#include "core/vm.h"
#include "virtio/blk.h"
#include "virtio/console.h"
#include "virtio/rng.h"

struct para_virtio {
	struct virtio_rng *rng;
	struct virtio_console *console;
	struct virtio_blk *blk[VMM_MAX_DISKS];
};

/* At VM teardown: the I/O thread and the vCPUs are stopped already. */
static void para_virtio_free(void *opaque)
{
	struct para_virtio *p = opaque;
	for (unsigned i = 0; i < VMM_MAX_DISKS; i++)
		virtio_blk_destroy(p->blk[i]);
	virtio_console_destroy(p->console);
	virtio_rng_destroy(p->rng);
	free(p);
}

static int para_virtio_disk(struct vm *vm, struct pci_bus *bus, struct para_virtio *p,
			    const struct vmm_config *cfg, unsigned i, struct err *e)
{
	const struct vmm_disk *d = &cfg->disks[i];
	struct blk_backend *be;
	char serial[VIRTIO_BLK_ID_BYTES + 1];
	if (!d->path)
		return err_set(e, ERR_INPUT, "disk %u: no image path", i);
	unsigned flags = (d->readonly ? BLK_OPEN_READONLY : 0) |
			 (d->cache == VMM_DISK_CACHE_NONE ? BLK_OPEN_DIRECT : 0);
	if (blk_open_flags(&be, d->path, flags, e))
		return -1;
	snprintf(serial, sizeof(serial), "vmm-disk%u", i);
	return virtio_blk_create(&p->blk[i], be, serial, &vm->mem, &vm->loop, bus, e);
}

int para_virtio_attach(struct vm *vm, struct pci_bus *bus, const struct vmm_config *cfg,
		       struct err *e)
{
	struct para_virtio *p = calloc(1, sizeof(*p));
	if (!p)
		return err_set(e, ERR_HOST, "out of memory");
	if (vm_on_teardown(vm, para_virtio_free, p, e)) {
		free(p);
		return -1;
	}
	if (virtio_rng_create(&p->rng, &vm->mem, &vm->loop, bus, e))
		return -1;
	if (cfg->console == VMM_CONSOLE_VIRTIO &&
	    virtio_console_create(&p->console, cfg, &vm->mem, &vm->loop, bus, e))
		return -1;
	for (unsigned i = 0; i < cfg->ndisks && i < VMM_MAX_DISKS; i++)
		if (para_virtio_disk(vm, bus, p, cfg, i, e))
			return -1;
	return 0;
}
