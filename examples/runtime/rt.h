/* rt.h: the runtime for vmm hypercall guests (examples/): what an
 * application gets. It defines main(); the runtime boots the CPU, drops to
 * CPL3 (native speed on PVM hosts, where CPL0 is emulated), fetches the
 * command line and calls it. main's return value is the VM's exit status.
 *
 * Everything talks to vmm through hypercalls (vmm/hypercall.h): one 4-byte
 * `out` per call, allowed at CPL3 by IOPL 3 and the TSS I/O bitmap.
 * Addresses are physical = virtual (identity map), so a pointer is the
 * guest-physical address a hypercall wants. No interrupts, no SMP, no heap. */
#ifndef RT_H
#define RT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* memcpy, strlen, ... and the printf engine, shared with tests/guests. */
#include "freestanding.h"
#include "vmm/hypercall.h"

/* The application. cmdline is never NULL. */
int main(const char *cmdline);

/* One hypercall: ret is preset to VMM_HC_EPENDING, then `outl` to the
 * call's port with the struct's address. Returns the struct's ret. */
static inline int32_t hc_call(unsigned nr, void *args)
{
	volatile int32_t *ret = args;
	*ret = VMM_HC_EPENDING;
	__asm__ volatile("outl %0, %w1"
			 :
			 : "a"((uint32_t)(uintptr_t)args), "Nd"((uint16_t)(VMM_HC_BASE + nr))
			 : "memory");
	return *ret;
}

/* Wrappers: 0 (VMM_HC_OK) or a negative VMM_HC_E* code. */
const struct vmm_hc_info *rt_info(void); /* fetched at start */
__attribute__((noreturn)) void rt_exit(int status);
int rt_write(const void *buf, size_t len);
/* Bytes read into buf now (0: none yet); *eof once input has ended. */
int64_t rt_read(void *buf, size_t len, bool *eof);
uint64_t rt_monotonic_ns(void);
uint64_t rt_wall_ns(void);
int rt_random(void *buf, size_t len);
/* Wait for events (VMM_HC_EV_*) until deadline_ns (rt_monotonic_ns's clock). */
int rt_poll(uint32_t events, uint64_t deadline_ns, uint32_t *ready);
int rt_block_info(unsigned disk, uint64_t *sectors, uint32_t *flags);
int rt_block_read(unsigned disk, uint64_t sector, void *buf, size_t len);
int rt_block_write(unsigned disk, uint64_t sector, const void *buf, size_t len);
int rt_block_flush(unsigned disk);
int rt_block_discard(unsigned disk, uint64_t sector, size_t len);
/* "EINVAL" for VMM_HC_EINVAL, ... */
const char *rt_strerror(int32_t ret);

/* Formatting (fmt.c): %s %c %d %i %u %x %X %p %%, flags 0 and -, a width,
 * .precision for %s, length modifiers l, ll, z. printf buffers a line and
 * writes it with one console hypercall. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int puts(const char *s);

/* Command lines (rt.c). Parse a decimal (or 0x hex) number; *end (if given) after its last digit. */
uint64_t rt_strtou64(const char *s, const char **end);
/* The value of "key=..." in the command line (up to the next space), or NULL. */
const char *rt_cmdline_get(const char *cmdline, const char *key);

#endif
