/* fwlog.c: talks to the firmware debug port 0x402 as SeaBIOS does: reads it
 * (0xE9 means "a log is kept") and writes a line to it. Prints what it read,
 * so a test can check the port answers 0xE9 only with --firmware-log. */
#include "lib/guest.h"

int guest_main(const struct guest_boot *boot)
{
	static const char msg[] = "fwlog: hello from the debug port\n";
	(void)boot;
	uint8_t v = inb(0x402);
	for (const char *p = msg; *p; p++)
		outb(0x402, (uint8_t)*p);
	printf("fwlog: port 0x402 reads 0x%x\n", v);
	return 0;
}
