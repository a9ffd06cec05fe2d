/* usermode.c: a heavy loop at CPL3 with IOPL=3; prints and exits from CPL3. Proves user mode and port I/O there. */
#include "lib/guest.h"
#include "usermode_hash.h"

static int user_main(void *arg)
{
	uint64_t iters = *(const uint64_t *)arg;
	/* CS.RPL is the CPL; IOPL sits in RFLAGS bits 12-13. */
	printf("usermode: cpl %u iopl %lu\n", read_cs() & 3, (read_rflags() >> 12) & 3);
	uint64_t t0 = rdtsc();
	uint64_t h = usermode_hash(iters);
	uint64_t t1 = rdtsc();
	printf("usermode: %lu iterations in %lu tsc cycles\n", iters, t1 - t0);
	printf("usermode: hash=0x%016lx\n", h);
	/* Returning sends 0 to the exit port, from CPL3 (user_thunk in start.S). */
	return (read_cs() & 3) == 3 ? 0 : 1;
}

int guest_main(const struct guest_boot *boot)
{
	(void)boot;
	static uint64_t iters;
	iters = cmdline_u64("iters", USERMODE_DEFAULT_ITERS);
	printf("usermode: entering CPL3\n");
	user_run(user_main, &iters);
}
