/* trampoline.S: AP startup code, copied below 1 MiB; real mode straight to long mode, no 32-bit stop. */
#include "lib/defs.h"

/* The SIPI starts the AP at CS = page >> 4, IP = 0 in real mode. Everything
 * here is CS-relative so it runs wherever ap.c copies it. ap.c fills the
 * parameter slots before the first SIPI. Setting CR0.PE and CR0.PG together
 * with EFER.LME and CR4.PAE already set activates long mode directly; the far
 * jump then loads a 64-bit code segment (SDM vol. 3A 10.8.5). */
	.section .text
	.code16
	.globl ap_tramp_start, ap_tramp_end, tramp_gdtr, tramp_cr3, tramp_efer
ap_tramp_start:
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	lgdtl (tramp_gdtr - ap_tramp_start)
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	movl (tramp_cr3 - ap_tramp_start), %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	movl (tramp_efer - ap_tramp_start), %eax
	xor %edx, %edx
	wrmsr
	mov %cr0, %eax
	and $~CR0_CD_NW, %eax		/* reset leaves caches disabled */
	or $(CR0_PG | CR0_PE), %eax
	mov %eax, %cr0
	ljmpl $SEL_KCODE, $ap_entry64

	.balign 8
tramp_gdtr:	.word 0
		.long 0
tramp_cr3:	.long 0
tramp_efer:	.long 0
ap_tramp_end:

/* Long mode on the BSP's page tables. Take the next stack slot atomically
 * (several APs may arrive at once) and go to C. */
	.code64
ap_entry64:
	mov $SEL_KDATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	mov %eax, %fs
	mov %eax, %gs
	mov $1, %eax
	lock xaddl %eax, ap_stack_next(%rip)
	cmp $MAX_CPUS, %eax
	jae 1f
	inc %eax
	shl $AP_STACK_SHIFT, %rax
	lea ap_stacks(%rip), %rsp
	add %rax, %rsp
	call ap_c_entry
1:	cli
	hlt
	jmp 1b

	.data
	.balign 4
ap_stack_next:	.long 0
