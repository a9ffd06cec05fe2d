/* mptable.h: Intel MultiProcessor Specification 1.4 tables describing the
 * CPUs, the ISA bus, the IOAPIC and the interrupt wiring, for guests (Linux
 * without ACPI, purpose-built guests) that find their CPUs this way. */
#ifndef VMM_BOOT_MPTABLE_H
#define VMM_BOOT_MPTABLE_H

#include <stddef.h>

#include "core/error.h"
#include "core/memory.h"

/* xAPIC ids are 8 bits, 0xFF is broadcast, and the IOAPIC takes the id after
 * the last CPU: 254 CPUs at most. */
#define MPTABLE_MAX_CPUS 254

/* Bytes of the configuration table (header and entries) for ncpus. */
size_t mptable_config_size(unsigned ncpus);

/* Floating pointer at LAYOUT_EBDA_START, configuration table at
 * LAYOUT_MPTABLE_START. ncpus outside 1..MPTABLE_MAX_CPUS is ERR_INPUT. */
int mptable_write(struct guest_mem *m, unsigned ncpus, struct err *e);

#endif
