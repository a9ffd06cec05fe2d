/* full.c: the full machine: a PC whose CPUID shows no hypervisor, booted
 * through SeaBIOS from a disk, or directly with --kernel. */
#include <stdlib.h>

#include "core/vm.h"
#include "devices/reset_ports.h"
#include "modes/full/full.h"
#include "modes/mode.h"

static void full_free(void *opaque)
{
	free(opaque);
}

static int full_attach_reset_ports(struct vm *vm, struct err *e)
{
	struct reset_ports *r = calloc(1, sizeof(*r));
	if (!r)
		return err_set(e, ERR_HOST, "out of memory");
	if (vm_on_teardown(vm, full_free, r, e)) {
		free(r);
		return -1;
	}
	reset_ports_init(r, vm_stop_reboot, vm);
	if (vm_add_pio(vm, PORT92_ADDR, 1, &port92_ops, r, "port 0x92", e))
		return -1;
	return vm_add_pio(vm, RCR_ADDR, 1, &rcr_ops, r, "reset control", e);
}

static int full_build(struct vm *vm, const struct vmm_config *cfg, struct err *e)
{
	vm->cpuid_policy = (struct cpuid_policy){
		.show_hypervisor = false,
		.hide_cx16 = vm->kvm.host_pvm,
	};
	if (pc_legacy_attach(vm, cfg, e) || pc_cmos_attach(vm, cfg, e) ||
	    full_attach_reset_ports(vm, e) || piix_ide_attach(vm, cfg, e))
		return -1;
	if (!cfg->kernel && firmware_boot_attach(vm, cfg, e))
		return -1;
	return 0;
}

static int full_boot(struct vm *vm, const struct vmm_config *cfg, struct err *e)
{
	if (cfg->kernel)
		return direct_boot(vm, cfg, e);
	return 0; /* SeaBIOS: the boot CPU starts at the reset vector */
}

const struct mode_recipe full_recipe = {
	.name = "full",
	.build = full_build,
	.boot = full_boot,
};
