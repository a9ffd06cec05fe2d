/* fault.c: triple-fault on purpose (no IDT, then #UD) so the VMM's triple-fault status can be tested. */
#include "lib/guest.h"

int guest_main(const struct guest_boot *boot)
{
	(void)boot;
	printf("fault: loading an empty IDT and executing ud2\n");
	/* #UD cannot be delivered (IDT limit 0) -> #GP -> #DF -> shutdown. */
	cpu_load_empty_idt();
	__asm__ volatile("ud2");
	printf("fault: still alive after ud2\n");
	return 1;
}
