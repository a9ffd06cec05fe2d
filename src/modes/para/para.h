/* para.h: the para machine's parts, for the code that wires devices into it. */
#ifndef VMM_MODES_PARA_PARA_H
#define VMM_MODES_PARA_PARA_H

struct pci_bus;
struct vm;

/* PCI INTx in para mode: there is no chipset interrupt router, so the lines
 * are fixed the way SeaBIOS programs a PIIX3 by default (src/fw/pciinit.c:
 * pci_irqs[] = { 10, 10, 11, 11 }, indexed by (pin - 1 + slot) & 3). INTA of
 * slot 1 is GSI 10, of slot 2 GSI 11. The lines are level-triggered and
 * shared; INTERRUPT_LINE of each device is prefilled with its GSI. */
#define PARA_PCI_IRQ_LOW  10 /* PIRQ A and B */
#define PARA_PCI_IRQ_HIGH 11 /* PIRQ C and D */

/* What para_build assembles; device wiring finds the PCI bus here, and
 * para_boot (vm->mode_state) for the MP table's INTx entries. */
struct para_machine {
	struct vm *vm;
	struct pci_bus *pci; /* bus 0, generic host bridge at slot 0 */
};

#endif
