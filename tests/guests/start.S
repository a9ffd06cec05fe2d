/* start.S: entry points (vmm's 64-bit ELF entry, QEMU's 32-bit PVH entry), GDT, stacks, exception stubs. */
#include "lib/defs.h"
#include "exc_stubs.inc"

/* Xen PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY = 18): lets QEMU's -kernel boot
 * this same ELF for side-by-side runs. vmm ignores it and uses e_entry. A
 * 64-bit ELF carries the entry as 8 bytes, as Linux does. */
	.section .note.pvh, "a", @note
	.balign 4
	.long 4, 8, 18
	.asciz "Xen"
	.balign 4
	.quad pvh_start32

	.section .text.entry, "ax"

/* vmm: 64-bit mode, paging on (vmm's identity map), RSI = boot_params. */
	.code64
	.globl _start
_start:
	mov %rsi, %rdi
	mov $BOOT_PROTO_ZEROPAGE, %esi
	jmp common64

/* QEMU PVH: 32-bit flat protected mode, paging off, EBX = hvm_start_info, no
 * stack. Build our user-capable identity map (4 GiB of 2 MiB pages) and enter
 * long mode the ordinary way. Only QEMU runs this, never a PVM host. */
	.code32
pvh_start32:
	cld
	mov $boot_stack_top, %esp
	/* PML4 and PDPT are adjacent pages: clear both. */
	mov $pt_pml4, %edi
	xor %eax, %eax
	mov $(2 * 4096 / 4), %ecx
	rep stosl
	movl $(pt_pdpt + (PTE_P | PTE_W | PTE_U)), pt_pml4
	mov $pt_pdpt, %edi
	mov $(pt_pd + (PTE_P | PTE_W | PTE_U)), %eax
	mov $4, %ecx
1:	mov %eax, (%edi)
	add $4096, %eax
	add $8, %edi
	loop 1b
	mov $pt_pd, %edi
	mov $(PTE_P | PTE_W | PTE_U | PTE_PS), %eax
	mov $2048, %ecx
2:	mov %eax, (%edi)
	movl $0, 4(%edi)
	add $0x200000, %eax
	add $8, %edi
	loop 2b
	movb $1, paging_own

	lgdt gdtr
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $pt_pml4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $(CR0_PG | CR0_PE), %eax
	mov %eax, %cr0
	ljmp $SEL_KCODE, $pvh64
	.code64
pvh64:
	mov %ebx, %edi
	mov $BOOT_PROTO_PVH, %esi
	/* fall through */

/* Both paths: RDI = boot structure, ESI = protocol. Load our GDT (vmm's
 * selectors are not part of the contract), our stack, zero .bss, go to C. */
common64:
	lgdt gdtr(%rip)
	mov $SEL_KDATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	lea boot_stack_top(%rip), %rsp
	/* Reload CS with a far return (64-bit far jumps need a memory operand). */
	pushq $SEL_KCODE
	lea 3f(%rip), %rax
	push %rax
	lretq
3:	mov %rdi, %r12
	mov %esi, %r13d
	/* .bss holds only small variables; stacks and page tables live in
	 * .noinit so this stays short (each CPL0 iteration is emulated on PVM). */
	lea __bss_start(%rip), %rdi
	lea __bss_end(%rip), %rcx
	sub %rdi, %rcx
	shr $3, %rcx
	xor %eax, %eax
	rep stosq
	mov %r12, %rdi
	mov %r13d, %esi
	call guest_c_start
4:	cli
	hlt
	jmp 4b

/* CPL3 landing point for user_run: RDI = argument, RAX = function. The
 * function's return value leaves through the exit port directly (IOPL=3). */
	.globl user_thunk
user_thunk:
	call *%rax
	outl %eax, $PORT_EXIT
	ud2

/* Exception stubs (freestanding/exc_stubs.inc): push a dummy error code where
 * the CPU pushes none, then the vector, and hand the frame to
 * exception_handler (never returns). */
	EXC_STUBS exc_, exc_common

exc_common:
	cld
	mov %rsp, %rdi
	and $-16, %rsp
	call exception_handler
5:	cli
	hlt
	jmp 5b

	.section .rodata
	.balign 8
	.globl exc_stub_table
exc_stub_table:
	EXC_STUB_TABLE exc_

/* GDT: written at run time (the TSS descriptor, and ltr sets its busy bit). */
	.data
	.balign 16
	.globl gdt, gdtr, paging_own
gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08 kernel code: 64-bit, DPL 0 */
	.quad 0x00cf92000000ffff	/* 0x10 kernel data */
	.quad 0x00affa000000ffff	/* 0x18 user code: 64-bit, DPL 3 */
	.quad 0x00cff2000000ffff	/* 0x20 user data, DPL 3 */
	.quad 0, 0			/* 0x28 64-bit TSS, filled by cpu.c */
gdt_end:
gdtr:
	.word gdt_end - gdt - 1
	.quad gdt
/* 1 once CR3 points at our own user-capable page tables (cpu.c). In .data,
 * not .bss: the PVH path sets it before .bss is cleared. */
paging_own:
	.byte 0

/* Never zeroed (NOBITS, see guest.ld): stacks and page tables are written
 * before being read. */
	.section .noinit, "aw", @nobits
	.balign 4096
	.globl pt_pml4, pt_pdpt, pt_pd, exc_stack_top, user_stack_top, ap_stacks
pt_pml4:	.skip 4096
pt_pdpt:	.skip 4096
pt_pd:		.skip 4 * 4096
	.skip BOOT_STACK_SIZE
boot_stack_top:
	.skip EXC_STACK_SIZE
exc_stack_top:
	.skip USER_STACK_SIZE
user_stack_top:
ap_stacks:	.skip MAX_CPUS << AP_STACK_SHIFT
