/* hostcompat.h: the kernel command-line options `--host-compat` adds for
 * Linux guests on PVM hosts (kvm_pvm: guest kernel code is emulated, some
 * instructions not at all; /work/shared/reference/pvm-host.md, issue 6).
 * Each option keeps the kernel off a CPU feature or a boot-time check that
 * such a host emulates slowly or cannot emulate; all are harmless on
 * hardware hosts, but vmm adds them only where they are needed.
 * ssse3: distribution kernels' built-in BLAKE2s (random.c) runs SSSE3 code at
 * CPL0, and its first instruction (ldmxcsr in kernel_fpu_begin_mask) cannot
 * be emulated there. The two initcalls build tracefs's per-event files while
 * holding event_mutex; emulated, Debian's kernel spent minutes there with
 * other initcalls blocked on the mutex (tests/integration/linux-stock.sh). */
#ifndef VMM_BOOT_HOSTCOMPAT_H
#define VMM_BOOT_HOSTCOMPAT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/* In the order they are appended. `quiet` is not one: it hides the console,
 * which is a choice for the user, not a host fix. */
#define HOSTCOMPAT_OPTIONS                                                                     \
	"nokaslr noxsave tsc=reliable no_timer_check cryptomgr.notests init_on_alloc=0 "       \
	"nowatchdog rodata=off "                                                               \
	"clearcpuid=smap,fsgsbase,popcnt,rdpid,invpcid,pcid,rdtscp,clflushopt,clwb,pku,xsave," \
	"rdseed,erms,fsrm,ssse3 initcall_blacklist=trace_eval_init,tracer_init_tracefs"

struct hostcompat_params {
	/* Non-zero: also give the TSC rate (tsc_early_khz=), for guests with no
	 * kvmclock (full mode): Linux's PIT calibration loop is emulated too
	 * slowly to finish on a PVM host. */
	unsigned tsc_khz;
};

/* Writes into out (outlen bytes) the user's command line with the options
 * added: before a " -- " (what follows it is init's), else at the end. An
 * option whose name the user already gives (e.g. clearcpuid=) is left out:
 * the user's value wins. ERR_INPUT if the result exceeds max bytes (without
 * the NUL) or outlen. */
int hostcompat_cmdline(const char *user, const struct hostcompat_params *p, char *out,
		       size_t outlen, size_t max, struct err *e);

/* True if name (up to '=' or the end) appears as a whole option in cmdline
 * before any " -- ". */
bool hostcompat_has_option(const char *cmdline, const char *name);

#endif
