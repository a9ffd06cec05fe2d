/* pic.S: stubs for the 16 legacy IRQ vectors (0x20-0x2F): count the IRQ, EOI the PIC(s), iretq. */

	.text
	.macro PIC_STUB n
	.balign 16
pic_irq_\n:
	push %rax
	mov $\n, %eax
	jmp pic_common
	.endm

	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	PIC_STUB \n
	.endr

/* RAX = IRQ number. Non-specific EOI (8259A OCW2 0x20) to the slave for
 * IRQs 8-15, then to the master. Only RAX is touched. */
pic_common:
	lock incl pic_irq_counts(,%rax,4)
	cmp $8, %eax
	mov $0x20, %al
	jb 1f
	out %al, $0xA0
1:	out %al, $0x20
	pop %rax
	iretq

	.section .rodata
	.balign 8
	.globl pic_stub_table
pic_stub_table:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	.quad pic_irq_\n
	.endr

	.bss
	.balign 4
	.globl pic_irq_counts
pic_irq_counts:
	.skip 16 * 4
