/* rt_defs.h: constants the runtime's C and assembly share (no C declarations). */
#ifndef RT_DEFS_H
#define RT_DEFS_H

/* Our GDT (start.S). Kernel code and data sit at the selectors vmm's boot
 * GDT uses (src/boot/boot.h: 0x10, 0x18; Linux boot.rst __BOOT_CS/__BOOT_DS),
 * so the segment registers vmm loaded stay valid across our lgdt and need no
 * reload (each reload is an emulated CPL0 instruction on PVM hosts). */
#define RT_SEL_KCODE 0x10
#define RT_SEL_KDATA 0x18
#define RT_SEL_UCODE 0x20
#define RT_SEL_UDATA 0x28
#define RT_SEL_TSS   0x30

/* RFLAGS for the application: bit 1 (always 1), IOPL 3 so `out` works at
 * CPL3 (plus the TSS I/O bitmap for PVM hosts, see start.S), IF 0. */
#define RT_USER_RFLAGS 0x3002

#define RT_CR4_SMEP 0x00100000
#define RT_CR4_SMAP 0x00200000

#define RT_USER_STACK_SIZE (64 * 1024)
#define RT_EXC_STACK_SIZE  (16 * 1024)

/* Status the VM exits with when the application takes a CPU exception. */
#define RT_EXIT_EXCEPTION 3

#endif
