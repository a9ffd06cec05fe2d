/* full.c: the full machine: a PC that an unmodified guest cannot tell from
 * hardware (as far as CPUID and the chipset go): an i440FX host bridge, a
 * PIIX3 (ISA bridge with PIRQ router, IDE) and PIIX4 power management on PCI,
 * CMOS, the legacy PC devices, and SeaBIOS booting the first disk; or, with
 * --kernel, a direct kernel boot on the same machine.
 *
 * Memory below 0xC0000 is plain RAM, the legacy VGA window 0xA0000-0xBFFFF
 * included: there is no VGA device, SeaBIOS's e820 leaves the window out so no
 * guest allocates it, and an unmapped hole would only turn stray accesses into
 * MMIO exits. The BIOS area 0xC0000-0xFFFFF is what the i440FX PAM registers
 * make it (pam_window.h): at power-on the ROM's alias at 0xE0000 and a
 * floating bus below; SeaBIOS turns it into RAM, copies itself there and
 * write-protects it (src/fw/shadow.c). With --kernel there is no ROM and the
 * area starts as read-write RAM, as a BIOS would leave it. */
#include <stdlib.h>

#include "core/vm.h"
#include "devices/pci.h"
#include "devices/reset_ports.h"
#include "modes/full/full.h"
#include "modes/full/i440fx.h"
#include "modes/full/pam_window.h"
#include "modes/full/piix3.h"
#include "modes/full/piix4_pm.h"
#include "modes/mode.h"

/* The chipset parts with no home of their own. */
struct full_machine {
	struct reset_ports reset;
	struct i440fx host;
	struct piix3 isa;
	struct piix4_pm pm;
	bool pm_ready;
	struct pam_window pam;
	struct pci_bus *bus; /* for the MP table of a direct boot */
};

static void full_free(void *opaque)
{
	struct full_machine *m = opaque;
	if (m->pm_ready)
		piix4_pm_destroy(&m->pm);
	pam_window_destroy(&m->pam);
	free(m);
}

static void full_poweroff(void *vm)
{
	vm_request_stop(vm, VMM_EXIT_POWEROFF, 0, "guest powered off (ACPI S5)");
}

static int full_attach_pm(struct vm *vm, struct full_machine *m, struct pci_bus *bus, struct err *e)
{
	int rc = piix4_pm_init(&m->pm, &vm->pio, full_poweroff, vm);
	if (rc)
		return err_errno(e, ERR_HOST, -rc, "PIIX4 PM lock");
	m->pm_ready = true;
	if (pci_bus_add_fn(bus, &m->pm.pci, PIIX_SLOT, PIIX_FN_PM, e) ||
	    vm_add_pio(vm, ACPI_SMI_CMD, ACPI_APM_PORTS, &piix4_apm_ops, &m->pm, "APM/SMI_CMD", e))
		return -1;
	return vm_add_pio(vm, ACPI_GPE0_BLK, ACPI_GPE0_LEN, &piix4_gpe_ops, &m->pm, "ACPI GPE0", e);
}

/* PCI bus 0: 00:00.0 i440FX, 00:01.0 PIIX3 ISA (its PIRQs route INTx),
 * 00:01.1 IDE, 00:01.3 PM; 0xCF9 is the PIIX3's reset control register. */
static int full_attach_chipset(struct vm *vm, struct full_machine *m, const struct vmm_config *cfg,
			       struct err *e)
{
	piix3_init(&m->isa);
	i440fx_init(&m->host, cfg->kernel ? PAM_RE | PAM_WE : 0);
	struct pci_bus *bus = pc_pci_attach(vm, piix3_intx_gsi, &m->isa, false, e);
	if (!bus)
		return -1;
	m->bus = bus;
	bus->host.rcr_ops = &rcr_ops;
	bus->host.rcr_opaque = &m->reset;
	if (pci_bus_add(bus, &m->host.pci, I440FX_SLOT, e) ||
	    pci_bus_add_fn(bus, &m->isa.pci, PIIX_SLOT, PIIX_FN_ISA, e) ||
	    piix_ide_attach(vm, cfg, bus, e))
		return -1;
	return full_attach_pm(vm, m, bus, e);
}

static void full_pam_changed(void *ctx, const uint8_t regs[PAM_REGS])
{
	pam_window_set(ctx, regs);
}

/* The BIOS area as PAM0-PAM6 say, from now on (rom: the firmware, or NULL). */
static int full_attach_pam(struct vm *vm, struct full_machine *m, const uint8_t *rom, size_t rom_len,
			   struct err *e)
{
	if (pam_window_init(&m->pam, vm, rom, rom_len, &m->host.pci.cfg[I440FX_PAM0], e))
		return -1;
	m->host.pam_ctx = &m->pam;
	m->host.pam_changed = full_pam_changed;
	return vm_add_mmio(vm, PAM_AREA_BASE, PAM_AREA_SIZE, &pam_window_ops, &m->pam, "BIOS area (PAM)", e);
}

/* The BIOS area stays out of the RAM slots: pam_window maps it. */
static int full_plan(struct vm *vm, const struct vmm_config *cfg, struct err *e)
{
	(void)cfg;
	(void)e;
	vm->ram_hole_gpa = PAM_AREA_BASE;
	vm->ram_hole_len = PAM_AREA_SIZE;
	return 0;
}

static int full_build(struct vm *vm, const struct vmm_config *cfg, struct err *e)
{
	vm->cpuid_policy = (struct cpuid_policy){
		.show_hypervisor = false,
		.hide_cx16 = vm->kvm.host_pvm,
	};
	struct full_machine *m = calloc(1, sizeof(*m));
	if (!m)
		return err_set(e, ERR_HOST, "out of memory");
	if (vm_on_teardown(vm, full_free, m, e)) {
		free(m);
		return -1;
	}
	vm->mode_state = m;
	reset_ports_init(&m->reset, vm_stop_reboot, vm);
	if (pc_legacy_attach(vm, cfg, e) || pc_cmos_attach(vm, cfg, e) ||
	    vm_add_pio(vm, PORT92_ADDR, 1, &port92_ops, &m->reset, "port 0x92", e) ||
	    full_attach_chipset(vm, m, cfg, e))
		return -1;
	const uint8_t *rom = NULL;
	size_t rom_len = 0;
	if (!cfg->kernel && firmware_boot_attach_rom(vm, cfg, &rom, &rom_len, e))
		return -1;
	return full_attach_pam(vm, m, rom, rom_len, e);
}

static int full_boot(struct vm *vm, const struct vmm_config *cfg, struct err *e)
{
	const struct full_machine *m = vm->mode_state;
	if (cfg->kernel)
		return direct_boot(vm, cfg, m->bus, e);
	return 0; /* SeaBIOS: the boot CPU starts at the reset vector */
}

const struct mode_recipe full_recipe = {
	.name = "full",
	.plan = full_plan,
	.build = full_build,
	.boot = full_boot,
};
