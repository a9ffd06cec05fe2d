/* piix3.c: the PIIX3 ISA bridge and PIRQ router (see piix3.h). */
#include "modes/full/piix3.h"

#include <stddef.h>
#include <string.h>

static unsigned piix3_pirq_gsi(uint8_t route)
{
	unsigned irq = route & PIIX3_PIRQ_IRQ_MASK;
	if ((route & PIIX3_PIRQ_DISABLE) || !(PIIX3_PIRQ_VALID_IRQS & (1u << irq)))
		return PCI_INTX_NONE;
	return irq;
}

unsigned piix3_intx_gsi(void *ctx, unsigned slot, unsigned pin)
{
	const struct piix3 *p = ctx;
	if (pin < 1 || pin > 4)
		return PCI_INTX_NONE;
	/* The swizzle of the i440FX/PIIX3 board (QEMU pci_slot_get_pirq,
	 * SeaBIOS piix_pci_slot_get_irq, the DSDT's _PRT). */
	return piix3_pirq_gsi(p->pci.cfg[PIIX3_PIRQRC + ((slot + pin - 1) & 3)]);
}

/* Bus lock held. A PIRQ that moved takes its asserted devices along:
 * recompute the line it left and the line it joined (QEMU does the same in
 * piix3_write_config). */
static void piix3_cfg_write(struct pci_dev *d, unsigned off, unsigned size, uint32_t val)
{
	struct piix3 *p = (struct piix3 *)((char *)d - offsetof(struct piix3, pci));
	(void)off;
	(void)size;
	(void)val;
	for (unsigned i = 0; i < PIIX3_PIRQ_COUNT; i++) {
		uint8_t now = d->cfg[PIIX3_PIRQRC + i], was = p->pirq[i];
		if (now == was)
			continue;
		p->pirq[i] = now;
		if (d->bus) {
			pci_bus_intx_resync(d->bus, piix3_pirq_gsi(was));
			pci_bus_intx_resync(d->bus, piix3_pirq_gsi(now));
		}
	}
}

static const struct pci_dev_ops piix3_ops = {
	.cfg_write = piix3_cfg_write,
};

void piix3_init(struct piix3 *p)
{
	pci_dev_init(&p->pci, "PIIX3 ISA bridge", PCI_VENDOR_ID_INTEL, PIIX3_ISA_DEVICE_ID,
		     PIIX3_ISA_CLASS, 0, 0, 0, 0, &piix3_ops);
	p->pci.cfg[PCI_HEADER_TYPE] = PCI_HEADER_MULTIFUNCTION;
	memset(&p->pci.wmask[PIIX3_CFG_CHIPSET], 0xFF, PCI_CFG_SIZE - PIIX3_CFG_CHIPSET);
	memset(&p->pci.cfg[PIIX3_PIRQRC], PIIX3_PIRQ_DISABLE, PIIX3_PIRQ_COUNT);
	memset(p->pirq, PIIX3_PIRQ_DISABLE, sizeof(p->pirq));
}
