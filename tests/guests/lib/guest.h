/* guest.h: the little runtime every test guest links (console, boot info, CPL3, SMP). */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "defs.h"
#include "freestanding.h" /* memcpy, strlen, ..., the printf engine */
#include "x86.h"

/* What the entry code learned about the boot; passed to guest_main. */
struct guest_boot {
	int proto;          /* BOOT_PROTO_ZEROPAGE (vmm) or BOOT_PROTO_PVH (QEMU) */
	uintptr_t info;     /* physical address of boot_params or hvm_start_info */
	const char *cmdline; /* never NULL; "" when there is none */
};

struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
};

/* Each guest defines this; its return value goes to the exit port. */
int guest_main(const struct guest_boot *boot);

/* Boot information (boot.c). */
const struct guest_boot *boot_info(void);
/* Number of memory-map entries; fills *out for index i when i < the count. */
int boot_e820(int i, struct e820_entry *out);
/* Value of "key=..." on the command line, or NULL. The value runs to the next space. */
const char *cmdline_get(const char *key);
/* Numeric "key=N" (decimal or 0x hex), or dflt when absent or malformed. */
uint64_t cmdline_u64(const char *key, uint64_t dflt);

/* Console on COM1 (console.c). printf takes the console lock, so lines from
 * different CPUs do not interleave; printf_unlocked is for the fault path. */
void serial_putc(char c);
void serial_puts(const char *s);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int printf_unlocked(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf_unlocked(const char *fmt, va_list ap);

/* Spinlock (lock xchg): works at CPL0 and CPL3. */
struct spinlock {
	volatile uint32_t locked;
};
void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
extern struct spinlock console_lock;

/* End the VM with status code & 0xff through the exit port. Never returns:
 * if the port does nothing (no exit device), the CPU halts. */
__attribute__((noreturn)) void guest_exit(int code);

/* CPU state (cpu.c). */
void cpu_init_bsp(void);   /* TSS + IDT, called before guest_main */
void cpu_load_idt(void);   /* for APs: share the BSP's IDT */
void cpu_load_empty_idt(void);
/* Point exception vector (0-31) at an assembly handler that ends in iretq. */
void cpu_set_gate(int vector, void (*handler)(void)); /* limit 0: any exception then triple-faults */
/* Run fn(arg) at CPL3 with IOPL=3 on the user stack, so it can use in/out
 * (serial, exit port) itself. If fn returns, its value goes to the exit port
 * (from CPL3). Switches to the guest's own identity map with user pages. */
__attribute__((noreturn)) void user_run(int (*fn)(void *), void *arg);

/* SMP (ap.c). */
uint32_t lapic_id(void);
/* Count CPUs in an MP table (0 when none); fills ids with up to max APIC IDs. */
int mptable_cpus(uint32_t *ids, int max);
/* Install the real-mode trampoline at AP_TRAMPOLINE_PA and enable the BSP's
 * LAPIC. fn runs on each AP that starts, in long mode at CPL0 on its own stack. */
void smp_init(void (*fn)(uint32_t apic_id));
/* INIT-SIPI-SIPI to apic_id; true once the AP reports in, false on timeout. */
bool smp_start_ap(uint32_t apic_id);
/* Spin until *p >= want or about timeout_cycles TSC cycles pass (also bounded
 * by an iteration count in case the TSC does not move). True on success. */
bool wait_u32_at_least(volatile uint32_t *p, uint32_t want, uint64_t timeout_cycles);

#endif
