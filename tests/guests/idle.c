/* idle.c: halts with interrupts off forever: a guest that never ends by
 * itself, for --timeout and signal tests. The vCPU blocks in the kernel. */
#include "lib/guest.h"

int guest_main(const struct guest_boot *boot)
{
	(void)boot;
	printf("idle: halting\n");
	for (;;)
		__asm__ volatile("cli; hlt" ::: "memory");
}
