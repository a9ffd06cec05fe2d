/* mptable.h: Intel MultiProcessor Specification 1.4 tables describing the
 * CPUs, the PCI and ISA buses, the IOAPIC and the interrupt wiring, for
 * guests (Linux without ACPI, purpose-built guests) that find their CPUs and
 * interrupt lines this way. */
#ifndef VMM_BOOT_MPTABLE_H
#define VMM_BOOT_MPTABLE_H

#include <stddef.h>

#include "core/error.h"
#include "core/memory.h"

/* xAPIC ids are 8 bits, 0xFF is broadcast, and the IOAPIC takes the id after
 * the last CPU: 254 CPUs at most. */
#define MPTABLE_MAX_CPUS 254

/* The IOAPIC inputs an entry may name: KVM's in-kernel IOAPIC has 24
 * (KVM_IOAPIC_NUM_PINS). */
#define MPTABLE_IOAPIC_PINS 24
/* PCI bus 0 has 32 device numbers with 4 pins each; functions of one device
 * share its pins' entries (MP spec 1.4 §D.3: the source bus IRQ names only
 * device and pin). */
#define MPTABLE_PCI_SLOTS 32
#define MPTABLE_PCI_PINS 4
#define MPTABLE_MAX_PCI_IRQS (MPTABLE_PCI_SLOTS * MPTABLE_PCI_PINS)

/* One PCI INTx pin the machine wires to an IOAPIC input: what the VMM raises
 * when a device at that slot asserts that pin. */
struct mptable_pci_irq {
	unsigned slot; /* device number on PCI bus 0, 0-31 */
	unsigned pin;  /* 1 = INTA# .. 4 = INTD#, as in INTERRUPT_PIN */
	unsigned gsi;  /* IOAPIC input, below MPTABLE_IOAPIC_PINS */
};

/* The PCI INTx wiring for the table: each (slot, pin) at most once; none
 * (count 0) is a PCI bus whose devices use MSI-X only or no interrupts. */
struct mptable_pci {
	const struct mptable_pci_irq *irqs;
	unsigned count;
};

/* Bytes of the configuration table (header and entries) for ncpus and pci
 * (NULL: no PCI interrupts), which must be valid for mptable_write. */
size_t mptable_config_size(unsigned ncpus, const struct mptable_pci *pci);

/* Floating pointer at LAYOUT_EBDA_START, configuration table at
 * LAYOUT_MPTABLE_START: ncpus processors, PCI bus 0 (MP bus 0) and the ISA
 * bus (MP bus 1), the IOAPIC, pci's INTx pins (level, active low) and the ISA
 * IRQs on the IOAPIC inputs no PCI pin uses. pci may be NULL. ncpus outside
 * 1..MPTABLE_MAX_CPUS or a bad or repeated pci entry is ERR_INPUT. */
int mptable_write(struct guest_mem *m, unsigned ncpus, const struct mptable_pci *pci,
		  struct err *e);

#endif
