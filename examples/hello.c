/* hello.c: print a greeting and the command line, exit 0. */
#include "rt.h"

int main(const char *cmdline)
{
	printf("Hello from a vmm hypercall guest\ncmdline: \"%s\"\n", cmdline);
	return 0;
}
