/* pc_cmos.c: the CMOS RTC at 0x70/0x71 with the NVRAM a PC BIOS leaves behind. */
#include <stdlib.h>

#include "core/vm.h"
#include "devices/cmos.h"
#include "modes/mode.h"

static void pc_cmos_free(void *opaque)
{
	struct cmos *c = opaque;
	cmos_destroy(c);
	free(c);
}

int pc_cmos_attach(struct vm *vm, const struct vmm_config *cfg, struct err *e)
{
	struct cmos *c = calloc(1, sizeof(*c));
	if (!c)
		return err_set(e, ERR_HOST, "out of memory");
	int rc = cmos_init(c, NULL, NULL);
	if (rc) {
		free(c);
		return err_errno(e, ERR_HOST, -rc, "CMOS lock");
	}
	if (vm_on_teardown(vm, pc_cmos_free, c, e)) {
		pc_cmos_free(c);
		return -1;
	}
	uint64_t low = vm->mem.regions[0].size;
	struct cmos_pc_info info = {
		.ram_below_4g = low,
		.ram_above_4g = vm->mem.ram_size - low,
		.cpus = cfg->cpus,
	};
	cmos_fill_pc(c, &info);
	return vm_add_pio(vm, CMOS_PORT_BASE, CMOS_PORTS, &cmos_ops, c, "CMOS RTC", e);
}
