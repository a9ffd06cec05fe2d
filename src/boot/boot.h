/* boot.h: direct kernel boot (ELF64 vmlinux / purpose-built guests, bzImage).
 *
 * The contract (Firecracker's 64-bit vmlinux protocol, Linux boot.rst):
 * PT_LOAD segments (or the bzImage protected-mode kernel) at their physical
 * addresses >= 1 MiB, entry in 64-bit long mode with identity-mapped page
 * tables, a flat GDT, a stack, IF=0, RSI -> boot_params zero page carrying the
 * e820 map, the command line and the initrd (placed high). An MP table
 * describes the CPUs, the IOAPIC and how ISA IRQs and PCI INTx pins reach it.
 */
#ifndef VMM_BOOT_BOOT_H
#define VMM_BOOT_BOOT_H

#include <stdint.h>

#include "core/error.h"
#include "core/memory.h"

struct mptable_pci;

struct kvm_regs;
struct kvm_sregs;

/* The boot GDT at LAYOUT_BOOT_GDT uses Linux's boot selectors, which the
 * 64-bit boot protocol requires (boot.rst: CS = __BOOT_CS 0x10, DS = ES = SS =
 * __BOOT_DS 0x18, both 4 GiB flat):
 *   0x00 null, 0x08 null (unused),
 *   0x10 64-bit code (L=1, execute/read), 0x18 data (read/write, 4 GiB flat),
 *   0x20 64-bit busy TSS, 16 bytes, base 0 limit 0x67: it only gives TR a valid
 *        descriptor as VMX entry demands; nothing switches stacks through it.
 * FS and GS get the data selector too. */
#define BOOT_SEL_CODE 0x10
#define BOOT_SEL_DATA 0x18
#define BOOT_SEL_TSS  0x20

struct boot_request {
	const char *kernel_path; /* ELF64 or bzImage, required */
	const char *initrd_path; /* optional */
	const char *cmdline;     /* optional, "" when NULL */
	unsigned ncpus;          /* for the MP table, >= 1 */
	/* The machine's PCI INTx wiring for the MP table (boot/mptable.h);
	 * NULL: no PCI interrupt entries. */
	const struct mptable_pci *pci;
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

/* Check the kernel and initrd files open as regular, non-empty files that fit
 * in ram_size, before any VM exists (same messages as boot_load_kernel). */
int boot_check_files(const struct boot_request *req, uint64_t ram_size, struct err *e);

/* Registers for the boot CPU at entry: long mode, paging on, flat 64-bit CS,
 * data segments, IF=0, RIP/RSP/RSI from the entry. Other fields untouched. */
void boot_longmode_regs(const struct boot_entry *entry, struct kvm_regs *regs,
			struct kvm_sregs *sregs);

#endif
