/* emufail.c: executes `fwait` at CPL0. Hardware runs it as a no-op; a PVM host
 * cannot emulate it, and vmm must then end the VM with its emulation-failure
 * status and report RIP and the instruction bytes (9b). */
#include "lib/guest.h"

int guest_main(const struct guest_boot *boot)
{
	(void)boot;
	__asm__ volatile("fwait" ::: "memory");
	printf("emufail: fwait ran\n");
	return 0;
}
