/* exitcode.c: exit with the status its command line gives ("42"; none: 0). */
#include "rt.h"

int main(const char *cmdline)
{
	const char *p = cmdline, *end;
	while (*p == ' ')
		p++;
	uint64_t status = rt_strtou64(p, &end);
	if (*end && *end != ' ') {
		printf("exitcode: the command line must be a number, not \"%s\"\n", cmdline);
		return 1;
	}
	printf("exitcode: exiting with %lu\n", status);
	return (int)status; /* vmm exits with status & 0xff */
}
