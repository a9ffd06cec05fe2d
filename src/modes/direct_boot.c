/* direct_boot.c: the ELF/bzImage boot path both recipes can use. */
#include <linux/kvm.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "boot/boot.h"
#include "boot/hcnote.h"
#include "boot/hostcompat.h"
#include "boot/mptable.h"
#include "core/layout.h"
#include "core/vcpu.h"
#include "core/vm.h"
#include "modes/mode.h"

/* --host-compat: the user's command line plus what a PVM host needs (see
 * hostcompat.h); elsewhere the user's line as it is. Full mode has no kvmclock,
 * so the guest is told the TSC rate KVM gives it. */
static int direct_boot_cmdline(struct vm *vm, const struct vmm_config *cfg, char **out,
			       struct err *e)
{
	*out = NULL;
	if (!cfg->host_compat || !vm->kvm.host_pvm)
		return 0;
	struct hostcompat_params p = { 0 };
	if (cfg->mode == VMM_MODE_FULL) {
		int khz = ioctl(vm->vcpus[0].fd, KVM_GET_TSC_KHZ);
		if (khz > 0)
			p.tsc_khz = (unsigned)khz;
	}
	*out = malloc(LAYOUT_CMDLINE_MAX);
	if (!*out)
		return err_set(e, ERR_HOST, "out of memory");
	return hostcompat_cmdline(cfg->cmdline, &p, *out, LAYOUT_CMDLINE_MAX,
				  LAYOUT_CMDLINE_MAX - 1, e);
}

static int direct_boot_load(struct vm *vm, const struct vmm_config *cfg, const char *cmdline,
			    struct pci_bus *pci, struct err *e)
{
	/* The MP table lists the INTx pins as the bus routes them at entry: the
	 * guest has no firmware to change the routing before it reads them. */
	struct mptable_pci_irq routes[MPTABLE_MAX_PCI_IRQS];
	struct mptable_pci intx = { routes, pci ? pc_pci_intx_routes(pci, routes) : 0 };
	struct boot_request req = {
		.kernel_path = cfg->kernel,
		.initrd_path = cfg->initrd,
		.cmdline = cmdline,
		.ncpus = vm->ncpus,
		.pci = &intx,
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

int direct_boot(struct vm *vm, const struct vmm_config *cfg, struct pci_bus *pci, struct err *e)
{
	char *compat_cmdline;
	if (direct_boot_cmdline(vm, cfg, &compat_cmdline, e)) {
		free(compat_cmdline);
		return -1;
	}
	int rc = direct_boot_load(vm, cfg, compat_cmdline ? compat_cmdline : cfg->cmdline, pci, e);
	free(compat_cmdline);
	return rc;
}
