/* piix3.h: the PIIX3 south bridge's PCI functions at 00:01.x: the ISA
 * bridge with its PIRQ router (function 0, here), IDE (function 1,
 * piix_ide.c) and, from the PIIX4, power management (function 3, piix4_pm.h),
 * as on QEMU's "pc" machine. */
#ifndef VMM_MODES_FULL_PIIX3_H
#define VMM_MODES_FULL_PIIX3_H

#include <stdint.h>

#include "devices/pci.h"
#include "modes/full/i440fx.h"

/* 82371SB PIIX3 function 0: PCI-to-ISA bridge (PIIX3 datasheet §2.2). */
#define PIIX3_ISA_DEVICE_ID   0x7000
#define PIIX3_ISA_CLASS       0x060100 /* bridge, PCI-to-ISA */
#define PIIX_SLOT             1
#define PIIX_FN_ISA           0
#define PIIX_FN_IDE           1
#define PIIX_FN_PM            3
#define PIIX3_PIRQRC          0x60 /* PIRQA-D route control, 0x60-0x63 */
#define PIIX3_PIRQ_COUNT      4
#define PIIX3_PIRQ_DISABLE    0x80 /* IRQEN#: 1 = not routed (the reset value) */
#define PIIX3_PIRQ_IRQ_MASK   0x0F
/* IRQs a PIRQ may reach: 3-7, 9-12, 14, 15 (0-2, 8 and 13 are reserved). */
#define PIIX3_PIRQ_VALID_IRQS 0xDEF8u
#define PIIX3_CFG_CHIPSET     0x40 /* 0x40-0xFF: chipset registers, read back as written */

/* 82371SB PIIX3 function 1: IDE (PIIX3 datasheet §2.3). Programming
 * interface 0x80: bus-master capable, both channels in compatibility mode
 * (legacy ports and IRQs, no BAR0-3). */
#define PIIX3_IDE_DEVICE_ID   0x7010
#define PIIX3_IDE_CLASS       0x010180
#define PIIX_IDETIM_PRI       0x40 /* 16-bit IDE timing, primary channel */
#define PIIX_IDETIM_SEC       0x42
#define PIIX_SIDETIM          0x44 /* slave timing (PIIX3) */
/* IDETIM bit 15, IDE decode enable: Linux's ata_piix ignores a channel
 * whose bit is clear (piix_enable_bits: 0x41/0x43 bit 7); preset like a BIOS. */
#define PIIX_IDETIM_IDE       0x8000
#define PIIX_IDE_BM_BAR       4

struct piix3 {
	struct pci_dev pci;
	uint8_t pirq[PIIX3_PIRQ_COUNT]; /* routing last applied to the bus */
};

void piix3_init(struct piix3 *p);

/* The INTx routing of a PIIX3 machine: slot's pin (1-4) uses PIRQ
 * (slot + pin - 1) & 3, which reaches the IRQ in that PIRQ register, or
 * nothing (PCI_INTX_NONE). ctx = the struct piix3; for pc_pci_attach. */
unsigned piix3_intx_gsi(void *ctx, unsigned slot, unsigned pin);

#endif
