/* pmem_fixed.c: pmem_init for lib/pmem.c's allocator over a fixed RAM range
 * (CONF_PMEM_BASE..END): no e820 map after a firmware boot. */
#include "os.h"
#include "lib/pmem.h"

uint64_t pmem_init(void)
{
	return pmem_init_range(CONF_PMEM_BASE, CONF_PMEM_END);
}
