/* check.h: the range part of vmm_config_check, for writers that must not
 * refuse an incomplete configuration (`vmm config show` of a partial one). */
#ifndef VMM_CONFIG_CHECK_H
#define VMM_CONFIG_CHECK_H

#include "core/error.h"
#include "vmm/vmm.h"

/* Every key's value within its range (no conflicts, no files). */
int cfg_check_ranges(const struct vmm_config *cfg, struct err *e);

#endif
