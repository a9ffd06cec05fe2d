/* start.S: the runtime's CPL0 part: the ABI note, the entry from vmm's ELF
 * boot (64-bit mode, RSI = boot_params), the GDT, TSS and page tables, and
 * the exception stubs.
 *
 * On PVM hosts every CPL0 instruction is emulated (~1 us each) while CPL3
 * runs natively, so the entry does the least it can before dropping to CPL3:
 * every table is built at link time (runtime.ld computes the TSS descriptor),
 * and the IDT's gates are filled in later, at CPL3 (rt.c). About 15
 * instructions run at CPL0. */
#include "exc_stubs.inc"
#include "rt_defs.h"
#include "vmm/hypercall.h"

/* We speak hypercall ABI VMM_HC_ABI_VERSION (vmm/hypercall.h). A test
 * build declares another (-DRT_ABI_VERSION=N) to see vmm refuse it. */
#ifndef RT_ABI_VERSION
#define RT_ABI_VERSION VMM_HC_ABI_VERSION
#endif
	.section .note.vmm, "a", @note
	.balign 4
	.long 4, 4, VMM_HC_NOTE_TYPE	/* namesz, descsz, type */
	.asciz VMM_HC_NOTE_NAME
	.balign 4
	.long RT_ABI_VERSION

	.section .text.entry, "ax"
	.code64
	.globl _start
_start:
	lgdt rt_gdtr(%rip)	/* same kernel selectors as vmm's: no reloads */
	lea rt_exc_stack_top(%rip), %rsp
	lea rt_pml4(%rip), %rax
	mov %rax, %cr3		/* our identity map: user pages */
	/* Every page is a user page, so SMEP/SMAP would fault our own CPL0
	 * code and data (vmm leaves both off; be sure). */
	mov %cr4, %rax
	and $~(RT_CR4_SMEP | RT_CR4_SMAP), %rax
	mov %rax, %cr4
	mov $RT_SEL_TSS, %ax
	ltr %ax
	lidt rt_idtr(%rip)
	/* iretq to rt_start(boot_params) at CPL3 on the user stack. */
	mov %rsi, %rdi
	pushq $(RT_SEL_UDATA | 3)
	lea rt_user_stack_top - 8(%rip), %rax	/* as if called: RSP+8 16-aligned */
	push %rax
	pushq $RT_USER_RFLAGS
	pushq $(RT_SEL_UCODE | 3)
	lea rt_start(%rip), %rax
	push %rax
	iretq

/* Exception stubs (freestanding/exc_stubs.inc): push a dummy error code where
 * the CPU pushes none, then the vector; rt_exception reports and ends the VM
 * (never returns). */
	.text
	EXC_STUBS rt_exc_, rt_exc_common

rt_exc_common:
	cld
	mov %rsp, %rdi
	and $-16, %rsp
	call rt_exception
1:	pause
	jmp 1b

	.section .rodata
	.balign 8
	.globl rt_exc_stubs
rt_exc_stubs:
	EXC_STUB_TABLE rt_exc_

	.data
	.balign 16
rt_gdt:
	.quad 0
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x10 kernel code: 64-bit, DPL 0 */
	.quad 0x00cf92000000ffff	/* 0x18 kernel data */
	.quad 0x00affa000000ffff	/* 0x20 user code: 64-bit, DPL 3 */
	.quad 0x00cff2000000ffff	/* 0x28 user data, DPL 3 */
	.quad rt_tss_desc_lo		/* 0x30 64-bit TSS (runtime.ld computes it) */
	.quad rt_tss_desc_hi
rt_gdt_end:
rt_gdtr:
	.word rt_gdt_end - rt_gdt - 1
	.quad rt_gdt
	.balign 8
	.globl rt_idt
rt_idtr:
	.word 32 * 16 - 1
	.quad rt_idt

/* 64-bit TSS (Intel SDM vol. 3A 8.7) with a whole I/O permission bitmap
 * (vol. 1 19.5.2). RSP0 is where exceptions from CPL3 land. The all-zero
 * bitmap allows every port at CPL3 even where IOPL 3 does not survive: a PVM
 * host runs user mode with the hardware IOPL at 0, and its instruction
 * emulator then falls back to this bitmap. The 0xff byte ends the map. */
	.balign 16
	.globl rt_tss, rt_tss_end
rt_tss:
	.long 0
	.quad rt_exc_stack_top		/* RSP0 */
	.quad 0, 0			/* RSP1, RSP2 */
	.quad 0
	.fill 7, 8, 0			/* IST1-7 */
	.quad 0
	.word 0
	.word rt_tss_iomap - rt_tss	/* I/O map base */
rt_tss_iomap:
	.fill 65536 / 8, 1, 0
	.byte 0xff
rt_tss_end:

/* Identity map of the first 4 GiB in 2 MiB pages, user-accessible at every
 * level (present, writable, user; PS in the PDEs). vmm's own map sets no U
 * bit, so CPL3 code cannot use it. Built here, not in a CPL0 loop. */
	.section .data.pt, "aw"
	.balign 4096
rt_pml4:
	.quad rt_pdpt + 0x7
	.fill 511, 8, 0
rt_pdpt:
	.quad rt_pd + 0x7, rt_pd + 0x1007, rt_pd + 0x2007, rt_pd + 0x3007
	.fill 508, 8, 0
rt_pd:
	.set rt_pa, 0
	.rept 4 * 512
	.quad rt_pa | 0x87
	.set rt_pa, rt_pa + 0x200000
	.endr

/* Stacks: memory only (runtime.ld's .noinit), zeroed by the ELF loader. */
	.section .noinit, "aw", @nobits
	.balign 4096
	.skip RT_EXC_STACK_SIZE
	.globl rt_exc_stack_top
rt_exc_stack_top:
	.skip RT_USER_STACK_SIZE
rt_user_stack_top:
