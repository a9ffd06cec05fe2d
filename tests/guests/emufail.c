/* emufail.c: executes `popcnt` at CPL0. Hardware runs it; a PVM host cannot
 * emulate it and vmm has no fix-up for it, so vmm must end the VM with its
 * emulation-failure status and report RIP and the instruction bytes. */
#include "lib/guest.h"

int guest_main(const struct guest_boot *boot)
{
	(void)boot;
	uint64_t v = 0xF0F0;
	__asm__ volatile("popcnt %0, %0" : "+r"(v));
	printf("emufail: popcnt ran (%lu)\n", (unsigned long)v);
	return 0;
}
