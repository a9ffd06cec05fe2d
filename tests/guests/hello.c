/* hello.c: boot, print a greeting, the command line and the memory map, exit 0. Proves the ELF boot contract. */
#include "lib/guest.h"

int guest_main(const struct guest_boot *boot)
{
	printf("Hello from vmm guest\n");
	printf("cmdline: \"%s\"\n", boot->cmdline);
	int n = boot_e820(0, NULL);
	printf("e820: %d entries\n", n);
	for (int i = 0; i < n && i < 16; i++) {
		struct e820_entry e;
		boot_e820(i, &e);
		printf("  %016lx-%016lx type %u\n", e.addr, e.addr + e.size - 1, e.type);
	}
	return 0;
}
