/* para.c: the para machine: KVM paravirt CPUID, direct kernel boot.
 * virtio devices and hypercalls join this recipe in their own issues. */
#include "core/vm.h"
#include "modes/mode.h"

static int para_build(struct vm *vm, const struct vmm_config *cfg, struct err *e)
{
	vm->cpuid_policy = (struct cpuid_policy){
		.show_hypervisor = true,
		.hide_cx16 = vm->kvm.host_pvm,
	};
	return pc_legacy_attach(vm, cfg, e);
}

static int para_boot(struct vm *vm, const struct vmm_config *cfg, struct err *e)
{
	if (!cfg->kernel)
		return err_set(e, ERR_INPUT, "para mode: booting a disk image through firmware is not built yet (give --kernel)");
	return direct_boot(vm, cfg, e);
}

const struct mode_recipe para_recipe = {
	.name = "para",
	.build = para_build,
	.boot = para_boot,
};
