/* full.c: the full machine: a PC whose CPUID shows no hypervisor.
 * For now it boots a kernel directly; SeaBIOS firmware boot, PCI and IDE come
 * with the full-mode issue. */
#include "core/vm.h"
#include "modes/mode.h"

static int full_build(struct vm *vm, const struct vmm_config *cfg, struct err *e)
{
	vm->cpuid_policy = (struct cpuid_policy){
		.show_hypervisor = false,
		.hide_cx16 = vm->kvm.host_pvm,
	};
	return pc_legacy_attach(vm, cfg, e);
}

static int full_boot(struct vm *vm, const struct vmm_config *cfg, struct err *e)
{
	if (!cfg->kernel)
		return err_set(e, ERR_INPUT, "full mode: booting a disk image through firmware is not built yet (give --kernel)");
	return direct_boot(vm, cfg, e);
}

const struct mode_recipe full_recipe = {
	.name = "full",
	.build = full_build,
	.boot = full_boot,
};
