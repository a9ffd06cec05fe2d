/* pvpanic.c: the pvpanic PCI device: a guest's panic report ends the VM (see pvpanic.h). */
#include "devices/pvpanic.h"

static uint64_t pvpanic_read(void *opaque, uint64_t off, unsigned size)
{
	(void)opaque;
	(void)size;
	/* Byte 0 tells the guest what it may report; wider reads see zeroes above. */
	return off == 0 ? PVPANIC_SUPPORTED : 0;
}

static void pvpanic_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct pvpanic *p = opaque;
	(void)size;
	if (off != 0 || (val & ~(uint64_t)PVPANIC_SUPPORTED))
		atomic_fetch_add(&p->ignored, 1);
	if (off != 0)
		return;
	if (val & PVPANIC_CRASH_LOADED)
		atomic_fetch_add(&p->crash_loaded, 1);
	if (val & PVPANIC_PANICKED) {
		atomic_fetch_add(&p->panics, 1);
		if (p->panic)
			p->panic(p->ctx);
	}
}

const struct bus_ops pvpanic_bar_ops = {
	.read = pvpanic_read,
	.write = pvpanic_write,
};

int pvpanic_init(struct pvpanic *p, void (*panic)(void *ctx), void *ctx)
{
	pci_dev_init(&p->pci, "pvpanic", PCI_VENDOR_ID_REDHAT, PVPANIC_PCI_DEVICE_ID,
		     PVPANIC_PCI_CLASS, PVPANIC_PCI_REVISION, PCI_VENDOR_ID_REDHAT,
		     PVPANIC_PCI_DEVICE_ID, 0, NULL);
	p->panic = panic;
	p->ctx = ctx;
	atomic_init(&p->panics, 0);
	atomic_init(&p->crash_loaded, 0);
	atomic_init(&p->ignored, 0);
	return pci_dev_set_bar(&p->pci, PVPANIC_BAR, PVPANIC_BAR_SIZE, 0, &pvpanic_bar_ops, p);
}
