/* cpuid.c: what the guest learns about being virtualized. Prints the
 * hypervisor bit (CPUID.1:ECX[31]) and the 0x40000000 signature, and checks
 * them against `expect=para` (both present, "KVMKVMKVM") or `expect=full`
 * (neither: an unmodified OS must not find a hypervisor). Also reports CX16. */
#include "lib/guest.h"

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

int guest_main(const struct guest_boot *boot)
{
	uint32_t a, b, c, d;
	char sig[13] = { 0 };
	(void)boot;
	cpuid(1, &a, &b, &c, &d);
	bool hv = c >> 31;
	bool cx16 = (c >> 13) & 1;
	cpuid(0x40000000, &a, &b, &c, &d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	bool kvm = memcmp(sig, "KVMKVMKVM", 9) == 0;
	printf("cpuid: hypervisor bit %d, leaf 0x40000000 \"%s\" max 0x%x, cx16 %d\n", hv, kvm ? "KVMKVMKVM" : "-",
	       kvm ? a : 0, cx16);
	const char *expect = cmdline_get("expect");
	bool ok;
	if (expect && !strncmp(expect, "para", 4))
		ok = hv && kvm;
	else if (expect && !strncmp(expect, "full", 4))
		ok = !hv && !kvm;
	else
		ok = false;
	printf(ok ? "cpuid ok\n" : "cpuid FAILED\n");
	return ok ? 0 : 1;
}
