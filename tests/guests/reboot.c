/* reboot.c: pulses the reset line through the i8042 (command 0xFE on port
 * 0x64), as Linux's `reboot=k` does; vmm must end with its reboot status. */
#include "lib/guest.h"

int guest_main(const struct guest_boot *boot)
{
	(void)boot;
	printf("reboot: pulsing reset\n");
	outb(0x64, 0xFE);
	for (int i = 0; i < 1000; i++)
		cpu_relax();
	printf("reboot: still running\n");
	return 1;
}
