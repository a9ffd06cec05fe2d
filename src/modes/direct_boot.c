/* direct_boot.c: the ELF/bzImage boot path both recipes can use. */
#include "boot/boot.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "modes/mode.h"

int direct_boot(struct vm *vm, const struct vmm_config *cfg, struct err *e)
{
	struct boot_request req = {
		.kernel_path = cfg->kernel,
		.initrd_path = cfg->initrd,
		.cmdline = cfg->cmdline,
		.ncpus = vm->ncpus,
	};
	struct boot_entry entry;
	if (boot_load_kernel(&vm->mem, &req, &entry, e))
		return -1;
	return vcpu_set_boot_entry(&vm->vcpus[0], &entry, e);
}
