/* mbr.S: the boot sector: load the rest of the disk with INT 13h extensions, enter long mode, start the test OS.
 *
 * SeaBIOS loads this sector at 0:7C00 and jumps to it with DL = the boot
 * drive. Real-mode code is emulated on PVM hosts (~1 us per instruction), so
 * this stays short. Long mode is entered straight from real mode (CR0.PE and
 * CR0.PG together with EFER.LME and CR4.PAE set, then a far jump to a 64-bit
 * code segment, SDM vol. 3A 10.8.5): no 32-bit stop, and no 32-bit iret,
 * which PVM hosts cannot emulate. The host tool patches the fields at
 * CONF_MBR_ENTRY_OFF.. and writes the partition table. */
#include "layout.h"
#include "../guests/lib/defs.h"

#define PORT_COM1_THR 0x3F8

	.code16
	.section .text
	.globl _start
_start:
	cli
	cld
	xor %ax, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $0x7C00, %sp
	ljmp $0, $1f			/* some BIOSes enter at 07C0:0000 */
1:	mov %dl, drive
	mov $msg_start, %si
	call puts

	/* INT 13h AH=41h: extensions present when CF = 0, BX = AA55h and
	 * CX bit 0 (packet access, AH=42h) is set (EDD 3.0 7.1). */
	mov $CONF_EXIT_MBR_NO_EXT, %bl
	push %bx
	mov $0x41, %ah
	mov $0x55AA, %bx
	mov drive, %dl
	int $0x13
	jc fail_pop
	cmp $0xAA55, %bx
	jne fail_pop
	test $1, %cl
	jz fail_pop
	pop %bx

	/* Read CONF_READ_CHUNK sectors at a time into CONF_LOAD_SEG:0 onwards. */
	mov load_count, %ax
	mov %ax, remaining
read_loop:
	mov remaining, %ax
	test %ax, %ax
	jz loaded
	cmp $CONF_READ_CHUNK, %ax
	jbe 2f
	mov $CONF_READ_CHUNK, %ax
2:	mov %ax, dap_count		/* the BIOS may rewrite dap_count */
	mov %ax, chunk
	mov $dap, %si
	mov drive, %dl
	mov $0x42, %ah
	int $0x13
	mov $CONF_EXIT_MBR_READ, %bl
	jc fail
	mov chunk, %ax
	sub %ax, remaining
	add %ax, dap_lba		/* fewer than 64 Ki sectors: no carry */
	shl $5, %ax			/* sectors -> 16-byte paragraphs */
	add %ax, dap_seg
	jmp read_loop

loaded:
	/* A20 through the PS/2 system control port A (port 0x92 bit 1); bit 0
	 * would reset the machine. */
	in $0x92, %al
	or $2, %al
	and $0xFE, %al
	out %al, $0x92

	/* Identity map 0-4 GiB: PML4[0] -> PDPT, PDPT[0..3] -> 4 PDs of
	 * 2 MiB pages (present, writable, PS). */
	mov $CONF_PT_PML4, %di
	mov $((CONF_PT_END - CONF_PT_PML4) / 4), %cx
	xor %eax, %eax
	rep stosl
	movl $(CONF_PT_PDPT | PTE_P | PTE_W), CONF_PT_PML4
	mov $CONF_PT_PDPT, %di
	mov $(CONF_PT_PD | PTE_P | PTE_W), %eax
	mov $4, %cx
3:	mov %eax, (%di)
	add $0x1000, %eax
	add $8, %di
	loop 3b
	mov $CONF_PT_PD, %di
	mov $(PTE_P | PTE_W | PTE_PS), %eax
	mov $2048, %cx
4:	mov %eax, (%di)
	add $0x200000, %eax
	add $8, %di
	loop 4b

	lgdtl gdtr
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $CONF_PT_PML4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	and $~CR0_CD_NW, %eax
	or $(CR0_PG | CR0_PE), %eax
	mov %eax, %cr0
	ljmpl $SEL_KCODE, $long64

/* Print the NUL-terminated string at DS:SI on COM1 (the UART takes a byte
 * at a time without waiting; these are a few bytes). */
puts:
	mov $PORT_COM1_THR, %dx
5:	lodsb
	test %al, %al
	jz 6f
	out %al, %dx
	jmp 5b
6:	ret

fail_pop:
	pop %bx
fail:	/* BL = exit code */
	mov $msg_fail, %si
	call puts
	mov %bl, %al
	out %al, $PORT_EXIT
7:	hlt
	jmp 7b

	.code64
long64:
	mov $SEL_KDATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov $0x7C00, %esp
	/* Copy the OS (everything after the config sector) to its link address. */
	mov $CONF_OS_LOAD_PA, %esi
	movl os_dest(%rip), %edi
	movzwl load_count(%rip), %ecx
	dec %ecx
	shl $6, %ecx			/* sectors -> quadwords */
	rep movsq
	xor %esi, %esi			/* RSI = 0: no Linux boot_params */
	movl os_entry(%rip), %eax
	jmp *%rax

	.balign 8
gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* SEL_KCODE: 64-bit code, DPL 0 */
	.quad 0x00cf92000000ffff	/* SEL_KDATA */
gdtr:
	.word gdtr - gdt - 1
	.long gdt
dap:	.byte 16, 0			/* EDD disk address packet: size, reserved */
dap_count: .word 0
	.word 0				/* buffer offset */
dap_seg: .word CONF_LOAD_SEG
dap_lba: .quad CONF_CONFIG_LBA
drive:	.byte 0
chunk:	.word 0
remaining: .word 0
msg_start: .asciz "conformance: mbr\r\n"
msg_fail: .asciz "mbr FAILED\r\n"

	.org CONF_MBR_ENTRY_OFF
os_entry:	.long 0
	.org CONF_MBR_DEST_OFF
os_dest:	.long 0
	.org CONF_MBR_COUNT_OFF
load_count:	.word 0
	.org CONF_MBR_SIG_OFF
	.byte 0x55, 0xAA
