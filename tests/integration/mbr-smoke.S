/* mbr-smoke.S: a boot sector that proves firmware boot works end to end.
 *
 * SeaBIOS loads it at 0:7C00 with DL = the boot drive. It prints one line
 * through INT 10h (SeaBIOS's serial console turns that into COM1 output), one
 * line straight to COM1, reads sector 1 with INT 13h AH=42h (SeaBIOS's ATA
 * driver, so the IDE disk) and prints what it holds, then ends the VM through
 * the exit port with status 33 (1 when the read fails). When sector 1 starts
 * with '!', it powers off through ACPI instead (status 0): SLP_EN with S5 in
 * PM1a_CNT of the PIIX4 PM block where SeaBIOS put it. Kept short: real-mode
 * code is emulated on PVM hosts.
 *
 * SeaBIOS's serial console is lazy: it holds back the last character and
 * cursor moves until the next INT 10h call (src/sercon.c sercon_lazy_flush).
 * So the INT 10h line ends with one more '\r' that pushes the line out, and
 * everything after it goes to COM1 directly. */
#define COM1_THR   0x3F8
#define COM1_LSR   0x3FD
#define LSR_THRE   0x20
#define EXIT_PORT  0xF4
#define STATUS_OK  33
#define STATUS_BAD 1
#define SECTOR1    0x7E00
#define PM1A_CNT   0xB004 /* SeaBIOS's PM base 0xB000 (src/hw/ports.h) + PM1a_CNT */
#define SLP_EN_S5  0x2000 /* SLP_EN, SLP_TYP 0: S5 in SeaBIOS's DSDT */

	.code16
	.text
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
1:	sti
	mov %dl, drive
	mov $msg_int10, %si
	call puts_int10
	mov $msg_com1, %si
	call puts_com1
	mov $dap, %si			/* INT 13h extensions: read LBA 1 to 0:7E00 */
	mov $0x42, %ah
	mov drive, %dl
	int $0x13
	jc fail
	mov $msg_sector, %si
	call puts_com1
	mov $SECTOR1, %si
	call puts_com1
	cmpb $'!', SECTOR1
	jne 5f
	mov $PM1A_CNT, %dx
	mov $SLP_EN_S5, %ax
	out %ax, %dx
5:	mov $STATUS_OK, %al
	out %al, $EXIT_PORT
halt:	hlt
	jmp halt
fail:	mov $msg_fail, %si
	call puts_com1
	mov $STATUS_BAD, %al
	out %al, $EXIT_PORT
	jmp halt

/* ds:si: a NUL-terminated string through INT 10h teletype output. */
puts_int10:
	lodsb
	test %al, %al
	jz 2f
	mov $0x0E, %ah
	mov $0x0007, %bx
	int $0x10
	jmp puts_int10
2:	ret

/* ds:si: a NUL-terminated string straight to the 16550 at COM1. */
puts_com1:
	lodsb
	test %al, %al
	jz 4f
	mov %al, %cl
	mov $COM1_LSR, %dx
3:	in %dx, %al
	test $LSR_THRE, %al
	jz 3b
	mov $COM1_THR, %dx
	mov %cl, %al
	out %al, %dx
	jmp puts_com1
4:	ret

	.balign 4
dap:	.byte 16, 0			/* size, reserved */
	.word 1				/* sectors */
	.word SECTOR1, 0		/* buffer offset, segment */
	.quad 1				/* LBA */
drive:	.byte 0
msg_int10:  .asciz "mbr-smoke: hello through int 10h\r\n\r"
msg_com1:   .asciz "mbr-smoke: hello through COM1\r\n"
msg_sector: .asciz "mbr-smoke: sector 1 says: "
msg_fail:   .asciz "mbr-smoke: INT 13h read failed\r\n"

	.org 510
	.word 0xAA55
