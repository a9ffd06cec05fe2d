/* hcbench.c: the round trip of a no-op hypercall and of a 1-byte console
 * write, in ns, measured with VMM_HC_TIME (the host's clock) around a loop.
 * Between the two time stamps lie n + 1 round trips (the loop's n, and the
 * second time call's own way out), so the total is divided by n + 1.
 * Command line: noop=N (default 20000), write=N (default 2000). */
#include "rt.h"

static uint64_t opt(const char *cmdline, const char *key, uint64_t dflt)
{
	const char *v = rt_cmdline_get(cmdline, key);
	return v ? rt_strtou64(v, NULL) : dflt;
}

int main(const char *cmdline)
{
	uint64_t n_noop = opt(cmdline, "noop", 20000), n_write = opt(cmdline, "write", 2000);
	struct vmm_hc_noop a = { 0 };
	struct vmm_hc_console w = { .buf = (uintptr_t)".", .len = 1 };

	for (int i = 0; i < 100; i++) /* warm up both paths */
		hc_call(VMM_HC_NOOP, &a);
	uint64_t t0 = rt_monotonic_ns();
	for (uint64_t i = 0; i < n_noop; i++)
		hc_call(VMM_HC_NOOP, &a);
	uint64_t t1 = rt_monotonic_ns();
	for (uint64_t i = 0; i < n_write; i++)
		hc_call(VMM_HC_CONSOLE_WRITE, &w);
	uint64_t t2 = rt_monotonic_ns();

	printf("\nhcbench: noop %lu ns per call (%lu calls)\n", (t1 - t0) / (n_noop + 1), n_noop);
	printf("hcbench: console_write %lu ns per call (%lu calls of 1 byte)\n",
	       (t2 - t1) / (n_write + 1), n_write);
	return a.ret == VMM_HC_OK && w.ret == VMM_HC_OK ? 0 : 1;
}
