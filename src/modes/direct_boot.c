/* direct_boot.c: the ELF/bzImage boot path both recipes can use. */
#include "boot/boot.h"
#include "boot/hcnote.h"
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
	/* Only the para machine serves hypercalls (vmm/hypercall.h): a guest
	 * built for them cannot run anywhere else. */
	bool hc_guest = false;
	uint32_t abi = 0;
	if (cfg->mode != VMM_MODE_PARA && cfg->kernel &&
	    hcnote_read(cfg->kernel, vm->mem.ram_size, &hc_guest, &abi, e))
		return -1;
	if (hc_guest)
		return err_set(e, ERR_INPUT,
			       "kernel %s: a hypercall guest (ABI version %u), and full mode offers no hypercalls: use --mode=para",
			       cfg->kernel, abi);
	if (boot_load_kernel(&vm->mem, &req, &entry, e))
		return -1;
	return vcpu_set_boot_entry(&vm->vcpus[0], &entry, e);
}
