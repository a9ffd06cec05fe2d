/* echo.c: reads lines from COM1 by polling LSR.DR and prints "got: LINE" for
 * each, until a line "quit" (exit 0). Proves host input reaches the guest
 * through the UART's receive FIFO with flow control. Bounded: a long silence
 * ends the guest with status 1 instead of hanging. */
#include "lib/guest.h"

#define UART_RBR 0
#define UART_LSR 5
#define LSR_DR 0x01

static int uart_getc(void)
{
	for (long i = 0; i < 2000000; i++)
		if (inb(PORT_COM1 + UART_LSR) & LSR_DR)
			return inb(PORT_COM1 + UART_RBR);
	return -1;
}

int guest_main(const struct guest_boot *boot)
{
	char line[128];
	int n = 0, lines = 0;
	(void)boot;
	printf("echo: ready\n");
	for (;;) {
		int c = uart_getc();
		if (c < 0) {
			printf("echo: no input after %d lines\n", lines);
			return 1;
		}
		if (c == '\r')
			continue;
		if (c != '\n' && n < (int)sizeof(line) - 1) {
			line[n++] = (char)c;
			continue;
		}
		line[n] = '\0';
		if (!strncmp(line, "quit", 5)) {
			printf("echo: %d lines\n", lines);
			return 0;
		}
		printf("got: %s\n", line);
		lines++;
		n = 0;
	}
}
