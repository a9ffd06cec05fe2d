/* boot.h: direct kernel boot (ELF64 vmlinux / purpose-built guests, bzImage).
 *
 * The contract (Firecracker's 64-bit vmlinux protocol, Linux boot.rst):
 * PT_LOAD segments (or the bzImage protected-mode kernel) at their physical
 * addresses >= 1 MiB, entry in 64-bit long mode with identity-mapped page
 * tables, a flat GDT, a stack, IF=0, RSI -> boot_params zero page carrying the
 * e820 map, the command line and the initrd (placed high). An MP table
 * describes the CPUs and the IOAPIC.
 */
#ifndef VMM_BOOT_BOOT_H
#define VMM_BOOT_BOOT_H

#include <stdint.h>

#include "core/error.h"
#include "core/memory.h"

struct kvm_regs;
struct kvm_sregs;

struct boot_request {
	const char *kernel_path; /* ELF64 or bzImage, required */
	const char *initrd_path; /* optional */
	const char *cmdline;     /* optional, "" when NULL */
	unsigned ncpus;          /* for the MP table, >= 1 */
};

struct boot_entry {
	uint64_t rip; /* 64-bit entry point */
	uint64_t rsp; /* initial stack pointer */
	uint64_t rsi; /* guest-physical address of boot_params */
};

/* Load the kernel (and initrd), write boot_params, command line, page tables,
 * GDT and MP table into guest memory. Errors (ERR_INPUT) name the file and what
 * is wrong with it. */
int boot_load_kernel(struct guest_mem *m, const struct boot_request *req,
		     struct boot_entry *out, struct err *e);

/* Registers for the boot CPU at entry: long mode, paging on, flat 64-bit CS,
 * data segments, IF=0, RIP/RSP/RSI from the entry. Other fields untouched. */
void boot_longmode_regs(const struct boot_entry *entry, struct kvm_regs *regs,
			struct kvm_sregs *sregs);

#endif
