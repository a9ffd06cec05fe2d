/* mode.h: a machine recipe: which devices, which CPUID, which boot path. */
#ifndef VMM_MODES_MODE_H
#define VMM_MODES_MODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "vmm/vmm.h"

struct vm;
struct pci_bus;
struct mptable_pci_irq;

struct mode_recipe {
	const char *name;
	/* Optional, before the VM exists: its shape (vm->no_irqchip). */
	int (*plan)(struct vm *vm, const struct vmm_config *cfg, struct err *e);
	/* Before vCPUs exist: CPUID policy and devices. */
	int (*build)(struct vm *vm, const struct vmm_config *cfg, struct err *e);
	/* After vCPUs exist: load what boots and set the boot CPU's registers. */
	int (*boot)(struct vm *vm, const struct vmm_config *cfg, struct err *e);
};

extern const struct mode_recipe para_recipe;
extern const struct mode_recipe full_recipe;

/* Shared steps the recipes compose. */
int pc_legacy_attach(struct vm *vm, const struct vmm_config *cfg, struct err *e);
/* Direct kernel boot; the MP table gets pci's INTx wiring (NULL: none). */
int direct_boot(struct vm *vm, const struct vmm_config *cfg, struct pci_bus *pci, struct err *e);
/* CMOS RTC + NVRAM at 0x70 (memory sizes, CPU count, boot order filled in). */
int pc_cmos_attach(struct vm *vm, const struct vmm_config *cfg, struct err *e);
/* SeaBIOS (cfg->firmware or the Debian default) mapped at the top of 4 GiB and
 * copied to 0xE0000, plus fw_cfg (e820, CPUs, serial console, no boot menu).
 * The boot CPU needs no registers set: KVM starts it at the reset vector.
 * Needs pc_cmos_attach (SeaBIOS takes the RAM size and CPU count from NVRAM). */
int firmware_boot_attach(struct vm *vm, const struct vmm_config *cfg, struct err *e);
/* The same without the copy below 1 MiB, for a chipset that shows the ROM
 * there and lets SeaBIOS shadow itself (full mode's i440FX PAM): *rom and
 * *rom_len give the ROM's bytes (the read-only copy KVM maps, alive as long
 * as the VM) for that alias. */
int firmware_boot_attach_rom(struct vm *vm, const struct vmm_config *cfg, const uint8_t **rom,
			     size_t *rom_len, struct err *e);

/* PCI bus 0 on the PC ports 0xCF8/0xCFC, with MSI routes and ioeventfds from
 * vm->irq and INTx through vm_irq_set: intx_gsi(intx_ctx, slot, pin) names the
 * GSI each slot's pin (1-4) reaches. generic_bridge puts a host bridge
 * (class 0x0600) at slot 0; a recipe with its own chipset passes false and
 * adds its bridge there. Freed at VM teardown; NULL on error. Before the
 * vCPUs start, a recipe may set bus->host.rcr_ops/rcr_opaque (the 0xCF9 reset
 * control register shares the 0xCF8 dword). */
struct pci_bus *pc_pci_attach(struct vm *vm,
			      unsigned (*intx_gsi)(void *ctx, unsigned slot, unsigned pin),
			      void *intx_ctx, bool generic_bridge, struct err *e);
/* What the bus's INTx pins reach now, for the MP table: one entry per (slot,
 * pin) some function of the slot uses and the host routes to a GSI (its
 * intx_gsi), in slot order. out has room for MPTABLE_MAX_PCI_IRQS; returns
 * the count. */
unsigned pc_pci_intx_routes(struct pci_bus *bus, struct mptable_pci_irq *out);

#endif
