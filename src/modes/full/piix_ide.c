/* piix_ide.c: the machine's IDE controller: cfg->disks on the PIIX3 IDE
 * channels (disk 0 primary master, 1 primary slave, 2/3 secondary) at the
 * legacy ports and IRQs 14/15, and, on a PCI bus, its function 00:01.1 with
 * the bus-master registers in BAR4. */
#include <stdlib.h>

#include "core/vm.h"
#include "modes/full/full.h"
#include "modes/full/piix3.h"
#include "modes/full/ide.h"

struct piix_ide {
	struct ide_ctrl ide;
	struct pci_dev pci;
	bool ready;
};

static void piix_ide_free(void *opaque)
{
	struct piix_ide *p = opaque;
	if (p->ready)
		ide_destroy(&p->ide);
	free(p);
}

static int piix_ide_open_disks(struct vm *vm, struct piix_ide *p, const struct vmm_config *cfg,
			       struct err *e)
{
	if (cfg->ndisks > IDE_MAX_DISKS)
		return err_set(e, ERR_INPUT, "full mode: at most %d disks (IDE)", IDE_MAX_DISKS);
	for (unsigned i = 0; i < cfg->ndisks; i++) {
		const struct vmm_disk *d = &cfg->disks[i];
		unsigned flags = (d->readonly ? BLK_OPEN_READONLY : 0) |
				 (d->cache == VMM_DISK_CACHE_NONE ? BLK_OPEN_DIRECT : 0);
		struct blk_backend *b;
		if (!d->path)
			return err_set(e, ERR_INPUT, "disk %u: no image path", i);
		if (blk_open_flags(&b, d->path, flags, e))
			return -1;
		if (ide_attach_drive(&p->ide, i, b, e)) {
			blk_close(b);
			return -1;
		}
		if (blk_attach(b, &vm->loop, e))
			return -1;
	}
	return 0;
}

static int piix_ide_legacy_ports(struct vm *vm, struct piix_ide *p, struct err *e)
{
	static const uint16_t cmd[IDE_CHANNELS] = { IDE_PRIMARY_CMD, IDE_SECONDARY_CMD };
	static const uint16_t ctl[IDE_CHANNELS] = { IDE_PRIMARY_CTL, IDE_SECONDARY_CTL };
	for (unsigned i = 0; i < IDE_CHANNELS; i++) {
		if (vm_add_pio(vm, cmd[i], IDE_CMD_PORTS, &ide_cmd_ops, &p->ide.ch[i], "IDE", e) ||
		    vm_add_pio(vm, ctl[i], IDE_CTL_PORTS, &ide_ctl_ops, &p->ide.ch[i], "IDE control", e))
			return -1;
	}
	return 0;
}

/* Function 1 of the PIIX3: IDs, IDETIM with both channels decoded, and the
 * bus-master registers in BAR4 (16 bytes of I/O). The legacy ports stay
 * decoded whatever IDETIM and COMMAND say (vmm does not gate them). */
static int piix_ide_pci(struct piix_ide *p, struct pci_bus *bus, struct err *e)
{
	struct pci_dev *d = &p->pci;
	pci_dev_init(d, "PIIX3 IDE", PCI_VENDOR_ID_INTEL, PIIX3_IDE_DEVICE_ID, PIIX3_IDE_CLASS, 0, 0, 0,
		     0, NULL);
	pci_cfg_set(d, PIIX_IDETIM_PRI, 2, PIIX_IDETIM_IDE);
	pci_cfg_set(d, PIIX_IDETIM_SEC, 2, PIIX_IDETIM_IDE);
	for (unsigned off = PIIX_IDETIM_PRI; off <= PIIX_SIDETIM; off++)
		d->wmask[off] = 0xFF;
	if (pci_dev_set_bar(d, PIIX_IDE_BM_BAR, BM_IO_SIZE, PCI_BAR_IO, &ide_bmdma_ops, &p->ide))
		return err_set(e, ERR_HOST, "PIIX3 IDE: bus-master BAR");
	return pci_bus_add_fn(bus, d, PIIX_SLOT, PIIX_FN_IDE, e);
}

int piix_ide_attach(struct vm *vm, const struct vmm_config *cfg, struct pci_bus *bus,
		    struct err *e)
{
	struct piix_ide *p = calloc(1, sizeof(*p));
	if (!p)
		return err_set(e, ERR_HOST, "out of memory");
	if (vm_on_teardown(vm, piix_ide_free, p, e)) {
		free(p);
		return -1;
	}
	const struct irq_line irqs[IDE_CHANNELS] = {
		{ .set = vm_irq_set, .ctx = vm, .gsi = IDE_PRIMARY_IRQ },
		{ .set = vm_irq_set, .ctx = vm, .gsi = IDE_SECONDARY_IRQ },
	};
	if (ide_init(&p->ide, &vm->mem, irqs, e))
		return -1;
	p->ready = true;
	if (piix_ide_open_disks(vm, p, cfg, e) || piix_ide_legacy_ports(vm, p, e))
		return -1;
	return bus ? piix_ide_pci(p, bus, e) : 0;
}
