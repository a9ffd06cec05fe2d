/* defs.h: constants shared by the guests' C and assembly (no C declarations here). */
#ifndef GUEST_DEFS_H
#define GUEST_DEFS_H

/* Our own GDT (start.S). The order matches the descriptors there. */
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UCODE 0x18
#define SEL_UDATA 0x20
#define SEL_TSS   0x28

/* Control registers and MSRs (Intel SDM vol. 3A 2.5, 4.1.1). */
#define CR0_PE    0x00000001
#define CR0_PG    0x80000000
#define CR0_CD_NW 0x60000000
#define CR4_PAE   0x00000020
#define CR4_SMEP  0x00100000
#define CR4_SMAP  0x00200000
#define MSR_EFER  0xC0000080
#define EFER_LME  0x00000100
#define EFER_LMA  0x00000400
#define MSR_APIC_BASE 0x1B
#define APIC_BASE_ENABLE 0x800

/* Page-table entry bits: present, writable, user, 2 MiB page. */
#define PTE_P  0x001
#define PTE_W  0x002
#define PTE_U  0x004
#define PTE_PS 0x080

/* How we were booted (second argument to guest_c_start). */
#define BOOT_PROTO_ZEROPAGE 0 /* vmm direct ELF boot: RSI = Linux boot_params */
#define BOOT_PROTO_PVH      1 /* QEMU -kernel: EBX = struct hvm_start_info (Xen PVH ABI) */

/* I/O ports. */
#define PORT_COM1 0x3F8
#define PORT_EXIT 0xF4 /* vmm's exit port; QEMU: -device isa-debug-exit,iobase=0xf4,iosize=4 */

/* Stacks (NOBITS, never zeroed: see guest.ld). */
#define BOOT_STACK_SIZE  16384
#define EXC_STACK_SIZE   8192
#define USER_STACK_SIZE  16384
#define AP_STACK_SHIFT   13 /* 8 KiB per AP */
#define MAX_CPUS         64

/* Where the AP trampoline is copied: free low RAM per vmm's layout (0x1000-0x6FFF). */
#define AP_TRAMPOLINE_PA 0x1000

/* Status a guest exits with when it takes an unexpected CPU exception. */
#define GUEST_EXIT_EXCEPTION 3

#endif
