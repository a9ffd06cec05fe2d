/* mode.h: a machine recipe: which devices, which CPUID, which boot path. */
#ifndef VMM_MODES_MODE_H
#define VMM_MODES_MODE_H

#include "core/error.h"
#include "vmm/vmm.h"

struct vm;

struct mode_recipe {
	const char *name;
	/* Before vCPUs exist: CPUID policy and devices. */
	int (*build)(struct vm *vm, const struct vmm_config *cfg, struct err *e);
	/* After vCPUs exist: load what boots and set the boot CPU's registers. */
	int (*boot)(struct vm *vm, const struct vmm_config *cfg, struct err *e);
};

extern const struct mode_recipe para_recipe;
extern const struct mode_recipe full_recipe;

/* Shared steps the recipes compose. */
int pc_legacy_attach(struct vm *vm, const struct vmm_config *cfg, struct err *e);
int direct_boot(struct vm *vm, const struct vmm_config *cfg, struct err *e);

#endif
