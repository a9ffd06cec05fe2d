/* exitcode.c: exit with 7, or with N from "code=N" on the command line. Proves the exit-port status path. */
#include "lib/guest.h"

int guest_main(const struct guest_boot *boot)
{
	(void)boot;
	int code = (int)cmdline_u64("code", 7);
	printf("exiting with %d\n", code);
	return code;
}
