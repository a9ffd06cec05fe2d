/* para.c: the para machine: KVM paravirt CPUID, direct kernel boot.
 * virtio devices and hypercalls join this recipe in their own issues. */
#include <stdlib.h>

#include "core/vm.h"
#include "modes/mode.h"
#include "modes/para/hypercall.h"
#include "modes/para/para.h"
#include "modes/para/para_virtio.h"
#include "modes/para/pvpanic_attach.h"

/* The fixed INTx swizzle documented in para.h. */
static unsigned para_pci_intx_gsi(void *ctx, unsigned slot, unsigned pin)
{
	static const unsigned char pirq_gsi[4] = {
		PARA_PCI_IRQ_LOW, PARA_PCI_IRQ_LOW, PARA_PCI_IRQ_HIGH, PARA_PCI_IRQ_HIGH,
	};
	(void)ctx;
	return pirq_gsi[(pin - 1 + slot) & 3];
}

/* A hypercall guest (its ELF note, vmm/hypercall.h) on one vCPU takes no
 * interrupts: its VM gets no in-kernel irqchip. With more vCPUs it keeps
 * one: without a LAPIC, APs would run from reset instead of waiting for
 * INIT/SIPI. */
static int para_plan(struct vm *vm, const struct vmm_config *cfg, struct err *e)
{
	bool hc_guest = false;
	if (hypercall_probe(cfg, &hc_guest, e))
		return -1;
	vm->no_irqchip = hc_guest && cfg->cpus == 1;
	return 0;
}

static int para_build(struct vm *vm, const struct vmm_config *cfg, struct err *e)
{
	vm->cpuid_policy = (struct cpuid_policy){
		.show_hypervisor = true,
		.hide_cx16 = vm->kvm.host_pvm,
	};
	/* Kept for para_boot (the MP table's INTx entries need the bus). */
	struct para_machine *m = calloc(1, sizeof(*m));
	if (!m)
		return err_set(e, ERR_HOST, "out of memory");
	if (vm_on_teardown(vm, free, m, e)) {
		free(m);
		return -1;
	}
	m->vm = vm;
	vm->mode_state = m;
	/* A hypercall guest (ELF note, vmm/hypercall.h) has its console through
	 * hypercalls, with all the input; COM1 stays, as for hvc0 below. */
	struct vmm_config legacy = *cfg;
	bool hc_guest = false;
	if (hypercall_probe(cfg, &hc_guest, e))
		return -1;
	if (hc_guest) {
		legacy.console_in_fd = -1;
		if (cfg->console_output != VMM_CONSOLE_OUT_STDIO)
			legacy.console_output = VMM_CONSOLE_OUT_NONE;
	}
	/* hvc0 is the console and takes all input. COM1 stays, and its output
	 * still reaches stdout (early boot and panic messages); a console file
	 * or callback gets one writer only, hvc0. */
	if (cfg->console == VMM_CONSOLE_VIRTIO && !hc_guest) {
		legacy.console_in_fd = -1;
		if (cfg->console_output != VMM_CONSOLE_OUT_STDIO)
			legacy.console_output = VMM_CONSOLE_OUT_NONE;
	}
	if (pc_legacy_attach(vm, &legacy, e) || (hc_guest && hypercall_attach(vm, cfg, e)))
		return -1;
	m->pci = pc_pci_attach(vm, para_pci_intx_gsi, NULL, true, e);
	if (!m->pci)
		return -1;
	/* virtio devices join m->pci here. A hypercall guest has the disks
	 * through hypercalls and no interrupt controller: no virtio for it. */
	if (!hc_guest && para_virtio_attach(vm, m->pci, cfg, e))
		return -1;
	if (para_pvpanic_attach(vm, m->pci, e)) /* last: it takes the next free slot */
		return -1;
	/* The RTC: SeaBIOS reads the memory size from its NVRAM, and Linux's
	 * rtc_cmos probe of an empty 0x70/0x71 polls the floating bus ~40000
	 * times (measured: 40000 unclaimed exits per boot, 2-18 s on a PVM host)
	 * before giving up. A hypercall guest has its clock through hypercalls. */
	if (!hc_guest && pc_cmos_attach(vm, cfg, e))
		return -1;
	/* No kernel: SeaBIOS boots the first disk, a virtio-blk device it
	 * drives by polling (firmware-and-platform.md §1.10). */
	if (!cfg->kernel && firmware_boot_attach(vm, cfg, e))
		return -1;
	return 0;
}

static int para_boot(struct vm *vm, const struct vmm_config *cfg, struct err *e)
{
	if (!cfg->kernel)
		return 0; /* SeaBIOS: the boot CPU starts at the reset vector */
	const struct para_machine *m = vm->mode_state;
	return direct_boot(vm, cfg, m->pci, e);
}

const struct mode_recipe para_recipe = {
	.name = "para",
	.plan = para_plan,
	.build = para_build,
	.boot = para_boot,
};
